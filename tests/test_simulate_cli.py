"""``exohunt simulate``: outputs, streaming equals in-memory, overwrite protection, FITS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exohunt.cli import main
from exohunt.io.writers import write_kaggle_csv
from exohunt.simulate import TRUTH_COLUMNS, simulate


def test_cli_writes_kaggle_csv_and_truth_identical_to_api(tmp_path, capsys):
    out = tmp_path / "data"
    rc = main(["simulate", str(out), "--seed", "5", "--n-train", "300", "--n-test", "40",
               "--quiet"])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["test.csv", "test_truth.csv", "train.csv",
                                                    "train_truth.csv"]
    data = simulate("kaggle", seed=5, n_train=300, n_test=40)
    # streamed in chunks by the CLI == written from the in-memory batch
    assert (out / "train.csv").read_bytes() == write_kaggle_csv(tmp_path / "t.csv",
                                                                data.train).read_bytes()
    truth = pd.read_csv(out / "test_truth.csv")
    assert len(truth) == 40 and truth["kind"].tolist() == data.test_truth["kind"].tolist()
    # truth streamed in 128-row chunks == the in-memory table written at once
    assert (out / "train_truth.csv").read_bytes() == data.train_truth.to_csv(
        index=False).encode()
    assert list(data.train_truth.columns) == list(TRUTH_COLUMNS)
    assert "train: 300 stars" in capsys.readouterr().out


def test_cli_refuses_non_empty_folder_unless_overwrite(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("x")
    rc = main(["simulate", str(tmp_path), "--n-train", "5", "--n-test", "2", "--quiet"])
    assert rc == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path), "--n-train", "5", "--n-test", "2", "--quiet",
                 "--overwrite"]) == 0
    assert (tmp_path / "train.csv").exists() and (tmp_path / "keep.txt").exists()


def test_cli_rejects_unknown_preset(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", str(tmp_path), "--preset", "huge"])
    assert exit_info.value.code == 2
    assert "kaggle" in capsys.readouterr().err


def test_cli_fits_output(tmp_path):
    from astropy.io import fits

    out = tmp_path / "fits"
    assert main(["simulate", str(out), "--format", "fits", "--n-train", "6", "--n-test", "3",
                 "--quiet", "--seed", "8"]) == 0
    files = sorted((out / "train").glob("*.fits"))
    assert len(files) == 6 and len(list((out / "test").glob("*.fits"))) == 3
    truth = pd.read_csv(out / "train_truth.csv")
    assert truth["file"].tolist() == [f"train/{p.name}" for p in files]
    with fits.open(files[0]) as hdul:
        flux = hdul["LIGHTCURVE"].data["PDCSAP_FLUX"]
        level = truth.loc[0, "flux_level"]
        assert np.nanmedian(flux) == pytest.approx(level, rel=0.1)
        assert np.isnan(flux).sum() == 3197 - truth.loc[0, "n_valid"]
    assert main(["simulate", str(out), "--format", "fits", "--n-train", "3", "--n-test", "2",
                 "--quiet", "--overwrite"]) == 0
    assert len(list((out / "train").glob("*.fits"))) == 3  # no stale files from the first run


@pytest.mark.parametrize("bad", [["--n-train", "0"], ["--seed", "-3"], ["--n-points", "20"]])
def test_cli_bad_numbers_are_one_line_errors(tmp_path, capsys, bad):
    assert main(["simulate", str(tmp_path / "x"), "--quiet", *bad]) == 2
    assert capsys.readouterr().err.startswith("exohunt simulate: error:")
    assert not (tmp_path / "x").exists()
