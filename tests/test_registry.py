"""Invariants of the claim registry: unique IDs, known `uses`, no cycle, every checkable claim tested,
every claim marker naming a known ID, and clear errors for malformed files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from advgeom.theory import claims
from advgeom.theory.claims import RegistryError, load_registry

TESTS = Path(__file__).parent


def _marked_claims() -> dict[str, set[str]]:
    """Claim IDs (and readings) named by ``pytest.mark.claim`` in the test modules, read from the AST."""
    found: dict[str, set[str]] = {}
    for path in TESTS.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "claim" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                reading = next((k.value.value for k in node.keywords
                                if k.arg == "reading" and isinstance(k.value, ast.Constant)), "")
                found.setdefault(node.args[0].value, set()).add(reading)
    return found


def test_ids_unique_and_well_formed():
    reg = load_registry()
    assert len(reg.claims) == len({c.id for c in reg.all()})
    assert all(c.paper in reg.papers for c in reg.all())


def test_every_checkable_claim_and_reading_has_a_test():
    marked = _marked_claims()
    missing = [c.id for c in claims.all() if c.verdict != "NOT CHECKABLE" and c.id not in marked]
    assert not missing, f"claims without a test: {missing}"
    missing_readings = [
        f"{c.id}/{r.id}" for c in claims.all() for r in c.readings
        if r.verdict != "NOT CHECKABLE" and r.id not in marked.get(c.id, set())
    ]
    assert not missing_readings, f"readings without a test: {missing_readings}"


def test_every_marker_names_a_known_claim_and_reading():
    for cid, readings in _marked_claims().items():
        claim = claims.get(cid)
        for r in readings - {""}:
            claim.reading(r)


def test_corrected_claims_state_their_correction():
    for c in claims.all():
        if c.verdict == "CORRECTED":
            assert c.correction, c.id


def _write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


PAPER = '[paper]\nkey = "demo"\ntitle = "T"\nauthors = "A"\narxiv = "0000.00000"\nseed = "s.txt"\n'
CLAIM = ('[[claims]]\nid = "{id}"\ntitle = "t"\nsource = "s"\nas_stated = "a"\nformal = "f"\n'
         'verdict = "{verdict}"\nuses = {uses}\n')


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[paper\n", "not valid TOML"),
        ('x = 1\n', "missing \\[paper\\]"),
        (PAPER + CLAIM.format(id="D-1", verdict="MAYBE", uses="[]"), "verdict 'MAYBE'"),
        (PAPER + CLAIM.format(id="d1", verdict="PROVED", uses="[]"), "id must look like"),
        (PAPER + CLAIM.format(id="D-1", verdict="PROVED", uses='["D-9"]'), "unknown claim 'D-9'"),
        (PAPER + CLAIM.format(id="D-1", verdict="CORRECTED", uses="[]"), "'correction'"),
        (PAPER + CLAIM.format(id="D-1", verdict="PROVED", uses="[]") * 2, "duplicate claim id"),
        (PAPER + CLAIM.format(id="D-1", verdict="PROVED", uses='["D-2"]')
         + CLAIM.format(id="D-2", verdict="PROVED", uses='["D-1"]'), "cycle"),
        (PAPER + CLAIM.format(id="D-1", verdict="PROVED", uses="[]") + 'colour = "red"\n',
         "unknown field"),
    ],
)
def test_malformed_files_fail_with_a_clear_message(tmp_path, body, message):
    with pytest.raises(RegistryError, match=message):
        load_registry(_write(tmp_path, body))


def test_unknown_claim_lookup_names_the_id():
    with pytest.raises(KeyError, match="NOPE"):
        claims.get("NOPE")
    with pytest.raises(KeyError, match="unknown paper"):
        claims.all(paper="nope")


def test_repr_is_readable():
    text = repr(claims.get("HD-5"))
    assert text.startswith("HD-5 [PROVED]") and "formal:" in text


def _decided() -> list[tuple[str, str, object]]:
    out = []
    for c in claims.all():
        out.append((c.id, c.verdict, c.decision))
        out.extend((f"{c.id} [{r.id}]", r.verdict, r.decision) for r in c.readings)
    return out


def test_inconclusive_verdicts_rest_on_a_registered_decision():
    missing = [name for name, verdict, rule in _decided() if verdict == "INCONCLUSIVE" and rule is None]
    assert not missing, f"INCONCLUSIVE without a registered decision rule: {missing}"


def test_registered_decisions_use_the_suites_level_and_a_minimum_effect():
    """Family-wise level at most 1e-3 (what the verdict engine accepts), a stated minimum effect,
    and a rule that can give the registered verdict."""
    bad = []
    for name, verdict, rule in _decided():
        if rule is None:
            continue
        if rule.level > 1e-3:
            bad.append(f"{name}: level {rule.level}")
        if verdict not in {rule.on_positive, rule.on_negative, rule.on_null, "INCONCLUSIVE",
                           "CORRECTED"}:
            bad.append(f"{name}: the rule cannot give {verdict}")
    assert not bad, "; ".join(bad)
