"""Argument checks shared by the public functions of every layer.

Each check raises :class:`ValueError` whose message names the parameter, the value it got and the
valid range, and returns the value in a normal form (a float, an int, a float array). Booleans are
never numbers here (``True`` is not ``1``), NaN is never a valid value, and an integer parameter
refuses ``2.5`` instead of truncating it.

Examples
--------
>>> real("mu", 0.25, low=0.0, high=1.0, low_open=True, high_open=True)
0.25
>>> real("mu", float("nan"), low=0.0, high=1.0)
Traceback (most recent call last):
...
ValueError: mu = nan must be a real number in [0, 1]
>>> integer("n", 2.5, low=2)
Traceback (most recent call last):
...
ValueError: n = 2.5 must be an integer >= 2
>>> integer("n", 10**30, low=2)
1000000000000000000000000000000
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["array", "choice", "func", "integer", "precision", "real", "real_or_array"]


def _range_text(low, high, low_open: bool, high_open: bool) -> str:
    def fmt(x):
        return f"{x:g}" if isinstance(x, float) else str(x)

    if low is None and high is None:
        return "(-inf, inf)"
    lo = "(-inf" if low is None else ("(" if low_open else "[") + fmt(low)
    hi = "inf)" if high is None else fmt(high) + (")" if high_open else "]")
    return f"{lo}, {hi}"


def _in_range(x, low, high, low_open: bool, high_open: bool) -> bool:
    if low is not None and (x < low or (low_open and x == low)):
        return False
    return not (high is not None and (x > high or (high_open and x == high)))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real(name: str, value: Any, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False, allow_inf: bool = False) -> float:
    """A real scalar in the stated range, as a Python float (mpmath numbers are accepted)."""
    what = f"a real number in {_range_text(low, high, low_open, high_open)}"
    if isinstance(value, bool | np.bool_) or isinstance(value, str | bytes):
        raise ValueError(f"{name} = {_show(value)} must be {what}")
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ValueError(f"{name} must be a scalar ({what}), got an array of shape {value.shape}")
        value = value.item()
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} = {_show(value)} must be {what}") from None
    if math.isnan(x) or (math.isinf(x) and not allow_inf) or not _in_range(x, low, high, low_open,
                                                                            high_open):
        raise ValueError(f"{name} = {_show(value)} must be {what}")
    return x


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (an ``int`` or an integral numpy/float value) in ``[low, high]``, as a Python int."""
    if low is not None and high is None:
        what = f"an integer >= {low}"
    elif low is None and high is None:
        what = "an integer"
    else:
        what = f"an integer in {_range_text(low, high, False, False)}"
    if isinstance(value, bool | np.bool_) or isinstance(value, str | bytes):
        raise ValueError(f"{name} = {_show(value)} must be {what}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, numbers.Integral):
        k = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        k = int(value)
    else:
        raise ValueError(f"{name} = {_show(value)} must be {what}")
    if not _in_range(k, low, high, False, False):
        raise ValueError(f"{name} = {_show(value)} must be {what}")
    return k


def precision(name: str, value: Any, *, high: int = 10_000) -> int | None:
    """A number of decimal digits (``None`` means double precision): an integer in [1, high]."""
    if value is None:
        return None
    return integer(name, value, low=1, high=high)


def array(name: str, value: Any, *, ndim: int | tuple[int, ...] | None = None,
          min_size: int = 1, low: float | None = None, high: float | None = None,
          low_open: bool = False, high_open: bool = False, allow_inf: bool = False,
          shape: tuple[int | None, ...] | None = None) -> np.ndarray:
    """A finite real float array with the stated dimensions, size and element range."""
    if isinstance(value, str | bytes) or value is None:
        raise ValueError(f"{name} = {_show(value)} must be an array of real numbers")
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers (it is ragged or not numeric)") \
            from None
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype,
                                                                                   np.floating)):
        raise ValueError(f"{name} must be an array of real numbers, got dtype {a.dtype}")
    a = a.astype(float)
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if dims is not None and a.ndim not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} dimensions, "
                         f"got shape {a.shape}")
    if shape is not None and (a.ndim != len(shape) or any(
            s is not None and s != t for s, t in zip(shape, a.shape, strict=True))):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    if a.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), got {a.size}")
    bad = np.isnan(a) | (np.isinf(a) & (not allow_inf))
    if low is not None:
        bad |= (a < low) | ((a == low) if low_open else False)
    if high is not None:
        bad |= (a > high) | ((a == high) if high_open else False)
    if bad.any():
        first = a[np.unravel_index(int(np.argmax(bad)), a.shape)] if a.ndim else a
        raise ValueError(f"{name} must hold real numbers in "
                         f"{_range_text(low, high, low_open, high_open)}; it holds {first!r}")
    return a


def real_or_array(name: str, value: Any, **kwargs) -> np.ndarray:
    """A real scalar or array (the argument of a vectorized function), as a float array.

    Scalars come back as 0-d arrays; empty arrays are valid (they give empty results)."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return np.asarray(real(name, value, **{k: v for k, v in kwargs.items()
                                               if k in ("low", "high", "low_open", "high_open",
                                                        "allow_inf")}))
    return array(name, value, min_size=0, **kwargs)


def choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} = {_show(value)} must be one of {', '.join(map(repr, options))}")
    return value


def func(name: str, value: Any) -> Callable:
    """A callable."""
    if not callable(value):
        raise ValueError(f"{name} = {_show(value)} must be callable")
    return value
