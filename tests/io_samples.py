"""Small synthetic input files for the I/O tests (written with astropy / by hand)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from exohunt.io._crc32c import masked_crc32c

# name -> (header cards, flux columns in file order, error columns, quality column, expected)
FITS_VARIANTS = {
    "kepler": ({"TELESCOP": "Kepler", "MISSION": "Kepler", "KEPLERID": 11442793,
                "OBJECT": "KIC 11442793"},
               ("SAP_FLUX", "PDCSAP_FLUX"), ("SAP_FLUX_ERR", "PDCSAP_FLUX_ERR"), "SAP_QUALITY",
               "PDCSAP_FLUX"),
    "k2": ({"TELESCOP": "Kepler", "MISSION": "K2", "CAMPAIGN": 3, "OBJECT": "EPIC 206103150"},
           ("SAP_FLUX", "PDCSAP_FLUX"), ("PDCSAP_FLUX_ERR",), "SAP_QUALITY", "PDCSAP_FLUX"),
    "tess-spoc": ({"TELESCOP": "TESS", "TICID": 261136679, "SECTOR": 1},
                  ("SAP_FLUX", "PDCSAP_FLUX"), ("PDCSAP_FLUX_ERR",), "QUALITY", "PDCSAP_FLUX"),
    "qlp": ({"TELESCOP": "TESS", "OBJECT": "TIC 1"}, ("SAP_FLUX", "KSPSAP_FLUX"),
            ("KSPSAP_FLUX_ERR",), "QUALITY", "KSPSAP_FLUX"),
    "eleanor": ({"TELESCOP": "TESS", "TIC_ID": 2}, ("RAW_FLUX", "CORR_FLUX", "PCA_FLUX"),
                ("FLUX_ERR",), "QUALITY", "CORR_FLUX"),
    "tasoc": ({"TELESCOP": "TESS", "TICID": 3}, ("FLUX_RAW", "FLUX_CORR"), ("FLUX_CORR_ERR",),
              "QUALITY", "FLUX_CORR"),
    "lightkurve": ({"TELESCOP": "TESS", "OBJECT": "TIC 4"}, ("FLUX",), ("FLUX_ERR",), "QUALITY",
                   "FLUX"),
    "sap-only": ({"TELESCOP": "Kepler", "OBJECT": "KIC 5"}, ("SAP_FLUX",), ("SAP_FLUX_ERR",),
                 "SAP_QUALITY", "SAP_FLUX"),
}


def column_level(name: str) -> float:
    """Each flux column gets its own constant level, so a test can tell which was read."""
    return 1000.0 + 10.0 * (sum(map(ord, name)) % 97)


def write_fits(path: Path, variant: str = "tess-spoc", *, n: int = 500,
               cadence: float = 2 / 1440, t0: float = 1325.0,
               quality: np.ndarray | None = None, nan_at: tuple[int, ...] = (),
               extname: str = "LIGHTCURVE", columns: dict | None = None) -> Path:
    """A small FITS light curve shaped like ``variant`` of :data:`FITS_VARIANTS`."""
    from astropy.io import fits

    cards, flux_names, err_names, quality_name, _ = FITS_VARIANTS[variant]
    time = t0 + cadence * np.arange(n)
    rng = np.random.default_rng(1)
    cols = [fits.Column("TIME", "D", array=time)]
    for name in flux_names:
        values = column_level(name) + rng.normal(0, 1, n)
        values[list(nan_at)] = np.nan
        cols.append(fits.Column(name, "E", unit="e-/s", array=values.astype(np.float32)))
    for name in err_names:
        cols.append(fits.Column(name, "E", array=np.full(n, 1.0, np.float32)))
    q = np.zeros(n, np.int32) if quality is None else np.asarray(quality, np.int32)
    cols.append(fits.Column(quality_name, "J", array=q))
    for name, values in (columns or {}).items():
        cols.append(fits.Column(name, "E", array=np.asarray(values, np.float32)))
    primary = fits.PrimaryHDU()
    for key, value in cards.items():
        primary.header[key] = value
    table = fits.BinTableHDU.from_columns(cols, name=extname)
    table.header["TIMEDEL"] = cadence
    table.header["BJDREFI"] = 2457000 if cards.get("TELESCOP") == "TESS" else 2454833
    table.header["BJDREFF"] = 0.0
    fits.HDUList([primary, table]).writeto(path, overwrite=True)
    return path


def kaggle_text(flux: np.ndarray, labels, header: bool = True, label_name: str = "LABEL") -> str:
    """A Kaggle-layout CSV as text (labels written as given)."""
    lines = []
    if header:
        lines.append(",".join([label_name] + [f"FLUX.{i + 1}" for i in range(flux.shape[1])]))
    for label, row in zip(labels, flux):
        cells = ["" if not np.isfinite(v) and not np.isinf(v) else repr(float(v)) for v in row]
        lines.append(",".join([str(label), *cells]))
    return "\n".join(lines) + "\n"


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def example_bytes(features: dict, packed: bool = True) -> bytes:
    """Serialise a ``tf.train.Example`` (bytes/str, float arrays, int lists)."""
    entries = b""
    for key, value in features.items():
        if isinstance(value, (bytes, str)):
            raw = value.encode() if isinstance(value, str) else value
            feature = _field(1, _field(1, raw))
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], int):
            feature = _field(3, _field(1, b"".join(_varint(v) for v in value)))
        else:
            floats = np.atleast_1d(np.asarray(value, "<f4"))
            if packed:
                body = _field(1, floats.tobytes())
            else:
                body = b"".join(_varint(1 << 3 | 5) + struct.pack("<f", f) for f in floats)
            feature = _field(2, body)
        entries += _field(1, _field(1, key.encode()) + _field(2, feature))
    return _field(1, entries)


def tfrecord_bytes(payloads: list[bytes]) -> bytes:
    out = b""
    for data in payloads:
        length = struct.pack("<Q", len(data))
        out += length + struct.pack("<I", masked_crc32c(length)) + data
        out += struct.pack("<I", masked_crc32c(data))
    return out


def astronet_example(i: int, disposition: str = "PC", packed: bool = True) -> bytes:
    rng = np.random.default_rng(i)
    return example_bytes({
        "global_view": rng.normal(0, 1, 201), "local_view": rng.normal(0, 1, 61),
        "Disposition": disposition, "tic_id": [100 + i], "Period": [3.5 + i],
        "Epoc": [1330.25], "Duration": [0.125], "Transit_Depth": [500.0], "SN": [12.0],
        "Sectors": [1], "toi_id": [-1],
    }, packed=packed)


def write_tfrecord(path: Path, dispositions=("PC", "EB", "J", "J"), packed: bool = True
                   ) -> Path:
    path.write_bytes(tfrecord_bytes([astronet_example(i, d, packed)
                                     for i, d in enumerate(dispositions)]))
    return path
