"""Evidence for MAN-1 to MAN-10: spectra, smoothness and robustness (Jiang, Zhou & Huang,
arXiv:2007.02047).

Golden values come from independent routes: sympy derivations, mpmath Hurwitz zeta sums, exact
constructions (power laws, reparametrizations, codes with known spectra), Monte Carlo at level
1 - 1e-6, and for the empirical claims the decision rules registered in
``theory/claims/spectrum.toml`` before the sweep was run.
"""

from __future__ import annotations

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from advgeom.numerics import local_error as le  # noqa: E402
from advgeom.numerics import montecarlo as mc  # noqa: E402
from advgeom.proofs import spectrum as derivations  # noqa: E402
from advgeom.theory import claims  # noqa: E402
from advgeom.theory import spectrum as spec  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

PRIMARY_SIGMAS = (0.2, 0.4, 0.6)
PRIMARY_EPS = (0.05, 0.1, 0.15)
WINDOW = (2, 30)


@pytest.fixture(scope="module", autouse=True)
def _single_threaded_blas():
    # Small matrices: threaded BLAS only adds contention on a 2-core machine.
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def sweeps():
    return {kind: le.run_sweep(kind) for kind in ("layers", "epochs")}


@pytest.fixture(scope="module")
def digits_test():
    _, Xte, _, yte = le.load_digits_data()
    return Xte, yte


@pytest.fixture(scope="module")
def net0():
    return le.trained_network(0)


def _registered(claim_id: str, reading: str | None = None) -> str:
    c = claims.get(claim_id)
    return c.reading(reading).verdict if reading else c.verdict


