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


def _advgeom_names(tree: ast.Module) -> set[str]:
    """Names a module binds by importing from advgeom (``from advgeom.x import y`` binds y)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("advgeom"):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names
                      if a.name.startswith("advgeom")}
    return names


def _reference_functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if path.name == "references.py":
        return [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("ref_")]


def test_references_are_independent_of_the_code_under_test():
    """numerics/references.py imports nothing of advgeom, and no ``ref_*`` function of a test module
    uses a name imported from advgeom: a reference never calls the code it checks."""
    refs = ROOT / "numerics" / "references.py"
    assert not _our_imports(refs), f"numerics/references.py imports {sorted(_our_imports(refs))}"
    bad = []
    for path in [refs, *sorted((ROOT / "tests").glob("test_*.py"))]:
        ours = _advgeom_names(ast.parse(path.read_text(encoding="utf-8")))
        for fn in _reference_functions(path):
            used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} & ours
            if used:
                bad.append(f"{path.name}:{fn.name} uses {sorted(used)}")
    assert not bad, "references that call the code under test: " + "; ".join(bad)
