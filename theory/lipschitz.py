r"""Minimal perturbations and layer-wise Lipschitz bounds (Szegedy et al., arXiv:1312.6199, Sec. 4).

The paper defines the minimal adversarial perturbation D(x, l) (Sec. 4.1), approximates it with a
penalty method, and bounds the instability of a network by the product of per-layer Lipschitz
constants (Sec. 4.3), with a Fourier formula for strided multi-channel convolutions. This module
holds the exact mathematics behind those statements; the penalty attack itself lives in
:mod:`numerics.attacks`.

Notation (claims ``SZ-*`` in ``theory/claims/intriguing.toml``): ``x`` in the box
``B = [lo, hi]^m``; a binary affine model ``s(x) = w.x + b`` predicts class 1 iff ``s(x) > 0``
(a tie is "not 1"); a K-class affine model has
logits ``z = W x + b`` and predicts ``argmax z`` (a tie is "not l"). Convolution kernels have shape
``(C_out, C_in, kh, kw)`` and act by cross-correlation

.. math:: y_d(n) = \sum_c \sum_u w_{d,c}(u)\, x_c(\Delta n + u),

with indices taken modulo the input size for circular padding.

Examples
--------
>>> import numpy as np
>>> r, d = minimal_perturbation_affine(np.array([3.0, 4.0]), -10.0, np.zeros(2))
>>> float(d), r.tolist()
(2.0, [1.2, 1.6])
>>> maxpool_bound(3, 2)                       # AlexNet's overlapping pooling
2.0
>>> k = np.zeros((1, 1, 1, 1)); k[0, 0, 0, 0] = 1.0
>>> conv_operator_norm(k, 8, stride=2), convbound_as_printed(k, 8, stride=2)
(1.0, 0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product as _product

import numpy as np
from advgeom.theory import _validate as check
from scipy.linalg import lapack as _lapack

__all__ = [
    "minimal_perturbation_affine",
    "minimal_perturbation_polyhedral",
    "logistic_penalty_closed_form",
    "c_star",
    "relu_layer_bound",
    "maxpool_bound",
    "maxpool2d",
    "contrast_norm",
    "contrast_norm_jacobian",
    "contrast_norm_bound",
    "conv_operator_norm",
    "conv_singular_values",
    "conv_operator_norm_dense",
    "conv_operator_norm_power",
    "conv2d_direct",
    "conv_matrix",
    "convbound_as_printed",
    "zero_padding_grid",
    "network_lipschitz_bound",
    "relu_network_lipschitz_exact",
    "relu_network_jacobian",
    "certified_radius",
    "gaussian_flip_logprob",
    "random_direction_flip_prob",
]


# ----------------------------------------------------------------------------------------------
# validation helpers


def _vector(name: str, value, *, ndim: int = 1) -> np.ndarray:
    return check.array(name, value, ndim=ndim)


def _box(box, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        lo, hi = box
    except (TypeError, ValueError):
        raise ValueError(f"box={box!r} must be a pair (lo, hi) of scalars or arrays") from None
    lo = check.real_or_array("box", lo)
    hi = check.real_or_array("box", hi)
    try:
        lo, hi = np.broadcast_to(lo, x.shape), np.broadcast_to(hi, x.shape)
    except ValueError:
        raise ValueError(f"box = {box!r}: lo and hi must be scalars or arrays of shape "
                         f"{x.shape}") from None
    if np.any(lo > hi):
        raise ValueError(f"box={box!r} needs lo <= hi elementwise")
    outside = (x < lo) | (x > hi)
    if np.any(outside):
        i = int(np.argmax(outside))
        raise ValueError(f"x[{i}]={float(x[i])!r} must lie in the box [lo, hi] = "
                         f"[{float(lo[i])!r}, {float(hi[i])!r}]")
    return lo, hi


def _pair(name: str, value, *, minimum: int = 1) -> tuple[int, int]:
    if isinstance(value, str | bytes) or np.ndim(value) == 0:
        value = (value, value)
    try:
        if len(value) != 2:
            raise ValueError(f"{name} = {value!r} must be an int or a pair of ints")
    except TypeError:
        raise ValueError(f"{name} = {value!r} must be an int or a pair of ints") from None
    return tuple(check.integer(name, v, low=minimum) for v in value)  # type: ignore[return-value]


# ----------------------------------------------------------------------------------------------
# minimal perturbations (SZ-2, SZ-19, SZ-20, SZ-4)


def minimal_perturbation_affine(w, b, x, *, box=None, target=None) -> tuple[np.ndarray | None, float]:
    r"""Exact minimal L2 perturbation that moves ``x`` to a chosen side of ``w.x + b = 0``.

    Solves :math:`d = \inf\{\|r\|_2 : \sigma(w\cdot(x+r)+b) > 0 \text{ (or } \ge 0),\ x+r\in B\}`
    where :math:`\sigma=+1` targets class 1 (``s > 0``, an open set: the infimum is returned with
    the boundary point attaining it, SZ-2 reading B) and :math:`\sigma=-1` targets class 0
    (``s <= 0``, attained).

    Parameters
    ----------
    w : array_like, shape (m,)
        Weight vector (nonzero).
    b : float
        Bias.
    x : array_like, shape (m,)
        Starting point (inside the box when one is given).
    box : pair (lo, hi) of scalars or arrays, optional
        Box constraint :math:`x + r \in [lo, hi]^m`; ``None`` for no box.
    target : {+1, -1, None}
        Side to reach; ``None`` means the side opposite to the current prediction.

    Returns
    -------
    r : ndarray or None
        The minimizing perturbation (boundary point); zeros if ``x`` already lies on the target
        side (SZ-20: ``D(x, f(x)) = x``); ``None`` if the target side does not meet the box.
    norm : float
        :math:`\|r\|_2` (``inf`` when infeasible).

    Notes
    -----
    Without a box, :math:`r^* = -s(x)\,w/\|w\|^2` and :math:`d = |s(x)|/\|w\|`. With a box, the
    KKT conditions of the separable QP give :math:`r(\lambda) = \mathrm{clip}(\lambda\sigma w,
    lo-x, hi-x)`; :math:`g(\lambda) = \sigma s(x + r(\lambda))` is piecewise linear and
    non-decreasing, and the minimizer is at its smallest root, found exactly by a sweep over the
    sorted saturation breakpoints. Claims SZ-2, SZ-19, SZ-20.

    Examples
    --------
    >>> r, d = minimal_perturbation_affine([1.0, 1.0], -1.5, [0.5, 0.5], box=(0.0, 1.0))
    >>> round(d, 12), r.tolist()
    (0.353553390593, [0.25, 0.25])
    >>> minimal_perturbation_affine([1.0, 0.0], -2.0, [0.5, 0.5], box=(0.0, 1.0))
    (None, inf)
    >>> minimal_perturbation_affine([1.0, 0.0], -0.2, [0.5, 0.5], target=+1)[1]
    0.0
    """
    w = _vector("w", w)
    x = _vector("x", x)
    if w.shape != x.shape:
        raise ValueError(f"w and x must have the same shape, got {w.shape} and {x.shape}")
    b = check.real("b", b)
    wn2 = float(w @ w)
    if wn2 == 0.0:
        raise ValueError("w must be nonzero (a zero weight vector has no decision boundary)")
    s = float(w @ x) + b
    if target is None:
        sigma = -1 if s > 0 else 1
    elif not isinstance(target, bool | np.bool_) and target in (1, -1):
        sigma = int(target)
    else:
        raise ValueError(f"target={target!r} must be +1, -1 or None")
    m0 = sigma * s
    if m0 > 0 or (m0 == 0 and sigma == -1):
        return np.zeros_like(x), 0.0
    if box is None:
        r = -s * w / wn2
        return r, abs(s) / np.sqrt(wn2)
    lo, hi = _box(box, x)
    sw = sigma * w
    # Each coordinate moves along sigma*w until it saturates at a box face.
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.where(sw > 0, (hi - x) / sw, np.where(sw < 0, (lo - x) / sw, np.inf))
    bp = np.where(sw == 0, np.inf, bp)
    sat_gain = np.where(sw > 0, sw * (hi - x), sw * (lo - x))  # contribution once saturated
    sat_gain = np.where(sw == 0, 0.0, sat_gain)
    total = m0 + float(sat_gain.sum())
    if total < 0 or (total == 0 and sigma == 1):
        return None, float("inf")
    order = np.argsort(bp, kind="stable")
    bps = bp[order]
    slope0 = float(np.sum(sw[np.isfinite(bp)] ** 2))
    # On (bps[i-1], bps[i]) the unsaturated coordinates are order[i:], so
    # g(lam) = m0 + sum_{j<i} sat_gain + lam * sum_{j>=i} sw^2.
    sq = (sw**2)[order]
    gains = sat_gain[order]
    cum_gain = np.concatenate(([0.0], np.cumsum(gains)))
    slopes = slope0 - np.concatenate(([0.0], np.cumsum(np.where(np.isfinite(bps), sq, 0.0))))
    lam = None
    prev = 0.0
    for i in range(len(bps) + 1):
        right = bps[i] if i < len(bps) else np.inf
        base = m0 + cum_gain[i]
        slope = slopes[i]
        g_right = base + slope * right if np.isfinite(right) else (np.inf if slope > 0 else base)
        if g_right >= 0:
            lam = prev if slope <= 0 else max(prev, -base / slope)
            break
        prev = right
        if not np.isfinite(right):
            break
    if lam is None:  # pragma: no cover - excluded by the feasibility test above
        return None, float("inf")
    r = np.clip(lam * sw, lo - x, hi - x)
    return r, float(np.linalg.norm(r))


def _project_faces(A: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray | None, float]:
    """min ||r|| s.t. A r >= beta, by enumerating active sets (exact for few rows)."""
    k = A.shape[0]
    best, best_norm = None, np.inf
    for mask in _product((False, True), repeat=k):
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            r = np.zeros(A.shape[1])
            mu = np.zeros(0)
        else:
            As = A[idx]
            G = As @ As.T
            if np.linalg.matrix_rank(G) < idx.size:
                continue
            mu = np.linalg.solve(G, beta[idx])
            r = As.T @ mu
        scale = 1.0 + np.abs(beta).max(initial=0.0)
        if np.all(A @ r >= beta - 1e-12 * scale) and np.all(mu >= -1e-12 * scale):
            n = float(np.linalg.norm(r))
            if n < best_norm:
                best, best_norm = r, n
    return best, best_norm


def minimal_perturbation_polyhedral(W, b, x, target, *, box=None) -> tuple[np.ndarray | None, float]:
    r"""Minimal L2 perturbation of a K-class affine classifier onto the closure of class ``target``.

    Solves the convex QP :math:`\min \|r\|` s.t. :math:`(w_l - w_j)\cdot(x+r) + b_l - b_j \ge 0`
    for all :math:`j \ne l` (and :math:`x + r \in B` with a box). The value is the infimum
    :math:`d(x, l)` of SZ-2 (the strict region is open; its closure is this polyhedron).

    Parameters
    ----------
    W : array_like, shape (K, m)
    b : array_like, shape (K,)
    x : array_like, shape (m,)
    target : int
        Target class ``l`` in ``0..K-1``.
    box : pair (lo, hi), optional
        Box for ``x + r``. Without a box the QP is solved exactly by active-set enumeration
        (:math:`2^{K-1}` candidate faces, ``K <= 13``); with a box by its concave dual,
        :math:`\max_{\mu\ge 0}`, whose inner minimizer is :math:`r(\mu) = \mathrm{clip}(A^T\mu,
        lo-x, hi-x)`, solved with L-BFGS-B (accurate to about 1e-9).

    Returns
    -------
    r, norm : ndarray or None, float
        ``(None, inf)`` when the polyhedron misses the box (detected by the dual diverging).

    Notes
    -----
    Claims SZ-2 and SZ-4 (the exact value the penalty method is compared with).

    Examples
    --------
    >>> W = [[0.0, 0.0], [1.0, 0.0], [0.6, 1.0]]; b = [1.0, 0.0, 0.0]
    >>> r, d = minimal_perturbation_polyhedral(W, b, [0.0, 0.0], 1)
    >>> round(d, 12), np.round(r, 12).tolist()
    (1.0, [1.0, 0.0])
    """
    W = _vector("W", W, ndim=2)
    b = _vector("b", b)
    x = _vector("x", x)
    K, m = W.shape
    if b.shape != (K,) or x.shape != (m,):
        raise ValueError(f"shapes W {W.shape}, b {b.shape}, x {x.shape} are inconsistent")
    if not (isinstance(target, int | np.integer) and not isinstance(target, bool)
            and 0 <= target < K):
        raise ValueError(f"target={target!r} must be an int in [0, {K - 1}]")
    others = [j for j in range(K) if j != target]
    A = W[target] - W[others]
    beta = -(A @ x + b[target] - b[others])
    if box is None:
        if K > 13:
            raise ValueError(f"K={K} too large for exact enumeration; valid range K <= 13")
        return _project_faces(A, beta)
    from scipy.optimize import minimize

    lo, hi = _box(box, x)
    rlo, rhi = lo - x, hi - x

    def negdual(mu):
        r = np.clip(A.T @ mu, rlo, rhi)
        val = 0.5 * r @ r - mu @ (A @ r - beta)
        return -val, -(beta - A @ r)

    res = minimize(negdual, np.zeros(K - 1), jac=True, method="L-BFGS-B",
                   bounds=[(0, None)] * (K - 1),
                   options={"ftol": 1e-16, "gtol": 1e-13, "maxiter": 10_000})
    r = np.clip(A.T @ res.x, rlo, rhi)
    if not np.all(np.isfinite(res.x)) or np.any(A @ r < beta - 1e-7 * (1 + np.abs(beta).max())):
        return None, float("inf")
    return r, float(np.linalg.norm(r))


def c_star(w) -> float:
    r"""Largest penalty weight at which the binary logistic penalty attack succeeds: ``||w|| / 2``.

    For :math:`\ell = \log(1 + e^{-\sigma s})` the post-attack margin is
    :math:`\log(\|w\|/c - 1)`, positive iff :math:`c < \|w\|/2` (SZ-3).

    Examples
    --------
    >>> c_star([3.0, 4.0])
    2.5
    """
    w = _vector("w", w)
    n = float(np.linalg.norm(w))
    if n == 0:
        raise ValueError("w must be nonzero")
    return n / 2


def logistic_penalty_closed_form(w, b, x, c, *, target=None) -> tuple[np.ndarray, float]:
    r"""Global minimizer of :math:`c\|r\| + \log(1+e^{-\sigma s(x+r)})` for a binary logistic model.

    Parameters
    ----------
    w, b, x :
        Model :math:`s(x) = w\cdot x + b` and the point.
    c : float
        Penalty weight, ``c > 0``.
    target : {+1, -1, None}
        Target side; ``None`` means opposite to the current prediction.

    Returns
    -------
    r_c : ndarray
        :math:`t^*(c)\,\sigma w/\|w\|` with :math:`t^* = (\log(\|w\|/c-1) - m_0)/\|w\|` when
        :math:`c < \|w\|/(1+e^{m_0})`, else 0, where :math:`m_0 = \sigma s(x)`.
    margin : float
        Post-attack target-signed score :math:`\sigma s(x + r_c)`, equal to
        :math:`\log(\|w\|/c - 1)` when :math:`t^* > 0`.

    Notes
    -----
    For fixed :math:`\|r\| = t` the loss is smallest along :math:`\sigma w`, and
    :math:`h(t) = ct + \log(1+e^{-(m_0 + t\|w\|)})` is convex with
    :math:`h'(t) = c - \|w\|/(1 + e^{m_0 + t\|w\|})`. Claims SZ-3, SZ-21, SZ-22.

    Examples
    --------
    >>> r, margin = logistic_penalty_closed_form([1.0, 0.0], -1.0, [0.0, 0.0], 0.25)
    >>> round(margin, 12), round(float(r[0]), 12)
    (1.098612288668, 2.098612288668)
    """
    w = _vector("w", w)
    x = _vector("x", x)
    if w.shape != x.shape:
        raise ValueError(f"w and x must have the same shape, got {w.shape} and {x.shape}")
    c = check.real("c", c, low=0.0, low_open=True)
    n = float(np.linalg.norm(w))
    if n == 0:
        raise ValueError("w must be nonzero")
    b = check.real("b", b)
    s = float(w @ x + b)
    if target is not None and (isinstance(target, bool | np.bool_) or target not in (1, -1)):
        raise ValueError(f"target={target!r} must be +1, -1 or None")
    sigma = (-1 if s > 0 else 1) if target is None else int(target)
    if sigma not in (1, -1):
        raise ValueError(f"target={target!r} must be +1, -1 or None")
    m0 = sigma * s
    # c < ||w|| / (1 + e^{m0}) without overflow: compare logs.
    if np.log(c) < np.log(n) - np.logaddexp(0.0, m0):
        margin = float(np.log(n / c - 1.0))
        t = (margin - m0) / n
    else:
        t, margin = 0.0, m0
    return t * sigma * w / n, margin


# ----------------------------------------------------------------------------------------------
# layer constants (SZ-9, SZ-10, SZ-11)


def relu_layer_bound(W) -> float:
    r"""Lipschitz bound :math:`\|W\|_2` of a half-rectified layer :math:`x \mapsto \max(0, Wx + b)`.

    ReLU is 1-Lipschitz coordinatewise (:math:`|\max(0,a)-\max(0,b)| \le |a-b|`), so the layer is
    :math:`\sigma_{\max}(W)`-Lipschitz, with equality when an all-active open region exists.
    Claims SZ-8, SZ-9.

    Examples
    --------
    >>> relu_layer_bound([[3.0, 0.0], [0.0, 4.0]])
    4.0
    """
    W = _vector("W", W, ndim=2)
    return float(np.linalg.norm(W, 2))


def maxpool2d(x, window, stride) -> np.ndarray:
    """Max-pooling without padding on the last two axes (windows fully inside the input).

    Examples
    --------
    >>> maxpool2d(np.arange(16.0).reshape(4, 4), 2, 2).tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    x = check.array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have at least 2 dimensions, got shape {x.shape}")
    kh, kw = _pair("window", window)
    sh, sw = _pair("stride", stride)
    H, W = x.shape[-2:]
    if kh > H or kw > W:
        raise ValueError(f"window={window!r} larger than the input {(H, W)}")
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    out = np.full(x.shape[:-2] + (oh, ow), -np.inf)
    for i in range(kh):
        for j in range(kw):
            out = np.maximum(out, x[..., i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw])
    return out