def _seed_ci(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Mean over seeds (axis 0) and the t half-width at ``level``."""
    from scipy import stats

    S = values.shape[0]
    half = stats.t.ppf(0.5 + level / 2, S - 1) * values.std(axis=0, ddof=1) / np.sqrt(S)
    return values.mean(axis=0), half


# ------------------------------------------------------------------------------------- MAN-1


@pytest.mark.claim("MAN-1", reading="1-NEC")
def test_stringer_criterion_derivation(evidence):
    """The necessity argument checks step by step; its expression is ``stringer_threshold``."""
    deriv = derivations.stringer_criterion()
    evidence.derivation(deriv)
    evidence.derivation(derivations.summation_by_parts())
    f = sp.lambdify(derivations.d, deriv.expression, "numpy")
    dims = np.linspace(0.25, 50.0, 200)
    evidence.check("max |1 + 2/d (sympy) - stringer_threshold(d)| on 200 points", float(
        np.max(np.abs(f(dims) - spec.stringer_threshold(dims)))), upper=1e-14,
        note="same formula by two routes: only rounding differs")
    for dim in (1, 2, 3):
        evidence.check(f"stringer_threshold({dim}) exact", str(spec.stringer_threshold(dim)),
                       passed=spec.stringer_threshold(dim) == 1 + sp.Rational(2, dim))
    evidence.check("stringer_threshold(oo)", str(spec.stringer_threshold(sp.oo)),
                   passed=spec.stringer_threshold(sp.oo) == 1)
    got = [spec.smoothness_series_converges(x, 2) for x in ("19/10", "2", "21/10")]
    evidence.check("d = 2: series converges at alpha = 1.9, 2, 2.1", str(got),
                   passed=got == [False, False, True])


def _fourier_norms(K: int, N: int, rng: np.random.Generator) -> np.ndarray:
    """``(|a_k|^2 + |b_k|^2)/N`` for random Gaussian coefficient vectors in ``R^N``."""
    return rng.chisquare(2 * N, size=K) / N


def _fourier_code_sq_displacement(rng, size, *, alpha, h, A, B):
    """|f(s+h) - f(s)|^2 at ``size`` uniform ``s`` for the code with coefficients A, B."""
    K = A.shape[0]
    k = np.arange(1, K + 1)
    s = rng.uniform(0, 2 * np.pi, size)
    amp = k ** (-alpha / 2)
    dc = (np.cos(np.outer(s + h, k)) - np.cos(np.outer(s, k))) * amp
    ds = (np.sin(np.outer(s + h, k)) - np.sin(np.outer(s, k))) * amp
    diff = dc @ A + ds @ B
    return np.sum(diff**2, axis=1)


@pytest.mark.claim("MAN-1", reading="1-NEC")
def test_random_fourier_code_difference_quotient_diverges_below_threshold(evidence):
    """d = 1: the mean-square difference quotient M(h)/h^2 of a random Fourier code grows like
    h^(alpha-3) below alpha* = 3 and converges above it."""
    rng = np.random.default_rng(20070202)
    N = 8
    # Monte Carlo over s confirms the exact E_s formula for a small random code.
    K_small = 40
    A = rng.standard_normal((K_small, N)) / np.sqrt(N)
    B = rng.standard_normal((K_small, N)) / np.sqrt(N)
    norms_small = np.sum(A**2, axis=1) + np.sum(B**2, axis=1)
    for alpha, h in ((2.5, 0.05), (3.5, 0.05)):
        sampler = functools.partial(_fourier_code_sq_displacement, alpha=alpha, h=h, A=A, B=B)
        est = mc.estimate_mean(sampler, 20_000, seed=mc.claim_seed("MAN-1", f"fourier {alpha}"),
                               block_size=5_000)
        exact = spec.random_fourier_code_msd(alpha, h, norms_small)
        evidence.check_estimate(f"E_s|f(s+h)-f(s)|^2, alpha={alpha}, h={h}: MC vs exact formula",
                                est, reference=exact,
                                note="CLT interval with the sample variance at level 1 - 1e-6 (no "
                                     "flakes); the formula is exact")
    # Divergence: the code with K >= 100/h modes and random coefficient norms.
    hs = np.geomspace(5e-4, 1e-1, 10)
    K = 2 * 10**5
    norms = _fourier_norms(K, N, rng)
    k = np.arange(1, K + 1, dtype=float)
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    rows = []
    for alpha in (2.0, 2.5, 3.5, 4.0):
        q = np.array([spec.random_fourier_code_msd(alpha, x, norms) for x in hs]) / hs**2
        slope = float(np.polyfit(np.log(hs[:4]), np.log(q[:4]), 1)[0])
        energy = float(np.dot(k ** (2 - alpha), norms) / 2)
        rows.append([alpha, f"{q[0]:.4g}", f"{q[-1]:.4g}", f"{slope:.3f}"])
        ax.loglog(hs, q, "o-", ms=3, label=f"alpha = {alpha}")
        if alpha < 3:
            evidence.check(f"alpha={alpha}: log-log slope of M(h)/h^2, h in [5e-4, 3.4e-3]",
                           slope, reference=alpha - 3, atol=0.03,
                           note="fractal regime: M(h) ~ 2 I(alpha) h^(alpha-1); K = 2e5 >= 100/h")
            evidence.check(f"alpha={alpha}: M/h^2 grows as h shrinks 200-fold",
                           float(q[0] / q[-1]), lower=0.5 * 200 ** (3 - alpha),
                           note="growth ~ 200^(3-alpha) for a fractal code; factor 0.5 allows the O(h^2) "
                                "correction at h = 0.1")
        else:
            evidence.check(f"alpha={alpha}: M(h)/h^2 at h = 5e-4 vs the energy "
                           "sum k^(2-alpha) |c_k|^2/2", float(q[0]), reference=energy, rtol=0.03,
                           note="smooth regime: the quotient converges to E|f'|^2 with a "
                           "correction O(h^(alpha-3)) = 2% at alpha = 3.5")
    ax.set_xlabel("h")
    ax.set_ylabel("M(h) / h^2")
    ax.set_title("random Fourier code (d = 1, alpha* = 3)")
    ax.legend(fontsize=8)
    evidence.figure(fig, "Mean-square difference quotient of a random Fourier code with spectrum "
                    "k^-alpha: it diverges as h -> 0 below the threshold alpha* = 1 + 2/d = 3 and "
                    "converges above it.")
    evidence.table("M(h)/h^2 at h = 5e-4 and 1e-1", ["alpha", "h = 5e-4", "h = 1e-1",
                                                      "slope"], rows)


@pytest.mark.claim("MAN-1")
def test_circle_code_displacement_matches_asymptotes(evidence):
    """The circle code's M(h) follows 2 I(alpha) h^(alpha-1) below alpha = 3, zeta(alpha-2) h^2
    above; I(alpha) in reflection form agrees with mpmath quadrature."""
    deriv = derivations.circle_code()
    evidence.derivation(deriv)
    I_sym = sp.lambdify(derivations.a, deriv.expression, "mpmath")
    from scipy import integrate

    for alpha in (1.5, 2.5):
        # split at 1: QAGS on the integrable endpoint singularity (1 - cos u written as
        # 2 sin^2(u/2) to avoid cancellation), the power tail in closed form, and QAWF for the
        # Fourier tail
        head = integrate.quad(lambda u, al=alpha: 2 * np.sin(u / 2) ** 2 * u ** (-al), 0, 1,
                              epsabs=0, epsrel=1e-13, limit=200)[0]
        osc = integrate.quad(lambda u, al=alpha: u ** (-al), 1, np.inf, weight="cos", wvar=1.0)[0]
        quad = head + 1 / (alpha - 1) - osc
        evidence.check(f"I({alpha}) closed form vs adaptive quadrature",
                       spec.circle_code_msd_constant(alpha), reference=float(quad), rtol=1e-9,
                       note="QUADPACK QAGS + QAWF; their error estimates are below 1e-11")
        evidence.check(f"I({alpha}) sympy expression vs theory", float(I_sym(alpha)),
                       reference=spec.circle_code_msd_constant(alpha), rtol=1e-12,
                       note="same closed form by sympy and numpy: rounding only")
    hs = np.array([1e-2, 1e-3, 1e-4])
    for alpha in (1.5, 2.0, 2.5, 3.5, 4.0):
        M = np.array([spec.circle_code_msd(alpha, x, kmax=int(100 / x), tail=True) for x in hs])
        ratio = M / spec.circle_code_msd_asymptote(alpha, hs)
        evidence.check(f"alpha={alpha}: M(1e-4)/asymptote", float(ratio[-1]), reference=1.0,
                       atol=0.01, note="next-order terms are O(h^(3-|alpha-3|)) relative")
        evidence.check(f"alpha={alpha}: |M/asymptote - 1| shrinks from h = 1e-2 to 1e-4",
                       float(abs(ratio[-1] - 1)), upper=float(abs(ratio[0] - 1)) + 1e-4,
                       note="the asymptote is approached as h -> 0; 1e-4 absorbs rounding when both "
                            "errors are tiny")
        slope = float(np.log(M[-1] / M[-2]) / np.log(hs[-1] / hs[-2]))
        evidence.check(f"alpha={alpha}: log-log slope of M on [1e-4, 1e-3]", slope,
                       reference=min(alpha - 1, 2.0), atol=0.03,
                       note="slope of the asymptote, min(alpha-1, 2); next-order terms shift it by < 0.03 "
                            "at h = 1e-4")


@pytest.mark.claim("MAN-1", reading="1-SUF")
@pytest.mark.claim("MAN-8", reading="8-MS")
def test_reassigned_code_has_threshold_spectrum_but_infinite_energy(evidence):
    """alpha = 4 > 3 yet E|g'|^2 = infinity: the criterion is necessary, not sufficient."""
    evidence.derivation(derivations.reassigned_code())
    alpha, q, K = 4.0, 2, 12
    # exact spectra on a uniform grid finer than twice the top frequency (discrete orthogonality)
    grid = np.arange(2 * K**q + 64) * (2 * np.pi / (2 * K**q + 64))
    n = np.arange(1, K + 1)
    amp = n ** (-alpha / 2)
    f = np.hstack([amp * np.cos(np.outer(grid, n)), amp * np.sin(np.outer(grid, n))])
    g = np.hstack([amp * np.cos(np.outer(grid, n**q)), amp * np.sin(np.outer(grid, n**q))])
    lam_f, lam_g = spec.spectrum(f), spec.spectrum(g)
    P = grid.size
    expected = np.repeat(n ** (-alpha) / 2, 2) * P / (P - 1)
    evidence.check("spectrum of g vs n^-alpha/2 (each twice)", float(
        np.max(np.abs(lam_g - expected) / expected)), upper=1e-10,
        note="exact discrete orthogonality on the grid: only eigensolver rounding (double "
             "precision)")
    evidence.check("spectrum of f equals spectrum of g", float(
        np.max(np.abs(lam_f - lam_g) / lam_g)), upper=1e-10,
        note="same spectrum by construction: only eigensolver rounding (double precision)")
    partial = spec.reassigned_code_energy(alpha, q, 10**5)
    evidence.check("partial energy sum_{n<=M} n^(2q-alpha) at M = 1e5", float(partial[-1]),
                   reference=1e5, rtol=1e-12, note="each term equals 1: linear growth")
    hs = np.array([1e-1, 1e-2, 1e-3])
    qg = np.array([spec.reassigned_code_msd(alpha, q, x, kmax=int(30 / np.sqrt(x)))
                   for x in hs]) / hs**2
    qf = np.array([spec.circle_code_msd(alpha, x, kmax=10**4) for x in hs]) / hs**2
    evidence.counterexample(
        "Same PCA spectrum (alpha = 4 > 1 + 2/1), different smoothness: the circle code's "
        "difference quotient converges to zeta(2), the reassigned code's grows without bound.",
        circle_quotients=str(np.round(qf, 4).tolist()), reassigned_quotients=str(
            np.round(qg, 2).tolist()), zeta2=float(np.pi**2 / 6))
    evidence.check("reassigned M(h)/h^2 grows 1000-fold-h", float(qg[-1] / qg[0]), lower=10.0,
                   note="pairs with n^2 h < 1 number ~ h^-1/2, so the quotient grows like "
                        "sqrt(1000) ~ 30 from h = 0.1 to 1e-3 (less at h = 0.1, outside the "
                        "asymptotic regime); a smooth code's quotient stays bounded")
    evidence.check("circle M(1e-3)/1e-6 vs zeta(2)", float(qf[-1]), reference=np.pi**2 / 6,
                   rtol=1e-3,
                   note="M(h)/h^2 = zeta(2) - O(h^2 log(1/h)) plus truncation O(kmax^-1) at kmax = 1e4: "
                        "both below 1e-3")


@pytest.mark.claim("MAN-1", reading="1-NEC")
@settings(max_examples=30)
@given(m=st.integers(4, 32), data=st.data())
def test_ky_fan_trace_bound_never_violated(m, data):
    """Ky Fan: tr(Phi^T L Phi) >= sum of the n smallest eigenvalues of L for orthonormal Phi."""
    n_cols = data.draw(st.integers(1, m))
    seed = data.draw(st.integers(0, 2**31 - 1))
    L = 2 * np.eye(m) - np.roll(np.eye(m), 1, axis=0) - np.roll(np.eye(m), -1, axis=0)
    Phi, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((m, n_cols)))
    lam = np.sort(np.linalg.eigvalsh(L))
    assert np.trace(Phi.T @ L @ Phi) >= lam[:n_cols].sum() - 1e-9


