"""``bench_predict.py --ref-src``: two source trees side by side on the same inputs.

Every measurement runs :mod:`_predict_child` in a fresh interpreter whose ``PYTHONPATH`` is
one tree, the two trees alternating within each repeat, so both see the same load on a shared
machine; the host's instruction set and, with ``restricted``, one without AVX-512 at every
layer (as ``profile_search.py``). Rendered as markdown: rates (Kaggle rows and, given, TESS
2-min files) and the per-stage CPU breakdown of each tree on each input.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from profile_search import RESTRICTED, _avx512_numpy_targets

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_predict_child.py"


def environments(restricted: bool) -> dict[str, dict]:
    """``host`` and, with ``restricted``, the no-AVX-512 environment."""
    envs = {"host": {}}
    if restricted:
        envs["restricted"] = {**RESTRICTED, "NPY_DISABLE_CPU_FEATURES": _avx512_numpy_targets()}
    return envs


def _child(src: Path, env: dict, *args: str) -> dict:
    done = subprocess.run([sys.executable, str(CHILD), *args], check=True, text=True,
                          capture_output=True,
                          env={**os.environ, **env, "PYTHONPATH": str(src)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(trees: dict[str, Path], run_dir: str, inputs: dict[str, list[str]], *,
            restricted: bool, repeats: int, stages: bool) -> dict:
    """``{"rates": {(input, env, tree): [row, ...]}, "stages": {(input, tree): result}}``."""
    rates: dict = {}
    for env_name, env in environments(restricted).items():
        for repeat in range(repeats):
            order = list(trees.items()) if repeat % 2 == 0 else list(trees.items())[::-1]
            for input_name, paths in inputs.items():
                for tree, src in order:
                    result = _child(src, env, "rates", run_dir, *paths, "--jobs", "1", "2")
                    rates.setdefault((input_name, env_name, tree), []).extend(result["rows"])
                    print(json.dumps({"input": input_name, "env": env_name, "tree": tree,
                                      **result}), flush=True)
    profiles = {}
    if stages:
        for input_name, paths in inputs.items():
            for tree, src in trees.items():
                profiles[(input_name, tree)] = _child(src, {}, "stages", run_dir, *paths)
                print(json.dumps({"input": input_name, "tree": tree,
                                  **profiles[(input_name, tree)]}), flush=True)
    return {"rates": rates, "stages": profiles}


def _median(rows: list[dict], jobs: int, key: str) -> float:
    return statistics.median(r[key] for r in rows if r["jobs"] == jobs)


def render(results: dict, trees: dict[str, Path], sizes: dict[str, int]) -> str:
    ref, new = list(trees)
    lines = ["| input | CPU | tree | jobs=1 CPU ms/star | jobs=1 stars/s | jobs=2 stars/s "
             "(runs) | load avg |", "|---|---|---|---:|---:|---:|---:|"]
    for (input_name, env, tree), rows in results["rates"].items():
        runs = ", ".join(f"{r['stars_per_s']:.1f}" for r in rows if r["jobs"] == 2)
        lines.append(f"| {input_name} ({sizes[input_name]}) | {env} | {tree} | "
                     f"{_median(rows, 1, 'cpu_ms'):.1f} | {_median(rows, 1, 'stars_per_s'):.1f}"
                     f" | {_median(rows, 2, 'stars_per_s'):.1f} ({runs}) | "
                     f"{max(r['load'] for r in rows):.1f} |")
    ratios = []
    for (input_name, env, tree), rows in results["rates"].items():
        if tree != new:
            continue
        before = results["rates"][(input_name, env, ref)]
        cpu = _median(rows, 1, "cpu_ms") / _median(before, 1, "cpu_ms")
        rate = _median(rows, 2, "stars_per_s") / _median(before, 2, "stars_per_s")
        ratios.append(f"{input_name} {env}: CPU/star {cpu:.3f}x, jobs=2 rate {rate:.3f}x")
    lines += ["", f"{new} / {ref}: " + "; ".join(ratios) + "."]
    if results["stages"]:
        lines += ["", _stage_table(results["stages"], list(trees))]
    return "\n".join(lines) + "\n"


def _stage_table(profiles: dict, trees: list[str]) -> str:
    inputs = list(dict.fromkeys(name for name, _ in profiles))
    head = "| stage | " + " | ".join(f"{i}: {t}" for i in inputs for t in trees) + " |"
    lines = [head, "|---|" + "---:|" * (len(inputs) * len(trees))]
    stages = list(dict.fromkeys(stage for result in profiles.values()
                                for stage in result["stage_ms"]))
    for stage in stages:
        cells = [f"{profiles[(name, tree)]['stage_ms'].get(stage, 0.0):.1f}"
                 for name in inputs for tree in trees]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    totals = [f"**{profiles[(n, t)]['cpu_ms']:.1f}**" for n in inputs for t in trees]
    lines.append("| total CPU ms/star | " + " | ".join(totals) + " |")
    return "\n".join(lines)
