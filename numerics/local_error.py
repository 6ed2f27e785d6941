"""Deep networks trained with local errors, their attacks, and the spectrum-robustness sweeps.

The learning rule of Mostafa, Ramesh & Cauwenberghs (Front. Neurosci. 12:608, 2018), used by
Jiang, Zhou & Huang (arXiv:2007.02047, claims MAN-2 to MAN-8): hidden layer ``l`` computes
``h_l = tanh(W_l h_{l-1} + b_l)`` and is trained only through the cross-entropy of its own fixed
random readout ``softmax(B_l h_l)``; no error signal crosses layers and ``B_l`` never changes.

Everything is numpy, float64, seeded: ``SeedSequence(seed)`` spawns independent streams for the
weights of each layer, the readouts of each layer and the mini-batch order of each layer, so a
layer's initial weights do not depend on the widths of the layers after it.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> X, y = rng.random((40, 5)), rng.integers(0, 3, 40)
>>> net = train_local_error_network(X, y, (6, 4), epochs=2, batch_size=8, n_classes=3, seed=1)
>>> net.layers, [h.shape for h in net.hidden(X)]
(2, [(40, 6), (40, 4)])
>>> 0.0 <= gaussian_noise_accuracy(net, X, y, 0.1, n_draws=2) <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from advgeom.numerics.cache import memory
from advgeom.theory import _validate as check
from advgeom.theory.spectrum import _flag, _rng

__all__ = [
    "LocalErrorNet",
    "ReparametrizedNet",
    "train_local_error_network",
    "layer_accuracy",
    "gaussian_noise_accuracy",
    "fgsm_accuracy",
    "pgd_accuracy",
    "load_digits_data",
    "run_sweep",
    "trained_network",
    "sweep_seeds",
    "SWEEP_DEFAULTS",
    "SWEEP_SEEDS",
]

_ACTIVATIONS = ("tanh", "relu")


def _tanh(z: np.ndarray) -> np.ndarray:
    """``tanh z = 2/(1 + exp(-2z)) - 1``, in place on a fresh array.

    About twice as fast as ``np.tanh`` for float64 and within 4e-16 of it; ``exp`` overflows to
    ``inf`` for ``z < -354``, which gives exactly -1.
    """
    out = np.multiply(z, -2.0)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0
    return out


def _act(z: np.ndarray, kind: str) -> np.ndarray:
    return _tanh(z) if kind == "tanh" else np.maximum(z, 0.0)


def _act_grad(h: np.ndarray, kind: str) -> np.ndarray:
    """Derivative of the activation expressed through its output ``h``."""
    return 1.0 - h * h if kind == "tanh" else (h > 0).astype(float)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class LocalErrorNet:
    """A stack of hidden layers, each with a fixed random readout (MAN-2).

    Attributes
    ----------
    weights, biases : list of ndarray
        ``W_l`` of shape ``(N_l, N_{l-1})`` and ``b_l`` of shape ``(N_l,)``.
    readouts : list of ndarray
        ``B_l`` of shape ``(K, N_l)``; frozen at initialization.
    activation : str
        ``"tanh"`` or ``"relu"``.
    epochs : tuple of int
        Epochs each layer was trained for.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    readouts: list[np.ndarray]
    activation: str = "tanh"
    epochs: tuple[int, ...] = field(default=())

    @property
    def layers(self) -> int:
        """Number of hidden layers."""
        return len(self.weights)

    def _layer_index(self, layer: int) -> int:
        idx = layer if layer >= 0 else self.layers + layer
        if not 0 <= idx < self.layers:
            raise ValueError(f"layer={layer!r} must index one of {self.layers} layers")
        return idx

    def hidden(self, X: np.ndarray, upto: int = -1) -> list[np.ndarray]:
        """Activations ``[h_1, ..., h_upto]`` for inputs ``X`` (rows)."""
        last = self._layer_index(upto)
        out, a = [], np.asarray(X, dtype=float)
        for W, b in zip(self.weights[: last + 1], self.biases[: last + 1], strict=True):
            a = _act(a @ W.T + b, self.activation)
            out.append(a)
        return out

    def logits(self, X: np.ndarray, layer: int = -1) -> np.ndarray:
        """``B_l h_l(X)``: the layer's own random-readout logits."""
        idx = self._layer_index(layer)
        return self.hidden(X, idx)[-1] @ self.readouts[idx].T

    def predict(self, X: np.ndarray, layer: int = -1) -> np.ndarray:
        """Class predicted by layer ``layer``'s readout (A-rand)."""
        return np.argmax(self.logits(X, layer), axis=1)

    def input_gradient(self, X: np.ndarray, y: np.ndarray, layer: int = -1) -> np.ndarray:
        """``d L_l / d x`` per row, ``L_l`` the cross-entropy of layer ``layer``'s readout."""
        idx = self._layer_index(layer)
        hs = self.hidden(X, idx)
        g = _softmax(hs[-1] @ self.readouts[idx].T)
        g[np.arange(len(y)), np.asarray(y)] -= 1.0
        dh = g @ self.readouts[idx]
        for k in range(idx, -1, -1):
            dz = dh * _act_grad(hs[k], self.activation)
            dh = dz @ self.weights[k]
        return dh

    def truncated(self, layers: int) -> LocalErrorNet:
        """The first ``layers`` layers (with their readouts)."""
        return replace(
            self,
            weights=self.weights[:layers],
            biases=self.biases[:layers],
            readouts=self.readouts[:layers],
            epochs=self.epochs[:layers],
        )


