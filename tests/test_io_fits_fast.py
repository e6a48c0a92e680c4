"""The numpy FITS reader (exohunt.io.fits_fast) gives what astropy.io.fits gives, bit for bit,
and leaves every file it does not cover to astropy."""

from __future__ import annotations

import gzip
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from exohunt.io import fits as fits_reader
from exohunt.io import read
from exohunt.io.fits_fast import read_plain_fits
from exohunt.simulate.flavour_sets import iter_flavour
from exohunt.simulate.flavours import FLAVOURS


def _both_ways(path: Path, monkeypatch, **options):
    """The light curve read through the fast path (astropy's reader made to fail, so it must
    not be the one used), then through astropy only."""
    from astropy.io import fits as afits

    def no_astropy(*args, **kwargs):
        raise AssertionError("astropy.io.fits.open was called: the fast path was not taken")

    with monkeypatch.context() as patch, warnings.catch_warnings(record=True) as fast_warnings:
        patch.setattr(afits, "open", no_astropy)
        warnings.simplefilter("always")
        fast = read(path, **options)
    with monkeypatch.context() as patch:
        patch.setattr(fits_reader, "read_plain_fits", lambda source: None)
        with warnings.catch_warnings(record=True) as slow_warnings:
            warnings.simplefilter("always")
            slow = read(path, **options)
    assert [str(w.message) for w in fast_warnings] == [str(w.message) for w in slow_warnings]
    return fast, slow


def _same(a, b, where: str = "") -> None:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{k}]")
    elif isinstance(a, float) and isinstance(b, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def _assert_same_lightcurve(fast, slow) -> None:
    for name in ("time", "flux", "flux_err"):
        _same(getattr(fast, name), getattr(slow, name), name)
    _same(dict(fast.columns), dict(slow.columns), "columns")
    _same(dict(fast.meta), dict(slow.meta), "meta")


@pytest.mark.shared
def test_every_real_file_reads_the_same_as_with_astropy(lightcurve_dir, monkeypatch):
    files = sorted(lightcurve_dir.glob("*.fits"))
    assert len(files) >= 10
    for path in files:
        assert read_plain_fits(path) is not None, path.name  # real files are plain
        fast, slow = _both_ways(path, monkeypatch)
        _assert_same_lightcurve(fast, slow)
        assert np.isfinite(fast.meta["target_pixel"]).all() == \
            np.isfinite(slow.meta["target_pixel"]).all()


@pytest.mark.shared
def test_a_gzipped_real_file_and_another_flux_column_read_the_same(lightcurve_dir, tmp_path,
                                                                    monkeypatch):
    source = sorted(lightcurve_dir.glob("tess*.fits"))[0]
    packed = tmp_path / (source.name + ".gz")
    packed.write_bytes(gzip.compress(source.read_bytes()))
    _assert_same_lightcurve(*_both_ways(packed, monkeypatch))
    _assert_same_lightcurve(*_both_ways(source, monkeypatch, flux_column="SAP_FLUX"))


@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_every_simulated_flavour_reads_the_same_as_with_astropy(flavour, tmp_path,
                                                                monkeypatch):
    from exohunt.io.writers import write_fits

    for k, (lc, _) in enumerate(iter_flavour(flavour, "test", 3, 2, planet_fraction=0.5)):
        path = write_fits(tmp_path / f"{flavour}-{k}.fits", lc)
        assert read_plain_fits(path) is not None
        _assert_same_lightcurve(*_both_ways(path, monkeypatch))


def test_cards_parse_to_astropy_values(tmp_path):
    from astropy.io import fits

    header = fits.Header()
    cards = [("ANINT", 42), ("NEGINT", -7), ("AFLOAT", 6918.0), ("TINY", 1.5e-300),
             ("TRUE", True), ("FALSE", False), ("TEXT", "it's here  "), ("EMPTY", ""),
             ("QUOTES", "''"), ("NOVALUE", fits.card.UNDEFINED)]
    for key, value in cards:
        header[key] = (value, f"comment of {key.lower()}")
    header["DUP"] = 1
    header.append(("DUP", 2))  # the first card of a keyword wins, as in astropy
    header.append(("DEXP", 0), end=True)
    path = tmp_path / "cards.fits"
    fits.PrimaryHDU(header=header).writeto(path)
    raw = bytearray(path.read_bytes())  # a D exponent, as Fortran writers put it
    at = raw.index(b"DEXP    =")
    raw[at:at + 80] = b"DEXP    =                1.5D2 / a D exponent".ljust(80)
    path.write_bytes(bytes(raw))
    ours = read_plain_fits(path)[0].header
    with fits.open(path) as hdus:
        theirs = hdus[0].header
        for key in [k for k, _ in cards] + ["DUP", "DEXP"]:
            assert type(ours[key]) is type(theirs[key]) and ours[key] == theirs[key], key
            assert ours.comments[key] == theirs.comments[key], key


def test_files_it_does_not_cover_are_left_to_astropy(tmp_path, monkeypatch):
    from astropy.io import fits

    time = np.arange(150.0)
    columns = [fits.Column("TIME", "D", array=time),
               fits.Column("FLUX", "E", array=np.ones(150)),
               fits.Column("QUALITY", "I", array=np.zeros(150), bscale=1, bzero=32768)]
    path = tmp_path / "scaled.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(columns)]).writeto(path)
    assert read_plain_fits(path) is None  # TZERO: astropy's scaling
    assert len(read(path).time) == 150  # and astropy reads it

    text = tmp_path / "text.fits"
    columns[2] = fits.Column("NOTE", "8A", array=np.array(["x"] * 150))
    fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(columns)]).writeto(text)
    assert read_plain_fits(text) is None

    truncated = tmp_path / "short.fits"
    shutil.copy(path, truncated)
    truncated.write_bytes(path.read_bytes()[:-2880])
    assert read_plain_fits(truncated) is None
    assert read_plain_fits(b"not a FITS file" * 200) is None
