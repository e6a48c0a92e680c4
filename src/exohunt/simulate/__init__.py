"""Built-in light-curve simulator: physical transits and eclipsing binaries (batman) on stars
with realistic noise, variability and systematics, with exact ground truth.

Public API::

    data = simulate(preset="kaggle", seed=42)        # SimulatedDataset: train/test + truth
    lc2 = inject(lc, PlanetParams(period=3.2, t0=1.1, rp_rs=0.05))

Command line: ``exohunt simulate OUT_DIR [--seed N] [--preset kaggle|big] [--format csv|fits]``.

Lower-level pieces: :func:`transit_model`, :func:`eb_model`, :func:`expected_snr`,
:func:`rp_rs_for_snr`, :func:`star_noise`, :func:`star_flux`. Distributions are documented in
:mod:`exohunt.simulate.kinds` and the presets in :mod:`exohunt.simulate.dataset`; the SNR
convention in :mod:`exohunt.simulate.signals`.

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
- FITS output only: ``file`` (path relative to OUT_DIR).
"""

from __future__ import annotations

from exohunt._callable import make_module_callable
from exohunt.simulate.dataset import PRESETS, TRUTH_COLUMNS, SimulatedStar, SplitSpec, iter_split
from exohunt.simulate.inject import inject
from exohunt.simulate.kinds import KINDS
from exohunt.simulate.params import EclipsingBinaryParams, PlanetParams, a_over_rs, t14_days
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
    "FLUX_STYLES",
    "KINDS",
    "PRESETS",
    "TESS_CADENCE_DAYS",
    "TRUTH_COLUMNS",
    "EclipsingBinaryParams",
    "PlanetParams",
    "SimulatedDataset",
    "SimulatedStar",
    "SplitSpec",
    "StarParams",
    "a_over_rs",
    "central_depth_snr",
    "dilution_for_snr",
    "eb_model",
    "expected_snr",
    "in_transit_count",
    "inject",
    "iter_split",
    "rp_rs_for_snr",
    "secondary_depth",
    "secondary_eclipse_time",
    "signal_depth",
    "signal_model",
    "simulate",
    "split_spec",
    "star_flux",
    "star_noise",
    "style_flux",
    "t14_days",
    "time_grid",
    "transit_model",
    "truth_frame",
]


make_module_callable(__name__, simulate)
