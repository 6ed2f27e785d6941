"""Derivations for the background facts HD-1 to HD-8 (see :mod:`theory.highdim`).

Each function returns a tuple of :class:`proofs.core.Derivation` objects, each one chain of checked
steps from its premises to its conclusion. Premises name the standard theorems used (Fubini, polar
coordinates, Wendel's inequality, Robbins' form of Stirling's formula); the mutation check verifies
that each of them is needed. The first derivation of a tuple carries ``expression``, the closed
form a test compares with the numeric function of :mod:`theory.highdim`.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", positive=True)
z = sp.Symbol("z", positive=True)
r, s, x, y, t = sp.symbols("r s x y t", positive=True)
eps = sp.Symbol("epsilon", positive=True)
theta = sp.Symbol("theta", positive=True)

#: :math:`V_n = \pi^{n/2}/\Gamma(n/2+1)`.
BALL_VOLUME = sp.pi ** (n / 2) / sp.gamma(n / 2 + 1)


def _ball(k):
    return BALL_VOLUME.subs(n, k)


def ball_volume() -> tuple[Derivation, ...]:
    """HD-1: :math:`V_n` from the Gaussian integral in Cartesian and polar coordinates; the ratio
    :math:`V_{n+2}/V_n = 2\\pi/(n+2) < 1` for :math:`n \\ge 5`; :math:`V_4 < V_5 > V_6`; and
    :math:`V_n \\to 0`."""
    vol = sp.Symbol("V_n", positive=True)
    gauss = sp.Symbol("I_n", positive=True)
    radial = sp.Integral(n * r ** (n - 1) * sp.exp(-r**2), (r, 0, sp.oo))
    formula = Derivation(
        "HD-1", "Volume of the unit ball from the Gaussian integral",
        premises=[
            Premise("polar", sp.Eq(gauss, vol * radial),
                    "polar coordinates: the sphere of radius r has area n V_n r^(n-1), so "
                    "I_n = int exp(-|x|^2) dx = V_n int_0^oo n r^(n-1) exp(-r^2) dr"),
            Premise("fubini", sp.Eq(gauss, sp.Integral(sp.exp(-x**2), (x, -sp.oo, sp.oo)) ** n),
                    "Fubini: I_n is the n-th power of the one-dimensional Gaussian integral"),
        ],
        steps=[
            Step(vol, vol * radial / sp.gamma(n / 2 + 1), "=",
                 "int_0^oo n r^(n-1) exp(-r^2) dr = (n/2) Gamma(n/2) = Gamma(n/2 + 1)"),
            Step(vol * radial / sp.gamma(n / 2 + 1), gauss / sp.gamma(n / 2 + 1), "=",
                 "polar coordinates", uses=("polar",)),
            Step(gauss / sp.gamma(n / 2 + 1), BALL_VOLUME, "=",
                 "Fubini, and int exp(-x^2) dx = sqrt(pi)", uses=("fubini",)),
        ],
        conclusion=Conclusion(vol, "=", BALL_VOLUME), expression=BALL_VOLUME)
    k = sp.Symbol("k", positive=True)
    decreasing = Derivation(
        "HD-1", "V_(k+2) < V_k for k >= 5",
        premises=[Premise("k_ge_5", k >= 5, "the dimension is at least 5")],
        steps=[
            Step(_ball(k + 2) / _ball(k), 2 * sp.pi / (k + 2), "=",
                 "Gamma(k/2 + 2) = (k/2 + 1) Gamma(k/2 + 1)"),
            Step(2 * sp.pi / (k + 2), 2 * sp.pi / 7, "<=", "k + 2 >= 7", uses=("k_ge_5",)),
            Step(2 * sp.pi / 7, 1, "<", "2 pi < 7"),
        ],
        conclusion=Conclusion(_ball(k + 2) / _ball(k), "<", 1))
    # Odd and even dimensions below the peak rise to V_5; with V_6 < V_5 and the decrease from
    # k = 5 on, V_5 is the largest.
    odd = Derivation("HD-1", "V_1 < V_3 < V_5", [
        Step(_ball(1), _ball(3), "<", "2 < 4 pi/3"), Step(_ball(3), _ball(5), "<", "4 pi/3 < 8 pi^2/15")])
    even = Derivation("HD-1", "V_2 < V_4 < V_5", [
        Step(_ball(2), _ball(4), "<", "pi < pi^2/2"), Step(_ball(4), _ball(5), "<", "pi^2/2 < 8 pi^2/15")])
    peak = Derivation("HD-1", "V_6 < V_5", [
        Step(_ball(6), _ball(5), "<", "pi^3/6 < 8 pi^2/15 since pi < 16/5")])
    limit = Derivation("HD-1", "V_n tends to 0", [
        Step(sp.Limit(BALL_VOLUME, n, sp.oo), 0, "=", "Gamma grows faster than any power of pi")])
    return formula, decreasing, odd, even, peak, limit


def inscribed_ball_fraction() -> tuple[Derivation, ...]:
    """HD-2: :math:`\\ln V_z` is concave, so :math:`R = V_{n+1}/V_n \\le V_2/V_1 = \\pi/2`, and the
    ratio of consecutive fractions :math:`V_n/2^n` is :math:`R/2 \\le \\pi/4 < 1`."""
    logv = z / 2 * sp.log(sp.pi) - sp.loggamma(z / 2 + 1)
    concave = Derivation("HD-2", "ln V_z is strictly concave", [
        Step(sp.diff(logv, z, 2), 0, "<", "its second derivative is -trigamma(z/2 + 1)/4 < 0")])
    first_ratio = Derivation("HD-2", "V_2 / V_1 = pi / 2", [
        Step(_ball(2) / _ball(1), sp.pi / 2, "=", "V_1 = 2, V_2 = pi")])
    ratio = sp.Symbol("R", positive=True)
    frac = BALL_VOLUME / 2**n
    decreasing = Derivation(
        "HD-2", "V_n / 2^n decreases",
        premises=[
            Premise("def_R", sp.Eq(ratio, _ball(n + 1) / BALL_VOLUME), "R = V_(n+1)/V_n"),
            Premise("concave", ratio <= sp.pi / 2,
                    "ln V is concave (above), so V_(n+1)/V_n decreases in n and is at most "
                    "V_2/V_1 = pi/2 (above)"),
        ],
        steps=[
            Step(frac.subs(n, n + 1) / frac, _ball(n + 1) / (2 * BALL_VOLUME), "=", "2^(n+1)/2^n = 2"),
            Step(_ball(n + 1) / (2 * BALL_VOLUME), ratio / 2, "=", "definition of R",
                 uses=("def_R",)),
            Step(ratio / 2, sp.pi / 4, "<=", "concavity", uses=("concave",)),
            Step(sp.pi / 4, 1, "<", "pi < 4"),
        ],
        conclusion=Conclusion(frac.subs(n, n + 1) / frac, "<", 1), expression=frac)
    return decreasing, concave, first_ratio


def shell_fraction() -> tuple[Derivation, ...]:
    """HD-3: the shell :math:`1-\\varepsilon < \\|x\\| \\le 1` holds :math:`1-(1-\\varepsilon)^n`,
    increasing in :math:`\\varepsilon` on (0, 1)."""
    fraction = Derivation("HD-3", "Volume near the surface of the ball", [
        Step(sp.Integral(n * r ** (n - 1), (r, 1 - eps, 1)), 1 - (1 - eps) ** n, "=",
             "the radius of a uniform point of the unit ball has density n r^(n-1) on [0, 1]")],
        expression=1 - (1 - eps) ** n)
    increasing = Derivation(
        "HD-3", "The shell fraction increases in epsilon",
        premises=[Premise("eps_lt_1", eps < 1, "the shell is thinner than the ball")],
        steps=[Step(sp.diff(1 - (1 - eps) ** n, eps), 0, ">",
                    "the derivative n (1 - epsilon)^(n-1) is positive for epsilon < 1",
                    uses=("eps_lt_1",))],
        conclusion=Conclusion(sp.diff(1 - (1 - eps) ** n, eps), ">", 0))
    return fraction, increasing


def inner_cube_fraction() -> tuple[Derivation, ...]:
    """HD-4: :math:`\\mathrm{vol}[\\varepsilon, 1-\\varepsilon]^n = (1-2\\varepsilon)^n`, which is
    below :math:`e^{-2\\varepsilon n}` (so it tends to 0)."""
    volume = Derivation("HD-4", "Volume of the inner cube", [
        Step(sp.Integral(1, (x, eps, 1 - eps)) ** n, (1 - 2 * eps) ** n, "=",
             "a product of n intervals of length 1 - 2 epsilon")], expression=(1 - 2 * eps) ** n)
    u = sp.Symbol("u", nonnegative=True)

    def below_exponential(lhs, rhs):
        # 1 - u <= exp(-u): the difference vanishes at u = 0 and has derivative exp(-u) - 1 <= 0.
        d = lhs - rhs
        return sp.simplify(d.subs(u, 0)) == 0 and sp.simplify(sp.diff(d, u) - (sp.exp(-u) - 1)) == 0 \
            and (sp.exp(-u) - 1).subs(u, 0) == 0 and sp.diff(sp.exp(-u) - 1, u).is_negative
    tangent = Derivation("HD-4", "1 - u <= exp(-u), so (1 - 2 eps)^n <= exp(-2 eps n) -> 0", [
        Step(1 - u, sp.exp(-u), "<=",
             "1 - u and exp(-u) agree at u = 0 and 1 - u falls faster (derivative -1 <= -exp(-u)); "
             "with u = 2 epsilon, (1 - 2 epsilon)^n <= exp(-2 epsilon n)", proof=below_exponential)])
    return volume, tangent


def sphere_mean_abs_coordinate() -> tuple[Derivation, ...]:
    """HD-5: :math:`E|x_1|` from the marginal density of :math:`x_1` on :math:`S^{n-1}`, and
    :math:`\\sqrt{2/\\pi} \\le \\sqrt n E|x_1| \\le \\sqrt{2/\\pi}\\sqrt{1+1/n}` from Wendel's
    inequality, so :math:`\\sqrt n E|x_1| \\to \\sqrt{2/\\pi}`."""
    from advgeom.proofs.resolution import sphere_mean_abs_coordinate as general

    nn = sp.Symbol("n", positive=True)
    mean_abs = sp.gamma(nn / 2) / (sp.sqrt(sp.pi) * sp.gamma((nn + 1) / 2))
    w_sym = sp.Symbol("W", positive=True)
    wendel_def = Premise("def_W", sp.Eq(w_sym, sp.sqrt(nn / 2) * sp.gamma(nn / 2)
                                        / sp.gamma(nn / 2 + sp.S.Half)),
                         "W(x) = sqrt(x) Gamma(x)/Gamma(x + 1/2) at x = n/2")
    upper = Derivation(
        "HD-5", "sqrt(n) E|x_1| <= sqrt(2/pi) sqrt(1 + 1/n)",
        premises=[wendel_def,
                  Premise("wendel_hi", w_sym <= sp.sqrt((nn + 1) / nn),
                          "Wendel (1948): W(x) <= sqrt((x + 1/2)/x)")],
        steps=[Step(sp.sqrt(nn) * mean_abs, sp.sqrt(2 / sp.pi) * w_sym, "=", "rewrite with W",
                    uses=("def_W",)),
               Step(sp.sqrt(2 / sp.pi) * w_sym, sp.sqrt(2 / sp.pi) * sp.sqrt((nn + 1) / nn), "<=",
                    "Wendel's upper bound", uses=("wendel_hi",))],
        conclusion=Conclusion(sp.sqrt(nn) * mean_abs, "<=",
                              sp.sqrt(2 / sp.pi) * sp.sqrt((nn + 1) / nn)))
    lower = Derivation(
        "HD-5", "sqrt(n) E|x_1| >= sqrt(2/pi)",
        premises=[wendel_def, Premise("wendel_lo", w_sym >= 1, "Wendel (1948): W(x) >= 1")],
        steps=[Step(sp.sqrt(nn) * mean_abs, sp.sqrt(2 / sp.pi) * w_sym, "=", "rewrite with W",
                    uses=("def_W",)),
               Step(sp.sqrt(2 / sp.pi) * w_sym, sp.sqrt(2 / sp.pi), ">=", "Wendel's lower bound",
                    uses=("wendel_lo",))],
        conclusion=Conclusion(sp.sqrt(nn) * mean_abs, ">=", sp.sqrt(2 / sp.pi)))
    squeeze = Derivation("HD-5", "the upper bound tends to sqrt(2/pi)", [
        Step(sp.Limit(sp.sqrt(2 / sp.pi) * sp.sqrt((nn + 1) / nn), nn, sp.oo), sp.sqrt(2 / sp.pi),
             "=", "sqrt(1 + 1/n) -> 1: with the lower bound, sqrt(n) E|x_1| -> sqrt(2/pi)")])
    first = general()
    first = first[0] if isinstance(first, tuple) else first
    first = Derivation("HD-5", first.title, first.steps, expression=mean_abs.subs(nn, n),
                       premises=first.premises, conclusion=first.conclusion)
    return first, upper, lower, squeeze


def inner_product_moments() -> tuple[Derivation, ...]:
    """HD-6: :math:`E(u\\cdot v)^2 = E u_1^2 = \\frac1n\\sum_i E u_i^2 = 1/n` (rotation invariance,
    exchangeability, :math:`|u| = 1`), the mean of the Beta(1/2, (n-1)/2) law."""
    q, u1, total = sp.symbols("Q U_1 S", positive=True)
    moment = Derivation(
        "HD-6", "E (u.v)^2 = 1/n",
        premises=[
            Premise("rotation", sp.Eq(q, u1), "given v, u.v has the law of u_1 (rotation invariance)"),
            Premise("exchange", sp.Eq(u1, total / n),
                    "the coordinates of u are exchangeable: E u_1^2 = (1/n) sum_i E u_i^2"),
            Premise("unit", sp.Eq(total, 1), "sum_i u_i^2 = |u|^2 = 1"),
        ],
        steps=[Step(q, u1, "=", "rotation invariance", uses=("rotation",)),
               Step(u1, total / n, "=", "exchangeability", uses=("exchange",)),
               Step(total / n, 1 / n, "=", "unit norm", uses=("unit",))],
        conclusion=Conclusion(q, "=", 1 / n), expression=1 / n)
    a, b = sp.Rational(1, 2), (n - 1) / 2
    beta_mean = Derivation("HD-6", "The Beta(1/2, (n-1)/2) law has mean 1/n", [
        Step(a / (a + b), 1 / n, "=", "the mean of Beta(a, b) is a/(a + b)")])
    beta_var = Derivation("HD-6", "n Var (u.v)^2 -> 0: n (u.v)^2 concentrates at its mean 1", [
        Step(n * (a * b / ((a + b) ** 2 * (a + b + 1))), 2 * (n - 1) / (n * (n + 2)), "=",
             "the variance of Beta(a, b) is ab/((a + b)^2 (a + b + 1))")])
    return moment, beta_mean, beta_var


def cube_distance_moments() -> tuple[Derivation, ...]:
    """HD-7: per-coordinate moments of :math:`X_1 - Y_1` and :math:`X_1 - 1/2` for U[0,1], and the
    relative spread of :math:`\\|X-Y\\|^2` from them."""
    def double(e):
        return sp.Integral(sp.Integral(e, (x, 0, 1)), (y, 0, 1))

    second = Derivation("HD-7", "E(X_1 - Y_1)^2 = 1/6", [
        Step(double((x - y) ** 2), sp.Rational(1, 6), "=", "double integral over the unit square")],
        expression=n / 6)
    fourth = Derivation("HD-7", "E(X_1 - Y_1)^4 = 1/15", [
        Step(double((x - y) ** 4), sp.Rational(1, 15), "=", "double integral over the unit square")])
    centre = Derivation("HD-7", "E(X_1 - 1/2)^2 = 1/12", [
        Step(sp.Integral((x - sp.Rational(1, 2)) ** 2, (x, 0, 1)), sp.Rational(1, 12), "=",
             "integral over the unit interval")])
    m2, m4 = sp.symbols("m_2 m_4", positive=True)
    spread = sp.sqrt(n * (m4 - m2**2)) / (n * m2)
    relative = Derivation(
        "HD-7", "sd/mean of |X - Y|^2 = 6 sqrt(7/(180 n))",
        premises=[Premise("m2", sp.Eq(m2, sp.Rational(1, 6)), "E(X_1 - Y_1)^2 (above)"),
                  Premise("m4", sp.Eq(m4, sp.Rational(1, 15)), "E(X_1 - Y_1)^4 (above)")],
        steps=[Step(spread, 6 * sp.sqrt(sp.Rational(7, 180) / n), "=",
                    "independent coordinates add means n m_2 and variances n (m_4 - m_2^2)",
                    uses=("m2", "m4"))],
        conclusion=Conclusion(spread, "=", 6 * sp.sqrt(sp.Rational(7, 180) / n)))
    return second, fourth, centre, relative


def scaled_ball_volume_root() -> tuple[Derivation, ...]:
    """HD-8: with Robbins' form of Stirling's formula, :math:`\\ln\\Gamma(x+1) = x\\ln x - x +
    \\tfrac12\\ln(2\\pi x) + \\vartheta/(12x)`, :math:`0<\\vartheta<1`, the limit of
    :math:`\\ln(\\sqrt n V_n^{1/n})` is :math:`\\ln\\sqrt{2\\pi e}`."""
    zz = z / 2
    stirling = zz * sp.log(zz) - zz + sp.log(2 * sp.pi * zz) / 2 + theta / (12 * zz)
    log_root = sp.log(z) / 2 + (z / 2 * sp.log(sp.pi) - stirling) / z
    limit = Derivation("HD-8", "n-th root of the ball volume", [
        Step(sp.Limit(log_root, z, sp.oo), sp.log(2 * sp.pi * sp.E) / 2, "=",
             "Robbins' form of Stirling's formula for ln Gamma(n/2 + 1) inserted in "
             "ln(sqrt(n) V_n^(1/n)); the theta/(12 x) term vanishes for any 0 < theta < 1")],
        expression=sp.sqrt(n) * BALL_VOLUME ** (1 / n))
    return (limit,)


ALL = (ball_volume, inscribed_ball_fraction, shell_fraction, inner_cube_fraction,
       sphere_mean_abs_coordinate, inner_product_moments, cube_distance_moments,
       scaled_ball_volume_root)
