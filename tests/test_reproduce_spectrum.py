"""The local-error reproduction (``advgeom reproduce manifold-local-errors``) at CI scale.

The CI-scale sweep (the suite's 8x8-digits set-up with a few seeds) runs in this process through the
sweeps machinery; its analysis applies the registered rules of MAN-3 (3-NET), MAN-5, MAN-6 and MAN-7.
With a few seeds only the rules with large effects decide at family-wise level 1e-3 (3-NET), so only
MAN-2 and 3-NET are served here; the other readings are checked for being computed from the data
(recomputed from the raw task results with scipy, and moved by planted accuracies), and are decided
by the paper-scale run.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest
from advgeom.numerics import reproduce_spectrum as rsp
from advgeom.numerics import sweeps
from advgeom.reports.reproduce import emit, main
from advgeom.theory import claims
from scipy import stats
from threadpoolctl import threadpool_limits

EXP = rsp.EXPERIMENTS[rsp.NAME]


@pytest.fixture(scope="module")
def ci():
    with threadpool_limits(1):
        result = sweeps.run_sweep(EXP.sweep("ci"), progress=False)
    return EXP.analyse(result.results, "ci"), result


def _findings(ci, claim: str, kind: str | None = None, reading: str | None = None):
    rows = [f for f in ci[0] if f.claim == claim and kind in (None, f.kind)
            and reading in (None, f.data.get("reading"))]
    assert rows, f"no {kind or ''} finding for {claim} {reading or ''}"
    return rows


def _decision(ci, claim: str, reading: str):
    (f,) = _findings(ci, claim, "decision", reading)
    return f.data["decision"]


def _raw(result, arm: str, key: str) -> np.ndarray:
    """A measurement stacked [seed, condition, ...] straight from the task results."""
    rows = sorted((r for r in result.results if r["arm"] == "network"), key=lambda r: r["index"])
    return np.stack([r[arm][key] for r in rows])


def _fit(lam: np.ndarray, lo: int, hi: int) -> float:
    """1/n-weighted log-log slope by numpy's polynomial least squares (residual weights sqrt(1/n))."""
    n = np.arange(lo, hi + 1, dtype=float)
    return -float(np.polyfit(np.log(n), np.log(lam[lo - 1 : hi]), 1, w=n ** -0.5)[0])


def _t_ci(x: np.ndarray, level: float) -> tuple[float, float, float]:
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(confidence_level=1 - level)
    return float(np.mean(x)), float(ci.low), float(ci.high)


def test_configurations_are_recorded_and_drive_the_tasks(capsys):
    """The configuration record of both scales, the tasks built from it, the cost estimate, and the
    command line refusing an entry the registered families fix."""
    cfg = EXP.configuration
    assert set(cfg) == {"ci", "paper"}
    paper = cfg["paper"]
    assert "MNIST-5000" in paper["data"] and paper["schedule"] == "simultaneous"
    assert paper["seeds"] >= 30 and len(paper["widths"]) == rsp.DEPTH
    assert paper["weight_decays"][0] == 0 and len(paper["weight_decays"]) == 6 and paper["probe"]
    assert "digits" in cfg["ci"]["data"] and cfg["ci"]["schedule"] == "greedy"
    for scale in ("ci", "paper"):
        sweep = EXP.sweep(scale)
        c = rsp.CONFIG[scale]
        n_decay = sum(wd > 0 for wd in c["weight_decays"])
        assert len(sweep.tasks) == c["seeds"] * (1 + n_decay)
        for t in sweep.tasks:
            assert t["data"] == c["data"] and tuple(t["widths"]) == tuple(c["widths"])
            assert t["schedule"] == c["schedule"] and t["epochs"] == c["epochs"]
            assert t["lr"] == c["lr"] and tuple(t["snapshot_epochs"]) == rsp.SNAPSHOT_EPOCHS
        assert {t["weight_decay"] for t in sweep.tasks if t["arm"] == "decay"} == \
            {wd for wd in c["weight_decays"] if wd > 0}
    # the paper scale costs more, and a shorter training costs less
    assert EXP.cost("paper") > 100 * EXP.cost("ci") > 0
    assert EXP.cost("paper", {"seeds": 2}) < EXP.cost("paper") / 10
    # the tasks of one seed index train from one seed: paired conditions
    seeds = {(t["index"], rsp.training_seed(t["data"], t["index"])) for t in EXP.sweep("ci").tasks}
    assert len(seeds) == rsp.CONFIG["ci"]["seeds"]
    assert main([rsp.NAME, "--set", "depth=3", "--workers", "1", "--no-ledger"]) == 2
    assert "depth" in capsys.readouterr().err


@pytest.mark.claim("MAN-2")
def test_local_error_training_reproduced_on_digits(evidence, ci):
    """Readouts frozen and layer 1 blind to the layers above (records), and every layer of every
    seed above 0.9 on the held-out digits, recounted from the task results."""
    findings, result = ci
    for f in _findings(ci, "MAN-2"):
        emit(evidence, f, strict=True)
    (acc,) = [f for f in _findings(ci, "MAN-2", "check") if "method" in f.data]
    assert acc.data["value"] == float(_raw(result, "layers", "acc_clean").min())
    assert all(r["readout_change"] == 0.0 and r["layer1_vs_alone"] == 0.0
               for r in result.results if r["arm"] == "network")


