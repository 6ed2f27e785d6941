"""The quadratic network on two concentric spheres (Gilmer et al., arXiv:1801.02774, Sec. 4).

:math:`\\hat y(x) = w\\sum_j (Wx)_j^2 + b`, :math:`W \\in \\mathbb R^{h\\times n}`, trained online with
sigmoid cross-entropy on points uniform on the sphere of radius 1 (label 0) or ``R`` (label 1)
(claims SPH-4, SPH-6 to SPH-9, SPH-15). The trained model is reduced to its eigen-coefficients
:math:`\\alpha_i = w s_i^2/(-b)` (:func:`theory.spheres.quadratic_alphas`); its error rates are then
exact (:func:`theory.spheres.quadratic_error_rate`), and a Monte Carlo count with the network itself,
a projected-gradient attack on the sphere and the exact nearest error check them.

Training (``train``) is cached on disk by :data:`numerics.cache.memory`, keyed by its arguments.

Examples
--------
>>> run = train(n=20, hidden=20, steps=200, checkpoint_every=100, seed=1)
>>> run.alphas.shape, len(run.checkpoints)
((20,), 2)
>>> bool(run.w > 0 > run.b)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from advgeom.numerics.cache import memory
from advgeom.theory import _validate as check
from advgeom.theory import spheres
from threadpoolctl import threadpool_limits

__all__ = [
    "TrainedNetwork",
    "Checkpoint",
    "train",
    "logit",
    "count_errors",
    "pgd_on_sphere",
    "nearest_errors",
]


@dataclass(frozen=True)
class Checkpoint:
    """State of training after ``step`` steps: eigen-coefficients and readout."""

    step: int
    alphas: np.ndarray
    V: np.ndarray
    w: float
    b: float


@dataclass(frozen=True)
class TrainedNetwork:
    """A trained quadratic network and its training record."""

    n: int
    hidden: int
    R: float
    steps: int
    batch: int
    lr: float
    seed: int
    W: np.ndarray
    w: float
    b: float
    alphas: np.ndarray
    V: np.ndarray
    checkpoints: list[Checkpoint] = field(default_factory=list)

    @property
    def samples(self) -> int:
        """Number of training samples seen."""
        return self.steps * self.batch


def _check_sphere(sphere) -> str:
    return check.choice("sphere", sphere, ("inner", "outer"))


def _check_net(net) -> TrainedNetwork:
    if not isinstance(net, TrainedNetwork):
        raise ValueError(f"net = {net!r} must be a TrainedNetwork (from train)")
    return net


def _check_points(name: str, x, n: int) -> np.ndarray:
    x = check.array(name, x, ndim=2, shape=(None, n))
    if np.any(np.linalg.norm(x, axis=1) == 0):
        raise ValueError(f"{name} must hold non-zero points")
    return x


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng = {rng!r} must be a numpy.random.Generator")
    return rng


def _batch(rng: np.random.Generator, n: int, B: int, R: float):
    y = rng.integers(0, 2, size=B)
    z = rng.standard_normal((B, n), dtype=np.float32)
    r = np.where(y == 1, R, 1.0).astype(np.float32)
    x = z * (r / np.linalg.norm(z, axis=1))[:, None]
    return x, y.astype(np.float64)


_ALGORITHM = 2  # part of the cache key: bump when the training loop changes


@memory.cache
def _train(n: int, hidden: int, R: float, steps: int, batch: int, lr: float,
           checkpoint_every: int, seed: int, algorithm: int = _ALGORITHM) -> dict:
    # one BLAS thread: the products are small, and extra threads only contend on a shared machine
    with threadpool_limits(limits=1):
        return _train_loop(n, hidden, R, steps, batch, lr, checkpoint_every, seed)


def _train_loop(n: int, hidden: int, R: float, steps: int, batch: int, lr: float,
           checkpoint_every: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    # W_ij ~ N(0, 1/n), w = 1, b = -1: initial alphas = s_i^2 (Marchenko-Pastur); a negative
    # initial w lets W collapse towards 0, where float32 subnormals slow everything down
    W = (rng.standard_normal((hidden, n)) / math.sqrt(n)).astype(np.float32)
    w, b = 1.0, -1.0
    beta1, beta2, adam_eps = 0.9, 0.999, 1e-8
    mW = np.zeros_like(W)
    vW = np.zeros_like(W)
    mw = vw = mb = vb = 0.0
    checkpoints = []
    for step in range(1, steps + 1):
        x, y = _batch(rng, n, batch, R)
        H = W @ x.T  # (hidden, B)
        sq = np.einsum("ij,ij->j", H, H, dtype=np.float64)
        yhat = w * sq + b
        g = (1.0 / (1.0 + np.exp(-yhat)) - y) / batch  # d mean loss / d yhat
        gW = ((2.0 * w) * (H * g.astype(np.float32))) @ x
        gw = float(np.dot(g, sq))
        gb = float(np.sum(g))
        c1 = 1 - beta1**step
        c2 = 1 - beta2**step
        # Adam on W in place (float32): few passes over the (hidden, n) arrays
        mW *= beta1
        gW *= 1 - beta1
        mW += gW
        np.multiply(gW, gW * ((1 - beta2) / (1 - beta1) ** 2), out=gW)
        vW *= beta2
        vW += gW
        np.sqrt(vW, out=gW)
        gW *= 1.0 / math.sqrt(c2)
        gW += adam_eps
        np.divide(mW, gW, out=gW)
        gW *= lr / c1
        W -= gW
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        w -= lr * (mw / c1) / (math.sqrt(vw / c2) + adam_eps)
        b -= lr * (mb / c1) / (math.sqrt(vb / c2) + adam_eps)
        if step % checkpoint_every == 0 or step == steps:
            if w > 0 > b:
                a, V = spheres.quadratic_alphas(W.astype(np.float64), w, b, return_basis=True)
            else:
                a, V = np.full(n, np.nan), np.full((n, n), np.nan)
            checkpoints.append({"step": step, "alphas": a, "V": V, "w": w, "b": b})
    return {"W": W.astype(np.float64), "w": w, "b": b, "checkpoints": checkpoints}


def train(n: int = 500, *, hidden: int | None = None, R: float = spheres.R_OUTER,
          steps: int = 32_000, batch: int = 50, lr: float = 1e-3, checkpoint_every: int = 4_000,
          seed: int = 0) -> TrainedNetwork:
    """Train the quadratic network online on the two spheres (cached on disk).

    Parameters
    ----------
    n : int
        Input dimension.
    hidden : int, optional
        Width ``h`` (default ``n``).
    R : float
        Outer radius.
    steps, batch, lr : int, int, float
        Adam steps, batch size and learning rate (Adam betas 0.9, 0.999, eps 1e-8); fresh samples
        every step, labels Bernoulli(1/2).
    checkpoint_every : int
        Steps between recorded eigen-coefficients.
    seed : int
        Seed of the numpy Generator (data and initialisation).

    Returns
    -------
    TrainedNetwork
        ``alphas`` sorted decreasingly with the matching basis ``V`` (n, n).
    """
    n = check.integer("n", n, low=2, high=100_000)
    hidden = n if hidden is None else check.integer("hidden", hidden, low=1, high=100_000)
    R = check.real("R", R, low=1.0, low_open=True)
    steps = check.integer("steps", steps, low=1, high=10**9)
    batch = check.integer("batch", batch, low=1, high=10**6)
    lr = check.real("lr", lr, low=0.0, low_open=True, high=1.0)
    checkpoint_every = check.integer("checkpoint_every", checkpoint_every, low=1)
    seed = check.integer("seed", seed, low=0, high=2**63 - 1)
    out = _train(int(n), hidden, float(R), int(steps), int(batch), float(lr),
                 int(checkpoint_every), int(seed))
    if not out["w"] > 0 > out["b"]:
        raise RuntimeError(f"training left w = {out['w']}, b = {out['b']}: not an ellipsoid rule")
    alphas, V = spheres.quadratic_alphas(out["W"], out["w"], out["b"], return_basis=True)
    cps = [Checkpoint(c["step"], c["alphas"], c["V"], c["w"], c["b"]) for c in out["checkpoints"]]
    return TrainedNetwork(n=n, hidden=hidden, R=R, steps=steps, batch=batch, lr=lr, seed=seed,
                          W=out["W"], w=out["w"], b=out["b"], alphas=alphas, V=V,
                          checkpoints=cps)


def logit(net: TrainedNetwork, x: np.ndarray) -> np.ndarray:
    """Network output :math:`\\hat y(x) = w\\|Wx\\|^2 + b` for rows of ``x`` (float64)."""
    net = _check_net(net)
    x = check.array("x", x, ndim=2, shape=(None, net.n))
    H = x @ net.W.T
    return net.w * np.einsum("ij,ij->i", H, H) + net.b


def count_errors(net: TrainedNetwork, sphere: str, samples: int, rng: np.random.Generator,
                 *, block: int = 20_000) -> int:
    """Misclassified points among ``samples`` uniform draws on one sphere, by the network itself.

    Inner sphere (label 0): error when :math:`\\hat y > 0`; outer (label 1): when :math:`\\hat y < 0`.
    """
    net = _check_net(net)
    r = 1.0 if _check_sphere(sphere) == "inner" else net.R
    samples = check.integer("samples", samples, low=1, high=10**12)
    rng = _check_rng(rng)
    block = check.integer("block", block, low=1, high=10**7)
    errs = 0
    done = 0
    with threadpool_limits(limits=1):
        while done < samples:
            m = min(block, samples - done)
            out = logit(net, spheres.sample_sphere(m, net.n, R=r, rng=rng))
            errs += int(np.count_nonzero(out > 0 if sphere == "inner" else out < 0))
            done += m
    return errs


def pgd_on_sphere(net: TrainedNetwork, x0: np.ndarray, sphere: str, *, step: float | None = None,
                  max_steps: int = 2_000):
    """Projected gradient attack restricted to the sphere, on a batch of correct points (SPH-4).

    Each iterate moves by ``step`` (default 0.002 r) along the normalized tangent component of
    :math:`\\pm\\nabla\\hat y = \\pm 2w W^TWx` (towards the other class) and is projected back to
    radius ``r``; a point stops at the first iterate the network misclassifies.

    Returns
    -------
    distances : ndarray
        :math:`\\|x_{end} - x_0\\|` (``inf`` where no error was reached).
    points : ndarray
        End points, on the sphere of radius ``r``.
    steps : ndarray of int
    """
    net = _check_net(net)
    r = 1.0 if _check_sphere(sphere) == "inner" else net.R
    sign = 1.0 if sphere == "inner" else -1.0
    step = 0.002 * r if step is None else check.real("step", step, low=0.0, low_open=True)
    max_steps = check.integer("max_steps", max_steps, low=1, high=10**7)
    x0 = _check_points("x0", x0, net.n)
    if not np.allclose(np.linalg.norm(x0, axis=1), r, rtol=1e-9, atol=0.0):
        raise ValueError(f"x0 must hold points on the {sphere} sphere (radius {r})")
    x = x0.copy()
    nsteps = np.zeros(x.shape[0], dtype=int)
    WtW = net.W.T @ net.W
    idx = np.arange(x.shape[0])
    with threadpool_limits(limits=1):
        for _ in range(max_steps):
            xa = x[idx]
            Mx = xa @ WtW
            err = sign * (net.w * np.einsum("ij,ij->i", xa, Mx) + net.b) > 0
            idx, xa, Mx = idx[~err], xa[~err], Mx[~err]
            if idx.size == 0:
                break
            g = sign * Mx  # direction of sign * grad yhat = sign * 2 w W^T W x, w > 0
            g -= (np.einsum("ij,ij->i", g, xa) / r**2)[:, None] * xa  # tangent projection
            gn = np.linalg.norm(g, axis=1, keepdims=True)
            g /= np.where(gn > 0, gn, 1.0)  # an eigenvector has no ascent direction: it stays
            xa = xa + step * g
            xa *= (r / np.linalg.norm(xa, axis=1))[:, None]
            x[idx] = xa
            nsteps[idx] += 1
    final_err = sign * logit(net, x) > 0
    dist = np.where(final_err, np.linalg.norm(x - x0, axis=1), np.inf)
    return dist, x, nsteps


def nearest_errors(alphas: np.ndarray, V: np.ndarray, x: np.ndarray, sphere: str,
                   R: float = spheres.R_OUTER) -> np.ndarray:
    """Exact on-sphere distance from each row of ``x`` to the nearest error of the ellipsoid rule
    (0 inside the error set, ``inf`` when there is no error), vectorized over the rows.

    Same characterization as :func:`theory.spheres.nearest_error`: in the basis
    :math:`z = V^T x/r`, :math:`e \\propto z_i/(1 - \\kappa\\beta_i)` with
    :math:`u = 1 - \\kappa\\max\\beta` the root of a decreasing function of :math:`\\log u` on
    [-300, 0], found here by 120 bisection steps for all rows at once (the bracket shrinks below
    1e-30 in log u, far under double rounding of the distance). Rows orthogonal to the top
    eigenvector to within about e^-300 (a null event) would need the limiting case of
    :func:`theory.spheres.nearest_error`.
    """
    alphas = check.array("alphas", alphas, ndim=1, min_size=2)
    n = alphas.size
    V = check.array("V", V, ndim=2, shape=(n, n))
    x = _check_points("x", x, n)
    R = check.real("R", R, low=1.0, low_open=True)
    beta = alphas - 1.0 if _check_sphere(sphere) == "inner" else 1.0 / R**2 - alphas
    r = np.linalg.norm(x, axis=1)
    z = (x @ V) / r[:, None]
    z2 = z * z
    q = z2 @ beta
    out = np.zeros(x.shape[0])
    bmax = float(beta.max())
    if bmax <= 0:
        return np.where(q >= 0, 0.0, np.inf)
    top = beta == bmax
    rest = np.where(top, 0.0, beta / bmax)
    todo = q < 0
    zt, z2t = z[todo], z2[todo]
    lo = np.full(zt.shape[0], -300.0)  # u^2 stays a normal double
    hi = np.zeros(zt.shape[0])

    def den(lu):
        u = np.exp(lu)[:, None]
        return np.where(top, u, 1.0 - (1.0 - u) * rest)


    for _ in range(120):
        mid = 0.5 * (lo + hi)
        f = np.sum(beta * z2t / den(mid) ** 2, axis=1)
        pos = f > 0  # F decreases in log u: a positive value puts the root above mid
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    e = zt / den(0.5 * (lo + hi))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    out[todo] = r[todo] * np.linalg.norm(zt - e, axis=1)
    return out
