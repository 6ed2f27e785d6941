"""Derivations for Dube (arXiv:1801.00634): DUBE-1, DUBE-2, DUBE-4, DUBE-5.

Each function returns a :class:`proofs.core.Derivation`; the tests check every step and compare
the final ``expression`` with the matching function of :mod:`theory.resolution`.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Derivation, Step

__all__ = [
    "ball_brunn_minkowski",
    "beta_projection_mean",
    "coordinate_halfspace_distance",
    "cube_mean_depth",
    "goodfellow_counterexample",
    "isoperimetric_mean_bound",
    "l2_minimal_perturbation",
    "linf_gain_identity",
    "multiresolution_lift",
    "sphere_mean_abs_coordinate",
]


def linf_gain_identity() -> Derivation:
    """DUBE-1 (1.0): :math:`\\max_{|\\eta_i|\\le\\varepsilon}w^\\top\\eta=\\varepsilon\\lVert w\\rVert_1`."""
    eps = sp.symbols("epsilon", positive=True)
    p, q, r = sp.symbols("p q r", positive=True)
    w = sp.symbols("w1:4", real=True, nonzero=True)
    attained = sum(wi * eps * sp.sign(wi) for wi in w)
    return Derivation("DUBE-1", "The L-infinity gain of a linear unit is eps ||w||_1", [
        Step(p * eps - p * (eps - r), 0, ">=",
             "w_i = p > 0 and eta_i = eps - r with r >= 0 (eta_i <= eps): w_i eta_i <= eps |w_i|"),
        Step(q * eps - (-q) * (-eps + r), 0, ">=",
             "w_i = -q < 0 and eta_i = -eps + r with r >= 0 (eta_i >= -eps): w_i eta_i <= eps |w_i|"),
        Step(attained, eps * sum(sp.Abs(wi) for wi in w), "=",
             "eta = eps sign(w) attains the bound in every coordinate (shown for n = 3)"),
    ], expression=eps * sum(sp.Abs(wi) for wi in w))


def l2_minimal_perturbation() -> Derivation:
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
    return Derivation("DUBE-1", "Lagrange: minimal L2 perturbation onto the hyperplane", [
        Step((w.T * (x + eta))[0] + b, 0, "=",
             "eta* = -(w.x + b) w / ||w||^2 (stationarity eta + mu w = 0) reaches the hyperplane"),
        Step((w.T * z)[0], 0, "=", "z = (z1, z2, -(w1 z1 + w2 z2)/w3) spans {w.z = 0}"),
        Step(((eta + z).T * (eta + z))[0] - (eta.T * eta)[0] - (z.T * z)[0], 0, "=",
             "Pythagoras: eta* is parallel to w, so every other feasible point is farther"),
        Step((eta.T * eta)[0], h**2 / nw2, "=", "||eta*||^2 = (w.x + b)^2 / ||w||^2"),
    ], expression=sp.sqrt(h**2 / nw2))


def goodfellow_counterexample() -> Derivation:
    """DUBE-1 (1a): ``w = 1``, ``b = -n/2``, ``x = (3/4) 1``: no flip for ``eps < 1/4``, every ``n``."""
    n = sp.symbols("n", positive=True, integer=True)
    eps = sp.symbols("epsilon", positive=True)
    wi = sp.symbols("w_i", positive=True)
    margin = n * sp.Rational(3, 4) - n / 2
    return Derivation("DUBE-1", "A margin that grows with n: the linearity argument needs it", [
        Step(margin, n / 4, "=", "w.x + b = 3n/4 - n/2"),
        Step(margin / n, sp.Rational(1, 4), "=",
             "d_inf = |w.x + b| / ||w||_1 = 1/4 for every n (||w||_1 = n)"),
        Step(eps * n - margin, (eps - sp.Rational(1, 4)) * n, "=",
             "largest L-inf change eps ||w||_1 = eps n falls short of the margin iff eps < 1/4"),
        Step(sp.Integral(wi * sp.Symbol("t"), (sp.Symbol("t"), 0, 1)), wi / 2, "=",
             "aligned model (i): E[w_i x_i | w] = |w_i| / 2, so E[w.x | w] = ||w||_1 / 2"),
        Step(eps * wi / (wi / 2), 2 * eps, "=",
             "hence R_n = eps ||w||_1 / w.x -> 2 eps, independent of n"),
    ], expression=margin / n)


def isoperimetric_mean_bound() -> Derivation:
    """DUBE-2 (2c): the mean of the isoperimetric tail bound, :math:`(\\varphi(a)-a\\bar\\Phi(a))/c`."""
    a = sp.symbols("a", real=True)
    c, s = sp.symbols("c s", positive=True)
    u = sp.symbols("u", nonnegative=True)
    phi_bar = lambda t: sp.erfc(t / sp.sqrt(2)) / 2  # noqa: E731 - the normal tail, as erfc
    big_f = lambda t: sp.exp(-t**2 / 2) / sp.sqrt(2 * sp.pi) - t * phi_bar(t)  # noqa: E731
    bound = big_f(a) / c
    b_half = bound.subs({a: 0, c: sp.sqrt(2 * sp.pi)})
    return Derivation("DUBE-2", "Mean of the isoperimetric tail bound", [
        Step(sp.exp(-u / 2), 1, "<=",
             "Phi' = phi <= phi(0) = 1/sqrt(2 pi) (u = t^2 >= 0; exp(u/2) = 1 at u = 0 and has "
             "positive derivative, exp(-u/2) = 1/exp(u/2)): X = Phi(Z) is "
             "(2 pi)^(-1/2)-Lipschitz, so Gaussian isoperimetry (Borell, Sudakov-Tsirelson) "
             "gives P(d_2(X, A) > s) <= Phi_bar(a + sqrt(2 pi) s)",
             proof=lambda: bool(sp.simplify(sp.exp(-u / 2) * sp.exp(u / 2) - 1) == 0
                                and sp.exp(u / 2).subs(u, 0) == 1
                                and sp.diff(sp.exp(u / 2), u).is_positive)),
        Step(sp.diff(big_f(a), a), -phi_bar(a), "=",
             "F(a) = phi(a) - a Phi_bar(a) has F' = -Phi_bar"),
        Step(sp.Limit(big_f(a), a, sp.oo), 0, "=", "and F(oo) = 0, so F(a) = int_a^oo Phi_bar"),
        Step(sp.diff(-big_f(a + c * s) / c, s), phi_bar(a + c * s), "=",
             "-F(a + c s)/c is an antiderivative in s: int_0^oo Phi_bar(a + c s) ds = F(a)/c, "
             "and E d = int_0^oo P(d > s) ds <= F(a)/c"),
        Step(b_half, 1 / (2 * sp.pi), "=", "alpha = 1/2: a = 0, c = sqrt(2 pi)"),
    ], expression=bound.subs(c, sp.sqrt(2 * sp.pi)))


def coordinate_halfspace_distance() -> Derivation:
    """DUBE-2 (2b, 2c), DUBE-4 (4-M1): the coordinate half-space's mean distance, every ``n``."""
    al = sp.symbols("alpha", positive=True)
    x = sp.symbols("x", real=True)
    return Derivation("DUBE-2", "Distance to {x_1 <= alpha} does not depend on n", [
        Step(sp.Integral(x - al, (x, al, 1)), (1 - al) ** 2 / 2, "=",
             "d(X, A) = (X_1 - alpha)_+ whatever n: only the first pixel must move"),
        Step((1 - al) ** 2 / 2 / (1 - al), (1 - al) / 2, "=",
             "conditioned on X outside A (probability 1 - alpha)"),
        Step(((1 - al) / 2).subs(al, sp.Rational(1, 2)), sp.Rational(1, 4), "=",
             "alpha = 1/2: E[d | other class] = 1/4 for every n, so raw L2 does not shrink"),
        Step((1 - sp.Rational(1, 2)) ** 2 / 2, 1 / (2 * sp.pi), "<",
             "and it respects the bound B(1/2) = 1/(2 pi)"),
    ], expression=(1 - al) ** 2 / 2)


