"""GOE Hessians: Monte Carlo samplers, the Pfaffian grid and the Dean-Majumdar fit (DUBE-3).

The exact probabilities live in :mod:`theory.landscape`; this module supplies the independent
evidence: seeded samplers for :func:`numerics.montecarlo.estimate_probability` (module-level, so
they run on process pools and dask), the Pfaffian on a grid of ``n`` with its precision check, and
the least-squares fit of :math:`-\\ln P_n` on :math:`(n^2,n,\\ln n,1)` whose :math:`n^2`
coefficient is compared with Dean & Majumdar's :math:`\\theta=\\ln3/4` (PRL 97, 160201, 2006).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath as mp
import numpy as np
from advgeom.theory import _validate as _v
from advgeom.theory import landscape

__all__ = [
    "DeanMajumdarFit",
    "dean_majumdar_fit",
    "goe_matrices",
    "goe_positive_definite",
    "iid_sign_minimum",
    "pfaffian_log_probabilities",
]

_CHUNK = 50_000
#: Largest batch (matrix entries) a sampler builds at once is bounded by chunking; the largest
#: dimension accepted.
MAX_N = 100


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng = {rng!r} must be a numpy.random.Generator")
    return rng


def _size_n(size, n) -> tuple[int, int]:
    return (_v.integer("size", size, low=1, high=10**9),
            _v.integer("n", n, low=1, high=MAX_N))


def goe_matrices(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """``size`` draws of ``GOE(n)``: symmetric, diagonal N(0, 1), off-diagonal N(0, 1/2), independent.

    The law of :math:`(A+A^\\top)/2` with ``A`` i.i.d. N(0, 1).
    """
    rng = _rng(rng)
    size, n = _size_n(size, n)
    if size * n * n > 2**27:
        raise ValueError(f"size = {size} matrices of n = {n} need {size * n * n:.3g} entries; at "
                         "most 2^27 (1 GiB) at once: use goe_positive_definite, which chunks")
    # Draw only the upper triangle: n(n+1)/2 normals per matrix instead of n^2.
    iu, ju = np.triu_indices(n)
    vals = rng.standard_normal((size, iu.size))
    vals *= np.where(iu == ju, 1.0, math.sqrt(0.5))
    h = np.empty((size, n, n))
    h[:, iu, ju] = vals
    h[:, ju, iu] = vals
    return h


def goe_positive_definite(rng: np.random.Generator, size: int, n: int,
                          method: str = "pivots") -> np.ndarray:
    """Indicator that a ``GOE(n)`` draw is positive definite.

    ``method="pivots"`` (default): symmetric Gaussian elimination vectorized across the batch; the
    matrix is positive definite iff every pivot is positive (Sylvester, via the LDL^T
    factorisation), about ten times faster than LAPACK per small matrix. ``method="eigvalsh"``:
    smallest eigenvalue > 0. Both see the same draws. Chunks keep memory flat for ``10**6`` draws.
    """
    method = _v.choice("method", method, ("pivots", "eigvalsh"))
    rng = _rng(rng)
    size, n = _size_n(size, n)
    chunk = max(1, min(_CHUNK, 2**22 // (n * n)))
    out = np.empty(size, dtype=bool)
    for lo in range(0, size, chunk):
        m = min(chunk, size - lo)
        h = goe_matrices(rng, m, n)
        if method == "eigvalsh":
            out[lo:lo + m] = np.linalg.eigvalsh(h)[:, 0] > 0.0
            continue
        ok = np.ones(m, dtype=bool)
        for k in range(n):
            piv = h[:, k, k]
            ok &= piv > 0.0
            if k + 1 < n:
                col = h[:, k + 1:, k] / np.where(piv > 0.0, piv, 1.0)[:, None]
                h[:, k + 1:, k + 1:] -= col[:, :, None] * h[:, k, None, k + 1:]
        out[lo:lo + m] = ok
    return out


def iid_sign_minimum(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """Indicator of a minimum when the Hessian is diagonal with i.i.d. N(0, 1) eigenvalues.

    The same design as :func:`goe_positive_definite` on diagonal Hessians: the signs are fair
    independent coins, so the probability is :math:`2^{-n}` (DUBE-3, reading 3a).
    """
    rng = _rng(rng)
    size, n = _size_n(size, n)
    out = np.empty(size, dtype=bool)
    step = max(1, 2**22 // n)
    for lo in range(0, size, step):
        m = min(step, size - lo)
        out[lo:lo + m] = np.all(rng.standard_normal((m, n)) > 0.0, axis=1)
    return out


def pfaffian_log_probabilities(n_max: int, precision: int = 30, check: bool = True):
    """:math:`\\ln P_n`, ``n = 1 .. n_max``, as floats, with the precision check.

    Parameters
    ----------
    n_max : int
    precision : int
        Decimal digits of the primary evaluation.
    check : bool
        Recompute at twice the precision and return the largest relative discrepancy.

    Returns
    -------
    values : ndarray of float, shape (n_max,)
    discrepancy : float
        ``max_n |ln P_n(precision) - ln P_n(2 precision)| / |ln P_n(2 precision)|`` (0 if not
        checked).
    """
    n_max = _v.integer("n_max", n_max, low=1, high=landscape.PFAFFIAN_MAX_N)
    precision = _v.integer("precision", precision, low=1, high=landscape.MAX_PRECISION // 2)
    if not isinstance(check, bool | np.bool_):
        raise ValueError(f"check = {check!r} must be True or False")
    first = landscape.goe_log_positive_definite_probabilities(n_max, precision)
    disc = 0.0
    if check:
        second = landscape.goe_log_positive_definite_probabilities(n_max, 2 * precision)
        with mp.workdps(2 * precision):
            disc = max(float(abs((a - b) / b)) for a, b in zip(first, second, strict=True))
    return np.array([float(v) for v in first]), disc


@dataclass(frozen=True)
class DeanMajumdarFit:
    """Least-squares fit :math:`-\\ln P_n\\approx\\theta n^2+c_1n+c_2\\ln n+c_3`."""

    theta: float
    c1: float
    c2: float
    c3: float
    max_residual: float

    @property
    def relative_error(self) -> float:
        """:math:`\\theta/(\\ln 3/4)-1`."""
        return self.theta / landscape.DEAN_MAJUMDAR_THETA - 1.0


def dean_majumdar_fit(ns, log_p) -> DeanMajumdarFit:
    """Fit :math:`-\\ln P_n` on :math:`(n^2,n,\\ln n,1)`; the ``n**2`` coefficient estimates theta.

    The :math:`O(n)` term is large (about ``0.38 n``), so the rate is read from the fit, never from
    :math:`P_n` against :math:`3^{-n^2/4}` directly.
    """
    n = _v.array("ns", ns, ndim=1, min_size=4, low=1.0)
    y = -_v.array("log_p", log_p, ndim=1, high=0.0)
    if y.size != n.size:
        raise ValueError(f"log_p has {y.size} entries but ns has {n.size}: one per dimension")
    if np.unique(n).size < 4:
        raise ValueError(f"ns must hold at least 4 distinct dimensions for a 4-parameter fit, got "
                         f"{np.unique(n).size}")
    design = np.column_stack([n * n, n, np.log(n), np.ones_like(n)])
    # Column scaling keeps the normal equations well conditioned across n^2 and 1.
    scale = np.abs(design).max(axis=0)
    coef = np.linalg.lstsq(design / scale, y, rcond=None)[0] / scale
    resid = float(np.max(np.abs(design @ coef - y)))
    return DeanMajumdarFit(*map(float, coef), max_residual=resid)
