r"""Boundary tilting: the geometry of a linear classifier relative to the nearest-centroid direction.

Tanay & Griffin, "A boundary tilting perspective on the phenomenon of adversarial examples"
(arXiv:1608.07690), "A New Angle on L2 Regularization" (arXiv:1806.11186) and T. Tanay,
"Adversarial Examples, Explained" (KDnuggets 2018, seed ``001_47eba05031dc0c58.txt``).

Notation (claims ``TILT-*`` in ``theory/claims/tilting.toml``)
----------------------------------------------------------------
* labels :math:`y=-1` for class I, :math:`y=+1` for class J; centroids :math:`i, j`, sizes
  :math:`n_I, n_J`; centroid gap :math:`g=\|j-i\|`; nearest-centroid (NC) normal
  :math:`\hat z=(j-i)/g`; projector :math:`P_\perp = I-\hat z\hat z^T`.
* classifier :math:`s(x)=w\cdot x+b`, signed distance :math:`d(x)=\hat w\cdot x+b/\|w\|`, so
  :math:`s=\|w\|d` (TILT-D1).
* tilting angle :math:`\theta=\operatorname{atan2}(\|P_\perp w\|, w\cdot\hat z)` and the Gram-Schmidt
  normal :math:`\hat n=P_\perp w/\|P_\perp w\|` (TILT-B1).
* projected image :math:`x_p=x-d(x)\hat w`, mirror image :math:`x_m=x-2d(x)\hat w` (TILT-D2).
* adversarial distance :math:`d_{adv}=\frac1n\sum_T y\,d(x)`; error distance
  :math:`d_{err}=\frac1n\sum_{yd\le0}(-yd)`.
* regularized loss :math:`L_\lambda(w,b)=\frac1n\sum f(y s(x))+\lambda\|w\|^2`, bias unpenalized.

Every function validates its input and raises ``ValueError`` naming the parameter, its value and
the valid range.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]])
>>> y = np.array([-1, -1, 1, 1])
>>> nearest_centroid_direction(X, y)
array([1., 0.])
>>> w = np.array([1.0, 1.0])
>>> round(float(tilting_angle(w, X, y)), 12) == round(np.pi / 4, 12)
True
"""

from __future__ import annotations

import math

import numpy as np
from advgeom.theory import _validate as check

__all__ = [
    "DegenerateTiltingPlaneError",
    "class_centroids",
    "nearest_centroid_direction",
    "tilting_plane",
    "tilting_angle",
    "angle_to_direction",
    "signed_distance",
    "projected_images",
    "mirror_images",
    "minimal_l2_perturbation",
    "adversarial_distance",
    "error_distance",
    "adversarial_distance_formula",
    "adversarial_strength",
    "within_class_scatter",
    "hinge_threshold",
    "hinge_closed_form",
    "logistic_tilt_constant",
    "project_to_tilting_plane",
    "boundary_line_in_plane",
    "span3_basis",
    "toy2d_mirror",
    "block_toy",
    "toy_random_pixels",
    "linf_flip_budget",
    "upsample",
    "tilt_error_closed_form",
    "tilt_accuracy_closed_form",
    "scaled_hinge",
    "scaled_softplus",
]


class DegenerateTiltingPlaneError(ValueError):
    """The tilting plane span(z_hat, w) is a line: w is parallel to the NC direction z_hat."""


# --------------------------------------------------------------------------------------------
# validation helpers


def _matrix(X, name: str = "X") -> np.ndarray:
    X = check.array(name, X, ndim=(1, 2))
    if X.ndim == 1:
        X = X[None, :]
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (samples, features), got shape {X.shape}")
    return X


def _vector(w, name: str = "w", dim: int | None = None) -> np.ndarray:
    w = check.array(name, w, ndim=1)
    if dim is not None and w.size != dim:
        raise ValueError(f"{name} has {w.size} components; expected {dim} (the number of features "
                         "of w and X)")
    return w


