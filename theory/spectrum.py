"""Eigen-spectra of neural codes, the Stringer smoothness criterion, and dimensionality.

Mathematics behind Jiang, Zhou & Huang, "Relationship between manifold smoothness and adversarial
vulnerability in deep learning with local errors" (arXiv:2007.02047), claims MAN-1 to MAN-10, and
behind the criterion they borrow from Stringer et al. (Nature 571, 2019): a code of a d-dimensional
stimulus manifold whose covariance eigenvalues decay as ``lambda_n ~ n**-alpha`` can have a finite
mean-square gradient only when ``alpha > 1 + 2/d``.

Notation: ``lambda_1 >= lambda_2 >= ...`` are eigenvalues of the covariance of centred activations;
``alpha`` is the rank exponent of a power law ``lambda_n ∝ n**-alpha``; ``D = (sum lambda)**2 / sum
lambda**2`` is the participation ratio; ``H_N(beta) = sum_{n<=N} n**-beta``.

Examples
--------
>>> stringer_threshold(2)
2
>>> float(stringer_threshold(np.array([1.0, 4.0]))[1])
1.5
>>> lam = power_law_spectrum(1.5, 100)
>>> round(power_law_exponent(lam, ranks=(2, 50)), 10)
1.5
>>> round(float(participation_ratio_power_law(2.0)), 12)
2.5
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
from advgeom.theory import _validate as check
from scipy import special

__all__ = [
    "stringer_threshold",
    "smoothness_series_converges",
    "circle_code_energy",
    "circle_code_msd",
    "circle_code_msd_asymptote",
    "circle_code_msd_constant",
    "reassigned_code_energy",
    "reassigned_code_msd",
    "random_fourier_code_msd",
    "power_law_spectrum",
    "synthetic_activations",
    "spectrum",
    "power_law_exponent",
    "PowerLawFit",
    "window_adequacy",
    "density_to_rank_exponent",
    "participation_ratio",
    "participation_ratio_power_law",
    "Reparametrization",
    "reparametrize_spectrum",
    "linear_clean_accuracy",
    "linear_gaussian_accuracy",
    "linear_fgsm_accuracy",
    "TrendResult",
    "classify_trend",
    "TREND_LABELS",
]

TREND_LABELS = ("increasing", "decreasing", "non-monotone", "inconclusive")

_REL_EIG_CUTOFF = 1e-12

#: Largest number of modes, ranks or terms a function here will allocate.
_MAX_TERMS = 10**8


def _flag(name: str, value: Any) -> bool:
    """A boolean argument (``True``/``False`` or a numpy bool), never a number or a string."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} = {value!r} must be True or False")
    return bool(value)


def _rng(name: str, value: Any) -> Any:
    """A random generator, a seed sequence, a non-negative integer seed, or None."""
    if value is None or isinstance(value, np.random.Generator | np.random.SeedSequence):
        return value
    return check.integer(name, value, low=0)


def _terms(name: str, value: Any, low: int = 1) -> int:
    """A number of modes or terms: an integer in [low, 1e8]."""
    return check.integer(name, value, low=low, high=_MAX_TERMS)


def _out(arr: np.ndarray) -> Any:
    arr = np.asarray(arr, dtype=float)
    return arr if arr.ndim else float(arr)


# ---------------------------------------------------------------------------------------------
# MAN-1: the smoothness criterion and the circle model
# ---------------------------------------------------------------------------------------------


def stringer_threshold(d: Any) -> Any:
    """Critical spectral exponent ``alpha*(d) = 1 + 2/d`` of Stringer et al. (claim MAN-1).

    A code of a d-dimensional stimulus domain whose covariance spectrum decays as
    ``lambda_n >= c n**-alpha`` has infinite mean-square gradient unless ``alpha > 1 + 2/d``.

    Parameters
    ----------
    d : int, sympy Integer, sympy ``oo``, float or ndarray
        Manifold dimension, ``d > 0``.

    Returns
    -------
    sympy Rational for an integer ``d`` (``1`` for ``oo``), else a float ndarray of ``d``'s shape.

    Examples
    --------
    >>> import sympy as sp
    >>> stringer_threshold(1), stringer_threshold(3), stringer_threshold(sp.oo)
    (3, 5/3, 1)
    """
    import sympy as sp

    if d is sp.oo:
        return sp.Integer(1)
    if isinstance(d, (int, np.integer, sp.Integer)) and not isinstance(d, bool):
        if int(d) <= 0:
            raise ValueError(f"d = {d!r} must be a positive dimension (an integer >= 1)")
        return 1 + sp.Rational(2, int(d))
    if isinstance(d, sp.Basic):
        raise ValueError(f"d = {d!r} must be a positive integer, sympy oo, a float or an array")
    arr = check.real_or_array("d", d, low=0.0, low_open=True)
    return _out(1.0 + 2.0 / arr)


def smoothness_series_converges(alpha: Any, d: Any) -> bool:
    """Whether ``sum_n n**(2/d - alpha)`` converges, decided by sympy (claim MAN-1).

    With Weyl's law ``mu_n ≍ n**(2/d)`` for the Neumann eigenvalues of a d-dimensional domain,
    this series is the mean-square gradient of the canonical code with spectrum ``n**-alpha``;
    it converges iff ``alpha > 1 + 2/d``.

    Parameters
    ----------
    alpha : int, float or sympy Rational (floats are read as the rational they print as)
    d : positive int, float or sympy Rational

    Examples
    --------
    >>> import sympy as sp
    >>> smoothness_series_converges(sp.Rational(31, 10), 1), smoothness_series_converges(3, 1)
    (True, False)
    """
    import sympy as sp

    def rational(name: str, value: Any, positive: bool) -> sp.Rational:
        if isinstance(value, sp.Rational):
            x = value
        else:
            x = sp.nsimplify(check.real(name, value))
        if not isinstance(x, sp.Rational) or (positive and not x > 0):
            raise ValueError(f"{name} = {value!r} must be a finite rational number"
                             + (" > 0" if positive else ""))
        return x

    dd = rational("d", d, positive=True)
    aa = rational("alpha", alpha, positive=False)
    n = sp.Symbol("n", integer=True, positive=True)
    return bool(sp.Sum(n ** (2 / dd - aa), (n, 1, sp.oo)).is_convergent())


