"""``cnn``: a 1D convolutional network on the detrended, normalised, binned flux series.

A transit is a short dip anywhere in the series, repeated at the period. Convolution blocks
(conv → batch norm → ReLU → max-pool) build dip detectors at growing scales; global max
pooling over time asks "is there a dip anywhere", global mean pooling "how often".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from exohunt.models.space import NETWORK_LOOP_SPACE, Choice, FloatRange, Parameter

__all__ = ["CNN", "SEARCH_SPACE", "CNNConfig", "conv_block"]


@dataclass
class CNNConfig:
    """Hyper-parameters of the 1D CNN."""

    input_length: int = 640
    channels: tuple[int, ...] = (16, 32, 64, 64)
    kernel_size: int = 7
    hidden: int = 64
    dropout: float = 0.2


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings. Ranges hold the defaults.
SEARCH_SPACE: dict[str, Parameter] = {
    "kernel_size": Choice((5, 7, 9, 11)),
    "hidden": Choice((32, 64, 128)),
    "dropout": FloatRange(0.0, 0.5),
    **NETWORK_LOOP_SPACE,
}


def conv_block(c_in: int, c_out: int, kernel_size: int) -> nn.Sequential:
    """Conv → BatchNorm → ReLU → MaxPool(2): (N, c_in, L) → (N, c_out, L // 2)."""
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
        nn.BatchNorm1d(c_out),
        nn.ReLU(),
        nn.MaxPool1d(2),
    )


class CNN(nn.Module):
    """Input ``inputs["flux"]`` (N, L) → planet logit (N,)."""

    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        self.config = config
        widths = (1, *config.channels)
        self.features = nn.Sequential(*[conv_block(a, b, config.kernel_size)
                                        for a, b in itertools.pairwise(widths)])
        self.head = nn.Sequential(
            nn.Linear(2 * widths[-1], config.hidden), nn.ReLU(), nn.Dropout(config.dropout),
            nn.Linear(config.hidden, 1),
        )

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        h = self.features(inputs["flux"].unsqueeze(1))          # (N, C, L')
        pooled = torch.cat([h.amax(dim=2), h.mean(dim=2)], dim=1)
        return self.head(pooled).squeeze(1)
