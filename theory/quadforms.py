"""Tail probabilities of Gaussian quadratic forms with weights of both signs.

``sf(w, x)`` is :math:`P(Q > x)` for :math:`Q = \\sum_i w_i z_i^2`, :math:`z \\sim N(0, I)`. It
serves the error rate of the quadratic network of Gilmer et al. (arXiv:1801.02774, SPH-8, SPH-9,
SPH-15), where :math:`P(\\sum_i a_i x_i^2 > t)` for :math:`x` uniform on the sphere equals
:math:`P(\\sum_i (a_i - t) z_i^2 > 0)` (the events coincide for every :math:`z \\ne 0`).

Methods
-------
``"exact"``
    Numerical inversion of the Laplace transform along a contour through the saddle point of
    :math:`\\psi(s) = K(s) - s x - \\log s`, :math:`K(s) = -\\tfrac12 \\sum \\log(1 - 2 w_i s)`:

    .. math:: P(Q > x) = \\frac{1}{2\\pi i}\\int_{c - i\\infty}^{c + i\\infty}
              \\frac{e^{K(s) - s x}}{s}\\, ds, \\qquad 0 < c < 1/(2\\max w).

    The integrand is largest (and positive) at the real point ``c``, so the integral is a sum of
    terms of one sign in its bulk and is computed to a *relative* tolerance, with the factor
    :math:`e^{K(c) - cx}` kept in log form (probabilities below 1e-300 come back as logs). When
    the tail below ``x`` is the smaller one the same integral with ``c < 0`` gives
    :math:`P(Q < x)` and ``sf = 1 - P(Q < x)`` (no cancellation: ``P(Q < x) < 1/2`` roughly).
    For ``x != 0`` the contour is bent, :math:`s(y) = c + a y^2 + i y`, towards the side where
    :math:`e^{-sx}` decays, which turns the oscillating factor :math:`e^{-iyx}` into a damped one;
    the bend crosses no singularity (the branch cuts lie on the real axis beyond
    :math:`1/(2 w_i)`, the pole at 0 is not enclosed), so the value is unchanged. With
    :math:`y = \\sigma \\sinh t` (:math:`\\sigma` the saddle-point width) the integrand is analytic
    in a strip around the real :math:`t` axis and decays at least exponentially, so the trapezoid
    rule converges geometrically in the step; the step is halved until two successive sums agree
    to 1e-7 relative (the error of the finer sum is then of the order of the square of that), and
    the range is cut where a bound on the remaining integral is below 1e-17 of the value. The
    result is exact to about 1e-12 relative, limited by the rounding of
    :math:`\\sum \\log(1 - 2 w_i s)` (a few ulps per term, times the exponent :math:`|K(c) - cx|`).
    Repeated weights enter once with their multiplicity, and weights that agree to about
    :math:`\\sqrt{4 \\cdot 10^{-15}/n}` relative are merged into one chi-square when the proven
    bound of :func:`cluster` on the change of the probability is below :math:`10^{-13}` of it
    (10,000 weights within 1e-10 of each other cost what two distinct weights cost).
    Thousands of distinct weights are summed at each node in bins of relative width 1/24 around
    centres :math:`r_b`: :math:`\\log(1 - \\rho_i z) = \\log(1 - r_b z) + \\log(1 - d_i v_b)`,
    :math:`v_b = z/(1 - r_b z)`, the second term a power series in :math:`v_b` with the bin's power
    sums, truncated where the geometric bound on its remainder, evaluated at every node
    (:func:`_binned_logsum`), is below 1e-16; nodes where it is not are summed directly.
``"saddlepoint"``
    Lugannani-Rice approximation (Lugannani and Rice 1980; Kuonen 1999).
``"clt"``
    Normal approximation :math:`\\bar\\Phi((x - \\sum w)/\\sqrt{2 \\sum w^2})` (``norm.sf``).
``"imhof"``
    Imhof's (1961) formula :math:`\\tfrac12 + \\tfrac1\\pi\\int_0^\\infty \\sin\\theta(u)/(u\\rho(u))\\,du`
    with ``scipy.integrate.quad``; an absolute-error method, useful in the bulk only.
``"beta"``
    Closed form for two weight values at ``x = 0``: ``k`` copies of :math:`w_+ > 0`, ``m`` of
    :math:`w_- < 0`: :math:`P = I_{1-\\gamma}(m/2, k/2)`, :math:`\\gamma = |w_-|/(w_+ + |w_-|)`.
``"mc"``
    Monte Carlo fraction of ``samples`` draws (``rng`` required for reproducibility).

References
----------
Gilmer et al., arXiv:1801.02774. Imhof, Biometrika 48 (1961). Lugannani and Rice, Adv. Appl.
Prob. 12 (1980). Kuonen, Biometrika 86 (1999).

Examples
--------
>>> import numpy as np
>>> from scipy import stats
>>> p = sf([1.0, 1.0, 1.0], 30.0)             # chi-square with 3 degrees of freedom
>>> bool(abs(p / stats.chi2.sf(30.0, 3) - 1) < 1e-11)
True
>>> float(sf([1.0, -1.0]))                    # symmetric: exactly one half
0.5
>>> w = np.r_[0.5, np.full(499, -0.5)]          # P(x_1^2 > 1/2) on the unit sphere, n = 500
>>> bool(abs(sf(w) / stats.beta.sf(0.5, 0.5, 249.5) - 1) < 1e-11)
True
>>> w = np.r_[0.1, np.full(9999, -0.9)]          # P(x_1^2 > 0.9), n = 10^4: below 1e-300
>>> round(float(sf(w, log=True)), 3)
-11516.552
"""

from __future__ import annotations

import math
from typing import Literal

import mpmath
import numpy as np
from scipy import integrate, optimize, special, stats

__all__ = ["sf", "cgf", "saddlepoint", "cluster", "METHODS"]

METHODS = ("exact", "saddlepoint", "clt", "imhof", "beta", "mc")
Method = Literal["exact", "saddlepoint", "clt", "imhof", "beta", "mc"]

