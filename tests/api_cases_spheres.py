"""Valid arguments for the public functions of theory.spheres, numerics.quadratic_network and
numerics.references (for tests/test_public_api.py)."""

import numpy as np

_A = np.array([1.2, 0.9, 0.8])
_V = np.eye(3)
_W = np.array([[1.0, 0.2], [0.1, 0.7]])

S = "advgeom.theory.spheres."
CASES = {
    S + "sample_sphere": {"valid": {"m": 3, "n": 4, "R": 1.3, "rng": np.random.default_rng(0)},
                          "bad": {"m": [-1, 10**12], "n": [1, 0, 10**30], "R": [0.0, -1.0]}},
    S + "coordinate_density": {"valid": {"s": 0.2, "n": 5}, "bad": {"n": [1, 10**9]}},
    S + "cap_measure": {"valid": {"t": 0.1, "n": 10},
                        "bad": {"n": [1, 0], "precision": [0, -3, 2.5, True]}},
    S + "cap_threshold": {"valid": {"mu": 0.2, "n": 10},
                          "bad": {"mu": [0.0, 1.0, 1.5], "n": [1], "precision": [0, -1]}},
    S + "distance_bound": {"valid": {"mu": 0.1, "n": 20},
                           "bad": {"mu": [0.0, 1.0, -0.1], "n": [1, 10**9],
                                   "precision": [0, -5]}},
    S + "distance_bound_limit": {"valid": {"n": 5}, "bad": {"n": [1]}},
    S + "max_error_rate": {"valid": {"d": 0.3, "n": 20}, "bad": {"n": [1]}},
    S + "neighbourhood_bound": {"valid": {"mu": 0.1, "eps": 0.2, "n": 20},
                                "bad": {"mu": [0.0, 1.0], "eps": [-0.1], "n": [1]}},
    S + "interior_bound": {"valid": {"mu": 0.1, "eps": 0.2, "n": 20},
                           "bad": {"mu": [0.0, 1.0], "eps": [-0.1], "n": [1]}},
    S + "zero_error_bound": {"valid": {"samples": 100.0, "confidence": 0.95},
                             "bad": {"samples": [0.5, -1.0], "confidence": [0.0, 1.0]}},
    S + "critical_dimension": {"valid": {"mu": 0.1, "gap": 0.5, "n_max": 1000},
                               "bad": {"mu": [0.0, 1.0], "gap": [0.0, -1.0], "n_max": [1]}},
    S + "min_distance_quantile": {"valid": {"q": 0.5, "N": 100, "n": 50},
                                  "bad": {"q": [0.0, 1.0], "N": [1], "n": [1]}},
    S + "quadratic_alphas": {"valid": {"W": _W, "w": 0.5, "b": -1.0},
                             "bad": {"w": [0.0, -1.0], "b": [0.0, 1.0]}},
    S + "quadratic_error_rate": {"valid": {"alphas": _A}, "bad": {"R": [1.0, 0.5],
                                                                  "alphas": [[1.0]]}},
    S + "clt_error_rate": {"valid": {"alphas": _A}, "bad": {"R": [1.0], "alphas": [[1.0]]}},
    S + "nearest_error": {"valid": {"x": np.array([0.0, 1.0, 0.0]), "alphas": _A, "V": _V},
                          "bad": {"x": [np.zeros(3), np.ones(4)], "V": [2 * np.eye(3)],
                                  "R": [1.0]}},
}

EXEMPT = {}

from advgeom.numerics.quadratic_network import TrainedNetwork  # noqa: E402

_NET = TrainedNetwork(n=3, hidden=3, R=1.3, steps=1, batch=1, lr=1e-3, seed=0,
                      W=np.diag([1.1, 0.9, 0.8]), w=1.0, b=-1.0,
                      alphas=np.array([1.21, 0.81, 0.64]), V=np.eye(3))
Q = "advgeom.numerics.quadratic_network."
CASES.update({
    Q + "train": {"valid": {"n": 4, "hidden": 3, "steps": 2, "batch": 4, "checkpoint_every": 1,
                            "seed": 1},
                  "bad": {"n": [1], "hidden": [0], "steps": [0], "batch": [0], "lr": [0.0, -1.0],
                          "R": [1.0], "checkpoint_every": [0], "seed": [-1]}},
    Q + "logit": {"valid": {"net": _NET, "x": np.array([[0.0, 1.0, 0.0]])},
                  "bad": {"x": [np.ones((1, 4))]}},
    Q + "count_errors": {"valid": {"net": _NET, "sphere": "inner", "samples": 10,
                                   "rng": np.random.default_rng(0)},
                         "bad": {"samples": [0, -1], "block": [0]}},
    Q + "pgd_on_sphere": {"valid": {"net": _NET, "x0": np.array([[0.6, 0.8, 0.0]]),
                                    "sphere": "inner", "max_steps": 5},
                          "bad": {"x0": [np.array([[0.0, 2.0, 0.0]])], "step": [0.0, -1.0],
                                  "max_steps": [0]}},
    Q + "nearest_errors": {"valid": {"alphas": _A, "V": _V, "x": np.array([[0.0, 1.0, 0.0]]),
                                     "sphere": "inner"},
                           "bad": {"R": [1.0], "x": [np.ones((1, 4))]}},
})
F = "advgeom.numerics.references."
CASES.update({
    F + "distance_bound_quadrature": {"valid": {"mu": 0.1, "n": 10, "dps": 15},
                                      "bad": {"mu": [0.0, 1.0], "n": [1], "dps": [0, 2000]}},
    F + "hypoexponential_sf": {"valid": {"w": np.array([1.0, -0.5]), "x": 0.5, "dps": 15},
                               "bad": {"w": [np.array([1.0, 1.0])], "dps": [0]}},
    F + "hard_margin_svm_slsqp": {
        "valid": {"X": np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]]),
                  "y": np.array([-1.0, -1.0, 1.0, 1.0]), "w0": np.array([1.0, 0.0]), "b0": -1.0},
        "bad": {"y": [np.array([1.0, 1.0, 1.0, 1.0]), np.array([-1.0, 1.0])],
                "w0": [np.array([1.0])], "band": [0.0, -1.0]}},
    F + "imhof_sf": {"valid": {"w": np.array([1.0, -0.5]), "x": 0.5, "dps": 15},
                     "bad": {"w": [np.ones((2, 2))], "dps": [0, 2000]}},
    F + "two_level_sf": {"valid": {"a": 1.0, "p": 2, "b": 0.5, "q": 3, "x": 1.0, "dps": 15},
                         "bad": {"a": [0.0], "b": [0.0], "x": [-1.0], "p": [0], "q": [0],
                                 "dps": [0]}},
})
