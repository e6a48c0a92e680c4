"""``lstm-views``: a CNN-LSTM hybrid on the search's phase-folded views.

The raw-sequence LSTMs (``lstm``, ``cnn-lstm``) must find a few 10-hour dips in 3,197 noisy
points from ~30 training planets, and do not learn. The search has already done that part:
it detrends, finds the period and folds, so that every transit lands in the same bins. This
model reads exactly the inputs of ``twoview`` (``inputs="views"``), so it can use injection
augmentation and the search's vetting statistics the same way:

- the global view (the whole orbit, 201 bins) as one sequence: secondary eclipses, other dips
  and the out-of-transit scatter live here;
- the local views (transit, secondary, odd and even transits, 61 bins each) as a second
  sequence whose steps carry one channel per view, so that the LSTM compares odd with even and
  transit with secondary *at the same phase*;
- the robust-scaled vetting statistics through a small MLP.

Each sequence goes through a short convolutional front end (the hybrid the seed notebook
proposed: convolutions turn bins into local shape features and, on the global view, halve the
length so the recurrence is cheaper) and then a bidirectional LSTM, whose outputs are max- and
mean-pooled over phase. The pooled features and the scalar embedding are concatenated and a
small fully connected head gives one planet logit.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from exohunt.errors import InputError
from exohunt.models.space import NETWORK_LOOP_SPACE, Choice, FloatRange, Parameter

__all__ = ["SEARCH_SPACE", "ViewLSTM", "ViewLSTMConfig"]


@dataclass
class ViewLSTMConfig:
    """Hyper-parameters of the view LSTM; the input shapes are set from the data.

    ``conv_channels`` is the width of the convolutional front end (0: the LSTMs read the bins
    directly); ``global_pool`` the max-pool window (and stride) that shortens the global view
    before its LSTM (1: no pooling); ``hidden`` the LSTM size per direction;
    ``phase_channel`` adds the bin's phase (-1 … 1) as an input channel.
    """

    global_bins: int = 201
    local_bins: int = 61
    n_global_channels: int = 1
    n_local_channels: int = 1
    n_scalars: int = 0
    # Defaults: the best of the variants measured on the development set
    # (benchmarks/results_view_lstm.md): 16 → 32 conv channels and LSTM 32 → 48 raised dev AP
    # 0.50 → 0.57; pooling the global view by 4 (50 LSTM steps) made training ~2.5× faster at
    # no cost. The phase channel did not help on that set (AP 0.53), so it is off.
    conv_channels: int = 32
    kernel_size: int = 5
    global_pool: int = 4
    hidden: int = 48
    scalar_hidden: int = 32
    head_hidden: int = 64
    dropout: float = 0.2
    phase_channel: bool = False

    def __post_init__(self) -> None:
        positive = {"global_bins": self.global_bins, "local_bins": self.local_bins,
                    "n_global_channels": self.n_global_channels,
                    "n_local_channels": self.n_local_channels,
                    "kernel_size": self.kernel_size, "global_pool": self.global_pool,
                    "hidden": self.hidden, "scalar_hidden": self.scalar_hidden,
                    "head_hidden": self.head_hidden}
        bad = {k: v for k, v in positive.items() if not isinstance(v, int) or v < 1}
        if self.n_scalars < 0 or self.conv_channels < 0:
            bad.update(n_scalars=self.n_scalars, conv_channels=self.conv_channels)
        if bad:
            raise InputError(f"lstm-views config: {bad}; sizes, pools and channel counts must "
                             "be integers >= 1 (n_scalars, conv_channels >= 0)")
        if not 0.0 <= self.dropout < 1.0:
            raise InputError(f"lstm-views config: dropout must be in [0, 1), got {self.dropout}")


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings. Ranges hold the defaults.
SEARCH_SPACE: dict[str, Parameter] = {
    "conv_channels": Choice((0, 16, 32, 64)),
    "hidden": Choice((32, 48, 64)),
    "head_hidden": Choice((32, 64, 128)),
    "dropout": FloatRange(0.0, 0.5),
    **NETWORK_LOOP_SPACE,
}


class _Branch(nn.Module):
    """(N, C, T) view(s) → (N, 4·hidden): conv front end, bidirectional LSTM, max+mean pool."""

    def __init__(self, c_in: int, length: int, config: ViewLSTMConfig, pool: int) -> None:
        super().__init__()
        # Max/mean pooling over phase forgets *where* a feature was; a phase coordinate as an
        # extra channel lets the features say "a dip at phase 0.5" (a secondary eclipse)
        # rather than just "a dip". A buffer: saved with the weights, never trained.
        phase = torch.linspace(-1.0, 1.0, length).view(1, 1, -1) if config.phase_channel else None
        self.register_buffer("phase", phase)
        c_in += int(config.phase_channel)
        layers: list[nn.Module] = []
        if config.conv_channels:
            # "same" padding keeps every phase bin aligned with its neighbours in the other
            # views; ReLU after the conv lets it act as a dip/bump detector.
            layers += [nn.Conv1d(c_in, config.conv_channels, config.kernel_size,
                                 padding=config.kernel_size // 2), nn.ReLU()]
            c_in = config.conv_channels
        if pool > 1 and length >= 2 * pool:  # never pool a view down to a handful of steps
            layers.append(nn.MaxPool1d(pool))
        self.front = nn.Sequential(*layers)
        self.rnn = nn.LSTM(c_in, config.hidden, batch_first=True, bidirectional=True)

    def forward(self, views: torch.Tensor) -> torch.Tensor:
        if self.phase is not None:
            views = torch.cat([views, self.phase.expand(len(views), 1, -1)], dim=1)
        h, _ = self.rnn(self.front(views).transpose(1, 2))  # (N, T', 2·hidden)
        # Max pooling keeps the strongest feature wherever in phase it is (a secondary
        # eclipse need not sit at exactly 0.5); the mean summarises the whole fold.
        return torch.cat([h.amax(dim=1), h.mean(dim=1)], dim=1)


class ViewLSTM(nn.Module):
    """Inputs ``global`` (N, C_g, G), ``local`` (N, C_l, L), ``scalars`` (N, S) → logit (N,)."""

    def __init__(self, config: ViewLSTMConfig) -> None:
        super().__init__()
        self.config = config
        self.global_branch = _Branch(config.n_global_channels, config.global_bins, config,
                                     config.global_pool)
        # The local views are short (61 bins) and the transit shape (ingress, U vs V) is in a
        # few of them: no pooling there.
        self.local_branch = _Branch(config.n_local_channels, config.local_bins, config, 1)
        n_features = 2 * 4 * config.hidden
        self.scalar_mlp: nn.Module | None = None
        if config.n_scalars:
            self.scalar_mlp = nn.Sequential(nn.Linear(config.n_scalars, config.scalar_hidden),
                                            nn.ReLU())
            n_features += config.scalar_hidden
        self.head = nn.Sequential(nn.Dropout(config.dropout),
                                  nn.Linear(n_features, config.head_hidden), nn.ReLU(),
                                  nn.Dropout(config.dropout), nn.Linear(config.head_hidden, 1))

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        parts = [self.global_branch(inputs["global"]), self.local_branch(inputs["local"])]
        if self.scalar_mlp is not None:
            parts.append(self.scalar_mlp(inputs["scalars"]))
        return self.head(torch.cat(parts, dim=1)).squeeze(1)
