"""Dube, "High Dimensional Spaces, Deep Learning and Adversarial Examples" (arXiv:1801.00634).

Claims DUBE-1 .. DUBE-6, each reading separately (theory/claims/dube.toml). The background facts
HD-1 .. HD-8 are tested in tests/test_highdim.py.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import partial

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mpmath as mp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from advgeom.numerics import boundary_distance as bd  # noqa: E402
from advgeom.numerics import goe  # noqa: E402
from advgeom.numerics import montecarlo as mc  # noqa: E402
from advgeom.proofs import landscape as proofs_landscape  # noqa: E402
from advgeom.proofs import resolution as proofs_resolution  # noqa: E402
from advgeom.theory import landscape, resolution  # noqa: E402
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import optimize, stats  # noqa: E402

LEVEL = 1 - 1e-6
TWO_PI = 2.0 * math.pi
finite = partial(st.floats, allow_nan=False, allow_infinity=False)



def _derive(evidence, derivs):
    """Verify and record every derivation of a tuple; return the first (it carries the expression)."""
    derivs = derivs if isinstance(derivs, tuple | list) else (derivs,)
    for d in derivs:
        evidence.derivation(d)
    return derivs[0]

def ref_linf_max_by_vertices(w, eps, vertices):
    """max over the vertices eps * v, v in {-1, 1}^n, of w.(eps v): a linear program solved by
    enumerating the vertices of its feasible cube."""
    return eps * np.max(w @ vertices.T, axis=1)


def ref_chi_mean(n: int):
    """E|w| for w ~ N(0, I_n): ratio of two moments of the chi density, by quadrature around its
    peak sqrt(n - 1) (the integrands are mpmath numbers, so nothing overflows)."""
    with mp.workdps(30):
        peak = mp.sqrt(max(n - 1, 1))
        pts = [0, peak / 2, peak - 8, peak, peak + 8, 2 * peak + 10, mp.inf] if n > 100 else \
            [0, peak, mp.inf]
        pts = sorted(set(p for p in pts if p >= 0))

        def moment(k):
            return mp.quad(lambda r: mp.exp(k * mp.log(r) - r * r / 2) if r > 0 else mp.mpf(0), pts)
        return moment(n) / moment(n - 1)


def ref_separable_index_counts(k: int, n: int) -> list[int]:
    """Index counts of sum_i g(x_i) with g' = prod_(j=1)^(2k-1) (x - j): every choice of a root j
    per coordinate, index = number of coordinates where g''(j) < 0 (a maximum of g)."""
    roots = range(1, 2 * k)

    def g2(x):          # derivative of prod (x - j) at a root x: prod over the other roots
        return math.prod(x - j for j in roots if j != x)
    counts = [0] * (n + 1)
    for choice in itertools.product(roots, repeat=n):
        counts[sum(1 for x in choice if g2(x) < 0)] += 1
    return counts


def _rng(claim: str, label: str) -> np.random.Generator:
    return np.random.default_rng(mc.claim_seed(claim, label))


# =============================================================================================
# DUBE-1: the linearity argument
# =============================================================================================


@pytest.mark.claim("DUBE-1", reading="1.0")
def test_linf_gain_identity_derivation_matches_theory(evidence):
    deriv = proofs_resolution.linf_gain_identity()
    deriv = _derive(evidence, deriv)
    rng = _rng("DUBE-1", "identity points")
    w = rng.standard_normal((50, 8)) * 3
    eps = rng.uniform(1e-3, 1, 50)
    vertices = np.array(list(itertools.product((-1.0, 1.0), repeat=8)))
    ref = ref_linf_max_by_vertices(w, eps, vertices)
    err = float(np.max(np.abs(resolution.linf_gain(w, eps) - ref) / ref))
    evidence.check("max rel. gap, linf_gain vs the maximum over the 2^8 vertices of the L-inf ball "
                   "(50 cases, n = 8)", err, upper=1e-13,
                   method="enumeration of the 256 vertices (a linear function is maximal at one)")


@pytest.mark.claim("DUBE-1", reading="1.0")
@settings(max_examples=40)
@given(n=st.integers(1, 64), seed=st.integers(0, 2**32 - 1), eps=finite(min_value=1e-4, max_value=1.0))
def test_linf_gain_is_never_exceeded_and_attained_by_sign(n, seed, eps):
    """Invariant: w.eta <= eps ||w||_1 on the L-inf ball, with equality at eps sign(w)."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(1e-3, 10, n) * rng.choice([-1, 1], n)
    eta = rng.uniform(-eps, eps, (50, n))
    gain = resolution.linf_gain(w, eps)
    assert np.all(eta @ w <= gain * (1 + 1e-12))
    assert w @ resolution.fgsm_perturbation(w, eps) == pytest.approx(gain, rel=1e-12)
    assert resolution.linf_gain(w, 2 * eps) == pytest.approx(2 * gain, rel=1e-12)


@pytest.mark.claim("DUBE-1", reading="1a")
def test_margin_counterexample_defeats_linearity_in_every_dimension(evidence):
    _derive(evidence, proofs_resolution.goodfellow_counterexample())
    rows = []
    for n in (10, 10**2, 10**4, 10**6):
        margin = Fraction(3, 4) * n - Fraction(n, 2)
        d_inf = margin / n                                   # ||w||_1 = n, exact rational
        assert d_inf == Fraction(1, 4)
        rows.append([n, str(margin), str(d_inf), "no flip for eps < 1/4"])
    evidence.table("w = 1_n, b = -n/2, x = (3/4) 1_n (exact rationals)",
                   ["n", "w.x + b", "d_inf", "consequence"], rows)
    n = 100
    d_box = bd.box_halfspace_distance(np.ones(n), -n / 2, np.full(n, 0.75), p=np.inf)
    evidence.check("box-constrained d_inf at n = 100 (water-filling)", d_box, reference=0.25,
                   rtol=1e-14, note="the box does not bind: every pixel moves 1/4 down",
                   method="exact rational d_inf = 1/4 (fractions)")
    evidence.counterexample(
        "A margin proportional to n: the largest L-inf change eps*||w||_1 = eps*n never reaches "
        "w.x + b = n/4 when eps < 1/4, in any dimension", n="any", d_inf="1/4", eps_needed="1/4")


@pytest.mark.claim("DUBE-1")
def test_linearity_argument_as_stated_fails_without_a_margin(evidence):
    """The argument as made: 'for large n some L-inf perturbation of size eps flips the class',
    i.e. d_inf <= eps eventually. With w = 1_n, b = -n/2, x = (3/4) 1_n, d_inf = 1/4 exactly."""
    n = 10**6
    margin = Fraction(3, 4) * n - Fraction(n, 2)
    d_inf = margin / n                      # ||w||_1 = n, exact rational arithmetic
    evidence.counterexample("w = 1_n, b = -n/2, x = (3/4) 1_n at n = 10^6: d_inf = 1/4 exceeds "
                            "eps = 1/5, so no L-inf perturbation of size 1/5 flips the class, in "
                            "any dimension", value=d_inf, bound=Fraction(1, 5), relation="<=",
                            tolerance=0, n=n)


@pytest.mark.claim("DUBE-1", reading="1a")
def test_aligned_weights_relative_gain_tends_to_two_eps(evidence):
    n = 784
    est = mc.estimate_mean(partial(bd.aligned_margin_ratio, n=n), 2000,
                           seed=mc.claim_seed("DUBE-1", "aligned"), block_size=500)
    evidence.check_estimate("E[w.x / ||w||_1], w_i = |g_i|, x ~ U[0,1]^784", est, reference=0.5,
                            note="exactly 1/2 for every n; R_n = eps / ratio -> 2 eps")


