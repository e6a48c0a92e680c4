"""gbm's monotonic constraints: statistics the planet probability may not rise with."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import labelled_vetting_files
from exohunt.errors import InputError
from exohunt.models.gbm import GBMConfig, build_gbm
from exohunt.training.api import _monotonic


def test_a_decreasing_column_never_raises_the_probability():
    """Trained where the label rises with column 0, the constrained trees stay flat or fall
    along it (the unconstrained ones rise)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=2000) > 0.5).astype(int)
    grid = np.column_stack([np.linspace(-3, 3, 61), np.zeros(61)])
    free = build_gbm(GBMConfig(max_iter=60)).fit(x, y).predict_proba(grid)[:, 1]
    held = build_gbm(GBMConfig(max_iter=60, monotonic_cst=(-1, 0))).fit(x, y)
    p = held.predict_proba(grid)[:, 1]
    assert free[-1] - free[0] > 0.5
    assert np.all(np.diff(p) <= 1e-12)


def test_monotonic_constraints_follow_the_columns_and_refuse_unknown_names():
    assert _monotonic(("b",), ["a", "b", "c"], ["a", "b", "c", "d"], 6) == (0, -1, 0, 0, 0, 0)
    # a statistic of the data that this run does not read (its context left it out): ignored
    assert _monotonic(("d",), ["a", "b"], ["a", "b", "d"], 2) == (0, 0)
    with pytest.raises(InputError, match=r"\['nope'\].*allowed: \['a', 'b'\]"):
        _monotonic(("nope",), ["a", "b"], ["a", "b"], 2)


def test_a_run_records_its_constrained_columns(tmp_path):
    from exohunt.training import train

    curves, table = labelled_vetting_files(["planet", "quiet", "eb", "quiet"] * 5)
    options = dict(labels=table, jobs=1, cache_dir=tmp_path, imbalance="weights", seed=3,
                   val_fraction=0.4)
    run = train(curves, "gbm", config={"decreasing": ["odd_even_sigma", "secondary_sigma"]},
                **options)
    model = run.config["model"]["config"]
    columns = run.config["preprocessing"]["fitted"]["stat_columns"]
    marked = [c for c, m in zip(columns, model["monotonic_cst"]) if m == -1]
    assert sorted(marked) == ["odd_even_sigma", "secondary_sigma"]
    assert np.isfinite(run.score(curves, jobs=1, cache_dir=tmp_path)).all()
    with pytest.raises(InputError, match="not statistics of this data"):
        train(curves, "gbm", config={"decreasing": ["odd_even"]}, **options)
