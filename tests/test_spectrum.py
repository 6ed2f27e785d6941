"""Evidence for MAN-1 to MAN-10: spectra, smoothness and robustness (Jiang, Zhou & Huang,
arXiv:2007.02047).

Golden values come from independent routes: sympy derivations from stated premises, mpmath direct
sums, quadrature, lattice-point counts, exact constructions (power laws, reparametrizations, codes
with known spectra) and Monte Carlo at level 1 - 1e-6. The empirical claims (MAN-3 3-NET, MAN-5,
MAN-6, MAN-7) are decided by the rules registered in ``theory/claims/spectrum.toml``: each test
computes the registered statistic and its interval at the rule's per-test level over the sweep
seeds, and ``numerics.decisions.decide`` derives the outcome, which the verdict engine compares
with the registry.
"""

from __future__ import annotations

import functools
import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402
from advgeom.numerics import decisions  # noqa: E402
from advgeom.numerics import local_error as le  # noqa: E402
from advgeom.numerics import montecarlo as mc  # noqa: E402
from advgeom.numerics.reproduce_spectrum import _abs_iv as _abs_interval  # noqa: E402
from advgeom.numerics.reproduce_spectrum import _max_iv, _min_iv, _neg_iv, _turn_iv  # noqa: E402
from advgeom.proofs import spectrum as derivations  # noqa: E402
from advgeom.theory import claims  # noqa: E402
from advgeom.theory import spectrum as spec  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

PRIMARY_SIGMAS = (0.2, 0.4, 0.6)
PRIMARY_EPS = (0.05, 0.1, 0.15)
WINDOW = (2, 30)
#: Exponent difference below which two conditions are not ordered by alpha (registered in the
#: rule text of MAN-5, MAN-6 and MAN-7).
ALPHA_RESOLUTION = 0.1


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
    return le.trained_network(le.sweep_seeds(1)[0])