def cube_mean_depth() -> Derivation:
    """DUBE-2 (2a): mean distance to the cube's faces :math:`1/(2(n+1))`."""
    n = sp.symbols("n", positive=True, integer=True)
    s = sp.symbols("s", positive=True)
    return Derivation("DUBE-2", "Depth inside the cube (faces, not a class boundary)", [
        Step(sp.Integral((1 - 2 * s) ** n, (s, 0, sp.Rational(1, 2))), 1 / (2 * (n + 1)), "=",
             "P(min_i min(X_i, 1 - X_i) > s) = (1 - 2s)^n; integrate the tail"),
    ], expression=1 / (2 * (n + 1)))


def ball_brunn_minkowski() -> Derivation:
    """DUBE-2 (2a): balls attain the Brunn-Minkowski depth bound."""
    n = sp.symbols("n", positive=True, integer=True)
    r, eps, om = sp.symbols("r epsilon omega", positive=True)
    vol = om * r**n
    bm = (1 - eps * om ** (1 / n) * vol ** (-1 / n)) ** n
    return Derivation("DUBE-2", "Equality in the Brunn-Minkowski depth bound for balls", [
        Step(bm, (1 - eps / r) ** n, "=",
             "|A| = omega_n r^n: the bound (1 - eps omega_n^(1/n) |A|^(-1/n))^n"),
        Step(om * (r - eps) ** n / vol, (1 - eps / r) ** n, "=",
             "the points at depth >= eps form the ball of radius r - eps"),
    ], expression=(1 - eps / r) ** n)


