"""Synthetic FITS light curves in each pipeline's layout, for the reading tests of what real
files carry beyond flux (centroids, aperture flux, background, star, crowding, WCS)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

N = 300
T0 = 1000.0
CADENCE = 0.02

# flavour -> (extname, flux column, its unit, quality column, centroid pair, SAP column,
#             background column, primary cards)
FLAVOURS = {
    "kepler": ("LIGHTCURVE", "PDCSAP_FLUX", "e-/s", "SAP_QUALITY", ("MOM_CENTR1", "MOM_CENTR2"),
               "SAP_FLUX", "SAP_BKG", {"TELESCOP": "Kepler", "MISSION": "Kepler",
                                       "KEPLERID": 11442793, "QUARTER": 3, "MODULE": 15,
                                       "OUTPUT": 3, "CHANNEL": 51}),
    "tess": ("LIGHTCURVE", "PDCSAP_FLUX", "e-/s", "QUALITY", ("MOM_CENTR1", "MOM_CENTR2"),
             "SAP_FLUX", "SAP_BKG", {"TELESCOP": "TESS", "TICID": 261136679, "SECTOR": 1,
                                     "CAMERA": 4, "CCD": 2}),
    "qlp": ("LIGHTCURVE", "KSPSAP_FLUX", "relative flux", "QUALITY", ("SAP_X", "SAP_Y"),
            "SAP_FLUX", "SAP_BKG", {"TELESCOP": "TESS", "OBJECT": "TIC 1", "SECTOR": 20}),
    "eleanor": (None, "CORR_FLUX", "e-/s", "QUALITY", ("X_COM", "Y_COM"), "RAW_FLUX",
                "FLUX_BKG", {"TELESCOP": "TESS", "TIC_ID": 2}),
    "tasoc": ("LIGHTCURVE", "FLUX_CORR", "ppm", "QUALITY", ("MOM_CENTR1", "MOM_CENTR2"),
              "FLUX_RAW", "FLUX_BKG", {"TELESCOP": "TESS", "TICID": 3, "SECTOR": 2}),
    "tglc": ("LIGHTCURVE", "cal_aper_flux", None, None, None, "aperture_flux", "background",
             {"TELESCOP": "TESS", "TICID": 4}),
    "lightkurve": ("LIGHTCURVE", "FLUX", "electron / s", "QUALITY",
                   ("CENTROID_COL", "CENTROID_ROW"), "SAP_FLUX", "SAP_BKG",
                   {"TELESCOP": "TESS", "OBJECT": "TIC 5"}),
}


def relative_flux(seed: int = 3, n: int = N) -> np.ndarray:
    """A star's relative flux around 1 (white noise 1e-4), the same for every flavour."""
    return 1.0 + np.random.default_rng(seed).normal(0.0, 1e-4, n)


def encode_cadence(offset: float, n: int = N) -> np.ndarray:
    """A per-cadence series whose value says which cadence it was: offset + 0.001·index."""
    return offset + 0.001 * np.arange(n)


def in_unit(flux: np.ndarray, unit: str | None) -> np.ndarray:
    """Relative flux expressed in ``unit`` (ppm and ppt around 0, counts ×5000)."""
    return {"ppm": (flux - 1) * 1e6, "ppt": (flux - 1) * 1e3, "e-/s": flux * 5000.0,
            "electron / s": flux * 5000.0}.get(unit, flux)


def write_table_fits(path: Path, columns: dict, primary: dict | None = None,
                     header: dict | None = None, extname: str | None = "LIGHTCURVE",
                     aperture: dict | None = None) -> Path:
    """FITS with a primary HDU (``primary`` cards), a table (``columns``: name → (values,
    unit) or values; 1-D float64 unless the array says otherwise) and an optional
    aperture image whose header cards are ``aperture``."""
    from astropy.io import fits

    cols = []
    for name, spec in columns.items():
        values, unit = spec if isinstance(spec, tuple) else (spec, None)
        values = np.asarray(values)
        if values.dtype.kind in "iu":
            fmt = "J"
        else:
            fmt = "D" if values.ndim == 1 else f"{values.shape[1]}D"
            values = values.astype(float)
        cols.append(fits.Column(name, fmt, unit=unit, array=values))
    hdu_primary = fits.PrimaryHDU()
    for key, value in (primary or {}).items():
        hdu_primary.header[key] = value
    table = fits.BinTableHDU.from_columns(cols, name=extname)
    for key, value in {"TIMEDEL": CADENCE, "BJDREFI": 2457000, "BJDREFF": 0.0,
                       **(header or {})}.items():
        table.header[key] = value
    hdus = [hdu_primary, table]
    if aperture is not None:
        image = fits.ImageHDU(np.ones((aperture.get("NAXIS2", 8), aperture.get("NAXIS1", 9)),
                                      np.int32), name="APERTURE")
        for key, value in aperture.items():
            if key not in ("NAXIS1", "NAXIS2"):
                image.header[key] = value
        hdus.append(image)
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return path


