"""Benchmark: ``exohunt demo`` CPU time against an older commit, side by side in one run, and
its headline on the host, with every layer restricted to no AVX-512, and with 1 vs 2 workers.

Each variant is one ``exohunt demo`` in a fresh process and a fresh directory; CPU time is the
user + system time of that process and every worker it waited for (``RUSAGE_CHILDREN`` delta,
which counts the spawned search pools), so the ratio holds on a machine shared with other
jobs where wall time does not. Variants (``--variants``, comma-separated):

- ``old``: the reference source tree (``--old-src``, e.g. a worktree of commit 4fde671), host;
- ``new``: this tree, host; ``new-budget``: this tree with ``--search-budget``;
- ``new-restricted``: this tree with numba, numpy, OpenBLAS and torch restricted to AVX2
  (profile_search.RESTRICTED plus numpy's AVX-512 targets disabled);
- ``new-1job``: this tree with ``--jobs 1`` (one process, one thread).

    python benchmarks/bench_demo_speed.py --old-src ../old-4fde671/src \
        [--variants old,new,new-restricted,new-1job] [--out benchmarks/results_demo_speed.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SRC = HERE.parent / "src"


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _variant_env(name: str, old_src: str | None) -> tuple[dict, list[str]]:
    from profile_search import RESTRICTED, _avx512_numpy_targets

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    extra: list[str] = []
    env["PYTHONPATH"] = str(Path(old_src).resolve()) if name == "old" else str(SRC)
    if name == "new-restricted":
        env.update(RESTRICTED, NPY_DISABLE_CPU_FEATURES=_avx512_numpy_targets())
    if name == "new-1job":
        extra = ["--jobs", "1"]
    if name == "new-budget":
        extra = ["--search-budget"]
    return env, extra


def run_variant(name: str, old_src: str | None, seed: int = 42, keep: Path | None = None
                ) -> dict:
    """One demo in a fresh process; with ``keep``, its transcript (stdout, stderr) and its
    run and report folders are copied to ``keep/<name>/``."""
    import shutil
    import subprocess

    from bench_demo import parse_demo

    env, extra = _variant_env(name, old_src)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        command = [sys.executable, "-m", "exohunt.cli", "demo", "--out", str(work / "demo"),
                   "--seed", str(seed), *extra]
        cpu0, wall0 = _cpu_children(), dt.datetime.now()
        with open(work / "stdout.txt", "w") as so, open(work / "stderr.txt", "w") as se:
            status = subprocess.run(command, stdout=so, stderr=se, env=env).returncode
        cpu = _cpu_children() - cpu0
        wall = (dt.datetime.now() - wall0).total_seconds()
        if status != 0:
            raise RuntimeError(f"{name}: exohunt demo exited with {status}:\n"
                               + (work / "stderr.txt").read_text()[-2000:])
        result = parse_demo((work / "stdout.txt").read_text(), (work / "stderr.txt").read_text())
        if keep is not None:
            target = keep / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for item in ("stdout.txt", "stderr.txt"):
                shutil.copy(work / item, target / item)
            for folder in ("run", "report"):
                shutil.copytree(work / "demo" / folder, target / folder)
    return {"variant": name, "cpu_s": cpu, "wall_s": wall, "load": os.getloadavg()[0],
            **result}


def render(rows: list[dict], command: str) -> str:
    from _machine import machine_description
    from profile_search import _avx512_numpy_targets

    by_name = {r["variant"]: r for r in rows}
    old = by_name.get("old")
    lines = ["## `exohunt demo` CPU time side by side (`benchmarks/bench_demo_speed.py`)", "",
             f"Command: `{command}`; {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC. "
             f"Machine: {machine_description('numpy', 'numba')}; AVX-512 on this CPU: "
             f"{'yes (' + _avx512_numpy_targets() + ')' if _avx512_numpy_targets() else 'no'}. "
             "**The machine was shared with other helpers' jobs** (load average in the table): "
             "CPU time (the demo process and the workers it waited for) is the comparable "
             "figure, wall time is not.", "",
             "| variant | CPU s | ratio to old | wall s | load | found | false alarms | "
             "threshold | AP |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['cpu_s'] / old['cpu_s']:.2f}" if old else "—"
        lines.append(f"| {r['variant']} | {r['cpu_s']:.1f} | {ratio} | {r['wall_s']:.0f} | "
                     f"{r['load']:.1f} | {r['found']}/{r['planets']} | {r['false_alarms']} | "
                     f"{r['threshold']:.3f} | {r['average_precision']:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-src", default=None, help="src/ of the reference commit")
    parser.add_argument("--variants", default="old,new,new-restricted,new-1job")
    parser.add_argument("--seed", type=int, default=42, help="the demo's --seed")
    parser.add_argument("--out", type=Path, default=HERE / "results_demo_speed.md")
    parser.add_argument("--keep", type=Path, default=None,
                        help="copy each variant's transcript, run and report to KEEP/VARIANT/")
    args = parser.parse_args(argv)
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    if "old" in names and not args.old_src:
        parser.error("variant 'old' needs --old-src")
    rows = []
    for name in names:
        rows.append(run_variant(name, args.old_src, args.seed, args.keep))
        print(rows[-1], flush=True)
        text = render(rows, "python benchmarks/bench_demo_speed.py "
                      + " ".join(sys.argv[1:] if argv is None else argv))
        args.out.with_suffix(".partial.md").write_text(text)
    print(text)
    args.out.with_suffix(".partial.md").unlink()
    with open(args.out, "a") as out:
        out.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