@pytest.mark.claim("MAN-1", reading="1-NEC")
@given(p=st.floats(1.05, 6.0), M=st.integers(1, 2000))
def test_partial_sums_never_exceed_integral_bound(p, M):
    """For p = alpha - 2/d > 1: sum_{n<=M} n^-p <= 1 + 1/(p-1) for every M."""
    n = np.arange(1, M + 1, dtype=float)
    assert np.sum(n ** (-p)) <= 1 + 1 / (p - 1) + 1e-12


# ------------------------------------------------------------------------------------- MAN-2


def _tiny_problem(seed: int, P: int = 30, p: int = 5, K: int = 3):
    rng = np.random.default_rng(seed)
    return rng.random((P, p)), rng.integers(0, K, P)


@pytest.mark.claim("MAN-2")
@given(w1=st.integers(2, 8), w2=st.integers(2, 8), seed=st.integers(0, 10**6),
       epochs=st.integers(1, 3))
def test_local_error_invariants_hold(w1, w2, seed, epochs):
    """(1) readouts never change; (3) layer 1 stays frozen while layer 2 trains; the same seed
    gives the same weights; under the simultaneous schedule layer 1 equals a 1-layer network."""
    X, y = _tiny_problem(seed)
    kw = {"epochs": epochs, "batch_size": 8, "n_classes": 3, "seed": seed}
    init = le.train_local_error_network(X, y, (w1, w2), **{**kw, "epochs": 0})
    two = le.train_local_error_network(X, y, (w1, w2), **kw)
    one = le.train_local_error_network(X, y, (w1,), **kw)
    for B0, B1 in zip(init.readouts, two.readouts, strict=True):
        assert np.array_equal(B0, B1)
    assert np.array_equal(two.weights[0], one.weights[0])
    assert np.array_equal(two.biases[0], one.biases[0])
    again = le.train_local_error_network(X, y, (w1, w2), **kw)
    assert all(np.array_equal(a, b) for a, b in zip(two.weights, again.weights, strict=True))
    sim = le.train_local_error_network(X, y, (w1, w2), schedule="simultaneous", **kw)
    sim1 = le.train_local_error_network(X, y, (w1,), schedule="simultaneous", **kw)
    assert np.array_equal(sim.weights[0], sim1.weights[0])
    assert np.array_equal(sim1.weights[0], one.weights[0])


@pytest.mark.claim("MAN-2")
def test_layer_update_is_its_own_local_gradient(evidence):
    """(2) one SGD step on layer 2 equals -lr times the finite-difference gradient of L_2 alone."""
    X, y = _tiny_problem(7, P=16)
    lr = 0.1
    net = le.train_local_error_network(X, y, (4, 3), epochs=0, n_classes=3, seed=3)
    trained = le.train_local_error_network(X, y, (4, 3), epochs=1, batch_size=16, lr=lr,
                                           n_classes=3, seed=3)
    # layer 2 starts from its initial weights, fed by the already trained (then frozen) layer 1
    a1 = trained.hidden(X)[0]
    W, b, B = net.weights[1].copy(), net.biases[1].copy(), net.readouts[1]

    def loss(Wv: np.ndarray) -> float:
        z = np.tanh(a1 @ Wv.T + b) @ B.T
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))

    grad = np.zeros_like(W)
    step = 1e-6
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = step
        grad[idx] = (loss(W + e) - loss(W - e)) / (2 * step)
    update = (W - trained.weights[1]) / lr
    evidence.check("max |update/lr - finite-difference dL_2/dW_2|", float(
        np.max(np.abs(update - grad))), upper=1e-8,
        note="central differences with step 1e-6: truncation O(1e-12), rounding O(1e-10)")
    layer1_frozen = bool(np.array_equal(trained.weights[0], le.train_local_error_network(
        X, y, (4,), epochs=1, batch_size=16, lr=lr, n_classes=3, seed=3).weights[0]))
    evidence.check("layer 1 unchanged by layer 2's step", layer1_frozen, passed=layer1_frozen)


@pytest.mark.claim("MAN-2")
def test_every_layer_generalizes_on_digits(evidence, sweeps):
    """Sanity value: every layer's random-readout test accuracy exceeds 0.9, in every seed."""
    acc = sweeps["layers"]["acc_clean"]
    evidence.check("min over seeds and layers of A-rand test accuracy", float(acc.min()),
                   lower=0.9,
                   note="the threshold stated in MAN-2's formal statement")
    mean, half = _seed_ci(acc)
    evidence.table("A-rand test accuracy (mean over 8 seeds, 95% t-interval)",
                   ["layer", "accuracy", "+/-"],
                   [[i + 1, f"{m:.4f}", f"{hw:.4f}"] for i, (m, hw) in enumerate(zip(mean, half,
                                                                                     strict=True))])


# ------------------------------------------------------------------------------------- MAN-3


@pytest.mark.claim("MAN-3", reading="3-EST")
def test_estimator_recovers_synthetic_exponents(evidence):
    rng = np.random.default_rng(3)
    rows, fig_data = [], {}
    for P in (1000, 2000, 5000):
        for alpha in (0.5, 1.0, 1.5, 2.0, 3.0):
            H = spec.synthetic_activations(alpha, 200, P, rng=rng)
            lam = spec.spectrum(H)
            est = spec.power_law_exponent(lam, ranks=(2, 50))
            tol = 0.08 if alpha == 0.5 else 0.05
            evidence.check(f"alpha={alpha}, P={P}: alpha_hat", est, reference=alpha, atol=tol,
                           note="P >= 5N; small alpha is biased low (Marchenko-Pastur)")
            if P == 2000:
                cv = spec.power_law_exponent(spec.spectrum(H, cv=True, rng=0), ranks=(2, 50))
                ols = spec.power_law_exponent(lam, ranks=(2, 50), weights="uniform")
                fig_data[alpha] = (est, cv, ols)
            rows.append([P, alpha, f"{est:.4f}"])
    evidence.table("alpha_hat, N = 200, window 2..50, 1/n weights", ["P", "alpha", "alpha_hat"],
                   rows)
    fig, ax = plt.subplots(figsize=(4.5, 3.4))
    al = np.array(sorted(fig_data))
    for i, lab in enumerate(("PCA, 1/n weights", "split-half cv, 1/n", "PCA, uniform")):
        ax.plot(al, [fig_data[x][i] for x in al], "o-", ms=4, label=lab)
    ax.plot(al, al, "k:", label="true")
    ax.set_xlabel("true alpha")
    ax.set_ylabel("fitted alpha")
    ax.legend(fontsize=8)
    evidence.figure(fig, "Fitted vs true exponent on synthetic Gaussian activations "
                    "(N = 200, P = 2000, window 2..50).")


