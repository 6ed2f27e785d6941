"""Derivations for the adversarial-spheres claims (Gilmer et al., arXiv:1801.02774).

Each function returns a :class:`proofs.core.Derivation` whose steps sympy checks; where a closed form
results, ``expression`` holds it so that a test can compare it with :mod:`theory.spheres`.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
s, u, r, eps_, a_ = sp.symbols("s u r epsilon a", positive=True)
g = sp.Symbol("g", real=True)
a = sp.Symbol("a", real=True)


def _rotation(t):
    """Plane rotation with rational entries, cos = (1 - t^2)/(1 + t^2), sin = 2t/(1 + t^2): every
    rotation but the half turn, and the algebra stays rational (fast and decidable)."""
    c, si = (1 - t**2) / (1 + t**2), 2 * t / (1 + t**2)
    return sp.Matrix([[c, -si], [si, c]])


def _phi(x):
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def _Phi(x):
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def rotation_invariance() -> Derivation:
    """SPH-1: the standard normal density depends on :math:`\\|z\\|` only, so :math:`z/\\|z\\|` is
    uniform; the radial normalization does not depend on the direction."""
    z1, z2, th = sp.symbols("z1 z2 t", real=True)
    Q = _rotation(th)
    z = sp.Matrix([z1, z2])
    qz = (Q * z).applyfunc(sp.cancel)
    return Derivation("SPH-1", "Uniform points on the sphere from Gaussian vectors", [
        Step(sp.expand((qz[0] ** 2 + qz[1] ** 2) * (1 + th**2) ** 2),
             sp.expand((z1**2 + z2**2) * (1 + th**2) ** 2), "=",
             "a plane rotation Q(t) (Cayley form) preserves the norm: |Qz|^2 = |z|^2, checked as a "
             "polynomial identity after clearing the denominator (1 + t^2)^2; hence the N(0, I) "
             "density exp(-|z|^2/2) is rotation invariant and Qz/|Qz| has the law of z/|z| (every "
             "rotation is a product of plane rotations)"),
        Step(sp.Integral(r ** (n - 1) * sp.exp(-r**2 / 2), (r, 0, sp.oo)),
             2 ** (n / 2 - 1) * sp.gamma(n / 2), "=",
             "polar coordinates: the radial integral is the same in every direction, so the "
             "direction has a constant density (the uniform law on the sphere)"),
    ])


def layer_cake() -> Derivation:
    """SPH-2: :math:`E[X] = \\int_0^\\infty P(X > \\varepsilon)\\,d\\varepsilon` for
    :math:`X \\ge 0`, applied to :math:`X = \\mathrm{dist}(x, E)`:
    :math:`d(E) = \\int_0^2 (1 - \\sigma_n(E_\\varepsilon))\\,d\\varepsilon`."""
    x = sp.Symbol("x", positive=True)
    lam = sp.Symbol("lambda", positive=True)
    return Derivation("SPH-2", "Layer-cake formula for the mean distance", [
        Step(sp.Integral(1, (eps_, 0, x)), x, "=",
             "pointwise: X = int_0^inf 1{eps < X} d eps; taking expectations and swapping the order "
             "(Tonelli, nonnegative integrand) gives E X = int_0^inf P(X > eps) d eps"),
        Step(sp.Integral(sp.Integral(lam * sp.exp(-lam * x), (x, eps_, sp.oo)), (eps_, 0, sp.oo)),
             sp.Integral(x * lam * sp.exp(-lam * x), (x, 0, sp.oo)), "=",
             "the swap on a test law (exponential): both sides equal 1/lambda"),
        Step(sp.Integral(1, (eps_, 0, 2)), 2, "=",
             "chord distances on the unit sphere are at most 2, so P(dist > eps) = 0 for eps >= 2 "
             "and the integral stops at 2; P(dist(x, E) > eps) = 1 - sigma(E_eps); a distance "
             "bounded by 2 has mean at most int_0^2 1 d eps = 2"),
    ])


def quadratic_network_rule() -> Derivation:
    """SPH-6: :math:`\\sum_j (Wx)_j^2 = x^T W^T W x = \\sum_i s_i^2 (v_i\\cdot x)^2` (here
    :math:`W = U\\,\\mathrm{diag}(s)\\,V^T` with plane rotations U, V), so for :math:`w > 0 > b`,
    :math:`\\hat y(x)/(-b) = \\sum_i \\alpha_i (v_i\\cdot x)^2 - 1`."""
    x1, x2, x3 = sp.symbols("x1 x2 x3", real=True)
    Ws = sp.Matrix(2, 3, sp.symbols("W11 W12 W13 W21 W22 W23", real=True))
    xv = sp.Matrix([x1, x2, x3])
    hid = Ws * xv
    w = sp.Symbol("w", positive=True)
    b = sp.Symbol("b", negative=True)
    phi, th = sp.symbols("phi theta", real=True)
    s1, s2 = sp.symbols("s1 s2", positive=True)
    U = _rotation(phi)
    V = _rotation(th)
    W2 = U * sp.diag(s1, s2) * V.T
    y = sp.Matrix([x1, x2])
    h2 = W2 * y
    proj = V.T * y
    yhat = w * (h2[0] ** 2 + h2[1] ** 2) + b
    alpha1, alpha2 = w * s1**2 / (-b), w * s2**2 / (-b)
    return Derivation("SPH-6", "The quadratic network is an ellipsoid rule", [
        Step(hid[0] ** 2 + hid[1] ** 2, (xv.T * Ws.T * Ws * xv)[0], "=",
             "sum of squared hidden units is the quadratic form x^T W^T W x (h = 2, n = 3)"),
        Step(h2[0] ** 2 + h2[1] ** 2, s1**2 * proj[0] ** 2 + s2**2 * proj[1] ** 2, "=",
             "with W = U diag(s) V^T the rotation U drops out: x^T W^T W x = sum s_i^2 (v_i . x)^2"),
        Step(yhat / (-b), alpha1 * proj[0] ** 2 + alpha2 * proj[1] ** 2 - 1, "=",
             "divide by -b > 0: yhat > 0 iff sum alpha_i (v_i . x)^2 > 1, alpha_i = w s_i^2/(-b)"),
    ])


def zero_error_condition() -> Derivation:
    """SPH-7, inner sphere: with :math:`q_i = z_i^2 \\ge 0`, :math:`\\sum q_i = 1` and
    :math:`\\alpha_2, \\alpha_3 \\le \\alpha_1 \\le 1` (n = 3, :math:`\\alpha_1` the largest),
    :math:`\\sum\\alpha_i q_i \\le 1`: no point of the unit sphere is an error; equality at
    :math:`e_1`, so an :math:`\\alpha_1 > 1` makes a neighbourhood of :math:`e_1` err."""
    q1, q2, q3 = sp.symbols("q1 q2 q3", nonnegative=True)
    a1, a2, a3 = sp.symbols("alpha1 alpha2 alpha3", positive=True)
    return Derivation(
        "SPH-7", "Inner sphere: max alpha <= 1 leaves no error",
        premises=[Premise("unit", sp.Eq(q1, 1 - q2 - q3), "the point is on the unit sphere"),
                  Premise("top2", a2 <= a1, "alpha_1 is the largest"),
                  Premise("top3", a3 <= a1, "alpha_1 is the largest"),
                  Premise("range", a1 <= 1, "every alpha is at most 1")],
        steps=[Step(a1 * q1 + a2 * q2 + a3 * q3, a1 * (1 - q2 - q3) + a2 * q2 + a3 * q3, "=",
                    "on the sphere", uses=("unit",)),
               Step(a1 * (1 - q2 - q3) + a2 * q2 + a3 * q3, a1, "<=",
                    "(alpha_i - alpha_1) q_i <= 0", uses=("top2", "top3")),
               Step(a1, 1, "<=", "the range condition", uses=("range",))],
        conclusion=Conclusion(a1 * q1 + a2 * q2 + a3 * q3, "<=", 1),
    )


def zero_outer_error_condition() -> Derivation:
    """SPH-7, outer sphere: with :math:`\\alpha_3` the smallest and
    :math:`\\alpha_3 \\ge 1/R^2`, :math:`R^2\\sum\\alpha_i q_i \\ge 1` for :math:`\\sum q_i = 1`."""
    q1, q2, q3 = sp.symbols("q1 q2 q3", nonnegative=True)
    a1, a2, a3 = sp.symbols("alpha1 alpha2 alpha3", positive=True)
    R = sp.Symbol("R", positive=True)
    return Derivation(
        "SPH-7", "Outer sphere: min alpha >= 1/R^2 leaves no error",
        premises=[Premise("unit", sp.Eq(q3, 1 - q1 - q2), "the point is on the sphere of radius R"),
                  Premise("low1", a1 >= a3, "alpha_3 is the smallest"),
                  Premise("low2", a2 >= a3, "alpha_3 is the smallest"),
                  Premise("range", a3 >= 1 / R**2, "every alpha is at least 1/R^2")],
        steps=[Step(R**2 * (a1 * q1 + a2 * q2 + a3 * q3), R**2 * (a1 * q1 + a2 * q2
                                                                + a3 * (1 - q1 - q2)), "=",
                    "on the sphere", uses=("unit",)),
               Step(R**2 * (a1 * q1 + a2 * q2 + a3 * (1 - q1 - q2)), R**2 * a3, ">=",
                    "(alpha_i - alpha_3) q_i >= 0", uses=("low1", "low2")),
               Step(R**2 * a3, 1, ">=", "the range condition", uses=("range",))],
        conclusion=Conclusion(R**2 * (a1 * q1 + a2 * q2 + a3 * q3), ">=", 1),
    )


def sphere_to_gaussian() -> Derivation:
    """SPH-8: for :math:`x = z/\\|z\\|`,
    :math:`\\sum\\alpha_i x_i^2 - 1 = \\sum(\\alpha_i - 1) z_i^2/\\|z\\|^2`, so the inner error rate
    is :math:`P(\\sum(\\alpha_i - 1) z_i^2 > 0)`; the CLT for that sum has mean
    :math:`\\sum(\\alpha_i - 1)` and variance :math:`2\\sum(\\alpha_i - 1)^2`."""
    z1, z2, z3 = sp.symbols("z1 z2 z3", real=True)
    al = sp.symbols("alpha1:4", positive=True)
    zs = (z1, z2, z3)
    nz2 = z1**2 + z2**2 + z3**2
    zz = sp.Symbol("z", real=True)
    c = sp.Symbol("c", real=True)
    dens = sp.exp(-zz**2 / 2) / sp.sqrt(2 * sp.pi)
    return Derivation("SPH-8", "Error rate as a Gaussian quadratic form", [
        Step(sum(a_i * (z_i**2 / nz2) for a_i, z_i in zip(al, zs, strict=True)) - 1,
             sum((a_i - 1) * z_i**2 for a_i, z_i in zip(al, zs, strict=True)) / nz2, "=",
             "use sum x_i^2 = 1: the events {sum alpha x^2 > 1} and {sum (alpha-1) z^2 > 0} "
             "coincide for every z != 0"),
        Step(sp.Integral(zz**2 * dens, (zz, -sp.oo, sp.oo)), 1, "=", "E z^2 = 1: mean sum(alpha-1)"),
        Step(sp.Integral((c * zz**2 - c) ** 2 * dens, (zz, -sp.oo, sp.oo)), 2 * c**2, "=",
             "Var(c z^2) = 2 c^2: variance 2 sum (alpha-1)^2; the corrected CLT reads "
             "P ~ Phi(mean/sd) = 1 - Phi(-mean/sd), sd = sqrt(2 sum (alpha-1)^2), not the printed "
             "1 - Phi(mean/(2 sum(alpha-1)^2))"),
    ])


xx = sp.Symbol("x", positive=True)


def _gamma_ratio_limit() -> bool:
    expr = sp.loggamma(xx + sp.Rational(1, 2)) - sp.loggamma(xx) - sp.log(xx) / 2
    ser = sp.series(expr, xx, sp.oo, 3).removeO()
    return sp.simplify(sp.expand_log(ser, force=True) + 1 / (8 * xx)) == 0


def gaussian_bound() -> Derivation:
    """SPH-10 (reading R2) and SPH-13: the Gaussian limit of :math:`D_n`.

    :math:`\\int_{-\\infty}^{a}(a - g)\\varphi(g)\\,dg = a\\Phi(a) + \\varphi(a)`, and
    :math:`\\sqrt n\\,x_1 \\Rightarrow N(0, 1)` through
    :math:`\\Gamma(n/2)/(\\Gamma((n-1)/2)\\sqrt{n/2}) \\to 1` and
    :math:`(1 - u^2/n)^{(n-3)/2} \\to e^{-u^2/2}`."""
    expr = a * _Phi(a) + _phi(a)
    return Derivation("SPH-10", "Large-n form of the distance bound", [
        Step(sp.Integral((a - g) * _phi(g), (g, -sp.oo, a)), expr, "=",
             "mean distance to a half-space {g >= a} of a standard normal coordinate"),
        Step(sp.diff(expr, a), _Phi(a), "=",
             "the bound increases with a = Phi^{-1}(1 - mu): it grows as mu decreases"),
        Step(sp.Limit(sp.loggamma(xx + sp.Rational(1, 2)) - sp.loggamma(xx) - sp.log(xx) / 2, xx,
                      sp.oo), 0, "=",
             "log of Gamma(x+1/2)/(Gamma(x) sqrt x) = -1/(8x) + O(x^-3) (Stirling series, checked "
             "by sympy's expansion at infinity): with x = (n-1)/2 the normalizer of "
             "f_n(u/sqrt n)/sqrt n tends to 1/sqrt(2 pi)",
             proof=_gamma_ratio_limit),
        Step(sp.Limit((1 - u**2 / n) ** ((n - 3) / 2), n, sp.oo), sp.exp(-u**2 / 2), "=",
             "the shape of f_n(u/sqrt n) tends to exp(-u^2/2): sqrt(n) x_1 => N(0, 1), so "
             "sqrt(n) D_n(mu) -> a Phi(a) + phi(a)"),
    ], expression=expr)


def hemisphere_counterexample() -> Derivation:
    """SPH-10 reading R1 refuted: for :math:`\\mu = 1/2` the stated bound
    :math:`C\\,\\Phi^{-1}(p)/\\sqrt n` is 0, yet the hemisphere has
    :math:`d = D_n(1/2) \\ge E[x_1^+] = \\Gamma(n/2)/(2\\sqrt\\pi\\Gamma((n+1)/2)) > 0`."""
    cn = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n - 1) / 2))
    ex = sp.gamma(n / 2) / (2 * sp.sqrt(sp.pi) * sp.gamma((n + 1) / 2))
    w = sp.Symbol("w", positive=True)  # w = sqrt(1 - s^2) in (0, 1]
    return Derivation("SPH-10", "The hemisphere refutes d <= C Phi^{-1}(p)/sqrt(n)", [
        Step((2 - 2 * w) - (1 - w**2), (1 - w) ** 2, "=",
             "chord^2 - s^2 for a point at height -s below the equator, w = sqrt(1 - s^2): the "
             "chord to the hemisphere {x_1 >= 0} is sqrt(2 - 2w) >= s"),
        Step((1 - w) ** 2, 0, ">=", "so the mean chord distance is at least E[x_1^+]"),
        Step(sp.Integral(s * (1 - s**2) ** a_, (s, 0, 1)), 1 / (2 * a_ + 2), "=",
             "E[x_1^+] = c_n int_0^1 s (1-s^2)^((n-3)/2) ds; with a = (n-3)/2 the integral is "
             "1/(n-1) (n >= 4; n = 2, 3 by the same formula as a limit)"),
        Step(cn / (n - 1), ex, "=", "Gamma((n+1)/2) = ((n-1)/2) Gamma((n-1)/2)"),
        Step(ex, 0, ">", "positive for every n, while Phi^{-1}(1/2) = 0: no constant C works"),
    ], expression=ex)


def coordinate_moments() -> Derivation:
    """SPH-12: :math:`x_1^2 \\sim \\mathrm{Beta}(1/2, (n-1)/2)`:
    :math:`E x_1^2 = 1/n`, :math:`E x_1^4 = 3/(n(n+2))` and, from :math:`\\sum x_i^2 = 1`,
    :math:`E x_1^2 x_2^2 = 1/(n(n+2))`."""
    A, B = sp.Rational(1, 2), (n - 1) / 2
    m1 = A / (A + B)
    m2 = A * (A + 1) / ((A + B) * (A + B + 1))
    cross = (1 - n * m2) / (n * (n - 1))
    t = sp.Symbol("t", positive=True)
    beta_dens5 = t ** (A - 1) * (1 - t) ** (sp.Integer(5 - 1) / 2 - 1) / sp.beta(A, sp.Integer(2))
    return Derivation("SPH-12", "Moments of one coordinate of a uniform point", [
        Step(sp.Integral(beta_dens5, (t, 0, 1)), 1, "=",
             "the Beta(1/2, (n-1)/2) density integrates to 1 (n = 5)"),
        Step(m1, 1 / n, "=", "Beta mean a/(a+b) with a = 1/2, b = (n-1)/2: Var x_1 = 1/n"),
        Step(m2, 3 / (n * (n + 2)), "=", "Beta second moment a(a+1)/((a+b)(a+b+1))"),
        Step(cross, 1 / (n * (n + 2)), "=",
             "E (sum x_i^2)^2 = 1 = n E x_1^4 + n(n-1) E x_1^2 x_2^2"),
    ], expression=m1)


def interior_points() -> Derivation:
    """SPH-16: :math:`F = \\{x \\in E: \\mathrm{dist}(x, E^c) > \\varepsilon\\}` has
    :math:`F_\\varepsilon \\subset E`. In cap angles (:math:`\\Theta(m)` the angle of the cap of
    measure m, increasing): Levy for F gives :math:`\\Theta(\\sigma(F_\\varepsilon)) \\ge
    \\theta_F + \\theta_\\varepsilon`, and :math:`F_\\varepsilon \\subset E` gives
    :math:`\\Theta(\\sigma(F_\\varepsilon)) \\le \\theta_\\mu`; hence
    :math:`\\theta_F \\le \\theta_\\mu - \\theta_\\varepsilon`, and
    :math:`\\sigma(F) \\le \\sigma(\\text{cap}(\\theta_\\mu - \\theta_\\varepsilon))` since caps
    grow with their angle."""
    thF, theps, thmu, thFe = sp.symbols("theta_F theta_epsilon theta_mu theta_Feps", positive=True)
    return Derivation(
        "SPH-16", "The deep part of an error set is small",
        premises=[Premise("levy", thFe >= thF + theps,
                          "Levy (SPH-11) for F: its eps-neighbourhood is at least as large as the "
                          "cap of angle theta_F + theta_eps; theta_Feps is the angle of the cap "
                          "with the measure of F_eps"),
                  Premise("inside", thmu >= thFe,
                          "F_eps lies inside E, so sigma(F_eps) <= mu and the angles are ordered "
                          "the same way (the cap measure increases with the angle)")],
        steps=[Step(thF, thFe - theps, "<=", "Levy for F", uses=("levy",)),
               Step(thFe - theps, thmu - theps, "<=", "F_eps inside E", uses=("inside",))],
        conclusion=Conclusion(thF, "<=", thmu - theps),
    )


def mixture_corollary() -> Derivation:
    """SPH-18: label the spheres so that :math:`\\mu_1 \\ge \\mu_0`; with total error
    :math:`\\mu_{tot} = (\\mu_0 + \\mu_1)/2`, :math:`\\mu_1 \\ge \\mu_{tot}`."""
    m0, m1, mt = sp.symbols("mu_0 mu_1 mu_tot", positive=True)
    return Derivation(
        "SPH-18", "The sphere with the larger error carries at least the average",
        premises=[Premise("order", m1 >= m0, "sphere 1 is the one with the larger error rate"),
                  Premise("total", sp.Eq(mt, (m0 + m1) / 2), "equal priors: the total error")],
        steps=[Step(m1, (m0 + m1) / 2, ">=", "the larger of two numbers is at least their mean",
                    uses=("order",)),
               Step((m0 + m1) / 2, mt, "=", "the total error rate", uses=("total",))],
        conclusion=Conclusion(m1, ">=", mt),
    )


def mixture_distance() -> Derivation:
    """SPH-18: on the sphere k with :math:`\\mu_k \\ge \\mu_{tot}`, :math:`d_k \\le R_k
    D_n(\\mu_k)` (SPH-10) and :math:`D_n(\\mu_k) \\le D_n(\\mu_{tot})` (D_n decreases), so
    :math:`d_k \\le R_k D_n(\\mu_{tot})`."""
    dk, Dk, Dt, Rk = sp.symbols("d_k D_k D_tot R_k", positive=True)
    return Derivation(
        "SPH-18", "Mean distance on that sphere",
        premises=[Premise("levy", dk <= Rk * Dk, "SPH-10 on the sphere of radius R_k: d_k <= "
                                                 "R_k D_n(mu_k), D_k = D_n(mu_k)"),
                  Premise("decreasing", Dk <= Dt, "D_n decreases in mu and mu_k >= mu_tot; "
                                                  "D_tot = D_n(mu_tot)")],
        steps=[Step(dk, Rk * Dk, "<=", "SPH-10", uses=("levy",)),
               Step(Rk * Dk, Rk * Dt, "<=", "R_k > 0 and D_n decreasing", uses=("decreasing",))],
        conclusion=Conclusion(dk, "<=", Rk * Dt),
    )


ALL = (
    rotation_invariance, layer_cake, quadratic_network_rule, zero_error_condition,
    zero_outer_error_condition,
    sphere_to_gaussian, gaussian_bound, hemisphere_counterexample, coordinate_moments,
    interior_points, mixture_corollary, mixture_distance,
)
