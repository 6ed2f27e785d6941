"""The spheres reproductions at CI scale (``advgeom reproduce --scale ci``), as evidence.

Experiment 1 trains two-hidden-layer ReLU networks (64 units, 2,000 Adam steps) over the dimension
sweep and one network of the blog's 2 x 1000 architecture; the registered decisions of SPH-5,
SPH-B2 and SPH-B7 are applied to its attack success rates. Experiment 2 is the quadratic network at
the suite's n = 100. The sweeps run on a 2-worker LocalCluster (their results do not depend on the
executor, see tests/test_sweeps.py) and are stored in the experiment cache.

Experiment 3 (tilting paper, TILT-D17) trains LeNet at weight decay 1e-4 and 1e-1 on MNIST-5000 and
attacks held-out images; its networks are re-evaluated here by an independent float64 forward pass
(convolutions by the FFT), and its LeNet's backpropagation is checked against finite differences.
Its logistic regularization path on MNIST-5000 2 vs 3 (TILT-D7, TILT-B8, TILT-D11) is checked here
against the stored weights by routes of its own: gradient certificates through logaddexp, least-norm
boundary flips, the second-order large-lambda solution through eigh, a hard-margin SVM by SLSQP.
"""

from __future__ import annotations

import numpy as np
import pytest
from advgeom.numerics import lenet, references, sweeps
from advgeom.numerics import montecarlo as mc
from advgeom.numerics import reproduce_spheres as rs
from advgeom.numerics import reproduce_tilting as rt
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


# --------------------------------------------------------------------------- experiment 3: TILT-D17


@pytest.fixture(scope="module")
def tilting():
    exp = rt.EXPERIMENTS["tilting-weight-decay"]
    with sweeps.local_client(2) as client:
        result = sweeps.run_sweep(exp.sweep("ci"), client=client, progress=False)
    return exp.analyse(result.results, "ci"), result


