"""Warm-up imported once by the scoring pool's fork server, before it forks any worker.

:mod:`exohunt.scoring_pool` names this module in ``set_forkserver_preload``: whatever it
imports and compiles lives in the server and is inherited by every worker forked from it, so
each worker no longer pays for it on its own: the modules a gradient-boosting run's loader
needs (skops alone is ~0.5 s of CPU) and the search's numba kernels, loaded from their cache
on a worker's first stars. Measured on the 2-core reference machine
(``benchmarks/bench_worker_startup.py``, ``results_predict_overhead.md``): a worker's start-up
CPU 1.11 s → 0.33 s, its first TESS star 0.52 s → 0.13 s, in every ``exohunt predict --jobs N``
run.

The warm-up searches one small synthetic light curve (spot modulation, a box transit and
centroid columns, so that the detrending, pre-whitening, box search, vetting, centroid and
view kernels all run once). It is a pure function of constants: it changes no state that a
later search reads. Any failure is swallowed: a fork server that cannot import its preload
modules would fail every worker, and the warm-up only saves time.

After the warm-up the server loads the run ``exohunt predict`` is about to score, when the
command named one (:func:`exohunt.scoring_pool.preload_run`). Inside the fork server only,
an exit hook, registered last and so run first, flushes stdout and stderr and ends the server
with ``os._exit``: its interpreter teardown (thousands of modules) kept the command's output
pipe open after the command had finished. The exit hooks it skips (multiprocessing's and
logging's) have nothing to do in the server, which writes no files and starts no
``Process``.
"""

from __future__ import annotations

import warnings

__all__ = ["warm_up"]

#: What loading a gradient-boosting run imports (skops alone is ~0.5 s of CPU).
_LOADER_MODULES = ("skops.io", "sklearn.pipeline", "sklearn.ensemble")


def _synthetic_star():
    import numpy as np

    from exohunt.lightcurve import LightCurve

    rng = np.random.default_rng(0)
    time = np.arange(2400) * (2.0 / 60 / 24) * 10  # 20-min cadence, ~33 days
    transit = np.abs((time - 1.3 + 2.65) % 5.3 - 2.65) < 0.075
    flux = (1.0 + 2e-3 * np.sin(2 * np.pi * time / 3.1) - 3e-3 * transit
            + 4e-4 * rng.standard_normal(time.size))
    centroid = 100.0 + 1e-3 * rng.standard_normal((2, time.size)) + 2e-3 * transit
    star = {"teff": 5700.0, "logg": 4.4, "radius": 1.0, "feh": 0.0, "mag": 12.0}
    return LightCurve(time, flux, np.full(time.size, 4e-4),
                      {"star": star, "crowdsap": 0.98, "target_pixel": (100.0, 100.0)},
                      columns={"centroid_col": centroid[0], "centroid_row": centroid[1]})


def warm_up() -> None:
    """Import the run loader's modules and run the search's kernels once (errors ignored)."""
    try:
        from exohunt._imports import import_without_torch

        for name in _LOADER_MODULES:  # without the torch that skops' import pulls in
            import_without_torch(name)

        from exohunt.search.features import star_signal_features

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            star_signal_features(_synthetic_star())
    except Exception:  # an optimisation only: the workers work without it
        pass


warm_up()
# The run the command is about to score, when it named one (scoring_pool.start_server_early).
from exohunt.scoring_pool import preload_run  # noqa: E402

preload_run()


def _in_fork_server() -> bool:
    """Whether this module is being imported by multiprocessing's fork server (its
    ``main``, which imports the preload modules, is on the stack)."""
    import sys

    frame = sys._getframe()
    while frame is not None:
        if (frame.f_code.co_name == "main"
                and frame.f_globals.get("__name__") == "multiprocessing.forkserver"):
            return True
        frame = frame.f_back
    return False


def _exit_at_once() -> None:
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)


if _in_fork_server():
    import atexit

    atexit.register(_exit_at_once)
