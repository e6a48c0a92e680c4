"""Stand-in for ``benchmarks/build_bundled_models.py`` while that driver is not on this branch.

Follows the bundle contract (issue 16) exactly as the driver does: calls ``BUILDS[name]`` of
``benchmarks/bundled/astronet.py`` with an empty run directory, renders
``cards/<name>.md.in`` into ``MODEL_CARD.md`` (``{{dotted.path:fmt}}`` placeholders over
``name, summary, kind, feature_version, metrics, build``; a missing key is an error), hashes
every file (SHA-256) and writes ``bundle.json``, then moves the folder to ``OUT/<name>``.
Once the real driver is merged, use it instead; the records it writes have the same layout.

    python benchmarks/bundled/_standin_build.py [--only NAME[,NAME]] [--seed 0] [--work DIR]
        [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*(?::([^}]*))?\}\}")


def render(template: str, values: dict) -> str:
    """Fill ``{{a.b.c:fmt}}`` placeholders (dict keys or list indices); KeyError if missing."""
    def fill(match: re.Match) -> str:
        value = values
        for part in match.group(1).split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return format(value, (match.group(2) or "").strip())

    return PLACEHOLDER.sub(fill, template)


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of ``folder`` but ``bundle.json``, by POSIX relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p != folder / "bundle.json"}


def _cpu() -> float:
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def _git_commit() -> str:
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src",
                            "benchmarks", ":!src/exohunt/bundled"], capture_output=True,
                           text=True).stdout.strip()
    return head + ("-dirty" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "src/exohunt/bundled")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    import numpy
    import sklearn
    from astronet import BUILDS

    from _machine import machine_description
    from exohunt.training import load_model

    names = args.only.split(",") if args.only else list(BUILDS)
    work = args.work or Path(tempfile.mkdtemp(prefix="exohunt-bundled-"))
    command = " ".join(["python", "benchmarks/build_bundled_models.py",
                        *(sys.argv[1:] if argv is None else argv)])
    for name in names:
        run_dir = work / "runs" / name
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        wall, cpu = time.perf_counter(), _cpu()
        result = BUILDS[name](run_dir, work=work, seed=args.seed, quick=args.quick)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        load_model(run_dir, device="cpu")
        version = json.loads((run_dir / "member-00/config.json").read_text())[
            "preprocessing"]["feature_version"]
        record = {"name": name, "summary": result["summary"], "kind": result["kind"],
                  "feature_version": version, "files": {}, "metrics": result["metrics"],
                  "build": {"command": command, "seed": args.seed, "quick": args.quick,
                            "git_commit": _git_commit(), "wall_s": round(wall, 1),
                            "cpu_s": round(cpu, 1), "cpu_model": machine_description(),
                            "date": dt.datetime.now(dt.timezone.utc).strftime(
                                "%Y-%m-%d %H:%M UTC"),
                            "versions": {"python": platform.python_version(),
                                         "numpy": numpy.__version__,
                                         "sklearn": sklearn.__version__},
                            "tolerance": result["tolerance"]}}
        values = {k: v for k, v in record.items() if k != "files"}
        template = (HERE / "cards" / f"{name}.md.in").read_text()
        (run_dir / "MODEL_CARD.md").write_text(render(template, values))
        record["files"] = digests(run_dir)
        (run_dir / "bundle.json").write_text(json.dumps(record, indent=2) + "\n")
        target = args.out / name
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(run_dir), str(target))
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        print(f"{name}: {size / 1e6:.2f} MB, {wall:.0f} s wall, {cpu:.0f} s CPU -> {target}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
