"""Rebuild the models shipped in ``src/exohunt/bundled/`` — the one committed command.

    python benchmarks/build_bundled_models.py [--only NAME[,NAME]] [--seed 0] [--work DIR]
                                              [--quick] [--out DIR]

Builders live in ``benchmarks/bundled/*.py``; each exposes ``BUILDS``, a dict of
``name -> build(run_dir, *, work, seed, quick) -> {"summary", "kind", "metrics"[, "tolerance"]}``
that trains and writes an ordinary run (or ensemble) directory into the empty ``run_dir``.
For every selected model this driver then

1. checks the directory loads with the run loader (no code executed) and reads its feature
   version;
2. renders ``benchmarks/bundled/cards/<name>.md.in`` with
   :func:`exohunt.bundled.render_card` into ``MODEL_CARD.md`` (values: ``name``, ``summary``,
   ``kind``, ``feature_version``, ``metrics``, ``build``);
3. hashes every file and writes ``bundle.json`` (the record ``exohunt`` verifies before
   loading: names, hashes, metrics, and the build's command, seed, git commit, wall and CPU
   seconds, CPU model, date and rebuild tolerance);
4. when every model is built and all bundled models together stay within 20 MB, replaces
   ``OUT/<name>`` (``--out``, default ``src/exohunt/bundled``) and prints a summary.

``--quick`` asks the builders for a tiny build (seconds, for tests); it must be given an
``--out`` so that it never replaces the committed models. The work folder (``--work``,
default a temporary folder removed at the end) holds data the builders simulate or cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BUILDERS = HERE / "bundled"
DEFAULT_OUT = REPO / "src" / "exohunt" / "bundled"
KINDS = ("lightcurve", "views")
DEFAULT_TOLERANCE = ("same seed, same library versions: identical files; another CPU or "
                     "library version: probabilities within 0.02 and card metrics within their "
                     "95% intervals")


class BuildError(Exception):
    """A build cannot go on; printed as one line, exit status 2."""


def load_builders(folder: Path) -> dict:
    """``name -> build`` from every ``folder/*.py`` (not ``_*``) that defines ``BUILDS``."""
    sys.path[:0] = [str(folder), str(HERE)]
    builds: dict = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"bundled_builder_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, build in getattr(module, "BUILDS", {}).items():
            if name in builds:
                raise BuildError(f"model {name!r} is built by two modules ({path.name} too)")
            builds[name] = build
    return builds


def _cpu_seconds() -> float:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def git_commit() -> str:
    """HEAD's commit, ``-dirty`` when source or builders differ from it; ``unknown`` without
    git."""
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "benchmarks",
             ":!src/exohunt/bundled"], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if changed.strip() else "")


def _feature_version(run_dir: Path) -> str | None:
    configs = [run_dir / "config.json", *sorted(run_dir.glob("member-*/config.json"))]
    versions = {json.loads(p.read_text())["preprocessing"].get("feature_version")
                for p in configs if p.is_file()}
    if len(versions) != 1:
        raise BuildError(f"{run_dir}: runs record feature versions {sorted(map(str, versions))}; "
                         "expected exactly one")
    return versions.pop()


def _checked_result(name: str, result: object) -> dict:
    if not isinstance(result, dict) or not {"summary", "kind", "metrics"} <= set(result):
        raise BuildError(f"builder of {name!r} returned {type(result).__name__}; expected a "
                         "dict with summary, kind and metrics")
    if not str(result["summary"]).strip() or "\n" in str(result["summary"]):
        raise BuildError(f"builder of {name!r}: summary must be one non-empty line")
    if result["kind"] not in KINDS:
        raise BuildError(f"builder of {name!r}: kind {result['kind']!r} is not one of {KINDS}")
    try:  # refuse values JSON cannot hold early (NaN is fine: Python reads it back)
        json.dumps(result["metrics"])
    except (TypeError, ValueError) as error:
        raise BuildError(f"builder of {name!r}: metrics are not JSON ({error})") from None
    return result


