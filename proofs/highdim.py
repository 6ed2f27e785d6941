"""Derivations for the background facts HD-1 to HD-8 (see :mod:`theory.highdim`).

Each function returns a :class:`proofs.core.Derivation` whose steps sympy checks; ``expression`` is
the closed form a test compares with the numeric function in :mod:`theory.highdim`.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Derivation, Step

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, nonnegative=True)
z = sp.Symbol("z", positive=True)
r, s, x, y, t = sp.symbols("r s x y t", positive=True)
eps = sp.Symbol("epsilon", positive=True)
theta = sp.Symbol("theta", positive=True)

#: :math:`V_n = \pi^{n/2}/\Gamma(n/2+1)`.
BALL_VOLUME = sp.pi ** (n / 2) / sp.gamma(n / 2 + 1)


def ball_volume() -> Derivation:
    """HD-1: the Gaussian integral computed in Cartesian and in polar coordinates.

    :math:`\\pi^{n/2} = \\int_{\\mathbb R^n} e^{-\\|x\\|^2}dx = \\int_0^\\infty e^{-r^2}\\, nV_n r^{n-1}dr
    = V_n\\,\\Gamma(n/2+1)`."""
    return Derivation("HD-1", "Volume of the unit ball", [
        Step(sp.Integral(sp.exp(-x**2), (x, -sp.oo, sp.oo)) ** n, sp.pi ** (n / 2), "=",
             "Fubini: the n-dimensional Gaussian integral is the n-th power of the 1-D one"),
        Step(sp.Integral(n * r ** (n - 1) * sp.exp(-r**2), (r, 0, sp.oo)), sp.gamma(n / 2 + 1),
             "=", "polar coordinates: the sphere of radius r has area n V_n r^(n-1)"),
        Step(BALL_VOLUME.subs(n, n + 2) / BALL_VOLUME, 2 * sp.pi / (n + 2), "=",
             "recurrence V_(n+2) = 2 pi V_n / (n+2)"),
        Step(7, 2 * sp.pi, ">",
             "for n >= 5, n + 2 >= 7 > 2 pi, so the ratio is below 1: V_(n+2) < V_n"),
        Step(sp.pi ** 2 * 8 / 15, sp.pi ** 3 / 6, ">",
             "V_5 > V_6; with V_1 < V_3 < V_5 and V_2 < V_4 < V_6 (ratio 2 pi/(n+2) > 1 for n <= 4),"
             " n = 5 is the largest"),
        Step(sp.Limit(BALL_VOLUME, n, sp.oo), 0, "=", "Gamma grows faster than any power of pi"),
    ], expression=BALL_VOLUME)


def inscribed_ball_fraction() -> Derivation:
    """HD-2: :math:`\\ln V_z` is concave, so :math:`V_{n+1}/V_n \\le V_2/V_1 = \\pi/2` and
    :math:`(V_{n+1}/2^{n+1})/(V_n/2^n) \\le \\pi/4 < 1`."""
    logv = z / 2 * sp.log(sp.pi) - sp.loggamma(z / 2 + 1)
    return Derivation("HD-2", "The inscribed ball's share decreases", [
        Step(sp.diff(logv, z, 2), 0, "<",
             "ln V_z is strictly concave: its second derivative is -trigamma(z/2+1)/4 < 0"),
        Step(BALL_VOLUME.subs(n, 2) / BALL_VOLUME.subs(n, 1), sp.pi / 2, "=",
             "by concavity V_(n+1)/V_n is decreasing, so it is at most V_2/V_1"),
        Step(sp.pi / 4, 1, "<", "hence the ratio of consecutive fractions V_n/2^n is at most pi/4"),
    ], expression=BALL_VOLUME / 2**n)


def shell_fraction() -> Derivation:
    """HD-3: the shell :math:`1-\\varepsilon < \\|x\\| \\le 1` holds :math:`1-(1-\\varepsilon)^n`."""
    return Derivation("HD-3", "Volume near the surface of the ball", [
        Step(sp.Integral(n * r ** (n - 1), (r, 1 - eps, 1)), 1 - (1 - eps) ** n, "=",
             "radial density of the uniform ball is n r^(n-1) on [0, 1]"),
        Step(sp.diff(1 - (1 - eps) ** n, eps), n * (1 - eps) ** (n - 1), "=",
             "derivative in epsilon"),
        Step(n * s ** (n - 1), 0, ">",
             "with s = 1 - epsilon in (0, 1) the derivative is positive: increasing in epsilon"),
    ], expression=1 - (1 - eps) ** n)


def inner_cube_fraction() -> Derivation:
    """HD-4: :math:`\\mathrm{vol}[\\varepsilon, 1-\\varepsilon]^n = (1-2\\varepsilon)^n`."""
    return Derivation("HD-4", "Volume of the inner cube", [
        Step(sp.Integral(1, (x, eps, 1 - eps)) ** n, (1 - 2 * eps) ** n, "=",
             "product of n intervals of length 1 - 2 epsilon"),
        Step(sp.Limit((1 - 2 * sp.Rational(1, 10)) ** n, n, sp.oo), 0, "=",
             "a fraction below 1 to the n-th power tends to 0 (epsilon = 1/10 shown)"),
    ], expression=(1 - 2 * eps) ** n)


def sphere_mean_abs_coordinate() -> Derivation:
    """HD-5: :math:`x_1` has density :math:`\\propto (1-t^2)^{(n-3)/2}` on (-1, 1); its mean
    absolute value for n = 2, 3, 4 and the limit :math:`\\sqrt n\\,E|x_1| \\to \\sqrt{2/\\pi}`."""
    mean_abs = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n + 1) / 2))

    def by_density(k: int) -> sp.Expr:
        w = (1 - t**2) ** sp.Rational(k - 3, 2)
        return sp.Integral(t * w, (t, 0, 1)) / sp.Integral(w, (t, 0, 1))

    return Derivation("HD-5", "Mean absolute coordinate on the sphere", [
        Step(by_density(3), sp.Rational(1, 2), "=", "n = 3: x_1 is uniform on [-1, 1] (Archimedes)"),
        Step(by_density(4), 4 / (3 * sp.pi), "=", "n = 4 from the marginal density"),
        Step(by_density(5), mean_abs.subs(n, 5), "=", "n = 5 agrees with the Gamma formula"),
        Step(mean_abs.subs(n, 2), 2 / sp.pi, "=", "n = 2: the Gamma formula gives 2/pi"),
        Step(sp.sqrt(z) * sp.gamma(z / 2) / (sp.sqrt(sp.pi) * sp.gamma((z + 1) / 2)),
             sp.sqrt(2 / sp.pi) * sp.sqrt(z / 2) * sp.gamma(z / 2) / sp.gamma(z / 2 + sp.S.Half),
             "=", "sqrt(n) E|x_1| = sqrt(2/pi) W(n/2) with W(x) = sqrt(x) Gamma(x)/Gamma(x + 1/2)"),
        Step(sp.Limit(sp.sqrt((z + 1) / z), z, sp.oo), 1, "=",
             "Wendel (1948): 1 <= W(x) <= sqrt((x + 1/2)/x); the upper bound tends to 1, so "
             "sqrt(n) E|x_1| -> sqrt(2/pi)"),
    ], expression=mean_abs)


def inner_product_moments() -> Derivation:
    """HD-6: :math:`E(u\\cdot v)^2 = 1/n` (symmetry) equals the Beta(1/2, (n-1)/2) mean."""
    a, b = sp.Rational(1, 2), (n - 1) / 2
    return Derivation("HD-6", "Random directions are nearly orthogonal", [
        Step(a / (a + b), 1 / n, "=", "the mean of Beta(1/2, (n-1)/2) is 1/n"),
        Step(sp.Sum(1 / n, (sp.Symbol("i", integer=True), 1, n)), 1, "=",
             "sum_i E u_i^2 = E|u|^2 = 1 and the coordinates are exchangeable, so E u_1^2 = 1/n; "
             "given v, u.v has the law of u_1"),
        Step(n * (a * b / ((a + b) ** 2 * (a + b + 1))), 2 * (n - 1) / (n * (n + 2)), "=",
             "n Var (u.v)^2 -> 0, so sqrt(n) u.v has variance 1 and n (u.v)^2 concentrates in law"),
    ], expression=1 / n)


def cube_distance_moments() -> Derivation:
    """HD-7: per-coordinate moments of :math:`X_1 - Y_1` and :math:`X_1 - 1/2` for U[0,1]."""
    def double(e):
        return sp.Integral(sp.Integral(e, (x, 0, 1)), (y, 0, 1))

    return Derivation("HD-7", "Concentration of distances in the cube", [
        Step(double((x - y) ** 2), sp.Rational(1, 6), "=", "E(X_1 - Y_1)^2"),
        Step(double((x - y) ** 4), sp.Rational(1, 15), "=", "E(X_1 - Y_1)^4"),
        Step(sp.Integral((x - sp.Rational(1, 2)) ** 2, (x, 0, 1)), sp.Rational(1, 12), "=",
             "E(X_1 - 1/2)^2"),
        Step(sp.sqrt(n * (sp.Rational(1, 15) - sp.Rational(1, 36))) / (n / 6),
             6 * sp.sqrt(sp.Rational(7, 180) / n), "=",
             "independent coordinates: sd/mean of |X-Y|^2 = sqrt(7n/180)/(n/6)"),
    ], expression=n / 6)


def scaled_ball_volume_root() -> Derivation:
    """HD-8: with Stirling's form :math:`\\ln\\Gamma(x+1) = x\\ln x - x + \\tfrac12\\ln(2\\pi x) +
    \\vartheta/(12x)`, :math:`0<\\vartheta<1` (Robbins 1955), :math:`\\ln(\\sqrt n V_n^{1/n}) \\to
    \\ln\\sqrt{2\\pi e}`."""
    zz = z / 2
    stirling = zz * sp.log(zz) - zz + sp.log(2 * sp.pi * zz) / 2 + theta / (12 * zz)
    log_root = sp.log(z) / 2 + (z / 2 * sp.log(sp.pi) - stirling) / z
    return Derivation("HD-8", "n-th root of the ball volume", [
        Step(sp.Limit(log_root, z, sp.oo), sp.log(2 * sp.pi * sp.E) / 2, "=",
             "Robbins' form of Stirling's formula inserted in ln(sqrt(n) V_n^(1/n))"),
        Step(sp.Limit(theta / (6 * z**2), z, sp.oo), 0, "=",
             "the remainder theta/(12 x) contributes nothing in the limit, for any 0 < theta < 1"),
    ], expression=sp.sqrt(n) * BALL_VOLUME ** (1 / n))


ALL = (ball_volume, inscribed_ball_fraction, shell_fraction, inner_cube_fraction,
       sphere_mean_abs_coordinate, inner_product_moments, cube_distance_moments,
       scaled_ball_volume_root)