@dataclass
class ReparametrizedNet:
    """Layer ``layer`` of ``base`` seen through ``h' = T(h - m)`` with readout ``B' = B T^{-1}``.

    It computes the same logits as ``base`` at that layer for every input (MAN-5, MAN-8), while the
    spectrum of ``h'`` on the reference stimuli is whatever :func:`theory.spectrum.
    reparametrize_spectrum` made it. Duck-types the ``predict``/``input_gradient`` interface the
    attacks use.
    """

    base: LocalErrorNet
    layer: int
    reparam: object

    @property
    def layers(self) -> int:
        return self.layer + 1

    def _check(self, layer: int) -> None:
        if layer not in (-1, self.layer):
            raise ValueError(f"layer={layer!r}: this view exposes layer {self.layer} only")

    def hidden_reparametrized(self, X: np.ndarray) -> np.ndarray:
        return self.reparam.transform(self.base.hidden(X, self.layer)[-1])

    def logits(self, X: np.ndarray, layer: int = -1) -> np.ndarray:
        self._check(layer)
        return self.reparam.logits(self.hidden_reparametrized(X))

    def predict(self, X: np.ndarray, layer: int = -1) -> np.ndarray:
        return np.argmax(self.logits(X, layer), axis=1)

    def input_gradient(self, X: np.ndarray, y: np.ndarray, layer: int = -1) -> np.ndarray:
        self._check(layer)
        hs = self.base.hidden(X, self.layer)
        g = _softmax(self.reparam.logits(self.reparam.transform(hs[-1])))
        g[np.arange(len(y)), np.asarray(y)] -= 1.0
        dh = (g @ self.reparam.readout) @ self.reparam.T
        for k in range(self.layer, -1, -1):
            dh = (dh * _act_grad(hs[k], self.base.activation)) @ self.base.weights[k]
        return dh


def _copy_net(net: LocalErrorNet) -> LocalErrorNet:
    return replace(
        net,
        weights=[w.copy() for w in net.weights],
        biases=[b.copy() for b in net.biases],
        readouts=[r.copy() for r in net.readouts],
    )


def _sgd_step(
    W: np.ndarray,
    b: np.ndarray,
    B: np.ndarray,
    a: np.ndarray,
    y: np.ndarray,
    lr: float,
    weight_decay: float,
    activation: str,
) -> np.ndarray:
    """One SGD step on ``L = CE(softmax(B act(W a + b)), y)`` w.r.t. ``(W, b)`` only, in place.

    Returns ``act(W a + b)`` at the weights before the step (the layer's output on this batch)."""
    h = _act(a @ W.T + b, activation)
    g = _softmax(h @ B.T)
    g[np.arange(len(y)), y] -= 1.0
    g /= len(y)
    dz = (g @ B) * _act_grad(h, activation)
    dW = dz.T @ a
    if weight_decay:
        dW += weight_decay * W
    W -= lr * dW
    b -= lr * dz.sum(axis=0)
    return h


