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
from advgeom.theory import quadforms
from advgeom.theory.highdim import gamma_half_ratio
from scipy import integrate, optimize, special, stats

__all__ = [
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

Metric = Literal["chord", "geodesic"]


# --------------------------------------------------------------------------- validation


def _check_n(n) -> int:
    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    return int(n)


def _check_mu(mu) -> np.ndarray:
    mu = np.asarray(mu, dtype=float)
    bad = ~((mu > 0) & (mu < 1))
    if np.any(bad):
        raise ValueError(f"mu must lie in the open interval (0, 1), got {mu[bad].ravel()[:3]}")
    return mu


def _check_eps(eps) -> np.ndarray:
    eps = np.asarray(eps, dtype=float)
    bad = ~(eps >= 0) | ~np.isfinite(eps)
    if np.any(bad):
        raise ValueError(f"eps must be finite and >= 0, got {eps[bad].ravel()[:3]}")
    return eps


def _check_metric(metric) -> str:
    if metric not in ("chord", "geodesic"):
        raise ValueError(f"metric must be 'chord' or 'geodesic', got {metric!r}")
    return metric


def _out(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


def _log_cn(n: int) -> float:
    """log of Gamma(n/2) / (sqrt(pi) Gamma((n-1)/2)), the normalizer of f_n."""
    return -math.log(float(gamma_half_ratio((n - 1) / 2))) - 0.5 * math.log(math.pi)


# --------------------------------------------------------------------------- sampling and densities


def sample_sphere(m: int, n: int, *, R: float = 1.0, rng: np.random.Generator) -> np.ndarray:
    """``m`` points uniform on the sphere of radius ``R`` in :math:`\\mathbb R^n` (SPH-1).

    :math:`x = R z/\\|z\\|`, :math:`z \\sim N(0, I_n)`: uniform by rotation invariance of the
    standard normal law.

    Examples
    --------
    >>> x = sample_sphere(4, 7, R=1.3, rng=np.random.default_rng(0))
    >>> x.shape, bool(np.allclose(np.linalg.norm(x, axis=1), 1.3))
    ((4, 7), True)
    """
    n = _check_n(n)
    if not R > 0:
        raise ValueError(f"R must be > 0, got {R}")
    z = rng.standard_normal((int(m), n))
    return R * z / np.linalg.norm(z, axis=1, keepdims=True)


def coordinate_density(s, n: int):
    """Density :math:`f_n(s)` of one coordinate of a uniform point on :math:`S^{n-1}` (SPH-12).

    :math:`f_n(s) = \\frac{\\Gamma(n/2)}{\\sqrt\\pi\\Gamma((n-1)/2)}(1-s^2)^{(n-3)/2}`, zero outside
    [-1, 1]; :math:`\\sqrt n\\, x_1 \\Rightarrow N(0, 1)`.

    Examples
    --------
    >>> round(float(coordinate_density(0.0, 3)), 12)    # uniform on [-1, 1] when n = 3
    0.5
    """
    n = _check_n(n)
    s = np.asarray(s, dtype=float)
    inside = np.abs(s) < 1
    one_m = np.where(inside, (1 - s) * (1 + s), 1.0)
    val = np.exp(_log_cn(n) + 0.5 * (n - 3) * np.log(one_m))
    return _out(np.where(inside, val, 0.0))


# --------------------------------------------------------------------------- caps


def _cap_from_theta(theta, n: int):
    """sigma_n{x_1 >= cos theta} for theta in [0, pi], without forming 1 - cos^2."""
    theta = np.clip(np.asarray(theta, dtype=float), 0.0, math.pi)
    a, b = 0.5 * (n - 1), 0.5
    small = theta <= math.pi / 2
    th = np.where(small, theta, math.pi - theta)
    half = 0.5 * special.betainc(a, b, np.sin(th) ** 2)
    # theta > pi/2: 1 - cap(pi - theta) = 1/2 + 1/2 I_{cos^2}(1/2, (n-1)/2)
    big = 0.5 + 0.5 * special.betainc(b, a, np.cos(th) ** 2)
    return np.where(small, half, big)


def cap_measure(t, n: int, *, precision: int | None = None):
    """Measure :math:`\\sigma_n(\\{x_1 \\ge t\\})` of a spherical cap (SPH-2, SPH-10, SPH-11).

    Parameters
    ----------
    t : float or array_like
        Threshold; values above 1 give 0 and below -1 give 1.
    n : int
        Ambient dimension, ``n >= 2``.
    precision : int, optional
        Decimal digits; returns an mpmath number (scalar ``t`` only).

    Notes
    -----
    :math:`\\sigma_n(C(t)) = \\tfrac12 I_{(1-t)(1+t)}((n-1)/2, 1/2)` for :math:`t \\ge 0` (the
    complementary incomplete beta, never ``1 - cdf``), and
    :math:`\\tfrac12 + \\tfrac12 I_{t^2}(1/2, (n-1)/2)` for :math:`t < 0`.

    Examples
    --------
    >>> round(float(cap_measure(0.5, 3)), 12)           # Archimedes: (1 - t)/2
    0.25
    >>> float(cap_measure(0.9, 500)) < 1e-100
    True
    """
    n = _check_n(n)
    if precision is not None:
        with mpmath.workdps(int(precision) + 10):
            t = mpmath.mpf(t)
            if t >= 1:
                return mpmath.mpf(0)
            if t <= -1:
                return mpmath.mpf(1)
            a, b = mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2
            if t >= 0:
                r = mpmath.betainc(a, b, 0, (1 - t) * (1 + t), regularized=True) / 2
            else:
                r = 1 - mpmath.betainc(a, b, 0, (1 - t) * (1 + t), regularized=True) / 2
            return +r
    t = np.asarray(t, dtype=float)
    if np.any(np.isnan(t)):
        raise ValueError("t must not be NaN")
    tc = np.clip(t, -1.0, 1.0)
    a, b = 0.5 * (n - 1), 0.5
    one_m = (1 - tc) * (1 + tc)
    pos = 0.5 * special.betainc(a, b, one_m)
    neg = 0.5 + 0.5 * special.betainc(b, a, tc * tc)
    return _out(np.where(tc >= 0, pos, neg))


def _theta_of_mu(mu, n: int) -> np.ndarray:
    """Cap angle theta_mu = arccos t_mu, computed from the inverse incomplete beta."""
    mu = np.asarray(mu, dtype=float)
    a, b = 0.5 * (n - 1), 0.5
    m = np.minimum(mu, 1 - mu)
    # P(1 - x_1^2 < sin^2 theta) = 2 mu  for theta <= pi/2
    v = special.betaincinv(a, b, 2 * m)
    t2 = special.betainccinv(b, a, 2 * m)
    theta = np.where(v < 0.5, np.arcsin(np.sqrt(v)), np.arccos(np.sqrt(t2)))
    return np.where(mu <= 0.5, theta, math.pi - theta)


def _cap_from_theta_mp(theta, n: int):
    """mpmath sigma_n{x_1 >= cos theta}, from sin^2 theta (no cancellation near the poles)."""
    a, b = mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2
    half = mpmath.betainc(a, b, 0, mpmath.sin(theta) ** 2, regularized=True) / 2
    return half if theta <= mpmath.pi / 2 else 1 - half


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


def cap_threshold(mu, n: int, *, precision: int | None = None):
    """Threshold :math:`t_\\mu` with :math:`\\sigma_n(\\{x_1 \\ge t_\\mu\\}) = \\mu` (SPH-10).

    :math:`t_{1-\\mu} = -t_\\mu`. Double precision uses the inverse incomplete beta function; with
    ``precision`` the double value is refined by Newton steps on
    :math:`\\log\\sigma_n(\\text{cap}(\\theta)) - \\log\\mu` in the cap angle (exact derivative
    :math:`c_n\\sin^{n-2}\\theta`), safeguarded by bisection on :math:`[0, \\pi]`.

    Examples
    --------
    >>> round(float(cap_threshold(0.25, 3)), 12)
    0.5
    >>> float(cap_threshold(0.5, 40))
    0.0
    """
    n = _check_n(n)
    mu = _check_mu(mu)
    if precision is not None:
        with mpmath.workdps(int(precision) + 15):
            return +mpmath.cos(_theta_of_mu_mp(float(mu), n, int(precision) + 10))
    t = np.cos(_theta_of_mu(mu, n))
    t = np.where(mu == 0.5, 0.0, t)
    return _out(t)


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
    if np.ndim(n) > 0 and precision is not None:
        raise ValueError(f"precision= needs a scalar n, got n of shape {np.shape(n)}")
    if np.ndim(n) > 0:  # a grid of dimensions (plots against n): broadcast and loop
        mu_b, n_b = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(n))
        return np.array([distance_bound(float(m), int(k), metric=metric, method=method)
                         for m, k in zip(mu_b.ravel(), n_b.ravel(), strict=True)]
                        ).reshape(mu_b.shape)
    n = _check_n(n)
    metric = _check_metric(metric)
    mu = _check_mu(mu)
    if method == "gaussian":
        a = stats.norm.isf(mu)
        return _out((a * stats.norm.cdf(a) + stats.norm.pdf(a)) / math.sqrt(n))
    if method != "exact":
        raise ValueError(f"method must be 'exact' or 'gaussian', got {method!r}")
    if precision is not None:
        dps = int(precision)
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
    d = np.asarray(d, dtype=float)
    if np.any(~np.isfinite(d)):
        raise ValueError(f"d must be finite, got {d[~np.isfinite(d)][:3]}")
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
    if method == "gaussian":
        return _out(stats.norm.cdf(stats.norm.ppf(mu) + eps * math.sqrt(n)))
    if method != "exact":
        raise ValueError(f"method must be 'exact' or 'gaussian', got {method!r}")
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
    samples = np.asarray(samples, dtype=float)
    bad = ~(samples >= 1)  # NaN included
    if np.any(bad):
        raise ValueError(f"samples must be >= 1, got {samples[bad].ravel()[:3]}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
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
    _check_mu(mu)
    if not gap > 0:
        raise ValueError(f"gap must be > 0, got {gap}")
    if distance_bound(mu, n_max, metric=metric) >= gap:
        raise ValueError(f"D_n({mu}) >= {gap} for every n <= n_max = {n_max}")
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
    q = np.asarray(q, dtype=float)
    if np.any(~((q > 0) & (q < 1))):
        raise ValueError(f"q must lie in (0, 1), got {q}")
    if N < 2:
        raise ValueError(f"N must be >= 2, got {N}")
    m = N * (N - 1) / 2
    cap = -np.log1p(-q) / m
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
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or not np.all(np.isfinite(W)):
        raise ValueError(f"W must be a finite 2-d array, got shape {W.shape}")
    if not (w > 0 > b):
        raise ValueError(f"the ellipsoid form needs w > 0 > b, got w = {w}, b = {b}")
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
    a = np.asarray(alphas, dtype=float)
    if a.ndim != 1 or a.size < 2 or not np.all(np.isfinite(a)):
        raise ValueError(f"alphas must be a finite 1-d array of length >= 2, got shape {a.shape}")
    if not R > 1:
        raise ValueError(f"R must be > 1, got {R}")
    if sphere == "inner":
        return a - 1.0
    if sphere == "outer":
        return 1.0 / R**2 - a
    raise ValueError(f"sphere must be 'inner' or 'outer', got {sphere!r}")


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
    m = float(np.sum(beta))
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
    if method == "clt_printed":
        p = clt_error_rate(alphas, sphere=sphere, R=R, printed=True)
        return (math.log(p) if p > 0 else -math.inf) if log else p
    if method not in ("exact", "saddlepoint", "clt"):
        raise ValueError(
            f"method must be 'exact', 'saddlepoint', 'clt' or 'clt_printed', got {method!r}"
        )
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
    x = np.asarray(x, dtype=float)
    V = np.asarray(V, dtype=float)
    r = float(np.linalg.norm(x))
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
