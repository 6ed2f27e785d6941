"""Valid arguments for the public functions of theory.highdim, theory.resolution, theory.landscape,
numerics.goe and numerics.boundary_distance (for tests/test_public_api.py).

``valid_also`` names generic bad values that are valid for a parameter: an extra leading dimension
is a batch for the vectorized functions whose arguments have shape ``(..., n)``.
"""

import numpy as np

_RNG = np.random.default_rng(20180104)
_BATCH = ["extra_dim"]

_HD = "advgeom.theory.highdim."
_RES = "advgeom.theory.resolution."
_LAND = "advgeom.theory.landscape."
_GOE = "advgeom.numerics.goe."
_BD = "advgeom.numerics.boundary_distance."
_PRECISION_BAD = [0, -5, 2.5, True, "20", 10**6]

CASES = {
    # ---------------------------------------------------------------- theory.highdim (HD-1 .. 8)
    _HD + "ball_volume": {"valid": {"n": 5, "radius": 1.0},
                          "bad": {"n": [0, -3, 10**4], "radius": [-1.0, 0.0, 1e300],
                                  "precision": _PRECISION_BAD}},
    _HD + "log_ball_volume": {"valid": {"n": 5, "radius": 2.0},
                              "bad": {"n": [0, -3], "radius": [-1.0, 0.0]}},
    _HD + "inscribed_ball_fraction": {"valid": {"n": 3}, "bad": {"n": [0],
                                                                 "precision": _PRECISION_BAD}},
    _HD + "shell_fraction": {"valid": {"n": 10, "eps": 0.1}, "bad": {"n": [0], "eps": [-0.1, 1.5]}},
    _HD + "inner_cube_fraction": {"valid": {"n": 10, "eps": 0.1},
                                  "bad": {"n": [0], "eps": [-0.1, 0.6]}},
    _HD + "sphere_abs_coordinate_tail": {"valid": {"n": 10, "t": 0.3},
                                         "bad": {"n": [1, 0], "t": [-0.1, 1.5],
                                                 "precision": _PRECISION_BAD}},
    _HD + "sphere_abs_coordinate_tail_bound": {"valid": {"n": 10, "t": 0.3},
                                               "bad": {"n": [1], "t": [-0.1, 1.5]}},
    _HD + "sphere_mean_abs_coordinate": {"valid": {"n": 10},
                                         "bad": {"n": [1, 0], "precision": _PRECISION_BAD}},
    _HD + "gamma_half_ratio": {"valid": {"x": 1.5}, "bad": {"x": [0.0, -1.0]}},
    _HD + "inner_product_square_beta": {"valid": {"n": 3}, "bad": {"n": [1, np.arange(3)]}},
    _HD + "inner_product_second_moment": {"valid": {"n": 4}, "bad": {"n": [0]}},
    _HD + "cube_distance_moments": {"valid": {"n": 180}, "bad": {"n": [0, np.arange(3)]}},
    _HD + "scaled_ball_volume_root": {"valid": {"n": 3}, "bad": {"n": [0],
                                                                 "precision": _PRECISION_BAD}},
    # ------------------------------------------------------- theory.resolution (DUBE-1, 2, 4, 5)
    _RES + "linf_gain": {"valid": {"w": np.array([1.0, -2.0, 0.5]), "eps": 0.1},
                         "bad": {"eps": [-0.1]}, "valid_also": {"w": _BATCH}},
    _RES + "fgsm_perturbation": {"valid": {"w": np.array([1.0, -2.0, 0.5]), "eps": 0.1},
                                 "bad": {"eps": [-0.1]},
                                 "valid_also": {"w": _BATCH}},
    _RES + "sign_perturbation_l2": {"valid": {"n": 784, "eps": 0.1},
                                    "bad": {"n": [0], "eps": [-0.1]}},
    _RES + "l2_gain": {"valid": {"w": np.array([3.0, 4.0]), "delta": 0.5},
                       "bad": {"delta": [-0.5]}, "valid_also": {"w": _BATCH}},
    _RES + "gaussian_l2_norm_mean": {"valid": {"n": 10}, "bad": {"n": [0, -1]}},
    _RES + "margin_distances": {"valid": {"w": np.array([1.0, -2.0]), "b": 0.3,
                                          "x": np.array([0.5, 0.25])},
                                "bad": {"w": [np.zeros(2)], "x": [np.array([0.5, 0.25, 0.1])]},
                                "valid_also": {"x": _BATCH}},
    _RES + "relative_linf_gain": {"valid": {"w": np.array([1.0, -2.0]), "x": np.array([0.5, 0.25]),
                                            "eps": 0.1, "b": 0.3},
                                  "bad": {"eps": [-0.1], "b": [0.0], "x": [np.array([0.5])]},
                                  "valid_also": {"w": _BATCH, "x": _BATCH}},
    _RES + "zero_mean_median_gain": {"valid": {"n": 100.0, "eps": 0.01},
                                     "bad": {"n": [0.5], "eps": [-0.01]}},
    _RES + "cube_boundary_distance_bound": {
        "valid": {"alpha": 0.3, "n": 10},
        "bad": {"alpha": [0.0, 1.0, -0.1], "n": [0, 2.5], "precision": _PRECISION_BAD}},
    _RES + "cube_distance_tail_bound": {"valid": {"alpha": 0.3, "s": 0.1},
                                        "bad": {"alpha": [0.0, 1.0], "s": [-0.1]}},
    _RES + "coordinate_halfspace_mean_distance": {"valid": {"alpha": 0.3},
                                                  "bad": {"alpha": [0.0, 1.0]}},
    _RES + "cube_mean_depth": {"valid": {"n": 4}, "bad": {"n": [0]}},
    _RES + "brunn_minkowski_depth_bound": {"valid": {"n": 3, "eps": 0.1, "volume": 1.0},
                                           "bad": {"n": [0], "eps": [-0.1],
                                                   "volume": [0.0, -1.0]}},
    _RES + "tangent_projection_beta": {"valid": {"n": 10, "d": 3},
                                       "bad": {"n": [1], "d": [0, 10, 11]}},
    _RES + "block_average": {"valid": {"x": np.array([1.0, 2.0, 3.0, 4.0]), "b": 2},
                             "bad": {"b": [0, 3]}, "valid_also": {"x": _BATCH}},
    _RES + "block_average_matrix": {"valid": {"n0": 2, "b": 2},
                                    "bad": {"n0": [0, 10**6], "b": [0, 10**9]}},
    _RES + "lift": {"valid": {"delta": np.array([1.0, -2.0]), "b": 3}, "bad": {"b": [0, 10**9]},
                    "valid_also": {"delta": _BATCH}},
    _RES + "normalized_l2": {"valid": {"eta": np.array([3.0, 4.0, 0.0, 0.0])},
                             "valid_also": {"eta": _BATCH}},
    _RES + "multires_minimal_perturbation": {
        "valid": {"v": np.array([1.0, -1.0]), "c": 0.1, "x": np.array([0.1, 0.2, 0.3, 0.4]), "b": 2},
        "bad": {"v": [np.zeros(2)], "b": [0, 3], "x": [np.array([0.1, 0.2])]},
        "valid_also": {"x": _BATCH}},
    # ------------------------------------------------------------ theory.landscape (DUBE-3)
    _LAND + "iid_sign_min_probability": {"valid": {"n": 3}, "bad": {"n": [0, 1075, 10**30]}},
    _LAND + "iid_sign_saddle_ratio": {"valid": {"n": 3}, "bad": {"n": [0, 1024, 10**30]}},
    _LAND + "goe_log_positive_definite_probabilities": {
        "valid": {"n_max": 3, "precision": 20},
        "bad": {"n_max": [0, 10**30], "precision": [0, -1, 10**6]}},
    _LAND + "goe_positive_definite_probability": {
        "valid": {"n": 2},
        "bad": {"n": [0, 5, 10**30], "precision": _PRECISION_BAD, "samples": [0, -1],
                "seed": [-1, 2.5, "seed"]}},
    _LAND + "goe_saddle_ratio": {"valid": {"n": 2},
                                 "bad": {"n": [0, 10**30], "method": ["montecarlo"],
                                         "precision": _PRECISION_BAD}},
    _LAND + "dean_majumdar_log_probability": {"valid": {"n": 10.0}, "bad": {"n": [0.5, 1e200]}},
    _LAND + "separable_critical_counts": {"valid": {"k": 2, "n": 3},
                                          "bad": {"k": [0], "n": [0, 10**30]}},
    _LAND + "separable_saddle_ratio": {"valid": {"k": 2, "n": 3},
                                       "bad": {"k": [0], "n": [0, 10**30]}},
    # ------------------------------------------------------------------- numerics.goe (DUBE-3)
    _GOE + "goe_matrices": {"valid": {"rng": _RNG, "size": 4, "n": 3},
                            "bad": {"size": [0, 10**12], "n": [0, 10**6]}},
    _GOE + "goe_positive_definite": {"valid": {"rng": _RNG, "size": 4, "n": 3},
                                     "bad": {"size": [0], "n": [0, 10**6], "method": ["lu"]}},
    _GOE + "iid_sign_minimum": {"valid": {"rng": _RNG, "size": 4, "n": 3},
                                "bad": {"size": [0], "n": [0]}},
    _GOE + "pfaffian_log_probabilities": {"valid": {"n_max": 4, "precision": 15},
                                          "bad": {"n_max": [0, 10**30], "precision": [0, 10**6]}},
    _GOE + "dean_majumdar_fit": {
        "valid": {"ns": np.array([10.0, 15.0, 20.0, 25.0, 30.0]),
                  "log_p": np.array([-30.0, -64.0, -112.0, -175.0, -250.0])},
        "bad": {"ns": [np.full(5, 10.0), np.array([10.0, 15.0])],
                "log_p": [np.array([-30.0, -64.0]), np.array([1.0, -64.0, -112.0, -175.0, -250.0])]}},
    # ------------------------------------------------- numerics.boundary_distance (DUBE-1, 2, 4)
    _BD + "box_halfspace_distance": {"valid": {"w": np.array([1.0, 1.0]), "b": -0.5,
                                               "x": np.array([0.5, 0.5])},
                                     "bad": {"w": [np.zeros(2)], "x": [np.array([2.0, 0.5])],
                                             "p": [1, 3.0]},
                                     "valid_also": {"x": _BATCH}},
    _BD + "centre_halfspace": {"valid": {"rng": _RNG, "n": 3}, "bad": {"n": [0]}},
    _BD + "centre_halfspace_distances": {"valid": {"rng": _RNG, "size": 4,
                                                   "w": np.array([1.0, -1.0]), "b": 0.0},
                                         "bad": {"size": [0, 10**12]}},
    _BD + "coordinate_halfspace_distances": {"valid": {"rng": _RNG, "size": 4, "n": 3, "alpha": 0.5},
                                             "bad": {"size": [0], "n": [0],
                                                     "alpha": [0.0, 1.0], "p": [1]}},
    _BD + "generic_halfspace_distances": {"valid": {"rng": _RNG, "size": 4, "n": 3},
                                          "bad": {"size": [0, 10**12], "n": [0], "p": [1]}},
    _BD + "sphere_abs_coordinate": {"valid": {"rng": _RNG, "size": 4, "n": 3},
                                    "bad": {"size": [0], "n": [1]}},
    _BD + "aligned_margin_ratio": {"valid": {"rng": _RNG, "size": 4, "n": 3},
                                   "bad": {"size": [0], "n": [0]}},
    _BD + "zero_mean_relative_gain": {"valid": {"rng": _RNG, "size": 4, "n": 3, "eps": 0.1},
                                      "bad": {"size": [0], "n": [0], "eps": [-0.1]}},
    _BD + "median_interval": {"valid": {"samples": np.linspace(0.0, 1.0, 200), "level": 0.99},
                              "bad": {"samples": [np.arange(3.0)], "level": [0.0, 1.0]}},
    _BD + "loglog_slope": {"valid": {"n": np.array([1.0, 2.0, 4.0]),
                                     "values": np.array([1.0, 0.7, 0.5])},
                           "bad": {"n": [np.ones(3), np.array([1.0, 2.0])],
                                   "values": [np.array([1.0, -0.7, 0.5])],
                                   "sd": [np.array([0.1, -0.1, 0.1]), np.array([0.1, np.nan, 0.1]),
                                          np.array([0.1, 0.1])]}},
}

EXEMPT = {
    _RES + "generic_halfspace_distance_limit": "a constant, 1/sqrt(6 pi): takes no arguments",
}
