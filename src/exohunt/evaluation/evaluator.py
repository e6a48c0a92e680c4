"""``evaluate(run, data, ...)``: score labelled data once and write the report."""

from __future__ import annotations

import json
import math
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from exohunt import __version__
from exohunt.batch import ViewBatch
from exohunt.errors import InputError
from exohunt.evaluation import plots
from exohunt.evaluation.data import labels_of, load_truth, per_star, star_arrays, star_count
from exohunt.evaluation.metrics import classification_metrics
from exohunt.evaluation.report import ReportContent, write_report
from exohunt.evaluation.tables import (
    best_threshold,
    classification_report_text,
    fp_rate_by_kind,
    recall_by_snr,
    threshold_sweep,
)

__all__ = ["TOP_SCORED", "evaluate", "model_name"]

TOP_SCORED = 8
MAX_MISSED_SHOWN = 40


def model_name(run) -> str:
    """The model's registry name from a run's ``config.json`` (``"?"`` if not recorded), with
    its named configuration unless the default (``"gbm (large)"``); ``"NAME ×N"`` for a seed
    ensemble of N members."""
    from exohunt.models import model_label

    members = getattr(run, "members", None)  # a seed ensemble
    return model_label(getattr(run, "config", {}) or {}, len(members) if members else 0)


def _read_data(data):
    from exohunt.io.lightkurve_compat import as_exohunt

    data = as_exohunt(data)
    if isinstance(data, (str, Path)):
        from exohunt.io import read

        return read(data), Path(data)
    return data, None


def _as_trained(run, data):
    """Views are labelled with the dispositions the run was trained to call positive."""
    positive = ((getattr(run, "config", {}) or {}).get("training") or {}).get("positive")
    if isinstance(data, ViewBatch) and positive:
        return data.with_positive(tuple(positive))
    if isinstance(data, ViewBatch) and data.labels is None and "disposition" in data.table:
        return data.with_positive(("PC",))  # the training default for views
    return data


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    return value


def _gallery(data, stars: pd.DataFrame, truth, rows, out: Path, prefix: str, threshold: float):
    """One raw+folded PNG per star in ``rows``: captions and paths."""
    items = []
    for rank, i in enumerate(rows):
        x, y, kind = star_arrays(data, int(i))
        row = stars.iloc[int(i)]
        period, t0, dur = (row.get("period_days"), row.get("t0_days"),
                           row.get("duration_hours"))
        label = "found"
        if (period is None or not np.isfinite(period)) and truth is not None:
            truth_row = truth.iloc[int(i)]
            period, t0 = truth_row.get("period_days"), truth_row.get("t0_days")
            dur, label = truth_row.get("duration_hours"), "injected"
        what = "" if truth is None else f", true kind: {truth.iloc[int(i)]['kind']}"
        caption = (f"#{rank + 1}: star {int(i)}, probability {row['probability']:.3f} "
                   f"({'candidate' if row['probability'] >= threshold else 'not candidate'})"
                   f"{what}")
        if kind == "views":
            period = None
        path = plots.plot_star(x, y, "", out / f"{prefix}_{rank + 1:02d}.png",
                               period=period, t0=t0, duration_days=None if dur is None
                               else dur / 24, fold_label=label)
        items.append((caption, path))
    return items


def _resolved(directory) -> str:
    """An absolute path, so that ``exohunt compare`` finds the run from any directory."""
    return "" if not directory else str(Path(directory).resolve())


def _record_in_run(run, name: str, result: dict) -> str | None:
    """Store the evaluation in ``RUN_DIR/evaluations/<name>.json`` for ``exohunt compare``."""
    directory = getattr(run, "directory", None)
    if directory is None:
        return "run has no directory; evaluation not recorded for 'exohunt compare'"
    try:
        target = Path(directory) / "evaluations"
        target.mkdir(exist_ok=True)
        (target / f"{name}.json").write_text(json.dumps(result, indent=2))
    except OSError as error:
        return f"could not record the evaluation in {directory} ({error})"
    return None


