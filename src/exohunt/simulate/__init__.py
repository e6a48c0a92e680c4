"""Built-in light-curve simulator: physical transits and eclipsing binaries (batman) on stars
with realistic noise, variability and systematics, with exact ground truth.

Public API::

    data = simulate(preset="kaggle", seed=42)        # SimulatedDataset: train/test + truth
    lc2 = inject(lc, PlanetParams(period=3.2, t0=1.1, rp_rs=0.05))

    for lc, truth in iter_lightcurves("vetting", "test", seed=7):   # LightCurves with centroids
        ...

Command line: ``exohunt simulate OUT_DIR [--seed N] [--preset kaggle|big|vetting]
[--format csv|fits]``.

Lower-level pieces: :func:`transit_model`, :func:`eb_model`, :func:`expected_snr`,
:func:`rp_rs_for_snr`, :func:`star_noise`, :func:`star_flux`. Distributions are documented in
:mod:`exohunt.simulate.kinds` and the presets in :mod:`exohunt.simulate.dataset`; the SNR
convention in :mod:`exohunt.simulate.signals`; the host's true and catalogue parameters in
:mod:`exohunt.simulate.hosts`; the neighbour, pointing, centroids and SAP flux in
:mod:`exohunt.simulate.scene` (:func:`star_lightcurve` makes a star's LightCurve with them).

Truth tables (one row per star, row order = batch order; NaN where a column does not apply):

- ``index`` (row), ``kind`` (planet, eb, background-eb, rotator, flare, systematics, quiet),
  ``label`` (1 = planet), ``host_kind`` (variability of a signal star's host, else empty);
- signal: ``period_days``, ``t0_days`` (a mid-transit / primary mid-eclipse time on the batch's
  clock), ``duration_hours`` (analytic T14), ``depth_ppm`` (mid-transit depth of the unbinned
  model, diluted for background EBs), ``snr`` (matched-filter SNR
  √Σ(1−F)² / σ_white, see signals), ``central_depth_snr`` (the overstating pre-2026-11-30 scale),
  ``target_snr`` (planets: the SNR asked for), ``n_transits`` (transit centres on valid data),
  ``rp_rs`` (planet radius or R2/R1), ``impact``, ``stellar_density`` (g/cm³), ``a_rs``,
  ``inclination_deg``, ``u1``, ``u2``, ``eccentricity``, ``omega_deg``;
- eclipsing binaries: ``secondary_depth_ppm``, ``t_secondary_days``, ``dilution`` (≥ 1),
  ``undiluted_depth_ppm``, ``surface_brightness_ratio``, ``flux_ratio`` (L2/L1), ``mass_ratio``,
  ``ellipsoidal_ppm`` (semi-amplitude), ``grazing`` (True for V-shaped eclipses);
- star: ``noise_ppm`` (white σ per cadence), ``flux_level`` (mean counts), ``granulation_ppm``,
  ``rotation_period_days``, ``rotation_amplitude_ppm``, ``n_flares``,
  ``max_flare_amplitude_ppm``, ``sawtooth_ppm``, ``firing_dip_ppm``, ``drift_ppm``, ``ramp_ppm``,
  ``n_gaps``, ``n_valid`` (cadences outside gaps), ``n_cosmic_rays``, ``n_low_outliers``;
- pixel scene (every star): ``mission`` (Kepler, TESS), ``neighbour_offset_pixels`` (distance
  of the one neighbour from the target, 0 without one), ``neighbour_flux_share`` (β, its share
  of the aperture's light; a background EB's β = 1 / (1 + dilution)), ``crowdsap`` (1 − β),
  ``flfrcsap``, ``centroid_noise_px`` (white centroid noise per cadence and axis),
  ``pointing_drift_px`` (size of the slow pointing motion);
- signals: ``source_offset_pixels`` (where the dimming happens: 0 for planets and on-target EBs,
  the neighbour's offset for background EBs), ``source_offset_error_px`` (the 1σ error of the
  source position an ideal matched filter gets from the centroids, per axis: centroid noise /
  (SAP noise × snr)), ``sap_depth_ppm`` (depth in the aperture's own flux, (1 − β) × depth),
  ``centroid_shift_px`` (in-transit centroid shift at that depth along the neighbour's
  direction; negative = away from it); background EBs: ``source_resolvable`` (1 when
  ``source_offset_pixels`` ≥ 3 × ``source_offset_error_px``, fixed before any model sees it);
- host star: true ``star_teff`` (K), ``star_logg`` (dex), ``star_radius`` (R_sun),
  ``star_mass`` (M_sun), ``star_feh``, ``star_mag`` (Kp or T), ``star_density`` (g/cm³; equals
  ``stellar_density`` for planets and on-target EBs), and the catalogue's noisy values written
  to the FITS header, ``catalog_teff``, ``catalog_logg``, ``catalog_radius``, ``catalog_feh``,
  ``catalog_mag``;
- FITS output only: ``file`` (path relative to OUT_DIR).
"""

from __future__ import annotations

from exohunt._callable import make_module_callable
from exohunt.simulate.dataset import PRESETS, TRUTH_COLUMNS, SimulatedStar, SplitSpec, iter_split
from exohunt.simulate.hosts import CATALOG_ERRORS, StellarParams
from exohunt.simulate.inject import inject
from exohunt.simulate.kinds import KINDS
from exohunt.simulate.lightcurves import iter_lightcurves, star_lightcurve
from exohunt.simulate.params import EclipsingBinaryParams, PlanetParams, a_over_rs, t14_days
from exohunt.simulate.scene import SceneParams
from exohunt.simulate.signals import (
    central_depth_snr,
    dilution_for_snr,
    eb_model,
    expected_snr,
    in_transit_count,
    rp_rs_for_snr,
    secondary_depth,
    secondary_eclipse_time,
    signal_depth,
    signal_model,
    transit_model,
)
from exohunt.simulate.simulator import (
    FLUX_STYLES,
    TESS_CADENCE_DAYS,
    SimulatedDataset,
    simulate,
    split_spec,
    style_flux,
    time_grid,
    truth_frame,
)
from exohunt.simulate.stars import StarParams, star_flux, star_noise

__all__ = [
    "CATALOG_ERRORS",
    "FLUX_STYLES",
    "KINDS",
    "PRESETS",
    "TESS_CADENCE_DAYS",
    "TRUTH_COLUMNS",
    "EclipsingBinaryParams",
    "PlanetParams",
    "SceneParams",
    "SimulatedDataset",
    "SimulatedStar",
    "SplitSpec",
    "StarParams",
    "StellarParams",
    "a_over_rs",
    "central_depth_snr",
    "dilution_for_snr",
    "eb_model",
    "expected_snr",
    "in_transit_count",
    "inject",
    "iter_lightcurves",
    "iter_split",
    "rp_rs_for_snr",
    "secondary_depth",
    "secondary_eclipse_time",
    "signal_depth",
    "signal_model",
    "simulate",
    "split_spec",
    "star_flux",
    "star_lightcurve",
    "star_noise",
    "style_flux",
    "t14_days",
    "time_grid",
    "transit_model",
    "truth_frame",
]


make_module_callable(__name__, simulate)
