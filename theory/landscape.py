"""Saddle points against minima in random landscapes (Dube, arXiv:1801.00634, claim DUBE-3).

Three models for the Hessian at a non-degenerate critical point in ``n`` dimensions:

* i.i.d. signs (reading 3a): the ``n`` eigenvalue signs are fair independent coins, so a critical
  point is a minimum with probability :math:`2^{-n}`;
* GOE (reading 3b): the Hessian is ``GOE(n)``, symmetric with :math:`H_{ii}\\sim N(0,1)`,
  :math:`H_{ij}\\sim N(0,1/2)`; the probability :math:`P_n=P(H\\succ 0)` is computed exactly
  (closed forms for ``n <= 4``, de Bruijn's Pfaffian for any ``n``), by Monte Carlo, and by its
  Dean-Majumdar rate :math:`\\ln P_n=-\\theta n^2+O(n)`, :math:`\\theta=\\ln 3/4`;
* separable landscapes (reading 3c): :math:`f(x)=\\sum_i g(x_i)` with ``k`` minima and ``k - 1``
  maxima of ``g``.

In every model the expected number of saddles per minimum is :math:`1/P(\\min)-2` (minima and
maxima are equally likely by the symmetry :math:`H\\mapsto -H`), except the separable model, which
counts critical points exactly.

References: Dean & Majumdar, PRL 97, 160201 (2006); de Bruijn, J. Indian Math. Soc. 19 (1955);
Mehta, *Random Matrices* (2004), Sec. 17; Dauphin et al., arXiv:1406.2572.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import mpmath as mp
import numpy as np
from advgeom.theory import _validate as _v
from advgeom.theory.highdim import _dimension as _hd_dimension
from scipy import special

__all__ = [
    "DEAN_MAJUMDAR_THETA",
    "GOEMonteCarlo",
    "dean_majumdar_log_probability",
    "goe_log_positive_definite_probabilities",
    "goe_positive_definite_probability",
    "goe_saddle_ratio",
    "iid_sign_min_probability",
    "iid_sign_saddle_ratio",
    "separable_critical_counts",
    "separable_saddle_ratio",
]

DEAN_MAJUMDAR_THETA: float = math.log(3.0) / 4.0
"""Leading large-deviation rate of :math:`P(\\mathrm{GOE}(n)\\succ 0)` for beta = 1: ln(3)/4."""

_METHODS = ("exact", "pfaffian", "montecarlo", "asymptotic")


def _check_dimension(n, name: str = "n", low: int = 1, high: int | None = None):
    return _hd_dimension(n, minimum=low, name=name, high=high)


def _scalar_int(n, name: str = "n", low: int = 1, high: int | None = None) -> int:
    if isinstance(n, np.ndarray) and n.ndim == 0:
        n = n.item()
    if np.ndim(n) != 0:
        raise ValueError(f"{name} must be a scalar integer >= {low}, got shape {np.shape(n)}")
    return _v.integer(name, n, low=low, high=high)


#: Largest n of the Pfaffian route (its cost grows like n^3 at about n digits of working precision).
PFAFFIAN_MAX_N = 150
#: Largest precision (decimal digits) accepted by the exact routes.
MAX_PRECISION = 2000
#: Largest n of the Monte Carlo route, and its largest sample.
MONTECARLO_MAX_N = 100
MONTECARLO_MAX_SAMPLES = 10**9


def _seed(seed):
    if seed is None or isinstance(seed, np.random.SeedSequence | np.random.Generator
                                  | np.random.BitGenerator):
        return seed
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r} must be None, a non-negative integer, a "
                         "numpy SeedSequence, Generator or BitGenerator")
    return int(seed)


def iid_sign_min_probability(n):
    """Probability that a critical point is a minimum when the Hessian signs are fair coins.

    Serves DUBE-3 (reading 3a).

    Parameters
    ----------
    n : int or array_like of int
        Dimension, ``n >= 1``.

    Returns
    -------
    float or ndarray
        :math:`2^{-n}` (exact in binary floating point; underflows to 0 only past ``n = 1074``).

    Examples
    --------
    >>> iid_sign_min_probability(3)
    0.125
    """
    arr = _check_dimension(n, high=1074)
    out = np.ldexp(1.0, -arr.astype(np.int64))
    return float(out) if out.ndim == 0 else out


def iid_sign_saddle_ratio(n):
    """Expected saddles per minimum under i.i.d. fair Hessian signs: :math:`2^n-2`.

    Of the :math:`2^n` equally likely sign patterns one is a minimum, one a maximum, the rest
    saddles. Serves DUBE-3 (reading 3a).

    Parameters
    ----------
    n : int or array_like of int
        Dimension, ``n >= 1``.

    Returns
    -------
    float or ndarray
        :math:`2^n-2` (``-1`` at ``n = 1``, where the single index-1 pattern is a maximum).

    Examples
    --------
    >>> iid_sign_saddle_ratio(10)
    1022.0
    """
    arr = _check_dimension(n, high=1023)
    out = np.ldexp(1.0, arr.astype(np.int64)) - 2.0
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------------
# GOE(n): exact small n, de Bruijn Pfaffian, Monte Carlo, Dean-Majumdar rate
# ---------------------------------------------------------------------------------------------


def _goe_exact_closed_form(n: int):
    """Closed forms of P(GOE(n) > 0) for n <= 4 in the current mpmath context."""
    pi, s2 = mp.pi, mp.sqrt(2)
    if n == 1:
        return mp.mpf(1) / 2
    if n == 2:
        return (2 - s2) / 4
    if n == 3:
        return (pi - 2 * s2) / (4 * pi)
    if n == 4:
        return ((4 - s2) * pi - 8) / (16 * pi)
    raise ValueError(f"n must be in 1..4 for method='exact', got {n}")


def _goe_working_digits(n_max: int, precision: int) -> int:
    # The leading Pfaffians lose about one decimal digit per dimension to cancellation between
    # the Gamma-sized entries (measured against twice the precision up to n = 80); keep a margin.
    return int(precision) + int(math.ceil(1.25 * n_max)) + 15


def _mehta_tables(size: int):
    """g(p) and M(p, q) of de Bruijn's formula for 0 <= p, q < size (current mpmath precision)."""
    half_gamma = [mp.inf] + [mp.gamma(mp.mpf(k) / 2) for k in range(1, 2 * size + 1)]
    g = [mp.mpf(2) ** (mp.mpf(p - 1) / 2) * half_gamma[p + 1] for p in range(size)]
    m = [[mp.mpf(0)] * size for _ in range(size)]
    for p in range(size):
        if p == 0:
            m[p][0] = mp.pi / 4
        elif p == 1:
            m[p][0] = mp.sqrt(mp.pi / 2) - mp.sqrt(mp.pi) / 2
        else:
            m[p][0] = (p - 1) * m[p - 2][0] - half_gamma[p] / 2
        if size > 1:
            m[p][1] = half_gamma[p + 1] / 2
        for q in range(2, size):
            m[p][q] = (q - 1) * m[p][q - 2] + half_gamma[p + q] / 2
    return g, m


