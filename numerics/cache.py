"""On-disk cache for experiments that train models.

Experiments (the quadratic network, SVM regularization paths, local-error networks) are cached with
:class:`joblib.Memory`, keyed by the function's code and its arguments, so a second run of the suite or
of ``advgeom report --rerun`` reuses trained models. The location is ``$ADVGEOM_CACHE`` when set,
otherwise ``~/.cache/advgeom``.

Examples
--------
>>> import os
>>> from advgeom.numerics.cache import cache_dir
>>> os.environ["ADVGEOM_CACHE"], saved = "/tmp/advgeom-cache-doctest", os.environ.get("ADVGEOM_CACHE")
>>> str(cache_dir())
'/tmp/advgeom-cache-doctest'
>>> del os.environ["ADVGEOM_CACHE"]
>>> cache_dir() == Path.home() / ".cache" / "advgeom"
True
>>> if saved is not None: os.environ["ADVGEOM_CACHE"] = saved
"""

from __future__ import annotations

import os
from pathlib import Path

from joblib import Memory

__all__ = ["cache_dir", "memory"]


def cache_dir() -> Path:
    """Directory of the experiment cache (``$ADVGEOM_CACHE`` or ``~/.cache/advgeom``)."""
    env = os.environ.get("ADVGEOM_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "advgeom"


memory = Memory(location=str(cache_dir()), verbose=0)