def _check_alpha_h(alpha: float, h: Any) -> tuple[float, np.ndarray]:
    alpha = check.real("alpha", alpha, low=1.0, low_open=True)
    return alpha, check.real_or_array("h", h, low=0.0, low_open=True)


def circle_code_energy(alpha: float, kmax: int | None = None) -> float:
    """Mean-square gradient ``E|f'|^2 = sum_{k<=kmax} k**(2-alpha)`` of the circle code (MAN-1).

    The circle code ``f_alpha(s) = sum_k k**(-alpha/2) (cos(ks) e_{2k-1} + sin(ks) e_{2k})``,
    ``s ~ U[0, 2 pi)``, has covariance eigenvalues ``k**-alpha / 2`` (each twice), hence rank
    exponent ``alpha``. With ``kmax=None`` the full series: ``zeta(alpha - 2)`` for ``alpha > 3``,
    ``inf`` otherwise (the threshold ``1 + 2/d`` at ``d = 1``).

    Examples
    --------
    >>> circle_code_energy(2.0), round(circle_code_energy(4.0), 12)
    (inf, 1.644934066848)
    >>> circle_code_energy(2.0, kmax=3)
    3.0
    """
    alpha = check.real("alpha", alpha)
    if kmax is None:
        return float(special.zeta(alpha - 2.0)) if alpha > 3 else float("inf")
    kmax = _terms("kmax", kmax)
    k = np.arange(1, kmax + 1, dtype=float)
    return float(np.sum(k ** (2.0 - alpha)))


def circle_code_msd(alpha: float, h: Any, *, kmax: int, tail: bool = False) -> Any:
    """Mean-square displacement ``M(h) = E|f(s+h) - f(s)|^2`` of the circle code (MAN-1).

    ``M(h) = 4 sum_{k<=kmax} k**-alpha sin(k h / 2)**2``; independent of ``s``. Vectorized in ``h``.
    Without ``tail`` this is the code truncated at ``kmax`` modes (the full series differs by at
    most ``4 kmax**(1-alpha)/(alpha-1)``). With ``tail=True`` the infinite code: the terms
    ``k > kmax`` are ``2 k**-alpha (1 - cos kh)``, summed as ``2 zeta(alpha, kmax+1)`` minus the
    oscillating part, which Abel summation bounds by ``(kmax+1)**-alpha / sin(h/2)``; that bound
    is the error, below ``1e-3 M`` for ``kmax >= 100/h`` and ``alpha >= 1.5``.

    Examples
    --------
    >>> round(float(circle_code_msd(2.0, np.pi, kmax=1)), 12)
    4.0
    """
    alpha, harr = _check_alpha_h(alpha, h)
    kmax = _terms("kmax", kmax)
    tail = _flag("tail", tail)
    k = np.arange(1, kmax + 1, dtype=float)
    weights = k ** (-alpha)
    flat = harr.reshape(-1)
    out = np.empty_like(flat)
    for i, hv in enumerate(flat):
        out[i] = 4.0 * np.dot(weights, np.sin(0.5 * k * hv) ** 2)
    if tail:
        out += 2.0 * float(special.zeta(alpha, kmax + 1))
    return _out(out.reshape(harr.shape))


def circle_code_msd_constant(alpha: float) -> float:
    """``I(alpha) = int_0^inf u**-alpha (1 - cos u) du = -pi / (2 cos(pi alpha / 2) Gamma(alpha))``.

    Valid for ``1 < alpha < 3``; the reflection form has no removable singularity at ``alpha = 2``,
    where ``I = pi/2``.

    Examples
    --------
    >>> round(circle_code_msd_constant(2.0), 15) == round(np.pi / 2, 15)
    True
    """
    alpha = check.real("alpha", alpha, low=1.0, high=3.0, low_open=True, high_open=True)
    return float(-np.pi / (2.0 * np.cos(np.pi * alpha / 2.0) * special.gamma(alpha)))


def circle_code_msd_asymptote(alpha: float, h: Any) -> Any:
    """Small-``h`` asymptote of the circle code's ``M(h)`` (MAN-1).

    ``2 I(alpha) h**(alpha-1)`` for ``1 < alpha < 3`` (a fractal code: ``M/h^2 -> inf``),
    ``h^2 log(1/h)`` at ``alpha = 3`` (leading order), ``zeta(alpha-2) h^2`` for ``alpha > 3``.

    Examples
    --------
    >>> round(float(circle_code_msd_asymptote(4.0, 0.1)), 12)
    0.016449340668
    """
    alpha, harr = _check_alpha_h(alpha, h)
    if alpha < 3:
        out = 2.0 * circle_code_msd_constant(alpha) * harr ** (alpha - 1.0)
    elif alpha == 3:
        out = harr**2 * np.log(1.0 / harr)
    else:
        out = float(special.zeta(alpha - 2.0)) * harr**2
    out = np.asarray(out, dtype=float)
    return out if out.ndim else float(out)


def reassigned_code_energy(alpha: float, q: float, M: int) -> np.ndarray:
    """Partial sums ``sum_{n<=m} n**(2q - alpha)``, ``m = 1..M``, of a reassigned code (MAN-1).

    The code ``g(s) = sum_n n**(-alpha/2) (cos(n**q s) e_{2n-1} + sin(n**q s) e_{2n})`` has the
    same PCA spectrum as the circle code ``f_alpha`` (the frequencies ``m_n = n**q`` are distinct),
    but its mean-square gradient ``sum n**(2q-alpha)`` diverges whenever ``alpha <= 2q + 1``:
    ``alpha > 1 + 2/d`` is necessary, not sufficient.

    Examples
    --------
    >>> reassigned_code_energy(4.0, 2, 3).tolist()
    [1.0, 2.0, 3.0]
    """
    alpha = check.real("alpha", alpha)
    q = check.real("q", q, low=0.0)
    M = _terms("M", M)
    n = np.arange(1, M + 1, dtype=float)
    out = np.cumsum(n ** (2.0 * q - alpha))
    if not np.all(np.isfinite(out)):
        raise ValueError(f"q = {q!r}: the partial sums overflow double precision (2q - alpha "
                         f"= {2 * q - alpha:g} is too large for M = {M})")
    return out


