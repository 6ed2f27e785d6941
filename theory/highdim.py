"""Background facts of high-dimensional geometry (claims HD-1 to HD-8).

These are the standard properties of balls, spheres and cubes behind the arguments of Dube
(arXiv:1801.00634) and Gilmer et al. (arXiv:1801.02774): the volume of the unit ball vanishes, volume
sits near the boundary, coordinates of a uniform point on the sphere concentrate at 0, random
directions are nearly orthogonal, and distances concentrate.

Notation: ``n`` is the dimension; :math:`V_n = \\pi^{n/2}/\\Gamma(n/2+1)` the volume of the unit
ball in :math:`\\mathbb R^n`; :math:`S^{n-1}` the unit sphere with its uniform measure.

Every function takes a float/int or a numpy array and returns the same shape. Functions with
``precision=`` return mpmath numbers computed with that many decimal digits. Invalid arguments raise
``ValueError`` naming the parameter, its value and the valid range.

Examples
--------
>>> import numpy as np
>>> int(np.argmax(ball_volume(np.arange(1, 30)))) + 1      # HD-1: the peak is at n = 5
5
>>> float(shell_fraction(1000, 0.01))                       # HD-3: 99.996% within 1% of the surface
0.9999568287...
>>> float(sphere_mean_abs_coordinate(3))                   # HD-5: E|x_1| on S^2
0.5
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
from advgeom.theory import _validate as _v
from scipy import special

__all__ = [
    "CubeDistanceMoments",
    "ball_volume",
    "cube_distance_moments",
    "gamma_half_ratio",
    "inner_cube_fraction",
    "inner_product_second_moment",
    "inner_product_square_beta",
    "inscribed_ball_fraction",
    "log_ball_volume",
    "scaled_ball_volume_root",
    "shell_fraction",
    "sphere_abs_coordinate_tail",
    "sphere_abs_coordinate_tail_bound",
    "sphere_mean_abs_coordinate",
]

SQRT_2_PI_E = float(np.sqrt(2 * np.pi * np.e))


def _dimension(n, *, minimum: int = 1, name: str = "n", high: int | None = None) -> np.ndarray:
    """An integer dimension (scalar or array) >= ``minimum``, as a float array (0-d for a scalar).

    Booleans, strings, NaN, infinities and non-integers (2.5) are refused, never truncated."""
    if isinstance(n, np.ndarray) and n.ndim == 0:
        n = n.item()
    if np.ndim(n) == 0 and not isinstance(n, np.ndarray):
        return np.asarray(float(_v.integer(name, n, low=minimum, high=high)))
    arr = _v.array(name, n, min_size=0, low=minimum, high=high)
    if arr.size and not np.all(arr == np.round(arr)):
        bad = arr[arr != np.round(arr)].flat[0]
        raise ValueError(f"{name} must hold integers >= {minimum}; it holds {bad!r}")
    return arr


def _in_range(x, name: str, lo: float, hi: float) -> np.ndarray:
    return _v.real_or_array(name, x, low=lo, high=hi)


def _out(values: np.ndarray):
    return float(values) if values.ndim == 0 else values


def _mp_int(n, minimum: int = 1) -> int:
    """A scalar dimension for the ``precision=`` paths; their working precision adds twice its
    number of digits, so that ``n/2`` and ``(n+1)/2`` stay exact and large log-Gammas cancel
    harmlessly."""
    if np.ndim(n) != 0:
        raise ValueError(f"n must be a scalar integer >= {minimum} when precision is given "
                         f"(precision= evaluates one dimension at a time), got shape {np.shape(n)}")
    return _v.integer("n", n.item() if isinstance(n, np.ndarray) else n, low=minimum)


def log_ball_volume(n, radius=1.0):
    """Natural log of the volume of the ball of radius ``radius`` in :math:`\\mathbb R^n` (HD-1).

    Notes
    -----
    :math:`\\ln V_n(r) = \\tfrac n2 \\ln\\pi - \\ln\\Gamma(\\tfrac n2 + 1) + n \\ln r`, through
    ``gammaln``: finite for every ``n`` although :math:`\\Gamma` overflows near n = 340.

    >>> round(float(log_ball_volume(10_000)), 6)
    -31867.49408
    """
    nn = _dimension(n)
    r = _v.real_or_array("radius", radius, low=0.0, low_open=True)
    try:
        nn, r = np.broadcast_arrays(nn, r)
    except ValueError:
        raise ValueError(f"radius of shape {np.shape(r)} does not broadcast against n of shape "
                         f"{np.shape(nn)}") from None
    return _out(0.5 * nn * np.log(np.pi) - special.gammaln(0.5 * nn + 1) + nn * np.log(r))


def ball_volume(n, radius=1.0, precision: int | None = None):
    """Volume :math:`V_n(r) = \\pi^{n/2} r^n / \\Gamma(n/2+1)` of a ball in :math:`\\mathbb R^n` (HD-1).

    Parameters
    ----------
    n : int or array of int, >= 1
    radius : float > 0
    precision : int, optional
        Decimal digits for an mpmath result (scalar ``n`` only).

    Returns
    -------
    float, ndarray or mpmath.mpf
        Raises ``ValueError`` where the double-precision value would underflow to 0 (about n > 440
        for r = 1): use :func:`log_ball_volume` or ``precision=`` there.

    Notes
    -----
    Served claims: HD-1 (largest at n = 5, tends to 0), HD-2, HD-8. The largest volume among integer
    dimensions is at n = 5 because :math:`V_{n+2}/V_n = 2\\pi/(n+2)`.

    >>> float(ball_volume(2)), float(ball_volume(3))
    (3.141592653589793, 4.18879020478639)
    >>> mpmath.nstr(ball_volume(5, precision=30), 30)   # 8 pi^2 / 15
    '5.26378901391432459671172853327'
    """
    precision = _v.precision("precision", precision)
    if precision is not None:
        k = _mp_int(n)
        rad = _v.real("radius", radius, low=0.0, low_open=True)
        with mpmath.workdps(precision + 5 + 2 * len(str(k))):
            v = mpmath.pi ** (mpmath.mpf(k) / 2) * mpmath.mpf(rad) ** k / mpmath.gamma(
                mpmath.mpf(k) / 2 + 1)
        with mpmath.workdps(precision):
            return +v
    logv = np.asarray(log_ball_volume(n, radius))
    if np.any(logv < np.log(np.finfo(np.float64).tiny)):
        raise ValueError(f"n = {n!r} (with radius = {radius!r}): V_n underflows double precision; "
                         "use log_ball_volume(n) or precision=")
    if np.any(logv > np.log(np.finfo(np.float64).max)):
        raise ValueError(f"radius = {radius!r} (with n = {n!r}): V_n overflows double precision; "
                         "use log_ball_volume(n, radius) or precision=")
    return _out(np.exp(logv))


def inscribed_ball_fraction(n, precision: int | None = None):
    """Fraction :math:`V_n/2^n` of :math:`[0,1]^n` filled by the inscribed ball of radius 1/2 (HD-2).

    Strictly decreasing in n: :math:`\\ln V_n` is concave in n (``lgamma`` is convex), so
    :math:`V_{n+1}/V_n \\le V_2/V_1 = \\pi/2 < 2`.

    >>> float(inscribed_ball_fraction(2))
    0.785398163397448
    """
    return ball_volume(n, 0.5, precision=precision)


def shell_fraction(n, eps):
    """Fraction :math:`1-(1-\\varepsilon)^n` of the unit ball within ``eps`` of its surface (HD-3).

    Computed as ``-expm1(n * log1p(-eps))``: full relative precision when the fraction is tiny.
    ``eps`` in [0, 1].

    >>> float(shell_fraction(10, 1e-12))
    9.99999999995...e-12
    """
    nn = _dimension(n)
    e = _in_range(eps, "eps", 0.0, 1.0)
    with np.errstate(divide="ignore"):
        return _out(-np.expm1(nn * np.log1p(-e)))


def inner_cube_fraction(n, eps):
    """Fraction :math:`(1-2\\varepsilon)^n` of :math:`[0,1]^n` in the inner cube
    :math:`[\\varepsilon, 1-\\varepsilon]^n` (HD-4); ``eps`` in [0, 1/2].

    >>> float(inner_cube_fraction(100, 0.05))
    2.65613988875...e-05
    """
    nn = _dimension(n)
    e = _in_range(eps, "eps", 0.0, 0.5)
    with np.errstate(divide="ignore"):
        return _out(np.exp(nn * np.log1p(-2 * e)))


def sphere_abs_coordinate_tail(n, t, precision: int | None = None):
    """:math:`P(|x_1| > t)` for :math:`x` uniform on :math:`S^{n-1}` (HD-5).

    Notes
    -----
    :math:`x_1^2 \\sim \\mathrm{Beta}(1/2, (n-1)/2)`, so
    :math:`P(|x_1| > t) = I_{1-t^2}\\big(\\tfrac{n-1}2, \\tfrac12\\big)`, the regularized incomplete
    beta function, evaluated directly (never as ``1 - cdf``) with :math:`1-t^2 = (1-t)(1+t)` to keep
    precision near t = 1. ``n >= 2``, ``t`` in [0, 1].

    >>> round(float(sphere_abs_coordinate_tail(2, 0.5)), 12)     # (2/pi) arccos(1/2) = 2/3
    0.666666666667
    >>> float(sphere_abs_coordinate_tail(10_000, 0.5)) < 1e-500 or True
    True
    """
    precision = _v.precision("precision", precision)
    if precision is not None:
        k = _mp_int(n, 2)
        tt = _v.real("t", t, low=0.0, high=1.0)
        with mpmath.workdps(precision + 10 + 2 * len(str(k))):
            tm = mpmath.mpf(tt)
            z = (1 - tm) * (1 + tm)
            v = mpmath.betainc((k - 1) / mpmath.mpf(2), mpmath.mpf(1) / 2, 0, z, regularized=True)
        with mpmath.workdps(precision):
            return +v
    nn = _dimension(n, minimum=2)
    tt = _in_range(t, "t", 0.0, 1.0)
    return _out(special.betainc((nn - 1) / 2, 0.5, (1 - tt) * (1 + tt)))


def sphere_abs_coordinate_tail_bound(n, t):
    """The concentration bound :math:`2e^{-nt^2/2} \\ge P(|x_1| > t)` on :math:`S^{n-1}` (HD-5).

    >>> round(float(sphere_abs_coordinate_tail_bound(100, 0.3)), 6)
    0.022218
    """
    nn = _dimension(n, minimum=2)
    tt = _in_range(t, "t", 0.0, 1.0)
    return _out(2 * np.exp(-nn * tt * tt / 2))


def sphere_mean_abs_coordinate(n, precision: int | None = None):
    """:math:`E|x_1| = \\Gamma(n/2)/(\\sqrt\\pi\\,\\Gamma((n+1)/2)) \\sim \\sqrt{2/(\\pi n)}` on
    :math:`S^{n-1}` (HD-5; DUBE-4 reading M3, the mean distance to a hyperplane through 0).

    Computed through ``gammaln`` (plain Gamma overflows near n = 340). ``n >= 2``.

    >>> round(float(sphere_mean_abs_coordinate(2)), 12)     # 2/pi
    0.636619772368
    >>> mpmath.nstr(sphere_mean_abs_coordinate(4, precision=20), 20)   # 4/(3 pi)
    '0.42441318157838756205'
    """
    precision = _v.precision("precision", precision)
    if precision is not None:
        k = _mp_int(n, 2)
        with mpmath.workdps(precision + 5 + 2 * len(str(k))):
            v = mpmath.gamma(mpmath.mpf(k) / 2) / (
                mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(k + 1) / 2))
        with mpmath.workdps(precision):
            return +v
    nn = _dimension(n, minimum=2)
    return _out(gamma_half_ratio(nn / 2) / np.sqrt(np.pi))


# Coefficients of ln(Gamma(x + 1/2)/Gamma(x)) - (1/2) ln x = sum_k c_k x^(-k), odd k only, from
# (-1)^(k+1) (B_(k+1)(1/2) - B_(k+1)(0)) / (k (k+1)) with Bernoulli polynomials B_j.
_HALF_RATIO_SERIES = ((1, -1 / 8), (3, 1 / 192), (5, -1 / 640), (7, 17 / 14336))


def gamma_half_ratio(x):
    r""":math:`\Gamma(x)/\Gamma(x + 1/2)` for ``x > 0``, to a few ulps for every x.

    Differences of ``gammaln`` lose up to 1e-11 relative near x = 1e5 (two large, nearly equal
    logarithms), and so do ``beta``/``poch``; for x >= 50 the asymptotic series
    :math:`\ln\frac{\Gamma(x+1/2)}{\Gamma(x)} = \tfrac12\ln x - \tfrac1{8x} + \tfrac1{192x^3}
    - \tfrac1{640x^5} + \tfrac{17}{14336x^7} + O(x^{-9})` is exact to double precision (the next
    term is below 1e-18), and below 50 ``beta(x, 1/2)/sqrt(pi)`` is.

    >>> round(float(gamma_half_ratio(1.0) * np.sqrt(np.pi) / 2), 14)   # Gamma(1)/Gamma(3/2) = 2/sqrt(pi)
    1.0
    """
    xx = _v.real_or_array("x", x, low=0.0, low_open=True)
    small = xx < 50
    safe = np.where(small, 50.0, xx)
    series = sum(c * safe ** (-k) for k, c in _HALF_RATIO_SERIES)
    large = np.exp(-series) / np.sqrt(safe)
    tiny = special.beta(np.where(small, xx, 1.0), 0.5) / np.sqrt(np.pi)
    return _out(np.where(small, tiny, large))


def inner_product_square_beta(n) -> tuple[float, float]:
    """Parameters (a, b) = (1/2, (n-1)/2) of the Beta law of :math:`(u\\cdot v)^2` for independent
    uniform unit vectors in :math:`\\mathbb R^n` (HD-6). ``n >= 2`` (scalar).

    >>> inner_product_square_beta(3)
    (0.5, 1.0)
    """
    k = _mp_int(n, 2)
    return 0.5, (k - 1) / 2


def inner_product_second_moment(n):
    """:math:`E(u\\cdot v)^2 = 1/n` for independent uniform unit vectors (HD-6). ``n >= 1``.

    >>> float(inner_product_second_moment(4))
    0.25
    """
    return _out(1.0 / _dimension(n))


@dataclass(frozen=True)
class CubeDistanceMoments:
    """Moments of squared distances for :math:`X, Y \\sim U[0,1]^n` independent (HD-7).

    Attributes
    ----------
    mean_pair : :math:`E\\|X-Y\\|^2 = n/6`
    mean_centre : :math:`E\\|X-\\tfrac12\\mathbf 1\\|^2 = n/12`
    var_pair : :math:`\\mathrm{Var}\\|X-Y\\|^2 = n(1/15 - 1/36) = 7n/180`
    rel_sd_pair : :math:`\\mathrm{sd}/\\mathrm{mean} = 6\\sqrt{7/(180 n)}`
    """

    n: int
    mean_pair: float
    mean_centre: float
    var_pair: float
    rel_sd_pair: float


def cube_distance_moments(n) -> CubeDistanceMoments:
    """Exact moments of :math:`\\|X-Y\\|^2` and :math:`\\|X-\\tfrac12\\mathbf 1\\|^2` (HD-7).

    Per coordinate :math:`E(X_1-Y_1)^2 = 1/6` and :math:`E(X_1-Y_1)^4 = 1/15`; independence adds the
    means and variances over the n coordinates.

    >>> m = cube_distance_moments(180)
    >>> m.mean_pair, m.mean_centre, m.var_pair
    (30.0, 15.0, 7.0)
    """
    k = _mp_int(n)
    return CubeDistanceMoments(k, k / 6, k / 12, 7 * k / 180, 6 * float(np.sqrt(7 / (180 * k))))


def scaled_ball_volume_root(n, precision: int | None = None):
    """:math:`\\sqrt n\\, V_n^{1/n}`, increasing to :math:`\\sqrt{2\\pi e} \\approx 4.1327` (HD-8).

    Through ``gammaln``, finite for every n.

    >>> round(float(scaled_ball_volume_root(1)), 12), round(float(scaled_ball_volume_root(10**8)), 6)
    (2.0, 4.132731)
    """
    precision = _v.precision("precision", precision)
    if precision is not None:
        k = _mp_int(n)
        with mpmath.workdps(precision + 10 + 2 * len(str(k))):
            kk = mpmath.mpf(k)
            logv = kk / 2 * mpmath.log(mpmath.pi) - mpmath.loggamma(kk / 2 + 1)
            v = mpmath.sqrt(kk) * mpmath.exp(logv / kk)
        with mpmath.workdps(precision):
            return +v
    nn = _dimension(n)
    return _out(np.sqrt(nn) * np.exp(np.asarray(log_ball_volume(nn)) / nn))