@pytest.mark.claim("MAN-3", reading="3-EST")
@given(alpha=st.floats(0.1, 5.0), lo=st.integers(1, 20), width=st.integers(2, 80),
       scale=st.floats(1e-6, 1e6), delta=st.floats(-2.0, 2.0))
def test_exponent_exact_on_power_laws_scale_invariant_and_shift_equivariant(
        alpha, lo, width, scale, delta):
    """Exact laws are recovered to 1e-8 on any window; alpha_hat is invariant under
    lambda -> c lambda and shifts by exactly delta under lambda_n -> lambda_n n^-delta."""
    hi = lo + width
    lam = spec.power_law_spectrum(alpha, hi + 5)
    for w in ("1/n", "uniform"):
        a0 = spec.power_law_exponent(lam, ranks=(lo, hi), weights=w)
        assert abs(a0 - alpha) <= 1e-8
        assert abs(spec.power_law_exponent(scale * lam, ranks=(lo, hi), weights=w) - a0) <= 1e-9
        tilted = lam * np.arange(1, hi + 6, dtype=float) ** (-delta)
        if np.all(tilted[lo - 1 : hi] > 1e-12 * tilted[0]):
            assert abs(spec.power_law_exponent(tilted, ranks=(lo, hi), weights=w)
                       - (a0 + delta)) <= 1e-8


@pytest.mark.claim("MAN-3", reading="3-EST")
@settings(max_examples=15)
@given(seed=st.integers(0, 10**6), alpha=st.floats(0.5, 3.0), shift=st.floats(-5.0, 5.0))
def test_exponent_invariant_under_rotation_permutation_and_shift(seed, alpha, shift):
    """alpha_hat of activations is invariant under H -> HQ, neuron permutation and H -> H + c."""
    rng = np.random.default_rng(seed)
    H = spec.synthetic_activations(alpha, 30, 300, rng=rng)
    a0 = spec.power_law_exponent(spec.spectrum(H), ranks=(2, 15))
    Q, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    for G in (H @ Q, H[:, rng.permutation(30)], H + shift):
        assert abs(spec.power_law_exponent(spec.spectrum(G), ranks=(2, 15)) - a0) <= 1e-7


@pytest.mark.claim("MAN-3", reading="3-EST")
def test_estimator_rejects_windows_beyond_numerical_rank(evidence):
    H = np.random.default_rng(0).standard_normal((100, 10)) @ np.diag([1.0] * 5 + [0.0] * 5)
    lam = spec.spectrum(H)
    with pytest.raises(ValueError, match="hi="):
        spec.power_law_exponent(lam, ranks=(2, 8))
    with pytest.raises(ValueError, match="ranks"):
        spec.power_law_exponent(lam, ranks=(3, 3))
    evidence.check("numerical rank of a rank-5 activation matrix", int(lam.size), reference=5,
                   atol=0,
                   note="integer rank: exact")
    evidence.check("Hill density exponent 2 -> rank exponent", spec.density_to_rank_exponent(2.0),
                   reference=1.0, rtol=0,
                   note="1/(gamma - 1) at gamma = 2 is exactly 1 in floating point")


@pytest.mark.claim("MAN-3", reading="3-NET")
def test_network_spectra_are_power_laws_only_on_a_window(evidence, sweeps, net0, digits_test):
    """Rule 3-NET: adequate (halves agree) for every layer and window -> CONFIRMED, else
    CORRECTED."""
    Xte, _ = digits_test
    windows = [(2, 30), (2, 20), (5, 40)]
    rows, adequate = [], []
    for layer, H in enumerate(net0.hidden(Xte)):
        for w, res in zip(windows, spec.window_adequacy(H, ranks=windows, n_boot=200,
                                                        rng=layer), strict=True):
            adequate.append(res["adequate"])
            rows.append([layer + 1, f"{w[0]}..{w[1]}", f"{res['alpha']:.3f}",
                         f"{res['alpha_lower']:.3f}", f"{res['alpha_upper']:.3f}",
                         f"[{res['diff_ci'][0]:.2f}, {res['diff_ci'][1]:.2f}]",
                         res["adequate"]])
    evidence.table("Window adequacy, seed 0 (B = 200 image bootstrap)",
                   ["layer", "window", "alpha", "lower half", "upper half",
                    "95% CI upper-lower", "adequate"], rows)
    verdict = "CONFIRMED" if all(adequate) else "CORRECTED"
    evidence.check("3-NET verdict by the registered rule", verdict,
                   reference=_registered("MAN-3", "3-NET"),
                   passed=verdict == _registered("MAN-3", "3-NET"))
    evidence.check("MAN-3 verdict (3-EST CONFIRMED; claim follows 3-NET)", verdict,
                   reference=_registered("MAN-3"), passed=verdict == _registered("MAN-3"))
    spectra = sweeps["layers"]["spectra"][0]
    alphas = sweeps["layers"]["alpha"][0, :, 0]
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    n = np.arange(1, spectra.shape[1] + 1)
    for layer, lam in enumerate(spectra):
        ok = np.isfinite(lam)
        line, = ax.loglog(n[ok], lam[ok], lw=1.2, label=f"layer {layer + 1}: alpha = "
                          f"{alphas[layer]:.2f}")
        fit = spec.power_law_exponent(lam[ok], ranks=WINDOW, return_fit=True)
        nn = np.arange(WINDOW[0], WINDOW[1] + 1)
        ax.loglog(nn, np.exp(fit.intercept) * nn ** (-fit.alpha), "--", color=line.get_color())
    ax.axvspan(*WINDOW, color="0.9", zorder=0)
    ax.axvline(61, color="0.5", ls=":", lw=1)
    ax.set_xlabel("rank n")
    ax.set_ylabel("eigenvalue")
    ax.legend(fontsize=7)
    evidence.figure(fig, "Covariance spectra of the four layers (seed 0, digits test set) with "
                    "1/n-weighted power-law fits on ranks 2..30 (shaded); dotted: input rank 61.")


# ------------------------------------------------------------------------------------- MAN-4


def _hurwitz_D(alpha: float, N: int) -> mpmath.mpf:
    """D(alpha, N) by direct summation for small N (an independent route to the Hurwitz form)."""
    with mpmath.workdps(50):
        s1 = mpmath.fsum(mpmath.mpf(n) ** (-alpha) for n in range(1, N + 1))
        s2 = mpmath.fsum(mpmath.mpf(n) ** (-2 * alpha) for n in range(1, N + 1))
        return s1**2 / s2


