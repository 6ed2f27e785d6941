"""``advgeom bench``: speed and exactness of the engines against baselines, measured in one run.

Sections (each a list of rows ``{"section", "case", "metric", "value", "baseline", "ratio",
"target", "met"}``):

* ``tails``: :func:`theory.quadforms.sf` against a 50-digit mpmath reference, a double-precision
  Imhof integral and the CLT (from :mod:`numerics.bench_spheres`);
* ``distance_bound``: :func:`theory.spheres.distance_bound` against direct 50-digit quadrature;
* ``montecarlo``: uniform points on :math:`S^{499}` per second through the Monte Carlo engine, with
  one and two workers, against raw numpy computing the same estimate in a plain loop, and against
  numpy's generator drawing the same normals alone (the physical limit);
* ``conv``: :func:`theory.lipschitz.conv_operator_norm` (FFT) against the dense SVD, by input size
  (from :mod:`numerics.bench_lipschitz`);
* ``peers``: the exact tails beside gx2, momentchi2 and R's survey on the same cases, same process,
  against 50-digit references (:mod:`numerics.peers`; a missing, failing or slow peer is reported
  with its status);
* ``conv peers``: the stride-1 norm beside Sedghi et al.'s method (full and half spectrum), and
  the strided norm beside power iteration (:func:`numerics.bench_lipschitz.run_peers`);
* ``suite``: wall time of the test command and of ``advgeom report`` (skipped with ``--quick``).

The benchmark never fails: a target not met is reported as such. Timings use the best of several
repeats (``time.perf_counter``), which estimates the cost without the machine's noise.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import mpmath
import numpy as np
from advgeom.numerics import montecarlo as mc
from scipy import optimize

__all__ = ["best_time", "conv_peer_rows", "main", "peer_tail_rows", "run_all",
           "sphere_sampler_rows"]

SPHERE_N = 500
SPHERE_T = 0.05


def best_time(fn: Callable[[], object], repeats: int = 5) -> float:
    """Best wall time of ``repeats`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _sphere_cap_indicator(rng: np.random.Generator, size: int) -> np.ndarray:
    """Uniform points on S^499 (normalized Gaussians), and whether x_1 > 0.05."""
    g = rng.standard_normal((size, SPHERE_N))
    return g[:, 0] > SPHERE_T * np.sqrt(np.einsum("ij,ij->i", g, g))


def _row(section, case, metric, value, baseline=None, target=None, met=None, unit=""):
    ratio = (value / baseline) if (baseline not in (None, 0) and value is not None) else None
    return {"section": section, "case": case, "metric": metric, "value": value,
            "baseline": baseline, "ratio": ratio, "target": target, "met": met, "unit": unit}


def sphere_sampler_rows(samples: int = 200_000, rounds: int = 5) -> list[dict]:
    """Points per second on S^499 through the engine (1 and 2 workers) against raw numpy doing
    the same estimate in a plain loop, and against the generator alone (its normals, nothing
    else: the limit). The timings alternate over ``rounds`` rounds and each keeps its best, so
    that a change of load on the machine weighs on all alike."""
    rng = np.random.default_rng(0)
    block = 10_000
    seed = mc.claim_seed("SPH-1", "bench")
    rng2 = np.random.default_rng(seed)
    with ProcessPoolExecutor(max_workers=2) as pool:
        mc.estimate_probability(_sphere_cap_indicator, 2 * block, seed=seed, executor=pool,
                                block_size=block)  # start the workers before timing
        buf = np.empty((block, SPHERE_N))
        fns = {  # the generator alone fills one buffer (no allocation: the limit)
            "raw": lambda: [rng.standard_normal(out=buf) for _ in range(samples // block)],
            "plain": lambda: sum(int(np.count_nonzero(_sphere_cap_indicator(rng2, block)))
                                 for _ in range(samples // block)),
            "one": lambda: mc.estimate_probability(_sphere_cap_indicator, samples, seed=seed,
                                                   block_size=block),
            "two": lambda: mc.estimate_probability(_sphere_cap_indicator, samples, seed=seed,
                                                   executor=pool, block_size=block,
                                                   chunk_blocks=2),
        }
        best = dict.fromkeys(fns, float("inf"))
        for _ in range(rounds):
            for key, fn in fns.items():
                best[key] = min(best[key], best_time(fn, repeats=1))
    raw_rate = samples / best["raw"]
    one, two, plain = best["one"], best["two"], best["plain"]
    plain_rate = samples / plain
    rows = [_row("montecarlo", f"S^{SPHERE_N - 1}, the generator alone (normals only)",
                 "points/s", raw_rate, unit="1/s"),
            _row("montecarlo", f"S^{SPHERE_N - 1}, raw numpy (same estimate, a plain loop)",
                 "points/s", plain_rate, raw_rate, unit="1/s")]
    for label, t in (("engine, 1 worker", one), ("engine, 2 workers", two)):
        rate = samples / t
        rows.append(_row("montecarlo", f"S^{SPHERE_N - 1}, {label}", "points/s", rate, plain_rate,
                         target=">= 0.9 x raw numpy", met=rate >= 0.9 * plain_rate, unit="1/s"))
        rows.append(_row("montecarlo", f"S^{SPHERE_N - 1}, {label} / generator alone",
                         "rate ratio", rate / raw_rate))
    return rows


def _external(module: str, section: str, **kwargs) -> list[dict]:
    """Rows from a paper module's own benchmark (``name``, ``value``, ``unit``, ``note``)."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        return [_row(section, "unavailable", str(exc), None)]
    rows = []
    for r in mod.run(**kwargs):
        if "section" in r:
            rows.append(r)
        else:
            rows.append(_row(section, r["name"] + (f" ({r['note']})" if r.get("note") else ""),
                             r.get("unit") or "rel. err.", r["value"]))
    return rows


def _tail_case(m: int, rng: np.random.Generator):
    """Weights of the quadratic network's shape (a tenth positive, the rest negative, E Q = 0) and
    an independent 60-digit reference ``ref(x) -> log P(Q > x)``.

    Up to 1000 weights: distinct values in pairs, referenced by the hypoexponential closed form;
    beyond, two distinct values (whose closed form would need thousands of digits), referenced by
    one-dimensional quadrature of incomplete gamma functions.
    """
    from advgeom.numerics.references import hypoexponential_sf, two_level_sf

    k = max(1, m // 10)
    if m <= 1000:
        pos = rng.uniform(0.2, 1.0, k // 2 or 1)
        neg = -rng.uniform(0.5, 1.5, m // 2 - (k // 2 or 1))
        neg *= pos.sum() / -neg.sum()
        half = np.r_[pos, neg]
        return np.repeat(half, 2), lambda x: float(mpmath.log(
            hypoexponential_sf(half, x, dps=max(60, m // 2))))
    b = k / (m - k)
    w = np.r_[np.ones(k), np.full(m - k, -b)]
    return w, lambda x: float(mpmath.log(two_level_sf(1.0, k, b, m - k, x, dps=60)))


def _rel_err_log(val: float | None, is_log: bool, ref_log: float) -> float | None:
    """|P/P_ref - 1| from a value (or its log); inf where the value is not a positive number."""
    if val is None:
        return None
    lv = val if is_log else (math.log(val) if val > 0 else -math.inf)
    if not math.isfinite(lv):
        return float("inf")
    d = lv - ref_log
    return abs(math.expm1(d)) if d < 700 else float("inf")


def _near_tie_log_sf(wp: float, neg: np.ndarray, dps: int = 50) -> float:
    """log P(wp z_0^2 + sum_i w_i z_i^2 > 0) for wp > 0 and negative weights w_i = -a_i, in
    ``dps``-digit mpmath, by Ruben's (1962) mixture and the incomplete beta function.

    With beta = min a_i and q_i = 1 - beta/a_i in [0, 1), S = sum a_i z_i^2 is the mixture
    sum_k c_k beta chi^2_{n+2k}: its moment generating function factors as
    prod (beta/a_i)^(1/2) (1 - 2 beta s)^(-n/2) prod (1 - q_i u)^(-1/2), u = 1/(1 - 2 beta s),
    so c_0 = prod (1 - q_i)^(1/2) and c_k = (1/2k) sum_{j=1..k} g_j c_{k-j}, g_j = sum_i q_i^j.
    Then P = sum_k c_k P(wp chi^2_1 > beta chi^2_{n+2k}) = sum_k c_k I_{1-gamma}((n+2k)/2, 1/2),
    gamma = beta/(wp + beta). Every weight enters exactly (through the q_i); the series is cut
    where the negative-binomial bound c_k <= C(n/2 + k - 1, k) q_max^k on the rest is below
    1e-60 of the value.
    """
    n = neg.size
    with mpmath.workdps(dps + 20):
        a = [-mpmath.mpf(float(v)) for v in neg]
        beta = min(a)
        q = [(v - beta) / v for v in a]
        qmax = max(q)
        wm = mpmath.mpf(wp)
        gam = beta / (wm + beta)
        c0 = mpmath.exp(mpmath.fsum(mpmath.log1p(-v) for v in q) / 2)
        cs, gs, total = [mpmath.mpf(1)], [], mpmath.mpf(0)
        k = 0
        while True:
            term = c0 * cs[k] * mpmath.betainc(mpmath.mpf(n + 2 * k) / 2, mpmath.mpf(1) / 2, 0,
                                               1 - gam, regularized=True)
            total += term
            # bound on sum_{j > k} c_j (each probability is at most 1)
            nxt = mpmath.binomial(mpmath.mpf(n) / 2 + k, k + 1) * qmax ** (k + 1)
            r = (mpmath.mpf(n) / 2 + k + 1) / (k + 2) * qmax
            if r < 1 and nxt / (1 - r) <= total * mpmath.mpf(10) ** -60:
                break
            if k >= 200:
                raise ArithmeticError("Ruben's series does not converge fast enough here")
            gs.append(mpmath.fsum(v ** (k + 1) for v in q))
            k += 1
            cs.append(mpmath.fsum(gs[j - 1] * cs[k - j] for j in range(1, k + 1)) / (2 * k))
        return float(mpmath.log(total))


def _peer_designs(quick: bool):
    """(name, weights, x, reference log P or None) for the side-by-side comparison."""
    from advgeom.numerics.references import hypoexponential_sf

    rng = np.random.default_rng(777)
    out = []
    for m in ((10, 100) if quick else (10, 100, 1000)):
        half = rng.uniform(0.2, 1.0, m // 2)
        w = np.repeat(half, 2)
        mean, sd = float(w.sum()), math.sqrt(2.0 * float(np.sum(w * w)))
        for k in (3.0, 8.0):
            x = mean + k * sd
            ref = float(mpmath.log(hypoexponential_sf(half, x, dps=max(60, m // 2))))
            out.append((f"{m} positive weights (pairs), x = mean + {k:g} sd", w, x, ref))
    for m in ((10, 100) if quick else (10, 100, 1000, 10_000)):
        w, reference = _tail_case(m, rng)
        out.append((f"{m} mixed-sign weights, x = 0", w, 0.0, reference(0.0)))
    if not quick:
        # 10^4 distinct weights, untied: no closed form at double cost, referenced by Imhof's
        # real-line integral at 50 digits (numerics.references.imhof_sf)
        from advgeom.numerics.references import imhof_sf

        pos = rng.uniform(0.2, 1.0, 1000)
        negd = -rng.uniform(0.5, 1.5, 9000)
        negd *= pos.sum() / -negd.sum()
        w = np.r_[pos, negd]
        out.append(("10000 distinct mixed-sign weights, x = 0", w, 0.0,
                    float(mpmath.log(imhof_sf(w, 0.0)))))
        w = rng.uniform(0.5, 1.5, 10_000)
        mean, sd = float(w.sum()), math.sqrt(2.0 * float(np.sum(w * w)))
        for k in (3.0, 8.0):
            x = mean + k * sd
            out.append((f"10000 distinct positive weights, x = mean + {k:g} sd", w, x,
                        float(mpmath.log(imhof_sf(w, x)))))
    neg = -(1.0 + 1e-10 * np.sort(rng.uniform(0.0, 1.0, 9_999)))
    for wp in (1500.0, 9000.0):
        out.append((f"w+ = {wp:g} and 9,999 negative weights within 1e-10, x = 0",
                    np.r_[wp, neg], 0.0, _near_tie_log_sf(wp, neg)))
    return out


def peer_tail_rows(quick: bool = False, limit: float = 10.0) -> list[dict]:
    """advgeom's exact ``sf`` beside gx2, momentchi2 and R survey on the same cases, same process
    (R through one Rscript per case, timed inside R). Relative errors against the 60-digit
    references; times are the best of 3 calls; a peer that is absent, fails or passes ``limit``
    seconds per call is reported with its status."""
    from advgeom.numerics import peers
    from advgeom.theory import quadforms as qf

    rows = []
    versions = {p: peers.version(p) for p in peers.PEERS}
    for name, vers in versions.items():
        rows.append(_row("peers", f"{name} version", "version", vers or "not installed"))
    for case, w, x, ref in _peer_designs(quick):
        t_adv = best_time(lambda w=w, x=x: qf.sf(w, x, log=True), repeats=3)
        val = qf.sf(w, x, log=True)
        err = _rel_err_log(val, True, ref) if ref is not None else None
        rows.append(_row("peers", f"{case}: advgeom exact", "rel. err.", err,
                         target="<= 1e-12" if ref is not None else None,
                         met=(err <= 1e-12) if err is not None else None))
        rows.append(_row("peers", f"{case}: advgeom exact", "ms/call", 1e3 * t_adv, unit="ms"))
        positive = bool(np.all(w > 0))
        for peer, (_, methods) in peers.PEERS.items():
            if peer == "survey":
                if versions["survey"] is None:
                    results = [peers.PeerResult("survey", "saddlepoint", None, status="not installed")]
                else:
                    results = peers.r_pchisqsum(w, [x], repeats=3, limit=60 * limit)
            else:
                if peer == "momentchi2" and not positive:
                    continue
                results = []
                for method in methods:
                    lim = min(limit, 5.0) if method == "ifft" else limit
                    r = peers.tail(peer, method, w, x, limit=lim)
                    if r.ok:
                        best = r.seconds
                        for _ in range(2):
                            again = peers.tail(peer, method, w, x, limit=lim)
                            if again.ok:
                                best = min(best, again.seconds)
                        r = peers.PeerResult(r.peer, r.method, r.value, r.log, r.status, best)
                    results.append(r)
            for r in results:
                label = f"{case}: {r.peer} {r.method}"
                if not r.ok:
                    rows.append(_row("peers", label, "status", r.status))
                    continue
                e = _rel_err_log(r.value, r.log, ref) if ref is not None else None
                rows.append(_row("peers", label, "rel. err.", e))
                rows.append(_row("peers", label, "ms/call", 1e3 * r.seconds, unit="ms"))
                if r.peer == "gx2" and r.method == "imhof":
                    ratio = t_adv / r.seconds
                    rows.append(_row("peers", f"{case}: advgeom / gx2 imhof", "time ratio", ratio,
                                     target="<= 0.25", met=ratio <= 0.25))
    return rows


def conv_rows(quick: bool = False) -> list[dict]:
    """FFT operator norm against the dense reference (full SVD where affordable; at 32x32 with 16
    channels, a 16384-side matrix, the dense matrix's top singular value by Lanczos, the cheapest
    dense computation, with the full SVD's time extrapolated by its O(n^3) cost)."""
    from advgeom.numerics import bench_lipschitz

    rows = []
    for r in bench_lipschitz.run(dense_limit=1024 if quick else 4096):
        case = f"{r['N']}x{r['N']}, {r['channels']} channels"
        if not math.isfinite(r["dense_s"]):
            rows.append(_row("conv", case + " (AlexNet Conv1 shape, stride 4)", "FFT s", r["fft_s"],
                             unit="s"))
            continue
        big = r["N"] == 32 and r["channels"] == 16
        if r["dense_extrapolated"]:
            rows.append(_row("conv", case + ", vs dense + Lanczos (measured)", "speed-up",
                             r["speedup_vs_lanczos"], target=">= 100" if big else None,
                             met=(r["speedup_vs_lanczos"] >= 100) if big else None))
            label = ", vs full SVD (extrapolated)"
        else:
            label = ", vs full SVD"
        rows.append(_row("conv", case + label, "speed-up", r["speedup"],
                         target=">= 100" if big else None, met=(r["speedup"] >= 100) if big else None))
        rows.append(_row("conv", case, "rel. diff of norms", r["rel_diff"], target="<= 1e-9",
                         met=r["rel_diff"] <= 1e-9))
    return rows


def conv_peer_rows(quick: bool = False) -> list[dict]:
    """advgeom's operator norm beside Sedghi et al.'s method (full and half spectrum) at stride 1
    and power iteration at stride 2, same kernels, same process (one BLAS thread)."""
    from advgeom.numerics import bench_lipschitz

    rows = []
    res = bench_lipschitz.run_peers(quick=quick)
    base = {r["shape"]: r["seconds"] for r in res if r["method"] == "Sedghi et al., full spectrum"}
    for r in res:
        label = f"{r['shape']}: {r['method']}"
        tgt = "<= 1e-12" if "stride 1" in r["shape"] or r["method"] == "advgeom" else None
        rows.append(_row("conv peers", label, "rel. diff", r["rel_diff"], target=tgt,
                         met=(r["rel_diff"] <= 1e-12) if tgt else None))
        rows.append(_row("conv peers", label, "ms/call", 1e3 * r["seconds"], unit="ms"))
        if r["method"] == "advgeom" and r["shape"] in base:
            ratio = r["seconds"] / base[r["shape"]]
            timed = "N = 56" not in r["shape"]
            rows.append(_row("conv peers", f"{r['shape']}: advgeom / Sedghi full", "time ratio",
                             ratio, target="<= 0.5" if timed else None,
                             met=(ratio <= 0.5) if timed else None))
    return rows


def tail_rows(quick: bool = False) -> list[dict]:
    """``sf`` exact, Imhof (double) and CLT against a 60-digit closed form, by size and tail.

    The threshold x is chosen (from the exact engine, then checked against the reference) so that
    the reference tail is near each target probability; each method's relative error and time per
    call are reported, with the exact engine's speed-up over the Imhof integral.
    """
    from advgeom.theory import quadforms as qf

    rng = np.random.default_rng(12345)
    sizes = (10, 100, 1000) if quick else (10, 100, 1000, 10_000)
    targets = (1e-2, 1e-10, 1e-50, 1e-300)
    rows = []
    for m in sizes:
        w, reference = _tail_case(m, rng)
        for p in targets:
            lp = math.log(p)
            hi = 2.0 * (-lp) * float(w.max()) + 10.0
            while qf.sf(w, hi, log=True) > lp:
                hi *= 2.0
            x = optimize.brentq(lambda t, w=w, lp=lp: qf.sf(w, t, log=True) - lp, 0.0, hi,
                                xtol=1e-12, rtol=1e-13)
            ref_log = reference(x)
            case = f"{m} weights, P ~ {p:.0e}"
            for method in ("exact", "imhof", "clt"):
                # Imhof's integrand oscillates and cancels in the tail; its warnings are the point.
                warnings.simplefilter("ignore")
                t = best_time(lambda method=method, w=w, x=x: qf.sf(w, x, method=method, log=True),
                              repeats=3 if m >= 1000 else 5)
                try:
                    val = qf.sf(w, x, method=method, log=True)
                    err = abs(math.expm1(val - ref_log)) if math.isfinite(val) else float("inf")
                except (ValueError, OverflowError, ZeroDivisionError):
                    err = float("inf")
                met = (err <= 1e-10) if method == "exact" else None
                rows.append(_row("tails", f"{case}, {method}", "rel. err.", err,
                                 target="<= 1e-10" if method == "exact" else None, met=met))
                rows.append(_row("tails", f"{case}, {method}", "ms/call", 1e3 * t, unit="ms"))
    return rows


def suite_rows() -> list[dict]:
    """Wall time of the test command and of ``advgeom report`` on a fresh ledger."""
    root = Path(__file__).resolve().parent.parent
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ADVGEOM_LEDGER": str(Path(tmp) / "ledger.sqlite")}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=root,
                              env=env, capture_output=True, text=True)
        tests = time.perf_counter() - t0
        rows.append(_row("suite", "pytest (everything CI runs)", "wall s", tests, target="< 300 s",
                         met=tests < 300 and proc.returncode == 0, unit="s"))
        t0 = time.perf_counter()
        rep = subprocess.run([sys.executable, "-m", "advgeom.reports.cli", "report", "-o",
                              str(Path(tmp) / "r.pdf")], cwd=root, env=env, capture_output=True,
                             text=True)
        report = time.perf_counter() - t0
        rows.append(_row("suite", "advgeom report (after the run)", "wall s", report,
                         target="< 30 s", met=report < 30 and rep.returncode == 0, unit="s"))
    return rows


def run_all(quick: bool = False, progress: Callable[[str], None] | None = None) -> dict:
    """Every section; returns ``{"machine": ..., "date": ..., "rows": [...]}``."""
    steps = [
        ("exact tails against Imhof and the CLT", lambda: tail_rows(quick)),
        ("tails beside gx2, momentchi2 and R survey", lambda: peer_tail_rows(quick)),
        ("spheres engines and distance bound",
         lambda: _external("advgeom.numerics.bench_spheres", "spheres")),
        ("Monte Carlo sampler", lambda: sphere_sampler_rows(50_000 if quick else 200_000)),
        ("convolution operator norms", lambda: conv_rows(quick)),
        ("convolution norms beside Sedghi et al. and power iteration",
         lambda: conv_peer_rows(quick)),
    ]
    if not quick:
        steps.append(("test suite and report", suite_rows))
    rows: list[dict] = []
    for label, step in steps:
        if progress:
            progress(label)
        rows.extend(step())
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "rows": rows,
    }


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def main(*, json_output: bool = False, quick: bool = False) -> int:
    """Run the benchmark and print a table (or JSON). Always returns 0: it measures, never fails."""
    from rich.console import Console
    from rich.table import Table

    err = Console(stderr=True)
    with err.status("benchmarking") as status:
        result = run_all(quick, progress=lambda s: status.update(f"benchmarking: {s}"))
    if json_output:
        print(json.dumps(result, indent=2, default=float))
        return 0
    table = Table(title=f"advgeom bench, {result['date']}, {result['machine']}")
    for col in ("section", "case", "metric", "value", "baseline", "ratio", "target", "met"):
        table.add_column(col, overflow="fold")
    for r in result["rows"]:
        table.add_row(*(_fmt(r.get(k)) for k in ("section", "case", "metric", "value", "baseline",
                                                   "ratio", "target", "met")))
    Console().print(table)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(json_output="--json" in sys.argv, quick="--quick" in sys.argv))
