"""Profile of the per-star search: CPU time by stage, on the host's instruction set and on a
restricted one (no AVX-512 anywhere: numba, numpy, OpenBLAS, torch).

Stages (exclusive CPU time: a stage's time excludes the stages it calls):

- ``detrend``: the first biweight detrending, window choice included;
- ``pre-whitening``: rotation/sawtooth/ramp models of red light curves;
- ``re-detrend (iterations)``: detrending again with the found transits masked;
- ``box search (coarse)``: the BLS periodogram over the full grid;
- ``spectrum (SDE)``: running-median flattening of the periodogram;
- ``peak refinement (fine)``: the BLS around the best peak;
- ``trapezoid fit``, ``shape test`` (U/V templates, secondary search), ``vetting (other)``:
  the per-signal statistics;
- ``views``: the folded views for the classifiers;
- ``other``: the rest (masking, bookkeeping, Python overhead).

Each configuration runs in a fresh interpreter (the CPU settings are read at import)::

    .venv/bin/python benchmarks/profile_search.py --out benchmarks/results_profile.md
    .venv/bin/python benchmarks/profile_search.py --stars 4 --signals 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: Environment of the restricted run: a Zen 3-like CPU (AVX2 + FMA, no AVX-512) at every
#: layer. The numpy names are those of numpy 2.x (X86_V4 is its AVX-512 group).
RESTRICTED = {"NUMBA_CPU_NAME": "znver3", "OPENBLAS_CORETYPE": "Haswell",
              "ATEN_CPU_CAPABILITY": "avx2"}
LAYOUTS = {  # name: (cadence in days, baseline in days, gap (start, end) in days or None)
    "Kaggle (3,197 x 29.4 min)": (0.0204336, 3197 * 0.0204336, None),
    "TESS 2-min sector": (2.0 / 1440, 27.4, (13.2, 14.4)),
}


def _avx512_numpy_targets() -> str:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return " ".join(n for n in __cpu_dispatch__
                    if ("AVX512" in n or n == "X86_V4") and __cpu_features__.get(n))


class StageTimer:
    """Exclusive CPU time per stage of functions patched with :meth:`wrap`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []

    def wrap(self, module, name: str, label) -> None:
        """Replace ``module.name`` by a timed version; ``label(args, kwargs)`` or a str."""
        inner = getattr(module, name)

        def timed(*args, **kwargs):
            stage = label(args, kwargs) if callable(label) else label
            self._stack.append([stage, 0.0])
            start = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                _, children = self._stack.pop()
                self.seconds[stage] += spent - children
                self.calls[stage] += 1
                if self._stack:
                    self._stack[-1][1] += spent

        setattr(module, name, timed)


def _instrument() -> StageTimer:
    from exohunt.search import core, features, peaks, vetting

    timer = StageTimer()
    state = {"iterating": False}
    iterate = core._iterate

    def _iterate(*args, **kwargs):
        state["iterating"] = True
        try:
            return iterate(*args, **kwargs)
        finally:
            state["iterating"] = False

    core._iterate = _iterate
    timer.wrap(core, "detrend",
               lambda a, k: "re-detrend (iterations)" if state["iterating"] else "detrend")
    timer.wrap(core, "prewhiten", "pre-whitening")
    timer.wrap(peaks, "bls_periodogram",
               lambda a, k: "box search (coarse)" if k.get("locate") is False
               else "peak refinement (fine)")
    # the running median of the spectrum (search-15 on) or the whole flattening (before)
    timer.wrap(peaks, "_spectrum_baseline" if hasattr(peaks, "_spectrum_baseline")
               else "flatten_spectrum", "spectrum (SDE)")
    timer.wrap(core, "transit_statistics", "vetting (other)")
    timer.wrap(vetting, "fit_trapezoid", "trapezoid fit")
    timer.wrap(vetting, "v_shape_sigma", "shape test")
    timer.wrap(vetting, "secondary_search", "shape test")
    timer.wrap(features, "make_views", "views")
    return timer


