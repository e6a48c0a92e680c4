"""One diagnostic figure per star: raw and detrended flux, periodogram, folded transit,
odd/even comparison and the secondary-eclipse window (matplotlib, Agg backend). Cadences the
junk masking removed before the search (:mod:`exohunt.search.junk`) are marked on the raw
flux, one colour per step, with a legend."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.binned import median_cadence
from exohunt.search.core import SearchResult, Signal
from exohunt.search.transit_fit import trapezoid
from exohunt.search.views import binned_view

__all__ = ["plot_diagnostics"]

_COLOURS = ("tab:red", "tab:orange", "tab:green", "tab:purple", "tab:brown")
_MASK_STYLE = {"background": ("tab:purple", "."), "scatter": ("tab:red", "."),
               "outliers_high": ("tab:cyan", "x"), "outliers_low": ("tab:red", "x")}


def _mark_masked(ax, raw: LightCurve, masking: list[dict]) -> None:
    """Raw cadences inside each masking step's ranges, coloured by step; segments shaded."""
    for record in masking:
        colour, marker = _MASK_STYLE.get(record["step"], ("tab:red", "."))
        inside = np.zeros(len(raw), dtype=bool)
        for start, stop in record["ranges"]:
            inside |= (raw.time >= start) & (raw.time <= stop)
            if not record["step"].startswith("outliers"):
                ax.axvspan(start, stop, color="0.85", zorder=0, lw=0)
        ax.plot(raw.time[inside], raw.flux[inside], marker, ms=2 if marker == "." else 4,
                color=colour, label=f"masked: {record['reason']} ({record['n_cadences']})")
    if masking:
        ax.legend(fontsize=7, loc="best", markerscale=2)


def _mark_transits(ax, time: np.ndarray, signals: list[Signal]) -> None:
    for colour, s in zip(_COLOURS, signals):
        epochs = np.arange(np.ceil((time.min() - s.t0) / s.period),
                           np.floor((time.max() - s.t0) / s.period) + 1)
        for mid in s.t0 + epochs * s.period:
            ax.axvline(mid, color=colour, alpha=0.35, lw=0.8)


def _folded(ax, det: LightCurve, s: Signal, *, centre: float, title: str) -> None:
    phase = fold_phase(det.time, s.period, s.t0 + centre) * 24
    near = np.abs(phase) < 3 * s.duration * 24
    half = 3 * s.duration * 24
    ax.plot(phase[near], det.flux[near], ".", ms=1.5, color="0.6")
    binned = binned_view(phase[near], det.flux[near], lo=-half, hi=half, bins=61,
                         width=2 * half / 61)
    ax.plot(np.linspace(-half, half, 61), binned, "k.-", ms=3, lw=0.8)
    ax.set_xlabel("hours from mid-" + ("eclipse" if centre else "transit"))
    ax.set_title(title, fontsize=9)


def _box_model(ax, det: LightCurve, s: Signal) -> None:
    half = 3 * s.duration * 24
    x = np.array([-half, -s.duration * 12, -s.duration * 12, s.duration * 12,
                  s.duration * 12, half])
    base = float(np.median(det.flux))
    ax.plot(x, base - s.depth * np.array([0, 0, 1, 1, 0, 0]), color="tab:red", lw=1.2,
            label="box model")
    if np.isfinite(s.fit_duration) and np.isfinite(s.fit_depth):
        hours = np.linspace(-half, half, 400)
        offset = (s.fit_t0 - s.t0) * 24
        exposure = median_cadence(det.time, default=0.0)  # as the vetting's fit used
        profile = trapezoid((hours - offset) / 24, s.fit_duration, s.fit_ingress_fraction,
                            exposure=exposure)
        ax.plot(hours, base - s.fit_depth * profile, color="tab:blue", lw=1.0,
                label=f"trapezoid fit: T14 {s.fit_duration * 24:.2f} h, "
                      f"ingress {s.fit_ingress_fraction:.2f}")
    ax.legend(fontsize=7, loc="lower right")


def _odd_even(ax, det: LightCurve, s: Signal) -> None:
    phase = fold_phase(det.time, s.period, s.t0) * 24
    odd = (np.round((det.time - s.t0) / s.period) % 2).astype(bool)
    half = 3 * s.duration * 24
    x = np.linspace(-half, half, 41)
    for mask, label, colour in ((odd, "odd", "tab:blue"), (~odd, "even", "tab:orange")):
        if mask.sum() > 0:
            view = binned_view(phase[mask], det.flux[mask], lo=-half, hi=half, bins=41,
                               width=2 * half / 41)
            ax.plot(x, view, ".-", ms=3, lw=0.8, color=colour, label=label)
    ax.set_title(f"odd/even: {s.odd_even_sigma:.1f} σ", fontsize=9)
    ax.set_xlabel("hours from mid-transit")
    ax.legend(fontsize=7)


def plot_diagnostics(raw: LightCurve, result: SearchResult, path: str | Path, *,
                     title: str = "") -> Path:
    """Write the diagnostic PNG of one star's search to ``path`` and return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    det, signals = result.detrended, result.signals
    fig = plt.figure(figsize=(12, 11), dpi=80)
    grid = fig.add_gridspec(4, 2, hspace=0.55, wspace=0.25)
    ax_raw, ax_det = fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, :])
    ax_raw.plot(raw.time, raw.flux, ".", ms=1, color="0.3")
    _mark_masked(ax_raw, raw, list(det.meta.get("masking") or []))
    ax_raw.set_title(title or "raw flux", fontsize=10)
    ax_det.plot(det.time, det.flux, ".", ms=1, color="0.3")
    ax_det.set_title(f"detrended ({det.meta.get('detrend_method')}, "
                     f"{det.meta.get('window_length', 0):.2f} d window, "
                     f"{det.meta.get('flux_mode')} flux)", fontsize=9)
    ax_det.set_xlabel("time [days]")
    for ax in (ax_raw, ax_det):
        _mark_transits(ax, det.time, signals)
    ax_pg = fig.add_subplot(grid[2, 0])
    if result.periodogram is not None:
        ax_pg.plot(result.periodogram.periods, result.periodogram.power, lw=0.6, color="k")
        ax_pg.set_xscale("log")
    for colour, s in zip(_COLOURS, signals):
        ax_pg.axvline(s.period, color=colour, alpha=0.5, lw=2)
    ax_pg.set_xlabel("period [days]")
    ax_pg.set_title("BLS periodogram (box SNR)", fontsize=9)
    if signals:
        s = signals[0]
        verdict = "passes vetting" if s.passes_vetting else "fails vetting"
        ax_fold = fig.add_subplot(grid[2, 1])
        _folded(ax_fold, det, s, centre=0.0, title=f"P={s.period:.5f} d, SNR={s.snr:.1f}, "
                f"SDE={s.sde:.1f}, {verdict}")
        _box_model(ax_fold, det, s)
        _odd_even(fig.add_subplot(grid[3, 0]), det, s)
        _folded(fig.add_subplot(grid[3, 1]), det, s, centre=0.5 * s.period,
                title=f"secondary window (phase 0.5): {s.secondary_sigma:.1f} σ")
    else:
        fig.text(0.7, 0.3, "no signal above the SDE threshold", ha="center")
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
