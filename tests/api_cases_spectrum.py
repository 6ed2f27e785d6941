"""Valid arguments for the public functions of theory.spectrum, numerics.local_error and
numerics.reproduce_spectrum (for tests/test_public_api.py)."""

import numpy as np
from advgeom.numerics import local_error as _le

_rng = np.random.default_rng(0)
_H = _rng.standard_normal((8, 3)) * np.array([1.0, 0.5, 0.2])
_H_BIG = (_rng.standard_normal((80, 8)) * np.arange(1, 9) ** -0.75)
_LAM = 1.0 / np.arange(1, 11)
_W = np.array([1.0, 0.5])
_MU = np.array([1.0, 0.0])
_ALPHA = np.array([[1.0, 2.0], [1.1, 2.1], [0.9, 2.2]])
_ACC = np.array([[0.5, 0.6], [0.55, 0.62], [0.52, 0.7]])
_X = np.array([[0.1, 0.2, 0.3], [0.9, 0.8, 0.7], [0.2, 0.1, 0.3], [0.8, 0.9, 0.6],
               [0.15, 0.25, 0.2], [0.85, 0.75, 0.9]])
_Y = np.array([0, 1, 0, 1, 0, 1])
_NET = _le.train_local_error_network(_X, _Y, (3,), epochs=5, batch_size=2, lr=0.5, n_classes=2,
                                     seed=0)
_ATTACK = {"net": _NET, "X": _X, "y": _Y}
_BAD_Y = [np.array([0, 1, 0, 1, 0, 2]), np.array([0, 1, 0]), np.array([0, 1, 0, 1, 0, -1]),
          np.array([0.5, 1, 0, 1, 0, 1])]
_BAD_CLIP = [(1.0, 0.0), (0.0,), (0.0, 1.0, 2.0)]
_S = "advgeom.theory.spectrum."
_L = "advgeom.numerics.local_error."

