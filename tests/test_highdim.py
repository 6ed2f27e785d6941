"""Evidence for the background facts HD-1 to HD-8 (theory/highdim.py, proofs/highdim.py).

Golden values come from independent routes: 50-digit mpmath through a different formula (the
recurrence :math:`V_n = 2\\pi V_{n-2}/n`, quadrature of the marginal density), sympy closed forms,
and Monte Carlo with intervals at level 1 - 1e-6.
"""

from __future__ import annotations

import math
from fractions import Fraction

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import pytest
import sympy as sp
from advgeom.numerics import montecarlo as mc
from advgeom.proofs import highdim as derivations
from advgeom.theory import highdim as hd
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

N_GRID = np.arange(1, 401)



def _derive(evidence, derivs):
    """Verify and record every derivation of a tuple; return the first (it carries the expression)."""
    derivs = derivs if isinstance(derivs, tuple | list) else (derivs,)
    for d in derivs:
        evidence.derivation(d)
    return derivs[0]

def _ball_volume_by_recurrence(n: int, dps: int = 50) -> mpmath.mpf:
    """V_n from V_1 = 2, V_2 = pi and V_n = 2 pi V_(n-2) / n: no Gamma function involved."""
    with mpmath.workdps(dps):
        v = mpmath.mpf(2) if n % 2 else mpmath.pi
        for k in range(3 if n % 2 else 4, n + 1, 2):
            v = 2 * mpmath.pi * v / k
        return v


def _log_ball_volume_by_recurrence(n: int) -> float:
    """ln V_n as ln V_(1 or 2) + sum of ln(2 pi/k), k = n, n - 2, ...: no Gamma function."""
    start = math.log(2.0) if n % 2 else math.log(math.pi)
    return start + math.fsum(math.log(2 * math.pi / k) for k in range(3 if n % 2 else 4, n + 1, 2))


