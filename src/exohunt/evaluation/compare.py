"""One table comparing runs: test metrics with intervals, threshold, time, throughput, size.

Where the numbers come from: ``exohunt evaluate`` stores each evaluation in
``RUN_DIR/evaluations/<data name>.json`` (and in ``REPORT_DIR/metrics.json``). For a run
directory the latest evaluation (by ``evaluated_at``) is used; a report directory gives its own
evaluation and the run it names. A run never evaluated shows its *validation* metrics, marked
as such in the data column. Only JSON is read: nothing is unpickled or executed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from exohunt.errors import InputError, RunDirectoryError
from exohunt.evaluation.text import format_interval

__all__ = ["ComparisonRow", "collect", "comparison_markdown", "comparison_text"]

_RATES = ("precision", "recall", "f1", "average_precision")


@dataclass(frozen=True)
class ComparisonRow:
    """One run's line in the comparison table (``None`` = not recorded)."""

    path: str
    model: str
    data: str
    rates: dict
    intervals: dict
    threshold: float | None
    training_seconds: float | None
    stars_per_second: float | None
    model_bytes: int | None


def _json(path: Path, what: str) -> dict:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RunDirectoryError(f"{path}: cannot be read as {what} ({error})") from None
    if not isinstance(value, dict):
        raise RunDirectoryError(f"{path}: expected a JSON object ({what})")
    return value


def _latest_evaluation(run_dir: Path) -> dict | None:
    records = [_json(p, "an evaluation record")
               for p in sorted((run_dir / "evaluations").glob("*.json"))]
    return max(records, key=lambda r: str(r.get("evaluated_at", "")), default=None)


def _model_bytes(run_dir: Path, metrics: dict) -> int | None:
    for key in ("model_bytes", "model_size_bytes"):
        if metrics.get(key) is not None:
            return int(metrics[key])
    files = list(run_dir.glob("model.*")) + list(run_dir.glob("member-*/model.*"))
    return sum(p.stat().st_size for p in files) if files else None


def _ensemble_training(run_dir: Path, config: dict) -> dict:
    """An ensemble's training record: its members' training time, summed."""
    seconds = []
    for name in config.get("members") or []:
        member = run_dir / str(name) / "metrics.json"
        if member.is_file():
            seconds.append(_json(member, "training metrics").get("training_seconds"))
    return {"training_seconds": sum(seconds)} if seconds and None not in seconds else {}


def _row(path: Path) -> ComparisonRow:
    from exohunt.models import model_label  # (imports torch: not at module load)

    if not path.is_dir():
        raise InputError(f"{path}: not found; expected a run directory (config.json) or an "
                         "evaluation report directory (metrics.json)")
    if (path / "config.json").is_file() or (path / "ensemble.json").is_file():
        run_dir, evaluation = path, _latest_evaluation(path)
    elif (path / "metrics.json").is_file():
        evaluation = _json(path / "metrics.json", "evaluation metrics")
        run_dir = Path(evaluation.get("run_directory") or path)
    else:
        raise InputError(f"{path}: expected a run directory (config.json) or an evaluation "
                         "report directory (metrics.json)")
    if (run_dir / "ensemble.json").is_file():  # a seed ensemble: members' time and size
        config = _json(run_dir / "ensemble.json", "an ensemble config")
        training = _ensemble_training(run_dir, config)
    else:
        config = _json(run_dir / "config.json", "a run config") \
            if (run_dir / "config.json").is_file() else {}
        training = _json(run_dir / "metrics.json", "training metrics") \
            if (run_dir / "metrics.json").is_file() else {}
    source = evaluation if evaluation is not None else training
    data = Path(str(evaluation.get("data", "?"))).name if evaluation is not None else \
        "validation (not evaluated)"
    threshold = source.get("threshold", (config.get("threshold") or {}).get("threshold"))
    return ComparisonRow(
        path=str(path), model=evaluation.get("model") if evaluation else model_label(config),
        data=data, rates={k: source.get(k) for k in _RATES},
        intervals={k: source.get(f"{k}_ci") for k in _RATES},
        threshold=threshold, training_seconds=training.get("training_seconds"),
        stars_per_second=None if evaluation is None else evaluation.get("stars_per_second"),
        model_bytes=_model_bytes(run_dir, training))


def collect(paths) -> list[ComparisonRow]:
    """A :class:`ComparisonRow` per run or report directory, in the order given."""
    return [_row(Path(p)) for p in paths]


def _number(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return fmt.format(value)


def _size(n: int | None) -> str:
    if n is None:
        return "—"
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


HEADER = ["model", "data", "precision", "recall", "F1", "AP", "threshold", "training",
          "stars/s", "size"]


def _cells(row: ComparisonRow) -> list[str]:
    rates = [format_interval(row.rates[k], row.intervals[k]) if row.rates[k] is not None
             else "—" for k in _RATES]
    return [row.model, row.data, *rates, _number(row.threshold, "{:.3g}"),
            _number(row.training_seconds, "{:.0f} s"), _number(row.stars_per_second, "{:.0f}"),
            _size(row.model_bytes)]


def comparison_markdown(rows: list[ComparisonRow]) -> str:
    """A GitHub-flavoured Markdown table (planet class; 95% bootstrap intervals)."""
    lines = ["| " + " | ".join(HEADER) + " |",
             "|" + "|".join(["---", "---"] + ["---:"] * (len(HEADER) - 2)) + "|"]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def comparison_text(rows: list[ComparisonRow]) -> str:
    """The same table aligned for a terminal."""
    table = [HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    out = []
    for n, cells in enumerate(table):
        out.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