def _curves(layout: str, stars: int, seed: int) -> list:
    from exohunt.lightcurve import LightCurve
    from exohunt.simulate.dataset import PRESETS, make_star

    cadence, baseline, gap = LAYOUTS[layout]
    time_ = np.arange(0.0, baseline, cadence)
    if gap is not None:
        time_ = time_[(time_ < gap[0]) | (time_ > gap[1])]
    spec = PRESETS["big"]["test"]
    rng = np.random.default_rng(seed)
    kinds = ["planet", "quiet", "rotator", "planet", "eb", "quiet"]
    out = []
    for i in range(stars):
        star = make_star(time_, kinds[i % len(kinds)], i, rng, spec)
        keep = star.valid if star.valid is not None else np.ones(time_.size, bool)
        out.append(LightCurve(time_[keep], np.asarray(star.flux)[keep]))
    return out


def child(stars: int, signals: int, seed: int) -> dict:
    """Per-stage CPU seconds per light curve of every layout, in this process."""
    import warnings

    from exohunt.search.features import star_signal_features

    timer = _instrument()
    result = {}
    for layout in LAYOUTS:
        curves = _curves(layout, stars, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for lc in curves:  # compile (or load) every numba kernel these stars reach
                star_signal_features(lc, max_signals=signals)
            timer.seconds.clear()
            timer.calls.clear()
            start = time.process_time()
            for lc in curves:
                star_signal_features(lc, max_signals=signals)
            total = time.process_time() - start
        stages = {k: v / len(curves) for k, v in timer.seconds.items()}
        stages["other"] = total / len(curves) - sum(stages.values())
        result[layout] = {"total": total / len(curves), "stages": stages,
                          "points": int(np.mean([len(lc) for lc in curves]))}
    return result


def _run_child(env: dict, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--child", "--stars", str(args.stars),
               "--signals", str(args.signals), "--seed", str(args.seed)]
    out = subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def render(results: dict, args: argparse.Namespace) -> str:
    from _machine import machine_description

    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    avx512 = "avx512f" in flags
    lines = ["# Per-star search profile (`benchmarks/profile_search.py`)", "",
             f"Command: `.venv/bin/python benchmarks/profile_search.py --stars {args.stars} "
             f"--signals {args.signals} --seed {args.seed}`; machine: "
             f"{machine_description('numpy', 'numba')}; AVX-512 on this CPU: "
             f"{'yes' if avx512 else 'no'}. The machine was shared with other jobs; CPU time "
             "(`time.process_time`) per light curve, mean over the stars (simulated `big` "
             "preset stars: planets, quiet, rotator, EB), search for up to "
             f"{args.signals} signals plus views of the top one, as `extract_features` does.",
             "", "Restricted = every layer without AVX-512: `NUMBA_CPU_NAME=znver3`, "
             "`NPY_DISABLE_CPU_FEATURES=<numpy's AVX-512 targets>`, "
             "`OPENBLAS_CORETYPE=Haswell`, `ATEN_CPU_CAPABILITY=avx2`.", ""]
    for layout in LAYOUTS:
        host, restricted = results["host"][layout], results["restricted"][layout]
        names = sorted(set(host["stages"]) | set(restricted["stages"]),
                       key=lambda s: -host["stages"].get(s, 0.0))
        lines += [f"## {layout} ({host['points']} points)", "",
                  "| stage | host ms | host share | restricted ms | restricted share |",
                  "|---|---|---|---|---|"]
        for name in names:
            h, r = host["stages"].get(name, 0.0), restricted["stages"].get(name, 0.0)
            lines.append(f"| {name} | {1e3 * h:.1f} | {h / host['total']:.0%} | "
                         f"{1e3 * r:.1f} | {r / restricted['total']:.0%} |")
        lines += [f"| **total** | **{1e3 * host['total']:.1f}** | 100% | "
                  f"**{1e3 * restricted['total']:.1f}** | 100% |", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stars", type=int, default=6, help="light curves per layout")
    parser.add_argument("--signals", type=int, default=1,
                        help="max_signals of the search (extract_features uses 1)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.stars, args.signals, args.seed)))
        return
    results = {"host": _run_child({}, args),
               "restricted": _run_child({**RESTRICTED,
                                         "NPY_DISABLE_CPU_FEATURES": _avx512_numpy_targets()},
                                        args)}
    markdown = render(results, args)
    print(markdown)
    if args.out:
        Path(args.out).write_text(markdown)


if __name__ == "__main__":
    main()
