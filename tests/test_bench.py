"""The peer adapters of ``advgeom bench`` compute what they claim, and report absence cleanly."""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest
from advgeom.numerics import peers
from scipy import special


def ref_chi2_sf(x: float, dof: int) -> float:
    """P(chi^2_dof > x) by the regularized upper incomplete gamma function."""
    return float(special.gammaincc(dof / 2.0, x / 2.0))


@pytest.mark.skipif(not peers.available("gx2"), reason="gx2 is an optional peer (.[peers])")
def test_gx2_adapter_matches_the_closed_chi_square_case():
    # bulk of the distribution, where gx2's Imhof quadrature is good to its absolute tolerance
    for dof, x in ((2, 2.0), (3, 5.0), (4, 6.0)):
        r = peers.tail("gx2", "imhof", np.ones(dof), x)
        assert r.ok and r.status == "ok" and not r.log
        assert abs(r.value - ref_chi2_sf(x, dof)) < 1e-3
    # gx2's tail method is exact for equal weights (a scaled chi-square); far tail in log10 form
    r = peers.tail("gx2", "tail", [2.0, 2.0, 2.0], 60.0)
    assert r.ok and abs(r.value / ref_chi2_sf(30.0, 3) - 1) < 1e-10
    r = peers.tail("gx2", "tail", [1.0], 3000.0)
    ref_log = math.log(2.0) + float(special.log_ndtr(-math.sqrt(3000.0)))  # 2 Phi(-sqrt 3000)
    assert r.ok and r.log and abs(r.value / ref_log - 1) < 1e-6


@pytest.mark.skipif(not peers.available("momentchi2"), reason="optional peer (.[peers])")
def test_momentchi2_adapter_gives_the_tail_and_refuses_mixed_signs():
    r = peers.tail("momentchi2", "hbe", [1.0, 1.0, 1.0], 5.0)
    assert r.ok and abs(r.value - ref_chi2_sf(5.0, 3)) < 1e-12  # moment match is exact here
    r = peers.tail("momentchi2", "wf", [1.0, -1.0], 0.5)
    assert not r.ok and r.status.startswith("not applicable")


def test_a_missing_peer_is_reported_not_guessed(monkeypatch):
    monkeypatch.setattr(peers, "_module", lambda name: None)
    for peer, method in (("gx2", "imhof"), ("momentchi2", "hbe")):
        r = peers.tail(peer, method, [1.0, 2.0], 3.0)
        assert r.value is None and r.status == "not installed" and not r.ok
    assert peers.version("gx2") is None and not peers.available("momentchi2")
    monkeypatch.setattr(peers.shutil, "which", lambda prog: None)
    res = peers.r_pchisqsum([1.0, 2.0], [3.0, 4.0])
    assert [r.status for r in res] == ["not installed"] * 2
    assert peers.version("survey") is None


def test_a_failing_or_slow_peer_is_reported_with_its_status():
    def boom():
        raise RuntimeError("broken under numpy 2")

    val, status, _ = peers.call_limited(boom, 1.0)
    assert val is None and status.startswith("failed: RuntimeError")

    def slow():
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 5.0:
            pass
        return 1.0

    val, status, secs = peers.call_limited(slow, 0.2)
    assert val is None and status == "timed out after 0.2 s" and secs < 2.0
    assert peers.call_limited(lambda: 2.5, 1.0)[:2] == (2.5, "ok")
    # a peer that asks for more memory than the cap gets a MemoryError, reported as a failure
    val, status, _ = peers.call_limited(lambda: float(np.ones(2**33).sum()), 5.0, memory=2**28)
    assert val is None and status.startswith("failed: MemoryError")


@pytest.mark.skipif(peers.version("survey") is None, reason="R and survey are optional")
def test_r_pchisqsum_adapter_matches_the_chi_square_tail():
    res = peers.r_pchisqsum([1.0, 1.0], [2.0, 6.0])
    for r, x in zip(res, (2.0, 6.0), strict=True):
        # saddlepoint approximation: a few per cent at most for 2 degrees of freedom
        assert r.ok and abs(r.value / ref_chi2_sf(x, 2) - 1) < 0.05 and r.seconds >= 0


