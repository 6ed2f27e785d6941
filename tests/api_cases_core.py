"""Valid arguments for the public functions of numerics.montecarlo, numerics.decisions and
numerics.cache (for tests/test_public_api.py)."""

import numpy as np
from advgeom.numerics.montecarlo import claim_seed
from advgeom.theory.claims import CLAIMS_DIR, DecisionRule


def _uniform(rng, size):
    return rng.random(size)


def _coin(rng, size):
    return rng.random(size) < 0.5


_RULE = DecisionRule(statistic="mean difference", rule="t interval", min_effect=0.1, sample=30,
                     on_positive="CONFIRMED", on_negative="REFUTED", on_null="REFUTED")

CASES = {
    "advgeom.numerics.montecarlo.claim_seed": {"valid": {"claim_id": "HD-7", "label": "x"},
                                               "bad": {"claim_id": [""]},
                                               "valid_also": {"claim_id": ["unknown-option"],
                                                              "label": ["unknown-option"]}},
    "advgeom.numerics.montecarlo.clopper_pearson": {"valid": {"k": 3, "n": 10, "level": 0.99},
                                                    "bad": {"k": [-1, 11], "n": [0], "level": [0.0, 1.0]}},
    "advgeom.numerics.montecarlo.wilson": {"valid": {"k": 3, "n": 10, "level": 0.99},
                                           "bad": {"k": [-1, 11], "n": [0], "level": [0.0, 1.0]}},
    "advgeom.numerics.montecarlo.clt_interval": {"valid": {"mean": 1.0, "sd": 2.0, "n": 10,
                                                           "level": 0.99},
                                                 "bad": {"sd": [-1.0], "n": [1], "level": [1.5]}},
    "advgeom.numerics.montecarlo.estimate_mean": {
        "valid": {"sampler": _uniform, "n_samples": 100, "seed": claim_seed("API"),
                  "block_size": 50},
        "bad": {"n_samples": [1, 0], "block_size": [0], "chunk_blocks": [0], "level": [1.0],
                "seed": [3]}},
    "advgeom.numerics.montecarlo.estimate_probability": {
        "valid": {"indicator": _coin, "n_samples": 100, "seed": claim_seed("API"),
                  "block_size": 50},
        "bad": {"n_samples": [1], "method": ["normal"], "level": [0.0], "seed": ["seed"]}},
    "advgeom.numerics.decisions.decide": {
        "valid": {"rule": _RULE, "effect": 0.2, "ci": (0.15, 0.25), "n": 30},
        "bad": {"ci": [(0.3, 0.1), (0.25, 0.3), (0.1,)], "n": [0], "rule": ["rule"]},
        "valid_also": {"ci": ["extra_dim"]}},
    "advgeom.numerics.decisions.t_interval": {"valid": {"x": np.array([0.1, 0.2, 0.4]), "level": 1e-3},
                                              "bad": {"x": [np.array([1.0])], "level": [0.0, 1.0]}},
    "advgeom.numerics.decisions.bootstrap_interval": {
        "valid": {"x": np.array([0.1, 0.2, 0.4, 0.3]), "statistic": np.mean, "level": 0.01,
                  "seed": 1, "n_boot": 2000},
        "bad": {"n_boot": [10], "level": [0.0]}, "valid_also": {"seed": ["fraction", "nan"]}},
}

CASES.update({
    "advgeom.theory.claims.get": {"valid": {"claim_id": "HD-1"}, "bad": {"claim_id": ["hd-1", ""]}},
    "advgeom.theory.claims.all": {"valid": {"paper": "dube"}, "bad": {"paper": ["Dube", ""]}},
    "advgeom.theory.claims.load_registry": {"valid": {"directory": str(CLAIMS_DIR)},
                                            "bad": {"directory": ["/nonexistent/claims"]}},
})

EXEMPT = {
    "advgeom.numerics.cache.cache_dir": "takes no arguments",
    "advgeom.theory.claims.papers": "takes no arguments",
    "advgeom.theory.claims.registry": "takes no arguments",
}
