"""Reproductions of the spheres experiments (Gilmer et al., arXiv:1801.02774) as sweeps.

Experiment 1, ``spheres-relu`` (SPH-3 ReLU part, SPH-5, SPH-B2, SPH-B7): a network with two hidden
ReLU layers and a logit output, trained with Adam on sigmoid cross-entropy, every step on a fresh batch
from the two spheres (radius 1, label 0; radius ``R = 1.3``, label 1), at each dimension of a sweep.
For every trained network and sphere it measures

* the error rate on fresh uniform points (``k`` errors in ``N``; Clopper-Pearson bounds downstream),
* from uniform points, an on-sphere projected-gradient attack: steps of length ``eta r`` along the
  tangent component of the logit's gradient towards the other class, each followed by the projection
  back onto the sphere, stopping at the first misclassified point; its chord distance to the start
  is an upper bound on the distance to the nearest on-sphere error (misclassified start points count
  0, attacks that exhaust their budget count as failures).

Experiment 2, ``spheres-quadratic`` (SPH-8, SPH-9, SPH-15): the quadratic network of
:mod:`advgeom.numerics.quadratic_network` at the paper's n = 500 with 1000 hidden units, beside the
suite's n = 100, reduced to its eigen-coefficients, with exact error rates, a Monte Carlo count with
the network, and the exact mean nearest-error distance against the Levy bound.

The networks are numpy (float32 products, one BLAS thread per task): one training step of the paper's
2 x 1000 network at n = 500 costs about 12 ms on one core, so a framework would not change what
fits on a CPU, and a CPU-only install stays small.

Examples
--------
>>> import numpy as np
>>> out = relu_task(seed=np.random.SeedSequence(0), n=10, hidden=16, steps=300, lr=3e-3,
...                 test_points=2000, attack_points=20, attack_steps=50)
>>> sorted(out["spheres"]), out["n"]
(['inner', 'outer'], 10)
>>> 0 <= out["spheres"]["inner"]["errors"] <= 2000
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from advgeom.numerics import decisions
from advgeom.numerics import montecarlo as mc
from advgeom.numerics import quadratic_network as qn
from advgeom.numerics.sweeps import Sweep, apply_overrides
from advgeom.theory import _validate as check
from advgeom.theory import spheres

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "Finding",
    "analyse_quadratic",
    "analyse_relu",
    "newcombe_difference",
    "quadratic_sweep",
    "quadratic_task",
    "relu_sweep",
    "relu_task",
]

R = spheres.R_OUTER
SCALES = ("ci", "paper")


def _check_training(n, hidden, steps, batch, lr) -> tuple[int, int, int, int, float]:
    """The training arguments shared by both experiments, checked."""
    return (check.integer("n", n, low=2), check.integer("hidden", hidden, low=1),
            check.integer("steps", steps, low=1), check.integer("batch", batch, low=1),
            check.real("lr", lr, low=0.0, low_open=True, high=1.0))


def _check_seed(seed) -> np.random.SeedSequence:
    if not isinstance(seed, np.random.SeedSequence):
        raise ValueError(f"seed = {seed!r} must be a numpy SeedSequence (one per task)")
    return seed


# --------------------------------------------------------------------------- the ReLU network


def _batch(rng: np.random.Generator, n: int, B: int):
    y = rng.integers(0, 2, size=B)
    z = rng.standard_normal((B, n), dtype=np.float32)
    r = np.where(y == 1, R, 1.0).astype(np.float32)
    return z * (r / np.linalg.norm(z, axis=1))[:, None], y.astype(np.float32)


def relu_train(n: int, hidden: int, steps: int, *, batch: int = 50, lr: float = 1e-4,
               rng: np.random.Generator) -> tuple[list[np.ndarray], float]:
    """Train ``x -> ReLU(x W1 + b1) -> ReLU(. W2 + b2) -> . w3 + b3`` online on the two spheres.

    He-normal initial weights, zero biases; Adam (0.9, 0.999, 1e-8) on the mean sigmoid
    cross-entropy of a fresh batch each step. Returns the parameters (float32) and the mean loss of
    the last 10 % of steps."""
    W1 = (rng.standard_normal((n, hidden)) * math.sqrt(2 / n)).astype(np.float32)
    W2 = (rng.standard_normal((hidden, hidden)) * math.sqrt(2 / hidden)).astype(np.float32)
    w3 = (rng.standard_normal((hidden, 1)) * math.sqrt(1 / hidden)).astype(np.float32)
    params = [W1, np.zeros(hidden, np.float32), W2, np.zeros(hidden, np.float32), w3,
              np.zeros(1, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    tail = max(1, steps // 10)
    loss_tail = 0.0
    for step in range(1, steps + 1):
        x, y = _batch(rng, n, batch)
        a1 = x @ params[0] + params[1]
        h1 = np.maximum(a1, 0)
        a2 = h1 @ params[2] + params[3]
        h2 = np.maximum(a2, 0)
        o = (h2 @ params[4])[:, 0] + params[5][0]
        if step > steps - tail:  # stable softplus form of the cross-entropy
            loss_tail += float(np.mean(np.logaddexp(0, o) - y * o))
        g = ((1 / (1 + np.exp(-o))) - y) / batch
        d2 = g[:, None] * params[4][:, 0][None, :]
        d2 *= a2 > 0
        d1 = d2 @ params[2].T
        d1 *= a1 > 0
        grads = [x.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ g[:, None],
                 np.array([g.sum()], np.float32)]
        c1 = lr / (1 - b1**step)
        c2 = 1 / math.sqrt(1 - b2**step)
        for p, gr, mm, vv, t in zip(params, grads, m, v, tmp, strict=True):
            mm *= b1
            mm += (1 - b1) * gr
            vv *= b2
            np.multiply(gr, gr, out=t)
            t *= 1 - b2
            vv += t
            np.sqrt(vv, out=t)
            t *= c2
            t += eps
            np.divide(mm, t, out=t)
            t *= c1
            p -= t
    return params, loss_tail / tail


def relu_logit(params: list[np.ndarray], x: np.ndarray, *, grad: bool = False):
    """Logit of the trained ReLU network for the rows of ``x`` (positive: outer sphere); with
    ``grad`` also its gradient with respect to ``x`` (rows)."""
    W1, c1, W2, c2, w3, c3 = params
    a1 = x @ W1 + c1
    a2 = np.maximum(a1, 0) @ W2 + c2
    o = (np.maximum(a2, 0) @ w3)[:, 0] + c3[0]
    if not grad:
        return o
    d2 = (a2 > 0) * w3[:, 0][None, :]
    d1 = (d2 @ W2.T) * (a1 > 0)
    return o, d1 @ W1.T


def _count_errors(params, n: int, r: float, label: int, N: int, rng, chunk: int = 20_000) -> int:
    errors = 0
    for start in range(0, N, chunk):
        z = rng.standard_normal((min(chunk, N - start), n), dtype=np.float32)
        x = z * (r / np.linalg.norm(z, axis=1))[:, None]
        o = relu_logit(params, x)
        errors += int(np.count_nonzero((o > 0) != bool(label)))
    return errors


def relu_attack(params: list[np.ndarray], x0: np.ndarray, r: float, label: int, *,
                step: float = 0.01, max_steps: int = 400) -> np.ndarray:
    """On-sphere projected-gradient attack from the rows of ``x0`` (all of norm ``r``, class
    ``label``): chord distance to the first misclassified iterate, 0 for a misclassified start,
    ``nan`` when ``max_steps`` steps of length ``step * r`` find none."""
    x = x0.astype(np.float64)
    sign = -1.0 if label == 1 else 1.0  # move the logit towards the other class
    dist = np.full(x.shape[0], np.nan)
    active = np.ones(x.shape[0], bool)
    for it in range(max_steps + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        o, g = relu_logit(params, x[idx].astype(np.float32), grad=True)
        wrong = (o > 0) != bool(label)
        hit = idx[wrong]
        dist[hit] = np.linalg.norm(x[hit] - x0[hit], axis=1)
        active[hit] = False
        if it == max_steps:
            break
        keep = idx[~wrong]
        g = sign * g[~wrong].astype(np.float64)
        xs = x[keep]
        g -= (np.einsum("ij,ij->i", g, xs) / (r * r))[:, None] * xs  # tangent component
        norm = np.linalg.norm(g, axis=1)
        flat = norm == 0
        active[keep[flat]] = False  # a flat region: the gradient gives no direction
        g[~flat] /= norm[~flat, None]
        xs = xs + (step * r) * g
        x[keep] = xs * (r / np.linalg.norm(xs, axis=1))[:, None]
    return dist


def relu_task(*, seed: np.random.SeedSequence, n: int, hidden: int, steps: int, batch: int = 50,
              lr: float = 1e-4, test_points: int = 100_000, attack_points: int = 100,
              attack_step: float = 0.01, attack_steps: int = 400, index: int = 0,
              arm: str = "sweep") -> dict:
    """One network of experiment 1: train, count errors on each sphere, attack from uniform points.

    ``index`` is the seed's index within the configuration (the stream comes from ``seed``);
    ``arm`` labels the task ("sweep": the dimension sweep; "blog": the blog's 2 x 1000 network)."""
    _check_seed(seed)
    n, hidden, steps, batch, lr = _check_training(n, hidden, steps, batch, lr)
    test_points = check.integer("test_points", test_points, low=1)
    attack_points = check.integer("attack_points", attack_points, low=1)
    attack_step = check.real("attack_step", attack_step, low=0.0, low_open=True, high=1.0)
    attack_steps = check.integer("attack_steps", attack_steps, low=1)
    index = check.integer("index", index, low=0)
    arm = check.choice("arm", arm, ("sweep", "blog"))
    train_seed, test_seed, attack_seed = seed.spawn(3)
    t0 = time.perf_counter()
    params, loss = relu_train(n, hidden, steps, batch=batch, lr=lr,
                              rng=np.random.default_rng(train_seed))
    t_train = time.perf_counter() - t0
    out = {"n": n, "hidden": hidden, "steps": steps, "batch": batch, "lr": lr, "index": index,
           "arm": arm, "loss": loss, "train_seconds": t_train, "spheres": {}}
    test_rng = np.random.default_rng(test_seed)
    attack_rng = np.random.default_rng(attack_seed)
    for label, name, r in ((0, "inner", 1.0), (1, "outer", R)):
        errors = _count_errors(params, n, r, label, test_points, test_rng)
        x0 = spheres.sample_sphere(attack_points, n, R=r, rng=attack_rng)
        dist = relu_attack(params, x0, r, label, step=attack_step, max_steps=attack_steps)
        out["spheres"][name] = {"radius": r, "errors": errors, "test_points": test_points,
                                "distances": dist}
    out["seconds"] = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- the quadratic network


def quadratic_task(*, seed: np.random.SeedSequence, n: int, hidden: int, steps: int,
                   batch: int = 50, lr: float = 1e-3, checkpoint_every: int = 4_000,
                   mc_points: int = 100_000, distance_points: int = 2_000, index: int = 0) -> dict:
    """One quadratic network of experiment 2 (trained by :func:`quadratic_network.train`).

    Returns, at the final checkpoint, the eigen-coefficients, the counts outside ``[1/R^2, 1]``, the
    inner and outer error rates (exact, saddle point, corrected CLT), a Monte Carlo count with the
    network on ``mc_points`` fresh points per sphere, and the exact nearest-error distances of
    ``distance_points`` uniform points per sphere (0 for misclassified points) with the Levy bound
    ``r D_n(mu)`` at the exact rate."""
    _check_seed(seed)
    n, hidden, steps, batch, lr = _check_training(n, hidden, steps, batch, lr)
    checkpoint_every = check.integer("checkpoint_every", checkpoint_every, low=1)
    mc_points = check.integer("mc_points", mc_points, low=1)
    distance_points = check.integer("distance_points", distance_points, low=2)
    index = check.integer("index", index, low=0)
    train_seed, mc_seed, dist_seed = seed.spawn(3)
    int_seed = int(train_seed.generate_state(1)[0])
    t0 = time.perf_counter()
    net = qn.train(n, hidden=hidden, steps=steps, batch=batch, lr=lr,
                   checkpoint_every=checkpoint_every, seed=int_seed)
    t_train = time.perf_counter() - t0
    a = net.alphas
    out = {"n": n, "hidden": hidden, "steps": steps, "batch": batch, "lr": lr, "index": index,
           "seed_int": int_seed, "train_seconds": t_train, "alphas": a,
           "above_1": int(np.count_nonzero(a > 1)), "below_inv_R2": int(np.count_nonzero(a < 1 / R**2)),
           "spheres": {}}
    mc_rng = np.random.default_rng(mc_seed)
    dist_rng = np.random.default_rng(dist_seed)
    for name, r in (("inner", 1.0), ("outer", R)):
        exact = spheres.quadratic_error_rate(a, sphere=name, R=R, method="exact")
        saddle = spheres.quadratic_error_rate(a, sphere=name, R=R, method="saddlepoint")
        clt = spheres.clt_error_rate(a, sphere=name, R=R)
        mc_errors = qn.count_errors(net, name, mc_points, mc_rng)
        x = spheres.sample_sphere(distance_points, n, R=r, rng=dist_rng)
        d = qn.nearest_errors(a, net.V, x, name)
        bound = r * float(spheres.distance_bound(exact, n)) if 0 < exact < 1 else float("nan")
        out["spheres"][name] = {"exact": float(exact), "saddlepoint": float(saddle),
                                "clt": float(clt), "mc_errors": int(mc_errors),
                                "mc_points": mc_points, "distances": np.asarray(d, float),
                                "levy_bound": bound}
    out["seconds"] = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------- experiments


#: Dimensions of the ReLU sweep at each scale.
RELU_DIMENSIONS = {
    "ci": (10, 20, 30, 40, 60, 80, 100, 200),
    "paper": (10, 20, 30, 40, 50, 60, 70, 80, 100, 200, 300, 500),
}

#: Configuration of experiment 1. "paper": two hidden layers of 1000, Adam lr 1e-4, batch 50,
#: 10^6 steps of fresh samples (5 x 10^7 samples), 10^7 test points per sphere (registry SPH-3).
RELU_CONFIG = {
    "ci": {"hidden": 64, "steps": 2000, "lr": 2e-3, "test_points": 20_000, "attack_points": 100,
           "seeds": 3},
    "paper": {"hidden": 1000, "steps": 1_000_000, "lr": 1e-4, "test_points": 10_000_000,
              "attack_points": 500, "seeds": 3},
}

#: The blog's architecture (two hidden layers of 1000) at CI scale: one short-trained network.
RELU_BLOG_CI = {"n": 200, "hidden": 1000, "steps": 400, "lr": 1e-3, "test_points": 20_000,
                "attack_points": 100, "seeds": 1}

#: Configuration of experiment 2: the suite's n = 100 and the paper's n = 500 with 1000 hidden units
#: (32,000 Adam steps of 50: 1.6 x 10^6 samples, the paper's regime of about 10^6).
QUADRATIC_CONFIG = {
    "ci": ({"n": 100, "hidden": 100, "steps": 7_500, "lr": 3e-3, "seeds": 1},),
    "paper": ({"n": 100, "hidden": 100, "steps": 7_500, "lr": 3e-3, "seeds": 2},
              {"n": 500, "hidden": 1000, "steps": 32_000, "lr": 1e-3, "seeds": 2}),
}

GAP = R - 1.0  # the distance between the spheres, the "very close" threshold of SPH-B2


def _entry(key: str, value):
    if key == "lr":
        return check.real("lr", value, low=0.0, low_open=True, high=1.0)
    if key == "dims":
        if not isinstance(value, list | tuple) or not value:
            raise ValueError(f"dims = {value!r} must be a non-empty list of dimensions")
        return tuple(check.integer("dims", v, low=2) for v in value)
    return check.integer(key, value, low=1)


def _override(cfg: dict, overrides: dict | None, allowed: tuple[str, ...]) -> dict:
    return apply_overrides(cfg, overrides, allowed, _entry)


_RELU_KEYS = ("hidden", "steps", "lr", "test_points", "attack_points", "seeds", "dims")


def relu_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks of experiment 1 at ``scale`` ("ci" or "paper"); ``overrides`` replaces entries of
    the scale's configuration (``hidden``, ``steps``, ``lr``, ``test_points``, ``attack_points``,
    ``seeds``, ``dims``), e.g. a shorter training to time the paper's widths."""
    scale = check.choice("scale", scale, SCALES)
    cfg = _override({**RELU_CONFIG[scale], "dims": RELU_DIMENSIONS[scale]}, overrides, _RELU_KEYS)
    common = {k: cfg[k] for k in ("hidden", "steps", "lr", "test_points", "attack_points")}
    tasks = [{"n": int(n), **common, "index": s} for n in cfg["dims"] for s in range(cfg["seeds"])]
    if scale == "ci":
        blog = {**RELU_BLOG_CI, **{k: v for k, v in (overrides or {}).items()
                                   if k in ("steps", "test_points", "attack_points")}}
        tasks += [{**{k: blog[k] for k in ("n", "hidden", "steps", "lr", "test_points",
                                             "attack_points")}, "index": s, "arm": "blog"}
                  for s in range(blog["seeds"])]
    return Sweep("spheres-relu", relu_task, tasks,
                 depends=(relu_train, relu_logit, relu_attack, _count_errors, _batch))