def train_local_error_network(
    X: np.ndarray,
    y: np.ndarray,
    widths: Sequence[int],
    *,
    activation: str = "tanh",
    schedule: str = "greedy",
    epochs: int = 60,
    lr: float = 0.05,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    readout_std: float | None = None,
    seed: int = 0,
    snapshot_epochs: Iterable[int] | None = None,
    n_classes: int | None = None,
) -> LocalErrorNet | list[LocalErrorNet]:
    """Train hidden layers each only through its own fixed random readout (MAN-2).

    Parameters
    ----------
    X : ndarray, shape (P, p)
    y : ndarray of int, shape (P,)
    widths : sequence of int
        Hidden widths ``N_1, ..., N_L``.
    schedule : {"greedy", "simultaneous"}
        ``greedy``: layer ``l`` trains for ``epochs`` epochs while layers ``< l`` are frozen.
        ``simultaneous``: all layers step on the same mini-batch, each by ``dL_l/d(W_l, b_l)``
        with its input held fixed (no gradient crosses a layer).
    epochs, lr, batch_size, weight_decay
        Plain mini-batch SGD; ``weight_decay`` adds ``weight_decay * W_l`` to the weight gradient.
    readout_std : float or None
        ``B_l ~ N(0, readout_std^2)``; default ``1/sqrt(N_l)``.
    seed : int
        Seeds weights, readouts and batch order (independent spawned streams per layer).
    snapshot_epochs : iterable of int or None
        If given, return copies of the network after these epochs of training of the last
        layer (earlier layers fully trained); epoch 0 is the untrained last layer.
    n_classes : int or None
        Readout size ``K``; default ``max(y) + 1``.

    Returns
    -------
    LocalErrorNet, or a list of them (one per snapshot epoch, in increasing order).
    """
    X, y = _check_xy(X, y)
    X = np.ascontiguousarray(X)
    if isinstance(widths, str | bytes) or not isinstance(widths, Sequence | np.ndarray):
        raise ValueError(f"widths = {widths!r} must be a non-empty sequence of positive integers")
    widths = [check.integer("widths", w, low=1, high=100_000) for w in widths]
    if not widths:
        raise ValueError("widths = [] must be a non-empty sequence of positive integers")
    activation = check.choice("activation", activation, _ACTIVATIONS)
    schedule = check.choice("schedule", schedule, ("greedy", "simultaneous"))
    epochs = check.integer("epochs", epochs, low=0, high=100_000)
    lr = check.real("lr", lr, low=0.0, low_open=True)
    batch_size = check.integer("batch_size", batch_size, low=1)
    weight_decay = check.real("weight_decay", weight_decay, low=0.0)
    if readout_std is not None:
        readout_std = check.real("readout_std", readout_std, low=0.0, low_open=True)
    seed = check.integer("seed", seed, low=0)
    K = (check.integer("n_classes", n_classes, low=1, high=100_000) if n_classes is not None
         else int(y.max()) + 1)
    if y.max() >= K:
        raise ValueError(f"y: labels must lie in 0..{K - 1} (n_classes = {K}), got max {y.max()}")
    if snapshot_epochs is not None:
        if isinstance(snapshot_epochs, str | bytes) or not isinstance(snapshot_epochs, Iterable):
            raise ValueError(f"snapshot_epochs = {snapshot_epochs!r} must be an iterable of "
                             f"integers in 0..epochs = {epochs}")
        snaps = sorted({check.integer("snapshot_epochs", e, low=0, high=epochs)
                        for e in snapshot_epochs})
        if not snaps:
            raise ValueError("snapshot_epochs = [] must name at least one epoch (or be None)")
    else:
        snaps = []

    root = np.random.SeedSequence(seed)
    init_ss, readout_ss, batch_ss = root.spawn(3)
    L = len(widths)
    init_rngs = [np.random.default_rng(s) for s in init_ss.spawn(L)]
    readout_rngs = [np.random.default_rng(s) for s in readout_ss.spawn(L)]
    batch_rngs = [np.random.default_rng(s) for s in batch_ss.spawn(L)]
    fan_in = [X.shape[1], *widths[:-1]]
    weights = [
        init_rngs[k].standard_normal((widths[k], fan_in[k])) / np.sqrt(fan_in[k]) for k in range(L)
    ]
    biases = [np.zeros(w) for w in widths]
    readouts = []
    for k in range(L):
        std = readout_std if readout_std is not None else 1.0 / np.sqrt(widths[k])
        readouts.append(readout_rngs[k].standard_normal((K, widths[k])) * std)
    net = LocalErrorNet(weights, biases, readouts, activation, tuple(0 for _ in widths))
    P, bs = X.shape[0], batch_size
    snapshots: list[LocalErrorNet] = []

    if schedule == "greedy":
        a = X
        for k in range(L):
            rng = batch_rngs[k]
            last = k == L - 1
            if last and 0 in snaps:
                snapshots.append(_copy_net(net))
            for epoch in range(1, epochs + 1):
                perm = rng.permutation(P)
                for start in range(0, P, bs):
                    idx = perm[start : start + bs]
                    _sgd_step(weights[k], biases[k], readouts[k], a[idx], y[idx], lr,
                              weight_decay, activation)
                net.epochs = (*net.epochs[:k], epoch, *net.epochs[k + 1 :])
                if last and epoch in snaps:
                    snapshots.append(_copy_net(net))
            a = _act(a @ weights[k].T + biases[k], activation)
    else:
        rng = batch_rngs[0]
        if 0 in snaps:
            snapshots.append(_copy_net(net))
        for epoch in range(1, epochs + 1):
            perm = rng.permutation(P)
            for start in range(0, P, bs):
                idx = perm[start : start + bs]
                a, yb = X[idx], y[idx]
                for k in range(L):
                    # the next layer's input is this layer's output before its own step, which
                    # the step computes anyway (one forward product per layer, not two)
                    a = _sgd_step(weights[k], biases[k], readouts[k], a, yb, lr, weight_decay,
                                  activation)
            net.epochs = tuple(epoch for _ in widths)
            if epoch in snaps:
                snapshots.append(_copy_net(net))
    return snapshots if snapshot_epochs is not None else net


