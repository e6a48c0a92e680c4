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
                     "global_widths": (4, 8), "local_widths": (4,), "hidden": 16}}


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


def test_every_config_is_a_typed_dataclass():
    for spec in MODELS.values():
        assert dataclasses.is_dataclass(spec.config_class)
        for field in dataclasses.fields(spec.config_class):
            assert field.type, field.name
