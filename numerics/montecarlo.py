"""Reproducible Monte Carlo with confidence intervals, in-process, on a process pool, or on dask.

Design
------
* **Seeds from claim IDs.** :func:`claim_seed` hashes a claim ID (and a label) with SHA-256 into a
  :class:`numpy.random.SeedSequence`, so every test's stream is fixed by what it verifies.
* **Blocks, not chunks, define the stream.** The sample is cut into blocks of ``block_size`` draws;
  block ``i`` uses the ``i``-th child of the seed sequence (``SeedSequence.spawn``). Workers receive
  *chunks* (runs of consecutive blocks), but each block's draws depend only on its index, and the
  per-block partial sums are combined in block order with :func:`math.fsum` (correctly rounded).
  The estimate is therefore bit-identical whatever ``chunk_blocks`` and whichever executor is used.
* **Intervals.** Probabilities: Clopper-Pearson (exact, conservative) or Wilson. Means: CLT with the
  sample variance. The default level is ``1 - 1e-6`` so that a test asserting containment has a
  false-alarm rate of at most 1e-6 (about once in a million runs), i.e. it never flakes in practice.
* **Executors.** ``executor=None`` runs in-process; any object with ``submit(fn, *args)`` returning a
  future with ``.result()`` works, which covers :class:`concurrent.futures.ProcessPoolExecutor` and a
  ``dask.distributed.Client``. Sampling functions must then be picklable (module-level).

Examples
--------
>>> import numpy as np
>>> def below_half(rng, size):
...     return rng.random(size) < 0.5
>>> est = estimate_probability(below_half, 20_000, seed=claim_seed("HD-7", "doctest"))
>>> est.contains(0.5)
True
>>> est.samples
20000
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from advgeom.theory import _validate as check
from scipy import special, stats

__all__ = [
    "DEFAULT_LEVEL",
    "Estimate",
    "claim_seed",
    "clopper_pearson",
    "clt_interval",
    "estimate_mean",
    "estimate_probability",
    "wilson",
]

#: Default confidence level: a false-alarm rate of 1e-6 per assertion.
DEFAULT_LEVEL = 1.0 - 1e-6

Sampler = Callable[[np.random.Generator, int], np.ndarray]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with a two-sided confidence interval.

    ``kind`` is ``"probability"`` or ``"mean"``; ``method`` names the interval
    (``clopper-pearson``, ``wilson`` or ``clt``); ``sd`` is the sample standard deviation (means only).
    """

    estimate: float
    ci_low: float
    ci_high: float
    samples: int
    level: float
    kind: str
    method: str
    sd: float = float("nan")

    @property
    def halfwidth(self) -> float:
        return 0.5 * (self.ci_high - self.ci_low)

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the closed interval [ci_low, ci_high]."""
        return bool(self.ci_low <= x <= self.ci_high)

    def __repr__(self) -> str:
        return (f"Estimate({self.kind} {self.estimate:.6g}, {self.level:.7g}-interval "
                f"[{self.ci_low:.6g}, {self.ci_high:.6g}], n={self.samples}, {self.method})")


def claim_seed(claim_id: str, label: str = "") -> np.random.SeedSequence:
    """The seed sequence for a claim's Monte Carlo stream: SHA-256 of ``"claim_id/label"``.

    >>> claim_seed("SPH-10").entropy == claim_seed("SPH-10").entropy
    True
    >>> claim_seed("SPH-10", "a").entropy == claim_seed("SPH-10", "b").entropy
    False
    """
    if not isinstance(claim_id, str) or not claim_id:
        raise ValueError(f"claim_id={claim_id!r} must be a non-empty string")
    if not isinstance(label, str):
        raise ValueError(f"label={label!r} must be a string")
    digest = hashlib.sha256(f"{claim_id}/{label}".encode()).digest()
    return np.random.SeedSequence(int.from_bytes(digest[:16], "little"))


def _check_level(level: float) -> float:
    return check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)


def _check_counts(k: int, n: int) -> tuple[int, int]:
    n = check.integer("n", n, low=1)
    return check.integer("k", k, low=0, high=n), n


def clopper_pearson(k: int, n: int, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a binomial proportion with ``k`` successes in ``n``.

    Notes
    -----
    :math:`[B^{-1}(a/2; k, n-k+1),\\ B^{-1}(1-a/2; k+1, n-k)]` with :math:`a = 1 - \\text{level}`,
    the bounds 0 and 1 when ``k = 0`` or ``k = n``. The upper bound uses the inverse survival function
    so that it keeps full relative precision for small ``k/n``.

    >>> lo, hi = clopper_pearson(0, 1000, 0.95)
    >>> lo, round(hi, 6)
    (0.0, 0.003682)
    """
    level = _check_level(level)
    k, n = _check_counts(k, n)
    a = 1.0 - level
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.isf(a / 2, k + 1, n - k))
    return lo, hi


