r"""Derivations for Szegedy et al., "Intriguing properties of neural networks" (arXiv:1312.6199).

Each function returns a :class:`proofs.core.Derivation` for one claim of
``theory/claims/intriguing.toml``; tests check every step and compare ``expression`` with
:mod:`theory.lipschitz`.

Examples
--------
>>> d = logistic_penalty()
>>> all(r.ok for r in d.check())
True
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Derivation, Step

__all__ = [
    "affine_minimal_perturbation",
    "scale_equivariance",
    "target_already_reached",
    "noise_flip_probability",
    "penalty_monotonicity",
    "logistic_penalty",
    "lagrange_threshold",
    "softmax_counterexample",
    "relu_nonexpansive",
    "composition_bound",
    "maxpool_constant",
    "contrast_norm_constant",
    "circulant_diagonalization",
    "strided_aliasing",
    "printed_stride_formula",
    "certified_radius_bound",
    "zero_network",
    "l1_reading",
]


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def affine_minimal_perturbation() -> Derivation:
    """SZ-2: minimal L2 perturbation onto the hyperplane ``w.(x+r) + b = 0`` (m = 3 symbolic)."""
    w = sp.symbols("w1:4", real=True)
    r = sp.symbols("r1:4", real=True)
    s = sp.Symbol("s", real=True)  # s = w.x + b
    n2 = _dot(w, w)
    rstar = [-s * wi / n2 for wi in w]
    mu = s / n2
    steps = [
        Step(_dot(w, rstar) + s, 0, "=", "r* = -s w/||w||^2 reaches the hyperplane: w.r* = -s"),
    ]
    lagr = _dot(r, r) / 2 + sp.Symbol("mu") * (_dot(w, r) + s)
    at_rstar = {**dict(zip(r, rstar, strict=True)), sp.Symbol("mu"): mu}
    steps += [
        Step(sp.Subs(sp.Derivative(lagr, r[i]), tuple(at_rstar), tuple(at_rstar.values())), 0, "=",
             f"stationarity of the Lagrangian in r_{i + 1} at r*, with mu = s/||w||^2")
        for i in range(3)
    ]
    steps += [
        Step(_dot(rstar, rstar), s**2 / n2, "=", "||r*||^2 = s^2/||w||^2, so d = |s|/||w||"),
        Step(n2 * _dot(r, r) - _dot(w, r) ** 2,
             (w[0] * r[1] - w[1] * r[0]) ** 2 + (w[0] * r[2] - w[2] * r[0]) ** 2
             + (w[1] * r[2] - w[2] * r[1]) ** 2, "=", "Lagrange identity"),
        Step((w[0] * r[1] - w[1] * r[0]) ** 2 + (w[0] * r[2] - w[2] * r[0]) ** 2
             + (w[1] * r[2] - w[2] * r[1]) ** 2, 0, ">=",
             "a sum of squares: ||w||^2 ||r||^2 >= (w.r)^2 = s^2 for every feasible r, "
             "so no feasible r is shorter than |s|/||w||"),
    ]
    d = Derivation("SZ-2", "Closed form of the minimal perturbation of a binary affine model", steps)
    wn = sp.Symbol("wnorm", positive=True)
    d.expression = (sp.Abs(s) / wn, (s, wn))
    return d


def scale_equivariance() -> Derivation:
    """SZ-19: pixels in [0, a] with weights w/a: the minimal distance scales by a."""
    a, wn = sp.symbols("a wnorm", positive=True)
    s = sp.Symbol("s", real=True)
    steps = [
        Step(sp.Abs(s) / (wn / a), a * (sp.Abs(s) / wn), "=",
             "s(a x) with weights w/a equals s(x); ||w/a|| = ||w||/a"),
    ]
    return Derivation("SZ-19", "Scale equivariance d_a(a x) = a d_1(x)", steps)


def target_already_reached() -> Derivation:
    """SZ-20: with l = f(x), r = 0 is feasible and the unique minimizer, so D(x, f(x)) = x."""
    r = sp.symbols("r1:4", real=True)
    norm = sp.sqrt(sum(v**2 for v in r))
    steps = [
        Step(norm, 0, ">=", "every perturbation has ||r|| >= 0 ..."),
        Step(norm.subs({v: 0 for v in r}), 0, "=",
             "... and r = 0 is feasible (f(x + 0) = f(x) = l) with ||0|| = 0"),
        Step(sp.Symbol("rho", positive=True) ** 2 + r[1] ** 2 + r[2] ** 2, 0, ">",
             "any r != 0 (a nonzero coordinate rho, by symmetry the first) is strictly longer, so "
             "D(x, f(x)) = x + 0 = x: a point of R^m, not the label f(x)"),
    ]
    return Derivation("SZ-20", "D(x, f(x)) = x", steps)


def noise_flip_probability() -> Derivation:
    """SZ-6(d): isotropic noise at the adversarial RMS flips a linear model with prob. Phi-bar(sqrt m)."""
    d, sigma, m = sp.symbols("d sigma m", positive=True)
    z = sp.Symbol("z", real=True)
    density = sp.exp(-(z**2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))
    steps = [
        Step(sp.Integral(density, (z, d, sp.oo)), sp.erfc(d / (sigma * sp.sqrt(2))) / 2, "=",
             "the noise component along the unit normal is N(0, sigma^2); it crosses at distance d "
             "with probability Phi-bar(d/sigma)"),
        Step((d / sigma).subs(sigma, d / sp.sqrt(m)), sp.sqrt(m), "=",
             "at the adversarial per-pixel RMS sigma = d/sqrt(m): Phi-bar(sqrt(m)), independent of w"),
    ]
    return Derivation("SZ-6", "Gaussian noise of adversarial size on a linear model", steps)


def penalty_monotonicity() -> Derivation:
    """SZ-3 lemma: global minimizers of c||r|| + loss have ||r|| non-increasing in c."""
    c1, c2 = sp.symbols("c1 c2", positive=True)
    N1, N2 = sp.symbols("N1 N2", nonnegative=True)
    L1 = sp.Symbol("L1", real=True)
    g1, g2 = sp.symbols("g1 g2", nonnegative=True)
    # optimality of r1 at c1: c1 N1 + L1 + g1 = c1 N2 + L2 (g1 >= 0)
    L2 = c1 * N1 + L1 + g1 - c1 * N2
    # optimality of r2 at c2: c2 N2 + L2 + g2 = c2 N1 + L1 (g2 >= 0)
    g2_expr = c2 * N1 + L1 - c2 * N2 - L2
    steps = [
        Step((c1 - c2) * (N1 - N2), -(g1 + g2_expr), "=",
             "add the optimality inequalities of r1 (at c1) and r2 (at c2)"),
        Step(-(g1 + g2), 0, "<=",
             "both optimality gaps are >= 0, so (c1 - c2)(||r1|| - ||r2||) <= 0: "
             "c1 < c2 implies ||r1|| >= ||r2||"),
    ]
    return Derivation("SZ-3", "The penalty family shrinks as c grows", steps)


def logistic_penalty() -> Derivation:
    """SZ-3: closed form of the penalty minimizer for a binary logistic model (no box)."""
    c, n, t = sp.symbols("c n t", positive=True)
    m0 = sp.Symbol("m0", real=True)
    h = c * t + sp.log(1 + sp.exp(-(m0 + t * n)))
    tstar = (sp.log(n / c - 1) - m0) / n
    u = sp.Symbol("u", positive=True)  # u = n/c - 2 > 0 <=> c < n/2
    steps = [
        Step(sp.diff(h, t).subs(t, tstar), 0, "=",
             "h'(t*) = 0 at t* = (log(||w||/c - 1) - m0)/||w||"),
        Step(sp.diff(h, t, 2), 0, ">", "h'' > 0: h is strictly convex, t* is its minimizer"),
        Step(m0 + tstar * n, sp.log(n / c - 1), "=", "post-attack margin log(||w||/c - 1)"),
        Step(sp.log(n / c - 1).subs(n, c * (2 + u)), 0, ">",
             "with ||w||/c = 2 + u, u > 0 (c < ||w||/2), the margin log(1 + u) is > 0: success "
             "iff c < c* = ||w||/2"),
    ]
    d = Derivation("SZ-3", "Binary logistic penalty path in closed form", steps)
    d.expression = (sp.log(n / c - 1), (n, c))
    return d


def lagrange_threshold() -> Derivation:
    """SZ-22: the loss level eps(lambda) reached by ||r|| + lambda*loss is decreasing in lambda."""
    lam, n, u = sp.symbols("lambda n u", positive=True)
    eps = sp.log(lam * n / (lam * n - 1))
    margin = sp.log(lam * n - 1)
    eps_u = sp.log((u + 1) / u)  # u = lambda n - 1 > 0
    steps = [
        Step(sp.log(1 + sp.exp(-margin)), eps, "=",
             "loss at r_lambda with c = 1/lambda: log(1 + e^{-log(lambda||w|| - 1)})"),
        Step(eps.subs(lam, (u + 1) / n), eps_u, "=", "substitute lambda ||w|| = 1 + u, u > 0"),
        Step(sp.diff(eps_u, u), -1 / (u * (u + 1)), "=", "derivative in u"),
        Step(-1 / (u * (u + 1)), 0, "<", "so eps decreases as lambda = (1+u)/||w|| grows"),
    ]
    d = Derivation("SZ-22", "Constrained/Lagrange correspondence for the logistic loss", steps)
    d.expression = (eps, (lam, n))
    return d


def softmax_counterexample() -> Derivation:
    """SZ-4: the penalty path of the 3-class linear softmax model exits off the closest point."""
    p0, p2 = sp.symbols("p0 p2", positive=True)
    q = sp.Symbol("q", positive=True)
    t = sp.Symbol("t", real=True)
    p1 = 1 - p0 - p2
    w = [(0, 0), (1, 0), (sp.Rational(3, 5), 1)]
    grad = [p0 * w[0][k] + p1 * w[1][k] + p2 * w[2][k] - w[1][k] for k in range(2)]
    g = t + sp.exp(t - sp.Rational(2, 5)) / (1 + sp.Rational(2, 5) * sp.exp(t - sp.Rational(2, 5)))
    steps = [
        Step(-grad[0], p0 + sp.Rational(2, 5) * p2, "=",
             "-grad CE, first coordinate: w1 - sum_j p_j w_j with p1 = 1 - p0 - p2"),
        Step(-grad[1], -p2, "=", "-grad CE, second coordinate"),
        Step(-grad[1] / (-grad[0]), 0, "<",
             "stationarity c r/||r|| = -grad: the path has r2/r1 < 0 throughout"),
        Step((-p2 / (p0 + sp.Rational(2, 5) * p2)).subs(p2, q * p0), -q / (1 + sp.Rational(2, 5) * q),
             "=", "on the face r1 = 1, z0 = z1 = 1 so p0 = p1, and p2/p0 = e^{z2 - z0} = e^{t - 2/5} =: q"),
        Step(g.subs(t, 0), 0, ">", "the face equation g(t) = 0 has g(0) > 0 ..."),
        Step(sp.diff(g, t), 0, ">", "... and g increasing, so its root t* is negative"),
        Step(sp.Integer(1) + t**2, 1, ">=", "the exit point (1, t*) has norm sqrt(1 + t*^2) >= 1 = d, "
             "strictly since t* != 0"),
    ]
    d = Derivation("SZ-4", "Penalty path of a convex (linear softmax) model misses D(x, l)", steps)
    d.expression = (g, (t,))
    return d


def relu_nonexpansive() -> Derivation:
    """SZ-9: |max(0, a) - max(0, b)| <= |a - b| by cases (sympy resolves max(0, .) from the signs)."""
    a, b = sp.symbols("a b", nonnegative=True)
    an, bn = sp.symbols("a_n b_n", negative=True)

    def r(v):
        return sp.Max(0, v)

    steps = [
        Step(sp.Abs(r(a) - r(b)), sp.Abs(a - b), "=", "a, b >= 0: both units pass the input"),
        Step(sp.Abs(r(a) - r(bn)), a - bn, "<=", "a >= 0 > b: |a - 0| = a <= a - b"),
        Step(sp.Abs(r(an) - r(bn)), sp.Abs(an - bn), "<=",
             "a, b < 0: both outputs are 0 (b >= 0 > a is symmetric); so the half-rectified layer "
             "is ||W||-Lipschitz: non-expansive, not contractive"),
    ]
    return Derivation("SZ-9", "ReLU is 1-Lipschitz", steps)


def composition_bound() -> Derivation:
    """SZ-8: the product of layer constants bounds a composition."""
    L1, L2, D0 = sp.symbols("L1 L2 D0", positive=True)
    g1, g2 = sp.symbols("g1 g2", nonnegative=True)
    D1 = L1 * D0 - g1
    D2 = L2 * D1 - g2
    steps = [
        Step(D2, L1 * L2 * D0 - L2 * g1 - g2, "=",
             "||phi2(phi1 x) - phi2(phi1 y)|| = L2 D1 - g2 with D1 = L1 ||x - y|| - g1"),
        Step(D2, L1 * L2 * D0, "<=", "the slacks g1, g2 are >= 0"),
    ]
    return Derivation("SZ-8", "Lipschitz constants multiply under composition", steps)


def maxpool_constant() -> Derivation:
    """SZ-10: 1-D 3-window stride-2 pooling on 5 inputs: ||S delta||^2 <= 2 ||delta||^2, tight."""
    dl = sp.symbols("delta1:6", real=True)
    count = [1, 1, 2, 1, 1]
    steps = [
        Step(2 * sum(x**2 for x in dl) - sum(k * x**2 for k, x in zip(count, dl, strict=True)),
             0, ">=", "S^T S = diag(coverage) = diag(1,1,2,1,1): ||S delta||^2 <= 2 ||delta||^2"),
        Step(sum(k * x**2 for k, x in zip(count, dl, strict=True)).subs(
            {dl[0]: 0, dl[1]: 0, dl[2]: 1, dl[3]: 0, dl[4]: 0}), 2, "=",
             "equality for delta = e_3 (the doubly covered pixel): 1-D constant sqrt(2); "
             "in 2-D the counts multiply, giving ceil(3/2)^2 = 4, constant 2"),
        Step(sp.ceiling(sp.Rational(3, 2)) ** 2, 4, "=", "AlexNet 3x3 stride-2 pooling"),
    ]
    return Derivation("SZ-10", "Overlapping max-pooling is expansive", steps)


def contrast_norm_constant() -> Derivation:
    """SZ-11: contrast normalization is eps^{-gamma}-Lipschitz for every gamma >= 0."""
    eps, s, g = sp.symbols("epsilon s gamma", positive=True)
    t = sp.Symbol("t", positive=True)
    v = sp.Symbol("v", nonnegative=True)
    u = sp.Symbol("u", real=True)
    f = (1 - t) ** g * (2 * g * t - 1)
    tc = 3 / (2 * g + 2)
    steps = [
        Step((eps + s) ** (-g) * (1 - 2 * g * s / (eps + s)),
             eps ** (-g) * (1 - s / (eps + s)) ** g * (1 - 2 * g * s / (eps + s)), "=",
             "eigenvalue along x: (eps + s)^{-gamma} = eps^{-gamma} (1 - t)^gamma, t = s/(eps + s)"),
        Step(sp.diff(f, t).subs(t, tc), 0, "=",
             "for gamma > 1 the factor (1-t)^gamma (2 gamma t - 1) peaks at t = 3/(2 gamma + 2)"),
        Step((2 * g - 1) / (g + 1), 2, "<", "its second factor (2 gamma - 1)/(gamma + 1) < 2"),
        Step(3 * (1 + v) / (2 * (1 + v) + 2), sp.Rational(3, 4), ">=",
             "with gamma = 1 + v >= 1, 3 gamma/(2 gamma + 2) >= 3/4 ..."),
        Step(1 - u, sp.exp(-u), "<=",
             "... and (1 - u) <= e^{-u} (convexity: equality and slope match at u = 0), so "
             "(1 - 3/(2gamma+2))^gamma <= e^{-3 gamma/(2 gamma + 2)} <= e^{-3/4}",
             proof=lambda: bool(sp.diff(sp.exp(-u) - (1 - u), u).subs(u, 0) == 0
                                and sp.diff(sp.exp(-u) - (1 - u), u, 2).is_positive
                                and (sp.exp(-u) - (1 - u)).subs(u, 0) == 0)),
        Step(2 * sp.exp(-sp.Rational(3, 4)), 1, "<",
             "so the along-x factor is < 1 and ||J|| <= eps^{-gamma}, attained at x = 0"),
    ]
    return Derivation("SZ-11", "Contrast normalization constant eps^{-gamma}", steps)


def circulant_diagonalization() -> Derivation:
    """SZ-13: the 4-point DFT diagonalizes a circular correlation (1-D, n = 4)."""
    n = 4
    w = sp.symbols("w0:4", real=True)
    C = sp.Matrix(n, n, lambda i, j: w[(j - i) % n])  # y_i = sum_u w_u x_{i+u}
    omega = sp.exp(-2 * sp.pi * sp.I / n)
    F = sp.Matrix(n, n, lambda i, j: omega ** (i * j))
    what = [sum(w[u] * omega ** (-u * k) for u in range(n)) for k in range(n)]
    lhs = F * C * F.inv()

    def _diag_ok() -> bool:
        diff = (lhs - sp.diag(*what)).applyfunc(lambda e: sp.simplify(sp.expand(e)))
        return diff == sp.zeros(n, n)

    steps = [
        Step(sp.Integer(0), 0, "=", "F C F^{-1} = diag(w-hat(-k)): cross-correlation is diagonal "
             "in the Fourier basis (checked entrywise)", proof=_diag_ok),
    ]
    return Derivation("SZ-13", "Circular convolutions are diagonalized by the DFT", steps)


def strided_aliasing() -> Derivation:
    """SZ-13: aliasing identity and Parseval (1-D, N = 4, stride 2)."""
    N, D = 4, 2
    M = N // D
    z = sp.symbols("z0:4", real=True)

    def dft(seq, L, k):
        return sum(seq[u] * sp.exp(-2 * sp.pi * sp.I * u * k / L) for u in range(L))

    zhat = [dft(z, N, j) for j in range(N)]
    sub = [z[D * i] for i in range(M)]
    steps = [
        Step(dft(sub, M, k), sp.Rational(1, D) * sum(zhat[k + l * M] for l in range(D)), "=",
             f"aliasing: the M-point DFT of z(Delta n) at k = {k} averages z-hat(k + l M)")
        for k in range(M)
    ]
    steps.append(Step(sum(x**2 for x in z),
                      sp.Rational(1, N) * sum(sp.expand(h * sp.conjugate(h)) for h in zhat), "=",
                      "Parseval on the N-grid"))
    return Derivation("SZ-13", "Strided sampling aliases frequencies; Parseval", steps)


def printed_stride_formula() -> Derivation:
    """SZ-13: the printed Delta^{-2} normalization underestimates ||W|| by the factor Delta."""
    D = sp.Symbol("Delta", positive=True, integer=True)
    sigma_b = sp.Symbol("sigma_B", positive=True)
    steps = [
        Step(sp.Rational(1, 1) / D * sigma_b / (sp.Integer(1) / D**2 * sigma_b), D, "=",
             "exact Delta^{-1} max sigma(B) over printed Delta^{-2} max sigma(B)"),
        Step(sp.sqrt(D**2) / D, 1, "=",
             "pure subsampling (delta kernel): B(k) is a row of Delta^2 ones, sigma = Delta, so "
             "||W|| = 1 while the printed formula gives 1/Delta"),
    ]
    return Derivation("SZ-13", "The printed stride normalization is off by Delta", steps)


def certified_radius_bound() -> Derivation:
    """SZ-15: logit differences are sqrt(2) L-Lipschitz, and the constant is tight."""
    b1, b2 = sp.symbols("b1 b2", real=True)
    m, L, a = sp.symbols("m L a", positive=True)
    steps = [
        Step(2 * (b1**2 + b2**2) - (b1 - b2) ** 2, (b1 + b2) ** 2, "=",
             "Cauchy-Schwarz with e_i - e_j: 2||b||^2 - ((e_i - e_j).b)^2 (two coordinates shown)"),
        Step((b1 + b2) ** 2, 0, ">=", "so |Delta(z_i - z_j)| <= sqrt(2) ||Delta z|| <= sqrt(2) L ||r||"),
        Step(m - sp.sqrt(2) * L * (m / (sp.sqrt(2) * L)), 0, "=",
             "the margin cannot close before ||r|| = m/(sqrt(2) L)"),
        Step(sp.sqrt(2) * a, sp.sqrt(a**2 + a**2), "=",
             "tightness: z = (a.x, -a.x) has L = ||[a; -a]|| = sqrt(2)||a|| ..."),
        Step((2 * a * sp.Symbol("xi", positive=True)) / (sp.sqrt(2) * sp.sqrt(2) * a),
             sp.Symbol("xi", positive=True), "=",
             "... margin 2 a.x and boundary distance a.x/||a|| = m/(sqrt(2) L) (xi = a.x/||a||, "
             "||a|| = a)"),
    ]
    d = Derivation("SZ-15", "Certified radius m/(sqrt 2 L)", steps)
    d.expression = (m / (sp.sqrt(2) * L), (m, L))
    return d


def zero_network() -> Derivation:
    """SZ-16: layer bounds K, K but the network is identically zero."""
    K = sp.Symbol("K", positive=True)
    x1, x2 = sp.symbols("x1 x2", real=True)
    W1 = sp.Matrix([[K, 0], [0, 0]])
    W2 = sp.Matrix([[0, 0], [0, K]])
    h = (W1 * sp.Matrix([x1, x2])).applyfunc(lambda e: sp.Max(0, e))
    out = (W2 * h).applyfunc(lambda e: sp.Max(0, e))
    steps = [
        Step(out[0], 0, "=", "first output: W2 has a zero first row"),
        Step(out[1], 0, "=", "second output: h2 = max(0, 0) = 0"),
        Step(sp.Max(*(W1.T * W1).eigenvals()) * sp.Max(*(W2.T * W2).eigenvals()), K**4, "=",
             "||W1||^2 ||W2||^2 = K^4: the product bound is K^2, the true constant 0"),
    ]
    return Derivation("SZ-16", "Large layer bounds, constant network", steps)


def l1_reading() -> Derivation:
    """SZ-5: Hoelder bound for the L1 reading of |r|."""
    w1, w2, r1, r2 = sp.symbols("w1 w2 r1 r2", positive=True)
    p = sp.Symbol("p", nonnegative=True)
    gap = sp.Max(w1, w2) * (r1 + r2) - w1 * r1 - w2 * r2

    def _hoelder() -> bool:
        # the two orderings w1 = w2 + p and w2 = w1 + p (p >= 0) cover every case; in each the
        # gap must simplify to an expression sympy proves nonnegative
        return all(bool(sp.simplify(gap.subs(a, b + p)).is_nonnegative)
                   for a, b in ((w1, w2), (w2, w1)))

    steps = [
        Step(w1 * r1 + w2 * r2, sp.Max(w1, w2) * (r1 + r2), "<=",
             "Hoelder: |w.r| <= ||w||_inf ||r||_1 (two coordinates, r >= 0 w.l.o.g.), so "
             "min ||r||_1 s.t. w.r = delta is |delta|/||w||_inf, all mass on argmax |w_i| "
             "(proved for w1 >= w2 and w2 >= w1 separately)",
             proof=_hoelder),
    ]
    return Derivation("SZ-5", "L1 reading of the penalty norm", steps)
