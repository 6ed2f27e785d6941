"""Independent high-precision references for the spheres engines, shared by tests and benchmarks.

Each is computed by a route other than the one the engine takes, so agreement is evidence:
the hypoexponential closed form (weights in pairs) for :func:`theory.quadforms.sf`, which inverts a
Laplace transform numerically; and quadrature in the coordinate ``s`` at 50 digits for
:func:`theory.spheres.distance_bound`, which integrates over the angle in double precision.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import optimize
from threadpoolctl import threadpool_limits

__all__ = ["distance_bound_quadrature", "hard_margin_svm_slsqp", "hypoexponential_sf", "imhof_sf",
           "two_level_sf"]


def _real(name, value, low=-math.inf, high=math.inf, low_open=False):
    """A finite real scalar in [low, high] (``low_open``: low excluded), else ValueError."""
    bad = isinstance(value, bool | str | bytes) or getattr(value, "ndim", 0) != 0
    try:
        x = float(value) if not bad else math.nan
    except (TypeError, ValueError):
        x = math.nan
    if not (math.isfinite(x) and low <= x <= high and not (low_open and x == low)):
        raise ValueError(f"{name} = {value!r} must be a finite real number in "
                         f"{'(' if low_open else '['}{low}, {high}]")
    return x


def _int(name, value, low, high):
    """An integer in [low, high] (no booleans, no fractions), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float) and not hasattr(value,
                                                                                   "__index__"):
        raise ValueError(f"{name} = {value!r} must be an integer in [{low}, {high}]")
    x = float(value)
    if not (math.isfinite(x) and x.is_integer() and low <= x <= high):
        raise ValueError(f"{name} = {value!r} must be an integer in [{low}, {high}]")
    return int(x)



def hypoexponential_sf(w, x, dps=60):
    """P(sum w_i (z_i^2 + z_i'^2) > x) for distinct w_i: the hypoexponential closed form.

    Each pair is 2|w| times an Exp(1) variable; for x >= 0, P = sum_{w_i > 0} A_i exp(-x/(2 w_i)),
    A_i = prod_{j != i} w_i/(w_i - w_j); for x < 0 the mirror formula gives 1 - P(Q < x). The
    alternating sum is evaluated with 3 dps guard digits per unit of cancellation."""
    dps = _int("dps", dps, 5, 1000)
    x = _real("x", x)
    if isinstance(w, str | bytes) or getattr(w, "ndim", 1) != 1:
        raise ValueError(f"w = {w!r} must be a 1-d sequence of real numbers")
    wf = [_real("w", v) for v in w]
    if not wf:
        raise ValueError("w must hold at least one weight")
    if len(set(wf)) != len(wf):
        raise ValueError(f"w = {w!r} must hold distinct weights (the closed form divides by "
                         "their differences)")
    dps = int(dps)
    with mpmath.workdps(3 * dps):
        wm = [mpmath.mpf(float(v)) for v in w]
        xm = mpmath.mpf(x)
        side = [v for v in wm if (v > 0 if x >= 0 else v < 0)]
        tot = mpmath.mpf(0)
        for wi in side:
            a = mpmath.mpf(1)
            for wj in wm:
                if wj is not wi:
                    a *= wi / (wi - wj)
            tot += a * mpmath.exp(-xm / (2 * wi))
        return +tot if x >= 0 else 1 - tot


def _cap_angle(mu, n):
    """Angle theta of the cap of measure mu on S^{n-1}, at the working precision: bisection in
    y = sin^2 theta (mu <= 1/2) on log I_y((n-1)/2, 1/2) - log(2 mu), then symmetry for mu > 1/2.
    Independent of the engines' Newton iterations."""
    m = mpmath.mpf(mu)
    flip = m > mpmath.mpf(1) / 2
    if flip:
        m = 1 - m
    if m == mpmath.mpf(1) / 2:
        return mpmath.pi / 2
    a, b = mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2
    target = mpmath.log(2 * m)

    def f(logy):
        return mpmath.log(mpmath.betainc(a, b, 0, mpmath.exp(logy), regularized=True)) - target

    lo, hi = mpmath.mpf(-2000), mpmath.mpf(0)
    while f(lo) > 0:
        lo *= 2
    for _ in range(mpmath.mp.prec + 20):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
    theta = mpmath.asin(mpmath.sqrt(mpmath.exp((lo + hi) / 2)))
    return mpmath.pi - theta if flip else theta