# Successive trapezoid sums (step h, h/2) agreeing to 1e-7: the error of an exponentially convergent
# rule roughly squares when the step halves, so the finer sum is then good to about 1e-14.
_REL_TOL = 1e-7
_CUT = 1e-17  # bound on the discarded tail, relative to the value
_CHUNK = 1 << 20  # complex entries per block of nodes x weights


def _check_weights(weights) -> np.ndarray:
    if isinstance(weights, str | bytes) or weights is None:
        raise ValueError(f"weights = {weights!r} must be a non-empty 1-D array of finite reals")
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"weights = {weights!r} must be a non-empty 1-D array of finite "
                         "reals") from None
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights must be a non-empty 1-D array of finite reals, got shape "
                         f"{w.shape}")
    if np.asarray(weights).dtype == bool:
        raise ValueError("weights must be real numbers, got booleans")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"weights must be finite, got {w[~np.isfinite(w)][:3]}")
    return w


def _check_x(x) -> float:
    if isinstance(x, bool | np.bool_ | str | bytes) or x is None:
        raise ValueError(f"x = {x!r} must be a finite real number")
    try:
        x = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"x = {x!r} must be a finite real number") from None
    if not math.isfinite(x):
        raise ValueError(f"x must be a finite real number, got {x}")
    return x


def _trivial(w: np.ndarray, x: float) -> float | None:
    """Exact value when the weights have one sign (or are all zero) and x is on the trivial side."""
    wmax, wmin = w.max(), w.min()
    if wmax <= 0 and x >= 0:
        return 0.0
    if wmax == 0 and wmin == 0:
        return 1.0 if x < 0 else 0.0
    if wmin >= 0 and x <= 0:  # some w > 0: Q > 0 almost surely
        return 1.0
    return None


def cgf(weights, s):
    """Cumulant generating function :math:`K(s) = -\\tfrac12\\sum_i \\log(1 - 2 w_i s)` of
    :math:`Q = \\sum w_i z_i^2`, for real or complex ``s`` with :math:`\\mathrm{Re}(1 - 2 w_i s) > 0`.

    Examples
    --------
    >>> round(float(cgf([1.0], 0.25)), 12)   # -log(1/2)/2
    0.34657359028
    """
    w = _check_weights(weights)
    if isinstance(s, str | bytes | bool | np.bool_) or s is None:
        raise ValueError(f"s = {s!r} must be a real or complex number or array")
    try:
        s = np.asarray(s, dtype=complex if np.iscomplexobj(s) else float)
    except (TypeError, ValueError):
        raise ValueError(f"s = {s!r} must be a real or complex number or array") from None
    if s.size == 0 or not np.all(np.isfinite(s)):
        raise ValueError(f"s must be finite and non-empty, got {s.ravel()[:3]}")
    if np.any(np.real(1.0 - 2.0 * np.multiply.outer(s, w)) <= 0):
        raise ValueError("s must satisfy Re(1 - 2 w_i s) > 0 for every weight (inside the "
                         f"domain of K), got s = {s.ravel()[:3]}")
    return -0.5 * np.sum(np.log1p(-2.0 * np.multiply.outer(s, w)), axis=-1)


# --------------------------------------------------------------------------- exact contour method


def _param(w: np.ndarray):
    """Map theta in R to (b, s) with s in (0, 1/(2 max w)) and b_i = 1 - 2 w_i s, accurately.

    s = hi * expit(theta) and 1 - 2 w_max s = expit(-theta), so that both the small-s end and the
    near-singular end keep full relative precision; b_i = ((w_max - w_i) + w_i expit(-theta))/w_max
    uses the exact difference w_max - w_i (Sterbenz), which keeps near-tied weights accurate.
    """
    wmax = float(w.max())
    if wmax > 0:
        hi = 0.5 / wmax
        gap = wmax - w

        def b_of(theta):
            d = special.expit(-theta)
            return (gap + w * d) / wmax, hi * special.expit(theta)

    else:

        def b_of(theta):
            s = math.exp(theta)
            return 1.0 - 2.0 * w * s, s

    return b_of


def _root(b_of, fun) -> float:
    """Root in theta of an increasing function of s = s(theta), bracketed on [-700, 700]."""
    lo_t, hi_t = -700.0, 700.0
    if fun(*b_of(hi_t)) <= 0 or fun(*b_of(lo_t)) >= 0:
        raise ValueError("no root: x lies outside the support of the quadratic form")
    return optimize.brentq(
        lambda t: fun(*b_of(t)), lo_t, hi_t, xtol=1e-10, rtol=1e-13, maxiter=500
    )


def _upper_setup(w: np.ndarray, x: float, mult: np.ndarray | None = None):
    """Saddle point c > 0 of psi(s) = K(s) - s x - log s, and b_i = 1 - 2 w_i c.

    ``mult`` holds multiplicities of the weights (all 1 when omitted)."""
    b_of = _param(w)
    wm = w if mult is None else w * mult
    theta = _root(b_of, lambda b, s: float(np.sum(wm / b)) - x - 1.0 / s)
    b, c = b_of(theta)
    return c, b


def _bend(rho: np.ndarray, c: float, x: float) -> float:
    """Curvature a of the contour s(y) = c + a y^2 + i y (0 when x = 0).

    Bent towards the side where exp(-s x) decays, at most so far that |1 - 2 w_i s| and |s'/s|
    stay non-increasing along the contour (rho_i = 2 w_i/(1 - 2 w_i c)); weights below 1e-3 of the
    largest are ignored in that rule, as their factors stay close to 1 where the integrand matters.
    """
    if x == 0.0:
        return 0.0
    same = rho * np.sign(x) > 0
    cand = [0.3 / c]
    if np.any(same):
        r = np.abs(rho[same])
        r = r[r >= 1e-3 * r.max()]
        cand.append(0.5 * float(r.min()))
    return math.copysign(min(cand), x)


# --------------------------------------------------------------------------- clustering near ties

_CLUSTER_REL = 1e-13  # merged weights are used only when the proven bound is below this
_EPS = float(np.finfo(float).eps)


