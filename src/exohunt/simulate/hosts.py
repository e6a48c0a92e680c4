"""The target star's true parameters and the input catalogue's (noisy) view of them.

True parameters follow from the star's mean density, which the transit or eclipse model already
uses (``PlanetParams.stellar_density``; an on-target binary's primary): so a planet's duration
(T14 from P, a/R* = f(ρ*, P) and b) always agrees with its host's true mass and radius. Stars
without a signal on them (background EBs' targets, stars without signal) get a density drawn like
a planet host's, log-U 0.3-5 g/cm³.

Given ρ (ρ_rel = ρ / 1.408 g/cm³, solar units):

- mass: on the main sequence R ∝ M^0.8, so ρ_rel = M^-1.4 and M = ρ_rel^(-1/1.4) (× a 5 %
  log-normal scatter), for M ≤ 1.4 M_sun; less dense stars are taken as evolved (subgiants) with
  M log-U 0.9-1.6 M_sun; M is kept within 0.08-2.0 M_sun;
- radius R = (M / ρ_rel)^(1/3) R_sun (so ρ is exact), log g = 4.438 + log10(M / R²);
- T_eff = 5772 K × M^0.55 × (R / M^0.8)^-0.3 (the main-sequence relation, cooler when evolved),
  × a 3 % log-normal scatter, kept within 2,800-8,000 K; [Fe/H] ~ N(-0.02, 0.18) within ±0.8.

The magnitude in the mission's band follows the star's flux level (e-/s through the aperture):
Kepler Kp = 12 − 2.5 log10(F / 1.74e5) (Kepler-90: 34,465 e-/s, Kp 13.80 in its header → 13.76),
TESS T = 10 − 2.5 log10(F / 1.5e4) (Vanderspek et al. 2018; π Men: 1.4e6 e-/s, T 5.1).

Catalogue errors (:data:`CATALOG_ERRORS`, 1σ, Gaussian; the radius log-normal) are the typical
ones of each input catalogue, the same as the readers assume (``exohunt.io.stellar``): KIC (Brown
et al. 2011: T_eff ±200 K, log g ±0.4 dex, [Fe/H] ±0.5 dex, poorly constrained; radii ±40 %,
Huber et al. 2014) and TIC 8 (Stassun et al. 2019, Gaia DR2 based: T_eff ±150 K, log g ±0.1
dex, radius ±10 %, [M/H] ±0.15 dex). Magnitudes ±0.02 (KIC) and ±0.012 (TIC).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from exohunt.io.stellar import CATALOGUE_UNCERTAINTIES
from exohunt.simulate.params import SOLAR_DENSITY_GCC

__all__ = ["CATALOG_ERRORS", "StellarParams", "catalogue_view", "draw_host", "magnitude"]

#: Typical 1σ errors of the input catalogues; ``radius`` is fractional (log-normal).
#: The stellar ones are the readers' own (``exohunt.io.stellar``), so the two cannot drift.
CATALOG_ERRORS: dict[str, dict[str, float]] = {
    "KIC": {**CATALOGUE_UNCERTAINTIES["KIC"], "mag": 0.02},
    "TIC": {**CATALOGUE_UNCERTAINTIES["TIC-8"], "mag": 0.012},
}
_ZERO_POINTS = {"Kepler": (12.0, 1.74e5, "Kp"), "TESS": (10.0, 1.5e4, "T")}
_LOGG_SUN = 4.438
_TEFF_SUN = 5772.0


@dataclass(frozen=True)
class StellarParams:
    """A star's true parameters: T_eff (K), log g (cgs dex), radius (R_sun), mass (M_sun),
    [Fe/H] (dex), magnitude in the mission's band and mean density (g/cm³)."""

    teff: float
    logg: float
    radius: float
    mass: float
    feh: float
    mag: float
    density: float

    def to_dict(self) -> dict[str, float]:
        """Fields as a plain dict."""
        return asdict(self)


def magnitude(flux_level: float, mission: str) -> float:
    """Magnitude in the mission's band of a star giving ``flux_level`` e-/s (see module doc)."""
    zero_mag, zero_flux, _ = _ZERO_POINTS[mission]
    return zero_mag - 2.5 * math.log10(flux_level / zero_flux)


def draw_host(rng: np.random.Generator, density: float | None, flux_level: float,
              mission: str) -> StellarParams:
    """True parameters of a star of mean ``density`` (g/cm³; None: drawn log-U 0.3-5).

    Parameters
    ----------
    rng : numpy.random.Generator
        The star's auxiliary stream (never the one its flux is drawn from).
    density : float or None
        Mean stellar density in g/cm³, e.g. a planet host's ``stellar_density``.
    flux_level : float
        The star's flux through the aperture, e-/s (sets the magnitude).
    mission : {"Kepler", "TESS"}

    Returns
    -------
    StellarParams
    """
    if density is None:
        density = float(np.exp(rng.uniform(math.log(0.3), math.log(5.0))))
    rho_rel = density / SOLAR_DENSITY_GCC
    main_sequence_mass = rho_rel ** (-1 / 1.4)
    scatter = float(rng.lognormal(0.0, 0.05))
    if main_sequence_mass <= 1.4:
        mass = main_sequence_mass * scatter
    else:
        mass = float(np.exp(rng.uniform(math.log(0.9), math.log(1.6))))
    mass = float(np.clip(mass, 0.08, 2.0))
    radius = (mass / rho_rel) ** (1 / 3)
    teff = _TEFF_SUN * mass**0.55 * (radius / mass**0.8) ** -0.3 * float(rng.lognormal(0, 0.03))
    return StellarParams(
        teff=float(np.clip(teff, 2800.0, 8000.0)), logg=_LOGG_SUN + math.log10(mass / radius**2),
        radius=float(radius), mass=mass, feh=float(np.clip(rng.normal(-0.02, 0.18), -0.8, 0.8)),
        mag=magnitude(flux_level, mission), density=float(density))


#: The [Fe/H] range a catalogue lists, dex: inside the readers' plausible range.
_FEH_LISTED = (-2.5, 1.0)


def catalogue_view(rng: np.random.Generator, star: StellarParams, catalog: str) -> dict:
    """What the input catalogue lists for ``star``: each field plus a typical error.

    Returns
    -------
    dict
        ``teff``, ``logg``, ``radius``, ``feh``, ``mag`` (the catalogue's values), ``mag_band``
        and ``catalog`` — the layout of ``LightCurve.meta["star"]``.
    """
    errors = CATALOG_ERRORS[catalog]
    band = "Kp" if catalog == "KIC" else "T"
    return {
        "teff": float(round(star.teff + rng.normal(0, errors["teff"]))),
        "logg": float(star.logg + rng.normal(0, errors["logg"])),
        "radius": float(star.radius * math.exp(rng.normal(0, errors["radius"]))),
        # KIC's photometric [Fe/H] (σ 0.5 dex) would now and then list an impossible value
        # (+2.4); a catalogue publishes none outside the range the readers accept
        "feh": float(np.clip(star.feh + rng.normal(0, errors["feh"]), *_FEH_LISTED)),
        "mag": float(star.mag + rng.normal(0, errors["mag"])),
        "mag_band": band, "catalog": catalog,
    }
