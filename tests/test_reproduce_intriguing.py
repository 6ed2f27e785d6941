"""The reproductions of Szegedy et al. (arXiv:1312.6199) at CI scale, as evidence (SZ-1, SZ-17, SZ-7,
SZ-6 reading 6-A-MNIST).

``intriguing-units`` trains ReLU MLPs with one and two hidden layers on MNIST-5000 and compares the
top-10 label purity of the held-out images that maximize each unit with that of random directions;
``intriguing-adversarial-training`` trains a 100-100-10 MLP plain, with an input-level adversarial
pool and with pools at every level; ``intriguing-transfer`` attacks one MLP and applies the rescaled
perturbations to a second one trained on the disjoint half. The first two sweeps run on a 2-worker
LocalCluster, the third (one task) in this process; all are stored in the experiment cache. The
registered decisions are emitted as the analysis derives them; independently of the code under
test, this module re-splits the data with scikit-learn, re-evaluates the stored networks by a float64
forward pass, recomputes purities by a full sort and label counts, and recomputes every decision's
interval with scipy.stats; for the transfer it re-evaluates both networks on the stored
perturbations and on random directions drawn again from the stored seeds.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from advgeom.numerics import datasets, sweeps
from advgeom.numerics import montecarlo as mc
from advgeom.numerics import reproduce_intriguing as ri
from advgeom.reports.reproduce import emit, main
from scipy import stats
from sklearn.model_selection import train_test_split

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def runs():
    out = {}
    with sweeps.local_client(2) as client:
        for name in ("intriguing-units", "intriguing-adversarial-training"):
            exp = ri.EXPERIMENTS[name]
            result = sweeps.run_sweep(exp.sweep("ci"), client=client, progress=False)
            out[name] = (exp.analyse(result.results, "ci"), result)
    return out


@pytest.fixture(scope="module")
def held_out():
    """The held-out images and labels, split here by scikit-learn from the registered seed."""
    ds = datasets.load("mnist")
    seed = int(mc.claim_seed("SZ-1", "MNIST-5000 split").generate_state(1)[0])
    _, Xte, _, yte = train_test_split(ds.X, ds.y, test_size=0.2, random_state=seed, stratify=ds.y)
    return np.asarray(Xte, np.float64), np.asarray(yte)


def _activations(params, X):
    """Hidden activations and logits of a stored MLP, float64, written here."""
    h, out = np.asarray(X, np.float64), []
    Ws = [np.asarray(p, np.float64) for p in params]
    for j in range(0, len(Ws), 2):
        h = h @ Ws[j] + Ws[j + 1]
        if j < len(Ws) - 2:
            h = np.maximum(h, 0)
        out.append(h)
    return out


def _purity_by_sort(scores, labels, k):
    """Share of the most common label among the k largest scores, by a full stable sort."""
    top = np.argsort(-scores, kind="stable")[:k]
    return Counter(labels[top].tolist()).most_common(1)[0][1] / k


def _decision(findings, claim, reading=None):
    (f,) = [f for f in findings if f.claim == claim and f.kind == "decision"
            and f.data.get("reading") == reading]
    return f


def _emit_all(evidence, findings, claim, reading=None):
    rows = [f for f in findings if f.claim == claim
            and f.data.get("reading") in (reading, None) and (f.kind != "decision"
                                                               or f.data.get("reading") == reading)]
    assert rows, f"no finding for {claim} {reading or ''}"
    for f in rows:
        emit(evidence, f, strict=True)


def _check_welch(evidence, f):
    """The decision's interval against scipy's Welch test on the same per-direction purities."""
    dec = f.data["decision"]
    u, r = f.data["units"], f.data["random"]
    ci = stats.ttest_ind(u, r, equal_var=False).confidence_interval(1 - dec.per_test_level)
    for name, value, ref in (("lower", dec.ci[0], ci.low), ("upper", dec.ci[1], ci.high)):
        evidence.check(f"Welch interval, {name} limit", value, reference=float(ref), rtol=1e-9,
                       atol=1e-12, method="scipy.stats.ttest_ind(equal_var=False) interval")
    assert dec.n == u.size


def _check_purities(evidence, runs, held_out, architecture):
    """Purities of the units and random directions of the first network of an architecture,
    recomputed from its stored weights and directions."""
    X, y = held_out
    results = runs["intriguing-units"][1].results
    res = min((r for r in results if r["architecture"] == architecture), key=lambda r: r["index"])
    hs = _activations(res["params"], X)
    k = res["k"]
    agree = total = 0
    for layer, h in zip(res["layers"], hs[:-1], strict=True):
        live = np.count_nonzero(h > 0, axis=0) >= k
        assert np.array_equal(live, np.isfinite(layer["units"]))
        ref = [_purity_by_sort(h[:, i], y, k) for i in np.flatnonzero(live)]
        g = np.asarray(layer["directions"], np.float64)
        ref_r = [_purity_by_sort(h @ g[:, j], y, k) for j in range(g.shape[1])]
        mine = np.concatenate([layer["units"][live], layer["random"]])
        agree += int(np.count_nonzero(np.isclose(mine, np.array(ref + ref_r), atol=1e-12)))
        total += mine.size
    # float32 (task) against float64 (here) may swap a near-tie at the k-th score
    evidence.check(f"share of directions whose purity matches ({architecture}, seed 0)",
                   agree / total, reference=1.0, atol=0.01,
                   method="float64 forward pass and full stable sort with label counts")
    err = np.count_nonzero(np.argmax(hs[-1], axis=1) != y) / y.size
    evidence.check(f"test error of the stored network ({architecture}, seed 0)", err,
                   reference=res["test_errors"] / res["test_images"], atol=0.002,
                   method="float64 forward pass on the held-out images split by scikit-learn")


@pytest.mark.claim("SZ-1")
def test_unit_and_random_direction_purity_last_layer(evidence, runs, held_out):
    findings = runs["intriguing-units"][0]
    _emit_all(evidence, findings, "SZ-1")
    f = _decision(findings, "SZ-1")
    assert (f.data["architecture"], f.data["layer"]) == ("deep", 2)
    _check_welch(evidence, f)
    _check_purities(evidence, runs, held_out, "deep")


@pytest.mark.claim("SZ-17", reading="17-H")
def test_higher_layer_units_and_mixtures_alike(evidence, runs):
    findings = runs["intriguing-units"][0]
    _emit_all(evidence, findings, "SZ-17", "17-H")
    f = _decision(findings, "SZ-17", "17-H")
    assert f.data["decision"].per_test_level == pytest.approx(5e-4)
    _check_welch(evidence, f)


@pytest.mark.claim("SZ-17", reading="17-S")
def test_single_hidden_layer_units_and_mixtures(evidence, runs, held_out):
    findings = runs["intriguing-units"][0]
    _emit_all(evidence, findings, "SZ-17", "17-S")
    f = _decision(findings, "SZ-17", "17-S")
    assert (f.data["architecture"], f.data["layer"]) == ("one", 1)
    _check_welch(evidence, f)
    _check_purities(evidence, runs, held_out, "one")


@pytest.mark.claim("SZ-7")
def test_per_layer_pools_against_input_level_pool(evidence, runs, held_out):
    findings, result = runs["intriguing-adversarial-training"]
    _emit_all(evidence, findings, "SZ-7")
    dec = _decision(findings, "SZ-7").data["decision"]
    X, y = held_out
    by = {(r["arm"], r["index"]): r for r in result.results}
    indices = sorted({i for _, i in by})
    wrong = {}
    agree = []
    for arm in ("input", "layers"):
        rows = []
        for i in indices:
            pred = np.argmax(_activations(by[(arm, i)]["params"], X)[-1], axis=1)
            agree.append(np.mean(pred == by[(arm, i)]["predictions"]))
            rows.append(pred != y)
        wrong[arm] = np.mean(rows, axis=0)
    evidence.check("least share of held-out predictions reproduced by a float64 forward pass",
                   float(min(agree)), reference=1.0, atol=0.003,
                   method="float64 forward pass on the held-out images split by scikit-learn")
    diffs = wrong["layers"] - wrong["input"]
    ci = stats.ttest_1samp(diffs, 0.0).confidence_interval(1 - dec.per_test_level)
    evidence.check("effect: mean paired difference of test error", dec.effect,
                   reference=float(diffs.mean()), atol=0.003,
                   method="test errors recomputed by a float64 forward pass")
    # recomputed predictions may differ on a near-tie, so the limits get the same tolerance
    evidence.check("t interval, lower limit", dec.ci[0], reference=float(ci.low), atol=0.003,
                   method="scipy.stats.ttest_1samp interval on the recomputed differences")
    evidence.check("t interval, upper limit", dec.ci[1], reference=float(ci.high), atol=0.003,
                   method="scipy.stats.ttest_1samp interval on the recomputed differences")
    assert dec.n == y.size


def test_cli_lists_the_intriguing_experiments(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "intriguing-units" in out and "intriguing-adversarial-training" in out
    assert main(["intriguing-units", "--set", "no_such_key=3", "--workers", "1",
                 "--no-ledger"]) == 2
    assert "no_such_key" in capsys.readouterr().err


# --------------------------------------------------------------------------- SZ-6: transfer


@pytest.fixture(scope="module")
def transfer():
    """``intriguing-transfer`` at CI scale: one task, run in this process (from the store when
    it holds it)."""
    exp = ri.EXPERIMENTS["intriguing-transfer"]
    result = sweeps.run_sweep(exp.sweep("ci"), progress=False)
    return exp.analyse(result.results, "ci"), result


def _fooled(params, X, y):
    """Whether a stored MLP misclassifies each row of X, by the float64 forward pass above."""
    return np.argmax(_activations(params, X)[-1], axis=1) != y


@pytest.mark.claim("SZ-6", reading="6-A-MNIST")
def test_mnist_transfer_beats_random_directions(evidence, transfer, held_out):
    findings, result = transfer
    _emit_all(evidence, findings, "SZ-6", "6-A-MNIST")
    dec = _decision(findings, "SZ-6", "6-A-MNIST").data["decision"]
    X, y = held_out
    diffs, n_ok, n_att, flips = [], 0, 0, 0
    for res in result.results:
        idx = np.asarray(res["attacked"])
        # the task sees the images as float32 (as every network here is trained)
        x, yi = X[idx].astype(np.float32).astype(np.float64), y[idx]
        # the attacked images are correctly classified by both networks and distinct
        assert np.unique(idx).size == idx.size
        assert not _fooled(res["params_a"], x, yi).any()
        assert not _fooled(res["params_b"], x, yi).any()
        r = np.asarray(res["perturbations"], np.float64)
        assert np.all(x + r >= -1e-12) and np.all(x + r <= 1 + 1e-12)  # inside the box
        pred_a = np.argmax(_activations(res["params_a"], x + r)[-1], axis=1)
        ok = pred_a == (yi + 1) % 10
        n_ok += int(np.count_nonzero(ok))
        n_att += idx.size
        norms = np.linalg.norm(r, axis=1)
        rho = 2.0 * float(np.median(norms[ok]))
        evidence.check(f"common size rho, pair {res['index']}", res["rho"], reference=rho,
                       rtol=1e-12, method="twice the median L2 norm (numpy) of the stored "
                       "perturbations whose success a float64 forward pass confirms")
        fa = _fooled(res["params_b"], np.clip(x + rho * r / norms[:, None], 0, 1), yi)
        fn = np.empty(idx.size)
        for j, s in enumerate(res["noise_seeds"]):
            g = np.random.default_rng(s).standard_normal((res["random_directions"], X.shape[1]))
            xn = np.clip(x[j] + rho * g / np.linalg.norm(g, axis=1, keepdims=True), 0, 1)
            fn[j] = np.mean(_fooled(res["params_b"], xn, np.full(len(g), yi[j])))
        flips += int(np.count_nonzero(fa != res["fool_adversarial"]))
        flips += int(np.count_nonzero(fn != res["fool_noise"]))
        diffs.append(fa.astype(float) - fn)
    evidence.check(f"attacks on MLP-A reaching the target, recomputed ({n_att} images)", n_ok,
                   reference=n_att, atol=0,
                   method="float64 forward pass of MLP-A written here at x + r")
    evidence.check("outcomes on MLP-B that differ when recomputed", flips, reference=0, atol=0,
                   method="float64 forward passes of MLP-B written here; random directions "
                          "drawn again from the stored seeds")
    d = np.concatenate(diffs)
    assert dec.n == d.size and dec.per_test_level == pytest.approx(1e-3)
    evidence.check("effect: mean paired difference of MLP-B error", dec.effect,
                   reference=float(d.mean()), rtol=1e-12, atol=1e-15,
                   method="MLP-B errors recomputed by float64 forward passes")
    if np.ptp(d) == 0:  # no spread: the exact interval is the point itself
        lo = hi = float(d[0])
    else:
        ci = stats.ttest_1samp(d, 0.0).confidence_interval(1 - dec.per_test_level)
        lo, hi = float(ci.low), float(ci.high)
    for name, value, ref in (("lower", dec.ci[0], lo), ("upper", dec.ci[1], hi)):
        evidence.check(f"t interval, {name} limit", value, reference=ref, rtol=1e-9, atol=1e-12,
                       method="scipy.stats.ttest_1samp interval on the recomputed differences")


def test_transfer_experiment_is_listed_and_paper_scale_is_larger(capsys):
    exp = ri.EXPERIMENTS["intriguing-transfer"]
    ci, paper = exp.sweep("ci"), exp.sweep("paper")
    assert len(ci.tasks) == 1 and len(paper.tasks) == 10
    assert paper.tasks[0]["images"] > ci.tasks[0]["images"]
    assert exp.cost("ci") < 30 < exp.cost("paper")
    assert main(["--list"]) == 0
    assert "intriguing-transfer" in capsys.readouterr().out