def distance_bound_quadrature(mu, n, dps=50):
    """D_n(mu) = int_{-1}^{t_mu} 2 sin((acos s - acos t_mu)/2) f_n(s) ds at dps digits.

    The integration variable is the coordinate s (the fast path integrates over the angle), t_mu
    comes from bisection on the mpmath incomplete beta (:func:`_cap_angle`)."""
    n = _int("n", n, 2, 10**8)
    dps = _int("dps", dps, 5, 1000)
    mu = _real("mu", mu, 0.0, 1.0, low_open=True)
    if mu == 1.0:
        raise ValueError(f"mu = {mu!r} must be a finite real number in (0, 1)")
    with mpmath.workdps(dps + 10):
        theta = _cap_angle(mu, n)
        t = mpmath.cos(theta)
        cn = mpmath.gamma(mpmath.mpf(n) / 2) / (mpmath.sqrt(mpmath.pi)
                                                * mpmath.gamma(mpmath.mpf(n - 1) / 2))

        def f(s):
            return 2 * mpmath.sin((mpmath.acos(s) - theta) / 2) * cn * (
                (1 - s) * (1 + s)) ** (mpmath.mpf(n - 3) / 2)

        w = 1 / mpmath.sqrt(n)
        pts = sorted({-1, t} | {k * w for k in range(-10, 11) if -1 < k * w < t})
        return mpmath.quad(f, pts)


# --------------------------------------------------------------------------- quadratic-form tails


def two_level_sf(a, p, b, q, x, dps=50):
    """:math:`P(a\\chi^2_p - b\\chi^2_q > x)` for ``a, b > 0``, integers ``p, q``, ``x >= 0``.

    Conditioning on the negative part: :math:`\\int_0^\\infty Q(p/2, (x + b y)/(2a))\\,
    f_{\\chi^2_q}(y)\\,dy`, with :math:`Q` the regularized upper incomplete gamma function, by
    mpmath quadrature at ``dps`` working digits on panels scaled to the integrand's peak, accurate to
    about 1e-14 relative (two grids must agree to 1e-13). A reference for
    thousands of weights with two distinct values, where the hypoexponential form would need
    thousands of digits.
    """
    a = _real("a", a, 0.0, low_open=True)
    b = _real("b", b, 0.0, low_open=True)
    x = _real("x", x, 0.0)
    p = _int("p", p, 1, 10**6)
    q = _int("q", q, 1, 10**6)
    dps = _int("dps", dps, 5, 1000)
    with mpmath.workdps(dps + 15):
        am, bm, xm = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(x)
        hp, hq = mpmath.mpf(p) / 2, mpmath.mpf(q) / 2
        log_norm = -hq * mpmath.log(2) - mpmath.loggamma(hq)

        def integrand(y):
            if y == 0:
                return mpmath.mpf(0) if q > 2 else mpmath.gammainc(hp, xm / (2 * am),
                                                                    regularized=True)
            dens = mpmath.exp(log_norm + (hq - 1) * mpmath.log(y) - y / 2)
            return mpmath.gammainc(hp, (xm + bm * y) / (2 * am), regularized=True) * dens

        # In a deep tail the integrand peaks well below the bulk of chi^2_q (the event favours a
        # small negative part): find the peak of its logarithm and its width from the curvature,
        # and place the breakpoints on that scale so every panel is smooth.
        def log_f(y: float) -> float:
            return float(mpmath.log(integrand(mpmath.mpf(y))))

        top = q + 40 * math.sqrt(2 * q) + 50
        peak = optimize.minimize_scalar(lambda y: -log_f(y), bounds=(1e-9, top), method="bounded",
                                        options={"xatol": 1e-6 * top}).x
        step = max(1e-3, 0.05 * math.sqrt(q))
        curv = (log_f(peak + step) - 2 * log_f(peak) + log_f(max(peak - step, 1e-12))) / step**2
        width = 1 / math.sqrt(-curv) if curv < 0 else math.sqrt(2 * q)
        def on_grid(h: float):
            pts = {0.0, top} | {peak + j * h for j in range(-40, 41) if 0 < peak + j * h < top}
            return mpmath.quad(integrand, [mpmath.mpf(v) for v in sorted(pts)] + [mpmath.inf])

        # Two grids, the second twice as fine, must agree to 1e-13: the check on the quadrature
        # (its panels agree to about 1e-15, ample for judging a 1e-10 target).
        val = on_grid(width)
        finer = on_grid(width / 2)
        if abs(finer - val) > abs(val) * mpmath.mpf("1e-13"):
            raise ArithmeticError(f"two_level_sf quadrature unstable: {val} vs {finer}")
    with mpmath.workdps(dps):
        return +val


