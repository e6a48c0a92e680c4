"""evaluate(): metrics.json, a self-contained report.html and plots, on a fake run."""

import base64
import json
import re

import numpy as np
import pytest

from evaluation_fakes import FakeRun, make_batch
from exohunt.errors import InputError
from exohunt.evaluation import evaluate
from exohunt.evaluation.data import find_sibling_truth, per_star


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    batch, truth = make_batch()
    run = FakeRun(root / "run", rows_per_star=2)
    result = evaluate(run, batch, truth=truth, out=root / "report", seed=1, n_bootstrap=200,
                      data_name="fake/test.csv")
    return root, run, batch, truth, result


def test_metrics_json_has_design_keys_and_matches_return(evaluated):
    root, run, batch, _, result = evaluated
    saved = json.loads((root / "report" / "metrics.json").read_text())
    for key in ("precision", "recall", "f1", "average_precision", "roc_auc", "threshold",
                "confusion_matrix", "n_positive", "n_total", "precision_ci", "recall_ci"):
        assert key in saved
    assert saved["n_total"] == 60 and saved["n_positive"] == 6
    assert saved["f1"] == pytest.approx(result["f1"])
    # the weaker duplicate rows must not count: per-star probability is the maximum
    probability = run.score(batch)
    found = int(np.sum((probability >= 0.5) & (batch.labels == 1)))
    assert saved["confusion_matrix"][1][1] == found
    assert "not for model selection" in saved["best_threshold_on_this_data"]["note"]
    assert sum(r["n_planets"] for r in saved["recall_by_snr"]) == 6
    assert {r["kind"] for r in saved["fp_rate_by_kind"]} == {"eb", "quiet"}


def test_report_is_self_contained_with_every_section(evaluated):
    root, *_ = evaluated
    page = (root / "report" / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and "<script" not in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 8
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    for heading in ("Classification report", "Threshold sweep", "Recall by injected SNR",
                    "False-positive rate by kind", "Training history", "Top-scored stars",
                    "Missed planets", "macro avg"):
        assert heading in page
    plots = {p.name for p in (root / "report" / "plots").glob("*.png")}
    assert {"history.png", "pr_curve.png", "roc_curve.png", "confusion.png",
            "recall_vs_snr.png", "threshold_sweep.png", "top_01.png"} <= plots


def test_missed_planets_all_plotted(evaluated):
    root, run, batch, *_ = evaluated
    missed = int(np.sum((run.score(batch) < 0.5) & (batch.labels == 1)))
    assert missed >= 1  # the shallowest fake planets fall under the threshold
    assert len(list((root / "report" / "plots").glob("missed_*.png"))) == missed


def test_evaluation_recorded_in_run_directory_for_compare(evaluated):
    root, *_ , result = evaluated
    record = json.loads((root / "run" / "evaluations" / "test.json").read_text())
    assert record["f1"] == pytest.approx(result["f1"]) and record["model"] == "fake"
    assert record["stars_per_second"] > 0


def test_unlabelled_data_and_mismatched_truth_are_user_errors(tmp_path):
    batch, truth = make_batch(n_stars=20, n_planets=2)
    unlabelled = type(batch)(batch.flux, None, batch.time, "x.csv")
    with pytest.raises(InputError, match="has no labels"):
        evaluate(FakeRun(), unlabelled, out=tmp_path / "r")
    with pytest.raises(InputError, match="19 rows"):
        evaluate(FakeRun(), batch, truth=truth.iloc[:19], out=tmp_path / "r")
    flipped = truth.assign(label=1 - truth.label)
    with pytest.raises(InputError, match="labels differ"):
        evaluate(FakeRun(), batch, truth=flipped, out=tmp_path / "r")
    with pytest.raises(InputError, match="missing snr"):
        evaluate(FakeRun(), batch, truth=truth.drop(columns="snr"), out=tmp_path / "r")


def test_sibling_truth_and_per_star(tmp_path):
    (tmp_path / "test.csv").write_text("x")
    assert find_sibling_truth(tmp_path / "test.csv") is None
    (tmp_path / "test_truth.csv").write_text("x")
    assert find_sibling_truth(tmp_path / "test.csv") == tmp_path / "test_truth.csv"
    import pandas as pd

    frame = pd.DataFrame({"index": [1, 0, 1], "probability": [0.2, 0.4, 0.9],
                          "period_days": [5.0, 1.0, 2.0]})
    stars = per_star(frame, 2)
    assert stars["probability"].tolist() == [0.4, 0.9]
    assert stars["period_days"].tolist() == [1.0, 2.0]


@pytest.mark.slow
def test_report_renders_in_headless_chromium(evaluated, tmp_path):
    import importlib.util
    import shutil

    if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        pytest.skip("no Chromium installed (Debian: apt-get install -y chromium)")
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "render_report", Path(__file__).parents[1] / "scripts" / "render_report.py")
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    root, *_ = evaluated
    png = render.screenshot(root / "report" / "report.html", tmp_path / "shot.png", 1000, 2400)
    from PIL import Image

    image = np.asarray(Image.open(png).convert("RGB"), dtype=int)
    assert image.shape == (2400, 1000, 3)
    top = image[:1200]  # headline cards, confusion matrix, curves
    assert (top.mean(axis=2) > 240).mean() > 0.5  # a page, not a blank or error screen
    # The page's own CSS has no blue: blue pixels come only from the embedded plots, so a
    # report whose images failed to load fails here.
    assert (top[..., 2] - top[..., 0] > 60).mean() > 0.003
    assert render.shrink(png, max_kb=400) <= 400 * 1024


def test_views_are_labelled_with_the_runs_positive_dispositions():
    import pandas as pd

    from exohunt.batch import ViewBatch
    from exohunt.evaluation.evaluator import _as_trained

    table = pd.DataFrame({"disposition": ["PC", "EB", "J", "PC"]})
    views = ViewBatch(np.zeros((4, 201)), np.zeros((4, 61)), None, table, "val")
    run = FakeRun()
    run.config = {"training": {"positive": ["PC", "EB"]}}
    assert _as_trained(run, views).labels.tolist() == [1, 1, 0, 1]
    run.config = {"training": {"positive": None}}
    assert _as_trained(run, views).labels.tolist() == [1, 0, 0, 1]
