"""Round 10, development set only: why does recall 0.95 of SNR >= 10 planets force gbm's
threshold near 0 on the context benchmark, and which training recipe helps?

Uses the stars of ``bench_context_models.py`` (vetting preset, Kepler-LC-like FITS, 29.4 min):
its training split (seed 7107) and a *development* test split (seed 5151, never the record's
90417), searched once into the same cache (``bench_context_models.py --stage features
--test-seed 5151`` first). For each recipe (``--recipes``) gbm is trained with injection and
scored on the development stars with ``bench_context_models.evaluate``; for the first recipe
the lowest-scoring SNR >= 10 planets are listed with whether the search's top signal is at the
planet's period (a search miss, which no model can rescue) or was found and scored low (and
with which statistics).

    nice -n 10 python benchmarks/dev_context_recall.py --work /tmp/h-ctx-work \\
        --recipes base,eb0.5 --out /tmp/h-ctx-work/dev.md

Recipes: ``base`` (round 7's injection: gbm's defaults without on-target EBs), ``ebX`` (plus X
undiluted on-target eclipsing binaries per injected planet; gbm's default for files since
round 10 is ``eb2``), ``cenX`` (``ebX`` reading the centroid statistics and views but not the
catalogue's, ``context="centroid"``; round 24), ``flux`` (base, flux statistics only), a
``+recall`` suffix
(stored threshold objective ``recall:0.95``), ``+snr10`` (``recall:0.95@snr10``) or ``+esnr10``
(``expected-recall:0.95@snr10``, round 18: recall 0.95 of new planets), and a
``*K`` suffix (e.g. ``eb2+snr10*5``): an ensemble of K members on K disjoint folds
(``train_ensemble(..., folds=True)``, threshold out of fold), reported with each member alone at
its own stored threshold (member 0 is the single run of the same recipe), and a ``/wX`` suffix (e.g.
``eb2+snr10/w0.3``): ``train(..., weak_positive_weight=X)``, the planets whose search SNR is
below the objective's 10 weighted X in training (round 18). A ``var:`` prefix (e.g.
``var:eb2+snr10/w0.3``, round 19) trains and scores with the five vetting columns of
:mod:`exohunt.search.variability` (the signal's place in its star's variability and against
the data's gaps) added to the model's inputs, which they are not by default; ``edge:`` adds
``gap_edge_share`` alone. A ``#K`` suffix (round 27, e.g. ``eb2+snr10/w0.3*5#3``) trains on
each star's strongest K signals (``train(..., signals_per_star=K)``), and the run then scores
a star by its best signal; ``#Kl`` (e.g. ``#3l``, round 30's D2) makes the injected stars'
later signals training rows too, and ``#Kt`` keeps them to their top signal (the default; in
round 30's runs, whose code made D2 the default for a while, ``#3`` was D2 and ``#3t`` the
base). An ``m`` flag after K (e.g. ``#3m``, also ``#3tm``) trains gbm with monotonic
constraints on :data:`DECREASING` (round 30), a ``k`` flag injects on-target EBs whose
companion radius ratio is drawn from 0.1-1.0 instead of 0.25-1.0 (round 30; since round
31 the record's recipe is ``eb2+snr10/w0.3*5#3tk``, ``bench_context_models.py
--target-radius-ratio 0.1,1.0``), a ``g`` flag makes 60 % of the injected on-target EBs
grazing instead of 30 % (round 32's G, ``--target-grazing-share 0.6``).
A ``flares:`` prefix (round 20, e.g. ``flares:eb2+snr10/w0.3``,
before any ``var:``) searches every feature set of the recipe (training, injections,
scoring) with the flare removal on (``search(flares=True)``, :mod:`exohunt.search.flares`),
and ``junk:`` with ``exohunt search``'s junk masking (``junk="auto"``) instead of the
models' ``junk="off"``; their features are cached apart. ``offcap:`` reads centroid source
offsets beyond ``OFFSET_CAP_PX`` (6 px) as unmeasured (NaN) in every feature set.
``alias:`` searches with the period test on (``search(alias=True)``,
:mod:`exohunt.search.alias`; cached apart like ``flares:``; since search-22 the models'
default, so the prefix only caches apart and ``noalias:`` is the trial of the test off);
``kmin:`` adds the smallest
companion radius ratio (round 32). Prefixes chain: ``alias:kmin:eb3+snr10/w0.3*5#3tk``. Besides
precision at recall 0.95,
whose threshold rests on the four or five lowest-scoring planets, each seed reports the
average precision and the precision at recall 0.9 (SNR >= 10 planets against every other
star but the unresolvable background EBs, the weaker planets left out), which move less with
one planet's score (round 19).

``--seeds 42,43,44`` trains every recipe with each seed (validation split, injections, trees)
and adds a table of the per-seed figures with their mean: one training draw moves precision at
recall 0.95 by ±0.1 here, more than most recipe changes (round 18)::

    nice -n 10 python benchmarks/dev_context_recall.py --work W --n-dev 3000 \
        --recipes eb2+snr10,eb2+snr10/w0.3,eb2+snr10/w0 --seeds 42,43,44
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _report import emit
from bench_context_models import (
    DEV_SEED,
    RECORD_SEEDS,
    TRAIN_SEED,
    evaluate,
    read_split,
    training_split,
)

SHOWN = ("snr", "sde", "depth_ppm", "n_transits", "duration_ratio", "fit_duration_ratio",
         "fit_ingress_fraction", "odd_even_sigma", "secondary_sigma", "v_shape_sigma",
         "single_event_fraction", "oot_variability", "centroid_offset_pixels",
         "centroid_offset_sigma")


def period_match(found: np.ndarray, true: np.ndarray) -> np.ndarray:
    """"period" (within 1 %), "harmonic" (1/3, 1/2, 2 or 3 times, within 1 %) or "miss"."""
    ratio = found / true
    out = np.full(len(found), "miss", dtype=object)
    for factor in (1 / 3, 0.5, 2.0, 3.0):
        out[np.abs(ratio / factor - 1) < 0.01] = "harmonic"
    out[np.abs(ratio - 1) < 0.01] = "period"
    return out


def parse_recipe(recipe: str) -> tuple[str, dict, str]:
    """(context, augment overrides, threshold objective) of a recipe name (its ``/wX`` part,
    read by :func:`weak_weight`, set aside)."""
    recipe = recipe.partition("/")[0]
    name, _, suffix = recipe.partition("+")
    objective = {"": "f1", "recall": "recall:0.95", "snr10": "recall:0.95@snr10",
                 "esnr10": "expected-recall:0.95@snr10"}[suffix]
    if name == "flux":
        return "none", {"target_binaries_per_planet": 0.0}, objective
    if name == "base":  # round 7's recipe: no on-target EBs
        return "auto", {"target_binaries_per_planet": 0.0}, objective
    if name.startswith("eb"):
        return "auto", {"target_binaries_per_planet": float(name[2:])}, objective
    if name.startswith("cen"):  # round 24: the centroid statistics and views, no catalogue
        return "centroid", {"target_binaries_per_planet": float(name[3:])}, objective
    raise SystemExit(f"unknown recipe {recipe!r}")


def weak_weight(recipe: str) -> float:
    """The training weight of planets below the objective's SNR: a ``/wX`` suffix (e.g.
    ``eb2+snr10/w0.3``, round 18), else 1."""
    _, _, weight = recipe.partition("/")
    return float(weight[1:]) if weight.startswith("w") else 1.0


#: What an added variability column reads where it was not measured (no signal, one
#: transit): no trend under the transit, no variability, far from a harmonic (the offset is at
#: most ln(4/3)/2 ≈ 0.14 between the listed ratios), no edge.
VARIABILITY_FILL = {"trend_under_transit": 0.0, "variability_period_days": 0.0,
                    "variability_amplitude_sigma": 0.0, "rotation_harmonic_offset": 1.0,
                    "gap_edge_share": 0.0}


@contextlib.contextmanager
def _wrapped_search_features(wrap):
    """Under this, ``training.features._search_features`` is ``wrap(original)`` (the search
    feature sets of training, injections and scoring all pass through it)."""
    from exohunt.training import features

    original = features._search_features
    features._search_features = wrap(original)
    try:
        yield
    finally:
        features._search_features = original


@contextlib.contextmanager
def with_variability(columns: tuple[str, ...]):
    """Under this, every search feature set (training, injections, scoring) has ``columns``
    of its signals table appended to its statistics (NaN filled with
    :data:`VARIABILITY_FILL`), for the ``var:`` and ``edge:`` recipes."""
    if not columns:  # a recipe without var:/edge: reads what the models read
        yield
        return

    def wrap(original):
        def added(data, jobs, progress, cache_dir, signals_per_star=1, variability=True):
            # training skips the variability statistics by default: computed here
            raw = original(data, jobs, progress, cache_dir, signals_per_star, True)
            stats = raw.stats.copy()
            for column in columns:
                values = raw.signals[column].to_numpy(float)
                stats[column] = np.where(np.isfinite(values), values, VARIABILITY_FILL[column])
            return dataclasses.replace(raw, stats=stats)
        return added

    with _wrapped_search_features(wrap):
        yield


#: Recipe prefixes: the variability columns each adds to the model's inputs.
ADDED_COLUMNS = {"var:": tuple(VARIABILITY_FILL), "edge:": ("gap_edge_share",)}


def added_columns(recipe: str) -> tuple[str, tuple[str, ...]]:
    """(recipe without its ``var:``/``edge:`` prefix, the columns that prefix adds)."""
    for prefix, columns in ADDED_COLUMNS.items():
        if recipe.startswith(prefix):
            return recipe[len(prefix):], columns
    return recipe, ()


#: Centroid source offsets beyond this (pixels) read as unmeasured in the ``offcap:`` recipes:
#: the simulated neighbours lie within 4 px and an aperture spans a few pixels, so an offset
#: of tens of pixels is a noise-dominated shift divided by a small depth, not a source.
OFFSET_CAP_PX = 6.0
OFFSET_COLUMNS = ("centroid_offset_pixels", "centroid_offset_arcsec", "centroid_offset_sigma")


@contextlib.contextmanager
def with_offset_cap():
    """Under this (``offcap:`` recipes, round 20), every search feature set has its centroid
    offsets (pixels, arcsec, σ) set to NaN where the offset exceeds ``OFFSET_CAP_PX``."""
    def wrap(original):
        def capped(*args, **kwargs):
            raw = original(*args, **kwargs)
            stats = raw.stats.copy()
            far = stats["centroid_offset_pixels"].to_numpy(float) > OFFSET_CAP_PX
            for column in OFFSET_COLUMNS:
                stats.loc[far, column] = np.nan
            return dataclasses.replace(raw, stats=stats)
        return capped

    with _wrapped_search_features(wrap):
        yield


#: The column a ``kmin:`` recipe (round 32) adds to the models' statistics.
COMPANION_COLUMN = "companion_radius_ratio_min"


@contextlib.contextmanager
def with_companion_ratio():
    """Under this (``kmin:`` recipes, round 32), every search feature set gains
    :data:`COMPANION_COLUMN`, the smallest companion radius ratio its depth, duration and
    catalogue density allow (:func:`exohunt.training.geometry.companion_ratios`), computed
    from the cached statistics: the search is not run again."""
    from exohunt.training.geometry import companion_ratios

    def wrap(original):
        def added(*args, **kwargs):
            raw = original(*args, **kwargs)
            stats = raw.stats.copy()
            stats[COMPANION_COLUMN] = companion_ratios(stats)
            return dataclasses.replace(raw, stats=stats)
        return added

    with _wrapped_search_features(wrap):
        yield


@contextlib.contextmanager
def with_search_options(options: dict):
    """Under this, every search feature set (training, injections, scoring) is searched with
    ``options`` added to the models' search options, and cached apart (a subfolder of the
    cache named after them), for the ``flares:`` and ``junk:`` recipes. The options travel
    to the worker processes with each task (``extract_features(**search_options)``)."""
    import functools

    import exohunt.search

    original_extract = exohunt.search.extract_features
    tag = "search-" + "-".join(f"{k}={v}" for k, v in sorted(options.items()))

    def wrap(original):
        def searched(data, jobs, progress, cache_dir, *args, **kwargs):
            cache_dir = None if cache_dir is None else Path(cache_dir) / tag
            return original(data, jobs, progress, cache_dir, *args, **kwargs)
        return searched

    exohunt.search.extract_features = functools.partial(original_extract, **options)
    try:
        with _wrapped_search_features(wrap):
            yield
    finally:
        exohunt.search.extract_features = original_extract


#: Recipe prefixes that change every feature set of the recipe (training, injections,
#: scoring; round 20), each with what the features pass under: the flare removal or
#: ``exohunt search``'s junk masking or the period test in the search, centroid offsets capped
#: or a column added after it. Prefixes chain, all before any ``var:``/``edge:``.
FEATURE_PREFIXES = {"flares:": lambda: with_search_options({"flares": True}),
                    "junk:": lambda: with_search_options({"junk": "auto"}),
                    "alias:": lambda: with_search_options({"alias": True}),
                    "noalias:": lambda: with_search_options({"alias": False}),
                    "offcap:": with_offset_cap, "kmin:": with_companion_ratio}


@contextlib.contextmanager
def _entered(contexts: list):
    with contextlib.ExitStack() as stack:
        for context in contexts:
            stack.enter_context(context())
        yield


def feature_prefix(recipe: str):
    """(recipe without its feature prefixes, the context manager its features are made under:
    a no-op without one). Prefixes chain (``alias:kmin:eb3+snr10/w0.3*5#3tk``), entered in
    the order written."""
    contexts = []
    while True:
        prefix = next((p for p in FEATURE_PREFIXES if recipe.startswith(p)), None)
        if prefix is None:
            break
        contexts.append(FEATURE_PREFIXES[prefix])
        recipe = recipe[len(prefix):]
    return recipe, (_entered(contexts) if contexts else contextlib.nullcontext())


#: Round 30's ``m`` flag: statistics the planet probability may not rise with
#: (``GBMConfig.decreasing``): more odd/even difference, secondary eclipse, source offset,
#: density mismatch, or a radius beyond any planet's never makes a signal more planet-like.
DECREASING = ("odd_even_sigma", "secondary_sigma", "secondary_any_sigma", "radius_too_large",
              "centroid_offset_sigma", "density_mismatch_sigma")


def train_recipe(recipe: str, train_curves: list, table: Path, cache: Path, jobs: int,
                 seed: int = 42, config=None, unfound_planets: str = "keep"):
    from exohunt.training import api, train, train_ensemble

    rest, features_made = feature_prefix(recipe)
    if rest != recipe:  # the caller scores under the same prefix (scoring(recipe))
        with features_made:
            return train_recipe(rest, train_curves, table, cache, jobs, seed=seed,
                                config=config, unfound_planets=unfound_planets)
    recipe, columns = added_columns(recipe)
    if columns:  # the caller scores under with_variability(columns) too
        with with_variability(columns):
            return train_recipe(recipe, train_curves, table, cache, jobs, seed=seed,
                                config=config, unfound_planets=unfound_planets)
    recipe, _, signals = recipe.partition("#")
    recipe, _, members = recipe.partition("*")
    context, augment, objective = parse_recipe(recipe)
    flags = signals.lstrip("0123456789")
    signals = signals[:len(signals) - len(flags)]
    if "t" in flags:  # injected stars' top signals only (the default)
        augment = {**augment, "later_signals": False}
    if "l" in flags:  # injected stars' later signals too (round 30's D2)
        augment = {**augment, "later_signals": True}
    # on-target EB injections with companions from radius ratio 0.1 (round 30's K; the
    # package's default since round 32), else from the simulator's 0.25 as every recipe name
    # without k meant when it was run
    augment = {**augment, "target_radius_ratio": (0.1, 1.0) if "k" in flags else (0.25, 1.0)}
    if "g" in flags:  # 60 % of the on-target EB injections grazing, not 30 % (round 32's G)
        augment = {**augment, "target_grazing_share": 0.6}
    if "m" in flags:  # monotonic constraints on the physical vetting statistics (round 30)
        config = {**(config or {}), "decreasing": list(DECREASING)}
    saved = dict(api.MODEL_DEFAULTS["gbm"].get("file_augment", {}))
    api.MODEL_DEFAULTS["gbm"]["file_augment"] = {**saved, **augment}
    options = dict(labels=table, context=context, cache_dir=cache, jobs=jobs, seed=seed,
                   objective=objective, imbalance="inject",
                   weak_positive_weight=weak_weight(recipe), config=config,
                   unfound_planets=unfound_planets,
                   **({"signals_per_star": int(signals)} if signals else {}))
    try:
        if members:
            return train_ensemble(train_curves, "gbm", n_members=int(members), folds=True,
                                  **options)
        return train(train_curves, "gbm", **options)
    finally:
        api.MODEL_DEFAULTS["gbm"]["file_augment"] = saved


@contextlib.contextmanager
def scoring(recipe: str):
    """What a recipe's scoring runs under: its search options and added columns."""
    rest, features_made = feature_prefix(recipe)
    with features_made, with_variability(added_columns(rest)[1]):
        yield


def lowest_planets(truth: pd.DataFrame, p: np.ndarray, raw, n: int = 12) -> tuple[str, dict]:
    """The ``n`` lowest-scoring SNR >= 10 planets as a markdown table, and the match counts."""
    strong = np.flatnonzero((truth["kind"] == "planet").to_numpy() & (truth["snr"] >= 10))
    found = raw.signals["period_days"].to_numpy(float)
    match = period_match(found, truth["period_days"].to_numpy(float))
    order = strong[np.argsort(p[strong])]
    rows = ["| rank | score | true P (d) | found P (d) | match | true SNR | host | "
            + " | ".join(SHOWN) + " |", "|---" * (7 + len(SHOWN)) + "|"]
    for rank, i in enumerate(order[:n], 1):
        stats = raw.stats.iloc[i]
        rows.append(f"| {rank} | {p[i]:.3f} | {truth['period_days'].iat[i]:.3f} | "
                    f"{found[i]:.3f} | {match[i]} | {truth['snr'].iat[i]:.1f} | "
                    f"{truth['host_kind'].iat[i]} | "
                    + " | ".join(f"{float(stats.get(c, np.nan)):.3g}" for c in SHOWN) + " |")
    k95 = int(np.ceil(0.05 * len(strong)))  # the planets below the recall-0.95 threshold
    counts = {"strong": len(strong), "matched": int((match[strong] == "period").sum()),
              "harmonic": int((match[strong] == "harmonic").sum()),
              "bottom": k95, "bottom_missed": int((match[order[:k95]] != "period").sum()),
              "bottom10_missed": int((match[order[:2 * k95]] != "period").sum())}
    return "\n".join(rows), counts


def highest_negatives(truth: pd.DataFrame, p: np.ndarray, raw, n: int = 15) -> str:
    """The ``n`` highest-scoring planet-free stars (every kind but planets) as a markdown
    table: which noise detections a recall-0.95 threshold lets through, and with what."""
    negative = np.flatnonzero((truth["kind"] != "planet").to_numpy())
    order = negative[np.argsort(-p[negative])]
    found = raw.signals["period_days"].to_numpy(float)
    rows = ["| rank | score | kind | host | found P (d) | " + " | ".join(SHOWN) + " |",
            "|---" * (5 + len(SHOWN)) + "|"]
    for rank, i in enumerate(order[:n], 1):
        stats = raw.stats.iloc[i]
        rows.append(f"| {rank} | {p[i]:.3f} | {truth['kind'].iat[i]} | "
                    f"{truth['host_kind'].iat[i]} | {found[i]:.3f} | "
                    + " | ".join(f"{float(stats.get(c, np.nan)):.3g}" for c in SHOWN) + " |")
    return "\n".join(rows)


SEED_KEYS = ("precision_resolvable_at95", "average_precision", "precision_at90",
             "beb_fp_at95", "eb_fp_at95", "far_beb_rejected_stored", "recall_strong_stored")


def seed_table(per_seed: list, seeds: list[int]) -> str:
    """Per recipe: each seed's figures and their mean (markdown)."""
    rows = ["| recipe | seed | " + " | ".join(SEED_KEYS) + " |", "|---" * (2 + len(SEED_KEYS))
            + "|"]
    recipes = list(dict.fromkeys(r for r, _, _ in per_seed))
    for recipe in recipes:
        mine = sorted((s, v) for r, s, v in per_seed if r == recipe)
        rows += [f"| {recipe} | {s} | " + " | ".join(f"{v[k]:.3f}" for k in SEED_KEYS) + " |"
                 for s, v in mine]
        rows.append(f"| {recipe} | mean of {len(mine)} | " + " | ".join(
            f"**{np.mean([v[k] for _, v in mine]):.3f}**" for k in SEED_KEYS) + " |")
    return "\n".join(rows)


def main(argv=None) -> int:
    from exohunt.training.api import UNFOUND_PLANETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--n-dev", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--recipes", default="base")
    parser.add_argument("--out", default=None)
    parser.add_argument("--config", default=None,
                        help="gbm config for every recipe: a named configuration in JSON quotes "
                             "('\"large\"') or a JSON object of overrides")
    parser.add_argument("--dev-seed", type=int, default=DEV_SEED,
                        help="the development split's seed (its test split, searched first by "
                             "bench_context_models.py --stage features --split test "
                             "--test-seed S); never the record's")
    parser.add_argument("--unfound-planets", choices=UNFOUND_PLANETS, default="keep",
                        help="train()'s unfound_planets for every recipe (round 22)")
    parser.add_argument("--seeds", default="42",
                        help="comma-separated training seeds; each recipe is trained with each")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    config = json.loads(args.config) if args.config else None
    from exohunt.training.features import extract

    work = Path(args.work)
    if args.dev_seed in RECORD_SEEDS:
        parser.error(f"--dev-seed {args.dev_seed} is a record test split: choices are not made "
                     "there")
    dev_dir = work / f"test{args.n_dev}-seed{args.dev_seed}"
    cache = work / "cache"
    train_dir, train_truth = training_split(work, args.n_train)
    dev_truth = pd.read_csv(dev_dir / "test_truth.csv")
    train_curves, dev_curves = read_split(train_dir, train_truth), read_split(dev_dir, dev_truth)
    lines = [f"Development set: test split of seed {args.dev_seed}, {len(dev_truth)} stars; "
             f"training: train split of seed {TRAIN_SEED}, {len(train_truth)} stars; gbm config "
             f"{args.config or 'default'}.", ""]
    results, per_seed = {}, []
    for k, recipe in enumerate(args.recipes.split(",")):
        for seed in [*seeds[1:], seeds[0]]:  # the first seed last: its run is the row below
            cpu = time.process_time()
            run = train_recipe(recipe, train_curves, train_dir / "train_truth.csv", cache,
                               args.jobs, seed, config, args.unfound_planets)
            with scoring(recipe):
                p = np.asarray(run.score(dev_curves, jobs=args.jobs, cache_dir=cache))
            per_seed.append((recipe, seed, evaluate(dev_truth, p, run.threshold)))
            print(f"{recipe} seed {seed} ({time.process_time() - cpu:.0f} s CPU): "
                  f"{per_seed[-1][2]}", flush=True)
        results[recipe] = per_seed[-1][2]
        for m, member in enumerate(getattr(run, "members", [])):  # an ensemble's members alone
            with scoring(recipe):
                member_p = member.score(dev_curves, jobs=args.jobs, cache_dir=cache)
            results[f"{recipe} member {m}"] = evaluate(dev_truth, member_p, member.threshold)
            print(f"{recipe} member {m}: {results[f'{recipe} member {m}']}", flush=True)
        if hasattr(run, "members"):
            print(f"{recipe}: out-of-fold threshold {run.config['threshold']}", flush=True)
        if k == 0:
            with scoring(recipe):  # the first recipe's own features for its tables
                raw_dev = extract(dev_curves, "tabular", jobs=args.jobs, cache_dir=cache)
            table, counts = lowest_planets(dev_truth, p, raw_dev)
            lines += [f"Recipe `{recipe}`: SNR >= 10 planets {counts['strong']}, top signal at "
                      f"the period {counts['matched']}, at a harmonic {counts['harmonic']}; of "
                      f"the {counts['bottom']} lowest-scoring (below the recall-0.95 "
                      f"threshold) {counts['bottom_missed']} are not at the period; of the "
                      f"{2 * counts['bottom']} lowest {counts['bottom10_missed']}.", "", table, "",
                      f"Recipe `{recipe}`: the highest-scoring stars without a planet.", "",
                      highest_negatives(dev_truth, p, raw_dev), ""]
    keys = ("far_beb_rejected_stored", "recall_strong_stored", "beb_fp_stored", "eb_fp_stored",
            "beb_fp_at95", "eb_fp_at95", "precision_resolvable_at95", "threshold_stored",
            "threshold_at95")
    lines += ["| recipe | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    lines += [f"| {r} | " + " | ".join(f"{v[k]:.3f}" for k in keys) + " |"
              for r, v in results.items()]
    lines += ["", *(f"- {r}: false positives at recall 0.95 by kind {v['fp_kinds_at95']}"
                    for r, v in results.items() if "fp_kinds_at95" in v)]
    if len(seeds) > 1:
        lines += ["", seed_table(per_seed, seeds)]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
