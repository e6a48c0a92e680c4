"""Inputs as they come from downloads: compressed, archived, Excel/pandas-flavoured CSVs."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import numpy as np
import pandas as pd
import pytest

from exohunt.cli import main
from exohunt.errors import InputError
from exohunt.io import kaggle_csv, read
from exohunt.lightcurve import LightCurve
from io_samples import kaggle_text, write_fits

COMPRESSORS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}


def _kaggle(rng, n=8, t=150, labels=True):
    flux = rng.normal(0, 10, (n, t)).astype(np.float32)
    flux[2, 5] = np.nan
    label_values = [2, 1, 1, 1, 2, 1, 1, 1, 2, 1][:n]
    text = kaggle_text(flux, label_values)
    if not labels:
        text = "\n".join(line.split(",", 1)[1] for line in text.splitlines()) + "\n"
    return flux, (np.asarray(label_values) == 2).astype(np.int8), text


def _table_text(n=300):
    time = 1000 + np.arange(n) * 0.02
    flux = 1 + 1e-3 * np.sin(time)
    return time, flux, "time,flux\n" + "".join(f"{float(t)!r},{float(f)!r}\n"
                                               for t, f in zip(time, flux))


def _same_batch(batch, flux, labels):
    np.testing.assert_array_equal(batch.flux, flux)
    if labels is None:
        assert batch.labels is None
    else:
        np.testing.assert_array_equal(batch.labels, labels)


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_kaggle_and_table_csv(tmp_path, rng, kind):
    flux, labels, text = _kaggle(rng)
    (tmp_path / f"exoTrain.csv.{kind}").write_bytes(COMPRESSORS[kind](text.encode()))
    batch = read(tmp_path / f"exoTrain.csv.{kind}")
    _same_batch(batch, flux, labels)
    assert batch.meta["compression"] == {"gz": "gzip"}.get(kind, kind)

    time, values, table = _table_text()
    (tmp_path / f"star.csv.{kind}").write_bytes(COMPRESSORS[kind](table.encode()))
    lc = read(tmp_path / f"star.csv.{kind}")
    assert isinstance(lc, LightCurve)
    np.testing.assert_array_equal(lc.time, time)
    np.testing.assert_array_equal(lc.flux, values)


def test_zip_of_one_csv_reads_in_many_slices(tmp_path, rng, monkeypatch):
    flux, labels, text = _kaggle(rng, n=10)
    # small slices and a size the zip understates: the stream path grows its arrays
    monkeypatch.setattr(kaggle_csv, "STREAM_CHUNK_BYTES", 4096)
    monkeypatch.setattr(kaggle_csv, "READ_BYTES", 1000)
    with zipfile.ZipFile(tmp_path / "exoTrain.csv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("exoTrain.csv", text.replace("\n", "\r\n"))
    batch = read(tmp_path / "exoTrain.csv.zip")
    _same_batch(batch, flux, labels)
    assert batch.meta["compression"] == "zip member exoTrain.csv"


def test_zip_of_several_csvs_needs_a_name(tmp_path, rng, capsys):
    flux, labels, text = _kaggle(rng)
    _, _, other = _kaggle(rng)
    path = tmp_path / "kaggle.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/exoTrain.csv", text)
        archive.writestr("data/exoTest.csv", other)
        archive.writestr("README.txt", "Kepler light curves, Kaggle layout")
    _same_batch(read(f"{path}::data/exoTrain.csv"), flux, labels)
    with pytest.raises(InputError, match=r"kaggle\.zip: the archive holds 2 Kaggle-layout CSVs "
                                         r"\(data/exoTrain\.csv, data/exoTest\.csv\); name"):
        read(path)
    with pytest.raises(InputError, match=r"kaggle\.zip: holds no file 'exoTrain\.csv'"):
        read(f"{path}::exoTrain.csv")
    assert main(["info", f"{path}::data/exoTest.csv"]) == 0
    assert "zip member data/exoTest.csv" in capsys.readouterr().out
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "kaggle.zip" in err[0] and "Traceback" not in err[0]


def test_tar_gz_of_fits_files_reads_like_a_folder(tmp_path):
    folder = tmp_path / "lcs"
    folder.mkdir()
    names = []
    for i, variant in enumerate(("tess-spoc", "kepler", "qlp")):
        names.append(write_fits(folder / f"star{i}.fits", variant, n=300 + i).name)
    (folder / "manifest.txt").write_text("three light curves\n")
    with tarfile.open(tmp_path / "bulk.tar.gz", "w:gz") as archive:
        archive.add(folder, arcname="bulk")
    expected = read(folder)
    got = read(tmp_path / "bulk.tar.gz")
    assert [len(lc) for lc in got] == [len(lc) for lc in expected] == [300, 301, 302]
    for mine, theirs in zip(got, expected):
        np.testing.assert_array_equal(mine.flux, theirs.flux)
        assert mine.meta["source"].startswith(f"{tmp_path / 'bulk.tar.gz'}::bulk/star")
        assert mine.meta["compression"].startswith("tar member bulk/star")
    one = read(f"{tmp_path / 'bulk.tar.gz'}::bulk/star1.fits")
    np.testing.assert_array_equal(one.flux, expected[1].flux)
    # the same as a zip, and a single FITS file gzipped (astropy reads that itself)
    with zipfile.ZipFile(tmp_path / "bulk.zip", "w") as archive:
        for name in names:
            archive.write(folder / name, name)
    assert [len(lc) for lc in read(tmp_path / "bulk.zip")] == [300, 301, 302]
    (tmp_path / "one.fits.gz").write_bytes(gzip.compress((folder / names[0]).read_bytes()))
    np.testing.assert_array_equal(read(tmp_path / "one.fits.gz").flux, expected[0].flux)


def test_bom_crlf_and_pandas_index_column(tmp_path, rng, capsys):
    flux, labels, text = _kaggle(rng)
    frame = pd.read_csv(io.StringIO(text))
    frame.to_csv(tmp_path / "indexed.csv")  # pandas' default: a leading unnamed index
    (tmp_path / "excel.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    frame.to_csv(tmp_path / "again.csv")
    pd.read_csv(tmp_path / "again.csv").to_csv(tmp_path / "again.csv", index=False)  # Unnamed: 0
    for name in ("indexed.csv", "excel.csv", "again.csv"):
        batch = read(tmp_path / name)
        np.testing.assert_allclose(batch.flux, flux, rtol=1e-6)  # pandas rounds the last digit
        np.testing.assert_array_equal(batch.labels, labels)
    assert read(tmp_path / "indexed.csv").meta["index_column"] == {"name": "",
                                                                  "sequential": True}
    assert read(tmp_path / "again.csv").meta["index_column"]["name"] == "Unnamed: 0"
    assert "index_column" not in read(tmp_path / "excel.csv").meta
    assert main(["info", str(tmp_path / "indexed.csv")]) == 0
    assert "dropped the unnamed index column (0..N-1)" in capsys.readouterr().out

    _time, values, table = _table_text()
    pd.read_csv(io.StringIO(table)).to_csv(tmp_path / "star.csv")
    (tmp_path / "star_bom.csv").write_bytes(b"\xef\xbb\xbf" + table.encode())
    for name in ("star.csv", "star_bom.csv"):
        lc = read(tmp_path / name)
        np.testing.assert_allclose(lc.flux, values, rtol=1e-12)
    assert read(tmp_path / "star.csv").meta["index_column"]["sequential"]


def test_index_column_must_hold_integers(tmp_path, rng):
    _, _, text = _kaggle(rng, n=3)
    lines = text.splitlines()
    lines = ["," + lines[0]] + [f"{i + 0.5},{line}" for i, line in enumerate(lines[1:])]
    (tmp_path / "odd.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"odd\.csv: line 2 \(star 0\), column 1 \(unnamed\): "
                                         r"0\.5 is not a row number"):
        read(tmp_path / "odd.csv")


def test_kaggle_without_label_is_an_unlabelled_batch(tmp_path, rng, capsys):
    flux, _, text = _kaggle(rng, labels=False)
    (tmp_path / "mine.csv").write_text(text)
    batch = read(tmp_path / "mine.csv")
    _same_batch(batch, flux, None)
    assert main(["info", str(tmp_path / "mine.csv")]) == 0
    assert "labels: none" in capsys.readouterr().out


@pytest.mark.slow  # imports torch for train
def test_train_and_evaluate_refuse_kaggle_without_label(tmp_path, rng, capsys):
    _, _, text = _kaggle(rng, labels=False)
    (tmp_path / "mine.csv").write_text(text)
    assert main(["train", str(tmp_path / "mine.csv"), "--out", str(tmp_path / "run"),
                 "--model", "gbm"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "mine.csv" in err[0] and "no LABEL column" in err[0]
    assert not (tmp_path / "run").exists()
    from evaluation_fakes import FakeRun
    from exohunt.evaluation import evaluate

    with pytest.raises(InputError, match=r"mine\.csv: no LABEL column; evaluate needs labels"):
        evaluate(FakeRun(), tmp_path / "mine.csv", out=tmp_path / "report")
    assert not (tmp_path / "report").exists()


def test_archive_errors_are_one_line_and_name_the_file(tmp_path, rng, capsys):
    _, _, text = _kaggle(rng)
    with zipfile.ZipFile(tmp_path / "docs.zip", "w") as archive:
        archive.writestr("README.md", "# nothing to read here\n")
        archive.writestr("notes/plan.pdf", b"%PDF-1.4 \x00\x01")
    (tmp_path / "kaggle.csv.zip").write_bytes(b"")
    with zipfile.ZipFile(tmp_path / "kaggle.csv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("exoTrain.csv", text * 20)
    whole = (tmp_path / "kaggle.csv.zip").read_bytes()
    (tmp_path / "cut.csv.zip").write_bytes(whole[: len(whole) // 2])
    gz = gzip.compress((text * 20).encode())
    (tmp_path / "cut.csv.gz").write_bytes(gz[: len(gz) // 2])
    (tmp_path / "flipped.csv.gz").write_bytes(gz[:200] + bytes([gz[200] ^ 0xFF]) + gz[201:])
    cases = {"docs.zip": r"docs\.zip: the archive holds no light-curve file \(README\.md, "
                         r"notes/plan\.pdf\)",
             "cut.csv.zip": r"cut\.csv\.zip: .*(corrupt|truncated|not a zip)",
             "cut.csv.gz": r"cut\.csv\.gz: the compressed data is corrupt or truncated",
             "flipped.csv.gz": r"flipped\.csv\.gz: the compressed data is corrupt or truncated"}
    for name, pattern in cases.items():
        with pytest.raises(InputError, match=pattern) as error:
            read(tmp_path / name)
        assert "\n" not in str(error.value)
        assert main(["info", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and name in err[0] and "Traceback" not in err[0]
