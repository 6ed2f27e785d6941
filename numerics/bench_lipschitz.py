"""Benchmark: FFT operator norm of a convolution against the dense SVD reference (SZ-13).

``run()`` times :func:`theory.lipschitz.conv_operator_norm` (FFT, per-frequency blocks) and
:func:`theory.lipschitz.conv_operator_norm_dense` (explicit matrix, full SVD) on random 3x3 kernels
with C_in = C_out = C channels, stride 1, circular padding, for growing N x N inputs up to 32 x 32
with 16 channels, and (FFT only) a kernel of AlexNet Conv1's shape, 96x3x11x11 with stride 4, on
224 x 224. The dense matrix there is 16384 x 16384 (2 GiB); its full SVD takes tens of
minutes on two cores, so by default the dense time at sizes above ``dense_limit`` is extrapolated
from the largest measured size by the O(n^3) cost of the SVD (``dense_extrapolated = True`` in the
row). For those sizes two measured references are added: the dense matrix is built and its top
singular value found by Lanczos (``scipy.sparse.linalg.svds``), timed as ``dense_lanczos_s`` (the
cheapest way to use the dense matrix at all), and that value is the norm the FFT is compared with.
``run(dense_limit=None)`` measures the full SVD at every size.

Run ``python -m numerics.bench_lipschitz`` to print the table.
"""

from __future__ import annotations

import time

import numpy as np
from advgeom.theory import lipschitz as lip

__all__ = ["run", "run_peers", "sedghi_full", "sedghi_half", "power_iteration", "SIZES"]

# (N, channels)
SIZES = ((4, 4), (8, 4), (8, 16), (12, 8), (16, 4), (16, 16), (32, 16))


def _best_of(fn, repeat: int) -> tuple[float, float]:
    best, value = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return value, best


def _dense_matrix_scatter(kernel: np.ndarray, n: int) -> np.ndarray:
    """Dense matrix of the stride-1 circular layer, entries scattered tap by tap.

    Same matrix as :func:`theory.lipschitz.conv_matrix` (checked in :func:`run`), built in
    O(C_out C_in k^2 N^2) writes instead of one convolution per basis image.
    """
    co, ci, kh, kw = kernel.shape
    A = np.zeros((co * n * n, ci * n * n))
    rows_pix = np.arange(n * n)
    i, j = np.divmod(rows_pix, n)
    for u in range(kh):
        for v in range(kw):
            cols_pix = ((i + u) % n) * n + (j + v) % n
            for d in range(co):
                for c in range(ci):
                    A[d * n * n + rows_pix, c * n * n + cols_pix] += kernel[d, c, u, v]
    return A


def _dense_lanczos_norm(kernel: np.ndarray, n: int) -> float:
    from scipy.sparse.linalg import svds

    A = _dense_matrix_scatter(kernel, n)
    return float(svds(A, k=1, tol=1e-12, return_singular_vectors=False, random_state=0)[0])


