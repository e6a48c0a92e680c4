"""The TESS SPOC light curve of pi Men rewritten as a full-frame-image pipeline would give it.

The aperture flux ``SAP_FLUX`` of every cadence (the quality flags ignored, as FFI products
do not carry SPOC's: the momentum dumps and the pointing-jitter days 1347-1349 stay in),
binned to 30 minutes, in ppm around 0 (TASOC's ``FLUX_CORR``), with added junk: a
scattered-light ramp around the mid-sector gap (flux offset, extra noise and background) and
two bursts of unflagged outliers made at 2-minute resolution before binning (a momentum-dump
flux loss and a stretch of pointing jitter).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

PI_MEN_FILE = "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits"
PI_MEN_C_PERIOD = 6.2679  # days (Huang et al. 2018)
BIN_DAYS = 30.0 / 1440.0
RAMPS = ((1336.6, 1338.6, 3000.0, True), (1339.6, 1341.0, 2500.0, False))  # days, ppm
DUMP_BURST = (1343.205, 5, 0.015)  # start (days), 2-min cadences, relative flux loss
JITTER_BURST = (1335.40, 12, 0.008)  # start, cadences, relative amplitude (either sign)


def _bin(time: np.ndarray, *series: np.ndarray) -> list[np.ndarray]:
    index = np.floor((time - time[0]) / BIN_DAYS).astype(np.int64)
    counts = np.bincount(index)
    full = counts >= 8  # at least 16 of the 30 minutes observed
    return [(np.bincount(index, weights=s) / np.maximum(counts, 1))[full]
            for s in (time, *series)]


def ffi_arrays(path: Path, seed: int = 7) -> dict[str, np.ndarray]:
    """``time`` (BTJD), ``flux_ppm``, ``flux_err_ppm``, ``background`` (e-/s), 30-min bins."""
    from astropy.io import fits

    data = fits.getdata(path, 1)
    time = np.asarray(data["TIME"], dtype=float)
    flux = np.asarray(data["SAP_FLUX"], dtype=float)
    background = np.asarray(data["SAP_BKG"], dtype=float)
    good = np.isfinite(time) & np.isfinite(flux) & np.isfinite(background)
    time, flux, background = time[good], flux[good] / np.median(flux[good]), background[good]
    rng = np.random.default_rng(seed)
    for start, n, loss in (DUMP_BURST, JITTER_BURST):
        at = np.searchsorted(time, start) + np.arange(n)
        sign = -1.0 if start == DUMP_BURST[0] else rng.choice([-1.0, 1.0], n)
        flux[at] += sign * loss * rng.uniform(0.5, 1.0, n)
    time, flux, background = _bin(time, flux, background)
    ppm = (flux / np.median(flux) - 1.0) * 1e6
    noise = np.median(np.abs(np.diff(ppm))) / 0.954  # robust per-bin sigma
    for start, stop, amplitude, rising in RAMPS:
        inside = (time >= start) & (time <= stop)
        x = (time[inside] - start) / (stop - start)
        shape = x ** 2 if rising else (1 - x) ** 2
        ppm[inside] += amplitude * shape + rng.normal(0, 3 * noise, inside.sum()) * shape
        background[inside] += 40.0 * amplitude * shape
    return {"time": time, "flux_ppm": ppm, "flux_err_ppm": np.full(time.shape, noise),
            "background": background}


def write_ffi_fits(arrays: dict[str, np.ndarray], path: Path) -> Path:
    """A TASOC-like FITS file: ``FLUX_CORR`` in ppm (``TUNIT``), ``FLUX_BKG`` in e-/s."""
    from astropy.io import fits

    columns = [fits.Column("TIME", "D", unit="BJD - 2457000, days", array=arrays["time"]),
               fits.Column("FLUX_CORR", "D", unit="ppm", array=arrays["flux_ppm"]),
               fits.Column("FLUX_CORR_ERR", "D", unit="ppm", array=arrays["flux_err_ppm"]),
               fits.Column("FLUX_BKG", "D", unit="e-/s", array=arrays["background"]),
               fits.Column("QUALITY", "J", array=np.zeros(arrays["time"].size, np.int32))]
    table = fits.BinTableHDU.from_columns(columns, name="LIGHTCURVE")
    table.header["TIMEDEL"] = BIN_DAYS
    primary = fits.PrimaryHDU()
    primary.header.update({"TELESCOP": "TESS", "OBJECT": "TIC 261136679", "SECTOR": 1,
                           "TICID": 261136679})
    fits.HDUList([primary, table]).writeto(path, overwrite=True)
    return path
