"""Adversarial spheres (Gilmer et al., arXiv:1801.02774): the geometry as executable formulas.

Notation (claims SPH-1 to SPH-18 and SPH-B1 to SPH-B7 of ``theory/claims/spheres.toml``):

- :math:`S_0 = \\{\\|x\\| = 1\\}` (class 0) and :math:`S_1 = \\{\\|x\\| = R\\}`, :math:`R = 1.3`
  (class 1); :math:`\\sigma_n` is the uniform probability on :math:`S^{n-1}`.
- A coordinate :math:`x_1` of a uniform point has density
  :math:`f_n(s) = \\frac{\\Gamma(n/2)}{\\sqrt\\pi\\,\\Gamma((n-1)/2)}(1 - s^2)^{(n-3)/2}` on [-1, 1];
  :math:`x_1^2 \\sim \\mathrm{Beta}(1/2, (n-1)/2)`.
- Cap :math:`C(t) = \\{x_1 \\ge t\\}`, angle :math:`\\theta = \\arccos t`;
  :math:`\\sigma_n(C(t)) = \\tfrac12 I_{1-t^2}((n-1)/2, 1/2)` for :math:`t \\ge 0`.
- Error set :math:`E \\subset S_0`, :math:`\\mu(E) = \\sigma_n(E)`, and
  :math:`d(E) = E_{x\\sim\\sigma_n}[\\inf_{e\\in E}\\|x - e\\|]` (chord distances on the sphere).
- Sharp bound: :math:`D_n(\\mu) = \\int_{-1}^{t_\\mu} g(\\arccos s - \\arccos t_\\mu) f_n(s)\\,ds`
  with :math:`g(u) = 2\\sin(u/2)` (chord) or :math:`g(u) = u` (geodesic): the mean distance to a
  cap of measure :math:`\\mu`, which by Levy's isoperimetric inequality bounds :math:`d(E)` for every
  :math:`E` of that measure.

The error rate of the quadratic network needs Gaussian quadratic-form tails, computed exactly by
:mod:`theory.quadforms`.

Examples
--------
>>> round(float(distance_bound(0.01, 500)), 5)
0.10418
>>> round(float(cap_measure(0.0, 10)), 12)
0.5
>>> round(float(distance_bound_limit(3)), 12)       # 4/3
1.333333333333
"""

from __future__ import annotations

import math
from typing import Literal

import mpmath
import numpy as np
from advgeom.theory import _validate as check
from advgeom.theory import quadforms
from advgeom.theory.highdim import gamma_half_ratio
from scipy import integrate, optimize, special, stats

__all__ = [
    "N_MAX",
    "R_OUTER",
    "sample_sphere",
    "coordinate_density",
    "cap_measure",
    "cap_threshold",
    "distance_bound",
    "distance_bound_limit",
    "max_error_rate",
    "neighbourhood_bound",
    "interior_bound",
    "zero_error_bound",
    "critical_dimension",
    "min_distance_quantile",
    "quadratic_alphas",
    "quadratic_error_rate",
    "clt_error_rate",
    "nearest_error",
]

#: Radius of the outer sphere in the paper.
R_OUTER = 1.3

#: Largest dimension accepted. Up to here the double-precision cap integrals agree with 30-digit
#: mpmath to 1e-9 relative (tested); beyond, ``(n - 2) log sin`` amplifies rounding by ``n``.
N_MAX = 10**8

Metric = Literal["chord", "geodesic"]


# --------------------------------------------------------------------------- validation


def _check_n(n, name: str = "n") -> int:
    return check.integer(name, n, low=2, high=N_MAX)


def _check_mu(mu) -> np.ndarray:
    return check.real_or_array("mu", mu, low=0.0, high=1.0, low_open=True, high_open=True)


def _check_eps(eps) -> np.ndarray:
    return check.real_or_array("eps", eps, low=0.0)


def _check_metric(metric) -> str:
    return check.choice("metric", metric, ("chord", "geodesic"))


def _check_flag(name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} = {value!r} must be True or False")
    return bool(value)


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng = {rng!r} must be a numpy.random.Generator")
    return rng


