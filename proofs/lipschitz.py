r"""Derivations for Szegedy et al., "Intriguing properties of neural networks" (arXiv:1312.6199).

Each function returns a list of :class:`advgeom.proofs.core.Derivation` objects for one claim of
``theory/claims/intriguing.toml``. Every derivation states its premises (the hypotheses, as sympy
relations) and its conclusion, and its steps form one chain from the conclusion's left side to its
right side; facts that do not chain are separate derivations. Tests check every derivation
(steps, chain, mutation check) and compare ``expression``, where set, with
:mod:`advgeom.theory.lipschitz` against independent numerics.

Examples
--------
>>> all(d.verify().ok for d in composition_bound())
True
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

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


# ------------------------------------------------------------------------------ SZ-2, SZ-19, SZ-20


def affine_minimal_perturbation() -> list[Derivation]:
    r"""SZ-2 (reading 2-B): the minimal L2 perturbation onto ``w.(x + r) + b = 0`` (m = 3).

    Three derivations: (i) every ``r`` on the hyperplane has :math:`\|w\|^2\|r\|^2 \ge s^2`
    (Lagrange identity); (ii) :math:`r^* = -s\,w/\|w\|^2` lies on it; (iii) it attains
    :math:`\|w\|^2\|r^*\|^2 = s^2`. Hence :math:`d = |s|/\|w\|`, attained on the closure of the
    (open) target side. ``w1 > 0`` without loss of generality (relabel coordinates, flip signs).
    """
    w1 = sp.Symbol("w1", positive=True)
    w2, w3 = sp.symbols("w2 w3", real=True)
    w = (w1, w2, w3)
    r = sp.symbols("r1:4", real=True)
    s = sp.Symbol("s", real=True)  # s = w.x + b
    n2 = _dot(w, w)
    rr = _dot(r, r)
    sos = ((w[0] * r[1] - w[1] * r[0]) ** 2 + (w[0] * r[2] - w[2] * r[0]) ** 2
           + (w[1] * r[2] - w[2] * r[1]) ** 2)
    on_plane = Premise("on_plane", sp.Eq(r[0], -(s + w2 * r[1] + w3 * r[2]) / w1),
                       "x + r lies on the hyperplane: w.r = -s, solved for r1 (w1 > 0)")
    lower = Derivation(
        "SZ-2", "No perturbation reaching the hyperplane is shorter than |s|/||w||",
        premises=[on_plane],
        steps=[
            Step(n2 * rr, _dot(w, r) ** 2 + sos, "=", "Lagrange identity"),
            Step(_dot(w, r) ** 2 + sos, _dot(w, r) ** 2, ">=", "a sum of squares is >= 0"),
            Step(_dot(w, r) ** 2, s**2, "=", "on the hyperplane w.r = -s", uses=("on_plane",)),
        ],
        conclusion=Conclusion(n2 * rr, ">=", s**2),
    )
    rstar = [Premise(f"r{i + 1}_star", sp.Eq(r[i], -s * w[i] / n2),
                     f"r*_{i + 1} = -s w_{i + 1}/||w||^2") for i in range(3)]
    names = tuple(p.name for p in rstar)
    feasible = Derivation(
        "SZ-2", "r* = -s w/||w||^2 reaches the hyperplane", premises=rstar,
        steps=[Step(_dot(w, r), -s, "=", "w.r* = -s ||w||^2/||w||^2", uses=names)],
        conclusion=Conclusion(_dot(w, r), "=", -s),
    )
    attained = Derivation(
        "SZ-2", "r* attains ||w||^2 ||r*||^2 = s^2, so d = |s|/||w||", premises=rstar,
        steps=[Step(n2 * rr, s**2, "=", "||r*||^2 = s^2 ||w||^2/||w||^4", uses=names)],
        conclusion=Conclusion(n2 * rr, "=", s**2),
    )
    wn = sp.Symbol("wnorm", positive=True)
    attained.expression = (sp.Abs(s) / wn, (s, wn))
    return [lower, feasible, attained]


def scale_equivariance() -> list[Derivation]:
    r"""SZ-19: pixels in [0, a] with weights w/a: the minimal distance scales by a (no box).

    Premises: the SZ-2 closed form at both scales, :math:`(w/a)\cdot(a x) + b = s(x)` and
    :math:`\|w/a\| = \|w\|/a`. Conclusion :math:`d_a = a\,d_1`.
    """
    a, wn, wn_a = sp.symbols("a wnorm wnorm_a", positive=True)
    s, s_a, d_a, d_1 = sp.symbols("s s_a d_a d_1", real=True)
    premises = [
        Premise("closed_form_a", sp.Eq(d_a, sp.Abs(s_a) / wn_a), "SZ-2 at scale a"),
        Premise("score", sp.Eq(s_a, s), "(w/a).(a x) + b = w.x + b"),
        Premise("weight_norm", sp.Eq(wn_a, wn / a), "||w/a|| = ||w||/a"),
        Premise("closed_form_1", sp.Eq(d_1, sp.Abs(s) / wn), "SZ-2 at scale 1"),
    ]
    d = Derivation(
        "SZ-19", "Scale equivariance d_a(a x) = a d_1(x)", premises=premises,
        steps=[
            Step(d_a, sp.Abs(s_a) / wn_a, "=", "closed form at scale a", uses=("closed_form_a",)),
            Step(sp.Abs(s_a) / wn_a, sp.Abs(s) / (wn / a), "=", "same score, scaled weights",
                 uses=("score", "weight_norm")),
            Step(sp.Abs(s) / (wn / a), a * (sp.Abs(s) / wn), "=", "algebra"),
            Step(a * (sp.Abs(s) / wn), a * d_1, "=", "closed form at scale 1",
                 uses=("closed_form_1",)),
        ],
        conclusion=Conclusion(d_a, "=", a * d_1),
    )
    return [d]


def target_already_reached() -> list[Derivation]:
    r"""SZ-20: with l = f(x), r = 0 is feasible, and every r != 0 is strictly longer.

    Premise: some coordinate of ``r`` is nonzero (its square ``q`` is > 0, the first w.l.o.g.).
    Conclusion: :math:`\|r\|^2 > 0 = \|0\|^2`, so the unique minimizer is ``r = 0`` and
    :math:`D(x, f(x)) = x`, a point of :math:`\mathbb{R}^m`, not the label ``f(x)``.
    """
    q = sp.Symbol("q", real=True)
    r2, r3 = sp.symbols("r2 r3", real=True)
    nonzero = Premise("nonzero", q > 0, "r != 0: the square q = r1^2 of a nonzero coordinate")
    d = Derivation(
        "SZ-20", "D(x, f(x)) = x: every nonzero perturbation is longer than r = 0",
        premises=[nonzero],
        steps=[Step(q + r2**2 + r3**2, 0, ">", "q > 0 and squares are >= 0", uses=("nonzero",))],
        conclusion=Conclusion(q + r2**2 + r3**2, ">", 0),
    )
    return [d]


# ------------------------------------------------------------------------------ SZ-6 (d)


def noise_flip_probability() -> list[Derivation]:
    r"""SZ-6(d): isotropic noise at the adversarial RMS flips a linear model w.p. Phi-bar(sqrt m).

    Premise: the noise's per-pixel standard deviation equals the adversarial RMS
    :math:`\sigma = d/\sqrt m`. The noise component along the unit normal is
    :math:`N(0, \sigma^2)`; it crosses the boundary at distance d with probability
    :math:`\int_d^\infty \varphi_\sigma = \tfrac12\mathrm{erfc}(\sqrt{m}/\sqrt2)`.
    """
    d, sigma, m = sp.symbols("d sigma m", positive=True)
    z = sp.Symbol("z", real=True)
    density = sp.exp(-(z**2) / (2 * sigma**2)) / (sigma * sp.sqrt(2 * sp.pi))
    rms = Premise("rms", sp.Eq(sigma, d / sp.sqrt(m)), "sigma = adversarial per-pixel RMS d/sqrt(m)")
    crossing = sp.Integral(density, (z, d, sp.oo))
    out = Derivation(
        "SZ-6", "Gaussian noise of adversarial size on a linear model", premises=[rms],
        steps=[
            Step(crossing, sp.erfc(d / (sigma * sp.sqrt(2))) / 2, "=",
                 "Gaussian tail of the normal component", uses=("rms",)),
            Step(sp.erfc(d / (sigma * sp.sqrt(2))) / 2, sp.erfc(sp.sqrt(m) / sp.sqrt(2)) / 2, "=",
                 "d/sigma = sqrt(m): independent of w", uses=("rms",)),
        ],
        conclusion=Conclusion(crossing, "=", sp.erfc(sp.sqrt(m) / sp.sqrt(2)) / 2),
    )
    out.expression = (sp.erfc(sp.sqrt(m) / sp.sqrt(2)) / 2, (m,))
    return [out]


# ------------------------------------------------------------------------------ SZ-3, SZ-22, SZ-4


def penalty_monotonicity() -> list[Derivation]:
    r"""SZ-3 lemma: global minimizers of :math:`c\|r\| + \ell` satisfy
    :math:`(c_1 - c_2)(\|r_1\| - \|r_2\|) \le 0`.

    Premises: :math:`r_1` minimizes at :math:`c_1` (so :math:`c_1N_1 + L_1 \le c_1N_2 + L_2`) and
    :math:`r_2` at :math:`c_2` (:math:`c_2N_2 + L_2 \le c_2N_1 + L_1`), with
    :math:`N_i = \|r_i\|`, :math:`L_i = \ell(r_i)`. Hence :math:`c_1 < c_2` implies
    :math:`\|r_1\| \ge \|r_2\|`.
    """
    c1, c2 = sp.symbols("c1 c2", positive=True)
    N1, N2 = sp.symbols("N1 N2", nonnegative=True)
    L1, L2 = sp.symbols("L1 L2", real=True)
    opt1 = Premise("opt1", L1 <= c1 * N2 + L2 - c1 * N1, "r1 minimizes c1||r|| + loss")
    opt2 = Premise("opt2", L2 <= c2 * N1 + L1 - c2 * N2, "r2 minimizes c2||r|| + loss")
    gap1 = c1 * N1 + L1 - c1 * N2 - L2
    gap2 = c2 * N2 + L2 - c2 * N1 - L1
    d = Derivation(
        "SZ-3", "The penalty family shrinks as c grows", premises=[opt1, opt2],
        steps=[
            Step((c1 - c2) * (N1 - N2), gap1 + gap2, "=",
                 "sum of the two optimality gaps (algebra)"),
            Step(gap1 + gap2, gap2, "<=", "optimality of r1 at c1", uses=("opt1",)),
            Step(gap2, 0, "<=", "optimality of r2 at c2", uses=("opt2",)),
        ],
        conclusion=Conclusion((c1 - c2) * (N1 - N2), "<=", 0),
    )
    return [d]


def logistic_penalty() -> list[Derivation]:
    r"""SZ-3: the binary logistic penalty path, :math:`h(t) = ct + \log(1 + e^{-(m_0 + t\|w\|)})`.

    Three derivations: (i) :math:`h'' > 0` (strict convexity: the stationary point is the
    minimizer); (ii) at the stationary point, :math:`c = \|w\|/(1 + e^{m_0 + t\|w\|})`, the
    post-attack margin is :math:`\log(\|w\|/c - 1)`; (iii) that margin is > 0 when
    :math:`c < \|w\|/2` (written :math:`c = \|w\|/(2 + u)`, :math:`u > 0`).
    """
    c, n, u = sp.symbols("c n u", positive=True)
    t, m0 = sp.symbols("t m0", real=True)
    h = c * t + sp.log(1 + sp.exp(-(m0 + t * n)))
    convex = Derivation(
        "SZ-3", "The penalty profile h(t) is strictly convex",
        steps=[Step(sp.diff(h, t, 2), 0, ">", "h'' = ||w||^2 e^{-M}/(1 + e^{-M})^2 > 0")],
        conclusion=Conclusion(sp.diff(h, t, 2), ">", 0),
    )
    M = m0 + t * n
    stationary = Premise("stationary", sp.Eq(c, n / (1 + sp.exp(M))),
                         "h'(t) = c - ||w||/(1 + e^{m0 + t||w||}) = 0")
    margin = Derivation(
        "SZ-3", "Post-attack margin log(||w||/c - 1)", premises=[stationary],
        steps=[
            Step(M, sp.log(sp.exp(M)), "=", "M = m0 + t||w|| is real"),
            Step(sp.log(sp.exp(M)), sp.log(n / c - 1), "=", "solve the first-order condition",
                 uses=("stationary",)),
        ],
        conclusion=Conclusion(M, "=", sp.log(n / c - 1)),
    )
    below = Premise("below_cstar", sp.Eq(c, n / (2 + u)), "c < c* = ||w||/2, as c = ||w||/(2 + u)")
    success = Derivation(
        "SZ-3", "Success iff c < c* = ||w||/2", premises=[below],
        steps=[Step(sp.log(n / c - 1), 0, ">", "||w||/c - 1 = 1 + u > 1", uses=("below_cstar",))],
        conclusion=Conclusion(sp.log(n / c - 1), ">", 0),
    )
    margin.expression = (sp.log(n / c - 1), (n, c))
    return [convex, margin, success]


def lagrange_threshold() -> list[Derivation]:
    r"""SZ-22: the loss level :math:`\varepsilon(\lambda)` reached by :math:`\|r\| + \lambda\ell`.

    (i) Premises: the post-attack margin at :math:`c = 1/\lambda` is :math:`\log(\lambda\|w\| - 1)`
    (SZ-3), and :math:`\lambda\|w\| = 1 + u`, :math:`u > 0`. Conclusion
    :math:`\varepsilon = \log(1 + e^{-M}) = \log((u + 1)/u)`. (ii) Its derivative in ``u`` is
    :math:`-1/(u(u + 1)) < 0`: :math:`\varepsilon` decreases as :math:`\lambda` grows.
    """
    lam, n, u = sp.symbols("lambda n u", positive=True)
    M = sp.Symbol("M", real=True)
    eps_lam = sp.log(lam * n / (lam * n - 1))
    eps_u = sp.log((u + 1) / u)
    level = Derivation(
        "SZ-22", "Loss level of the Lagrange form",
        premises=[Premise("margin", sp.Eq(M, sp.log(lam * n - 1)), "SZ-3 margin at c = 1/lambda"),
                  Premise("lam", sp.Eq(lam, (1 + u) / n), "lambda ||w|| = 1 + u, u > 0")],
        steps=[
            Step(sp.log(1 + sp.exp(-M)), eps_lam, "=", "cross-entropy at margin M",
                 uses=("margin",)),
            Step(eps_lam, eps_u, "=", "substitute lambda ||w|| = 1 + u", uses=("lam",)),
        ],
        conclusion=Conclusion(sp.log(1 + sp.exp(-M)), "=", eps_u),
    )
    slope = Derivation(
        "SZ-22", "eps decreases in lambda",
        steps=[Step(sp.diff(eps_u, u), -1 / (u * (u + 1)), "=", "derivative in u"),
               Step(-1 / (u * (u + 1)), 0, "<", "u > 0")],
        conclusion=Conclusion(sp.diff(eps_u, u), "<", 0),
    )
    level.expression = (eps_lam, (lam, n))
    return [level, slope]


def softmax_counterexample() -> list[Derivation]:
    r"""SZ-4: the penalty path of the 3-class linear softmax model misses the closest point.

    Rows :math:`w_0 = (0,0)`, :math:`w_1 = (1,0)`, :math:`w_2 = (0.6, 1)`, b = (1, 0, 0), x = 0,
    target 1. (i) Stationarity :math:`c\,r/\|r\| = -\nabla\ell` with
    :math:`-\nabla\ell = (p_0 + 0.4p_2, -p_2)` gives :math:`r_2/r_1 < 0` on the whole path.
    (ii) On the exit face :math:`r_1 = 1` the face equation
    :math:`g(t) = t + e^{t-0.4}/(1 + 0.4e^{t-0.4})` is > 0 for :math:`t \ge 0`, so its root
    :math:`t^*` is negative; (iii) the exit point then has :math:`1 + t^{*2} > 1 = d^2`.
    """
    p0, p2 = sp.symbols("p0 p2", positive=True)
    t = sp.Symbol("t", real=True)
    p1 = 1 - p0 - p2
    w = [(0, 0), (1, 0), (sp.Rational(3, 5), 1)]
    neg_grad = [w[1][k] - (p0 * w[0][k] + p1 * w[1][k] + p2 * w[2][k]) for k in range(2)]
    direction = Derivation(
        "SZ-4", "The penalty path has r2/r1 < 0",
        steps=[Step(neg_grad[1] / neg_grad[0], -p2 / (p0 + sp.Rational(2, 5) * p2), "=",
                    "-grad CE = w1 - sum_j p_j w_j = (p0 + 0.4 p2, -p2); r is parallel to it"),
               Step(-p2 / (p0 + sp.Rational(2, 5) * p2), 0, "<", "probabilities are > 0")],
        conclusion=Conclusion(neg_grad[1] / neg_grad[0], "<", 0),
    )
    g = t + sp.exp(t - sp.Rational(2, 5)) / (1 + sp.Rational(2, 5) * sp.exp(t - sp.Rational(2, 5)))
    tau = sp.Symbol("tau", real=True)
    g_tau = g.subs(t, tau)
    face = Derivation(
        "SZ-4", "The face equation has no root t >= 0",
        premises=[Premise("t_nonneg", tau >= 0, "a candidate exit point (1, tau) with tau >= 0")],
        steps=[Step(g_tau, 0, ">", "both terms are >= 0, the second > 0", uses=("t_nonneg",))],
        conclusion=Conclusion(g_tau, ">", 0),
    )
    ts = sp.Symbol("t_star", real=True)
    exit_norm = Derivation(
        "SZ-4", "The exit point (1, t*) is farther than d = 1",
        premises=[Premise("t_neg", ts < 0, "the root t* of g is negative (previous derivation)")],
        steps=[Step(1 + ts**2, 1, ">", "t*^2 > 0", uses=("t_neg",))],
        conclusion=Conclusion(1 + ts**2, ">", 1),
    )
    face.expression = (g, (t,))
    return [direction, face, exit_norm]


# ------------------------------------------------------------------------------ SZ-8, SZ-9


def relu_nonexpansive() -> list[Derivation]:
    r"""SZ-9: :math:`|\max(0,a) - \max(0,b)| \le |a - b|`, one derivation per sign case.

    (b >= 0 > a is the second case with a and b exchanged.) Hence the half-rectified layer
    :math:`\max(0, Wx + b)` is :math:`\|W\|`-Lipschitz: the ReLU is non-expansive (constant 1),
    not contractive.
    """
    a, b = sp.symbols("a b", real=True)
    lhs = sp.Abs(sp.Max(0, a) - sp.Max(0, b))
    a_nn = Premise("a_nonneg", a >= 0, "a >= 0")
    b_nn = Premise("b_nonneg", b >= 0, "b >= 0")
    a_neg = Premise("a_neg", a < 0, "a < 0")
    b_neg = Premise("b_neg", b < 0, "b < 0")
    concl = Conclusion(lhs, "<=", sp.Abs(a - b))
    both = Derivation(
        "SZ-9", "ReLU, both inputs >= 0", premises=[a_nn, b_nn],
        steps=[Step(lhs, sp.Abs(a - b), "=", "both units pass their input",
                    uses=("a_nonneg", "b_nonneg"))],
        conclusion=concl,
    )
    mixed = Derivation(
        "SZ-9", "ReLU, a >= 0 > b", premises=[a_nn, b_neg],
        steps=[Step(lhs, a, "=", "max(0, a) = a, max(0, b) = 0", uses=("a_nonneg", "b_neg")),
               Step(a, sp.Abs(a - b), "<=", "a <= a - b = |a - b|", uses=("a_nonneg", "b_neg"))],
        conclusion=concl,
    )
    neither = Derivation(
        "SZ-9", "ReLU, both inputs < 0", premises=[a_neg, b_neg],
        steps=[Step(lhs, 0, "=", "both outputs are 0", uses=("a_neg", "b_neg")),
               Step(0, sp.Abs(a - b), "<=", "an absolute value is >= 0")],
        conclusion=concl,
    )
    return [both, mixed, neither]


def composition_bound() -> list[Derivation]:
    r"""SZ-8: Lipschitz constants multiply under composition (three layers shown).

    Premises: :math:`D_k \le L_k D_{k-1}` for k = 1, 2, 3, where
    :math:`D_0 = \|x - y\|` and :math:`D_k = \|\phi_k(\cdots) - \phi_k(\cdots)\|` is the distance
    after layer k (each :math:`\phi_k` is :math:`L_k`-Lipschitz). Conclusion
    :math:`D_3 \le L_1L_2L_3\,D_0`.
    """
    L1, L2, L3 = sp.symbols("L1 L2 L3", positive=True)
    D0, D1, D2, D3 = sp.symbols("D0 D1 D2 D3", nonnegative=True)
    premises = [
        Premise("lip1", D1 <= L1 * D0, "||phi1(x) - phi1(y)|| <= L1 ||x - y||"),
        Premise("lip2", D2 <= L2 * D1, "||phi2(u) - phi2(v)|| <= L2 ||u - v||, u, v = phi1(x), phi1(y)"),
        Premise("lip3", D3 <= L3 * D2, "||phi3(u) - phi3(v)|| <= L3 ||u - v||, u, v = phi2(...)"),
    ]
    d = Derivation(
        "SZ-8", "Lipschitz constants multiply under composition", premises=premises,
        steps=[
            Step(D3, L3 * D2, "<=", "layer 3", uses=("lip3",)),
            Step(L3 * D2, L3 * L2 * D1, "<=", "layer 2, times L3 > 0", uses=("lip2",)),
            Step(L3 * L2 * D1, L3 * L2 * L1 * D0, "<=", "layer 1, times L2 L3 > 0", uses=("lip1",)),
        ],
        conclusion=Conclusion(D3, "<=", L1 * L2 * L3 * D0),
    )
    return [d]


# ------------------------------------------------------------------------------ SZ-10, SZ-11


def maxpool_constant() -> list[Derivation]:
    r"""SZ-10: 1-D 3-window stride-2 pooling on 5 inputs.

    Where the argmax pattern is fixed, the pooled perturbation is :math:`S\delta` with
    :math:`S^TS = \mathrm{diag}(\text{coverage}) \preceq \mathrm{diag}(1,1,2,1,1)`:
    (i) :math:`\|S\delta\|^2 \le 2\|\delta\|^2`; (ii) equality at :math:`\delta = e_3`, the doubly
    covered pixel. 1-D constant :math:`\sqrt 2`; in 2-D the counts multiply: 4, constant 2.
    """
    dl = sp.symbols("delta1:6", real=True)
    count = [1, 1, 2, 1, 1]
    pooled = sum(k * x**2 for k, x in zip(count, dl, strict=True))
    bound = Derivation(
        "SZ-10", "Overlapping pooling expands by at most sqrt(max coverage)",
        steps=[Step(pooled, 2 * sum(x**2 for x in dl), "<=", "coverage <= 2 at every pixel")],
        conclusion=Conclusion(pooled, "<=", 2 * sum(x**2 for x in dl)),
    )
    e3 = [Premise(f"e3_{i + 1}", sp.Eq(dl[i], 0), f"delta_{i + 1} = 0: delta is a multiple of e_3")
          for i in range(5) if i != 2]
    tight = Derivation(
        "SZ-10", "The bound is attained at the doubly covered pixel", premises=e3,
        steps=[Step(pooled, 2 * sum(x**2 for x in dl), "=", "delta = delta_3 e_3",
                    uses=tuple(p.name for p in e3))],
        conclusion=Conclusion(pooled, "=", 2 * sum(x**2 for x in dl)),
    )
    return [bound, tight]


def _global_min_at_unique_critical_point(var):
    """Custom proof of ``lhs >= rhs`` for a smooth function of ``var`` on the real line: the
    difference has exactly one real critical point, it is a strict local minimum (second
    derivative > 0 there), and the difference is >= 0 there. A differentiable function on R with a
    single critical point that is a strict local minimum attains its global minimum there."""

    def proof(lhs, rhs) -> bool:
        f = sp.sympify(lhs) - sp.sympify(rhs)
        if f.free_symbols != {var}:
            return False
        crit = sp.solveset(sp.factor(sp.diff(f, var)), var, sp.S.Reals)
        if not isinstance(crit, sp.FiniteSet) or len(crit) != 1:
            return False
        c0 = next(iter(crit))
        curv = sp.simplify(sp.diff(f, var, 2).subs(var, c0))
        value = sp.nsimplify(sp.expand(f.subs(var, c0)))
        return bool(curv.is_positive) and (value == 0 or bool(value.is_nonnegative))

    return proof


def _nonneg_from_zero_and_slope(var):
    """Custom proof of ``lhs >= rhs`` for ``var >= 0``: the difference vanishes at ``var = 0``
    and its derivative is >= 0 for every ``var >= 0`` and every value of the other symbols
    (proved by sympy from their assumptions)."""

    def proof(lhs, rhs) -> bool:
        f = sp.sympify(lhs) - sp.sympify(rhs)
        if var not in f.free_symbols:
            return False
        at0 = sp.nsimplify(f.subs(var, 0))
        slope = sp.factor(sp.cancel(sp.diff(f, var)))
        return at0 == 0 and bool(slope.is_nonnegative)

    return proof


def contrast_norm_constant() -> list[Derivation]:
    r"""SZ-11: contrast normalization :math:`x/(\epsilon + \|x\|^2)^\gamma` is
    :math:`\epsilon^{-\gamma}`-Lipschitz for every :math:`\gamma \ge 0`.

    The Jacobian :math:`(\epsilon+s)^{-\gamma}[I - 2\gamma xx^T/(\epsilon+s)]`, :math:`s = \|x\|^2`,
    is symmetric with eigenvalue :math:`(\epsilon+s)^{-\gamma}` on :math:`x^\perp` and
    :math:`\lambda_x = (\epsilon+s)^{-\gamma}(1 - 2\gamma s/(\epsilon+s))` along x. Write
    :math:`s = \epsilon\theta`, :math:`\theta \ge 0`, :math:`t = \theta/(1+\theta)`:

    (i) :math:`\epsilon^\gamma\lambda_x = (1+\theta)^{-\gamma}(1 - 2\gamma t)`;
    (ii) :math:`\epsilon^\gamma(\epsilon+s)^{-\gamma} = (1+\theta)^{-\gamma} \le 1`;
    (iii) :math:`\log(1+\theta) \ge \theta/(1+\theta) = t`, so
    :math:`(1+\theta)^{-\gamma} \le e^{-\gamma t}`;
    (iv) :math:`2e^{-3/2} \ge e^{-v}(2v - 1)` for all real v (single critical point v = 3/2),
    and :math:`2e^{-3/2} < 1`.

    Hence for :math:`2\gamma t \le 1`, :math:`|\epsilon^\gamma\lambda_x| \le 1` by (i) and (ii);
    for :math:`2\gamma t > 1`, :math:`|\epsilon^\gamma\lambda_x| \le e^{-\gamma t}(2\gamma t - 1)
    < 1` by (iii) and (iv). So :math:`\|J\| \le \epsilon^{-\gamma}`, attained at x = 0.
    """
    eps, g = sp.symbols("epsilon gamma", positive=True)
    theta = sp.Symbol("theta", nonnegative=True)
    s, t = sp.symbols("s t", nonnegative=True)
    v = sp.Symbol("v", real=True)
    lam_x = (eps + s) ** (-g) * (1 - 2 * g * s / (eps + s))
    scaled = Premise("scale", sp.Eq(s, eps * theta), "s = ||x||^2 = eps theta")
    t_def = Premise("t_def", sp.Eq(t, theta / (1 + theta)), "t = s/(eps + s) = theta/(1 + theta)")
    along = Derivation(
        "SZ-11", "Eigenvalue along x", premises=[scaled, t_def],
        steps=[Step(eps**g * lam_x, (1 + theta) ** (-g) * (1 - 2 * g * s / (eps + s)), "=",
                    "(eps + eps theta)^{-gamma} = eps^{-gamma} (1 + theta)^{-gamma}",
                    uses=("scale",)),
               Step((1 + theta) ** (-g) * (1 - 2 * g * s / (eps + s)),
                    (1 + theta) ** (-g) * (1 - 2 * g * t), "=", "s/(eps + s) = t",
                    uses=("scale", "t_def"))],
        conclusion=Conclusion(eps**g * lam_x, "=", (1 + theta) ** (-g) * (1 - 2 * g * t)),
    )
    perp = Derivation(
        "SZ-11", "Eigenvalue on the complement of x", premises=[scaled],
        steps=[Step(1, (1 + theta) ** (-g), ">=",
                    "equal at theta = 0; 1 - (1 + theta)^{-gamma} has slope "
                    "gamma (1 + theta)^{-gamma-1} >= 0", proof=_nonneg_from_zero_and_slope(theta)),
               Step((1 + theta) ** (-g), eps**g * (eps + s) ** (-g), "=", "s = eps theta",
                    uses=("scale",))],
        conclusion=Conclusion(1, ">=", eps**g * (eps + s) ** (-g)),
    )
    log_bound = Derivation(
        "SZ-11", "log(1 + theta) >= theta/(1 + theta)",
        steps=[Step(sp.log(1 + theta), theta / (1 + theta), ">=",
                    "equal at theta = 0; the difference has slope theta/(1 + theta)^2 >= 0",
                    proof=_nonneg_from_zero_and_slope(theta))],
        conclusion=Conclusion(sp.log(1 + theta), ">=", theta / (1 + theta)),
    )
    peak = Derivation(
        "SZ-11", "e^{-v}(2v - 1) stays below 1",
        steps=[Step(1, 2 * sp.exp(-sp.Rational(3, 2)), ">", "2 e^{-3/2} = 0.446..."),
               Step(2 * sp.exp(-sp.Rational(3, 2)), sp.exp(-v) * (2 * v - 1), ">=",
                    "the difference has its only critical point at v = 3/2, a minimum, where it "
                    "vanishes", proof=_global_min_at_unique_critical_point(v))],
        conclusion=Conclusion(1, ">", sp.exp(-v) * (2 * v - 1)),
    )
    return [along, perp, log_bound, peak, *_contrast_norm_cases(g, theta)]


def _log_ratio_nonpositive(lhs, rhs) -> bool:
    """Custom proof of ``lhs <= rhs`` for two positive sides: sympy proves
    ``log(lhs/rhs) <= 0`` from the symbols' assumptions (log is increasing)."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    if not (lhs.is_positive and rhs.is_positive):
        return False
    q = sp.expand_log(sp.log(sp.powsimp(lhs / rhs, force=True)), force=True)
    return any(e.is_nonpositive for e in (q, sp.expand(q), sp.simplify(q)))


