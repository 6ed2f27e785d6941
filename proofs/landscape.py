"""Derivations for Dube (arXiv:1801.00634), DUBE-3: saddles against minima.

Each function returns a tuple of :class:`proofs.core.Derivation` objects, each one chain of checked
steps from its premises to its conclusion; the first carries ``expression``.

* separable landscapes: the binomial count of critical points by index, and an explicit
  enumeration with sympy for small ``k`` and ``n``;
* GOE(2): the positive-definite cone and its solid angle;
* GOE(3), GOE(4): de Bruijn's Pfaffian evaluated symbolically with the exact Mehta recurrences.
"""

from __future__ import annotations

import itertools
import math

import sympy as sp
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step

__all__ = [
    "goe_exact_pfaffian",
    "goe_two_by_two_cone",
    "iid_sign_counts",
    "separable_count_identity",
    "separable_enumeration",
]


def iid_sign_counts() -> tuple[Derivation, ...]:
    """3a: with fair independent signs, ``P(min) = 2^-n`` and saddles per minimum ``2^n - 2``."""
    n = sp.symbols("n", positive=True, integer=True)
    j = sp.symbols("j", integer=True, nonnegative=True)
    p = sp.Symbol("P", positive=True)
    p_min = sp.Rational(1, 2) ** n
    ratio = Derivation(
        "DUBE-3", "Saddles per minimum with independent fair Hessian signs",
        premises=[Premise("coins", sp.Eq(p, p_min),
                          "n independent fair signs are all positive with probability 2^-n; all "
                          "negative (a maximum) equally likely")],
        steps=[Step((1 - 2 * p) / p, 2**n - 2, "=",
                    "saddles per minimum: (1 - P(min) - P(max)) / P(min)", uses=("coins",))],
        conclusion=Conclusion((1 - 2 * p) / p, "=", 2**n - 2), expression=p_min)
    law = Derivation("DUBE-3", "The index is Binomial(n, 1/2)", [
        Step(sp.Sum(sp.binomial(n, j) * sp.Rational(1, 2) ** n, (j, 0, n)), 1, "=",
             "the index probabilities sum to 1")])
    return ratio, law


def separable_count_identity() -> tuple[Derivation, ...]:
    """3c: :math:`\\sum_j\\binom nj k^{n-j}(k-1)^j=(2k-1)^n` and the saddle ratio."""
    n, k = sp.symbols("n k", positive=True, integer=True)
    j = sp.symbols("j", integer=True, nonnegative=True)
    crit = sp.Symbol("C", positive=True)
    by_index = sp.binomial(n, j) * k ** (n - j) * (k - 1) ** j
    total = Derivation("DUBE-3", "Critical points of a separable landscape", [
        Step(sp.Sum(by_index, (j, 0, n)), (2 * k - 1) ** n, "=",
             "each coordinate sits at one of k minima or k - 1 maxima of g; index j = number of "
             "coordinates at a maximum (binomial theorem)")],
        expression=((2 * k - 1) ** n - k**n - (k - 1) ** n) / k**n)
    ratio = Derivation(
        "DUBE-3", "Saddles per minimum of a separable landscape",
        premises=[Premise("count", sp.Eq(crit, (2 * k - 1) ** n),
                          "(2k - 1)^n critical points (above), k^n minima, (k - 1)^n maxima")],
        steps=[Step((crit - k**n - (k - 1) ** n) / k**n, ((2 * k - 1) / k) ** n - 1
                    - ((k - 1) / k) ** n, "=", "divide by the k^n minima", uses=("count",))],
        conclusion=Conclusion((crit - k**n - (k - 1) ** n) / k**n, "=",
                              ((2 * k - 1) / k) ** n - 1 - ((k - 1) / k) ** n))
    base = Derivation("DUBE-3", "The base (2k - 1)/k is below 2", [
        Step((2 * k - 1) / k, 2, "<", "(2k - 1)/k = 2 - 1/k")])
    return total, ratio, base


