"""What a search leaves in its output folder: ``best_config.json``, ``trials.csv``, the
plots (Optuna's matplotlib backend) and ``index.html`` linking them."""

from __future__ import annotations

import html
import json
import re
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = ["TUNED_CONFIG_FORMAT", "redact", "write_best_config", "write_index", "write_plots",
           "write_trials"]

TUNED_CONFIG_FORMAT = "exohunt-tuned-config"

_PLOTS = (("history.png", "optimisation history", "plot_optimization_history"),
          ("importances.png", "parameter importances (fANOVA)", "plot_param_importances"),
          ("parallel.png", "parallel coordinates", "plot_parallel_coordinate"))


def redact(url: str) -> str:
    """``url`` without its password (``postgresql://user:***@host/db``)."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def trial_counts(study: Any) -> dict[str, int]:
    """Trials of ``study`` by state (``complete``, ``pruned``, ``fail``, ``running`` …)."""
    counts: dict[str, int] = {}
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state.name.lower()] = counts.get(trial.state.name.lower(), 0) + 1
    return counts


def write_trials(study: Any, path: Path) -> Path:
    """Every trial of the study, one row each (number, state, value, parameters, per-fold AP,
    seconds), as CSV."""
    table = study.trials_dataframe(attrs=("number", "state", "value", "params", "user_attrs",
                                          "datetime_start", "duration"))
    table.to_csv(path, index=False)
    return path


def write_best_config(path: Path, model: str, settings: dict, trial: Any,
                      tuning: dict) -> Path:
    """``best_config.json``: the model config and loop settings of the best trial (read by
    ``exohunt train --config``), the sampled values, and how the search was run."""
    document = {"format": TUNED_CONFIG_FORMAT, "format_version": 1, "model": model,
                **settings, "params": trial.params,
                "tuning": {**tuning, "best_trial": trial.number, "value": trial.value,
                           "fold_average_precision":
                               trial.user_attrs.get("fold_average_precision")}}
    path.write_text(json.dumps(document, indent=2, default=_plain))
    return path


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and tuples."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_plots(study: Any, directory: Path) -> dict[str, str]:
    """The plots as PNGs in ``directory``; returns {file name: why it was not drawn} for
    those that could not be (e.g. importances need two complete trials)."""
    import optuna.visualization.matplotlib as vis

    directory.mkdir(parents=True, exist_ok=True)
    missing = {}
    for name, _, function in _PLOTS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Optuna marks these "experimental"
                axes = getattr(vis, function)(study)
            figure = (axes.flat[0] if hasattr(axes, "flat") else axes).get_figure()
            figure.set_size_inches(9, 5.5)
            figure.tight_layout()
            figure.savefig(directory / name, dpi=110)
            plt.close(figure)
        except (ValueError, RuntimeError, ZeroDivisionError, IndexError) as error:
            missing[name] = f"{type(error).__name__}: {error}"
            plt.close("all")
    return missing


def write_index(path: Path, title: str, summary: dict[str, Any], missing: dict[str, str],
                links: dict[str, str]) -> Path:
    """A small HTML page: the summary table, the plots, links to the other outputs."""
    rows = "\n".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                     for k, v in summary.items())
    figures = []
    for name, caption, _ in _PLOTS:
        if name in missing:
            figures.append(f"<p>{html.escape(caption)}: not drawn "
                           f"({html.escape(missing[name])})</p>")
        else:
            figures.append(f'<figure><a href="plots/{name}"><img src="plots/{name}" '
                           f'alt="{html.escape(caption)}" width="720"></a>'
                           f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    link_items = "\n".join(f'<li><a href="{html.escape(target)}">{html.escape(text)}</a></li>'
                           for text, target in links.items())
    path.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
th{{text-align:left;padding-right:1em}}</style></head>
<body><h1>{html.escape(title)}</h1>
<table>
{rows}
</table>
<ul>
{link_items}
</ul>
{chr(10).join(figures)}
</body></html>
""")
    return path
