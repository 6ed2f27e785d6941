"""The spheres reproductions at CI scale (``advgeom reproduce --scale ci``), as evidence.

Experiment 1 trains two-hidden-layer ReLU networks (64 units, 2,000 Adam steps) over the dimension
sweep and one network of the blog's 2 x 1000 architecture; the registered decisions of SPH-5,
SPH-B2 and SPH-B7 are applied to its attack success rates. Experiment 2 is the quadratic network at
the suite's n = 100. The sweeps run on a 2-worker LocalCluster (their results do not depend on the
executor, see tests/test_sweeps.py) and are stored in the experiment cache.
"""

from __future__ import annotations

import pytest
from advgeom.numerics import references, sweeps
from advgeom.numerics import reproduce_spheres as rs
from advgeom.reports.reproduce import emit, main
from scipy import stats

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def findings():
    with sweeps.local_client(2) as client:
        out = {}
        for name in ("spheres-relu", "spheres-quadratic"):
            exp = rs.EXPERIMENTS[name]
            result = sweeps.run_sweep(exp.sweep("ci"), client=client, progress=False)
            out[name] = (exp.analyse(result.results, "ci"), result)
    return out


def _for(findings, experiment: str, claim: str, kind: str | None = None):
    rows = [f for f in findings[experiment][0] if f.claim == claim and kind in (None, f.kind)]
    assert rows, f"no {kind or ''} finding for {claim}"
    return rows


@pytest.mark.claim("SPH-5")
def test_relu_attack_success_grows_with_dimension(evidence, findings):
    for f in _for(findings, "spheres-relu", "SPH-5"):
        emit(evidence, f, strict=True)
    (dec,) = [f.data["decision"] for f in _for(findings, "spheres-relu", "SPH-5", "decision")]
    assert dec.n == sum(n for _, n in _for(findings, "spheres-relu", "SPH-5", "decision")[0]
                        .data["counts"].values())


@pytest.mark.claim("SPH-B7")
def test_relu_change_between_40_and_80(evidence, findings):
    for f in _for(findings, "spheres-relu", "SPH-B7"):
        emit(evidence, f, strict=True)
    (f,) = _for(findings, "spheres-relu", "SPH-B7", "decision")
    (k1, n1), (k2, n2) = f.data["counts"]["high"], f.data["counts"]["low"]
    # the rule's interval against an independent construction: Wilson limits from scipy's
    # binomial test (score method) combined as Newcombe's hybrid interval
    lev = f.data["decision"].per_test_level
    c1 = stats.binomtest(k1, n1).proportion_ci(1 - lev, method="wilson")
    c2 = stats.binomtest(k2, n2).proportion_ci(1 - lev, method="wilson")
    d = k1 / n1 - k2 / n2
    lo = d - ((k1 / n1 - c1.low) ** 2 + (c2.high - k2 / n2) ** 2) ** 0.5
    evidence.check("Newcombe lower limit", f.data["decision"].ci[0], reference=max(-1.0, lo),
                   rtol=1e-9, atol=1e-12, method="scipy binomtest Wilson limits")


@pytest.mark.claim("SPH-B2")
def test_blog_architecture_points_close_to_errors(evidence, findings):
    (f,) = _for(findings, "spheres-relu", "SPH-B2", "decision")
    emit(evidence, f, strict=True)
    close, total = f.data["counts"]
    ci = stats.binomtest(close, total).proportion_ci(1 - f.data["decision"].per_test_level,
                                                     method="exact")
    evidence.check("Clopper-Pearson lower limit of the fraction", f.data["decision"].ci[0] + 0.5,
                   reference=ci.low, rtol=1e-9, method="scipy binomtest exact interval")


@pytest.mark.claim("SPH-3")
def test_relu_error_counts_and_upper_bounds(evidence, findings):
    (table,) = _for(findings, "spheres-relu", "SPH-3", "table")
    emit(evidence, table)
    for n, sphere, k, N, upper, *_ in table.data["rows"]:
        ref = stats.binomtest(int(k), int(N)).proportion_ci(0.9, method="exact").high
        evidence.check(f"one-sided 95 % upper bound of the error rate, n = {n}, {sphere}",
                       float(upper), reference=ref, rtol=1e-9,
                       method="scipy binomtest exact interval (two-sided 90 %)")


def _emit_quadratic(evidence, findings, claim: str) -> list:
    rows = _for(findings, "spheres-quadratic", claim)
    for f in rows:
        emit(evidence, f, strict=True)
    return rows


@pytest.mark.claim("SPH-8")
def test_quadratic_network_alphas_and_errors_table(evidence, findings):
    (table,) = _emit_quadratic(evidence, findings, "SPH-8")
    assert table.kind == "table" and len(table.data["rows"]) == 2  # one model, two spheres


@pytest.mark.claim("SPH-9")
def test_quadratic_network_errors_invisible_to_sampling(evidence, findings):
    rows = _emit_quadratic(evidence, findings, "SPH-9")
    assert sum(f.kind == "check" for f in rows) == 5  # 2 per sphere and the alpha fraction


@pytest.mark.claim("SPH-15")
def test_quadratic_network_closeness_decision(evidence, findings):
    rows = _emit_quadratic(evidence, findings, "SPH-15")
    (f,) = [f for f in rows if f.kind == "decision"]
    dec, d = f.data["decision"], f.data
    # the rule's interval against an independent construction: D_n by 50-digit quadrature of the
    # cap measure (numerics.references, no advgeom code), scipy's normal quantile for the CLT
    bound = references.distance_bound_quadrature(d["mu"], d["n"])
    rho_10 = references.distance_bound_quadrature(10 * d["mu"], d["n"]) / bound
    half = stats.norm.isf(dec.per_test_level / 2) * d["sd"] / d["points"] ** 0.5
    lo, hi = (d["mean"] - half) / bound - rho_10, (d["mean"] + half) / bound - rho_10
    evidence.check("lower limit of rho - rho_10", dec.ci[0], reference=lo, rtol=1e-9, atol=1e-12,
                   method="D_n(mu) by 50-digit quadrature of the cap measure; scipy normal quantile")
    evidence.check("upper limit of rho - rho_10", dec.ci[1], reference=hi, rtol=1e-9, atol=1e-12,
                   method="D_n(mu) by 50-digit quadrature of the cap measure; scipy normal quantile")


def test_cli_lists_and_rejects_bad_input(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "spheres-relu" in out and "SPH-B7" in out
    assert main(["no-such-experiment"]) == 2
    assert main(["--workers", "0"]) == 2
    assert main(["spheres-relu", "--set", "no_such_key=3", "--workers", "1", "--no-ledger"]) == 2
    assert "no_such_key" in capsys.readouterr().err
