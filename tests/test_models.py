"""Every registered model: output shape, finite outputs, gradients everywhere, can overfit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from exohunt.errors import InputError
from exohunt.models import MODELS, build_model

NEURAL = [name for name, spec in MODELS.items() if spec.inputs != "tabular"]
# Small versions of each network, so that the tests stay fast on 2 cores.
SMALL = {"seed-lstm": {"input_length": 48, "hidden1": 16, "hidden2": 8, "dense": 8},
         "lstm": {"input_length": 64, "hidden": 8},
         "cnn": {"input_length": 64, "channels": (4, 8)},
         "cnn-lstm": {"input_length": 64, "channels": (4, 8), "hidden": 8},
         "twoview": {"global_bins": 41, "local_bins": 21, "n_local_channels": 3, "n_scalars": 4,
                     "global_widths": (4, 8), "local_widths": (4,), "hidden": 16},
         "lstm-views": {"global_bins": 41, "local_bins": 21, "n_local_channels": 3,
                        "n_scalars": 4, "conv_channels": 4, "hidden": 8}}


def _batch(name: str, n: int, seed: int = 0) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Inputs with a box dip in the positives; labels alternate 0/1."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    config = build_model(name, SMALL[name]).config
    if MODELS[name].inputs == "sequence":
        flux = 0.3 * torch.randn(n, config.input_length, generator=generator)
        flux[labels == 1, 20:28] -= 2.0
        return {"flux": flux}, labels.float()
    g = 0.3 * torch.randn(n, 1, config.global_bins, generator=generator)
    local = 0.3 * torch.randn(n, config.n_local_channels, config.local_bins, generator=generator)
    g[labels == 1, :, 18:23] -= 1.0
    local[labels == 1, :, 8:13] -= 1.0
    scalars = torch.randn(n, config.n_scalars, generator=generator)
    return {"global": g, "local": local, "scalars": scalars}, labels.float()


@pytest.mark.parametrize("name", NEURAL)
def test_forward_shape_finite_and_gradients_reach_every_parameter(name):
    torch.manual_seed(0)
    model = build_model(name, SMALL[name])
    inputs, labels = _batch(name, 6)
    logits = model(inputs)
    assert logits.shape == (6,)
    assert torch.isfinite(logits).all()
    torch.nn.functional.binary_cross_entropy_with_logits(logits, labels).backward()
    for pname, parameter in model.named_parameters():
        assert parameter.grad is not None, pname
        assert torch.isfinite(parameter.grad).all(), pname
        assert parameter.grad.abs().sum() > 0, f"{name}: no gradient reaches {pname}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NEURAL)
def test_overfits_a_tiny_batch(name):
    torch.manual_seed(0)
    model = build_model(name, SMALL[name])
    inputs, labels = _batch(name, 8, seed=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(150):
        model.train()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        probability = torch.sigmoid(model(inputs))
    assert ((probability > 0.5).float() == labels).all(), probability


def test_seed_lstm_is_the_notebook_network():
    model = build_model("seed-lstm")
    assert model.config.input_length == 3197
    assert (model.lstm1.input_size, model.lstm1.hidden_size) == (1, 128)
    assert (model.lstm2.input_size, model.lstm2.hidden_size) == (128, 64)
    assert model.dense.out_features == 64 and model.out.out_features == 2
    assert model.dropout.p == pytest.approx(0.3)
    # Keras unit_forget_bias: forget-gate bias 1, others 0; Glorot bound sqrt(6 / (1 + 512)).
    assert torch.all(model.lstm1.bias_ih_l0[128:256] == 1.0)
    assert torch.all(model.lstm1.bias_ih_l0[:128] == 0.0)
    bound = np.sqrt(6 / (1 + 4 * 128))
    assert model.lstm1.weight_ih_l0.abs().max() <= bound
    # Seeded initialisation: two builds are identical.
    other = build_model("seed-lstm")
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 other.state_dict().values()))


def test_gbm_follows_sklearn_conventions_and_fits():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = (x[:, 0] + 0.1 * rng.normal(size=200) > 0.8).astype(int)
    pipeline = build_model("gbm", {"max_iter": 50})
    assert pipeline.fit(x, y) is pipeline
    assert hasattr(pipeline[-1], "n_iter_") and pipeline[-1].n_iter_ == 50
    probability = pipeline.predict_proba(x)
    assert probability.shape == (200, 2) and np.isfinite(probability).all()
    assert ((probability[:, 1] > 0.5) == y).mean() > 0.97


def test_build_model_rejects_unknown_names_and_options():
    with pytest.raises(InputError, match="expected one of: seed-lstm"):
        build_model("resnet")
    with pytest.raises(InputError, match="hidden"):
        build_model("cnn", {"hiden": 3})


def test_named_configurations_build_and_the_first_is_the_default():
    from exohunt.models import named_config

    for name, spec in MODELS.items():
        names = list(spec.configs)
        assert spec.configs[names[0]].make() == spec.config_class(), name
        for config_name in names:
            assert isinstance(named_config(name, config_name), spec.config_class)
    assert named_config("gbm", "large").max_leaf_nodes == 31
    assert named_config("twoview", "astronet").global_widths == (16, 32, 64, 128, 256)
    from exohunt.models import named_loop
    from exohunt.training import LoopSettings

    assert named_loop("twoview", "astronet")["learning_rate"] == 1e-4  # the paper's rate
    assert named_loop("gbm", "large") == {}
    for spec in MODELS.values():  # every loop override names a real LoopSettings field
        for named in spec.configs.values():
            LoopSettings(**named.loop)
    with pytest.raises(InputError, match="no configuration 'huge'; expected one of: default, "
                                         "large"):
        named_config("gbm", "huge")


def test_model_label_names_non_default_configurations_and_ensembles():
    from exohunt.models import model_label

    run = {"model": {"name": "gbm", "config_name": "default"}}
    assert model_label(run) == "gbm"
    assert model_label({"model": {"name": "gbm", "config_name": "large"}}) == "gbm (large)"
    assert model_label({"model": {"name": "twoview"}}) == "twoview"  # older runs: no name
    ensemble = {"model": "twoview", "config_name": "astronet", "members": ["m0", "m1"]}
    assert model_label(ensemble) == "twoview (astronet) ×2"
    assert model_label({"model": "gbm", "config_name": "default"}, n_members=8) == "gbm ×8"
    assert model_label({}) == "?"


def test_config_overrides_of_the_wrong_type_are_refused_by_name():
    with pytest.raises(InputError, match="'max_leaf_nodes' must be int"):
        build_model("gbm", {"max_leaf_nodes": "31"})
    with pytest.raises(InputError, match="'batch_norm' must be bool"):
        build_model("twoview", {"batch_norm": 1})
    # an int stands for a float; a list for a tuple (JSON has neither floats nor tuples)
    assert build_model("gbm", {"learning_rate": 1})[-1].learning_rate == 1
    build_model("cnn", {"input_length": 64, "channels": [4, 8]})


def test_every_config_is_a_typed_dataclass():
    for spec in MODELS.values():
        assert dataclasses.is_dataclass(spec.config_class)
        for field in dataclasses.fields(spec.config_class):
            assert field.type, field.name


def test_twoview_astronet_preset_with_batch_norm():
    from exohunt.models.twoview import TwoView, TwoViewConfig

    config = TwoViewConfig.astronet(batch_norm=True, n_scalars=4)
    assert config.global_widths == (16, 32, 64, 128, 256) and config.local_pool == 7
    model = TwoView(config)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv1d)]
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert len(convs) == len(norms) == 2 * (5 + 2)
    assert [m.out_features for m in linears] == [512] * 4 + [1]
    pools = [m.kernel_size for m in model.global_tower if isinstance(m, torch.nn.MaxPool1d)]
    assert pools == [5] * 5  # 201 -> 99 -> 48 -> 22 -> 9 -> 3 bins
    inputs = {"global": torch.randn(3, 1, 201), "local": torch.randn(3, 1, 61),
              "scalars": torch.randn(3, 4)}
    model.train()
    assert model(inputs).shape == (3,)
    model.eval()
    assert torch.isfinite(model(inputs)).all()


def test_twoview_default_layout_is_unchanged():
    """Run directories saved before the pool/head/batch-norm options still load."""
    model = build_model("twoview", {"n_scalars": 4})
    keys = list(model.state_dict())
    assert keys[:4] == ["global_tower.0.weight", "global_tower.0.bias",
                        "global_tower.2.weight", "global_tower.2.bias"]
    assert [k for k in keys if k.startswith("head")] == [
        "head.0.weight", "head.0.bias", "head.3.weight", "head.3.bias", "head.6.weight",
        "head.6.bias"]
    assert sum(p.numel() for p in model.parameters()) == 320353


def test_twoview_short_views_skip_pooling_and_bad_options_are_refused():
    model = build_model("twoview", {"global_bins": 6, "local_bins": 4, "global_widths": (4, 4, 4),
                                    "local_widths": (4,), "global_pool": 5, "local_pool": 7,
                                    "hidden": 8})
    logits = model({"global": torch.randn(2, 1, 6), "local": torch.randn(2, 1, 4),
                    "scalars": torch.zeros(2, 0)})
    assert logits.shape == (2,)
    with pytest.raises(InputError, match="head_layers"):
        build_model("twoview", {"head_layers": 0})
    with pytest.raises(InputError, match="dropout"):
        build_model("twoview", {"dropout": 1.0})