def _nonzero(w: np.ndarray, name: str = "w") -> float:
    nrm = float(np.linalg.norm(w))
    if nrm == 0.0:
        raise ValueError(f"{name}=0 defines no boundary; valid: any non-zero vector")
    return nrm


def _labels(y, n: int) -> np.ndarray:
    y = check.array("y", y, ndim=1, min_size=0)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X, got {y.shape}")
    vals = set(np.unique(y).tolist())
    if not vals <= {-1, 1} or len(vals) != 2:
        raise ValueError(f"y must contain both labels -1 (class I) and +1 (class J) only, got {sorted(vals)}")
    return y


def _bias(b, name: str = "b") -> float:
    return check.real(name, b)


def _finite(a, name: str) -> np.ndarray:
    return check.real_or_array(name, a)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


# --------------------------------------------------------------------------------------------
# core geometry


def class_centroids(X, y) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Centroids and sizes of the two classes: ``(i, j, n_I, n_J)``.

    Class I has label -1, class J label +1.  Serves TILT-D8, TILT-X2.

    Examples
    --------
    >>> i, j, nI, nJ = class_centroids([[0.0], [2.0], [4.0]], [-1, 1, 1])
    >>> i, j, nI, nJ
    (array([0.]), array([3.]), 1, 2)
    """
    X = _matrix(X)
    y = _labels(y, X.shape[0])
    mI, mJ = y < 0, y > 0
    return X[mI].mean(axis=0), X[mJ].mean(axis=0), int(mI.sum()), int(mJ.sum())


def nearest_centroid_direction(X, y) -> np.ndarray:
    r"""Unit normal of the nearest-centroid classifier, :math:`\hat z=(j-i)/\|j-i\|`.

    Raises ``ValueError`` when the two centroids coincide (no NC direction).  Serves TILT-B1.

    Examples
    --------
    >>> nearest_centroid_direction([[0.0, 0.0], [0.0, 2.0]], [-1, 1])
    array([0., 1.])
    """
    i, j, _, _ = class_centroids(X, y)
    diff = j - i
    g = float(np.linalg.norm(diff))
    if g == 0.0:
        raise ValueError("X, y: the class centroids coincide (centroid gap g=0); z_hat needs g > 0")
    return diff / g


def tilting_plane(w, z_hat, rtol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    r"""Orthonormal basis :math:`(\hat z, \hat n)` of the tilting plane span(:math:`\hat z`, w).

    Gram-Schmidt: :math:`n = w-(w\cdot\hat z)\hat z`, :math:`\hat n=n/\|n\|` (seed, after Fig. 4).

    Parameters
    ----------
    w : array_like, shape (d,)
        Weight vector of the classifier (non-zero).
    z_hat : array_like, shape (d,)
        Unit NC direction (renormalized here).
    rtol : float
        ``DegenerateTiltingPlaneError`` is raised when :math:`\|n\|\le` rtol :math:`\|w\|`.

    Raises
    ------
    DegenerateTiltingPlaneError
        When w is parallel to z_hat: the plane is undefined.  This is exactly the regime of the
        L2-regularized hinge SVM at :math:`\lambda\ge\lambda^*` (TILT-X2), so the claim TILT-B1
        "every problem can be visualized in the plane" needs a convention there (TILT-B1, TILT-D12).

    Examples
    --------
    >>> zh, nh = tilting_plane([1.0, 1.0, 0.0], [1.0, 0.0, 0.0])
    >>> nh
    array([0., 1., 0.])
    >>> try:
    ...     tilting_plane([2.0, 0.0], [1.0, 0.0])
    ... except DegenerateTiltingPlaneError as exc:
    ...     print(str(exc)[:22])
    w is parallel to z_hat
    """
    rtol = check.real("rtol", rtol, low=0.0, high=1.0, low_open=True, high_open=True)
    w = _vector(w, "w")
    z = _vector(z_hat, "z_hat", w.size)
    nw = _nonzero(w, "w")
    z = z / _nonzero(z, "z_hat")
    n = w - (w @ z) * z
    # re-orthogonalize once: a single Gram-Schmidt pass loses orthogonality when w is close to z
    n = n - (n @ z) * z
    nn = float(np.linalg.norm(n))
    if nn <= rtol * nw:
        raise DegenerateTiltingPlaneError(
            f"w is parallel to z_hat (||P_perp w||/||w|| = {nn / nw:.3g} <= rtol={rtol:g}): the tilting "
            "plane is a line; this happens for the hinge SVM at lambda >= lambda* (TILT-X2); use a "
            "direction from lambda < lambda* as a convention"
        )
    return z, n / nn


def angle_to_direction(w, z_hat):
    r"""Angle between w and a unit direction, :math:`\operatorname{atan2}(\|P_\perp w\|, w\cdot\hat z)`.

    Accepts a stack of weight vectors (shape (..., d)) and returns one angle per vector; atan2 keeps
    full relative precision near 0, where arccos loses half the digits.  Serves TILT-B1, TILT-B8.

    Examples
    --------
    >>> float(angle_to_direction([1e-9, 1.0], [0.0, 1.0]))
    1e-09
    """
    w = check.array("w", w, ndim=(1, 2, 3))
    z = _vector(z_hat, "z_hat")
    if w.shape[-1] != z.size:
        raise ValueError(f"w has {w.shape[-1]} components; expected {z.size} (those of z_hat)")
    z = z / _nonzero(z, "z_hat")
    if np.any(np.linalg.norm(w, axis=-1) == 0.0):
        raise ValueError("w=0 has no direction, so no angle; valid: non-zero vectors")
    par = w @ z
    perp = w - par[..., None] * z
    perp = perp - (perp @ z)[..., None] * z
    return np.arctan2(np.linalg.norm(perp, axis=-1), par)


def tilting_angle(w, X, y) -> float:
    r"""Tilting angle :math:`\theta=\operatorname{atan2}(\|P_\perp w\|, w\cdot\hat z)` of w on (X, y).

    :math:`\theta\in[0,\pi]`; 0 means the classifier is parallel to nearest centroid.  This is the
    paper's "deviation angle" (TILT-P4).  Serves TILT-B1, TILT-B8, TILT-P7.

    Examples
    --------
    >>> round(float(tilting_angle([1.0, 0.0], [[0.0, 0.0], [1.0, 0.0]], [-1, 1])), 15)
    0.0
    """
    X = _matrix(X)
    w = _vector(w, "w", X.shape[1])
    _nonzero(w, "w")
    return float(angle_to_direction(w, nearest_centroid_direction(X, y)))


def signed_distance(w, b: float, X) -> np.ndarray:
    r"""Signed Euclidean distance to the boundary, :math:`d(x)=(w\cdot x+b)/\|w\|` (TILT-D1).

    Examples
    --------
    >>> signed_distance([3.0, 4.0], -5.0, [[0.0, 0.0], [3.0, 4.0]])
    array([-1.,  4.])
    """
    X = _matrix(X)
    w = _vector(w, "w", X.shape[1])
    return (X @ w + _bias(b)) / _nonzero(w, "w")


def projected_images(w, b: float, X) -> np.ndarray:
    r"""Orthogonal projections onto the boundary, :math:`x_p=x-d(x)\hat w` (TILT-D2).

    Examples
    --------
    >>> projected_images([1.0, 0.0], -1.0, [[3.0, 2.0]])
    array([[1., 2.]])
    """
    X = _matrix(X)
    w = _vector(w, "w", X.shape[1])
    d = signed_distance(w, b, X)
    return X - d[:, None] * (w / np.linalg.norm(w))


def mirror_images(w, b: float, X) -> np.ndarray:
    r"""Mirror images through the boundary, :math:`x_m=x-2d(x)\hat w` (TILT-D2).

    :math:`d(x_m)=-d(x)` and :math:`\|x-x_m\|=2|d(x)|`.

    Examples
    --------
    >>> mirror_images([1.0, 0.0], -1.0, [[3.0, 2.0]])
    array([[-1.,  2.]])
    """
    X = _matrix(X)
    w = _vector(w, "w", X.shape[1])
    d = signed_distance(w, b, X)
    return X - 2.0 * d[:, None] * (w / np.linalg.norm(w))


def minimal_l2_perturbation(w, b: float, X) -> np.ndarray:
    r"""Minimal L2 perturbation reaching the boundary, :math:`\delta^*(x)=-d(x)\hat w` (TILT-P3).

    The solution of :math:`\min\|\delta\|_2` s.t. :math:`s(x+\delta)=0`; the same direction for
    every x (the paper's contrast with deep networks).

    Examples
    --------
    >>> minimal_l2_perturbation([0.0, 2.0], 0.0, [[5.0, 3.0]])
    array([[ 0., -3.]])
    """
    return projected_images(w, b, X) - _matrix(X)


def adversarial_distance(w, b: float, X, y) -> float:
    r"""Mean signed margin :math:`d_{adv}=\frac1n\sum_T y\,d(x)` (arXiv:1806.11186; TILT-D8).

    Examples
    --------
    >>> adversarial_distance([1.0, 0.0], -1.0, [[0.0, 0.0], [2.0, 5.0]], [-1, 1])
    1.0
    """
    X = _matrix(X)
    y = _labels(y, X.shape[0])
    return float(np.mean(y * signed_distance(w, b, X)))


def error_distance(w, b: float, X, y) -> float:
    r"""Mean distance of the misclassified points, :math:`d_{err}=\frac1n\sum_{yd\le0}(-yd)` (TILT-D5).

    Examples
    --------
    >>> error_distance([1.0], 0.0, [[1.0], [3.0]], [-1, 1])
    0.5
    """
    X = _matrix(X)
    y = _labels(y, X.shape[0])
    u = y * signed_distance(w, b, X)
    return float(np.mean(np.where(u <= 0.0, -u, 0.0)))


def adversarial_distance_formula(theta, centroid_gap, n_I=None, n_J=None, midpoint_distance=0.0):
    r"""Closed form of the adversarial distance in terms of the tilting angle (TILT-D8).

    .. math:: d_{adv} = \tfrac12 g\cos\theta + (\pi_J-\pi_I)\,d\big(\tfrac{i+j}2\big),

    with :math:`\pi_I=n_I/n`, :math:`\pi_J=n_J/n`.  For balanced classes (or when the counts are
    omitted) this is the post's :math:`\tfrac12 g\cos\theta`, independent of the bias; for unbalanced
    classes the second term depends on b through the signed distance of the centroid midpoint.

    Parameters
    ----------
    theta : float or ndarray
        Tilting angle in [0, pi].
    centroid_gap : float or ndarray
        :math:`g=\|j-i\|\ge0`.
    n_I, n_J : int, optional
        Class sizes (both or neither).
    midpoint_distance : float or ndarray
        :math:`d((i+j)/2)`, the signed distance of the centroid midpoint to the boundary.

    Examples
    --------
    >>> float(adversarial_distance_formula(0.0, 2.0))
    1.0
    >>> float(adversarial_distance_formula(0.0, 2.0, n_I=1, n_J=3, midpoint_distance=0.4))
    1.2
    """
    theta = check.real_or_array("theta", theta, low=0.0, high=np.pi)
    g = check.real_or_array("centroid_gap", centroid_gap, low=0.0)
    out = 0.5 * g * np.cos(theta)
    if (n_I is None) != (n_J is None):
        raise ValueError(f"n_I={n_I!r} and n_J={n_J!r} must be given together (or both omitted for "
                         "balanced classes)")
    if n_I is not None:
        n_I = check.integer("n_I", n_I, low=1)
        n_J = check.integer("n_J", n_J, low=1)
        n = n_I + n_J
        out = out + (n_J - n_I) / n * _finite(midpoint_distance, "midpoint_distance")
    return out[()] if out.ndim == 0 else out


def adversarial_strength(w, b: float, X, y) -> float:
    r"""Adversarial strength, reading A of TILT-P4: :math:`S=d_{adv}(\mathrm{NC})/d_{adv}(w,b)`.

    For balanced classes :math:`d_{adv}(\mathrm{NC})=g/2` and :math:`S=1/\cos\theta`.  Requires
    :math:`d_{adv}(w,b)>0`.

    Examples
    --------
    >>> X = [[0.0, 0.0], [2.0, 0.0]]
    >>> round(adversarial_strength([1.0, 1.0], -1.0, X, [-1, 1]) ** 2, 12)
    2.0
    """
    X = _matrix(X)
    _vector(w, "w", X.shape[1])
    _bias(b)
    i, j, _, _ = class_centroids(X, y)
    z = nearest_centroid_direction(X, y)
    d_nc = adversarial_distance(z, -z @ (i + j) / 2.0, X, y)
    d_c = adversarial_distance(w, b, X, y)
    if not d_c > 0.0:
        raise ValueError(f"w, b: the adversarial distance of (w, b) is {d_c:.3g}; strength needs "
                         "d_adv > 0")
    return d_nc / d_c


def within_class_scatter(X, y) -> np.ndarray:
    r"""Pooled within-class covariance :math:`S_w=\frac1n\sum_T (x-c_{y(x)})(x-c_{y(x)})^T` (TILT-D13).

    Examples
    --------
    >>> within_class_scatter([[0.0], [2.0], [5.0], [7.0]], [-1, -1, 1, 1])
    array([[1.]])
    """
    X = _matrix(X)
    y = _labels(y, X.shape[0])
    i, j, _, _ = class_centroids(X, y)
    C = X - np.where(y[:, None] > 0, j, i)
    return C.T @ C / X.shape[0]


def _require_balanced(y, n: int) -> np.ndarray:
    y = _labels(y, n)
    nI, nJ = int(np.sum(y < 0)), int(np.sum(y > 0))
    if nI != nJ:
        raise ValueError(
            f"y: the classes must be balanced (n_I = n_J), got n_I={nI}, n_J={nJ}; with unbalanced classes "
            "the hinge weight does not reach (j - i)/(4 lambda) (TILT-X6)"
        )
    return y


def hinge_threshold(X, y) -> float:
    r"""Exact threshold :math:`\lambda^*` of the L2-regularized hinge SVM (TILT-X2).

    For :math:`L_\lambda(w,b)=\frac1n\sum\max(0,1-y(w\cdot x+b))+\lambda\|w\|^2` on balanced classes,

    .. math:: w^*(\lambda)=\frac{j-i}{4\lambda}\iff\lambda\ge\lambda^*=
              \frac{\max_{x\in J}p(x)-\min_{x\in I}p(x)}{8},\quad p(x)=(j-i)\cdot x.

    Proof sketch: hinge :math:`\ge 1-z` gives :math:`L\ge1-w\cdot m+\lambda\|w\|^2`,
    :math:`m=(j-i)/2`, minimized by :math:`m/(2\lambda)`; the bound is attained iff some b puts every
    point inside its margin, which is the inequality above.

    Raises ``ValueError`` for unbalanced classes (there the limit is not NC; TILT-X6).

    Examples
    --------
    >>> hinge_threshold([[0.0], [1.0], [3.0], [4.0]], [-1, -1, 1, 1])
    1.5
    """
    X = _matrix(X)
    y = _require_balanced(y, X.shape[0])
    i, j, _, _ = class_centroids(X, y)
    p = X @ (j - i)
    return float((p[y > 0].max() - p[y < 0].min()) / 8.0)


def hinge_closed_form(X, y, lam: float) -> tuple[np.ndarray, tuple[float, float]]:
    r"""Hinge SVM solution for :math:`\lambda\ge\lambda^*`: :math:`w=(j-i)/(4\lambda)` and its bias interval.

    Every b in :math:`[-1-\min_I p/(4\lambda),\,1-\max_J p/(4\lambda)]` is optimal (TILT-X2, TILT-D9).

    Examples
    --------
    >>> w, (lo, hi) = hinge_closed_form([[0.0], [1.0], [3.0], [4.0]], [-1, -1, 1, 1], 3.0)
    >>> w, lo, hi
    (array([0.25]), -1.0, 0.0)
    """
    X = _matrix(X)
    y = _require_balanced(y, X.shape[0])
    lam_star = hinge_threshold(X, y)
    lam = check.real("lam", lam, low=0.0, low_open=True)
    if not lam >= lam_star:
        raise ValueError(f"lam={lam!r} must be >= lambda*={lam_star!r} for the closed form")
    i, j, _, _ = class_centroids(X, y)
    p = X @ (j - i)
    return (j - i) / (4.0 * lam), (
        float(-1.0 - p[y < 0].min() / (4.0 * lam)),
        float(1.0 - p[y > 0].max() / (4.0 * lam)),
    )


def logistic_tilt_constant(X, y) -> float:
    r"""Large-lambda constant of L2 logistic regression: :math:`\lim\theta\lambda=\|P_\perp S_w\hat z\|/8`.

    From :math:`w^*\approx\frac1{4\lambda}(I+S/(8\lambda))^{-1}m` (balanced classes, TILT-X3).

    Examples
    --------
    >>> X = [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, -1.0]]
    >>> logistic_tilt_constant(X, [-1, -1, 1, 1])
    0.0
    """
    X = _matrix(X)
    y = _require_balanced(y, X.shape[0])
    z = nearest_centroid_direction(X, y)
    v = within_class_scatter(X, y) @ z
    return float(np.linalg.norm(v - (v @ z) * z) / 8.0)


def project_to_tilting_plane(X, w, z_hat) -> np.ndarray:
    r"""Coordinates :math:`(x\cdot\hat z, x\cdot\hat n)` of each row in the tilting plane (TILT-B1, B9).

    Propagates ``DegenerateTiltingPlaneError`` when w is parallel to z_hat.  The first column does
    not depend on w (TILT-B9).  Distances to the boundary are preserved; distances between points
    are contracted (TILT-D12).

    Examples
    --------
    >>> project_to_tilting_plane([[1.0, 2.0, 3.0]], [1.0, 1.0, 0.0], [1.0, 0.0, 0.0])
    array([[1., 2.]])
    """
    X = _matrix(X)
    z, n = tilting_plane(_vector(w, "w", X.shape[1]), z_hat)
    return np.column_stack([X @ z, X @ n])


def boundary_line_in_plane(w, b: float, z_hat) -> tuple[float, float, float]:
    r"""Boundary in plane coordinates: :math:`(w\cdot\hat z)u+\|P_\perp w\|v+b=0`, as ``(A, B, C)``.

    Examples
    --------
    >>> boundary_line_in_plane([1.0, 1.0], -1.0, [1.0, 0.0])
    (1.0, 1.0, -1.0)
    """
    b = _bias(b)
    z, n = tilting_plane(w, z_hat)
    w = np.asarray(w, dtype=np.float64)
    return float(w @ z), float(w @ n), b


def span3_basis(z_hat, w_a, w_b, rtol: float = 1e-10) -> np.ndarray:
    r"""Orthonormal basis (rows) of span(:math:`\hat z, w_a, w_b`), first row :math:`\hat z` (TILT-B4).

    Raises ``DegenerateTiltingPlaneError`` when the span has rank < 3 (e.g. a hinge weight from
    :math:`\lambda\ge\lambda^*`, parallel to :math:`\hat z`).

    Examples
    --------
    >>> span3_basis([1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0])
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    rtol = check.real("rtol", rtol, low=0.0, high=1.0, low_open=True, high_open=True)
    z = _vector(z_hat, "z_hat")
    z = z / _nonzero(z, "z_hat")
    basis = [z]
    for name, v in (("w_a", w_a), ("w_b", w_b)):
        v = _vector(v, name, z.size)
        nv = _nonzero(v, name)
        r = v.copy()
        for _ in range(2):
            for e in basis:
                r = r - (r @ e) * e
        if np.linalg.norm(r) <= rtol * nv:
            raise DegenerateTiltingPlaneError(
                f"{name} lies in the span of the previous vectors: span(z_hat, w_a, w_b) has rank < 3 "
                "(a hinge weight at lambda >= lambda* is parallel to z_hat, TILT-X2)"
            )
        basis.append(r / np.linalg.norm(r))
    return np.array(basis)


