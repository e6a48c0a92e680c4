"""The self-contained HTML report: one file, images embedded as base64, no network access."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from exohunt.evaluation.text import HEADLINE_NAMES, format_interval

__all__ = ["ReportContent", "write_report"]

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0 auto;
max-width:1180px;padding:18px 28px;color:#1b1b1b;line-height:1.4}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;border-bottom:1px solid #ddd;
padding-bottom:3px;margin-top:28px}.sub{color:#555;margin:0 0 14px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:right}th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}.card{border:1px solid #ddd;
border-radius:6px;padding:8px 14px;min-width:150px}.card .v{font-size:1.5em;font-weight:600}
.card .ci{color:#666;font-size:.85em}.card .n{color:#444;font-size:.85em}
pre{background:#f7f7f7;padding:10px;border-radius:4px;font-size:.9em;overflow-x:auto}
.figs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}img{max-width:100%}
.note{color:#8a5a00;background:#fff8e6;padding:6px 10px;border-radius:4px}
.gallery{display:grid;grid-template-columns:1fr 1fr;gap:10px 18px}
.star .cap{font-size:.85em;color:#333}
"""


@dataclass
class ReportContent:
    """Everything the report shows; figures are paths to PNG files (``None`` = not available)."""

    title: str
    subtitle: str
    metrics: dict
    classification_report: str
    best_threshold_line: str
    figures: dict[str, Path | None]
    recall_by_snr: pd.DataFrame | None = None
    fp_by_kind: pd.DataFrame | None = None
    top_scored: list[tuple[str, Path]] = field(default_factory=list)
    missed: list[tuple[str, Path]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _img(path: Path | None, alt: str) -> str:
    if path is None or not Path(path).exists():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _cards(metrics: dict) -> str:
    cards = []
    for key, name in HEADLINE_NAMES.items():
        text = format_interval(metrics[key], metrics.get(key + "_ci"))
        value, _, ci = text.partition(" ")
        cards.append(f'<div class="card"><div>{name}</div><div class="v">{value}</div>'
                     f'<div class="ci">95% CI {html.escape(ci) or "n/a"}</div></div>')
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]
    cards.append(f'<div class="card"><div>found / missed / false alarms</div>'
                 f'<div class="v">{tp} / {fn} / {fp}</div><div class="n">{tn} correctly '
                 f'rejected; threshold {metrics["threshold"]:.3g}</div></div>')
    return '<div class="cards">' + "".join(cards) + "</div>"


def _table(frame: pd.DataFrame | None, columns: dict[str, str]) -> str:
    if frame is None or frame.empty:
        return "<p>No rows.</p>"
    shown = frame[list(columns)].rename(columns=columns)
    return shown.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0)


def _gallery(items: list[tuple[str, Path]], empty: str) -> str:
    if not items:
        return f"<p>{html.escape(empty)}</p>"
    return '<div class="gallery">' + "".join(
        f'<div class="star"><div class="cap">{html.escape(caption)}</div>'
        f"{_img(path, caption)}</div>" for caption, path in items) + "</div>"



def _body(c: ReportContent) -> list[str]:
    f = c.figures
    parts = [f"<h1>{html.escape(c.title)}</h1>", f'<p class="sub">{html.escape(c.subtitle)}</p>',
             *(f'<p class="note">{html.escape(note)}</p>' for note in c.notes),
             "<h2>Planet class at the stored threshold</h2>", _cards(c.metrics),
             '<div class="figs">', _img(f.get("confusion_matrix"), "confusion matrix"),
             _img(f.get("pr_curve"), "precision-recall curve"),
             _img(f.get("roc_curve"), "ROC curve"), "</div>",
             "<h2>Classification report (both classes)</h2>",
             f"<pre>{html.escape(c.classification_report)}</pre>",
             "<h2>Threshold sweep</h2>", _img(f.get("threshold_sweep"), "threshold sweep"),
             f'<p class="note">{html.escape(c.best_threshold_line)}</p>']
    if c.recall_by_snr is not None:
        parts += ["<h2>Recall by injected SNR</h2>", '<div class="figs">',
                  _img(f.get("recall_vs_snr"), "recall vs SNR"),
                  _table(c.recall_by_snr, {"snr_bin": "injected SNR", "n_planets": "planets",
                                           "n_found": "found", "recall": "recall",
                                           "recall_ci_low": "95% low",
                                           "recall_ci_high": "95% high"}), "</div>"]
    if c.fp_by_kind is not None:
        parts += ["<h2>False-positive rate by kind of star</h2>",
                  _table(c.fp_by_kind, {"kind": "kind", "n_stars": "stars",
                                        "n_flagged": "flagged", "fp_rate": "FP rate",
                                        "fp_rate_ci_low": "95% low",
                                        "fp_rate_ci_high": "95% high"})]
    if f.get("history") is not None:
        parts += ["<h2>Training history</h2>", _img(f["history"], "training history")]
    parts += ["<h2>Top-scored stars</h2>", _gallery(c.top_scored, "No stars."),
              "<h2>Missed planets</h2>", _gallery(c.missed, "No planet was missed.")]
    return parts


def write_report(path: Path, content: ReportContent) -> Path:
    """Write ``content`` as one self-contained HTML file at ``path`` and return the path."""
    page = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(content.title)}</title><style>{_CSS}</style></head><body>",
            *_body(content), "</body></html>"]
    path = Path(path)
    path.write_text("\n".join(page), encoding="utf-8")
    return path
