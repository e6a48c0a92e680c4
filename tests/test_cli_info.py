"""``exohunt info``: summaries, and every kind of bad input as one line, exit 2, nothing touched."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from exohunt.cli import main
from exohunt.errors import InputError
from exohunt.io import read
from io_samples import kaggle_text, write_fits, write_tfrecord


def _kaggle_lines(rng, n=3, t=120):
    return kaggle_text(np.round(rng.normal(0, 1, (n, t)), 2), [1] * (n - 1) + [2]).splitlines()


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n")
    return path


def _two_kaggle_zip(tmp, rng):
    import zipfile

    text = "\n".join(_kaggle_lines(rng)) + "\n"
    with zipfile.ZipFile(tmp / "kaggle.zip", "w") as archive:
        archive.writestr("exoTrain.csv", text)
        archive.writestr("exoTest.csv", text)
    return tmp / "kaggle.zip"


def _bad_labels(tmp, rng):
    lines = _kaggle_lines(rng)
    lines[2] = "3" + lines[2][1:]
    return _write(tmp / "labels.csv", lines)


def _ragged(tmp, rng):
    lines = _kaggle_lines(rng)
    lines[2] += ",1.0"
    return _write(tmp / "ragged.csv", lines)


def _non_numeric(tmp, rng):
    lines = _kaggle_lines(rng)
    lines[3] = lines[3].replace(",", ",abc,", 1).rsplit(",", 1)[0]
    return _write(tmp / "words.csv", lines)


def _all_nan_row(tmp, rng):
    lines = _kaggle_lines(rng)
    lines[1] = "1" + "," * 120
    return _write(tmp / "allnan.csv", lines)


def _all_nan_fits(tmp, rng):
    return write_fits(tmp / "allnan.fits", "tess-spoc", n=200, nan_at=tuple(range(200)))


def _no_flux_column(tmp, rng):
    from astropy.io import fits

    path = write_fits(tmp / "source.fits", "lightkurve", n=200)
    with fits.open(path) as hdus:
        hdus[1].columns.change_name("FLUX", "COUNTS")
        hdus.writeto(tmp / "noflux.fits")
    path.unlink()
    return tmp / "noflux.fits"


def _truncated_fits(tmp, rng):
    path = write_fits(tmp / "whole.fits", "tess-spoc", n=1000)
    data = path.read_bytes()
    path.unlink()
    (tmp / "truncated.fits").write_bytes(data[: len(data) // 2 + 17])
    return tmp / "truncated.fits"


def _corrupt_fits(tmp, rng):
    (tmp / "corrupt.fits").write_bytes(b"SIMPLE  =                    T" + b"\x01" * 5730)
    return tmp / "corrupt.fits"


def _short_fits(tmp, rng):
    return write_fits(tmp / "short.fits", "kepler", n=50)


def _unknown(tmp, rng):
    (tmp / "mystery.bin").write_bytes(bytes(range(256)) * 8)
    return tmp / "mystery.bin"


def _corrupt_tfrecord(tmp, rng):
    data = bytearray(write_tfrecord(tmp / "good.tfrecord").read_bytes())
    (tmp / "good.tfrecord").unlink()
    data[300] ^= 0x55
    (tmp / "train-00000-of-00001").write_bytes(bytes(data))
    return tmp / "train-00000-of-00001"


def _table_words(tmp, rng):
    lines = ["time,flux"] + [f"{i * 0.02},{1 + 0.001 * i}" for i in range(200)]
    lines[150] = "2.98,cloudy"
    return _write(tmp / "table.csv", lines)


def _pickled_npy(tmp, rng):
    np.save(tmp / "X_train.npy", np.array([[1, None]], dtype=object), allow_pickle=True)
    return tmp / "X_train.npy"


def _empty(tmp, rng):
    (tmp / "empty.fits").write_bytes(b"")
    return tmp / "empty.fits"


BAD_INPUTS = {
    "missing file": (lambda tmp, rng: tmp / "missing.fits", r"missing\.fits: no such file"),
    "empty file": (_empty, r"empty\.fits: the file is empty"),
    "zip of two Kaggle CSVs": (_two_kaggle_zip, r"kaggle\.zip: the archive holds 2 "
                               r"Kaggle-layout CSVs.*kaggle\.zip::exoTrain\.csv"),
    "labels not 1/2 or 0/1": (_bad_labels, r"labels\.csv: line 3 \(star 1\): LABEL is 3"),
    "ragged rows": (_ragged, r"ragged\.csv: line 3 has 122 fields; expected 121"),
    "non-numeric cell": (_non_numeric, r"words\.csv: line 4, column 2 \(FLUX\.1\): 'abc'"),
    "all-NaN row": (_all_nan_row, r"allnan\.csv: line 2 \(star 0\): every flux value is NaN"),
    "all-NaN FITS": (_all_nan_fits, r"allnan\.fits: every PDCSAP_FLUX value is NaN"),
    "FITS without flux column": (_no_flux_column, r"noflux\.fits: no known flux column"),
    "truncated FITS": (_truncated_fits, r"truncated\.fits: the FITS file is truncated"),
    "corrupt FITS": (_corrupt_fits, r"corrupt\.fits: .*FITS"),
    "under 100 cadences": (_short_fits, r"short\.fits: only 50 valid cadences.*at least 100"),
    "unknown format": (_unknown, r"mystery\.bin: unknown format"),
    "corrupt TFRecord": (_corrupt_tfrecord, r"train-00000-of-00001: record 0 .* CRC mismatch"),
    "table non-numeric": (_table_words, r"table\.csv: line 151, column 2 \(flux\): 'cloudy'"),
    "pickled npy": (_pickled_npy, r"X_train\.npy: holds Python objects \(pickle\)"),
}


def _snapshot(folder):
    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_nothing_changes(tmp_path, rng, capsys, case):
    make, pattern = BAD_INPUTS[case]
    path = make(tmp_path, rng)
    before = _snapshot(tmp_path)

    with pytest.raises(InputError, match=pattern) as error:
        read(path)
    assert "\n" not in str(error.value)

    assert main(["info", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("exohunt info: error: ")
    assert path.name in lines[0] and "Traceback" not in captured.err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("case", ["missing file", "ragged rows", "truncated FITS",
                                  "corrupt TFRecord"])
def test_bad_input_in_a_real_process(tmp_path, rng, case):
    make, _pattern = BAD_INPUTS[case]
    path = make(tmp_path, rng)
    before = _snapshot(tmp_path)
    result = subprocess.run([sys.executable, "-m", "exohunt.cli", "info", str(path)],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert path.name in result.stderr
    assert _snapshot(tmp_path) == before


def test_summaries_of_each_kind(tmp_path, rng, capsys):
    fits_path = write_fits(tmp_path / "star.fits", "kepler", n=400)
    kaggle = _write(tmp_path / "exo.csv", _kaggle_lines(rng, n=4, t=150))
    views = write_tfrecord(tmp_path / "val-00000-of-00001", ("PC", "J", "EB"))
    np.save(tmp_path / "X_train.npy", rng.normal(size=(3, 200)))
    np.save(tmp_path / "y_train.npy", np.array([1, 2, 1]))
    assert main(["info", str(fits_path), str(kaggle), str(views),
                 str(tmp_path / "X_train.npy")]) == 0
    out = capsys.readouterr().out.splitlines()
    lines = [line for line in out if not line.startswith("  ")]  # indented: detail lines
    assert len(lines) == 4 and out[0] == lines[0]
    assert "  flux unit: e-/s (counts; divided by the median when searched)" in out
    assert lines[0].startswith("star.fits: light curve [fits] KIC 11442793, Kepler: 400 cadences")
    assert "cadence 2.0 min" in lines[0] and "flux PDCSAP_FLUX" in lines[0]
    assert lines[1].startswith("exo.csv: batch [kaggle_csv] 4 stars × 150 cadences")
    assert "cadence 29.4 min" in lines[1] and "labels: 4 (1 planet, 3 not" in lines[1]
    assert lines[2].startswith("val-00000-of-00001: views [tfrecord] 3 events, global 201")
    assert "(1 planet, 2 not" in lines[2] and "PC 1" in lines[2]
    assert lines[3].startswith("X_train.npy: batch [npy] 3 stars × 200 cadences")


def test_folder_and_options(tmp_path, capsys):
    write_fits(tmp_path / "a.fits", "tess-spoc")
    write_fits(tmp_path / "b.fits", "qlp")
    assert main(["info", str(tmp_path), "--flux-column", "SAP_FLUX"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if not ln.startswith("  ")]
    assert len(lines) == 2 and all("flux SAP_FLUX" in line for line in lines)
    assert main(["info", str(tmp_path), "--quality-bitmask", "bogus"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "quality_bitmask 'bogus'" in err[0]


def test_good_and_bad_inputs_together(tmp_path, capsys):
    good = write_fits(tmp_path / "good.fits", "tess-spoc")
    assert main(["info", str(good), str(tmp_path / "gone.fits")]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("good.fits: light curve")
    assert captured.err.strip() == f"exohunt info: error: {tmp_path / 'gone.fits'}: no such " \
                                   "file or folder"


@pytest.mark.shared
def test_info_on_real_data(lightcurve_dir, triage_dir, capsys):
    assert main(["info", str(lightcurve_dir), str(triage_dir / "val-00000-of-00001")]) == 0
    out = capsys.readouterr().out.splitlines()
    lines = [line for line in out if not line.startswith("  ")]
    details = [line.strip() for line in out if line.startswith("  ")]
    assert len(lines) == 11
    # what the files carry beyond flux: every one has centroids and a target pixel ...
    assert sum(d.startswith("centroids: MOM_CENTR1/MOM_CENTR2") and "target pixel" in d
               for d in details) == 10
    # ... and the catalogue's star, except K2 (EPIC values are not in K2 headers)
    assert sum(d.startswith(("star (KIC)", "star (TIC")) and "Teff" in d for d in details) == 8
    assert sum(d.startswith("star (EPIC): Kepler mag") for d in details) == 2
    assert sum("cadence 29.4 min" in line for line in lines) == 7
    assert sum("cadence 58.8 s" in line for line in lines) == 1
    assert sum("cadence 2.0 min" in line for line in lines) == 2
    assert "1,657 events" in lines[-1] and "PC 51" in lines[-1]
