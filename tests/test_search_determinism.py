"""The search's features do not depend on the CPU's instruction set or the BLAS thread count.

Each side runs in a fresh interpreter, since every layer reads its CPU settings at import:
numba (``NUMBA_CPU_NAME``), numpy (``NPY_DISABLE_CPU_FEATURES``) and OpenBLAS
(``OPENBLAS_CORETYPE``, ``OPENBLAS_NUM_THREADS``).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parent

#: Relative tolerance for the floating-point features (on the development machine the two
#: sides agree to the bit; the signal choice must agree exactly).
RTOL = 1e-9

_SCRIPT = """
import pickle, sys
import numpy as np
sys.path.insert(0, {tests!r})
from _search_synth import noise_lightcurve, planet_lightcurve
from exohunt.search import extract_features
from exohunt.search.features import SIGNAL_COLUMNS

rng = np.random.default_rng(11)
curves = [noise_lightcurve(rng) for _ in range(4)]
curves += [planet_lightcurve(rng, period=p, snr=s)[0] for p, s in ((2.7, 9.0), (5.1, 14.0))]
curves.append(planet_lightcurve(rng, period=3.9, snr=12.0, variability=0.01)[0])  # spotted
curves.append(planet_lightcurve(rng, period=1.7, snr=8.0, additive=True)[0])     # Kaggle-like
features = extract_features(curves, jobs=1)
with open(sys.argv[1], "wb") as handle:
    pickle.dump((features.stats.to_numpy(), features.signals[list(SIGNAL_COLUMNS)].to_numpy(),
                 features.views), handle)
"""


def _avx512_dispatch_targets() -> str:
    """numpy's dispatch targets that need AVX-512 and that this CPU has (disabling one the
    CPU lacks is an error in some numpy versions)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    names = [name for name in __cpu_dispatch__
             if ("AVX512" in name or name == "X86_V4") and __cpu_features__.get(name)]
    return " ".join(names)


