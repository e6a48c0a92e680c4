"""Flares removed before the search detrends for good (exohunt.search.flares, opt-in)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from _search_synth import CADENCE, N_POINTS, a_over_rstar, transit_model
from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search import search
from exohunt.search.flares import find_flares
from exohunt.search.junk import masking_notes
from exohunt.simulate.stars import flare_model

NOISE = 2e-4
PERIOD, T0 = 3.7, 1.3


def _time() -> np.ndarray:
    return np.arange(N_POINTS) * CADENCE


def _flares(rng: np.random.Generator, time: np.ndarray, n: int) -> tuple:
    """``n`` Davenport flares, 1-8 % high, FWHM 10-40 min, away from the ends."""
    peaks = np.sort(rng.uniform(time[0] + 1, time[-1] - 1, n))
    return tuple((float(t), float(rng.uniform(10, 40) / 1440), float(rng.uniform(0.01, 0.08)))
                 for t in peaks)


def _planet(time: np.ndarray, depth: float = 1e-3) -> np.ndarray:
    return transit_model(time, period=PERIOD, t0=T0, rp=float(np.sqrt(depth * 1.2)),
                         a=a_over_rstar(PERIOD))


def _spots(time: np.ndarray, p_rot: float = 0.9, amplitude: float = 0.01) -> np.ndarray:
    return amplitude * (np.sin(2 * np.pi * time / p_rot + 0.4)
                        + 0.3 * np.sin(4 * np.pi * time / p_rot + 1.1))


def test_find_flares_marks_rise_peak_and_tail_but_not_cosmic_rays_or_smooth_bumps():
    time = _time()
    z = np.random.default_rng(0).standard_normal(time.size)
    z[100] += 30.0                                  # a cosmic ray: one high cadence
    z[500:560] += 8 * np.exp(-((time[500:560] - time[530]) / 0.15) ** 2)  # a smooth bump
    z[1000] += 40.0                                 # a flare: sharp rise, decaying tail
    z[1001:1020] += 40.0 * np.exp(-np.arange(1, 20) / 3.0)
    flares = find_flares(time, z)
    assert flares[999:1005].all()                   # its rise, peak and bright tail
    assert not flares[1020:].any() and not flares[:999].any()
    z[1000] = np.inf                                # the detrending clipped the peak
    assert find_flares(time, z)[999:1005].all()


def test_search_removes_flares_and_keeps_the_planet():
    rng = np.random.default_rng(7)
    time = _time()
    flares = _flares(rng, time, 25)
    base = _planet(time) * (1 + _spots(time))
    noise = NOISE * rng.standard_normal(time.size)
    result = search(LightCurve(time, base * (1 + flare_model(time, flares, CADENCE)) + noise),
                    max_signals=1, flares=True)
    signal = result.signals[0]
    flare_free = search(LightCurve(time, base + noise), max_signals=1).signals[0]
    assert signal.period == pytest.approx(PERIOD, rel=1e-3)
    assert signal.depth == pytest.approx(flare_free.depth, rel=0.1)
    steps = {m["step"]: m for m in result.detrended.meta["masking"]}
    assert "flares" in steps and "flares" in masking_notes(result.detrended.meta)
    # the flares large enough to drag a trend (their excess over it, MIN_EXCESS σ, needs a
    # peak tens of σ high at this cadence) were found: the masked segments hold them
    ranges = np.asarray(steps["flares"]["ranges"])
    bright = [t for t, fwhm, amplitude in flares if amplitude > 100 * NOISE]
    found = [np.any((ranges[:, 0] - CADENCE <= t) & (t <= ranges[:, 1] + CADENCE))
             for t in bright]
    assert np.mean(found) >= 0.9
    # ... and no transit cadence is lost but those a flare sat on
    in_transit = np.abs(fold_phase(time, PERIOD, T0)) < 0.5 * signal.duration
    kept = np.isin(time, result.detrended.time)
    flare_times = np.array([t for t, _, _ in flares])
    near_flare = np.min(np.abs(time[:, None] - flare_times[None, :]), axis=1) < 0.3
    assert kept[in_transit & ~near_flare].all()


def test_flare_tails_no_longer_leave_dips_beside_them():
    """A spotted star with 20 flares and no planet: the trend dragged up by the flares' tails
    leaves dips 7-13σ deep (six-cadence means) beside them; with the flares removed the
    deepest is what white noise gives over ~3,000 cadences (about 3.5σ)."""
    for seed in (11, 12):
        rng = np.random.default_rng(seed)
        time = _time()
        flares = _flares(rng, time, 20)
        flux = (1 + _spots(time)) * (1 + flare_model(time, flares, CADENCE)) + (
            NOISE * rng.standard_normal(time.size))
        lc = LightCurve(time, flux)

        def deepest_dip(result, width: int = 6) -> float:
            det = result.detrended
            z = (det.flux - np.median(det.flux)) / det.meta["noise"]
            return float(np.min(np.convolve(z, np.ones(width), "valid")) / np.sqrt(width))

        assert deepest_dip(search(lc, max_signals=1, min_sde=0)) < -6  # the default keeps them
        assert deepest_dip(search(lc, max_signals=1, min_sde=0, flares=True)) > -4.5


def test_a_light_curve_without_flares_is_searched_exactly_as_before():
    rng = np.random.default_rng(5)
    time = _time()
    flux = _planet(time, 5e-4) * (1 + _spots(time, 6.0, 0.003)) + NOISE * rng.standard_normal(
        time.size)
    flux[[300, 1700]] += 20 * NOISE               # cosmic rays are left to the clipping
    lc = LightCurve(time, flux)
    # junk "off" (as the models' features search): with the flare removal on, the junk
    # masking's upward-outlier clipping is left out (the flare step finds flares by their
    # peaks), so only junk="off" compares the flare step alone
    on = search(lc, max_signals=2, flares=True, junk="off")
    off = search(lc, max_signals=2, junk="off")
    pd.testing.assert_frame_equal(pd.DataFrame([dataclasses.asdict(x) for x in on.signals]),
                                  pd.DataFrame([dataclasses.asdict(x) for x in off.signals]))
    np.testing.assert_array_equal(on.detrended.flux, off.detrended.flux)
    assert not any(m["step"] == "flares" for m in on.detrended.meta["masking"])


def test_with_junk_masking_and_no_flare_the_result_is_the_junk_masking_alone():
    """With junk masking on, its upward outliers are held back for the flare step (which
    finds flares by their peaks) and removed with the flares; with no flare to remove the
    search is the one without the step, bit for bit."""
    rng = np.random.default_rng(9)
    time = _time()
    flux = _planet(time, 5e-4) + NOISE * rng.standard_normal(time.size)
    flux[[400, 900, 2500]] += 30 * NOISE  # cosmic rays, clipped by the junk masking
    lc = LightCurve(time, flux)
    on, off = search(lc, max_signals=1, flares=True), search(lc, max_signals=1)
    pd.testing.assert_frame_equal(pd.DataFrame([dataclasses.asdict(x) for x in on.signals]),
                                  pd.DataFrame([dataclasses.asdict(x) for x in off.signals]))
    np.testing.assert_array_equal(on.detrended.flux, off.detrended.flux)
    steps = [m["step"] for m in on.detrended.meta["masking"]]
    assert steps == ["outliers_high"]
    assert on.detrended.meta["masking"][0]["n_cadences"] == 3
    assert "junk_upward_outlier" not in on.detrended.columns


def test_search_command_flares_option(tmp_path):
    from exohunt.cli import main

    rng = np.random.default_rng(3)
    time = _time()
    flux = _planet(time) * (1 + _spots(time)) * (
        1 + flare_model(time, _flares(rng, time, 15), CADENCE)) + NOISE * rng.standard_normal(
            time.size)
    path = tmp_path / "flaring.csv"
    pd.DataFrame({"time": time, "flux": flux}).to_csv(path, index=False)
    for extra, expected in (([], False), (["--flares"], True)):
        out = tmp_path / f"out{len(extra)}"
        assert main(["search", str(path), "--out", str(out), "--jobs", "1", "--quiet",
                     "--no-plots", "--max-signals", "1", *extra]) == 0
        table = pd.read_csv(out / "candidates.csv")
        assert table["period_days"].iloc[0] == pytest.approx(PERIOD, rel=1e-3)
        notes = str(table["notes"].iloc[0])
        assert ("flares" in notes) is expected
