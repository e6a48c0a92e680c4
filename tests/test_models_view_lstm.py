"""``lstm-views``: the CNN-LSTM on the search's folded views (shapes, gradients, overfit,
determinism, options, and a saved run that reloads to identical scores)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from _views_synth import synthetic_views
from exohunt.errors import InputError
from exohunt.models import MODELS, build_model
from exohunt.models.view_lstm import ViewLSTM, ViewLSTMConfig
from exohunt.training import load_run, train
from exohunt.training.view_stats import VIEW_STAT_COLUMNS

SMALL = {"global_bins": 41, "local_bins": 21, "n_local_channels": 4, "n_scalars": 3,
         "conv_channels": 4, "hidden": 6, "scalar_hidden": 4, "head_hidden": 8}


def _batch(n: int, seed: int = 0, **overrides) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Views with a dip in the positives (labels alternate 0/1)."""
    config = ViewLSTMConfig(**{**SMALL, **overrides})
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    g = 0.3 * torch.randn(n, config.n_global_channels, config.global_bins, generator=generator)
    local = 0.3 * torch.randn(n, config.n_local_channels, config.local_bins,
                              generator=generator)
    g[labels == 1, :, 18:23] -= 1.0
    local[labels == 1, :, 8:13] -= 1.0
    scalars = torch.randn(n, config.n_scalars, generator=generator)
    return {"global": g, "local": local, "scalars": scalars}, labels.float()


def test_registered_as_a_views_model():
    spec = MODELS["lstm-views"]
    assert spec.inputs == "views" and spec.config_class is ViewLSTMConfig
    assert isinstance(build_model("lstm-views", SMALL), ViewLSTM)


@pytest.mark.parametrize("overrides", [{}, {"conv_channels": 0, "global_pool": 1,
                                                 "phase_channel": True},
                                       {"n_scalars": 0}])
def test_shape_finite_and_gradients_reach_every_parameter(overrides):
    torch.manual_seed(0)
    model = build_model("lstm-views", {**SMALL, **overrides})
    inputs, labels = _batch(6, **overrides)
    logits = model(inputs)
    assert logits.shape == (6,) and torch.isfinite(logits).all()
    torch.nn.functional.binary_cross_entropy_with_logits(logits, labels).backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, name
        assert torch.isfinite(parameter.grad).all(), name
        assert parameter.grad.abs().sum() > 0, f"no gradient reaches {name}"


def test_default_sizes_match_the_search_views():
    """201-bin global view (pooled to 100 steps), four 61-bin local views, statistics."""
    model = build_model("lstm-views", {"n_local_channels": 4, "n_scalars": 20})
    inputs = {"global": torch.randn(3, 1, 201), "local": torch.randn(3, 4, 61),
              "scalars": torch.randn(3, 20)}
    seen = {}
    model.global_branch.rnn.register_forward_hook(
        lambda module, args, output: seen.__setitem__("global", args[0].shape))
    model.eval()
    assert model(inputs).shape == (3,)
    assert seen["global"] == (3, 50, 32)  # 201 bins max-pooled by 4 → 50 LSTM steps
    assert sum(p.numel() for p in model.parameters()) < 150_000  # small: minutes on a CPU


def test_same_seed_same_model_and_outputs():
    inputs, _ = _batch(4)
    outputs = []
    for _ in range(2):
        torch.manual_seed(7)
        model = build_model("lstm-views", SMALL).eval()
        with torch.no_grad():
            outputs.append(model(inputs))
    torch.manual_seed(8)
    other = build_model("lstm-views", SMALL).eval()
    assert torch.equal(outputs[0], outputs[1])
    with torch.no_grad():
        assert not torch.equal(outputs[0], other(inputs))


@pytest.mark.parametrize("bad", [{"hidden": 0}, {"conv_channels": -1}, {"dropout": 1.0},
                                 {"global_pool": 0}, {"n_scalars": -2}])
def test_bad_options_are_input_errors(bad):
    with pytest.raises(InputError, match="lstm-views config"):
        build_model("lstm-views", bad)


def test_unknown_options_name_the_allowed_ones():
    with pytest.raises(InputError, match="conv_channels"):
        build_model("lstm-views", {"conv_chanels": 3})


@pytest.mark.slow
def test_trains_saves_and_reloads_to_identical_scores(tmp_path):
    views = synthetic_views(160)
    # 128 training rows: batches of 32 give the tiny network enough steps in 20 epochs
    run = train(views, model="lstm-views", out=tmp_path / "run", positive=("PC",), epochs=20,
                config={"conv_channels": 4, "hidden": 8},
                loop={"learning_rate": 1e-2, "batch_size": 32}, jobs=1)
    # period and SNR, plus the view statistics that need no duration or depth (the records
    # lack both, so the density proxy and log depth are all-NaN and left out)
    n_view_stats = len(VIEW_STAT_COLUMNS) - 2
    assert run.config["model"]["config"]["n_scalars"] == 2 + n_view_stats
    assert run.metrics["average_precision"] > 0.9
    loaded = load_run(tmp_path / "run", device="cpu")
    np.testing.assert_allclose(loaded.score(views), run.score(views), rtol=0, atol=1e-12)