def write_flavour(path: Path, flavour: str, *, quality: np.ndarray | None = None,
                  flux: np.ndarray | None = None, extra: dict | None = None,
                  primary: dict | None = None, header: dict | None = None,
                  aperture: dict | None = None) -> Path:
    """A light curve in ``flavour``'s layout: centroids encode the cadence (col = 500 +
    0.001·i, row = 200 + 0.001·i), SAP flux = 4000 + i, background = 30 + i."""
    extname, flux_name, unit, quality_name, pair, sap, background, cards = FLAVOURS[flavour]
    flux = relative_flux() if flux is None else flux
    columns: dict = {"TIME" if flavour != "tglc" else "time": T0 + CADENCE * np.arange(N),
                     flux_name: (in_unit(flux, unit), unit)}
    if flavour in ("kepler", "tess", "tasoc", "lightkurve"):
        columns[f"{flux_name}_ERR"] = (in_unit(np.full(N, 1 + 1e-4), unit) -
                                       in_unit(np.ones(N), unit), unit)
    if flavour == "eleanor":
        columns["FLUX_ERR"] = np.full(N, 0.5)
        # pointing-model positions: must NOT be read as the measured centroid
        columns["X_CENTROID"] = np.full(N, 6.5) + 0.1 * np.sin(np.arange(N))
        columns["Y_CENTROID"] = np.full(N, 6.5) + 0.1 * np.cos(np.arange(N))
    if quality_name:
        columns[quality_name] = np.zeros(N, np.int32) if quality is None else \
            np.asarray(quality, np.int32)
    if pair:
        unit_px = "pixel" if pair[0].startswith(("MOM", "PSF")) else None
        columns[pair[0]] = (encode_cadence(500.0), unit_px)
        columns[pair[1]] = (encode_cadence(200.0), unit_px)
    columns[sap] = (4000.0 + np.arange(N), "e-/s")
    if f"{sap}_ERR".upper() in ("SAP_FLUX_ERR", "FLUX_RAW_ERR"):
        columns[f"{sap}_ERR"] = (np.full(N, 2.0), "e-/s")
    columns[background] = (30.0 + np.arange(N), "e-/s")
    columns.update(extra or {})
    return write_table_fits(path, columns, {**cards, **(primary or {})}, header, extname,
                            aperture)


def aperture_cards(ra: float, dec: float, *, crpix=(4.2, 3.7), physical=(600, 200),
                   theta_deg: float = 30.0, scale_arcsec: float = 3.98) -> dict:
    """SPOC-like APERTURE header: celestial TAN WCS with the target (ra, dec) at ``crpix``
    (1-based) and the physical WCS giving the CCD column/row of the first pixel."""
    theta = math.radians(theta_deg)
    scale = scale_arcsec / 3600.0
    return {"NAXIS1": 9, "NAXIS2": 8, "CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN",
            "CRPIX1": crpix[0], "CRPIX2": crpix[1], "CRVAL1": ra, "CRVAL2": dec,
            "CUNIT1": "deg", "CUNIT2": "deg", "CDELT1": -scale, "CDELT2": scale,
            "PC1_1": math.cos(theta), "PC1_2": -math.sin(theta), "PC2_1": math.sin(theta),
            "PC2_2": math.cos(theta), "WCSNAMEP": "PHYSICAL", "CTYPE1P": "RAWX",
            "CRPIX1P": 1, "CRVAL1P": physical[0], "CDELT1P": 1.0, "CTYPE2P": "RAWY",
            "CRPIX2P": 1, "CRVAL2P": physical[1], "CDELT2P": 1.0}
