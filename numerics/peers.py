"""Adapters for the tools a user would pick instead of advgeom, measured by ``advgeom bench``.

Every adapter computes :math:`P(Q > x)` for :math:`Q = \\sum_i w_i z_i^2`, :math:`z \\sim N(0, I)`
(one degree of freedom per weight, no non-centrality), the way the peer's documentation says, and
returns a :class:`PeerResult`: the value, or the reason there is none (``"not installed"``,
``"failed: <error>"``, ``"timed out after <limit> s"``, ``"not applicable: <why>"``). A value is
never guessed.

Peers:

* ``gx2`` (PyPI ``gx2``): ``gx2.cdf(x, w, k, l, s, m, side="upper", method=...)`` with methods
  ``"imhof"``, ``"ifft"`` and ``"tail"`` (``"tail"`` returns a base-10 logarithm below ~1e-308);
* ``momentchi2`` (PyPI ``momentchi2``): ``hbe``, ``wf``, ``lpb4`` give the cdf for positive
  weights; the tail is ``1 - cdf``, as a user of the package computes it;
* R's ``survey::pchisqsum(x, df, a, lower.tail = FALSE, method = "saddlepoint")`` through
  ``Rscript`` (Debian packages r-base-core and r-cran-survey).

Install the Python peers with ``pip install -e '.[peers]'``.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import shutil
import signal
import subprocess
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from advgeom.theory import _validate as V

__all__ = ["PeerResult", "PEERS", "available", "version", "tail", "r_pchisqsum", "call_limited"]

# peer name -> (module or program, method names)
PEERS = {
    "gx2": ("gx2", ("imhof", "ifft", "tail")),
    "momentchi2": ("momentchi2", ("hbe", "wf", "lpb4")),
    "survey": ("Rscript", ("saddlepoint",)),
}


@dataclass(frozen=True)
class PeerResult:
    """A peer's answer: ``value`` (P, or log P when ``log`` is True) or ``status`` saying why not."""

    peer: str
    method: str
    value: float | None
    log: bool = False
    status: str = "ok"
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _alarm(limit: float):
    """Raise :class:`_Timeout` in the main thread after ``limit`` seconds (no limit elsewhere)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def handler(signum, frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _memory_cap(extra: float | None):
    """Cap the address space at its present size plus ``extra`` bytes while the block runs, so
    that a peer asking for more gets a MemoryError instead of the machine's out-of-memory killer
    (gx2's ifft asks for grid points x weights complex numbers: 16 GB at 1000 weights)."""
    try:
        import resource

        pages = int(open("/proc/self/statm").read().split()[0])
        now = pages * resource.getpagesize()
        old = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    if extra is None:
        yield
        return
    cap = now + int(extra)
    if old[1] != resource.RLIM_INFINITY:
        cap = min(cap, old[1])
    resource.setrlimit(resource.RLIMIT_AS, (cap, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, old)


def call_limited(fn: Callable[[], float], limit: float,
                 memory: float | None = 4 * 2**30) -> tuple[float | None, str, float]:
    """Run ``fn`` with a wall-clock limit and at most ``memory`` more bytes of address space
    (None: no cap); return ``(value, status, seconds)``."""
    fn = V.func("fn", fn)
    limit = V.real("limit", limit, low=0.0, low_open=True)
    if memory is not None:
        memory = V.real("memory", memory, low=0.0, low_open=True)
    t0 = time.perf_counter()
    try:
        with _alarm(limit), _memory_cap(memory), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            val = fn()
    except _Timeout:
        return None, f"timed out after {limit:g} s", time.perf_counter() - t0
    except Exception as exc:  # a peer's failure is a result, reported as such
        return None, f"failed: {type(exc).__name__}: {str(exc)[:80]}", time.perf_counter() - t0
    return val, "ok", time.perf_counter() - t0


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def available(peer: str) -> bool:
    """Whether ``peer`` (a key of :data:`PEERS`) can run here."""
    peer = V.choice("peer", peer, tuple(PEERS))
    if peer == "survey":
        return r_pchisqsum([1.0], [1.0], limit=60.0)[0].status == "ok"
    return _module(PEERS[peer][0]) is not None


def version(peer: str) -> str | None:
    """Installed version of ``peer``, or None when it is absent."""
    peer = V.choice("peer", peer, tuple(PEERS))
    if peer == "survey":
        if shutil.which("Rscript") is None:
            return None
        proc = subprocess.run(["Rscript", "-e", 'suppressMessages(library(survey)); cat(as.character('
                               'packageVersion("survey")), R.version$major, R.version$minor)'],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            return None
        sv, maj, mi = proc.stdout.split()
        return f"{sv} (R {maj}.{mi})"
    try:
        from importlib.metadata import version as v

        return v(PEERS[peer][0]) if _module(PEERS[peer][0]) is not None else None
    except Exception:
        return None


def _weights(weights) -> np.ndarray:
    return np.asarray(V.array("weights", weights, ndim=1), dtype=float)


def tail(peer: str, method: str, weights, x: float, *, limit: float = 30.0) -> PeerResult:
    """:math:`P(\\sum w_i z_i^2 > x)` by ``peer``'s ``method``, within ``limit`` seconds.

    ``gx2``'s ``"tail"`` method returns :math:`\\log_{10} P` for probabilities below the double
    range; the result then has ``log=True`` with the natural logarithm.

    Examples
    --------
    >>> r = tail("gx2", "imhof", [1.0, 1.0], 2.0)    # chi-square, 2 dof: exp(-1)
    >>> r.status == "not installed" or abs(r.value - math.exp(-1.0)) < 1e-3   # gx2: absolute error
    True
    """
    peer = V.choice("peer", peer, tuple(PEERS))
    method = V.choice("method", method, PEERS[peer][1])
    w = _weights(weights)
    x = V.real("x", x)
    limit = V.real("limit", limit, low=0.0, low_open=True)
    if peer == "survey":
        return r_pchisqsum(w, [x], limit=limit)[0]
    mod = _module(PEERS[peer][0])
    if mod is None:
        return PeerResult(peer, method, None, status="not installed")
    m = w.size
    is_log = False
    if peer == "gx2":
        def fn():
            p = mod.cdf(x, w, np.ones(m), np.zeros(m), 0.0, 0.0, side="upper", method=method)
            return float(np.asarray(p).ravel()[0])
    else:
        if np.any(w <= 0):
            return PeerResult(peer, method, None, status="not applicable: positive weights only")
        f = getattr(mod, method)

        def fn():
            return 1.0 - float(np.asarray(f(w, x)).ravel()[0])
    val, status, secs = call_limited(fn, limit)
    if val is not None and not math.isfinite(val):
        val, status = None, f"failed: returned {val}"
    if val is not None and peer == "gx2" and method == "tail" and val < 0:
        val, is_log = val * math.log(10.0), True  # documented: log10 P where P underflows
    return PeerResult(peer, method, val, log=is_log, status=status, seconds=secs)


_R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
w <- scan(args[1], quiet = TRUE); xs <- scan(args[2], quiet = TRUE); reps <- as.integer(args[3])
for (x in xs) {
  f <- function() tryCatch(pchisqsum(x, df = rep(1, length(w)), a = w, lower.tail = FALSE,
                                      method = "saddlepoint"), error = function(e) NA)
  p <- f(); n <- 1L
  t0 <- proc.time()[["elapsed"]]
  repeat {  # calls until 0.2 s have passed (at least reps): the timer ticks in milliseconds
    for (r in seq_len(reps)) f()
    n <- n + reps
    el <- proc.time()[["elapsed"]] - t0
    if (el >= 0.2) break
  }
  cat(sprintf("%.17g %.6g\n", p, el / (n - 1L)))
}
"""


def r_pchisqsum(weights, xs, *, repeats: int = 1, limit: float = 120.0) -> list[PeerResult]:
    """R's ``survey::pchisqsum`` (saddlepoint, upper tail) at each ``x`` of ``xs``, in one
    ``Rscript`` process (the time per call is measured inside R, over at least 0.2 s of calls).

    Examples
    --------
    >>> r = r_pchisqsum([1.0, 1.0], [2.0])[0]        # exp(-1) for 2 degrees of freedom
    >>> r.status != "ok" or abs(r.value / math.exp(-1.0) - 1) < 1e-3
    True
    """
    w = _weights(weights)
    xs = np.asarray(V.array("xs", xs, ndim=1), dtype=float)
    repeats = V.integer("repeats", repeats, low=1)
    limit = V.real("limit", limit, low=0.0, low_open=True)
    if shutil.which("Rscript") is None:
        return [PeerResult("survey", "saddlepoint", None, status="not installed")] * xs.size
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        fw, fx, fs = Path(tmp, "w.txt"), Path(tmp, "x.txt"), Path(tmp, "run.R")
        fw.write_text("\n".join(repr(float(v)) for v in w))
        fx.write_text("\n".join(repr(float(v)) for v in xs))
        fs.write_text(_R_SCRIPT)
        try:
            proc = subprocess.run(["Rscript", str(fs), str(fw), str(fx), str(repeats)],
                                  capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            return [PeerResult("survey", "saddlepoint", None,
                               status=f"timed out after {limit:g} s")] * xs.size
    if proc.returncode != 0:
        err = proc.stderr.strip()
        last = err.splitlines()[-1][:80] if err else f"exit status {proc.returncode}"
        msg = "not installed" if "no package" in err.lower() else f"failed: {last}"
        return [PeerResult("survey", "saddlepoint", None, status=msg)] * xs.size
    out = []
    for line in proc.stdout.strip().splitlines():
        p, t = line.split()
        val = float(p) if p != "NA" else math.nan
        if math.isfinite(val):
            out.append(PeerResult("survey", "saddlepoint", val, seconds=float(t)))
        else:
            out.append(PeerResult("survey", "saddlepoint", None, status="failed: NA", seconds=float(t)))
    return out