def _le(proof):
    """A ``lhs >= rhs`` custom proof used for ``lhs <= rhs`` (sides swapped)."""
    return lambda lhs, rhs: proof(rhs, lhs)


def _contrast_norm_cases(g, theta) -> list[Derivation]:
    r"""SZ-11: :math:`|(1+	heta)^{-\gamma}(1 - 2v)| \le 1`, :math:`v = \gamma t \ge 0`, the scaled
    eigenvalue along x: above by 1 for every v; below by -1 in the two cases
    :math:`v \le 1/2` (it is >= 0) and :math:`v > 1/2` (from :math:`\log(1+	heta) \ge t`,
    exponentiated, and :math:`e^{-v}(2v - 1) \le 2e^{-3/2} < 1`). The two cases cover
    :math:`v \ge 0`."""
    v = sp.Symbol("v", nonnegative=True)
    ell = sp.Symbol("ell", real=True)
    shrink = (1 + theta) ** (-g)
    upper = Derivation(
        "SZ-11", "Scaled eigenvalue along x: at most 1",
        steps=[Step(shrink * (1 - 2 * v), shrink, "<=", "v >= 0"),
               Step(shrink, 1, "<=", "equal at theta = 0; 1 - (1 + theta)^{-gamma} has slope "
                    "gamma (1 + theta)^{-gamma-1} >= 0",
                    proof=_le(_nonneg_from_zero_and_slope(theta)))],
        conclusion=Conclusion(shrink * (1 - 2 * v), "<=", 1),
    )
    small = Derivation(
        "SZ-11", "Scaled eigenvalue along x: at least -1 when 2 gamma t <= 1",
        premises=[Premise("case", v <= sp.Rational(1, 2), "first case: v = gamma t <= 1/2")],
        steps=[Step(shrink * (1 - 2 * v), 0, ">=", "1 - 2v >= 0 in this case", uses=("case",)),
               Step(0, -1, ">=", "")],
        conclusion=Conclusion(shrink * (1 - 2 * v), ">=", -1),
    )
    large = Derivation(
        "SZ-11", "Scaled eigenvalue along x: at least -1 when 2 gamma t > 1",
        premises=[Premise("ell", sp.Eq(theta, sp.exp(ell) - 1), "ell = log(1 + theta)"),
                  Premise("log", ell >= v / g, "log(1 + theta) >= theta/(1 + theta) = t = v/gamma "
                                               "(the derivation 'log(1 + theta) >= "
                                               "theta/(1 + theta)')"),
                  Premise("case", v > sp.Rational(1, 2), "second case: v = gamma t > 1/2")],
        steps=[Step(shrink * (2 * v - 1), sp.exp(-g * ell) * (2 * v - 1), "=",
                    "(1 + theta)^{-gamma} = exp(-gamma ell)", uses=("ell",)),
               Step(sp.exp(-g * ell) * (2 * v - 1), sp.exp(-v) * (2 * v - 1), "<=",
                    "exp is increasing, gamma ell >= v and 2v - 1 > 0: the log of the ratio is "
                    "v - gamma ell <= 0", proof=_log_ratio_nonpositive, uses=("log", "case")),
               Step(sp.exp(-v) * (2 * v - 1), 2 * sp.exp(-sp.Rational(3, 2)), "<=",
                    "the difference has its only critical point at v = 3/2, a minimum, where it "
                    "vanishes", proof=_le(_global_min_at_unique_critical_point(v))),
               Step(2 * sp.exp(-sp.Rational(3, 2)), 1, "<", "2 e^{-3/2} = 0.446...")],
        conclusion=Conclusion(shrink * (2 * v - 1), "<", 1),
    )
    return [upper, small, large]


