"""Independent high-precision references for the spheres engines, shared by tests and benchmarks.

Each is computed by a route other than the one the engine takes, so agreement is evidence:
the hypoexponential closed form (weights in pairs) for :func:`theory.quadforms.sf`, which inverts a
Laplace transform numerically; and quadrature in the coordinate ``s`` at 50 digits for
:func:`theory.spheres.distance_bound`, which integrates over the angle in double precision.
"""

from __future__ import annotations

import math

import mpmath
from advgeom.theory import spheres as S
from scipy import optimize

__all__ = ["distance_bound_quadrature", "hypoexponential_sf", "two_level_sf"]


def hypoexponential_sf(w, x, dps=60):
    """P(sum w_i (z_i^2 + z_i'^2) > x) for distinct w_i: the hypoexponential closed form.

    Each pair is 2|w| times an Exp(1) variable; for x >= 0, P = sum_{w_i > 0} A_i exp(-x/(2 w_i)),
    A_i = prod_{j != i} w_i/(w_i - w_j); for x < 0 the mirror formula gives 1 - P(Q < x). The
    alternating sum is evaluated with 3 dps guard digits per unit of cancellation."""
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


def distance_bound_quadrature(mu, n, dps=50):
    """D_n(mu) = int_{-1}^{t_mu} 2 sin((acos s - acos t_mu)/2) f_n(s) ds at dps digits.

    The integration variable is the coordinate s (the fast path integrates over the angle), t_mu
    comes from 50-digit Newton iteration on the mpmath incomplete beta."""
    with mpmath.workdps(dps + 10):
        theta = S._theta_of_mu_mp(mu, n, dps + 5)
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
    if not (a > 0 and b > 0 and x >= 0):
        raise ValueError(f"need a > 0, b > 0 and x >= 0, got a={a!r}, b={b!r}, x={x!r}")
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
