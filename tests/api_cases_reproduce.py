"""Valid arguments for the public functions of numerics.sweeps, numerics.reproduce_spheres,
numerics.reproduce_tilting and numerics.lenet (for tests/test_public_api.py)."""

from pathlib import Path

import numpy as np
from advgeom.numerics import lenet
from advgeom.numerics.sweeps import Sweep, demo_task


def _relu_result(n: int, arm: str = "sweep", hidden: int = 64) -> dict:
    d = np.array([0.0, 0.2, np.nan, 0.1])
    return {"n": n, "hidden": hidden, "steps": 10, "arm": arm, "index": 0,
            "spheres": {"inner": {"radius": 1.0, "errors": 1, "test_points": 100, "distances": d},
                        "outer": {"radius": 1.3, "errors": 0, "test_points": 100, "distances": d}}}


_RELU_RESULTS = [_relu_result(n) for n in (10, 30, 40, 80, 100)] + [_relu_result(100, "blog", 1000)]
_QUAD_RESULTS = [{"n": 10, "hidden": 10, "steps": 10, "index": 0, "above_1": 1, "below_inv_R2": 2,
                  "spheres": {s: {"exact": 1e-9, "saddlepoint": 1.1e-9, "clt": 1e-5, "mc_errors": 0,
                                  "mc_points": 1000, "distances": np.array([0.5, 0.6, 0.7]),
                                  "levy_bound": 0.9} for s in ("inner", "outer")}}]
_SWEEP = Sweep("api-cases", demo_task, [{"size": 2}])
_SEED = np.random.SeedSequence(0)
_NET = lenet.init_lenet(np.random.SeedSequence(1), channels=(2, 3), hidden=4)
_IMAGES = np.random.default_rng(2).uniform(0, 1, (3, 784)).astype(np.float32)
_LABELS = np.array([0, 1, 2])


def _lenet_result(wd: float, index: int) -> dict:
    return {"weight_decay": wd, "index": index, "epochs": 1, "test_errors": 10 + index,
            "test_images": 100, "history": [2.0], "param_norm": 1.0,
            "correct": np.array([True, True, False, True]),
            "success": np.array([True, True, True, False]),
            "norm": np.array([1.0, 2.0 + wd, 1.5, np.nan]) * (1 + index),
            "cosine": np.array([0.2, 0.3 + wd, 0.1, np.nan])}


_LENET_RESULTS = [_lenet_result(wd, i) for i in range(2) for wd in (1e-4, 1e-1)]


def _logistic_result(shape=(3, 784)) -> dict:
    W = np.random.default_rng(3).normal(0.0, 0.01, shape)
    z = np.zeros(3)
    return {"source": "mnist", "pair": (2, 3), "split_seed": 0, "lams": np.array([100.0, 1.0, 0.01]),
            "W": W, "b": z, "theta": z, "err_train": z, "err_test": z, "grad_norm": z,
            "angle_error_bound": z}