def _check_net(net: object) -> object:
    if not isinstance(net, LocalErrorNet | ReparametrizedNet):
        raise ValueError(f"net = {net!r} must be a LocalErrorNet or a ReparametrizedNet")
    return net


def _check_layer(net: object, layer: object, name: str = "layer") -> int:
    layer = check.integer(name, layer)
    if not -net.layers <= layer < net.layers:
        raise ValueError(f"{name} = {layer} must index one of the {net.layers} layers "
                         f"({-net.layers}..{net.layers - 1})")
    if isinstance(net, ReparametrizedNet) and layer not in (-1, net.layer):
        raise ValueError(f"{name} = {layer}: this view exposes layer {net.layer} only")
    return layer


def _check_xy(X: np.ndarray, y: np.ndarray, net: object = None) -> tuple[np.ndarray, np.ndarray]:
    X = check.array("X", X, ndim=2)
    if isinstance(y, str | bytes):
        raise ValueError(f"y = {y!r} must be a 1-D array of integer labels >= 0")
    yv = check.array("y", y, ndim=1, low=0.0)
    if yv.shape != (X.shape[0],):
        raise ValueError(f"y must have one label per row of X ({X.shape[0]}), got shape {yv.shape}")
    if np.any(yv != np.round(yv)) or np.any(yv > 2**31):
        raise ValueError("y must hold integer labels >= 0")
    if net is not None:
        base = net.base if isinstance(net, ReparametrizedNet) else net
        if X.shape[1] != base.weights[0].shape[1]:
            raise ValueError(f"X must have {base.weights[0].shape[1]} columns (the network's "
                             f"input size), got {X.shape[1]}")
        if yv.size and yv.max() >= base.readouts[0].shape[0]:
            raise ValueError(f"y: labels must lie in 0..{base.readouts[0].shape[0] - 1}")
    return X, yv.astype(np.int64)


def _check_clip(clip: object) -> tuple[float, float] | None:
    if clip is None:
        return None
    if not isinstance(clip, tuple | list) or len(clip) != 2:
        raise ValueError(f"clip = {clip!r} must be a pair (low, high) or None")
    lo, hi = (check.real("clip", x) for x in clip)
    if not lo < hi:
        raise ValueError(f"clip = {clip!r} must satisfy low < high")
    return lo, hi


def layer_accuracy(net: LocalErrorNet, X: np.ndarray, y: np.ndarray, layer: int = -1) -> float:
    """Clean accuracy of layer ``layer``'s fixed random readout (A-rand)."""
    _check_net(net)
    X, y = _check_xy(X, y, net)
    layer = _check_layer(net, layer)
    return float(np.mean(net.predict(X, layer) == y))