def reassigned_code_msd(alpha: float, q: float, h: Any, *, kmax: int) -> Any:
    """``M(h) = 4 sum_{n<=kmax} n**-alpha sin(n**q h / 2)**2`` of the reassigned code (MAN-1).

    Examples
    --------
    >>> round(float(reassigned_code_msd(4.0, 2, np.pi, kmax=1)), 12)
    4.0
    """
    alpha, harr = _check_alpha_h(alpha, h)
    q = check.real("q", q, low=0.0, high=4.0)
    kmax = _terms("kmax", kmax)
    n = np.arange(1, kmax + 1, dtype=float)
    freq = n**q
    weights = n ** (-alpha)
    flat = harr.reshape(-1)
    out = np.array([4.0 * np.dot(weights, np.sin(0.5 * freq * hv) ** 2) for hv in flat])
    return _out(out.reshape(harr.shape))


def random_fourier_code_msd(alpha: float, h: Any, norms: np.ndarray) -> Any:
    """``E_s |f(s+h) - f(s)|^2`` for a random Fourier code with given coefficient norms (MAN-1).

    For ``f(s) = sum_{k<=K} k**(-alpha/2) (a_k cos(ks) + b_k sin(ks))`` with vectors ``a_k, b_k``
    and ``s ~ U[0, 2 pi)``, cross terms between frequencies average out and
    ``E_s |f(s+h) - f(s)|^2 = sum_k 2 k**-alpha sin(kh/2)**2 (|a_k|^2 + |b_k|^2)``. ``norms[k-1]``
    is ``|a_k|^2 + |b_k|^2``; with ``norms = 2`` this is the circle code's ``M(h)``.

    Examples
    --------
    >>> exact = circle_code_msd(2.0, np.pi, kmax=1)
    >>> float(random_fourier_code_msd(2.0, np.pi, np.array([2.0]))) == exact
    True
    """
    alpha, harr = _check_alpha_h(alpha, h)
    norms = check.array("norms", norms, ndim=1, low=0.0)
    if norms.size > _MAX_TERMS:
        raise ValueError(f"norms has {norms.size} entries; at most {_MAX_TERMS} are allowed")
    k = np.arange(1, norms.size + 1, dtype=float)
    weights = 2.0 * k ** (-alpha) * norms
    flat = harr.reshape(-1)
    out = np.array([np.dot(weights, np.sin(0.5 * k * hv) ** 2) for hv in flat]).reshape(harr.shape)
    return _out(out)


# ---------------------------------------------------------------------------------------------
# MAN-3: spectra and the exponent estimator
# ---------------------------------------------------------------------------------------------


def power_law_spectrum(alpha: float, N: int) -> np.ndarray:
    """The exact power law ``lambda_n = n**-alpha``, ``n = 1..N`` (MAN-3, MAN-4).

    Examples
    --------
    >>> power_law_spectrum(2.0, 3).tolist()
    [1.0, 0.25, 0.1111111111111111]
    """
    alpha = check.real("alpha", alpha, low=0.0)
    N = _terms("N", N)
    lam = np.arange(1, N + 1, dtype=float) ** (-alpha)
    if not lam[-1] > 0:
        raise ValueError(f"alpha = {alpha!r}: N**-alpha underflows to 0 for N = {N}; use a smaller "
                         "alpha or N")
    return lam


