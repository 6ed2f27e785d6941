"""The exact quadratic-form tail engine, under its numerical-engine name.

The engine is mathematics with no dependency on the rest of the package, so it lives in
:mod:`theory.quadforms` (``theory`` imports nothing of ours, and :mod:`theory.spheres` needs it);
this module re-exports it for the numerics layer: ``numerics.quadforms.sf(weights, x)``.
"""

from advgeom.theory.quadforms import *  # noqa: F403
from advgeom.theory.quadforms import __all__  # noqa: F401
