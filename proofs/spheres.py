"""Derivations for the adversarial-spheres claims (Gilmer et al., arXiv:1801.02774).

Each function returns a :class:`proofs.core.Derivation` whose steps sympy checks; where a closed form
results, ``expression`` holds it so that a test can compare it with :mod:`theory.spheres`.
"""

from __future__ import annotations

import functools

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
    """SPH-1: a plane rotation :math:`Q = ((c, -s), (s, c))` with :math:`c = \\cos t`,
    :math:`s = \\sin t` leaves the standard normal density unchanged, so :math:`Qz` has the law
    of :math:`z` and :math:`z/\\|z\\|` is rotation invariant: uniform on the sphere (every
    rotation is a product of plane rotations)."""
    z1, z2, t, c, si = sp.symbols("z1 z2 t c s", real=True)
    qz1, qz2 = c * z1 - si * z2, si * z1 + c * z2
    return Derivation(
        "SPH-1", "Uniform points on the sphere from Gaussian vectors",
        premises=[Premise("cos", sp.Eq(c, sp.cos(t)), "the rotation's cosine"),
                  Premise("sin", sp.Eq(si, sp.sin(t)), "the rotation's sine")],
        steps=[Step(qz1**2 + qz2**2, (c**2 + si**2) * (z1**2 + z2**2), "=", "expand",
                    ),
               Step((c**2 + si**2) * (z1**2 + z2**2), z1**2 + z2**2, "=",
                    "cos^2 t + sin^2 t = 1; the N(0, I) density exp(-|z|^2/2)/(2 pi) depends on "
                    "|z| only, so it is the same at Qz and at z", uses=("cos", "sin"))],
        conclusion=Conclusion(qz1**2 + qz2**2, "=", z1**2 + z2**2),
    )


def _by_parts(lhs, rhs) -> bool:
    """int_0^2 x F'(x) dx = 2 F(2) - int_0^2 F: both sides as functions of the upper limit b have
    the same derivative (fundamental theorem) and agree at b = 0."""
    b = sp.Dummy("b", positive=True)
    lb, rb = lhs.subs(2, b), rhs.subs(2, b)
    if not (isinstance(lhs, sp.Integral)):
        return False
    same_slope = sp.simplify(sp.diff(lb, b) - sp.diff(rb, b)) == 0
    same_start = sp.simplify(lb.subs(b, 0).doit() - rb.subs(b, 0).doit()) == 0
    return bool(same_slope and same_start)


def layer_cake() -> Derivation:
    """SPH-2: for :math:`X = \\mathrm{dist}(x, E) \\in [0, 2]` with distribution function F
    (an atom at 0 for the points of E contributes 0), :math:`E X = \\int_0^2 x\\,dF(x) =
    \\int_0^2 (1 - F(\\varepsilon))\\,d\\varepsilon`, and :math:`1 - F(\\varepsilon) =
    1 - \\sigma_n(E_\\varepsilon)`: integration by parts and :math:`F(2) = 1`."""
    x = sp.Symbol("x", positive=True)
    F = sp.Function("F")
    lhs = sp.Integral(x * sp.Derivative(F(x), x), (x, 0, 2))
    mid = 2 * F(2) - sp.Integral(F(x), (x, 0, 2))
    return Derivation(
        "SPH-2", "Layer-cake formula for the mean distance",
        premises=[Premise("bounded", sp.Eq(F(2), 1), "chord distances on the unit sphere are at "
                                                     "most 2: P(X <= 2) = 1")],
        steps=[Step(lhs, mid, "=", "integration by parts (checked by differentiating in the "
                    "upper limit and comparing at 0)", proof=_by_parts),
               Step(mid, 2 - sp.Integral(F(x), (x, 0, 2)), "=", "F(2) = 1", uses=("bounded",)),
               Step(2 - sp.Integral(F(x), (x, 0, 2)), sp.Integral(1 - F(x), (x, 0, 2)), "=",
                    "linearity: int_0^2 1 = 2")],
        conclusion=Conclusion(lhs, "=", sp.Integral(1 - F(x), (x, 0, 2))),
    )


