"""Registered statistical decisions: from data and a rule fixed in the registry to a verdict.

A claim decided by statistics registers a :class:`advgeom.theory.claims.DecisionRule` in its TOML
(statistic, rule, family-wise level, Bonferroni family, minimum effect, planned sample, the verdict
of each outcome) before the data exist. A test computes the effect and its two-sided interval at
``rule.per_test_level`` (with :func:`t_interval`, :func:`bootstrap_interval`, or for proportions
:func:`advgeom.numerics.montecarlo.wilson` / ``clopper_pearson`` at confidence
``1 - rule.per_test_level``), and :func:`decide` turns the
interval into the verdict the rule derives. The test never compares that outcome with the
registry's verdict: the verdict engine (:mod:`advgeom.reports.verdicts`) does, and a disagreement
leaves the claim NOT ESTABLISHED.

Examples
--------
>>> from advgeom.theory.claims import DecisionRule
>>> rule = DecisionRule(statistic="mean paired difference", rule="t interval",
...                     min_effect=0.01, sample=30, on_positive="CONFIRMED",
...                     on_negative="REFUTED", on_null="REFUTED", level=1e-3)
>>> decide(rule, effect=0.05, ci=(0.03, 0.07), n=30).outcome
'CONFIRMED'
>>> d = decide(rule, effect=0.012, ci=(-0.004, 0.028), n=30)
>>> d.outcome, d.n_to_decide > 30
('INCONCLUSIVE', True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from advgeom.theory import _validate as check
from advgeom.theory.claims import DecisionRule
from scipy import stats

__all__ = ["Decision", "bootstrap_interval", "decide", "t_interval"]


@dataclass(frozen=True)
class Decision:
    """What a registered rule derived from the data; recorded as a ``decision`` evidence row."""

    outcome: str
    effect: float
    ci: tuple[float, float]
    n: int
    level: float
    per_test_level: float
    family: int
    min_effect: float
    n_to_decide: int | None
    statistic: str
    rule: str
    planned_sample: int

    def as_dict(self) -> dict:
        out = asdict(self)
        out["ci"] = list(self.ci)
        return out


def _n_to_decide(effect: float, ci: tuple[float, float], n: int, min_effect: float) -> int | None:
    """The sample at which an interval of the same centre, shrinking like 1/sqrt(n), would clear
    the nearer threshold (+-min_effect or the null band); ``None`` if no sample would (the effect
    sits on a threshold)."""
    half = (ci[1] - ci[0]) / 2
    gap = min(abs(abs(effect) - min_effect), abs(effect) + min_effect if min_effect else math.inf)
    if gap == 0 or half <= 0:
        return None
    # (the 1e-12 keeps an exact product such as 30 * 2^2 from rounding up to 121)
    return max(n + 1, math.ceil(n * (half / gap) ** 2 * (1 - 1e-12)))


def decide(rule: DecisionRule, *, effect: float, ci: tuple[float, float], n: int) -> Decision:
    """Apply a registered rule to an effect and its two-sided interval at ``rule.per_test_level``.

    Parameters
    ----------
    rule : DecisionRule
        From ``claims.get(ID).decision`` or ``claims.get(ID).reading(R).decision``.
    effect : float
        The point estimate of the registered statistic.
    ci : (float, float)
        Its interval, computed at coverage ``1 - rule.per_test_level``.
    n : int
        The sample size the interval rests on.
    """
    if not isinstance(rule, DecisionRule):
        raise ValueError(f"rule = {rule!r} must be a registered DecisionRule")
    effect = check.real("effect", effect)
    lo, hi = (check.real("ci", c) for c in ci) if len(ci) == 2 else (None, None)
    if lo is None or lo > hi or not lo <= effect <= hi:
        raise ValueError(f"ci = {ci!r} must be an interval (low <= high) containing effect = {effect}")
    n = check.integer("n", n, low=1)
    m = rule.min_effect
    if lo > m:
        outcome = rule.on_positive
    elif hi < -m:
        outcome = rule.on_negative
    elif m > 0 and -m < lo and hi < m:
        outcome = rule.on_null
    else:
        outcome = "INCONCLUSIVE"
    return Decision(outcome=outcome, effect=effect, ci=(lo, hi), n=n, level=rule.level,
                    per_test_level=rule.per_test_level, family=rule.family, min_effect=m,
                    n_to_decide=_n_to_decide(effect, (lo, hi), n, m) if outcome == "INCONCLUSIVE"
                    else None, statistic=rule.statistic, rule=rule.rule,
                    planned_sample=rule.sample)


def t_interval(x, level: float) -> tuple[float, float, float]:
    """Mean of ``x`` and its two-sided Student-t interval at error rate ``level``:
    ``mean -+ t_{1-level/2, n-1} s / sqrt(n)``. Returns ``(mean, low, high)``.

    A sample with zero spread gives the degenerate interval ``[mean, mean]`` (exact, not
    "infinitely significant": the differences really are all equal)."""
    x = check.array("x", x, ndim=1, min_size=2)
    level = check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1))
    half = float(stats.t.isf(level / 2, x.size - 1)) * sd / math.sqrt(x.size)
    return mean, mean - half, mean + half


def bootstrap_interval(x, statistic: Callable[[np.ndarray], float], level: float, *,
                       seed: np.random.SeedSequence | int, n_boot: int = 20_000
                       ) -> tuple[float, float, float]:
    """Percentile bootstrap interval of ``statistic`` over the rows of ``x`` at error rate ``level``.

    Returns ``(statistic(x), low, high)``. ``n_boot`` must be large enough that the tail quantile
    rests on at least 10 resamples (``n_boot * level / 2 >= 10``)."""
    x = np.asarray(check.array("x", x, ndim=(1, 2)))
    if x.shape[0] < 2:
        raise ValueError(f"x must have at least 2 rows to resample, got shape {x.shape}")
    check.func("statistic", statistic)
    if not isinstance(seed, np.random.SeedSequence):
        seed = check.integer("seed", seed, low=0)
    level = check.real("level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    n_boot = check.integer("n_boot", n_boot, low=1)
    if n_boot * level / 2 < 10:
        raise ValueError(f"n_boot = {n_boot} is too small for level = {level}: need "
                         f"n_boot >= {math.ceil(20 / level)}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.shape[0], size=(n_boot, x.shape[0]))
    boots = np.array([statistic(x[i]) for i in idx])
    lo, hi = np.quantile(boots, [level / 2, 1 - level / 2])
    return float(statistic(x)), float(lo), float(hi)
