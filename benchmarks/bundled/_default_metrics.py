"""Figures of the bundled ``default`` model on held-out simulated flavours: average precision
and recall counting planets with SNR >= 10 as the positives (weaker planets neither count nor
hurt), with 95 % bootstrap intervals, and the paired bootstrap of a difference of APs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

STRONG_SNR = 10.0
N_BOOTSTRAP = 1000


def strong_rows(truth: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(keep, positive)``: rows kept (all but planets under SNR 10) and, among all rows,
    the planets at SNR >= 10."""
    planet = truth["kind"].to_numpy() == "planet"
    strong = planet & (truth["snr"].to_numpy(float) >= STRONG_SNR)
    return ~(planet & ~strong), strong


def _ap(y: np.ndarray, p: np.ndarray) -> float:
    return float(average_precision_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


def _interval(values: list[float]) -> list[float]:
    finite = np.asarray(values, float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return [0.0, 0.0]
    return [float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))]


def flavour_figures(truth: pd.DataFrame, p: np.ndarray, threshold: float,
                    seed: int = 0) -> dict:
    """AP and recall (SNR >= 10) with 95 % bootstrap intervals, and false-positive rates.

    Parameters
    ----------
    truth : DataFrame
        The simulator's truth rows (``kind``, ``snr``), one per star.
    p : ndarray, shape (N,)
        The model's probabilities.
    threshold : float
        The run's stored threshold.
    """
    keep, strong = strong_rows(truth)
    y, q = strong[keep].astype(int), p[keep]
    kind = truth["kind"].to_numpy()
    rng = np.random.default_rng(seed)
    aps, recalls = [], []
    for _ in range(N_BOOTSTRAP):
        rows = rng.integers(0, len(y), len(y))
        aps.append(_ap(y[rows], q[rows]))
        hits = q[rows][y[rows] == 1]
        recalls.append(float(np.mean(hits >= threshold)) if len(hits) else np.nan)
    flagged = p >= threshold
    return {
        "n_stars": len(truth), "n_planets": int((kind == "planet").sum()),
        "n_strong": int(strong.sum()),
        "ap": _ap(y, q), "ap_ci": _interval(aps),
        "recall": float(np.mean(p[strong] >= threshold)) if strong.any() else 0.0,
        "recall_ci": _interval(recalls),
        "eb_fp": float(np.mean(flagged[kind == "eb"])) if (kind == "eb").any() else 0.0,
        "beb_fp": float(np.mean(flagged[kind == "background-eb"]))
        if (kind == "background-eb").any() else 0.0,
        "other_fp": float(np.mean(flagged[np.isin(kind, ("quiet", "rotator", "flare",
                                                         "systematics"))])),
    }


def paired_ap_difference(truth: pd.DataFrame, p_a: np.ndarray, p_b: np.ndarray,
                         seed: int = 0) -> dict:
    """AP(a) − AP(b) on the same stars with its paired-bootstrap 95 % interval (the same
    resampled stars for both models each time)."""
    keep, strong = strong_rows(truth)
    y, a, b = strong[keep].astype(int), p_a[keep], p_b[keep]
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(N_BOOTSTRAP):
        rows = rng.integers(0, len(y), len(y))
        diffs.append(_ap(y[rows], a[rows]) - _ap(y[rows], b[rows]))
    return {"difference": _ap(y, a) - _ap(y, b), "ci": _interval(diffs)}


def _share(flags: np.ndarray) -> dict:
    """``{"rate", "n", "ci"}`` of a boolean array (95 % bootstrap-free Wilson interval)."""
    import math

    n, hits = len(flags), int(np.sum(flags))
    if n == 0:
        return {"rate": 0.0, "n": 0, "ci": [0.0, 1.0]}
    z, p = 1.96, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return {"rate": p, "n": n, "ci": [max(0.0, centre - half), min(1.0, centre + half)]}


def failure_modes(truth: pd.DataFrame, p: np.ndarray, threshold: float) -> dict:
    """Rates behind the card's known failure modes, on all held-out flavours pooled: planet
    recall by SNR band and by number of transits, false-positive rate of fast rotators (spot
    period < 1 d, amplitude >= 0.5 %) and of background EBs the centroids can / cannot
    resolve (the simulator's ``source_resolvable``, fixed before training)."""
    kind = truth["kind"].to_numpy()
    snr = truth["snr"].to_numpy(float)
    flagged = p >= threshold
    planet = kind == "planet"
    transits = truth["n_transits"].to_numpy(float)
    period = truth["rotation_period_days"].to_numpy(float)
    amplitude = truth["rotation_amplitude_ppm"].to_numpy(float)
    fast = ~planet & ~np.isin(kind, ("eb", "background-eb")) & (period < 1.0) & (
        amplitude >= 5000.0)
    beb = kind == "background-eb"
    resolvable = truth["source_resolvable"].to_numpy(float) == 1.0
    return {
        "recall_snr_below_7": _share(flagged[planet & (snr < 7)]),
        "recall_snr_7_10": _share(flagged[planet & (snr >= 7) & (snr < 10)]),
        "recall_snr_10_up": _share(flagged[planet & (snr >= 10)]),
        "recall_two_transits": _share(flagged[planet & (snr >= 10) & (transits < 3)]),
        "recall_three_up": _share(flagged[planet & (snr >= 10) & (transits >= 3)]),
        "fast_rotator_fp": _share(flagged[fast]),
        "beb_resolvable_fp": _share(flagged[beb & resolvable]),
        "beb_unresolvable_fp": _share(flagged[beb & ~resolvable]),
    }