# ------------------------------------------------------------------------------ SZ-13


def circulant_diagonalization() -> list[Derivation]:
    r"""SZ-13: a circular cross-correlation maps each Fourier mode to a multiple of itself.

    With :math:`y_i = \sum_{u=0}^{3} w_u x_{(i+u) \bmod N}` and
    :math:`x_j = e^{2\pi i kj/N}` (N-periodic, so the index wraps by itself):
    :math:`y_i = \big(\sum_u w_u e^{2\pi i ku/N}\big)\,x_i`, i.e. the DFT diagonalizes the layer
    with eigenvalues :math:`\hat w(-k)`.
    """
    w = sp.symbols("w0:4", real=True)
    k, i = sp.symbols("k i", integer=True)
    N = sp.Symbol("N", positive=True, integer=True)

    def mode(j):
        return sp.exp(2 * sp.pi * sp.I * k * j / N)

    y_i = sum(w[u] * mode(i + u) for u in range(4))
    what = sum(w[u] * mode(u) for u in range(4))
    d = Derivation(
        "SZ-13", "Circular convolutions are diagonalized by the DFT",
        steps=[Step(y_i, what * mode(i), "=", "e^{2 pi i k (i + u)/N} = e^{2 pi i k u/N} x_i")],
        conclusion=Conclusion(y_i, "=", what * mode(i)),
    )
    return [d]