def _cluster_tol(n: float) -> float:
    """Relative width of the bins in which weights are merged: sqrt(4e-15 / n), at most 1e-8.

    A cluster of relative spread tau changes K by at most about n tau^2 kappa^2 / 4 (see
    :func:`cluster`), so this width keeps that below 1e-15 kappa^2 for n weights in all.
    """
    return min(1e-8, math.sqrt(4e-15 / max(n, 1.0)))


def _merge(w: np.ndarray, mult: np.ndarray, tol: float):
    """Merge sorted distinct weights of one sign whose logs fall in the same bin of width ``tol``.

    Returns ``(atoms, atom multiplicities, parts)`` or None when nothing merges. A cluster of
    several weights becomes two adjacent floats ``lo < hi`` around the multiplicity-weighted mean,
    with multiplicities ``n - alpha`` and ``alpha`` such that ``(n - alpha) lo + alpha hi`` is the
    members' sum (a float mean alone would be off by up to n/2 ulps). ``parts`` is
    ``(ids, lo_index, hi_index)``: the cluster of each weight and the positions of its atoms
    (``hi_index`` -1 for a weight left alone).
    """
    if w.size < 2:
        return None
    a = np.abs(w)
    if not np.any(np.diff(w) <= tol * np.minimum(a[:-1], a[1:])):
        return None  # no two neighbours close enough: the common case, decided in O(n)
    with np.errstate(divide="ignore"):
        key = np.floor(np.log(np.where(w != 0, a, 1.0)) / tol)
    brk = np.r_[True, (np.diff(key) != 0) | (np.diff(np.sign(w)) != 0)]
    if brk.all():
        return None
    starts = np.flatnonzero(brk)
    ids = np.cumsum(brk) - 1
    cnt = np.diff(np.r_[starts, w.size])
    n = np.add.reduceat(mult, starts)
    m0 = np.add.reduceat(mult * w, starts) / n
    m0 = np.clip(m0, np.minimum.reduceat(w, starts), np.maximum.reduceat(w, starts))
    resid = np.bincount(ids, weights=mult * (w - m0[ids]))  # offsets exact (Sterbenz)
    lo = np.where(resid >= 0, m0, np.nextafter(m0, -np.inf))
    hi = np.nextafter(lo, np.inf)
    alpha = np.bincount(ids, weights=mult * (w - lo[ids])) / (hi - lo)
    alpha = np.clip(alpha, 0.0, n)
    single = cnt == 1
    lo = np.where(single, m0, lo)
    n_lo = np.where(single, n, n - alpha)
    # atoms: lo of every cluster, then hi of every merged cluster, then sorted
    atoms = np.r_[lo, hi[~single]]
    am = np.r_[n_lo, alpha[~single]]
    order = np.argsort(atoms, kind="stable")
    pos = np.empty_like(order)
    pos[order] = np.arange(order.size)
    lo_index = pos[: lo.size]
    hi_index = np.full(lo.size, -1)
    hi_index[~single] = pos[lo.size:]
    return atoms[order], am[order], (ids, lo_index, hi_index)


def _cluster_bound(w, mult, atoms, am, parts, c: float, b: np.ndarray, total: float) -> float:
    """Bound on |P(Q > x) - P(Q_c > x)| / P(Q_c > x) (see :func:`cluster` for the proof).

    ``c`` is the saddle point of the clustered form, ``b = 1 - 2 atoms c``, ``total`` its
    trapezoid sum (P(Q_c > x) = exp(phi_c) total / pi).
    """
    if not total > 0:
        return math.inf
    ids, lo_i, hi_i = parts
    m = atoms[lo_i]  # each cluster's reference point: its lower atom
    merged = hi_i >= 0
    rho = 2.0 * atoms / b
    kappa = np.maximum(1.0, np.abs(rho[lo_i]) * c)  # sup of |2 m s/(1 - 2 m s)| on Re s = c
    d = w - m[ids]  # exact: same sign and within a factor 2 (Sterbenz)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(m != 0, 1.0 / np.abs(m), 0.0)
    eta = np.abs(d) * (inv * kappa)[ids]  # |u_i| <= eta_i on the whole line
    g = np.where(merged, atoms[np.maximum(hi_i, 0)] - m, 0.0)  # one ulp, exact
    alpha = np.where(merged, am[np.maximum(hi_i, 0)], 0.0)
    eta_hi = g * inv * kappa
    if not max(float(eta.max()), float(eta_hi.max())) < 0.5:
        return math.inf
    nc = m.size
    lin = np.abs(np.bincount(ids, weights=mult * d, minlength=nc) - alpha * g)
    lin += (np.bincount(ids, minlength=nc) + 3) * _EPS * (
        np.bincount(ids, weights=mult * np.abs(d), minlength=nc) + alpha * g)  # rounding
    delta = 0.5 * float(np.sum(kappa * lin * inv))
    delta += 0.25 * (float(np.sum(mult * eta * eta / (1.0 - eta)))
                     + float(np.sum(alpha * eta_hi * eta_hi / (1.0 - eta_hi))))
    # I = int_0^inf prod_j (1 + rho_j^2 y^2)^(-n_j/4) / sqrt(c^2 + y^2) dy over the atoms, bounded
    # from above by the upper Riemann sum of the decreasing integrand on y = sigma sinh(t), t in
    # steps of 0.1, plus a tail bound beyond Y: h(y) <= h(Y) (Y/y)^(1 + N/2) prod lambda_j^(-n_j/4)
    nz = (atoms != 0) & (am > 0)
    rr, nn = rho[nz] ** 2, am[nz]
    big_n = float(nn.sum())
    sigma = c / math.sqrt(1.0 + 2.0 * float(np.sum(am * (atoms * c / b) ** 2)))
    t_max = 8.0
    while True:
        y = sigma * np.sinh(np.arange(0.0, t_max + 0.05, 0.1))
        logh = -0.25 * (np.log1p(np.multiply.outer(y * y, rr)) @ nn) - 0.5 * np.log(c * c + y * y)
        upper = float(np.sum(np.exp(logh[:-1]) * np.diff(y)))
        big_y = float(y[-1])
        lam = rr * big_y**2 / (1.0 + rr * big_y**2)
        log_tail = (float(logh[-1]) + math.log(big_y) + math.log(2.0 / big_n)
                    - 0.25 * float(np.sum(nn * np.log(lam))))
        tail = math.exp(min(log_tail, 700.0))
        if tail <= 1e-3 * upper or t_max >= 60.0:
            break
        t_max += 8.0
    return math.expm1(delta) * (upper + tail) / total