@pytest.mark.claim("MAN-4", reading="4-PR")
def test_participation_ratio_closed_form_and_monotonicity(evidence):
    deriv = derivations.participation_ratio_monotone()
    evidence.derivation(deriv)
    f = sp.lambdify(derivations.a, deriv.expression.subs(sp.Symbol("N", integer=True,
                                                                   positive=True), 10).doit())
    for alpha in (0.0, 0.3, 1.0, 2.5):
        evidence.check(f"D({alpha}, 10): sympy expression vs theory", float(f(alpha)),
                       reference=spec.participation_ratio_power_law(alpha, 10), rtol=1e-12,
                       note="same closed form by sympy and mpmath (20 digits): rounding only")
        evidence.check(f"D({alpha}, 1000): Hurwitz form vs 50-digit direct sum",
                       spec.participation_ratio_power_law(alpha, 1000),
                       reference=float(_hurwitz_D(alpha, 1000)), rtol=1e-12,
                       note="Hurwitz form at 20 digits vs 50-digit direct sum: double rounding only")
    evidence.check("zeta(2)^2/zeta(4) at 50 digits", mpmath.nstr(
        spec.participation_ratio_power_law(2, precision=50) - mpmath.mpf(5) / 2, 5),
        passed=abs(spec.participation_ratio_power_law(2, precision=50) - mpmath.mpf(5) / 2)
        < mpmath.mpf(10) ** -45,
        note="both sides at 50 digits; 1e-45 leaves 5 digits for rounding")
    grid = np.linspace(0.0, 4.0, 41)
    D = spec.participation_ratio_power_law(grid, 200)
    evidence.check("D(alpha, 200) strictly decreasing on 41 points of [0, 4]",
                   float(np.max(np.diff(D))), upper=-1e-6,
                   note="strict decrease: a tie gives 0 > -1e-6; each 0.1 step in alpha lowers D by "
                        "more than 1e-2 here, far above 20-digit rounding")
    evidence.check("D(0, 200) = N", float(D[0]), reference=200.0, rtol=1e-12,
    note="H_N(0) = N exactly; the Hurwitz form at 20 digits loses only rounding")


@pytest.mark.claim("MAN-4", reading="4-PR")
def test_participation_ratio_asymptotic_regimes(evidence):
    """Log-log slopes in N over [1e6, 1e8] match their asymptotic forms."""
    zeta = lambda x: float(mpmath.zeta(x))  # noqa: E731
    regimes = {
        0.3: lambda N: N * (1 - 0.6) / 0.7**2,
        0.5: lambda N: 4 * N / np.log(N),
        0.75: lambda N: N**0.5 / (0.25**2 * zeta(1.5)),
        1.0: lambda N: np.log(N) ** 2 / zeta(2.0),
        2.0: lambda N: zeta(2.0) ** 2 / zeta(4.0) + 0 * N,
    }
    N1, N2 = 10**6, 10**8
    rows = []
    for alpha, asym in regimes.items():
        d1 = spec.participation_ratio_power_law(alpha, N1)
        d2 = spec.participation_ratio_power_law(alpha, N2)
        slope = np.log(d2 / d1) / np.log(N2 / N1)
        slope_asym = np.log(asym(N2) / asym(N1)) / np.log(N2 / N1)
        rows.append([alpha, f"{d2:.6g}", f"{asym(N2):.6g}", f"{slope:.4f}", f"{slope_asym:.4f}"])
        evidence.check(f"alpha={alpha}: slope of D in N vs asymptote's slope", float(slope),
                       reference=float(slope_asym), atol=0.02,
                       note="next-order corrections are O(1/ln N) or O(N^-(1-alpha))")
    evidence.table("D(alpha, N) at N = 1e8", ["alpha", "D", "asymptote", "slope",
                                              "asymptote slope"], rows)


@pytest.mark.claim("MAN-4", reading="4-PR")
@given(lam=st.lists(st.floats(0.0, 1e3), min_size=1, max_size=40).filter(
    lambda v: max(v) > 1e-3), scale=st.floats(1e-3, 1e3))
def test_participation_ratio_bounded_by_rank_and_scale_invariant(lam, scale):
    """1 <= D <= rank, and D(c lambda) = D(lambda)."""
    lam = np.array(lam)
    D = spec.participation_ratio(lam)
    assert 1 - 1e-12 <= D <= np.count_nonzero(lam) + 1e-9
    assert abs(spec.participation_ratio(scale * lam) - D) <= 1e-9 * D


@pytest.mark.claim("MAN-4", reading="4-IND")
def test_dimensionality_is_a_function_of_the_exponent_for_power_laws(evidence, sweeps):
    """For a pure power law D is a decreasing function of alpha (4-PR); in the sweeps the two
    measures co-vary (informational Spearman correlations)."""
    a1, a2 = 0.8, 1.6
    for N in (50, 500, 5000):
        evidence.check(f"N={N}: D(0.8, N) > D(1.6, N)",
                       spec.participation_ratio_power_law(a1, N),
                       lower=spec.participation_ratio_power_law(a2, N),
                       note="strict monotonicity in alpha (4-PR): the gap is O(N^0.2), far above rounding")
    from scipy import stats

    for kind in ("layers", "epochs"):
        r = sweeps[kind]
        rho = [stats.spearmanr(r["alpha"][s, :, 0], r["D"][s]).statistic
               for s in range(r["D"].shape[0])]
        evidence.record(f"{kind}: mean Spearman(alpha, D) over seeds", float(np.mean(rho)),
                        note="informational")


# ------------------------------------------------------------------------------------- MAN-5..7


def _assoc_verdict(label: str) -> str:
    return {"increasing": "CONFIRMED", "decreasing": "REFUTED", "non-monotone": "REFUTED",
            "inconclusive": "UNSUPPORTED"}[label]


def _monotone_verdict(labels: list[str]) -> str:
    if len(set(labels)) == 1 and labels[0] in ("increasing", "decreasing"):
        return "CONFIRMED"
    if "non-monotone" in labels:
        return "REFUTED"
    return "UNSUPPORTED"


def _nonmonotone_verdict(fgsm: list[str], pgd: list[str]) -> str:
    h7 = [lab == "non-monotone" for lab in fgsm]
    robust = any(h and p == "non-monotone" for h, p in zip(h7, pgd, strict=True))
    if any(h7):
        return "CONFIRMED" if robust else "CORRECTED"
    if len(set(fgsm)) == 1 and fgsm[0] in ("increasing", "decreasing"):
        return "REFUTED"
    return "UNSUPPORTED"


def _trend_row(name: str, res: spec.TrendResult) -> list:
    return [name, res.label, f"{res.rho_mean:.2f}", f"[{res.rho_ci[0]:.2f}, {res.rho_ci[1]:.2f}]",
            len(res.increasing_pairs), len(res.decreasing_pairs), res.not_a_function]


TREND_HEADER = ["condition", "label", "mean rho", "95% CI", "#increasing pairs",
                "#decreasing pairs", "not a function"]


def _accuracy_vs_alpha_figure(sweep: dict, acc: np.ndarray, columns: list[tuple[int, str]],
                              title: str, clean: bool = False):
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    a_mean, a_half = _seed_ci(sweep["alpha"][:, :, 0])
    order = np.argsort(a_mean)
    for col, label in columns:
        A = acc if clean else acc[..., col]
        m, hw = _seed_ci(A)
        ax.errorbar(a_mean[order], m[order], xerr=a_half[order], yerr=hw[order], fmt="o-", ms=4,
                    capsize=2, label=label)
    ax.set_xlabel("alpha (ranks 2..30), mean over seeds")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return fig


