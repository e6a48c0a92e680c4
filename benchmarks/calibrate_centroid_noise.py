"""Calibrate the simulator's per-cadence centroid noise on the real light-curve files.

For every file in ``../shared/data/lightcurves`` with ``MOM_CENTR1/2`` this measures, on the
cadences with ``QUALITY == 0`` and finite values:

- ``sigma_flux``: the SAP flux's relative photometric noise per cadence, the median of
  ``SAP_FLUX_ERR / median(SAP_FLUX)`` (the pipeline's propagated noise; the measured scatter of
  the flux is also printed, but on variable stars it is dominated by the star, not the noise);
- ``sigma_centroid``: the measured point-to-point scatter of each centroid axis, 1.4826 × the
  MAD of the first differences of the centroid minus a 13-cadence quadratic Savitzky-Golay
  smooth, over √2 (the smooth and the differences remove the pointing drifts, which are far
  larger, and the stars' own variability);
- ``sigma_centroid_err``: the median of ``MOM_CENTR1/2_ERR`` (the pipeline's photon-noise error).

Model, per mission and cadence: ``sigma_centroid² = (k · sigma_flux)² + floor²`` — a photon
term proportional to the flux noise (k in pixels per unit relative flux: the flux-weighted
radius of the aperture's light) and a floor from pointing jitter, which photon noise cannot
explain on bright stars. ``k`` is the median of the pipeline's own ratio
``sigma_centroid_err / sigma_flux`` over all files (it is set by the optics, the same to within
the spread for Kepler, K2 and TESS); the floor of each mission/cadence is the median over its
files of the measured scatter's excess over the photon term, √(σ² − (k σ_f)²). K2 is reported
but not used for a floor (its 6-hourly roll moves the star by ~1 pixel, which the smooth
cannot follow; the simulator's K2-like "systematics" stars get their roll from the systematics
series instead).

Run: ``python benchmarks/calibrate_centroid_noise.py [--out benchmarks/results_centroid_noise.md]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.signal import savgol_filter

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "lightcurves"


def robust_p2p(values: np.ndarray) -> float:
    """Per-cadence white scatter: 1.4826 MAD of first differences of the detrended series / √2.

    The Savitzky-Golay residual keeps the white noise but scales it by ~0.95; the first
    differences of a white series have √2 its scatter.."""
    residual = values - savgol_filter(values, 13, 2, mode="interp")
    diff = np.diff(residual)
    return float(1.4826 * np.median(np.abs(diff - np.median(diff))) / np.sqrt(2.0))


def measure(path: Path) -> dict | None:
    """The noise figures of one file, or None when it has no centroid columns."""
    from astropy.io import fits

    with fits.open(path) as hdul:
        data = hdul["LIGHTCURVE"].data
        names = data.columns.names
        if "MOM_CENTR1" not in names:
            return None
        quality = data["QUALITY"] if "QUALITY" in names else data["SAP_QUALITY"]
        cadence_min = float(hdul["LIGHTCURVE"].header["TIMEDEL"]) * 1440.0
        mission = str(hdul[0].header.get("MISSION") or hdul[0].header["TELESCOP"]).strip()
        sap, sap_err = data["SAP_FLUX"].astype(float), data["SAP_FLUX_ERR"].astype(float)
        c1, c2 = data["MOM_CENTR1"].astype(float), data["MOM_CENTR2"].astype(float)
        e1, e2 = data["MOM_CENTR1_ERR"].astype(float), data["MOM_CENTR2_ERR"].astype(float)
    ok = (quality == 0) & np.isfinite(sap) & np.isfinite(c1) & np.isfinite(c2)
    level = float(np.median(sap[ok]))
    if "K2" in mission or path.name.startswith("ktwo"):
        mission = "K2"
    return {
        "file": path.name, "mission": mission, "cadence_min": cadence_min, "n": int(ok.sum()),
        "sigma_flux": float(np.median(sap_err[ok]) / level),
        "flux_scatter": robust_p2p(sap[ok] / level),
        "sigma_centroid": float(np.hypot(robust_p2p(c1[ok]), robust_p2p(c2[ok])) / np.sqrt(2)),
        "sigma_centroid_err": float(np.median(np.r_[e1[ok], e2[ok]])),
    }


def calibrate(rows: list[dict]) -> tuple[float, dict[str, float]]:
    """``k`` (pixels per unit relative flux) and the jitter floor (pixels) per mission/cadence."""
    k = float(np.median([r["sigma_centroid_err"] / r["sigma_flux"] for r in rows]))
    floors: dict[str, list[float]] = {}
    for r in rows:
        if r["mission"] == "K2":
            continue
        key = f"{r['mission']} {r['cadence_min']:.1f} min"
        excess = r["sigma_centroid"] ** 2 - (k * r["sigma_flux"]) ** 2
        floors.setdefault(key, []).append(float(np.sqrt(max(excess, 0.0))))
    return k, {key: float(np.median(values)) for key, values in floors.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results_centroid_noise.md")
    args = parser.parse_args()
    rows = [r for r in map(measure, sorted(DATA.glob("*.fits"))) if r is not None]
    k, floors = calibrate(rows)
    lines = [
        "# Centroid noise of real Kepler/K2/TESS files (calibrates the simulator)", "",
        "Command: `python benchmarks/calibrate_centroid_noise.py` (reads "
        "`../shared/data/lightcurves`; no timing, so the shared machine does not matter).", "",
        "Model: σ_centroid² = (k σ_flux)² + floor²; σ in pixels per cadence and per axis, σ_flux "
        "the SAP flux's relative noise (see the script's docstring for how each is measured).", "",
        "| file | mission | cadence (min) | cadences | σ_flux (ppm) | flux p2p (ppm) "
        "| σ_centroid (mpx) | MOM_CENTR_ERR (mpx) | pipeline k (px) | measured/photon |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['file']} | {r['mission']} | {r['cadence_min']:.1f} | {r['n']} "
            f"| {r['sigma_flux'] * 1e6:.1f} | {r['flux_scatter'] * 1e6:.1f} "
            f"| {r['sigma_centroid'] * 1e3:.3f} | {r['sigma_centroid_err'] * 1e3:.3f} "
            f"| {r['sigma_centroid_err'] / r['sigma_flux']:.2f} "
            f"| {r['sigma_centroid'] / (k * r['sigma_flux']):.2f} |")
    lines += ["", f"**k = {k:.2f} px** (median of the pipeline's MOM_CENTR_ERR / σ_flux).", "",
              "| mission, cadence | jitter floor (mpx) |", "|---|---|"]
    lines += [f"| {key} | {value * 1e3:.3f} |" for key, value in floors.items()]
    lines += ["", "The simulator (`exohunt.simulate.scene`) uses k and the floors of Kepler "
              "long cadence and TESS 2-minute cadence, rounded to two significant figures."]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