def cluster(weights, x=0.0, *, tol: float | None = None):
    r"""Weights that agree to a relative tolerance merged into one chi-square each, and a proven
    bound on what the merge changes.

    Notes
    -----
    Let :math:`p` be the smaller side computed by ``sf`` (:math:`P(Q > x)` when
    :math:`x \ge E Q`, else :math:`P(Q < x)`; below, the upper side, the other being the same with
    :math:`-w, -x`). Sorted weights of one sign whose logarithms fall in one bin of width ``tol``
    form a cluster :math:`j` with :math:`n_j` members (multiplicities counted), replaced by a
    chi-square with :math:`n_j` degrees of freedom at their mean. The mean is rarely a float, so
    it is carried by two adjacent floats :math:`m_j < m_j^+` with :math:`n_j - \alpha_j` and
    :math:`\alpha_j` degrees of freedom, :math:`(n_j - \alpha_j) m_j + \alpha_j m_j^+ =
    \sum_{i \in j} w_i` (a gamma variable with fractional shape is as good in the inversion
    formula), so that :math:`Q_c = \sum_j (m_j \chi^2_{n_j - \alpha_j} + m_j^+
    \chi^2_{\alpha_j})`. Write each member as :math:`w_i = m_j + \delta_i`, and
    :math:`m_j^+ = m_j + g_j`. On the line :math:`s = c + iy` through the saddle point
    :math:`c > 0` of :math:`Q_c` both probabilities are Laplace inversions
    :math:`p = \frac{1}{2\pi}\int e^{K(s) - sx} s^{-1} dy`, and
    :math:`1 - 2 w_i s = (1 - 2 m_j s)(1 - u_i)`, :math:`u_i = \frac{\delta_i}{m_j}
    \frac{2 m_j s}{1 - 2 m_j s}`. Since :math:`|2 m s|^2/|1 - 2 m s|^2 = (4m^2c^2 + 4m^2y^2)/
    (b_j^2 + 4m^2y^2)` lies between its values at :math:`y = 0` and :math:`\infty`,
    :math:`|u_i| \le \eta_i = |\delta_i/m_j| \kappa_j`, :math:`\kappa_j = \max(1, 2|m_j| c/b_j)`,
    :math:`b_j = 1 - 2 m_j c`, on the whole line (and :math:`\eta_i < 1` puts :math:`c` inside
    the domain of :math:`K`). With :math:`-\log(1 - u) = u + r(u)`,
    :math:`|r(u)| \le |u|^2 / (2(1 - |u|))`, the atom :math:`m_j^+` treated as a member with
    multiplicity :math:`-\alpha_j` and :math:`\eta^+_j = |g_j/m_j|\kappa_j`, and the linear
    terms cancelling (:math:`\sum_{i \in j} \delta_i = \alpha_j g_j`),

    .. math:: |K(s) - K_c(s)| \le \Delta = \tfrac12 \sum_j \kappa_j
              \frac{|\sum_{i\in j}\delta_i - \alpha_j g_j|}{|m_j|}
              + \tfrac14 \sum_i \frac{\eta_i^2}{1 - \eta_i}
              + \tfrac14 \sum_j \alpha_j \frac{(\eta^+_j)^2}{1 - \eta^+_j}

    (the first term only bounds the rounding of :math:`\alpha_j` and of the sums), hence

    .. math:: \frac{|p - p_c|}{p_c} \le (e^{\Delta} - 1) \frac{M}{p_c}, \qquad
              M = \frac{e^{K_c(c) - cx}}{\pi}\int_0^\infty
              \frac{\prod_j (1 + \rho_j^2 y^2)^{-n_j/4}}{\sqrt{c^2 + y^2}}\, dy,
              \quad \rho_j = \frac{2 m_j}{b_j}

    (the product over the atoms, each with its degrees of freedom).

    The integrand of :math:`M` decreases in :math:`y`, so an upper Riemann sum plus a tail bound
    beyond the last node bounds :math:`M` from above; :math:`M/p_c \approx 1` when the saddle-point
    Gaussian dominates. Bins of width :math:`\tau` give :math:`\Delta \lesssim n \tau^2
    \kappa^2/4`; the default :math:`\tau = \min(10^{-8}, \sqrt{4 \cdot 10^{-15}/n})` keeps it near
    :math:`10^{-15}` and ``sf`` uses the merged weights only when the bound is below
    :math:`10^{-13}` (10,000 weights within :math:`10^{-10}` of each other become one chi-square).

    Returns
    -------
    (weights, counts, bound) : (ndarray, ndarray, float)
        The merged distinct weights (ascending), their degrees of freedom (fractional for the
        two atoms of a cluster; they add up to the number of weights), and the bound on
        :math:`|p - p_c| / p_c` (0 when nothing merges, ``inf`` when the bound does not apply).

    Examples
    --------
    >>> w = np.r_[3.0, -1.0 - 1e-12 * np.arange(1000)]    # 1,000 weights within 1e-9 of -1
    >>> wc, n, bound = cluster(w)
    >>> wc.size, round(float(n.sum()), 9), bool(bound < 1e-13)
    (3, 1001.0, True)
    """
    w = _check_weights(weights)
    x = _check_x(x)
    if tol is not None and (isinstance(tol, bool | np.bool_) or not isinstance(tol, int | float)
                            or not 0 < tol < 1):
        raise ValueError(f"tol = {tol!r} must be None or a number in (0, 1)")
    uw, counts = np.unique(w, return_counts=True)
    counts = counts.astype(float)
    if _trivial(w, x) is not None or not np.any(w != 0):
        return uw, counts, 0.0
    scale = float(np.max(np.abs(w)))
    side = 1.0 if x / scale >= float(np.sum(w / scale)) else -1.0
    ws, mult = np.unique(side * w / scale, return_counts=True)
    mult = mult.astype(float)
    merged = _merge(ws, mult, _cluster_tol(float(mult.sum())) if tol is None else float(tol))
    if merged is None:
        return uw, counts, 0.0
    atoms, am, parts = merged
    try:
        _, _, total, c, b = _contour(atoms, am, side * x / scale)
    except ValueError:
        return uw, counts, math.inf
    bound = _cluster_bound(ws, mult, atoms, am, parts, c, b, total)
    order = np.argsort(side * atoms)
    return (side * atoms * scale)[order], am[order], bound