def test_peer_arguments_are_validated():
    with pytest.raises(ValueError, match="peer"):
        peers.tail("scipy", "imhof", [1.0], 1.0)
    with pytest.raises(ValueError, match="method"):
        peers.tail("gx2", "hbe", [1.0], 1.0)
    with pytest.raises(ValueError, match="weights"):
        peers.tail("gx2", "imhof", [], 1.0)
    with pytest.raises(ValueError, match="xs"):
        peers.r_pchisqsum([1.0], [math.nan])


def test_sf_with_tiny_nonzero_x_is_exact():
    from advgeom.theory import quadforms as qf

    # chi-square with 2 dof: P = exp(-x/2); one weight: P(z^2 > x) = erfc(sqrt(x/2))
    for x in (1e-300, 1e-200, 1e-310, 5e-324):
        if x / 2 > 0:
            assert abs(qf.sf([1.0, 1.0], x, log=True) / (-x / 2) - 1) < 1e-12
        ref = float(special.erf(math.sqrt(x) / math.sqrt(2.0)))  # P(z^2 < x), the smaller side
        assert abs(qf.sf([1.0], x, log=True) / -ref - 1) < 1e-12
    # two negative weights, x = -tiny: P(Q > x) = P(z1^2 + 2 z2^2 < |x|) = |x| / (2 sqrt 2)
    assert abs(qf.sf([-1.0, -2.0], -1e-300) / (1e-300 / (2 * math.sqrt(2))) - 1) < 1e-12
    # mixed signs: the value at x = 0 (P(Q = 0) = 0, bounded density for three weights)
    w = [1.0, -0.5, 0.25]
    assert qf.sf(w, 1e-300) == qf.sf(w, 0.0) == qf.sf(w, -5e-324)


def _hypo_log_sf_one_positive(wp: float, neg, x: float, dps: int = 60) -> float:
    """log P(wp chi2_2 + sum_i neg_i chi2_2 > x), x >= 0, one positive weight: the hypoexponential
    closed form has the single term prod_j wp/(wp - w_j) exp(-x/(2 wp)), free of cancellation
    however close the negative weights are."""
    with mpmath.workdps(dps):
        wpm = mpmath.mpf(wp)
        lp = mpmath.fsum(mpmath.log(wpm / (wpm - mpmath.mpf(float(v)))) for v in neg)
        return float(lp - mpmath.mpf(x) / (2 * wpm))


def _mp_inversion_log_sf(atoms, dof, x: float, dps: int = 40) -> float:
    """log P(sum_j atoms_j chi2_{dof_j} > x), x above the mean, by Laplace inversion in mpmath on
    the straight line through the saddle point (fractional degrees of freedom allowed)."""
    a = np.asarray(atoms, float)
    n = np.asarray(dof, float)
    from scipy import optimize

    top = 0.5 / a.max()
    c = optimize.brentq(lambda s: float(np.sum(n * a / (1 - 2 * a * s))) - x - 1 / s,
                        1e-9 * top, top * (1 - 1e-12))
    with mpmath.workdps(dps):
        am, nm = [mpmath.mpf(float(v)) for v in a], [mpmath.mpf(float(v)) for v in n]
        cm, xm = mpmath.mpf(c), mpmath.mpf(x)

        def k(s):
            terms = (m * mpmath.log(1 - 2 * v * s) for v, m in zip(am, nm, strict=True))
            return -mpmath.fsum(terms) / 2 - s * xm

        kc = k(cm)
        sig = 1 / mpmath.sqrt(mpmath.fsum(2 * m * v**2 / (1 - 2 * v * cm) ** 2
                                          for v, m in zip(am, nm, strict=True)) + 1 / cm**2)
        val = mpmath.quad(lambda y: mpmath.re(mpmath.exp(k(cm + 1j * y) - kc) / (cm + 1j * y)),
                          [0] + [sig * 2**j for j in range(-2, 8)] + [mpmath.inf]) / mpmath.pi
        return float(kc + mpmath.log(val))