@pytest.mark.claim("MAN-5", reading="5-LAYERS")
@pytest.mark.claim("MAN-5", reading="5-EPOCHS")
def test_clean_accuracy_trend_in_alpha(evidence, sweeps):
    verdicts = {}
    rows = []
    for kind, reading in (("layers", "5-LAYERS"), ("epochs", "5-EPOCHS")):
        r = sweeps[kind]
        res = spec.classify_trend(r["alpha"][:, :, 0], r["acc_clean"])
        rows.append(_trend_row(kind, res))
        verdicts[reading] = _assoc_verdict(res.label)
        evidence.check(f"{reading}: verdict by the registered rule (label {res.label})",
                       verdicts[reading], reference=_registered("MAN-5", reading),
                       passed=verdicts[reading] == _registered("MAN-5", reading))
    evidence.table("classify_trend(alpha, clean accuracy), 8 seeds", TREND_HEADER, rows)
    assoc = list(verdicts.values())
    claim = ("CORRECTED" if "CONFIRMED" in assoc else
             "UNSUPPORTED" if "REFUTED" not in assoc else "REFUTED")
    evidence.check("MAN-5 claim verdict (5-NEC REFUTED by its own test)", claim,
                   reference=_registered("MAN-5"), passed=claim == _registered("MAN-5"))
    fig, axes = plt.subplots(1, 2, figsize=(6.5, 3.0))
    for ax, kind in zip(axes, ("layers", "epochs"), strict=True):
        r = sweeps[kind]
        a_mean, a_half = _seed_ci(r["alpha"][:, :, 0])
        m, hw = _seed_ci(r["acc_clean"])
        order = np.argsort(a_mean)
        ax.errorbar(a_mean[order], m[order], xerr=a_half[order], yerr=hw[order], fmt="o-", ms=4,
                    capsize=2)
        ax.set_title(f"R-{kind}", fontsize=9)
        ax.set_xlabel("alpha (ranks 2..30)")
    axes[0].set_ylabel("clean accuracy")
    evidence.figure(fig, "Clean random-readout accuracy against alpha across layers (left) and "
                    "training epochs (right), mean over 8 seeds with 95% t-intervals in both "
                    "coordinates.")


@pytest.mark.claim("MAN-5", reading="5-NEC")
@pytest.mark.claim("MAN-6", reading="6-FUNC")
@pytest.mark.claim("MAN-8", reading="8-ADV")
def test_reparametrization_sets_any_exponent_without_changing_accuracy(evidence, net0,
                                                                       digits_test):
    Xte, yte = digits_test
    layer = 0
    H = net0.hidden(Xte)[layer]
    base = {
        "clean": le.layer_accuracy(net0, Xte, yte, layer),
        "gauss 0.4": le.gaussian_noise_accuracy(net0, Xte, yte, 0.4, layer=layer, n_draws=5),
        "fgsm 0.1": le.fgsm_accuracy(net0, Xte, yte, 0.1, layer=layer),
        "pgd 0.1": le.pgd_accuracy(net0, Xte, yte, 0.1, layer=layer),
    }
    alpha0 = spec.power_law_exponent(spec.spectrum(H), ranks=WINDOW)
    rows = [["trained", f"{alpha0:.3f}", *(f"{v:.4f}" for v in base.values())]]
    L0 = net0.logits(Xte, layer)
    for beta in (0.0, 0.5, 5.0):
        rep = spec.reparametrize_spectrum(H, net0.readouts[layer], beta)
        view = le.ReparametrizedNet(net0, layer, rep)
        rel = float(np.max(np.abs(view.logits(Xte) - L0)) / np.max(np.abs(L0)))
        evidence.check(f"beta={beta}: max relative logit change", rel, upper=1e-10,
                       note=f"condition number of T = {rep.condition:.3g}; rounding only")
        a_hat = spec.power_law_exponent(spec.spectrum(rep.activations), ranks=WINDOW)
        evidence.check(f"beta={beta}: alpha_hat of the reparametrized layer", a_hat,
                       reference=beta, atol=1e-8,
                       note="the reparametrized spectrum is n^-beta up to eigensolver rounding; exact "
                            "laws are fitted to 1e-8")
        got = {
            "clean": float(np.mean(view.predict(Xte) == yte)),
            "gauss 0.4": le.gaussian_noise_accuracy(view, Xte, yte, 0.4, layer=layer, n_draws=5),
            "fgsm 0.1": le.fgsm_accuracy(view, Xte, yte, 0.1, layer=layer),
            "pgd 0.1": le.pgd_accuracy(view, Xte, yte, 0.1, layer=layer),
        }
        for key, value in got.items():
            evidence.check(f"beta={beta}: {key} accuracy unchanged", value,
                           reference=base[key], atol=0,
                           note="the same function must make the same predictions: exact equality")
        rows.append([f"beta = {beta}", f"{a_hat:.3f}", *(f"{v:.4f}" for v in got.values())])
    evidence.counterexample(
        "Layer 1 of the seed-0 digits network, reparametrized h' = T(h - m), B' = B T^-1: its "
        "exponent takes any value while clean, Gaussian, FGSM and PGD accuracies are identical.",
        trained_alpha=alpha0, betas="0, 0.5, 5", clean=base["clean"], fgsm_01=base["fgsm 0.1"])
    evidence.table("Reparametrized layer 1 (seed 0)", ["layer", "alpha_hat", *base], rows)


def _gauss_readings(r: dict) -> dict[str, np.ndarray]:
    return {"UNC": r["acc_gauss"], "COND": r["acc_gauss_cond"],
            "RATIO": r["acc_gauss"] / r["acc_gauss"][..., :1]}


@pytest.mark.parametrize("kind,reading", [
    pytest.param("layers", "UNC", marks=pytest.mark.claim("MAN-6", reading="6-LAYERS-UNC")),
    pytest.param("layers", "COND", marks=pytest.mark.claim("MAN-6", reading="6-LAYERS-COND")),
    pytest.param("layers", "RATIO", marks=pytest.mark.claim("MAN-6", reading="6-LAYERS-RATIO")),
    pytest.param("epochs", "UNC", marks=pytest.mark.claim("MAN-6", reading="6-EPOCHS-UNC")),
    pytest.param("epochs", "COND", marks=pytest.mark.claim("MAN-6", reading="6-EPOCHS-COND")),
    pytest.param("epochs", "RATIO", marks=pytest.mark.claim("MAN-6", reading="6-EPOCHS-RATIO")),
])
def test_gaussian_noise_accuracy_trend_in_alpha(evidence, sweeps, kind, reading):
    r = sweeps[kind]
    sigmas = list(le.SWEEP_DEFAULTS["sigmas"])
    A = _gauss_readings(r)[reading]
    evidence.check("sigma = 0 reproduces the clean accuracy", float(np.max(np.abs(
        r["acc_gauss"][..., 0] - r["acc_clean"]))), upper=0.0,
        note="sigma = 0 evaluates the same predictions: exact")
    labels, rows = [], []
    for sigma in PRIMARY_SIGMAS:
        res = spec.classify_trend(r["alpha"][:, :, 0], A[..., sigmas.index(sigma)])
        labels.append(res.label)
        rows.append(_trend_row(f"sigma = {sigma}", res))
    evidence.table(f"R-{kind}, reading {reading}: classify_trend(alpha, acc_sigma)", TREND_HEADER,
                   rows)
    verdict = _monotone_verdict(labels)
    rid = f"6-{kind.upper()}-{reading}"
    evidence.check(f"{rid}: verdict by the registered rule (labels {labels})", verdict,
                   reference=_registered("MAN-6", rid),
                   passed=verdict == _registered("MAN-6", rid))
    if reading == "UNC":
        mean = r["acc_gauss"].mean(axis=0)
        evidence.check("mean accuracy non-increasing in sigma (largest rise)", float(
            np.max(np.diff(mean, axis=-1))), upper=0.01,
            note="soft check: seed-mean accuracy may rise by sampling noise only")
        evidence.figure(_accuracy_vs_alpha_figure(
            r, r["acc_gauss"], [(sigmas.index(s), f"sigma = {s}") for s in PRIMARY_SIGMAS],
            f"R-{kind}: Gaussian noise"),
            f"R-{kind}: accuracy under Gaussian noise against alpha at the primary sigma, "
            "mean over 8 seeds with 95% t-intervals.")
        grads = r["grad_margin_l2"].mean(axis=0)
        evidence.table(f"R-{kind}: mean |grad_x margin|_2 per condition", ["condition",
                       "mean alpha", "mean |grad m|"], [[c + 1, f"{a:.3f}", f"{g:.3f}"] for c, (
                           a, g) in enumerate(zip(r["alpha"][:, :, 0].mean(0), grads,
                                                  strict=True))])


