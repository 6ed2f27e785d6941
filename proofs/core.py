"""Machine-checked derivations: from stated premises, through a chain of checked steps, to a
stated conclusion.

A :class:`Derivation` has :class:`Premise` objects (hypotheses, as sympy relations), a list of
:class:`Step` objects, and a :class:`Conclusion`. A step states ``lhs <relation> rhs`` with its
justification in words and the premises it ``uses``. :meth:`Derivation.verify` checks three things:

1. every step holds, with the premises it uses substituted (below);
2. the steps form one chain from the conclusion's left side to its right side (``rhs`` of each step
   is the ``lhs`` of the next, up to simplification), and the composed relation implies the
   conclusion's (``=`` then ``<=`` gives ``<=``; any ``<`` gives ``<``; ``<`` and ``>`` never mix);
3. the mutation check: each premise changed (an equality ``a = b`` perturbed by a hair to
   ``a = b + 10^-6``; an inequality dropped, so that its left side is only what its symbol's
   assumptions say) must make the derivation fail, and each step whose check is a custom proof must
   fail when it is given a false statement of its own shape: an equality with its right side
   perturbed by a hair, an inequality ``lhs <= rhs`` turned into ``rhs + 10^-6 <= lhs`` (likewise
   for ``>=``), which no sound proof of the step can also prove. A
   derivation that survives a mutation is *vacuous*: its conclusion does not depend on what it says
   it depends on.

A premise constrains its left side (a symbol or an undefined function application). In a step that
uses it, ``Eq(a, b)`` substitutes ``b`` for ``a``; ``a >= b`` substitutes ``b + s`` and ``a <= b``
substitutes ``b - s`` for a fresh slack ``s >= 0`` (``s > 0`` for a strict premise), so the step is
proved for every value the premise allows. The assumptions on the symbols (``positive=True``, ...)
are the derivation's domain, listed with it in the report.

Each step is checked as follows:

* ``=``: both sides are evaluated (``doit``: integrals, sums, limits), then ``lhs - rhs`` must reduce
  to exactly 0 under one of a fixed list of sympy simplifications.
* ``<=``, ``<``, ``>=``, ``>``: sympy must *prove* the sign of ``lhs - rhs`` from the assumptions on
  the symbols (``positive=True``, ``integer=True``, ...), possibly after simplification. "Unknown"
  counts as a failure: a step passes only with a proof.
* A step may instead carry ``proof=callable`` returning ``True`` for a custom argument (for
  example a polynomial shown positive by its coefficients, or a certified interval enclosure),
  described in its justification. The callable receives the step's two sides (after premise
  substitution) as ``proof(lhs, rhs)``; a callable of no arguments cannot see them, and fails the
  mutation check unless it is the only witness of a fact about fixed constants.

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

A derivation from a premise, and its mutation check:

>>> x, c = sp.symbols("x c", positive=True)
>>> d = Derivation("EX-1", "a lower bound", premises=[Premise("lower", x >= 2 * c, "hypothesis")],
...                steps=[Step(x**2, (2 * c)**2, ">=", "x >= 2c > 0, squares", uses=("lower",))],
...                conclusion=Conclusion(x**2, ">=", 4 * c**2))
>>> v = d.verify()
>>> v.ok, v.vacuous, v.mutations_rejected, v.mutations_total
(True, False, 1, 1)
>>> typst_math(sp.sqrt(2 * sp.pi * sp.E))  # sympy splits the root
'sqrt(2) sqrt(pi) e^(1/2)'
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

__all__ = [
    "Conclusion", "Derivation", "DerivationError", "Premise", "Step", "StepResult", "Verification",
    "typst_math",
]

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
    proof: Callable[..., bool] | None = None
    uses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.relation not in _RELATIONS:
            raise ValueError(f"relation={self.relation!r} must be one of {_RELATIONS}")
        if isinstance(self.uses, str):
            object.__setattr__(self, "uses", (self.uses,))


#: The hair by which the mutation check perturbs a premise or a side.
MUTATION = sp.Rational(1, 10**6)

_REL_OF = {sp.Eq: "=", sp.Ge: ">=", sp.Gt: ">", sp.Le: "<=", sp.Lt: "<"}
_FLIP = {"=": "=", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}


@dataclass(frozen=True)
class Premise:
    """A hypothesis of a derivation: ``relation`` is a sympy relation (``Eq(a, b)``, ``a >= b``, ...)
    whose left side (a symbol or an undefined function application) it constrains."""

    name: str
    relation: Any
    statement: str = ""

    def __post_init__(self) -> None:
        rel = self.relation
        if type(rel) not in _REL_OF:
            raise ValueError(f"premise {self.name!r}: relation = {rel!r} must be a sympy Eq, Ge, Gt,"
                             " Le or Lt")
        if rel.lhs.is_number and not rel.rhs.is_number:  # "2 <= x": constrain x
            flipped = {sp.Ge: sp.Le, sp.Gt: sp.Lt, sp.Le: sp.Ge, sp.Lt: sp.Gt, sp.Eq: sp.Eq}
            object.__setattr__(self, "relation", flipped[type(rel)](rel.rhs, rel.lhs,
                                                                    evaluate=False))

    @property
    def op(self) -> str:
        return _REL_OF[type(self.relation)]

    def substitution(self, mutated: bool = False) -> dict:
        """What replaces the constrained side in a step that uses this premise; ``mutated``: the
        mutation check's version (an equality perturbed by a hair, an inequality dropped)."""
        a, b, op = self.relation.lhs, self.relation.rhs, self.op
        if op == "=":
            return {a: b + MUTATION if mutated else b}
        if mutated:
            return {}
        if op in (">", "<"):
            slack = sp.Dummy(f"s_{self.name}", positive=True)
        else:
            slack = sp.Dummy(f"s_{self.name}", nonnegative=True)
        return {a: b + slack if op in (">=", ">") else b - slack}

    def text(self) -> str:
        return f"{sp.sstr(self.relation.lhs)} {self.op} {sp.sstr(self.relation.rhs)}"


