r"""Derivations for the boundary-tilting claims (Tanay & Griffin, arXiv:1608.07690, arXiv:1806.11186).

Each function returns a :class:`proofs.core.Derivation` for one claim of ``theory/claims/tilting.toml``;
``expression`` (when set) is the closed form a test lambdifies and compares with :mod:`theory.tilting`.
Vectors are written in 3 components with general real entries: the identities are coordinate-wise
polynomial or rational identities, so 3 components stand for any dimension only where the
justification says so (Gram-Schmidt and the mirror identities involve only inner products).
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Derivation, Step

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
]

_x = sp.Matrix(sp.symbols("x1:4", real=True))
_w = sp.Matrix(sp.symbols("w1:4", real=True))
_z = sp.Matrix(sp.symbols("z1:4", real=True))
_b = sp.Symbol("b", real=True)


def _dot(a: sp.Matrix, c: sp.Matrix) -> sp.Expr:
    return (a.T * c)[0, 0]


def _norm(a: sp.Matrix) -> sp.Expr:
    return sp.sqrt(_dot(a, a))


def _d(w: sp.Matrix, b: sp.Expr, x: sp.Matrix) -> sp.Expr:
    return (_dot(w, x) + b) / _norm(w)


def _plane_coordinates():
    """Unit weight direction (c, sqrt(1 - c^2)), norm k > 0, a point (x1, x2) and the scaled bias b'.

    The identities below involve x only through the plane spanned by w and x, so coordinates of
    that plane lose no generality (the sign of the second component is a choice of axis).
    """
    c = sp.Symbol("c", real=True)
    k = sp.Symbol("k", positive=True)
    x1, x2, bp = sp.symbols("x1 x2 b'", real=True)
    wh = sp.Matrix([c, sp.sqrt(1 - c**2)])
    return c, k, sp.Matrix([x1, x2]), bp, wh


def signed_distance_identities() -> Derivation:
    r"""TILT-D1, TILT-D2: :math:`s=\|w\|d`, :math:`d(x_p)=0`, :math:`d(x_m)=-d(x)`,
    :math:`\|x-x_m\|^2=4d^2`, with :math:`w=k\hat w`, :math:`b=kb'`."""
    _, k, x, bp, wh = _plane_coordinates()

    def d(p):
        return _dot(wh, p) + bp

    xp = x - d(x) * wh
    xm = x - 2 * d(x) * wh
    return Derivation("TILT-D2", "Projected and mirror images", [
        Step(_dot(k * wh, x) + k * bp, k * d(x), "=",
             "TILT-D1: the score w.x + b is the norm k = ||w|| times the signed distance d(x)"),
        Step(d(xp), 0, "=", "x_p = x - d(x) w_hat lies on the boundary (w_hat . w_hat = 1)"),
        Step(d(xm), -d(x), "=", "x_m = x - 2 d(x) w_hat: the signed distance flips"),
        Step(_dot(x - xm, x - xm), 4 * d(x) ** 2, "=", "||x - x_m|| = 2|d(x)| (and ||x - x_p|| = |d(x)|)"),
    ], expression=(_dot(_w, _x) + _b) / _norm(_w))


def gram_schmidt_plane() -> Derivation:
    r"""TILT-B1: in coordinates with :math:`\hat z=e_1`, :math:`n=(0,w_2,w_3)`;
    :math:`\|n\|^2=\|w\|^2-(w\cdot\hat z)^2`, :math:`w\cdot\hat n=\|n\|`, the boundary line
    :math:`(w\cdot\hat z)u+\|n\|v+b=0`, exact distances to the boundary and contracted distances
    between points."""
    w1, w2, w3, x1, x2, x3, u, v, b = sp.symbols("w1 w2 w3 x1 x2 x3 u v b", real=True)
    d1, d2, d3 = sp.symbols("delta1 delta2 delta3", real=True)
    nn = sp.sqrt(w2**2 + w3**2)  # ||n|| for z_hat = e_1 (an orthonormal change of basis)
    nw = sp.sqrt(w1**2 + w2**2 + w3**2)
    u_x = x1
    v_x = (w2 * x2 + w3 * x3) / nn
    return Derivation("TILT-B1", "The tilting plane by Gram-Schmidt", [
        Step(w1**2 + w2**2 + w3**2 - w1**2, nn**2, "=",
             "coordinates with z_hat = e_1, so n = w - (w.z_hat) z_hat = (0, w2, w3): Pythagoras "
             "||n||^2 = ||w||^2 - (w.z_hat)^2, hence tan theta = ||n||/(w.z_hat)"),
        Step((w2 * w2 + w3 * w3) / nn, nn, "=",
             "w . n_hat = ||n||: w = (w.z_hat) z_hat + ||n|| n_hat lies in the plane"),
        Step((w1 * u_x + nn * v_x + b) / nw, (w1 * x1 + w2 * x2 + w3 * x3 + b) / nw, "=",
             "the boundary (w.z_hat) u + ||n|| v + b = 0 in plane coordinates (u, v) = (x.z_hat, x.n_hat) "
             "gives every point's exact signed distance d(x)"),
        Step(d1**2 + ((w2 * d2 + w3 * d3) / nn) ** 2 - (d1**2 + d2**2 + d3**2),
             -((w2 * d3 - w3 * d2) ** 2) / nn**2, "=",
             "for a difference delta = x - x': in-plane squared length minus true squared length is "
             "-(w2 delta3 - w3 delta2)^2/||n||^2 <= 0: distances between points are contracted"),
    ])


def adversarial_distance_general() -> Derivation:
    r"""TILT-D8: :math:`d_{adv}=\pi_J\hat w\cdot j-\pi_I\hat w\cdot i+(\pi_J-\pi_I)b'
    =\tfrac12 g\cos\theta+(\pi_J-\pi_I)d(\tfrac{i+j}2)`."""
    pI = sp.Symbol("pi_I", positive=True)
    P, Q, bp, g, th = sp.symbols("P Q b' g theta", real=True)  # P = w_hat.i, Q = w_hat.j
    pJ = 1 - pI
    dadv = pJ * (Q + bp) - pI * (P + bp)
    mid = (P + Q) / 2 + bp
    general = sp.Rational(1, 2) * (Q - P) + (pJ - pI) * mid
    return Derivation("TILT-D8", "Adversarial distance and the tilting angle", [
        Step(dadv, general, "=",
             "mean of y d(x) split by class (P = w_hat.i, Q = w_hat.j, b' = b/||w||), regrouped "
             "around the centroid midpoint; pi_I + pi_J = 1"),
        Step(general.subs(pI, sp.Rational(1, 2)), (Q - P) / 2, "=",
             "balanced classes: the midpoint term (which carries b') vanishes"),
        Step(((Q - P) / 2).subs(Q, P + g * sp.cos(th)), g * sp.cos(th) / 2, "=",
             "w_hat.(j - i) = g w_hat.z_hat = g cos theta"),
        Step(sp.diff(dadv.subs(pI, sp.Rational(1, 3)), bp), sp.Rational(1, 3), "=",
             "1 point in I vs 2 in J: d_adv depends on the bias (d/db' = pi_J - pi_I = 1/3)"),
    ], expression=general)


def hinge_threshold_bound() -> Derivation:
    r"""TILT-X2: hinge :math:`\ge1-z` gives :math:`L\ge1-w\cdot m+\lambda\|w\|^2`, minimized at
    :math:`m/(2\lambda)=(j-i)/(4\lambda)`; the bound is attained iff the bias interval
    :math:`[-1-\min_Ip/(4\lambda), 1-\max_Jp/(4\lambda)]` is non-empty, i.e. :math:`\lambda\ge\lambda^*`."""
    lam = sp.Symbol("lambda", positive=True)
    m = sp.Matrix(sp.symbols("m1:4", real=True))
    w = _w
    bound = 1 - _dot(w, m) + lam * _dot(w, w)
    grad = sp.Matrix([sp.diff(bound, wi) for wi in w])
    wstar = m / (2 * lam)
    pmin, pmax = sp.symbols("p_min p_max", real=True)
    spread = sp.Symbol("Delta", positive=True)  # max_J p - min_I p > 0
    lam_star = spread / 8
    width = (1 - pmax / (4 * lam)) - (-1 - pmin / (4 * lam))
    t = sp.Symbol("t", nonnegative=True)
    return Derivation("TILT-X2", "Exact hinge threshold", [
        Step(sp.Max(0, t, evaluate=False) - t, 0, ">=", "hinge(z) >= 1 - z where z = 1 - t <= 1"),
        Step(sp.Max(0, -t, evaluate=False) + t, 0, ">=",
             "hinge(z) >= 1 - z where z = 1 + t >= 1; averaging over T with balanced labels gives the "
             "lower bound 1 - w.m + lam ||w||^2 with m = (j - i)/2 (the b term has weight mean(y) = 0)"),
        Step(grad.subs(dict(zip(w, wstar, strict=True))).norm(), 0, "=",
             "the strictly convex bound (gradient 2 lam w - m) is minimized at w = m/(2 lam) = "
             "(j - i)/(4 lam)"),
        Step(width.subs(pmax, pmin + spread), 2 * (lam - lam_star) / lam, "=",
             "width of the bias interval where every point is inside its margin (Delta = max_J p - min_I p)"),
        Step((2 * (lam - lam_star) / lam).subs(lam, lam_star * (1 + t)), 0, ">=",
             "non-empty exactly when lam >= lam* = Delta/8: then the bound is attained and "
             "w* = (j-i)/(4 lam)"),
        Step((2 * (lam - lam_star) / lam).subs(lam, lam_star / (1 + t + 1)), 0, "<",
             "empty below lam*: the bound is not attained, so w* differs from (j-i)/(4 lam)"),
    ], expression=lam_star)


def logistic_large_lambda() -> Derivation:
    r"""TILT-X3: with the softplus series :math:`\ln2-z/2+z^2/8+O(z^4)` and :math:`b=-w\cdot\mu`,
    :math:`w^*=\frac1{4\lambda}(I+S/(8\lambda))^{-1}m` and :math:`\theta\lambda\to\|P_\perp S\hat z\|/8`."""
    zeta = sp.Symbol("zeta", real=True)
    lam = sp.Symbol("lambda", positive=True)
    g = sp.Symbol("g", positive=True)
    s11, s22 = sp.symbols("s11 s22", positive=True)
    s12 = sp.Symbol("s12", real=True)
    S = sp.Matrix([[s11, s12], [s12, s22]])
    m = sp.Matrix([g / 2, 0])  # z_hat = e1 (rotate coordinates)
    w = (sp.eye(2) + S / (8 * lam)).inv() * m / (4 * lam)
    grad = -m / 2 + S * w / 4 + 2 * lam * w
    return Derivation("TILT-X3", "Logistic regression at large lambda", [
        Step(sp.series(sp.log(1 + sp.exp(-zeta)), zeta, 0, 5).removeO(),
             sp.log(2) - zeta / 2 + zeta**2 / 8 - zeta**4 / 192, "=",
             "softplus series: no cubic term, so the quadratic model is accurate to O(z^4)"),
        Step(sp.simplify(grad.norm()), 0, "=",
             "quadratic model ln2 - w.m/2 + w^T S w/8 + lam||w||^2 (b = -w.mu): stationary at "
             "w = (1/(4 lam)) (I + S/(8 lam))^(-1) m"),
        Step(sp.Limit(lam * w[1] / w[0], lam, sp.oo), -s12 / 8, "=",
             "tan theta = |w_2|/w_1 with z_hat = e1: lam theta -> |(P_perp S z_hat)|/8 = |s12|/8"),
        Step(sp.Limit(8 * lam * w[0] / g, lam, sp.oo), 1, "=", "8 lam ||w||/g -> 1"),
    ], expression=sp.Abs(s12) / 8)


def loss_scaling() -> Derivation:
    r"""TILT-D4, TILT-D5: :math:`\ln(1+e^{-ku})/k\to\max(-u,0)` as :math:`k\to\infty`; its series in k;
    hinge :math:`\max(1/k-u,0)=1/k-u` when :math:`ku\le1`, so :math:`R=1-k\,d_{adv}` for small k."""
    k, u = sp.symbols("k u", positive=True)
    uu = sp.Symbol("u", real=True)
    return Derivation("TILT-D4", "The losses under scaling", [
        Step(sp.Limit(sp.log(1 + sp.exp(-k * u)) / k, k, sp.oo), 0, "=",
             "correctly classified (u > 0): the scaled softplus vanishes as ||w|| -> oo"),
        Step(sp.Limit(sp.log(1 + sp.exp(k * u)) / k, k, sp.oo), u, "=",
             "misclassified at distance u: the scaled softplus tends to u, the error distance"),
        Step(sp.series(sp.log(1 + sp.exp(-k * uu)), k, 0, 4).removeO(),
             sp.log(2) - k * uu / 2 + k**2 * uu**2 / 8, "=",
             "small ||w||: softplus = ln 2 - k u/2 + k^2 u^2/8 + O(k^4): first order -d_adv"),
        Step(sp.Max(0, 1 / k - (1 - sp.Symbol("t", nonnegative=True)) / k),
             (1 - (1 - sp.Symbol("t", nonnegative=True))) / k, "=",
             "TILT-D5, hinge: with k u = 1 - t <= 1 the scaled hinge is exactly 1/k - u, so the mean "
             "risk is 1/k - d_adv: minimizing it maximizes d_adv"),
        Step(1 / (1 + sp.Symbol("r", positive=True)), 1, "<",
             "u > 0: e^(-ku) = 1/(1+r) with r = e^(ku) - 1 > 0, so ln(1+e^(-ku))/k < ln2/k: the "
             "scaled softplus exceeds max(-u,0) = 0 by at most ln2/k"),
    ])


def minimal_perturbation() -> Derivation:
    r"""TILT-P3: :math:`\arg\min\{\|\delta\|:w\cdot(x+\delta)+b=0\}=-d(x)\hat w` (Lagrange)."""
    _, k, x, bp, wh = _plane_coordinates()
    d = _dot(wh, x) + bp
    delta = -d * wh
    mu = sp.Symbol("mu", real=True)
    return Derivation("TILT-P3", "Minimal L2 perturbation of a linear classifier", [
        Step(_dot(k * wh, x + delta) + k * bp, 0, "=", "delta = -d(x) w_hat reaches the boundary"),
        Step((2 * delta - mu * k * wh).subs(mu, -2 * d / k).norm(), 0, "=",
             "Lagrange: grad ||delta||^2 = mu grad(w.delta) with mu = -2 d/k, so delta is parallel to w "
             "(a convex problem: the stationary point is the minimum)"),
        Step(_dot(delta, delta), d**2, "=", "||delta|| = |d(x)|, along -w_hat for every x"),
    ])


def toy2d_closed_forms() -> Derivation:
    r"""TILT-D3, TILT-P2: for :math:`x=(a,0)` and :math:`w=(\cos\varphi,\sin\varphi)`, b=0:
    :math:`x_m=(-a\cos2\varphi,-a\sin2\varphi)`, :math:`\|x-x_m\|=2|a|\cos\varphi`."""
    a = sp.Symbol("a", real=True)
    phi = sp.Symbol("phi", real=True)
    x = sp.Matrix([a, 0])
    w = sp.Matrix([sp.cos(phi), sp.sin(phi)])
    xm = x - 2 * _dot(w, x) * w
    return Derivation("TILT-D3", "The 2-D toy", [
        Step(xm[0], -a * sp.cos(2 * phi), "=", "mirror, first coordinate"),
        Step(xm[1], -a * sp.sin(2 * phi), "=", "mirror, second coordinate"),
        Step(_dot(x - xm, x - xm), 4 * a**2 * sp.cos(phi) ** 2, "=",
             "||x - x_m|| = 2|a| cos phi -> 0 as phi -> pi/2"),
        Step(xm.subs(phi, 0)[0], -a, "=",
             "phi = 0: the mirror of (a, 0) is (-a, 0), a member of the other class"),
    ], expression=2 * sp.Abs(a) * sp.cos(phi))


def random_pixel_mirror() -> Derivation:
    r"""TILT-D3B: at :math:`\theta=0` (w = indicator of the left half, m pixels), pixel k of the mirror is
    :math:`a_k-2\bar a`; shown for m = 3."""
    a = sp.symbols("a1:4", real=True)
    x = sp.Matrix(list(a) + [0, 0, 0])
    e1 = sp.Matrix([1, 1, 1, 0, 0, 0])
    xm = x - 2 * _dot(e1, x) / _dot(e1, e1) * e1
    abar = sum(a) / 3
    return Derivation("TILT-D3B", "Mirror through the left-half indicator", [
        Step(xm[0], a[0] - 2 * abar, "=", "a_k -> a_k - 2 mean(a): a constant image maps to its negative"),
        Step(xm[3], 0, "=", "the right half stays 0"),
        Step((xm[0] - xm[1]), a[0] - a[1], "=",
             "the spread of the pixels is kept: with i.i.d. pixels in [-1,-0.1] the mirrored range "
             "[min a - 2 mean a, max a - 2 mean a] leaves [0.1, 1] unless all pixels are equal"),
    ])


def resolution_invariance() -> Derivation:
    r"""TILT-P1: upsampling a 2x2 image by k (premise T): :math:`\varepsilon^*` unchanged, L2 distance x k."""
    k = sp.Symbol("k", positive=True, integer=True)
    p = sp.Symbol("p", real=True)
    xs = sp.symbols("x1:5", real=True)
    ws = sp.symbols("w1:5", positive=True)  # signs do not matter for the L1 norm; positive keeps Abs simple
    b = _b
    s = sum(wi * xi for wi, xi in zip(ws, xs, strict=True)) + b
    # each pixel becomes a k x k block: k^2 copies of x_i * w_i / k^p
    s_up = k**2 * sum(wi * xi for wi, xi in zip(ws, xs, strict=True)) / k**p + b * k ** (2 - p)
    l1 = sum(ws)
    l1_up = k**2 * l1 / k**p
    l2_up = sp.sqrt(k**2 * sum(wi**2 for wi in ws)) / k**p
    return Derivation("TILT-P1", "Resolution increase (premise T)", [
        Step(s_up, k ** (2 - p) * s, "=", "the upsampled score (bias scaled alike) is k^(2-p) s"),
        Step(s_up / l1_up, s / l1, "=", "L-infinity budget |s|/||w||_1 is unchanged"),
        Step(s_up / l2_up, k * s / sp.sqrt(sum(wi**2 for wi in ws)), "=", "the L2 distance grows by k"),
    ])


def flat_direction_invariance() -> Derivation:
    r"""TILT-P5: if :math:`\hat n\perp\hat z` and :math:`\hat n\cdot x=c` on the data, then
    :math:`w_\delta=\cos\delta\,\hat z+\sin\delta\,\hat n`, :math:`b_\delta=\cos\delta\,b_0-c\sin\delta` give
    :math:`s_\delta=\cos\delta\,s_0` and :math:`S=1/\cos\delta`."""
    delta = sp.Symbol("delta", real=True)
    u, c, b0, g = sp.symbols("u c b_0 g", real=True)
    s0 = u + b0  # u = z_hat.x
    sd = sp.cos(delta) * u + sp.sin(delta) * c + sp.cos(delta) * b0 - c * sp.sin(delta)
    return Derivation("TILT-P5", "Tilting along a flat direction", [
        Step(sd, sp.cos(delta) * s0, "=", "on the data the tilted score is a positive multiple of s_0"),
        Step((g / 2) / (g / 2 * sp.cos(delta)), 1 / sp.cos(delta), "=",
             "strength S = d_adv(NC)/d_adv = 1/cos delta -> oo as delta -> pi/2 at fixed predictions"),
    ])


def norm_monotone() -> Derivation:
    r"""TILT-X1: adding :math:`L_1(w_1)\le L_1(w_2)` and :math:`L_2(w_2)\le L_2(w_1)` gives
    :math:`(\lambda_1-\lambda_2)(\|w_1\|^2-\|w_2\|^2)\le0`."""
    l1, l2, F1, F2, q1, q2 = sp.symbols("lambda_1 lambda_2 F_1 F_2 q_1 q_2", real=True)
    lhs = (F1 + l1 * q1 - F2 - l1 * q2) + (F2 + l2 * q2 - F1 - l2 * q1)
    return Derivation("TILT-X1", "||w*(lambda)|| is non-increasing", [
        Step(lhs, (l1 - l2) * (q1 - q2), "=",
             "sum of the two optimality gaps (q = ||w||^2, F = mean loss); each is <= 0, so "
             "(lam1 - lam2)(||w1||^2 - ||w2||^2) <= 0"),
    ])


def strength_is_secant() -> Derivation:
    r"""TILT-P4 (reading A): :math:`S=(g/2)/(\tfrac12g\cos\theta)=1/\cos\theta`;
    TILT-D10: :math:`d_{adv}\to0` as :math:`\theta\to\pi/2`."""
    g = sp.Symbol("g", positive=True)
    th = sp.Symbol("theta", real=True)
    return Derivation("TILT-P4", "Adversarial strength and the deviation angle", [
        Step((g / 2) / (g * sp.cos(th) / 2), 1 / sp.cos(th), "=", "balanced classes (TILT-D8)"),
        Step(sp.Limit(g * sp.cos(th) / 2, th, sp.pi / 2, "-"), 0, "=",
             "TILT-D10: d_adv -> 0 (arbitrarily strong adversarial examples) as theta -> pi/2"),
    ], expression=1 / sp.cos(th))


def nc_maximizes_margin() -> Derivation:
    r"""TILT-D9: :math:`\hat w\cdot(j-i)\le\|j-i\|` (Lagrange's identity, shown in 3-D)."""
    a = sp.Matrix(sp.symbols("a1:4", real=True))
    c = sp.Matrix(sp.symbols("c1:4", real=True))
    cross = a.cross(c)
    return Derivation("TILT-D9", "Nearest centroid maximizes d_adv", [
        Step(_dot(a, a) * _dot(c, c) - _dot(a, c) ** 2, _dot(cross, cross), "=",
             "Lagrange's identity: ||a||^2||c||^2 - (a.c)^2 = ||a x c||^2 >= 0, so w_hat.(j-i) <= g, "
             "with equality iff w_hat = z_hat; d_adv = w_hat.(j-i)/2 (balanced) does not depend on b"),
    ])


def softmax_temperature() -> Derivation:
    r"""TILT-D16: :math:`\mathrm{softmax}(cs)=\mathrm{softmax}(s/T)` with :math:`T=1/c`."""
    c = sp.Symbol("c", positive=True)
    s1, s2 = sp.symbols("s1 s2", real=True)
    T = 1 / c
    return Derivation("TILT-D16", "Weight decay as a softmax temperature", [
        Step(sp.exp(c * s1) / (sp.exp(c * s1) + sp.exp(c * s2)),
             sp.exp(s1 / T) / (sp.exp(s1 / T) + sp.exp(s2 / T)), "=",
             "scaling the logits by c = temperature 1/c"),
    ])


def block_embedding_isometry() -> Derivation:
    r"""TILT-B2 (R2): :math:`x=a1_A/\sqrt{|A|}+c1_B/\sqrt{|B|}` is an isometric embedding of (a, c)."""
    a, c = sp.symbols("a c", real=True)
    A, B = sp.symbols("A B", positive=True, integer=True)
    return Derivation("TILT-B2", "Constant pixel blocks embed the 2-D toy isometrically", [
        Step(A * (a / sp.sqrt(A)) ** 2 + B * (c / sp.sqrt(B)) ** 2, a**2 + c**2, "=",
             "||x||^2 over the blocks equals a^2 + c^2; with inner products preserved, theta, d and "
             "||x - x_m|| are the same functions of (a, phi) in every dimension"),
        Step(A * a**2 + B * c**2 - (a**2 + c**2) * A, B * c**2 - A * c**2, "=",
             "in raw block levels (a, c) the embedding is isometric only when |A| = |B|"),
    ])


def logistic_unbalanced_limit() -> Derivation:
    r"""TILT-X6: at large lambda, logistic :math:`w\approx\pi_I\pi_J(j-i)/(2\lambda)` (parallel to NC);
    :math:`\sigma(b_0)=\pi_J` at w = 0."""
    pJ = sp.Symbol("pi_J", positive=True)
    pI = 1 - pJ
    i_, j_ = sp.symbols("i j", real=True)
    b0 = sp.log(pJ / pI)
    sig = 1 / (1 + sp.exp(-b0))
    grad_w0 = -(pJ * (1 - sig) * j_ - pI * sig * i_)
    return Derivation("TILT-X6", "Logistic limit with unbalanced classes", [
        Step(sig, pJ, "=", "at w = 0 the optimal bias satisfies sigma(b0) = pi_J"),
        Step(grad_w0, -pI * pJ * (j_ - i_), "=",
             "the loss gradient at w = 0 is -pi_I pi_J (j - i) (per coordinate), so "
             "w ~ pi_I pi_J (j - i)/(2 lam): theta -> 0 for logistic at any class balance"),
    ])


def hard_margin_plateau() -> Derivation:
    r"""TILT-X5: a dual solution with :math:`\max\alpha<C` stays optimal for every larger C, i.e. for
    :math:`\lambda\le1/(2n\max\alpha_{hm})`."""
    n = sp.Symbol("n", positive=True, integer=True)
    amax = sp.Symbol("alpha_max", positive=True)
    t = sp.Symbol("t", nonnegative=True)
    lam = 1 / (2 * n * amax * (1 + t))
    C = 1 / (2 * n * lam)
    return Derivation("TILT-X5", "The hard-margin plateau of the hinge path", [
        Step(C, amax * (1 + t), "=", "C = 1/(2 n lam) at lam = 1/(2 n alpha_max (1 + t)), t >= 0"),
        Step(C - amax, 0, ">=",
             "so 0 <= alpha <= C still holds; the other KKT conditions (y^T alpha = 0, margins of the "
             "free and zero variables) do not involve C, hence alpha, w and theta are unchanged for "
             "every lam <= 1/(2 n alpha_max): theta(0+) = theta_hm"),
    ])