def quadratic_network_rule() -> Derivation:
    """SPH-6 (h = n = 2): with :math:`W = U\\,\\mathrm{diag}(s)\\,V^T` (U, V plane rotations in
    Cayley form) and :math:`\\alpha_i = w s_i^2/(-b)`, :math:`\\hat y(x)/(-b) =
    \\sum_i\\alpha_i (v_i\\cdot x)^2 - 1`; since :math:`-b > 0` the signs agree."""
    x1, x2 = sp.symbols("x1 x2", real=True)
    W11, W12, W21, W22 = sp.symbols("W11 W12 W21 W22", real=True)
    w = sp.Symbol("w", positive=True)
    b = sp.Symbol("b", negative=True)
    phi, th = sp.symbols("phi theta", real=True)
    s1, s2 = sp.symbols("s1 s2", positive=True)
    A1, A2 = sp.symbols("alpha1 alpha2", positive=True)
    W2 = _rotation(phi) * sp.diag(s1, s2) * _rotation(th).T
    proj = _rotation(th).T * sp.Matrix([x1, x2])
    yhat = w * ((W11 * x1 + W12 * x2) ** 2 + (W21 * x1 + W22 * x2) ** 2) + b
    mid = (w * (s1**2 * proj[0] ** 2 + s2**2 * proj[1] ** 2) + b) / (-b)
    return Derivation(
        "SPH-6", "The quadratic network is an ellipsoid rule",
        premises=[Premise(f"W{i}{j}", sp.Eq(sym, W2[i - 1, j - 1]), "singular value decomposition")
                  for (i, j), sym in zip(((1, 1), (1, 2), (2, 1), (2, 2)), (W11, W12, W21, W22),
                                         strict=True)]
        + [Premise("alpha1", sp.Eq(A1, w * s1**2 / (-b)), "eigen-coefficient"),
           Premise("alpha2", sp.Eq(A2, w * s2**2 / (-b)), "eigen-coefficient")],
        steps=[Step(yhat / (-b), mid, "=", "|Wx|^2 = x^T V diag(s^2) V^T x: U drops out",
                    uses=("W11", "W12", "W21", "W22")),
               Step(mid, A1 * proj[0] ** 2 + A2 * proj[1] ** 2 - 1, "=",
                    "divide by -b > 0", uses=("alpha1", "alpha2"))],
        conclusion=Conclusion(yhat / (-b), "=", A1 * proj[0] ** 2 + A2 * proj[1] ** 2 - 1),
    )


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
    :math:`\\sum\\alpha_i x_i^2 - 1 = \\sum(\\alpha_i - 1) z_i^2/\\|z\\|^2`, so the inner error
    rate is :math:`P(\\sum(\\alpha_i - 1) z_i^2 > 0)` (n = 3)."""
    z1, z2, z3 = sp.symbols("z1 z2 z3", positive=True)
    y1, y2, y3 = sp.symbols("x1 x2 x3", real=True)
    al = sp.symbols("alpha1:4", positive=True)
    nz = sp.sqrt(z1**2 + z2**2 + z3**2)
    lhs = al[0] * y1**2 + al[1] * y2**2 + al[2] * y3**2 - 1
    rhs = sum((a_i - 1) * z_i**2 for a_i, z_i in zip(al, (z1, z2, z3), strict=True)) / nz**2
    return Derivation(
        "SPH-8", "Error rate as a Gaussian quadratic form",
        premises=[Premise(f"x{i + 1}", sp.Eq(y, z / nz), "x = z/|z|")
                  for i, (y, z) in enumerate(zip((y1, y2, y3), (z1, z2, z3), strict=True))],
        steps=[Step(lhs, rhs, "=", "sum x_i^2 = 1: the events {sum alpha x^2 > 1} and "
                    "{sum (alpha - 1) z^2 > 0} coincide for every z != 0",
                    uses=("x1", "x2", "x3"))],
        conclusion=Conclusion(lhs, "=", rhs),
    )


def clt_variance() -> Derivation:
    """SPH-8 (R2): :math:`\\mathrm{Var}(c z^2) = 2c^2`, so the CLT for
    :math:`\\sum\\beta_i z_i^2` has standard deviation :math:`\\sqrt{2\\sum\\beta_i^2}`, not the
    printed :math:`2\\sum\\beta_i^2`."""
    zz = sp.Symbol("z", real=True)
    c = sp.Symbol("c", real=True)
    dens = sp.exp(-zz**2 / 2) / sp.sqrt(2 * sp.pi)
    return Derivation("SPH-8", "Variance of a weighted chi-square term", [
        Step(sp.Integral((c * zz**2 - c) ** 2 * dens, (zz, -sp.oo, sp.oo)), 2 * c**2, "=",
             "Gaussian moments E z^4 = 3, E z^2 = 1"),
    ])


@functools.lru_cache(maxsize=64)
def _limit(expr, var, point):
    """sympy's limit, term by term over a sum (each term's limit finite), cached: the mutation
    check re-evaluates a perturbed integrand, and the Gamma ratio's limit costs seconds."""
    if isinstance(expr, sp.Add):
        return sp.Add(*(_limit(t, var, point) for t in expr.args))
    return sp.limit(expr, var, point)