def _enumerated_counts(k: int, n: int) -> tuple[int, ...]:
    """Index counts of f(x) = sum g(x_i) with g' = prod_{j=1}^{2k-1} (x - j), solved by sympy."""
    x = sp.symbols(f"x1:{n + 1}", real=True)
    t = sp.symbols("t", real=True)
    g_prime = sp.prod([t - j for j in range(1, 2 * k)])
    g = sp.integrate(g_prime, t)
    f = sum(g.subs(t, xi) for xi in x)
    grad = [sp.diff(f, xi) for xi in x]
    hess = sp.hessian(f, x)
    counts = [0] * (n + 1)
    for sol in sp.solve(grad, x, dict=True):
        h = hess.subs(sol)
        eig = [h[i, i] for i in range(n)]                 # separable: the Hessian is diagonal
        if any(e == 0 for e in eig):
            raise ArithmeticError("degenerate critical point")
        counts[sum(1 for e in eig if e < 0)] += 1
    return tuple(counts)


def separable_enumeration(k: int, n: int) -> tuple[Derivation, ...]:
    """3c: solve :math:`\\nabla f=0` and count Hessian signatures for a concrete ``g``; each count
    (from ``sympy.solve``) is compared with the binomial formula."""
    counts = _enumerated_counts(k, n)
    where = f"g' = prod_(j=1)^(2k-1) (x - j), k = {k}, n = {n}"
    out = [Derivation("DUBE-3", f"Enumerated critical points, k = {k}, n = {n}", [
        Step(sp.Integer(sum(counts)), sp.Integer(2 * k - 1) ** n, "=",
             f"sympy.solve finds (2k-1)^n critical points of sum g(x_i), {where}")],
        expression=sp.Integer(counts[0]))]
    for j, c in enumerate(counts):
        out.append(Derivation("DUBE-3", f"Enumerated index-{j} points, k = {k}, n = {n}", [
            Step(sp.Integer(c), sp.Integer(math.comb(n, j) * k ** (n - j) * (k - 1) ** j), "=",
                 f"index {j}: C(n, j) k^(n-j) (k-1)^j, {where}")]))
    return tuple(out)


def goe_two_by_two_cone() -> tuple[Derivation, ...]:
    """3b: :math:`P(\\mathrm{GOE}(2)\\succ0)=(1-\\cos(\\pi/4))/2=(2-\\sqrt2)/4`."""
    u, v, w = sp.symbols("u v w", real=True)
    th = sp.symbols("theta", positive=True)
    prob = sp.Symbol("P_2", positive=True)
    h11, h22, h12 = (u + v) / sp.sqrt(2), (u - v) / sp.sqrt(2), w / sp.sqrt(2)
    p2 = (2 - sp.sqrt(2)) / 4
    cone = 2 * sp.pi * sp.Integral(sp.sin(th), (th, 0, sp.pi / 4)) / (4 * sp.pi)
    quadratic = Derivation("DUBE-3", "GOE(2): u, v, w are i.i.d. N(0, 1)", [
        Step(h11**2 / 2 + h22**2 / 2 + h12**2, (u**2 + v**2 + w**2) / 2, "=",
             "u = (H11 + H22)/sqrt2, v = (H11 - H22)/sqrt2, w = sqrt2 H12: the GOE density "
             "exp(-tr(H^2)/2) becomes exp(-(u^2 + v^2 + w^2)/2)")])
    determinant = Derivation("DUBE-3", "GOE(2): H > 0 iff u > sqrt(v^2 + w^2)", [
        Step(h11 * h22 - h12**2, (u**2 - v**2 - w**2) / 2, "=",
             "det H > 0 and tr H = sqrt2 u > 0: a circular cone of half-angle pi/4")])
    probability = Derivation(
        "DUBE-3", "GOE(2): a cone of half-angle pi/4",
        premises=[Premise("cone", sp.Eq(prob, cone),
                          "the isotropic law of (u, v, w) (above) gives the cone {u > sqrt(v^2 + "
                          "w^2)} (above) its solid-angle fraction")],
        steps=[Step(prob, cone, "=", "solid angle of the cone", uses=("cone",)),
               Step(cone, p2, "=", "(1 - cos(pi/4))/2"),
               Step(p2, sp.Rational(1, 4), "<", "P_2 < 2^-2: fewer minima than the coin-flip model")],
        conclusion=Conclusion(prob, "<", sp.Rational(1, 4)), expression=p2)
    ratio = Derivation(
        "DUBE-3", "GOE(2): 2 + 2 sqrt(2) saddles per minimum",
        premises=[Premise("p2", sp.Eq(prob, p2), "P_2 = (2 - sqrt 2)/4 (above)")],
        steps=[Step(1 / prob - 2, 2 + 2 * sp.sqrt(2), "=", "1/P_2 - 2", uses=("p2",))],
        conclusion=Conclusion(1 / prob - 2, "=", 2 + 2 * sp.sqrt(2)))
    return probability, quadratic, determinant, ratio


