"""Machine-checked derivations: a chain of equalities and inequalities, each verified by sympy.

A :class:`Derivation` is a list of :class:`Step` objects. A step states ``lhs <relation> rhs`` with
its justification in words. :meth:`Derivation.check` verifies every step:

* ``=``: both sides are evaluated (``doit``: integrals, sums, limits), then ``lhs - rhs`` must reduce
  to exactly 0 under one of a fixed list of sympy simplifications.
* ``<=``, ``<``, ``>=``, ``>``: sympy must *prove* the sign of ``lhs - rhs`` from the assumptions on
  the symbols (``positive=True``, ``integer=True``, ...), possibly after simplification. "Unknown"
  counts as a failure: a step passes only with a proof.
* A step may instead carry ``proof=callable`` returning ``True`` for a custom sympy argument (for
  example a polynomial shown positive by its coefficients), described in its justification.

No numeric spot check ever stands in for a step. :func:`typst_math` prints a sympy expression as
Typst math for the report.

Examples
--------
>>> import sympy as sp
>>> n = sp.symbols("n", positive=True, integer=True)
>>> d = Derivation("HD-4", "inner cube", [
...     Step(sp.Integral(1, (sp.Symbol("t"), 0, 1)) ** n, 1, "=", "volume of the unit cube"),
...     Step(1 - sp.Rational(1, 2) ** n, 1, "<", "2^(-n) is positive"),
... ])
>>> [r.ok for r in d.check()]
[True, True]
>>> typst_math(sp.sqrt(2 * sp.pi * sp.E))  # sympy splits the root
'sqrt(2) sqrt(pi) e^(1/2)'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

__all__ = ["Derivation", "DerivationError", "Step", "StepResult", "typst_math"]

_RELATIONS = ("=", "<=", "<", ">=", ">")


class DerivationError(AssertionError):
    """A derivation step did not check; the message names the step and what was left over."""


@dataclass(frozen=True)
class Step:
    """One step ``lhs <relation> rhs``, with the reason it holds.

    Parameters
    ----------
    lhs, rhs : sympy expressions (or numbers)
    relation : {"=", "<=", "<", ">=", ">"}
    justification : str
        Why the step holds, in words (shown in the report).
    proof : callable, optional
        A custom check returning ``True`` when the step is proved; used instead of the default.
    """

    lhs: Any
    rhs: Any
    relation: str = "="
    justification: str = ""
    proof: Callable[[], bool] | None = None

    def __post_init__(self) -> None:
        if self.relation not in _RELATIONS:
            raise ValueError(f"relation={self.relation!r} must be one of {_RELATIONS}")


@dataclass(frozen=True)
class StepResult:
    """The outcome of checking one step."""

    index: int
    step: Step
    ok: bool
    method: str
    residual: str = ""

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "lhs": typst_math(self.step.lhs),
            "rhs": typst_math(self.step.rhs),
            "lhs_text": sp.sstr(self.step.lhs),
            "rhs_text": sp.sstr(self.step.rhs),
            "relation": self.step.relation,
            "justification": self.step.justification,
            "ok": self.ok,
            "method": self.method,
            "residual": self.residual,
        }

    def failure_message(self) -> str:
        return (f"step {self.index + 1} does not check: {sp.sstr(self.step.lhs)} "
                f"{self.step.relation} {sp.sstr(self.step.rhs)} ({self.step.justification}); "
                f"left over: {self.residual}")


def _evaluate(expr: Any) -> sp.Expr:
    expr = sp.sympify(expr)
    return expr.doit() if hasattr(expr, "doit") else expr


_SIMPLIFIERS: tuple[tuple[str, Callable[[sp.Expr], sp.Expr]], ...] = (
    ("expand", sp.expand),
    ("simplify", sp.simplify),
    ("gammasimp", lambda e: sp.simplify(sp.gammasimp(e))),
    ("combsimp", lambda e: sp.simplify(sp.combsimp(sp.expand_func(e)))),
    ("trigsimp", lambda e: sp.simplify(sp.trigsimp(e))),
    ("powsimp", lambda e: sp.simplify(sp.powsimp(sp.expand_log(e, force=True), force=True))),
    ("radsimp", lambda e: sp.simplify(sp.radsimp(sp.nsimplify(e)))),
    ("rewrite-gamma", lambda e: sp.simplify(sp.gammasimp(e.rewrite(sp.gamma)))),
)


def _is_zero(diff: sp.Expr) -> tuple[bool, str, sp.Expr]:
    last = diff
    for name, fn in _SIMPLIFIERS:
        try:
            last = fn(diff)
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            continue
        if last == 0 or last.is_zero is True:
            return True, name, last
    return False, "none", last


def _sign_proved(diff: sp.Expr, relation: str) -> tuple[bool, str, sp.Expr]:
    want = {
        "<=": "is_nonpositive", "<": "is_negative", ">=": "is_nonnegative", ">": "is_positive",
    }[relation]
    candidates = [("assumptions", diff)]
    for name, fn in _SIMPLIFIERS[:3]:
        try:
            candidates.append((name, fn(diff)))
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            continue
    for name, expr in candidates:
        if getattr(expr, want) is True:
            return True, name, expr
        if expr.is_number:
            value = sp.N(expr, 50)
            if value.is_real and getattr(value, want) is True and abs(value) > sp.Float(1e-40):
                # A closed-form constant whose sign is decided by 50-digit interval evaluation
                # well away from zero; e.g. pi - 2*sqrt(2) > 0.
                return True, f"{name} (50-digit sign of a constant)", expr
    return False, "none", candidates[-1][1]


def check_step(step: Step, index: int = 0) -> StepResult:
    """Check one step; see the module docstring for what counts as a proof."""
    if step.proof is not None:
        try:
            ok = bool(step.proof())
        except Exception as exc:  # a failing custom proof is a failed step, reported as such
            return StepResult(index, step, False, "custom proof", f"raised {exc!r}")
        return StepResult(index, step, ok, "custom proof", "" if ok else "custom proof False")
    lhs, rhs = _evaluate(step.lhs), _evaluate(step.rhs)
    diff = lhs - rhs
    if step.relation == "=":
        ok, method, rest = _is_zero(diff)
    else:
        ok, method, rest = _sign_proved(diff, step.relation)
    return StepResult(index, step, ok, method, "" if ok else sp.sstr(rest))


@dataclass
class Derivation:
    """A titled chain of steps serving one claim; ``expression`` optionally holds the result.

    A test lambdifies ``expression`` and compares it with the numeric function in ``theory``.
    """

    claim: str
    title: str
    steps: list[Step] = field(default_factory=list)
    expression: Any = None

    def check(self, *, raise_on_failure: bool = True) -> list[StepResult]:
        """Check every step in order; raise :class:`DerivationError` at the first failure."""
        results = [check_step(s, i) for i, s in enumerate(self.steps)]
        if raise_on_failure:
            for r in results:
                if not r.ok:
                    raise DerivationError(f"{self.claim} '{self.title}': {r.failure_message()}")
        return results


# --------------------------------------------------------------------------- Typst printer

_TYPST_FUNCS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "log": "ln", "exp": "exp", "sinh": "sinh",
    "cosh": "cosh", "tanh": "tanh", "asin": "arcsin", "acos": "arccos", "atan": "arctan",
    "gamma": "Gamma", "loggamma": "ln Gamma", "erf": "\"erf\"", "erfc": "\"erfc\"",
    "beta": "Beta", "sign": "\"sign\"", "Max": "max", "Min": "min", "binomial": "binom",
    "factorial": None, "betainc_regularized": "I", "zeta": "zeta", "polygamma": "psi",
}
_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma",
    "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}


class _TypstPrinter(StrPrinter):
    """sympy -> Typst math markup (the body of ``$ ... $``)."""

    def _print_Symbol(self, expr):
        name = expr.name
        base, _, sub = name.partition("_")
        if base in _GREEK or len(base) == 1:
            out = base
        else:
            out = f"\"{base}\""
        if sub:
            out += f"_({sub})"
        return out

    def _print_Pi(self, expr):
        return "pi"

    def _print_Exp1(self, expr):
        return "e"

    def _print_Infinity(self, expr):
        return "infinity"

    def _print_NegativeInfinity(self, expr):
        return "-infinity"

    def _print_ImaginaryUnit(self, expr):
        return "i"

    def _print_EulerGamma(self, expr):
        return "gamma"

    def _print_Rational(self, expr):
        if expr.q == 1:
            return str(expr.p)
        sign = "-" if expr.p < 0 else ""
        return f"{sign}{abs(expr.p)}/{expr.q}"

    def _print_Half(self, expr):
        return "1/2"

    def _print_Float(self, expr):
        return sp.sstr(expr.evalf(6))

    def _print_Mul(self, expr):
        num, den = sp.fraction(expr, exact=True)
        if den != 1:
            return f"{self._group(num)}/{self._group(den)}"
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1:
            return "-" + self._print(rest)
        factors = []
        for f in sp.Mul.make_args(expr):
            s = self._print(f)
            if isinstance(f, sp.Add):
                s = f"({s})"
            factors.append(s)
        return " ".join(factors)

    def _group(self, expr):
        s = self._print(expr)
        simple = expr.is_Atom or expr.is_Function or isinstance(expr, sp.Abs) or (
            expr.is_Pow and expr.exp == sp.Rational(1, 2))
        return s if simple else f"({s})"

    def _print_Add(self, expr, order=None):
        terms = list(expr.as_ordered_terms())
        out = self._print(terms[0])
        for t in terms[1:]:
            s = self._print(t)
            out += f" - {s[1:]}" if s.startswith("-") else f" + {s}"
        return out

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.as_base_exp()
        if exp == sp.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        if exp == -sp.Rational(1, 2):
            return f"1/sqrt({self._print(base)})"
        if exp.is_Rational and exp.q != 1 and exp.p == 1:
            return f"root({exp.q}, {self._print(base)})"
        if exp.is_negative and exp.is_number:
            return f"1/({self._print(sp.Pow(base, -exp))})"
        b = self._print(base)
        if not (base.is_Symbol or (base.is_Integer and base >= 0) or base.is_Function
                or base in (sp.pi, sp.E)):
            b = f"({b})"
        return f"{b}^({self._print(exp)})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        args = ", ".join(self._print(a) for a in expr.args)
        if name == "factorial":
            return f"({args})!"
        mapped = _TYPST_FUNCS.get(name, f"\"{name}\"")
        return f"{mapped}({args})"

    def _print_Max(self, expr):
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr):
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_exp(self, expr):
        return f"e^({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Integral(self, expr):
        body = self._print(expr.function)
        out = f"({body})"
        for lim in reversed(expr.limits):
            var = self._print(lim[0])
            if len(lim) == 3:
                out = f"integral_({self._print(lim[1])})^({self._print(lim[2])}) {out} dif {var}"
            else:
                out = f"integral {out} dif {var}"
        return out

    def _print_Sum(self, expr):
        body = self._print(expr.function)
        out = f"({body})"
        for var, lo, hi in reversed(expr.limits):
            out = f"sum_({self._print(var)}={self._print(lo)})^({self._print(hi)}) {out}"
        return out

    def _print_Limit(self, expr):
        e, z, z0, _ = expr.args
        return f"lim_({self._print(z)} -> {self._print(z0)}) ({self._print(e)})"

    def _print_Derivative(self, expr):
        var = ", ".join(self._print(v) for v, _ in expr.variable_count)
        return f"partial_({var}) ({self._print(expr.expr)})"

    def _print_Relational(self, expr):
        op = {"==": "=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "!=": "!="}[expr.rel_op]
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_BooleanTrue(self, expr):
        return "\"true\""

    def _print_BooleanFalse(self, expr):
        return "\"false\""

    def _print_Piecewise(self, expr):
        rows = ", ".join(
            f"{self._print(e)} & " + ("\"otherwise\"" if c == sp.true else f"\"if \" {self._print(c)}")
            for e, c in expr.args)
        return f"cases({rows})"


def typst_math(expr: Any) -> str:
    """Typst math markup for a sympy expression (without the surrounding ``$``).

    >>> x = sp.Symbol("x")
    >>> typst_math(sp.gamma(x / 2) / sp.sqrt(sp.pi))
    'Gamma(x/2)/sqrt(pi)'
    """
    return _TypstPrinter().doprint(sp.sympify(expr))
