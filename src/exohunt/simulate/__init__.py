"""Built-in light-curve simulator: physical transits and eclipsing binaries (batman) on stars
with realistic noise, variability and systematics, with exact ground truth.

Public API::

    data = simulate(preset="kaggle", seed=42)        # SimulatedDataset: train/test + truth
    lc2 = inject(lc, PlanetParams(period=3.2, t0=1.1, rp_rs=0.05))

Lower-level pieces: :func:`transit_model`, :func:`eb_model`, :func:`expected_snr`,
:func:`rp_rs_for_snr`, :func:`star_noise`, :func:`star_flux`. Distributions are documented in
:mod:`exohunt.simulate.kinds` and the presets in :mod:`exohunt.simulate.dataset`; the SNR
convention in :mod:`exohunt.simulate.signals`.
"""

from __future__ import annotations

import sys
import types

from exohunt.simulate.dataset import PRESETS, TRUTH_COLUMNS, SimulatedStar, SplitSpec, iter_split
from exohunt.simulate.inject import inject
from exohunt.simulate.kinds import KINDS
from exohunt.simulate.params import EclipsingBinaryParams, PlanetParams, a_over_rs, t14_days
from exohunt.simulate.signals import (
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


class _CallableModule(types.ModuleType):
    """Importing ``exohunt.simulate`` binds this subpackage to the name ``exohunt.simulate``,
    shadowing the lazily exported function; calling the package calls :func:`simulate`."""

    def __call__(self, *args, **kwargs) -> SimulatedDataset:
        return simulate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