def maxpool_bound(window, stride, *, input_size=None) -> float:
    r"""Exact L2 Lipschitz constant of 2-D max-pooling (windows inside the input, no padding).

    The Jacobian (where defined) is a selection matrix :math:`S` with
    :math:`S^TS = \mathrm{diag}(\text{number of windows whose argmax is pixel } p)`, so
    :math:`L = \sqrt{\max_p \#\{\text{windows containing } p\}}`. Per axis a pixel lies in at most
    :math:`\lceil k/s \rceil` windows, reached at interior pixels of a large input, hence
    :math:`L = \sqrt{\lceil k_h/s_h\rceil \lceil k_w/s_w\rceil}` (``input_size=None``); with a finite
    ``input_size`` the exact maximal coverage is counted. ``L <= 1`` iff windows do not overlap.
    Claims SZ-10, SZ-12.

    Parameters
    ----------
    window, stride : int or pair of int
    input_size : int or pair of int, optional
        Input height and width; ``None`` for the large-input value.

    Examples
    --------
    >>> maxpool_bound(3, 2), maxpool_bound(2, 2), maxpool_bound(3, 1)
    (2.0, 1.0, 3.0)
    >>> maxpool_bound(3, 2, input_size=3)
    1.0
    """
    kk = _pair("window", window)
    ss = _pair("stride", stride)
    if input_size is None:
        counts = [-(-k // s) for k, s in zip(kk, ss, strict=True)]
    else:
        nn = _pair("input_size", input_size)
        counts = []
        for k, s, n in zip(kk, ss, nn, strict=True):
            if k > n:
                raise ValueError(f"window {k} exceeds input_size {n}")
            n_out = (n - k) // s + 1
            cover = np.zeros(n, dtype=np.int64)
            for i in range(n_out):
                cover[i * s : i * s + k] += 1
            counts.append(int(cover.max()))
    return float(np.sqrt(np.prod(counts)))


def contrast_norm(x, eps: float, gamma: float) -> np.ndarray:
    r"""Contrast normalization :math:`\phi(x) = x / (\epsilon + \|x\|^2)^\gamma` (last axis is the vector).

    Examples
    --------
    >>> contrast_norm([3.0, 4.0], 0.0 + 1.0, 0.5).round(6).tolist()
    [0.588348, 0.784465]
    """
    x = check.array("x", x)
    eps, gamma = _contrast_params(eps, gamma)
    return x / (eps + np.sum(x * x, axis=-1, keepdims=True)) ** gamma


def contrast_norm_jacobian(x, eps: float, gamma: float) -> np.ndarray:
    r"""Jacobian :math:`(\epsilon+s)^{-\gamma}[I - 2\gamma x x^T/(\epsilon+s)]`, :math:`s = \|x\|^2`.

    Examples
    --------
    >>> contrast_norm_jacobian([0.0, 0.0], 0.25, 1.0).tolist()
    [[4.0, 0.0], [0.0, 4.0]]
    """
    x = _vector("x", x)
    eps, gamma = _contrast_params(eps, gamma)
    s = float(x @ x)
    return (eps + s) ** (-gamma) * (np.eye(x.size) - 2 * gamma * np.outer(x, x) / (eps + s))


def _contrast_params(eps, gamma) -> tuple[float, float]:
    eps = check.real("eps", eps, low=0.0, low_open=True)
    gamma = check.real("gamma", gamma, low=0.0)
    return eps, gamma


def contrast_norm_bound(eps, gamma):
    r"""Lipschitz constant :math:`\epsilon^{-\gamma}` of contrast normalization, any :math:`\gamma \ge 0`.

    With :math:`t = s/(\epsilon+s) \in [0,1)`,
    :math:`\|J\| = \epsilon^{-\gamma}(1-t)^\gamma \max(1, |1-2\gamma t|)`. For :math:`\gamma \le 1`
    the max is 1; for :math:`\gamma > 1`, :math:`(1-t)^\gamma(2\gamma t - 1)` peaks at
    :math:`t = 3/(2\gamma+2)` below :math:`2e^{-3/4} < 1`. The bound is attained at :math:`x = 0`.
    The paper states it for :math:`\gamma \in [0.5, 1]` (SZ-11). Vectorized.

    Examples
    --------
    >>> float(contrast_norm_bound(0.25, 1.0))
    4.0
    >>> contrast_norm_bound(np.array([1.0, 4.0]), 0.5).tolist()
    [1.0, 0.5]
    """
    eps_a = check.real_or_array("eps", eps, low=0.0, low_open=True)
    gamma_a = check.real_or_array("gamma", gamma, low=0.0)
    try:
        eps_a, gamma_a = np.broadcast_arrays(eps_a, gamma_a)
    except ValueError:
        raise ValueError(f"eps and gamma must broadcast, got shapes {np.shape(eps_a)} and "
                         f"{np.shape(gamma_a)}") from None
    with np.errstate(over="ignore"):
        out = eps_a ** (-gamma_a)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"eps = {eps!r}, gamma = {gamma!r}: eps^-gamma overflows double precision")
    return out if out.ndim else float(out)


# ----------------------------------------------------------------------------------------------
# convolutions (SZ-13)


def _kernel(kernel) -> np.ndarray:
    k = check.array("kernel", kernel, ndim=4)
    if min(k.shape) == 0:
        raise ValueError(f"kernel must have shape (C_out, C_in, kh, kw) with every size >= 1, "
                         f"got shape {k.shape}")
    return k


def _fold(kernel: np.ndarray, H: int, W: int) -> np.ndarray:
    """Kernel wrapped onto the H x W torus (exact for circular padding, any kernel size)."""
    co, ci, kh, kw = kernel.shape
    if kh <= H and kw <= W:
        out = np.zeros((co, ci, H, W))
        out[:, :, :kh, :kw] = kernel
        return out
    out = np.zeros((co, ci, H, W))
    for u in range(kh):
        for v in range(kw):
            out[:, :, u % H, v % W] += kernel[:, :, u, v]
    return out


def zero_padding_grid(kernel_size, input_size, stride) -> tuple[int, int]:
    r"""Torus size :math:`N' = \Delta\lceil (N + k - 1)/\Delta \rceil` per axis used for zero padding.

    Every zero-padded layer (full, same, valid, any sampling phase) is a compression of the
    circular layer on :math:`N'` applied to the zero-embedded input (see
    :func:`conv_operator_norm`).

    Examples
    --------
    >>> zero_padding_grid(3, 8, 2)
    (10, 10)
    """
    kk = _pair("kernel_size", kernel_size)
    nn = _pair("input_size", input_size)
    ss = _pair("stride", stride)
    return tuple(s * (-(-(n + k - 1) // s)) for k, n, s in zip(kk, nn, ss, strict=True))  # type: ignore[return-value]


def conv_singular_values(kernel, input_size, *, stride=1) -> np.ndarray:
    r"""All singular values of a circular strided multi-channel convolution, via the FFT.

    Notes
    -----
    With :math:`M = N/\Delta` (per axis) and :math:`\hat w_{d,c}` the N-point 2-D DFT of the
    kernel, aliasing (the M-point DFT of :math:`z(\Delta\,\cdot)` is
    :math:`\Delta^{-2}\sum_l \hat z(k + lM)`) and Parseval on both grids make the layer unitarily
    equivalent to :math:`\mathrm{blockdiag}_k\, \Delta^{-1} B(k)` with
    :math:`B(k)_{d,(c,l)} = \hat w_{d,c}(-(k + lM))` (cross-correlation; for a real kernel the
    conjugate :math:`\hat w(k+lM)` gives the same singular values). Hence
    :math:`\sigma(W) = \Delta^{-1}\bigcup_k \mathrm{svdvals}(B(k))` (for non-square strides,
    :math:`(\Delta_h\Delta_w)^{-1/2}`). Claim SZ-13; see also Sedghi, Gupta & Long,
    arXiv:1805.10408.

    Returns
    -------
    ndarray, shape (M_h * M_w * min(C_out, C_in * sh * sw),)
        Sorted in decreasing order.

    Examples
    --------
    >>> k = np.ones((1, 1, 2, 2))
    >>> conv_singular_values(k, 2).tolist()
    [4.0, 0.0, 0.0, 0.0]
    """
    blocks, scale = _conv_blocks(kernel, input_size, stride)
    sv = np.linalg.svd(blocks, compute_uv=False).ravel() * scale
    return np.sort(sv)[::-1]


def _conv_blocks(kernel, input_size, stride) -> tuple[np.ndarray, float]:
    kernel = _kernel(kernel)
    H, W = _pair("input_size", input_size)
    sh, sw = _pair("stride", stride)
    if H % sh or W % sw:
        raise ValueError(
            f"stride={stride!r} must divide input_size={input_size!r} for circular padding"
        )
    co, ci = kernel.shape[:2]
    Mh, Mw = H // sh, W // sw
    what = np.conj(np.fft.fft2(_fold(kernel, H, W), axes=(-2, -1)))
    # frequency j = l*M + k along each axis: split H into (l, k) = (sh, Mh).
    what = what.reshape(co, ci, sh, Mh, sw, Mw)
    blocks = what.transpose(3, 5, 0, 1, 2, 4).reshape(Mh * Mw, co, ci * sh * sw)
    return blocks, 1.0 / np.sqrt(sh * sw)


def _stride1_norm(kernel: np.ndarray, size) -> float:
    r"""Largest singular value of the stride-1 circular layer, from half the spectrum.

    For a real kernel :math:`\hat w(-k) = \overline{\hat w(k)}`, so the blocks at :math:`k` and
    :math:`-k` have the same singular values and the frequencies :math:`k_2 \le N_2/2` see every
    one; the DFT of the :math:`k_h \times k_w` taps is two small matrix products (the DFT matrix
    is periodic in the tap index, so taps beyond N wrap by themselves). Per block :math:`B`,
    :math:`\sigma_{\max}^2 = \lambda_{\max}(G)` with :math:`G` the Gram matrix of the smaller
    side. Most blocks are ruled out without an eigensolver: a few power steps give each block a
    Rayleigh quotient (a lower bound on its :math:`\lambda_{\max}`); the block with the largest
    one gets ``eigvalsh``, whose top eigenvalue :math:`L` is a lower bound on the answer; then a
    block with trace below :math:`L`, or whose :math:`L I - G` has a Cholesky factor (so that
    :math:`G \prec L I` up to the backward error of the factorization, a few ulps of
    :math:`\|G\|` times the number of channels), cannot hold the maximum. The rest get
    ``eigvalsh``. The value is that of the full-spectrum SVD to rounding (a few ulps times the
    number of channels); the kernel is scaled to :math:`\max|w| = 1` first.
    """
    H, W = size
    top = float(np.max(np.abs(kernel)))
    if top == 0.0:
        return 0.0
    co, ci, kh, kw = kernel.shape
    w2 = W // 2 + 1
    fh = np.exp(-2j * np.pi * np.outer(np.arange(H), np.arange(kh)) / H)  # (H, kh)
    fw = np.exp(-2j * np.pi * np.outer(np.arange(kw), np.arange(w2)) / W)  # (kw, W/2 + 1)
    if co > ci:  # Gram matrix of the smaller side: blocks as (freq, min, max)
        kernel = kernel.transpose(1, 0, 2, 3)
        co, ci = ci, co
    t = (kernel / top).reshape(co * ci * kh, kw) @ fw  # (co ci kh, w2)
    t = t.reshape(co, ci, kh, w2).transpose(2, 3, 0, 1).reshape(kh, w2 * co * ci)
    blocks = (fh @ t).reshape(H * w2, co, ci)  # (freq, co, ci)
    gram = blocks @ np.conj(blocks.transpose(0, 2, 1))
    nf = gram.shape[0]
    if co == 1:
        return top * float(np.sqrt(gram.real.max()))

    # a lower bound per block from a few power steps (Rayleigh quotients), the exact top
    # eigenvalue L of the most promising block, then a Cholesky test of L I - G per block
    v = np.exp(1j * np.arange(co) * 0.618)[None, :, None] * np.ones((nf, 1, 1))
    for _ in range(3):
        v = gram @ v
        nv = np.linalg.norm(v, axis=1, keepdims=True)
        v /= np.where(nv > 0, nv, 1.0)
    ray = np.einsum("fi,fi->f", np.conj(v[:, :, 0]), (gram @ v)[:, :, 0]).real
    best = int(np.argmax(ray))
    low = float(np.linalg.eigvalsh(gram[best])[-1])
    trace = np.einsum("fii->f", gram).real
    cand = [best]
    eye = np.eye(co)
    for f in np.flatnonzero(trace >= low):  # trace < L already rules a block out
        if f == best:
            continue
        _, info = _lapack.zpotrf(low * eye - gram[f], lower=1, clean=0, overwrite_a=1)
        if info != 0:
            cand.append(int(f))
    cand = np.asarray(cand)
    lam = np.linalg.eigvalsh(gram[cand])[:, -1]
    return top * float(np.sqrt(max(float(lam.max()), 0.0)))


def conv_operator_norm(kernel, input_size, *, stride=1, padding="circular") -> float:
    r"""Operator (spectral) norm of a strided multi-channel 2-D convolution through the FFT.

    Parameters
    ----------
    kernel : array_like, shape (C_out, C_in, kh, kw)
    input_size : int or pair of int
        Input height and width N (per axis).
    stride : int or pair of int
        Stride :math:`\Delta`; for circular padding it must divide N.
    padding : {"circular", "zero"}
        ``"circular"``: the exact norm :math:`\Delta^{-1}\max_k \sigma_{\max}(B(k))` (see
        :func:`conv_singular_values`). ``"zero"``: the exact circular norm on the larger torus
        :math:`N' = \Delta\lceil (N+k-1)/\Delta\rceil` (:func:`zero_padding_grid`), which is a
        certified **upper bound** on the norm of the same kernel applied with zero padding in any
        mode (full, same, valid) and at any sampling phase: embed the input in the torus at an
        offset congruent to the padding modulo :math:`\Delta`; since :math:`N' \ge N + k - 1` no
        window wraps onto the support, so every nonzero zero-padded output equals a distinct
        circular output, and the zero-padded operator is a compression :math:`P C E` of the
        circular one :math:`C` (E isometric, P a coordinate selection). It is not in general equal
        to any of them; the circular norm on N itself is **not** a bound for zero padding.

    Returns
    -------
    float

    Notes
    -----
    Cost :math:`O(C_{out} C_{in} N^2 \log N + N^2 C_{out}^2 C_{in})` against :math:`O((C N^2)^3)`
    for the dense SVD (:func:`conv_operator_norm_dense`). At stride 1 only half the spectrum is
    needed (a real kernel's blocks come in conjugate pairs), and the blocks that cannot hold the
    maximum are ruled out by a Cholesky test before any eigensolver (``_stride1_norm``); strided
    layers take the SVD of every block. Claims SZ-13, SZ-12.

    Examples
    --------
    >>> k = np.array([[[[1.0, -1.0]]]])            # horizontal difference, 1 channel
    >>> round(conv_operator_norm(k, 6), 12)         # max |1 - e^{2 pi i j/6}| = 2
    2.0
    >>> round(conv_operator_norm(k, 5), 12) < round(conv_operator_norm_dense(k, 5, padding="full"), 12)
    True
    >>> round(conv_operator_norm(k, 5, padding="zero"), 12) >= conv_operator_norm_dense(k, 5, padding="full")
    True
    """
    kernel = _kernel(kernel)
    if padding == "circular":
        size = input_size
    elif padding == "zero":
        size = zero_padding_grid(kernel.shape[2:], input_size, stride)
    else:
        raise ValueError(f"padding={padding!r} must be 'circular' or 'zero'")
    if _pair("stride", stride) == (1, 1):
        H, W = _pair("input_size", size)
        return _stride1_norm(kernel, (H, W))
    blocks, scale = _conv_blocks(kernel, size, stride)
    # batched LAPACK SVD of the small blocks: accurate for tiny norms too (no Gram squaring)
    return float(np.linalg.svd(blocks, compute_uv=False)[:, 0].max() * scale)


def convbound_as_printed(kernel, input_size, *, stride=1) -> float:
    r"""The paper's printed Fourier formula (Sec. 4.3), implemented as printed.

    :math:`\sup_\xi \|A(\xi)\|` with rows :math:`(\Delta^{-2}\hat w_{c,d}(\xi + l N/\Delta))`, i.e.
    the exact circular norm times :math:`\Delta^{-1}` (the printed :math:`\Delta^{-2}` should be
    :math:`\Delta^{-1}`). The discrete grid :math:`\xi \in \mathbb{Z}_{N/\Delta}^2` is used; the
    printed exponent with :math:`N^2` in the denominator is read as the DFT (with :math:`N^2` the
    shifts :math:`lN/\Delta` would not be aliases at all). Claims SZ-13, SZ-14.

    Examples
    --------
    >>> k = np.ones((1, 1, 1, 1))
    >>> [round(convbound_as_printed(k, 8, stride=s), 12) for s in (1, 2, 4)]
    [1.0, 0.5, 0.25]
    """
    sh, sw = _pair("stride", stride)
    blocks, _ = _conv_blocks(kernel, input_size, stride)
    return float(np.linalg.svd(blocks / (sh * sw), compute_uv=False).max())


def _pads(mode: str, k: int, n: int, s: int) -> tuple[int, int, int]:
    """(left padding, output count) for one axis of a zero-padded layer."""
    if mode == "full":
        left, right = k - 1, k - 1
    elif mode == "same":
        left = (k - 1) // 2
        right = k - 1 - left
    elif mode == "valid":
        left, right = 0, 0
        if k > n:
            raise ValueError(f"valid padding needs kernel size {k} <= input size {n}")
    else:
        raise ValueError(f"padding={mode!r} must be 'circular', 'full', 'same' or 'valid'")
    return left, (n + left + right - k) // s + 1, right


def conv2d_direct(x, kernel, *, stride=1, padding="circular") -> np.ndarray:
    r"""Direct (spatial, loop over kernel taps) strided multi-channel cross-correlation.

    ``x`` has shape ``(..., C_in, H, W)``; returns ``(..., C_out, H_out, W_out)``. Padding
    ``"circular"`` (indices mod N, stride must divide N), or zero padding ``"full"``, ``"same"``
    (output ``ceil(N / stride)``), ``"valid"``. Independent of the FFT; the reference for
    :func:`conv_operator_norm_dense` and :func:`conv_operator_norm_power`.

    Examples
    --------
    >>> x = np.arange(4.0).reshape(1, 1, 4)
    >>> conv2d_direct(x, np.ones((1, 1, 1, 2)), padding="circular").tolist()
    [[[1.0, 3.0, 5.0, 3.0]]]
    """
    kernel = _kernel(kernel)
    x = check.array("x", x)
    co, ci, kh, kw = kernel.shape
    if x.ndim < 3 or x.shape[-3] != ci:
        raise ValueError(f"x must have shape (..., {ci}, H, W), got {x.shape}")
    H, W = x.shape[-2:]
    sh, sw = _pair("stride", stride)
    if padding == "circular":
        if H % sh or W % sw:
            raise ValueError(f"stride={stride!r} must divide the input size {(H, W)}")
        oh, ow = H // sh, W // sw
        rows = (sh * np.arange(oh)[:, None] + np.arange(kh)[None, :]) % H  # (oh, kh)
        cols = (sw * np.arange(ow)[:, None] + np.arange(kw)[None, :]) % W
        xp, r0, c0 = x, rows, cols
    else:
        lh, oh, rh = _pads(padding, kh, H, sh)
        lw, ow, rw = _pads(padding, kw, W, sw)
        pad = [(0, 0)] * (x.ndim - 2) + [(lh, rh), (lw, rw)]
        xp = np.pad(x, pad)
        r0 = sh * np.arange(oh)[:, None] + np.arange(kh)[None, :]
        c0 = sw * np.arange(ow)[:, None] + np.arange(kw)[None, :]
    out = np.zeros(x.shape[:-3] + (co, oh, ow))
    for u in range(kh):
        for v in range(kw):
            patch = xp[..., r0[:, u], :][..., c0[:, v]]  # (..., ci, oh, ow)
            out += np.einsum("dc,...chw->...dhw", kernel[:, :, u, v], patch)
    return out


def conv_matrix(kernel, input_size, *, stride=1, padding="circular") -> np.ndarray:
    """Dense matrix of the convolution, built column by column from basis images.

    Examples
    --------
    >>> conv_matrix(np.ones((1, 1, 1, 2)), (1, 3)).tolist()
    [[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]
    """
    kernel = _kernel(kernel)
    H, W = _pair("input_size", input_size)
    ci = kernel.shape[1]
    n = ci * H * W
    basis = np.eye(n).reshape(n, ci, H, W)
    cols = conv2d_direct(basis, kernel, stride=stride, padding=padding)
    return cols.reshape(n, -1).T


def conv_operator_norm_dense(kernel, input_size, *, stride=1, padding="circular") -> float:
    """Exact operator norm from the dense matrix and a full SVD: the independent reference.

    ``padding`` is ``"circular"``, ``"full"``, ``"same"`` or ``"valid"``. Memory and time grow as
    ``(C * N^2)^2`` and ``(C * N^2)^3``: small sizes only. Claim SZ-13.

    Examples
    --------
    >>> conv_operator_norm_dense(np.ones((1, 1, 2, 2)), 2)
    4.0
    """
    A = conv_matrix(kernel, input_size, stride=stride, padding=padding)
    return float(np.linalg.svd(A, compute_uv=False)[0])


def conv_operator_norm_power(kernel, input_size, *, stride=1, padding="circular",
                             block: int = 4, rtol: float = 1e-13, max_iter: int = 20_000,
                             seed: int = 0) -> float:
    r"""Operator norm by block power (subspace) iteration on :math:`W^TW`, matrix-free.

    Each step applies the layer (:func:`conv2d_direct`) and its adjoint (the same taps scattered
    back to the input pixels), re-orthonormalizes a block of ``block`` vectors and takes Ritz
    values. It stops when the top Ritz pair's residual
    :math:`\|W^TWv - \theta v\| \le \text{rtol}\,\theta`; the Ritz value then lies within
    :math:`\rho^2/\text{gap}` below :math:`\sigma_{\max}^2`. Independent of the FFT; padding as
    in :func:`conv2d_direct`. Claim SZ-13.

    Examples
    --------
    >>> round(conv_operator_norm_power(np.ones((1, 1, 2, 2)), 4), 10)
    4.0
    """
    kernel = _kernel(kernel)
    H, W = _pair("input_size", input_size)
    co, ci, kh, kw = kernel.shape
    sh, sw = _pair("stride", stride)
    block = check.integer("block", block, low=1)
    rtol = check.real("rtol", rtol, low=0.0, high=1.0, low_open=True)
    max_iter = check.integer("max_iter", max_iter, low=1)
    seed = check.integer("seed", seed, low=0)
    rng = np.random.default_rng(seed)
    shape_in = (ci, H, W)
    n = ci * H * W
    block = max(1, min(block, n))

    def fwd(v):  # v: (block, n)
        return conv2d_direct(v.reshape((v.shape[0],) + shape_in), kernel, stride=stride,
                             padding=padding)

    def adj(y):
        return _conv_adjoint(y, kernel, (H, W), (sh, sw), padding).reshape(y.shape[0], n)

    V, _ = np.linalg.qr(rng.standard_normal((n, block)))
    V = V.T
    theta = 0.0
    for _ in range(max_iter):  # noqa: B007 - the else clause reports non-convergence
        S = adj(fwd(V))  # (block, n) rows = W^T W v
        T = V @ S.T
        T = 0.5 * (T + T.T)
        evals, evecs = np.linalg.eigh(T)
        theta = float(evals[-1])
        v_top = evecs[:, -1] @ V
        resid = np.linalg.norm(evecs[:, -1] @ S - theta * v_top)
        if theta <= 0 or resid <= rtol * theta:
            break
        Q, _ = np.linalg.qr(S.T)
        V = Q.T
    else:
        import warnings

        warnings.warn(f"power iteration stopped after max_iter={max_iter} steps with relative "
                      f"residual {resid / theta:.1e} > rtol={rtol:.1e}", RuntimeWarning,
                      stacklevel=2)
    return float(np.sqrt(max(theta, 0.0)))


def _conv_adjoint(y, kernel, size, stride, padding) -> np.ndarray:
    """Adjoint of :func:`conv2d_direct` (scatter of every tap back to its input pixel)."""
    co, ci, kh, kw = kernel.shape
    H, W = size
    sh, sw = stride
    batch = y.shape[0]
    oh, ow = y.shape[-2:]
    if padding == "circular":
        Hp, Wp, lh, lw = H, W, 0, 0
    else:
        lh, _, rh = _pads(padding, kh, H, sh)
        lw, _, rw = _pads(padding, kw, W, sw)
        Hp, Wp = H + lh + rh, W + lw + rw
    xp = np.zeros((batch, ci, Hp, Wp))
    rows = sh * np.arange(oh)
    cols = sw * np.arange(ow)
    for u in range(kh):
        for v in range(kw):
            contrib = np.einsum("dc,bdhw->bchw", kernel[:, :, u, v], y)
            rr = (rows + u) % Hp if padding == "circular" else rows + u
            cc = (cols + v) % Wp if padding == "circular" else cols + v
            np.add.at(xp, (slice(None), slice(None), rr[:, None], cc[None, :]), contrib)
    if padding == "circular":
        return xp
    return xp[:, :, lh : lh + H, lw : lw + W]


# ----------------------------------------------------------------------------------------------
# networks (SZ-8, SZ-12, SZ-15, SZ-16)


def network_lipschitz_bound(layers: Sequence) -> tuple[float, list[float]]:
    r"""Product bound :math:`\prod_k L_k` on the Lipschitz constant of a composition (SZ-8, SZ-12).

    Parameters
    ----------
    layers : sequence
        Each item is a float (a known constant) or a spec tuple:
        ``("dense", W)`` or ``("relu_dense", W)`` -> :math:`\|W\|_2`;
        ``("conv", kernel, input_size, stride, padding)`` -> :func:`conv_operator_norm`;
        ``("maxpool", window, stride)`` or ``("maxpool", window, stride, input_size)`` ->
        :func:`maxpool_bound`; ``("contrast", eps, gamma)`` -> :func:`contrast_norm_bound`;
        ``("relu",)`` -> 1.

    Returns
    -------
    product : float
    per_layer : list of float

    Notes
    -----
    The paper multiplies only the linear layers' norms; that bounds the network only when every
    other layer has constant <= 1. Overlapping max-pooling (:math:`\lceil k/s\rceil`) and contrast
    normalization with :math:`\epsilon < 1` do not (SZ-12).

    Examples
    --------
    >>> k = np.ones((1, 1, 1, 1))
    >>> network_lipschitz_bound([("conv", k, 9, 1, "circular"), ("maxpool", 3, 2)])
    (2.0, [1.0, 2.0])
    """
    if isinstance(layers, str | bytes) or not hasattr(layers, "__iter__"):
        raise ValueError(f"layers = {layers!r} must be a sequence of layer specs or floats")
    per = []
    for spec in layers:
        if isinstance(spec, bool) or not isinstance(
                spec, int | float | np.floating | np.integer | tuple | list):
            raise ValueError(f"layers: item {spec!r} must be a layer spec tuple or a float")
        if isinstance(spec, int | float | np.floating | np.integer):
            if not (spec >= 0 and np.isfinite(spec)):
                raise ValueError(f"layer constant {spec!r} must be finite and >= 0")
            per.append(float(spec))
            continue
        kind, *args = spec
        if kind in ("dense", "relu_dense"):
            per.append(relu_layer_bound(args[0]))
        elif kind == "conv":
            kernel, size, *rest = args
            stride = rest[0] if rest else 1
            padding = rest[1] if len(rest) > 1 else "circular"
            per.append(conv_operator_norm(kernel, size, stride=stride, padding=padding))
        elif kind == "maxpool":
            per.append(maxpool_bound(args[0], args[1], input_size=args[2] if len(args) > 2 else None))
        elif kind == "contrast":
            per.append(float(contrast_norm_bound(args[0], args[1])))
        elif kind == "relu":
            per.append(1.0)
        else:
            raise ValueError(f"unknown layer kind {kind!r}; valid: dense, relu_dense, conv, "
                             "maxpool, contrast, relu, or a float")
    return float(np.prod(per)) if per else 1.0, per


def relu_network_jacobian(weights, biases, x) -> np.ndarray:
    """Jacobian of a ReLU MLP with a linear output layer at the points ``x`` (shape (n, d) -> (n, out, d)).

    Examples
    --------
    >>> J = relu_network_jacobian([np.eye(2), np.eye(2)], [np.zeros(2), np.zeros(2)], [[1.0, -1.0]])
    >>> J[0].tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    weights, biases = _mlp("weights", weights, "biases", biases)
    x = np.atleast_2d(check.array("x", x, ndim=(1, 2)))
    if x.shape[1] != weights[0].shape[1]:
        raise ValueError(f"x must have {weights[0].shape[1]} columns, got shape {x.shape}")
    n = x.shape[0]
    J = np.broadcast_to(np.eye(x.shape[1]), (n, x.shape[1], x.shape[1])).copy()
    h = x
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        W = np.asarray(W, dtype=np.float64)
        pre = h @ W.T + b
        J = np.einsum("od,ndi->noi", W, J)
        if k < len(weights) - 1:
            active = (pre > 0).astype(np.float64)
            J = J * active[:, :, None]
            h = np.maximum(pre, 0.0)
        else:
            h = pre
    return J


def _mlp(wname, weights, bname, biases) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights (out, in) and biases (out,) of an MLP, checked for shapes that chain."""
    if isinstance(weights, str | bytes | np.ndarray) or not hasattr(weights, "__len__"):
        raise ValueError(f"{wname} = {weights!r} must be a list of 2-d arrays")
    if isinstance(biases, str | bytes | np.ndarray) or not hasattr(biases, "__len__"):
        raise ValueError(f"{bname} = {biases!r} must be a list of 1-d arrays")
    Ws = [check.array(wname, W, ndim=2) for W in weights]
    bs = [check.array(bname, b, ndim=1) for b in biases]
    if not Ws or len(Ws) != len(bs):
        raise ValueError(f"{wname} and {bname} must be non-empty lists of equal length, got "
                         f"{len(Ws)} and {len(bs)}")
    for k, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        if b.shape != (W.shape[0],) or (k and W.shape[1] != Ws[k - 1].shape[0]):
            raise ValueError(f"{wname}[{k}] of shape {W.shape} and {bname}[{k}] of shape "
                             f"{b.shape} do not chain")
    return Ws, bs


def _pattern_products(weights, hidden: list[int], patterns: np.ndarray) -> np.ndarray:
    """Spectral norms of W_K D_{K-1} ... D_1 W_1 for a batch of 0/1 patterns (rows)."""
    d = weights[0].shape[1]
    M = np.broadcast_to(np.eye(d), (len(patterns), d, d))
    pos = 0
    for k, h in enumerate(hidden):
        M = np.einsum("ij,pjk->pik", weights[k], M) * patterns[:, pos : pos + h, None]
        pos += h
    M = np.einsum("ij,pjk->pik", weights[-1], M)
    return np.linalg.norm(M, 2, axis=(1, 2))


def relu_network_lipschitz_exact(weights, biases, *, box: float = 1e3, delta_min: float = 1e-9,
                                 n_probe: int = 20_000, max_units: int = 20) -> float:
    r"""Exact L2 Lipschitz constant of a small ReLU MLP (linear output) by region enumeration.

    A ReLU MLP is continuous and piecewise affine; its Lipschitz constant is the largest
    :math:`\|W_K D_{K-1} \cdots D_1 W_1\|_2` over activation patterns whose region has interior.
    All :math:`2^u` patterns (``u`` hidden units, ``u <= max_units``) are sorted by that norm; the
    first realizable one gives the constant. A pattern counts as realizable iff one of ``n_probe``
    seeded probe points (Gaussian at scales 1 to 100, clipped to the box) has its signs with
    margin ``> delta_min``, or the HiGHS LP :math:`\max \delta` s.t. signed pre-activations
    :math:`\ge \delta`, :math:`\delta \le 1`, :math:`|x_i| \le` ``box`` has
    :math:`\delta^* >` ``delta_min`` (a unit whose pre-activation vanishes identically on the
    region is left unconstrained: both of its states give the same map). Claim SZ-8.

    Examples
    --------
    >>> W1 = np.array([[1.0, 0.0], [-1.0, 0.0]]); W2 = np.array([[1.0, 1.0]])
    >>> relu_network_lipschitz_exact([W1, W2], [np.zeros(2), np.zeros(1)])
    1.0
    """
    from scipy.optimize import linprog

    weights, biases = _mlp("weights", weights, "biases", biases)
    box = check.real("box", box, low=0.0, low_open=True)
    delta_min = check.real("delta_min", delta_min, low=0.0, low_open=True)
    n_probe = check.integer("n_probe", n_probe, low=0)
    max_units = check.integer("max_units", max_units, low=0, high=24)
    d = weights[0].shape[1]
    hidden = [W.shape[0] for W in weights[:-1]]
    units = sum(hidden)
    if units > max_units:
        raise ValueError(f"{units} hidden units; exhaustive enumeration needs <= {max_units}")

    def constraints(pattern):
        rows, rhs = [], []
        A, c = np.eye(d), np.zeros(d)
        pos = 0
        for k, h in enumerate(hidden):
            A, c = weights[k] @ A, weights[k] @ c + biases[k]
            sgn = np.where(pattern[pos : pos + h] > 0, 1.0, -1.0)
            # a unit whose pre-activation is identically 0 on the region outputs 0 either way
            live = np.any(A != 0, axis=1) | (c != 0)
            # sgn * (A x + c) >= delta  <=>  -sgn A x + delta <= sgn c
            rows.append(np.hstack((-sgn[live, None] * A[live], np.ones((int(live.sum()), 1)))))
            rhs.append(sgn[live] * c[live])
            mask = pattern[pos : pos + h]
            A, c = A * mask[:, None], c * mask
            pos += h
        return np.vstack(rows), np.concatenate(rhs)

    def realizable_by_lp(pattern) -> bool:
        A_ub, b_ub = constraints(pattern)
        res = linprog(np.concatenate((np.zeros(d), [-1.0])), A_ub=A_ub, b_ub=b_ub,
                      bounds=[(-box, box)] * d + [(None, 1.0)], method="highs")
        return res.status == 0 and -res.fun > delta_min

    rng = np.random.default_rng(0)
    scales = np.repeat([1.0, 3.0, 10.0, 100.0], -(-n_probe // 4))[:n_probe, None]
    h_ = np.clip(scales * rng.standard_normal((n_probe, d)), -box, box)
    pres = []
    for k in range(len(hidden)):
        pre = h_ @ weights[k].T + biases[k]
        pres.append(pre)
        h_ = np.maximum(pre, 0.0)
    pre_all = np.concatenate(pres, axis=1)
    clear = np.all(np.abs(pre_all) > delta_min, axis=1)
    seen = {tuple(row) for row in (pre_all[clear] > 0).astype(np.int8)}

    patterns = np.array(list(_product((0.0, 1.0), repeat=units)))
    norms = _pattern_products(weights, hidden, patterns)
    for i in np.argsort(-norms, kind="stable"):
        key = tuple(patterns[i].astype(np.int8))
        if key in seen or realizable_by_lp(patterns[i]):
            return float(norms[i])
    return 0.0  # pragma: no cover - some pattern always has interior


def certified_radius(margin, lipschitz):
    r"""Radius :math:`m(x)/(\sqrt 2 L)` within which an L-Lipschitz logit map keeps its argmax (SZ-15).

    Each difference :math:`z_i - z_j` is :math:`\sqrt2 L`-Lipschitz (Cauchy-Schwarz with
    :math:`e_i - e_j`), so a margin :math:`m(x) = z_y - \max_{j\ne y} z_j > 0` cannot be closed by a
    perturbation shorter than :math:`m/(\sqrt2 L)`. Zero when ``margin <= 0``. Vectorized.

    Examples
    --------
    >>> round(float(certified_radius(2.0, 1.0)), 12)
    1.414213562373
    >>> certified_radius(np.array([-1.0, 0.0]), 2.0).tolist()
    [0.0, 0.0]
    """
    m = check.real_or_array("margin", margin)
    L = check.real_or_array("lipschitz", lipschitz, low=0.0, low_open=True)
    out = np.where(m > 0, m, 0.0) / (np.sqrt(2.0) * L)
    return out if out.ndim else float(out)


# ----------------------------------------------------------------------------------------------
# noise versus adversarial directions, linear model (SZ-6(d))


def gaussian_flip_logprob(distance, sigma):
    r"""log P(Gaussian noise N(0, sigma^2 I) crosses a hyperplane at ``distance``) = log Phi-bar(d/sigma).

    Computed with ``scipy.stats.norm.logsf`` (full relative precision in the far tail). Vectorized.
    SZ-6(d): with sigma equal to the adversarial per-pixel RMS d/sqrt(m) this is log Phi-bar(sqrt m).

    Examples
    --------
    >>> round(float(gaussian_flip_logprob(1.0, 1.0 / 28)), 4)    # m = 784: Phi-bar(28)
    -396.2524
    """
    from scipy.stats import norm

    d = check.real_or_array("distance", distance, low=0.0)
    s = check.real_or_array("sigma", sigma, low=0.0, low_open=True)
    out = norm.logsf(d / s)
    return out if np.ndim(out) else float(out)


def random_direction_flip_prob(distance, rho, m):
    r"""P(a uniformly random direction of length ``rho`` crosses a hyperplane at ``distance``).

    :math:`\tfrac12 I_{1-(d/\rho)^2}\big(\tfrac{m-1}{2}, \tfrac12\big)` for :math:`\rho > d`, else 0
    (the cap of the sphere beyond the hyperplane; ``m >= 2``). Vectorized. SZ-6(d).

    Examples
    --------
    >>> round(float(random_direction_flip_prob(0.0, 1.0, 10)), 12)
    0.5
    """
    from scipy.special import betainc

    d = check.real_or_array("distance", distance, low=0.0)
    r = check.real_or_array("rho", rho, low=0.0, low_open=True, allow_inf=True)
    m = check.integer("m", m, low=2)
    # 1 - (d/rho)^2 as (rho - d)(rho + d)/rho^2: no cancellation when d is close to rho, where the
    # probability is smallest
    dm = np.minimum(d, r)
    with np.errstate(invalid="ignore"):
        x = np.where(np.isinf(r), 1.0, (r - dm) * (r + dm) / r**2)
    out = np.where(d < r, 0.5 * betainc((m - 1) / 2.0, 0.5, x), 0.0)
    return out if out.ndim else float(out)
