"""The bundled ``default`` model on the real files of ``../shared/data/lightcurves``.

A file's *qualifying* planets are its known planets (``manifest.csv``) that the file shows with
>= 3 transits and SNR >= 10, measured from its own data
(:func:`exohunt.evaluation.known_planets.measure_known_planets`). The figures: how many stars
with a qualifying planet are candidates with default options, how many qualifying planets are
a candidate row with ``--signals 3`` (period within 1 %), and how many flaring stars (manifest
label ``no-planet``) are candidates; 95 % Wilson intervals on the shares.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd

MIN_TRANSITS, MIN_SNR, PERIOD_TOLERANCE = 3, 10.0, 0.01


def wilson(hits: int, total: int) -> list[float]:
    """95 % Wilson score interval of ``hits / total`` ([0, 1] when total is 0)."""
    if total == 0:
        return [0.0, 1.0]
    z, p = 1.96, hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return [max(0.0, centre - half), min(1.0, centre + half)]


def qualifying(lc, periods: list[float]) -> list[float]:
    """The known periods ``lc`` shows with >= 3 transits and SNR >= 10."""
    from exohunt.evaluation.known_planets import measure_known_planets

    return [k.period for k in measure_known_planets(lc, periods)
            if k.n_transits >= MIN_TRANSITS and k.snr >= MIN_SNR]


def real_file_rows(run, folder: Path) -> list[dict]:
    """One dict per manifest file: its qualifying periods and what the run says."""
    import exohunt

    manifest = pd.read_csv(folder / "manifest.csv")
    rows = []
    for _, entry in manifest.iterrows():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lc = exohunt.read(folder / entry["file"])
            periods = ([float(p) for p in str(entry["known_periods_days"]).split(";")]
                       if isinstance(entry["known_periods_days"], str) else [])
            one = run.predict(lc, jobs=1)
            three = run.predict(lc, jobs=1, signals_per_star=3)
        wanted = qualifying(lc, periods) if periods else []
        found = [p for p in wanted if any(
            abs(q / p - 1) < PERIOD_TOLERANCE for q in
            three.loc[three["is_candidate"], "period_days"])]
        rows.append({"file": entry["file"], "label": entry["label"], "qualifying": wanted,
                     "candidate": bool(one["is_candidate"].iloc[0]),
                     "probability": float(one["probability"].iloc[0]),
                     "found_with_3": found,
                     "periods_3": three["period_days"].round(4).tolist(),
                     "probabilities_3": three["probability"].round(3).tolist()})
    return rows


def real_file_summary(run, folder: Path) -> dict:
    """The card's real-data figures (all zero, ``available`` False, without the data)."""
    if not (Path(folder) / "manifest.csv").exists():
        return {"available": False, "n_files": 0, "hosts": 0, "hosts_candidate": 0,
                "hosts_ci": [0.0, 1.0], "planets": 0, "planets_found": 0,
                "planets_ci": [0.0, 1.0], "flaring": 0, "flaring_candidate": 0,
                "flaring_ci": [0.0, 1.0], "files": []}
    rows = real_file_rows(run, Path(folder))
    hosts = [r for r in rows if r["qualifying"]]
    flaring = [r for r in rows if r["label"] == "no-planet"]
    n_planets = sum(len(r["qualifying"]) for r in hosts)
    n_found = sum(len(r["found_with_3"]) for r in hosts)
    n_hosts_ok = sum(r["candidate"] for r in hosts)
    n_flaring_bad = sum(r["candidate"] for r in flaring)
    return {"available": True, "n_files": len(rows), "hosts": len(hosts),
            "hosts_candidate": n_hosts_ok, "hosts_ci": wilson(n_hosts_ok, len(hosts)),
            "planets": n_planets, "planets_found": n_found,
            "planets_ci": wilson(n_found, n_planets), "flaring": len(flaring),
            "flaring_candidate": n_flaring_bad,
            "flaring_ci": wilson(n_flaring_bad, len(flaring)), "files": rows}
