"""Derivations for Dube (arXiv:1801.00634): DUBE-1, DUBE-2, DUBE-4, DUBE-5.

Each function returns a tuple of :class:`proofs.core.Derivation` objects, each one chain of checked
steps from stated premises to a stated conclusion; the first carries ``expression``, the closed form
that the tests compare with the matching function of :mod:`theory.resolution`.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

__all__ = [
    "ball_brunn_minkowski",
    "beta_projection_mean",
    "coordinate_halfspace_distance",
    "cube_mean_depth",
    "gaussian_norm_mean",
    "goodfellow_counterexample",
    "isoperimetric_mean_bound",
    "l2_gain_cauchy_schwarz",
    "l2_minimal_perturbation",
    "linf_gain_identity",
    "multiresolution_lift",
    "normalized_mean_bound",
    "side_length_bound",
    "sign_perturbation_norm",
    "sphere_mean_abs_coordinate",
]


def _phi_bar(t):
    return sp.erfc(t / sp.sqrt(2)) / 2


def _partial(t):
    """F(t) = phi(t) - t Phi_bar(t) = E (Z - t)_+."""
    return sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi) - t * _phi_bar(t)


def linf_gain_identity() -> tuple[Derivation, ...]:
    """DUBE-1 (1.0): :math:`w_i\\eta_i \\le \\varepsilon|w_i|` on :math:`|\\eta_i|\\le\\varepsilon` for
    either sign of :math:`w_i`, with equality at :math:`\\eta=\\varepsilon\\,\\mathrm{sign}(w)`, so
    :math:`\\max w^\\top\\eta = \\varepsilon\\lVert w\\rVert_1`."""
    eps, p, q = sp.symbols("epsilon p q", positive=True)
    eta = sp.Symbol("eta", real=True)
    w = sp.symbols("w1:4", real=True, nonzero=True)
    positive = Derivation(
        "DUBE-1", "A positive weight gains at most eps |w_i|",
        premises=[Premise("box", eta <= eps, "eta_i <= eps (the L-inf budget)")],
        steps=[Step(p * eta, p * eps, "<=", "w_i = p > 0 and eta_i <= eps", uses=("box",))],
        conclusion=Conclusion(p * eta, "<=", p * eps))
    negative = Derivation(
        "DUBE-1", "A negative weight gains at most eps |w_i|",
        premises=[Premise("box", eta >= -eps, "eta_i >= -eps (the L-inf budget)")],
        steps=[Step(-q * eta, q * eps, "<=", "w_i = -q < 0 and eta_i >= -eps", uses=("box",))],
        conclusion=Conclusion(-q * eta, "<=", q * eps))
    attained = Derivation("DUBE-1", "eps sign(w) attains eps ||w||_1 (n = 3)", [
        Step(sum(wi * eps * sp.sign(wi) for wi in w), eps * sum(sp.Abs(wi) for wi in w), "=",
             "w_i sign(w_i) = |w_i| in every coordinate; summing the bounds above gives "
             "w.eta <= eps ||w||_1")], expression=eps * sum(sp.Abs(wi) for wi in w))
    return attained, positive, negative


def sign_perturbation_norm() -> tuple[Derivation, ...]:
    """DUBE-1 (1b): :math:`\\lVert\\varepsilon\\,\\mathrm{sign}\\,w\\rVert_2 = \\varepsilon\\sqrt k`
    for ``k`` nonzero weights (shown for k = 3 nonzero and one zero weight)."""
    eps = sp.Symbol("epsilon", positive=True)
    w = sp.symbols("w1:4", real=True, nonzero=True)
    vec = [eps * sp.sign(wi) for wi in w] + [eps * sp.sign(sp.Integer(0))]
    return (Derivation("DUBE-1", "||eps sign w||_2 = eps sqrt(#{w_i != 0})", [
        Step(sp.sqrt(sum(v**2 for v in vec)), eps * sp.sqrt(3), "=",
             "sign(w_i)^2 = 1 for w_i != 0 and sign(0) = 0")], expression=eps * sp.sqrt(3)),)


def l2_gain_cauchy_schwarz() -> tuple[Derivation, ...]:
    """DUBE-1 (1b): under an L2 budget the gain is at most :math:`\\delta\\lVert w\\rVert_2`
    (Cauchy-Schwarz through Lagrange's identity, n = 2), attained at :math:`\\delta w/\\lVert w\\rVert`."""
    w1, w2, e1, e2 = sp.symbols("w1 w2 eta1 eta2", real=True)
    dot = w1 * e1 + w2 * e2
    bound = Derivation("DUBE-1", "(w.eta)^2 <= ||w||^2 ||eta||^2 (Lagrange's identity)", [
        Step(dot**2, dot**2 + (w1 * e2 - w2 * e1) ** 2, "<=", "adding a square"),
        Step(dot**2 + (w1 * e2 - w2 * e1) ** 2, (w1**2 + w2**2) * (e1**2 + e2**2), "=",
             "Lagrange's identity")])
    a1, a2, delta = sp.symbols("a1 a2 delta", positive=True)
    norm = sp.sqrt(a1**2 + a2**2)
    attained = Derivation("DUBE-1", "eta = delta w/||w|| attains delta ||w||_2", [
        Step(a1 * delta * a1 / norm + a2 * delta * a2 / norm, delta * norm, "=",
             "w.(delta w/||w||) = delta ||w||^2/||w||")], expression=delta * norm)
    return attained, bound


def gaussian_norm_mean() -> tuple[Derivation, ...]:
    """DUBE-1 (1b): :math:`E\\lVert w\\rVert_2 = \\sqrt2\\,\\Gamma((n+1)/2)/\\Gamma(n/2)` for
    :math:`w\\sim N(0,I_n)`, from the chi density :math:`\\propto r^{n-1}e^{-r^2/2}`."""
    n, r = sp.symbols("n r", positive=True)
    mean = sp.sqrt(2) * sp.gamma((n + 1) / 2) / sp.gamma(n / 2)
    return (Derivation("DUBE-1", "Mean norm of a standard Gaussian vector", [
        Step(sp.Integral(r**n * sp.exp(-r**2 / 2), (r, 0, sp.oo))
             / sp.Integral(r ** (n - 1) * sp.exp(-r**2 / 2), (r, 0, sp.oo)), mean, "=",
             "|w| has density proportional to r^(n-1) exp(-r^2/2) (polar coordinates)")],
        expression=mean),)


def l2_minimal_perturbation() -> tuple[Derivation, ...]:
    """DUBE-1 (1c): the minimal L2 flip has norm :math:`|w^\\top x+b|/\\lVert w\\rVert_2`."""
    w = sp.Matrix(sp.symbols("w1:4", positive=True))
    x = sp.Matrix(sp.symbols("x1:4", real=True))
    z1, z2 = sp.symbols("z1 z2", real=True)
    b = sp.symbols("b", real=True)
    h = (w.T * x)[0] + b
    nw2 = (w.T * w)[0]
    eta = -h * w / nw2
    # A general feasible eta is eta* + z with w.z = 0; z spans the plane orthogonal to w.
    z = sp.Matrix([z1, z2, -(w[0] * z1 + w[1] * z2) / w[2]])
    sq = ((eta + z).T * (eta + z))[0]
    minimal = Derivation("DUBE-1", "Every point of the hyperplane is at least |w.x + b|/||w|| away", [
        Step(sq, (eta.T * eta)[0] + (z.T * z)[0], "=",
             "Pythagoras: eta* = -(w.x + b) w/||w||^2 is parallel to w and w.z = 0"),
        Step((eta.T * eta)[0] + (z.T * z)[0], (eta.T * eta)[0], ">=", "||z||^2 >= 0"),
        Step((eta.T * eta)[0], h**2 / nw2, "=", "||eta*||^2 = (w.x + b)^2/||w||^2"),
    ], expression=sp.sqrt(h**2 / nw2))
    feasible = Derivation("DUBE-1", "eta* + z reaches the hyperplane for every z with w.z = 0", [
        Step((w.T * (x + eta + z))[0] + b, 0, "=",
             "w.eta* = -(w.x + b) and w.z = 0 for z = (z1, z2, -(w1 z1 + w2 z2)/w3)")])
    return minimal, feasible


def goodfellow_counterexample() -> tuple[Derivation, ...]:
    """DUBE-1 (1a): ``w = 1``, ``b = -n/2``, ``x = (3/4) 1``: no flip for ``eps < 1/4``, every ``n``;
    aligned weights :math:`w_i = |g_i|`: :math:`R_n \\to 2\\varepsilon`."""
    n = sp.symbols("n", positive=True, integer=True)
    eps = sp.symbols("epsilon", positive=True)
    margin = n * sp.Rational(3, 4) - n / 2
    no_flip = Derivation(
        "DUBE-1", "A margin that grows with n: no L-inf flip below eps = 1/4",
        premises=[Premise("small", eps < sp.Rational(1, 4), "the budget is below 1/4")],
        steps=[Step(eps * n, n / 4, "<", "the largest change eps ||w||_1 = eps n", uses=("small",)),
               Step(n / 4, margin, "=", "w.x + b = 3n/4 - n/2")],
        conclusion=Conclusion(eps * n, "<", margin), expression=margin / n)
    wi, l1, ewx = sp.symbols("w_i L E", positive=True)
    tt = sp.Symbol("t", positive=True)
    coordinate = Derivation("DUBE-1", "E[w_i x_i | w] = w_i/2 for x_i ~ U[0, 1]", [
        Step(sp.Integral(wi * tt, (tt, 0, 1)), wi / 2, "=", "the mean of U[0, 1] is 1/2")])
    aligned = Derivation(
        "DUBE-1", "Aligned weights: eps ||w||_1 / E[w.x | w] = 2 eps for every n",
        premises=[Premise("mean", sp.Eq(ewx, l1 / 2),
                          "E[w.x | w] = sum_i w_i/2 = ||w||_1/2 (above, w_i >= 0)")],
        steps=[Step(eps * l1 / ewx, 2 * eps, "=", "the ratio does not depend on n",
                    uses=("mean",))],
        conclusion=Conclusion(eps * l1 / ewx, "=", 2 * eps))
    return no_flip, coordinate, aligned


def isoperimetric_mean_bound() -> tuple[Derivation, ...]:
    """DUBE-2 (2c): :math:`E\\,d_2(X,A) \\le \\int_0^\\infty\\bar\\Phi(a+cs)\\,ds = (\\varphi(a)-
    a\\bar\\Phi(a))/c`, :math:`c = \\sqrt{2\\pi}`, from Gaussian isoperimetry through the
    :math:`(2\\pi)^{-1/2}`-Lipschitz map :math:`\\Phi`."""
    a = sp.symbols("a", real=True)
    c, s = sp.symbols("c s", positive=True)
    mean = sp.Symbol("E_d", nonnegative=True)
    tail_integral = sp.Integral(_phi_bar(a + c * s), (s, 0, sp.oo))
    bound = _partial(a) / c
    mean_bound = Derivation(
        "DUBE-2", "Mean distance to a class of measure alpha",
        premises=[Premise("isoperimetry", mean <= tail_integral,
                          "E d = int_0^oo P(d > s) ds and P(d > s) <= Phi_bar(a + c s): Gaussian "
                          "isoperimetry (Borell, Sudakov-Tsirelson) for Phi^(-1)(A) under the "
                          "map X = Phi(Z), c = 1/Lip = sqrt(2 pi)")],
        steps=[Step(mean, tail_integral, "<=", "isoperimetry", uses=("isoperimetry",)),
               Step(tail_integral, bound, "=", "integrate the normal tail")],
        conclusion=Conclusion(mean, "<=", bound), expression=bound.subs(c, sp.sqrt(2 * sp.pi)))
    u = sp.Symbol("u", nonnegative=True)

    def decreasing_from_zero(lhs, rhs):
        d = lhs - rhs
        return sp.simplify(d.subs(u, 0)) == 0 and sp.diff(d, u).is_negative is True

    lipschitz = Derivation("DUBE-2", "Phi' = phi <= 1/sqrt(2 pi): Phi is (2 pi)^(-1/2)-Lipschitz", [
        Step(sp.exp(-u / 2) / sp.sqrt(2 * sp.pi), 1 / sp.sqrt(2 * sp.pi), "<=",
             "phi(t) = exp(-u/2)/sqrt(2 pi) with u = t^2 >= 0: equal at u = 0, decreasing in u",
             proof=decreasing_from_zero)])
    half = Derivation("DUBE-2", "B(1/2) = 1/(2 pi)", [
        Step(bound.subs({a: 0, c: sp.sqrt(2 * sp.pi)}), 1 / (2 * sp.pi), "=",
             "alpha = 1/2: a = 0, phi(0) = 1/sqrt(2 pi)")])
    return mean_bound, lipschitz, half


def normalized_mean_bound() -> tuple[Derivation, ...]:
    """DUBE-4 (4-M2): the normalized mean distance :math:`E\\,d/\\sqrt n \\le B(\\alpha)/\\sqrt n`,
    which tends to 0 like :math:`n^{-1/2}` because :math:`B(\\alpha)` does not depend on ``n``."""
    n = sp.Symbol("n", positive=True)
    a = sp.Symbol("a", real=True)
    mean, big_b = sp.symbols("E_d B", nonnegative=True)
    c = sp.sqrt(2 * sp.pi)
    bound = Derivation(
        "DUBE-4", "Normalized L2: E d / sqrt(n) <= B(alpha) / sqrt(n)",
        premises=[Premise("cube", mean <= big_b,
                          "DUBE-2 (2c): E d_2(X, A) <= B(alpha) in raw L2, for every n"),
                  Premise("def_B", sp.Eq(big_b, _partial(a) / c),
                          "B(alpha) = (phi(a) - a Phi_bar(a))/sqrt(2 pi), a = Phi^(-1)(alpha)")],
        steps=[Step(mean / sp.sqrt(n), big_b / sp.sqrt(n), "<=", "the raw bound, scaled",
                    uses=("cube",)),
               Step(big_b / sp.sqrt(n), _partial(a) / (c * sp.sqrt(n)), "=", "B(alpha) in closed form",
                    uses=("def_B",))],
        conclusion=Conclusion(mean / sp.sqrt(n), "<=", _partial(a) / (c * sp.sqrt(n))),
        expression=_partial(a) / (c * sp.sqrt(n)))
    rate = Derivation("DUBE-4", "sqrt(n) B(alpha)/sqrt(n) is constant: the rate is n^(-1/2)", [
        Step(sp.Limit(sp.sqrt(n) * _partial(a) / (c * sp.sqrt(n)), n, sp.oo), _partial(a) / c, "=",
             "B(alpha) does not depend on n")])
    return bound, rate


def side_length_bound() -> tuple[Derivation, ...]:
    """DUBE-4 (4-S): with ``N = side^2`` inputs, :math:`B/\\sqrt N = B/\\mathrm{side} \\le
    B/\\sqrt{\\mathrm{side}}`, and on the sphere :math:`\\sqrt{2/(\\pi N)} \\le
    \\sqrt{2/\\pi}/\\sqrt{\\mathrm{side}}`: the :math:`O(1/\\sqrt{\\mathrm{side}})` reading is a weaker
    true bound."""
    big_n, tt = sp.symbols("N t", positive=True)   # t = sqrt(side)
    big_b = sp.Symbol("B", positive=True)
    premises = [Premise("def_N", sp.Eq(big_n, tt**4), "N = side^2 pixels and side = t^2"),
                Premise("side_ge_1", tt >= 1, "the side is at least one pixel")]
    cube = Derivation(
        "DUBE-4", "Cube, normalized: B/sqrt(N) <= B/sqrt(side)", premises=premises,
        steps=[Step(big_b / sp.sqrt(big_n), big_b / tt**2, "=", "sqrt(N) = side", uses=("def_N",)),
               Step(big_b / tt**2, big_b / tt, "<=", "side >= sqrt(side) when side >= 1",
                    uses=("side_ge_1",))],
        conclusion=Conclusion(big_b / sp.sqrt(big_n), "<=", big_b / tt), expression=big_b / tt**2)
    sphere = Derivation(
        "DUBE-4", "Sphere: sqrt(2/(pi N)) <= sqrt(2/pi)/sqrt(side)", premises=premises,
        steps=[Step(sp.sqrt(2 / (sp.pi * big_n)), sp.sqrt(2 / sp.pi) / tt**2, "=", "sqrt(N) = side",
                    uses=("def_N",)),
               Step(sp.sqrt(2 / sp.pi) / tt**2, sp.sqrt(2 / sp.pi) / tt, "<=",
                    "side >= sqrt(side) when side >= 1", uses=("side_ge_1",))],
        conclusion=Conclusion(sp.sqrt(2 / (sp.pi * big_n)), "<=", sp.sqrt(2 / sp.pi) / tt))
    return cube, sphere


def coordinate_halfspace_distance() -> tuple[Derivation, ...]:
    """DUBE-2 (2b, 2c), DUBE-4 (4-M1): the coordinate half-space's mean distance, every ``n``."""
    al = sp.symbols("alpha", positive=True)
    x = sp.symbols("x", real=True)
    integral = sp.Integral(x - al, (x, al, 1))
    mean = Derivation("DUBE-2", "E d(X, {x_1 <= alpha}) = (1 - alpha)^2/2, whatever n", [
        Step(integral, (1 - al) ** 2 / 2, "=",
             "d(X, A) = (X_1 - alpha)_+ whatever n: only the first pixel must move")],
        expression=(1 - al) ** 2 / 2)
    conditional = Derivation("DUBE-2", "E[d | X outside A] = (1 - alpha)/2", [
        Step(integral / (1 - al), (1 - al) / 2, "=", "divide by P(X outside A) = 1 - alpha")])
    half = Derivation(
        "DUBE-2", "At alpha = 1/2 the coordinate half-space respects B(1/2)",
        premises=[Premise("half", sp.Eq(al, sp.Rational(1, 2)), "a class of measure 1/2")],
        steps=[Step((1 - al) ** 2 / 2, sp.Rational(1, 8), "=", "(1/2)^2/2", uses=("half",)),
               Step(sp.Rational(1, 8), 1 / (2 * sp.pi), "<", "1/8 < 1/(2 pi)")],
        conclusion=Conclusion((1 - al) ** 2 / 2, "<", 1 / (2 * sp.pi)))
    return mean, conditional, half


def cube_mean_depth() -> tuple[Derivation, ...]:
    """DUBE-2 (2a): mean distance to the cube's faces :math:`1/(2(n+1))`."""
    n = sp.symbols("n", positive=True, integer=True)
    s = sp.symbols("s", positive=True)
    return (Derivation("DUBE-2", "Depth inside the cube (faces, not a class boundary)", [
        Step(sp.Integral((1 - 2 * s) ** n, (s, 0, sp.Rational(1, 2))), 1 / (2 * (n + 1)), "=",
             "P(min_i min(X_i, 1 - X_i) > s) = (1 - 2s)^n; integrate the tail"),
    ], expression=1 / (2 * (n + 1))),)


def ball_brunn_minkowski() -> tuple[Derivation, ...]:
    """DUBE-2 (2a): balls attain the Brunn-Minkowski depth bound."""
    n = sp.symbols("n", positive=True, integer=True)
    r, eps, om = sp.symbols("r epsilon omega", positive=True)
    vol = om * r**n
    bm = (1 - eps * om ** (1 / n) * vol ** (-1 / n)) ** n
    return (Derivation("DUBE-2", "Equality in the Brunn-Minkowski depth bound for balls", [
        Step(bm, (1 - eps / r) ** n, "=",
             "|A| = omega_n r^n: the bound (1 - eps omega_n^(1/n) |A|^(-1/n))^n"),
        Step((1 - eps / r) ** n, om * (r - eps) ** n / vol, "=",
             "the points at depth >= eps form the ball of radius r - eps"),
    ], expression=(1 - eps / r) ** n),)


def beta_projection_mean() -> tuple[Derivation, ...]:
    """DUBE-2 (2d): :math:`E\\lVert P_Tu\\rVert^2=d/n` for the Beta(d/2, (n-d)/2) law."""
    a, b = sp.symbols("a b", positive=True)
    d, n = sp.symbols("d n", positive=True)
    return (Derivation(
        "DUBE-2", "Projection of a random direction on a d-flat",
        premises=[Premise("a", sp.Eq(a, d / 2), "||P_T u||^2 ~ Beta(d/2, (n-d)/2)"),
                  Premise("b", sp.Eq(b, (n - d) / 2), "||P_T u||^2 ~ Beta(d/2, (n-d)/2)")],
        steps=[Step(sp.beta(a + 1, b) / sp.beta(a, b), a / (a + b), "=",
                    "mean of Beta(a, b): B(a+1, b)/B(a, b)"),
               Step(a / (a + b), d / n, "=", "insert the parameters", uses=("a", "b"))],
        conclusion=Conclusion(sp.beta(a + 1, b) / sp.beta(a, b), "=", d / n), expression=d / n),)


def sphere_mean_abs_coordinate() -> tuple[Derivation, ...]:
    """DUBE-4 (4-M3), HD-5: :math:`E|x_1|=\\Gamma(n/2)/(\\sqrt\\pi\\,\\Gamma((n+1)/2))`.

    The marginal density of :math:`x_1` is :math:`|S^{n-2}|(1-t^2)^{(n-3)/2}/|S^{n-1}|` with
    :math:`|S^{k-1}|=2\\pi^{k/2}/\\Gamma(k/2)`; ``m = n - 1 > 0``.
    """
    m = sp.symbols("m", positive=True)
    t = sp.symbols("t", positive=True)
    mean = sp.Symbol("E", positive=True)

    def area(k):
        return 2 * sp.pi ** (k / 2) / sp.gamma(k / 2)

    norm = area(m) / area(m + 1)
    integral = sp.Integral(2 * t * (1 - t**2) ** ((m - 2) / 2), (t, 0, 1))
    closed = sp.gamma((m + 1) / 2) / (sp.sqrt(sp.pi) * sp.gamma((m + 2) / 2))
    n = sp.symbols("n", positive=True)
    return (Derivation(
        "DUBE-4", "Mean distance to a hyperplane through 0 on the sphere",
        premises=[Premise("marginal", sp.Eq(mean, norm * integral),
                          "x_1 has density |S^(n-2)| (1 - t^2)^((n-3)/2) / |S^(n-1)| on (-1, 1), "
                          "n = m + 1; E|x_1| = 2 int_0^1 t density")],
        steps=[Step(mean, norm * integral, "=", "the marginal density", uses=("marginal",)),
               Step(norm * integral, norm * 2 / m, "=", "int_0^1 2t (1 - t^2)^((m-2)/2) dt = 2/m"),
               Step(norm * 2 / m, closed, "=", "Gamma(x + 1) = x Gamma(x) at x = m/2")],
        conclusion=Conclusion(mean, "=", closed),
        expression=sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n + 1) / 2))),)