@pytest.mark.claim("DUBE-1", reading="1a-ii")
def test_zero_mean_weights_median_gain_grows_like_sqrt_n(evidence):
    eps = 0.01
    ns = (100, 784, 3072)
    meds, los, his = [], [], []
    for n in ns:
        r = bd.zero_mean_relative_gain(_rng("DUBE-1", f"zero-mean {n}"), 4000, n, eps)
        lo, hi = bd.median_interval(r, LEVEL)
        asym = resolution.zero_mean_median_gain(n, eps)
        meds.append(float(np.median(r)))
        los.append(lo)
        his.append(hi)
        evidence.check(f"asymptotic median of R_n at n = {n}", asym, interval=(lo, hi), level=LEVEL,
                       method="distribution-free order-statistic interval for the median "
                              f"(binomial), {r.size} draws")
    # Standard errors of the log medians from the interval half-widths (z at 1 - 1e-6).
    z = float(-stats.norm.ppf((1 - LEVEL) / 2))
    sd = [(h - l_) / (2 * z) for l_, h in zip(los, his, strict=True)]
    slope, se = bd.loglog_slope(ns, meds, sd=sd)
    evidence.check("log-log slope of median R_n: 1/2 inside slope +- z se", 0.5,
                   interval=(slope - z * se, slope + z * se), level=LEVEL,
                   method=f"weighted least squares on log medians, slope {slope:.4f}, se {se:.3g}")
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    grid = np.geomspace(50, 5000, 50)
    ax.loglog(grid, resolution.zero_mean_median_gain(grid, eps), "k--",
              label=r"$\varepsilon\sqrt{6n/\pi}/\Phi^{-1}(3/4)$")
    ax.errorbar(ns, meds, yerr=[np.subtract(meds, los), np.subtract(his, meds)], fmt="o",
                label="zero-mean weights: median, 1-1e-6 interval")
    aligned = [eps / float(np.mean(bd.aligned_margin_ratio(_rng("DUBE-1", f"al {n}"), 400, n)))
               for n in ns]
    ax.loglog(ns, aligned, "s", label="aligned weights: mean")
    ax.axhline(2 * eps, color="gray", lw=0.8, label=r"$2\varepsilon$")
    ax.axhline(1.0, color="red", lw=0.8, label="flip threshold R = 1")
    ax.set_xlabel("n (inputs)")
    ax.set_ylabel(r"$R_n=\varepsilon\|w\|_1/|w^\top x|$")
    ax.legend(fontsize=7)
    evidence.figure(fig, "Relative L-inf gain R_n (eps = 0.01): it grows like sqrt(n) for zero-mean "
                         "weights and stays at 2 eps for aligned weights.")


@pytest.mark.claim("DUBE-1", reading="1b")
def test_sign_perturbation_is_small_only_in_linf(evidence):
    for derivs in (proofs_resolution.sign_perturbation_norm(),
                   proofs_resolution.l2_gain_cauchy_schwarz(), proofs_resolution.gaussian_norm_mean()):
        _derive(evidence, derivs)
    evidence.check("||(1/255) sign w||_2 at n = 784", resolution.sign_perturbation_l2(784, 1 / 255),
                   reference=float(Fraction(28, 255)), rtol=1e-15,
                   note="eps*sqrt(784) is one multiplication, exact to 1 ulp",
                   method="exact rational 28/255 (sqrt(784) = 28)")
    w = _rng("DUBE-1", "l2 gain").standard_normal(784)
    delta = 28 / 255
    evidence.check("L2 gain delta ||w||_2 attained at delta w/||w||", resolution.l2_gain(w, delta),
                   reference=float(w @ (delta * w / np.linalg.norm(w))), rtol=1e-13,
                   note="Cauchy-Schwarz equality; a 784-term dot product rounds to ~1e-14",
                   method="direct dot product of w with delta w/||w||")
    for n in (1, 2, 10, 784, 10**6):
        evidence.check(f"E||w||_2, n = {n}: vs 30-digit quadrature of the chi density",
                       resolution.gaussian_l2_norm_mean(n), reference=float(ref_chi_mean(n)),
                       rtol=1e-13, method="mpmath quadrature of r^n exp(-r^2/2) / r^(n-1) exp(-r^2/2)",
                       note="Stirling form above n = 60; the plain Gamma ratio overflows past n ~ 340")
    ratio = resolution.gaussian_l2_norm_mean(10**6) / math.sqrt(10**6)
    evidence.check("E||w||_2 / sqrt(n) at n = 1e6", ratio, reference=1.0, rtol=1e-6,
                   note="1 - 1/(4n) + O(n^-2)")
    # The FGSM step of the argument: its L-infinity size is eps for every n, its L2 size eps sqrt(n).
    eps = 1 / 255
    ns = np.unique(np.logspace(0, 5, 40).astype(int))
    linf = [float(np.max(np.abs(resolution.fgsm_perturbation(np.ones(k), eps)))) for k in ns]
    l2 = [float(np.linalg.norm(resolution.fgsm_perturbation(np.ones(k), eps))) for k in ns]
    evidence.check("max_n | ||eps sign w||_2 - sign_perturbation_l2(n, eps) | over the grid",
                   max(abs(a - b) for a, b in zip(l2, resolution.sign_perturbation_l2(ns, eps),
                                                  strict=True)),
                   upper=1e-12, method="numpy norm of the explicit vector eps sign(1_n)")
    fig, ax = plt.subplots(figsize=(4.5, 3.0))
    ax.loglog(ns, linf, "o", ms=3, label=r"$\|\varepsilon\,\mathrm{sign}\,w\|_\infty$")
    ax.loglog(ns, l2, "s", ms=3, label=r"$\|\varepsilon\,\mathrm{sign}\,w\|_2$")
    ax.loglog(ns, eps * np.sqrt(ns), "k--", lw=0.8, label=r"$\varepsilon\sqrt{n}$")
    ax.axvline(784, color="grey", lw=0.6, ls=":")
    ax.set(xlabel="n (pixels)", ylabel="perturbation size", title=r"FGSM step, $\varepsilon = 1/255$")
    ax.legend(fontsize=7)
    fig.tight_layout()
    evidence.figure(fig, "DUBE-1 (1b): the sign perturbation stays at eps in L-infinity while its L2 "
                    "norm grows as eps sqrt(n) (28/255 at n = 784): small only in L-infinity.")


@pytest.mark.claim("DUBE-1", reading="1c")
def test_margin_distances_match_linear_programs(evidence):
    _derive(evidence, proofs_resolution.l2_minimal_perturbation())
    rng = _rng("DUBE-1", "linprog")
    worst = 0.0
    box_min = math.inf
    for _ in range(10):
        n = 12
        w = rng.standard_normal(n)
        x = rng.random(n)
        b = -(w @ x) + 0.3 * rng.standard_normal()
        d_inf, d_2 = resolution.margin_distances(w, b, x)
        # min t s.t. |eta_i| <= t, w.(x + eta) + b = 0: variables (eta, t)
        c = np.r_[np.zeros(n), 1.0]
        a_ub = np.block([[np.eye(n), -np.ones((n, 1))], [-np.eye(n), -np.ones((n, 1))]])
        res = optimize.linprog(c, A_ub=a_ub, b_ub=np.zeros(2 * n), A_eq=np.r_[w, 0.0][None, :],
                               b_eq=[-(w @ x + b)], bounds=[(None, None)] * n + [(0, None)],
                               method="highs")
        worst = max(worst, abs(res.fun - d_inf) / d_inf)
        side = np.sign(w @ x + b)
        box2 = bd.box_halfspace_distance(side * w, side * b, x, p=2)
        boxi = bd.box_halfspace_distance(side * w, side * b, x, p=np.inf)
        box_min = min(box_min, box2 / d_2, boxi / d_inf)
    evidence.check("max rel. gap, HiGHS LP vs |w.x+b|/||w||_1 (10 cases, n = 12)", worst,
                   upper=1e-9, note="LP solver tolerance", method="HiGHS linear program (scipy)")
    evidence.check("smallest box / unconstrained distance ratio (L2 and L-inf, 10 cases)", box_min,
                   lower=1 - 1e-12, note="relative slack 1e-12 for rounding in the water-filling root",
                   method="exact box distance by water-filling (numerics.boundary_distance)")