def _sphere_points(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    g = rng.standard_normal((size, n))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def _abs_first_coordinate_100(rng, size):
    return np.abs(_sphere_points(rng, size, 100)[:, 0])


def _coordinate_beyond_02_n100(rng, size):
    return np.abs(_sphere_points(rng, size, 100)[:, 0]) > 0.2


def _inner_product_sq_50(rng, size):
    u, v = _sphere_points(rng, size, 50), _sphere_points(rng, size, 50)
    return np.einsum("ij,ij->i", u, v) ** 2


def _pair_sq_distance_100(rng, size):
    return np.sum((rng.random((size, 100)) - rng.random((size, 100))) ** 2, axis=1)


def _pair_sq_distance_dev_100(rng, size):
    return (_pair_sq_distance_100(rng, size) - 100 / 6) ** 2


def _centre_sq_distance_100(rng, size):
    return np.sum((rng.random((size, 100)) - 0.5) ** 2, axis=1)


# ----------------------------------------------------------------------------------------- HD-1


@pytest.mark.claim("HD-1")
def test_ball_volume_derivation_and_closed_form(evidence):
    d = derivations.ball_volume()
    d = _derive(evidence, d)
    closed = sp.lambdify(derivations.n, d.expression, "mpmath")
    for k in (1, 2, 5, 17, 64):
        with mpmath.workdps(50):
            evidence.check(f"V_{k}: derived closed form vs 50-digit recurrence", closed(k),
                           reference=_ball_volume_by_recurrence(k), rtol=1e-40,
                           method="50-digit recurrence V_n = 2 pi V_(n-2)/n")


@pytest.mark.claim("HD-1")
def test_ball_volume_matches_recurrence_and_peaks_at_five(evidence):
    worst = 0.0
    for k in range(1, 400):
        ref = _ball_volume_by_recurrence(k)
        worst = max(worst, float(abs(hd.ball_volume(k) - ref) / ref))
    evidence.check("max relative error of ball_volume, n = 1..399, vs recurrence", worst,
                   upper=1e-12, method="50-digit recurrence V_n = 2 pi V_(n-2)/n",
                   note="double precision through gammaln: a few ulps per operation")
    peak = int(N_GRID[np.argmax(hd.ball_volume(N_GRID))])
    evidence.check("argmax_n V_n over n = 1..400", peak, reference=5, atol=0)
    big = hd.log_ball_volume(10**6)
    evidence.check("ln V_n at n = 10^6 (V_n -> 0)", big, upper=-1e6,
                   note="log form: V_n itself underflows double precision beyond n ~ 440")
    evidence.check("ln V_(10^6): gammaln vs the summed log-recurrence", big,
                   reference=_log_ball_volume_by_recurrence(10**6), rtol=1e-12,
                   method="sum of log(2 pi / k) over k = 4, 6, ..., n (the recurrence, math.fsum)")


@pytest.mark.claim("HD-1")
def test_ball_volume_rejects_bad_input_and_underflow(evidence):
    for bad in (0, -3, 2.5, float("nan")):
        with pytest.raises(ValueError, match="n ="):
            hd.ball_volume(bad)
    with pytest.raises(ValueError, match="underflows"):
        hd.ball_volume(5000)
    with pytest.raises(ValueError, match="radius"):
        hd.ball_volume(3, radius=-1.0)


# ----------------------------------------------------------------------------------------- HD-2


@pytest.mark.claim("HD-2")
def test_inscribed_ball_fraction_decreases(evidence):
    _derive(evidence, derivations.inscribed_ball_fraction())
    with mpmath.workdps(40):
        values = [hd.inscribed_ball_fraction(k, precision=40) for k in range(1, 1001)]
        ratios = [values[i + 1] / values[i] for i in range(len(values) - 1)]
        evidence.check("max_n f(n+1)/f(n), n = 1..1000, f = V_n/2^n (40 digits): attained at n = 1",
                       max(ratios), reference=mpmath.pi / 4, rtol=1e-35,
                       method="exact value (V_2/4)/(V_1/2) = pi/4")
        evidence.check("f(1000)", values[-1], upper=mpmath.mpf("1e-600"))


@pytest.mark.claim("HD-2")
@given(st.integers(min_value=1, max_value=300))
def test_inscribed_fraction_is_strictly_decreasing_property(k):
    """Invariant (HD-2): V_n/2^n strictly decreases from n to n + 1."""
    assert hd.inscribed_ball_fraction(k + 1) < hd.inscribed_ball_fraction(k)


# ----------------------------------------------------------------------------------------- HD-3, 4


@pytest.mark.claim("HD-3")
def test_shell_fraction_exact_and_precise(evidence):
    d = derivations.shell_fraction()
    d = _derive(evidence, d)
    for k, e in ((10, 1e-12), (1000, 0.01), (10**4, 1e-3), (3, 0.5)):
        with mpmath.workdps(50):
            lo = 1 - mpmath.mpf(e)
            ref = mpmath.quad(lambda r, k=k: k * r ** (k - 1), [lo, (lo + 1) / 2, 1])
        evidence.check(f"shell fraction n={k}, eps={e:g} vs 50-digit quadrature",
                       hd.shell_fraction(k, e), reference=ref, rtol=1e-13,
                       method="50-digit quadrature of the radial density n r^(n-1)",
                       note="expm1/log1p keep full relative precision")


@pytest.mark.claim("HD-3")
@given(st.integers(1, 10**5), st.floats(1e-9, 0.5), st.floats(1e-9, 0.5))
def test_shell_fraction_monotone_in_n_and_eps_property(k, e1, e2):
    """Invariant (HD-3): the shell fraction increases in n and in eps and lies in [0, 1]."""
    lo, hi = sorted((e1, e2))
    a = hd.shell_fraction(k, lo)
    assert 0.0 <= a <= hd.shell_fraction(k, hi) <= 1.0
    assert a <= hd.shell_fraction(k + 1, lo)


@pytest.mark.claim("HD-4")
def test_inner_cube_fraction(evidence):
    _derive(evidence, derivations.inner_cube_fraction())
    for k, e in ((100, Fraction(1, 20)), (784, Fraction(1, 100)), (10**4, Fraction(1, 1000))):
        ref = (1 - 2 * e) ** k                              # exact rational
        evidence.check(f"(1-2eps)^n, n={k}, eps={float(e):g} vs exact rational",
                       hd.inner_cube_fraction(k, float(e)), reference=float(ref), rtol=1e-12,
                       method="exact rational power (fractions); eps rounded to double moves the "
                              "value by n * 1e-17 relative")
    with pytest.raises(ValueError, match="eps"):
        hd.inner_cube_fraction(10, 0.7)


# ----------------------------------------------------------------------------------------- HD-5


@pytest.mark.claim("HD-5")
def test_sphere_coordinate_tail_by_quadrature(evidence):
    for k, t in ((2, 0.5), (3, 0.9), (50, 0.3), (500, 0.25), (5000, 0.1)):
        with mpmath.workdps(50):
            w = lambda s, k=k: (1 - s * s) ** (mpmath.mpf(k - 3) / 2)  # noqa: E731
            ref = mpmath.quad(w, [t, 1]) / mpmath.quad(w, [0, 1])
        evidence.check(f"P(|x1| > {t}) on S^{k - 1}: betainc vs 50-digit quadrature",
                       hd.sphere_abs_coordinate_tail(k, t), reference=ref, rtol=1e-11,
                       method="50-digit quadrature of the marginal density (1 - t^2)^((n-3)/2)")
    tiny = hd.sphere_abs_coordinate_tail(10**4, 0.5, precision=30)
    with mpmath.workdps(30):
        evidence.check("P(|x1| > 0.5), n = 10^4 (30 digits): below the bound 2 exp(-n t^2/2)",
                       tiny, upper=2 * mpmath.exp(-mpmath.mpf(10**4) * 0.25 / 2))
    evidence.check("P(|x1| > 0.5), n = 500, double precision tail (no 1 - cdf)",
                   hd.sphere_abs_coordinate_tail(500, 0.5),
                   reference=hd.sphere_abs_coordinate_tail(500, 0.5, precision=40), rtol=1e-11)


@pytest.mark.claim("HD-5")
@given(st.integers(2, 10**4), st.floats(0.0, 1.0))
def test_sphere_tail_below_gaussian_bound_property(k, t):
    """Invariant (HD-5): P(|x_1| > t) <= 2 exp(-n t^2 / 2) for every n >= 2 and t in [0, 1]."""
    assert hd.sphere_abs_coordinate_tail(k, t) <= hd.sphere_abs_coordinate_tail_bound(k, t) * (
        1 + 1e-12)


@pytest.mark.claim("HD-5")
def test_sphere_mean_abs_coordinate(evidence):
    d = derivations.sphere_mean_abs_coordinate()
    d = _derive(evidence, d)
    for k in (3, 4, 10, 300, 5000):
        with mpmath.workdps(30):
            w = lambda s, k=k: (1 - s * s) ** (mpmath.mpf(k - 3) / 2)  # noqa: E731
            pts = [0, 0.5 / math.sqrt(k), 2 / math.sqrt(k), 8 / math.sqrt(k), 1] if k > 50 else [0, 1]
            ref = mpmath.quad(lambda s, w=w: s * w(s), pts) / mpmath.quad(w, pts)
        evidence.check(f"E|x1| on S^{k - 1}: theory vs 30-digit quadrature",
                       hd.sphere_mean_abs_coordinate(k), reference=ref, rtol=1e-13,
                       method="30-digit quadrature of the marginal density")
    est = mc.estimate_mean(_abs_first_coordinate_100, 20_000,
                           seed=mc.claim_seed("HD-5", "mean abs"))
    evidence.check_estimate("E|x1| on S^99, Monte Carlo 2e4 points", est,
                            reference=hd.sphere_mean_abs_coordinate(100))
    p = mc.estimate_probability(_coordinate_beyond_02_n100, 50_000,
                                seed=mc.claim_seed("HD-5", "tail"))
    evidence.check_estimate("P(|x1| > 0.2) on S^99, Monte Carlo 5e4 points", p,
                            reference=hd.sphere_abs_coordinate_tail(100, 0.2))


# ----------------------------------------------------------------------------------------- HD-6


@pytest.mark.claim("HD-6")
def test_inner_products_of_random_directions(evidence):
    _derive(evidence, derivations.inner_product_moments())
    est = mc.estimate_mean(_inner_product_sq_50, 20_000, seed=mc.claim_seed("HD-6", "mean"))
    evidence.check_estimate("E(u.v)^2 for n = 50, Monte Carlo", est,
                            reference=hd.inner_product_second_moment(50))
    rng = np.random.default_rng(mc.claim_seed("HD-6", "ks"))
    sample = _inner_product_sq_50(rng, 20_000)
    a, b = hd.inner_product_square_beta(50)
    ks = stats.kstest(sample, stats.beta(a, b).cdf)
    evidence.check("KS p-value of (u.v)^2 against Beta(1/2, 49/2), 2e4 pairs", ks.pvalue,
                   lower=1e-6, method="Kolmogorov-Smirnov test against scipy's Beta cdf",
                   note="false-alarm rate 1e-6 when the law is right")
    # sqrt(n) u.v -> N(0, 1): the exact law of sqrt(n) u.v from the Beta form, against Phi.
    grid = np.linspace(0.0, 4.0, 401)
    gaps = []
    for k in (10, 100, 1000, 10000):
        a, b = hd.inner_product_square_beta(k)
        law = 0.5 + 0.5 * stats.beta(a, b).cdf(grid**2 / k)
        gaps.append(float(np.max(np.abs(law - stats.norm.cdf(grid)))))
    evidence.table("sup |P(sqrt(n) u.v <= s) - Phi(s)| over s in [0, 4]", ["n", "sup gap"],
                   [[k, g] for k, g in zip((10, 100, 1000, 10000), gaps, strict=True)])
    evidence.check("sup gap shrinks tenfold per decade (n gap at n = 10^4)", gaps[-1],
                   upper=gaps[0] / 500)
    assert all(x > y for x, y in zip(gaps, gaps[1:], strict=False))


# ----------------------------------------------------------------------------------------- HD-7


@pytest.mark.claim("HD-7")
def test_cube_distance_moments(evidence):
    _derive(evidence, derivations.cube_distance_moments())
    m = hd.cube_distance_moments(100)
    seed = mc.claim_seed("HD-7", "pairs")
    evidence.check_estimate("E|X-Y|^2, n = 100, Monte Carlo",
                            mc.estimate_mean(_pair_sq_distance_100, 20_000, seed=seed),
                            reference=m.mean_pair)
    evidence.check_estimate("Var |X-Y|^2 = 7n/180, n = 100, Monte Carlo",
                            mc.estimate_mean(_pair_sq_distance_dev_100, 20_000, seed=seed),
                            reference=m.var_pair)
    evidence.check_estimate("E|X - 1/2|^2, n = 100, Monte Carlo",
                            mc.estimate_mean(_centre_sq_distance_100, 20_000,
                                             seed=mc.claim_seed("HD-7", "centre")),
                            reference=m.mean_centre)
    # the moments of one coordinate difference D = X_1 - Y_1 (triangular density 1 - |t| on
    # [-1, 1]) by quadrature; |X-Y|^2 sums n independent copies of D^2
    with mpmath.workdps(30):
        moment = [mpmath.quad(lambda t, k=k: t**k * (1 - abs(t)), [-1, 0, 1]) for k in (2, 4)]
        big = 10**4
        ref = mpmath.sqrt(big * (moment[1] - moment[0] ** 2)) / (big * moment[0])
    evidence.check("sd/mean of |X-Y|^2 at n = 10^4", hd.cube_distance_moments(big).rel_sd_pair,
                   reference=float(ref), rtol=1e-13,
                   method="mpmath 30-digit quadrature of E D^2 and E D^4 for the triangular law "
                          "of D = X_1 - Y_1, summed over n independent coordinates",
                   note="double-precision closed form: a few ulps")


# ----------------------------------------------------------------------------------------- HD-8


@pytest.mark.claim("HD-8")
def test_scaled_root_increases_to_sqrt_2pi_e(evidence):
    _derive(evidence, derivations.scaled_ball_volume_root())
    with mpmath.workdps(30):
        values = [hd.scaled_ball_volume_root(k, precision=30) for k in range(1, 1001)]
        steps = [values[i + 1] - values[i] for i in range(len(values) - 1)]
        limit = mpmath.sqrt(2 * mpmath.pi * mpmath.e)
        evidence.check("min_n [g(n+1) - g(n)], n = 1..1000 (30 digits): increasing", min(steps),
                       lower=0)
        evidence.check("sqrt(2 pi e) - g(1000): approaches from below", limit - values[-1],
                       lower=0, upper=2e-2)
    evidence.check("g(10^8) (double precision)", hd.scaled_ball_volume_root(10**8),
                   reference=float(limit), rtol=1e-6, method="the limit sqrt(2 pi e); the gap is "
                   "O(ln n / n) = 2e-7 at n = 10^8")
    worst = max(abs(hd.scaled_ball_volume_root(k) - math.sqrt(k) * math.exp(
        _log_ball_volume_by_recurrence(k) / k)) / hd.scaled_ball_volume_root(k) for k in range(1, 1001))
    evidence.check("max rel. gap of sqrt(n) V_n^(1/n), n = 1..1000, vs the log-recurrence", worst,
                   upper=1e-13, method="sum of log(2 pi / k) (the recurrence V_n = 2 pi V_(n-2)/n)")


@pytest.mark.claim("HD-1")
@pytest.mark.claim("HD-3")
@pytest.mark.claim("HD-4")
@pytest.mark.claim("HD-8")
def test_high_dimensional_panel_figure(evidence):
    ns = np.arange(1, 61)
    fig, axes = plt.subplots(1, 3, figsize=(6.5, 2.3))
    axes[0].semilogy(ns, hd.ball_volume(ns), "o-", ms=2)
    axes[0].axvline(5, color="grey", lw=0.6, ls=":")
    axes[0].set(xlabel="n", ylabel="$V_n$", title="unit-ball volume")
    big = np.unique(np.logspace(0, 3, 60).astype(int))
    axes[1].semilogx(big, hd.shell_fraction(big, 0.01), label="shell, $\\varepsilon$=0.01")
    axes[1].semilogx(big, hd.inner_cube_fraction(big, 0.01), label="inner cube")
    axes[1].set(xlabel="n", title="volume fractions")
    axes[1].legend(fontsize=6)
    axes[2].semilogx(big, hd.scaled_ball_volume_root(big))
    axes[2].axhline(hd.SQRT_2_PI_E, color="grey", ls="--", lw=0.8, label="$\\sqrt{2\\pi e}$")
    axes[2].set(xlabel="n", title="$\\sqrt{n}\\,V_n^{1/n}$")
    axes[2].legend(fontsize=6)
    fig.tight_layout()
    evidence.figure(fig, "HD-1, 3, 4, 8: the unit-ball volume peaks at n = 5 and vanishes; the "
                    "outer 1% shell and the cube's boundary layer take almost all volume; "
                    "sqrt(n) V_n^(1/n) rises to sqrt(2 pi e).")
    evidence.record("V_60 / V_5", float(hd.ball_volume(60) / hd.ball_volume(5)), upper=1e-10)
