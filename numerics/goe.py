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


def goe_matrices(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """``size`` draws of ``GOE(n)``: symmetric, diagonal N(0, 1), off-diagonal N(0, 1/2), independent.

    The law of :math:`(A+A^\\top)/2` with ``A`` i.i.d. N(0, 1).
    """
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
    if method not in ("pivots", "eigvalsh"):
        raise ValueError(f"method must be 'pivots' or 'eigvalsh', got {method!r}")
    out = np.empty(size, dtype=bool)
    for lo in range(0, size, _CHUNK):
        m = min(_CHUNK, size - lo)
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
    return np.all(rng.standard_normal((size, n)) > 0.0, axis=1)


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
    n = np.asarray(ns, dtype=float)
    y = -np.asarray(log_p, dtype=float)
    design = np.column_stack([n * n, n, np.log(n), np.ones_like(n)])
    # Column scaling keeps the normal equations well conditioned across n^2 and 1.
    scale = np.abs(design).max(axis=0)
    coef = np.linalg.lstsq(design / scale, y, rcond=None)[0] / scale
    resid = float(np.max(np.abs(design @ coef - y)))
    return DeanMajumdarFit(*map(float, coef), max_residual=resid)
