"""Derivations for the spectrum-smoothness claims MAN-1, MAN-4, MAN-5 and MAN-8 (arXiv:2007.02047).

Each function returns a :class:`proofs.core.Derivation`; ``expression`` holds the closed form a test
compares with the numeric function in :mod:`theory.spectrum`.
"""

from __future__ import annotations

import sympy as sp
from advgeom.proofs.core import Derivation, Step

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
M = sp.Symbol("M", positive=True)
d = sp.Symbol("d", positive=True)
a = sp.Symbol("alpha", positive=True)
b = sp.Symbol("beta", positive=True)
e = sp.Symbol("epsilon", positive=True)
h = sp.Symbol("h", positive=True)
s = sp.Symbol("s", real=True)
t = sp.Symbol("t", positive=True)
u = sp.Symbol("u", positive=True)

#: The critical exponent :math:`\alpha^*(d) = 1 + 2/d`.
STRINGER_THRESHOLD = 1 + 2 / d


def _series_convergence_matches_threshold() -> bool:
    """sum n^(2/d - a) diverges at a = a* - 1/10 and a = a*, converges at a* + 1/10."""
    for dim in (1, 2, 3, 4, 8):
        crit = 1 + sp.Rational(2, dim)
        got = [
            sp.Sum(n ** (sp.Rational(2, dim) - x), (n, 1, sp.oo)).is_convergent()
            for x in (crit - sp.Rational(1, 10), crit, crit + sp.Rational(1, 10))
        ]
        if got != [False, False, True]:
            return False
    return True


def stringer_criterion() -> Derivation:
    """MAN-1 (reading 1-NEC): finite mean-square gradient forces :math:`\\alpha > 1 + 2/d`.

    With :math:`G_M = \\sum_{n\\le M}\\mathbb E|\\nabla\\phi_n|^2 \\ge c' M^{1+2/d}` (Ky Fan and
    Weyl's law) and :math:`\\lambda_n` non-increasing, :math:`\\mathbb E\\|\\nabla f\\|^2 \\ge
    \\lambda_M G_M \\ge c M^{1+2/d-\\alpha}`. Below the threshold this diverges; at it, summation
    by parts leaves the harmonic series; above it, the canonical code's energy is finite.
    """
    below = STRINGER_THRESHOLD - e
    above = STRINGER_THRESHOLD + e
    return Derivation("MAN-1", "Stringer criterion: necessity of alpha > 1 + 2/d", [
        Step(sp.Sum(2 * k**2, (k, 1, K)), K * (K + 1) * (2 * K + 1) / 3, "=",
             "Weyl's law on the circle (d = 1): the Neumann eigenvalues are k^2, twice each, so "
             "G_K grows as K^3 = K^(1 + 2/d)"),
        Step(M ** (-a) * M ** STRINGER_THRESHOLD, M ** (STRINGER_THRESHOLD - a), "=",
             "lambda_n >= c n^-alpha non-increasing: E|grad f|^2 >= lambda_M G_M >= c M^-alpha "
             "M^(1+2/d)"),
        Step(sp.Limit(M ** (STRINGER_THRESHOLD - below), M, sp.oo), sp.oo, "=",
             "below the threshold (alpha = 1 + 2/d - epsilon) the lower bound M^epsilon diverges "
             "(sympy evaluates the limit to oo)",
             proof=lambda: sp.Limit(M ** (STRINGER_THRESHOLD - below), M, sp.oo).doit() is sp.oo),
        Step(sp.Limit((1 - (1 + t) ** (-a)) / t, t, 0), a, "=",
             "at the threshold: lambda_n - lambda_(n+1) = n^-alpha (1 - (1 + 1/n)^-alpha) ~ "
             "alpha n^(-alpha-1) (limit in t = 1/n)"),
        Step((a * n ** (-a - 1) * n ** STRINGER_THRESHOLD).subs(a, STRINGER_THRESHOLD),
             STRINGER_THRESHOLD / n, "=",
             "so the summation-by-parts terms (lambda_n - lambda_(n+1)) G_n are of order 1/n"),
        Step(sp.Sum(1 / n, (n, 1, sp.oo)), sp.oo, "=",
             "the harmonic series diverges (sympy evaluates it to oo): alpha = 1 + 2/d is not "
             "enough either",
             proof=lambda: sp.Sum(1 / n, (n, 1, sp.oo)).doit() is sp.oo),
        Step(sp.Integral(n ** (2 / d - above), (n, 1, sp.oo)), 1 / e, "=",
             "above the threshold the canonical code (lambda_n = n^-alpha on the n-th Neumann "
             "mode) has finite energy: integral test with exponent -(1 + epsilon)"),
        Step(d / (above * d - d - 2), 1 / e, "=",
             "the same integral in the form d/(alpha d - d - 2)"),
        Step(1, 1, "=",
             "sympy's is_convergent: sum n^(2/d - alpha) diverges for alpha = alpha* - 1/10 and "
             "alpha = alpha*, converges for alpha* + 1/10, d in {1, 2, 3, 4, 8}",
             proof=_series_convergence_matches_threshold),
    ], expression=STRINGER_THRESHOLD)