@pytest.mark.claim("MAN-6")
def test_gaussian_noise_claim_verdict(evidence, sweeps):
    """Claim-level rule: CORRECTED iff at least one sweep reading is CONFIRMED."""
    sigmas = list(le.SWEEP_DEFAULTS["sigmas"])
    rows = []
    for kind in ("layers", "epochs"):
        r = sweeps[kind]
        for rd, A in _gauss_readings(r).items():
            labels = [spec.classify_trend(r["alpha"][:, :, 0], A[..., sigmas.index(s)]).label
                      for s in PRIMARY_SIGMAS]
            rows.append([f"6-{kind.upper()}-{rd}", ", ".join(labels), _monotone_verdict(labels)])
    evidence.table("MAN-6 readings", ["reading", "labels at sigma = 0.2, 0.4, 0.6", "verdict"],
                   rows)
    claim = "CORRECTED" if any(row[2] == "CONFIRMED" for row in rows) else "UNSUPPORTED"
    evidence.check("MAN-6 claim verdict by the registered rule", claim,
                   reference=_registered("MAN-6"), passed=claim == _registered("MAN-6"))


@pytest.mark.parametrize("kind,key,reading", [
    pytest.param("layers", "acc_fgsm", "7-LAYERS", marks=pytest.mark.claim(
        "MAN-7", reading="7-LAYERS")),
    pytest.param("layers", "acc_fgsm_last", "7-LAST", marks=pytest.mark.claim(
        "MAN-7", reading="7-LAST")),
    pytest.param("epochs", "acc_fgsm", "7-EPOCHS", marks=pytest.mark.claim(
        "MAN-7", reading="7-EPOCHS")),
])
def test_fgsm_accuracy_trend_in_alpha(evidence, sweeps, kind, key, reading):
    r = sweeps[kind]
    eps = list(le.SWEEP_DEFAULTS["epsilons"])
    pgd_eps = list(le.SWEEP_DEFAULTS["pgd_epsilons"])
    level = 0.05 / len(PRIMARY_EPS)
    evidence.check("eps = 0 reproduces the clean accuracy", float(np.max(np.abs(
        r[key][..., 0] - r["acc_clean"]))), upper=0.0,
        note="eps = 0 leaves the inputs unchanged: exact")
    evidence.record("fraction of exactly-zero input-gradient coordinates (masking diagnostic)",
                    float(r["zero_grad_frac"].mean()), note="np.sign(0) = 0 leaves them unmoved")
    fgsm, pgd, rows = [], [], []
    for e in PRIMARY_EPS:
        res = spec.classify_trend(r["alpha"][:, :, 0], r[key][..., eps.index(e)], level=level)
        pres = spec.classify_trend(r["alpha"][:, :, 0], r["acc_pgd"][..., pgd_eps.index(e)],
                                   level=level)
        fgsm.append(res.label)
        pgd.append(pres.label)
        rows += [_trend_row(f"FGSM eps = {e}", res), _trend_row(f"PGD eps = {e}", pres)]
    evidence.table(f"R-{kind} ({key}): classify_trend at level 0.05/3", TREND_HEADER, rows)
    verdict = _nonmonotone_verdict(fgsm, pgd)
    evidence.check(f"{reading}: verdict by the registered rule (FGSM {fgsm}, PGD {pgd})",
                   verdict, reference=_registered("MAN-7", reading),
                   passed=verdict == _registered("MAN-7", reading))
    if reading == "7-LAYERS":
        evidence.check("MAN-7 claim verdict (that of 7-LAYERS)", verdict,
                       reference=_registered("MAN-7"), passed=verdict == _registered("MAN-7"))
        gap = (r["acc_fgsm"][..., [eps.index(e) for e in pgd_eps]] - r["acc_pgd"]).mean(axis=0)
        evidence.table("FGSM - PGD accuracy gap per layer", ["layer", *(
            f"eps = {e}" for e in pgd_eps)], [[c + 1, *(f"{g:.3f}" for g in row)] for c, row in
                                              enumerate(gap)])
    if key == "acc_fgsm":
        fig = _accuracy_vs_alpha_figure(r, r["acc_fgsm"], [(eps.index(e), f"FGSM eps = {e}")
                                                           for e in PRIMARY_EPS],
                                        f"R-{kind}: FGSM (own readout)")
        ax = fig.axes[0]
        a_mean = r["alpha"][:, :, 0].mean(axis=0)
        order = np.argsort(a_mean)
        for e in PRIMARY_EPS:
            m, hw = _seed_ci(r["acc_pgd"][..., pgd_eps.index(e)])
            ax.errorbar(a_mean[order], m[order], yerr=hw[order], fmt="x:", ms=4, capsize=2,
                        label=f"PGD eps = {e}")
        ax.legend(fontsize=6, ncol=2)
        evidence.figure(fig, f"R-{kind}: accuracy under FGSM (solid) and 10-step PGD (dotted) "
                        "against alpha at the primary eps, mean over 8 seeds with 95% "
                        "t-intervals.")


# ------------------------------------------------------------------------------------- MAN-8


def _linear_correct(rng, size, *, w, mu, sigma=0.0, eps=0.0):
    """Whether sign(w.x') = y for x = y mu + z, x' = x + sigma xi - eps y sign(w)."""
    y = rng.choice([-1.0, 1.0], size)
    x = y[:, None] * mu + rng.standard_normal((size, mu.size))
    if sigma:
        x = x + sigma * rng.standard_normal(x.shape)
    if eps:
        x = x - eps * y[:, None] * np.sign(w)
    return y * (x @ w) > 0


