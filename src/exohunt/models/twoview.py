"""``twoview``: an AstroNet-style CNN on phase-folded views (Shallue & Vanderburg 2018).

Two convolutional towers: a global one over the whole folded orbit (is there a secondary
eclipse, other dips?) and a local one zoomed on the transit (shape: U or V, ingress, depth).
Extra views of the same length are extra input channels — secondary-eclipse, odd and even
transit views go into the local tower. Vetting statistics (odd-even difference, secondary
depth, SNR …), robust-scaled, join the flattened towers before the fully connected head.
With AstroNet TFRecords (global + local only) the scalar input is simply empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["TwoView", "TwoViewConfig"]


@dataclass
class TwoViewConfig:
    """Hyper-parameters of the two-view CNN; the input shapes are set from the data."""

    global_bins: int = 201
    local_bins: int = 61
    n_global_channels: int = 1
    n_local_channels: int = 1
    n_scalars: int = 0
    global_widths: tuple[int, ...] = (16, 32, 64)
    local_widths: tuple[int, ...] = (16, 32)
    kernel_size: int = 5
    hidden: int = 128
    dropout: float = 0.3


def _tower(c_in: int, widths: tuple[int, ...], kernel_size: int) -> nn.Sequential:
    """AstroNet blocks: (conv → ReLU) × 2 → max-pool(3, stride 2), widening each block."""
    layers: list[nn.Module] = []
    for width in widths:
        layers += [nn.Conv1d(c_in, width, kernel_size, padding=kernel_size // 2), nn.ReLU(),
                   nn.Conv1d(width, width, kernel_size, padding=kernel_size // 2), nn.ReLU(),
                   nn.MaxPool1d(3, stride=2)]
        c_in = width
    return nn.Sequential(*layers, nn.Flatten())


class TwoView(nn.Module):
    """Inputs ``global`` (N, C_g, G), ``local`` (N, C_l, L), ``scalars`` (N, S) → logit (N,)."""

    def __init__(self, config: TwoViewConfig) -> None:
        super().__init__()
        self.config = config
        self.global_tower = _tower(config.n_global_channels, config.global_widths,
                                   config.kernel_size)
        self.local_tower = _tower(config.n_local_channels, config.local_widths,
                                  config.kernel_size)
        with torch.no_grad():  # flattened widths, from a dry run on zeros
            n_global = self.global_tower(
                torch.zeros(1, config.n_global_channels, config.global_bins)).shape[1]
            n_local = self.local_tower(
                torch.zeros(1, config.n_local_channels, config.local_bins)).shape[1]
        self.head = nn.Sequential(
            nn.Linear(n_global + n_local + config.n_scalars, config.hidden), nn.ReLU(),
            nn.Dropout(config.dropout),
            nn.Linear(config.hidden, config.hidden), nn.ReLU(), nn.Dropout(config.dropout),
            nn.Linear(config.hidden, 1),
        )

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = [self.global_tower(inputs["global"]), self.local_tower(inputs["local"])]
        if self.config.n_scalars:
            parts.append(inputs["scalars"])
        return self.head(torch.cat(parts, dim=1)).squeeze(1)
