"""Simulated stars as :class:`~exohunt.lightcurve.LightCurve` objects carrying what real files
carry: PDCSAP-like flux in e-/s, the centroids, SAP flux and background as ``columns``, and the
catalogue's stellar parameters, crowding and target pixel in ``meta`` (the layout the FITS
readers produce, docs/ARCHITECTURE.md "What real files carry")."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.simulate.dataset import SimulatedStar, iter_split
from exohunt.simulate.scene import MISSIONS, render_scene

__all__ = ["iter_lightcurves", "star_lightcurve"]


def star_lightcurve(star: SimulatedStar, time: np.ndarray, target_id: str | None = None
                    ) -> LightCurve:
    """One simulated star as a light curve with centroids and catalogue parameters.

    Parameters
    ----------
    star : SimulatedStar
        From :func:`exohunt.simulate.iter_split` (or ``make_star``).
    time : ndarray, shape (T,)
        The time grid the star was made on, days.
    target_id : str, optional
        ``meta["target_id"]`` (default ``"SIM <index>"``).

    Returns
    -------
    LightCurve
        ``flux`` = PDCSAP-like flux in e-/s (crowding removed; NaN in gaps), ``flux_err``;
        ``columns``: ``centroid_col``, ``centroid_row`` (pixels, CCD frame), ``sap_flux``,
        ``sap_flux_err`` (e-/s, the aperture's own flux with the neighbour's light and the
        pointing systematics), ``background`` (e-/s over the aperture), ``pos_corr_col``,
        ``pos_corr_row`` (pixels); ``meta``: ``mission``, ``target_id``, ``star`` (catalogue
        values), ``crowdsap``, ``flfrcsap``, ``target_pixel``, ``flux_unit``, ``ra_deg``,
        ``dec_deg``, ``roll_deg``, ``centroid_err_px``, ``aperture_radius_px``.
    """
    scene = star.scene
    if scene is None:
        raise ValueError("this SimulatedStar has no pixel scene (made without one)")
    rng = np.random.default_rng(star.series_seed)
    series = render_scene(time, scene, star.flux, star.valid, star.noise_ppm,
                          star.lights["target_light"], star.lights["neighbour_light"],
                          star.lights["pointing"], rng)
    level = star.flux_level
    sap_level = level * scene.flfrcsap / scene.crowdsap  # PDC = (SAP − (1−c) SAP) / flfrc
    background = scene.background_e_s * (1.0 + series["background_noise"])
    columns = {
        "centroid_col": series["centroid_col"], "centroid_row": series["centroid_row"],
        "sap_flux": series["sap_relative"] * sap_level,
        "sap_flux_err": series["sap_relative_err"] * sap_level,
        "background": np.where(star.valid, background, np.nan),
        "pos_corr_col": series["pos_corr_col"], "pos_corr_row": series["pos_corr_row"],
    }
    meta = {
        "mission": scene.mission, "target_id": target_id or f"SIM {star.index}",
        "star": dict(star.catalogue), "crowdsap": scene.crowdsap, "flfrcsap": scene.flfrcsap,
        "target_pixel": tuple(scene.target_pixel), "flux_unit": "e-/s",
        "ra_deg": scene.ra_deg, "dec_deg": scene.dec_deg, "roll_deg": scene.roll_deg,
        "centroid_err_px": scene.centroid_photon_px,
        "aperture_radius_px": MISSIONS[scene.mission].aperture_radius_px,
    }
    flux_err = np.full_like(star.flux, star.noise_ppm * 1e-6 * level)
    return LightCurve(time, star.flux * level, flux_err, meta, columns)


def iter_lightcurves(preset: str = "vetting", split: str = "test", seed: int = 42, *,
                     n_stars: int | None = None, n_points: int = 3197,
                     cadence_days: float | None = None) -> Iterator[tuple[LightCurve, dict]]:
    """Yield ``(light curve, truth row)`` for every star of a split, one at a time.

    Parameters are those of :func:`exohunt.simulate.simulate` (``cadence_days`` defaults to
    Kepler long cadence); the light curves are those ``exohunt simulate --format fits`` writes.
    """
    from exohunt.batch import KEPLER_LONG_CADENCE_DAYS
    from exohunt.simulate.simulator import split_spec, time_grid

    time = time_grid(n_points, cadence_days or KEPLER_LONG_CADENCE_DAYS)
    spec = split_spec(preset, split, n_stars)
    for star in iter_split(spec, seed, split, time):
        yield star_lightcurve(star, time, f"SIM {split} {star.index}"), star.truth