def _pfaffian(a: sp.Matrix) -> sp.Expr:
    """Pfaffian by expansion along the first row (fine for the 4 x 4 matrices used here)."""
    m = a.shape[0]
    if m == 0:
        return sp.Integer(1)
    total = sp.Integer(0)
    for j in range(1, m):
        keep = [i for i in range(m) if i not in (0, j)]
        total += (-1) ** (j + 1) * a[0, j] * _pfaffian(a.extract(keep, keep))
    return total


def _exact_goe_probability(n: int) -> sp.Expr:
    """de Bruijn's formula with exact g(p), M(p, q) recurrences, for small ``n``."""
    half = sp.Rational(1, 2)

    def g(p):
        return 2 ** (sp.Integer(p - 1) / 2) * sp.gamma(sp.Integer(p + 1) / 2)

    memo: dict[tuple[int, int], sp.Expr] = {}

    def mm(p, q):
        if (p, q) not in memo:
            if q >= 2:
                val = (q - 1) * mm(p, q - 2) + half * sp.gamma(sp.Integer(p + q) / 2)
            elif q == 1:
                val = half * sp.gamma(sp.Integer(p + 1) / 2)
            elif p == 0:
                val = sp.pi / 4
            elif p == 1:
                val = sp.sqrt(sp.pi / 2) - sp.sqrt(sp.pi) / 2
            else:
                val = (p - 1) * mm(p - 2, 0) - half * sp.gamma(sp.Integer(p) / 2)
            memo[p, q] = val
        return memo[p, q]

    size = n + (n % 2)
    a = sp.zeros(size, size)
    for i, j in itertools.combinations(range(n), 2):
        a[i, j] = 2 * mm(i, j) - g(i) * g(j)
        a[j, i] = -a[i, j]
    if n % 2:
        for i in range(n):
            a[i, n] = g(i)
            a[n, i] = -g(i)
    z = (2 * sp.pi) ** (sp.Integer(n) / 2) * sp.prod(
        [sp.gamma(1 + sp.Integer(j) / 2) / sp.gamma(sp.Rational(3, 2)) for j in range(1, n + 1)])
    return sp.factorial(n) * _pfaffian(a) / z


def goe_exact_pfaffian(n: int) -> tuple[Derivation, ...]:
    """3b: exact :math:`P_n` for ``n in {2, 3, 4}`` from de Bruijn's Pfaffian, symbolically."""
    closed = {
        2: (2 - sp.sqrt(2)) / 4,
        3: (sp.pi - 2 * sp.sqrt(2)) / (4 * sp.pi),
        4: ((4 - sp.sqrt(2)) * sp.pi - 8) / (16 * sp.pi),
    }
    if n not in closed:
        raise ValueError(f"n must be 2, 3 or 4, got {n}")
    value = _exact_goe_probability(n)
    below = Derivation("DUBE-3", f"GOE({n}) is positive definite with probability P_{n} < 2^-{n}", [
        Step(value, closed[n], "=",
             "P_n = n! Pf(A) / Z_n, A_ij = 2M(i,j) - g(i)g(j) (bordered by g for odd n), with the "
             "exact recurrences for M and Mehta's normaliser Z_n"),
        Step(closed[n], sp.Rational(1, 2**n), "<",
             f"P_{n} < 2^-{n}: the coin-flip count 2^n - 2 undercounts saddles"),
    ], expression=closed[n])
    positive = Derivation("DUBE-3", f"P_{n} > 0", [
        Step(closed[n], 0, ">", "the closed form is positive")])
    return below, positive