# --------------------------------------------------------------------------------------------
# toys


def toy2d_mirror(a, phi):
    r"""Mirror of the 2-D toy point :math:`(a,0)` through :math:`w_\varphi=(\cos\varphi,\sin\varphi)`, b=0.

    :math:`x_m=(-a\cos2\varphi,\,-a\sin2\varphi)` and :math:`\|x-x_m\|=2|a|\cos\varphi` (TILT-D3).
    Returns an array of shape ``broadcast(a, phi).shape + (2,)``.

    Examples
    --------
    >>> toy2d_mirror(-0.8, 0.0)
    array([0.8, 0. ])
    """
    a = _finite(a, "a")
    phi = check.real_or_array("phi", phi, low=0.0, high=np.pi / 2)
    return np.stack(np.broadcast_arrays(-a * np.cos(2 * phi), -a * np.sin(2 * phi)), axis=-1)


def block_toy(a, dim: int = 785, left: int | None = None) -> np.ndarray:
    r"""The toy of TILT-B2 embedded as constant pixel blocks (reading R2).

    The 2-D point :math:`(a, c)` becomes :math:`x=a\,1_A/\sqrt{|A|}+c\,1_B/\sqrt{|B|}`, an isometry;
    here :math:`c=0` (the data line).  ``left`` = :math:`|A|` (default dim // 2).

    Examples
    --------
    >>> block_toy([0.5], dim=4).round(3)
    array([[0.354, 0.354, 0.   , 0.   ]])
    """
    dim = check.integer("dim", dim, low=2, high=10**8)
    left = dim // 2 if left is None else check.integer("left", left, low=1, high=dim - 1)
    a = check.array("a", a, ndim=(0, 1), min_size=1).reshape(-1)
    X = np.zeros((a.size, dim))
    X[:, :left] = a[:, None] / math.sqrt(left)
    return X