def quadratic_sweep(scale: str, overrides: dict | None = None) -> Sweep:
    """The tasks of experiment 2 at ``scale``; ``overrides`` may set ``steps`` or ``seeds``."""
    scale = check.choice("scale", scale, SCALES)
    _override({}, overrides, ("steps", "seeds"))
    tasks = []
    for cfg in QUADRATIC_CONFIG[scale]:
        cfg = _override(cfg, overrides, ("steps", "seeds"))
        tasks += [{k: cfg[k] for k in ("n", "hidden", "steps", "lr")} | {"index": s}
                  for s in range(cfg["seeds"])]
    return Sweep("spheres-quadratic", quadratic_task, tasks, depends=(qn.train, qn._train_loop))


def relu_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds of experiment 1 on one core (calibrated: a step of the 2 x 1000
    network at n = 500 costs about 12 ms, a step of a 64-wide one about 0.4 ms)."""
    total = 0.0
    for t in relu_sweep(scale, overrides).tasks:
        n, h = t["n"], t["hidden"]
        units = n * h + h * h
        step = 2.5e-4 + 7.5e-9 * units
        evaluate = 2 * t["test_points"] * units * 2 / 1.5e10
        total += t["steps"] * step + evaluate + 2 * t["attack_points"] * 400 * units * 6 / 1.5e10
    return total


def quadratic_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds of experiment 2 on one core (about 2 s per 10^4 steps at
    n = h = 100, scaling with n h)."""
    return sum(2e-4 * t["steps"] * max(1.0, t["n"] * t["hidden"] / 1e4) ** 0.85 + 2.0
               for t in quadratic_sweep(scale, overrides).tasks)