def _seed_ci(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Mean over seeds (axis 0) and the t half-width at ``level`` (for figures only)."""
    from scipy import stats

    S = values.shape[0]
    half = stats.t.ppf(0.5 + level / 2, S - 1) * values.std(axis=0, ddof=1) / np.sqrt(S)
    return values.mean(axis=0), half


# ------------------------------------------------------------------------------------- MAN-1


def ref_weyl_exponent(d: int, K: int, n_range: tuple[int, int]) -> float:
    """Growth exponent of the eigenvalues of the Laplacian on the flat torus T^d (the squared
    lengths |k|^2 of the lattice points k in Z^d, sorted), by a log-log fit over the ranks
    ``n_range``; the enumeration |k|_inf <= K is complete for |k|^2 <= K^2."""
    axis = np.arange(-K, K + 1)
    grids = np.meshgrid(*([axis] * d), indexing="ij")
    mu = np.sort(sum(g.astype(float) ** 2 for g in grids).ravel())
    mu = mu[mu <= K * K]
    ranks = np.unique(np.geomspace(*n_range, 60).astype(int))
    return float(np.polyfit(np.log(ranks), np.log(mu[ranks]), 1)[0])


@pytest.mark.claim("MAN-1", reading="1-NEC")
def test_stringer_necessity_derivation(evidence):
    """The necessity argument from its premises (Abel summation with the Ky Fan partial sums of
    normalized quotients, Weyl's law, lambda_n >= c n^-alpha, alpha <= 1 + 2/d) to E_M >= c c_W H_M;
    the threshold 1 + 2/d against Weyl's exponent counted on the torus."""
    deriv = derivations.stringer_necessity(3)
    evidence.derivation(deriv)
    evidence.derivation(derivations.summation_by_parts())
    evidence.record("the harmonic series diverges (sympy is_convergent)",
                    str(sp.Sum(1 / derivations.n, (derivations.n, 1, sp.oo)).is_convergent()),
                    passed=sp.Sum(1 / derivations.n, (derivations.n, 1, sp.oo)).is_convergent()
                    is sp.false, note="so E_M >= c c_W H_M is unbounded in M")
    for dim, K, n_range in ((1, 20_000, (1_000, 30_000)), (2, 600, (10_000, 1_000_000)),
                            (3, 70, (10_000, 1_000_000))):
        evidence.check(f"d = {dim}: 1 + (eigenvalue growth exponent of the torus Laplacian)",
                       1.0 + ref_weyl_exponent(dim, K, n_range),
                       reference=float(spec.stringer_threshold(dim)), atol=0.02,
                       method="lattice-point count of the eigenvalues |k|^2 of T^d (log-log fit "
                              "of mu_n against n)",
                       note="Weyl: mu_n ~ c n^(2/d); the lattice-count error is O(R^(d-1)) "
                            "against O(R^d), a slope error below 0.01 on these ranges")
    got = [spec.smoothness_series_converges(x, 2) for x in (sp.Rational(19, 10), 2,
                                                            sp.Rational(21, 10))]
    evidence.record("d = 2: sympy convergence of sum n^(1 - alpha) at alpha = 1.9, 2, 2.1",
                    str(got), passed=got == [False, False, True])


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
    rng = np.random.default_rng(mc.claim_seed("MAN-1", "random Fourier code"))
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
                                method="Monte Carlo over s (the code evaluated pointwise)",
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
                           method="asymptotic exponent alpha - 3 of M(h)/h^2 (closed form, Abelian "
                                  "asymptotics of the series)",
                           note="fractal regime: M(h) ~ 2 I(alpha) h^(alpha-1); K = 2e5 >= 100/h")
            evidence.check(f"alpha={alpha}: M/h^2 grows as h shrinks 200-fold",
                           float(q[0] / q[-1]), lower=0.5 * 200 ** (3 - alpha),
                           method="growth 200^(3 - alpha) of the asymptote (closed form)",
                           note="growth ~ 200^(3-alpha) for a fractal code; factor 0.5 allows the O(h^2) "
                                "correction at h = 0.1")
        else:
            evidence.check(f"alpha={alpha}: M(h)/h^2 at h = 5e-4 vs the energy "
                           "sum k^(2-alpha) |c_k|^2/2", float(q[0]), reference=energy, rtol=0.03,
                           method="direct sum of the energy series sum k^(2-alpha) |c_k|^2/2",
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
    for deriv in (derivations.circle_code_chord(), derivations.circle_code_variance(),
                  derivations.circle_code_quotient()):
        evidence.derivation(deriv)
    deriv = derivations.circle_code_constant()
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
                       method="QUADPACK QAGS + QAWF quadrature of int u^-alpha (1 - cos u) du",
                       note="QUADPACK QAGS + QAWF; their error estimates are below 1e-11")
        evidence.record(f"I({alpha}) sympy expression vs theory", float(I_sym(alpha)),
                        reference=spec.circle_code_msd_constant(alpha), rtol=1e-12,
                        note="the same closed form by sympy and numpy: a consistency record, not "
                             "a reference")
    hs = np.array([1e-2, 1e-3, 1e-4])
    for alpha in (1.5, 2.0, 2.5, 3.5, 4.0):
        M = np.array([spec.circle_code_msd(alpha, x, kmax=int(100 / x), tail=True) for x in hs])
        ratio = M / spec.circle_code_msd_asymptote(alpha, hs)
        evidence.check(f"alpha={alpha}: M(1e-4)/asymptote", float(ratio[-1]), reference=1.0,
                       atol=0.01, method="series sum of M(h) (1e6 modes plus Hurwitz tail) against "
                                         "the closed-form asymptote",
                       note="next-order terms are O(h^(3-|alpha-3|)) relative")
        evidence.record(f"alpha={alpha}: |M/asymptote - 1| shrinks from h = 1e-2 to 1e-4",
                       float(abs(ratio[-1] - 1)), upper=float(abs(ratio[0] - 1)) + 1e-4,
                       note="the asymptote is approached as h -> 0; 1e-4 absorbs rounding when both "
                            "errors are tiny")
        slope = float(np.log(M[-1] / M[-2]) / np.log(hs[-1] / hs[-2]))
        evidence.check(f"alpha={alpha}: log-log slope of M on [1e-4, 1e-3]", slope,
                       reference=min(alpha - 1, 2.0), atol=0.03,
                       method="exponent min(alpha - 1, 2) of the closed-form asymptote",
                       note="slope of the asymptote, min(alpha-1, 2); next-order terms shift it by < 0.03 "
                            "at h = 1e-4")


@pytest.mark.claim("MAN-1", reading="1-SUF")
@pytest.mark.claim("MAN-8", reading="8-MS")
def test_reassigned_code_has_threshold_spectrum_but_infinite_energy(evidence):
    """alpha = 4 > 3 yet E|g'|^2 = infinity: the criterion is necessary, not sufficient."""
    for deriv in (derivations.reassigned_code_variance(),
                  derivations.reassigned_code_orthogonality(),
                  derivations.reassigned_code_pair_energy(),
                  derivations.reassigned_code_partial_energy()):
        evidence.derivation(deriv)
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
        method="dense SVD of the sampled code against the exact variances n^-alpha/2",
        note="exact discrete orthogonality on the grid: only eigensolver rounding (double "
             "precision)")
    evidence.record("spectrum of f equals spectrum of g", float(
        np.max(np.abs(lam_f - lam_g) / lam_g)), upper=1e-10,
        note="same spectrum by construction: only eigensolver rounding (double precision)")
    partial = spec.reassigned_code_energy(alpha, q, 10**5)
    evidence.check("partial energy sum_{n<=M} n^(2q-alpha) at M = 1e5", float(partial[-1]),
                   reference=1e5, rtol=1e-12, method="exact count: each of the 1e5 terms is 1",
                   note="linear growth")
    hs = np.array([1e-1, 1e-2, 1e-3])
    qg = np.array([spec.reassigned_code_msd(alpha, q, x, kmax=int(30 / np.sqrt(x)))
                   for x in hs]) / hs**2
    qf = np.array([spec.circle_code_msd(alpha, x, kmax=10**4) for x in hs]) / hs**2
    evidence.counterexample(
        "1-SUF read on this spectrum: alpha = 4 > 1 + 2/1, so the energy would be finite, and a "
        "code with spectrum n^-4/2 on the circle's own frequencies has energy zeta(2). The "
        "reassigned code has that spectrum, yet its partial energy at M = 1e5 pairs is already 1e5 "
        "(= M for every M: unbounded), and its difference quotient M(h)/h^2 keeps growing.",
        value=float(partial[-1]), bound=float(np.pi**2 / 6), relation="<=", tolerance=1e-6,
        circle_quotients=str(np.round(qf, 4).tolist()), reassigned_quotients=str(
            np.round(qg, 2).tolist()))
    evidence.check("reassigned M(h)/h^2 grows 1000-fold-h", float(qg[-1] / qg[0]), lower=10.0,
                   method="direct sum of the reassigned series at h = 0.1 and 1e-3",
                   note="pairs with n^2 h < 1 number ~ h^-1/2, so the quotient grows like "
                        "sqrt(1000) ~ 30 from h = 0.1 to 1e-3 (less at h = 0.1, outside the "
                        "asymptotic regime); a smooth code's quotient stays bounded")
    evidence.check("circle M(1e-3)/1e-6 vs zeta(2)", float(qf[-1]), reference=np.pi**2 / 6,
                   rtol=1e-3, method="zeta(2) = pi^2/6 (closed form) against the series sum",
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
        method="central finite differences of the layer-2 loss alone",
        note="central differences with step 1e-6: truncation O(1e-12), rounding O(1e-10)")
    layer1_frozen = bool(np.array_equal(trained.weights[0], le.train_local_error_network(
        X, y, (4,), epochs=1, batch_size=16, lr=lr, n_classes=3, seed=3).weights[0]))
    evidence.record("layer 1 unchanged by layer 2's step", layer1_frozen, passed=layer1_frozen)