def gaussian_noise_accuracy(
    net: LocalErrorNet,
    X: np.ndarray,
    y: np.ndarray,
    sigma: float,
    *,
    layer: int = -1,
    n_draws: int = 20,
    clip: tuple[float, float] | None = (0.0, 1.0),
    only_correct: bool = False,
    rng: np.random.Generator | int | None = 0,
) -> float:
    """Accuracy under ``x' = clip(x + sigma xi, 0, 1)``, ``xi ~ N(0, I)``, averaged over draws (MAN-6).

    The default ``rng=0`` gives common random numbers: every model sees the same ``xi``.
    ``only_correct=True`` averages over the images the layer classifies correctly without noise
    (the conditional reading); it returns ``nan`` when the layer classifies no image correctly.
    """
    _check_net(net)
    X, y = _check_xy(X, y, net)
    sigma = check.real("sigma", sigma, low=0.0)
    layer = _check_layer(net, layer)
    n_draws = check.integer("n_draws", n_draws, low=1, high=100_000)
    clip = _check_clip(clip)
    only_correct = _flag("only_correct", only_correct)
    rng = _rng("rng", rng)
    mask = net.predict(X, layer) == y if only_correct else np.ones(len(y), bool)
    if not mask.any():
        raise ValueError("only_correct = True: the layer classifies no image of X correctly, so "
                         "the conditional accuracy is undefined")
    Xs, ys = X[mask], y[mask]
    if sigma == 0:
        return float(np.mean(net.predict(Xs, layer) == ys))
    rng = np.random.default_rng(rng)
    hits = 0.0
    for _ in range(n_draws):
        Xn = Xs + sigma * rng.standard_normal(Xs.shape)
        if clip is not None:
            Xn = np.clip(Xn, *clip)
        hits += np.mean(net.predict(Xn, layer) == ys)
    return float(hits / n_draws)


def _fgsm_points(
    net: LocalErrorNet,
    X: np.ndarray,
    y: np.ndarray,
    eps: float,
    grad_layer: int,
    clip: tuple[float, float] | None,
) -> np.ndarray:
    Xa = X + eps * np.sign(net.input_gradient(X, y, grad_layer))
    return np.clip(Xa, *clip) if clip is not None else Xa


def fgsm_accuracy(
    net: LocalErrorNet,
    X: np.ndarray,
    y: np.ndarray,
    eps: float,
    *,
    layer: int = -1,
    target_layer: int | None = None,
    clip: tuple[float, float] | None = (0.0, 1.0),
    only_correct: bool = False,
) -> float:
    """Accuracy of layer ``layer`` under FGSM, ``x' = clip(x + eps sign(grad_x L), 0, 1)`` (MAN-7).

    The gradient is that of ``target_layer``'s loss (default: ``layer``'s own readout), through
    layers ``1..target_layer``. Goodfellow et al., arXiv:1412.6572. With ``only_correct=True``
    the accuracy is over the initially correct images, ``nan`` when there are none.
    """
    _check_net(net)
    X, y = _check_xy(X, y, net)
    eps = check.real("eps", eps, low=0.0)
    layer = _check_layer(net, layer)
    if target_layer is not None:
        target_layer = _check_layer(net, target_layer, "target_layer")
    clip = _check_clip(clip)
    only_correct = _flag("only_correct", only_correct)
    if only_correct:
        mask = net.predict(X, layer) == y
        X, y = X[mask], y[mask]
        if not len(y):
            raise ValueError("only_correct = True: the layer classifies no image of X correctly, "
                             "so the conditional accuracy is undefined")
    grad_layer = layer if target_layer is None else target_layer
    Xa = _fgsm_points(net, X, y, eps, grad_layer, clip) if eps > 0 else X
    return float(np.mean(net.predict(Xa, layer) == y))


def pgd_accuracy(
    net: LocalErrorNet,
    X: np.ndarray,
    y: np.ndarray,
    eps: float,
    *,
    layer: int = -1,
    steps: int = 10,
    step_size: float | None = None,
    clip: tuple[float, float] | None = (0.0, 1.0),
    rng: np.random.Generator | int | None = 0,
) -> float:
    """Accuracy under L-infinity PGD from a seeded uniform start (Madry et al., arXiv:1706.06083).

    ``steps`` signed-gradient steps of size ``step_size`` (default ``eps/4``), each projected onto
    the ``eps`` ball around ``x`` and onto ``clip``; a control for gradient masking (MAN-7).
    """
    _check_net(net)
    X, y = _check_xy(X, y, net)
    eps = check.real("eps", eps, low=0.0)
    layer = _check_layer(net, layer)
    steps = check.integer("steps", steps, low=0, high=100_000)
    if step_size is not None:
        step_size = check.real("step_size", step_size, low=0.0, low_open=True)
    clip = _check_clip(clip)
    rng = _rng("rng", rng)
    if eps == 0:
        return float(np.mean(net.predict(X, layer) == y))
    step = eps / 4.0 if step_size is None else float(step_size)
    rng = np.random.default_rng(rng)
    Xa = X + rng.uniform(-eps, eps, X.shape)
    if clip is not None:
        Xa = np.clip(Xa, *clip)
    for _ in range(steps):
        Xa = Xa + step * np.sign(net.input_gradient(Xa, y, layer))
        Xa = np.clip(Xa, X - eps, X + eps)
        if clip is not None:
            Xa = np.clip(Xa, *clip)
    return float(np.mean(net.predict(Xa, layer) == y))