def _limits_in_integrand(lhs, rhs) -> bool:
    """``Integral(F, D) = Integral(G, D)`` over the same domain, where F is a product of limits:
    every ``Limit`` in F evaluated by sympy (finite), F - G must simplify to 0 identically in the
    integration variable (equal integrands on the same domain give equal integrals)."""
    if not (isinstance(lhs, sp.Integral) and isinstance(rhs, sp.Integral)
            and lhs.limits == rhs.limits and lhs.function.has(sp.Limit)):
        return False
    done = lhs.function.replace(lambda e: isinstance(e, sp.Limit),
                                lambda e: _limit(*e.args[:3]))
    if done.has(sp.Limit, sp.oo, -sp.oo, sp.nan, sp.zoo):
        return False
    return sp.simplify(done - rhs.function) == 0


u_ = sp.Symbol("u", real=True)
#: sqrt(n) D_n(mu) in the limit n -> oo (a symbol: its value is the conclusion)
L_ = sp.Symbol("L", real=True)
f_ = sp.Function("f")
h_ = sp.Function("h")


def gaussian_bound() -> Derivation:
    """SPH-10 (reading R2) and SPH-13: the Gaussian limit of :math:`D_n`.

    In the coordinate :math:`u = \\sqrt n\\,x_1` the density is
    :math:`f_n(u) = c_n n^{-1/2}(1 - u^2/n)^{(n-3)/2}`,
    :math:`c_n = \\Gamma(n/2)/(\\sqrt\\pi\\,\\Gamma((n-1)/2))` (SPH-12), and
    :math:`\\sqrt n` times the chord from height :math:`u/\\sqrt n` to the cap
    :math:`\\{x_1 \\ge a/\\sqrt n\\}` is
    :math:`h_n(u) = 2\\sqrt n\\sin((\\arccos(u/\\sqrt n) - \\arccos(a/\\sqrt n))/2)`
    for :math:`u \\le a` (0 inside the cap). Premise: :math:`L = \\lim\\sqrt n D_n(\\mu) =
    \\int_{-\\infty}^a \\lim_n h_n f_n\\,du` (dominated convergence, and
    :math:`\\sqrt n\\,t_n(\\mu) \\to a = \\Phi^{-1}(1 - \\mu)` by Scheffe's lemma; the limit
    of the product is the product of the limits). Checked:
    :math:`\\lim_n f_n(u) = \\varphi(u)` (Stirling, by sympy's limit of the Gamma ratio),
    :math:`\\lim_n h_n(u) = a - u`, and
    :math:`\\int_{-\\infty}^{a}(a - u)\\varphi(u)\\,du = a\\Phi(a) + \\varphi(a)`."""
    expr = a * _Phi(a) + _phi(a)
    cn = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n - 1) / 2))
    dens = cn / sp.sqrt(n) * (1 - u_**2 / n) ** ((n - 3) / 2)
    chord = 2 * sp.sqrt(n) * sp.sin((sp.acos(u_ / sp.sqrt(n)) - sp.acos(a / sp.sqrt(n))) / 2)
    under = sp.Integral(sp.Limit(h_(n, u_), n, sp.oo) * sp.Limit(f_(n, u_), n, sp.oo),
                        (u_, -sp.oo, a))
    gauss = sp.Integral((a - u_) * _phi(u_), (u_, -sp.oo, a))
    return Derivation(
        "SPH-10", "Large-n form of the distance bound",
        premises=[
            Premise("interchange", sp.Eq(L_, under),
                    "dominated convergence: L = lim sqrt(n) D_n(mu) is the integral over u <= a "
                    "of the pointwise limit of h_n f_n, the product of the limits of h_n and f_n "
                    "(both exist: the next step computes them); h_n f_n <= C (a + |u|) "
                    "e^(-u^2/4) for n >= 6, and the threshold sqrt(n) t_n(mu) -> a = "
                    "Phi^{-1}(1 - mu) by Scheffe's lemma"),
            Premise("density", sp.Eq(f_(n, u_), dens),
                    "density of u = sqrt(n) x_1, from f_n(s) = c_n (1 - s^2)^((n-3)/2) (SPH-12)"),
            Premise("chord", sp.Eq(h_(n, u_), chord),
                    "sqrt(n) times the chord distance from height u/sqrt(n) to the cap "
                    "{x_1 >= a/sqrt(n)}: along the meridian, angle arccos(u/sqrt n) - "
                    "arccos(a/sqrt n)")],
        steps=[Step(L_, under, "=", "the interchange premise", uses=("interchange",)),
               Step(under, gauss, "=",
                    "sympy's limits: lim f_n(u) = phi(u) (the Gamma ratio c_n/sqrt(n) -> "
                    "1/sqrt(2 pi), (1 - u^2/n)^((n-3)/2) -> exp(-u^2/2)) and lim h_n(u) = a - u",
                    proof=_limits_in_integrand, uses=("density", "chord")),
               Step(gauss, expr, "=", "mean distance of a standard normal coordinate to the "
                    "half-line {g >= a}")],
        conclusion=Conclusion(L_, "=", expr),
        expression=expr,
    )