def synthetic_activations(
    alpha: float, N: int, P: int, *, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """``P x N`` Gaussian activations ``X = Z diag(sqrt(n**-alpha)) Q^T``, ``Q`` Haar (MAN-3).

    The population covariance has eigenvalues exactly ``n**-alpha``; the sample spectrum is that
    law distorted by finite ``P/N`` (Marchenko-Pastur).

    Examples
    --------
    >>> synthetic_activations(1.0, 5, 7, rng=0).shape
    (7, 5)
    """
    N = check.integer("N", N, low=1, high=10_000)
    P = check.integer("P", P, low=2, high=10**7 // N)
    rng = np.random.default_rng(_rng("rng", rng))
    lam = power_law_spectrum(alpha, N)
    # Haar orthogonal matrix: QR of a Gaussian matrix with the signs of diag(R) fixed (Mezzadri)
    Q, R = np.linalg.qr(rng.standard_normal((N, N)))
    Q = Q * np.sign(np.diag(R))
    Z = rng.standard_normal((P, N))
    return (Z * np.sqrt(lam)) @ Q.T


def _descending_eigs(H: np.ndarray) -> np.ndarray:
    s = np.linalg.svd(H, compute_uv=False)
    lam = s**2 / max(H.shape[0] - 1, 1)
    if lam.size == 0 or lam[0] <= 0:
        return lam[:0]
    return lam[lam > _REL_EIG_CUTOFF * lam[0]]


def _covariance_eigs(H: np.ndarray) -> np.ndarray:
    """Descending covariance eigenvalues via ``eigvalsh`` of the N x N covariance.

    Faster than the SVD for P >> N; absolute errors are ``O(eps lambda_1)``, negligible on fit
    windows well above ``1e-12 lambda_1``. Used for bootstrap resamples.
    """
    Hc = H - H.mean(axis=0)
    lam = np.linalg.eigvalsh(Hc.T @ Hc / max(H.shape[0] - 1, 1))[::-1]
    if lam.size == 0 or lam[0] <= 0:
        return lam[:0]
    return lam[lam > _REL_EIG_CUTOFF * lam[0]]


def spectrum(
    activations: np.ndarray,
    *,
    center: bool = True,
    cv: bool = False,
    n_splits: int = 5,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """Eigenvalues of the activation covariance, descending (MAN-3).

    Parameters
    ----------
    activations : ndarray, shape (P, N)
        ``P`` stimuli (rows) by ``N`` neurons.
    center : bool
        Subtract the mean over stimuli first (covariance) or not (second moment).
    cv : bool
        Split-half cross-validated spectrum: principal axes from one random half of the stimuli,
        variance of the other half along them, averaged over ``n_splits`` seeded splits. It removes
        the finite-sample overfitting of the top components (Stringer's cvPCA needs two noisy
        repeats; a deterministic network has none).

    Returns
    -------
    ndarray
        ``lambda_1 >= lambda_2 >= ...`` with ``lambda_n > 1e-12 lambda_1`` (plain PCA, divisor
        ``P - 1``); for ``cv=True``, the held-out variances in the order of the training axes.

    Examples
    --------
    >>> H = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [0.0, -0.5]])
    >>> spectrum(H).round(6).tolist()
    [0.666667, 0.166667]
    """
    H = check.array("activations", activations, ndim=2)
    if H.shape[0] < 2:
        raise ValueError(f"activations must be a (P, N) array with P >= 2 stimuli, got shape "
                         f"{H.shape}")
    center = _flag("center", center)
    cv = _flag("cv", cv)
    n_splits = check.integer("n_splits", n_splits, low=1, high=1000)
    rng = _rng("rng", rng)
    if not cv:
        lam = _descending_eigs(H - H.mean(axis=0) if center else H)
        if lam.size == 0:
            raise ValueError("activations are constant over the stimuli: the covariance is zero "
                             "and has no spectrum")
        return lam
    if H.shape[0] < 4:
        raise ValueError(f"activations: cv=True needs P >= 4 stimuli, got {H.shape[0]}")
    rng = np.random.default_rng(rng)
    P = H.shape[0]
    acc: np.ndarray | None = None
    for _ in range(int(n_splits)):
        perm = rng.permutation(P)
        a, b = H[perm[: P // 2]], H[perm[P // 2 :]]
        if center:
            a, b = a - a.mean(axis=0), b - b.mean(axis=0)
        _, s, vt = np.linalg.svd(a, full_matrices=False)
        keep = s**2 > _REL_EIG_CUTOFF * s[0] ** 2
        proj = b @ vt[keep].T
        var = np.sum(proj**2, axis=0) / max(b.shape[0] - 1, 1)
        if acc is None:
            acc = var
        else:
            m = min(acc.size, var.size)
            acc = acc[:m] + var[:m]
    assert acc is not None
    if acc.size == 0 or not np.any(acc > 0):
        raise ValueError("activations are constant over the stimuli: the covariance is zero and "
                         "has no spectrum")
    return acc / n_splits


@dataclass(frozen=True)
class PowerLawFit:
    """Result of :func:`power_law_exponent` with ``return_fit=True``.

    ``log lambda_n ≈ intercept - alpha log n`` on ranks ``lo..hi``; ``r2`` is the weighted R^2.
    """

    alpha: float
    intercept: float
    r2: float
    ranks: tuple[int, int]
    weights: str


def _check_ranks(ranks: tuple[int, int], name: str = "ranks") -> tuple[int, int]:
    if not isinstance(ranks, tuple | list | np.ndarray) or np.ndim(ranks) != 1 or len(ranks) != 2:
        raise ValueError(f"{name} = {ranks!r} must be a pair (lo, hi) of integers")
    lo, hi = (check.integer(name, r, low=1, high=_MAX_TERMS) for r in ranks)
    if hi <= lo:
        raise ValueError(f"{name} = {ranks!r} must satisfy 1 <= lo < hi (1-based, inclusive)")
    return lo, hi


def power_law_exponent(
    eigenvalues: np.ndarray,
    *,
    ranks: tuple[int, int] = (2, 30),
    weights: str = "1/n",
    return_fit: bool = False,
) -> Any:
    """Rank exponent ``alpha`` of ``lambda_n ∝ n**-alpha`` by weighted least squares (MAN-3).

    Regresses ``log lambda_n`` on ``-log n`` over the 1-based inclusive window ``lo..hi``; with
    ``weights="1/n"`` each squared residual carries weight ``1/n`` (Stringer et al. 2019), which
    balances the log-spaced density of ranks; ``"uniform"`` is ordinary least squares.

    Parameters
    ----------
    eigenvalues : ndarray, shape (..., N)
        Descending eigenvalues along the last axis.
    ranks : (lo, hi)
        Fit window; ``hi`` must not exceed the numerical rank (eigenvalues above
        ``1e-12 lambda_1``).
    weights : {"1/n", "uniform"}
    return_fit : bool
        Return a :class:`PowerLawFit` (1-D input only) instead of ``alpha``.

    Returns
    -------
    float, or ndarray of shape ``eigenvalues.shape[:-1]``.

    Notes
    -----
    ``alpha = -sum w (x - xbar)(y - ybar) / sum w (x - xbar)^2`` with ``x = log n``,
    ``y = log lambda_n`` and weighted means. Invariant under ``lambda -> c lambda``; multiplying by
    ``n**-delta`` shifts ``alpha`` by exactly ``delta``.

    Examples
    --------
    >>> lam = 2.0 * power_law_spectrum(0.75, 40)
    >>> round(power_law_exponent(lam, ranks=(1, 40), weights="uniform"), 12)
    0.75
    """
    lam = check.array("eigenvalues", eigenvalues, low=0.0)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must be an array of at least one dimension")
    lo, hi = _check_ranks(ranks)
    weights = check.choice("weights", weights, ("1/n", "uniform"))
    return_fit = _flag("return_fit", return_fit)
    if lam.shape[-1] < hi:
        raise ValueError(f"ranks={ranks!r}: hi={hi} exceeds the {lam.shape[-1]} eigenvalues given")
    if np.any(np.diff(lam, axis=-1) > 0):
        raise ValueError("eigenvalues must be in descending order along the last axis "
                         "(lambda_1 >= lambda_2 >= ...)")
    top = lam[..., :1]
    window = lam[..., lo - 1 : hi]
    if np.any(~(window > _REL_EIG_CUTOFF * top)) or np.any(top <= 0):
        raise ValueError(
            f"ranks={ranks!r}: hi={hi} exceeds the numerical rank (eigenvalues in the window must "
            f"exceed 1e-12 lambda_1 > 0)"
        )
    n = np.arange(lo, hi + 1, dtype=float)
    x = np.log(n)
    w = 1.0 / n if weights == "1/n" else np.ones_like(n)
    w = w / w.sum()
    y = np.log(window)
    xbar = np.dot(w, x)
    ybar = np.sum(w * y, axis=-1)
    xc = x - xbar
    slope = np.sum(w * xc * (y - ybar[..., None]), axis=-1) / np.dot(w, xc**2)
    alpha = -slope
    if return_fit:
        if lam.ndim != 1:
            raise ValueError("return_fit=True needs a 1-D eigenvalue array")
        intercept = float(ybar + alpha * xbar)
        resid = y - (intercept - alpha * x)
        tot = np.dot(w, (y - ybar) ** 2)
        r2 = float(1.0 - np.dot(w, resid**2) / tot) if tot > 0 else 1.0
        return PowerLawFit(float(alpha), intercept, r2, (lo, hi), weights)
    return float(alpha) if np.ndim(alpha) == 0 else alpha


def window_adequacy(
    activations: np.ndarray,
    *,
    ranks: Any,
    n_boot: int = 200,
    weights: str = "1/n",
    rng: np.random.Generator | int | None = None,
    level: float = 0.95,
) -> Any:
    """Is one power law adequate on the window? Compare the exponents of its two halves (MAN-3).

    The window ``lo..hi`` is split at its geometric midpoint ``sqrt(lo*hi)``; the exponents of the
    lower and upper halves are fitted on the spectrum and on ``n_boot`` bootstrap resamples of the
    stimuli (rows). The window is adequate when the percentile interval of
    ``alpha_upper - alpha_lower`` contains 0, or when ``|alpha_upper - alpha_lower| <= 0.2 alpha``.

    Parameters
    ----------
    ranks : (lo, hi) or list of (lo, hi)
        One window, or several sharing the same bootstrap resamples.

    Returns
    -------
    dict (a list of dicts for a list of windows) with ``alpha``, ``alpha_lower``,
    ``alpha_upper``, ``split_rank``, ``diff``, ``diff_ci``, ``adequate``.

    Examples
    --------
    >>> H = synthetic_activations(1.5, 40, 2000, rng=1)
    >>> window_adequacy(H, ranks=(2, 20), n_boot=20, rng=0)["adequate"]
    True
    """
    H = check.array("activations", activations, ndim=2)
    single = np.ndim(ranks) == 1
    if not single and (np.ndim(ranks) != 2 or len(ranks) == 0):
        raise ValueError(f"ranks = {ranks!r} must be a pair (lo, hi) or a list of pairs")
    windows = [_check_ranks(ranks)] if single else [_check_ranks(r) for r in ranks]
    n_boot = check.integer("n_boot", n_boot, low=2, high=100_000)
    weights = check.choice("weights", weights, ("1/n", "uniform"))
    level = check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    rng = _rng("rng", rng)
    splits = []
    for lo, hi in windows:
        mid = int(round(np.sqrt(lo * hi)))
        splits.append(min(max(mid, lo + 1), hi - 1))
    rng = np.random.default_rng(rng)

    def fits(lam: np.ndarray) -> list[tuple[float, float, float]]:
        return [
            (
                power_law_exponent(lam, ranks=(lo, hi), weights=weights),
                power_law_exponent(lam, ranks=(lo, mid), weights=weights),
                power_law_exponent(lam, ranks=(mid, hi), weights=weights),
            )
            for (lo, hi), mid in zip(windows, splits, strict=True)
        ]

    base = fits(spectrum(H))
    top = max(hi for _, hi in windows)
    P = H.shape[0]
    boot = np.empty((int(n_boot), top))
    for r in range(int(n_boot)):
        lam = _covariance_eigs(H[rng.integers(0, P, P)])
        if lam.size < top:
            raise ValueError(f"ranks={ranks!r}: a bootstrap resample has numerical rank "
                             f"{lam.size} < {top}")
        boot[r] = lam[:top]
    diffs = np.empty((int(n_boot), len(windows)))
    for w, ((lo, hi), mid) in enumerate(zip(windows, splits, strict=True)):
        diffs[:, w] = power_law_exponent(boot, ranks=(mid, hi), weights=weights) - (
            power_law_exponent(boot, ranks=(lo, mid), weights=weights))
    tail = 0.5 * (1.0 - level)
    out = []
    for w, (alpha, a_lo, a_hi) in enumerate(base):
        ci = (float(np.quantile(diffs[:, w], tail)), float(np.quantile(diffs[:, w], 1.0 - tail)))
        diff = a_hi - a_lo
        out.append({
            "alpha": alpha,
            "alpha_lower": a_lo,
            "alpha_upper": a_hi,
            "split_rank": splits[w],
            "diff": diff,
            "diff_ci": ci,
            "adequate": bool(ci[0] <= 0.0 <= ci[1] or abs(diff) <= 0.2 * abs(alpha)),
        })
    return out[0] if single else out


def density_to_rank_exponent(gamma: Any) -> Any:
    """Convert a density (Hill/MLE) exponent ``gamma`` to the rank exponent ``alpha = 1/(gamma-1)``.

    If ``lambda_n ∝ n**-alpha``, the eigenvalue density is ``p(lambda) ∝ lambda**-(1 + 1/alpha)``.

    Examples
    --------
    >>> density_to_rank_exponent(2.0)
    1.0
    """
    g = check.real_or_array("gamma", gamma, low=1.0, low_open=True)
    return _out(1.0 / (g - 1.0))


# ---------------------------------------------------------------------------------------------
# MAN-4: participation ratio
# ---------------------------------------------------------------------------------------------


def participation_ratio(eigenvalues: np.ndarray) -> Any:
    """Participation ratio ``D = (sum lambda)^2 / sum lambda^2`` along the last axis (MAN-4).

    ``1 <= D <= rank``, with ``D = rank`` iff the non-zero eigenvalues are equal.

    Examples
    --------
    >>> participation_ratio(np.ones(7))
    7.0
    """
    lam = check.array("eigenvalues", eigenvalues, low=0.0)
    if lam.ndim == 0 or lam.shape[-1] == 0:
        raise ValueError("eigenvalues must be a non-empty array")
    # the ratio is scale-free: rescale by the largest eigenvalue first, so that tiny (1e-300) or
    # huge spectra neither underflow nor overflow when squared
    scale = lam.max(axis=-1, keepdims=True)
    if np.any(scale <= 0):
        raise ValueError("eigenvalues must not be all zero (along the last axis)")
    u = lam / scale
    out = np.sum(u, axis=-1) ** 2 / np.sum(u**2, axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def _harmonic(s: Any, N: int | None) -> Any:
    if N is None:
        return mpmath.zeta(s)
    if s == 1:
        return mpmath.harmonic(N)
    return mpmath.zeta(s) - mpmath.zeta(s, N + 1)


def participation_ratio_power_law(
    alpha: Any, N: int | None = None, *, precision: int | None = None
) -> Any:
    """``D(alpha, N) = H_N(alpha)^2 / H_N(2 alpha)`` for an exact power law on ``N`` modes (MAN-4).

    ``N=None`` gives the limit ``zeta(alpha)^2 / zeta(2 alpha)`` (needs ``alpha > 1``).
    ``H_N(s) = zeta(s) - zeta(s, N+1)`` (Hurwitz), valid for every ``s != 1``.

    Parameters
    ----------
    alpha : float or ndarray, ``alpha >= 0``
    N : int or None
    precision : int or None
        Decimal digits; when given, returns an mpmath number (scalar ``alpha`` only).

    Examples
    --------
    >>> participation_ratio_power_law(2.0, precision=30)
    mpf('2.5')
    >>> round(float(participation_ratio_power_law(0.0, 10)), 12)
    10.0
    """
    if N is not None:
        N = check.integer("N", N, low=1)
    precision = check.precision("precision", precision, high=1000)
    if isinstance(alpha, mpmath.mpf):
        alpha = check.real("alpha", alpha, low=0.0)
    a = check.real_or_array("alpha", alpha, low=0.0)
    if N is None and np.any(a <= 1):
        raise ValueError(f"alpha = {alpha!r} must be > 1 for the N -> infinity limit (N = None)")

    def one(av: Any, dps: int) -> Any:
        with mpmath.workdps(dps):
            av = mpmath.mpf(av)
            return +(_harmonic(av, N) ** 2 / _harmonic(2 * av, N))

    if precision is not None:
        if a.ndim:
            raise ValueError(f"precision = {precision!r} needs a scalar alpha, got an array of "
                             f"shape {a.shape}")
        with mpmath.workdps(precision):
            return one(mpmath.mpf(alpha) if not isinstance(alpha, float) else alpha, precision)
    out = np.array([float(one(v, 20)) for v in a.reshape(-1)]).reshape(a.shape)
    return out if out.ndim else float(out)


# ---------------------------------------------------------------------------------------------
# MAN-5, MAN-8: counterexamples
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reparametrization:
    """Function-preserving change of coordinates ``h' = T (h - m)``, ``B' = B T^{-1}`` (MAN-5).

    ``B' h' + B m == B h`` for every ``h``, yet the covariance of ``h'`` on the reference set is
    ``diag(n**-beta)`` exactly.
    """

    T: np.ndarray
    T_inv: np.ndarray
    mean: np.ndarray
    readout: np.ndarray
    offset: np.ndarray
    activations: np.ndarray
    beta: float
    condition: float = field(default=float("nan"))

    def transform(self, H: np.ndarray) -> np.ndarray:
        """Map activations ``h`` (rows) to ``h' = T (h - m)``."""
        return (np.asarray(H, dtype=float) - self.mean) @ self.T.T

    def logits(self, H_new: np.ndarray) -> np.ndarray:
        """Logits ``B' h' + B m`` of reparametrized activations (rows)."""
        return H_new @ self.readout.T + self.offset


def reparametrize_spectrum(H: np.ndarray, B: np.ndarray, beta: float) -> Reparametrization:
    """Give a layer any spectral exponent ``beta`` without changing what it computes (MAN-5, MAN-8).

    With ``C = U Lambda U^T`` the covariance of the rows of ``H`` (full rank required:
    ``lambda_min > 1e-10 lambda_max``), ``T = diag(n**(-beta/2)) Lambda**(-1/2) U^T``,
    ``h' = T(h - m)``, ``B' = B T^{-1}``: then ``B' h' + B m = B h`` for every input and the
    covariance of ``h'`` on ``H`` is ``diag(n**-beta)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> H, B = rng.standard_normal((50, 4)), rng.standard_normal((3, 4))
    >>> r = reparametrize_spectrum(H, B, 2.0)
    >>> bool(np.allclose(r.logits(r.activations), H @ B.T))
    True
    >>> np.round(spectrum(r.activations), 10).tolist()
    [1.0, 0.25, 0.1111111111, 0.0625]
    """
    H = check.array("H", H, ndim=2)
    B = check.array("B", B, ndim=2)
    if B.shape[1] != H.shape[1]:
        raise ValueError(f"B must have shape (K, N) with N = {H.shape[1]} (the columns of H), got "
                         f"{B.shape}")
    if H.shape[0] <= H.shape[1]:
        raise ValueError(f"H must have more stimuli than neurons (P > N) for a full-rank "
                         f"covariance, got shape {H.shape}")
    beta = check.real("beta", beta, low=0.0, high=50.0)
    m = H.mean(axis=0)
    Hc = H - m
    C = Hc.T @ Hc / (H.shape[0] - 1)
    lam, U = np.linalg.eigh(C)
    lam, U = lam[::-1], U[:, ::-1]
    if not lam[0] > 0 or lam[-1] <= 1e-10 * lam[0]:
        ratio = lam[-1] / lam[0] if lam[0] > 0 else 0.0
        raise ValueError(
            "H: covariance is (numerically) singular, lambda_min/lambda_max = "
            f"{ratio:.3g} must exceed 1e-10"
        )
    target = power_law_spectrum(beta, H.shape[1])
    T = (np.sqrt(target / lam))[:, None] * U.T
    T_inv = U * np.sqrt(lam / target)[None, :]
    Hn = Hc @ T.T
    return Reparametrization(
        T=T,
        T_inv=T_inv,
        mean=m,
        readout=B @ T_inv,
        offset=B @ m,
        activations=Hn,
        beta=float(beta),
        condition=float(np.sqrt(lam[0] / lam[-1] / target[-1])),
    )


def _check_w_mu(w: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = check.array("w", w, ndim=1)
    mu = check.array("mu", mu, ndim=1)
    if w.shape != mu.shape:
        raise ValueError(f"mu must have the length of w ({w.size}), got shape {mu.shape}")
    if not np.any(w != 0):
        raise ValueError("w must be non-zero")
    if not np.isfinite(np.linalg.norm(w)) or not np.isfinite(np.dot(w, mu)):
        raise ValueError("w: |w| or w.mu overflows double precision; rescale w")
    return w, mu


def linear_clean_accuracy(w: np.ndarray, mu: np.ndarray) -> float:
    """``Phi(w.mu / |w|_2)``: accuracy of ``sign(w.x)`` on ``x = y mu + z``, ``z ~ N(0, I)``.

    Claim MAN-8.

    Examples
    --------
    >>> round(linear_clean_accuracy(np.array([1.0, 0.0]), np.array([1.0, 0.0])), 6)
    0.841345
    """
    w, mu = _check_w_mu(w, mu)
    return float(special.ndtr(np.dot(w, mu) / np.linalg.norm(w)))


def linear_gaussian_accuracy(w: np.ndarray, mu: np.ndarray, sigma: Any) -> Any:
    """``Phi(w.mu / (|w|_2 sqrt(1 + sigma^2)))``: accuracy under noise ``sigma xi`` (MAN-8).

    Only the L2 geometry (``cos(w, mu)``) enters. Vectorized in ``sigma >= 0``.
    """
    w, mu = _check_w_mu(w, mu)
    s = check.real_or_array("sigma", sigma, low=0.0)
    return _out(special.ndtr(np.dot(w, mu) / (np.linalg.norm(w) * np.sqrt(1.0 + s**2))))


def linear_fgsm_accuracy(w: np.ndarray, mu: np.ndarray, eps: Any) -> Any:
    """``Phi((w.mu - eps |w|_1) / |w|_2)``: accuracy under FGSM with L-inf budget ``eps`` (MAN-8).

    FGSM moves ``x`` by ``-eps y sign(w)``, lowering the margin ``y w.x`` by exactly
    ``eps |w|_1``, the largest drop any ``|delta|_inf <= eps`` achieves. ``|w|_1/|w|_2`` ranges over
    ``[1, sqrt(p)]``, so two classifiers with equal clean and Gaussian accuracy can differ widely.
    """
    w, mu = _check_w_mu(w, mu)
    e = check.real_or_array("eps", eps, low=0.0)
    return _out(special.ndtr((np.dot(w, mu) - e * np.abs(w).sum()) / np.linalg.norm(w)))


# ---------------------------------------------------------------------------------------------
# Decision rule for the empirical claims (MAN-5, MAN-6, MAN-7)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """Outcome of :func:`classify_trend`.

    ``label`` is one of :data:`TREND_LABELS`; ``pairs`` rows are
    ``(i, j, dalpha, p_alpha, kept, delta, p_delta, significant)`` with conditions ordered so that
    ``mean alpha_j > mean alpha_i`` and ``delta = mean_s(A_j - A_i)``.
    """

    label: str
    rho_mean: float
    rho_ci: tuple[float, float]
    rho_per_seed: np.ndarray
    increasing_pairs: list[tuple[int, int]]
    decreasing_pairs: list[tuple[int, int]]
    pairs: list[tuple[int, int, float, float, bool, float, float, bool]]
    not_a_function: bool
    largest_delta: float
    largest_delta_ci: tuple[float, float]
    level: float
    order: np.ndarray


def _paired_p(diff: np.ndarray) -> float:
    """Two-sided paired t-test p-value. Only an exactly constant difference is special: zero gives
    p = 1, a non-zero constant p = 0 (the t statistic is infinite). Differences that vary, however
    little, get the t-test's p-value."""
    from scipy import stats

    if np.all(diff == diff[0]):
        return 0.0 if diff[0] != 0 else 1.0
    import warnings

    with warnings.catch_warnings():
        # nearly constant differences: scipy warns about precision, the p-value is still tiny
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_1samp(diff, 0.0).pvalue)


def _holm(pvalues: list[float], level: float) -> list[bool]:
    m = len(pvalues)
    reject = [False] * m
    for rank, idx in enumerate(np.argsort(pvalues, kind="stable")):
        if pvalues[idx] <= level / (m - rank):
            reject[idx] = True
        else:
            break
    return reject


def _spearman_rows(alpha: np.ndarray, acc: np.ndarray) -> np.ndarray:
    from scipy import stats

    out = np.zeros(alpha.shape[0])
    for s in range(alpha.shape[0]):
        ra, rb = stats.rankdata(alpha[s]), stats.rankdata(acc[s])
        if np.ptp(ra) == 0 or np.ptp(rb) == 0:
            out[s] = 0.0
        else:
            out[s] = float(np.corrcoef(ra, rb)[0, 1])
    return out


def classify_trend(
    alpha: np.ndarray,
    acc: np.ndarray,
    *,
    level: float = 0.05,
    n_boot: int = 4000,
    rng: np.random.Generator | int | None = 0,
    tie_alpha: float = 0.05,
) -> TrendResult:
    """Decide whether accuracy rises, falls or turns as the spectral exponent grows (MAN-5/6/7).

    Parameters
    ----------
    alpha, acc : ndarray, shape (S, C)
        Exponent and accuracy of ``C`` conditions (layers, epochs, ...) in each of ``S`` seeds.
    level : float
        Family-wise level of the pairwise tests; the bootstrap interval has coverage ``1 - level``.

    Notes
    -----
    1. ``rho_s = Spearman_c(alpha[s], acc[s])``; ``rho_mean`` and its percentile bootstrap interval
       over seeds (``n_boot`` resamples).
    2. Conditions ordered by mean ``alpha``; pairs whose ``alpha`` differ significantly (paired t,
       Holm over all pairs) are kept; for them ``delta_ij = mean_s(A_j - A_i)`` is tested (paired t,
       Holm over kept pairs): ``I`` = significant ``delta > 0``, ``Dn`` = significant ``delta < 0``.
    3. ``non-monotone`` if ``I`` and ``Dn`` are both non-empty; ``increasing`` if ``I`` is
       non-empty, ``Dn`` empty and the interval of ``rho`` lies above 0 (``decreasing``
       mirrored); otherwise ``inconclusive``.
    4. ``not_a_function``: two conditions whose ``alpha`` differ insignificantly and by less than
       ``tie_alpha`` while their accuracies differ significantly (Holm over such pairs).

    Examples
    --------
    >>> a = np.tile(np.arange(4.0), (6, 1)) + 0.01 * np.arange(6)[:, None]
    >>> classify_trend(a, 0.5 + 0.1 * a, n_boot=200).label
    'increasing'
    """
    alpha = check.array("alpha", alpha, ndim=2)
    acc = check.array("acc", acc, ndim=2)
    if alpha.shape != acc.shape:
        raise ValueError(f"acc must have the shape of alpha {alpha.shape}, got {acc.shape}")
    S, C = alpha.shape
    if S < 3 or C < 2:
        raise ValueError(f"alpha: need S >= 3 seeds and C >= 2 conditions, got S={S}, C={C}")
    level = check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    n_boot = check.integer("n_boot", n_boot, low=1, high=10**6)
    tie_alpha = check.real("tie_alpha", tie_alpha, low=0.0)
    from scipy import stats

    rng = np.random.default_rng(_rng("rng", rng))
    rho = _spearman_rows(alpha, acc)
    boots = rho[rng.integers(0, S, (n_boot, S))].mean(axis=1)
    rho_ci = (float(np.quantile(boots, level / 2)), float(np.quantile(boots, 1 - level / 2)))
    order = np.argsort(alpha.mean(axis=0), kind="stable")
    pair_idx = [(order[a], order[b]) for a in range(C) for b in range(a + 1, C)]
    p_alpha = [_paired_p(alpha[:, j] - alpha[:, i]) for i, j in pair_idx]
    kept = _holm(p_alpha, level)
    kept_idx = [k for k, flag in enumerate(kept) if flag]
    p_delta = [_paired_p(acc[:, j] - acc[:, i]) for i, j in pair_idx]
    sig_kept = _holm([p_delta[k] for k in kept_idx], level) if kept_idx else []
    significant = [False] * len(pair_idx)
    for k, flag in zip(kept_idx, sig_kept, strict=True):
        significant[k] = flag
    deltas = [float(np.mean(acc[:, j] - acc[:, i])) for i, j in pair_idx]
    inc = [pair_idx[k] for k in range(len(pair_idx)) if significant[k] and deltas[k] > 0]
    dec = [pair_idx[k] for k in range(len(pair_idx)) if significant[k] and deltas[k] < 0]
    if inc and dec:
        label = "non-monotone"
    elif inc and rho_ci[0] > 0:
        label = "increasing"
    elif dec and rho_ci[1] < 0:
        label = "decreasing"
    else:
        label = "inconclusive"
    ties = [
        k
        for k, (i, j) in enumerate(pair_idx)
        if not kept[k] and abs(float(np.mean(alpha[:, j] - alpha[:, i]))) < tie_alpha
    ]
    tie_sig = _holm([p_delta[k] for k in ties], level) if ties else []
    k_big = int(np.argmax(np.abs(deltas)))
    i_big, j_big = pair_idx[k_big]
    d_big = acc[:, j_big] - acc[:, i_big]
    half = stats.t.ppf(1 - level / 2, S - 1) * d_big.std(ddof=1) / np.sqrt(S)
    pairs = [
        (int(i), int(j), float(np.mean(alpha[:, j] - alpha[:, i])), p_alpha[k], kept[k],
         deltas[k], p_delta[k], significant[k])
        for k, (i, j) in enumerate(pair_idx)
    ]
    return TrendResult(
        label=label,
        rho_mean=float(rho.mean()),
        rho_ci=rho_ci,
        rho_per_seed=rho,
        increasing_pairs=[(int(i), int(j)) for i, j in inc],
        decreasing_pairs=[(int(i), int(j)) for i, j in dec],
        pairs=pairs,
        not_a_function=any(tie_sig),
        largest_delta=deltas[k_big],
        largest_delta_ci=(float(deltas[k_big] - half), float(deltas[k_big] + half)),
        level=level,
        order=order,
    )
