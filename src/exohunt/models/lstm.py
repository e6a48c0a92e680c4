"""``lstm``: an LSTM that works on light curves.

What the seed LSTM lacked: (1) its input was 3,197 raw steps with stellar variability, so a
recurrent net had to remember a 10-point dip across thousands of steps; here the series is
detrended, robust-scaled and binned (see ``exohunt.training.preprocess``); (2) it read only the
last hidden state; here the sequence is cut into short patches (each step sees ``patch``
consecutive bins, so the recurrence runs over ~160 steps), read in both directions, and the
outputs are max- and mean-pooled over time, so a dip anywhere contributes directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from exohunt.models.space import NETWORK_LOOP_SPACE, Choice, FloatRange, IntRange, Parameter

__all__ = ["LSTM", "SEARCH_SPACE", "LSTMConfig"]


@dataclass
class LSTMConfig:
    """Hyper-parameters of the patched bidirectional LSTM."""

    input_length: int = 640
    patch: int = 4
    hidden: int = 48
    layers: int = 1
    bidirectional: bool = True
    dropout: float = 0.2


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings. Ranges hold the defaults.
SEARCH_SPACE: dict[str, Parameter] = {
    "hidden": Choice((32, 48, 64, 96)),
    "layers": IntRange(1, 2),
    "dropout": FloatRange(0.0, 0.5),
    **NETWORK_LOOP_SPACE,
}


class LSTM(nn.Module):
    """Input ``inputs["flux"]`` (N, L) with L divisible by ``patch`` → planet logit (N,)."""

    def __init__(self, config: LSTMConfig) -> None:
        super().__init__()
        if config.input_length % config.patch:
            raise ValueError("input_length must be a multiple of patch")
        self.config = config
        self.rnn = nn.LSTM(config.patch, config.hidden, num_layers=config.layers,
                           batch_first=True, bidirectional=config.bidirectional)
        width = config.hidden * (2 if config.bidirectional else 1)
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(2 * width, 1))

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        x = inputs["flux"]
        x = x.reshape(x.shape[0], -1, self.config.patch)        # (N, L/patch, patch)
        h, _ = self.rnn(x)                                      # (N, steps, width)
        pooled = torch.cat([h.amax(dim=1), h.mean(dim=1)], dim=1)
        return self.head(pooled).squeeze(1)