# --------------------------------------------------------------------------- analysis


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, level: float):
    """Difference ``k1/n1 - k2/n2`` with Newcombe's hybrid-score interval (method 10 of Newcombe,
    Stat. Med. 17, 1998) from Wilson limits at two-sided error rate ``level``."""
    n1 = check.integer("n1", n1, low=1)
    k1 = check.integer("k1", k1, low=0, high=n1)
    n2 = check.integer("n2", n2, low=1)
    k2 = check.integer("k2", k2, low=0, high=n2)
    level = check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = mc.wilson(k1, n1, 1 - level)
    l2, u2 = mc.wilson(k2, n2, 1 - level)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, lo), min(1.0, hi)


def _check_results(results, keys: tuple[str, ...]) -> None:
    if (not isinstance(results, list) or not results
            or not all(isinstance(r, dict) and all(k in r for k in keys) for r in results)):
        raise ValueError(f"results must be a non-empty list of task results (dicts with {keys}), "
                         f"got {str(results)[:80]}")


def _success_counts(results: list[dict]) -> tuple[int, int]:
    """(successful attacks, correctly classified attacked points) pooled over results and spheres."""
    k = m = 0
    for res in results:
        for s in res["spheres"].values():
            d = np.asarray(s["distances"])
            correct = ~(d == 0)  # distance 0: the start point itself is misclassified
            m += int(np.count_nonzero(correct))
            k += int(np.count_nonzero(correct & np.isfinite(d)))
    return k, m