@dataclass(frozen=True)
class Conclusion:
    """What a derivation derives: ``lhs relation rhs``."""

    lhs: Any
    relation: str
    rhs: Any

    def __post_init__(self) -> None:
        if self.relation not in _RELATIONS:
            raise ValueError(f"relation={self.relation!r} must be one of {_RELATIONS}")

    def text(self) -> str:
        return f"{sp.sstr(self.lhs)} {self.relation} {sp.sstr(self.rhs)}"


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
            "uses": list(self.step.uses),
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


def _takes_sides(proof: Callable) -> bool:
    try:
        params = inspect.signature(proof).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                                  p.VAR_POSITIONAL)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in positional)


def check_step(step: Step, index: int = 0, subs: dict | None = None,
               rhs_shift: Any = 0, opposite: bool = False) -> StepResult:
    """Check one step, with ``subs`` (premise substitutions) applied to both sides and ``rhs_shift``
    added to the right side (the mutation check's perturbation); with ``opposite``, check instead
    the strict opposite of an inequality step (``rhs + shift R lhs``), which no sound proof of the
    step can also prove; see the module docstring."""
    lhs, rhs = sp.sympify(step.lhs), sp.sympify(step.rhs) + rhs_shift
    if opposite:
        lhs, rhs = rhs, sp.sympify(step.lhs)
    if subs:
        lhs, rhs = lhs.subs(subs), rhs.subs(subs)
    if step.proof is not None:
        sides = _takes_sides(step.proof)
        try:
            ok = bool(step.proof(lhs, rhs) if sides else step.proof())
        except Exception as exc:  # a failing custom proof is a failed step, reported as such
            return StepResult(index, step, False, "custom proof", f"raised {exc!r}")
        method = "custom proof" if sides else "custom proof (opaque)"
        return StepResult(index, step, ok, method, "" if ok else "custom proof False")
    lhs, rhs = _evaluate(lhs), _evaluate(rhs)
    diff = lhs - rhs
    if step.relation == "=":
        ok, method, rest = _is_zero(diff)
    else:
        ok, method, rest = _sign_proved(diff, step.relation)
    return StepResult(index, step, ok, method, "" if ok else sp.sstr(rest))