def _fft_conv(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Valid 5 x 5 cross-correlation of channels-last images by the convolution theorem: the
    circular convolution of size H with the flipped kernel equals the linear one on the valid
    window, which no wrap-around reaches."""
    B, H, _, C = x.shape
    k = W.reshape(5, 5, C, -1)[::-1, ::-1]
    kf = np.fft.rfft2(k, s=(H, H), axes=(0, 1))
    xf = np.fft.rfft2(x, axes=(1, 2))
    return np.fft.irfft2(np.einsum("bxyc,xycf->bxyf", xf, kf), s=(H, H), axes=(1, 2))[:, 4:, 4:]


def _fft_probabilities(params, X: np.ndarray) -> np.ndarray:
    """Softmax outputs of a LeNet's parameters, float64, FFT convolutions, pooling by reshape."""
    W1, b1, W2, b2, W3, b3, W4, b4 = (np.asarray(p, np.float64) for p in params)

    def pool(a):
        B, H, W, C = a.shape
        return a.reshape(B, H // 2, 2, W // 2, 2, C).max(axis=(2, 4))

    x = np.asarray(X, np.float64).reshape(-1, 28, 28, 1)
    h1 = np.maximum(pool(_fft_conv(x, W1) + b1), 0)
    h2 = np.maximum(pool(_fft_conv(h1, W2) + b2), 0).reshape(x.shape[0], -1)
    z = np.maximum(h2 @ W3 + b3, 0) @ W4 + b4
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _reading(tilting, reading: str):
    (f,) = [f for f in tilting[0] if f.kind == "decision" and f.data.get("reading") == reading]
    return f


def _check_t_interval(evidence, f, x) -> None:
    """The decision's interval against scipy's one-sample t test at the rule's per-test level."""
    lev = f.data["decision"].per_test_level
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(confidence_level=1 - lev)
    evidence.check(f"t interval lower end ({f.data['reading']})", f.data["decision"].ci[0],
                   reference=float(ci.low), rtol=1e-9, atol=1e-12,
                   method="scipy.stats.ttest_1samp confidence interval")
    evidence.check(f"t interval upper end ({f.data['reading']})", f.data["decision"].ci[1],
                   reference=float(ci.high), rtol=1e-9, atol=1e-12,
                   method="scipy.stats.ttest_1samp confidence interval")


def test_lenet_backpropagation_matches_central_differences():
    """Analytic gradients of the training loss (every parameter array, weight decay included) and
    of log p_target with respect to the input, against central differences along random directions,
    in float64 on a narrow LeNet with random biases (no ReLU at its kink, no tie in a pooling window
    for random images; step 1e-5: truncation about 1e-10, rounding about 1e-11)."""
    rng = np.random.default_rng(mc.claim_seed("TILT-D17", "gradient check"))
    net = lenet.init_lenet(mc.claim_seed("TILT-D17", "gradient check net"), channels=(3, 4),
                           hidden=6, dtype="float64")
    params = tuple(p + rng.normal(0, 0.1, p.shape) if i % 2 else p
                   for i, p in enumerate(net.params))
    X, y = rng.uniform(0, 1, (4, 784)), rng.integers(0, 10, 4)
    wd, h = 0.3, 1e-5
    _, grads = lenet.lenet_loss(lenet.LeNet(params), X, y, weight_decay=wd)
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        for _ in range(3):
            v = rng.standard_normal(p.shape)
            moved = [list(params), list(params)]
            moved[0][k], moved[1][k] = p + h * v, p - h * v
            fp, fm = (lenet.lenet_loss(lenet.LeNet(tuple(m)), X, y, weight_decay=wd)[0]
                      for m in moved)
            fd = (fp - fm) / (2 * h)
            assert np.vdot(g, v) == pytest.approx(fd, rel=1e-6, abs=1e-9), f"parameter {k}"
    t = (y + 1) % 10
    prob, dx = lenet._target_prob_and_grad(params, X, t, grad=True)
    for _ in range(5):
        v = rng.standard_normal(X.shape)
        up, _ = lenet._target_prob_and_grad(params, X + h * v, t, grad=False)
        down, _ = lenet._target_prob_and_grad(params, X - h * v, t, grad=False)
        fd = (np.log(up) - np.log(down)) / (2 * h)
        assert np.einsum("ij,ij->i", dx, v) == pytest.approx(fd, rel=1e-6, abs=1e-9)
    # the pooled gradient goes to one position of a window even where the window ties (blank
    # image regions, every position equal to the bias)
    blank = np.zeros((1, 784))
    _, grads0 = lenet.lenet_loss(lenet.LeNet(params), blank, y[:1])
    fp = lenet.lenet_loss(lenet.LeNet((params[0], params[1] + h, *params[2:])), blank, y[:1])[0]
    fm = lenet.lenet_loss(lenet.LeNet((params[0], params[1] - h, *params[2:])), blank, y[:1])[0]
    assert grads0[1].sum() == pytest.approx((fp - fm) / (2 * h), rel=1e-6, abs=1e-9)


@pytest.mark.claim("TILT-D17", reading="D17-ERR")
def test_weight_decay_test_error(evidence, tilting):
    findings, result = tilting
    f = _reading(tilting, "D17-ERR")
    emit(evidence, f, strict=True)
    diff = f.data["differences"]
    assert f.data["decision"].n == diff.size == rt.LENET_CONFIG["ci"]["seeds"]
    _check_t_interval(evidence, f, diff)
    # every network's test error, recounted with an independent forward pass
    Xte, yte = rt.mnist_split("test")
    for r in result.results:
        prob = _fft_probabilities(r["params"], Xte)
        errors = int(np.count_nonzero(prob.argmax(axis=1) != yte))
        # float32 and float64 logits may order a near-tie differently: one image of slack
        evidence.check(f"test errors, weight decay {r['weight_decay']:g}, seed {r['index']}",
                       r["test_errors"], reference=errors, atol=1,
                       method="float64 forward pass with FFT convolutions")


@pytest.mark.claim("TILT-D17", reading="D17-DIST")
def test_weight_decay_perturbation_size(evidence, tilting):
    findings, result = tilting
    f = _reading(tilting, "D17-DIST")
    emit(evidence, f, strict=True)
    _check_t_interval(evidence, f, f.data["per_image"])
    Xte, yte = rt.mnist_split("test")
    for r in result.results:
        # the stored perturbations reach the target probability (checked independently)
        ok = np.flatnonzero(np.asarray(r["success"])[:len(r["deltas"])])
        assert ok.size, "no stored successful perturbation"
        x = np.clip(Xte[ok].astype(np.float32) + r["deltas"][ok], 0, 1)
        assert np.allclose(x, Xte[ok].astype(np.float32) + r["deltas"][ok], atol=1e-6)
        prob = _fft_probabilities(r["params"], x)[np.arange(ok.size), r["targets"][ok]]
        evidence.check(f"least target probability at the returned points, weight decay "
                       f"{r['weight_decay']:g}, seed {r['index']}", float(prob.min()),
                       lower=rt.TARGET_P - 1e-5,
                       method="float64 forward pass with FFT convolutions (float32 rounding 1e-5)")
        norms = np.sqrt(np.sum(r["deltas"][ok].astype(np.float64) ** 2, axis=1))
        evidence.check(f"largest relative deviation of the stored norms from the perturbations' "
                       f"L2 norms ({r['weight_decay']:g}, seed {r['index']})",
                       float(np.max(np.abs(r["norm"][ok] / norms - 1))), upper=1e-6,
                       method="sum of squares of the stored perturbations")


@pytest.mark.claim("TILT-D17", reading="D17-VIS")
def test_weight_decay_perturbation_alignment(evidence, tilting):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    findings, result = tilting
    f = _reading(tilting, "D17-VIS")
    emit(evidence, f, strict=True)
    _check_t_interval(evidence, f, f.data["per_image"])
    Xtr, ytr = rt.mnist_split("train")
    Xte, yte = rt.mnist_split("test")
    for r in result.results:
        n = r["train_images"]
        ok = np.flatnonzero(np.asarray(r["success"])[:len(r["deltas"])])
        c = np.array([Xtr[:n][ytr[:n] == k].sum(axis=0) / np.count_nonzero(ytr[:n] == k)
                      for k in range(10)])
        u = c[r["targets"][ok]] - c[yte[ok]]
        d = r["deltas"][ok].astype(np.float64)
        cos = [float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b))) for a, b in zip(d, u, strict=True)]
        evidence.check(f"largest deviation of the stored cosines with c_target - c_label "
                       f"({r['weight_decay']:g}, seed {r['index']})",
                       float(np.max(np.abs(r["cosine"][ok] - np.array(cos)))), upper=1e-6,
                       method="class sums divided by counts, per-image dot products")
    pairs = {(r["weight_decay"], r["index"]): r for r in result.results}
    lo, hi = pairs[(rt.WEIGHT_DECAYS[0], 0)], pairs[(rt.WEIGHT_DECAYS[1], 0)]
    show = [i for i in range(len(lo["deltas"])) if lo["success"][i] and hi["success"][i]][:4]
    fig, axes = plt.subplots(len(show), 5, figsize=(7.5, 1.6 * len(show)), squeeze=False)
    for row, i in zip(axes, show, strict=True):
        row[0].imshow(Xte[i].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        row[0].set_title(f"label {yte[i]}", fontsize=7)
        for j, r in enumerate((lo, hi)):
            adv = np.clip(Xte[i] + r["deltas"][i], 0, 1)
            row[1 + 2 * j].imshow(adv.reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            row[1 + 2 * j].set_title(f"wd {r['weight_decay']:g}: to {r['targets'][i]}", fontsize=7)
            m = float(np.abs(r["deltas"][i]).max()) or 1.0
            row[2 + 2 * j].imshow(r["deltas"][i].reshape(28, 28), cmap="RdBu_r", vmin=-m, vmax=m)
            row[2 + 2 * j].set_title(f"r, ||r|| = {r['norm'][i]:.2f}", fontsize=7)
        for ax in row:
            ax.set_axis_off()
    fig.tight_layout()
    evidence.figure(fig, "TILT-D17: held-out images, their targeted adversarial versions "
                         "(p_target >= 0.95) and perturbations, LeNet at weight decay 1e-4 and 1e-1 "
                         "(CI scale, seed 0)")
    assert show


@pytest.mark.claim("TILT-D17")
def test_weight_decay_claim_is_the_conjunction_of_its_readings(evidence, tilting):
    findings, _ = tilting
    (table,) = [f for f in findings if f.kind == "table"]
    emit(evidence, table)
    f = _reading(tilting, None)
    emit(evidence, f, strict=True)
    parts = [_reading(tilting, r).data["decision"] for r in ("D17-ERR", "D17-DIST", "D17-VIS")]
    for end in (0, 1):
        evidence.check(f"claim interval {'lower' if end == 0 else 'upper'} end",
                       f.data["decision"].ci[end],
                       reference=min(d.ci[end] / d.min_effect for d in parts), rtol=1e-12,
                       method="smallest standardized end among the three reading decisions")
    # the rule on the smallest standardized effect is the registered conjunction
    outcomes = [d.outcome for d in parts]
    null = [d.outcome == "REFUTED" and d.ci[0] > -d.min_effect for d in parts]
    below = [d.ci[0] <= -d.min_effect for d in parts]
    if all(o == "CONFIRMED" for o in outcomes):
        want = "CONFIRMED"
    elif any(d.ci[1] < -d.min_effect for d in parts) or (any(null) and not any(below)):
        want = "REFUTED"
    else:
        want = "INCONCLUSIVE"
    assert f.data["decision"].outcome == want


def test_tilting_experiment_is_listed_and_reproduce_accepts_it(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "tilting-weight-decay" in out and "TILT-D17" in out
    assert main(["tilting-weight-decay", "--set", "no_such_key=3", "--workers", "1",
                 "--no-ledger"]) == 2
    assert "no_such_key" in capsys.readouterr().err


# --------------------------------------------------------------------------- experiment 3: the
# logistic regularization path on MNIST-5000 (TILT-D7, TILT-B8, TILT-D11)


@pytest.fixture(scope="module")
def logistic_path():
    exp = rt.EXPERIMENTS["tilting-logistic-path"]
    # one task at CI scale: in this process (results do not depend on the executor)
    result = sweeps.run_sweep(exp.sweep("ci"), progress=False)
    (r,) = result.results
    from advgeom.numerics import tilting_paths as TP

    data = TP.load_pair(r["source"], tuple(r["pair"]), seed=r["split_seed"])
    return exp.analyse(result.results, "ci"), r, data


def _logistic(logistic_path, claim: str, kind: str | None = None) -> list:
    rows = [f for f in logistic_path[0] if f.claim == claim and kind in (None, f.kind)]
    assert rows, f"no {kind or ''} finding for {claim}"
    return rows


def _test_certificates(X, y, lams, W, b) -> np.ndarray:
    """||w - w*|| <= ||grad_w L||/(2 lambda) with the gradient of the mean softplus loss written
    through sigma(-z) = exp(-logaddexp(0, z)) (a route other than the solver's expit)."""
    z = y[:, None] * (X @ W.T + b)
    q = np.exp(-np.logaddexp(0.0, z))
    grad = -(X.T @ (y[:, None] * q)) / y.size + 2.0 * lams * W.T
    return np.linalg.norm(grad, axis=0) / (2.0 * lams)


@pytest.mark.claim("TILT-D7")
def test_logistic_path_norm_and_distance_extremes(evidence, logistic_path):
    for f in _logistic(logistic_path, "TILT-D7"):
        emit(evidence, f, strict=True)
    _, r, data = logistic_path
    X, y = data.X, data.y.astype(float)
    lams, W, b = r["lams"], r["W"], r["b"]
    norms = np.sqrt(np.einsum("kd,kd->k", W, W))
    tol = _test_certificates(X, y, lams, W, b) + 1e-12 * norms
    evidence.check("MNIST 2v3 logistic: min over the grid of ||w(lam_next)|| - ||w(lam)|| + tol",
                   float(np.min(np.diff(norms) + tol[1:] + tol[:-1])), lower=0.0,
                   method="norms by einsum; certificates ||grad_w L||/(2 lambda) with sigma(-z) = "
                   "exp(-logaddexp(0, z))",
                   note="||w|| non-increasing in lambda (TILT-X1), within the certified errors")
    counts = np.bincount((y > 0).astype(int))
    sums = np.stack([X[y < 0].sum(axis=0), X[y > 0].sum(axis=0)])
    g = float(np.linalg.norm(sums[1] / counts[1] - sums[0] / counts[0]))
    d_first = float(np.mean(y * (X @ W[0] + b[0]))) / norms[0]
    evidence.check(f"MNIST 2v3 logistic: d_adv at lambda = {lams[0]:g} over g/2", d_first / (g / 2),
                   reference=1.0, rtol=1e-5,
                   method="mean margin over ||w|| against g from class sums divided by counts",
                   note="theta = O(1/lambda): 1 - cos(theta) is about 2e-6 at lambda = 100")
    # d_err at the smallest lambda from the least-norm flips delta (w . delta = -(w.x + b), lstsq):
    # ||delta|| is each image's distance to the boundary
    k = lams.size - 1
    rhs = -(X @ W[k] + b[k])
    delta = np.linalg.lstsq(W[k][None, :], rhs[None, :], rcond=None)[0].T
    wrong = y * (X @ W[k] + b[k]) <= 0
    d_err = float(np.sum(np.linalg.norm(delta[wrong], axis=1)) / y.size)
    evidence.check(f"MNIST 2v3 logistic: d_err at lambda = {lams[k]:g}", d_err, upper=1e-12,
                   method="least-norm boundary flips of the misclassified training images "
                   "(numpy lstsq)", note="the minimum 0 of d_err: the training set is separated")


@pytest.mark.claim("TILT-B8")
def test_logistic_path_tilts_with_regularization(evidence, logistic_path):
    for f in _logistic(logistic_path, "TILT-B8"):
        emit(evidence, f, strict=True)
    _, r, data = logistic_path
    X, y = data.X, data.y.astype(float)
    lams, W, b, th = r["lams"], r["W"], r["b"], r["theta"]
    cert = np.arcsin(np.minimum(1.0, _test_certificates(X, y, lams, W, b)
                                / np.linalg.norm(W, axis=1)))
    # large lambda: the second-order solution through the eigenvectors of S (explicit centring)
    Xc = X - X.mean(axis=0)
    ev, V = np.linalg.eigh(Xc.T @ Xc / y.size)
    m = (X[y > 0].mean(axis=0) - X[y < 0].mean(axis=0)) / 2
    zn = m / np.linalg.norm(m)
    lam = lams[0]
    wa = V @ ((V.T @ m) / (1.0 + ev / (8.0 * lam))) / (4.0 * lam)
    th_a = float(np.arctan2(np.linalg.norm(wa - (wa @ zn) * zn), wa @ zn))
    zmax = float(np.max(np.abs(X @ W[0] + b[0])))
    evidence.check(f"MNIST 2v3 logistic: theta at lambda = {lam:g} vs the second-order solution",
                   float(th[0]), reference=th_a, rtol=zmax ** 2 + cert[0] / th_a,
                   method="(I + S/(8 lambda))^-1 m/(4 lambda) through numpy eigh of S",
                   note="rtol = z_max^2 (dropped quartic softplus term) + certified angle error")
    # small lambda: the logistic direction approaches the hard-margin SVM's (TILT-X5), slowly
    k = lams.size - 1
    scale = float(np.min(y * (X @ W[k] + b[k])))
    assert scale > 0, "the smallest-lambda fit does not separate the training set"
    _, _, hm_bound, th_hm = references.hard_margin_svm_slsqp(X, y, W[k] / scale, b[k] / scale,
                                                              band=1.0)
    evidence.check("hard-margin angle theta_hm", th_hm, upper=np.pi / 2 - 0.2,
                   method="hard-margin dual QP by scipy SLSQP, certified by its duality gap",
                   note=f"certified angle error {hm_bound:.1e}")
    gaps = np.abs(th[-4:] - th_hm)
    evidence.check("MNIST 2v3 logistic: |theta - theta_hm| over the last 4 grid points, max change",
                   float(np.max(np.diff(gaps))), upper=-2.0 * float(cert.max()),
                   method="hard-margin dual QP by scipy SLSQP, certified by its duality gap",
                   note="shrinks by more than the certified errors (theta_hm's error cancels)")
    evidence.record("MNIST 2v3 logistic: theta_hm - theta at the smallest lambda", float(th_hm - th[-1]),
                    note="slow directional convergence of logistic regression")


@pytest.mark.claim("TILT-D11", reading="SHAPE")
@pytest.mark.claim("TILT-D11")
def test_logistic_path_shape(evidence, logistic_path):
    for f in _logistic(logistic_path, "TILT-D11"):
        emit(evidence, f, strict=True)
    _, r, data = logistic_path
    lams, W, b = r["lams"], r["W"], r["b"]

    def errors(X, y):
        return np.array([np.count_nonzero(np.sign(X @ w + c) != y) for w, c in zip(W, b, strict=True)])

    e_tr, e_te = errors(data.X, data.y), errors(data.X_test, data.y_test)
    evidence.check("MNIST 2v3 logistic: training errors non-increasing as lambda falls (max increase)",
                   int(np.max(np.diff(e_tr))), upper=0,
                   method="count of misclassified training images per stored (w, b)",
                   note="counts: exact")
    kopt = int(np.argmin(e_te))
    evidence.check("MNIST 2v3 logistic: test errors at the largest lambda minus the fewest",
                   int(e_te[0] - e_te[kopt]), lower=1,
                   method="count of misclassified test images per stored (w, b)",
                   note="the over-regularized end is worse")
    evidence.record("MNIST 2v3 logistic: test errors at the smallest lambda minus the fewest",
                    int(e_te[-1] - e_te[kopt]),
                    note=f"fewest at lambda = {lams[kopt]:.3g}; the U shape is the SVM's claim")
    margins = data.y * (data.X @ W.T + b[None, :]).T
    d_adv = margins.mean(axis=1) / np.linalg.norm(W, axis=1)
    evidence.check("MNIST 2v3 logistic: d_adv at the largest lambda minus its path maximum",
                   float(d_adv[0] - d_adv.max()), reference=0.0, atol=0.0,
                   method="mean margins of the stored weights (numpy)",
                   note="the adversarial distance is largest at large lambda")


def test_logistic_path_experiment_is_listed_and_configured(capsys):
    from advgeom.numerics import tilting_paths as TP

    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "tilting-logistic-path" in out and "TILT-D11" in out
    assert main(["tilting-logistic-path", "--set", "pairs=[[2, 2]]", "--workers", "1",
                 "--no-ledger"]) == 2
    assert "pairs" in capsys.readouterr().err
    paper = rt.logistic_path_sweep("paper")
    assert {tuple(t["pair"]) for t in paper.tasks} == set(rt.PAPER_PAIRS)
    assert {TP.log_grid(t["hi"], t["lo"], t["step"]).size for t in paper.tasks} == {81}
    assert rt.logistic_path_cost("ci") <= 30.0