def strided_aliasing() -> list[Derivation]:
    r"""SZ-13: aliasing identity (1-D, N = 4, stride 2) and Parseval on the N-grid.

    The M-point DFT of :math:`z(\Delta\,\cdot)` at k is :math:`\Delta^{-1}\sum_l \hat z(k + lM)` in
    1-D (:math:`\Delta^{-2}` in 2-D), and :math:`\|z\|^2 = N^{-1}\sum_j |\hat z(j)|^2`.
    """
    N, D = 4, 2
    M = N // D
    z = sp.symbols("z0:4", real=True)

    def dft(seq, L, k):
        return sum(seq[u] * sp.exp(-2 * sp.pi * sp.I * u * k / L) for u in range(L))

    zhat = [dft(z, N, j) for j in range(N)]
    sub = [z[D * i] for i in range(M)]
    out = []
    for k in range(M):
        lhs, rhs = dft(sub, M, k), sp.Rational(1, D) * sum(zhat[k + l * M] for l in range(D))
        out.append(Derivation(
            "SZ-13", f"Strided sampling aliases frequencies (k = {k})",
            steps=[Step(lhs, rhs, "=", f"the M-point DFT of z(Delta n) at k = {k} averages "
                        "z-hat(k + l M)")],
            conclusion=Conclusion(lhs, "=", rhs)))
    energy = sp.Rational(1, N) * sum(sp.expand(h * sp.conjugate(h)) for h in zhat)
    out.append(Derivation(
        "SZ-13", "Parseval on the N-grid",
        steps=[Step(sum(x**2 for x in z), energy, "=", "orthogonality of the Fourier modes")],
        conclusion=Conclusion(sum(x**2 for x in z), "=", energy)))
    return out


