"""Exactness and speed of the spheres engines: ``python -m numerics.bench_spheres``.

:func:`run` returns one dict per measurement (``name``, ``value``, ``unit``, ``note``) so that a
later ``advgeom bench`` can collect them. References are independent of the code measured: the
hypoexponential closed form (weights in pairs) and the incomplete beta function in 50+ digit
mpmath for :func:`theory.quadforms.sf`, and a 50-digit mpmath quadrature in the coordinate
``s`` for :func:`theory.spheres.distance_bound` (which integrates over the angle in double).
"""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np
from advgeom.numerics import quadforms as qf
from advgeom.numerics.references import distance_bound_quadrature, hypoexponential_sf
from advgeom.theory import spheres as S

__all__ = ["run"]


def _timeit(fn, repeat: int = 20) -> float:
    fn()
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t0) / repeat)
    return best


def run() -> list[dict]:
    """Measure the relative errors and the time per call of the exact engines."""
    out: list[dict] = []
    rng = np.random.default_rng(2024)
    # sf against the hypoexponential closed form: mixed signs, tails from 0.5 to below 1e-300
    worst, smallest = 0.0, 0.0
    for m, scale in [(1, 1.0), (5, 1.0), (20, 3.0), (60, 10.0), (150, 60.0), (300, 800.0)]:
        w = np.r_[1.0, 0.9, 0.75, -rng.uniform(0.5, 1.5, m) * scale]
        ref = hypoexponential_sf(w, 0.0)
        lp = qf.sf(np.repeat(w, 2), log=True)
        worst = max(worst, abs(lp - float(mpmath.log(ref))))
        smallest = min(smallest, float(mpmath.log10(ref)))
    out.append({"name": "sf exact: max relative error vs hypoexponential (60 digits)",
                "value": worst, "unit": "", "note": f"tails down to 1e{smallest:.0f}, 8 to 606 "
                "weights, log form below 1e-300"})
    # sf against the incomplete beta (caps), n up to 10^4
    worst = 0.0
    for n in (2, 500, 10_000):
        for t in (0.05, 0.5, 0.9, 0.999):
            w = np.r_[1.0 - t, np.full(n - 1, -t)]
            with mpmath.workdps(50):
                ref = mpmath.betainc(mpmath.mpf(n - 1) / 2, mpmath.mpf(1) / 2, 0,
                                     1 - mpmath.mpf(t), regularized=True)
            lref = float(mpmath.log(ref))
            worst = max(worst, abs(qf.sf(w, log=True) - lref) / max(1.0, abs(lref)))
    out.append({"name": "sf exact: max relative error vs incomplete beta (caps)", "value": worst,
                "unit": "", "note": "n = 2..10^4, P down to 1e-15000 (relative error of log P "
                "where P underflows)"})
    # speed
    for size in (500, 10_000):
        w = rng.normal(size=size) - 0.3 / math.sqrt(size / 500)
        out.append({"name": f"sf exact: time per call, {size} distinct mixed-sign weights",
                    "value": 1e3 * _timeit(lambda w=w: qf.sf(w), 20 if size == 500 else 3),
                    "unit": "ms", "note": f"P = {qf.sf(w):.3e}"})
    w = np.r_[0.5, np.full(499, -0.5)]
    out.append({"name": "sf saddlepoint: time per call, 500 weights",
                "value": 1e3 * _timeit(lambda: qf.sf(w, method="saddlepoint")), "unit": "ms",
                "note": ""})
    # distance bound
    worst = 0.0
    for n, mu in ((500, 0.01), (10, 0.5), (100, 1e-10), (3, 1e-300), (2000, 1e-3)):
        ref = distance_bound_quadrature(mu, n)
        worst = max(worst, abs(S.distance_bound(mu, n) / float(ref) - 1))
    out.append({"name": "distance_bound exact: max relative error vs 50-digit quadrature",
                "value": worst, "unit": "", "note": "n = 3..2000, mu = 0.5..1e-300"})
    out.append({"name": "distance_bound exact: time per call (n = 500, mu = 0.01)",
                "value": 1e3 * _timeit(lambda: S.distance_bound(0.01, 500)), "unit": "ms",
                "note": ""})
    out.append({"name": "max_error_rate: time per call (n = 500, d = 0.2)",
                "value": 1e3 * _timeit(lambda: S.max_error_rate(0.2, 500), 3), "unit": "ms",
                "note": ""})
    return out


if __name__ == "__main__":  # pragma: no cover - command-line entry
    for row in run():
        print(f"{row['name']:<72} {row['value']:.3g} {row['unit']}  {row['note']}")
