"""Exploration: does a celerite2 GP detrending rescue transits on spotted, fast-rotating stars?

Development stars only (seeds >= 1001; 7, 42, 43 and 1000 are benchmark/dev test sets and are
refused). Planets are drawn by the simulator on rotator hosts only (matched-filter SNR
log-uniform over ``--snr``, the simulator's own star and planet draws, as in
``diag_search_misses.py``) under ``--seed``; planet-free rotator stars (truth kind "rotator")
under ``--seed + 1``. For each star it compares the current pipeline's detrending
(:func:`exohunt.search.detrend.detrend` + :func:`exohunt.search.prewhiten.prewhiten`, as
``search()`` does) with a GP detrending (``RotationTerm`` + a slow ``SHOTerm`` + jitter,
hyper-parameters by maximum likelihood, upward outliers clipped, GP mean subtracted):

- transit SNR on the true ephemeris (box depth / point-to-point noise x sqrt(N in transit));
- end to end: the package's box search (``best_peak`` on ``search_grid``) on the GP-detrended
  flux, recovered when SDE >= 8 and the period is within 0.5 % of P, P/2 or 2P, against
  ``search(lc, max_signals=1)`` (and ``best_peak`` on the pipeline's first detrending);
- false alarms on the planet-free rotators: SDE >= 8, and SDE >= 8 + ``passes_vetting``;
- CPU ms per light curve of the GP step.

Nothing under ``src/`` uses this; celerite2 is installed in the dev venv only.

    .venv/bin/python benchmarks/explore_gp_detrend.py --seed 1009 --n 150 --n-null 300 --jobs 2
"""

from __future__ import annotations

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd

FORBIDDEN_SEEDS = (7, 42, 43, 1000)
MIN_SDE = 8.0
PERIOD_TOL = 5e-3
#: The slow SHO term (spot evolution, drifts) may not be faster than this (days): the
#: simulator's granulation (0.3-3 h) is as fast as a transit and is left to the jitter.
MIN_SLOW_RHO = 1.0
#: Windowed variant ("gp-excl"): blocks of BLOCK days are predicted from data farther than
#: EXCLUDE days from the block (covers transits up to ~2 x EXCLUDE + BLOCK = 10 h).
BLOCK = 0.125
EXCLUDE = 0.15


def _gp(params: np.ndarray, t: np.ndarray):
    import celerite2
    from celerite2 import terms

    ls_rot, lp, lq0, ldq, f, ls_slow, lrho, ljit = params
    kernel = (terms.RotationTerm(sigma=np.exp(ls_rot), period=np.exp(lp), Q0=np.exp(lq0),
                                 dQ=np.exp(ldq), f=f)
              + terms.SHOTerm(sigma=np.exp(ls_slow), rho=np.exp(lrho), Q=1 / np.sqrt(2)))
    gp = celerite2.GaussianProcess(kernel, mean=0.0)
    gp.compute(t, diag=np.exp(2 * ljit), quiet=True)
    return gp