def wilson(k: int, n: int, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    >>> lo, hi = wilson(50, 100, 0.95)
    >>> round(lo, 4), round(hi, 4)
    (0.4038, 0.5962)
    """
    level = _check_level(level)
    k, n = _check_counts(k, n)
    z = float(-special.ndtri((1.0 - level) / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def clt_interval(mean: float, sd: float, n: int, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Normal-approximation interval ``mean +- z * sd / sqrt(n)`` for a sample mean.

    >>> lo, hi = clt_interval(1.0, 2.0, 400, 0.95)
    >>> round(hi - 1.0, 4)
    0.196
    """
    level = _check_level(level)
    mean = check.real("mean", mean)
    sd = check.real("sd", sd, low=0.0)
    n = check.integer("n", n, low=2)
    z = float(-special.ndtri((1.0 - level) / 2))
    half = z * sd / math.sqrt(n)
    return mean - half, mean + half


def _block_sums(sampler: Sampler, seed: np.random.SeedSequence, first: int, count: int,
                block_size: int, total: int) -> list[tuple[float, float, int]]:
    """(sum, centred sum of squares, draws) for blocks ``first .. first+count-1``.

    The last block may be short. Centring within the block (two passes) avoids the cancellation of
    ``sum x^2 - n mean^2`` when the mean is large against the spread."""
    out = []
    # Rebuild the children deterministically from the root and the block index (a spawn key),
    # so a worker needs only the root sequence and the block range.
    for i in range(first, first + count):
        size = min(block_size, total - i * block_size)
        child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i))
        x = np.asarray(sampler(np.random.default_rng(child), size), dtype=np.float64)
        if x.shape != (size,):
            raise ValueError(f"sampler returned shape {x.shape}, expected ({size},)")
        if not np.isfinite(x).all():
            raise ValueError("sampler returned a non-finite value (NaN or infinity)")
        total_b = math.fsum(x)
        out.append((total_b, math.fsum((x - total_b / size) ** 2), size))
    return out


def _run_blocks(sampler: Sampler, seed: np.random.SeedSequence, n_blocks_done: int,
                n_blocks: int, block_size: int, total: int, chunk_blocks: int,
                executor: Any) -> list[tuple[float, float, int]]:
    ranges = [(b, min(chunk_blocks, n_blocks - b))
              for b in range(n_blocks_done, n_blocks, chunk_blocks)]
    if executor is None:
        parts = [_block_sums(sampler, seed, b, c, block_size, total) for b, c in ranges]
    else:
        futures = [executor.submit(_block_sums, sampler, seed, b, c, block_size, total)
                   for b, c in ranges]
        parts = [f.result() for f in futures]
    return [s for part in parts for s in part]


def _validate(n_samples: int, block_size: int, chunk_blocks: int) -> None:
    check.integer("n_samples", n_samples, low=2)
    check.integer("block_size", block_size, low=1)
    check.integer("chunk_blocks", chunk_blocks, low=1)