@pytest.mark.claim("MAN-2")
def test_every_layer_generalizes_on_digits(evidence, sweeps):
    """Sanity value: every layer's random-readout test accuracy exceeds 0.9, in every seed."""
    n_seeds = sweeps["layers"]["acc_clean"].shape[0]
    acc = sweeps["layers"]["acc_clean"]
    evidence.check("min over seeds and layers of A-rand test accuracy", float(acc.min()),
                   lower=0.9, method="count of correct test images, every seed and layer",
                   note="the threshold stated in MAN-2's formal statement")
    mean, half = _seed_ci(acc)
    evidence.table(f"A-rand test accuracy (mean over {n_seeds} seeds, 95% t-interval)",
                   ["layer", "accuracy", "+/-"],
                   [[i + 1, f"{m:.4f}", f"{hw:.4f}"] for i, (m, hw) in enumerate(zip(mean, half,
                                                                                     strict=True))])


# ------------------------------------------------------------------------------------- MAN-3


@pytest.mark.claim("MAN-3", reading="3-EST")
def test_estimator_recovers_synthetic_exponents(evidence):
    rng = np.random.default_rng(mc.claim_seed("MAN-3", "synthetic exponents"))
    rows, fig_data = [], {}
    for P in (1000, 2000, 5000):
        for alpha in (0.5, 1.0, 1.5, 2.0, 3.0):
            H = spec.synthetic_activations(alpha, 200, P, rng=rng)
            lam = spec.spectrum(H)
            est = spec.power_law_exponent(lam, ranks=(2, 50))
            tol = 0.08 if alpha == 0.5 else 0.05
            evidence.check(f"alpha={alpha}, P={P}: alpha_hat", est, reference=alpha, atol=tol,
                           method="synthetic Gaussian activations with population spectrum "
                                  "n^-alpha (Haar rotation)",
                           note="P >= 5N; small alpha is biased low (Marchenko-Pastur)")
            if P == 2000:
                cv_lam = np.sort(spec.spectrum(H, cv=True, rng=0))[::-1]
                cv = spec.power_law_exponent(cv_lam, ranks=(2, 50))
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
        # the tilted law n^-(alpha + delta) is a spectrum (non-increasing) for alpha + delta >= 0,
        # but at exponents near 0 rounding makes a flat law rise by an ulp here and there, which the
        # estimator rightly refuses: compare where the decay beats rounding
        if alpha + delta >= 1e-6 and np.all(tilted[lo - 1 : hi] > 1e-12 * tilted[0]):
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
    rng = np.random.default_rng(mc.claim_seed("MAN-3", "rank 5"))
    H = rng.standard_normal((100, 10)) @ np.diag([1.0] * 5 + [0.0] * 5)
    lam = spec.spectrum(H)
    with pytest.raises(ValueError, match="hi="):
        spec.power_law_exponent(lam, ranks=(2, 8))
    with pytest.raises(ValueError, match="ranks"):
        spec.power_law_exponent(lam, ranks=(3, 3))
    evidence.check("numerical rank of a rank-5 activation matrix", int(lam.size), reference=5,
                   atol=0, method="rank 5 by construction (five non-zero singular directions)",
                   note="integer rank: exact")
    # Hill's estimator on a large sample of the eigenvalue density of an exact power law: the
    # eigenvalues n^-alpha, n = 1..N, have tail index 1/alpha, so gamma = 1 + 1/alpha
    alpha, N, k_top = 1.5, 200_000, 2000
    lam_pl = spec.power_law_spectrum(alpha, N)
    hill = 1.0 + k_top / float(np.sum(np.log(lam_pl[:k_top] / lam_pl[k_top])))
    evidence.check("Hill density exponent of n^-1.5, converted to the rank exponent",
                   spec.density_to_rank_exponent(hill), reference=alpha, rtol=0.01,
                   method="Hill tail estimator on the top 2000 of 2e5 eigenvalues",
                   note="the Hill estimate of an exact power law has relative bias O(1/k) and no "
                        "noise")


def _decide(evidence, claim_id: str, reading: str, effect, n: int, name: str):
    rule = claims.get(claim_id).reading(reading).decision
    dec = decisions.decide(rule, effect=float(effect[0]), ci=(float(effect[1]), float(effect[2])),
                           n=n)
    evidence.decision(name, dec)
    return dec


def _readings_with_decisions(claim_id: str) -> int:
    return sum(r.decision is not None for r in claims.get(claim_id).readings)