@pytest.mark.claim("DUBE-1", reading="1c")
@settings(max_examples=40)
@given(n=st.integers(1, 64), seed=st.integers(0, 2**32 - 1), c=finite(min_value=0.01, max_value=100))
def test_margin_distances_ordered_and_scale_invariant(n, seed, c):
    """Invariant: d_inf <= d_2 <= sqrt(n) d_inf, unchanged under (w, b) -> (c w, c b), c > 0."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(1e-3, 10, n) * rng.choice([-1, 1], n)
    x = rng.random(n)
    b = rng.uniform(-10, 10)
    d_inf, d_2 = resolution.margin_distances(w, b, x)
    assert d_inf <= d_2 * (1 + 1e-12)
    assert d_2 <= math.sqrt(n) * d_inf * (1 + 1e-12)
    e_inf, e_2 = resolution.margin_distances(c * w, c * b, x)
    assert e_inf == pytest.approx(d_inf, rel=1e-12, abs=1e-300)
    assert e_2 == pytest.approx(d_2, rel=1e-12, abs=1e-300)


@pytest.mark.claim("DUBE-1", reading="1c")
@settings(max_examples=40)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1), p=st.sampled_from([2, np.inf]))
def test_box_distance_dominates_hyperplane_and_matches_sorted_waterfill(n, seed, p):
    """Invariants: the exact box distance is >= the hyperplane distance (equal when no pixel hits
    a face), and the Newton water-filling agrees with the sorting reference path."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(n) * rng.exponential(size=n)
    b = -w.sum() * rng.uniform(0.1, 0.9)
    x = rng.random((30, n))
    d = bd.box_halfspace_distance(w, b, x, p=p)
    d_inf, d_2 = resolution.margin_distances(w, b, x)
    free = np.where(x @ w + b > 0, (d_inf if p == np.inf else d_2), 0.0)
    assert np.all(d >= free * (1 - 1e-12))
    h0 = x @ w + b
    room = np.where(w > 0, x, 1 - x)
    caps, wts = (room, np.abs(w)) if p == np.inf else (room / np.abs(w), w * w)
    lam_fast, ok_fast = bd._waterfill(h0, caps, wts)
    lam_ref, ok_ref = bd._waterfill_sorted(h0, caps, wts)
    assert np.array_equal(ok_fast, ok_ref)
    fin = np.isfinite(lam_ref)
    assert np.allclose(lam_fast[fin], lam_ref[fin], rtol=1e-10, atol=1e-14)
    unbound = np.all(caps >= (d_inf if p == np.inf else d_2 / np.linalg.norm(w))[:, None], axis=1)
    assert np.allclose(d[unbound & (h0 > 0)], free[unbound & (h0 > 0)], rtol=1e-10)


# =============================================================================================
# DUBE-2: distances to the other class in the cube
# =============================================================================================


@pytest.mark.claim("DUBE-2", reading="2c")
def test_isoperimetric_mean_bound_derivation_and_numerics(evidence):
    deriv = proofs_resolution.isoperimetric_mean_bound()
    deriv = _derive(evidence, deriv)
    a = sp.Symbol("a", real=True)
    fn = sp.lambdify(a, deriv.expression, "mpmath")
    alphas = np.linspace(0.01, 0.99, 99)
    with mp.workdps(40):
        refs = [fn(-mp.sqrt(2) * mp.erfinv(1 - 2 * mp.mpf(float(al)))) for al in alphas]
    err = max(abs(resolution.cube_boundary_distance_bound(al) - float(r)) / float(r)
              for al, r in zip(alphas, refs, strict=True))
    evidence.check("max rel. gap, B(alpha) vs 40-digit sympy expression (99 alphas)", err,
                   upper=1e-13, note="double precision, Mills ratio for alpha > 1/2")
    # the defining integral B(alpha) = int_0^oo Phi_bar(a + sqrt(2 pi) s) ds, a = Phi^-1(alpha),
    # by quadrature: neither the closed form nor the code under test
    for al in (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-6):
        with mp.workdps(30):
            a_al = mp.sqrt(2) * mp.erfinv(2 * mp.mpf(al) - 1)
            ref = mp.quad(lambda s, a_al=a_al: mp.erfc((a_al + mp.sqrt(2 * mp.pi) * s)
                                                       / mp.sqrt(2)) / 2, [0, 1, mp.inf])
        evidence.check(f"B({al:g}) vs quadrature of the tail integral",
                       resolution.cube_boundary_distance_bound(al), reference=float(ref),
                       rtol=1e-12, method="mpmath 30-digit quadrature of int_0^oo "
                       "Phi_bar(a + sqrt(2 pi) s) ds, a = sqrt(2) erfinv(2 alpha - 1)",
                       note="double-precision closed form (Mills ratio above 1/2): ~1e-14")
    tail = 1 - 1e-15
    evidence.check("B(1 - 1e-15): float vs mpmath path", resolution.cube_boundary_distance_bound(tail),
                   reference=float(resolution.cube_boundary_distance_bound(tail, precision=30)),
                   rtol=1e-12, note="the cancelling case phi(a) - a Phi_bar(a), a ~ 8")
    evidence.check("B(1/2) = 1/(2 pi)", resolution.cube_boundary_distance_bound(0.5),
                   reference=1 / TWO_PI, rtol=1e-15,
                   note="a = 0: phi(0)/sqrt(2 pi), two roundings from the exact value")


@pytest.mark.claim("DUBE-2", reading="2c")
@settings(max_examples=40)
@given(a1=finite(min_value=0.01, max_value=0.99), a2=finite(min_value=0.01, max_value=0.99))
def test_bound_decreases_in_alpha_and_dominates_coordinate_halfspace(a1, a2):
    """Invariant: B is decreasing in alpha, and B(alpha) >= (1 - alpha)^2 / 2 (a valid upper bound)."""
    lo, hi = min(a1, a2), max(a1, a2)
    assume(hi > lo)
    assert resolution.cube_boundary_distance_bound(lo) > resolution.cube_boundary_distance_bound(hi)
    for al in (a1, a2):
        coordinate = resolution.coordinate_halfspace_mean_distance(al)
        assert resolution.cube_boundary_distance_bound(al) >= coordinate


@pytest.mark.claim("DUBE-2", reading="2c")
def test_random_centre_halfspaces_respect_the_bound(evidence):
    rng = _rng("DUBE-2", "half-spaces")
    bound = resolution.cube_boundary_distance_bound(0.5)
    rows = []
    all_ok = True
    for n in (16, 256):
        for k in range(20):
            w, b = bd.centre_halfspace(rng, n)
            est = mc.estimate_mean(partial(bd.centre_halfspace_distances, w=w, b=b), 1500,
                                   seed=mc.claim_seed("DUBE-2", f"centre {n} {k}"), block_size=1500)
            all_ok &= est.ci_low <= bound
            rows.append((n, est.estimate / bound, est.ci_low))
    worst = max(rows, key=lambda r: r[1])
    evidence.record("largest E d / B(1/2) over 40 random centred half-spaces", worst[1], upper=1.0,
                    note=f"n = {worst[0]}; exact box distances (water-filling), 1500 points each")
    evidence.check("no significant violation: B(1/2) is above every lower CLT limit (40 half-spaces)",
                   bound, interval=(max(r[2] for r in rows), math.inf), level=LEVEL,
                   method="CLT intervals at level 1-1e-6 per half-space, exact box distances")
    assert all_ok
    evidence.table("E d_2(X, A) / B(1/2), centred half-spaces (alpha = 1/2 exactly)",
                   ["n", "min ratio", "median ratio", "max ratio"],
                   [[n, *np.percentile([r[1] for r in rows if r[0] == n], [0, 50, 100]).round(3)]
                    for n in (16, 256)])
    for al in (0.1, 0.5, 0.9):
        exact = float((1 - Fraction(al)) ** 2 / 2)
        evidence.check(f"coordinate half-space alpha = {al}: (1 - alpha)^2/2 <= B(alpha)", exact,
                       upper=resolution.cube_boundary_distance_bound(al),
                       method="exact rational (1 - alpha)^2/2 (fractions)")


@pytest.mark.claim("DUBE-2", reading="2c")
def test_distance_tail_below_isoperimetric_tail(evidence):
    n = 64
    w, b = bd.centre_halfspace(_rng("DUBE-2", "tail w"), n)
    d = bd.centre_halfspace_distances(_rng("DUBE-2", "tail x"), 20000, w, b)
    s_grid = np.linspace(0.0, 0.6, 13)
    ok = True
    lows = []
    for s in s_grid:
        k = int(np.count_nonzero(d > s))
        lo, _ = mc.clopper_pearson(k, d.size, LEVEL)
        lows.append(lo)
        ok &= lo <= resolution.cube_distance_tail_bound(0.5, s)
    for s_val, lo in zip(s_grid, lows, strict=True):
        evidence.check(f"Phi_bar(sqrt(2 pi) s) above the lower limit of P(d > s), s = {s_val:.2f}",
                       resolution.cube_distance_tail_bound(0.5, s_val), interval=(lo, 1.0),
                       level=LEVEL, method="Clopper-Pearson, random centred half-space, n = 64, "
                                           "20000 exact box distances")
    assert ok
    xc = _rng("DUBE-2", "tail coord").random(20000)
    dcoord = np.maximum(xc - 0.5, 0.0)
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    sg = np.linspace(0, 0.7, 200)
    ax.semilogy(sg, resolution.cube_distance_tail_bound(0.5, sg), "k-",
                label=r"bound $\bar\Phi(\sqrt{2\pi}s)$")
    # Empirical survival (N - k)/N at the k-th order statistic, counted rather than 1 - k/N.
    ax.semilogy(np.sort(d), np.arange(d.size - 1, -1, -1) / d.size, label="random half-space, n = 64")
    ax.semilogy(np.sort(dcoord), np.arange(xc.size - 1, -1, -1) / xc.size,
                label=r"coordinate half-space $\{x_1\leq 1/2\}$")
    ax.plot(s_grid, lows, "v", ms=4, label="Clopper-Pearson lower limits")
    ax.set_ylim(1e-4, 1)
    ax.set_xlabel("s")
    ax.set_ylabel(r"$P(d_2(X,A)>s)$")
    ax.legend(fontsize=7)
    evidence.figure(fig, "Empirical survival of the exact distance to a class of measure 1/2 "
                         "against the isoperimetric tail bound (alpha = 1/2).")


