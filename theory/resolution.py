"""Linearity, boundary distances and resolution (Dube, arXiv:1801.00634; DUBE-1, 2, 4, 5).

Notation: ``n`` real inputs (pixels x channels) in :math:`[0,1]`; a linear unit
:math:`x\\mapsto w^\\top x+b`; :math:`d_p(x,A)=\\inf_{y\\in A}\\lVert y-x\\rVert_p` with ``A`` the
valid images of the other class; the normalized norm :math:`\\lVert\\eta\\rVert_2/\\sqrt n` (the
:math:`L^2` norm of the piecewise-constant image on the unit square); :math:`\\Phi,\\varphi` the
standard normal cdf and density, :math:`\\bar\\Phi=1-\\Phi` computed as ``ndtr(-a)``.

* DUBE-1: Goodfellow et al.'s linearity argument (arXiv:1412.6572, Sec. 3): the gain
  :math:`\\max_{\\lVert\\eta\\rVert_\\infty\\le\\varepsilon}w^\\top\\eta`
  and the margin distances that decide whether it flips the class.
* DUBE-2: dimension-free isoperimetric bound on the distance to a class of measure ``alpha`` in the
  cube (Shafahi et al., arXiv:1809.02104) and the half-space examples that saturate it.
* DUBE-4: the mean distance :math:`E|x_1|` to a hyperplane through 0 on the sphere
  (Gilmer et al., arXiv:1801.02774).
* DUBE-5: block averaging ``D`` and its minimum-norm right inverse ``lift``.

Box-constrained distances to half-spaces (the exact water-filling engine) live in
``numerics.boundary_distance``.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from advgeom.theory import _validate as _v
from advgeom.theory.highdim import _dimension as _hd_dimension
from advgeom.theory.highdim import gamma_half_ratio, sphere_mean_abs_coordinate
from scipy import special

__all__ = [
    "block_average",
    "block_average_matrix",
    "brunn_minkowski_depth_bound",
    "coordinate_halfspace_mean_distance",
    "cube_boundary_distance_bound",
    "cube_distance_tail_bound",
    "cube_mean_depth",
    "fgsm_perturbation",
    "gaussian_l2_norm_mean",
    "generic_halfspace_distance_limit",
    "l2_gain",
    "lift",
    "linf_gain",
    "margin_distances",
    "multires_minimal_perturbation",
    "normalized_l2",
    "relative_linf_gain",
    "sign_perturbation_l2",
    "sphere_mean_abs_coordinate",
    "tangent_projection_beta",
    "zero_mean_median_gain",
]

_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _out(x):
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


def _nonneg(name: str, value):
    return _v.real_or_array(name, value, low=0.0)


def _weights(w, name: str = "w"):
    arr = _v.array(name, w)
    if arr.ndim == 0:
        raise ValueError(f"{name} = {w!r} must be a nonempty vector (last axis = inputs)")
    return arr


def _dimension(n, low: int = 1, name: str = "n"):
    return _hd_dimension(n, minimum=low, name=name)


def _alpha(alpha):
    return _v.real_or_array("alpha", alpha, low=0.0, high=1.0, low_open=True, high_open=True)


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} = {value!r} must be True or False")
    return bool(value)


def _broadcast(name: str, value: np.ndarray, shape: tuple, what: str) -> None:
    try:
        np.broadcast_shapes(np.shape(value), shape)
    except ValueError:
        raise ValueError(f"{name} has shape {np.shape(value)}, which does not broadcast against "
                         f"{what} of shape {shape}") from None


#: Largest array (in float64 entries) that a function here builds: 2^27 entries, 1 GiB.
_MAX_ENTRIES = 2**27


# ---------------------------------------------------------------------------------------------
# DUBE-1: the linearity argument
# ---------------------------------------------------------------------------------------------


def linf_gain(w, eps):
    """Largest change of a linear unit under an L-infinity budget ``eps``.

    .. math:: \\max_{\\lVert\\eta\\rVert_\\infty\\le\\varepsilon}w^\\top\\eta
       =\\varepsilon\\lVert w\\rVert_1,

    attained at :math:`\\eta=\\varepsilon\\,\\mathrm{sign}(w)`. Serves DUBE-1 (reading 1.0).

    Parameters
    ----------
    w : array_like, shape (..., n)
        Weights (last axis = inputs).
    eps : float or array_like
        Budget, ``eps >= 0`` (broadcast against ``w[..., 0]``).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(linf_gain([1.0, -2.0, 0.5], 0.1), 12)
    0.35
    """
    w = _weights(w)
    eps = _nonneg("eps", eps)
    _broadcast("eps", eps, w.shape[:-1], "w[..., 0]")
    return _out(eps * np.abs(w).sum(axis=-1))


def fgsm_perturbation(w, eps):
    """Goodfellow's maximiser :math:`\\varepsilon\\,\\mathrm{sign}(w)` (zero where ``w_i = 0``).

    Serves DUBE-1 (reading 1.0); FGSM takes :math:`w=\\nabla_xJ`.

    Parameters
    ----------
    w : array_like, shape (..., n)
    eps : float, ``eps >= 0``

    Returns
    -------
    ndarray, shape of ``w``

    Examples
    --------
    >>> fgsm_perturbation([3.0, -1.0, 0.0], 0.5)
    array([ 0.5, -0.5,  0. ])
    """
    w = _weights(w)
    eps = _nonneg("eps", eps)
    _broadcast("eps", eps, w.shape[:-1], "w[..., 0]")
    return np.asarray(eps)[..., None] * np.sign(w) if np.ndim(eps) else float(eps) * np.sign(w)


def sign_perturbation_l2(n, eps):
    """Euclidean norm of :math:`\\varepsilon\\,\\mathrm{sign}(w)` with ``n`` nonzero weights.

    .. math:: \\lVert\\varepsilon\\,\\mathrm{sign}(w)\\rVert_2=\\varepsilon\\sqrt n,

    small in :math:`L^\\infty` but growing in :math:`L^2`. Serves DUBE-1 (reading 1b).

    Parameters
    ----------
    n : int or array_like
        Number of nonzero weights, ``n >= 1``.
    eps : float or array_like
        Budget, ``eps >= 0``.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(sign_perturbation_l2(784, 1 / 255), 6)   # 28/255
    0.109804
    """
    n = _dimension(n)
    eps = _nonneg("eps", eps)
    _broadcast("eps", eps, n.shape, "n")
    return _out(eps * np.sqrt(n))


def l2_gain(w, delta):
    """Largest change of a linear unit under an L2 budget: :math:`\\delta\\lVert w\\rVert_2`.

    Attained at :math:`\\delta w/\\lVert w\\rVert_2` (Cauchy-Schwarz). Serves DUBE-1 (reading 1b).

    Parameters
    ----------
    w : array_like, shape (..., n)
    delta : float or array_like, ``delta >= 0``

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> l2_gain([3.0, 4.0], 0.5)
    2.5
    """
    w = _weights(w)
    delta = _nonneg("delta", delta)
    _broadcast("delta", delta, w.shape[:-1], "w[..., 0]")
    return _out(delta * np.linalg.norm(w, axis=-1))


def gaussian_l2_norm_mean(n):
    """Mean Euclidean norm of a standard Gaussian vector, :math:`\\sim\\sqrt n`.

    .. math:: E\\lVert w\\rVert_2=\\frac{\\sqrt2\\,\\Gamma((n+1)/2)}{\\Gamma(n/2)}
       =\\frac{\\sqrt{2\\pi}}{B(n/2,1/2)},\\qquad w\\sim N(0,I_n),

    computed without overflow for large ``n``. Serves DUBE-1 (reading 1b).

    Parameters
    ----------
    n : int or array_like, ``n >= 1``

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(gaussian_l2_norm_mean(2), 12)   # sqrt(pi/2)
    1.253314137316
    """
    n = _dimension(n)
    return _out(math.sqrt(2.0) / gamma_half_ratio(n / 2.0))


def margin_distances(w, b, x):
    """Distances from ``x`` to the hyperplane :math:`w^\\top y+b=0` in L-infinity and L2.

    .. math:: d_\\infty=\\frac{|w^\\top x+b|}{\\lVert w\\rVert_1},\\qquad
       d_2=\\frac{|w^\\top x+b|}{\\lVert w\\rVert_2}

    (Hoelder duality). An :math:`L^\\infty` adversarial example of size ``eps`` exists in
    :math:`\\mathbb R^n` iff :math:`d_\\infty\\le\\varepsilon`, and
    :math:`d_\\infty\\le d_2\\le\\sqrt n\\,d_\\infty`. Keeping :math:`x+\\eta` in the box can only
    increase both (``numerics.boundary_distance``). Serves DUBE-1 (reading 1c).

    Parameters
    ----------
    w : array_like, shape (n,)
        Nonzero weights.
    b : float
        Bias.
    x : array_like, shape (..., n)
        Points.

    Returns
    -------
    d_inf, d_2 : float or ndarray, shape ``x.shape[:-1]``

    Examples
    --------
    >>> margin_distances([1.0, 1.0], -1.0, [1.0, 1.0])
    (0.5, 0.7071067811865475)
    """
    w = _v.array("w", w, ndim=1)
    if not np.any(w):
        raise ValueError(f"w must be a nonzero vector (some w_i != 0), got {w!r}")
    b = _v.real("b", b)
    x = _v.array("x", x)
    if x.shape[-1:] != w.shape:
        raise ValueError(f"x must have last axis {w.shape[0]} (the length of w), got shape "
                         f"{x.shape}")
    margin = np.abs(x @ w + b)
    return _out(margin / np.abs(w).sum()), _out(margin / np.linalg.norm(w))


def relative_linf_gain(w, x, eps, b=0.0):
    """Relative gain :math:`R`: the class flips within ``eps`` iff ``R >= 1``.

    Serves DUBE-1 (reading 1a): with aligned weights :math:`w_i=|g_i|` and
    :math:`x\\sim U[0,1]^n`, :math:`R\\to2\\varepsilon`; with zero-mean weights it grows like
    :math:`\\sqrt n` (see :func:`zero_mean_median_gain`).

    Parameters
    ----------
    w : array_like, shape (..., n)
    x : array_like, shape (..., n)
    eps : float, ``eps >= 0``
    b : float or array_like

    Returns
    -------
    float or ndarray (``inf`` where the margin is exactly 0)

    Examples
    --------
    >>> relative_linf_gain([1.0, 1.0, 1.0, 1.0], [0.75] * 4, 0.1, b=-2.0)
    0.4
    """
    w = _weights(w)
    x = _weights(x, "x")
    eps = _nonneg("eps", eps)
    b = _v.real_or_array("b", b)
    if x.shape[-1] != w.shape[-1]:
        raise ValueError(f"x must have last axis {w.shape[-1]} (that of w), got shape {x.shape}")
    _broadcast("x", x, w.shape, "w")
    lead = np.broadcast_shapes(w.shape, x.shape)[:-1]
    _broadcast("b", b, lead, "w.x")
    _broadcast("eps", eps, lead, "w.x")
    margin = np.abs(np.sum(w * x, axis=-1) + b)
    if np.any(margin == 0):
        raise ValueError("x lies on the decision boundary w.x + b = 0 (margin 0), where R is "
                         "infinite: every eps > 0 flips the class")
    return _out(eps * np.abs(w).sum(axis=-1) / margin)


def zero_mean_median_gain(n, eps):
    """Asymptotic median of :math:`R_n` for Gaussian weights and uniform pixels.

    .. math:: \\mathrm{median}(R_n)\\sim\\frac{\\varepsilon\\sqrt{6n/\\pi}}{\\Phi^{-1}(3/4)},

    from :math:`\\lVert w\\rVert_1\\approx n\\sqrt{2/\\pi}` and
    :math:`w^\\top x\\approx N(0,n/3)`. Serves DUBE-1 (reading 1a, model (ii)).

    Parameters
    ----------
    n : float or array_like, ``n >= 1``
    eps : float, ``eps >= 0``

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(zero_mean_median_gain(100, 0.01), 6)
    0.204892
    """
    n = _v.real_or_array("n", n, low=1.0)
    eps = _nonneg("eps", eps)
    _broadcast("eps", eps, n.shape, "n")
    return _out(eps * np.sqrt(6.0 * n / math.pi) / special.ndtri(0.75))


# ---------------------------------------------------------------------------------------------
# DUBE-2: distances to a class inside the cube
# ---------------------------------------------------------------------------------------------


def _partial_expectation(a):
    """:math:`\\varphi(a)-a\\bar\\Phi(a)=E(Z-a)_+`, without cancellation for large ``a``."""
    a = np.asarray(a, dtype=float)
    phi = np.exp(-0.5 * a * a) / _SQRT_2PI
    # For a > 0 the difference cancels; phi(a) * (1 - a R(a)) with the Mills ratio
    # R(a) = sqrt(pi/2) erfcx(a/sqrt 2) loses only ~2 log10(a) digits (a < 8.3 for alpha < 1).
    mills = math.sqrt(math.pi / 2.0) * special.erfcx(a / math.sqrt(2.0))
    pos = phi * (1.0 - a * mills)
    neg = phi - a * special.ndtr(-a)
    return np.where(a > 0, pos, neg)


def _normal_quantile_mp(al, start: float):
    """:math:`\\Phi^{-1}(\\alpha)` at the working precision, by Newton's method on
    :math:`\\ln\\Phi(a)-\\ln\\alpha` (lower tail) or :math:`\\ln\\bar\\Phi(a)-\\ln(1-\\alpha)` (upper
    tail) from the double-precision quantile: no ``1 - 2 alpha`` that cancels for tiny alpha."""
    if al == mp.mpf(1) / 2:
        return mp.mpf(0)
    a = mp.mpf(start)
    lower = al < mp.mpf(1) / 2
    target = mp.log(al) if lower else mp.log(1 - al)
    tol = mp.mpf(10) ** (-mp.mp.dps + 5)
    for _ in range(200):
        if lower:
            step = (mp.log(mp.ncdf(a)) - target) * mp.ncdf(a) / mp.npdf(a)
        else:
            step = -(mp.log(mp.ncdf(-a)) - target) * mp.ncdf(-a) / mp.npdf(a)
        a -= step
        if abs(step) <= tol * max(1, abs(a)):
            break
    return a


def cube_boundary_distance_bound(alpha, conditional: bool = False, n=None,
                                 precision: int | None = None):
    """Dimension-free bound :math:`B(\\alpha)` on the mean L2 distance to a class of measure alpha.

    For :math:`X\\sim U[0,1]^n` and any measurable :math:`A\\subset[0,1]^n` with
    :math:`P(X\\in A)\\ge\\alpha`, :math:`a=\\Phi^{-1}(\\alpha)`,

    .. math:: E\\,d_2(X,A)\\le B(\\alpha)=\\frac{\\varphi(a)-a\\bar\\Phi(a)}{\\sqrt{2\\pi}},
       \\qquad B(1/2)=\\frac1{2\\pi},

    because :math:`X=\\Phi(Z)` coordinatewise is :math:`(2\\pi)^{-1/2}`-Lipschitz and Gaussian
    isoperimetry bounds :math:`P(d_2>s)\\le\\bar\\Phi(a+\\sqrt{2\\pi}s)`
    (Shafahi et al., arXiv:1809.02104). Serves DUBE-2 (reading 2c) and DUBE-4 (4-M1, 4-M2).

    Parameters
    ----------
    alpha : float or array_like
        Measure of the target class, ``0 < alpha < 1``.
    conditional : bool
        Divide by :math:`1-\\alpha`: bound on :math:`E[d_2\\mid X\\notin A]` when
        :math:`P(A)=\\alpha` exactly.
    n : int, optional
        Divide by :math:`\\sqrt n`: the bound for the normalized norm.
    precision : int, optional
        Decimal digits; returns mpmath.

    Returns
    -------
    float, ndarray or mpmath.mpf

    Examples
    --------
    >>> round(cube_boundary_distance_bound(0.5) * 2 * 3.141592653589793, 14)
    1.0
    """
    alpha = _alpha(alpha)
    conditional = _flag("conditional", conditional)
    if n is not None:
        n = _dimension(n)
        _broadcast("n", n, alpha.shape, "alpha")
    precision = _v.precision("precision", precision)
    if precision is not None:
        if alpha.ndim or (n is not None and n.ndim):
            raise ValueError(f"alpha and n must be scalars when precision is given, got alpha "
                             f"shape {alpha.shape} and n shape {np.shape(n)}")
        with mp.workdps(precision + 15):
            al = mp.mpf(float(alpha))
            a = _normal_quantile_mp(al, float(special.ndtri(float(alpha))))
            val = (mp.npdf(a) - a * mp.ncdf(-a)) / mp.sqrt(2 * mp.pi)
            if conditional:
                val /= 1 - al
            if n is not None:
                val /= mp.sqrt(mp.mpf(int(n)))
        with mp.workdps(precision):
            return +val
    a = special.ndtri(alpha)
    val = _partial_expectation(a) / _SQRT_2PI
    if conditional:
        val = val / (1.0 - alpha)
    if n is not None:
        val = val / np.sqrt(n)
    return _out(val)


def cube_distance_tail_bound(alpha, s):
    """Isoperimetric tail :math:`P(d_2(X,A)>s)\\le\\bar\\Phi(\\Phi^{-1}(\\alpha)+\\sqrt{2\\pi}s)`.

    Serves DUBE-2 (reading 2c). Computed as ``ndtr(-(a + sqrt(2 pi) s))``, exact in the tail.

    Parameters
    ----------
    alpha : float or array_like, ``0 < alpha < 1``
    s : float or array_like, ``s >= 0``

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(cube_distance_tail_bound(0.5, 0.0), 12)
    0.5
    """
    alpha = _alpha(alpha)
    s = _nonneg("s", s)
    _broadcast("s", s, alpha.shape, "alpha")
    return _out(special.ndtr(-(special.ndtri(alpha) + _SQRT_2PI * s)))


def coordinate_halfspace_mean_distance(alpha, conditional: bool = False):
    """Mean distance to :math:`A=\\{x_1\\le\\alpha\\}` for :math:`X\\sim U[0,1]^n`, any ``n``.

    :math:`d_2(X,A)=d_\\infty(X,A)=(X_1-\\alpha)_+`, so :math:`E\\,d=(1-\\alpha)^2/2`, and
    :math:`E[d\\mid X\\notin A]=(1-\\alpha)/2` (``1/4`` at ``alpha = 1/2``) for every ``n``: raw
    distances do not shrink. Serves DUBE-2 (2b, 2c) and DUBE-4 (4-M1).

    Parameters
    ----------
    alpha : float or array_like, ``0 < alpha < 1``
    conditional : bool

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> coordinate_halfspace_mean_distance(0.5, conditional=True)
    0.25
    """
    alpha = _alpha(alpha)
    conditional = _flag("conditional", conditional)
    return _out((1.0 - alpha) / 2.0 if conditional else (1.0 - alpha) ** 2 / 2.0)


def generic_halfspace_distance_limit() -> float:
    """Limit :math:`1/\\sqrt{6\\pi}` of the mean distance to the generic half-space.

    The hyperplane distance is :math:`(\\sum X_i-n/2)/\\sqrt n\\to N(0,1/12)` in law, and the box
    adds :math:`O(1/\\sqrt n)`. Serves DUBE-2 (2b) and DUBE-4 (4-M1).

    Returns
    -------
    float

    Examples
    --------
    >>> round(generic_halfspace_distance_limit(), 12)
    0.230329432981
    """
    return 1.0 / math.sqrt(6.0 * math.pi)


def cube_mean_depth(n):
    """Mean distance from :math:`X\\sim U[0,1]^n` to the faces of the cube: :math:`1/(2(n+1))`.

    :math:`P(\\min_i\\min(X_i,1-X_i)>s)=(1-2s)^n`. The whole cube may hold one class, so this
    "boundary" is not a class boundary (DUBE-2, reading 2a).

    Parameters
    ----------
    n : int or array_like, ``n >= 1``

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> cube_mean_depth(4)
    0.1
    """
    n = _dimension(n)
    return _out(0.5 / (n + 1.0))


def brunn_minkowski_depth_bound(n, eps, volume=1.0):
    """Fraction of a body of given volume at depth :math:`\\ge\\varepsilon`: Brunn-Minkowski bound.

    .. math:: \\frac{|A_{-\\varepsilon}|}{|A|}\\le
       \\Bigl(1-\\varepsilon\\,\\omega_n^{1/n}|A|^{-1/n}\\Bigr)_+^n,

    from :math:`A_{-\\varepsilon}+\\varepsilon B^n\\subset A`; equality for balls, where it is
    :math:`(1-\\varepsilon/r)^n`. Serves DUBE-2 (reading 2a).

    Parameters
    ----------
    n : int or array_like, ``n >= 1``
    eps : float or array_like, ``eps >= 0``
    volume : float, ``volume > 0``

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(brunn_minkowski_depth_bound(2, 0.5, volume=3.141592653589793), 12)   # unit disc
    0.25
    """
    n = _dimension(n)
    eps = _nonneg("eps", eps)
    vol = _v.real_or_array("volume", volume, low=0.0, low_open=True)
    _broadcast("eps", eps, n.shape, "n")
    _broadcast("volume", vol, np.broadcast_shapes(n.shape, eps.shape), "n and eps")
    # omega_n^{1/n} and |A|^{-1/n} in logs: omega_n itself underflows past n ~ 450.
    log_omega = 0.5 * n * math.log(math.pi) - special.gammaln(n / 2.0 + 1.0)
    radius_inv = np.exp((log_omega - np.log(vol)) / n)
    base = np.clip(1.0 - eps * radius_inv, 0.0, None)
    return _out(base**n)


def tangent_projection_beta(n, d):
    """Law of the squared projection of a uniform unit vector on a ``d``-dimensional subspace.

    :math:`\\lVert P_Tu\\rVert^2\\sim\\mathrm{Beta}(d/2,(n-d)/2)`, mean :math:`d/n`. Serves DUBE-2
    (reading 2d).

    Parameters
    ----------
    n : int, ``n >= 2``
    d : int, ``1 <= d < n``

    Returns
    -------
    (a, b) : tuple of float
        Beta parameters.

    Examples
    --------
    >>> tangent_projection_beta(10, 3)
    (1.5, 3.5)
    """
    n = float(_v.integer("n", n, low=2))
    d = float(_v.integer("d", d, low=1))
    if d >= n:
        raise ValueError(f"d must satisfy 1 <= d < n = {n:g}, got {d:g}")
    return d / 2.0, (n - d) / 2.0


# ---------------------------------------------------------------------------------------------
# DUBE-4: the sphere
# ---------------------------------------------------------------------------------------------

# sphere_mean_abs_coordinate (E|x_1| on S^(n-1)) is shared with HD-5 and lives in theory.highdim;
# it is re-exported here so that the DUBE-4 functions sit in one namespace.

# ---------------------------------------------------------------------------------------------
# DUBE-5: multiresolution
# ---------------------------------------------------------------------------------------------


def _block(b) -> int:
    """Pixels per block: an integer >= 1."""
    return _v.integer("b", b, low=1)


def block_average(x, b):
    """Coarsen by averaging consecutive blocks of ``b`` pixels: :math:`(Dx)_j`.

    Serves DUBE-5. For 2-D images with ``s x s`` blocks (``b = s**2``) this is ``D`` after the
    pixel permutation that makes each block contiguous.

    Parameters
    ----------
    x : array_like, shape (..., n0 * b)
    b : int, ``b >= 1``

    Returns
    -------
    ndarray, shape (..., n0)

    Examples
    --------
    >>> block_average([1.0, 3.0, 0.0, 1.0], 2)
    array([2. , 0.5])
    """
    b = _block(b)
    x = _weights(x, "x")
    if x.shape[-1] % b:
        raise ValueError(f"x must have last axis divisible by b = {b}, got shape {x.shape}")
    return x.reshape(*x.shape[:-1], x.shape[-1] // b, b).mean(axis=-1)


def block_average_matrix(n0: int, b: int) -> np.ndarray:
    """The averaging operator :math:`D\\in\\mathbb R^{n_0\\times n_0b}`; :math:`DD^\\top=I/b`.

    Serves DUBE-5.

    Parameters
    ----------
    n0 : int, ``n0 >= 1``
    b : int, ``b >= 1``

    Returns
    -------
    ndarray, shape (n0, n0 * b)

    Examples
    --------
    >>> block_average_matrix(2, 2)
    array([[0.5, 0.5, 0. , 0. ],
           [0. , 0. , 0.5, 0.5]])
    """
    n0 = _v.integer("n0", n0, low=1)
    b = _block(b)
    if n0 * n0 * b > _MAX_ENTRIES:
        raise ValueError(f"n0 = {n0} and b = {b} ask for an n0 x n0 b matrix of {n0 * n0 * b:.3g} "
                         f"entries; at most {_MAX_ENTRIES} (1 GiB) are built: use block_average")
    return np.kron(np.eye(n0), np.full((1, b), 1.0 / b))


def lift(delta, b):
    """Minimum-norm solution of :math:`D\\eta=\\delta`: :math:`bD^\\top\\delta`, constant on blocks.

    :math:`D\\,\\mathrm{lift}(\\delta)=\\delta`, :math:`\\lVert\\mathrm{lift}\\,\\delta\\rVert_2
    =\\sqrt b\\lVert\\delta\\rVert_2`, so the normalized norms agree. Serves DUBE-5, DUBE-4 (4-M4).

    Parameters
    ----------
    delta : array_like, shape (..., n0)
    b : int, ``b >= 1``

    Returns
    -------
    ndarray, shape (..., n0 * b)

    Examples
    --------
    >>> lift([1.0, -2.0], 3)
    array([ 1.,  1.,  1., -2., -2., -2.])
    """
    b = _block(b)
    delta = _weights(delta, "delta")
    if delta.size * b > _MAX_ENTRIES:
        raise ValueError(f"b = {b} would lift delta ({delta.size} entries) to {delta.size * b:.3g} "
                         f"entries; at most {_MAX_ENTRIES} (1 GiB) are built")
    return np.repeat(delta, b, axis=-1)


def normalized_l2(eta):
    """Normalized norm :math:`\\lVert\\eta\\rVert_2/\\sqrt n` (L2 norm on the unit square).

    Serves DUBE-4, DUBE-5.

    Parameters
    ----------
    eta : array_like, shape (..., n)

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> normalized_l2([3.0, 4.0, 0.0, 0.0])
    2.5
    """
    eta = _weights(eta, "eta")
    return _out(np.linalg.norm(eta, axis=-1) / math.sqrt(eta.shape[-1]))


def multires_minimal_perturbation(v, c, x, b):
    """Minimal L2 perturbation flipping a classifier that only sees the coarse image ``Dx``.

    At resolution ``n = n0 b`` the classifier :math:`\\mathrm{sign}(v^\\top Dx+c)` sees
    :math:`w=D^\\top v`, :math:`\\lVert w\\rVert_2=\\lVert v\\rVert_2/\\sqrt b`,
    so the raw distance is :math:`\\sqrt b\\,d_{n_0}(Dx)` with
    :math:`d_{n_0}(y)=|v^\\top y+c|/\\lVert v\\rVert_2`, and the normalized one is
    :math:`d_{n_0}(Dx)/\\sqrt{n_0}`, the same at every resolution. Serves DUBE-4 (4-M4).

    Parameters
    ----------
    v : array_like, shape (n0,)
        Nonzero coarse weights.
    c : float
        Coarse bias.
    x : array_like, shape (..., n0 * b)
        Fine images.
    b : int, ``b >= 1``

    Returns
    -------
    raw, normalized : float or ndarray

    Examples
    --------
    >>> multires_minimal_perturbation([1.0, 0.0], -0.5, [1.0] * 8, 4)
    (1.0, 0.35355339059327373)
    """
    v = _weights(v, "v")
    if not np.any(v):
        raise ValueError(f"v must be a nonzero vector (some v_i != 0), got {v!r}")
    if v.ndim != 1:
        raise ValueError(f"v must be one vector (a 1-D array), got shape {v.shape}")
    c = _v.real("c", c)
    b = _block(b)
    x = _weights(x, "x")
    if x.shape[-1] != v.shape[-1] * b:
        raise ValueError(f"x must have {v.shape[-1] * b} pixels (len(v) * b), got {x.shape[-1]}")
    y = block_average(x, b)
    d0 = np.abs(y @ v + c) / np.linalg.norm(v)
    return _out(math.sqrt(b) * d0), _out(d0 / math.sqrt(v.shape[-1]))
