"""advgeom: symbolic and numerical verification of claims about the geometry of adversarial examples.

The subpackages follow the layers of the project: :mod:`advgeom.theory` (the mathematics and the
claim registry), :mod:`advgeom.proofs` (sympy derivations), :mod:`advgeom.numerics` (exact engines,
Monte Carlo, models and data), :mod:`advgeom.reports` (ledger, pytest plugin, CLI, PDF) and
:mod:`advgeom.tests` (the verification suite itself, shipped with the package).
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("advgeom")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = ["__version__"]