@pytest.mark.claim("DUBE-2", reading="2b")
def test_raw_distance_to_other_class_does_not_shrink(evidence):
    _derive(evidence, proofs_resolution.coordinate_halfspace_distance())
    rows = []
    for n, size in ((16, 4000), (256, 4000), (4096, 1000)):
        est = mc.estimate_mean(partial(bd.generic_halfspace_distances, n=n), size,
                               seed=mc.claim_seed("DUBE-2", f"generic {n}"), block_size=size)
        evidence.check_estimate(f"E[d_2 | other class], generic half-space, n = {n}", est,
                                lower=0.2, note="stays near 1/sqrt(6 pi) = 0.2303; box effects O(1/sqrt n)")
        rows.append([n, est.estimate, est.ci_low, est.ci_high])
    evidence.table("Generic half-space {sum x_i <= n/2}: exact box distance from the other side",
                   ["n", "mean", "CI low", "CI high"], rows)
    x1 = _rng("DUBE-2", "coordinate").random(200000)
    d = x1[x1 > 0.5] - 0.5
    eps = 0.05
    k = int(np.count_nonzero(d <= eps))
    lo, hi = mc.clopper_pearson(k, d.size, LEVEL)
    evidence.check("P(d <= 0.05 | other class), coordinate half-space (any n)", 2 * eps,
                   interval=(lo, hi), level=LEVEL, note="exactly 2 eps = 0.1 in every dimension",
                   method=f"Clopper-Pearson, {d.size} draws")
    far = bd.coordinate_halfspace_distances(_rng("DUBE-2", "coordinate 4096"), 4000, 4096, 0.5,
                                            conditional=True)
    k4 = int(np.count_nonzero(far <= eps))
    _, hi4 = mc.clopper_pearson(k4, far.size, LEVEL)
    evidence.counterexample("A = {x_1 <= 1/2} at n = 4096 (exact box distances): the upper 1-1e-6 "
                            "limit of P(d <= 0.05 | other class) is far below the 0.9 that "
                            "'P(d <= eps) -> 1' requires at large n; exactly 2 eps = 0.1 for every n",
                            value=hi4, bound=0.9, relation=">=", tolerance=0, n=4096, eps=eps)


@pytest.mark.claim("DUBE-2", reading="2a")
def test_brunn_minkowski_depth_is_the_cube_faces(evidence):
    for deriv in (proofs_resolution.cube_mean_depth(), proofs_resolution.ball_brunn_minkowski()):
        deriv = _derive(evidence, deriv)
    est = mc.estimate_mean(_cube_depth_sampler, 20000, seed=mc.claim_seed("DUBE-2", "depth"))
    evidence.check_estimate("mean depth of U[0,1]^10 (distance to the faces)", est,
                            reference=resolution.cube_mean_depth(10), note="1/(2(n+1)) = 1/22")
    r = 1.3
    vol = math.pi ** 5 / math.gamma(6) * r**10
    evidence.check("Brunn-Minkowski bound for a ball, n = 10, r = 1.3, eps = 0.1",
                   resolution.brunn_minkowski_depth_bound(10, 0.1, vol), reference=(1 - 0.1 / r) ** 10,
                   rtol=1e-13, note="equality for balls")
    evidence.counterexample("A = [0,1]^n holds a single class yet has mean depth 1/(2(n+1)) -> 0: "
                            "the Brunn-Minkowski 'boundary' is the cube's faces, not another class",
                            mean_depth_n10=resolution.cube_mean_depth(10))


def _cube_depth_sampler(rng, size):
    x = rng.random((size, 10))
    return np.minimum(x, 1 - x).min(axis=1)


@pytest.mark.claim("DUBE-2", reading="2a")
@settings(max_examples=40)
@given(n=st.integers(1, 400), eps=finite(min_value=0.0, max_value=0.5))
def test_brunn_minkowski_bound_dominates_the_cube(n, eps):
    """Invariant: the depth fraction of the unit cube, (1 - 2 eps)^n, never exceeds the bound."""
    assert (1 - 2 * eps) ** n <= resolution.brunn_minkowski_depth_bound(n, eps) * (1 + 1e-12) + 1e-300


@pytest.mark.claim("DUBE-2", reading="2d-fact")
def test_tangent_projection_is_beta(evidence):
    _derive(evidence, proofs_resolution.beta_projection_mean())
    n, d = 50, 5
    g = _rng("DUBE-2", "projection").standard_normal((20000, n))
    u2 = (g[:, :d] ** 2).sum(axis=1) / (g**2).sum(axis=1)
    a, b = resolution.tangent_projection_beta(n, d)
    ks = stats.kstest(u2, stats.beta(a, b).cdf)
    evidence.check("KS p-value, ||P_T u||^2 vs Beta(d/2, (n-d)/2), n = 50, d = 5", ks.pvalue,
                   lower=1e-6, method="Kolmogorov-Smirnov test against scipy's Beta cdf",
                   note="false-alarm rate 1e-6")


@pytest.mark.claim("DUBE-2", reading="2d-codim")
def test_codimension_alone_gives_no_nearby_class(evidence):
    rows = []
    for n, dim in ((10, 3), (100, 10), (1000, 50)):
        rng = _rng("DUBE-2", f"flats {n}")
        x = np.zeros((200, n))
        x[:, :dim] = rng.random((200, dim))                  # class 0 on a d-flat in {x_n = 0}
        w = np.zeros(n)
        w[-1] = -1.0                                         # class-1 region {x_n >= 1/2}
        dist = bd.box_halfspace_distance(w, 0.5, x)
        rows.append([n, dim, float(dist.min()), float(dist.max())])
        assert np.allclose(dist, 0.5, rtol=1e-15)
    evidence.table("Distance from class 0 (d-flat at x_n = 0) to the class-1 region",
                   ["n", "d", "min", "max"], rows)
    evidence.counterexample("Classes on the parallel flats {x_n = 0} and {x_n = 1}, classifier "
                            "sign(x_n - 1/2): the smallest distance from class 0 to the class-1 "
                            "region at n = 1000, d = 50 is 1/2, not small (bound 0.1)",
                            value=rows[-1][2], bound=0.1, relation="<=", tolerance=1e-12)


# =============================================================================================
# DUBE-3: saddles and minima
# =============================================================================================


@pytest.mark.claim("DUBE-3", reading="3a")
def test_iid_sign_model(evidence):
    _derive(evidence, proofs_landscape.iid_sign_counts())
    for n in (2, 3, 4, 5):
        est = mc.estimate_probability(partial(goe.iid_sign_minimum, n=n), 200_000,
                                      seed=mc.claim_seed("DUBE-3", f"iid {n}"), block_size=50_000)
        evidence.check_estimate(f"P(min), diagonal Hessian with i.i.d. N(0,1) entries, n = {n}", est,
                                reference=landscape.iid_sign_min_probability(n),
                                note="Clopper-Pearson interval at level 1-1e-6 around 2^-n")
    evidence.check("saddles per minimum at n = 10", landscape.iid_sign_saddle_ratio(10),
                   reference=2**10 - 2, rtol=0, atol=0, method="exact integer 2^10 - 2",
                   note="2^10 - 2 = 1022 is exact in binary floating point")