def multiresolution_lift(n0: int = 2, b: int = 4) -> tuple[Derivation, ...]:
    """DUBE-5 and DUBE-4 (4-M4): ``D D^T = I/b``, ``D^+ = b D^T``, lifting multiplies norms by
    sqrt(b) and is the minimum-norm solution of ``D eta = delta``."""
    dmat = sp.Matrix(n0, n0 * b, lambda i, j: sp.Rational(1, b) if j // b == i else 0)
    delta = sp.Matrix(sp.symbols(f"delta1:{n0 + 1}", real=True))
    v = sp.Matrix(sp.symbols(f"v1:{n0 + 1}", real=True))
    lifted = b * dmat.T * delta
    # The null space of D: within each block, the deviations sum to 0.
    zs = sp.symbols(f"z1:{n0 * b + 1}", real=True)
    z = sp.Matrix([zs[i] if (i + 1) % b else -sum(zs[i - b + 1:i]) for i in range(n0 * b)])

    def frob(mat):
        return sum(e**2 for e in mat)

    pinv = dmat.T * (dmat * dmat.T).inv()
    tag = f"(n0 = {n0}, b = {b})"

    def one(title, lhs, rhs, why):
        return Derivation("DUBE-5", f"{title} {tag}", [Step(lhs, rhs, "=", why)])

    minimum = Derivation("DUBE-5", f"lift(delta) is the minimum-norm solution of D eta = delta {tag}", [
        Step(frob(lifted + z), frob(lifted) + frob(z), "=",
             "Pythagoras: lift(delta) is constant on blocks, z has zero block sums"),
        Step(frob(lifted) + frob(z), frob(lifted), ">=", "||z||^2 >= 0"),
    ])
    normalized = Derivation("DUBE-5", f"normalized norms agree at every resolution {tag}", [
        Step(frob(lifted / sp.sqrt(n0 * b)), b * frob(delta) / (n0 * b), "=",
             "||lift delta||^2 = b ||delta||^2"),
        Step(b * frob(delta) / (n0 * b), frob(delta / sp.sqrt(n0)), "=", "cancel b"),
    ])
    return (
        Derivation("DUBE-5", f"||lift delta|| = sqrt(b) ||delta|| {tag}", [
            Step(sp.sqrt(frob(lifted)), sp.sqrt(b) * sp.sqrt(frob(delta)), "=",
                 "each coarse pixel is repeated b times")], expression=sp.sqrt(b)),
        one("D D^T = I / b", frob(dmat * dmat.T - sp.eye(n0) / b), 0, "sum of squared entries"),
        one("D^+ = b D^T", frob(pinv - b * dmat.T), 0, "D^+ = D^T (D D^T)^(-1)"),
        one("D lift(delta) = delta", frob(dmat * lifted - delta), 0, "block means of a lifted image"),
        one("z with zero block sums lies in ker D", frob(dmat * z), 0, "block sums vanish"),
        minimum,
        normalized,
        one("||D^T v||^2 = ||v||^2 / b", frob(dmat.T * v), frob(v) / b,
            "4-M4: the fine classifier's weights D^T v; its minimal perturbation is sqrt(b) "
            "d_n0(Dx) raw and d_n0(Dx)/sqrt(n0) normalized"),
    )