@dataclass
class Finding:
    """One piece of evidence an analysis derives for one claim: a registered ``decision``, a
    ``table``, or a ``check`` (a value against an independently computed criterion)."""

    claim: str
    kind: str
    name: str
    data: dict = field(default_factory=dict)


def analyse_relu(results: list[dict], scale: str) -> list[Finding]:
    """Tables and registered decisions (SPH-3, SPH-5, SPH-B2, SPH-B7) from experiment 1's results."""
    from advgeom.theory import claims

    _check_results(results, ("n", "hidden", "steps", "arm", "spheres"))
    scale = check.choice("scale", scale, SCALES)
    out: list[Finding] = []
    sweep_rows = [r for r in results if r["arm"] == "sweep"]
    dims = sorted({r["n"] for r in sweep_rows})
    rows = []
    for n in dims:
        at_n = [r for r in sweep_rows if r["n"] == n]
        for name in ("inner", "outer"):
            k = sum(r["spheres"][name]["errors"] for r in at_n)
            N = sum(r["spheres"][name]["test_points"] for r in at_n)
            lo, hi = mc.clopper_pearson(k, N, 0.9)  # one-sided 95 % upper limit
            mu = k / N if k else hi
            d_all = np.concatenate([np.asarray(r["spheres"][name]["distances"]) for r in at_n])
            ks, ms = _success_counts([{"spheres": {name: r["spheres"][name]}} for r in at_n])
            found = d_all[np.isfinite(d_all)]
            r_s = at_n[0]["spheres"][name]["radius"]
            bound = r_s * float(spheres.distance_bound(min(mu, 0.5), n))
            rows.append([n, name, k, N, hi, f"{ks}/{ms}",
                         f"{np.mean(found):.4f}" if found.size else "-", f"{bound:.4f}",
                         "measured" if k else "95% upper"])
    header = ["n", "sphere", "errors", "test points", "95% CP upper", "attack successes",
              "mean attack distance", "r D_n(mu)", "mu used"]
    out.append(Finding("SPH-3", "table", "ReLU networks: error counts and attacks by dimension",
                       {"header": header, "rows": rows}))
    out.append(Finding("SPH-5", "table", "ReLU networks: error counts and attacks by dimension",
                       {"header": header, "rows": rows}))

    def diff(claim_id: str, high: list[dict], low: list[dict], label: str) -> Finding:
        rule = claims.get(claim_id).decision
        k1, n1 = _success_counts(high)
        k2, n2 = _success_counts(low)
        if n1 == 0 or n2 == 0:
            raise ValueError(f"{claim_id}: no correctly classified attacked point in a group")
        d, lo, hi = newcombe_difference(k1, n1, k2, n2, rule.per_test_level)
        dec = decisions.decide(rule, effect=d, ci=(lo, hi), n=n1 + n2)
        return Finding(claim_id, "decision", label,
                       {"decision": dec, "counts": {"high": [k1, n1], "low": [k2, n2]}})

    lo_n, hi_n = min(dims), max(dims)
    out.append(diff("SPH-5", [r for r in sweep_rows if r["n"] == hi_n],
                    [r for r in sweep_rows if r["n"] == lo_n],
                    f"attack success rate at n = {hi_n} minus at n = {lo_n} ({scale} scale)"))
    band_hi = [r for r in sweep_rows if 80 <= r["n"] <= 100]
    band_lo = [r for r in sweep_rows if 30 <= r["n"] <= 40]
    out.append(diff("SPH-B7", band_hi, band_lo,
                    f"attack success rate at 80 <= n <= 100 minus at 30 <= n <= 40 ({scale} scale)"))

    blog = [r for r in results if r["hidden"] == 1000]  # the blog's architecture, either arm
    rule = claims.get("SPH-B2").decision
    if blog:
        n_b = max(r["n"] for r in blog)
        blog = [r for r in blog if r["n"] == n_b]
        close = total = 0
        for r in blog:
            for s in r["spheres"].values():
                d = np.asarray(s["distances"])
                total += d.size
                close += int(np.count_nonzero((d > 0) & (d <= GAP)))
        lo, hi = mc.clopper_pearson(close, total, 1 - rule.per_test_level)
        frac = close / total
        dec = decisions.decide(rule, effect=frac - 0.5, ci=(lo - 0.5, hi - 0.5), n=total)
        out.append(Finding("SPH-B2", "decision",
                           f"fraction correct and within {GAP:.1f} of an error, 2 x 1000 ReLU, "
                           f"n = {n_b}, {blog[0]['steps']} steps ({scale} scale), minus 1/2",
                           {"decision": dec, "counts": [close, total]}))
    return out