@pytest.mark.claim("DUBE-3", reading="3b-small")
def test_goe_small_n_exact(evidence, goe_mc):
    _derive(evidence, proofs_landscape.goe_two_by_two_cone())
    for n in (3, 4):
        _derive(evidence, proofs_landscape.goe_exact_pfaffian(n))
    for n in (1, 2, 3, 4):
        exact = landscape.goe_positive_definite_probability(n, precision=40)
        pf = landscape.goe_positive_definite_probability(n, method="pfaffian", precision=40)
        evidence.check(f"P_{n}: closed form vs Pfaffian (40 digits)", exact, reference=pf,
                       rtol=1e-35, note="two exact routes of the module")
    for n, est in goe_mc.items():
        ref = landscape.goe_positive_definite_probability(n, method="pfaffian")
        evidence.check_estimate(f"GOE({n}) Monte Carlo P(H > 0)", est, reference=float(ref),
                                note="Clopper-Pearson at level 1-1e-6; pivots of LDL^T")
    quick = landscape.goe_positive_definite_probability(2, method="montecarlo", samples=100_000,
                                                        seed=mc.claim_seed("DUBE-3", "theory mc"))
    evidence.check_estimate("theory.landscape Monte Carlo method, n = 2", quick,
                            reference=landscape.goe_positive_definite_probability(2),
                            note="Clopper-Pearson interval at level 1-1e-6; eigvalsh test")
    evidence.check("saddles per minimum at n = 2: 2 + 2 sqrt 2", landscape.goe_saddle_ratio(2),
                   reference=2 + 2 * math.sqrt(2), rtol=1e-14, method="exact 2 + 2 sqrt(2)",
                   note="1/P_2 - 2 amplifies the rounding of P_2 by about 1/(1 - 2 P_2) < 2")


@pytest.fixture(scope="module")
def goe_mc():
    """Monte Carlo P(GOE(n) > 0), n = 2 .. 5 (naive MC is useless past n ~ 6: P_6 ~ 4e-6).

    Sizes give at least ~70 expected hits (P_5 ~ 1.2e-4 with 6e5 draws)."""
    sizes = {2: 200_000, 3: 200_000, 4: 400_000, 5: 600_000}
    return {n: mc.estimate_probability(partial(goe.goe_positive_definite, n=n), size,
                                       seed=mc.claim_seed("DUBE-3", f"goe {n}"), block_size=100_000)
            for n, size in sizes.items()}


# The Dean-Majumdar fit meets its 1e-4 tolerance with a wide margin on n <= 50 (relative error
# about 2e-6; 1e-6 on n <= 80), at a quarter of the cost of the n <= 80 grid.
N_MAX = 50
# Dean & Majumdar's rate, PRL 97, 160201 (2006), written out here so that the tests do not take it
# from the module under test.
THETA_DM = math.log(3.0) / 4.0


@pytest.fixture(scope="module")
def pfaffian_grid():
    values, disc = goe.pfaffian_log_probabilities(N_MAX, precision=30, check=True)
    return values, disc


@pytest.mark.claim("DUBE-3", reading="3b-large")
def test_goe_dean_majumdar_rate(evidence, pfaffian_grid):
    logp, disc = pfaffian_grid
    evidence.check(f"Pfaffian ln P_n, n <= {N_MAX}: 30 vs 60 digits, max rel. gap", disc, upper=1e-12,
                   note="cancellation check; the working precision adds 1.25 n + 15 guard digits")
    ns = np.arange(10, N_MAX + 1, 5)
    fit = goe.dean_majumdar_fit(ns, logp[ns - 1])
    evidence.check(f"fitted n^2 coefficient of -ln P_n (n = 10, 15, ..., {N_MAX})", fit.theta,
                   reference=THETA_DM, rtol=1e-4, method="Dean & Majumdar (2006): theta = ln(3)/4",
                   note="fit on (n^2, n, ln n, 1)")
    rate = -logp[ns - 1] / ns**2
    evidence.check("largest step of -ln P_n / n^2 on the grid (decreasing: negative)",
                   float(np.max(np.diff(rate))), upper=0.0,
                   note="strict: the gaps are >= 8e-4, far above the 1e-12 precision of ln P_n")
    evidence.check("-ln P_n / n^2 > ln3/4 on the grid", float(rate.min()), lower=THETA_DM,
                   note="no tolerance: approached from above because the O(n) term is positive")
    evidence.record("fitted O(n) coefficient", fit.c1, note="why P_n is never compared with 3^(-n^2/4)")
    evidence.check("asymptotic method = 3^(-n^2/4) at n = 20",
                   math.log(landscape.goe_positive_definite_probability(20, method="asymptotic")),
                   reference=-100 * math.log(3), rtol=1e-14,
                   note="ln 3^(-100) computed directly; exp then log loses a few ulps")
    evidence.check("dean_majumdar_log_probability(20) = -100 ln 3",
                   landscape.dean_majumdar_log_probability(20), reference=-100 * math.log(3),
                   rtol=1e-15, note="one product of doubles")


@pytest.mark.claim("DUBE-3", reading="3b-2n")
def test_goe_minima_rarer_than_coin_flips(evidence, pfaffian_grid, goe_mc):
    logp, _ = pfaffian_grid
    for k, est in goe_mc.items():
        evidence.check_estimate(f"GOE({k}) Monte Carlo P(H > 0) below the coin flip 2^-{k}", est,
                                upper=2.0**-k, note="Clopper-Pearson at level 1-1e-6")
    est2 = goe_mc[2]
    evidence.counterexample("'P(min) = 2^-n' in the GOE model: at n = 2 the whole 1-1e-6 Monte "
                            "Carlo interval for P_2 lies below 1/4 (exact value (2 - sqrt 2)/4)",
                            value=est2.ci_high, bound=0.25, relation="=", tolerance=0)
    n = np.arange(1, N_MAX + 1)
    gap = logp - n * math.log(0.5)
    evidence.check("P_1 = 1/2 (equality with the coin flip)", float(np.exp(logp[0])), reference=0.5,
                   rtol=1e-14, note="30-digit Pfaffian rounded to double, then exp")
    evidence.check(f"max over n = 2..{N_MAX} of ln P_n - ln 2^-n", float(gap[1:].max()), upper=0.0,
                   note="P_n < 2^-n for every n >= 2: the coin-flip count undercounts saddles")
    evidence.table("Saddles per minimum by model",
                   ["n", "i.i.d. signs 2^n - 2", "GOE 1/P_n - 2", "separable k = 2", "separable k = 3"],
                   [[k, landscape.iid_sign_saddle_ratio(k), float(np.exp(-logp[k - 1]) - 2),
                     landscape.separable_saddle_ratio(2, k), landscape.separable_saddle_ratio(3, k)]
                    for k in (2, 5, 10, 20)])


@pytest.mark.claim("DUBE-3")
def test_saddle_models_compared(evidence, pfaffian_grid, goe_mc):
    """Overall reading: saddles per minimum diverge at least exponentially in all three models."""
    logp, _ = pfaffian_grid
    n = np.arange(1, N_MAX + 1)
    iid = n * math.log(0.5)
    mc_n = list(goe_mc)
    mc_est = list(goe_mc.values())
    fig, (ax, inset) = plt.subplots(1, 2, figsize=(6.5, 3.2), gridspec_kw={"width_ratios": [2, 1]})
    # -ln P(min) on log-log axes: slope 1 for coin flips, slope 2 for the GOE.
    ax.loglog(n, -iid, "k:", label=r"i.i.d. signs $n\ln2$")
    ax.loglog(n, -logp, "-", label="GOE exact (Pfaffian)")
    ax.loglog(n, -landscape.dean_majumdar_log_probability(n), "--",
              label=r"Dean-Majumdar $\theta n^2$, $\theta=\ln3/4$")
    exact_small = [-math.log(landscape.goe_positive_definite_probability(k)) for k in (1, 2, 3, 4)]
    ax.loglog([1, 2, 3, 4], exact_small, "o", mfc="none", label="GOE closed forms, n <= 4")
    ax.errorbar(mc_n, [-math.log(e.estimate) for e in mc_est],
                yerr=[[math.log(e.ci_high) - math.log(e.estimate) for e in mc_est],
                      [math.log(e.estimate) - math.log(e.ci_low) for e in mc_est]],
                fmt="x", color="C3", label="GOE Monte Carlo, 1-1e-6 interval")
    ax.set_xlabel("n")
    ax.set_ylabel(r"$-\ln P(\mathrm{minimum})$")
    ax.legend(fontsize=6.5)
    inset.plot(n[4:], -logp[4:] / n[4:] ** 2, "-")
    inset.axhline(landscape.DEAN_MAJUMDAR_THETA, color="k", ls="--", lw=0.8)
    inset.set_xlabel("n")
    inset.set_ylabel(r"$-\ln P_n/n^2$")
    fig.tight_layout()
    evidence.figure(fig, "Probability that a critical point is a minimum: i.i.d. signs, GOE exact "
                         "(closed forms and Pfaffian), GOE Monte Carlo with intervals, and the "
                         "Dean-Majumdar rate; right: -ln P_n / n^2 approaching ln3/4.")
    ks = np.arange(1, 16)
    ratios = {
        "i.i.d. signs": landscape.iid_sign_saddle_ratio(ks),
        "GOE": np.exp(-logp[:15]) - 2,
        "separable k = 2": [landscape.separable_saddle_ratio(2, k) for k in ks],
        "separable k = 3": [landscape.separable_saddle_ratio(3, k) for k in ks],
    }
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for label, r in ratios.items():
        r = np.asarray(r, dtype=float)
        ax.semilogy(ks[r > 0], r[r > 0], label=label)
    ax.set_xlabel("n")
    ax.set_ylabel("saddles per minimum")
    ax.legend(fontsize=7)
    evidence.figure(fig, "Expected saddles per minimum in three models: all diverge at least "
                         "exponentially, with model-dependent rates.")
    for label, r in ratios.items():
        r = np.asarray(r, dtype=float)
        evidence.check(f"{label}: saddles per minimum at n = 15", float(r[-1]), lower=100.0,
                       note="no tolerance: the smallest model (separable k = 2, 1.5^15) is ~437")