def _upper_log(w: np.ndarray, x: float) -> tuple[float, float]:
    """Return (log P(Q > x) magnitude part, sign) via the contour with c > 0.

    The returned pair is (log |J|, sign of J) where J is the contour integral; for c > 0 it equals
    P(Q > x) > 0. Repeated weights are summed once with their multiplicity; weights that agree to
    a relative tolerance are merged into one chi-square (:func:`cluster`) when the proven bound on
    the change of the probability is below ``_CLUSTER_REL`` of the value.
    """
    w, mult = np.unique(w, return_counts=True)  # repeated weights (caps, two-level rules) once
    mult = mult.astype(float)
    merged = _merge(w, mult, _cluster_tol(float(mult.sum())))
    if merged is not None:
        atoms, am, parts = merged
        lp, sign, total, c, b = _contour(atoms, am, x)
        if _cluster_bound(w, mult, atoms, am, parts, c, b, total) <= _CLUSTER_REL:
            return lp, sign
    return _contour(w, mult, x)[:2]


# --------------------------------------------------------------------------- binned log-sum

_BIN_HALF = 1.0 / 48.0  # bins of rho with |rho_i - r_b| <= _BIN_HALF |r_b|
_BIN_TOL = 1e-16  # bound on the remainder of the binned sum, per node (absolute, in the exponent)


def _bins(rho: np.ndarray, mult: np.ndarray):
    """Weights grouped for :func:`_binned_logsum`, or None when grouping would not pay.

    Nonzero ``rho`` of one sign whose logarithms fall in one bin of width ``2 atanh(_BIN_HALF)``
    (so that every member lies within ``_BIN_HALF |r_b|`` of the bin's centre ``r_b``, the midpoint
    of its extreme members) form a bin. Returned: centres ``r``, counts ``n_b = sum mult_i``,
    coefficients ``p[k - 1] / k`` with power sums ``p_k = sum mult_i d_i^k``,
    ``d_i = rho_i - r_b``, for ``k = 1..K``, the remainder moments ``A_b = sum mult_i |d_i|^(K+1)``
    and ``D_b = max |d_i|``. ``K`` is the least order with ``N q^(K+1)/((K+1)(1 - q)) <= 1e-17``,
    ``q = _BIN_HALF``, ``N`` the number of weights.
    """
    nz = rho != 0
    big_n = float(mult[nz].sum())
    if nz.sum() < 256:
        return None
    q = _BIN_HALF
    order = 1
    while big_n * q ** (order + 1) / ((order + 1) * (1.0 - q)) > 1e-17:
        order += 1
    r, mu = rho[nz], mult[nz]
    width = 2.0 * math.atanh(q)
    if not np.all(r[1:] >= r[:-1]):  # rho = 2w/(1 - 2wc) increases with w: sorted already
        srt = np.argsort(r, kind="stable")
        r, mu = r[srt], mu[srt]
    key = np.floor(np.log(np.abs(r)) / width)
    starts = np.flatnonzero(np.r_[True, (np.diff(key) != 0) | (np.diff(np.sign(r)) != 0)])
    nb = starts.size
    if nb * (order + 4) > 0.25 * r.size:
        return None
    lo, hi = np.minimum.reduceat(r, starts), np.maximum.reduceat(r, starts)
    centre = 0.5 * (lo + hi)
    d = r - np.repeat(centre, np.diff(np.r_[starts, r.size]))
    pw = np.empty((order + 1, d.size))
    pw[0] = mu * d
    for k in range(1, order + 1):
        np.multiply(pw[k - 1], d, out=pw[k])
    sums = np.add.reduceat(pw, starts, axis=1)  # row k - 1: p_k
    coef = sums[:order] / np.arange(1, order + 1)[:, None]
    rem = np.add.reduceat(np.abs(pw[order]), starts)
    dmax = np.maximum.reduceat(np.abs(d), starts)
    return (centre, np.add.reduceat(mu, starts), coef, rem, dmax, order)


def _binned_logsum(bins, z: np.ndarray):
    """``sum_i mult_i log(1 - rho_i z)`` on the nodes ``z`` from the bins, and a bound on its error.

    With ``1 - rho_i z = (1 - r_b z)(1 - d_i v_b)``, ``v_b = z/(1 - r_b z)``, and
    ``log(1 - d v) = -sum_k (d v)^k / k``,

    .. math:: \\sum_{i \\in b} \\log(1 - \\rho_i z) = n_b \\log(1 - r_b z)
              - \\sum_{k=1}^{K} \\frac{p_k}{k} v_b^k - R_b, \\qquad
              |R_b| \\le \\sum_{i \\in b} \\frac{|d_i v_b|^{K+1}}{(K+1)(1 - |d_i v_b|)}
              \\le \\frac{A_b |v_b|^{K+1}}{(K+1)(1 - D_b |v_b|)}

    (the tail of the series bounded by a geometric one, valid for :math:`D_b |v_b| < 1`). The
    bound is evaluated at every node from the computed ``v_b`` (``inf`` where
    :math:`D_b |v_b| \\ge 1`), so it holds wherever the contour goes. On a straight contour
    :math:`|r_b v_b| \\le 1`, hence :math:`D_b |v_b| \\le` ``_BIN_HALF``. The power sums carry a
    rounding error of about :math:`n_b \\epsilon\\, D_b^k` each, below :math:`10^{-16}` of the
    exponent in all.
    """
    centre, cnt, coef, rem, dmax, order = bins
    zz = z[:, None]
    u = -zz * centre  # log(1 + u), u = -r_b z, in the log1p / atan2 form of the direct sum
    ur, ui = u.real, u.imag
    log0 = 0.5 * np.log1p(2.0 * ur + ur * ur + ui * ui) + 1j * np.arctan2(ui, 1.0 + ur)
    v = zz / (1.0 + u)
    acc = np.broadcast_to(coef[order - 1], v.shape).astype(complex)
    for k in range(order - 2, -1, -1):
        acc = acc * v + coef[k]
    total = log0 @ cnt - np.sum(acc * v, axis=1)
    av = np.abs(v)
    qd = dmax * av
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r = np.where(qd < 1.0, rem * av ** (order + 1) / ((order + 1) * (1.0 - qd)), np.inf)
    return total, r.sum(axis=1)