@pytest.mark.claim("MAN-3", reading="3-NET")
def test_network_spectra_are_power_laws_only_on_a_window(evidence, sweeps):
    """Registered rule 3-NET: over the sweep seeds, the largest relative disagreement of the
    exponents of a window's two halves, for every layer and window, against 20%."""
    rule = claims.get("MAN-3").reading("3-NET").decision
    windows = [(2, 30), (2, 20), (5, 40)]
    spectra = sweeps["layers"]["spectra"]
    S, L = spectra.shape[:2]
    assert L * len(windows) == rule.family, "the registered family counts the layer x window cells"
    rows, cells = [], []
    for layer in range(L):
        for lo, hi in windows:
            mid = min(max(int(round(np.sqrt(lo * hi))), lo + 1), hi - 1)
            rel = []
            for s in range(S):
                lam = spectra[s, layer]
                lam = lam[np.isfinite(lam)]
                full = spec.power_law_exponent(lam, ranks=(lo, hi))
                rel.append((spec.power_law_exponent(lam, ranks=(mid, hi))
                            - spec.power_law_exponent(lam, ranks=(lo, mid))) / full)
            iv = decisions.t_interval(np.array(rel), rule.per_test_level)
            cells.append((layer, (lo, hi), _abs_interval(iv)))
            rows.append([layer + 1, f"{lo}..{hi}", mid, f"{iv[0]:+.3f}",
                         f"[{iv[1]:+.3f}, {iv[2]:+.3f}]"])
    evidence.table(f"(alpha_upper - alpha_lower)/alpha over {S} seeds, t intervals at level "
                   f"{rule.per_test_level:.2g}", ["layer", "window", "split rank", "mean",
                                                  "interval"], rows)
    effect = _max_iv([c[2] for c in cells])
    dec = _decide(evidence, "MAN-3", "3-NET", effect, S, "3-NET: largest relative half-window "
                  "disagreement")
    worst = max(cells, key=lambda c: c[2][1])
    if dec.outcome == "CORRECTED":
        evidence.counterexample(
            f"Layer {worst[0] + 1}, window {worst[1][0]}..{worst[1][1]}: the exponents of the two "
            "halves of the window differ by more than 20% of the fitted exponent, at the lower end "
            f"of the interval over {S} seeds: the spectrum is no single power law there.",
            value=worst[2][1], bound=0.2, relation="<=", tolerance=0.0, mean=worst[2][0])
    lam_all = spectra[0]
    alphas = sweeps["layers"]["alpha"][0, :, 0]
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    n = np.arange(1, lam_all.shape[1] + 1)
    for layer, lam in enumerate(lam_all):
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
    evidence.figure(fig, "Covariance spectra of the four layers (first sweep seed, digits test "
                    "set) with 1/n-weighted power-law fits on ranks 2..30 (shaded); dotted: input "
                    "rank 61.")


# ------------------------------------------------------------------------------------- MAN-4


def _hurwitz_D(alpha: float, N: int) -> mpmath.mpf:
    """D(alpha, N) by direct summation for small N (an independent route to the Hurwitz form)."""
    with mpmath.workdps(50):
        s1 = mpmath.fsum(mpmath.mpf(n) ** (-alpha) for n in range(1, N + 1))
        s2 = mpmath.fsum(mpmath.mpf(n) ** (-2 * alpha) for n in range(1, N + 1))
        return s1**2 / s2


@pytest.mark.claim("MAN-4", reading="4-PR")
def test_participation_ratio_closed_form_and_monotonicity(evidence):
    evidence.derivation(derivations.mean_log_decreasing())
    evidence.derivation(derivations.participation_ratio_limit())
    deriv = derivations.log_participation_ratio_derivative()
    evidence.derivation(deriv)
    f = sp.lambdify(derivations.a, deriv.expression.subs(sp.Symbol("N", integer=True,
                                                                   positive=True), 10).doit())
    for alpha in (0.0, 0.3, 1.0, 2.5):
        evidence.record(f"D({alpha}, 10): sympy expression vs theory", float(f(alpha)),
                        reference=spec.participation_ratio_power_law(alpha, 10), rtol=1e-12,
                        note="the same closed form by sympy and mpmath: a consistency record")
        evidence.check(f"D({alpha}, 1000): Hurwitz form vs 50-digit direct sum",
                       spec.participation_ratio_power_law(alpha, 1000),
                       reference=float(_hurwitz_D(alpha, 1000)), rtol=1e-12,
                       method="50-digit direct summation of both power sums",
                       note="Hurwitz form at 20 digits vs 50-digit direct sum: double rounding only")
    evidence.check("zeta(2)^2/zeta(4) at 50 digits",
                   spec.participation_ratio_power_law(2, precision=50), reference=mpmath.mpf(5) / 2,
                   atol=1e-45,
                   method="exact value (pi^2/6)^2/(pi^4/90) = 5/2",
                   note="1e-45 leaves 5 of the 50 digits for rounding")
    grid = np.linspace(0.0, 4.0, 41)
    D = spec.participation_ratio_power_law(grid, 200)
    evidence.check("D(alpha, 200) strictly decreasing on 41 points of [0, 4]",
                   float(np.max(np.diff(D))), upper=-1e-6,
                   note="strict decrease: a tie gives 0 > -1e-6; each 0.1 step in alpha lowers D by "
                        "more than 1e-2 here, far above 20-digit rounding")
    evidence.check("D(0, 200) = N", float(D[0]), reference=200.0, rtol=1e-12,
                   method="exact: a flat spectrum on N modes has D = N",
                   note="the Hurwitz form at 20 digits loses only rounding")


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
                       method="slope of the closed-form asymptote of D in N",
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
                       lower=float(_hurwitz_D(a2, N)),
                       method="50-digit direct summation for D(1.6, N)",
                       note="strict monotonicity in alpha (4-PR): the gap is O(N^0.2), far above "
                            "rounding")
    # independence would leave the order of D free given alpha; across power laws it is fixed
    grid = np.linspace(0.2, 3.0, 15)
    D_grid = np.array([float(_hurwitz_D(x, 200)) for x in grid])
    from scipy import stats

    tau = float(stats.kendalltau(grid, D_grid).statistic)
    evidence.counterexample(
        "Dimensionality as an observable independent of the exponent: for power-law spectra on "
        "N = 200 modes the order of D is fixed by alpha (Kendall tau = -1 over 15 exponents in "
        "[0.2, 3], D by 50-digit direct sums), whereas independent observables would leave it "
        "largely free (|tau| <= 1/2 already ties them).",
        value=abs(tau), bound=0.5, relation="<=", tolerance=1e-12)
    from scipy import stats

    for kind in ("layers", "epochs"):
        r = sweeps[kind]
        rho = [stats.spearmanr(r["alpha"][s, :, 0], r["D"][s]).statistic
               for s in range(r["D"].shape[0])]
        evidence.record(f"{kind}: mean Spearman(alpha, D) over seeds", float(np.mean(rho)),
                        note="informational")


