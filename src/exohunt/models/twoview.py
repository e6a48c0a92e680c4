"""``twoview``: an AstroNet-style CNN on phase-folded views (Shallue & Vanderburg 2018).

Two convolutional towers: a global one over the whole folded orbit (is there a secondary
eclipse, other dips?) and a local one zoomed on the transit (shape: U or V, ingress, depth).
Extra views of the same length are extra input channels — secondary-eclipse, odd and even
transit views go into the local tower. Vetting statistics (odd-even difference, secondary
depth, SNR …), robust-scaled, join the flattened towers before the fully connected head.
With AstroNet TFRecords the scalars are the catalogue's period, duration, depth and SNR.

The defaults are a small network that trains in minutes on a CPU;
:meth:`TwoViewConfig.astronet` gives the Astronet-Triage architecture (Yu et al. 2019:
five global blocks of 16-256 filters with max-pool 5, two local blocks with max-pool 7, four
fully connected layers of 512), optionally with batch normalisation after each convolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from exohunt.errors import InputError
from exohunt.models import NamedConfig
from exohunt.models.space import NETWORK_LOOP_SPACE, Choice, FloatRange, IntRange, Parameter

__all__ = ["NAMED_CONFIGS", "SEARCH_SPACE", "TwoView", "TwoViewConfig"]


@dataclass
class TwoViewConfig:
    """Hyper-parameters of the two-view CNN; the input shapes are set from the data.

    ``global_pool``/``local_pool`` are the max-pool windows (stride 2) closing each
    convolutional block; ``head_layers`` the number of hidden fully connected layers of width
    ``hidden``; ``batch_norm`` adds batch normalisation after every convolution.
    """

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
    global_pool: int = 3
    local_pool: int = 3
    head_layers: int = 2
    batch_norm: bool = False

    def __post_init__(self) -> None:
        positive = {"global_bins": self.global_bins, "local_bins": self.local_bins,
                    "kernel_size": self.kernel_size, "hidden": self.hidden,
                    "global_pool": self.global_pool, "local_pool": self.local_pool,
                    "head_layers": self.head_layers, "n_global_channels":
                    self.n_global_channels, "n_local_channels": self.n_local_channels}
        bad = {k: v for k, v in positive.items() if not isinstance(v, int) or v < 1}
        if bad or not self.global_widths or not self.local_widths:
            raise InputError(f"twoview config: {bad or 'empty widths'}; sizes, pools, "
                             "head_layers and channel counts must be integers >= 1")
        if not 0.0 <= self.dropout < 1.0:
            raise InputError(f"twoview config: dropout must be in [0, 1), got {self.dropout}")

    @classmethod
    def astronet(cls, batch_norm: bool = False, **overrides) -> TwoViewConfig:
        """The Astronet-Triage architecture (Yu et al. 2019), plus any ``overrides``."""
        values = {"global_widths": (16, 32, 64, 128, 256), "local_widths": (16, 32),
                  "global_pool": 5, "local_pool": 7, "hidden": 512, "head_layers": 4,
                  "batch_norm": batch_norm, **overrides}
        return cls(**values)


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings. Ranges hold the defaults.
#: Named configurations (``exohunt train --config NAME``), the default first: the
#: Astronet-Triage network with the paper's learning rate (1e-4), and with batch
#: normalisation, which trains at the default rate.
NAMED_CONFIGS = {
    "small": NamedConfig(TwoViewConfig),
    "astronet": NamedConfig(TwoViewConfig.astronet,
                            {"learning_rate": 1e-4, "epochs": 60, "patience": 10}),
    "astronet-bn": NamedConfig(lambda: TwoViewConfig.astronet(batch_norm=True),
                               {"epochs": 60, "patience": 10}),
}

SEARCH_SPACE: dict[str, Parameter] = {
    "kernel_size": Choice((3, 5, 7)),
    "hidden": Choice((64, 128, 256, 512)),
    "head_layers": IntRange(1, 4),
    "dropout": FloatRange(0.0, 0.5),
    "batch_norm": Choice((False, True)),
    **NETWORK_LOOP_SPACE,
}


def _tower(c_in: int, length: int, widths: tuple[int, ...], kernel_size: int, pool: int,
           batch_norm: bool) -> nn.Sequential:
    """AstroNet blocks: (conv → [BN] → ReLU) × 2 → max-pool(pool, stride 2), widening each
    block. A block whose input is already shorter than ``pool`` is not pooled."""
    layers: list[nn.Module] = []
    for width in widths:
        for _ in range(2):
            layers.append(nn.Conv1d(c_in, width, kernel_size, padding=kernel_size // 2,
                                    bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width))
            layers.append(nn.ReLU())
            c_in = width
        if length >= pool:
            layers.append(nn.MaxPool1d(pool, stride=2))
            length = (length - pool) // 2 + 1
    return nn.Sequential(*layers, nn.Flatten())


def _head(n_in: int, hidden: int, n_layers: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for _ in range(n_layers):
        layers += [nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(dropout)]
        n_in = hidden
    return nn.Sequential(*layers, nn.Linear(n_in, 1))


class TwoView(nn.Module):
    """Inputs ``global`` (N, C_g, G), ``local`` (N, C_l, L), ``scalars`` (N, S) → logit (N,)."""

    def __init__(self, config: TwoViewConfig) -> None:
        super().__init__()
        self.config = config
        self.global_tower = _tower(config.n_global_channels, config.global_bins,
                                   config.global_widths, config.kernel_size,
                                   config.global_pool, config.batch_norm)
        self.local_tower = _tower(config.n_local_channels, config.local_bins,
                                  config.local_widths, config.kernel_size, config.local_pool,
                                  config.batch_norm)
        with torch.no_grad():  # flattened widths, from a dry run on zeros (eval: BN-safe)
            self.eval()
            n_global = self.global_tower(
                torch.zeros(1, config.n_global_channels, config.global_bins)).shape[1]
            n_local = self.local_tower(
                torch.zeros(1, config.n_local_channels, config.local_bins)).shape[1]
            self.train()
        self.head = _head(n_global + n_local + config.n_scalars, config.hidden,
                          config.head_layers, config.dropout)

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = [self.global_tower(inputs["global"]), self.local_tower(inputs["local"])]
        if self.config.n_scalars:
            parts.append(inputs["scalars"])
        return self.head(torch.cat(parts, dim=1)).squeeze(1)
