r"""Derivations for the boundary-tilting claims (Tanay & Griffin, arXiv:1608.07690, arXiv:1806.11186).

Each function returns a list of :class:`advgeom.proofs.core.Derivation` objects for one claim of
``theory/claims/tilting.toml``: every derivation states its premises (sympy relations) and one
conclusion, and its steps chain from the conclusion's left side to its right side. Independent
facts about the same claim are separate derivations. ``expression`` (when set, on the first
derivation) is a closed form that a test evaluates against a numeric reference.

Vectors are written in 2 or 3 components with general real entries; where a statement is about any
dimension, the justification says why the coordinates lose no generality (the identities involve
only inner products, or an orthonormal change of basis puts z_hat on the first axis).
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

__all__ = [
    "signed_distance_identities",
    "gram_schmidt_plane",
    "adversarial_distance_general",
    "hinge_threshold_bound",
    "logistic_large_lambda",
    "loss_scaling",
    "minimal_perturbation",
    "toy2d_closed_forms",
    "random_pixel_mirror",
    "resolution_invariance",
    "flat_direction_invariance",
    "norm_monotone",
    "strength_is_secant",
    "nc_maximizes_margin",
    "softmax_temperature",
    "block_embedding_isometry",
    "logistic_unbalanced_limit",
    "hard_margin_plateau",
    "centroid_difference_perturbation",
]


def _dot(a: sp.Matrix, c: sp.Matrix) -> sp.Expr:
    return (a.T * c)[0, 0]


def _chain(claim, title, premises, steps, relation, expression=None) -> Derivation:
    """A derivation whose conclusion is ``steps[0].lhs relation steps[-1].rhs``."""
    return Derivation(claim, title, steps, expression=expression, premises=premises,
                      conclusion=Conclusion(steps[0].lhs, relation, steps[-1].rhs))


# --------------------------------------------------------------------------------------------
# TILT-D1, TILT-D2: distances, projections, mirrors


def signed_distance_identities() -> list[Derivation]:
    r"""TILT-D1, TILT-D2: with :math:`N=\|w\|` and :math:`d=(w\cdot x+b)/N`:
    :math:`\|x-x_p\|^2=d^2`, :math:`s(x_p)=0`, :math:`d(x_m)=-d` and :math:`\|x-x_m\|^2=4d^2`, for
    :math:`x_p=x-d\,w/N`, :math:`x_m=x-2d\,w/N` (3 components; only inner products enter)."""
    x = sp.Matrix(sp.symbols("x1:4", real=True))
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    b = sp.Symbol("b", real=True)
    N = sp.Symbol("N", positive=True)
    d = sp.Symbol("d", real=True)
    norm = Premise("norm", sp.Eq(N, sp.sqrt(_dot(w, w))), "N = ||w|| (w non-zero)")
    xp = x - d * w / N
    xm = x - 2 * d * w / N
    ww = _dot(w, w)
    def_d2 = Premise("def_d", sp.Eq(d, (_dot(w, x) + b) / sp.sqrt(ww)),
                     "d is the scaled score (w.x + b)/||w||")
    xp2 = x - d * w / sp.sqrt(ww)
    xm2 = x - 2 * d * w / sp.sqrt(ww)
    out = [
        _chain("TILT-D1", "The projection x_p lies at distance |d| from x", [norm], [
            Step(_dot(x - xp, x - xp), d**2 * ww / N**2, "=", "x - x_p = d w/N"),
            Step(d**2 * ww / N**2, d**2, "=", "w.w = N^2", uses=("norm",)),
        ], "=", expression=(_dot(w, x) + b) / sp.sqrt(ww)),
        _chain("TILT-D1", "The projection x_p lies on the boundary", [def_d2], [
            Step(_dot(w, xp2) + b, _dot(w, x) + b - d * sp.sqrt(ww), "=",
                 "expand w.(x - d w/||w||) + b"),
            Step(_dot(w, x) + b - d * sp.sqrt(ww), 0, "=",
                 "d = (w.x + b)/||w||: the score of x_p vanishes", uses=("def_d",)),
        ], "="),
        _chain("TILT-D2", "The mirror image flips the signed distance", [def_d2], [
            Step((_dot(w, xm2) + b) / sp.sqrt(ww), (_dot(w, x) + b) / sp.sqrt(ww) - 2 * d, "=",
                 "expand (w.(x - 2 d w/||w||) + b)/||w||"),
            Step((_dot(w, x) + b) / sp.sqrt(ww) - 2 * d, -d, "=",
                 "d = (w.x + b)/||w||", uses=("def_d",)),
        ], "="),
        _chain("TILT-D2", "The mirror image lies at distance 2|d|", [norm], [
            Step(_dot(x - xm, x - xm), 4 * d**2 * ww / N**2, "=", "x - x_m = 2 d w/N"),
            Step(4 * d**2 * ww / N**2, 4 * d**2, "=", "w.w = N^2", uses=("norm",)),
        ], "="),
    ]
    return out


def minimal_perturbation() -> list[Derivation]:
    r"""TILT-P3: every :math:`\delta` with :math:`w\cdot\delta=-s` has
    :math:`\|\delta\|^2\ge s^2/\|w\|^2`, with equality iff :math:`\delta\parallel w`, so the
    minimizer is :math:`-d(x)\hat w` for every x (2 components: the plane of w and delta)."""
    w1 = sp.Symbol("w1", positive=True)  # axes chosen so that w has a positive first component
    w2, d1, d2, s = sp.symbols("w2 delta1 delta2 s", real=True)
    W = w1**2 + w2**2
    feas = Premise("feasible", sp.Eq(d1, (-s - w2 * d2) / w1),
                   "delta reaches the boundary: w.delta = -s(x)")
    gap = (w1 * d2 - w2 * d1) ** 2 / W
    return [_chain("TILT-P3", "Lower bound on the L2 perturbation that reaches the boundary", [feas], [
        Step(d1**2 + d2**2, (w1 * d1 + w2 * d2) ** 2 / W + gap, "=",
             "Lagrange's identity ||w||^2 ||delta||^2 = (w.delta)^2 + (w1 delta2 - w2 delta1)^2"),
        Step((w1 * d1 + w2 * d2) ** 2 / W + gap, (w1 * d1 + w2 * d2) ** 2 / W, ">=",
             "drop the square (zero iff delta is parallel to w)"),
        Step((w1 * d1 + w2 * d2) ** 2 / W, s**2 / W, "=", "w.delta = -s on the boundary",
             uses=("feasible",)),
    ], ">=")]


# --------------------------------------------------------------------------------------------
# TILT-B1, TILT-B9, TILT-D12: the tilting plane


def gram_schmidt_plane() -> list[Derivation]:
    r"""TILT-B1, TILT-B9: for a unit :math:`\hat z` and :math:`n=w-(w\cdot\hat z)\hat z`:
    :math:`\hat z\cdot n=0` (so the first plane coordinate is :math:`x\cdot\hat z` for every w),
    :math:`\|n\|^2=\|w\|^2-(w\cdot\hat z)^2`, the boundary line gives the exact signed distance, and
    in-plane distances between points are never longer than true ones."""
    z2, z3 = sp.symbols("z2 z3", real=True)
    z1 = sp.Symbol("z1", real=True)
    z = sp.Matrix([z1, z2, z3])
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    unit = Premise("unit", sp.Eq(z1, sp.sqrt(1 - z2**2 - z3**2)), "z_hat is a unit vector")
    wz = _dot(w, z)
    n = w - wz * z
    out = [
        _chain("TILT-B9", "n is orthogonal to z_hat for every w", [unit], [
            Step(_dot(z, n), wz * (1 - _dot(z, z)), "=", "expand z.(w - (w.z) z)"),
            Step(wz * (1 - _dot(z, z)), 0, "=", "z.z = 1", uses=("unit",)),
        ], "="),
        _chain("TILT-B1", "Pythagoras in the tilting plane", [unit], [
            Step(_dot(n, n), _dot(w, w) - wz**2 * (2 - _dot(z, z)), "=", "expand ||w - (w.z) z||^2"),
            Step(_dot(w, w) - wz**2 * (2 - _dot(z, z)), _dot(w, w) - wz**2, "=",
                 "z.z = 1, so tan(theta) = ||n||/(w.z_hat)", uses=("unit",)),
        ], "="),
    ]
    # Coordinates with z_hat = e_1 (an orthonormal change of basis): n = (0, w2, w3).
    v1, v2, v3, x1, x2, x3, b = sp.symbols("w1 w2 w3 x1 x2 x3 b", real=True)
    Nn = sp.Symbol("N_n", positive=True)
    dl1, dl2, dl3 = sp.symbols("delta1 delta2 delta3", real=True)
    nn = Premise("n_norm", sp.Eq(Nn, sp.sqrt(v2**2 + v3**2)), "||n|| > 0 (w not parallel to z_hat)")
    out.append(_chain("TILT-B1", "The boundary line in plane coordinates gives the score", [], [
        Step(v1 * x1 + Nn * ((v2 * x2 + v3 * x3) / Nn) + b, v1 * x1 + v2 * x2 + v3 * x3 + b, "=",
             "(w.z_hat) u + ||n|| v + b with u = x.z_hat, v = x.n/||n||"),
    ], "="))
    out.append(_chain("TILT-D12", "Projection onto the plane contracts distances between points", [nn], [
        Step(dl1**2 + ((v2 * dl2 + v3 * dl3) / Nn) ** 2 - (dl1**2 + dl2**2 + dl3**2),
             -((v2 * dl3 - v3 * dl2) ** 2) / Nn**2, "=",
             "in-plane minus true squared length of delta = x - x' (Lagrange's identity)",
             uses=("n_norm",)),
        Step(-((v2 * dl3 - v3 * dl2) ** 2) / Nn**2, 0, "<=",
             "a negated square over a positive number; zero only for delta in the plane"),
    ], "<="))
    return out


# --------------------------------------------------------------------------------------------
# TILT-D8, TILT-P4, TILT-D9, TILT-D10: adversarial distance and strength


def adversarial_distance_general() -> list[Derivation]:
    r"""TILT-D8: :math:`d_{adv}=\pi_J(\hat w\cdot j+b')-\pi_I(\hat w\cdot i+b')
    =\tfrac12\hat w\cdot(j-i)+(\pi_J-\pi_I)d(\tfrac{i+j}2)`, which is :math:`\tfrac12g\cos\theta` for
    balanced classes; unbalanced, :math:`\partial d_{adv}/\partial b'=\pi_J-\pi_I`."""
    pI, pJ = sp.symbols("pi_I pi_J", positive=True)
    P, Q, bp, g, th = sp.symbols("P Q b' g theta", real=True)  # P = w_hat.i, Q = w_hat.j
    dadv = pJ * (Q + bp) - pI * (P + bp)
    mid = (P + Q) / 2 + bp
    general = sp.Rational(1, 2) * (Q - P) + (pJ - pI) * mid
    total = Premise("total", sp.Eq(pJ, 1 - pI), "class proportions add up to 1")
    bal_I = Premise("balanced_I", sp.Eq(pI, sp.Rational(1, 2)), "n_I = n/2")
    bal_J = Premise("balanced_J", sp.Eq(pJ, sp.Rational(1, 2)), "n_J = n/2")
    angle = Premise("angle", sp.Eq(Q, P + g * sp.cos(th)),
                    "w_hat.(j - i) = g w_hat.z_hat = g cos(theta)")
    return [
        _chain("TILT-D8", "Adversarial distance, general form", [total], [
            Step(dadv, general, "=", "mean of y d(x) split by class, regrouped around the centroid "
                 "midpoint (P = w_hat.i, Q = w_hat.j, b' = b/||w||)", uses=("total",)),
        ], "=", expression=general),
        _chain("TILT-D8", "Adversarial distance for balanced classes", [total, bal_I, bal_J, angle], [
            Step(dadv, general, "=", "the general form", uses=("total",)),
            Step(general, (Q - P) / 2, "=", "balanced: the midpoint term (it carries b') vanishes",
                 uses=("balanced_I", "balanced_J")),
            Step((Q - P) / 2, g * sp.cos(th) / 2, "=", "definition of the tilting angle",
                 uses=("angle",)),
        ], "="),
        _chain("TILT-D8", "Unbalanced classes: d_adv depends on the bias", [], [
            Step(sp.Derivative(dadv, bp), pJ - pI, "=", "differentiate in b' = b/||w||"),
        ], "="),
    ]


def strength_is_secant() -> list[Derivation]:
    r"""TILT-P4 (reading A), TILT-D10: with balanced classes :math:`d_{adv}(NC)=g/2` and
    :math:`d_{adv}=\tfrac12g\cos\theta` (TILT-D8), :math:`S=1/\cos\theta`, and :math:`d_{adv}\to0` as
    :math:`\theta\to\pi/2`."""
    g = sp.Symbol("g", positive=True)
    th = sp.Symbol("theta", real=True)
    dnc, dadv = sp.symbols("d_NC d_adv", positive=True)
    nc = Premise("nc", sp.Eq(dnc, g / 2), "TILT-D8 at theta = 0: nearest centroid has d_adv = g/2")
    tilt = Premise("d8", sp.Eq(dadv, g * sp.cos(th) / 2), "TILT-D8 for balanced classes")
    return [
        _chain("TILT-P4", "Strength is the secant of the tilting angle", [nc, tilt], [
            Step(dnc / dadv, 1 / sp.cos(th), "=", "divide the two adversarial distances",
                 uses=("nc", "d8")),
        ], "=", expression=1 / sp.cos(th)),
        _chain("TILT-D10", "The adversarial distance vanishes as theta -> pi/2", [tilt], [
            Step(sp.Limit(dadv, th, sp.pi / 2, "-"), 0, "=", "cos(theta) -> 0", uses=("d8",)),
        ], "="),
    ]


def nc_maximizes_margin() -> list[Derivation]:
    r"""TILT-D9: :math:`(\hat w\cdot c)^2\le\|c\|^2` for a unit :math:`\hat w` (Lagrange's identity),
    so :math:`\hat w\cdot(j-i)\le g` with equality iff :math:`\hat w=\hat z`; balanced
    :math:`d_{adv}` does not depend on the bias."""
    a2, a3, a1 = sp.symbols("a2 a3 a1", real=True)
    a = sp.Matrix([a1, a2, a3])
    c = sp.Matrix(sp.symbols("c1:4", real=True))
    unit = Premise("unit", sp.Eq(a1, sp.sqrt(1 - a2**2 - a3**2)), "w_hat is a unit vector")
    cross = a.cross(c)
    cc = _dot(c, c)
    pI, pJ = sp.symbols("pi_I pi_J", positive=True)
    P, Q, bp = sp.symbols("P Q b'", real=True)
    return [
        _chain("TILT-D9", "Cauchy-Schwarz for the centroid difference", [unit], [
            Step(_dot(a, c) ** 2, _dot(a, a) * cc - _dot(cross, cross), "=", "Lagrange's identity"),
            Step(_dot(a, a) * cc - _dot(cross, cross), _dot(a, a) * cc, "<=",
                 "||a x c||^2 >= 0, zero iff a is parallel to c"),
            Step(_dot(a, a) * cc, cc, "=", "||w_hat|| = 1", uses=("unit",)),
        ], "<="),
        _chain("TILT-D9", "Balanced d_adv does not depend on the bias",
               [Premise("balanced_I", sp.Eq(pI, sp.Rational(1, 2)), "n_I = n/2"),
                Premise("balanced_J", sp.Eq(pJ, sp.Rational(1, 2)), "n_J = n/2")], [
            Step(sp.Derivative(pJ * (Q + bp) - pI * (P + bp), bp), 0, "=",
                 "d/db' of d_adv = pi_J - pi_I = 0", uses=("balanced_I", "balanced_J")),
        ], "="),
    ]


# --------------------------------------------------------------------------------------------
# TILT-X1, TILT-X2, TILT-X5, TILT-B3: the hinge path


def norm_monotone() -> list[Derivation]:
    r"""TILT-X1: from :math:`F_1+\lambda_1q_1\le F_2+\lambda_1q_2` (w_1 optimal at lambda_1) and
    :math:`F_2+\lambda_2q_2\le F_1+\lambda_2q_1` (w_2 optimal at lambda_2), with q = ||w||^2 and F the
    mean loss: :math:`(\lambda_1-\lambda_2)(q_1-q_2)\le0`."""
    l1, l2, F1, F2, q1, q2 = sp.symbols("lambda_1 lambda_2 F_1 F_2 q_1 q_2", real=True)
    opt1 = Premise("opt1", F1 <= F2 + l1 * q2 - l1 * q1, "w_1 minimizes the objective at lambda_1")
    opt2 = Premise("opt2", F2 <= F1 + l2 * q1 - l2 * q2, "w_2 minimizes the objective at lambda_2")
    gap1 = F1 + l1 * q1 - F2 - l1 * q2
    gap2 = F2 + l2 * q2 - F1 - l2 * q1
    return [_chain("TILT-X1", "||w*(lambda)|| is non-increasing", [opt1, opt2], [
        Step((l1 - l2) * (q1 - q2), gap1 + gap2, "=", "sum of the two optimality gaps"),
        Step(gap1 + gap2, gap2, "<=", "the gap at lambda_1 is <= 0", uses=("opt1",)),
        Step(gap2, 0, "<=", "the gap at lambda_2 is <= 0", uses=("opt2",)),
    ], "<=")]


def hinge_threshold_bound() -> list[Derivation]:
    r"""TILT-X2: the lower bound :math:`B(w)=1-w\cdot m+\lambda\|w\|^2` of the balanced hinge objective
    has the unique minimizer :math:`m/(2\lambda)=(j-i)/(4\lambda)`; it is attained iff the bias
    interval :math:`[-1-\min_Ip/(4\lambda), 1-\max_Jp/(4\lambda)]` is non-empty, i.e. iff
    :math:`\lambda\ge\lambda^*=\Delta/8` with :math:`\Delta=\max_Jp-\min_Ip`; below
    :math:`\lambda^*` the points outside their margins have strictly separated projections, which
    contradicts stationarity at :math:`(j-i)/(4\lambda)`."""
    lam = sp.Symbol("lambda", positive=True)
    m = sp.Matrix(sp.symbols("m1:4", real=True))
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    bound = 1 - _dot(w, m) + lam * _dot(w, w)
    wstar = m / (2 * lam)
    b_star = bound.subs(dict(zip(w, wstar, strict=True)))
    pmin, pmax = sp.symbols("p_min p_max", real=True)
    Delta = sp.Symbol("Delta", positive=True)
    width = (1 - pmax / (4 * lam)) - (-1 - pmin / (4 * lam))
    spread = Premise("spread", sp.Eq(pmax, pmin + Delta), "Delta = max_J p - min_I p > 0")
    above = Premise("above", Delta <= 8 * lam, "lambda >= lambda* = Delta/8")
    below = Premise("below", Delta > 8 * lam, "lambda < lambda* = Delta/8")
    pJ, pI, b = sp.symbols("p_J p_I b", real=True)
    exitJ = Premise("exited_J", pJ >= 4 * lam * (1 - b),
                    "a J point outside its margin: p/(4 lam) + b >= 1")
    exitI = Premise("exited_I", pI <= -4 * lam * (1 + b),
                    "an I point outside its margin: -(p/(4 lam) + b) >= 1")
    return [
        _chain("TILT-X2", "The bound's minimizer is (j - i)/(4 lambda), uniquely", [], [
            Step(bound - b_star, lam * _dot(w - wstar, w - wstar), "=", "complete the square"),
            Step(lam * _dot(w - wstar, w - wstar), 0, ">=", "lambda > 0 times a squared norm"),
        ], ">=", expression=Delta / 8),
        _chain("TILT-X2", "Above lambda*, some bias puts every point inside its margin",
               [spread, above], [
            Step(width, 2 - Delta / (4 * lam), "=", "width of the bias interval", uses=("spread",)),
            Step(2 - Delta / (4 * lam), 0, ">=", "Delta <= 8 lambda", uses=("above",)),
        ], ">="),
        _chain("TILT-X2", "Below lambda*, no bias does", [spread, below], [
            Step(width, 2 - Delta / (4 * lam), "=", "width of the bias interval", uses=("spread",)),
            Step(2 - Delta / (4 * lam), 0, "<", "Delta > 8 lambda", uses=("below",)),
        ], "<"),
        _chain("TILT-X2", "Below lambda*, exited J and I points are strictly separated along j - i",
               [exitJ, exitI], [
            Step(pJ - pI, 4 * lam * (1 - b) - pI, ">=", "exited J point", uses=("exited_J",)),
            Step(4 * lam * (1 - b) - pI, 8 * lam, ">=", "exited I point", uses=("exited_I",)),
            Step(8 * lam, 0, ">", "lambda > 0: so their weighted means cannot coincide, as "
                 "stationarity at w = (j - i)/(4 lambda) with balanced labels would require"),
        ], ">"),
    ]


def hard_margin_plateau() -> list[Derivation]:
    r"""TILT-X5: the hinge objective :math:`\frac1n\sum\xi+\lambda\|w\|^2` is
    :math:`2\lambda` times the C-form :math:`\tfrac12\|w\|^2+C\sum\xi` with :math:`C=1/(2n\lambda)`;
    the hard-margin multipliers :math:`\alpha_{hm}` (with :math:`\xi=0`) satisfy every KKT condition
    of the C-form except possibly :math:`\alpha\le C`, which holds when
    :math:`\lambda\le1/(2n\max\alpha_{hm})`."""
    n = sp.Symbol("n", positive=True, integer=True)
    lam, C, W, Xi = sp.symbols("lambda C W Xi", positive=True)
    amax = sp.Symbol("alpha_max", positive=True)
    at = sp.Symbol("alpha_t", nonnegative=True)
    xi, slack = sp.symbols("xi_t margin_slack", real=True)
    defC = Premise("def_C", sp.Eq(C, 1 / (2 * n * lam)), "C = 1/(2 n lambda)")
    plateau = Premise("plateau", amax <= 1 / (2 * n * lam), "lambda <= 1/(2 n max alpha_hm)")
    is_max = Premise("max", at <= amax, "alpha_t <= max alpha_hm")
    hard = Premise("hard", sp.Eq(xi, 0), "the hard-margin solution has no slack")
    return [
        _chain("TILT-X5", "The lambda-form is 2 lambda times the C-form", [defC], [
            Step(2 * lam * (W / 2 + C * Xi), Xi / n + lam * W, "=",
                 "W = ||w||^2, Xi = sum of slacks: same minimizers", uses=("def_C",)),
        ], "="),
        _chain("TILT-X5", "Dual feasibility alpha_t <= C on the plateau", [plateau, is_max], [
            Step(1 / (2 * n * lam) - at, amax - at, ">=", "C = 1/(2 n lambda) >= max alpha",
                 uses=("plateau",)),
            Step(amax - at, 0, ">=", "alpha_t <= max alpha", uses=("max",)),
        ], ">="),
        _chain("TILT-X5", "Complementary slackness of the slacks holds for every C", [hard], [
            Step((C - at) * xi + at * slack * xi, 0, "=",
                 "xi = 0: the conditions (C - alpha) xi = 0 hold and alpha (y s - 1 + xi) = 0 "
                 "reduces to the hard-margin condition, independent of C; so alpha_hm, w and theta "
                 "are optimal for every lambda <= 1/(2 n max alpha_hm): theta(0+) = theta_hm",
                 uses=("hard",)),
        ], "="),
    ]


def centroid_difference_perturbation() -> list[Derivation]:
    r"""TILT-B3: if :math:`w=k\hat z` with k > 0 (TILT-X2 above :math:`\lambda^*`), then
    :math:`\hat w=\hat z` and :math:`x_m-x=-2d(x)\hat z` (plane of z_hat, 2 components)."""
    phi = sp.Symbol("phi", real=True)
    k = sp.Symbol("k", positive=True)
    w1, w2 = sp.symbols("w1 w2", real=True)
    p1 = Premise("parallel_1", sp.Eq(w1, k * sp.cos(phi)), "w = k z_hat, first component")
    p2 = Premise("parallel_2", sp.Eq(w2, k * sp.sin(phi)), "w = k z_hat, second component")
    nw = sp.sqrt(w1**2 + w2**2)
    return [
        _chain("TILT-B3", "w parallel to z_hat: the mirror moves along z_hat (first component)",
               [p1, p2], [
            Step(w1 / nw, sp.cos(phi), "=", "w_hat = z_hat = (cos phi, sin phi)",
                 uses=("parallel_1", "parallel_2")),
        ], "="),
        _chain("TILT-B3", "w parallel to z_hat: the mirror moves along z_hat (second component)",
               [p1, p2], [
            Step(w2 / nw, sp.sin(phi), "=", "so x_m - x = -2 d(x) w_hat = -2 d(x) z_hat",
                 uses=("parallel_1", "parallel_2")),
        ], "="),
    ]


def logistic_large_lambda() -> list[Derivation]:
    r"""TILT-X3: the softplus series :math:`\ln2-z/2+z^2/8-z^4/192` has no cubic term; the quadratic
    model :math:`\ln2-w\cdot m/2+w^TSw/8+\lambda\|w\|^2` (b = -w.mu) is stationary at
    :math:`w=\frac1{4\lambda}(I+S/(8\lambda))^{-1}m`, so :math:`\lambda\theta\to|s_{12}|/8` and
    :math:`8\lambda\|w\|/g\to1` (z_hat = e_1)."""
    zeta = sp.Symbol("zeta", real=True)
    lam = sp.Symbol("lambda", positive=True)
    g = sp.Symbol("g", positive=True)
    s11, s22 = sp.symbols("s11 s22", positive=True)
    s12 = sp.Symbol("s12", real=True)
    S = sp.Matrix([[s11, s12], [s12, s22]])
    m = sp.Matrix([g / 2, 0])
    wsol = sp.simplify((sp.eye(2) + S / (8 * lam)).inv() * m / (4 * lam))
    w1, w2 = sp.symbols("w1 w2", real=True)
    w = sp.Matrix([w1, w2])
    grad = -m / 2 + S * w / 4 + 2 * lam * w
    c1 = Premise("w1", sp.Eq(w1, wsol[0]), "candidate, first component")
    c2 = Premise("w2", sp.Eq(w2, wsol[1]), "candidate, second component")
    return [
        _chain("TILT-X3", "Softplus series: no cubic term", [], [
            Step(sp.series(sp.log(1 + sp.exp(-zeta)), zeta, 0, 5).removeO(),
                 sp.log(2) - zeta / 2 + zeta**2 / 8 - zeta**4 / 192, "=", "Taylor series at 0"),
        ], "=", expression=sp.Abs(s12) / 8),
        _chain("TILT-X3", "Stationary point of the quadratic model", [c1, c2], [
            Step(grad[0] ** 2 + grad[1] ** 2, 0, "=",
                 "gradient -m/2 + S w/4 + 2 lambda w vanishes at the candidate", uses=("w1", "w2")),
        ], "="),
        _chain("TILT-X3", "lambda theta tends to |(P_perp S z_hat)|/8", [c1, c2], [
            Step(sp.Limit(lam * w2 / w1, lam, sp.oo), -s12 / 8, "=",
                 "tan theta = |w2|/w1 ~ theta", uses=("w1", "w2")),
        ], "="),
        _chain("TILT-X3", "8 lambda ||w||/g tends to 1", [c1], [
            Step(sp.Limit(8 * lam * w1 / g, lam, sp.oo), 1, "=",
                 "the first component dominates (w2 = O(lambda^-2))", uses=("w1",)),
        ], "="),
    ]


def logistic_unbalanced_limit() -> list[Derivation]:
    r"""TILT-X6: at w = 0 the optimal bias has :math:`\sigma(b_0)=\pi_J`, and there the loss gradient
    in w is :math:`-\pi_I\pi_J(j-i)`: logistic regression tends to nearest centroid at any balance."""
    pJ, pI = sp.symbols("pi_J pi_I", positive=True)
    sg = sp.Symbol("sigma_0", positive=True)
    i_, j_ = sp.symbols("i j", real=True)
    total = Premise("total", sp.Eq(pI, 1 - pJ), "proportions add up to 1")
    bias = Premise("bias", sp.Eq(sg, pJ), "sigma(b_0) = pi_J")
    return [
        _chain("TILT-X6", "The bias gradient vanishes where sigma(b_0) = pi_J", [total, bias], [
            Step(-pJ * (1 - sg) + pI * sg, 0, "=", "d/db of the mean logistic loss at w = 0",
                 uses=("total", "bias")),
        ], "="),
        _chain("TILT-X6", "The weight gradient at w = 0 is parallel to j - i", [total, bias], [
            Step(-(pJ * (1 - sg) * j_ - pI * sg * i_), -pI * pJ * (j_ - i_), "=",
                 "per coordinate; so w ~ pi_I pi_J (j - i)/(2 lambda) and theta -> 0",
                 uses=("total", "bias")),
        ], "="),
    ]


# --------------------------------------------------------------------------------------------
# TILT-D4, TILT-D5: the losses under scaling


def loss_scaling() -> list[Derivation]:
    r"""TILT-D4, TILT-D5: the scaled softplus :math:`\ln(1+e^{-ku})/k` tends to 0 (u > 0) or to the
    error distance (misclassified) as k grows, and is :math:`\ln2-ku/2+k^2u^2/8+O(k^4)` for small k;
    the scaled hinge is exactly :math:`1/k-u` when :math:`ku\le1`."""
    k, u = sp.symbols("k u", positive=True)
    uu = sp.Symbol("u", real=True)
    inside = Premise("inside", uu <= 1 / k, "k u <= 1: the point is inside its margin")
    return [
        _chain("TILT-D4", "Correctly classified: the scaled softplus vanishes", [], [
            Step(sp.Limit(sp.log(1 + sp.exp(-k * u)) / k, k, sp.oo), 0, "=", "k -> oo, u > 0"),
        ], "="),
        _chain("TILT-D4", "Misclassified: the scaled softplus tends to the distance", [], [
            Step(sp.Limit(sp.log(1 + sp.exp(k * u)) / k, k, sp.oo), u, "=", "k -> oo at distance u"),
        ], "="),
        _chain("TILT-D4", "Small norm: the softplus series", [], [
            Step(sp.series(sp.log(1 + sp.exp(-k * uu)), k, 0, 4).removeO(),
                 sp.log(2) - k * uu / 2 + k**2 * uu**2 / 8, "=",
                 "first order -k u/2: the mean loss is ln 2 - k d_adv/2"),
        ], "="),
        _chain("TILT-D5", "Small norm: the scaled hinge is linear in the margin", [inside], [
            Step(sp.Max(0, 1 / k - uu), 1 / k - uu, "=",
                 "so the mean hinge risk is 1/k - d_adv: minimizing it maximizes d_adv",
                 uses=("inside",)),
        ], "="),
    ]


# --------------------------------------------------------------------------------------------
# TILT-D3, TILT-D3B, TILT-B2, TILT-P2: toys


def toy2d_closed_forms() -> list[Derivation]:
    r"""TILT-D3, TILT-P2: for :math:`x=(a,0)` and :math:`w=(\cos\varphi,\sin\varphi)`, b = 0:
    :math:`x_m=(-a\cos2\varphi,-a\sin2\varphi)` and :math:`\|x-x_m\|^2=4a^2\cos^2\varphi`."""
    a = sp.Symbol("a", real=True)
    phi = sp.Symbol("phi", real=True)
    c, s = sp.symbols("c s", real=True)
    wc = Premise("w_1", sp.Eq(c, sp.cos(phi)), "w = (cos phi, sin phi)")
    ws = Premise("w_2", sp.Eq(s, sp.sin(phi)), "w = (cos phi, sin phi)")
    x = sp.Matrix([a, 0])
    w = sp.Matrix([c, s])
    xm = x - 2 * _dot(w, x) * w
    return [
        _chain("TILT-D3", "Mirror of the toy point, first coordinate", [wc], [
            Step(xm[0], -a * sp.cos(2 * phi), "=", "x - 2 (w.x) w, double-angle formula",
                 uses=("w_1",)),
        ], "=", expression=2 * sp.Abs(a) * sp.cos(phi)),
        _chain("TILT-D3", "Mirror of the toy point, second coordinate", [wc, ws], [
            Step(xm[1], -a * sp.sin(2 * phi), "=", "double-angle formula", uses=("w_1", "w_2")),
        ], "="),
        _chain("TILT-D3", "Distance to the mirror", [wc, ws], [
            Step(_dot(x - xm, x - xm), 4 * a**2 * sp.cos(phi) ** 2, "=",
                 "||x - x_m|| = 2|a| cos phi -> 0 as phi -> pi/2; at phi = 0 the mirror of (a, 0) "
                 "is (-a, 0), a member of the other class", uses=("w_1", "w_2")),
        ], "="),
    ]


def random_pixel_mirror() -> list[Derivation]:
    r"""TILT-D3B: at :math:`\theta=0` (w = indicator of the left half, m pixels), pixel k of the mirror
    is :math:`a_k-2\bar a` and the spread of the pixels is kept; shown for m = 3."""
    a = sp.symbols("a1:4", real=True)
    e = sp.symbols("e1:7", real=True)
    x = sp.Matrix(list(a) + [0, 0, 0])
    ev = sp.Matrix(e)
    ind = [Premise(f"e{i + 1}", sp.Eq(e[i], 1 if i < 3 else 0), "left-half indicator")
           for i in range(6)]
    xm = x - 2 * _dot(ev, x) / _dot(ev, ev) * ev
    abar = sum(a) / 3
    names = tuple(p.name for p in ind)
    return [
        _chain("TILT-D3B", "Mirror through the left-half indicator, one pixel", ind, [
            Step(xm[0], a[0] - 2 * abar, "=", "a_k -> a_k - 2 mean(a)", uses=names),
        ], "="),
        _chain("TILT-D3B", "The mirror keeps the spread of the pixels", ind[:2], [
            Step(xm[0] - xm[1], a[0] - a[1], "=",
                 "with i.i.d. pixels in [-1, -0.1] the mirrored range [min a - 2 mean a, max a - "
                 "2 mean a] leaves [0.1, 1] unless the pixels are nearly equal",
                 uses=names[:2]),
        ], "="),
    ]


def block_embedding_isometry() -> list[Derivation]:
    r"""TILT-B2 (R2): :math:`x=a1_A/\sqrt{|A|}+c1_B/\sqrt{|B|}` preserves inner products of (a, c);
    raw block levels do so only when :math:`|A|=|B|`."""
    a, c, a2, c2 = sp.symbols("a c a' c'", real=True)
    A, B = sp.symbols("A B", positive=True, integer=True)
    same = Premise("equal_blocks", sp.Eq(B, A), "|A| = |B|")
    return [
        _chain("TILT-B2", "Normalized constant blocks preserve inner products", [], [
            Step(A * (a / sp.sqrt(A)) * (a2 / sp.sqrt(A)) + B * (c / sp.sqrt(B)) * (c2 / sp.sqrt(B)),
                 a * a2 + c * c2, "=",
                 "so theta, d and ||x - x_m|| are the same functions of (a, phi) in every dimension"),
        ], "="),
        _chain("TILT-B2", "Raw block levels: isometric up to the factor |A| only if |A| = |B|",
               [same], [
            Step(A * a * a2 + B * c * c2, A * (a * a2 + c * c2), "=", "equal block sizes",
                 uses=("equal_blocks",)),
        ], "="),
    ]


def resolution_invariance() -> list[Derivation]:
    r"""TILT-P1: upsampling pixel i of a 2x2 image into a k x k block with weights
    :math:`w_i/k^p` (premise T) leaves :math:`\varepsilon^*=|s|/\|w\|_1` unchanged and multiplies the
    L2 distance by k."""
    k = sp.Symbol("k", positive=True, integer=True)
    p = sp.Symbol("p", real=True)
    r, q = sp.symbols("r q", positive=True, integer=True)
    xs = sp.symbols("x1:5", real=True)
    ws = sp.symbols("w1:5", positive=True)  # the L1 norm only sees |w_i|; signs are absorbed in x_i
    b = sp.Symbol("b", real=True)

    def blocks(term):
        return sp.Sum(sp.Sum(term, (r, 1, k)), (q, 1, k))

    s = sum(wi * xi for wi, xi in zip(ws, xs, strict=True)) + b
    s_up = sum(blocks(wi * xi / k**p) for wi, xi in zip(ws, xs, strict=True)) + b * k ** (2 - p)
    l1_up = sum(blocks(wi / k**p) for wi in ws)
    l2sq_up = sum(blocks(wi**2 / k ** (2 * p)) for wi in ws)
    l1 = sum(ws)
    l2 = sp.sqrt(sum(wi**2 for wi in ws))
    return [
        _chain("TILT-P1", "Premise T: the L-infinity budget is unchanged", [], [
            Step(s_up / l1_up, s / l1, "=",
                 "k^2 copies of each pixel; the bias scaled by k^(2-p) like the score"),
        ], "="),
        _chain("TILT-P1", "Premise T: the L2 distance grows by k", [], [
            Step(s_up / sp.sqrt(l2sq_up), k * s / l2, "=", "||w'||_2 = k ||w||_2 / k^p"),
        ], "="),
    ]


def flat_direction_invariance() -> list[Derivation]:
    r"""TILT-P5: if :math:`\hat n\perp\hat z` and :math:`\hat n\cdot x=c` on the data, then
    :math:`w_\delta=\cos\delta\,\hat z+\sin\delta\,\hat n` with :math:`b_\delta=\cos\delta\,b_0-c\sin\delta`
    gives :math:`s_\delta=\cos\delta\,s_0` on the data, and :math:`S=1/\cos\delta`."""
    delta = sp.Symbol("delta", real=True)
    u, c, b0, v, bd = sp.symbols("u c b_0 v b_delta", real=True)
    g = sp.Symbol("g", positive=True)
    dadv = sp.Symbol("d_adv", positive=True)
    flat = Premise("flat", sp.Eq(v, c), "n_hat . x = c on the data")
    bias = Premise("bias", sp.Eq(bd, sp.cos(delta) * b0 - c * sp.sin(delta)), "the matching bias")
    d8 = Premise("d8", sp.Eq(dadv, g * sp.cos(delta) / 2), "TILT-D8, balanced, angle delta")
    return [
        _chain("TILT-P5", "Tilting along a flat direction rescales the score", [flat, bias], [
            Step(sp.cos(delta) * u + sp.sin(delta) * v + bd, sp.cos(delta) * (u + b0), "=",
                 "u = z_hat . x; predictions are unchanged for delta < pi/2", uses=("flat", "bias")),
        ], "="),
        _chain("TILT-P5", "Strength of the tilted classifier", [d8], [
            Step((g / 2) / dadv, 1 / sp.cos(delta), "=", "S = d_adv(NC)/d_adv -> oo as delta -> pi/2",
                 uses=("d8",)),
        ], "="),
    ]


def softmax_temperature() -> list[Derivation]:
    r"""TILT-D16: a last layer whose weights are scaled by c (the norm that weight decay controls)
    gives logits :math:`z_k=c\,s_k`; with :math:`T=1/c` the predicted class odds are
    :math:`\ln(p_1/p_2)=(s_1-s_2)/T`, so the logit gap needed for a confidence p is
    :math:`T\ln(p/(1-p))` and the probabilities are :math:`\mathrm{softmax}(s/T)`."""
    s1, s2, z1, z2 = sp.symbols("s1 s2 z1 z2", real=True)
    c, T = sp.symbols("c T", positive=True)
    p1, p2 = sp.symbols("p1 p2", positive=True)
    scaled1 = Premise("logit_1", sp.Eq(z1, c * s1), "weights scaled by c: z = c s")
    scaled2 = Premise("logit_2", sp.Eq(z2, c * s2), "weights scaled by c: z = c s")
    temp = Premise("temperature", sp.Eq(c, 1 / T), "T = 1/c")
    soft1 = Premise("softmax_1", sp.Eq(p1, sp.exp(z1) / (sp.exp(z1) + sp.exp(z2))), "softmax")
    soft2 = Premise("softmax_2", sp.Eq(p2, sp.exp(z2) / (sp.exp(z1) + sp.exp(z2))), "softmax")
    return [
        _chain("TILT-D16", "Scaled weights act as a softmax temperature",
               [soft1, soft2, scaled1, scaled2, temp], [
            Step(sp.log(p1 / p2), z1 - z2, "=", "log-odds of a softmax are logit differences",
                 uses=("softmax_1", "softmax_2")),
            Step(z1 - z2, c * (s1 - s2), "=", "the scaled last layer", uses=("logit_1", "logit_2")),
            Step(c * (s1 - s2), (s1 - s2) / T, "=", "temperature T = 1/c", uses=("temperature",)),
        ], "="),
    ]