CASES = {
    "advgeom.numerics.sweeps.canonical": {"valid": {"params": {"a": 1}}},
    "advgeom.numerics.sweeps.apply_overrides": {
        "valid": {"config": {"seeds": 3}, "overrides": {"seeds": 5}, "allowed": ("seeds",),
                  "entry": lambda key, value: int(value)},
        "valid_also": {"why": ["unknown-option"]},  # free text
        "bad": {"overrides": [{"epochs": 5}, ["seeds"]]}},
    "advgeom.numerics.sweeps.task_key": {"valid": {"sweep": _SWEEP, "params": {"size": 2}}},
    "advgeom.numerics.sweeps.task_seed": {"valid": {"name": "s", "params": {"size": 2}},
                                          "bad": {"name": [""]},
                                          "valid_also": {"name": ["unknown-option"]}},
    "advgeom.numerics.sweeps.local_client": {"valid": {"workers": 2}, "bad": {"workers": [0, -1]}},
    "advgeom.numerics.sweeps.run_sweep": {"valid": {"sweep": _SWEEP, "root": Path("/tmp/advgeom-api-sweep"),
                                                    "progress": False},
                                          },
    "advgeom.numerics.reproduce_spheres.relu_task": {
        "valid": {"seed": _SEED, "n": 5, "hidden": 4, "steps": 5, "test_points": 50,
                  "attack_points": 2, "attack_steps": 5},
        "bad": {"n": [1], "hidden": [0], "steps": [0], "lr": [0.0, 2.0], "attack_step": [0.0],
                "index": [-1]}},
    "advgeom.numerics.reproduce_spheres.quadratic_task": {
        "valid": {"seed": _SEED, "n": 5, "hidden": 5, "steps": 20, "checkpoint_every": 10,
                  "mc_points": 100, "distance_points": 10},
        "bad": {"n": [1], "hidden": [0], "steps": [0], "lr": [0.0], "distance_points": [1]}},
    "advgeom.numerics.reproduce_spheres.relu_sweep": {
        "valid": {"scale": "ci", "overrides": {"steps": 10}},
        "bad": {"overrides": [{"steps": 0}, {"no_such_key": 1}, {"dims": []}, {"lr": -1.0}]}},
    "advgeom.numerics.reproduce_spheres.quadratic_sweep": {
        "valid": {"scale": "paper", "overrides": {"seeds": 1}},
        "bad": {"overrides": [{"seeds": 0}, {"hidden": 3}]}},
    "advgeom.numerics.reproduce_spheres.newcombe_difference": {
        "valid": {"k1": 8, "n1": 10, "k2": 2, "n2": 10, "level": 1e-3},
        "bad": {"k1": [-1, 11], "n1": [0], "k2": [11], "level": [0.0, 1.0]}},
    "advgeom.numerics.reproduce_spheres.analyse_relu": {
        "valid": {"results": _RELU_RESULTS, "scale": "ci"}, "bad": {"results": [[], [{"n": 3}]]}},
    "advgeom.numerics.reproduce_spheres.analyse_quadratic": {
        "valid": {"results": _QUAD_RESULTS, "scale": "paper"}, "bad": {"results": [[]]}},
    "advgeom.numerics.lenet.init_lenet": {
        "valid": {"seed": _SEED, "channels": (2, 3), "hidden": 4},
        "bad": {"seed": [-1], "channels": [(0, 3), (2,)], "hidden": [0], "dtype": ["float16"]}},
    "advgeom.numerics.lenet.lenet_logits": {
        "valid": {"net": _NET, "X": _IMAGES},
        "bad": {"X": [np.full((2, 784), 1.5), np.zeros((2, 100))], "chunk": [0]}},
    "advgeom.numerics.lenet.lenet_loss": {
        "valid": {"net": _NET, "X": _IMAGES, "y": _LABELS, "weight_decay": 0.1},
        "bad": {"y": [np.array([0, 1, 10]), np.array([0, 1]), np.array([0.5, 1, 2])],
                "weight_decay": [-1.0]}},
    "advgeom.numerics.lenet.train_lenet": {
        "valid": {"X": _IMAGES, "y": _LABELS, "epochs": 1, "batch": 2, "seed": _SEED,
                  "channels": (2, 3), "hidden": 4},
        "bad": {"epochs": [0], "batch": [0], "lr": [0.0, 2.0], "momentum": [1.0, -0.1],
                "weight_decay": [-1.0], "y": [np.array([0, 1])]}},
    "advgeom.numerics.lenet.targeted_attack": {
        "valid": {"net": _NET, "X": _IMAGES, "targets": np.array([1, 2, 3]), "max_steps": 3},
        "bad": {"p": [0.0, 1.0], "step": [0.0], "max_steps": [0], "refine": [-1],
                "targets": [np.array([1, 2])]}},
    "advgeom.numerics.reproduce_tilting.mnist_split": {"valid": {"part": "test"}},
    "advgeom.numerics.reproduce_tilting.lenet_task": {
        "valid": {"seed": _SEED, "weight_decay": 0.1, "index": 0, "epochs": 1, "train_images": 100,
                  "attack_images": 2, "attack_steps": 2},
        "bad": {"weight_decay": [-1.0], "index": [-1], "epochs": [0], "train_images": [5, 10**6],
                "attack_images": [0, 10**6], "attack_step": [0.0], "lr": [0.0]}},
    "advgeom.numerics.reproduce_tilting.lenet_sweep": {
        "valid": {"scale": "ci", "overrides": {"epochs": 2}},
        "bad": {"overrides": [{"epochs": 0}, {"no_such_key": 1}, {"lr": -1.0}]}},
    "advgeom.numerics.reproduce_tilting.lenet_cost": {
        "valid": {"scale": "paper", "overrides": {"seeds": 1}},
        "bad": {"overrides": [{"seeds": 0}]}},
    "advgeom.numerics.reproduce_tilting.analyse_lenet": {
        "valid": {"results": _LENET_RESULTS, "scale": "ci"},
        "bad": {"results": [[], [{"weight_decay": 0.1}], _LENET_RESULTS[:1]]}},
    "advgeom.numerics.reproduce_tilting.logistic_path_task": {
        "valid": {"seed": _SEED, "pair": (2, 3), "step": 4.0},
        "bad": {"pair": [(2, 2), (2, 10), (1,)], "hi": [9.0], "lo": [3.0, -9.0],
                "step": [0.0, 1e-3, 9.0]}},
    "advgeom.numerics.reproduce_tilting.logistic_path_sweep": {
        "valid": {"scale": "ci", "overrides": {"step": 1.0}},
        "bad": {"overrides": [{"step": 0.0}, {"no_such_key": 1}, {"pairs": []},
                              {"pairs": [[2, 2]]}, {"pairs": [[2, 3], [2, 3]]}, {"lo": 5.0}]}},
    "advgeom.numerics.reproduce_tilting.logistic_path_cost": {
        "valid": {"scale": "paper", "overrides": {"pairs": [[2, 3]]}},
        "bad": {"overrides": [{"step": -1.0}]}},
    "advgeom.numerics.reproduce_tilting.analyse_logistic_path": {
        "valid": {"results": [_logistic_result()], "scale": "ci"},
        "bad": {"results": [[], [{"pair": (2, 3)}], [_logistic_result((3, 10))],
                            [_logistic_result(), _logistic_result()]]}},
}
EXEMPT = {}