@pytest.mark.claim("MAN-8", reading="8-ADV")
def test_linear_model_equal_noise_robustness_unequal_fgsm_robustness(evidence):
    deriv = derivations.linear_attacks()
    evidence.derivation(deriv)
    p = 64
    mu = np.zeros(p)
    mu[:4] = 1.0
    r = np.tile([1.0, -1.0], p // 2) / np.sqrt(p)
    r -= mu * (r @ mu) / (mu @ mu)
    r /= np.linalg.norm(r)
    w_sparse, w_dense = mu.copy(), mu + 0.3 * np.linalg.norm(mu) * r
    w_sym = sp.symbols("w_1:4", real=True, nonzero=True)
    f = sp.lambdify([*w_sym, derivations.e, sp.Symbol("m", positive=True)], deriv.expression)
    w3 = np.array([0.7, -1.2, 0.4])
    mu3 = np.array([0.5, -0.8, 0.1])
    evidence.check("sympy FGSM accuracy (p = 3) vs theory", float(f(*w3, 0.2, w3 @ mu3)),
                   reference=spec.linear_fgsm_accuracy(w3, mu3, 0.2), rtol=1e-12,
                   note="same closed form by sympy and scipy: rounding only")
    rows = []
    for name, w in (("sparse w = mu", w_sparse), ("dense w = mu + 0.3|mu| r", w_dense)):
        closed = {"clean": spec.linear_clean_accuracy(w, mu),
                  "gauss 0.5": spec.linear_gaussian_accuracy(w, mu, 0.5),
                  "fgsm 0.25": spec.linear_fgsm_accuracy(w, mu, 0.25)}
        for key, kwargs in (("clean", {}), ("gauss 0.5", {"sigma": 0.5}),
                            ("fgsm 0.25", {"eps": 0.25})):
            ind = functools.partial(_linear_correct, w=w, mu=mu, **kwargs)
            est = mc.estimate_probability(ind, 50_000, seed=mc.claim_seed("MAN-8", name + key),
                                          block_size=50_000)
            evidence.check_estimate(f"{name}: {key} accuracy, MC vs closed form", est,
                                    reference=closed[key],
                                    note="Clopper-Pearson interval at level 1 - 1e-6 (no flakes) must "
                                         "contain the closed form")
        rows.append([name, f"{np.abs(w).sum() / np.linalg.norm(w):.3f}",
                     *(f"{v:.4f}" for v in closed.values())])
    evidence.table("Linear Gaussian model, p = 64", ["classifier", "|w|_1/|w|_2", "clean",
                                                     "Gaussian 0.5", "FGSM 0.25"], rows)
    gap_gauss = abs(spec.linear_gaussian_accuracy(w_sparse, mu, 0.5)
                    - spec.linear_gaussian_accuracy(w_dense, mu, 0.5))
    gap_fgsm = (spec.linear_fgsm_accuracy(w_sparse, mu, 0.25)
                - spec.linear_fgsm_accuracy(w_dense, mu, 0.25))
    evidence.check("Gaussian-accuracy gap between the classifiers", gap_gauss, upper=0.02,
                   note="near-equal Gaussian robustness: the cosines of w and mu differ little; "
                        "0.02 is a quarter of the FGSM gap required below")
    evidence.check("FGSM-accuracy gap between the classifiers", gap_fgsm, lower=0.08,
                   note="FGSM costs eps |w|_1, which differs widely between sparse and dense w: "
                        "a gap at least four times the Gaussian bound")
    # any exponent: h = W x with W = diag(n^(-alpha/2)) V^T, readout v = W^-T w
    V, _ = np.linalg.qr(np.random.default_rng(8).standard_normal((p, p)))
    x = np.random.default_rng(9).standard_normal((5, p))
    for alpha in (0.5, 5.0):
        W = np.diag(np.arange(1, p + 1) ** (-alpha / 2)) @ V.T
        v = np.linalg.solve(W.T, w_dense)
        lam = np.sort(np.linalg.eigvalsh(W @ W.T))[::-1]
        evidence.check(f"alpha={alpha}: within-class spectrum exponent of h = Wx",
                       spec.power_law_exponent(lam, ranks=(2, 30)), reference=alpha, atol=1e-8,
                       note="W W^T has eigenvalues n^-alpha exactly; exact laws are fitted to 1e-8 "
                            "(eigensolver rounding)")
        evidence.check(f"alpha={alpha}: readout v.h equals w.x", float(np.max(np.abs(
            (x @ W.T) @ v - x @ w_dense))), upper=1e-8,
            note="v = W^-T w: rounding of a solve with condition number <= 64^(5/2) ~ 3e4 on "
                 "|w.x| ~ 10, far below 1e-8")
    evidence.counterexample(
        "Two linear classifiers with near-equal clean and Gaussian accuracy differ by "
        f"{gap_fgsm:.3f} in FGSM accuracy (eps = 0.25); either can be given any spectral exponent "
        "without changing any accuracy.", gauss_gap=gap_gauss, fgsm_gap=gap_fgsm)
    fig, ax = plt.subplots(figsize=(5.0, 3.2))
    grid = np.linspace(0, 0.6, 61)
    for name, w, ls in (("sparse", w_sparse, "-"), ("dense", w_dense, "--")):
        ax.plot(grid, spec.linear_gaussian_accuracy(w, mu, grid), ls, label=f"{name}: Gaussian sigma")
        ax.plot(grid, spec.linear_fgsm_accuracy(w, mu, grid), ls, label=f"{name}: FGSM eps")
    ax.set_xlabel("sigma or eps")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=7)
    evidence.figure(fig, "Linear Gaussian model (p = 64): both classifiers are equally robust to "
                    "Gaussian noise but differ under FGSM, whose cost is eps |w|_1.")


# ------------------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("call,name", [
    (lambda: spec.stringer_threshold(0), "d="),
    (lambda: spec.stringer_threshold(np.array([1.0, -2.0])), "d="),
    (lambda: spec.circle_code_msd(0.9, 0.1, kmax=10), "alpha="),
    (lambda: spec.circle_code_msd(2.0, -0.1, kmax=10), "h="),
    (lambda: spec.reassigned_code_msd(4.0, 2, 0.1, kmax=0), "kmax="),
    (lambda: spec.random_fourier_code_msd(2.0, 0.1, np.array([1.0, -1.0])), "norms"),
    (lambda: spec.power_law_spectrum(-1.0, 5), "alpha="),
    (lambda: spec.spectrum(np.ones((1, 3))), "activations"),
    (lambda: spec.power_law_exponent(np.ones(10), ranks=(2, 20)), "ranks="),
    (lambda: spec.power_law_exponent(np.ones(10), ranks=(2, 5), weights="1/n^2"), "weights="),
    (lambda: spec.participation_ratio(np.array([1.0, -1.0])), "eigenvalues"),
    (lambda: spec.participation_ratio_power_law(0.5), "alpha="),
    (lambda: spec.reparametrize_spectrum(np.ones((5, 2)), np.ones((3, 2)), 1.0), "H"),
    (lambda: spec.linear_fgsm_accuracy(np.ones(3), np.ones(3), -0.1), "eps="),
    (lambda: spec.classify_trend(np.ones((2, 3)), np.ones((2, 3))), "S >= 3"),
    (lambda: le.train_local_error_network(np.ones((4, 2)), np.zeros(4, int), (3,),
                                          schedule="async"), "schedule="),
    (lambda: le.train_local_error_network(np.ones((4, 2)), np.array([0, 1, 2, 5]), (3,),
                                          n_classes=3), "y: labels"),
])
def test_bad_inputs_raise_value_errors_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