def run(*, dense_limit: int | None = 4096, repeat: int = 3, seed: int = 0,
        threads: int | None = 1) -> list[dict]:
    """Time the FFT norm and the dense SVD for each (N, C) in :data:`SIZES`.

    Parameters
    ----------
    dense_limit : int or None
        Largest matrix side (C N^2) for which the dense SVD is actually run; ``None``: all.
    repeat : int
        Timings are the best of ``repeat`` runs (the dense SVD is run once above 1024).
    seed : int
        Kernels are ``default_rng(seed).standard_normal((C, C, 3, 3))``.
    threads : int or None
        BLAS/LAPACK threads for both methods (``threadpoolctl``); the default 1 gives per-core
        timings that do not depend on what else runs on the machine. ``None`` leaves them as is.

    Returns
    -------
    list of dict
        Keys ``N``, ``channels``, ``matrix_side``, ``fft_s``, ``dense_s``, ``speedup``,
        ``dense_extrapolated``, ``dense_lanczos_s``, ``speedup_vs_lanczos``, ``norm_fft``,
        ``norm_reference``, ``rel_diff``, ``reference``.
    """
    if threads is not None:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(threads):
            return run(dense_limit=dense_limit, repeat=repeat, seed=seed, threads=None)
    rng = np.random.default_rng(seed)
    probe = rng.standard_normal((3, 2, 3, 3))
    if not np.array_equal(_dense_matrix_scatter(probe, 5), lip.conv_matrix(probe, 5)):
        raise AssertionError("scatter-built matrix differs from theory.lipschitz.conv_matrix")
    rows: list[dict] = []
    last_measured: tuple[int, float] | None = None
    for n, c in SIZES:
        kernel = rng.standard_normal((c, c, 3, 3))
        side = c * n * n
        norm_fft, t_fft = _best_of(lambda k=kernel, n=n: lip.conv_operator_norm(k, n), repeat)
        if dense_limit is None or side <= dense_limit:
            reps = repeat if side <= 1024 else 1
            norm_ref, t_dense = _best_of(
                lambda k=kernel, n=n: lip.conv_operator_norm_dense(k, n), reps)
            extrapolated, reference = False, "dense SVD"
            last_measured = (side, t_dense)
            t_lanczos = float("nan")
        else:
            if last_measured is None:
                raise ValueError("dense_limit is below the smallest size; nothing to extrapolate")
            t_dense = last_measured[1] * (side / last_measured[0]) ** 3
            norm_ref, t_lanczos = _best_of(lambda k=kernel, n=n: _dense_lanczos_norm(k, n), 1)
            extrapolated, reference = True, "dense matrix + Lanczos (svds)"
        rows.append({
            "N": n, "channels": c, "matrix_side": side, "fft_s": t_fft, "dense_s": t_dense,
            "speedup": t_dense / t_fft, "dense_extrapolated": extrapolated,
            "dense_lanczos_s": t_lanczos, "speedup_vs_lanczos": t_lanczos / t_fft,
            "norm_fft": norm_fft, "norm_reference": norm_ref,
            "rel_diff": abs(norm_fft - norm_ref) / norm_ref, "reference": reference,
        })
    kernel = rng.standard_normal((96, 3, 11, 11))
    norm_fft, t_fft = _best_of(lambda: lip.conv_operator_norm(kernel, 224, stride=4), 1)
    rows.append({
        "N": 224, "channels": 96, "matrix_side": 3 * 224 * 224, "fft_s": t_fft,
        "dense_s": float("nan"), "speedup": float("nan"), "dense_extrapolated": False,
        "dense_lanczos_s": float("nan"), "speedup_vs_lanczos": float("nan"),
        "norm_fft": norm_fft, "norm_reference": float("nan"), "rel_diff": float("nan"),
        "reference": "none (AlexNet Conv1 shape 96x3x11x11, stride 4; FFT only)",
    })
    return rows


def _print(rows: list[dict]) -> None:
    head = (f"{'N':>4} {'C':>3} {'side':>6} {'FFT [s]':>10} {'dense [s]':>12} {'speed-up':>10} "
            f"{'rel. diff':>10}  reference")
    print(head)
    print("-" * len(head))
    for r in rows:
        dense = f"{r['dense_s']:.3g}" + ("*" if r["dense_extrapolated"] else "")
        print(f"{r['N']:>4} {r['channels']:>3} {r['matrix_side']:>6} {r['fft_s']:>10.3g} "
              f"{dense:>12} {r['speedup']:>10.3g} {r['rel_diff']:>10.1e}  {r['reference']}")
    for r in rows:
        if r["dense_extrapolated"]:
            print(f"* extrapolated by the O(n^3) cost of the SVD from the largest measured size; "
                  f"measured at N = {r['N']}, C = {r['channels']}: dense matrix + Lanczos "
                  f"{r['dense_lanczos_s']:.3g} s, {r['speedup_vs_lanczos']:.3g} x the FFT time")


if __name__ == "__main__":
    _print(run())


# ------------------------------------------------------------------ the peers' methods, as written
# The method of Sedghi, Gupta and Long (arXiv:1805.10408) in the few lines a user writes: the 2-D
# FFT of the zero-padded kernel, then one SVD per frequency (full spectrum), or per frequency of
# the real FFT (half spectrum: the blocks at k and -k are conjugate); and power iteration on the
# strided map, the usual recipe where the FFT method does not apply.


def sedghi_full(kernel: np.ndarray, n: int) -> float:
    """Sedghi et al.: ``fft2`` of the padded kernel, largest singular value over all N^2 blocks."""
    co, ci, kh, kw = kernel.shape
    spec = np.fft.fft2(kernel, s=(n, n), axes=(-2, -1))
    return float(np.linalg.svd(spec.transpose(2, 3, 0, 1).reshape(n * n, co, ci),
                               compute_uv=False).max())


def sedghi_half(kernel: np.ndarray, n: int) -> float:
    """Sedghi et al. on the half spectrum (``rfft2``, conjugate symmetry of a real kernel)."""
    co, ci, kh, kw = kernel.shape
    spec = np.fft.rfft2(kernel, s=(n, n), axes=(-2, -1))
    return float(np.linalg.svd(spec.transpose(2, 3, 0, 1).reshape(-1, co, ci),
                               compute_uv=False).max())


def _strided(x: np.ndarray, kernel: np.ndarray, s: int) -> np.ndarray:
    n = x.shape[-1]
    m = n // s
    out = np.zeros((kernel.shape[0], m, m))
    for u in range(kernel.shape[2]):
        for v in range(kernel.shape[3]):
            rows = (s * np.arange(m) + u) % n
            cols = (s * np.arange(m) + v) % n
            out += np.einsum("dc,cij->dij", kernel[:, :, u, v], x[:, rows][:, :, cols])
    return out