def _same(a: Any, b: Any) -> bool:
    """Whether two chain links are the same expression (up to simplification)."""
    a, b = sp.sympify(a), sp.sympify(b)
    if a == b:
        return True
    return _is_zero(_evaluate(a) - _evaluate(b))[0]


def _compose(relations: list[str]) -> str | None:
    """The relation a chain of steps establishes, or ``None`` if it mixes directions."""
    ups = {r for r in relations if r in ("<", "<=")}
    downs = {r for r in relations if r in (">", ">=")}
    if ups and downs:
        return None
    if ups:
        return "<" if "<" in ups else "<="
    if downs:
        return ">" if ">" in downs else ">="
    return "="


_IMPLIES = {"=": {"=", "<=", ">="}, "<": {"<", "<="}, "<=": {"<="}, ">": {">", ">="}, ">=": {">="}}


@dataclass(frozen=True)
class Verification:
    """The outcome of :meth:`Derivation.verify`."""

    steps: list[StepResult]
    chain_ok: bool
    chain_message: str
    mutations: list[tuple[str, bool]]  # (what was perturbed, rejected?)
    domain: list[str]

    @property
    def steps_ok(self) -> bool:
        return all(r.ok for r in self.steps)

    @property
    def mutations_total(self) -> int:
        return len(self.mutations)

    @property
    def mutations_rejected(self) -> int:
        return sum(1 for _, rejected in self.mutations if rejected)

    @property
    def vacuous(self) -> bool:
        return self.mutations_rejected < self.mutations_total

    @property
    def ok(self) -> bool:
        """Every step checks, the chain reaches the conclusion, and no mutation survives."""
        return self.steps_ok and self.chain_ok and not self.vacuous

    def failure_message(self) -> str:
        for r in self.steps:
            if not r.ok:
                return r.failure_message()
        if not self.chain_ok:
            return self.chain_message
        survived = [what for what, rejected in self.mutations if not rejected]
        return "vacuous: still checks when " + "; ".join(survived)


