"""The Monte Carlo engine: bit-identical results across chunk sizes and executors, correct intervals."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from advgeom.numerics import montecarlo as mc
from scipy import stats


def _uniform_sum_of_squares(rng: np.random.Generator, size: int) -> np.ndarray:
    return np.sum(rng.random((size, 5)) ** 2, axis=1)


def _below_third(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size) < 1 / 3


def test_bit_identical_across_chunk_sizes_and_executors():
    """Invariant: the estimate depends on the seed and block size only, not on how work is split."""
    seed = mc.claim_seed("HD-7", "determinism")
    kw = {"seed": seed, "block_size": 1000}
    ref = mc.estimate_mean(_uniform_sum_of_squares, 12_345, chunk_blocks=1, **kw)
    for chunk in (2, 5, 13):
        assert mc.estimate_mean(_uniform_sum_of_squares, 12_345, chunk_blocks=chunk, **kw) == ref
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert mc.estimate_mean(_uniform_sum_of_squares, 12_345, chunk_blocks=3, executor=pool,
                                **kw) == ref
    import distributed  # the 'dask' extra, installed by the test command

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert mc.estimate_mean(_uniform_sum_of_squares, 12_345, chunk_blocks=4, executor=client,
                                **kw) == ref
    assert ref.contains(5 / 3)


def test_probability_interval_and_target_precision():
    seed = mc.claim_seed("HD-5", "engine")
    est = mc.estimate_probability(_below_third, 30_000, seed=seed)
    assert est.contains(1 / 3) and est.samples == 30_000
    tgt = mc.estimate_probability(_below_third, 10_000, seed=seed, target_halfwidth=0.01,
                                  max_samples=10**6)
    assert tgt.halfwidth <= 0.01 and tgt.samples < 10**6 and tgt.contains(1 / 3)
    # The first 10,000 draws of the target run are the same stream as a plain 10,000-draw run.
    first = mc.estimate_probability(_below_third, 10_000, seed=seed)
    assert first.samples == 10_000


def test_clopper_pearson_matches_binomial_tails():
    """Invariant: at the Clopper-Pearson bounds each one-sided binomial tail equals (1 - level)/2."""
    k, n, level = 7, 200, 1 - 1e-6
    lo, hi = mc.clopper_pearson(k, n, level)
    assert stats.binom.sf(k - 1, n, lo) == pytest.approx(0.5e-6, rel=1e-8)
    assert stats.binom.cdf(k, n, hi) == pytest.approx(0.5e-6, rel=1e-8)
    wl, wh = mc.wilson(k, n, level)
    assert 0 <= wl < k / n < wh <= 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mc.clopper_pearson(5, 3), "k = 5 must be an integer in \\[0, 3\\]"),
        (lambda: mc.wilson(1, 10, level=1.5), "level"),
        (lambda: mc.estimate_mean(_uniform_sum_of_squares, 1, seed=mc.claim_seed("X-1")), "n_samples"),
        (lambda: mc.estimate_mean(_uniform_sum_of_squares, 10, seed=3), "SeedSequence"),
        (lambda: mc.claim_seed(""), "claim_id"),
    ],
)
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