def load_digits_data(
    test_size: float = 0.3, split_seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits in [0, 1], stratified split: ``(Xtr, Xte, ytr, yte)``."""
    from advgeom.numerics import datasets

    test_size = check.real("test_size", test_size, low=0.0, high=1.0, low_open=True,
                           high_open=True)
    split_seed = check.integer("split_seed", split_seed, low=0)
    ds = datasets.load("digits")
    return datasets.split(ds.X, ds.y, test_fraction=test_size, seed=split_seed)


_PROTOCOL_VERSION = "2026-12-02"

SWEEP_DEFAULTS: dict[str, object] = {
    "widths": (100, 100, 100, 100),
    "epochs": 30,
    "lr": 0.1,
    "batch_size": 64,
    "sigmas": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8),
    "epsilons": (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3),
    "pgd_epsilons": (0.05, 0.1, 0.15),
    "windows": ((2, 30), (2, 20), (5, 40)),
    "snapshot_epochs": (1, 2, 5, 10, 20, 40),
    "n_draws": 5,
}


def _evaluate(
    net: LocalErrorNet,
    Xte: np.ndarray,
    yte: np.ndarray,
    *,
    layers: Sequence[int],
    sigmas: Sequence[float],
    epsilons: Sequence[float],
    pgd_epsilons: Sequence[float],
    windows: Sequence[tuple[int, int]],
    n_draws: int,
    noise_seed: int,
) -> dict[str, np.ndarray]:
    """All per-layer measurements of one trained network on the test set."""
    from advgeom.theory.spectrum import participation_ratio, power_law_exponent, spectrum

    C = len(layers)
    hs = net.hidden(Xte)
    out = {
        "alpha": np.empty((C, len(windows))),
        "D": np.empty(C),
        "acc_clean": np.empty(C),
        "acc_gauss": np.empty((C, len(sigmas))),
        "acc_gauss_cond": np.empty((C, len(sigmas))),
        "acc_fgsm": np.empty((C, len(epsilons))),
        "acc_fgsm_last": np.empty((C, len(epsilons))),
        "acc_pgd": np.empty((C, len(pgd_epsilons))),
        "zero_grad_frac": np.empty(C),
        "grad_margin_l2": np.empty(C),
    }
    correct = []
    for c, layer in enumerate(layers):
        lam = spectrum(hs[layer])
        out["alpha"][c] = [power_law_exponent(lam, ranks=w) for w in windows]
        out["D"][c] = participation_ratio(lam)
        pred = np.argmax(hs[layer] @ net.readouts[layer].T, axis=1)
        correct.append(pred == yte)
        out["acc_clean"][c] = np.mean(correct[-1])
    # common random numbers: one noise tensor per sigma, shared by every layer and every model
    noise_rng = np.random.default_rng(noise_seed)
    last = max(layers)
    for k, sigma in enumerate(sigmas):
        xi = noise_rng.standard_normal((int(n_draws), *Xte.shape))
        if sigma == 0:
            hits = np.stack(correct).astype(float)[:, None, :]
        else:
            Xn = np.clip(Xte[None] + sigma * xi, 0.0, 1.0).reshape(-1, Xte.shape[1])
            hn = net.hidden(Xn, last)
            hits = np.stack(
                [
                    (np.argmax(hn[layer] @ net.readouts[layer].T, axis=1)
                     == np.tile(yte, int(n_draws))).reshape(int(n_draws), -1)
                    for layer in layers
                ]
            ).astype(float)
        out["acc_gauss"][:, k] = hits.mean(axis=(1, 2))
        for c in range(C):
            m = correct[c]
            out["acc_gauss_cond"][c, k] = hits[c][:, m].mean() if m.any() else np.nan
    sign_last = np.sign(net.input_gradient(Xte, yte, last))
    for c, layer in enumerate(layers):
        grad = net.input_gradient(Xte, yte, layer)
        out["zero_grad_frac"][c] = np.mean(grad == 0)
        for k, eps in enumerate(epsilons):
            for key, direction in (("acc_fgsm", np.sign(grad)), ("acc_fgsm_last", sign_last)):
                Xa = np.clip(Xte + eps * direction, 0.0, 1.0)
                out[key][c, k] = np.mean(net.predict(Xa, layer) == yte)
        for k, eps in enumerate(pgd_epsilons):
            out["acc_pgd"][c, k] = pgd_accuracy(net, Xte, yte, eps, layer=layer, rng=noise_seed)
        out["grad_margin_l2"][c] = _margin_gradient_norm(net, Xte, yte, layer)
    return out


def _margin_gradient_norm(net: LocalErrorNet, X: np.ndarray, y: np.ndarray, layer: int) -> float:
    """Mean ``|grad_x m|_2`` of the margin ``m`` = true logit minus best other logit."""
    hs = net.hidden(X, layer)
    z = hs[-1] @ net.readouts[layer].T
    zo = z.copy()
    zo[np.arange(len(y)), y] = -np.inf
    other = np.argmax(zo, axis=1)
    dh = net.readouts[layer][y] - net.readouts[layer][other]
    for k in range(layer, -1, -1):
        dh = (dh * _act_grad(hs[k], net.activation)) @ net.weights[k]
    return float(np.mean(np.linalg.norm(dh, axis=1)))


def _sweep_one_seed(
    kind: str, seed: int, params: dict, data: tuple[np.ndarray, ...]
) -> dict[str, np.ndarray]:
    Xtr, Xte, ytr, yte = data
    common = {
        "sigmas": params["sigmas"],
        "epsilons": params["epsilons"],
        "pgd_epsilons": params["pgd_epsilons"],
        "windows": params["windows"],
        "n_draws": params["n_draws"],
        "noise_seed": 12345,
    }
    if kind == "layers":
        net = train_local_error_network(
            Xtr, ytr, params["widths"], epochs=params["epochs"], lr=params["lr"],
            batch_size=params["batch_size"], seed=seed, n_classes=10,
        )
        res = _evaluate(net, Xte, yte, layers=list(range(net.layers)), **common)
        res["spectra"] = np.array(
            [_padded(_spectrum(h), 200) for h in net.hidden(Xte)], dtype=float
        )
        return res
    if kind == "epochs":
        snaps = train_local_error_network(
            Xtr, ytr, params["widths"][:1], epochs=max(params["snapshot_epochs"]),
            lr=params["lr"], batch_size=params["batch_size"], seed=seed, n_classes=10,
            snapshot_epochs=params["snapshot_epochs"],
        )
        parts = [_evaluate(net, Xte, yte, layers=[0], **common) for net in snaps]
        res = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        res["spectra"] = np.array(
            [_padded(_spectrum(net.hidden(Xte)[0]), 200) for net in snaps], dtype=float
        )
        return res
    raise ValueError(f"kind={kind!r} must be 'layers' or 'epochs'")


def trained_network(seed: int = 0, layers: int = 4) -> LocalErrorNet:
    """The R-layers network of one seed with the sweep's default settings (disk-cached)."""
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    layers = check.integer("layers", layers, low=1, high=len(SWEEP_DEFAULTS["widths"]))
    return _trained_network_cached(seed, layers, _PROTOCOL_VERSION)


@memory.cache
def _trained_network_cached(seed: int, layers: int, protocol: str) -> LocalErrorNet:
    Xtr, _, ytr, _ = load_digits_data()
    p = SWEEP_DEFAULTS
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return train_local_error_network(
            Xtr, ytr, tuple(p["widths"])[:layers], epochs=p["epochs"], lr=p["lr"],
            batch_size=p["batch_size"], seed=seed, n_classes=10,
        )


def _spectrum(H: np.ndarray) -> np.ndarray:
    from advgeom.theory.spectrum import spectrum

    return spectrum(H)


def _padded(lam: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[: min(n, lam.size)] = lam[:n]
    return out


def _sweep_one_seed_single_thread(
    kind: str, seed: int, params: dict, data: tuple[np.ndarray, ...]
) -> dict[str, np.ndarray]:
    # The matrices are small (batch 64, width ~100): multi-threaded BLAS only adds contention,
    # and seeds already run in parallel processes.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _sweep_one_seed(kind, seed, params, data)


@memory.cache
def _sweep_seed_cached(kind: str, seed: int, params_items: tuple) -> dict[str, np.ndarray]:
    """One seed of one sweep, cached on its own, so that sweeps over overlapping seed sets share
    their work."""
    data = tuple(np.ascontiguousarray(a) for a in load_digits_data())
    return _sweep_one_seed_single_thread(kind, seed, dict(params_items), data)


@memory.cache(ignore=["n_jobs"])
def _run_sweep_cached(
    kind: str, seeds: tuple[int, ...], params_items: tuple, n_jobs: int = 2
) -> dict:
    if n_jobs == 1 or len(seeds) == 1:
        per_seed = [_sweep_seed_cached(kind, s, params_items) for s in seeds]
    else:
        from joblib import Parallel, delayed

        per_seed = Parallel(n_jobs=n_jobs)(
            delayed(_sweep_seed_cached)(kind, s, params_items) for s in seeds
        )
    out = {key: np.stack([r[key] for r in per_seed]) for key in per_seed[0]}
    out["seeds"] = np.array(seeds)
    return out


#: Number of training seeds of the registered sweeps (MAN-5, MAN-6, MAN-7).
SWEEP_SEEDS = 32


def sweep_seeds(n: int = SWEEP_SEEDS) -> list[int]:
    """The first ``n`` training seeds of the registered sweeps, drawn from
    ``claim_seed("MAN-5", "sweep seeds")`` (never hand-picked); the list for ``n`` is a prefix of
    the list for any larger ``n``.

    Examples
    --------
    >>> sweep_seeds(3) == sweep_seeds(5)[:3]
    True
    """
    from advgeom.numerics.montecarlo import claim_seed
    from advgeom.theory import _validate as check

    n = check.integer("n", n, low=1, high=10_000)
    state = claim_seed("MAN-5", "sweep seeds").generate_state(10_000, dtype=np.uint32)
    return [int(x) for x in state[:n]]


def run_sweep(
    kind: str,
    *,
    seeds: Iterable[int] | None = None,
    n_jobs: int = 2,
    **overrides: object,
) -> dict[str, np.ndarray]:
    """Train and measure a sweep of conditions on the digits (MAN-5, MAN-6, MAN-7); disk-cached.

    Parameters
    ----------
    kind : {"layers", "epochs"}
        ``layers`` (R-layers): the conditions are layers 1..L of one greedy network per seed.
        ``epochs`` (R-epochs): one hidden layer, snapshots after ``snapshot_epochs`` epochs.
    seeds : iterable of int, or None for :func:`sweep_seeds` ``()`` (the registered seeds)
    n_jobs : int
        Worker processes (joblib); the result does not depend on it.
    **overrides
        Any key of :data:`SWEEP_DEFAULTS`.

    Returns
    -------
    dict of arrays indexed ``[seed, condition, ...]``: ``alpha`` (last axis: windows), ``D``,
    ``acc_clean``, ``acc_gauss`` and ``acc_gauss_cond`` (last axis: sigmas), ``acc_fgsm`` and
    ``acc_fgsm_last`` (last axis: epsilons; own readout's loss / last layer's loss),
    ``acc_pgd`` (last axis: pgd_epsilons), ``zero_grad_frac``, ``grad_margin_l2``, ``spectra``
    (padded with NaN to 200 ranks), and ``seeds``.
    """
    from advgeom.theory import _validate as check

    kind = check.choice("kind", kind, ("layers", "epochs"))
    n_jobs = check.integer("n_jobs", n_jobs, low=1, high=64)
    if seeds is None:
        seeds = sweep_seeds()
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):
        raise ValueError(f"seeds = {seeds!r} must be an iterable of integers >= 0")
    seeds = [check.integer("seeds", s, low=0, high=2**32 - 1) for s in seeds]
    if not seeds:
        raise ValueError("seeds = [] must hold at least one seed")
    unknown = set(overrides) - set(SWEEP_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown sweep parameters {sorted(unknown)}; valid: {sorted(SWEEP_DEFAULTS)}")
    # the protocol version joins the cache key: bump it when the training or the measurements
    # change, since joblib only tracks the code of the cached function itself
    params = {**SWEEP_DEFAULTS, **overrides, "protocol": _PROTOCOL_VERSION}
    frozen = tuple(
        sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in params.items())
    )
    return _run_sweep_cached(kind, tuple(int(s) for s in seeds), frozen, n_jobs)