CASES = {
    _S + "stringer_threshold": {"valid": {"d": 2.0}, "bad": {"d": [0.0, -1.0, 0, -3]}},
    _S + "smoothness_series_converges": {"valid": {"alpha": 2.1, "d": 2.0},
                                         "bad": {"d": [0.0, -1.0]}},
    _S + "circle_code_energy": {"valid": {"alpha": 4.0, "kmax": 10}, "bad": {"kmax": [0, -1]}},
    _S + "circle_code_msd": {"valid": {"alpha": 2.0, "h": 0.1, "kmax": 10},
                             "bad": {"alpha": [1.0, 0.5], "h": [0.0, -0.1], "kmax": [0, 10**9]}},
    _S + "circle_code_msd_constant": {"valid": {"alpha": 2.0}, "bad": {"alpha": [1.0, 3.0, 0.5]}},
    _S + "circle_code_msd_asymptote": {"valid": {"alpha": 2.5, "h": 0.01},
                                       "bad": {"alpha": [1.0], "h": [0.0, -1.0]}},
    _S + "reassigned_code_energy": {"valid": {"alpha": 4.0, "q": 2.0, "M": 10},
                                    "bad": {"q": [-1.0], "M": [0]}},
    _S + "reassigned_code_msd": {"valid": {"alpha": 4.0, "q": 2.0, "h": 0.1, "kmax": 10},
                                 "bad": {"q": [-1.0, 10.0], "kmax": [0]}},
    _S + "random_fourier_code_msd": {"valid": {"alpha": 2.0, "h": 0.1,
                                               "norms": np.array([1.0, 2.0])},
                                     "bad": {"norms": [np.array([1.0, -1.0])]}},
    _S + "power_law_spectrum": {"valid": {"alpha": 1.0, "N": 10},
                                "bad": {"alpha": [-1.0, 1e4], "N": [0, 10**9]}},
    _S + "synthetic_activations": {"valid": {"alpha": 1.0, "N": 5, "P": 7, "rng": 0},
                                   "bad": {"N": [0], "P": [1], "rng": [-1]}},
    _S + "spectrum": {"valid": {"activations": _H, "n_splits": 2},
                      "bad": {"activations": [np.ones((5, 3)), np.ones((1, 3))],
                              "n_splits": [0]}},
    _S + "power_law_exponent": {
        "valid": {"eigenvalues": _LAM, "ranks": (2, 5)},
        "bad": {"eigenvalues": [_LAM[::-1], -_LAM], "ranks": [(2, 20), (5, 2), (0, 3), (2.5, 5)],
                "weights": ["1/n^2"]},
        "valid_also": {"eigenvalues": ["extra_dim"]}},
    _S + "window_adequacy": {
        "valid": {"activations": _H_BIG, "ranks": (2, 6), "n_boot": 20, "rng": 0},
        "bad": {"ranks": [(2, 20), (6, 2)], "n_boot": [0, 1], "level": [0.0, 1.0, 1.5]},
        "valid_also": {"ranks": ["extra_dim"]}},
    _S + "density_to_rank_exponent": {"valid": {"gamma": 2.0}, "bad": {"gamma": [1.0, 0.5]}},
    _S + "participation_ratio": {"valid": {"eigenvalues": np.array([1.0, 0.5])},
                                 "bad": {"eigenvalues": [np.array([1.0, -1.0]), np.zeros(3)]},
                                 "valid_also": {"eigenvalues": ["extra_dim"]}},
    _S + "participation_ratio_power_law": {
        "valid": {"alpha": 2.0, "N": 10, "precision": 20},
        "bad": {"alpha": [-1.0], "N": [0], "precision": [0, -1, 10**6]}},
    _S + "reparametrize_spectrum": {
        "valid": {"H": _H, "B": np.ones((2, 3)), "beta": 1.0},
        "bad": {"H": [np.ones((8, 3)), _H[:3]], "B": [np.ones((2, 2))], "beta": [-1.0, 100.0]}},
    _S + "linear_clean_accuracy": {"valid": {"w": _W, "mu": _MU},
                                   "bad": {"w": [np.zeros(2)], "mu": [np.ones(3)]}},
    _S + "linear_gaussian_accuracy": {"valid": {"w": _W, "mu": _MU, "sigma": 0.5},
                                      "bad": {"w": [np.zeros(2)], "sigma": [-0.1]}},
    _S + "linear_fgsm_accuracy": {"valid": {"w": _W, "mu": _MU, "eps": 0.1},
                                  "bad": {"w": [np.zeros(2)], "eps": [-0.1]}},
    _S + "classify_trend": {
        "valid": {"alpha": _ALPHA, "acc": _ACC, "n_boot": 50},
        "bad": {"alpha": [_ALPHA[:2], _ALPHA[:, :1]], "acc": [_ACC[:, :1]],
                "level": [0.0, 1.0], "n_boot": [0], "tie_alpha": [-0.1]}},
    _L + "train_local_error_network": {
        "valid": {"X": _X, "y": _Y, "widths": (3,), "epochs": 1, "batch_size": 3,
                  "n_classes": 2, "seed": 0},
        "bad": {"y": _BAD_Y[1:], "widths": [(0,), ()], "epochs": [-1], "batch_size": [0],
                "n_classes": [1, 0], "seed": [-1], "lr": [0.0, -1.0],
                "weight_decay": [-1.0], "schedule": ["async"]}},
    _L + "layer_accuracy": {"valid": dict(_ATTACK), "bad": {"y": _BAD_Y, "layer": [1, -2]}},
    _L + "gaussian_noise_accuracy": {
        "valid": {**_ATTACK, "sigma": 0.1, "n_draws": 2},
        "bad": {"y": _BAD_Y, "sigma": [-0.1], "n_draws": [0], "layer": [1], "clip": _BAD_CLIP,
                "rng": [-1]}},
    _L + "fgsm_accuracy": {
        "valid": {**_ATTACK, "eps": 0.1},
        "bad": {"y": _BAD_Y, "eps": [-0.1], "layer": [1], "clip": _BAD_CLIP}},
    _L + "pgd_accuracy": {
        "valid": {**_ATTACK, "eps": 0.1, "steps": 2},
        "bad": {"y": _BAD_Y, "eps": [-0.1], "steps": [-1], "layer": [1], "clip": _BAD_CLIP,
                "rng": [-1]}},
    _L + "load_digits_data": {"valid": {}, "bad": {"test_size": [0.0, 1.0, -0.1],
                                                   "split_seed": [-1]}},
    _L + "run_sweep": {"valid": {"kind": "epochs", "seeds": [_le.sweep_seeds(1)[0]], "n_jobs": 1},
                       "bad": {"seeds": [[-1]], "n_jobs": [0]}},
    _L + "trained_network": {"valid": {"seed": _le.sweep_seeds(1)[0], "layers": 1},
                             "bad": {"seed": [-1], "layers": [0, 5]}},
    _L + "sweep_seeds": {"valid": {"n": 3}, "bad": {"n": [0, 10**6]}},
}


