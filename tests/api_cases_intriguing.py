"""Valid arguments for the public functions of theory.lipschitz and numerics.attacks (for
tests/test_public_api.py)."""

import numpy as np
from advgeom.numerics.attacks import BinaryLogistic

_K = np.ones((2, 1, 2, 2))
_W = np.array([[1.0, 0.5], [-0.3, 0.8]])
_MODEL = BinaryLogistic(np.array([1.0, 0.0]), -1.0)

L = "advgeom.theory.lipschitz."
CASES = {
    L + "minimal_perturbation_affine": {
        "valid": {"w": np.array([1.0, 1.0]), "b": -1.5, "x": np.array([0.5, 0.5]),
                  "box": (0.0, 1.0)}},
    L + "minimal_perturbation_polyhedral": {
        "valid": {"W": np.array([[0.0, 0.0], [1.0, 0.0], [0.6, 1.0]]), "b": np.array([1.0, 0, 0]),
                  "x": np.array([0.0, 0.0]), "target": 1},
        "bad": {"target": [3, -1]}},
    L + "logistic_penalty_closed_form": {
        "valid": {"w": np.array([1.0, 0.0]), "b": -1.0, "x": np.array([0.0, 0.0]), "c": 0.25},
        "bad": {"c": [0.0, -1.0]}},
    L + "c_star": {"valid": {"w": np.array([3.0, 4.0])}},
    L + "relu_layer_bound": {"valid": {"W": _W}},
    L + "maxpool_bound": {"valid": {"window": 3, "stride": 2}, "bad": {"window": [0], "stride": [0]}},
    L + "maxpool2d": {"valid": {"x": np.arange(16.0).reshape(4, 4), "window": 2, "stride": 2},
                      "bad": {"window": [0, 5], "stride": [0]},
                      "valid_also": {"x": ["extra_dim"]}},
    L + "contrast_norm": {"valid": {"x": np.array([3.0, 4.0]), "eps": 1.0, "gamma": 0.5},
                          "bad": {"eps": [0.0, -1.0], "gamma": [-0.5]},
                          "valid_also": {"x": ["extra_dim"]}},
    L + "contrast_norm_jacobian": {"valid": {"x": np.array([0.0, 1.0]), "eps": 0.25, "gamma": 1.0},
                                   "bad": {"eps": [0.0], "gamma": [-1.0]}},
    L + "contrast_norm_bound": {"valid": {"eps": 0.25, "gamma": 1.0},
                                "bad": {"eps": [0.0, -1.0], "gamma": [-1.0]}},
    L + "conv_operator_norm": {"valid": {"kernel": _K, "input_size": 4, "stride": 2}},
    L + "conv_singular_values": {"valid": {"kernel": _K, "input_size": 4, "stride": 2}},
    L + "conv_operator_norm_dense": {"valid": {"kernel": _K, "input_size": 4, "stride": 2}},
    L + "conv_operator_norm_power": {"valid": {"kernel": _K, "input_size": 4, "stride": 2,
                                               "max_iter": 200, "rtol": 1e-8}},
    L + "conv2d_direct": {"valid": {"x": np.ones((1, 4, 4)), "kernel": _K},
                          "valid_also": {"x": ["extra_dim"]}},
    L + "conv_matrix": {"valid": {"kernel": _K, "input_size": 4}},
    L + "convbound_as_printed": {"valid": {"kernel": _K, "input_size": 4, "stride": 2}},
    L + "zero_padding_grid": {"valid": {"kernel_size": 3, "input_size": 8, "stride": 2},
                              "bad": {"kernel_size": [0], "stride": [0]}},
    L + "network_lipschitz_bound": {"valid": {"layers": [("dense", _W), ("relu",), 0.5]}},
    L + "relu_network_lipschitz_exact": {
        "valid": {"weights": [_W, np.array([[1.0, 1.0]])], "biases": [np.zeros(2), np.zeros(1)]}},
    L + "relu_network_jacobian": {
        "valid": {"weights": [_W, np.array([[1.0, 1.0]])], "biases": [np.zeros(2), np.zeros(1)],
                  "x": np.array([[1.0, -1.0]])}},
    L + "certified_radius": {"valid": {"margin": 2.0, "lipschitz": 1.0},
                             "bad": {"lipschitz": [0.0, -1.0]}},
    L + "gaussian_flip_logprob": {"valid": {"distance": 1.0, "sigma": 0.1},
                                  "bad": {"distance": [-1.0], "sigma": [0.0]}},
    L + "random_direction_flip_prob": {"valid": {"distance": 1.0, "rho": 2.0, "m": 20},
                                       "bad": {"distance": [-1.0], "rho": [0.0], "m": [1]},
                                       "valid_also": {"rho": ["inf"]}},
}

A = "advgeom.numerics.attacks."
CASES.update({
    A + "penalty_attack": {"valid": {"model": _MODEL, "x": np.array([0.5, 0.5]), "target": 1,
                                     "c": 0.25, "maxiter": 50},
                           "bad": {"c": [0.0, -1.0], "target": [2, -1], "norm": [3],
                                   "maxiter": [0]}},
    A + "penalty_attack_path": {"valid": {"model": _MODEL, "x": np.array([0.5, 0.5]), "target": 1,
                                          "cs": np.array([0.1, 0.2])},
                                "bad": {"target": [2]}},
    A + "penalty_attack_search": {"valid": {"model": _MODEL, "x": np.array([0.5, 0.5]),
                                            "target": 1, "steps": 2},
                                  "bad": {"steps": [-1], "target": [2]}},
})

EXEMPT = {}
