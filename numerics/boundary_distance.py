"""Exact distances to half-spaces inside the cube, and the Monte Carlo designs of DUBE-1, 2, 4.

The distance that matters for an adversarial example is to the *valid* images of the other class,
:math:`T=\\{y\\in[0,1]^n:\\ w^\\top y+b\\le0\\}`, not to the hyperplane: the box can only lengthen
the path. By the KKT conditions of :math:`\\min\\lVert y-x\\rVert_2` over ``T`` the minimiser is
:math:`y(\\lambda)=\\mathrm{clip}(x-\\lambda w,0,1)` for the :math:`\\lambda\\ge0` with
:math:`w^\\top y(\\lambda)+b=0`; for :math:`L^\\infty` it is
:math:`y(t)=\\mathrm{clip}(x-t\\,\\mathrm{sign}\\,w,0,1)`. In both cases the decrease of
:math:`w^\\top y+b` is :math:`G(\\lambda)=\\sum_i s_i\\min(\\lambda,\\tau_i)`, piecewise linear and
increasing, and the root is found *exactly* (up to rounding) by sorting the breakpoints
:math:`\\tau_i` ("water-filling"), vectorized over many points at once.

Serves DUBE-1 (1c), DUBE-2 (2b, 2c) and DUBE-4 (4-M1, 4-M2, 4-M4).
"""

from __future__ import annotations

import numpy as np
from advgeom.theory import _validate as _v
from advgeom.theory import resolution

__all__ = [
    "aligned_margin_ratio",
    "box_halfspace_distance",
    "centre_halfspace",
    "centre_halfspace_distances",
    "coordinate_halfspace_distances",
    "generic_halfspace_distances",
    "loglog_slope",
    "median_interval",
    "sphere_abs_coordinate",
    "zero_mean_relative_gain",
]


#: Largest batch (entries of a points-by-dimension array) built at once: 2^27 (1 GiB).
_MAX_ENTRIES = 2**27


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng = {rng!r} must be a numpy.random.Generator")
    return rng


def _size(size, n: int = 1) -> int:
    size = _v.integer("size", size, low=1)
    if size * n > _MAX_ENTRIES:
        raise ValueError(f"size = {size} points of dimension {n} need {size * n:.3g} entries; at "
                         f"most {_MAX_ENTRIES} (1 GiB) at once: draw in blocks")
    return size


def _norm_p(p):
    if isinstance(p, bool | np.bool_) or p not in (2, np.inf):
        raise ValueError(f"p = {p!r} must be 2 or inf")
    return p


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} = {value!r} must be True or False")
    return bool(value)