def toy_random_pixels(n: int, h: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    r"""TILT-D3b: h x 2h images, left half i.i.d. U[-1,-0.1] (class I) or U[0.1,1] (class J), right half 0.

    Returns ``(X, y)`` with n images per class, left-half pixels first (column-major halves).

    Examples
    --------
    >>> X, y = toy_random_pixels(2, 1, np.random.default_rng(0))
    >>> X.shape, y.tolist()
    ((4, 2), [-1, -1, 1, 1])
    """
    n = check.integer("n", n, low=1, high=10**7)
    h = check.integer("h", h, low=1, high=10**4)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng={rng!r} must be a numpy.random.Generator")
    m = h * h
    left = rng.uniform(0.1, 1.0, size=(2 * n, m))
    left[:n] *= -1.0
    X = np.concatenate([left, np.zeros((2 * n, m))], axis=1)
    return X, np.repeat([-1, 1], n)


def linf_flip_budget(w, b: float, X) -> np.ndarray:
    r"""Minimal L-infinity perturbation flipping the sign of s: :math:`\varepsilon^*=|s(x)|/\|w\|_1`.

    Serves TILT-P1 and the L-infinity remark of TILT-B2.

    Examples
    --------
    >>> linf_flip_budget([1.0, -1.0], 0.0, [[2.0, 0.0]])
    array([1.])
    """
    X = _matrix(X)
    w = _vector(w, "w", X.shape[1])
    n1 = float(np.abs(w).sum())
    if n1 == 0.0:
        raise ValueError("w=0 defines no boundary; valid: any non-zero vector")
    return np.abs(X @ w + _bias(b)) / n1


def upsample(x_img, w_img, k: int, p: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Resolution increase of TILT-P1 premise T.

    :math:`x'=x\otimes1_{k\times k}` and :math:`w'=(w\otimes1_{k\times k})/k^p`.

    Examples
    --------
    >>> xs, ws = upsample([[1.0]], [[2.0]], 2, p=2)
    >>> xs.tolist(), ws.tolist()
    ([[1.0, 1.0], [1.0, 1.0]], [[0.5, 0.5], [0.5, 0.5]])
    """
    k = check.integer("k", k, low=1, high=10**4)
    p = check.real("p", p)
    x = check.array("x_img", x_img, ndim=2)
    w = check.array("w_img", w_img, ndim=2)
    if x.shape != w.shape:
        raise ValueError(f"x_img and w_img must be 2-D images of equal shape, got {x.shape}, {w.shape}")
    block = np.ones((int(k), int(k)))
    return np.kron(x, block), np.kron(w, block) / float(k) ** p


def tilt_error_closed_form(delta, sigma):
    r"""Error of the tilted classifier of TILT-P5 with spread :math:`\sigma` along the tilt direction.

    Data: :math:`x_1=\pm u`, :math:`u\sim U[0.1,1]`, label sign(:math:`x_1`);
    :math:`x_2\sim N(0,\sigma^2)`; :math:`w=(\cos\delta,\sin\delta,0,\dots)`, b=0.  With
    :math:`a=\cot\delta/\sigma`,

    .. math:: E=\frac1{0.9}\Big[u\Phi(-au)-\frac{\varphi(au)}a\Big]_{u=0.1}^{u=1},

    computed with ``scipy.special.ndtr`` at negative arguments (no cancellation).  E = 0 when
    :math:`\sigma=0` or :math:`\delta=0` and :math:`\delta<\pi/2`.

    Examples
    --------
    >>> float(tilt_error_closed_form(1.0, 0.0))
    0.0
    >>> 0.0 < float(tilt_error_closed_form(1.5, 0.1)) < 0.5
    True
    """
    from scipy.special import ndtr

    delta = check.real_or_array("delta", delta, low=0.0, high=np.pi / 2, high_open=True)
    sigma = check.real_or_array("sigma", sigma, low=0.0)
    delta, sigma = np.broadcast_arrays(delta, sigma)
    out = np.zeros(delta.shape)
    live = (sigma > 0) & (delta > 0)
    a = np.cos(delta[live]) / np.sin(delta[live]) / sigma[live]

    def prim(u):
        return u * ndtr(-a * u) - np.exp(-0.5 * (a * u) ** 2) / (math.sqrt(2 * math.pi) * a)

    out[live] = (prim(1.0) - prim(0.1)) / 0.9
    return out[()] if out.ndim == 0 else out


def tilt_accuracy_closed_form(delta, sigma):
    """Accuracy 1 - E of the TILT-P5 tilted classifier (see :func:`tilt_error_closed_form`).

    Examples
    --------
    >>> float(tilt_accuracy_closed_form(0.5, 0.01))
    1.0
    """
    return 1.0 - tilt_error_closed_form(delta, sigma)


def scaled_hinge(u, k):
    r"""Hinge loss at norm k and signed margin u, divided by k: :math:`\max(1/k-u,0)` (TILT-D4).

    Examples
    --------
    >>> float(scaled_hinge(0.5, 4.0))
    0.0
    """
    u = _finite(u, "u")
    k = check.real_or_array("k", k, low=0.0, low_open=True)
    return np.maximum(1.0 / k - u, 0.0)


def scaled_softplus(u, k):
    r"""Softplus loss of a classifier of norm k at margin u, divided by k: :math:`\ln(1+e^{-ku})/k` (TILT-D4).

    Computed with ``np.logaddexp`` (no overflow for large k|u|).

    Examples
    --------
    >>> round(float(scaled_softplus(0.0, 1.0)), 15) == round(float(np.log(2.0)), 15)
    True
    """
    u = _finite(u, "u")
    k = check.real_or_array("k", k, low=0.0, low_open=True)
    return np.logaddexp(0.0, -k * u) / k