def summation_by_parts(m: int = 6) -> Derivation:
    """MAN-1: :math:`\\sum_{n\\le M}\\lambda_n g_n = \\lambda_M G_M +
    \\sum_{n<M}(\\lambda_n-\\lambda_{n+1})G_n` for symbolic sequences (``M = m``)."""
    lam = sp.symbols(f"lambda_1:{m + 1}")
    g = sp.symbols(f"g_1:{m + 1}")
    G = [sum(g[: i + 1]) for i in range(m)]
    lhs = sum(lam[i] * g[i] for i in range(m))
    rhs = lam[-1] * G[-1] + sum((lam[i] - lam[i + 1]) * G[i] for i in range(m - 1))
    return Derivation("MAN-1", f"Summation by parts (M = {m})", [
        Step(lhs, rhs, "=", "Abel summation with G_n = g_1 + ... + g_n"),
    ])


def circle_code() -> Derivation:
    """MAN-1: the circle code's mean-square displacement and its small-``h`` behaviour.

    :math:`|f(s+h)-f(s)|^2 = \\sum_k k^{-\\alpha}\\,4\\sin^2(kh/2)` for every ``s``; the ``k``-th
    term over :math:`h^2` tends to :math:`k^{2-\\alpha}`, whose sum is the energy; for
    :math:`1<\\alpha<3` the sum scales as :math:`2I(\\alpha)h^{\\alpha-1}`.
    """
    x, z = sp.symbols("x z", real=True)
    one_mode = (sp.cos(x + 2 * z) - sp.cos(x)) ** 2 + (sp.sin(x + 2 * z) - sp.sin(x)) ** 2

    def chord() -> bool:
        expanded = sp.expand(sp.expand_trig(one_mode - 4 * sp.sin(z) ** 2))
        pythagoras = {sp.cos(x): sp.sqrt(1 - sp.sin(x) ** 2), sp.cos(z): sp.sqrt(1 - sp.sin(z) ** 2)}
        return sp.expand(expanded.subs(pythagoras)) == 0

    return Derivation("MAN-1", "Circle code: displacement and energy", [
        Step(one_mode, 4 * sp.sin(z) ** 2, "=",
             "x = ks, z = kh/2: each frequency moves its (cos, sin) pair by a chord of angle kh, "
             "independent of s (addition formulas and sin^2 + cos^2 = 1)", proof=chord),
        Step(sp.Integral(sp.cos(k * s) ** 2, (s, 0, 2 * sp.pi)) / (2 * sp.pi), sp.Rational(1, 2),
             "=", "s uniform: each coordinate k^(-alpha/2) cos(ks) has variance k^-alpha / 2, so the "
             "rank exponent is alpha"),
        Step(sp.Limit(4 * sp.sin(k * h / 2) ** 2 / h**2, h, 0), k**2, "=",
             "the difference quotient of mode k tends to k^2: M(h)/h^2 -> sum k^(2 - alpha)"),
        Step(sp.Limit(-sp.pi / (2 * sp.cos(sp.pi * a / 2) * sp.gamma(a)), a, 2), sp.pi / 2, "=",
             "the reflection form -pi/(2 cos(pi alpha/2) Gamma(alpha)) of I(alpha) is regular at 2"),
    ], expression=-sp.pi / (2 * sp.cos(sp.pi * a / 2) * sp.gamma(a)))