def _closeness_decision(d: np.ndarray, mu: float, n: int, tag: str) -> Finding:
    """SPH-15's registered decision on one trained model: rho - rho_10, with rho the mean exact
    nearest-error distance of inner-sphere points over D_n(mu) and rho_10 = D_n(10 mu)/D_n(mu)
    (within one decade of the optimal curve on the paper's logarithmic error axis)."""
    from advgeom.theory import claims

    rule = claims.get("SPH-15").decision
    bound = spheres.distance_bound(mu, n)
    rho_10 = spheres.distance_bound(10 * mu, n) / bound
    mean, sd = float(np.mean(d)), float(np.std(d, ddof=1))
    lo, hi = mc.clt_interval(mean, sd, d.size, 1 - rule.per_test_level)
    dec = decisions.decide(rule, effect=mean / bound - rho_10,
                           ci=(lo / bound - rho_10, hi / bound - rho_10), n=int(d.size))
    return Finding("SPH-15", "decision", f"rho - rho_10 ({tag})",
                   {"decision": dec, "mean": mean, "sd": sd, "points": int(d.size), "mu": mu,
                    "n": n})


def analyse_quadratic(results: list[dict], scale: str) -> list[Finding]:
    """Tables and checks (SPH-8, SPH-9, SPH-15) from experiment 2's results."""
    _check_results(results, ("n", "hidden", "steps", "index", "above_1", "below_inv_R2", "spheres"))
    scale = check.choice("scale", scale, SCALES)
    out: list[Finding] = []
    rows = []
    level = 1e-6
    for r in results:
        n = r["n"]
        out_of_range = r["above_1"] + r["below_inv_R2"]
        for name, s in r["spheres"].items():
            d = np.asarray(s["distances"])
            mean, se = float(np.mean(d)), float(np.std(d, ddof=1) / math.sqrt(d.size))
            rows.append([n, r["hidden"], r["steps"], r["index"], name, f"{out_of_range}/{n}",
                         f"{s['exact']:.3e}", f"{s['saddlepoint']:.3e}", f"{s['clt']:.3e}",
                         f"{s['mc_errors']}/{s['mc_points']}", f"{mean:.4f}", f"{s['levy_bound']:.4f}"])
            tag = f"n = {n}, h = {r['hidden']}, seed {r['index']}, {name} sphere"
            lo, hi = mc.clopper_pearson(s["mc_errors"], s["mc_points"], 1 - level)
            out.append(Finding("SPH-9", "check", f"exact error rate inside the network's Monte Carlo "
                               f"interval ({tag})",
                               {"value": s["exact"], "interval": (lo, hi), "level": 1 - level,
                                "method": "Monte Carlo count with the trained network itself, "
                                          "Clopper-Pearson"}))
            out.append(Finding("SPH-9", "check", f"exact error rate below 1e-7 ({tag})",
                               {"value": s["exact"], "upper": 1e-7,
                                "method": "saddle-point contour inversion of the Gaussian "
                                          "quadratic-form tail of the trained alphas"}))
            if name == "inner" and 0 < 10 * s["exact"] < 0.5:
                out.append(_closeness_decision(d, s["exact"], n, tag))
            if math.isfinite(s["levy_bound"]):
                out.append(Finding("SPH-15", "check",
                                   f"mean exact nearest-error distance - 4 SE below r D_n(mu) ({tag})",
                                   {"value": mean - 4 * se, "upper": s["levy_bound"],
                                    "method": "exact nearest errors of the ellipsoid rule (secular "
                                              "equation) averaged over uniform points"}))
        out.append(Finding("SPH-9", "check", f"fraction of alphas outside [1/R^2, 1] at least 10 % "
                           f"(n = {n}, h = {r['hidden']}, seed {r['index']})",
                           {"value": out_of_range / n, "lower": 0.1,
                            "method": "float64 SVD of the trained weights"}))
    header = ["n", "hidden", "steps", "seed", "sphere", "alphas out of range", "exact", "saddle point",
              "CLT (R2)", "network MC", "mean nearest error", "r D_n(mu)"]
    for cid in ("SPH-8", "SPH-9", "SPH-15"):
        out.append(Finding(cid, "table", f"quadratic networks ({scale} scale)",
                           {"header": header, "rows": rows}))
    return out