def gp_fit(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Maximum-likelihood GP hyper-parameters for additive flux ``y`` (the Kaggle rows).

    Returns the parameters, the flux scaled to unit robust sigma, the cadences kept (upward
    outliers dropped: > 4 sigma above a 13-cadence running median, then > 3 sigma above the
    GP mean) and a dict with the fitted rotation period and the number of likelihood calls.
    """
    from scipy.ndimage import median_filter
    from scipy.optimize import minimize

    from exohunt.search.detrend import robust_std
    from exohunt.search.rotation import rotation_period

    z = (y - np.median(y)) / (robust_std(y) or 1.0)
    rough = z - median_filter(z, size=13, mode="nearest")
    keep = rough <= 4 * robust_std(rough)  # flares, cosmic rays (upward only)
    p0 = rotation_period(t, z)
    white = max(robust_std(np.diff(z)) / np.sqrt(2), 1e-3)
    x0 = np.array([np.log(np.std(z)), np.log(p0), np.log(1.0), np.log(1.0), 0.5,
                   np.log(0.3 * np.std(z) + white), np.log(5.0), np.log(white)])
    bounds = [(-8, 5), (np.log(p0) - 0.3, np.log(p0) + 0.3), (np.log(0.5), np.log(1e3)),
              (np.log(1e-2), np.log(1e3)), (1e-3, 1.0), (-8, 5), (np.log(MIN_SLOW_RHO), 4),
              (-8, 3)]
    tk, zk = t[keep], z[keep]

    def nll(p):
        try:
            value = -_gp(p, tk).log_likelihood(zk)
        except Exception:  # celerite2 raises on a non-positive-definite matrix
            return 1e25
        return value if np.isfinite(value) else 1e25

    sol = minimize(nll, x0, method="L-BFGS-B", bounds=bounds)
    resid = z - _gp(sol.x, tk).predict(zk, t=t)
    keep &= resid <= 3 * robust_std(resid[keep])
    return sol.x, z, keep, {"gp_period": float(np.exp(sol.x[1])), "gp_nfev": int(sol.nfev)}


def gp_mean(params: np.ndarray, t: np.ndarray, z: np.ndarray, keep: np.ndarray,
            exclude: float | None) -> np.ndarray:
    """GP mean at every cadence, conditioned on the kept ones; with ``exclude`` (days), each
    block of ``BLOCK`` days is predicted from data farther than ``exclude`` from the block
    (so a transit inside it cannot pull the mean down)."""
    if exclude is None:
        return _gp(params, t[keep]).predict(z[keep], t=t)
    mu = np.empty_like(z)
    block = np.floor((t - t[0]) / BLOCK).astype(int)
    for b in np.unique(block):
        here = block == b
        lo, hi = t[0] + b * BLOCK - exclude, t[0] + (b + 1) * BLOCK + exclude
        train = keep & ((t < lo) | (t > hi))
        mu[here] = _gp(params, t[train]).predict(z[train], t=t[here])
    return mu


def as_detrended(t: np.ndarray, z: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pipeline's additive convention: 1 + residual / robust sigma, > 4 sigma up dropped."""
    from exohunt.search.detrend import robust_std

    resid = z - mu
    flux = 1.0 + resid / (robust_std(resid) or 1.0)
    ok = flux - np.median(flux) <= 4 * robust_std(flux)
    return t[ok], flux[ok]


def true_snr(t: np.ndarray, flux: np.ndarray, period: float, t0: float, dur: float
             ) -> tuple[float, float]:
    """Box depth x sqrt(N in transit) on the true ephemeris, over the point-to-point noise
    (blind to red residuals) and over the robust standard deviation (the noise ``best_peak``
    is given)."""
    from exohunt.lightcurve import fold_phase
    from exohunt.search.detrend import point_to_point_noise, robust_std

    inside = np.abs(fold_phase(t, period, t0)) < 0.5 * dur
    if inside.sum() < 1:
        return float("nan"), float("nan")
    signal = (np.median(flux[~inside]) - np.mean(flux[inside])) * np.sqrt(inside.sum())
    return float(signal / point_to_point_noise(flux)), float(signal / robust_std(flux))


def box_search(t: np.ndarray, flux: np.ndarray) -> dict:
    """The package's periodogram step (one pass, no lone-dip retries) and vetting."""
    from exohunt.search.detrend import robust_std
    from exohunt.search.grid import MIN_PERIOD_DAYS
    from exohunt.search.peaks import best_peak, search_grid
    from exohunt.search.vetting import passes_vetting, transit_statistics

    grid = search_grid(t[-1] - t[0], MIN_PERIOD_DAYS, (t[-1] - t[0]) / 2, None, 1.5)
    noise = robust_std(flux) or 1.0
    _, period, t0, dur, _, sde = best_peak(t, flux, noise, grid)
    t0 = float(t.min() + (t0 - t.min()) % period)
    stats = transit_statistics(t, flux, period=period, t0=t0, duration=dur, noise=noise)
    return {"period": period, "sde": sde, "passes": passes_vetting(stats, sde=sde)}


def one_star(args: tuple) -> dict:
    """All measurements for one star (``truth``: period, t0, duration in days or NaN)."""
    from exohunt.lightcurve import LightCurve
    from exohunt.search import search
    from exohunt.search.detrend import detrend
    from exohunt.search.prewhiten import prewhiten

    t, y, (period, t0, dur) = args
    out: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = LightCurve(t, y).remove_nans()
        cpu = time.process_time()
        det = detrend(lc, method="biweight", window_length=None, flux_mode="auto")
        options = {"method": "biweight", "window_length": None,
                   "flux_mode": det.meta["flux_mode"]}
        _, det = prewhiten(lc, det, options)
        out["pipe_detrend_ms"] = 1e3 * (time.process_time() - cpu)
        cpu = time.process_time()
        params, z, keep, info = gp_fit(lc.time, lc.flux)
        tg, fg = as_detrended(lc.time, z, gp_mean(params, lc.time, z, keep, None))
        out["gp_ms"] = 1e3 * (time.process_time() - cpu)
        cpu = time.process_time()
        tx, fx = as_detrended(lc.time, z, gp_mean(params, lc.time, z, keep, EXCLUDE))
        out["gpx_ms"] = out["gp_ms"] + 1e3 * (time.process_time() - cpu)
        out.update(info)
        cpu = time.process_time()
        result = search(lc, max_signals=1)
        out["search_ms"] = 1e3 * (time.process_time() - cpu)
        top = result.signals[0] if result.signals else None
        out.update(search_period=top.period if top else np.nan,
                   search_sde=top.sde if top else np.nan,
                   search_passes=bool(top.passes_vetting) if top else False)
        for name, (tt, ff) in {"pipe": (det.time, det.flux), "gp": (tg, fg),
                                "gpx": (tx, fx)}.items():
            peak = box_search(tt, ff)
            out.update({f"{name}_bls_{k}": v for k, v in peak.items()})
            if np.isfinite(period):
                out[f"{name}_snr"], out[f"{name}_snr_std"] = true_snr(tt, ff, period, t0, dur)
    return out


def matches(found: pd.Series, true: pd.Series) -> pd.Series:
    """Period within PERIOD_TOL of P, P/2 or 2P (``bench_search``'s rule)."""
    from bench_search import _match

    return pd.Series([bool(np.isfinite(f)) and _match(f, t, PERIOD_TOL, aliases=True)
                      for f, t in zip(found.to_numpy(float), true.to_numpy(float))],
                     index=found.index)


def make_stars(n: int, seed: int, planets: bool, snr: tuple[float, float]
               ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """``n`` rotator-host planets (or planet-free rotators): time (T,), Kaggle-style flux
    (n, T) and the truth table."""
    from diag_search_misses import render_split
    from exohunt.simulate import split_spec
    from exohunt.simulate.dataset import SplitSpec

    base = split_spec("big", "test")
    spec = (SplitSpec(n, n, base.mix, snr, {"rotator": 1.0}) if planets
            else SplitSpec(n, 0, {"rotator": 1.0}, snr))
    return render_split(spec, seed)


def run(n: int, seed: int, planets: bool, snr: tuple[float, float], jobs: int) -> pd.DataFrame:
    grid, flux, truth = make_stars(n, seed, planets, snr)
    ephem = truth[["period_days", "t0_days", "duration_hours"]].to_numpy(float)
    ephem[:, 2] /= 24.0
    tasks = [(grid, f, tuple(e)) for f, e in zip(flux, ephem)]
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
        out = list(pool.map(one_star, tasks, chunksize=2))
    return pd.concat([truth, pd.DataFrame(out)], axis=1)


def _recovered(frame: pd.DataFrame, period: str, sde: str) -> pd.Series:
    return matches(frame[period], frame["period_days"]) & (frame[sde] >= MIN_SDE)


def summarize(pl: pd.DataFrame, null: pd.DataFrame) -> str:
    """The Markdown table: current pipeline against the GP detrendings."""
    pl = pl[(pl["host_kind"] == "rotator") & (pl["snr"] >= 10)]
    null = null[null["kind"] == "rotator"]
    both = pd.concat([pl, null])
    rows = [("current pipeline: `search(lc, max_signals=1)`", "pipe", "search", "search_ms"),
            ("current detrending + one `best_peak`", "pipe", "pipe_bls", "pipe_detrend_ms"),
            ("GP mean subtracted + one `best_peak`", "gp", "gp_bls", "gp_ms"),
            ("GP mean, each 0.125-d block predicted from data > 0.15 d away + one `best_peak`",
             "gpx", "gpx_bls",
             "gpx_ms")]
    lines = ["| pipeline | transit SNR on true ephemeris (p2p noise): median | share >= 8 | "
             "same SNR over robust std: median | share >= 8 | recovery "
             "(SDE >= 8, P, P/2 or 2P within 0.5 %) | false alarms: SDE >= 8 | false alarms: "
             "SDE >= 8 and passes_vetting | CPU ms per LC (median) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, det, peak, ms in rows:
        snr, rec = pl[f"{det}_snr"], _recovered(pl, f"{peak}_period", f"{peak}_sde")
        fa_sde = null[f"{peak}_sde"] >= MIN_SDE
        fa_vet = fa_sde & null[f"{peak}_passes"].astype(bool)
        std = pl[f"{det}_snr_std"]
        lines.append(f"| {label} | {snr.median():.1f} | {(snr >= 8).mean():.0%} | "
                     f"{std.median():.1f} | {(std >= 8).mean():.0%} | "
                     f"{rec.mean():.1%} ({int(rec.sum())}/{len(pl)}) | {fa_sde.mean():.1%} | "
                     f"{fa_vet.mean():.1%} (n={len(null)}) | {both[ms].median():.0f} |")
    notes = [f"planets: {len(pl)} (rotator hosts, truth SNR >= 10); planet-free rotators: "
             f"{len(null)}; CPU ms: search = whole search(), detrending rows = that step only"]
    for det in ("gp", "gpx"):
        diff = pl[f"{det}_snr"] - pl["pipe_snr"]
        notes.append(f"{det} minus current transit SNR per planet: median {diff.median():+.2f}, "
                     f"{det} higher on {(diff > 0).mean():.0%}")
    search_rec = _recovered(pl, "search_period", "search_sde")
    fast = pl["rotation_period_days"] < 2
    for label, peak in (("search()", "search"), ("gp", "gp_bls"), ("gpx", "gpx_bls")):
        rec = _recovered(pl, f"{peak}_period", f"{peak}_sde")
        notes.append(f"{label} recovery, rotation < 2 d: {rec[fast].mean():.0%} of "
                     f"{int(fast.sum())}; >= 2 d: {rec[~fast].mean():.0%} of {int((~fast).sum())}")
    for det in ("gp", "gpx"):
        rec = _recovered(pl, f"{det}_bls_period", f"{det}_bls_sde")
        notes.append(f"{det}: recovers {int((rec & ~search_rec).sum())} that search() misses, "
                     f"misses {int((~rec & search_rec).sum())} that it finds")
    notes.append(f"likelihood calls per fit (median): {both['gp_nfev'].median():.0f}")
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def main() -> None:
    import importlib.util

    if importlib.util.find_spec("celerite2") is None:
        raise SystemExit("explore_gp_detrend.py needs celerite2, which exohunt does not depend "
                         "on: pip install celerite2==0.3.3")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1009, help="planets; planet-free: seed+1")
    parser.add_argument("--n", type=int, default=200, help="rotator-host planets")
    parser.add_argument("--n-null", type=int, default=300, help="planet-free rotators")
    parser.add_argument("--hosts", default="rotator", help="only 'rotator' is supported")
    parser.add_argument("--snr", default="10,60", help="planet matched-filter SNR range")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--csv", default=None, help="write the per-star tables here (prefix)")
    args = parser.parse_args()
    if args.seed < 1001 or {args.seed, args.seed + 1} & set(FORBIDDEN_SEEDS):
        parser.error(f"development seeds only (>= 1001, not {FORBIDDEN_SEEDS})")
    if args.hosts != "rotator":
        parser.error("--hosts must be 'rotator' (the question is about spotted stars)")
    if not 1 <= args.jobs <= 2:
        parser.error("--jobs must be 1 or 2 (shared 2-core machine)")
    snr = tuple(float(x) for x in args.snr.split(","))
    start = time.time()
    pl = run(args.n, args.seed, True, snr, args.jobs)
    null = run(args.n_null, args.seed + 1, False, snr, args.jobs)
    if args.csv:
        pl.to_csv(f"{args.csv}_planets.csv", index=False)
        null.to_csv(f"{args.csv}_null.csv", index=False)
    print(summarize(pl, null))
    print(f"\nwall {time.time() - start:.0f} s, jobs {args.jobs}")


if __name__ == "__main__":
    main()
