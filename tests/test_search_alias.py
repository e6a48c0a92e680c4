"""The period test of :mod:`exohunt.search.alias`: a peak found at 1/2 or 1/3 of a transit's
period moves to it; a right period, or a binary's two equal eclipses, stay."""

import numpy as np
import pytest

from exohunt.search.alias import box_snr, true_period

CADENCE = 0.0204  # days (Kepler long cadence)
TIME = np.arange(0.0, 80.0, CADENCE)
NOISE = 200e-6
DURATION = 0.12


def _light_curve(period: float, t0: float, depth: float, seed: int = 1,
                 second_depth: float | None = None) -> np.ndarray:
    """White noise with box dips of ``depth`` every ``period`` (and, with ``second_depth``,
    dips of that depth half a period later)."""
    rng = np.random.default_rng(seed)
    flux = 1.0 + rng.normal(0.0, NOISE, TIME.size)
    for offset, d in ((0.0, depth), (0.5 * period, second_depth)):
        if d is None:
            continue
        phase = (TIME - t0 - offset + 0.5 * period) % period - 0.5 * period
        flux[np.abs(phase) < 0.5 * DURATION] -= d
    return flux


@pytest.mark.parametrize("k", [2, 3])
def test_a_transit_found_at_a_fraction_of_its_period_moves_to_it(k):
    true_p, t0 = 6.3, 2.1
    flux = _light_curve(true_p, t0, 400e-6)  # SNR ≈ 12 per transit train
    found_p = true_p / k
    # the alias's epoch 0 is one of the empty ones: the test must find the transits' epoch
    period, start = true_period(TIME, flux, NOISE, found_p, t0 + found_p, DURATION)
    assert period == pytest.approx(true_p, rel=1e-9)
    assert (start - t0) / true_p == pytest.approx(round((start - t0) / true_p), abs=1e-6)


def test_a_transit_at_its_own_period_stays():
    for seed in range(20):  # SNR ~ 17: a move would need a 4 σ odd/even difference
        flux = _light_curve(3.1, 0.7, 300e-6, seed=seed)
        assert true_period(TIME, flux, NOISE, 3.1, 0.7, DURATION) == (3.1, 0.7)


def test_two_equal_eclipses_stay_and_a_faint_secondary_moves():
    equal = _light_curve(4.0, 1.0, 2000e-6, second_depth=2000e-6)
    assert true_period(TIME, equal, NOISE, 2.0, 1.0, DURATION)[0] == 2.0
    faint = _light_curve(4.0, 1.0, 2000e-6, second_depth=300e-6)
    period, start = true_period(TIME, faint, NOISE, 2.0, 1.0, DURATION)
    assert period == pytest.approx(4.0) and (start - 1.0) % 4.0 == pytest.approx(0.0, abs=1e-9)


def test_longest_period_and_transit_count_limit_the_multiples():
    flux = _light_curve(6.3, 2.1, 400e-6)
    assert true_period(TIME, flux, NOISE, 3.15, 2.1, DURATION, period_max=5.0) == (3.15, 2.1)
    assert true_period(TIME, flux, NOISE, 3.15, 2.1, DURATION,
                       min_transits=100) == (3.15, 2.1)


def test_box_snr_counts_epochs_and_refuses_empty_folds():
    flux = _light_curve(5.0, 1.0, 400e-6)
    snr, epochs = box_snr(TIME, flux, NOISE, 5.0, 1.0, DURATION)
    expected = 400e-6 / NOISE * np.sqrt(epochs * DURATION / CADENCE)
    assert epochs == 16 and snr == pytest.approx(expected, rel=0.15)
    assert np.isnan(box_snr(TIME[:2], flux[:2], NOISE, 5.0, 1.0, DURATION)[0])
    assert np.isnan(box_snr(TIME, flux, 0.0, 5.0, 1.0, DURATION)[0])


def test_search_command_passes_the_alias_option(tmp_path, monkeypatch):
    """``exohunt search`` reaches ``search(alias=True)`` by default; ``--no-alias``, False."""
    import pandas as pd

    import exohunt.search.runner as runner
    from exohunt.cli import main

    seen = []
    original = runner.search

    def recording(lc, **options):
        seen.append(options.get("alias"))
        return original(lc, **options)

    # where the command's search runs it (runner bound ``search`` when it was imported)
    monkeypatch.setattr(runner, "search", recording)
    path = tmp_path / "star.csv"
    pd.DataFrame({"time": TIME, "flux": _light_curve(6.3, 2.1, 400e-6)}).to_csv(path, index=False)
    for extra in ([], ["--no-alias"]):
        out = tmp_path / f"out{len(extra)}"
        assert main(["search", str(path), "--out", str(out), "--jobs", "1", "--quiet",
                     "--no-plots", "--max-signals", "1", *extra]) == 0
        table = pd.read_csv(out / "candidates.csv")
        assert table["period_days"].iloc[0] == pytest.approx(6.3, rel=1e-3)
    assert seen == [True, False]