@pytest.mark.claim("DUBE-3", reading="3c")
def test_separable_counts(evidence):
    _derive(evidence, proofs_landscape.separable_count_identity())
    for k in (2, 3):
        for n in (2, 3):
            deriv = proofs_landscape.separable_enumeration(k, n)
            deriv = _derive(evidence, deriv)
            assert int(deriv.expression) == landscape.separable_critical_counts(k, n)[1]
    for k, n in ((2, 5), (3, 4), (4, 3)):
        ref = ref_separable_index_counts(k, n)
        evidence.check(f"index counts k = {k}, n = {n}: worst gap to the enumeration",
                       max(abs(a - b) for a, b in zip(landscape.separable_critical_counts(k, n)[4],
                                                      ref, strict=True)), upper=0,
                       method="enumeration of all (2k-1)^n choices of critical points of g")


@pytest.mark.claim("DUBE-3", reading="3c")
@settings(max_examples=40)
@given(k=st.integers(1, 6), n=st.integers(1, 30))
def test_separable_counts_sum_and_ratio_increases(k, n):
    """Invariant: index counts sum to (2k-1)^n with k^n minima; the ratio increases in n (k >= 2)."""
    crit, mins, maxs, saddles, by_index = landscape.separable_critical_counts(k, n)
    assert sum(by_index) == crit == (2 * k - 1) ** n
    assert by_index[0] == mins == k**n and by_index[-1] == maxs == (k - 1) ** n
    assert saddles == crit - mins - maxs
    if k >= 2:
        assert landscape.separable_saddle_ratio(k, n + 1) > landscape.separable_saddle_ratio(k, n)


# =============================================================================================
# DUBE-4: the resolution result
# =============================================================================================


@pytest.mark.claim("DUBE-4", reading="4-W")
def test_worst_case_distance_does_not_shrink(evidence):
    rows = []
    for n in (16, 256, 4096):
        x = np.ones(n)
        d = bd.box_halfspace_distance(np.ones(n), -n / 2, x)
        evidence.check(f"d_2(1_n, {{sum x <= n/2}}), n = {n}", d, reference=math.sqrt(n) / 2,
                       rtol=1e-13, method="exact: every pixel moves 1/2, sqrt(n)/2")
        rows.append([n, d, d / math.sqrt(n)])
    evidence.table("Worst case x = 1_n: raw and normalized distance", ["n", "raw", "normalized"], rows)
    evidence.counterexample("sup_x d(x, other class) >= sqrt(n)/2 raw and 1/2 normalized for the "
                            "half-space {sum x_i <= n/2}: at n = 4096 the normalized worst case is "
                            "1/2, not below 0.1, and it is 1/2 for every n",
                            value=rows[-1][2], bound=0.1, relation="<=", tolerance=1e-12, n=4096)


@pytest.mark.claim("DUBE-4", reading="4-M1")
@settings(max_examples=40)
@given(n=st.integers(1, 512), seed=st.integers(0, 2**32 - 1), alpha=finite(min_value=0.05, max_value=0.95))
def test_coordinate_halfspace_distance_is_dimension_free(n, seed, alpha):
    """Invariant: the exact distance to {x_1 <= alpha} is (x_1 - alpha)_+ in every dimension, so
    its normalized value times sqrt(n) is constant."""
    x = np.random.default_rng(seed).random((20, n))
    w = np.zeros(n)
    w[0] = 1.0
    d = bd.box_halfspace_distance(w, -alpha, x)
    assert np.allclose(d, np.maximum(x[:, 0] - alpha, 0.0), rtol=1e-13, atol=1e-15)


@pytest.fixture(scope="module")
def cube_designs():
    """Exact mean distances (other class, alpha = 1/2) for n = 16 .. 4096: generic and coordinate."""
    ns = (16, 64, 256, 1024, 4096)
    out = {"n": ns, "generic": [], "coordinate": []}
    for n in ns:
        size = 2000 if n < 4096 else 800
        out["generic"].append(mc.estimate_mean(partial(bd.generic_halfspace_distances, n=n), size,
                                               seed=mc.claim_seed("DUBE-4", f"generic {n}"),
                                               block_size=size))
        out["coordinate"].append(mc.estimate_mean(
            partial(bd.coordinate_halfspace_distances, n=n, alpha=0.5, conditional=True),
            2000, seed=mc.claim_seed("DUBE-4", f"coordinate {n}"), block_size=2000))
    return out


@pytest.mark.claim("DUBE-4", reading="4-M1")
def test_raw_l2_mean_is_order_one(evidence, cube_designs):
    ns = cube_designs["n"]
    for key, ref in (("generic", resolution.generic_halfspace_distance_limit()),
                     ("coordinate", resolution.coordinate_halfspace_mean_distance(0.5, True))):
        ests = cube_designs[key]
        slope, se = bd.loglog_slope(ns, [e.estimate for e in ests], sd=[e.sd / math.sqrt(e.samples)
                                                                       for e in ests])
        evidence.record(f"{key} half-space: log-log slope of raw E[d | other class]", slope,
                        note=f"standard error {se:.2g}; O(1/sqrt n) needs -1/2")
        evidence.check(f"{key} half-space: slope + 1/2 in standard errors", (slope + 0.5) / se,
                       lower=10.0, note="the O(1/sqrt n) rate is rejected")
        evidence.check_estimate(f"{key} half-space, n = 4096", ests[-1], lower=0.2,
                                note=f"limit {ref:.4f}")
    ests = cube_designs["coordinate"]
    slope, se = bd.loglog_slope(ns, [e.estimate for e in ests],
                                sd=[e.sd / math.sqrt(e.samples) for e in ests])
    z = float(stats.norm.isf((1 - LEVEL) / 2))
    evidence.check("coordinate half-space: exact slope 0 (E[d | other] = 1/4 for every n) inside "
                   "the slope's interval", 0.0, interval=(slope - z * se, slope + z * se),
                   level=LEVEL, method="weighted least-squares log-log slope of the Monte Carlo "
                   "means (exact box distances), delta-method standard errors",
                   note=f"slope {slope:.4f}, standard error {se:.2g}")
    evidence.counterexample("Raw L2 on U[0,1]^n, coordinate half-space: the log-log slope of "
                            "E[d | other class] over n = 16 .. 4096 is about 0, not the -1/2 of "
                            "O(1/sqrt n); tolerance z se at level 1-1e-6",
                            value=slope, bound=-0.5, relation="=", tolerance=z * se, se=se)


