"""The direction of imports: theory imports nothing of ours; proofs and numerics may import theory
(and proofs.core); reports may import everything. Layers are imported as ``advgeom.<layer>``; a bare
``import theory`` would pick up whatever folder of that name is on the path, so it is always an
error. Checked on the source, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "theory": {"theory"},
    "proofs": {"theory", "proofs"},
    "numerics": {"theory", "numerics"},
    "reports": {"theory", "proofs", "numerics", "reports"},
}


def _our_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for n in names:
            parts = n.split(".")
            if parts[0] in ALLOWED:  # a bare top-level import of a layer: never allowed
                found.add(f"bare {n}")
            elif parts[0] == "advgeom" and len(parts) > 1 and parts[1] in ALLOWED:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_flow_one_way(layer):
    bad = {str(p.relative_to(ROOT)): sorted(_our_imports(p) - ALLOWED[layer])
           for p in (ROOT / layer).rglob("*.py")}
    assert not {k: v for k, v in bad.items() if v}, f"{layer} imports a layer it must not: {bad}"