def _simulate(sampler, n_samples, seed, block_size, chunk_blocks, executor, target, max_samples,
              finish, name="sampler"):
    """Run blocks until ``n_samples`` (or, in target mode, until the half-width <= target)."""
    check.func(name, sampler)
    _validate(n_samples, block_size, chunk_blocks)
    if not isinstance(seed, np.random.SeedSequence):
        raise ValueError(f"seed must be a numpy SeedSequence (see claim_seed), got {seed!r}")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ValueError(f"executor = {executor!r} must be None, an Executor or a dask Client")
    if target is not None:
        check.real("target_halfwidth", target, low=0.0, low_open=True)
        check.integer("max_samples", max_samples, low=int(n_samples))
    total = int(n_samples if target is None else max_samples)
    n_blocks_total = -(-total // block_size)
    sums: list[tuple[float, float, int]] = []
    want = -(-int(n_samples) // block_size)
    while True:
        sums += _run_blocks(sampler, seed, len(sums), min(want, n_blocks_total), block_size, total,
                            chunk_blocks, executor)
        est = finish(sums)
        if target is None or est.halfwidth <= target or len(sums) >= n_blocks_total:
            return est
        want = min(n_blocks_total, 2 * len(sums))


def estimate_probability(indicator: Sampler, n_samples: int, *, seed: np.random.SeedSequence,
                         level: float = DEFAULT_LEVEL, method: str = "clopper-pearson",
                         block_size: int = 10_000, chunk_blocks: int = 8, executor: Any = None,
                         target_halfwidth: float | None = None,
                         max_samples: int | None = None) -> Estimate:
    """Estimate P(event) from ``indicator(rng, size) -> bool array``, with an exact interval.

    Parameters
    ----------
    indicator : callable
        ``indicator(rng, size)`` returns ``size`` booleans (module-level for process/dask executors).
    n_samples : int
        Number of draws (in target mode: the first batch).
    seed : SeedSequence
        Usually :func:`claim_seed` of the claim the estimate serves.
    level : float
        Two-sided confidence level, default ``1 - 1e-6``.
    method : {"clopper-pearson", "wilson"}
        Interval for the binomial proportion.
    block_size, chunk_blocks : int
        Draws per independent stream; blocks per task. The result does not depend on ``chunk_blocks``
        nor on the executor, only on ``block_size``.
    executor : None, Executor or dask Client
        Where tasks run.
    target_halfwidth, max_samples : float, int
        Target-precision mode: double the sample until the interval's half-width is at most
        ``target_halfwidth`` or ``max_samples`` draws are used.
    """
    level = _check_level(level)
    check.choice("method", method, ("clopper-pearson", "wilson"))
    interval = clopper_pearson if method == "clopper-pearson" else wilson

    def finish(sums):
        k = int(round(math.fsum(s for s, _, _ in sums)))
        n = sum(m for _, _, m in sums)
        lo, hi = interval(k, n, level)
        return Estimate(k / n, lo, hi, n, level, "probability", method)

    return _simulate(indicator, n_samples, seed, block_size, chunk_blocks, executor,
                     target_halfwidth, max_samples if max_samples is not None else n_samples, finish,
                     name="indicator")


def estimate_mean(sampler: Sampler, n_samples: int, *, seed: np.random.SeedSequence,
                  level: float = DEFAULT_LEVEL, block_size: int = 10_000, chunk_blocks: int = 8,
                  executor: Any = None, target_halfwidth: float | None = None,
                  max_samples: int | None = None) -> Estimate:
    """Estimate E[X] from ``sampler(rng, size) -> float array``, with a CLT interval.

    The variance is the unbiased sample variance from exactly rounded sums. Arguments as in
    :func:`estimate_probability`.
    """
    level = _check_level(level)

    def finish(sums):
        n = sum(m for _, _, m in sums)
        mean = math.fsum(s for s, _, _ in sums) / n
        # Chan et al.'s pooled second moment, combined in block order with exact rounding.
        m2 = math.fsum(q + m * (s / m - mean) ** 2 for s, q, m in sums)
        var = m2 / (n - 1)
        sd = math.sqrt(var)
        lo, hi = clt_interval(mean, sd, n, level)
        return Estimate(mean, lo, hi, n, level, "mean", "clt", sd)

    return _simulate(sampler, n_samples, seed, block_size, chunk_blocks, executor,
                     target_halfwidth, max_samples if max_samples is not None else n_samples, finish)