@pytest.mark.claim("DUBE-4", reading="4-M2")
def test_normalized_l2_mean_decays_like_inverse_sqrt_n(evidence, cube_designs):
    _derive(evidence, proofs_resolution.normalized_mean_bound())
    ns, norm, sd = [], [], []
    for n in (16, 256, 2048):
        est = mc.estimate_mean(partial(bd.generic_halfspace_distances, n=n, normalized=True), 1000,
                               seed=mc.claim_seed("DUBE-4", f"normalized {n}"), block_size=1000)
        evidence.check_estimate(f"n = {n}: normalized E[d | other] <= 2 B(1/2)/sqrt(n)", est,
                                upper=resolution.cube_boundary_distance_bound(0.5, conditional=True,
                                                                              n=n),
                                note="exact box distances divided by sqrt(n)")
        ns.append(n)
        norm.append(est.estimate)
        sd.append(est.sd / math.sqrt(est.samples))
    slope, se = bd.loglog_slope(ns, norm, sd=sd)
    evidence.record("log-log slope of normalized E[d | other class]", slope,
                    note=f"standard error {se:.2g}; -1/2 plus the slow rise of the raw mean")
    # the coordinate half-space, sampled afresh and normalized: E[d | other]/sqrt(n) = 1/(4 sqrt n)
    # exactly, so its slope is -1/2; the interval of the fitted slope must contain it
    means, sds = [], []
    for n in ns:
        est = mc.estimate_mean(
            lambda rng, size, n=n: bd.coordinate_halfspace_distances(
                rng, size, n=n, alpha=0.5, conditional=True) / math.sqrt(n),
            1000, seed=mc.claim_seed("DUBE-4", f"normalized coordinate {n}"), block_size=1000)
        means.append(est.estimate)
        sds.append(est.sd / math.sqrt(est.samples))
    c_slope, c_se = bd.loglog_slope(ns, means, sd=sds)
    z = float(stats.norm.isf((1 - LEVEL) / 2))
    evidence.check("normalized coordinate half-space: exact slope -1/2 inside the slope's interval",
                   -0.5, interval=(c_slope - z * c_se, c_slope + z * c_se), level=LEVEL,
                   method="weighted least-squares log-log slope of Monte Carlo means (exact box "
                          "distances over sqrt(n)), delta-method standard errors",
                   note=f"slope {c_slope:.4f}, standard error {c_se:.2g}")
    _figure_distances(evidence, cube_designs)


def _figure_distances(evidence, designs):
    ns = np.array(designs["n"], dtype=float)
    grid = np.geomspace(ns[0], ns[-1], 60)
    bound = resolution.cube_boundary_distance_bound(0.5, conditional=True)
    sphere_unit = resolution.sphere_mean_abs_coordinate(np.rint(grid))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(6.5, 3.3), sharex=True)
    for ax, normalized in ((a1, False), (a2, True)):
        scale = np.sqrt(ns) if normalized else np.ones_like(ns)
        gscale = np.sqrt(grid) if normalized else np.ones_like(grid)
        for key, marker in (("generic", "o"), ("coordinate", "s")):
            ests = designs[key]
            m = np.array([e.estimate for e in ests]) / scale
            err = np.array([[e.estimate - e.ci_low, e.ci_high - e.estimate] for e in ests]).T / scale
            ax.errorbar(ns, m, yerr=err, fmt=marker, ms=4, label=f"{key} half-space (cube)")
        ax.loglog(grid, bound / gscale, "k-", lw=0.8, label=r"bound $2B(1/2)$")
        # The sphere of the cube's RMS radius sqrt(n/12) (HD-7), split by a hyperplane through 0.
        ax.loglog(grid, sphere_unit * np.sqrt(grid / 12) / gscale, "C2--",
                  label="sphere of radius sqrt(n/12), hemisphere")
        # A classifier f_16 o D with coarse distance 1/4 at n = 16: raw sqrt(n/16)/4.
        ax.loglog(grid, 0.25 * np.sqrt(grid / 16) / gscale, "C4:", label="multiresolution f_16 o D")
        ax.set_title("normalized L2" if normalized else "raw L2", fontsize=9)
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("n")
    a1.set_ylabel("mean distance to the other class")
    a2.legend(fontsize=6)
    fig.tight_layout()
    evidence.figure(fig, "Mean distance to the other class against n: raw L2 stays of order 1 "
                         "(slope 0; 1/sqrt(6 pi) and 1/4) below the bound, and grows for a "
                         "multiresolution-consistent classifier; normalized, the cube and sphere "
                         "means decay like 1/sqrt(n) (slope -1/2) while the multiresolution "
                         "classifier stays constant.")


@pytest.mark.claim("DUBE-4", reading="4-M3")
def test_sphere_mean_distance(evidence):
    deriv = proofs_resolution.sphere_mean_abs_coordinate()
    deriv = _derive(evidence, deriv)
    n_sym = next(iter(deriv.expression.free_symbols))
    fn = sp.lambdify(n_sym, deriv.expression, "mpmath")
    worst = 0.0
    with mp.workdps(50):
        for n in list(range(2, 60)) + [100, 341, 784, 3072, 10**4, 10**6]:
            ref = fn(mp.mpf(n))
            worst = max(worst, float(abs(resolution.sphere_mean_abs_coordinate(n) - ref) / ref))
            assert abs(resolution.sphere_mean_abs_coordinate(n, precision=40) - ref) < ref * mp.mpf(10) ** -38
    evidence.check("max rel. gap, float E|x_1| vs 50-digit sympy expression (n = 2 .. 1e6)", worst,
                   upper=1e-13, note="Beta-function form, no Gamma overflow")
    for n in (10, 100, 784, 3072):
        est = mc.estimate_mean(partial(bd.sphere_abs_coordinate, n=n), 20000,
                               seed=mc.claim_seed("DUBE-4", f"sphere {n}"))
        evidence.check_estimate(f"E|x_1| on S^{n - 1} by Monte Carlo", est,
                                reference=resolution.sphere_mean_abs_coordinate(n),
                                note="CLT interval at level 1-1e-6, 20000 draws")


@pytest.mark.claim("DUBE-4", reading="4-M3")
@settings(max_examples=40)
@given(n=st.integers(2, 999))
def test_sqrt_n_sphere_mean_decreases_to_its_limit(n):
    """Invariant: sqrt(n) E|x_1| decreases strictly in n and stays above sqrt(2/pi)."""
    f = lambda m: math.sqrt(m) * resolution.sphere_mean_abs_coordinate(m)  # noqa: E731
    assert f(n + 1) < f(n)
    assert f(n) > math.sqrt(2 / math.pi)


@pytest.mark.claim("DUBE-4", reading="4-M4")
def test_multiresolution_classifier_distance_is_resolution_invariant(evidence):
    rng = _rng("DUBE-4", "multires")
    n0 = 4
    v = rng.standard_normal(n0)
    c = -0.5 * v.sum()
    y = rng.random(n0)
    d0 = abs(v @ y + c) / np.linalg.norm(v)
    rows = []
    for b in (1, 4, 16, 64, 256):
        x = resolution.lift(y, b)
        raw, normalized = resolution.multires_minimal_perturbation(v, c, x, b)
        evidence.check(f"normalized minimal perturbation, b = {b}", normalized,
                       reference=d0 / math.sqrt(n0), rtol=1e-12,
                       method="coarse distance |v.y + c|/||v|| at n0 = 4 (numpy)",
                       note="block means of a lifted image are exact up to summation rounding")
        evidence.check(f"raw minimal perturbation / sqrt(b), b = {b}", raw / math.sqrt(b),
                       reference=d0, rtol=1e-12,
                       note="block means of a lifted image are exact up to summation rounding")
        w_fine = resolution.block_average_matrix(n0, b).T @ v
        side = np.sign(w_fine @ x + c)
        box = bd.box_halfspace_distance(side * w_fine, side * c, x)
        box0 = bd.box_halfspace_distance(side * v, side * c, y)
        evidence.check(f"box-constrained raw distance = sqrt(b) x coarse, b = {b}", box,
                       reference=math.sqrt(b) * box0, rtol=1e-12,
                       note="exact water-filling at both resolutions")
        rows.append([b, n0 * b, raw, normalized])
    evidence.table("f_n = f_4 o D: minimal L2 perturbation", ["b", "n", "raw", "normalized"], rows)
    _digits_multiresolution(evidence)
    evidence.counterexample("A classifier consistent across resolutions keeps its normalized "
                            "minimal perturbation fixed and its raw one grows like sqrt(b): at "
                            "b = 256 the normalized value has not shrunk to half of its b = 1 value",
                            value=rows[-1][3], bound=rows[0][3] / 2, relation="<=", tolerance=1e-12)