def evaluate(run, data, *, truth=None, out, seed: int = 0, n_bootstrap: int = 1000,
             jobs: int = 0, progress: bool = False, record: bool = True,
             data_name: str | None = None) -> dict:
    """Score labelled ``data`` with ``run`` once and write the evaluation report.

    Parameters
    ----------
    run : exohunt.training.Run
        A trained run (``predict``, ``threshold``, ``config``, ``history``, ``directory``).
    data : path, LightCurveBatch, ViewBatch or list of LightCurve
        Labelled test data; a path is read with :func:`exohunt.io.read`.
    truth : path or DataFrame, optional
        Truth table (one row per star: ``index, kind, label, snr`` …) for recall by SNR and
        false-positive rate by kind.
    out : path
        Report directory: ``metrics.json``, ``report.html``, ``plots/*.png``.
    seed : int
        Seed of the bootstrap.
    n_bootstrap : int
        Bootstrap resamples for the 95% intervals.
    jobs, progress
        Passed to ``run.predict``.
    record : bool
        Also store the result in ``RUN_DIR/evaluations/<data name>.json`` (read by
        ``exohunt compare``).
    data_name : str, optional
        How to name the data in the report (default: its path or ``source``).

    Returns
    -------
    dict
        The content of ``metrics.json``: the planet-class metrics of
        :func:`classification_metrics` plus ``classification_report``,
        ``best_threshold_on_this_data``, ``recall_by_snr``, ``fp_rate_by_kind``,
        ``stars_per_second``, ``model``, ``data``, ``report``.
    """
    data, data_path = _read_data(data)
    data = _as_trained(run, data)
    source = data_name or (str(data_path) if data_path else getattr(data, "source", "") or "data")
    labels = labels_of(data, source)
    n = star_count(data)
    started = time.perf_counter()
    stars = per_star(run.predict(data, jobs=jobs, progress=progress), n)
    seconds = time.perf_counter() - started
    probability = stars["probability"].to_numpy(dtype=float)
    truth_table = None if truth is None else load_truth(truth, labels)
    out = Path(out)
    (out / "plots").mkdir(parents=True, exist_ok=True)

    metrics = classification_metrics(labels, probability, run.threshold,
                                     n_bootstrap=n_bootstrap, seed=seed)
    sweep = threshold_sweep(labels, probability)
    best = best_threshold(sweep)
    predicted = probability >= run.threshold
    snr_table = kind_table = None
    if truth_table is not None:
        snr_table = recall_by_snr(truth_table, predicted)
        kind_table = fp_rate_by_kind(truth_table, predicted)
    report_text = classification_report_text(labels, probability, run.threshold)
    result = _jsonable({
        **metrics,
        "classification_report": report_text,
        "best_threshold_on_this_data": {"threshold": best.threshold, "f1": best.f1,
                                        "precision": best.precision, "recall": best.recall,
                                        "note": best.note},
        "recall_by_snr": None if snr_table is None else snr_table.to_dict("records"),
        "fp_rate_by_kind": None if kind_table is None else kind_table.to_dict("records"),
        "scoring_seconds": seconds, "stars_per_second": n / seconds if seconds > 0 else None,
        "model": model_name(run), "run_directory": _resolved(getattr(run, "directory", None)),
        "data": source, "truth": None if truth is None else
        (str(truth) if not isinstance(truth, pd.DataFrame) else "DataFrame"),
        "report": str((out / "report.html").resolve()),
        "evaluated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "exohunt_version": __version__,
    })
    (out / "metrics.json").write_text(json.dumps(result, indent=2))
    top_items, missed_items, notes = _galleries(data, stars, labels, truth_table, run.threshold,
                                                out / "plots")
    write_report(out / "report.html", ReportContent(
        title=f"exohunt evaluation: {result['model']} on {Path(source).name}",
        subtitle=(f"run {result['run_directory'] or '(in memory)'} · data {source} · {n} stars, "
                  f"{metrics['n_positive']} planets · {result['evaluated_at']} · exohunt "
                  f"{__version__}"),
        metrics=metrics, classification_report=report_text, best_threshold_line=best.line(),
        figures=_figures(run, labels, probability, metrics, sweep, best, snr_table,
                         out / "plots"),
        recall_by_snr=snr_table, fp_by_kind=kind_table, top_scored=top_items,
        missed=missed_items, notes=notes))
    if record:
        warning = _record_in_run(run, Path(source).stem or "data", result)
        if warning:
            result["warning"] = warning
    return result


def _figures(run, labels, probability, metrics, sweep, best, snr_table, plot_dir: Path) -> dict:
    """Every summary figure of the report, as PNG paths (``None`` where not applicable)."""
    threshold = run.threshold
    return {
        "history": plots.plot_history(getattr(run, "history", []) or [], plot_dir / "history.png"),
        "pr_curve": plots.plot_pr_curve(labels, probability, threshold, plot_dir / "pr_curve.png"),
        "roc_curve": plots.plot_roc_curve(labels, probability, threshold,
                                          plot_dir / "roc_curve.png"),
        "confusion_matrix": plots.plot_confusion_matrix(metrics["confusion_matrix"], threshold,
                                                        plot_dir / "confusion.png"),
        "threshold_sweep": plots.plot_threshold_sweep(sweep, threshold, best.threshold,
                                                      plot_dir / "threshold_sweep.png"),
        "recall_vs_snr": None if snr_table is None else plots.plot_recall_vs_snr(
            snr_table, plot_dir / "recall_vs_snr.png"),
    }


def _galleries(data, stars, labels, truth, threshold: float, plot_dir: Path):
    """The top-scored stars and every missed planet (up to MAX_MISSED_SHOWN), plotted."""
    probability = stars["probability"].to_numpy(dtype=float)
    top = np.argsort(-probability, kind="mergesort")[:TOP_SCORED]
    missed = np.flatnonzero((labels == 1) & (probability < threshold))
    notes = []
    if missed.size > MAX_MISSED_SHOWN:
        notes.append(f"{missed.size} planets were missed; the {MAX_MISSED_SHOWN} with the "
                     "highest probability are shown.")
        missed = missed[np.argsort(-probability[missed], kind="mergesort")][:MAX_MISSED_SHOWN]
    return (_gallery(data, stars, truth, top, plot_dir, "top", threshold),
            _gallery(data, stars, truth, missed, plot_dir, "missed", threshold), notes)


def check_report_dir(out: Path) -> None:
    """Refuse to write a report into a path that exists and is not a directory."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory; --out needs a report directory")
