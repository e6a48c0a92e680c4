"""``seed-lstm``: the seed notebook's Keras network, rebuilt faithfully in PyTorch.

Keras original (see DESIGN.md): ``Input(T, 1) → LSTM(128, return_sequences) → Dropout(0.3) →
LSTM(64) → Dropout(0.3) → Dense(64, relu) → Dropout(0.3) → Dense(2, softmax)``, every kernel
``GlorotUniform(seed=42)``, Adam 1e-3, batch 32. Keras details kept here: recurrent kernels are
orthogonal, biases zero except the LSTM forget gate (``unit_forget_bias=True`` → 1), and each
seeded initializer restarts its random stream at 42 (Keras re-seeds per initializer call).

A two-way softmax is a logistic regression on the difference of its logits, so ``forward``
returns ``logit[1] - logit[0]``: the same model and loss, in the one-logit form every exohunt
model shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from exohunt.models.space import Choice, FloatRange, IntRange, Parameter

__all__ = ["SEARCH_SPACE", "SeedLSTM", "SeedLSTMConfig"]


@dataclass
class SeedLSTMConfig:
    """Hyper-parameters of the notebook's LSTM (defaults are the notebook's values)."""

    input_length: int = 3197
    hidden1: int = 128
    hidden2: int = 64
    dense: int = 64
    dropout: float = 0.3
    init_seed: int = 42


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings. Ranges hold the defaults.
SEARCH_SPACE: dict[str, Parameter] = {
    "hidden1": Choice((64, 128, 256)),
    "hidden2": Choice((32, 64, 128)),
    "dropout": FloatRange(0.0, 0.5),
    "learning_rate": FloatRange(1e-4, 1e-2, log=True),
    "weight_decay": Choice((0.0, 1e-5, 1e-4, 1e-3)),
    "patience": IntRange(3, 12),
    "batch_size": Choice((32, 64, 128)),
}


def _glorot(weight: torch.Tensor, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    fan_out, fan_in = weight.shape
    bound = (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        weight.copy_(torch.rand(weight.shape, generator=generator) * 2 * bound - bound)


def _init_lstm_like_keras(lstm: nn.LSTM, seed: int) -> None:
    hidden = lstm.hidden_size
    _glorot(lstm.weight_ih_l0, seed)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        # Keras: Orthogonal on the (hidden, 4·hidden) recurrent kernel.
        q, _ = torch.linalg.qr(torch.randn(4 * hidden, hidden, generator=generator))
        lstm.weight_hh_l0.copy_(q)
        lstm.bias_ih_l0.zero_()
        lstm.bias_hh_l0.zero_()
        lstm.bias_ih_l0[hidden:2 * hidden] = 1.0  # gate order i, f, g, o in both frameworks


class SeedLSTM(nn.Module):
    """Input ``inputs["flux"]`` (N, T) → planet logit (N,)."""

    def __init__(self, config: SeedLSTMConfig) -> None:
        super().__init__()
        self.config = config
        self.lstm1 = nn.LSTM(1, config.hidden1, batch_first=True)
        self.lstm2 = nn.LSTM(config.hidden1, config.hidden2, batch_first=True)
        self.dense = nn.Linear(config.hidden2, config.dense)
        self.out = nn.Linear(config.dense, 2)
        self.dropout = nn.Dropout(config.dropout)
        _init_lstm_like_keras(self.lstm1, config.init_seed)
        _init_lstm_like_keras(self.lstm2, config.init_seed)
        for layer in (self.dense, self.out):
            _glorot(layer.weight, config.init_seed)
            nn.init.zeros_(layer.bias)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        x = inputs["flux"].unsqueeze(-1)                 # (N, T, 1)
        h, _ = self.lstm1(x)                             # (N, T, 128), return_sequences
        _, (h_last, _) = self.lstm2(self.dropout(h))     # last state (1, N, 64)
        h = self.dropout(h_last[-1])
        h = self.dropout(torch.relu(self.dense(h)))
        logits = self.out(h)                             # (N, 2), softmax in the loss
        return logits[:, 1] - logits[:, 0]