def imhof_sf(w, x, dps=50):
    """:math:`P(\\sum_i w_i z_i^2 > x)` for weights of any signs by Imhof's (1961) real-line
    integral, :math:`\\tfrac12 + \\tfrac1\\pi\\int_0^\\infty \\sin\\theta(u)/(u\\rho(u))\\,du`,
    :math:`\\theta(u) = \\tfrac12\\sum_i \\arctan(2 w_i u) - x u`,
    :math:`\\rho(u) = \\prod_i (1 + 4 w_i^2 u^2)^{1/4}`, by ``mpmath.quad`` at ``dps`` digits.

    The characteristic function is the product :math:`\\prod_i (1 + 2 i w_i u) = \\rho^2
    e^{2 i (\\theta + x u)}`, taken in binary fixed point with Python integers (``F`` fraction
    bits, ``F`` about 3.4 ``(dps + 15)``; two integer products per weight, renormalized as the
    product grows, relative rounding below ``m 2^-F``); its argument is known modulo
    :math:`2\\pi` and the branch is picked by the double-precision sum of the arctangents (off by
    far less than :math:`\\pi`). The range is cut at ``U`` where the bound
    :math:`\\int_U^\\infty du/(u\\rho) \\le (4/m) \\rho(U)^{-1}` on the rest (from
    :math:`\\rho(u) \\ge \\rho(U) (u/U)^{m/2}` for :math:`u \\ge U`, each factor of
    :math:`\\rho^4` being :math:`1 + c u^2`) is below :math:`10^{-dps-10}`, and split at
    multiples of the width :math:`(\\sum_i 4 w_i^2)^{-1/2}` of the integrand's envelope.
    Absolute error at ``dps`` digits (a tail of 1e-20 keeps about 30 at 50 digits); meant for
    thousands of distinct weights, where the hypoexponential form would need thousands of digits.
    """
    dps = _int("dps", dps, 5, 1000)
    x = _real("x", x)
    if isinstance(w, str | bytes) or getattr(w, "ndim", 1) != 1:
        raise ValueError(f"w = {w!r} must be a 1-d sequence of real numbers")
    wf = [_real("w", v) for v in w]
    two = [2.0 * v for v in wf if v != 0.0]
    if not two:
        raise ValueError("w must hold at least one non-zero weight")
    frac = int(3.4 * (dps + 15)) + 20
    # 2 w_i = mant_i 2^-shift_i exactly (53-bit integer mantissas)
    mants = []
    for v in two:
        mnt, ex = math.frexp(v)
        mants.append((int(mnt * 2**53), 53 - ex))
    m = len(two)
    with mpmath.workdps(dps + 15):
        xm = mpmath.mpf(x)

        def char(u):
            """(arg, log|prod|) of prod (1 + 2 i w_j u), the argument unwrapped."""
            big_u = int(mpmath.floor(mpmath.ldexp(u, frac)))
            a, b, e = 1 << frac, 0, 0  # prod = (a + i b) 2^(e - frac)
            for j, (mnt, sh) in enumerate(mants):
                t = (mnt * big_u) >> sh if sh >= 0 else (mnt * big_u) << -sh
                a, b = a - ((b * t) >> frac), b + ((a * t) >> frac)
                if j & 31 == 31:
                    extra = max(abs(a).bit_length(), abs(b).bit_length()) - frac - 64
                    if extra > 0:
                        a >>= extra
                        b >>= extra
                        e += extra
            am, bm = mpmath.mpf(a), mpmath.mpf(b)
            arg = mpmath.atan2(bm, am)
            uf = float(u)
            approx = math.fsum(math.atan(v * uf) for v in two)
            k = round((approx - float(arg)) / (2 * math.pi))
            log_abs = mpmath.log(mpmath.hypot(am, bm)) + (e - frac) * mpmath.log(2)
            return arg + 2 * k * mpmath.pi, log_abs

        def integrand(u):
            if u == 0:
                return mpmath.fsum(two) / 2 - xm
            arg, log_abs = char(u)
            return mpmath.sin(arg / 2 - xm * u) / u * mpmath.exp(-log_abs / 2)

        width = 1 / mpmath.sqrt(mpmath.fsum(mpmath.mpf(v) ** 2 for v in two))
        cut = mpmath.mpf(10) ** (-dps - 10)
        top = width
        while True:
            # log rho(U) from the double sum: only the cut point depends on it
            log_rho = 0.25 * math.fsum(math.log1p((v * float(top)) ** 2) for v in two)
            if math.log(4.0 / m) - log_rho < float(mpmath.log(cut)):
                break
            top *= 2
        pts = [mpmath.mpf(0)] + [width * 2**k for k in range(-2, 40) if width * 2**k < top]
        pts.append(top)
        val = mpmath.mpf(1) / 2 + mpmath.quad(integrand, pts) / mpmath.pi
    with mpmath.workdps(dps):
        return +val