@pytest.mark.claim("MAN-3", reading="3-NET")
def test_layer_spectra_are_no_single_power_law(evidence, ci):
    """3-NET decided from the CI sweep's spectra; its interval recomputed independently: exponents
    by numpy.polyfit, intervals by scipy's one-sample t test."""
    findings, result = ci
    for f in _findings(ci, "MAN-3", reading="3-NET"):
        emit(evidence, f, strict=True)
    dec = _decision(ci, "MAN-3", "3-NET")
    spectra = _raw(result, "layers", "spectra")
    S = spectra.shape[0]
    assert dec.n == S == rsp.CONFIG["ci"]["seeds"]
    cells = []
    for k, (lo, hi) in itertools.product(range(rsp.DEPTH), rsp.WINDOWS):
        mid = min(max(int(round(np.sqrt(lo * hi))), lo + 1), hi - 1)
        rel = np.array([(_fit(lam, mid, hi) - _fit(lam, lo, mid)) / _fit(lam, lo, hi)
                        for lam in spectra[:, k]])
        _, a, b = _t_ci(rel, dec.per_test_level)
        cells.append((0.0 if a <= 0 <= b else min(abs(a), abs(b)), max(abs(a), abs(b))))
    ref = (max(c[0] for c in cells), max(c[1] for c in cells))
    for end, value, r in zip(("lower", "upper"), dec.ci, ref, strict=True):
        evidence.check(f"3-NET interval, {end} end", value, reference=r, rtol=1e-7,
                       method="numpy.polyfit exponents, scipy.stats.ttest_1samp intervals",
                       note="two least-squares routes agree to rounding, about 1e-12 relative")


def test_every_reading_is_decided_from_the_data(ci):
    """Each registered reading gets one decision at its rule's per-test level, over the sweep's
    seeds; the 5-LAYERS interval matches scipy's t intervals over the raw task results; and planted
    accuracies (rising or falling with alpha) move the decision to the rule's outcome for them."""
    findings, result = ci
    S = rsp.CONFIG["ci"]["seeds"]
    for cid in ("MAN-3", "MAN-5", "MAN-6", "MAN-7"):
        c = claims.get(cid)
        ruled = {r.id for r in c.readings if r.decision is not None}
        got = [f for f in findings if f.claim == cid and f.kind == "decision"]
        assert sorted(f.data["reading"] for f in got) == sorted(ruled)
        for f in got:
            d, rule = f.data["decision"], c.reading(f.data["reading"]).decision
            assert d.n == S and d.per_test_level == rule.per_test_level
            assert d.ci[0] <= d.effect <= d.ci[1]
    # 5-LAYERS recomputed: resolved pairs by alpha, then the smallest accuracy gain
    dec = _decision(ci, "MAN-5", "5-LAYERS")
    alpha = _raw(result, "layers", "alpha")[:, :, 0]
    acc = _raw(result, "layers", "acc_clean")
    mean = alpha.mean(axis=0)
    ends = []
    for i, j in itertools.combinations(range(rsp.DEPTH), 2):
        i, j = (i, j) if mean[j] >= mean[i] else (j, i)
        if _t_ci(alpha[:, j] - alpha[:, i], dec.per_test_level)[1] > rsp.ALPHA_RESOLUTION:
            ends.append(_t_ci(acc[:, j] - acc[:, i], dec.per_test_level))
    assert ends, "no alpha-resolved pair of layers at CI scale"
    assert dec.ci == pytest.approx((min(e[1] for e in ends), min(e[2] for e in ends)), rel=1e-9)
    # plant accuracies that follow (or oppose) the mean alpha order, with seed noise of 1e-3
    order = np.argsort(np.argsort(mean))
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 1e-3, (S, rsp.DEPTH))
    for sign, expected in ((+1, "on_positive"), (-1, "on_negative")):
        planted = copy.deepcopy(result.results)
        nets = sorted((r for r in planted if r["arm"] == "network"), key=lambda r: r["index"])
        for s, r in enumerate(nets):
            r["layers"]["acc_clean"] = 0.7 + sign * 0.05 * order + noise[s]
        out = EXP.analyse(planted, "ci")
        (f,) = [f for f in out if f.kind == "decision" and f.data.get("reading") == "5-LAYERS"]
        rule = claims.get("MAN-5").reading("5-LAYERS").decision
        assert f.data["decision"].outcome == getattr(rule, expected)


def test_analysis_rejects_foreign_results():
    with pytest.raises(ValueError, match="results"):
        rsp.analyse_manifold([{"arm": "other", "index": 0, "data": "digits", "widths": (1,),
                               "schedule": "greedy", "epochs": 1}], "ci")
    with pytest.raises(ValueError, match="overrides"):
        rsp.manifold_sweep("paper", {"widths": [400, 400]})