def beta_projection_mean() -> Derivation:
    """DUBE-2 (2d): :math:`E\\lVert P_Tu\\rVert^2=d/n` for the Beta(d/2, (n-d)/2) law."""
    a, b = sp.symbols("a b", positive=True)
    d, n = sp.symbols("d n", positive=True)
    return Derivation("DUBE-2", "Projection of a random direction on a d-flat", [
        Step(sp.beta(a + 1, b) / sp.beta(a, b), a / (a + b), "=",
             "mean of Beta(a, b): B(a+1, b)/B(a, b)"),
        Step((a / (a + b)).subs({a: d / 2, b: (n - d) / 2}), d / n, "=",
             "||P_T u||^2 ~ Beta(d/2, (n-d)/2): mean d/n"),
    ], expression=d / n)


def sphere_mean_abs_coordinate() -> Derivation:
    """DUBE-4 (4-M3): :math:`E|x_1|=\\Gamma(n/2)/(\\sqrt\\pi\\,\\Gamma((n+1)/2))\\sim\\sqrt{2/(\\pi n)}`.

    The marginal density of :math:`x_1` is :math:`|S^{n-2}|(1-t^2)^{(n-3)/2}/|S^{n-1}|` with
    :math:`|S^{k-1}|=2\\pi^{k/2}/\\Gamma(k/2)`; ``m = n - 1 > 0``.
    """
    m = sp.symbols("m", positive=True)
    n = sp.symbols("n", positive=True)
    t = sp.symbols("t", real=True)
    xh = sp.symbols("x", positive=True)

    def area(k):
        return 2 * sp.pi ** (k / 2) / sp.gamma(k / 2)

    num = sp.Integral(2 * t * (1 - t**2) ** ((m - 2) / 2), (t, 0, 1))
    ratio = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n - 1) / 2))
    closed = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * sp.gamma((n + 1) / 2))
    closed_shifted = sp.gamma(n / 2) / (sp.sqrt(sp.pi) * (n - 1) / 2 * sp.gamma((n - 1) / 2))
    # sqrt(n) E|x_1| = r(n)/sqrt(pi) with r(n) r(n+1) = 2 sqrt((n+1)/n) -> 2; r decreases (Gautschi's
    # inequality, also checked numerically), so r(n) -> sqrt(2). A symbolic Limit of the Gamma
    # ratio gives the same value but costs sympy ten seconds.
    r = sp.sqrt(n) * sp.gamma(n / 2) / sp.gamma((n + 1) / 2)
    return Derivation("DUBE-4", "Mean distance to a hyperplane through 0 on the sphere", [
        Step(num, 2 / m, "=", "int |t| (1 - t^2)^((n-3)/2) dt over [-1, 1], with m = n - 1"),
        Step(area(n - 1) / area(n), ratio, "=",
             "normaliser |S^(n-2)| / |S^(n-1)| of the marginal density of x_1"),
        Step(ratio * 2 / (n - 1), closed_shifted, "=", "E|x_1| = ratio * 2/(n - 1)"),
        Step(closed_shifted, closed, "=", "Gamma(x + 1) = x Gamma(x) at x = (n-1)/2",
             proof=lambda: sp.expand_func(sp.gamma(xh + 1)) == xh * sp.gamma(xh)
             and sp.expand(closed_shifted.subs(n, 2 * xh + 1)
                           - closed.subs(n, 2 * xh + 1).subs(sp.gamma(xh + 1), xh * sp.gamma(xh))) == 0),
        Step(closed.subs(n, 2), 2 / sp.pi, "=", "n = 2"),
        Step(closed.subs(n, 3), sp.Rational(1, 2), "=", "n = 3"),
        Step(closed.subs(n, 4), 4 / (3 * sp.pi), "=", "n = 4"),
        Step(r * r.subs(n, n + 1), 2 * sp.sqrt((n + 1) / n), "=",
             "r(n) = sqrt(n) Gamma(n/2)/Gamma((n+1)/2) satisfies r(n) r(n+1) = 2 sqrt(1 + 1/n)"),
        Step(sp.Limit(2 * sp.sqrt((n + 1) / n), n, sp.oo), 2, "=",
             "so a monotone r (Gautschi) tends to sqrt(2) and sqrt(n) E|x_1| -> sqrt(2/pi)"),
    ], expression=closed)