def test_sf_merges_near_tied_weights_and_stays_exact():
    from advgeom.theory import quadforms as qf

    rng = np.random.default_rng(20261204)
    neg = -(1.0 + 1e-10 * rng.uniform(0.0, 1.0, 300))
    for wp, x in ((40.0, 0.0), (400.0, 0.0), (40.0, 300.0)):
        w = np.r_[wp, wp, np.repeat(neg, 2)]  # each weight twice: chi2_2 terms
        wc, dof, bound = qf.cluster(w, x)
        assert wc.size <= 4 and abs(dof.sum() - w.size) < 1e-9 and bound < 1e-13
        ref = _hypo_log_sf_one_positive(wp, neg, x)
        assert abs(math.expm1(qf.sf(w, x, log=True) - ref)) < 1e-12


def test_cluster_bound_covers_the_change_it_makes():
    from advgeom.theory import quadforms as qf

    # a coarse tolerance, so that the change is far above the rounding and can be measured
    rng = np.random.default_rng(7)
    neg = -(1.0 + 1e-3 * rng.uniform(0.0, 1.0, 30))
    for wp, x in ((15.0, 0.0), (15.0, 60.0), (60.0, 0.0)):
        w = np.r_[wp, wp, np.repeat(neg, 2)]
        wc, dof, bound = qf.cluster(w, x, tol=1e-2)
        assert wc.size == 3
        change = abs(math.expm1(_hypo_log_sf_one_positive(wp, neg, x)
                                - _mp_inversion_log_sf(wc, dof, x)))
        assert change <= bound < 1e-3  # the bound holds ...
        # ... and is within a few orders of the change: it takes the sup of |2 m s/(1 - 2 m s)|
        # over the whole line (at least 1), where the change comes from near the saddle point
        assert bound <= 1e5 * change
    # nothing to merge: no bound needed; weights too far apart for the tolerance stay apart
    wc, dof, bound = qf.cluster([1.0, -0.5, -0.25], 0.0)
    assert wc.tolist() == [-0.5, -0.25, 1.0] and bound == 0.0


def test_stride1_conv_norm_matches_the_dense_svd_of_the_operator_matrix():
    from advgeom.numerics import bench_lipschitz as bl
    from advgeom.theory import lipschitz as lip

    rng = np.random.default_rng(31)
    # shapes: more outputs than inputs and fewer, one output channel, a kernel wider than the
    # input (taps wrap), non-square inputs, a tiny and a flat kernel (ties between frequencies)
    cases = [((3, 2, 3, 3), (6, 6)), ((2, 5, 3, 2), (5, 7)), ((1, 3, 3, 3), (4, 4)),
             ((2, 2, 5, 5), (3, 4)), ((4, 4, 3, 3), (8, 8))]
    for shape, size in cases:
        k = rng.standard_normal(shape)
        for scale in (1.0, 1e-150):
            ks = k * scale
            dense = float(np.linalg.svd(bl._strided_matrix_hw(ks, size), compute_uv=False)[0])
            assert abs(lip.conv_operator_norm(ks, size) / dense - 1) < 1e-12
    flat = np.ones((2, 3, 2, 2))
    dense = float(np.linalg.svd(bl._strided_matrix_hw(flat, (4, 4)), compute_uv=False)[0])
    assert abs(lip.conv_operator_norm(flat, 4) / dense - 1) < 1e-12
    assert lip.conv_operator_norm(np.zeros((2, 2, 3, 3)), 5) == 0.0


