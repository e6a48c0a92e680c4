"""Draw one example light curve per kind of simulated star into ``docs/gallery/``.

Usage::

    .venv/bin/python scripts/make_gallery.py [--out docs/gallery] [--seed 1]

Stars come from the ``big`` preset's test split (normalised flux, gaps as NaN). Stars with a
signal get a second panel: the light curve folded on the true period around the transit
(primary eclipse) with the noiseless model on top. Each PNG stays well under 150 KB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from exohunt.lightcurve import fold_phase
from exohunt.simulate import signal_model, split_spec, style_flux, time_grid
from exohunt.simulate.dataset import iter_split

WANTED = ("planet", "eb", "grazing-eb", "background-eb", "rotator", "flare", "systematics",
          "quiet")


def _label(star) -> str:
    if star.kind == "eb" and bool(star.truth.get("grazing")):
        return "grazing-eb"
    return star.kind


def _pick(seed: int) -> dict:
    """First star of each wanted kind (clear examples: planets with SNR ≥ 15 on a quiet host,
    systematics whose roll sawtooth is at least twice the white noise)."""
    spec = split_spec("big", "test", 600)
    picked: dict = {}
    for star in iter_split(spec, seed, "test", time_grid()):
        name = _label(star)
        if name == "planet" and (star.truth["snr"] < 15 or star.truth["host_kind"] != "quiet"):
            continue
        if name == "systematics" and star.truth["sawtooth_ppm"] < 2 * star.truth["noise_ppm"]:
            continue
        picked.setdefault(name, star)
        if len(picked) == len(WANTED):
            break
    return picked


def _title(name: str, star) -> str:
    t = star.truth
    text = f"{name}: white noise {t['noise_ppm']:.0f} ppm"
    if star.signal is not None:
        text += (f", P = {t['period_days']:.2f} d, depth {t['depth_ppm']:.0f} ppm, "
                 f"SNR {t['snr']:.1f}")
    if name == "background-eb":
        text += f", dilution {t['dilution']:.0f}"
    if name == "rotator":
        text += (f", P_rot = {t['rotation_period_days']:.1f} d, "
                 f"{t['rotation_amplitude_ppm'] / 1e4:.2f} %")
    if name == "flare":
        text += f", {t['n_flares']} flares"
    return text


def _detrended(flux: np.ndarray, t14: float, cadence: float) -> np.ndarray:
    """Flux over a running median 3 durations wide (enough to show a transit on a rotator)."""
    import pandas as pd

    window = int(max(3 * t14, 0.5) / cadence) | 1
    trend = pd.Series(flux).rolling(window, center=True, min_periods=1).median().to_numpy()
    return flux / trend


def draw(name: str, star, time: np.ndarray, path: Path) -> None:
    """One figure: the whole light curve, plus the fold (signals) or a 2-day zoom."""
    flux = style_flux(star, "normalized")
    n_panels = 1 if star.signal is None and name != "systematics" else 2
    fig, axes = plt.subplots(1, n_panels, figsize=(9 if n_panels == 2 else 7, 2.6), dpi=80,
                             squeeze=False, gridspec_kw={"width_ratios": [2, 1][:n_panels]})
    ax = axes[0, 0]
    ax.plot(time, flux, ".", ms=1.5, color="k")
    ax.set_xlabel("time [d]")
    ax.set_ylabel("relative flux")
    if star.signal is not None:
        params = star.signal
        window = max(3 * params.t14, 0.25)
        phase = fold_phase(time, params.period, params.t0)
        near = np.abs(phase) < window
        fine = np.linspace(-window, window, 600)
        model = signal_model(params.t0 + fine, params, exposure_days=float(time[1] - time[0]))
        shown = flux
        if name in ("planet", "background-eb"):
            shown = _detrended(flux, params.t14, float(time[1] - time[0]))
        fold = axes[0, 1]
        fold.plot(phase[near] * 24, shown[near], ".", ms=2, color="0.4")
        fold.plot(fine * 24, model, color="C3", lw=1.2)
        low, high = np.nanpercentile(shown[near], [0.5, 99.5])
        pad = 0.1 * (high - low)
        fold.set_ylim(min(low, model.min()) - pad, max(high, model.max()) + pad)
        fold.set_xlabel("hours from mid-transit" + (" (detrended)" if shown is not flux else ""))
    elif n_panels == 2:
        zoom = (time > time[0] + 20) & (time < time[0] + 22)
        axes[0, 1].plot(time[zoom], flux[zoom], ".-", ms=2, lw=0.5, color="k")
        axes[0, 1].set_xlabel("time [d] (2-day zoom: ~6 h roll sawtooth)")
    fig.suptitle(_title(name, star), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/gallery"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    time = time_grid()
    for name, star in _pick(args.seed).items():
        path = args.out / f"{name}.png"
        draw(name, star, time, path)
        print(f"{path}  ({path.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