def _fake_measurements(C: int, rng: np.random.Generator, probe: bool) -> dict:
    """Arrays shaped as the reproduction's task results for C conditions (values random)."""
    alpha = rng.uniform(0.5, 3.0, (C, 3))
    out = {"alpha": alpha, "alpha_train": alpha + rng.normal(0, 0.01, (C, 3)),
           "D": rng.uniform(1, 10, C), "acc_clean": rng.uniform(0.8, 0.9, C),
           "acc_gauss": rng.uniform(0.5, 0.9, (C, 8)), "acc_gauss_cond": rng.uniform(0.5, 1, (C, 8)),
           "acc_fgsm": rng.uniform(0.1, 0.9, (C, 7)), "acc_fgsm_last": rng.uniform(0.1, 0.9, (C, 7)),
           "acc_pgd": rng.uniform(0.1, 0.9, (C, 3)), "zero_grad_frac": np.zeros(C),
           "grad_margin_l2": rng.uniform(1, 2, C),
           "spectra": np.sort(rng.uniform(0.1, 1.0, (C, 200)), axis=1)[:, ::-1]
           * np.arange(1, 201) ** -1.5}
    out["acc_gauss"][:, 0] = out["acc_gauss_cond"][:, 0] = out["acc_clean"]
    out["acc_fgsm"][:, 0] = out["acc_fgsm_last"][:, 0] = out["acc_clean"]
    if probe:
        out["acc_probe"] = rng.uniform(0.8, 0.95, C)
    return out


def _fake_results() -> list[dict]:
    rng = np.random.default_rng(1)
    base = {"data": "digits", "widths": (50, 50, 50, 50), "schedule": "greedy", "epochs": 2,
            "snapshot_epochs": (1, 2, 5, 10, 20, 40)}
    out = []
    for index in range(3):
        out.append({**base, "arm": "network", "index": index, "weight_decay": 0.0,
                    "readout_change": 0.0, "layer1_vs_alone": 0.0,
                    "layers": _fake_measurements(4, rng, True),
                    "epochs_sweep": _fake_measurements(6, rng, False)})
        out += [{**base, "arm": "decay", "index": index, "weight_decay": wd,
                 "decay": _fake_measurements(1, rng, True)} for wd in (1e-3, 1e-2)]
    return out


_R = "advgeom.numerics.reproduce_spectrum."
_TASK = {"seed": np.random.SeedSequence(0), "arm": "decay", "index": 0, "data": "digits",
         "widths": (45, 45, 45, 45), "schedule": "greedy", "epochs": 1, "lr": 0.1,
         "weight_decay": 1e-3, "probe": False}
CASES.update({
    _R + "training_seed": {"valid": {"data": "digits", "index": 0}, "bad": {"index": [-1]}},
    _R + "manifold_task": {
        "valid": _TASK,
        "bad": {"arm": ["other"], "index": [-1], "widths": [(45,), (45, 45, 45, 0)],
                "epochs": [0], "lr": [0.0, -1.0], "batch_size": [0], "weight_decay": [-1.0, 0.0],
                "snapshot_epochs": [(1, 2), (1, 1, 2, 3, 4, 5), (0, 1, 2, 3, 4, 5)]}},
    _R + "manifold_sweep": {
        "valid": {"scale": "ci", "overrides": {"seeds": 2}},
        "bad": {"overrides": [{"seeds": 0}, {"depth": 3}, {"widths": [10, 10]}, {"lr": -1.0},
                              {"schedule": "async"}, {"probe": 1}, {"weight_decays": [0.1]},
                              {"weight_decays": [0.0, -1.0]}]}},
    _R + "manifold_cost": {
        "valid": {"scale": "paper", "overrides": {"seeds": 1}},
        "bad": {"overrides": [{"seeds": 0}, {"no_such_key": 1}]}},
    _R + "analyse_manifold": {
        "valid": {"results": _fake_results(), "scale": "ci"},
        "bad": {"results": [[], [{"arm": "network"}], [{"arm": "other", "index": 0, "data": "x",
                                                          "widths": (1,), "schedule": "greedy",
                                                          "epochs": 1}]]}},
})

EXEMPT: dict[str, str] = {}
