"""The peer adapters of ``advgeom bench`` compute what they claim, and report absence cleanly."""

from __future__ import annotations

import math
import time

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