def _contour(w: np.ndarray, mult: np.ndarray, x: float):
    """(log |J|, sign J, trapezoid sum T, saddle c, b = 1 - 2 w c) for distinct ``w`` with
    multiplicities ``mult``; J = exp(phi_c) T / pi."""
    c, b = _upper_setup(w, x, mult)
    # log b_i: b_i = 1 - 2 w_i c carries a rounding error of a few ulps, which a multiplicity
    # (thousands of copies of one weight) would multiply; where |2 w_i c| < 1/2, log1p(-2 w_i c)
    # errs by only ulps times |2 w_i c| / b_i
    two_wc = 2.0 * w * c
    log_b = np.where(np.abs(two_wc) < 0.5, np.log1p(-np.minimum(two_wc, 0.5)), np.log(b))
    phi_c = -0.5 * float(np.sum(mult * log_b)) - c * x
    # saddle width 1/sqrt(K''(c) + 1/c^2), written with w c/b = O(1) so that nothing under- or
    # overflows when c is extreme (x far in a tail, or x tiny against the weights)
    sigma = abs(c) / math.sqrt(1.0 + 2.0 * float(np.sum(mult * (w * c / b) ** 2)))
    rho = 2.0 * w / b  # 1 - 2 w_i (c + z) = b_i (1 - rho_i z)
    a = _bend(rho, c, x)

    bins = _bins(rho, mult)

    def logsum(z: np.ndarray) -> np.ndarray:
        """sum_i mult_i log(1 - rho_i z) on the nodes z, directly (chunks of nodes x weights)."""
        acc = np.zeros(z.shape, dtype=complex)
        step = max(1, _CHUNK // max(1, w.size))
        for i in range(0, w.size, step):
            u = -np.multiply.outer(z, rho[i : i + step])  # log(1 + u), u = -rho z
            ur, ui = u.real, u.imag
            re = 0.5 * np.log1p(2.0 * ur + ur * ur + ui * ui)
            im = np.arctan2(ui, 1.0 + ur)
            m = mult[i : i + step]
            acc += re @ m + 1j * (im @ m)
        return acc

    def f(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Integrand on nodes t (real part) and a magnitude bound used for truncation."""
        t = np.asarray(t, dtype=float)
        y = sigma * np.sinh(t)
        z = a * y * y + 1j * y
        if bins is None:
            acc = logsum(z)
        else:
            acc, err = _binned_logsum(bins, z)
            bad = ~(err <= _BIN_TOL)  # the proven remainder too large there: sum directly
            if np.any(bad):
                acc[bad] = logsum(z[bad])
        expo = -0.5 * acc - z * x
        s = c + z
        ds = 2.0 * a * y + 1j
        g = np.exp(expo) * ds / (1j * s)
        return (g.real * sigma * np.cosh(t)), np.abs(g) * (np.abs(y) + sigma)

    # Scale of the integral: the Gaussian approximation at the saddle, (1/c) sigma sqrt(pi/2).
    scale = sigma / c * math.sqrt(math.pi / 2.0)
    h = 0.25
    # range: grow T until the magnitude bound (|g| (|y| + sigma), valid for |g| <= C/y^2 tails and
    # the damped bent contour) is negligible against the value
    t_max = 2.0
    while True:
        _, bound = f(np.array([t_max]))
        if bound[0] * 3.0 <= _CUT * scale or t_max > 60:
            break
        t_max += 2.0
    nodes = np.arange(0.0, t_max + 0.5 * h, h)
    vals, _ = f(nodes)
    total = h * (0.5 * vals[0] + vals[1:].sum())
    for _ in range(12):
        h /= 2.0
        mid = np.arange(h, t_max, 2.0 * h)
        vm, _ = f(mid)
        new = 0.5 * total + h * vm.sum()
        done = abs(new - total) <= _REL_TOL * abs(new)
        total = new
        if done:
            break
    # J = exp(phi_c) / pi * total; total > 0 for c > 0 when the contour is resolved
    return phi_c + math.log(abs(total) / math.pi), math.copysign(1.0, total), total, c, b


def _exact_log(w: np.ndarray, x: float) -> tuple[float, bool]:
    """(log p, is_upper) where p = P(Q > x) if is_upper else P(Q < x) (the smaller side)."""
    # x within 1e-17 of 0 against sum 1/(2 w_i) on the side where one-signed weights put no mass:
    # P(Q < x) = (x/2)^(m/2) / (Gamma(m/2 + 1) prod sqrt(w_i)) E[exp(-sum y_i/2)] over the simplex
    # {sum w_i y_i <= x}, and the expectation lies in [exp(-x sum 1/(2 w_i)), 1]: the leading term
    # is exact to that relative error (the saddle point would lie beyond the double range).
    ws, xs_ = (w, x) if x > 0 else (-w, -x)
    with np.errstate(over="ignore", divide="ignore"):
        tiny = xs_ > 0 and float(ws.min()) > 0 and xs_ * float(np.sum(0.5 / ws)) <= 1e-17
    if tiny:
        m = ws.size
        lq = (0.5 * m * (math.log(xs_) - math.log(2.0)) - 0.5 * float(np.sum(np.log(ws)))
              - math.lgamma(0.5 * m + 1.0))
        return min(lq, 0.0), x < 0
    scale = float(np.max(np.abs(w)))
    w = w / scale
    x = x / scale
    if x >= float(np.sum(w)):
        lp, _ = _upper_log(w, x)
        return min(lp, 0.0), True
    lp, _ = _upper_log(-w, -x)
    return min(lp, 0.0), False


# --------------------------------------------------------------------------- approximations


def saddlepoint(weights, x: float = 0.0) -> float:
    """Root :math:`\\hat s` of :math:`K'(s) = x` on :math:`(1/(2\\min w), 1/(2\\max w))`.

    Examples
    --------
    >>> round(float(saddlepoint([1.0], 3.0)), 12)    # K'(s) = 1/(1 - 2s) = 3
    0.333333333333
    """
    w = _check_weights(weights)
    x = _check_x(x)
    w = w[w != 0]
    if w.size == 0:
        raise ValueError("weights must not all be zero")
    mean = float(np.sum(w))
    if x == mean:
        return 0.0
    side = 1.0 if x > mean else -1.0
    if (side > 0 and w.max() < 0 and x >= 0) or (side < 0 and w.min() > 0 and x <= 0):
        raise ValueError(f"x = {x} is outside the support of the quadratic form")
    return _saddle(w, x, side)[0]


def _saddle(w: np.ndarray, x: float, side: float) -> tuple[float, np.ndarray]:
    ws, xs = side * w, side * x
    b_of = _param(ws)
    theta = _root(b_of, lambda b, s: float(np.sum(ws / b)) - xs)
    b, s = b_of(theta)
    return side * s, b


def _saddlepoint_log(w: np.ndarray, x: float) -> float:
    scale = float(np.max(np.abs(w)))
    w = w[w != 0] / scale
    x = x / scale
    k2 = 2.0 * float(np.sum(w**2))
    mean = float(np.sum(w))
    if abs(x - mean) < 1e-9 * math.sqrt(k2):
        k3 = 8.0 * float(np.sum(w**3))
        return math.log(0.5 - k3 / (6.0 * math.sqrt(2.0 * math.pi) * k2**1.5))
    s, b = _saddle(w, x, 1.0 if x > mean else -1.0)
    kval = -0.5 * float(np.sum(np.log(b)))
    what = math.copysign(math.sqrt(max(2.0 * (s * x - kval), 0.0)), s)
    uhat = math.copysign(math.sqrt(2.0 * float(np.sum((w * s / b) ** 2))), s)  # s sqrt(K''(s))
    if what > 0:
        # phi(w) [sqrt(pi/2) erfcx(w/sqrt 2) + 1/u - 1/w], no underflow before the log
        inner = math.sqrt(math.pi / 2.0) * special.erfcx(what / math.sqrt(2.0)) + 1.0 / uhat
        inner -= 1.0 / what
        log_phi = -0.5 * what * what - 0.5 * math.log(2.0 * math.pi)
        return log_phi + math.log(inner) if inner > 0 else -math.inf
    val = stats.norm.sf(what) + stats.norm.pdf(what) * (1.0 / uhat - 1.0 / what)
    return math.log(val) if val > 0 else -math.inf


def _imhof(w: np.ndarray, x: float) -> float:
    # Gil-Pelaez with the characteristic function prod (1 - 2 i w u)^(-1/2): the phase is
    # (1/2) sum arctan(2 w u) - x u (Imhof's form with u -> 2u).
    def integrand(u):
        theta = 0.5 * np.sum(np.arctan(2.0 * w * u)) - x * u
        log_rho = 0.25 * float(np.sum(np.log1p(4.0 * w * w * u * u)))
        return math.sin(theta) * math.exp(-log_rho) / u

    val, _ = integrate.quad(integrand, 0.0, np.inf, limit=2000)
    return 0.5 + val / math.pi


def _beta_log(w: np.ndarray, x: float) -> float:
    vals = np.unique(w)
    if x != 0.0 or vals.size != 2 or not (vals[0] < 0 < vals[1]):
        raise ValueError(
            "method='beta' needs x = 0 and exactly two weight values, one negative and one positive;"
            f" got x = {x} and values {vals[:5]}"
        )
    wm, wp = vals
    m = int(np.sum(w == wm))
    k = int(np.sum(w == wp))
    gamma_ = -wm / (wp - wm)
    # P(k w+ chi2 > m |w-| chi2) = P(B > gamma), B ~ Beta(k/2, m/2) = I_{1-gamma}(m/2, k/2)
    p = special.betainc(m / 2.0, k / 2.0, 1.0 - gamma_)
    if p > 1e-290:
        return math.log(p)
    return float(stats.beta.logsf(gamma_, k / 2.0, m / 2.0))


def _mc(w: np.ndarray, x: float, rng, samples: int) -> float:
    if rng is None:
        raise ValueError("method='mc' needs rng (a numpy Generator) for reproducibility")
    if samples < 1:
        raise ValueError(f"samples must be an integer >= 1, got {samples!r}")
    hits = 0
    block = max(1, min(samples, 4_000_000 // max(1, w.size)))
    done = 0
    while done < samples:
        m = min(block, samples - done)
        z = rng.standard_normal((m, w.size))
        hits += int(np.count_nonzero((z * z) @ w > x))
        done += m
    return hits / samples


# --------------------------------------------------------------------------- public entry point


def _sf_mp(w: np.ndarray, x: float, dps: int):
    """Same contour integral evaluated by ``mpmath.quad`` at ``dps`` digits (the same bent contour
    through the saddle point, split at multiples of the saddle width)."""
    scale = float(np.max(np.abs(w)))
    with mpmath.workdps(dps + 10):
        wm = [mpmath.mpf(float(v)) / scale for v in w]
        xm = mpmath.mpf(x) / scale
        upper = xm >= mpmath.fsum(wm)
        if not upper:
            wm = [-v for v in wm]
            xm = -xm
        wf = np.array([float(v) for v in wm])
        c, bf = _upper_setup(wf, float(xm))
        a = mpmath.mpf(_bend(2.0 * wf / bf, c, float(xm)))
        c = mpmath.mpf(c)
        b = [1 - 2 * v * c for v in wm]
        phic = -mpmath.fsum(mpmath.log(v) for v in b) / 2 - c * xm
        sig = 1 / mpmath.sqrt(2 * mpmath.fsum((v / bb) ** 2 for v, bb in zip(wm, b, strict=True))
                              + 1 / c**2)

        def g(y):
            s = c + a * y * y + 1j * y
            e = -mpmath.fsum(mpmath.log(1 - 2 * v * s) for v in wm) / 2 - s * xm - phic
            return mpmath.re(mpmath.exp(e) * (2 * a * y + 1j) / (1j * s))

        pts = [0] + [sig * 2**k for k in range(-1, 8)] + [mpmath.inf]
        val = mpmath.quad(g, pts) / mpmath.pi * mpmath.exp(phic)
        res = val if upper else 1 - val
        return +res


def sf(
    weights,
    x=0.0,
    *,
    method: Method = "exact",
    log: bool = False,
    rng=None,
    samples: int = 100_000,
    precision: int | None = None,
):
    """Survival function :math:`P(\\sum_i w_i z_i^2 > x)`, :math:`z \\sim N(0, I)`.

    Parameters
    ----------
    weights : array_like, shape (m,)
        Finite weights of any signs (zeros allowed); not empty.
    x : float or array_like
        Threshold(s); an array gives an array of the same shape.
    method : {"exact", "saddlepoint", "clt", "imhof", "beta", "mc"}
        See the module docstring. Only ``"exact"`` is exact; the others are what the papers and
        the literature use, kept so that their errors can be shown.
    log : bool
        Return :math:`\\log P` (for ``"exact"`` exact also where :math:`P` underflows).
    rng : numpy.random.Generator, optional
        For ``method="mc"``.
    samples : int
        Number of Monte Carlo draws for ``method="mc"``.
    precision : int, optional
        Decimal digits: evaluate the exact contour integral with ``mpmath.quad`` at this precision
        and return an mpmath number (slow; for spot checks).

    Returns
    -------
    float or ndarray (mpmath number when ``precision`` is given)

    Notes
    -----
    Claim IDs: SPH-8, SPH-9, SPH-15 (Gilmer et al., arXiv:1801.02774). One-signed weights with
    ``x`` on the trivial side return exactly 0 or 1 (log: ``-inf`` or 0).

    Examples
    --------
    >>> float(sf([-1.0, -2.0], 0.0)), float(sf([1.0, 2.0], -1.0))
    (0.0, 1.0)
    >>> round(float(sf([2.0, -1.0, -1.0], method="beta")), 12)   # 1 - 1/sqrt(3)
    0.42264973081
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not isinstance(log, bool | np.bool_):
        raise ValueError(f"log = {log!r} must be True or False")
    if isinstance(samples, bool | np.bool_) or not isinstance(samples, int | np.integer) \
            or samples < 1:
        raise ValueError(f"samples = {samples!r} must be an integer >= 1")
    if precision is not None and (isinstance(precision, bool | np.bool_)
                                  or not isinstance(precision, int | np.integer)
                                  or not 1 <= precision <= 10_000):
        raise ValueError(f"precision = {precision!r} must be None or an integer in [1, 10000]")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng = {rng!r} must be None or a numpy.random.Generator")
    w = _check_weights(weights)
    if isinstance(x, str | bytes) or x is None:
        raise ValueError(f"x = {x!r} must be a finite real number or an array of them")
    try:
        xs = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x = {x!r} must be a finite real number or an array of them") from None
    if xs.ndim > 0 and (xs.size == 0 or not np.all(np.isfinite(xs))
                        or np.asarray(x).dtype == bool):
        raise ValueError(f"x must be a non-empty array of finite reals, got {xs.ravel()[:3]}")
    if xs.ndim > 0 and precision is not None:
        raise ValueError(f"precision= needs a scalar x, got x of shape {xs.shape}")
    if xs.ndim > 0:
        out = np.array(
            [
                float(sf(w, float(v), method=method, log=log, rng=rng, samples=samples))
                for v in xs.ravel()
            ]
        )
        return out.reshape(xs.shape)
    x = _check_x(x)
    # the approximations are evaluated as they stand (their error is what they are kept for)
    triv = _trivial(w, x) if method in ("exact", "saddlepoint", "beta") else None
    if triv is not None:
        if precision is not None:
            return mpmath.mpf(triv) if not log else mpmath.log(triv) if triv else mpmath.ninf
        return (math.log(triv) if triv > 0 else -math.inf) if log else triv
    if precision is not None:
        if method != "exact":
            raise ValueError(f"precision= needs method='exact', got {method!r}")
        p = _sf_mp(w, x, int(precision))
        return mpmath.log(p) if log else p
    if method == "exact":
        lp, upper = _exact_log(w, x)
        if upper:
            return lp if log else math.exp(lp)
        q = math.exp(lp)  # P(Q < x), the smaller side
        return math.log1p(-q) if log else 1.0 - q
    if method == "saddlepoint":
        lp = _saddlepoint_log(w, x)
        return lp if log else math.exp(lp)
    if method == "clt":
        zs = (x - float(np.sum(w))) / math.sqrt(2.0 * float(np.sum(w * w)))
        return float(stats.norm.logsf(zs)) if log else float(stats.norm.sf(zs))
    if method == "imhof":
        p = _imhof(w, x)
        return (math.log(p) if p > 0 else -math.inf) if log else p
    if method == "beta":
        lp = _beta_log(w, x)
        return lp if log else math.exp(lp)
    p = _mc(w, x, rng, int(samples))
    return (math.log(p) if p > 0 else -math.inf) if log else p
