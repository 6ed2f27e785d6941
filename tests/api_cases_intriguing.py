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

# --------------------------------------------------------------------------- numerics.reproduce_intriguing

_RNG = np.random.default_rng(3)
_X = _RNG.uniform(0, 1, (20, 784))
_Y = np.arange(20) % 10
_PARAMS = [(_RNG.standard_normal((784, 4)) * 0.05).astype(np.float32), np.zeros(4, np.float32),
           (_RNG.standard_normal((4, 10)) * 0.5).astype(np.float32), np.zeros(10, np.float32)]
_SEQ = np.random.SeedSequence(5)


def _units_result(arch: str, index: int) -> dict:
    n_layers = 2 if arch == "deep" else 1
    units = np.array([0.5, 0.6, np.nan, 0.7, 0.4, 0.9]) + 0.01 * index
    return {"architecture": arch, "index": index, "test_errors": 50, "test_images": 1000,
            "layers": [{"units": units, "random": np.linspace(0.3, 0.8, 8)}] * n_layers}


def _adversarial_results() -> list[dict]:
    from advgeom.numerics import reproduce_intriguing as ri

    y = ri._split()[3]
    out = []
    for i in range(2):
        for j, arm in enumerate(("plain", "input", "layers")):
            pred = y.copy()
            pred[(np.arange(y.size) * (j + 3) + i) % 97 == 0] += 1
            out.append({"arm": arm, "index": i, "predictions": pred % 10,
                        "test_errors": int(np.count_nonzero(pred % 10 != y)), "test_images": y.size})
    return out


R = "advgeom.numerics.reproduce_intriguing."
CASES.update({
    R + "label_purity": {
        "valid": {"scores": np.array([[3.0, 0.0], [2.0, 1.0], [1.0, 2.0], [0.0, 3.0]]),
                  "labels": np.array([0, 0, 1, 2]), "k": 2},
        "bad": {"k": [0, 5], "labels": [np.array([0, 1, 2]), np.array([0, 0.5, 1, 2])]}},
    R + "welch_interval": {
        "valid": {"a": np.array([0.5, 0.6, 0.7]), "b": np.array([0.4, 0.6, 0.5, 0.3]),
                  "level": 1e-3},
        "bad": {"a": [np.array([0.5])], "level": [0.0, 1.0]}},
    R + "mlp_forward": {
        "valid": {"params": _PARAMS, "X": _X},
        "bad": {"params": [[], _PARAMS[:3], [_PARAMS[0], _PARAMS[3]]], "level": [-1, 2],
                "X": [np.zeros((2, 5))]}},
    R + "layer_attack": {
        "valid": {"params": _PARAMS, "A": _X[:4], "y": _Y[:4], "steps": 2},
        "bad": {"params": [[]], "level": [-1, 2], "A": [-_X[:4], np.zeros((4, 5))],
                "y": [np.array([0, 1, 2]), np.array([0, 1, 2, 10]), np.array([0, 1, 2, 0.5])],
                "step": [0.0, 2.0], "steps": [0]}},
    R + "train_mlp": {
        "valid": {"X": _X, "y": _Y, "hidden": (4,), "epochs": 1, "batch": 10, "levels": (0, 1),
                  "pool_size": 5},
        "bad": {"X": [_X + 1, np.zeros((20, 784, 1))], "y": [np.full(20, 10), _Y[:5]],
                "hidden": [(0,), ()], "epochs": [0], "batch": [0], "lr": [0.0, 2.0],
                "weight_decay": [-1.0], "seed": [-1], "levels": [(0, 0), (2,), (-1,)],
                "pool_size": [0], "refresh": [0], "attack_step": [0.0], "attack_steps": [0]}},
    R + "units_task": {
        "valid": {"seed": _SEQ, "architecture": "one", "index": 0, "epochs": 1,
                  "random_directions": 5},
        "bad": {"index": [-1], "epochs": [0], "lr": [0.0, 2.0], "random_directions": [1],
                "k": [0, 1001], "seed": [3]}},
    R + "adversarial_task": {
        "valid": {"seed": _SEQ, "arm": "layers", "index": 0, "epochs": 1, "pool_size": 50,
                  "attack_steps": 2},
        "bad": {"index": [-1], "epochs": [0], "pool_size": [0], "refresh": [0],
                "attack_step": [0.0, 2.0], "attack_steps": [0], "seed": [3]}},
    R + "units_sweep": {
        "valid": {"scale": "ci", "overrides": {"seeds": 2}},
        "bad": {"overrides": [{"seeds": 0}, {"no_such_key": 1}, {"lr": -1.0},
                              {"random_directions": 1}]}},
    R + "adversarial_sweep": {
        "valid": {"scale": "paper", "overrides": {"seeds": 2}},
        "bad": {"overrides": [{"seeds": 0}, {"no_such_key": 1}, {"attack_step": 0.0}]}},
    R + "units_cost": {"valid": {"scale": "ci"}, "bad": {"overrides": [{"epochs": 0}]}},
    R + "adversarial_cost": {"valid": {"scale": "ci"}, "bad": {"overrides": [{"refresh": 0}]}},
    R + "analyse_units": {
        "valid": {"results": [_units_result(a, i) for a in ("one", "deep") for i in range(2)],
                  "scale": "ci"},
        "bad": {"results": [[], [{"architecture": "one"}],
                            [{"architecture": "one", "index": 0, "test_errors": 1,
                              "test_images": 10, "layers": [{}]}]]}},
    R + "analyse_adversarial": {
        "valid": {"results": _adversarial_results(), "scale": "ci"},
        "bad": {"results": [[], [{"arm": "plain"}],
                            [{"arm": "plain", "index": 0, "predictions": np.zeros(3),
                              "test_errors": 1, "test_images": 3}]]}},
})


def _transfer_results() -> list[dict]:
    out = []
    for i in range(2):
        n = 5
        out.append({"index": i, "attacked": np.arange(n) + 10 * i, "norms": np.linspace(1, 2, n),
                    "success": np.ones(n, bool), "rho": 3.0,
                    "fool_adversarial": (np.arange(n) + i) % 2 == 0,
                    "fool_noise": np.linspace(0.0, 0.2, n), "test_errors_a": 40,
                    "test_errors_b": 45, "test_images": 1000})
    return out


CASES.update({
    R + "transfer_task": {
        "valid": {"seed": _SEQ, "index": 0, "epochs": 1, "images": 2, "random_directions": 2,
                  "attack_steps": 1, "attack_maxiter": 5},
        "bad": {"index": [-1], "epochs": [0], "lr": [0.0, 2.0], "images": [0],
                "random_directions": [1], "attack_steps": [0], "attack_maxiter": [0],
                "seed": [3]}},
    R + "transfer_sweep": {
        "valid": {"scale": "paper", "overrides": {"seeds": 2, "images": 5}},
        "bad": {"overrides": [{"seeds": 0}, {"no_such_key": 1}, {"images": 0},
                              {"random_directions": 1}]}},
    R + "transfer_cost": {"valid": {"scale": "ci"}, "bad": {"overrides": [{"attack_steps": 0}]}},
    R + "analyse_transfer": {
        "valid": {"results": _transfer_results(), "scale": "ci"},
        "bad": {"results": [[], [{"index": 0}],
                            [{**_transfer_results()[0], "fool_noise": np.zeros(3)}]]}},
})
