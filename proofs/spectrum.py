"""Derivations for the spectrum-smoothness claims MAN-1, MAN-4, MAN-5 and MAN-8 (arXiv:2007.02047).

Each function returns one :class:`advgeom.proofs.core.Derivation` that derives one conclusion: from
stated premises where the argument has hypotheses (MAN-1 necessity), otherwise a single identity or
inequality checked by sympy. ``expression`` holds a closed form a test compares with an
independent numeric method.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
M = sp.Symbol("M", integer=True, positive=True)
d = sp.Symbol("d", positive=True)
a = sp.Symbol("alpha", positive=True)
b = sp.Symbol("beta", positive=True)
e = sp.Symbol("epsilon", positive=True)
h = sp.Symbol("h", positive=True)
s = sp.Symbol("s", real=True)
t = sp.Symbol("t", positive=True)
c = sp.Symbol("c", positive=True)
w = sp.Symbol("c_W", positive=True)

#: The critical exponent :math:`\alpha^*(d) = 1 + 2/d`.
STRINGER_THRESHOLD = 1 + 2 / d


def _tangent_lower_bound(expr: sp.Expr) -> sp.Expr:
    """A lower bound of ``expr``: every term ``coeff * q**x`` (``q > 0`` a number, ``x`` symbolic,
    ``coeff`` provably >= 0) is replaced by ``coeff * (1 + x log q)``; valid because
    ``q**x = exp(x log q) >= 1 + x log q`` for every real ``x`` (convexity of exp)."""
    out = 0
    for term in sp.Add.make_args(sp.expand(sp.powsimp(sp.expand(expr), combine="base"))):
        coeff, pows = sp.Integer(1), []
        for factor in sp.Mul.make_args(term):
            base, ex = factor.as_base_exp()
            if base.is_number and base.is_positive and ex.free_symbols:
                pows.append((base, ex))
            else:
                coeff *= factor
        if len(pows) == 1 and coeff.is_nonnegative:
            q, x = pows[0]
            out += coeff * (1 + x * sp.log(q))
        else:
            out += term
    return sp.expand(out)


def _at_least_by_convexity(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """``lhs >= rhs``: sympy proves the sign of a lower bound of ``lhs - rhs``
    (:func:`_tangent_lower_bound`)."""
    return bool(_tangent_lower_bound(sp.sympify(lhs) - sp.sympify(rhs)).is_nonnegative)


def stringer_necessity(m: int = 4) -> Derivation:
    """MAN-1 (reading 1-NEC): at or below the threshold the mean-square gradient is unbounded.

    Setting: ``f - Ef = sum_n sqrt(lambda_n) u_n phi_n`` (Karhunen-Loeve) with ``phi_n``
    orthonormal in ``L^2(p)`` and orthogonal to the constants, so that the energy is
    ``E|grad f|^2 = sum_n lambda_n g_n`` with ``g_n = E|grad phi_n|^2 / E[phi_n^2]`` (the
    normalized Rayleigh quotient of ``phi_n``; ``E[phi_n^2] = 1``). ``G_n = g_1 + ... + g_n``.

    Premises, for ``n <= M``:

    * ``mono_n``: ``lambda_n >= lambda_(n+1)`` (eigenvalues in descending order);
    * ``kyfan_n``: ``G_n >= mu_2 + ... + mu_(n+1)`` (Ky Fan: the sum of the Rayleigh quotients of
      ``n`` orthonormal functions orthogonal to the constants is at least the sum of the ``n``
      smallest non-zero weighted Neumann eigenvalues ``mu_2 <= mu_3 <= ...``);
    * ``weyl_n``: ``mu_(n+1) >= c_W n^(2/d)`` (Weyl's law, cited);
    * ``power_n``: ``lambda_n >= c n^-alpha`` (the hypothesis; not an exact power law);
    * ``threshold``: ``alpha <= 1 + 2/d``.

    Steps: Abel summation rewrites ``sum lambda_n g_n`` as ``lambda_M G_M + sum (lambda_n -
    lambda_(n+1)) G_n``, whose coefficients are >= 0 by ``mono``, so ``kyfan`` may replace
    ``G_n`` by its lower bound, giving ``sum lambda_n mu_(n+1)``; then ``power`` and ``weyl``
    bound each term by ``c c_W n^(2/d - alpha)``, and ``threshold`` gives ``n^(2/d - alpha) >=
    1/n``. Conclusion: ``E_M >= c c_W H_M``, with ``H_M`` the harmonic number, for the ``M`` given
    (the algebra is the same for every ``M``); since ``H_M -> infinity``, a finite energy forces
    ``alpha > 1 + 2/d``. At ``alpha = 1 + 2/d`` no exact power law is needed.
    """
    lam = sp.symbols(f"lambda_1:{m + 1}", positive=True)
    G = sp.symbols(f"G_1:{m + 1}", positive=True)
    mu = sp.symbols(f"mu_2:{m + 2}", positive=True)
    Gs = (0, *G)
    energy = sum(lam[i] * (Gs[i + 1] - Gs[i]) for i in range(m))
    premises = [Premise(f"mono_{i + 1}", lam[i] >= lam[i + 1], "eigenvalues in descending order")
                for i in range(m - 1)]
    premises += [Premise(f"kyfan_{i + 1}", G[i] >= sum(mu[: i + 1]),
                         "Ky Fan: normalized quotients of orthonormal functions, orthogonal to "
                         "constants, sum to at least the smallest Neumann eigenvalues")
                 for i in range(m)]
    premises += [Premise(f"weyl_{i + 1}", mu[i] >= w * sp.Integer(i + 1) ** (2 / d),
                         "Weyl's law (cited): mu_(n+1) >= c_W n^(2/d)") for i in range(m)]
    premises += [Premise(f"power_{i + 1}", lam[i] >= c * sp.Integer(i + 1) ** (-a),
                         "hypothesis: lambda_n >= c n^-alpha") for i in range(m)]
    premises.append(Premise("threshold", a <= STRINGER_THRESHOLD,
                            "the exponent is at most 1 + 2/d"))
    spectral = sum(lam[i] * mu[i] for i in range(m))
    bound = c * w * sum(sp.Integer(i) ** (2 / d - a) for i in range(1, m + 1))
    harmonic = c * w * sum(sp.Rational(1, i) for i in range(1, m + 1))
    return Derivation(
        "MAN-1", f"Necessity of alpha > 1 + 2/d: Abel summation with Ky Fan sums (M = {m})",
        premises=premises,
        steps=[
            Step(energy, spectral, ">=",
                 "Abel summation: sum lambda_n g_n = lambda_M G_M + sum_(n<M) (lambda_n - "
                 "lambda_(n+1)) G_n with non-negative coefficients (mono); replace each G_n by its "
                 "Ky Fan lower bound (kyfan) and sum back by parts",
                 uses=tuple(p.name for p in premises if p.name.startswith(("mono", "kyfan")))),
            Step(spectral, bound, ">=",
                 "each term lambda_n mu_(n+1) >= c n^-alpha c_W n^(2/d) (power, weyl; all "
                 "factors positive)",
                 uses=tuple(p.name for p in premises if p.name.startswith(("power", "weyl")))),
            Step(bound, harmonic, ">=",
                 "alpha <= 1 + 2/d (threshold): n^(2/d - alpha) = n^(-1) n^s with s >= 0, and "
                 "n^s = exp(s log n) >= 1 + s log n >= 1",
                 proof=_at_least_by_convexity, uses=("threshold",)),
        ],
        conclusion=Conclusion(energy, ">=", harmonic),
        expression=STRINGER_THRESHOLD,
    )


def summation_by_parts(m: int = 6) -> Derivation:
    """MAN-1: :math:`\\sum_{n\\le M}\\lambda_n g_n = \\lambda_M G_M +
    \\sum_{n<M}(\\lambda_n-\\lambda_{n+1})G_n` for symbolic sequences (``M = m``), the identity
    behind the first step of :func:`stringer_necessity`."""
    lam = sp.symbols(f"lambda_1:{m + 1}")
    g = sp.symbols(f"g_1:{m + 1}")
    G = [sum(g[: i + 1]) for i in range(m)]
    lhs = sum(lam[i] * g[i] for i in range(m))
    rhs = lam[-1] * G[-1] + sum((lam[i] - lam[i + 1]) * G[i] for i in range(m - 1))
    return Derivation("MAN-1", f"Summation by parts (M = {m})", [
        Step(lhs, rhs, "=", "Abel summation with G_n = g_1 + ... + g_n"),
    ])


def _chord_identity(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """``lhs = rhs`` for trigonometric polynomials in ``x, z``: addition formulas, then
    ``cos^2 = 1 - sin^2``."""
    x, z = sp.symbols("x z", real=True)
    expanded = sp.expand(sp.expand_trig(lhs - rhs))
    pythagoras = {sp.cos(x): sp.sqrt(1 - sp.sin(x) ** 2), sp.cos(z): sp.sqrt(1 - sp.sin(z) ** 2)}
    return sp.expand(expanded.subs(pythagoras)) == 0


def circle_code_chord() -> Derivation:
    """MAN-1: one mode of the circle code moves by a chord of angle ``kh``, whatever ``s``:
    :math:`|f(s+h)-f(s)|^2 = \\sum_k k^{-\\alpha}\\,4\\sin^2(kh/2)`."""
    x, z = sp.symbols("x z", real=True)
    one_mode = (sp.cos(x + 2 * z) - sp.cos(x)) ** 2 + (sp.sin(x + 2 * z) - sp.sin(x)) ** 2
    return Derivation("MAN-1", "Circle code: the displacement of one mode", [
        Step(one_mode, 4 * sp.sin(z) ** 2, "=",
             "x = ks, z = kh/2: addition formulas and sin^2 + cos^2 = 1; independent of s",
             proof=_chord_identity),
    ])


def circle_code_variance() -> Derivation:
    """MAN-1: each coordinate ``k^(-alpha/2) cos(ks)`` of the circle code has variance
    ``k^-alpha / 2`` under ``s ~ U[0, 2 pi)``: the rank exponent is ``alpha``."""
    return Derivation("MAN-1", "Circle code: variance of a coordinate", [
        Step(sp.Integral(sp.cos(k * s) ** 2, (s, 0, 2 * sp.pi)) / (2 * sp.pi), sp.Rational(1, 2),
             "=", "mean of cos^2(ks) over a period"),
    ])


def circle_code_quotient() -> Derivation:
    """MAN-1: the difference quotient of mode ``k`` tends to ``k^2``, so
    :math:`M(h)/h^2 \\to \\sum_k k^{2-\\alpha}`, the energy."""
    return Derivation("MAN-1", "Circle code: limit of the difference quotient", [
        Step(sp.Limit(4 * sp.sin(k * h / 2) ** 2 / h**2, h, 0), k**2, "=",
             "sin(u) ~ u as u -> 0"),
    ])


def circle_code_constant() -> Derivation:
    """MAN-1: :math:`I(\\alpha) = -\\pi/(2\\cos(\\pi\\alpha/2)\\Gamma(\\alpha))`, the constant of
    :math:`M(h) \\sim 2I(\\alpha)h^{\\alpha-1}`, is regular at ``alpha = 2`` with value ``pi/2``;
    ``expression`` is the reflection form."""
    form = -sp.pi / (2 * sp.cos(sp.pi * a / 2) * sp.gamma(a))
    return Derivation("MAN-1", "Circle code: the constant I(alpha) at alpha = 2", [
        Step(sp.Limit(form, a, 2), sp.pi / 2, "=",
             "removable singularity of the reflection form at alpha = 2 (l'Hopital)"),
    ], expression=form)


def reassigned_code_variance() -> Derivation:
    """MAN-1 (reading 1-SUF): the coordinate ``n^(-alpha/2) cos(n^2 s)`` has variance
    ``n^-alpha / 2``: the reassigned code keeps the spectrum exponent ``alpha``."""
    return Derivation("MAN-1", "Reassigned code: variance of a coordinate", [
        Step(sp.Integral(sp.cos(n**2 * s) ** 2, (s, 0, 2 * sp.pi)) / (2 * sp.pi),
             sp.Rational(1, 2), "=", "mean of cos^2 over a whole number of periods"),
    ])


def reassigned_code_orthogonality() -> Derivation:
    """MAN-1 (1-SUF): distinct integer frequencies are orthogonal on the circle (``j = m_n -
    m_n'`` or ``m_n + m_n'``, non-zero), so the coordinates are uncorrelated and the PCA
    spectrum is that of the circle code."""
    j = sp.Symbol("j", integer=True, nonzero=True)
    return Derivation("MAN-1", "Reassigned code: orthogonality of distinct frequencies", [
        Step(sp.Integral(sp.cos(j * s), (s, 0, 2 * sp.pi)), 0, "=",
             "cos A cos B = (cos(A - B) + cos(A + B))/2 with A - B, A + B non-zero integers"),
    ])


def reassigned_code_pair_energy() -> Derivation:
    """MAN-1 (1-SUF): at ``alpha = 4``, ``q = 2`` the pair ``n`` of the reassigned code
    contributes mean-square derivative 1."""
    g1 = n ** (-2) * sp.cos(n**2 * s)
    g2 = n ** (-2) * sp.sin(n**2 * s)
    pair = sp.Integral(sp.diff(g1, s) ** 2 + sp.diff(g2, s) ** 2, (s, 0, 2 * sp.pi)) / (2 * sp.pi)
    return Derivation("MAN-1", "Reassigned code: mean-square derivative of one pair", [
        Step(pair, 1, "=", "d/ds of n^-2 (cos, sin)(n^2 s) has squared length n^4 n^-4 = 1"),
    ])


def reassigned_code_partial_energy() -> Derivation:
    """MAN-1 (1-SUF): summing the pairs ``n <= M`` (each 1, :func:`reassigned_code_pair_energy`)
    gives the partial energy ``M``, unbounded although ``alpha = 4 > 3 = 1 + 2/1``."""
    return Derivation("MAN-1", "Reassigned code: partial energies", [
        Step(sp.Sum(1, (n, 1, M)), M, "=", "M pairs of energy 1"),
    ])


def _var_log_terms() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """For ``N = 3``: ``-m'(beta)``, ``Var_beta(log n)`` and its pair form."""
    H = sum(sp.Integer(i) ** (-b) for i in (1, 2, 3))
    L1 = sum(sp.log(i) * sp.Integer(i) ** (-b) for i in (1, 2, 3))
    L2 = sum(sp.log(i) ** 2 * sp.Integer(i) ** (-b) for i in (1, 2, 3))
    var_log = L2 / H - (L1 / H) ** 2
    wts = [sp.Integer(i) ** (-b) for i in (1, 2, 3)]
    pair_form = sp.Add(*[
        wts[i] * wts[j] * (sp.log(i + 1) - sp.log(j + 1)) ** 2 for i in range(3)
        for j in range(i + 1, 3)
    ], evaluate=False) / H**2
    return -sp.diff(L1 / H, b), var_log, pair_form


def _positive_terms(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """``lhs > rhs``: ``lhs - rhs``, distributed over its sum (squares kept), is a sum of terms
    each of which sympy proves positive."""
    terms = sp.Add.make_args(sp.expand_mul(sp.sympify(lhs) - sp.sympify(rhs)))
    return all(sp.simplify(term).is_positive for term in terms)


def mean_log_decreasing() -> Derivation:
    """MAN-4 (reading 4-PR): :math:`-m'(\\beta) = \\mathrm{Var}_\\beta(\\log n) > 0` for ``N = 3``,
    with :math:`m(\\beta) = \\sum_n \\log n\\, n^{-\\beta}/H_N(\\beta)`; so ``m`` decreases and
    :math:`\\tfrac{d}{d\\alpha}\\log D = 2(m(2\\alpha)-m(\\alpha)) < 0`."""
    neg_dm, var_log, pair_form = _var_log_terms()
    return Derivation("MAN-4", "The mean of log n decreases in beta (N = 3)", [
        Step(neg_dm, var_log, "=", "quotient rule: -d/dbeta of L1/H is L2/H - (L1/H)^2"),
        Step(var_log, pair_form, "=",
             "the variance as a weighted sum of squared differences of distinct logs"),
        Step(pair_form, 0, ">",
             "each term is a product of positive weights and a non-zero square",
             proof=_positive_terms),
    ])


def _same_rational_function(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """``lhs = rhs``: the numerator of their difference over a common denominator expands to 0."""
    return sp.expand(sp.numer(sp.together(sp.sympify(lhs) - sp.sympify(rhs)))) == 0


def log_participation_ratio_derivative() -> Derivation:
    """MAN-4 (4-PR): :math:`\\tfrac{d}{d\\alpha}\\log(H_N(\\alpha)^2/H_N(2\\alpha)) =
    2(m(2\\alpha) - m(\\alpha))` for ``N = 3``; ``expression`` is :math:`D(\\alpha, N)` for
    symbolic ``N``."""
    N = 3
    H = lambda x: sum(sp.Integer(i) ** (-x) for i in range(1, N + 1))  # noqa: E731
    L1 = lambda x: sum(sp.log(i) * sp.Integer(i) ** (-x) for i in range(1, N + 1))  # noqa: E731
    mean_log = lambda x: L1(x) / H(x)  # noqa: E731
    Nsym = sp.Symbol("N", integer=True, positive=True)
    D_expr = sp.Sum(n ** (-a), (n, 1, Nsym)) ** 2 / sp.Sum(n ** (-2 * a), (n, 1, Nsym))
    return Derivation("MAN-4", "Logarithmic derivative of the participation ratio (N = 3)", [
        Step(sp.diff(sp.log(H(a) ** 2 / H(2 * a)), a), 2 * (mean_log(2 * a) - mean_log(a)), "=",
             "chain rule; d/dalpha H(2 alpha) = -2 L1(2 alpha)", proof=_same_rational_function),
    ], expression=D_expr)


def participation_ratio_limit() -> Derivation:
    """MAN-4 (4-PR): :math:`\\zeta(2)^2/\\zeta(4) = 5/2`, the ``N -> infinity`` limit at
    ``alpha = 2``."""
    return Derivation("MAN-4", "Participation ratio of n^-2", [
        Step(sp.zeta(2) ** 2 / sp.zeta(4), sp.Rational(5, 2), "=", "(pi^2/6)^2 / (pi^4/90)"),
    ])


def reparametrization_covariance() -> Derivation:
    """MAN-5 / MAN-8: with :math:`C = U\\Lambda U^T` (2-D, a rotation by ``atan(4/3)``, symbolic
    eigenvalues) and :math:`T = \\mathrm{diag}(n^{-\\beta/2})\\Lambda^{-1/2}U^T`, the covariance
    :math:`TCT^T` of ``h' = T(h - m)`` is ``diag(1, 2^-beta)``: the squared entries of the
    difference sum to 0."""
    l1, l2 = sp.symbols("l_1 l_2", positive=True)
    cs, sn = sp.Rational(3, 5), sp.Rational(4, 5)
    U = sp.Matrix([[cs, -sn], [sn, cs]])
    C = U * sp.diag(l1, l2) * U.T
    T = sp.diag(1, 2 ** (-b / 2)) * sp.diag(1 / sp.sqrt(l1), 1 / sp.sqrt(l2)) * U.T
    residual = T * C * T.T - sp.diag(1, 2 ** (-b))
    return Derivation("MAN-5", "Function-preserving change of spectrum: the covariance", [
        Step(sum(x**2 for x in residual), 0, "=", "U^T U = I, so T C T^T = diag(n^-beta)"),
    ])


def reparametrization_logits() -> Derivation:
    """MAN-5 / MAN-8: :math:`B'h' + Bm = BT^{-1}T(h-m) + Bm = Bh` for every ``h`` (2-D, symbolic
    readout, mean and input): the same logits."""
    l1, l2 = sp.symbols("l_1 l_2", positive=True)
    cs, sn = sp.Rational(3, 5), sp.Rational(4, 5)
    U = sp.Matrix([[cs, -sn], [sn, cs]])
    T = sp.diag(1, 2 ** (-b / 2)) * sp.diag(1 / sp.sqrt(l1), 1 / sp.sqrt(l2)) * U.T
    Bm = sp.Matrix(2, 2, sp.symbols("B_11 B_12 B_21 B_22"))
    hv = sp.Matrix(sp.symbols("h_1 h_2"))
    mv = sp.Matrix(sp.symbols("m_1 m_2"))
    residual = Bm * T.inv() * (T * (hv - mv)) + Bm * mv - Bm * hv
    return Derivation("MAN-5", "Function-preserving change of spectrum: the logits", [
        Step(sum(x**2 for x in residual), 0, "=", "T^-1 T = I"),
    ])


_W3 = sp.symbols("w_1:4", real=True, nonzero=True)


def fgsm_margin_drop() -> Derivation:
    """MAN-8: FGSM moves ``x`` by ``-eps y sign(w)``, lowering the margin ``y w.x`` by
    ``eps |w|_1`` (``p = 3`` shown); ``expression`` is the FGSM accuracy
    :math:`\\Phi((w\\cdot\\mu - \\varepsilon\\|w\\|_1)/\\|w\\|_2)` with ``m = w.mu``."""
    mu = sp.Symbol("m", positive=True)
    wn = sp.sqrt(sum(x**2 for x in _W3))
    return Derivation("MAN-8", "Linear model: the FGSM margin drop", [
        Step(sum(x * e * sp.sign(x) for x in _W3), e * sum(sp.Abs(x) for x in _W3), "=",
             "x sign(x) = |x| for x != 0"),
    ], expression=sp.erfc(-(mu - e * sum(sp.Abs(x) for x in _W3)) / (wn * sp.sqrt(2))) / 2)


def gaussian_margin_variance() -> Derivation:
    """MAN-8: ``w.z + sigma w.xi`` has variance ``|w|^2 (1 + sigma^2)`` for independent standard
    normal ``z, xi`` (``p = 3`` shown): Gaussian accuracy sees only ``|w|_2``."""
    sig = sp.Symbol("sigma", positive=True)
    wn2 = sum(x**2 for x in _W3)
    return Derivation("MAN-8", "Linear model: the margin variance under noise", [
        Step(sum(x**2 for x in _W3) + sig**2 * sum(x**2 for x in _W3), wn2 * (1 + sig**2), "=",
             "variances of independent terms add"),
    ])


def l1_at_least_l2() -> Derivation:
    """MAN-8: ``|w|_1^2 >= |w|_2^2`` (``p = 3``): FGSM costs at least ``eps |w|_2`` of margin."""
    return Derivation("MAN-8", "Linear model: |w|_1 >= |w|_2", [
        Step(sum(sp.Abs(x) for x in _W3) ** 2, sum(x**2 for x in _W3), ">=",
             "the square of the sum adds the non-negative cross terms 2 |w_i| |w_j|"),
    ])