@dataclass(frozen=True)
class Experiment:
    """A reproduction: its sweeps at each scale, the claims it serves, and its analysis."""

    name: str
    paper: str
    claims: tuple[str, ...]
    description: str
    sweep: Callable[..., Sweep]
    analyse: Callable[[list, str], list[Finding]]
    cost: Callable[..., float]
    configuration: dict


EXPERIMENTS = {
    "spheres-relu": Experiment(
        "spheres-relu", "spheres", ("SPH-3", "SPH-5", "SPH-B2", "SPH-B7"),
        "two hidden ReLU layers on the two spheres over a dimension sweep: error rates and "
        "on-sphere attacks against the Levy bound",
        relu_sweep, analyse_relu, relu_cost,
        {"ci": {**RELU_CONFIG["ci"], "dims": RELU_DIMENSIONS["ci"], "blog": RELU_BLOG_CI},
         "paper": {**RELU_CONFIG["paper"], "dims": RELU_DIMENSIONS["paper"]}}),
    "spheres-quadratic": Experiment(
        "spheres-quadratic", "spheres", ("SPH-8", "SPH-9", "SPH-15"),
        "the quadratic network at n = 100 and at the paper's n = 500 with 1000 hidden units: "
        "alphas, exact error rates, network Monte Carlo, nearest errors against the Levy bound",
        quadratic_sweep, analyse_quadratic, quadratic_cost,
        {s: list(c) for s, c in QUADRATIC_CONFIG.items()}),
}