# ------------------------------------------------------------------------------------- MAN-5..7


def _pair_intervals(alpha: np.ndarray, cols: list[np.ndarray], level: float) -> list[dict]:
    """Every pair of conditions, oriented so that the mean alpha of ``j`` exceeds that of ``i``:
    the t interval over seeds of ``alpha_j - alpha_i`` at ``level``, whether the pair is resolved
    (interval entirely above :data:`ALPHA_RESOLUTION`), and for a resolved pair the t intervals of
    ``A_j - A_i`` for each accuracy column."""
    mean = alpha.mean(axis=0)
    out = []
    for i, j in itertools.combinations(range(alpha.shape[1]), 2):
        if mean[j] < mean[i]:
            i, j = j, i
        da = decisions.t_interval(alpha[:, j] - alpha[:, i], level)
        resolved = bool(da[1] > ALPHA_RESOLUTION)
        deltas = [decisions.t_interval(A[:, j] - A[:, i], level) for A in cols] if resolved else []
        out.append({"i": i, "j": j, "dalpha": da, "resolved": resolved, "deltas": deltas})
    return out


def _pair_rows(label: str, pairs: list[dict], col_names: list[str]) -> list[list]:
    rows = []
    for p in pairs:
        da = p["dalpha"]
        head = [label, f"{p['i'] + 1} -> {p['j'] + 1}", f"{da[0]:.3f} [{da[1]:.3f}, {da[2]:.3f}]"]
        if not p["resolved"]:
            rows.append([*head, "no", "", ""])
            continue
        for name, d in zip(col_names, p["deltas"], strict=True):
            rows.append([*head, "yes", name, f"{d[0]:+.4f} [{d[1]:+.4f}, {d[2]:+.4f}]"])
    return rows


PAIR_HEADER = ["reading", "pair (by alpha)", "alpha_j - alpha_i [interval]", "resolved", "column",
               "delta [interval]"]

#: A reading with no alpha-resolved pair cannot decide: accuracy differences lie in [-1, 1].
_UNDECIDED = (0.0, -1.0, 1.0)


def _family_check(claim_id: str, reading: str, n_pairs: int, n_acc: int) -> None:
    rule = claims.get(claim_id).reading(reading).decision
    planned = n_pairs * (1 + n_acc) * _readings_with_decisions(claim_id)
    assert planned == rule.family, (f"{reading}: the registered family {rule.family} must count "
                                    f"the {planned} intervals of the claim's readings")


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