def printed_stride_formula() -> list[Derivation]:
    r"""SZ-13 (reading 13-P): the printed :math:`\Delta^{-2}` normalization is off by :math:`\Delta`.

    (i) Premises: the exact norm is :math:`\Delta^{-1}\max_k\sigma_{\max}(B(k))` (reading 13-A) and
    the printed formula is :math:`\Delta^{-2}\max_k\sigma_{\max}(B(k))`. Conclusion
    :math:`\|W\| = \Delta\cdot\text{printed}`. (ii) Pure subsampling (delta kernel): every B(k) is a
    row of :math:`\Delta^2` ones, so :math:`\sigma_B = \Delta`; then :math:`\|W\| = 1` while the
    printed value is :math:`1/\Delta`.
    """
    D = sp.Symbol("Delta", positive=True, integer=True)
    sigma_b, norm_w, printed = sp.symbols("sigma_B normW printed", positive=True)
    exact = Premise("exact", sp.Eq(norm_w, sigma_b / D), "reading 13-A: ||W|| = sigma_B/Delta")
    as_printed = Premise("as_printed", sp.Eq(printed, sigma_b / D**2),
                         "the printed formula: sigma_B/Delta^2")
    ratio = Derivation(
        "SZ-13", "The printed stride normalization is low by the factor Delta",
        premises=[exact, as_printed],
        steps=[Step(norm_w, sigma_b / D, "=", "corrected formula", uses=("exact",)),
               Step(sigma_b / D, D * (sigma_b / D**2), "=", "algebra"),
               Step(D * (sigma_b / D**2), D * printed, "=", "printed formula",
                    uses=("as_printed",))],
        conclusion=Conclusion(norm_w, "=", D * printed),
    )
    ones_row = Premise("ones_row", sp.Eq(sigma_b, sp.sqrt(D**2)),
                       "delta kernel: B(k) is a 1 x Delta^2 row of ones, sigma = sqrt(Delta^2)")
    subsampling = Derivation(
        "SZ-13", "Pure subsampling: the printed formula gives 1/Delta", premises=[as_printed, ones_row],
        steps=[Step(printed, sigma_b / D**2, "=", "printed formula", uses=("as_printed",)),
               Step(sigma_b / D**2, 1 / D, "=", "sigma_B = Delta", uses=("ones_row",))],
        conclusion=Conclusion(printed, "=", 1 / D),
    )
    exact_one = Derivation(
        "SZ-13", "Pure subsampling: the exact norm is 1", premises=[exact, ones_row],
        steps=[Step(norm_w, sigma_b / D, "=", "corrected formula", uses=("exact",)),
               Step(sigma_b / D, 1, "=", "sigma_B = Delta", uses=("ones_row",))],
        conclusion=Conclusion(norm_w, "=", 1),
    )
    return [ratio, subsampling, exact_one]


