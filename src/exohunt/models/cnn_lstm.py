"""``cnn-lstm``: the hybrid the seed notebook proposed — convolutions find dips, an LSTM
relates them in time.

Two conv blocks (each halving the length) turn the binned series into local dip features at
a quarter of the resolution; a bidirectional LSTM reads that shorter sequence, and its outputs
are max- and mean-pooled over time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from exohunt.models.cnn import conv_block
from exohunt.models.space import NETWORK_LOOP_SPACE, Choice, FloatRange, Parameter

__all__ = ["CNNLSTM", "SEARCH_SPACE", "CNNLSTMConfig"]


@dataclass
class CNNLSTMConfig:
    """Hyper-parameters of the CNN-LSTM hybrid."""

    input_length: int = 640
    channels: tuple[int, ...] = (16, 32)
    kernel_size: int = 7
    hidden: int = 32
    dropout: float = 0.2


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings. Ranges hold the defaults.
SEARCH_SPACE: dict[str, Parameter] = {
    "kernel_size": Choice((5, 7, 9)),
    "hidden": Choice((16, 32, 64)),
    "dropout": FloatRange(0.0, 0.5),
    **NETWORK_LOOP_SPACE,
}


class CNNLSTM(nn.Module):
    """Input ``inputs["flux"]`` (N, L) → planet logit (N,)."""

    def __init__(self, config: CNNLSTMConfig) -> None:
        super().__init__()
        self.config = config
        widths = (1, *config.channels)
        self.features = nn.Sequential(*[conv_block(a, b, config.kernel_size)
                                        for a, b in itertools.pairwise(widths)])
        self.rnn = nn.LSTM(widths[-1], config.hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(4 * config.hidden, 1))

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        h = self.features(inputs["flux"].unsqueeze(1))          # (N, C, L/4)
        h, _ = self.rnn(h.transpose(1, 2))                      # (N, L/4, 2·hidden)
        pooled = torch.cat([h.amax(dim=1), h.mean(dim=1)], dim=1)
        return self.head(pooled).squeeze(1)
