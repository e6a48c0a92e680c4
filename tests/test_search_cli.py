"""``exohunt search``: candidates.csv, diagnostic PNGs, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _search_synth import N_POINTS, planet_lightcurve
from exohunt.batch import LightCurveBatch
from exohunt.cli import main


@pytest.fixture
def kaggle_csv(tmp_path):
    from exohunt.io import write_kaggle_csv

    rng = np.random.default_rng(31)
    rows = [planet_lightcurve(rng, period=2.7, snr=25, additive=True)[0].flux,
            np.round(40 * rng.standard_normal(N_POINTS), 2)]
    return write_kaggle_csv(tmp_path / "stars.csv",
                            LightCurveBatch(np.array(rows), np.array([1, 0])))


def test_search_command_writes_candidates_and_plots(kaggle_csv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["search", str(kaggle_csv), "--out", str(out), "--jobs", "1", "--quiet",
                 "--max-signals", "2"]) == 0
    table = pd.read_csv(out / "candidates.csv")
    assert list(table.columns[:8]) == ["source", "index", "period_days", "t0_days",
                                       "duration_hours", "depth_ppm", "snr", "sde"]
    assert {"kind", "odd_even_sigma", "secondary_sigma", "passes_vetting"} <= set(table.columns)
    assert set(table["kind"]) <= {"periodic", "single"}
    planet = table[table["index"] == 0]
    assert planet["period_days"].iloc[0] == pytest.approx(2.7, rel=1e-3)
    assert planet["depth_ppm"].isna().all()  # Kaggle flux: zero point unknown
    assert not table.loc[table["index"] == 1, "passes_vetting"].any()
    assert sorted(p.name for p in (out / "plots").iterdir()) == ["stars.csv_0.png",
                                                                 "stars.csv_1.png"]
    assert "searched 2 light curve(s)" in capsys.readouterr().out


def test_search_command_lists_single_events(tmp_path):
    rng = np.random.default_rng(12)
    time = np.arange(N_POINTS) * 0.0204336
    time = time[(time < 12) | ((time > 40) & (time < 52))]  # the dip's period is unseen
    flux = 1 + 1e-3 * rng.standard_normal(time.size)
    flux[np.abs(time - 6.0) < 0.06] -= 0.01  # one deep 3-hour dip
    path = tmp_path / "one.csv"
    pd.DataFrame({"time": time, "flux": flux}).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["search", str(path), "--out", str(out), "--jobs", "1", "--quiet",
                 "--no-plots", "--min-sde", "5"]) == 0  # one dip: a broad, low-SDE peak
    single = pd.read_csv(out / "candidates.csv").query("kind == 'single'")
    assert len(single) == 1 and single["period_days"].isna().all()
    assert single["t0_days"].iloc[0] == pytest.approx(6.0, abs=0.05)
    assert single["depth_ppm"].iloc[0] == pytest.approx(1e4, rel=0.2)
    assert not single["passes_vetting"].any()


def test_search_command_no_plots_and_bad_input(kaggle_csv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["search", str(kaggle_csv), "--out", str(out), "--jobs", "1", "--quiet",
                 "--no-plots"]) == 0
    assert not (out / "plots").exists()
    assert main(["search", str(tmp_path / "missing.csv"), "--out", str(out)]) == 2
    assert "no readable light curve" in capsys.readouterr().err
    assert main(["search", str(kaggle_csv), "--out", str(out), "--max-signals", "0"]) == 2


@pytest.mark.slow
def test_search_command_parallel_matches_serial(kaggle_csv, tmp_path):
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        assert main(["search", str(kaggle_csv), "--out", str(out), "--jobs", jobs, "--quiet",
                     "--no-plots"]) == 0
        outputs.append(pd.read_csv(out / "candidates.csv"))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])


def test_search_command_seed_changes_nothing(kaggle_csv, tmp_path):
    tables = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        assert main(["search", str(kaggle_csv), "--out", str(out), "--jobs", "1", "--quiet",
                     "--no-plots", "--seed", seed]) == 0
        tables.append(pd.read_csv(out / "candidates.csv"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