@dataclass
class Derivation:
    """A titled derivation serving one claim: premises, a chain of steps, a conclusion.

    ``conclusion`` defaults to the chain's end points (first left side, composed relation, last
    right side). ``expression`` optionally holds a result that a test lambdifies and compares with
    the numeric function in ``theory``.
    """

    claim: str
    title: str
    steps: list[Step] = field(default_factory=list)
    expression: Any = None
    premises: list[Premise] = field(default_factory=list)
    conclusion: Conclusion | None = None

    def __post_init__(self) -> None:
        names = [p.name for p in self.premises]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.claim} '{self.title}': duplicate premise names {names}")
        for i, s in enumerate(self.steps):
            unknown = set(s.uses) - set(names)
            if unknown:
                raise ValueError(f"{self.claim} '{self.title}': step {i + 1} uses unknown "
                                 f"premise(s) {sorted(unknown)}")

    def _subs(self, step: Step, mutated: str | None = None) -> dict:
        subs: dict = {}
        for p in self.premises:
            if p.name in step.uses:
                subs.update(p.substitution(mutated=p.name == mutated))
        return subs

    def _step_results(self, mutated: str | None = None, only_using: bool = False
                      ) -> list[StepResult]:
        out = []
        for i, s in enumerate(self.steps):
            if only_using and mutated not in s.uses:
                continue
            out.append(check_step(s, i, self._subs(s, mutated)))
        return out

    def check(self, *, raise_on_failure: bool = True) -> list[StepResult]:
        """Check every step (premises substituted) in order; with ``raise_on_failure``, raise
        :class:`DerivationError` at the first failure."""
        results = self._step_results()
        if raise_on_failure:
            for r in results:
                if not r.ok:
                    raise DerivationError(f"{self.claim} '{self.title}': {r.failure_message()}")
        return results

    def effective_conclusion(self) -> Conclusion | None:
        if self.conclusion is not None:
            return self.conclusion
        rel = _compose([s.relation for s in self.steps])
        if not self.steps or rel is None:
            return None
        return Conclusion(self.steps[0].lhs, rel, self.steps[-1].rhs)

    def _chain(self) -> tuple[bool, str]:
        concl = self.effective_conclusion()
        if not self.steps:
            return False, "no steps"
        if concl is None:
            return False, "the steps mix < and > relations: they do not chain to a conclusion"
        for i in range(len(self.steps) - 1):
            if not _same(self.steps[i].rhs, self.steps[i + 1].lhs):
                return False, (f"not a chain: the right side of step {i + 1} is not the left side "
                               f"of step {i + 2}")
        if not _same(self.steps[0].lhs, concl.lhs):
            return False, "the first step does not start from the conclusion's left side"
        if not _same(self.steps[-1].rhs, concl.rhs):
            return False, "the last step does not end at the conclusion's right side"
        rel = _compose([s.relation for s in self.steps])
        if rel is None or concl.relation not in _IMPLIES[rel]:
            return False, f"the steps establish {rel!r}, not the conclusion's {concl.relation!r}"
        return True, ""

    def _mutations(self) -> list[tuple[str, bool]]:
        out = []
        for p in self.premises:
            results = self._step_results(mutated=p.name, only_using=True)
            rejected = bool(results) and not all(r.ok for r in results)
            change = "perturbed" if p.op == "=" else "dropped"
            out.append((f"premise {p.name!r} ({p.text()}) is {change}", rejected))
        for i, s in enumerate(self.steps):
            if s.proof is None:
                continue
            if s.relation == "=":
                r = check_step(s, i, self._subs(s), rhs_shift=MUTATION)
                what = f"the right side of step {i + 1} (a custom proof) is perturbed"
            else:
                # "lhs <= rhs" proved, so "rhs + 1e-6 <= lhs" must not be (likewise for >=)
                shift = MUTATION if s.relation in ("<=", "<") else -MUTATION
                r = check_step(s, i, self._subs(s), rhs_shift=shift, opposite=True)
                what = f"step {i + 1} (a custom proof) is turned into its strict opposite"
            out.append((what, not r.ok))
        return out

    def domain(self) -> list[str]:
        """The symbols of the derivation with their assumptions (its domain)."""
        exprs = [sp.sympify(x) for s in self.steps for x in (s.lhs, s.rhs)]
        exprs += [p.relation for p in self.premises]
        symbols = sorted(set().union(*(e.free_symbols for e in exprs)), key=lambda x: x.name) \
            if exprs else []
        out = []
        for x in symbols:
            facts = [k for k in ("integer", "positive", "nonnegative", "negative", "real")
                     if x.assumptions0.get(k)]
            if "positive" in facts:
                facts = [f for f in facts if f not in ("nonnegative", "real")]
            if "integer" in facts or "nonnegative" in facts:
                facts = [f for f in facts if f != "real"]
            out.append(f"{x.name}: {', '.join(facts) if facts else 'complex'}")
        return out

    def verify(self) -> Verification:
        """Check the steps, the chain to the conclusion, and the mutations; see the module doc."""
        results = self._step_results()
        chain_ok, chain_message = self._chain()
        mutations = self._mutations() if all(r.ok for r in results) and chain_ok else []
        return Verification(results, chain_ok, chain_message, mutations, self.domain())

    def as_dict(self, verification: Verification) -> dict:
        """The derivation and its verification, for the ledger."""
        concl = self.effective_conclusion()
        return {
            "title": self.title, "claim": self.claim,
            "premises": [{"name": p.name, "relation": p.text(),
                          "typst": f"{typst_math(p.relation.lhs)} {_TYPST_REL[p.op]} "
                                   f"{typst_math(p.relation.rhs)}",
                          "statement": p.statement} for p in self.premises],
            "conclusion": None if concl is None else {
                "text": concl.text(),
                "typst": f"{typst_math(concl.lhs)} {_TYPST_REL[concl.relation]} "
                         f"{typst_math(concl.rhs)}"},
            "steps": [r.as_dict() for r in verification.steps],
            "domain": verification.domain,
            "chain_ok": verification.chain_ok, "chain_message": verification.chain_message,
            "mutation": {"total": verification.mutations_total,
                         "rejected": verification.mutations_rejected,
                         "survived": [w for w, rej in verification.mutations if not rej]},
            "vacuous": verification.vacuous,
            "ok": verification.ok,
        }


_TYPST_REL = {"=": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">"}


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
