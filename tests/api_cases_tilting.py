"""Valid arguments for the public functions of theory.tilting, numerics.tilting_paths and
numerics.datasets (for tests/test_public_api.py)."""

import numpy as np
from advgeom.numerics import datasets as _datasets

_X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.5]])
_Y = np.array([-1, -1, 1, 1])
_W = np.array([1.0, 0.5])
_Z = np.array([1.0, 0.0])
_GEOM = {"w": _W, "b": -1.0, "X": _X}
_LABELLED = {"w": _W, "b": -1.0, "X": _X, "y": _Y}
# labels: wrong values, one class only, wrong length
_BAD_Y = [np.array([0, 0, 1, 1]), np.array([1, 1, 1, 1]), np.array([-1, 1]),
          np.array([-1.5, -1, 1, 1])]
_BAD_W = [np.array([0.0, 0.0]), np.array([1.0, 0.0, 0.0])]

CASES = {
    "advgeom.theory.tilting.class_centroids": {"valid": {"X": _X, "y": _Y}, "bad": {"y": _BAD_Y}},
    "advgeom.theory.tilting.nearest_centroid_direction": {
        "valid": {"X": _X, "y": _Y}, "bad": {"y": _BAD_Y, "X": [np.ones((4, 2))]}},
    "advgeom.theory.tilting.tilting_plane": {
        "valid": {"w": _W, "z_hat": _Z},
        "bad": {"w": _BAD_W + [np.array([2.0, 0.0])], "z_hat": _BAD_W, "rtol": [0.0, -1.0, 1.0]}},
    "advgeom.theory.tilting.tilting_angle": {"valid": {"w": _W, "X": _X, "y": _Y},
                                             "bad": {"w": _BAD_W, "y": _BAD_Y}},
    "advgeom.theory.tilting.angle_to_direction": {
        "valid": {"w": _W, "z_hat": _Z}, "bad": {"w": _BAD_W, "z_hat": _BAD_W},
        "valid_also": {"w": ["extra_dim"]}},
    "advgeom.theory.tilting.signed_distance": {"valid": _GEOM, "bad": {"w": _BAD_W}},
    "advgeom.theory.tilting.projected_images": {"valid": _GEOM, "bad": {"w": _BAD_W}},
    "advgeom.theory.tilting.mirror_images": {"valid": _GEOM, "bad": {"w": _BAD_W}},
    "advgeom.theory.tilting.minimal_l2_perturbation": {"valid": _GEOM, "bad": {"w": _BAD_W}},
    "advgeom.theory.tilting.linf_flip_budget": {"valid": _GEOM, "bad": {"w": _BAD_W}},
    "advgeom.theory.tilting.adversarial_distance": {"valid": _LABELLED,
                                                    "bad": {"w": _BAD_W, "y": _BAD_Y}},
    "advgeom.theory.tilting.error_distance": {"valid": _LABELLED, "bad": {"w": _BAD_W, "y": _BAD_Y}},
    "advgeom.theory.tilting.adversarial_strength": {"valid": _LABELLED,
                                                    "bad": {"w": _BAD_W + [np.array([-1.0, 0.0])],
                                                            "y": _BAD_Y}},
    "advgeom.theory.tilting.adversarial_distance_formula": {
        "valid": {"theta": 0.3, "centroid_gap": 2.0, "n_I": 3, "n_J": 5, "midpoint_distance": 0.1},
        "bad": {"theta": [4.0, -0.1], "centroid_gap": [-1.0], "n_I": [0, -2], "n_J": [0]}},
    "advgeom.theory.tilting.within_class_scatter": {"valid": {"X": _X, "y": _Y},
                                                    "bad": {"y": _BAD_Y}},
    "advgeom.theory.tilting.hinge_threshold": {"valid": {"X": _X, "y": _Y},
                                               "bad": {"y": _BAD_Y + [np.array([-1, 1, 1, 1])]}},
    "advgeom.theory.tilting.hinge_closed_form": {"valid": {"X": _X, "y": _Y, "lam": 10.0},
                                                 "bad": {"y": _BAD_Y, "lam": [1e-3, 0.0, -1.0]}},
    "advgeom.theory.tilting.logistic_tilt_constant": {"valid": {"X": _X, "y": _Y},
                                                      "bad": {"y": _BAD_Y}},
    "advgeom.theory.tilting.project_to_tilting_plane": {
        "valid": {"X": _X, "w": _W, "z_hat": _Z},
        "bad": {"w": _BAD_W + [np.array([2.0, 0.0])], "z_hat": _BAD_W}},
    "advgeom.theory.tilting.boundary_line_in_plane": {
        "valid": {"w": _W, "b": -1.0, "z_hat": _Z},
        "bad": {"w": _BAD_W + [np.array([2.0, 0.0])], "z_hat": _BAD_W}},
    "advgeom.theory.tilting.span3_basis": {
        "valid": {"z_hat": np.array([1.0, 0.0, 0.0]), "w_a": np.array([1.0, 1.0, 0.0]),
                  "w_b": np.array([1.0, 0.0, 1.0])},
        "bad": {"w_b": [np.array([2.0, 2.0, 0.0]), np.array([1.0, 0.0])], "rtol": [0.0, 1.0]}},
    "advgeom.theory.tilting.toy2d_mirror": {"valid": {"a": np.array([-0.8, 0.5]), "phi": 0.3},
                                            "bad": {"phi": [-0.1, 1.6]},
                                            "valid_also": {"a": ["empty", "extra_dim"]}},
    "advgeom.theory.tilting.block_toy": {"valid": {"a": np.array([-0.8, 0.5]), "dim": 10, "left": 4},
                                         "bad": {"dim": [1, 0], "left": [0, 10, 11]}},
    "advgeom.theory.tilting.toy_random_pixels": {
        "valid": {"n": 3, "h": 2, "rng": np.random.default_rng(0)}, "bad": {"n": [0], "h": [0]}},
    "advgeom.theory.tilting.upsample": {
        "valid": {"x_img": np.ones((2, 2)), "w_img": np.array([[1.0, -1.0], [0.5, 2.0]]), "k": 2,
                  "p": 1.0},
        "bad": {"k": [0], "w_img": [np.ones((3, 2)), np.ones(4)]}},
    "advgeom.theory.tilting.tilt_error_closed_form": {"valid": {"delta": 0.5, "sigma": 0.1},
                                                      "bad": {"delta": [1.6, -0.1],
                                                              "sigma": [-0.1]}},
    "advgeom.theory.tilting.tilt_accuracy_closed_form": {"valid": {"delta": 0.5, "sigma": 0.1},
                                                         "bad": {"delta": [1.6, -0.1],
                                                                 "sigma": [-0.1]}},
    "advgeom.theory.tilting.scaled_hinge": {"valid": {"u": 0.3, "k": 2.0},
                                            "bad": {"k": [0.0, -1.0]}},
    "advgeom.theory.tilting.scaled_softplus": {"valid": {"u": 0.3, "k": 2.0},
                                               "bad": {"k": [0.0, -1.0]}},
    "advgeom.numerics.tilting_paths.log_grid": {"valid": {"hi": 1.0, "lo": -1.0, "step": 0.5},
                                                "bad": {"step": [0.0, -0.5], "lo": [2.0]}},
    "advgeom.numerics.tilting_paths.load_pair": {
        "valid": {"source": "digits", "pair": (2, 3), "per_class": 20, "seed": 0},
        "bad": {"pair": [(2, 2), (2, 10), (-1, 3)], "per_class": [0, 10**9], "seed": [-1]}},
    "advgeom.numerics.tilting_paths.optimal_hinge_bias": {
        "valid": {"scores": np.array([-2.0, -1.0, 1.0, 3.0]), "y": _Y}, "bad": {"y": _BAD_Y}},
    "advgeom.numerics.tilting_paths.fit_hinge": {
        "valid": {"X": _X, "y": _Y, "lam": 0.1},
        "bad": {"y": _BAD_Y, "lam": [0.0, -1.0], "tol": [0.0, -1.0, 1.0],
                "K": [np.ones((3, 3))], "alpha0": [np.ones(3), -np.ones(4)]}},
    "advgeom.numerics.tilting_paths.fit_logistic": {
        "valid": {"X": _X, "y": _Y, "lam": 0.1},
        "bad": {"y": _BAD_Y, "lam": [0.0, -1.0], "w0": [np.ones(3)], "max_iter": [0, -1]}},
    "advgeom.numerics.tilting_paths.regularization_path": {
        "valid": {"X": _X, "y": _Y, "lams": np.array([1.0, 0.1])},
        "bad": {"y": _BAD_Y, "lams": [np.array([0.1, 1.0]), np.array([1.0, -1.0]),
                                      np.array([1.0, 1.0])],
                "X_test": [np.ones((2, 3))], "y_test": [np.array([0, 1])]}},
    "advgeom.numerics.datasets.binary_pair": {
        "valid": {"ds": _datasets.load("digits"), "first": 2, "second": 3},
        "bad": {"first": [-1, 10], "second": [2, 11]}},
    "advgeom.numerics.datasets.split": {
        "valid": {"X": np.arange(20.0).reshape(10, 2), "y": np.repeat([0, 1], 5),
                  "test_fraction": 0.3, "seed": 0},
        "bad": {"test_fraction": [0.0, 1.0, -0.5], "seed": [-1], "y": [np.zeros(3)]}},
}
EXEMPT = {}