def _digits_multiresolution(evidence):
    from advgeom.numerics import datasets

    ds = datasets.load("digits")
    x, y = datasets.binary_pair(ds, 3, 8)
    # A linear classifier: nearest class mean (the bisector of the two class means).
    m3, m8 = x[y == 0].mean(axis=0), x[y == 1].mean(axis=0)
    v, c = m8 - m3, float(-(m8 - m3) @ (m3 + m8) / 2)
    img = x[0].reshape(8, 8)
    d8 = abs(v @ x[0] + c) / np.linalg.norm(v)
    fig, axes = plt.subplots(1, 4, figsize=(6.5, 1.9))
    for ax, s in zip(axes, (1, 2, 4, 8), strict=True):
        big = np.kron(img, np.ones((s, s)))
        # Row-major blocks: permute so each s x s block is contiguous, then D averages it.
        perm = big.reshape(8, s, 8, s).transpose(0, 2, 1, 3).reshape(-1)
        raw, normalized = resolution.multires_minimal_perturbation(v, c, perm, s * s)
        assert np.allclose(resolution.block_average(perm, s * s), img.reshape(-1), rtol=1e-13)
        evidence.check(f"digits 3 vs 8, {8 * s}x{8 * s}: normalized minimal perturbation", normalized,
                       reference=d8 / 8, rtol=1e-12,
                       note="the coarse image is recovered up to summation rounding")
        eta = -(v @ img.reshape(-1) + c) * v / np.linalg.norm(v) ** 2
        ax.imshow(np.kron(img + eta.reshape(8, 8), np.ones((s, s))), cmap="gray_r")
        ax.set_title(f"{8 * s}x{8 * s}: raw {raw:.2f}", fontsize=8)
        ax.axis("off")
    evidence.figure(fig, "An 8x8 digit at four resolutions with its minimal perturbation across a "
                         "nearest-mean linear boundary (3 vs 8) that sees only the coarse image: the "
                         "perturbation is piecewise constant, its raw norm grows like the side, its "
                         "normalized norm is fixed.")


@pytest.mark.claim("DUBE-4", reading="4-S")
def test_side_length_reading(evidence):
    _derive(evidence, proofs_resolution.side_length_bound())
    rows = []
    for side in (8, 28, 64, 256, 1024):
        big_n = side * side
        sphere = resolution.sphere_mean_abs_coordinate(big_n)
        cube = resolution.cube_boundary_distance_bound(0.5, n=big_n)
        rows.append([side, big_n, sphere * side, cube * side])
        evidence.check(f"side {side}: sqrt(side) * E|x_1| on S^(N-1) (N = side^2) stays bounded",
                       sphere * math.sqrt(side), upper=math.sqrt(2 / math.pi),
                       method="E|x_1| by the Gamma ratio against the bound sqrt(2/pi)",
                       note="E|x_1| ~ sqrt(2/(pi N)) = O(1/side), a fortiori O(1/sqrt(side))")
        evidence.check(f"side {side}: normalized cube bound B(1/2)/sqrt(N) = B(1/2)/side", cube * side,
                       reference=1 / TWO_PI, rtol=1e-14, method="exact value 1/(2 pi)",
                       note="sqrt of a perfect square is exact; a few roundings in B(1/2)")
    evidence.table("Side-length reading: both rates are O(1/side)",
                   ["side", "N", "side * E|x_1|", "side * B/sqrt(N)"], rows)


@pytest.mark.claim("DUBE-4")
def test_resolution_claim_overview(evidence, cube_designs):
    """Overall: normalized/sphere readings shrink like 1/sqrt(n); raw cube means stay below B(alpha)."""
    for n, e in zip(cube_designs["n"], cube_designs["generic"], strict=True):
        evidence.check_estimate(f"raw E[d | other], n = {n}, below B(1/2)/(1/2)", e,
                                upper=resolution.cube_boundary_distance_bound(0.5, conditional=True),
                                note="the whole CLT interval at level 1-1e-6 lies below the bound")
    evidence.check("unit sphere, n = 3072: E|x_1| sqrt(n) close to sqrt(2/pi)",
                   resolution.sphere_mean_abs_coordinate(3072) * math.sqrt(3072),
                   reference=math.sqrt(2 / math.pi), rtol=1e-3,
                   note="relative excess 1/(4n) + O(n^-2) = 8e-5 at n = 3072")


# =============================================================================================
# DUBE-5: multiresolution mechanics
# =============================================================================================


@pytest.mark.claim("DUBE-5")
def test_block_averaging_and_lift_derivation(evidence):
    deriv = proofs_resolution.multiresolution_lift(2, 4)
    deriv = _derive(evidence, deriv)
    d = resolution.block_average_matrix(2, 4)
    evidence.check("D D^T = I / 4 (numeric)", float(np.abs(d @ d.T - np.eye(2) / 4).max()), upper=1e-16,
                   note="entries 1/4 are exact in binary; sums of four 1/16 are exact")
    evidence.check("numeric sqrt(b) vs the derivation's expression",
                   np.linalg.norm(resolution.lift([1.0, 0.0], 4)), reference=float(deriv.expression),
                   rtol=1e-15, note="norm of (1, 1, 1, 1, 0, ...) is sqrt(4) = 2, exact")
    img = _rng("DUBE-5", "image").random((16, 16))
    s = 4
    reshaped = img.reshape(4, s, 4, s).mean(axis=(1, 3)).reshape(-1)
    perm = img.reshape(4, s, 4, s).transpose(0, 2, 1, 3).reshape(-1)
    evidence.check("2-D reshape block mean = D after the block permutation",
                   float(np.abs(resolution.block_average(perm, s * s) - reshaped).max()), upper=1e-15,
                   note="same 16 numbers in [0, 1] summed in a different order")
    est = mc.estimate_mean(_coarse_pixel_sampler, 40000, seed=mc.claim_seed("DUBE-5", "variance"))
    evidence.check_estimate("12 b (DX_j - 1/2)^2 for X ~ U[0,1]^n, b = 16", est, reference=1.0,
                            note="Var (DX)_j = 1/(12 b): the product measure erases coarse content")


def _coarse_pixel_sampler(rng, size):
    y = resolution.block_average(rng.random((size, 16)), 16)[:, 0]
    return 12 * 16 * (y - 0.5) ** 2


@pytest.mark.claim("DUBE-5")
@settings(max_examples=40)
@given(n0=st.integers(1, 32), b=st.sampled_from([1, 4, 16]), seed=st.integers(0, 2**32 - 1))
def test_lift_is_a_minimum_norm_right_inverse(n0, b, seed):
    """Invariants: D lift(delta) = delta; ||lift delta|| = sqrt(b) ||delta||; Pythagoras on ker D."""
    rng = np.random.default_rng(seed)
    delta = rng.uniform(-1, 1, n0)
    up = resolution.lift(delta, b)
    assert np.allclose(resolution.block_average(up, b), delta, rtol=0, atol=1e-12)
    assert np.linalg.norm(up) == pytest.approx(math.sqrt(b) * np.linalg.norm(delta), rel=1e-12, abs=1e-300)
    z = rng.standard_normal(n0 * b)
    z -= resolution.lift(resolution.block_average(z, b), b)           # project onto ker D
    lhs = np.linalg.norm(up + z) ** 2
    rhs = np.linalg.norm(up) ** 2 + np.linalg.norm(z) ** 2
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)
    assert resolution.normalized_l2(up) == pytest.approx(resolution.normalized_l2(delta), rel=1e-12,
                                                         abs=1e-300)


# =============================================================================================
# Input validation (theory functions raise ValueError naming the parameter)
# =============================================================================================


@pytest.mark.parametrize("call, name", [
    (lambda: resolution.cube_boundary_distance_bound(1.0), "alpha"),
    (lambda: resolution.cube_distance_tail_bound(0.5, -1.0), "s"),
    (lambda: resolution.sphere_mean_abs_coordinate(1), "n"),
    (lambda: resolution.margin_distances([0.0, 0.0], 0.0, [0.5, 0.5]), "w"),
    (lambda: resolution.lift([1.0], 0), "b"),
    (lambda: landscape.goe_positive_definite_probability(5), "n"),
    (lambda: landscape.goe_positive_definite_probability(2, method="magic"), "method"),
    (lambda: bd.box_halfspace_distance([1.0], 0.0, [2.0]), "x"),
    (lambda: bd.box_halfspace_distance([1.0], float("nan"), [0.5]), "b"),
    (lambda: landscape.goe_saddle_ratio(2, method="montecarlo"), "method"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