def _matrix(name, value, ndim):
    a = np.asarray(value, dtype=float) if not isinstance(value, str | bytes) else np.array([])
    if a.ndim != ndim or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} = {value!r} must be a non-empty finite {ndim}-d array")
    return a


def hard_margin_svm_slsqp(X, y, w0, b0, band=0.25):
    """Hard-margin linear SVM (with bias) by scipy SLSQP on the dual, certified by its duality gap.

    The dual max sum(a) - |sum a_t y_t x_t|^2/2 (a >= 0, y.a = 0) is solved over the candidates
    with margin y (w0.x + b0) <= 1 + band (w0, b0 only choose them, e.g. a regularized fit of least
    margin about 1); the answer is certified on ALL points: w = sum a_t y_t x_t with its best bias,
    scaled to be exactly feasible, gives a primal value P >= P*, and a (rescaled on one class so
    that y.a = 0 exactly) a dual value D <= P*. Strong convexity of |w|^2/2 on the feasible set
    gives |w - w*| <= sqrt(2 (P - D)), so the angle to w* is at most arcsin(sqrt(2 (P - D))/|w|);
    a missed support vector only widens this bound.

    Returns (w, b, angle bound, tilting angle of w to the centroid difference by atan2 from the
    class means); labels y are -1 / +1.
    """
    X = _matrix("X", X, 2)
    y = _matrix("y", y, 1)
    if y.size != X.shape[0] or not np.all(np.abs(y) == 1) or np.all(y > 0) or np.all(y < 0):
        raise ValueError(f"y = {y!r} must hold one label -1 or +1 per row of X, both present")
    w0 = _matrix("w0", w0, 1)
    if w0.size != X.shape[1]:
        raise ValueError(f"w0 has {w0.size} entries; X has {X.shape[1]} columns")
    b0 = _real("b0", b0)
    band = _real("band", band, 0.0, low_open=True)
    cand = np.flatnonzero(y * (X @ w0 + b0) <= 1.0 + band)
    if not (np.any(y[cand] > 0) and np.any(y[cand] < 0)):
        raise ValueError(f"band = {band}: the candidates must hold points of both classes")
    A = y[cand, None] * X[cand]
    G = A @ A.T
    yc = y[cand]
    with threadpool_limits(1):  # small products: threads only contend on a shared machine
        res = optimize.minimize(
            lambda a: 0.5 * a @ G @ a - a.sum(), np.full(cand.size, 1e-3), jac=lambda a: G @ a - 1.0,
            method="SLSQP", bounds=[(0.0, None)] * cand.size,
            constraints=[{"type": "eq", "fun": lambda a: a @ yc, "jac": lambda a: yc}],
            options={"ftol": 1e-16, "maxiter": 2000})
    a = res.x.copy()
    a[yc > 0] *= a[yc < 0].sum() / a[yc > 0].sum()
    w = a @ A
    s = X @ w
    b = -(s[y > 0].min() + s[y < 0].max()) / 2.0  # the bias of largest minimal margin
    m_min = float(np.min(y * (s + b)))
    if not m_min > 0:
        raise ValueError("X, y: the SLSQP direction does not separate the data (not separable?)")
    w, b = w / m_min, b / m_min  # exactly feasible: min margin 1 over all points
    gap = max(0.5 * w @ w - (a.sum() - 0.5 * (a @ A) @ (a @ A)), 0.0)
    bound = float(np.arcsin(min(1.0, np.sqrt(2.0 * gap) / np.linalg.norm(w))))
    i, j = X[y < 0].mean(axis=0), X[y > 0].mean(axis=0)
    zn = (j - i) / np.linalg.norm(j - i)
    theta = float(np.arctan2(np.linalg.norm(w - (w @ zn) * zn), w @ zn))
    return w, float(b), bound, theta