def multiresolution_lift(n0: int = 2, b: int = 4) -> Derivation:
    """DUBE-5 and DUBE-4 (4-M4): ``D D^T = I/b``, ``D^+ = b D^T``, lifting multiplies norms by sqrt(b)."""
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
    return Derivation("DUBE-5", f"Block averaging and lifting (n0 = {n0}, b = {b})", [
        Step(frob(dmat * dmat.T - sp.eye(n0) / b), 0, "=", "D D^T = I / b (sum of squared entries)"),
        Step(frob(pinv - b * dmat.T), 0, "=", "D^+ = D^T (D D^T)^(-1) = b D^T"),
        Step(frob(dmat * lifted - delta), 0, "=", "D lift(delta) = delta"),
        Step(frob(lifted), b * frob(delta), "=", "||lift delta||^2 = b ||delta||^2"),
        Step(frob(lifted / sp.sqrt(n0 * b)), frob(delta / sp.sqrt(n0)), "=",
             "normalized norms agree at every resolution"),
        Step(frob(dmat * z), 0, "=", "z with zero block sums spans the null space of D"),
        Step(frob(lifted + z), frob(lifted) + frob(z), "=",
             "Pythagoras: lift(delta) is the minimum-norm solution of D eta = delta"),
        Step(frob(dmat.T * v), frob(v) / b, "=",
             "4-M4: the fine classifier's weights D^T v have ||D^T v||^2 = ||v||^2 / b, so its "
             "minimal perturbation is sqrt(b) d_n0(Dx) raw, d_n0(Dx)/sqrt(n0) normalized"),
    ], expression=sp.sqrt(b))