@pytest.mark.parametrize("kind,reading", [
    pytest.param("layers", "5-LAYERS", marks=pytest.mark.claim("MAN-5", reading="5-LAYERS")),
    pytest.param("epochs", "5-EPOCHS", marks=pytest.mark.claim("MAN-5", reading="5-EPOCHS")),
])
def test_clean_accuracy_increases_with_alpha(evidence, sweeps, kind, reading):
    """Registered rule: the smallest accuracy gain over the alpha-resolved pairs of conditions."""
    r = sweeps[kind]
    rule = claims.get("MAN-5").reading(reading).decision
    alpha, S = r["alpha"][:, :, 0], r["alpha"].shape[0]
    C = alpha.shape[1]
    _family_check("MAN-5", reading, C * (C - 1) // 2, 1)
    pairs = _pair_intervals(alpha, [r["acc_clean"]], rule.per_test_level)
    evidence.table(f"R-{kind}: pairs of conditions, t intervals over {S} seeds at level "
                   f"{rule.per_test_level:.2g}", PAIR_HEADER,
                   _pair_rows(reading, pairs, ["clean"]))
    ivs = [d for p in pairs for d in p["deltas"]]
    _decide(evidence, "MAN-5", reading, _min_iv(ivs) if ivs else _UNDECIDED, S,
            f"{reading}: smallest clean-accuracy gain over alpha-resolved pairs")
    a_mean, a_half = _seed_ci(alpha)
    m, hw = _seed_ci(r["acc_clean"])
    order = np.argsort(a_mean)
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    ax.errorbar(a_mean[order], m[order], xerr=a_half[order], yerr=hw[order], fmt="o-", ms=4,
                capsize=2)
    ax.set_title(f"R-{kind}", fontsize=9)
    ax.set_xlabel("alpha (ranks 2..30)")
    ax.set_ylabel("clean accuracy")
    evidence.figure(fig, f"Clean random-readout accuracy against alpha, R-{kind}, mean over {S} "
                    "seeds with 95% t-intervals in both coordinates (display only; the decision "
                    "uses the registered level).")


@pytest.mark.claim("MAN-5", reading="5-NEC")
@pytest.mark.claim("MAN-6", reading="6-FUNC")
@pytest.mark.claim("MAN-8", reading="8-ADV")
def test_reparametrization_sets_any_exponent_without_changing_accuracy(evidence, net0,
                                                                       digits_test, sweeps):
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
    smallest_trained = float(sweeps["layers"]["alpha"][:, :, 0].min())
    rows = [["trained", f"{alpha0:.3f}", *(f"{v:.4f}" for v in base.values())]]
    L0 = net0.logits(Xte, layer)
    for beta in (0.0, 0.5, 5.0):
        rep = spec.reparametrize_spectrum(H, net0.readouts[layer], beta)
        view = le.ReparametrizedNet(net0, layer, rep)
        rel = float(np.max(np.abs(view.logits(Xte) - L0)) / np.max(np.abs(L0)))
        evidence.check(f"beta={beta}: max relative logit change", rel, upper=1e-10,
                       method="logits of the original network, evaluated separately",
                       note=f"condition number of T = {rep.condition:.3g}; rounding only")
        a_hat = spec.power_law_exponent(spec.spectrum(rep.activations), ranks=WINDOW)
        evidence.check(f"beta={beta}: alpha_hat of the reparametrized layer", a_hat,
                       reference=beta, atol=1e-8,
                       method="dense SVD spectrum of the reparametrized activations against the "
                              "target n^-beta",
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
                           method="attack on the original network (its own logits and gradients)",
                           note="the same function must make the same predictions: exact equality")
        rows.append([f"beta = {beta}", f"{a_hat:.3f}", *(f"{v:.4f}" for v in got.values())])
        if beta == 0.0:
            flat_alpha = a_hat
    evidence.counterexample(
        "Layer 1 of a digits network (first sweep seed), reparametrized h' = T(h - m), "
        "B' = B T^-1: its exponent takes any value while clean, Gaussian, FGSM and PGD accuracies "
        "are identical. At beta = 0 (a flat spectrum) it keeps the trained accuracy, although "
        "'high accuracy requires fast decay' asks for an exponent at least that of the trained "
        "layers (the smallest over the sweep is the bound); an exponent that moves without any "
        "accuracy moving is not what accuracy under noise or FGSM is a function of.",
        value=flat_alpha, bound=smallest_trained, relation=">=", tolerance=1e-8,
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
def test_gaussian_noise_accuracy_monotone_in_alpha(evidence, sweeps, kind, reading):
    """Registered rule: max(m_min, -m_max) over the primary sigma and the alpha-resolved pairs."""
    r = sweeps[kind]
    rid = f"6-{kind.upper()}-{reading}"
    rule = claims.get("MAN-6").reading(rid).decision
    sigmas = list(le.SWEEP_DEFAULTS["sigmas"])
    alpha, S = r["alpha"][:, :, 0], r["alpha"].shape[0]
    C = alpha.shape[1]
    _family_check("MAN-6", rid, C * (C - 1) // 2, len(PRIMARY_SIGMAS))
    A = _gauss_readings(r)[reading]
    evidence.record("sigma = 0 reproduces the clean accuracy", float(np.max(np.abs(
        r["acc_gauss"][..., 0] - r["acc_clean"]))), upper=0.0,
        note="sigma = 0 evaluates the same predictions: exact")
    cols = [A[..., sigmas.index(x)] for x in PRIMARY_SIGMAS]
    pairs = _pair_intervals(alpha, cols, rule.per_test_level)
    evidence.table(f"R-{kind}, reading {reading}: pairs, t intervals over {S} seeds at level "
                   f"{rule.per_test_level:.2g}", PAIR_HEADER,
                   _pair_rows(rid, pairs, [f"sigma = {x}" for x in PRIMARY_SIGMAS]))
    ivs = [d for p in pairs for d in p["deltas"]]
    effect = (_max_iv([_min_iv(ivs), _neg_iv(_max_iv(ivs))]) if ivs else _UNDECIDED)
    _decide(evidence, "MAN-6", rid, effect, S,
            f"{rid}: monotonicity max(m_min, -m_max) over resolved pairs and primary sigma")
    if reading == "UNC":
        mean = r["acc_gauss"].mean(axis=0)
        evidence.record("mean accuracy non-increasing in sigma (largest rise)", float(
            np.max(np.diff(mean, axis=-1))), upper=0.01,
            note="soft check: seed-mean accuracy may rise by sampling noise only")
        evidence.figure(_accuracy_vs_alpha_figure(
            r, r["acc_gauss"], [(sigmas.index(x), f"sigma = {x}") for x in PRIMARY_SIGMAS],
            f"R-{kind}: Gaussian noise"),
            f"R-{kind}: accuracy under Gaussian noise against alpha at the primary sigma, "
            f"mean over {S} seeds with 95% t-intervals (display only).")
        grads = r["grad_margin_l2"].mean(axis=0)
        evidence.table(f"R-{kind}: mean |grad_x margin|_2 per condition", ["condition",
                       "mean alpha", "mean |grad m|"], [[c + 1, f"{a:.3f}", f"{g:.3f}"] for c, (
                           a, g) in enumerate(zip(alpha.mean(0), grads, strict=True))])


@pytest.mark.parametrize("kind,key,reading,with_pgd", [
    pytest.param("layers", "acc_fgsm", "7-LAYERS", True, marks=pytest.mark.claim(
        "MAN-7", reading="7-LAYERS")),
    pytest.param("layers", "acc_fgsm_last", "7-LAST", False, marks=pytest.mark.claim(
        "MAN-7", reading="7-LAST")),
    pytest.param("epochs", "acc_fgsm", "7-EPOCHS", True, marks=pytest.mark.claim(
        "MAN-7", reading="7-EPOCHS")),
])
def test_fgsm_accuracy_non_monotone_in_alpha(evidence, sweeps, kind, key, reading, with_pgd):
    """Registered rule: the largest turn T(eps) over the primary eps (with PGD: the smaller of the
    FGSM and PGD turns at each eps)."""
    r = sweeps[kind]
    rule = claims.get("MAN-7").reading(reading).decision
    eps = list(le.SWEEP_DEFAULTS["epsilons"])
    pgd_eps = list(le.SWEEP_DEFAULTS["pgd_epsilons"])
    alpha, S = r["alpha"][:, :, 0], r["alpha"].shape[0]
    C = alpha.shape[1]
    attacks = {"FGSM": (r[key], eps)}
    if with_pgd:
        attacks["PGD"] = (r["acc_pgd"], pgd_eps)
    _family_check("MAN-7", reading, C * (C - 1) // 2, len(PRIMARY_EPS) * len(attacks))
    evidence.record("eps = 0 reproduces the clean accuracy", float(np.max(np.abs(
        r[key][..., 0] - r["acc_clean"]))), upper=0.0,
        note="eps = 0 leaves the inputs unchanged: exact")
    evidence.record("fraction of exactly-zero input-gradient coordinates (masking diagnostic)",
                    float(r["zero_grad_frac"].mean()), note="np.sign(0) = 0 leaves them unmoved")
    cols, names = [], []
    for e in PRIMARY_EPS:
        for name, (acc, grid) in attacks.items():
            cols.append(acc[..., grid.index(e)])
            names.append(f"{name} eps = {e}")
    pairs = _pair_intervals(alpha, cols, rule.per_test_level)
    evidence.table(f"R-{kind} ({key}): pairs, t intervals over {S} seeds at level "
                   f"{rule.per_test_level:.2g}", PAIR_HEADER, _pair_rows(reading, pairs, names))
    resolved = [p for p in pairs if p["resolved"]]
    if resolved:
        per_eps = []
        for k in range(len(PRIMARY_EPS)):
            turns = [_turn_iv([p["deltas"][k * len(attacks) + a] for p in resolved])
                     for a in range(len(attacks))]
            per_eps.append(_min_iv(turns))
        effect = _max_iv(per_eps)
    else:
        effect = _UNDECIDED
    _decide(evidence, "MAN-7", reading, effect, S,
            f"{reading}: largest turn of accuracy in alpha over the primary eps")
    if reading == "7-LAYERS":
        gap = (r["acc_fgsm"][..., [eps.index(e) for e in pgd_eps]] - r["acc_pgd"]).mean(axis=0)
        evidence.table("FGSM - PGD accuracy gap per layer", ["layer", *(
            f"eps = {e}" for e in pgd_eps)], [[c + 1, *(f"{g:.3f}" for g in row)] for c, row in
                                              enumerate(gap)])
    if key == "acc_fgsm":
        fig = _accuracy_vs_alpha_figure(r, r["acc_fgsm"], [(eps.index(e), f"FGSM eps = {e}")
                                                           for e in PRIMARY_EPS],
                                        f"R-{kind}: FGSM (own readout)")
        ax = fig.axes[0]
        a_mean = alpha.mean(axis=0)
        order = np.argsort(a_mean)
        for e in PRIMARY_EPS:
            m, hw = _seed_ci(r["acc_pgd"][..., pgd_eps.index(e)])
            ax.errorbar(a_mean[order], m[order], yerr=hw[order], fmt="x:", ms=4, capsize=2,
                        label=f"PGD eps = {e}")
        ax.legend(fontsize=6, ncol=2)
        evidence.figure(fig, f"R-{kind}: accuracy under FGSM (solid) and 10-step PGD (dotted) "
                        f"against alpha at the primary eps, mean over {S} seeds with 95% "
                        "t-intervals (display only).")


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
    evidence.derivation(derivations.gaussian_margin_variance())
    evidence.derivation(derivations.l1_at_least_l2())
    deriv = derivations.fgsm_margin_drop()
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
    evidence.record("sympy FGSM accuracy (p = 3) vs theory", float(f(*w3, 0.2, w3 @ mu3)),
                    reference=spec.linear_fgsm_accuracy(w3, mu3, 0.2), rtol=1e-12,
                    note="the same closed form by sympy and scipy: a consistency record")
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
                                    method="Monte Carlo of the attacked linear model",
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
    evidence.record("Gaussian-accuracy gap between the classifiers", gap_gauss, upper=0.02,
                    note="near-equal Gaussian robustness: the cosines of w and mu differ little; "
                        "0.02 is a quarter of the FGSM gap required below")
    evidence.record("FGSM-accuracy gap between the classifiers", gap_fgsm, lower=0.08,
                    note="FGSM costs eps |w|_1, which differs widely between sparse and dense w: "
                        "a gap at least four times the Gaussian bound")
    # any exponent: h = W x with W = diag(n^(-alpha/2)) V^T, readout v = W^-T w
    V, _ = np.linalg.qr(np.random.default_rng(mc.claim_seed("MAN-8", "rotation")).standard_normal((p, p)))
    x = np.random.default_rng(mc.claim_seed("MAN-8", "inputs")).standard_normal((5, p))
    for alpha in (0.5, 5.0):
        W = np.diag(np.arange(1, p + 1) ** (-alpha / 2)) @ V.T
        v = np.linalg.solve(W.T, w_dense)
        lam = np.sort(np.linalg.eigvalsh(W @ W.T))[::-1]
        evidence.check(f"alpha={alpha}: within-class spectrum exponent of h = Wx",
                       spec.power_law_exponent(lam, ranks=(2, 30)), reference=alpha, atol=1e-8,
                       method="eigvalsh of W W^T against the construction n^-alpha",
                       note="W W^T has eigenvalues n^-alpha exactly; exact laws are fitted to 1e-8 "
                            "(eigensolver rounding)")
        evidence.check(f"alpha={alpha}: readout v.h equals w.x", float(np.max(np.abs(
            (x @ W.T) @ v - x @ w_dense))), upper=1e-8,
            method="w.x evaluated directly",
            note="v = W^-T w: rounding of a solve with condition number <= 64^(5/2) ~ 3e4 on "
                 "|w.x| ~ 10, far below 1e-8")
    evidence.counterexample(
        "Two linear classifiers with near-equal clean and Gaussian accuracy differ by "
        f"{gap_fgsm:.3f} in FGSM accuracy (eps = 0.25); either can be given any spectral exponent "
        "without changing any accuracy. Give the dense classifier alpha = 5 and the sparse one "
        "alpha = 0.5: the larger exponent has the lower FGSM accuracy (closed forms, confirmed "
        "by the Monte Carlo intervals above).",
        value=float(spec.linear_fgsm_accuracy(w_dense, mu, 0.25)),
        bound=float(spec.linear_fgsm_accuracy(w_sparse, mu, 0.25)), relation=">=",
        tolerance=1e-12, gauss_gap=gap_gauss, fgsm_gap=gap_fgsm)
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
    (lambda: spec.stringer_threshold(0), "d"),
    (lambda: spec.stringer_threshold(np.array([1.0, -2.0])), "d"),
    (lambda: spec.circle_code_msd(0.9, 0.1, kmax=10), "alpha"),
    (lambda: spec.circle_code_msd(2.0, -0.1, kmax=10), "h"),
    (lambda: spec.reassigned_code_msd(4.0, 2, 0.1, kmax=0), "kmax"),
    (lambda: spec.random_fourier_code_msd(2.0, 0.1, np.array([1.0, -1.0])), "norms"),
    (lambda: spec.power_law_spectrum(-1.0, 5), "alpha"),
    (lambda: spec.spectrum(np.ones((1, 3))), "activations"),
    (lambda: spec.power_law_exponent(np.ones(10), ranks=(2, 20)), "ranks"),
    (lambda: spec.power_law_exponent(np.ones(10), ranks=(2, 5), weights="1/n^2"), "weights"),
    (lambda: spec.participation_ratio(np.array([1.0, -1.0])), "eigenvalues"),
    (lambda: spec.participation_ratio_power_law(0.5), "alpha"),
    (lambda: spec.reparametrize_spectrum(np.ones((5, 2)), np.ones((3, 2)), 1.0), "H"),
    (lambda: spec.linear_fgsm_accuracy(np.ones(3), np.ones(3), -0.1), "eps"),
    (lambda: spec.classify_trend(np.ones((2, 3)), np.ones((2, 3))), "S >= 3"),
    (lambda: spec.power_law_exponent(np.arange(1.0, 11.0), ranks=(2, 5)), "descending"),
    (lambda: spec.power_law_exponent(spec.power_law_spectrum(1.0, 10), ranks=(2.5, 5)), "ranks"),
    (lambda: spec.spectrum(np.ones((5, 3))), "activations"),
    (lambda: spec.window_adequacy(np.ones((5, 3)), ranks=(1, 2), n_boot=0), "n_boot"),
    (lambda: spec.linear_fgsm_accuracy(np.array([1.0, np.nan]), np.ones(2), 0.1), "w"),
    (lambda: spec.classify_trend(np.full((3, 2), np.nan), np.ones((3, 2))), "alpha"),
    (lambda: spec.power_law_spectrum(1.0, True), "N"),
    (lambda: spec.participation_ratio_power_law(1.5, 10, precision=0), "precision"),
    (lambda: le.train_local_error_network(np.ones((4, 2)), np.zeros(4, int), (3,),
                                          schedule="async"), "schedule"),
    (lambda: le.train_local_error_network(np.ones((4, 2)), np.array([0, 1, 2, 5]), (3,),
                                          n_classes=3), "y: labels"),
])
def test_bad_inputs_raise_value_errors_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_participation_ratio_of_tiny_and_huge_spectra():
    """The ratio is scale-free: spectra near 1e-300 or 1e300 give the same D as at scale 1."""
    lam = spec.power_law_spectrum(1.0, 50)
    D = spec.participation_ratio(lam)
    for scale in (1e-300, 1e-310, 1e300):
        assert abs(spec.participation_ratio(scale * lam) - D) <= 1e-12 * D