def reassigned_code() -> Derivation:
    """MAN-1 (reading 1-SUF refuted): same spectrum, infinite energy.

    :math:`g(s) = \\sum_n n^{-\\alpha/2}(\\cos(n^q s), \\sin(n^q s))`: the coordinates are uncorrelated
    (distinct integer frequencies), each pair with variance :math:`n^{-\\alpha}/2`, so the PCA
    spectrum is that of the circle code; the energy :math:`\\sum n^{2q-\\alpha}` diverges for
    :math:`\\alpha = 4 > 3`, :math:`q = 2`.
    """
    j = sp.Symbol("j", integer=True, nonzero=True)
    return Derivation("MAN-1", "A code above the threshold with infinite energy", [
        Step(sp.Integral(sp.cos(n**2 * s) ** 2, (s, 0, 2 * sp.pi)) / (2 * sp.pi),
             sp.Rational(1, 2), "=", "variance of the coordinate n^(-alpha/2) cos(n^2 s) is "
             "n^-alpha / 2: the spectrum exponent stays alpha"),
        Step(sp.Integral(sp.cos(j * s), (s, 0, 2 * sp.pi)), 0, "=",
             "j a non-zero integer; with cos A cos B = (cos(A - B) + cos(A + B))/2, distinct "
             "integer frequencies are orthogonal: the coordinates are uncorrelated"),
        Step((n**2) ** 2 * n ** (-4), 1, "=",
             "alpha = 4, q = 2: the mean-square derivative of pair n is m_n^2 n^-alpha = 1"),
        Step(sp.Sum(1, (n, 1, sp.oo)), sp.oo, "=",
             "so E|g'|^2 = sum 1 = infinity (sympy evaluates it to oo) although alpha = 4 > 1 + 2/1",
             proof=lambda: sp.Sum(1, (n, 1, sp.oo)).doit() is sp.oo),
    ])


def _var_log_positive() -> bool:
    """For N = 3, Var_beta(log n) is a positive combination of squares of distinct logs."""
    w = [sp.Integer(i) ** (-b) for i in (1, 2, 3)]
    terms = [
        w[i] * w[j] * (sp.log(i + 1) - sp.log(j + 1)) ** 2
        for i in range(3) for j in range(i + 1, 3)
    ]
    return all(sp.simplify(term).is_positive for term in terms)


def participation_ratio_monotone() -> Derivation:
    """MAN-4 (reading 4-PR): :math:`D = H_N(\\alpha)^2/H_N(2\\alpha)` decreases in :math:`\\alpha`.

    With :math:`m(\\beta) = \\sum_n \\log n\\, n^{-\\beta}/H_N(\\beta)`,
    :math:`\\tfrac{d}{d\\alpha}\\log D = 2(m(2\\alpha)-m(\\alpha))` and
    :math:`m'(\\beta) = -\\mathrm{Var}_\\beta(\\log n) < 0`; checked for ``N = 3``. Also
    :math:`\\zeta(2)^2/\\zeta(4) = 5/2`.
    """
    N = 3
    H = lambda x: sum(sp.Integer(i) ** (-x) for i in range(1, N + 1))  # noqa: E731
    L1 = lambda x: sum(sp.log(i) * sp.Integer(i) ** (-x) for i in range(1, N + 1))  # noqa: E731
    L2 = lambda x: sum(sp.log(i) ** 2 * sp.Integer(i) ** (-x) for i in range(1, N + 1))  # noqa: E731
    mean_log = lambda x: L1(x) / H(x)  # noqa: E731
    var_log = L2(b) / H(b) - mean_log(b) ** 2
    dlogD = sp.diff(sp.log(H(a) ** 2 / H(2 * a)), a)
    w = [sp.Integer(i) ** (-b) for i in (1, 2, 3)]
    pair_form = sum(
        w[i] * w[j] * (sp.log(i + 1) - sp.log(j + 1)) ** 2 for i in range(3) for j in range(i + 1, 3)
    ) / H(b) ** 2
    Nsym = sp.Symbol("N", integer=True, positive=True)
    D_expr = sp.Sum(n ** (-a), (n, 1, Nsym)) ** 2 / sp.Sum(n ** (-2 * a), (n, 1, Nsym))
    return Derivation("MAN-4", "Participation ratio of a power law", [
        Step(sp.zeta(2) ** 2 / sp.zeta(4), sp.Rational(5, 2), "=",
             "N -> infinity at alpha = 2: (pi^2/6)^2 / (pi^4/90)"),
        Step(dlogD, 2 * (mean_log(2 * a) - mean_log(a)), "=",
             "logarithmic derivative of H_N(alpha)^2 / H_N(2 alpha), N = 3 (the numerator of the "
             "difference over a common denominator expands to 0)",
             proof=lambda: sp.expand(
                 sp.numer(sp.together(dlogD - 2 * (mean_log(2 * a) - mean_log(a))))) == 0),
        Step(sp.diff(mean_log(b), b), -var_log, "=",
             "m'(beta) = -Var_beta(log n): the mean of log n under weights n^-beta"),
        Step(var_log, pair_form, "=",
             "the variance as a weighted sum of squared differences of distinct logs"),
        Step(pair_form, 0, ">",
             "every term is a product of positive weights and a non-zero square, so m decreases "
             "strictly and m(2 alpha) < m(alpha): D decreases in alpha",
             proof=_var_log_positive),
        Step(D_expr.subs({Nsym: 4, a: 0}), 4, "=", "D(0, N) = N: a flat spectrum uses every mode"),
    ], expression=D_expr)