# ------------------------------------------------------------------------------ SZ-15, SZ-16, SZ-5


def certified_radius_bound() -> list[Derivation]:
    r"""SZ-15: the certified radius :math:`m(x)/(\sqrt2 L)`.

    (i) Cauchy-Schwarz with :math:`e_i - e_j`: :math:`(b_i - b_j)^2 \le 2(b_i^2 + b_j^2)
    \le 2\|b\|^2`, so :math:`z_i - z_j` is :math:`\sqrt2 L`-Lipschitz. (ii) Premises: the margin
    moves by :math:`\Delta m \le \sqrt2 L\|r\|` and :math:`\|r\| < m/(\sqrt2 L)`; conclusion
    :math:`\Delta m < m`: the margin cannot close. (iii) Tightness: for
    :math:`z = (a\cdot x, -a\cdot x)` (margin :math:`2a\cdot x`, :math:`L = \sqrt2\|a\|`) the radius
    equals the distance :math:`a\cdot x/\|a\|` to the boundary.
    """
    b1, b2 = sp.symbols("b1 b2", real=True)
    m, L, rn, dm, A, na, xi = sp.symbols("m L rnorm dm A anorm xi", positive=True)
    cs = Derivation(
        "SZ-15", "Logit differences are sqrt(2) L-Lipschitz",
        steps=[Step((b1 - b2) ** 2, 2 * (b1**2 + b2**2) - (b1 + b2) ** 2, "=", "algebra"),
               Step(2 * (b1**2 + b2**2) - (b1 + b2) ** 2, 2 * (b1**2 + b2**2), "<=",
                    "(b1 + b2)^2 >= 0")],
        conclusion=Conclusion((b1 - b2) ** 2, "<=", 2 * (b1**2 + b2**2)),
    )
    radius = Derivation(
        "SZ-15", "No label change within m/(sqrt 2 L)",
        premises=[Premise("lipschitz", dm <= sp.sqrt(2) * L * rn,
                          "the margin moves by at most sqrt(2) L ||r|| (i)"),
                  Premise("inside", rn < m / (sp.sqrt(2) * L), "||r|| < m/(sqrt(2) L)")],
        steps=[Step(dm, sp.sqrt(2) * L * rn, "<=", "Lipschitz margin", uses=("lipschitz",)),
               Step(sp.sqrt(2) * L * rn, m, "<", "inside the radius", uses=("inside",))],
        conclusion=Conclusion(dm, "<", m),
    )
    tight = Derivation(
        "SZ-15", "The constant sqrt(2) is tight",
        premises=[Premise("margin", sp.Eq(m, 2 * A), "z = (a.x, -a.x): margin 2 a.x = 2A"),
                  Premise("lip", sp.Eq(L, sp.sqrt(2) * na), "L = ||[a; -a]|| = sqrt(2) ||a||"),
                  Premise("distance", sp.Eq(xi, A / na), "distance to the boundary a.x = 0")],
        steps=[Step(m / (sp.sqrt(2) * L), 2 * A / (sp.sqrt(2) * sp.sqrt(2) * na), "=",
                    "margin and constant of the example", uses=("margin", "lip")),
               Step(2 * A / (sp.sqrt(2) * sp.sqrt(2) * na), xi, "=", "algebra",
                    uses=("distance",))],
        conclusion=Conclusion(m / (sp.sqrt(2) * L), "=", xi),
    )
    radius.expression = (m / (sp.sqrt(2) * L), (m, L))
    return [cs, radius, tight]


