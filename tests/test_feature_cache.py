"""The training feature cache: pieces searched separately join under the whole list's key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _scale_fixtures import N_POINTS
from _search_synth import noise_lightcurve, planet_lightcurve
from exohunt.training.features import cache_joined, extract


def test_cache_joined_equals_one_search_of_the_whole_list_and_is_hit_afterwards(
        tmp_path, monkeypatch):
    rng = np.random.default_rng(11)
    curves = [planet_lightcurve(rng, period=2.0 + 0.3 * k, snr=15.0,
                                n_points=N_POINTS)[0] for k in range(3)]
    curves += [noise_lightcurve(rng, n_points=N_POINTS) for _ in range(3)]
    whole = extract(curves, "tabular", jobs=1)  # no cache: the reference

    cache_joined([curves[:2], curves[2:]], tmp_path, jobs=1)
    # Now every lookup must be a cache hit: a search would fail.
    import exohunt.search as search_pkg
    monkeypatch.setattr(search_pkg, "extract_features",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("searched")))
    joined = extract(curves, "tabular", jobs=1, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(joined.signals, whole.signals)
    pd.testing.assert_frame_equal(joined.stats, whole.stats)
    assert joined.arrays.keys() == whole.arrays.keys()
    for key in whole.arrays:
        np.testing.assert_array_equal(joined.arrays[key], whole.arrays[key])
    cache_joined([curves[:2], curves[2:]], tmp_path, jobs=1)  # already there: no search


def test_injected_features_are_cached_by_their_bytes_so_a_second_run_does_not_search(
        tmp_path, monkeypatch):
    from exohunt.batch import LightCurveBatch
    from exohunt.training.augment import injected_features

    rng = np.random.default_rng(5)
    flux = rng.normal(1.0, 1e-3, (16, N_POINTS)).astype(np.float32)
    labels = np.zeros(16, np.int8)
    labels[:3] = 1
    data = LightCurveBatch(flux, labels, np.arange(N_POINTS) * 0.0204, source="noise")
    options = dict(per_positive=1, binaries_per_planet=1.0, jobs=1, cache_dir=tmp_path)
    first, first_labels = injected_features(data, np.arange(12), labels, "tabular", seed=3,
                                            **options)
    import exohunt.search as search_pkg

    monkeypatch.setattr(search_pkg, "extract_features",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("searched")))
    again, again_labels = injected_features(data, np.arange(12), labels, "tabular", seed=3,
                                            **options)
    np.testing.assert_array_equal(again_labels, first_labels)
    pd.testing.assert_frame_equal(again.stats, first.stats)
    for key in first.arrays:
        np.testing.assert_array_equal(again.arrays[key], first.arrays[key])
    with pytest.raises(AssertionError, match="searched"):  # other injections: a new key
        injected_features(data, np.arange(12), labels, "tabular", seed=4, **options)
