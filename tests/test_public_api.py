"""Bad input anywhere in the public API: a ValueError that names the parameter.

Every function in the ``__all__`` of every public module of :mod:`advgeom.theory` and
:mod:`advgeom.numerics` is called with valid arguments (``tests/api_cases_*.py``), then with one
parameter at a time replaced by a bad value: values of the wrong kind drawn from the valid value's
type (NaN, infinities, a boolean for a number, a fraction for an integer, an empty array, an array
holding NaN or with an extra dimension, a string, an arbitrary object), and the out-of-range values
each case file lists. The function must raise ``ValueError`` whose message contains the parameter's
name: never return NaN, hang, or raise TypeError, IndexError, OverflowError or ZeroDivisionError.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import re
import signal
from pathlib import Path

import advgeom.numerics
import advgeom.theory
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).parent
CALL_SECONDS = 20  # a call that takes longer than this with a bad value counts as a hang


def _case_tables() -> tuple[dict, dict]:
    cases, exempt = {}, {}
    for path in sorted(HERE.glob("api_cases_*.py")):
        mod = importlib.import_module(f"advgeom.tests.{path.stem}")
        cases.update(getattr(mod, "CASES", {}))
        exempt.update(getattr(mod, "EXEMPT", {}))
    return cases, exempt


CASES, EXEMPT = _case_tables()


def _public_functions() -> dict[str, object]:
    out = {}
    for package in (advgeom.theory, advgeom.numerics):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{package.__name__}.{info.name}")
            for name in getattr(mod, "__all__", ()):
                obj = getattr(mod, name, None)
                if inspect.isfunction(obj) and obj.__module__ == mod.__name__:
                    out[f"{mod.__name__}.{name}"] = obj
    return out


FUNCTIONS = _public_functions()


def test_every_public_function_has_valid_arguments_or_an_exemption():
    missing = sorted(set(FUNCTIONS) - set(CASES) - set(EXEMPT))
    assert not missing, f"{len(missing)} public functions have no case in tests/api_cases_*.py: " + \
        ", ".join(missing)
    stale = sorted((set(CASES) | set(EXEMPT)) - set(FUNCTIONS))
    assert not stale, f"cases name functions that are not public: {', '.join(stale)}"


def _generic_bad(valid) -> dict[str, object]:
    """Bad values of the wrong kind for a parameter whose valid value is ``valid``, by tag."""
    if isinstance(valid, bool):
        return {"int": 2, "text": "yes", "object": object()}
    if isinstance(valid, int | np.integer):
        return {"fraction": 2.5, "nan": math.nan, "bool": True, "text": "3", "object": object()}
    if isinstance(valid, float | np.floating):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "bool": True, "text": "1.0",
                "object": object(), "nan_array": np.array([float(valid), math.nan])}
    if isinstance(valid, np.ndarray | list | tuple) and np.asarray(valid, dtype=object).size and \
            all(isinstance(x, int | float | np.number) and not isinstance(x, bool)
                for x in np.asarray(valid, dtype=object).ravel()):
        a = np.array(valid, dtype=float)
        with_nan = a.copy()
        with_nan.flat[0] = math.nan
        return {"empty": np.array([]), "nan": with_nan, "extra_dim": a[None, ...], "text": "abc"}
    if isinstance(valid, str):
        return {"unknown-option": "no-such-option", "int": 3}
    if callable(valid):
        return {"int": 3}
    return {"object": object()}


def _bad_values(qualname: str, param: str, valid, default) -> list[tuple[str, object]]:
    case = CASES[qualname]
    allowed = case.get("valid_also", {}).get(param, [])
    out = [(tag, v) for tag, v in _generic_bad(valid).items() if tag not in allowed]
    out += [(f"listed {v!r}", v) for v in case.get("bad", {}).get(param, [])]
    return [(t, v) for t, v in out if not (v is None and default is None)]


class _Hang(Exception):
    pass


def _call(fn, kwargs):
    def alarm(signum, frame):
        raise _Hang

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(CALL_SECONDS)
    try:
        return fn(**kwargs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _params(qualname: str) -> list[tuple[str, object, object]]:
    fn = FUNCTIONS[qualname]
    valid = CASES[qualname]["valid"]
    sig = inspect.signature(fn)
    out = []
    for name, p in sig.parameters.items():
        if name in valid:
            out.append((name, valid[name], p.default))
        elif p.default is not inspect.Parameter.empty and p.default is not None and \
                p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out.append((name, p.default, p.default))  # its default is a valid example
    return out


CASED = sorted(q for q in CASES if q in FUNCTIONS)


@pytest.mark.parametrize("qualname", CASED)
def test_valid_arguments_are_accepted(qualname):
    """The case's valid arguments work, so that a ValueError below is about the bad value."""
    _call(FUNCTIONS[qualname], dict(CASES[qualname]["valid"]))


@pytest.mark.parametrize("qualname", CASED)
def test_each_bad_value_raises_a_value_error_naming_its_parameter(qualname):
    fn = FUNCTIONS[qualname]
    failures = []
    for param, valid, default in _params(qualname):
        for tag, bad in _bad_values(qualname, param, valid, default):
            kwargs = dict(CASES[qualname]["valid"], **{param: bad})
            try:
                result = _call(fn, kwargs)
            except ValueError as exc:
                if not re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", str(exc)):
                    failures.append(f"{param}={tag}: ValueError does not name {param!r}: {exc}")
                continue
            except _Hang:
                failures.append(f"{param}={tag}: no answer within {CALL_SECONDS} s")
                continue
            except Exception as exc:  # any other exception is the defect this test looks for
                failures.append(f"{param}={tag}: {type(exc).__name__}: {str(exc)[:120]}")
                continue
            failures.append(f"{param}={tag}: accepted, returned {str(result)[:80]}")
    assert not failures, f"{qualname}:\n" + "\n".join(failures)


_ARRAY_CASES = [(q, name) for q in CASED for name, valid, _ in _params(q)
                if isinstance(valid, np.ndarray) and valid.size > 1
                and "nan" not in CASES[q].get("valid_also", {}).get(name, [])]


@pytest.mark.parametrize(("qualname", "param"), _ARRAY_CASES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_non_finite_entry_anywhere_in_an_array_is_refused(qualname, param, data):
    """Property: a NaN or infinity at any position of an array argument raises a ValueError naming
    the argument (not only at the first position)."""
    valid = np.array(CASES[qualname]["valid"][param], dtype=float)
    index = data.draw(st.integers(0, valid.size - 1), label="position")
    value = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="entry")
    if np.isinf(value) and "inf" in CASES[qualname].get("valid_also", {}).get(param, []):
        value = math.nan
    bad = valid.copy()
    bad.flat[index] = value
    with pytest.raises(ValueError, match=re.escape(param)):
        _call(FUNCTIONS[qualname], dict(CASES[qualname]["valid"], **{param: bad}))