def build_one(name: str, build, card: Path, work: Path, args: argparse.Namespace,
              command: str) -> Path:
    """Train ``name`` into ``work/runs/name`` and write its card and ``bundle.json``."""
    from _machine import machine_description
    from exohunt.bundled import BUNDLE_FILE, CARD_FILE, file_digests, render_card
    from exohunt.training.ensemble import is_run_directory, load_model

    run_dir = work / "runs" / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    print(f"building {name!r} (seed {args.seed}{', quick' if args.quick else ''}) ...",
          flush=True)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    result = _checked_result(name, build(run_dir, work=work, seed=args.seed, quick=args.quick))
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    if not is_run_directory(run_dir):
        raise BuildError(f"builder of {name!r} wrote no run directory into {run_dir}")
    load_model(run_dir, device="cpu")  # what is shipped must load, with no code executed
    import numpy
    import sklearn
    import torch

    record = {
        "name": name, "summary": str(result["summary"]).strip(), "kind": result["kind"],
        "feature_version": _feature_version(run_dir), "files": {},
        "metrics": result["metrics"],
        "build": {"command": command, "seed": args.seed, "quick": bool(args.quick),
                  "git_commit": git_commit(), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                  "cpu_model": machine_description(),
                  "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  "versions": {"python": platform.python_version(), "numpy": numpy.__version__,
                               "sklearn": sklearn.__version__, "torch": torch.__version__},
                  "tolerance": str(result.get("tolerance") or DEFAULT_TOLERANCE)},
    }
    values = {k: v for k, v in record.items() if k != "files"}
    (run_dir / CARD_FILE).write_text(render_card(card.read_text(), values))
    record["files"] = file_digests(run_dir)
    (run_dir / BUNDLE_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return run_dir


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def install(built: dict, out: Path) -> None:
    """Replace ``out/<name>`` by each built folder, if all bundled models fit the budget."""
    from exohunt.bundled import BUNDLE_FILE, MAX_TOTAL_BYTES

    kept = [p for p in (out.iterdir() if out.is_dir() else [])
            if (p / BUNDLE_FILE).is_file() and p.name not in built]
    total = sum(_size(p) for p in kept) + sum(_size(p) for p in built.values())
    if total > MAX_TOTAL_BYTES:
        raise BuildError(f"bundled models would total {total / 1e6:.1f} MB, over the "
                         f"{MAX_TOTAL_BYTES / 1e6:g} MB budget; nothing was replaced in {out}")
    out.mkdir(parents=True, exist_ok=True)
    for name, folder in built.items():
        target = out / name
        if target.exists() and not (target / BUNDLE_FILE).is_file() and any(target.iterdir()):
            raise BuildError(f"{target} exists and is not a bundled model; not replaced")
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(folder), str(target))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=None, metavar="NAME[,NAME]",
                        help="build only these models (default: every builder's)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for simulated data and caches (default: temporary)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny builds for tests (needs --out; never committed)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder receiving OUT/<name> (default {DEFAULT_OUT})")
    parser.add_argument("--builders", type=Path, default=DEFAULT_BUILDERS,
                        help=argparse.SUPPRESS)  # tests point this at a tiny builder
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = " ".join(["python", "benchmarks/build_bundled_models.py",
                        *(sys.argv[1:] if argv is None else argv)])
    try:
        if args.quick and args.out is None:
            raise BuildError("--quick builds are for tests: give --out DIR (they must never "
                             "replace the committed models)")
        builds = load_builders(args.builders)
        names = list(builds) if args.only is None else [n.strip() for n in args.only.split(",")]
        unknown = [n for n in names if n not in builds]
        if unknown or not names:
            raise BuildError(f"unknown model(s) {unknown}; builders in {args.builders} make: "
                             f"{', '.join(sorted(builds)) or 'none'}")
        cards = {n: args.builders / "cards" / f"{n}.md.in" for n in names}
        missing = [str(p) for p in cards.values() if not p.is_file()]
        if missing:  # before hours of training, not after
            raise BuildError(f"model card template(s) missing: {', '.join(missing)}")
        return _build_all(args, builds, names, cards, command)
    except BuildError as error:
        print(f"build_bundled_models: error: {error}", file=sys.stderr)
        return 2


def _build_all(args, builds: dict, names: list[str], cards: dict, command: str) -> int:
    from exohunt.bundled import BUNDLE_FILE

    out = DEFAULT_OUT if args.out is None else args.out
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="exohunt-bundled-")) if temporary else args.work
    work.mkdir(parents=True, exist_ok=True)
    try:
        built = {n: build_one(n, builds[n], cards[n], work, args, command) for n in names}
        install(built, out)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'model':<18} {'kind':<10} {'size':>9} {'wall s':>8} {'CPU s':>8}  summary")
    total = 0
    for name in names:
        record = json.loads((out / name / BUNDLE_FILE).read_text())
        size = _size(out / name)
        total += size
        print(f"{name:<18} {record['kind']:<10} {size / 1e6:>7.2f}MB "
              f"{record['build']['wall_s']:>8.1f} {record['build']['cpu_s']:>8.1f}  "
              f"{record['summary']}")
    print(f"\n{len(names)} model(s), {total / 1e6:.2f} MB -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