def zero_network() -> list[Derivation]:
    r"""SZ-16: :math:`\mathrm{ReLU}(W_2\,\mathrm{ReLU}(W_1x))` with :math:`W_1 = Ke_1e_1^T`,
    :math:`W_2 = Ke_2e_2^T` is identically zero, while its layer bounds are K and K."""
    K = sp.Symbol("K", positive=True)
    x1, x2 = sp.symbols("x1 x2", real=True)
    W1 = sp.Matrix([[K, 0], [0, 0]])
    W2 = sp.Matrix([[0, 0], [0, K]])
    h = (W1 * sp.Matrix([x1, x2])).applyfunc(lambda e: sp.Max(0, e))
    out = (W2 * h).applyfunc(lambda e: sp.Max(0, e))
    energy = out[0] ** 2 + out[1] ** 2
    network = Derivation(
        "SZ-16", "The network is identically zero",
        steps=[Step(energy, 0, "=", "W2 kills the first unit; the second hidden unit is max(0, 0)")],
        conclusion=Conclusion(energy, "=", 0),
    )
    sv2 = sp.Max(*(W1.T * W1).eigenvals()) * sp.Max(*(W2.T * W2).eigenvals())
    bounds = Derivation(
        "SZ-16", "The layer bounds multiply to K^2",
        steps=[Step(sp.sqrt(sv2), K**2, "=", "||W1|| ||W2|| = K K")],
        conclusion=Conclusion(sp.sqrt(sv2), "=", K**2),
    )
    return [network, bounds]


def l1_reading() -> list[Derivation]:
    r"""SZ-5: Hoelder bound for the L1 reading of ``|r|`` (two coordinates, ``r >= 0`` w.l.o.g.).

    Premise :math:`w_1 \ge w_2` (the other order is the same with the labels exchanged); conclusion
    :math:`w\cdot r \le \|w\|_\infty\|r\|_1`. So :math:`\min\|r\|_1` s.t. :math:`w\cdot r = \delta`
    is :math:`|\delta|/\|w\|_\infty`, all mass on :math:`\arg\max|w_i|`.
    """
    w1, w2, r1, r2 = sp.symbols("w1 w2 r1 r2", positive=True)
    d = Derivation(
        "SZ-5", "L1 reading of the penalty norm",
        premises=[Premise("largest", w1 >= w2, "w1 is the largest weight")],
        steps=[Step(w1 * r1 + w2 * r2, w1 * (r1 + r2), "<=", "w2 r2 <= w1 r2",
                    uses=("largest",))],
        conclusion=Conclusion(w1 * r1 + w2 * r2, "<=", w1 * (r1 + r2)),
    )
    return [d]