def reparametrization() -> Derivation:
    """MAN-5 / MAN-8: any spectrum without changing the function (2-D, a rotation by
    ``atan(4/3)``, symbolic eigenvalues, readout, mean and input).

    With :math:`C = U\\Lambda U^T`, :math:`T = \\mathrm{diag}(n^{-\\beta/2})\\Lambda^{-1/2}U^T`:
    :math:`TCT^T = \\mathrm{diag}(1, 2^{-\\beta})` and :math:`BT^{-1}T(h-m) + Bm = Bh`.
    """
    l1, l2 = sp.symbols("l_1 l_2", positive=True)
    c, sn = sp.Rational(3, 5), sp.Rational(4, 5)
    U = sp.Matrix([[c, -sn], [sn, c]])
    C = U * sp.diag(l1, l2) * U.T
    T = sp.diag(1, 2 ** (-b / 2)) * sp.diag(1 / sp.sqrt(l1), 1 / sp.sqrt(l2)) * U.T
    Bm = sp.Matrix(2, 2, sp.symbols("B_11 B_12 B_21 B_22"))
    hv = sp.Matrix(sp.symbols("h_1 h_2"))
    mv = sp.Matrix(sp.symbols("m_1 m_2"))
    new_logits = Bm * T.inv() * (T * (hv - mv)) + Bm * mv
    return Derivation("MAN-5", "Function-preserving change of spectrum", [
        Step(sp.simplify(T * C * T.T - sp.diag(1, 2 ** (-b))).norm(), 0, "=",
             "the covariance of h' = T(h - m) is diag(1, 2^-beta): exponent beta"),
        Step(sp.simplify((new_logits - Bm * hv).norm()), 0, "=",
             "B' h' + B m = B T^-1 T (h - m) + B m = B h for every h: same logits"),
    ])


def linear_attacks() -> Derivation:
    """MAN-8: closed forms of the linear Gaussian model :math:`x = y\\mu + z`.

    FGSM moves :math:`x` by :math:`-\\varepsilon y\\,\\mathrm{sign}(w)`, lowering the margin by
    :math:`\\varepsilon\\|w\\|_1`; Gaussian noise adds variance :math:`\\sigma^2\\|w\\|_2^2`.
    """
    w = sp.symbols("w_1:4", real=True, nonzero=True)
    sig = sp.Symbol("sigma", positive=True)
    mu = sp.Symbol("m", positive=True)
    wn = sp.sqrt(sum(x**2 for x in w))
    margin_drop = sum(x * e * sp.sign(x) for x in w)
    return Derivation("MAN-8", "Linear Gaussian model under noise and FGSM", [
        Step(margin_drop, e * sum(sp.Abs(x) for x in w), "=",
             "FGSM: y w.(x - eps y sign(w)) = y w.x - eps |w|_1 (p = 3 shown)"),
        Step(sum(x**2 for x in w) + sig**2 * sum(x**2 for x in w), wn**2 * (1 + sig**2), "=",
             "w.z + sigma w.xi is N(0, |w|^2 (1 + sigma^2)) for independent z, xi"),
        Step(sum(sp.Abs(x) for x in w) ** 2, wn**2, ">=",
             "|w|_1 >= |w|_2: FGSM costs at least eps |w|_2 of margin, and up to sqrt(p) times "
             "more; Gaussian accuracy sees only |w|_2",
             proof=lambda: sp.expand(sum(sp.Abs(x) for x in w) ** 2 - wn**2).is_nonnegative),
    ], expression=(sp.erfc(-(mu - e * sum(sp.Abs(x) for x in w)) / (wn * sp.sqrt(2))) / 2))