def _features(tmp_path: Path, name: str, env: dict) -> tuple:
    out = tmp_path / f"{name}.pkl"
    full_env = {**os.environ, **env,
                "PYTHONPATH": os.pathsep.join([str(TESTS.parent / "src"),
                                               os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", _SCRIPT.format(tests=str(TESTS)), str(out)],
                   env=full_env, check=True, timeout=600)
    with open(out, "rb") as handle:
        return pickle.load(handle)


@pytest.mark.slow
def test_features_agree_across_instruction_sets_and_blas_threads(tmp_path):
    restricted = _features(tmp_path, "restricted", {
        "NUMBA_CPU_NAME": "generic", "NPY_DISABLE_CPU_FEATURES": _avx512_dispatch_targets(),
        "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1",
        "ATEN_CPU_CAPABILITY": "avx2"})
    host = _features(tmp_path, "host", {"OPENBLAS_NUM_THREADS": "2"})
    stats_r, signals_r, views_r = restricted
    stats_h, signals_h, views_h = host
    assert stats_r.shape == stats_h.shape == (8, stats_h.shape[1])
    assert (stats_h[:, 0] == 1).all()  # every star has a top signal to compare
    # the signal choice (period, t0, duration) is the same to the bit
    np.testing.assert_array_equal(signals_r[:, :3], signals_h[:, :3])
    np.testing.assert_allclose(signals_r, signals_h, rtol=RTOL, atol=0)
    np.testing.assert_allclose(stats_r, stats_h, rtol=RTOL, atol=1e-12)
    for name in views_h:
        np.testing.assert_allclose(views_r[name], views_h[name], rtol=1e-6, atol=1e-7,
                                   err_msg=name)


def _variable_star(rng, n_points: int, cadence: float) -> tuple[np.ndarray, np.ndarray]:
    """Spotted star (1 % at 2.3 d) with 1,000 ppm white noise and a 0.8-day gap."""
    time = np.arange(n_points) * cadence
    time = time[(time < 5.0) | (time > 5.8)]
    flux = 1 + 0.01 * np.sin(2 * np.pi * time / 2.3) + 1e-3 * rng.standard_normal(time.size)
    return time, flux


def test_biweight_trend_matches_wotan():
    from wotan import flatten

    from exohunt.search.biweight import biweight_trend

    rng = np.random.default_rng(5)
    time, flux = _variable_star(rng, 900, 0.0204336)
    mask = np.zeros(time.size, dtype=bool)
    mask[100:130] = True                      # a masked transit: left out of every window
    ours = biweight_trend(time, flux, window_length=0.7, break_tolerance=0.5, mask=mask)
    _, theirs = flatten(time, flux, method="biweight", window_length=0.7, edge_cutoff=0.0,
                        break_tolerance=0.5, return_trend=True, mask=mask)
    # the same estimator; only the order of the weighted sums differs (wotan: fastmath)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_thinned_biweight_stays_within_its_own_noise():
    from exohunt.search.biweight import biweight_trend

    rng = np.random.default_rng(6)
    time, flux = _variable_star(rng, 6000, 2.0 / 1440)  # TESS 2-min cadence
    every = biweight_trend(time, flux, window_length=0.5)
    thinned = biweight_trend(time, flux, window_length=0.5, step=0.5 / 50)
    truth = 1 + 0.01 * np.sin(2 * np.pi * time / 2.3)
    # interpolating every ~14 min moves the trend by < 30 ppm rms, far below its own error
    assert np.std(thinned - every) < 30e-6
    assert np.std(thinned - truth) < 1.05 * np.std(every - truth)
    assert np.isfinite(thinned).all()


def test_plateau_peak_takes_the_middle_of_equal_powers_whatever_their_last_bits():
    """Issue 20: a two-transit star's fine periodogram has runs of periods with the same
    power up to the last bits, which differ between CPUs; the choice must not."""
    from exohunt.search.peaks import plateau_peak

    power = np.array([1.0, 3.0, 7.5, 7.5, 7.5, 7.5, 7.5, 2.0, 7.0])
    assert plateau_peak(power) == 4
    rng = np.random.default_rng(0)
    for _ in range(50):  # last-bit noise on the tied values never moves the choice
        noisy = power.copy()
        noisy[2:7] *= 1 + rng.integers(-4, 5, 5) * np.finfo(float).eps
        assert plateau_peak(noisy) == 4
    assert plateau_peak(np.array([7.5, 7.5, 1.0])) == 0  # even run: the lower middle
    assert plateau_peak(np.array([1.0, 2.0, 9.0, 2.0])) == 2  # a clear peak is argmax
    assert plateau_peak(np.array([-np.inf, 3.0, 3.0, 3.0])) == 2
    assert plateau_peak(np.array([-np.inf, -np.inf])) == 0
    assert plateau_peak(np.array([5.0, 5.0 - 1e-6, 1.0])) == 0  # 1e-6 apart is not a tie


def test_biweight_step_sums_eight_lanes_in_a_fixed_tree():
    """The compiled IRLS step equals its definition written out in Python: point j into lane
    j % 8 (the tail into lane 0), lanes added (k, k+4), (k, k+2), (0, 1), bit for bit."""
    from exohunt.search.biweight import _irls_step

    def reference(data, center, cmad):
        dw, w = [0.0] * 8, [0.0] * 8
        head = len(data) - len(data) % 8
        for j, value in enumerate(data):
            d = value - center
            u = d * cmad
            v = max(1.0 - u * u, 0.0)
            v = v * v
            lane = j % 8 if j < head else 0
            dw[lane] += d * v
            w[lane] += v
        for width in (4, 2, 1):
            for k in range(width):
                dw[k] += dw[k + width]
                w[k] += w[k + width]
        return center + dw[0] / w[0]

    rng = np.random.default_rng(4)
    for n in (1, 7, 8, 9, 63, 200, 1001):
        data = np.sort(1.0 + 1e-3 * rng.standard_normal(n))
        center, cmad = float(np.median(data)), 1.0 / (5.0 * 1e-3)
        assert _irls_step(data, n, center, cmad) == reference(data, center, cmad)