def _leading_pfaffians(a: list[list]) -> list:
    """Pfaffians of the leading 2k x 2k blocks of a skew matrix, by 2x2 Schur elimination.

    No pivoting: the Schur complement of the leading block of a leading submatrix is the leading
    submatrix of the Schur complement, so one elimination yields every leading Pfaffian. The
    pivots are nonzero here because every leading Pfaffian is a positive probability.
    """
    a = [row[:] for row in a]
    size = len(a)
    out = []
    acc = mp.mpf(1)
    for s in range(0, size - 1, 2):
        piv = a[s][s + 1]
        acc *= piv
        out.append(acc)
        r0, r1 = a[s], a[s + 1]
        for i in range(s + 2, size):
            c1 = a[i][s + 1] / piv
            c0 = a[i][s] / piv
            ai = a[i]
            for j in range(i + 1, size):
                v = ai[j] - (c1 * r0[j] - c0 * r1[j])
                ai[j] = v
                a[j][i] = -v
    return out


@functools.lru_cache(maxsize=16)
def _goe_log_probabilities_cached(n_max: int, dps: int) -> tuple:
    with mp.workdps(dps):
        g, m = _mehta_tables(n_max)
        even = [[mp.mpf(0)] * n_max for _ in range(n_max)]
        for i in range(n_max):
            for j in range(i + 1, n_max):
                v = 2 * m[i][j] - g[i] * g[j]
                even[i][j] = v
                even[j][i] = -v
        # Odd n: border the matrix with the column g, placed first so that the leading blocks of
        # one bordered matrix serve every odd n.
        odd = [[mp.mpf(0)] * (n_max + 1) for _ in range(n_max + 1)]
        for i in range(n_max):
            odd[0][i + 1] = g[i]
            odd[i + 1][0] = -g[i]
            for j in range(n_max):
                odd[i + 1][j + 1] = even[i][j]
        pf_even = _leading_pfaffians(even)
        pf_odd = _leading_pfaffians(odd)
        log_norm = mp.mpf(0)
        log_fact = mp.mpf(0)
        half_log_2pi = mp.log(2 * mp.pi) / 2
        lg32 = mp.loggamma(mp.mpf(3) / 2)
        out = []
        for n in range(1, n_max + 1):
            log_norm += half_log_2pi + mp.loggamma(1 + mp.mpf(n) / 2) - lg32
            log_fact += mp.log(n)
            pf = pf_even[n // 2 - 1] if n % 2 == 0 else pf_odd[(n + 1) // 2 - 1]
            if pf == 0:
                raise ArithmeticError(f"Pfaffian vanished at n={n}; raise the working precision")
            out.append(log_fact + mp.log(abs(pf)) - log_norm)
        return tuple(out)


def goe_log_positive_definite_probabilities(n_max: int, precision: int = 30) -> list:
    """:math:`\\ln P(\\mathrm{GOE}(n)\\succ 0)` for ``n = 1 .. n_max`` by de Bruijn's Pfaffian.

    Serves DUBE-3 (reading 3b).

    Parameters
    ----------
    n_max : int
        Largest dimension, ``n_max >= 1``.
    precision : int
        Decimal digits wanted in each result; the working precision adds about ``1.25 n_max + 15``
        guard digits for the cancellation in the Pfaffian.

    Returns
    -------
    list of mpmath.mpf
        ``out[n - 1]`` is :math:`\\ln P_n`, rounded to ``precision`` digits.

    Notes
    -----
    With :math:`g(p)=\\int_0^\\infty x^pe^{-x^2/2}dx` and
    :math:`M(p,q)=\\iint_{0<x<y}x^py^qe^{-(x^2+y^2)/2}`, the skew matrix
    :math:`A_{ij}=2M(i,j)-g(i)g(j)` (``0 <= i, j < n``, bordered by ``g`` for odd ``n``) gives

    .. math:: P_n=\\frac{n!\\,\\mathrm{Pf}(A)}{Z_n},\\qquad
       Z_n=(2\\pi)^{n/2}\\prod_{j=1}^n\\frac{\\Gamma(1+j/2)}{\\Gamma(3/2)}

    (de Bruijn's integration of the Vandermonde over the ordered positive chamber, and Mehta's
    integral for the normaliser). All leading Pfaffians come from one skew elimination.

    Examples
    --------
    >>> import mpmath
    >>> lp = goe_log_positive_definite_probabilities(4, precision=20)
    >>> mpmath.nstr(mpmath.exp(lp[1]), 15)
    '0.146446609406726'
    """
    n_max = _scalar_int(n_max, "n_max", high=PFAFFIAN_MAX_N)
    precision = _scalar_int(precision, "precision", high=MAX_PRECISION)
    values = _goe_log_probabilities_cached(n_max, _goe_working_digits(n_max, precision))
    with mp.workdps(precision):
        return [+v for v in values]


@dataclass(frozen=True)
class GOEMonteCarlo:
    """Monte Carlo estimate of P(GOE(n) > 0) with its Clopper-Pearson interval."""

    estimate: float
    ci_low: float
    ci_high: float
    samples: int
    level: float

    def contains(self, value: float) -> bool:
        return self.ci_low <= float(value) <= self.ci_high


def _goe_montecarlo(n: int, samples: int, seed, level: float = 1 - 1e-6) -> GOEMonteCarlo:
    # Chunks of at most 2e7 matrix entries (160 MB) whatever n.
    chunk = max(1, min(200_000, 20_000_000 // (n * n)))
    rng = np.random.default_rng(seed)
    hits = 0
    done = 0
    while done < samples:
        size = min(chunk, samples - done)
        a = rng.standard_normal((size, n, n))
        h = (a + np.swapaxes(a, 1, 2)) / 2.0
        hits += int(np.count_nonzero(np.linalg.eigvalsh(h)[:, 0] > 0.0))
        done += size
    tail = (1.0 - level) / 2.0
    lo = 0.0 if hits == 0 else float(special.betaincinv(hits, samples - hits + 1, tail))
    hi = 1.0 if hits == samples else float(special.betaincinv(hits + 1, samples - hits, 1 - tail))
    return GOEMonteCarlo(hits / samples, lo, hi, samples, level)


def goe_positive_definite_probability(n, method: str = "exact", precision: int | None = None,
                                      samples: int = 10**6, seed=None):
    """Probability :math:`P_n` that a ``GOE(n)`` matrix is positive definite (a minimum's Hessian).

    Serves DUBE-3 (reading 3b).

    Parameters
    ----------
    n : int
        Dimension, ``n >= 1`` (``1 <= n <= 4`` for ``method="exact"``).
    method : {"exact", "pfaffian", "montecarlo", "asymptotic"}
        ``"exact"``: closed forms :math:`P_1=1/2`, :math:`P_2=(2-\\sqrt2)/4`,
        :math:`P_3=(\\pi-2\\sqrt2)/(4\\pi)`, :math:`P_4=((4-\\sqrt2)\\pi-8)/(16\\pi)`.
        ``"pfaffian"``: de Bruijn's formula (see
        :func:`goe_log_positive_definite_probabilities`), any ``n``.
        ``"montecarlo"``: ``samples`` GOE draws, smallest eigenvalue tested, returns a
        :class:`GOEMonteCarlo` with a Clopper-Pearson interval at level ``1 - 1e-6``.
        ``"asymptotic"``: Dean-Majumdar leading order :math:`e^{-\\theta n^2}`,
        :math:`\\theta=\\ln 3/4` (lower-order terms omitted, so only the rate is meaningful).
    precision : int, optional
        Decimal digits; when given (or for ``"pfaffian"``, default 30) an mpmath number is returned.
    samples, seed
        Monte Carlo sample size and seed (anything ``numpy.random.default_rng`` accepts).

    Returns
    -------
    float, mpmath.mpf or GOEMonteCarlo

    Examples
    --------
    >>> round(goe_positive_definite_probability(2), 12)
    0.146446609407
    >>> import mpmath
    >>> mpmath.nstr(goe_positive_definite_probability(3, method="pfaffian", precision=20), 12)
    '0.0249209209607'
    """
    method = _v.choice("method", method, _METHODS)
    n = _scalar_int(n)
    precision = _v.precision("precision", precision, high=MAX_PRECISION)
    samples = _v.integer("samples", samples, low=1, high=MONTECARLO_MAX_SAMPLES)
    seed = _seed(seed)
    if method == "exact":
        if n > 4:
            raise ValueError(f"n must be in 1..4 for method='exact', got {n}")
        with mp.workdps((precision or 15) + 10):
            value = _goe_exact_closed_form(n)
        if precision is None:
            return float(value)
        with mp.workdps(precision):
            return +value
    if method == "pfaffian":
        if n > PFAFFIAN_MAX_N:
            raise ValueError(f"n = {n} must be <= {PFAFFIAN_MAX_N} for method='pfaffian' (its cost "
                             "grows like n^3 at n digits); use method='asymptotic' for the rate")
        digits = 30 if precision is None else precision
        value = goe_log_positive_definite_probabilities(n, digits)[n - 1]
        with mp.workdps(digits):
            return mp.exp(value)
    if method == "asymptotic":
        if precision is None:
            if DEAN_MAJUMDAR_THETA * n * n > 700.0:
                raise ValueError(f"n = {n}: exp(-theta n^2) underflows double precision beyond "
                                 "n = 50; pass precision= or use dean_majumdar_log_probability")
            return math.exp(-DEAN_MAJUMDAR_THETA * n * n)
        with mp.workdps(precision):
            return mp.exp(-mp.log(3) / 4 * n * n)
    if n > MONTECARLO_MAX_N:
        raise ValueError(f"n = {n} must be <= {MONTECARLO_MAX_N} for method='montecarlo' (P_n is "
                         "below 1e-300 there: no sample would see a positive definite draw)")
    return _goe_montecarlo(n, samples, seed)


def goe_saddle_ratio(n, method: str = "exact", precision: int | None = None, **kwargs):
    """Expected saddles per minimum in the GOE model: :math:`1/P_n-2`.

    Minima and maxima are equally likely (``H`` and ``-H`` have the same law), so the saddle
    fraction is :math:`1-2P_n`. Serves DUBE-3 (reading 3b).

    Parameters
    ----------
    n : int
        Dimension (see :func:`goe_positive_definite_probability`).
    method : str
        Any method of :func:`goe_positive_definite_probability` except ``"montecarlo"``.
    precision : int, optional
        Decimal digits of an mpmath result.

    Returns
    -------
    float or mpmath.mpf

    Examples
    --------
    >>> round(goe_saddle_ratio(2), 12)   # 2 + 2 sqrt(2)
    4.828427124746
    """
    method = _v.choice("method", method, _METHODS)
    if method == "montecarlo":
        raise ValueError(f"method must be one of {_METHODS[:2] + _METHODS[3:]} for a ratio, got "
                         f"{method!r}; use the probability for Monte Carlo")
    p = goe_positive_definite_probability(n, method=method, precision=precision, **kwargs)
    return 1 / p - 2


def dean_majumdar_log_probability(n):
    """Leading order of :math:`\\ln P(\\mathrm{GOE}(n)\\succ 0)`, namely :math:`-\\theta n^2`.

    Only the leading term of Dean & Majumdar (2006); the :math:`O(n)` correction is large, so
    compare rates (e.g. :math:`-\\ln P_n/n^2`), never the probabilities. Serves DUBE-3 (3b).

    Parameters
    ----------
    n : float or array_like
        Dimension, ``n >= 1``.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(dean_majumdar_log_probability(10), 6)
    -27.465307
    """
    arr = _v.real_or_array("n", n, low=1.0, high=1e150)
    out = -DEAN_MAJUMDAR_THETA * arr * arr
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------------
# Separable landscapes
# ---------------------------------------------------------------------------------------------


#: Bounds of the exact separable counts (n + 1 integers of about n log2(2k - 1) bits).
SEPARABLE_MAX_K = 10**6
SEPARABLE_MAX_N = 2000


def separable_critical_counts(k: int, n: int):
    """Critical points of :math:`f(x)=\\sum_i g(x_i)`, ``g`` with ``k`` minima, ``k-1`` maxima.

    A critical point picks a critical point of ``g`` in every coordinate; its index is the number
    of coordinates at a maximum of ``g``. Serves DUBE-3 (reading 3c).

    Parameters
    ----------
    k : int
        Number of non-degenerate minima of ``g`` (``k >= 1``; ``g`` then has ``k - 1`` maxima).
    n : int
        Dimension, ``n >= 1``.

    Returns
    -------
    critical, minima, maxima, saddles : int
        :math:`(2k-1)^n`, :math:`k^n`, :math:`(k-1)^n` and the rest (exact integers).
    by_index : tuple of int
        ``by_index[j]`` :math:`=\\binom{n}{j}k^{n-j}(k-1)^j`, ``j = 0 .. n``.

    Examples
    --------
    >>> separable_critical_counts(2, 3)
    (27, 8, 1, 18, (8, 12, 6, 1))
    """
    k = _scalar_int(k, "k", high=SEPARABLE_MAX_K)
    n = _scalar_int(n, "n", high=SEPARABLE_MAX_N)
    by_index = tuple(comb(n, j) * k ** (n - j) * (k - 1) ** j for j in range(n + 1))
    critical = (2 * k - 1) ** n
    minima, maxima = k**n, (k - 1) ** n
    return critical, minima, maxima, critical - minima - maxima, by_index


def separable_saddle_ratio(k: int, n: int) -> float:
    """Saddles per minimum of a separable landscape: :math:`((2k-1)/k)^n-1-((k-1)/k)^n`.

    Exponential in ``n`` with base :math:`2-1/k<2`. Serves DUBE-3 (reading 3c).

    Parameters
    ----------
    k, n : int
        As in :func:`separable_critical_counts`.

    Returns
    -------
    float
        The ratio, from exact integers (correctly rounded).

    Examples
    --------
    >>> separable_saddle_ratio(2, 3)
    2.25
    """
    k = _scalar_int(k, "k", high=SEPARABLE_MAX_K)
    n = _scalar_int(n, "n")
    if k == 1:
        return 0.0              # one minimum and no maximum per coordinate: no saddles
    if n * math.log((2 * k - 1) / k) > 709.0:
        raise ValueError(f"n = {n} (k = {k}): the ratio ((2k-1)/k)^n overflows double precision")
    critical, minima, maxima = (2 * k - 1) ** n, k**n, (k - 1) ** n
    return float(Fraction(critical - minima - maxima, minima))
