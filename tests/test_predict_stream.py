"""Large Kaggle CSVs are scored block by block, with the same rows as reading them whole."""

import numpy as np
import pandas as pd
import pytest

from evaluation_fakes import FakeRun, make_batch
from exohunt import csv_stream
from exohunt.errors import InputError
from exohunt.io import read
from exohunt.io.writers import write_kaggle_csv
from exohunt.predict import predict


@pytest.fixture
def big_csv(tmp_path, monkeypatch):
    batch, _ = make_batch(n_stars=300, n_planets=10, length=200)
    path = write_kaggle_csv(tmp_path / "stars.csv", batch)
    monkeypatch.setattr(csv_stream, "STREAM_MIN_BYTES", 0)  # stream even a small file
    monkeypatch.setattr(csv_stream, "BLOCK_BYTES", 64 * 1024)  # ≈ 40 rows per block
    return path


def test_streamed_rows_match_reading_the_file_whole(big_csv, tmp_path):
    assert csv_stream.streamable(big_csv)
    run = FakeRun()
    summary = predict(run, big_csv, out=tmp_path / "p.csv", chunk_size=1000, progress=False)
    rows = pd.read_csv(tmp_path / "p.csv")
    assert summary.n_stars == 300 and rows["index"].tolist() == list(range(300))
    whole = read(big_csv)
    np.testing.assert_allclose(rows["probability"], run.score(whole), rtol=1e-6)
    # memory is bounded by the block, not the file: no call saw more than a block of rows
    assert len(run.calls) > 4 and max(run.calls) < 100


def test_bad_cell_in_a_streamed_csv_is_a_user_error(big_csv, tmp_path):
    lines = big_csv.read_text().splitlines()
    cells = lines[200].split(",")
    cells[5] = "oops"
    lines[200] = ",".join(cells)
    big_csv.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"stars\.csv: cannot be read after star"):
        predict(FakeRun(), big_csv, out=tmp_path / "p.csv", progress=False)
    assert not (tmp_path / "p.csv").exists()


def test_small_or_other_files_are_not_streamed(tmp_path):
    batch, _ = make_batch(n_stars=5, n_planets=1, length=50)
    path = write_kaggle_csv(tmp_path / "small.csv", batch)
    assert not csv_stream.streamable(path)  # under 64 MB: io.read handles it
    assert not csv_stream.streamable(tmp_path / "missing.csv")
