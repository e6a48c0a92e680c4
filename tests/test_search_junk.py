"""FFI junk masking before the search (exohunt.search.junk) and its hook in search()."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exohunt.lightcurve import LightCurve
from exohunt.search import search
from exohunt.search.junk import (
    JUNK_MODES,
    check_junk_mode,
    find_junk,
    mask_junk,
    masking_notes,
    shortest_duration,
)

TWO_MIN = 2.0 / 1440.0
THIRTY_MIN = 30.0 / 1440.0
D_MIN = shortest_duration(None, 0.5)  # 0.48 h, the default search's shortest duration


def _box(time: np.ndarray, period: float, t0: float, duration: float) -> np.ndarray:
    """Fraction of each cadence (exposure = spacing) inside a transit, by supersampling."""
    cadence = float(np.median(np.diff(time)))
    offsets = (np.arange(15) + 0.5) / 15 - 0.5
    sub = time[:, None] + offsets[None, :] * cadence
    phase = (sub - t0 + 0.5 * period) % period - 0.5 * period
    return (np.abs(phase) < 0.5 * duration).mean(axis=1)


def _star(cadence: float, rng: np.random.Generator, noise: float = 300e-6,
          days: float = 27.0) -> tuple[np.ndarray, np.ndarray]:
    time = np.arange(0.0, days, cadence)
    time = time[(time < 13.2) | (time > 14.2)]  # the mid-sector gap
    return time, 1.0 + rng.normal(0.0, noise, time.size)


def _planet(time, period=3.7, t0=1.3, duration=0.12, depth=0.01):
    covered = _box(time, period, t0, duration)
    return covered, 1.0 - depth * covered


@pytest.mark.parametrize("cadence", [TWO_MIN, THIRTY_MIN])
@pytest.mark.parametrize("depth,duration", [(0.01, 0.12), (0.0008, 0.09), (0.2, 0.1)])
def test_transits_are_never_masked(rng, cadence, depth, duration):
    """Deep and shallow transits, with a jitter segment and outliers elsewhere: no cadence
    touched by a transit is masked."""
    time, flux = _star(cadence, rng)
    covered, model = _planet(time, duration=duration, depth=depth)
    flux = flux * model
    away = (covered == 0) & (np.abs((time - 1.3 + 1.85) % 3.7 - 1.85) > 0.6)
    jitter = away & (time > 20) & (time < 21.5)
    flux[jitter] += rng.normal(0, 3000e-6, jitter.sum())
    spikes = np.flatnonzero(away & ~jitter)[::97][:8]
    flux[spikes] -= 0.004
    junk = find_junk(time, flux, min_duration=D_MIN)
    assert not (junk.masked & (covered > 0)).any()
    assert junk.steps["scatter"][jitter].mean() > 0.8
    assert junk.steps["outliers_low"][spikes].all()


def test_scattered_light_ramp_masked_by_background_and_scatter(rng):
    time, flux = _star(THIRTY_MIN, rng)
    background = 400.0 + rng.normal(0, 5, time.size)
    ramp = np.clip((time - 11.7) / 1.5, 0, None) * (time < 13.2)
    flux = flux + 0.004 * ramp ** 2 + rng.normal(0, 1500e-6, time.size) * ramp
    background = background + 8000.0 * ramp ** 2
    lc = LightCurve(time, flux, columns={"background": background})
    out = mask_junk(lc, min_duration=D_MIN)
    steps = {r["step"]: r for r in out.meta["masking"]}
    assert "background" in steps and steps["background"]["n_segments"] == 1
    start, stop = steps["background"]["ranges"][0]
    assert 11.8 < start < 12.3 and stop == pytest.approx(time[time < 13.2][-1])
    assert len(out) == len(lc) - out.meta["n_masked"]
    assert not (out.time > start).__and__(out.time < stop).any()
    # without the background column the elevated scatter finds the strong end of the ramp
    plain = mask_junk(LightCurve(time, flux), min_duration=D_MIN)
    scatter = [r for r in plain.meta["masking"] if r["step"] == "scatter"]
    assert scatter and 11.8 < scatter[0]["ranges"][0][0] < scatter[0]["ranges"][0][1] < 13.2


@pytest.mark.parametrize("cadence", [TWO_MIN, 200.0 / 86400.0, THIRTY_MIN])
def test_clean_light_curve_loses_almost_nothing(rng, cadence):
    time, flux = _star(cadence, rng)
    flux = flux * (1 + 0.002 * np.sin(2 * np.pi * time / 3.1))  # slow spots stay
    junk = find_junk(time, flux, min_duration=D_MIN)
    assert junk.masked.mean() < 0.002
    assert not junk.steps["scatter"].any()


def test_short_bursts_clipped_at_short_cadence_but_not_transit_like_ones_at_long(rng):
    time, flux = _star(200.0 / 86400.0, rng)
    burst = np.searchsorted(time, 5.0) + np.arange(3)
    flux[burst] -= [0.003, 0.006, 0.004]  # a 10-minute momentum-dump burst
    flux[np.searchsorted(time, 8.0)] += 0.005
    junk = find_junk(time, flux, min_duration=D_MIN)
    assert junk.steps["outliers_low"][burst].all()
    assert junk.steps["outliers_high"][np.searchsorted(time, 8.0)]
    # at 30-min cadence three deep cadences in a row are a 1.5-h transit-like dip: kept
    time, flux = _star(THIRTY_MIN, rng)
    dip = np.searchsorted(time, 5.0) + np.arange(3)
    flux[dip] -= 0.003
    single = np.searchsorted(time, 9.0)
    flux[single] -= 0.004
    auto = find_junk(time, flux, min_duration=D_MIN)
    assert not auto.masked[dip].any() and auto.steps["outliers_low"][single]
    strict = find_junk(time, flux, min_duration=D_MIN, strict=True)
    assert not strict.steps["outliers_low"].any()


def test_strict_mode_keeps_every_transit_of_the_shortest_searched_duration(rng):
    """A transit exactly as short as the shortest searched duration, deep, at 30 minutes."""
    time, flux = _star(THIRTY_MIN, rng, noise=200e-6)
    covered, model = _planet(time, period=1.3, t0=0.4, duration=D_MIN, depth=0.004)
    junk = find_junk(time, flux * model, min_duration=D_MIN, strict=True)
    assert not (junk.masked & (covered > 0)).any()


def test_mask_junk_records_and_search_hook(rng):
    time, flux = _star(TWO_MIN, rng, days=10.0)
    flux[np.searchsorted(time, 3.0)] -= 0.01
    lc = LightCurve(time, flux)
    out = mask_junk(lc)
    (record,) = [r for r in out.meta["masking"] if r["step"] == "outliers_low"]
    assert record["n_cadences"] == 1 and out.meta["n_masked"] <= 3
    assert record["ranges"][0][0] == pytest.approx(time[np.searchsorted(time, 3.0)])
    n = out.meta["n_masked"]
    notes = masking_notes(out.meta)
    assert notes.startswith(f"masked {n} cadences ({100 * n / len(lc):.1f} %): ")
    assert notes.endswith("downward outlier bursts 1")
    off = mask_junk(lc, mode="off")
    assert len(off) == len(lc) and off.meta["masking"] == [] and masking_notes(off.meta) == ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = search(lc, max_signals=1)
    assert result.detrended.meta["masking"] == out.meta["masking"]


def test_junk_option_is_validated(rng):
    assert JUNK_MODES == ("auto", "strict", "off")
    assert check_junk_mode("off") == "off"
    time, flux = _star(THIRTY_MIN, rng, days=5.0)
    with pytest.raises(ValueError, match=r"'auto', 'strict', 'off'.*'yes'"):
        search(LightCurve(time, flux), junk="yes")
    with pytest.raises(ValueError, match="junk must be one of"):
        mask_junk(LightCurve(time, flux), mode="")


@pytest.mark.shared
def test_pi_men_as_an_ffi_product_is_recovered(lightcurve_dir, tmp_path):
    """pi Men c (6.2679 d, ~300 ppm) in the SPOC aperture flux rewritten as a TASOC-like
    30-minute product in ppm, with a scattered-light ramp and outlier bursts: without the
    masking the search finds nothing; with it, pi Men c at its period."""
    from _ffi_rewrite import PI_MEN_C_PERIOD, PI_MEN_FILE, ffi_arrays, write_ffi_fits
    from exohunt.io import read

    arrays = ffi_arrays(lightcurve_dir / PI_MEN_FILE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = read(write_ffi_fits(arrays, tmp_path / "pi_men_ffi.fits"))
        direct = LightCurve(arrays["time"], 1.0 + 1e-6 * arrays["flux_ppm"],
                            columns={"background": arrays["background"]})
        for curve in (lc, direct):
            assert not any(abs(s.period / PI_MEN_C_PERIOD - 1) < 0.005
                           for s in search(curve, junk="off").signals)
            found = search(curve)  # SDE ~8-11: the SAP flux keeps real systematics too
            periods = [s.period for s in found.signals]
            assert any(abs(p / PI_MEN_C_PERIOD - 1) < 0.005 for p in periods), periods
            notes = masking_notes(found.detrended.meta)
            assert "elevated scatter" in notes and "downward outlier bursts" in notes
    assert "strong background" in masking_notes(mask_junk(direct).meta)


@pytest.fixture
def junky_csv(tmp_path):
    """A time/flux table: a 1 %, 3-hour transit every 2.9 days at 30-minute cadence, white
    noise, a jitter segment and three single-cadence dump outliers."""
    import pandas as pd

    rng = np.random.default_rng(5)
    time, flux = _star(THIRTY_MIN, rng, noise=500e-6)
    _, model = _planet(time, period=2.9, t0=0.9, duration=0.125, depth=0.01)
    flux = flux * model
    jitter = (time > 20.6) & (time < 21.8)
    flux[jitter] += rng.normal(0, 5e-3, jitter.sum())
    for day in (2.3, 8.2, 16.9):  # between transits
        flux[np.searchsorted(time, day)] -= 0.01
    path = tmp_path / "junky.csv"
    pd.DataFrame({"time": time, "flux": flux}).to_csv(path, index=False)
    return path


def test_search_command_notes_and_junk_option(junky_csv, tmp_path, capsys):
    import pandas as pd

    from exohunt.cli import main

    out = tmp_path / "out"
    assert main(["search", str(junky_csv), "--out", str(out), "--jobs", "1", "--quiet",
                 "--max-signals", "1"]) == 0
    table = pd.read_csv(out / "candidates.csv")
    assert table["period_days"].iloc[0] == pytest.approx(2.9, rel=5e-3)
    notes = table["notes"].iloc[0]
    assert notes.startswith("masked ") and "elevated scatter 1 segment" in notes
    assert "downward outlier bursts 3" in notes
    assert (out / "plots" / "junky.csv_0.png").stat().st_size > 0
    off = tmp_path / "off"
    assert main(["search", str(junky_csv), "--out", str(off), "--jobs", "1", "--quiet",
                 "--no-plots", "--junk", "off", "--max-signals", "1"]) == 0
    assert pd.read_csv(off / "candidates.csv")["notes"].isna().all()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["search", str(junky_csv), "--out", str(off), "--junk", "maybe"])
    assert exit_info.value.code == 2
    assert "'auto', 'strict', 'off'" in capsys.readouterr().err


def test_info_reports_what_the_search_would_mask(junky_csv, capsys):
    from exohunt.cli import main

    assert main(["info", str(junky_csv)]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n  search would mask: " in line and "downward outlier bursts 3" in line


def test_frequent_dips_are_a_pattern_left_for_the_sawtooth_model(rng):
    """K2's thruster firings leave a one-cadence dip every ~6 hours: far more than momentum
    dumps, and what the sawtooth pre-whitening anchors on, so none is clipped."""
    time, flux = _star(THIRTY_MIN, rng, days=20.0)
    firings = np.searchsorted(time, np.arange(0.1, 20.0, 0.245 * 2))
    flux[firings] -= 0.003
    assert not find_junk(time, flux, min_duration=D_MIN).steps["outliers_low"].any()
    time, flux = _star(THIRTY_MIN, rng, days=20.0)
    few = np.searchsorted(time, [2.1, 6.0, 9.9, 16.3, 19.5])  # every ~4 days: dumps, clipped
    flux[few] -= 0.003
    assert find_junk(time, flux, min_duration=D_MIN).steps["outliers_low"][few].all()


def _dumps_straddling_two_bins(time: np.ndarray, first: float, rng: np.random.Generator
                               ) -> tuple[np.ndarray, np.ndarray]:
    """Relative flux change of 10-minute momentum dumps every 3.125 d (150 bins of 30 min,
    so every dump straddles the same bin boundary, here 45 % / 55 %), each losing 1 % of the
    flux and leaving a ±100-ppm level step; and which cadences they touch."""
    cadence = float(np.median(np.diff(time)))
    change, touched = np.zeros(time.size), np.zeros(time.size, dtype=bool)
    for start in np.arange(first, time[-1], 3.125):
        overlap = np.clip(np.minimum(time + cadence / 2, start + 10 / 1440)
                          - np.maximum(time - cadence / 2, start), 0, None)
        change -= 0.01 * overlap / cadence
        touched |= overlap > 0
        change[time >= start + 10 / 1440] += rng.choice([-1e-4, 1e-4])
    return change, touched


def test_dumps_straddling_two_bins_are_clipped_and_the_planet_is_the_top_signal(rng):
    """At 30 minutes a dump split evenly over two bins is an isolated pair of dips (a 1-hour
    'transit' every 3.125 d, deeper per cadence than the planet): it is clipped in "auto"
    mode, so the planet is the top signal; "strict" keeps it, and it outranks the planet."""
    time, flux = _star(THIRTY_MIN, rng, noise=250e-6)
    # boundary between bins at 1.5 * cadence + k * cadence; the dump starts 4.5 min before
    first = 1.5 * THIRTY_MIN + 50 * THIRTY_MIN - 4.5 / 1440
    change, touched = _dumps_straddling_two_bins(time, first, rng)
    covered, model = _planet(time, period=4.3, t0=2.2, duration=0.11, depth=0.0009)
    flux = flux * model + change
    assert touched.sum() == 2 * 8  # eight dumps, each over two bins
    auto = find_junk(time, flux, min_duration=D_MIN)
    # a dump whose neighbour is pushed down by noise (> 25 % of its depth) stays: 7 of 8
    assert auto.steps["outliers_low"][touched].sum() >= 14
    assert not (auto.masked & (covered > 0)).any()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        top = search(LightCurve(time, flux), max_signals=1).signals[0]
        kept = search(LightCurve(time, flux), max_signals=1, junk="strict").signals[0]
    assert top.period == pytest.approx(4.3, rel=0.005)
    assert kept.period == pytest.approx(3.125, rel=0.005)  # what the pair rule is for


def test_a_transit_longer_than_two_and_a_half_cadences_is_never_clipped_as_a_pair(rng):
    """The pair rule's limit (module docstring): an 80-minute transit (2.7 bins of 30 min),
    deep, at every phase of the cadence grid, keeps all its cadences."""
    time, flux = _star(THIRTY_MIN, rng, noise=200e-6)
    covered, model = _planet(time, period=1.2345, t0=0.4, duration=80 / 1440, depth=0.004)
    junk = find_junk(time, flux * model, min_duration=D_MIN)
    assert not (junk.masked & (covered > 0)).any()