def _waterfill_sorted(h0: np.ndarray, caps: np.ndarray, weights: np.ndarray):
    """Root of the water-filling equation by sorting the breakpoints (reference path)."""
    m = caps.shape[0]
    order = np.argsort(caps, axis=1)
    t = np.take_along_axis(caps, order, axis=1)
    s = np.take_along_axis(np.broadcast_to(weights, caps.shape), order, axis=1)
    total = s.sum(axis=1)
    cum_s = np.cumsum(s, axis=1)
    cum_st = np.cumsum(s * t, axis=1)
    g_at = cum_st + t * (total[:, None] - cum_s)        # G(t_k), nondecreasing in k
    need = np.maximum(h0, 0.0)
    k = np.sum(g_at < need[:, None], axis=1)             # first breakpoint with G >= h0
    feasible = k < caps.shape[1]
    kk = np.minimum(k, caps.shape[1] - 1)
    rows = np.arange(m)
    prev_st = np.where(kk > 0, cum_st[rows, kk - 1], 0.0)
    prev_s = np.where(kk > 0, cum_s[rows, kk - 1], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (need - prev_st) / (total - prev_s)
    lam = np.where(need <= 0, 0.0, lam)
    return np.where(feasible, lam, np.inf), feasible


def _waterfill(h0: np.ndarray, caps: np.ndarray, weights: np.ndarray, max_iter: int = 60):
    """Smallest ``lam >= 0`` with ``sum_i weights_i * min(lam, caps[:, i]) = h0`` per row.

    ``G(lam) = sum_i w_i min(lam, caps_i)`` is concave, increasing and piecewise linear, so Newton's
    method from ``lam = 0`` climbs monotonically to the root and stops *exactly* once the set of
    capped coordinates no longer changes (a few passes, each O(n), against a full sort). Rows that
    have not settled after ``max_iter`` passes go to the sorting path. Returns ``(lam, feasible)``:
    0 where ``h0 <= 0``; ``inf`` and ``feasible = False`` where ``sum_i w_i caps_i < h0``.
    """
    need = np.maximum(h0, 0.0)
    total_cap = caps @ weights
    feasible = total_cap >= need
    lam = np.zeros(h0.shape)
    todo = np.flatnonzero((need > 0) & feasible)
    total_w = float(np.sum(weights))
    for _ in range(max_iter):
        if todo.size == 0:
            break
        c = caps if todo.size == caps.shape[0] else caps[todo]
        capped = c < lam[todo, None]
        capped_w = capped.astype(float)
        used = np.einsum("ij,ij,j->i", capped_w, c, weights)
        # The subtraction can leave a rounding residue when every coordinate is capped.
        free = total_w - capped_w @ weights
        free = np.where(free > 1e-13 * total_w, free, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = (need[todo] - used) / free
        new = np.where(free > 0, new, c.max(axis=1))
        # Settled when no further breakpoint is crossed: the linear piece holds the root.
        settled = ~np.any((c < new[:, None]) & ~capped, axis=1)
        lam[todo] = np.maximum(new, lam[todo])
        todo = todo[~settled]
    if todo.size:
        lam[todo], _ = _waterfill_sorted(h0[todo], caps[todo], weights)
    lam = np.where(need <= 0, 0.0, lam)
    return np.where(feasible, lam, np.inf), feasible


def box_halfspace_distance(w, b, x, p=2):
    """Exact distance from ``x`` to the valid images on the far side of a hyperplane (L2 or L-inf).

    The set is :math:`\\{y\\in[0,1]^n: w^\\top y+b\\le0\\}`.

    Parameters
    ----------
    w : array_like, shape (n,)
        Nonzero normal vector.
    b : float
        Offset.
    x : array_like, shape (n,) or (m, n)
        Points in :math:`[0,1]^n`.
    p : {2, inf}
        Norm.

    Returns
    -------
    float or ndarray, shape (m,)
        0 where ``x`` already lies in the set, ``inf`` where the set is empty.

    Notes
    -----
    For :math:`L^2`, coordinate ``i`` moves by :math:`\\min(\\lambda|w_i|,\\cdot)`: with
    :math:`\\tau_i=x_i/w_i` (:math:`w_i>0`) or :math:`(1-x_i)/|w_i|` (:math:`w_i<0`) and
    :math:`s_i=w_i^2`, solve :math:`\\sum s_i\\min(\\lambda,\\tau_i)=w^\\top x+b`; then
    :math:`d^2=\\sum w_i^2\\min(\\lambda,\\tau_i)^2`. For :math:`L^\\infty`,
    :math:`\\tau_i=x_i` or :math:`1-x_i`, :math:`s_i=|w_i|`, and :math:`d=t`.

    Examples
    --------
    >>> round(box_halfspace_distance([1.0, 1.0], -0.5, [0.5, 0.5]), 15)   # hyperplane distance
    0.353553390593274
    >>> box_halfspace_distance([1.0, 1.0], -0.5, [1.0, 0.0])      # the box binds
    0.5
    >>> box_halfspace_distance([1.0, 1.0], -0.5, [1.0, 0.0], p=np.inf)
    0.5
    """
    w = _v.array("w", w, ndim=1)
    if not np.any(w):
        raise ValueError(f"w must be a nonzero vector, got {w!r}")
    b = _v.real("b", b)
    p = _norm_p(p)
    x = _v.array("x", x, ndim=(1, 2), low=0.0, high=1.0)
    single = x.ndim == 1
    x = np.atleast_2d(x)
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"x must have {w.shape[0]} columns (the length of w), got shape {x.shape}")
    keep = w != 0
    wk, xk = w[keep], x[:, keep]
    h0 = x @ w + float(b)
    pos = wk > 0
    room = np.where(pos, xk, 1.0 - xk)                  # how far each pixel can move
    if p == 2:
        aw = np.abs(wk)
        caps = room / aw
        lam, feasible = _waterfill(h0, caps, wk * wk)
        move = aw * np.minimum(lam[:, None], caps)
        dist = np.sqrt(np.einsum("ij,ij->i", move, move))
    else:
        lam, feasible = _waterfill(h0, room, np.abs(wk))
        dist = lam
    dist = np.where(h0 <= 0, 0.0, np.where(feasible, dist, np.inf))
    return float(dist[0]) if single else dist


# ---------------------------------------------------------------------------------------------
# Monte Carlo designs (module-level samplers: picklable for process pools and dask)
# ---------------------------------------------------------------------------------------------


def centre_halfspace(rng: np.random.Generator, n: int):
    """A random half-space through the cube's centre, :math:`b=-\\tfrac12\\sum w_i`.

    :math:`w=g\\cdot e` with ``g`` standard normal, ``e`` standard exponential scales (uneven
    weights stress the box).
    The map :math:`x\\mapsto1-x` swaps the two sides, so the target class has measure exactly 1/2.
    """
    rng = _rng(rng)
    n = _v.integer("n", n, low=1, high=_MAX_ENTRIES)
    w = rng.standard_normal(n) * rng.exponential(size=n)
    return w, -0.5 * float(w.sum())


def centre_halfspace_distances(rng: np.random.Generator, size: int, w, b, conditional=False):
    """Exact :math:`d_2(X,A)` for :math:`X\\sim U[0,1]^n`, ``A`` the side ``w.y + b <= 0``.

    ``conditional=True``: ``X`` drawn from the other side, by reflecting :math:`X\\mapsto1-X`
    (exact for centred half-spaces, so every draw is used).
    """
    rng = _rng(rng)
    w = _v.array("w", w, ndim=1)
    b = _v.real("b", b)
    size = _size(size, w.size)
    conditional = _flag("conditional", conditional)
    x = rng.random((size, w.shape[0]))
    if conditional:
        flip = x @ w + b <= 0
        x[flip] = 1.0 - x[flip]
    return box_halfspace_distance(w, b, x)


def coordinate_halfspace_distances(rng: np.random.Generator, size: int, n: int, alpha: float,
                                   p=2, conditional=False):
    """Exact :math:`d_p(X,\\{x_1\\le\\alpha\\})` through the water-filling engine (any ``n``).

    The closed form is :math:`(X_1-\\alpha)_+`; the engine is run on the full ``n``-dimensional
    point so that the test exercises it.
    """
    rng = _rng(rng)
    n = _v.integer("n", n, low=1)
    size = _size(size, n)
    alpha = _v.real("alpha", alpha, low=0.0, high=1.0, low_open=True, high_open=True)
    p = _norm_p(p)
    conditional = _flag("conditional", conditional)
    x = rng.random((size, n))
    if conditional:
        x[:, 0] = alpha + (1.0 - alpha) * x[:, 0]
    w = np.zeros(n)
    w[0] = 1.0
    return box_halfspace_distance(w, -alpha, x, p=p)


def generic_halfspace_distances(rng: np.random.Generator, size: int, n: int, p=2,
                                normalized=False):
    """Exact distance to the generic half-space :math:`\\{\\sum x_i\\le n/2\\}` from its far side.

    The other side is sampled by reflection :math:`X\\mapsto1-X`; ``normalized`` divides by
    :math:`\\sqrt n`.
    """
    rng = _rng(rng)
    n = _v.integer("n", n, low=1)
    size = _size(size, n)
    p = _norm_p(p)
    normalized = _flag("normalized", normalized)
    x = rng.random((size, n))
    flip = x.sum(axis=1) <= n / 2.0
    x[flip] = 1.0 - x[flip]
    d = box_halfspace_distance(np.ones(n), -n / 2.0, x, p=p)
    return d / np.sqrt(n) if normalized else d


def sphere_abs_coordinate(rng: np.random.Generator, size: int, n: int):
    """:math:`|x_1|` for uniform :math:`x\\in S^{n-1}`, as :math:`|g_1|/\\lVert g\\rVert`.

    :math:`\\lVert g\\rVert^2=g_1^2+\\chi^2_{n-1}` with independent parts, the same law as a
    normalized Gaussian vector without drawing all ``n`` coordinates.
    """
    rng = _rng(rng)
    size = _size(size)
    n = _v.integer("n", n, low=2)
    g = rng.standard_normal(size)
    rest = rng.chisquare(n - 1, size)
    return np.abs(g) / np.sqrt(g * g + rest)


def aligned_margin_ratio(rng: np.random.Generator, size: int, n: int):
    """:math:`w^\\top x/\\lVert w\\rVert_1` for aligned weights :math:`w_i=|g_i|` (mean 1/2).

    DUBE-1 model (i): ``R_n = eps / ratio -> 2 eps``.
    """
    rng = _rng(rng)
    n = _v.integer("n", n, low=1, high=_MAX_ENTRIES)
    size = _size(size)
    out = np.empty(size)
    step = max(1, 2_000_000 // n)
    for lo in range(0, size, step):
        m = min(step, size - lo)
        w = np.abs(rng.standard_normal((m, n)))
        x = rng.random((m, n))
        out[lo:lo + m] = np.einsum("ij,ij->i", w, x) / w.sum(axis=1)
    return out


def zero_mean_relative_gain(rng: np.random.Generator, size: int, n: int, eps: float):
    """Relative gain :math:`R_n` for Gaussian weights and uniform pixels (DUBE-1 model (ii)).

    :math:`R_n=\\varepsilon\\lVert w\\rVert_1/|w^\\top x|`, :math:`w\\sim N(0,I_n)`,
    :math:`x\\sim U[0,1]^n`.

    DUBE-1 model (ii).
    """
    rng = _rng(rng)
    n = _v.integer("n", n, low=1, high=_MAX_ENTRIES)
    size = _size(size)
    eps = _v.real("eps", eps, low=0.0)
    out = np.empty(size)
    step = max(1, 2_000_000 // n)
    for lo in range(0, size, step):
        m = min(step, size - lo)
        w = rng.standard_normal((m, n))
        x = rng.random((m, n))
        out[lo:lo + m] = resolution.relative_linf_gain(w, x, eps)
    return out


def median_interval(samples, level: float = 1 - 1e-6):
    """Distribution-free interval for the median from order statistics (binomial, exact level).

    Returns ``(lo, hi)`` = order statistics ``X_(j), X_(k)`` with
    :math:`P(\\mathrm{Bin}(N,1/2)<j)\\le(1-\\mathrm{level})/2` on each side.
    """
    from scipy import stats

    level = _v.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    x = np.sort(_v.array("samples", samples, ndim=1))
    n = x.size
    tail = (1.0 - level) / 2.0
    j = int(stats.binom.ppf(tail, n, 0.5))               # P(Bin < j) <= tail
    while j > 0 and stats.binom.cdf(j - 1, n, 0.5) > tail:
        j -= 1
    if j < 1:
        raise ValueError(f"samples must hold enough draws for a median interval at level {level} "
                         f"(need P(Bin(N, 1/2) = 0) <= {tail:g}), got N = {n}")
    return float(x[j - 1]), float(x[n - j])


def loglog_slope(n, values, sd=None):
    """Least-squares slope of ``log(values)`` against ``log(n)`` and its standard error.

    With ``sd`` (standard errors of ``values``) the fit is weighted by the delta-method variances
    ``(sd / values)**2``; otherwise the residual variance is used.
    """
    nn = _v.array("n", n, ndim=1, min_size=2, low=0.0, low_open=True)
    if np.unique(nn).size < 2:
        raise ValueError(f"n must hold at least 2 distinct values for a slope, got {nn!r}")
    vals = _v.array("values", values, ndim=1, low=0.0, low_open=True)
    if vals.size != nn.size:
        raise ValueError(f"values has {vals.size} entries but n has {nn.size}: one value per n")
    x = np.log(nn)
    y = np.log(vals)
    a = np.column_stack([x, np.ones_like(x)])
    if sd is not None:
        sd = _v.array("sd", sd, ndim=1, low=0.0, low_open=True)
        if sd.size != nn.size:
            raise ValueError(f"sd has {sd.size} entries but n has {nn.size}: one per n")
        wts = vals / sd
        aw, yw = a * wts[:, None], y * wts
        coef = np.linalg.lstsq(aw, yw, rcond=None)[0]
        cov = np.linalg.inv(aw.T @ aw)
    else:
        coef, res, *_ = np.linalg.lstsq(a, y, rcond=None)
        dof = max(1, len(x) - 2)
        s2 = float(res[0]) / dof if res.size else 0.0
        cov = s2 * np.linalg.inv(a.T @ a)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))