def _out(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


def _log_cn(n: int) -> float:
    """log of Gamma(n/2) / (sqrt(pi) Gamma((n-1)/2)), the normalizer of f_n."""
    return -math.log(float(gamma_half_ratio((n - 1) / 2))) - 0.5 * math.log(math.pi)


# --------------------------------------------------------------------------- sampling and densities


def sample_sphere(m: int, n: int, *, R: float = 1.0, rng: np.random.Generator) -> np.ndarray:
    """``m`` points uniform on the sphere of radius ``R`` in :math:`\\mathbb R^n` (SPH-1).

    :math:`x = R z/\\|z\\|`, :math:`z \\sim N(0, I_n)`: uniform by rotation invariance of the
    standard normal law. ``m * n`` is limited to 2^31 numbers.

    Examples
    --------
    >>> x = sample_sphere(4, 7, R=1.3, rng=np.random.default_rng(0))
    >>> x.shape, bool(np.allclose(np.linalg.norm(x, axis=1), 1.3))
    ((4, 7), True)
    """
    n = _check_n(n)
    m = check.integer("m", m, low=0, high=2**31 // n)
    R = check.real("R", R, low=0.0, low_open=True)
    rng = _check_rng(rng)
    z = rng.standard_normal((m, n))
    return R * z / np.linalg.norm(z, axis=1, keepdims=True)


def coordinate_density(s, n: int):
    """Density :math:`f_n(s)` of one coordinate of a uniform point on :math:`S^{n-1}` (SPH-12).

    :math:`f_n(s) = \\frac{\\Gamma(n/2)}{\\sqrt\\pi\\Gamma((n-1)/2)}(1-s^2)^{(n-3)/2}`, zero outside
    [-1, 1]; :math:`\\sqrt n\\, x_1 \\Rightarrow N(0, 1)`. ``s`` must be finite.

    Examples
    --------
    >>> round(float(coordinate_density(0.0, 3)), 12)    # uniform on [-1, 1] when n = 3
    0.5
    """
    n = _check_n(n)
    s = check.real_or_array("s", s)
    inside = np.abs(s) < 1
    one_m = np.where(inside, (1 - s) * (1 + s), 1.0)
    val = np.exp(_log_cn(n) + 0.5 * (n - 3) * np.log(one_m))
    return _out(np.where(inside, val, 0.0))


# --------------------------------------------------------------------------- caps
#
# sigma_n(cap of angle theta) = 1/2 I_{sin^2 theta}((n-1)/2, 1/2) for theta <= pi/2. Near the
# equator (theta near pi/2, t = cos theta near 0) sin^2 theta rounds towards 1, where I_x(a, 1/2)
# is ill-conditioned; there the complement 1/2 (1 - I_{cos^2 theta}(1/2, (n-1)/2)) is used instead,
# evaluated from the small argument cos^2 theta = t^2 (scipy's betaincc, mpmath with guard
# digits). The switch is made by value: the complement form is taken once the cap exceeds 1/8, so
# its subtraction never cancels more than three bits.


def _half_caps(sin2, cos2, a: float):
    """Double precision: 1/2 I_{sin2}(a, 1/2), from whichever of sin2, cos2 is accurate."""
    from_pole = 0.5 * special.betainc(a, 0.5, sin2)
    from_equator = 0.5 * special.betaincc(0.5, a, cos2)
    return np.where(from_pole > 0.125, from_equator, from_pole)


def _cap_from_theta(theta, n: int):
    """sigma_n{x_1 >= cos theta} for theta in [0, pi] (double precision)."""
    theta = np.clip(np.asarray(theta, dtype=float), 0.0, math.pi)
    small = theta <= math.pi / 2
    th = np.where(small, theta, math.pi - theta)
    half = _half_caps(np.sin(th) ** 2, np.cos(th) ** 2, 0.5 * (n - 1))
    return np.where(small, half, 1.0 - half)


def _half_cap_mp(sin2, cos2, n: int):
    """mpmath: 1/2 I_{sin2}((n-1)/2, 1/2), switching to the equator form above 1/8."""
    a, b = mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2
    half = mpmath.betainc(a, b, 0, sin2, regularized=True) / 2
    if half > mpmath.mpf(1) / 8:
        half = (1 - mpmath.betainc(b, a, 0, cos2, regularized=True)) / 2
    return half


def cap_measure(t, n: int, *, precision: int | None = None):
    """Measure :math:`\\sigma_n(\\{x_1 \\ge t\\})` of a spherical cap (SPH-2, SPH-10, SPH-11).

    Parameters
    ----------
    t : float or array_like
        Threshold (finite); values above 1 give 0 and below -1 give 1.
    n : int
        Ambient dimension, ``2 <= n <= N_MAX``.
    precision : int, optional
        Decimal digits (``>= 1``); returns an mpmath number (scalar ``t`` only).

    Notes
    -----
    :math:`\\sigma_n(C(t)) = \\tfrac12 I_{(1-t)(1+t)}((n-1)/2, 1/2)` for :math:`t \\ge 0` (the
    complementary incomplete beta, never ``1 - cdf``); where that exceeds 1/8 (t near 0) the equal
    :math:`\\tfrac12(1 - I_{t^2}(1/2, (n-1)/2))` from the small argument :math:`t^2`, so that
    :math:`1 - t^2` never rounds to 1. For :math:`t < 0`, :math:`1 - \\sigma_n(C(-t))`.

    Examples
    --------
    >>> round(float(cap_measure(0.5, 3)), 12)           # Archimedes: (1 - t)/2
    0.25
    >>> float(cap_measure(0.9, 500)) < 1e-100
    True
    """
    n = _check_n(n)
    precision = check.precision("precision", precision)
    if precision is not None:
        t = check.real("t", t)
        with mpmath.workdps(precision + 10):
            t = mpmath.mpf(t)
            if t >= 1:
                return mpmath.mpf(0)
            if t <= -1:
                return mpmath.mpf(1)
            u = abs(t)
            half = _half_cap_mp((1 - u) * (1 + u), u * u, n)
            r = half if t >= 0 else 1 - half
        return +r
    t = check.real_or_array("t", t)
    u = np.minimum(np.abs(t), 1.0)
    half = _half_caps((1 - u) * (1 + u), u * u, 0.5 * (n - 1))
    return _out(np.where(t >= 0, half, 1.0 - half))


def _theta_of_mu(mu, n: int) -> np.ndarray:
    """Cap angle theta_mu = arccos t_mu, computed from the inverse incomplete beta."""
    s2, c2 = _sin2_cos2_of_mu(mu, n)
    theta = np.where(s2 < 0.5, np.arcsin(np.sqrt(s2)), np.arccos(np.sqrt(c2)))
    return np.where(np.asarray(mu) <= 0.5, theta, math.pi - theta)


def _sin2_cos2_of_mu(mu, n: int):
    """sin^2 and cos^2 of the angle of the cap of measure min(mu, 1 - mu), each from its own
    inverse incomplete beta: sin^2 = I^{-1}_{2m}((n-1)/2, 1/2) accurate near the pole,
    cos^2 from the inverse of I(1/2, (n-1)/2) at 1 - 2m where that is exact (m >= 1/4), else
    from the inverse of its complement at 2m."""
    mu = np.asarray(mu, dtype=float)
    a = 0.5 * (n - 1)
    m = np.minimum(mu, 1 - mu)
    s2 = special.betaincinv(a, 0.5, 2 * m)
    with np.errstate(all="ignore"):
        c2 = np.where(m >= 0.25, special.betaincinv(0.5, a, 1 - 2 * m),
                      special.betainccinv(0.5, a, 2 * m))
    return s2, c2


def _cap_from_theta_mp(theta, n: int):
    """mpmath sigma_n{x_1 >= cos theta}, accurate near the poles and the equator."""
    if theta <= mpmath.pi / 2:
        return _half_cap_mp(mpmath.sin(theta) ** 2, mpmath.cos(theta) ** 2, n)
    th = mpmath.pi - theta
    return 1 - _half_cap_mp(mpmath.sin(th) ** 2, mpmath.cos(th) ** 2, n)


def _theta_of_mu_mp(mu: float, n: int, dps: int):
    """theta_mu to ``dps`` digits: safeguarded Newton on log cap(theta) - log mu, bracket [0, pi].

    d cap/d theta = c_n sin^(n-2) theta; the start is the double-precision value.
    """
    with mpmath.workdps(dps + 10):
        target = mpmath.log(mpmath.mpf(mu))
        lcn = (mpmath.loggamma(mpmath.mpf(n) / 2) - mpmath.loggamma(mpmath.mpf(n - 1) / 2)
               - mpmath.log(mpmath.pi) / 2)
        lo, hi = mpmath.mpf(0), +mpmath.pi
        th = mpmath.mpf(float(_theta_of_mu(mu, n)))
        tol = mpmath.mpf(10) ** (-(dps + 3))
        for _ in range(300):
            c = _cap_from_theta_mp(th, n)
            val = mpmath.log(c) - target
            if val < 0:
                lo = th  # cap too small: widen
            else:
                hi = th
            dens = mpmath.exp(lcn + (n - 2) * mpmath.log(mpmath.sin(th))) if th > 0 else 0
            nth = th - val * c / dens if dens else (lo + hi) / 2
            if not (lo < nth < hi):
                nth = (lo + hi) / 2
            if abs(nth - th) < tol * max(1, th):
                return nth
            th = nth
        return th


def _t_of_mu_mp(mu: float, n: int, dps: int):
    """t_mu for 1/8 <= mu <= 1/2 to ``dps`` significant digits, however small t is: safeguarded
    Newton on log I_{t^2}(1/2, (n-1)/2) - log(1 - 2 mu) in t (derivative 2 f_n(t))."""
    with mpmath.workdps(dps + 10):
        target = 1 - 2 * mpmath.mpf(mu)  # exact: mu is a double in [1/8, 1/2]
        if target == 0:
            return mpmath.mpf(0)
        a, b = mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2
        lcn = (mpmath.loggamma(mpmath.mpf(n) / 2) - mpmath.loggamma(a) - mpmath.log(mpmath.pi) / 2)
        s2, c2 = _sin2_cos2_of_mu(mu, n)
        t = mpmath.sqrt(mpmath.mpf(float(c2)))
        lo, hi = mpmath.mpf(0), mpmath.mpf(1)
        tol = mpmath.mpf(10) ** (-(dps + 3))
        for _ in range(300):
            p = mpmath.betainc(b, a, 0, t * t, regularized=True)
            val = mpmath.log(p) - mpmath.log(target)
            if val < 0:
                lo = t
            else:
                hi = t
            dens = 2 * mpmath.exp(lcn + (n - 3) * mpmath.log((1 - t) * (1 + t)) / 2)
            nt = t - val * p / dens if dens else (lo + hi) / 2
            if not (lo < nt < hi):
                nt = (lo + hi) / 2
            if abs(nt - t) < tol * t:
                return nt
            t = nt
        return t


def cap_threshold(mu, n: int, *, precision: int | None = None):
    """Threshold :math:`t_\\mu` with :math:`\\sigma_n(\\{x_1 \\ge t_\\mu\\}) = \\mu` (SPH-10).

    :math:`t_{1-\\mu} = -t_\\mu`. Double precision uses the inverse incomplete beta function
    (:math:`t^2` from the inverse at :math:`1 - 2\\mu` near the equator, :math:`1 - t^2` from the
    inverse at :math:`2\\mu` near the pole, so both ends keep full relative precision). With
    ``precision``: near the pole the double value is refined by Newton steps on
    :math:`\\log\\sigma_n(\\text{cap}(\\theta)) - \\log\\mu` in the cap angle (exact derivative
    :math:`c_n\\sin^{n-2}\\theta`), near the equator (:math:`1/8 \\le \\mu \\le 7/8`) by Newton
    steps in ``t`` on :math:`\\log I_{t^2}(1/2, (n-1)/2) - \\log(1 - 2\\mu)`, both safeguarded by
    bisection.

    Examples
    --------
    >>> round(float(cap_threshold(0.25, 3)), 12)
    0.5
    >>> float(cap_threshold(0.5, 40))
    0.0
    """
    n = _check_n(n)
    precision = check.precision("precision", precision)
    if precision is not None:
        mu = check.real("mu", mu, low=0.0, high=1.0, low_open=True, high_open=True)
        m, sign = (mu, 1) if mu <= 0.5 else (1 - mu, -1)  # 1 - mu is exact for mu >= 1/2
        with mpmath.workdps(precision + 15):
            if m >= 0.125:
                t = _t_of_mu_mp(m, n, precision + 10)
            else:
                t = mpmath.cos(_theta_of_mu_mp(m, n, precision + 10))
            t = sign * t
        return +t
    mu = _check_mu(mu)
    s2, c2 = _sin2_cos2_of_mu(mu, n)
    t = np.where(c2 < 0.5, np.sqrt(c2), np.sqrt(1.0 - s2))
    t = np.where(mu <= 0.5, t, -t)
    return _out(np.where(mu == 0.5, 0.0, t))


# --------------------------------------------------------------------------- distance bound


def _g(u, metric: str):
    return 2.0 * np.sin(u / 2.0) if metric == "chord" else u


def _distance_from_theta(theta: float, n: int, metric: str) -> float:
    """Mean distance from a uniform point to the cap {angle <= theta}: c_n int_theta^pi g sin^(n-2)."""
    if theta >= math.pi:
        return 0.0
    lcn = _log_cn(n)

    def integrand(phi):
        s = math.sin(phi)
        if s <= 0:
            return 0.0
        return _g(phi - theta, metric) * math.exp(lcn + (n - 2) * math.log(s))

    width = 1.0 / math.sqrt(n)
    pts = [math.pi / 2 + k * width for k in (-8, -4, -2, -1, 0, 1, 2, 4, 8)]
    pts = [p for p in pts if theta < p < math.pi]
    val, _ = integrate.quad(integrand, theta, math.pi, points=pts or None, epsabs=0.0,
                            epsrel=1e-13, limit=400)
    return val


def distance_bound(
    mu,
    n: int,
    *,
    metric: Metric = "chord",
    method: Literal["exact", "gaussian"] = "exact",
    precision: int | None = None,
):
    """Sharp bound :math:`D_n(\\mu)` on the mean distance to the nearest error (SPH-10, SPH-13).

    Parameters
    ----------
    mu : float or array_like
        Error rate :math:`\\mu(E) \\in (0, 1)` on the unit sphere.
    n : int or array_like of int
        Dimension, ``n >= 2`` (an array is broadcast against ``mu``).
    metric : {"chord", "geodesic"}
        Euclidean (chord) or great-circle distance.
    method : {"exact", "gaussian"}
        ``"exact"``: the cap integral below. ``"gaussian"``: its large-n form
        :math:`(a\\Phi(a) + \\varphi(a))/\\sqrt n`, :math:`a = \\Phi^{-1}(1 - \\mu)` (the same for
        both metrics).
    precision : int, optional
        Decimal digits; ``mpmath.quad`` of the same integral (scalar ``mu``).

    Returns
    -------
    float or ndarray

    Notes
    -----
    .. math:: D_n(\\mu) = \\int_{-1}^{t_\\mu} g(\\arccos s - \\theta_\\mu) f_n(s)\\,ds
              = c_n\\int_{\\theta_\\mu}^{\\pi} g(\\varphi - \\theta_\\mu)\\sin^{n-2}\\varphi\\,d\\varphi,

    :math:`\\theta_\\mu = \\arccos t_\\mu`. For every measurable :math:`E \\subset S^{n-1}`,
    :math:`d(E) \\le D_n(\\sigma_n(E))`, with equality for caps (layer cake plus Levy). Evaluated
    by adaptive Gauss-Kronrod quadrature (relative tolerance 1e-13) in the angle, with
    breakpoints at :math:`\\pi/2 + k/\\sqrt n` where :math:`\\sin^{n-2}` concentrates. On the
    outer sphere distances scale by ``R``.

    Examples
    --------
    >>> round(float(distance_bound(0.5, 2)), 12)     # circle: (4/pi)(1 - cos(pi/4))
    0.372923228578
    >>> round(float(distance_bound(0.01, 500, method="gaussian")), 5)
    0.10419
    """
    metric = _check_metric(metric)
    method = check.choice("method", method, ("exact", "gaussian"))
    precision = check.precision("precision", precision)
    if precision is not None and method != "exact":
        raise ValueError(f"precision = {precision} applies to method='exact' only, got "
                         f"method = {method!r}")
    if isinstance(n, np.ndarray | list | tuple):  # a grid of dimensions: broadcast and loop
        if precision is not None:
            raise ValueError(f"precision = {precision} needs a scalar n, got n of shape "
                             f"{np.shape(n)}")
        ns = check.array("n", n, low=2, high=N_MAX)
        if np.any(ns != np.round(ns)):
            raise ValueError(f"n must hold integers in [2, {N_MAX}], got {ns[ns != np.round(ns)][:3]}")
        mu = _check_mu(mu)
        mu_b, n_b = np.broadcast_arrays(mu, ns)
        return np.array([distance_bound(float(m), int(k), metric=metric, method=method)
                         for m, k in zip(mu_b.ravel(), n_b.ravel(), strict=True)]
                        ).reshape(mu_b.shape)
    n = _check_n(n)
    if method == "gaussian":
        mu = _check_mu(mu)
        a = stats.norm.isf(mu)
        return _out((a * stats.norm.cdf(a) + stats.norm.pdf(a)) / math.sqrt(n))
    if precision is not None:
        mu = check.real("mu", mu, low=0.0, high=1.0, low_open=True, high_open=True)
        dps = precision
        with mpmath.workdps(dps + 10):
            theta = _theta_of_mu_mp(float(mu), n, dps + 5)
            lcn = (mpmath.loggamma(mpmath.mpf(n) / 2) - mpmath.loggamma(mpmath.mpf(n - 1) / 2)
                   - mpmath.log(mpmath.pi) / 2)

            def f(phi):
                u = phi - theta
                g = 2 * mpmath.sin(u / 2) if metric == "chord" else u
                return g * mpmath.exp(lcn + (n - 2) * mpmath.log(mpmath.sin(phi)))

            w = 1 / mpmath.sqrt(n)
            pts = [theta] + [mpmath.pi / 2 + k * w for k in (-8, -4, -2, -1, 0, 1, 2, 4, 8)
                             if theta < mpmath.pi / 2 + k * w < mpmath.pi] + [mpmath.pi]
            return +mpmath.quad(f, pts)
    mu = _check_mu(mu)
    theta = _theta_of_mu(mu, n)
    out = np.vectorize(lambda th: _distance_from_theta(float(th), n, metric), otypes=[float])(theta)
    return _out(out)


def distance_bound_limit(n: int, *, metric: Metric = "chord"):
    """:math:`D_n(0+)`, the mean distance from a uniform point to one fixed point (SPH-14).

    Chord: :math:`2\\Gamma(n/2)\\Gamma(n-1)/(\\Gamma((n-1)/2)\\Gamma(n-1/2))` (:math:`4/\\pi` at
    :math:`n = 2`, :math:`4/3` at :math:`n = 3`, :math:`\\to\\sqrt 2`); geodesic: :math:`\\pi/2`.

    Examples
    --------
    >>> round(float(distance_bound_limit(2)), 12)
    1.273239544735
    """
    n = _check_n(n)
    metric = _check_metric(metric)
    if metric == "geodesic":
        return math.pi / 2
    lg = (special.gammaln(n / 2) + special.gammaln(n - 1) - special.gammaln((n - 1) / 2)
          - special.gammaln(n - 0.5))
    return 2.0 * math.exp(lg)


def max_error_rate(d, n: int, *, metric: Metric = "chord", log: bool = False):
    """:math:`\\mu^*_n(d) = D_n^{-1}(d)`: the largest error rate with mean distance ``d`` (SPH-14).

    1 for ``d <= 0``, 0 for ``d >= D_n(0+)``. Solved in the cap angle (Brent's method on the exact
    :math:`D_n`), so that the result keeps full relative precision down to 1e-300; ``log=True``
    returns :math:`\\log\\mu^*` (exact also below the double range, via mpmath).

    Examples
    --------
    >>> mu = max_error_rate(0.2, 500)
    >>> bool(abs(distance_bound(mu, 500) - 0.2) < 1e-10)
    True
    """
    n = _check_n(n)
    metric = _check_metric(metric)
    log = _check_flag("log", log)
    d = check.real_or_array("d", d)
    top = distance_bound_limit(n, metric=metric)

    def one(dv: float) -> float:
        if dv <= 0:
            return 0.0 if log else 1.0
        if dv >= top:
            return -math.inf if log else 0.0
        theta = optimize.brentq(lambda th: _distance_from_theta(th, n, metric) - dv, 0.0,
                                math.pi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        mu = float(_cap_from_theta(theta, n))
        if not log:
            return mu
        if mu > 1e-290:
            return math.log(mu)
        with mpmath.workdps(30):
            s2 = mpmath.sin(mpmath.mpf(theta)) ** 2
            val = mpmath.betainc(mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2, 0, s2,
                                 regularized=True) / 2
            return float(mpmath.log(val))

    return _out(np.vectorize(one, otypes=[float])(d))


def neighbourhood_bound(mu, eps, n: int, *, method: Literal["exact", "gaussian"] = "exact"):
    """Levy's lower bound on :math:`\\sigma_n(E_\\varepsilon)` for :math:`\\sigma_n(E) = \\mu` (SPH-11).

    ``eps`` is a chord distance, :math:`\\theta_\\varepsilon = 2\\arcsin(\\varepsilon/2)`; the bound is
    the measure of the cap of angle :math:`\\min(\\pi, \\theta_\\mu + \\theta_\\varepsilon)`.
    ``method="gaussian"`` gives :math:`\\Phi(\\Phi^{-1}(\\mu) + \\varepsilon\\sqrt n)` (not a bound).

    Examples
    --------
    >>> round(float(neighbourhood_bound(0.5, 2.0, 10)), 12)
    1.0
    >>> bool(neighbourhood_bound(0.01, 0.1, 500) > 0.3)
    True
    """
    n = _check_n(n)
    mu = _check_mu(mu)
    eps = _check_eps(eps)
    method = check.choice("method", method, ("exact", "gaussian"))
    if method == "gaussian":
        return _out(stats.norm.cdf(stats.norm.ppf(mu) + eps * math.sqrt(n)))
    th = _theta_of_mu(mu, n) + 2 * np.arcsin(np.minimum(eps, 2.0) / 2)
    return _out(_cap_from_theta(np.minimum(th, math.pi), n))


def interior_bound(mu, eps, n: int):
    """Upper bound on :math:`\\sigma_n\\{x \\in E : \\mathrm{dist}(x, E^c) > \\varepsilon\\}` (SPH-16).

    The set :math:`F` of such points satisfies :math:`F_\\varepsilon \\subset E`; Levy gives
    :math:`\\sigma(F) \\le \\sigma_n(\\text{cap of angle } \\theta_\\mu - \\theta_\\varepsilon)`
    (0 when :math:`\\theta_\\mu \\le \\theta_\\varepsilon`).

    Examples
    --------
    >>> float(interior_bound(0.01, 0.5, 500))
    0.0
    """
    n = _check_n(n)
    mu = _check_mu(mu)
    eps = _check_eps(eps)
    th = _theta_of_mu(mu, n) - 2 * np.arcsin(np.minimum(eps, 2.0) / 2)
    return _out(np.where(th > 0, _cap_from_theta(np.maximum(th, 0.0), n), 0.0))


# --------------------------------------------------------------------------- small corollaries


def zero_error_bound(samples, confidence: float = 0.95):
    """One-sided upper confidence bound on an error rate after 0 errors in ``samples`` draws (SPH-3).

    :math:`\\mu_{up} = 1 - (1 - \\text{confidence})^{1/N}` (Clopper-Pearson with k = 0), about
    :math:`3/N` at 95 % (the rule of three).

    Examples
    --------
    >>> round(float(zero_error_bound(10**7)) * 1e7, 6)
    2.995732
    """
    samples = check.real_or_array("samples", samples, low=1.0)
    confidence = check.real("confidence", confidence, low=0.0, high=1.0, low_open=True,
                            high_open=True)
    return _out(-np.expm1(math.log1p(-confidence) / samples))


def critical_dimension(mu: float, gap: float, *, metric: Metric = "chord", n_max: int = 100_000):
    """Smallest ``n`` with :math:`D_n(\\mu) < ` ``gap`` (SPH-B7): from there on a set of measure
    ``mu`` can lie, on average, closer than ``gap`` to every point.

    Examples
    --------
    >>> n = critical_dimension(0.01, 0.3)
    >>> bool(distance_bound(0.01, n) < 0.3 <= distance_bound(0.01, n - 1))
    True
    """
    mu = check.real("mu", mu, low=0.0, high=1.0, low_open=True, high_open=True)
    gap = check.real("gap", gap, low=0.0, low_open=True)
    metric = _check_metric(metric)
    n_max = _check_n(n_max, "n_max")
    if distance_bound(mu, n_max, metric=metric) >= gap:
        raise ValueError(f"D_n(mu = {mu}) >= gap = {gap} for every n <= n_max = {n_max}")
    lo, hi = 2, n_max  # D_n decreases in n: bisect on the first n below the gap
    if distance_bound(mu, 2, metric=metric) < gap:
        return 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if distance_bound(mu, mid, metric=metric) < gap:
            hi = mid
        else:
            lo = mid
    return hi


def min_distance_quantile(q, N: int, n: int):
    """Poisson-approximation quantile of the smallest pairwise distance of ``N`` uniform points on
    :math:`S^{n-1}` (SPH-17).

    :math:`P(\\min_{i<j}\\|x_i - x_j\\| \\le r) \\approx 1 - \\exp(-M\\sigma_n(C(1 - r^2/2)))`,
    :math:`M = N(N-1)/2`, inverted in closed form through :func:`cap_threshold`.

    Examples
    --------
    >>> r = min_distance_quantile([0.01, 0.5, 0.99], 10**4, 500)
    >>> bool(np.all(np.diff(r) > 0))
    True
    """
    n = _check_n(n)
    q = check.real_or_array("q", q, low=0.0, high=1.0, low_open=True, high_open=True)
    N = check.integer("N", N, low=2, high=10**150)
    m = N * (N - 1) / 2
    cap = -np.log1p(-q) / m
    if np.any(~((cap > 0) & (cap < 1))):
        raise ValueError(f"q = {q!r} must give a pair probability -log(1 - q)/M in (0, 1) for "
                         f"M = N(N-1)/2 = {m:g} pairs (the Poisson approximation's range)")
    t = cap_threshold(cap, n)
    return _out(np.sqrt(2 - 2 * np.asarray(t)))


# --------------------------------------------------------------------------- quadratic network


def quadratic_alphas(W, w: float, b: float, *, return_basis: bool = False):
    """Eigen-coefficients :math:`\\alpha_i = w s_i^2/(-b)` of the quadratic network (SPH-6, SPH-7).

    :math:`\\hat y(x) = w\\sum_j (Wx)_j^2 + b = w\\, x^T W^T W x + b`; with ``W = U S V^T`` and
    :math:`w > 0 > b`, :math:`\\hat y(x) > 0 \\iff \\sum_i \\alpha_i (v_i\\cdot x)^2 > 1`.

    Parameters
    ----------
    W : array_like, shape (h, n)
    w, b : float
        Readout scale and bias; the ellipsoid form needs ``w > 0 > b``.
    return_basis : bool
        Also return ``V`` (n, n), columns the right singular vectors matching ``alphas``.

    Returns
    -------
    alphas : ndarray, shape (n,)
        Sorted in decreasing order, zero-padded when ``h < n``.

    Examples
    --------
    >>> quadratic_alphas(np.diag([2.0, 1.0]), 0.5, -1.0)
    array([2. , 0.5])
    """
    W = check.array("W", W, ndim=2)
    w = check.real("w", w, low=0.0, low_open=True)
    b = check.real("b", b, high=0.0, high_open=True)
    return_basis = _check_flag("return_basis", return_basis)
    n = W.shape[1]
    _, s, vt = np.linalg.svd(W, full_matrices=True)
    sv = np.zeros(n)
    sv[: s.size] = s
    alphas = w * sv**2 / (-b)
    order = np.argsort(-alphas, kind="stable")
    alphas = alphas[order]
    if return_basis:
        return alphas, vt.T[:, order]
    return alphas


def _sphere_weights(alphas, sphere: str, R: float) -> np.ndarray:
    a = check.array("alphas", alphas, ndim=1, min_size=2)
    R = check.real("R", R, low=1.0, low_open=True)
    sphere = check.choice("sphere", sphere, ("inner", "outer"))
    return a - 1.0 if sphere == "inner" else 1.0 / R**2 - a


def clt_error_rate(alphas, *, sphere: str = "inner", R: float = R_OUTER, printed: bool = False):
    """The paper's normal approximation of the quadratic network's error rate (SPH-8).

    With :math:`\\beta = \\alpha - 1` (inner) or :math:`1/R^2 - \\alpha` (outer),
    :math:`m = \\sum\\beta_i`: corrected form :math:`\\bar\\Phi(-m/\\sqrt{2\\sum\\beta_i^2})` (a CLT
    for :math:`\\sum\\beta_i z_i^2`); ``printed=True`` gives the form as printed,
    :math:`\\bar\\Phi(m/s)` with :math:`s = 2\\sum\\beta_i^2`.

    Examples
    --------
    >>> a = np.full(100, 0.8)
    >>> float(clt_error_rate(a)) > 0, float(clt_error_rate(a, printed=True)) > 0.5
    (True, True)
    """
    beta = _sphere_weights(alphas, sphere, R)
    printed = _check_flag("printed", printed)
    m = float(np.sum(beta))
    if not np.any(beta):
        return 0.0  # every alpha at the threshold: the form is identically 0, and P(0 > 0) = 0
    if printed:
        return float(stats.norm.sf(m / (2.0 * float(np.sum(beta**2)))))
    return float(stats.norm.sf(-m / math.sqrt(2.0 * float(np.sum(beta**2)))))


def quadratic_error_rate(
    alphas,
    *,
    sphere: Literal["inner", "outer"] = "inner",
    R: float = R_OUTER,
    method: Literal["exact", "saddlepoint", "clt", "clt_printed"] = "exact",
    log: bool = False,
):
    """Error rate of the quadratic network on one sphere (SPH-7, SPH-8, SPH-9).

    For :math:`x` uniform on the sphere of radius ``r``, :math:`x = r z/\\|z\\|`:
    inner error :math:`P(\\sum\\alpha_i x_i^2 > 1) = P(\\sum(\\alpha_i - 1) z_i^2 > 0)`;
    outer error :math:`P(\\sum(1/R^2 - \\alpha_i) z_i^2 > 0)`. ``"exact"`` is the contour inversion
    of :func:`theory.quadforms.sf`; exactly 0 when every :math:`\\alpha_i` lies in
    :math:`[1/R^2, 1]` (SPH-7).

    Examples
    --------
    >>> quadratic_error_rate(np.full(10, 0.8))
    0.0
    >>> a = np.r_[1.1, np.full(499, 0.9)]
    >>> p = quadratic_error_rate(a)
    >>> bool(abs(p / quadratic_error_rate(a, method="saddlepoint") - 1) < 0.2)
    True
    """

    beta = _sphere_weights(alphas, sphere, R)
    method = check.choice("method", method, ("exact", "saddlepoint", "clt", "clt_printed"))
    log = _check_flag("log", log)
    if method == "clt_printed":
        p = clt_error_rate(alphas, sphere=sphere, R=R, printed=True)
        return (math.log(p) if p > 0 else -math.inf) if log else p
    return quadforms.sf(beta, 0.0, method=method, log=log)


def nearest_error(x, alphas, V, *, sphere: str = "inner", R: float = R_OUTER):
    """Exact nearest on-sphere error of the quadratic network from a point ``x`` (SPH-4, SPH-9).

    In the basis :math:`z = V^T x/r` (unit vector) the errors are
    :math:`\\{e : \\|e\\| = 1, \\sum\\beta_i e_i^2 \\ge 0\\}`. For a correctly classified ``x``
    (:math:`\\sum\\beta_i z_i^2 < 0`) the nearest error is
    :math:`e \\propto (z_i/(1 - \\kappa\\beta_i))_i` with :math:`\\kappa \\in (0, 1/\\max\\beta)` the
    unique root of :math:`F(\\kappa) = \\sum\\beta_i z_i^2/(1 - \\kappa\\beta_i)^2 = 0` (F increases
    there); the Lagrangian is concave for such :math:`\\kappa`, so the stationary point is the global
    minimum. Distance :math:`r\\|z - e\\|`.

    Returns
    -------
    distance : float
        0 when ``x`` is itself an error, ``inf`` when there is no error (max beta <= 0).
    point : ndarray
        The nearest error, on the sphere of radius ``r`` (``x`` itself when it is an error).

    Examples
    --------
    >>> a = np.array([1.5, 0.8, 0.8]); V = np.eye(3)
    >>> d, e = nearest_error(np.array([0.0, 1.0, 0.0]), a, V)   # e = (sqrt(2/7), sqrt(5/7), 0)
    >>> bool(abs(sum(a * e**2) - 1) < 1e-12), round(d, 9)
    (True, 0.556499318)
    """
    beta = _sphere_weights(alphas, sphere, R)
    n = beta.size
    x = check.array("x", x, ndim=1, shape=(n,))
    V = check.array("V", V, ndim=2, shape=(n, n))
    if not np.allclose(V.T @ V, np.eye(n), rtol=0.0, atol=1e-8):
        raise ValueError("V must be orthogonal (V^T V = I to 1e-8)")
    r = float(np.linalg.norm(x))
    if not r > 0:
        raise ValueError("x must be a non-zero point (its norm is the sphere's radius)")
    z = V.T @ x / r
    q = float(np.sum(beta * z * z))
    if q >= 0:
        return 0.0, x.copy()
    bmax = float(beta.max())
    if bmax <= 0:
        return math.inf, x.copy()
    z2 = z * z
    top = beta == bmax

    def F(log_u: float) -> float:
        # u = 1 - kappa bmax in (0, 1]; 1 - kappa beta_i = 1 - (1 - u) beta_i/bmax
        u = math.exp(log_u)
        den = np.where(top, u, 1.0 - (1.0 - u) * beta / bmax)
        return float(np.sum(beta * z2 / den**2))

    if F(-300.0) <= 0:
        # x (numerically) orthogonal to the top eigenspace, a null event: kappa = 1/max beta and
        # the top component is whatever meets the constraint sum beta e^2 = 0
        v = np.where(top, 0.0, z / np.where(top, 1.0, 1.0 - beta / bmax))
        rest = -float(np.sum(beta * v * v)) / bmax
        k = int(np.argmax(top))
        v[k] = math.sqrt(max(rest, 0.0))
        e = v / np.linalg.norm(v)
    else:
        lu = optimize.brentq(F, -300.0, 0.0, xtol=1e-14, rtol=1e-15, maxiter=500)
        u = math.exp(lu)
        den = np.where(top, u, 1.0 - (1.0 - u) * beta / bmax)
        e = z / den
        e /= np.linalg.norm(e)
    dist = r * float(np.linalg.norm(z - e))
    return dist, r * (V @ e)