def chord_exceeds_height() -> Derivation:
    """SPH-10 (R1): a point at height :math:`-s \\le 0` is at chord distance
    :math:`\\sqrt{2 - 2w} \\ge s` from the hemisphere :math:`\\{x_1 \\ge 0\\}`
    (:math:`w = \\sqrt{1 - s^2}`), so :math:`d(\\text{hemisphere}) \\ge E[x_1^+]`."""
    w = sp.Symbol("w", positive=True)
    sh = sp.Symbol("s", nonnegative=True)
    return Derivation(
        "SPH-10", "The chord to the hemisphere exceeds the height",
        premises=[Premise("height", sp.Eq(sh, sp.sqrt(1 - w**2)), "a point at height -s")],
        steps=[Step((2 - 2 * w) - sh**2, (1 - w) ** 2, "=", "chord^2 - s^2", uses=("height",)),
               Step((1 - w) ** 2, 0, ">=", "a square")],
        conclusion=Conclusion((2 - 2 * w) - sh**2, ">=", 0),
    )


def hemisphere_counterexample() -> Derivation:
    """SPH-10 reading R1 refuted: for :math:`\\mu = 1/2` the stated bound
    :math:`C\\,\\Phi^{-1}(p)/\\sqrt n` is 0, yet the hemisphere has
    :math:`d \\ge E[x_1^+] = \\Gamma(n/2)/(2\\sqrt\\pi\\Gamma((n+1)/2)) > 0` (here for
    :math:`n \\ge 4`, where the exponent :math:`a = (n-3)/2` is positive)."""
    cn = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n - 1) / 2))
    ex = sp.gamma(n / 2) / (2 * sp.sqrt(sp.pi) * sp.gamma((n + 1) / 2))
    return Derivation(
        "SPH-10", "Mean positive part of a coordinate",
        premises=[Premise("exponent", sp.Eq(a_, (n - 3) / 2), "f_n(s) = c_n (1 - s^2)^((n-3)/2)")],
        steps=[Step(cn * sp.Integral(s * (1 - s**2) ** a_, (s, 0, 1)), cn / (2 * a_ + 2), "=",
                    "the integral"),
               Step(cn / (2 * a_ + 2), cn / (n - 1), "=", "a = (n - 3)/2", uses=("exponent",)),
               Step(cn / (n - 1), ex, "=", "Gamma((n+1)/2) = ((n-1)/2) Gamma((n-1)/2)")],
        conclusion=Conclusion(cn * sp.Integral(s * (1 - s**2) ** a_, (s, 0, 1)), "=", ex),
        expression=ex,
    )


def coordinate_moments() -> Derivation:
    """SPH-12: from :math:`x_1^2 \\sim \\mathrm{Beta}(1/2, (n-1)/2)`
    (:math:`E x_1^4 = 3/(n(n+2))`) and :math:`(\\sum x_i^2)^2 = 1`
    (:math:`n E x_1^4 + n(n-1) E x_1^2x_2^2 = 1`): :math:`E x_1^2 x_2^2 = 1/(n(n+2))`, which differs
    from the Gaussian :math:`1/n^2`. ``expression`` is :math:`E x_1^2 = 1/n`."""
    m4, m22 = sp.symbols("m4 m22", positive=True)
    A, B = sp.Rational(1, 2), (n - 1) / 2
    return Derivation(
        "SPH-12", "Mixed fourth moment of a uniform point",
        premises=[Premise("beta", sp.Eq(m4, A * (A + 1) / ((A + B) * (A + B + 1))),
                          "second moment of Beta(1/2, (n-1)/2): E x_1^4"),
                  Premise("norm", sp.Eq(m22, (1 - n * m4) / (n * (n - 1))),
                          "E (sum x_i^2)^2 = 1 by exchangeability")],
        steps=[Step(m22, (1 - n * m4) / (n * (n - 1)), "=", "the sphere", uses=("norm",)),
               Step((1 - n * m4) / (n * (n - 1)), 1 / (n * (n + 2)), "=", "the Beta moment",
                    uses=("beta",))],
        conclusion=Conclusion(m22, "=", 1 / (n * (n + 2))),
        expression=A / (A + B),
    )


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
    sphere_to_gaussian, clt_variance, gaussian_bound, chord_exceeds_height,
    hemisphere_counterexample, coordinate_moments,
    interior_points, mixture_corollary, mixture_distance,
)
