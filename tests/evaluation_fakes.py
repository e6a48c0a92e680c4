"""A tiny stand-in for ``exohunt.training.Run`` and a small labelled batch with a truth table,
so that evaluation, prediction and comparison can be tested without training a model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from exohunt.batch import LightCurveBatch

PERIOD = 3.0


def make_batch(n_stars: int = 60, n_planets: int = 6, length: int = 600, seed: int = 0):
    """Quiet stars, a few with box transits (period 3 d) of varied depth; and the truth table."""
    rng = np.random.default_rng(seed)
    time = np.arange(length) * 0.0204
    flux = 1 + rng.normal(0, 1e-3, size=(n_stars, length))
    labels = np.zeros(n_stars, dtype=int)
    labels[:n_planets] = 1
    depth = np.zeros(n_stars)
    depth[:n_planets] = np.linspace(0.0015, 0.006, n_planets)
    t0 = rng.uniform(0, PERIOD, n_stars)
    in_transit = np.abs((time[None, :] - t0[:, None] + PERIOD / 2) % PERIOD - PERIOD / 2) < 0.06
    flux -= depth[:, None] * in_transit
    kinds = np.where(labels == 1, "planet", np.where(np.arange(n_stars) % 2, "quiet", "eb"))
    truth = pd.DataFrame({
        "index": np.arange(n_stars), "kind": kinds, "label": labels,
        "period_days": np.where(labels == 1, PERIOD, np.nan), "t0_days": t0,
        "duration_hours": np.where(labels == 1, 2.88, np.nan), "depth_ppm": depth * 1e6,
        "snr": np.where(labels == 1, depth / 1e-3 * np.sqrt(in_transit.sum(1)), np.nan),
        "noise_ppm": 1000.0})
    return LightCurveBatch(flux.astype(np.float32), labels, time, "fake.csv"), truth


class FakeRun:
    """Scores a star by how far its lowest points fall below the noise (no training)."""

    def __init__(self, directory: Path | None = None, threshold: float = 0.5, rows_per_star=1):
        self.threshold = threshold
        self.config = {"model": "fake", "data": "fake.csv", "seed": 0}
        self.history = [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e,
                         "val_average_precision": 1 - 0.5 / e, "seconds": 0.1}
                        for e in range(1, 6)]
        self.directory = directory
        self.rows_per_star = rows_per_star
        self.calls: list[int] = []
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "config.json").write_text(json.dumps(self.config))
            (directory / "metrics.json").write_text(json.dumps(
                {"training_seconds": 12.5, "n_parameters": 1000, "model_size_bytes": 4096}))

    def score(self, data, jobs: int = 0, progress: bool = False) -> np.ndarray:
        flux = np.asarray(data.flux, dtype=float)
        median = np.median(flux, axis=1, keepdims=True)
        noise = 1.4826 * np.median(np.abs(flux - median), axis=1)
        dip = (median[:, 0] - np.percentile(flux, 2, axis=1)) / noise
        return 1 / (1 + np.exp(-(dip - 3.2) * 3))

    def predict(self, data, jobs: int = 0, progress: bool = False,
                signals_per_star: int = 1) -> pd.DataFrame:
        self.calls.append(len(data))
        p = self.score(data)
        n = len(p)
        frame = pd.DataFrame({
            "source": data.source, "index": np.arange(n), "probability": p,
            "is_candidate": p >= self.threshold,
            "period_days": np.where(p >= 0.3, PERIOD, np.nan), "t0_days": 0.0,
            "duration_hours": 2.88, "depth_ppm": 1000.0, "snr": 10.0})
        if self.rows_per_star > 1:  # a weaker second signal per star
            extra = frame.assign(probability=frame.probability * 0.5, period_days=7.0)
            frame = pd.concat([extra, frame], ignore_index=True)
        return frame
