"""Valid arguments for the public functions of theory.quadforms, numerics.peers
and the benchmark modules (for tests/test_public_api.py)."""

_QF = "advgeom.theory.quadforms."
_P = "advgeom.numerics.peers."

_QF_CASES = {
    "sf": {"valid": {"weights": [1.0, -0.5, 0.25], "x": 0.5},
           "bad": {"samples": [0, -3], "precision": [0, -5, 10**6]},
           "valid_also": {"x": ["extra_dim"]}},
    "cgf": {"valid": {"weights": [1.0, -0.5], "s": 0.1},
            "bad": {"s": [0.5, 2.0]}},
    "saddlepoint": {"valid": {"weights": [1.0, -0.5], "x": 0.3}},
    "cluster": {"valid": {"weights": [2.0, -1.0, -1.0 - 1e-12, -1.0 - 2e-12], "x": 0.5,
                          "tol": 1e-9},
                "bad": {"tol": [0.0, -1e-9, 1.0, 2.0]}},
}

CASES = {
    **{_QF + k: v for k, v in _QF_CASES.items()},
    _P + "available": {"valid": {"peer": "gx2"}},
    _P + "version": {"valid": {"peer": "momentchi2"}},
    _P + "tail": {"valid": {"peer": "momentchi2", "method": "hbe", "weights": [1.0, 2.0],
                            "x": 3.0, "limit": 5.0},
                  "bad": {"limit": [0.0, -1.0]}},
    _P + "call_limited": {"valid": {"fn": lambda: 1.0, "limit": 1.0, "memory": 2.0**30},
                          "bad": {"limit": [0.0, -1.0], "memory": [0.0, -1.0]}},
}

EXEMPT = {
    _P + "r_pchisqsum": "starts an R process per call (seconds each); its arguments are validated "
                        "and tested in tests/test_bench.py",
    "advgeom.numerics.bench.main": "benchmark driver (minutes), takes only output flags",
    "advgeom.numerics.bench.run_all": "benchmark driver (minutes), takes only flags",
    "advgeom.numerics.bench.peer_tail_rows": "benchmark driver (minutes), takes only flags",
    "advgeom.numerics.bench.sphere_sampler_rows": "benchmark driver (seconds of sampling)",
    "advgeom.numerics.bench.best_time": "timing helper of the benchmark driver",
    "advgeom.numerics.bench_spheres.run": "benchmark driver, takes no data arguments",
    "advgeom.numerics.bench_lipschitz.run": "benchmark driver, takes only size limits",
    "advgeom.numerics.bench_lipschitz.run_peers": "benchmark driver (minutes), takes only flags",
    "advgeom.numerics.bench_lipschitz.sedghi_full": "a peer's method in the lines a user writes, "
                                                    "unvalidated on purpose; tested in test_bench",
    "advgeom.numerics.bench_lipschitz.sedghi_half": "a peer's method as a user writes it; tested "
                                                    "in test_bench",
    "advgeom.numerics.bench_lipschitz.power_iteration": "a peer's method as a user writes it; "
                                                        "tested in test_bench",
    "advgeom.numerics.bench.conv_peer_rows": "benchmark driver (minutes), takes only flags",
}
