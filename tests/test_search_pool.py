"""A shared search pool: several extract_features calls, one set of workers, same results."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from _search_synth import noise_lightcurve, planet_lightcurve
from exohunt.search import extract_features
from exohunt.search import pool as search_pool
from exohunt.search.pool import shared_search_pool


def test_calls_inside_a_shared_pool_reuse_its_workers_and_give_the_same_features():
    rng = np.random.default_rng(4)
    curves = [noise_lightcurve(rng) for _ in range(6)]
    curves[2] = planet_lightcurve(rng, period=3.3, snr=20)[0]
    serial = extract_features(curves, jobs=1)
    with shared_search_pool(2):
        pool = search_pool._SHARED[2]
        first = extract_features(curves[:3], jobs=2)
        second = extract_features(curves[3:], jobs=2)
        workers = {pool.submit(os.getpid).result() for _ in range(4)}
        assert search_pool._SHARED[2] is pool  # the same pool served both calls
    assert 2 not in search_pool._SHARED  # closed with the block
    assert len(workers) <= 2 and os.getpid() not in workers
    assert serial.stats.equals(pd.concat([first.stats, second.stats], ignore_index=True))
    for name in serial.views:
        assert np.array_equal(serial.views[name],
                              np.concatenate([first.views[name], second.views[name]]))


def test_one_worker_opens_no_pool():
    with shared_search_pool(1):
        assert 1 not in search_pool._SHARED
