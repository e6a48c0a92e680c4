"""Synthetic AstroNet-like folded views for model and training tests (not a test module)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from exohunt.batch import ViewBatch


def synthetic_views(n: int, seed: int = 0, *, global_bins: int = 201, local_bins: int = 61,
                    pc_half: int = 5, eb_half: int = 10, secondary: bool = True) -> ViewBatch:
    """``n`` events, a quarter PC, a quarter EB, half J (noise).

    PC: a box dip of half-width ``pc_half`` bins at the centre of the local view; EB: a V dip
    of half-width ``eb_half`` bins, plus (``secondary``) a shallower dip at phase 0.5 of a
    201-bin global view. Noise σ = 0.2 everywhere; dips have depth 1.
    """
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["PC", "EB", "J"], size=n, p=[0.25, 0.25, 0.5])
    g = rng.normal(0, 0.2, (n, global_bins)).astype(np.float32)
    local = rng.normal(0, 0.2, (n, local_bins)).astype(np.float32)
    centre = local_bins // 2
    local[kinds == "PC", centre - pc_half:centre + pc_half + 1] -= 1.0
    local[kinds == "EB", centre - eb_half:centre + eb_half + 1] -= (
        1.0 - np.abs(np.linspace(-1, 1, 2 * eb_half + 1)))
    if secondary:
        g[kinds == "EB", 145:155] -= 0.5
    table = pd.DataFrame({"disposition": kinds, "tic_id": np.arange(n),
                          "period_days": rng.uniform(1, 10, n), "snr": rng.uniform(7, 30, n)})
    return ViewBatch(g, local, None, table, source="views")