def test_conv_peers_compute_the_norm_they_claim():
    from advgeom.numerics import bench_lipschitz as bl

    rng = np.random.default_rng(32)
    k = rng.standard_normal((3, 3, 3, 3))
    dense = float(np.linalg.svd(bl._strided_matrix(k, 6, 1), compute_uv=False)[0])
    assert abs(bl.sedghi_full(k, 6) / dense - 1) < 1e-12
    assert abs(bl.sedghi_half(k, 6) / dense - 1) < 1e-12
    dense2 = float(np.linalg.svd(bl._strided_matrix(k, 6, 2), compute_uv=False)[0])
    est = bl.power_iteration(k, 6, 2, iterations=300)
    assert est <= dense2 * (1 + 1e-12) and est / dense2 > 1 - 1e-3  # a lower bound, converging


def test_imhof_reference_matches_the_hypoexponential_closed_form():
    from advgeom.numerics.references import hypoexponential_sf, imhof_sf

    rng = np.random.default_rng(20261205)
    half = np.r_[rng.uniform(0.2, 1.0, 6), -rng.uniform(0.5, 1.5, 20)]
    w = np.repeat(half, 2)
    for x in (0.0, float(w.sum() + 8.0 * math.sqrt(2.0 * float(np.sum(w * w))))):
        a, b = imhof_sf(w, x), hypoexponential_sf(half, x, dps=60)
        assert abs(a / b - 1) < mpmath.mpf(10) ** -40


def test_binned_log_sum_error_is_within_its_bound():
    from advgeom.theory import quadforms as qf

    rng = np.random.default_rng(20261206)
    rho = np.sort(np.r_[rng.uniform(0.5, 1.5, 2000), -rng.uniform(0.5, 1.5, 4000)])
    mult = rng.integers(1, 3, rho.size).astype(float)
    bins = qf._bins(rho, mult)
    assert bins is not None
    y = 0.05 * np.sinh(np.linspace(-3.0, 3.0, 41))
    for a in (0.0, 0.1, -0.1):  # straight and bent contours
        z = a * y * y + 1j * y
        approx, bound = qf._binned_logsum(bins, z)
        with mpmath.workdps(40):
            for j in range(0, z.size, 5):
                zj = mpmath.mpc(float(z[j].real), float(z[j].imag))
                terms = [m * mpmath.log(1 - mpmath.mpf(float(r)) * zj)
                         for r, m in zip(rho, mult, strict=True)]
                exact = mpmath.fsum(terms)
                err = float(abs(exact - mpmath.mpc(approx[j].real, approx[j].imag)))
                # the remainder bound plus the double rounding of the sums (a few ulps per term,
                # as in the direct sum)
                ulps = 8.0 * float(np.finfo(float).eps) * float(mpmath.fsum(abs(t) for t in terms))
                assert err <= bound[j] + ulps
                if a == 0.0:
                    assert bound[j] <= 1e-16


@pytest.mark.parametrize("design", ["mixed, x = 0", "positive, x = mean + 6 sd"])
def test_sf_on_thousands_of_distinct_weights_is_exact_with_binning(design, monkeypatch):
    from advgeom.numerics.references import imhof_sf
    from advgeom.theory import quadforms as qf

    rng = np.random.default_rng(20261207)
    if design.startswith("mixed"):
        pos = rng.uniform(0.2, 1.0, 500)
        neg = -rng.uniform(0.5, 1.5, 4500)
        neg *= pos.sum() / -neg.sum()
        w, x = np.r_[pos, neg], 0.0
    else:
        w = rng.uniform(0.5, 1.5, 5000)
        x = float(w.sum() + 6.0 * math.sqrt(2.0 * float(np.sum(w * w))))
    used = []
    real = qf._binned_logsum
    monkeypatch.setattr(qf, "_binned_logsum", lambda b, z: used.append(z.size) or real(b, z))
    lp = qf.sf(w, x, log=True)
    assert used  # the binned sum did the work
    ref = float(mpmath.log(imhof_sf(w, x)))
    assert abs(math.expm1(lp - ref)) <= 1e-12