def _strided_adjoint(y: np.ndarray, kernel: np.ndarray, s: int, n: int) -> np.ndarray:
    m = y.shape[-1]
    x = np.zeros((kernel.shape[1], n, n))
    for u in range(kernel.shape[2]):
        for v in range(kernel.shape[3]):
            rows = (s * np.arange(m) + u) % n
            cols = (s * np.arange(m) + v) % n
            x[np.ix_(np.arange(kernel.shape[1]), rows, cols)] += np.einsum(
                "dc,dij->cij", kernel[:, :, u, v], y)
    return x


def power_iteration(kernel: np.ndarray, n: int, stride: int, iterations: int = 100,
                    seed: int = 0) -> float:
    """Power iteration on W^T W for the circular layer with ``stride``: sqrt of the last Rayleigh
    quotient after ``iterations`` steps (a lower bound that converges with the spectral gap)."""
    x = np.random.default_rng(seed).standard_normal((kernel.shape[1], n, n))
    x /= np.linalg.norm(x)
    est = 0.0
    for _ in range(iterations):
        y = _strided(x, kernel, stride)
        est = float(np.linalg.norm(y))
        x = _strided_adjoint(y, kernel, stride, n)
        x /= np.linalg.norm(x)
    return est


PEER_SHAPES = ((16, 32), (64, 32), (256, 56))  # (channels, N), 3x3 kernels


def run_peers(*, quick: bool = False, seed: int = 0, threads: int | None = 1) -> list[dict]:
    """advgeom's norm beside Sedghi's method (full and half spectrum) at stride 1, and beside
    power iteration at stride 2; times are the best of 5 alternating rounds (1 at 256
    channels), one BLAS thread.

    Returns dicts ``shape``, ``method``, ``seconds``, ``value``, ``rel_diff`` (against advgeom at
    stride 1; against the dense SVD of the explicit matrix at stride 2)."""
    if threads is not None:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(threads):
            return run_peers(quick=quick, seed=seed, threads=None)
    rng = np.random.default_rng(seed)
    rows = []
    for c, n in PEER_SHAPES[:2] if quick else PEER_SHAPES:
        kernel = rng.standard_normal((c, c, 3, 3))
        shape = f"({c},{c},3,3), N = {n}, stride 1"
        methods = {"advgeom": lip.conv_operator_norm,
                   "Sedghi et al., full spectrum": sedghi_full,
                   "Sedghi et al., half spectrum (rfft2)": sedghi_half}
        best = dict.fromkeys(methods, np.inf)
        vals = {}
        # the methods alternate, each keeping its best, so that a change of load weighs on all
        for _ in range(1 if c >= 256 else 5):
            for name, fn in methods.items():
                vals[name], t = _best_of(lambda k=kernel, n=n, fn=fn: fn(k, n), 1)
                best[name] = min(best[name], t)
        ref = vals["advgeom"]
        for name in methods:
            rows.append({"shape": shape, "method": name, "seconds": best[name],
                         "value": vals[name], "rel_diff": abs(vals[name] - ref) / ref})
    # stride 2: exact by advgeom; power iteration; both against the dense SVD
    kernel = rng.standard_normal((4, 4, 3, 3))
    n = 16
    shape = f"(4,4,3,3), N = {n}, stride 2"
    dense = float(np.linalg.svd(_strided_matrix(kernel, n, 2), compute_uv=False)[0])
    for name, fn in (("advgeom", lambda: lip.conv_operator_norm(kernel, n, stride=2)),
                     ("power iteration, 100 steps", lambda: power_iteration(kernel, n, 2))):
        val, t = _best_of(fn, 3)
        rows.append({"shape": shape, "method": name, "seconds": t, "value": val,
                     "rel_diff": abs(val - dense) / dense})
    return rows


def _strided_matrix(kernel: np.ndarray, n: int, s: int) -> np.ndarray:
    """Explicit matrix of the strided circular layer, one basis image per column."""
    ci = kernel.shape[1]
    cols = [_strided(np.eye(ci * n * n)[j].reshape(ci, n, n), kernel, s).ravel()
            for j in range(ci * n * n)]
    return np.array(cols).T


def _strided_matrix_hw(kernel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Explicit matrix of the stride-1 circular layer on an H x W input, entry by entry:
    ``A[(d, i, j), (c, (i + u) % H, (j + v) % W)] += w[d, c, u, v]``."""
    co, ci, kh, kw = kernel.shape
    h, w = size
    a = np.zeros((co * h * w, ci * h * w))
    for d, c, u, v, i, j in np.ndindex(co, ci, kh, kw, h, w):
        a[(d * h + i) * w + j, (c * h + (i + u) % h) * w + (j + v) % w] += kernel[d, c, u, v]
    return a
