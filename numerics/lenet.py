r"""A LeNet-style convolutional network in numpy: forward, backpropagation, SGD, targeted attacks.

The tilting paper's Sec. 6 (TILT-D17, arXiv:1806.11186) trains a "LeNet" whose layers the seed
documents do not give; this is Caffe's LeNet for MNIST, with ReLU after each convolution as in the
common re-implementations:

.. math::

    x \in [0,1]^{28\times28}
    \xrightarrow{\text{conv } 5\times5,\ c_1} 24^2 c_1
    \xrightarrow{\text{max-pool } 2} 12^2 c_1 \xrightarrow{\mathrm{ReLU}}
    \xrightarrow{\text{conv } 5\times5,\ c_2} 8^2 c_2
    \xrightarrow{\text{max-pool } 2} 4^2 c_2 \xrightarrow{\mathrm{ReLU}}
    \xrightarrow{\text{dense}} h \xrightarrow{\mathrm{ReLU}} \xrightarrow{\text{dense}} z \in \mathbb{R}^{10}

with :math:`(c_1, c_2, h) = (20, 50, 500)` by default (431,080 parameters). ReLU after max-pooling
equals max-pooling after ReLU (ReLU is monotone) and costs a quarter. Images are stored channels-last
(``B x H x W x C``); a convolution is one matrix product of the im2col patch matrix
(``B H' W' x 25 C``, from :func:`numpy.lib.stride_tricks.sliding_window_view`) with the filters, and
its adjoint (col2im) is 25 shifted, strided additions. Max-pooling routes the gradient to the *first*
maximum of each window, so that the exact ties of blank image regions (every position equals the
bias) do not multiply it.

The training loss is the mean softmax cross-entropy of a batch plus
:math:`\tfrac{\lambda}{2}\|\theta\|^2` over all parameters (weights and biases, the default of
Caffe's and PyTorch's weight decay), minimized by SGD with momentum:
:math:`v \leftarrow \mu v + \nabla_\theta(\mathrm{CE} + \tfrac{\lambda}{2}\|\theta\|^2)`,
:math:`\theta \leftarrow \theta - \eta v`. Initial weights are Caffe's "xavier" filler,
:math:`U(\pm\sqrt{3/\mathrm{fan_{in}}})`, biases 0.

Arithmetic is float32 by default: SGD needs no more, an attack's end point found at
:math:`p_t \ge 0.95` in float32 has :math:`p_t \ge 0.95 - 10^{-5}` in float64 (the tests re-evaluate
it), and the matrix products run twice as fast as in float64. A float64 network
(``dtype="float64"``) serves the gradient check against central finite differences.

Examples
--------
>>> import numpy as np
>>> net = init_lenet(np.random.SeedSequence(0), channels=(2, 3), hidden=8)
>>> sum(p.size for p in net.params)
687
>>> x = np.zeros((2, 784), np.float32)
>>> lenet_logits(net, x).shape
(2, 10)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from advgeom.theory import _validate as check

__all__ = [
    "AttackOutcome",
    "LeNet",
    "init_lenet",
    "lenet_logits",
    "lenet_loss",
    "targeted_attack",
    "train_lenet",
]

SIDE = 28  # MNIST images are 28 x 28
KERNEL = 5
CLASSES = 10
_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class LeNet:
    """Parameters of the network: ``(W1, b1, W2, b2, W3, b3, W4, b4)``.

    ``W1`` is ``25 x c1`` and ``W2`` is ``25 c1 x c2`` (rows ordered kernel row, kernel column,
    channel, as the im2col patches), ``W3`` is ``16 c2 x h`` (rows ordered pooled row, column,
    channel), ``W4`` is ``h x 10``."""

    params: tuple[np.ndarray, ...]

    @property
    def dtype(self) -> np.dtype:
        return self.params[0].dtype

    @property
    def widths(self) -> tuple[int, int, int]:
        return self.params[0].shape[1], self.params[2].shape[1], self.params[4].shape[1]


def _check_net(net) -> LeNet:
    if not isinstance(net, LeNet) or len(net.params) != 8:
        raise ValueError(f"net = {net!r} must be a LeNet from init_lenet or train_lenet")
    return net


def _check_images(name: str, X, dtype) -> np.ndarray:
    a = check.array(name, X, ndim=2, low=0.0, high=1.0)
    if a.shape[1] != SIDE * SIDE:
        raise ValueError(f"{name} must have {SIDE * SIDE} columns (28 x 28 images), got {a.shape}")
    return a.astype(dtype, copy=False)


def _check_labels(name: str, y, n: int) -> np.ndarray:
    a = check.array(name, y, ndim=1, low=0, high=CLASSES - 1)
    if a.shape[0] != n:
        raise ValueError(f"{name} must have one label per image ({n}), got {a.shape[0]}")
    if not np.all(a == np.round(a)):
        raise ValueError(f"{name} must hold integer class labels 0..9")
    return a.astype(np.int64)


def _seed(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check.integer("seed", seed, low=0))


def init_lenet(seed, *, channels: tuple[int, int] = (20, 50), hidden: int = 500,
               dtype: str = "float32") -> LeNet:
    """Initial network: xavier-uniform weights :math:`U(\\pm\\sqrt{3/\\mathrm{fan_{in}}})`, zero
    biases.

    Parameters
    ----------
    seed : numpy.random.SeedSequence or int
        Seed of the weights.
    channels : (int, int)
        Filters of the two convolutions (Caffe's LeNet: 20, 50).
    hidden : int
        Units of the dense hidden layer (500).
    dtype : {"float32", "float64"}
    """
    seed = _seed(seed)
    if not isinstance(channels, tuple | list) or len(channels) != 2:
        raise ValueError(f"channels = {channels!r} must be a pair of filter counts")
    c1, c2 = (check.integer("channels", c, low=1) for c in channels)
    hidden = check.integer("hidden", hidden, low=1)
    dtype = check.choice("dtype", dtype, _DTYPES)
    rng = np.random.default_rng(seed)
    shapes = [(KERNEL * KERNEL, c1), (KERNEL * KERNEL * c1, c2), (16 * c2, hidden),
              (hidden, CLASSES)]
    params = []
    for fan_in, fan_out in shapes:
        a = math.sqrt(3.0 / fan_in)
        params += [rng.uniform(-a, a, size=(fan_in, fan_out)).astype(dtype),
                   np.zeros(fan_out, dtype)]
    return LeNet(tuple(params))


# --------------------------------------------------------------------------- layers


def _im2col(x: np.ndarray) -> np.ndarray:
    """``B x H x W x C`` -> ``B H' W' x (C k k)`` patches of the valid k x k convolution."""
    B, H, W, C = x.shape
    # (kernel row, kernel column, channel) order: the copy reads, and col2im adds, runs of C
    # contiguous numbers instead of single ones at stride k^2
    win = np.lib.stride_tricks.sliding_window_view(x, (KERNEL, KERNEL), axis=(1, 2))
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(B * (H - KERNEL + 1) * (W - KERNEL + 1),
                                                   KERNEL * KERNEL * C)


def _col2im(dcols: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
    """Adjoint of :func:`_im2col`: scatter-add the patch gradients back onto the image."""
    B, H, W, C = shape
    oh, ow = H - KERNEL + 1, W - KERNEL + 1
    d = dcols.reshape(B, oh, ow, KERNEL, KERNEL, C)
    dx = np.zeros(shape, dcols.dtype)
    for i in range(KERNEL):
        for j in range(KERNEL):
            dx[:, i:i + oh, j:j + ow, :] += d[:, :, :, i, j, :]
    return dx


def _pool(a: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """2 x 2 max-pooling with stride 2; returns the maxima and, for the window positions (0,0),
    (0,1), (1,0), (1,1), the masks of the first maximum of each window (exactly one is set)."""
    q = (a[:, 0::2, 0::2], a[:, 0::2, 1::2], a[:, 1::2, 0::2], a[:, 1::2, 1::2])
    m = np.maximum(np.maximum(q[0], q[1]), np.maximum(q[2], q[3]))
    first = q[0] == m
    second = q[1] == m
    second &= ~first
    taken = first | second
    third = q[2] == m
    third &= ~taken
    taken |= third
    return m, (first, second, third, ~taken)


def _unpool(g: np.ndarray, masks: tuple[np.ndarray, ...]) -> np.ndarray:
    B, h, w, C = g.shape
    out = np.empty((B, 2 * h, 2 * w, C), g.dtype)
    for mask, (r, c) in zip(masks, ((0, 0), (0, 1), (1, 0), (1, 1)), strict=True):
        np.multiply(g, mask, out=out[:, r::2, c::2])
    return out


def _forward(params, X: np.ndarray) -> tuple[np.ndarray, dict]:
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    B = X.shape[0]
    x = X.reshape(B, SIDE, SIDE, 1)
    cols1 = _im2col(x)
    a1 = (cols1 @ W1 + b1).reshape(B, 24, 24, -1)
    p1, i1 = _pool(a1)
    h1 = np.maximum(p1, 0)
    cols2 = _im2col(h1)
    a2 = (cols2 @ W2 + b2).reshape(B, 8, 8, -1)
    p2, i2 = _pool(a2)
    h2 = np.maximum(p2, 0).reshape(B, -1)
    a3 = h2 @ W3 + b3
    h3 = np.maximum(a3, 0)
    z = h3 @ W4 + b4
    cache = {"cols1": cols1, "p1": p1, "i1": i1, "h1": h1, "cols2": cols2, "p2": p2, "i2": i2,
             "h2": h2, "a3": a3, "h3": h3}
    return z, cache


def _backward(params, cache: dict, dz: np.ndarray, *, weights: bool = True,
              inputs: bool = False) -> tuple[list[np.ndarray] | None, np.ndarray | None]:
    """Gradients of a scalar with logit gradient ``dz``: with respect to the parameters (``weights``)
    and to the input images (``inputs``, rows of 784)."""
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    B = dz.shape[0]
    grads = [None] * 8
    if weights:
        grads[6], grads[7] = cache["h3"].T @ dz, dz.sum(0)
    da3 = (dz @ W4.T) * (cache["a3"] > 0)
    if weights:
        grads[4], grads[5] = cache["h2"].T @ da3, da3.sum(0)
    dp2 = (da3 @ W3.T).reshape(cache["p2"].shape) * (cache["p2"] > 0)
    da2 = _unpool(dp2, cache["i2"]).reshape(-1, W2.shape[1])
    if weights:
        grads[2], grads[3] = cache["cols2"].T @ da2, da2.sum(0)
    dh1 = _col2im(da2 @ W2.T, cache["h1"].shape)
    dp1 = dh1 * (cache["p1"] > 0)
    da1 = _unpool(dp1, cache["i1"]).reshape(-1, W1.shape[1])
    if weights:
        grads[0], grads[1] = cache["cols1"].T @ da1, da1.sum(0)
    dx = None
    if inputs:
        dx = _col2im(da1 @ W1.T, (B, SIDE, SIDE, 1)).reshape(B, SIDE * SIDE)
    return (grads if weights else None), dx


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    zmax = z.max(axis=1, keepdims=True)
    lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
    return float(np.mean(lse - z[np.arange(z.shape[0]), y]))


# --------------------------------------------------------------------------- public functions


def lenet_logits(net: LeNet, X, *, chunk: int = 1000) -> np.ndarray:
    """Logits (``B x 10``) of the rows of ``X`` (28 x 28 images in [0, 1], flattened), in chunks
    of ``chunk`` images."""
    net = _check_net(net)
    X = _check_images("X", X, net.dtype)
    chunk = check.integer("chunk", chunk, low=1)
    return np.concatenate([_forward(net.params, X[i:i + chunk])[0]
                           for i in range(0, X.shape[0], chunk)])


def lenet_loss(net: LeNet, X, y, *, weight_decay: float = 0.0) -> tuple[float, list[np.ndarray]]:
    r"""Training objective and its gradient:
    :math:`\frac1B\sum_i \mathrm{CE}(z(x_i), y_i) + \frac{\lambda}{2}\|\theta\|^2`.

    Returns the loss and the gradients, one array per parameter of ``net.params``."""
    net = _check_net(net)
    X = _check_images("X", X, net.dtype)
    y = _check_labels("y", y, X.shape[0])
    weight_decay = check.real("weight_decay", weight_decay, low=0.0)
    return _loss_and_grads(net.params, X, y, weight_decay)


def _loss_and_grads(params, X, y, wd: float) -> tuple[float, list[np.ndarray]]:
    z, cache = _forward(params, X)
    dz = _softmax(z)
    dz[np.arange(X.shape[0]), y] -= 1
    dz /= X.shape[0]
    grads, _ = _backward(params, cache, dz)
    loss = _cross_entropy(z, y)
    if wd:
        loss += 0.5 * wd * float(sum(np.vdot(p, p) for p in params))
        for g, p in zip(grads, params, strict=True):
            g += wd * p
    return loss, grads


def train_lenet(X, y, *, epochs: int, batch: int = 300, lr: float = 5e-4, momentum: float = 0.9,
                weight_decay: float = 1e-4, seed, channels: tuple[int, int] = (20, 50),
                hidden: int = 500, dtype: str = "float32") -> tuple[LeNet, list[float]]:
    """Train from :func:`init_lenet` by SGD with momentum on reshuffled mini-batches.

    Each epoch visits the training rows in a fresh random order, in batches of ``batch`` (the last
    one smaller when ``batch`` does not divide the sample). ``seed`` (a SeedSequence) gives two
    streams: the initial weights and the batch order. Returns the network and, for each epoch, the
    mean of its batch losses weighted by batch size (weight-decay term included)."""
    seed = _seed(seed)
    dtype = check.choice("dtype", dtype, _DTYPES)
    X = _check_images("X", X, dtype)
    y = _check_labels("y", y, X.shape[0])
    epochs = check.integer("epochs", epochs, low=1)
    batch = check.integer("batch", batch, low=1)
    lr = check.real("lr", lr, low=0.0, low_open=True, high=1.0)
    momentum = check.real("momentum", momentum, low=0.0, high=1.0, high_open=True)
    weight_decay = check.real("weight_decay", weight_decay, low=0.0)
    init_seed, order_seed = seed.spawn(2)
    net = init_lenet(init_seed, channels=channels, hidden=hidden, dtype=dtype)
    params = [p.copy() for p in net.params]
    velocity = [np.zeros_like(p) for p in params]
    rng = np.random.default_rng(order_seed)
    m = X.shape[0]
    history = []
    for _ in range(epochs):
        order = rng.permutation(m)
        total = 0.0
        for start in range(0, m, batch):
            idx = order[start:start + batch]
            loss, grads = _loss_and_grads(params, X[idx], y[idx], weight_decay)
            total += loss * idx.size
            for p, v, g in zip(params, velocity, grads, strict=True):
                v *= momentum
                v += g
                p -= lr * v
        history.append(total / m)
    for p in params:
        p.setflags(write=False)
    return LeNet(tuple(params)), history


@dataclass(frozen=True)
class AttackOutcome:
    """Targeted attacks on a batch of images.

    Attributes
    ----------
    success : ndarray of bool
        The target reached probability ``p`` within the step budget.
    norm : ndarray
        L2 norm of the perturbation at the first point found with target probability >= ``p``
        (``nan`` where the attack failed).
    steps : ndarray of int
        Gradient steps taken.
    prob : ndarray
        Target probability at the returned point (at the last iterate for a failure).
    delta : ndarray
        The perturbations (rows; the last iterate minus the image for a failure).
    """

    success: np.ndarray
    norm: np.ndarray
    steps: np.ndarray
    prob: np.ndarray
    delta: np.ndarray


def _target_prob_and_grad(params, X, t, grad: bool):
    z, cache = _forward(params, X)
    s = _softmax(z)
    prob = s[np.arange(X.shape[0]), t]
    if not grad:
        return prob, None
    dz = -s  # d log p_t / dz = e_t - softmax(z)
    dz[np.arange(X.shape[0]), t] += 1
    _, dx = _backward(params, cache, dz, weights=False, inputs=True)
    return prob, dx


def targeted_attack(net: LeNet, X, targets, *, p: float = 0.95, step: float = 0.05,
                    max_steps: int = 400, refine: int = 10) -> AttackOutcome:
    r"""Targeted L2 attack: normalized gradient ascent on :math:`\log p_t(x)` inside :math:`[0,1]^m`.

    From each image :math:`x_0`, iterate :math:`x \leftarrow \Pi_{[0,1]^m}(x + \eta\, g/\|g\|)`,
    :math:`g = \nabla_x \log p_t(x)`, until the target probability reaches ``p``; then bisect
    ``refine`` times on the last step for its crossing of ``p`` (keeping the side with
    :math:`p_t \ge p`). The L2 distance
    of that point from :math:`x_0` is an upper bound on the distance to the nearest point of
    target probability ``p`` (the path is greedy, not a global minimizer); it is the same bounded
    procedure for every network, so paired comparisons of networks measure the networks.

    Parameters
    ----------
    net : LeNet
    X : array, shape (B, 784)
        Images in [0, 1].
    targets : array of int, shape (B,)
        Target classes.
    p : float
        Target probability to reach, in (0, 1).
    step : float
        L2 length :math:`\eta` of a gradient step.
    max_steps : int
        Step budget per image.
    refine : int
        Bisections of the last step (the distance is then resolved to ``step / 2**refine``).
    """
    net = _check_net(net)
    X = _check_images("X", X, net.dtype)
    t = _check_labels("targets", targets, X.shape[0])
    p = check.real("p", p, low=0.0, high=1.0, low_open=True, high_open=True)
    step = check.real("step", step, low=0.0, low_open=True, high=SIDE)
    max_steps = check.integer("max_steps", max_steps, low=1)
    refine = check.integer("refine", refine, low=0, high=60)
    P = net.params
    B = X.shape[0]
    x = X.copy()
    success = np.zeros(B, bool)
    steps = np.zeros(B, np.int64)
    prob = np.zeros(B, np.float64)
    hit = X.copy()
    active = np.arange(B)
    prev = X.copy()
    for it in range(max_steps + 1):
        if active.size == 0:
            break
        pr, g = _target_prob_and_grad(P, x[active], t[active], grad=it < max_steps)
        prob[active] = pr
        done = pr >= p
        reached = active[done]
        if reached.size:
            success[reached] = True
            hit[reached] = _bisect(P, prev[reached], x[reached], t[reached], p, refine,
                                   first=it == 0)
        active = active[~done]
        if it == max_steps or active.size == 0:
            break
        g = g[~done]
        norm = np.linalg.norm(g.astype(np.float64), axis=1)
        moving = norm > 0  # a zero gradient gives no direction: the attack stops there
        active, g, norm = active[moving], g[moving], norm[moving]
        prev[active] = x[active]
        x[active] = np.clip(x[active] + (step / norm)[:, None].astype(x.dtype) * g, 0.0, 1.0)
        steps[active] += 1
    hit[~success] = x[~success]
    delta = hit - X
    final = _target_prob_and_grad(P, hit[success], t[success], grad=False)[0] if success.any() \
        else np.zeros(0)
    prob[success] = final
    norm = np.where(success, np.linalg.norm(delta.astype(np.float64), axis=1), np.nan)
    return AttackOutcome(success, norm, steps, prob, delta)


def _bisect(params, lo, hi, t, p, rounds: int, first: bool) -> np.ndarray:
    """Points on the segments ``lo -> hi`` (``p_t(hi) >= p``, ``p_t(lo) < p``) with
    ``p_t >= p``, ``rounds`` halvings from ``hi`` towards the crossing."""
    if first or rounds == 0:
        return hi.copy()
    a = np.zeros(lo.shape[0], lo.dtype)
    b = np.ones(lo.shape[0], lo.dtype)
    for _ in range(rounds):
        mid = (a + b) / 2
        pr, _ = _target_prob_and_grad(params, lo + mid[:, None] * (hi - lo), t, grad=False)
        up = pr >= p
        b = np.where(up, mid, b)
        a = np.where(up, a, mid)
    return lo + b[:, None] * (hi - lo)
