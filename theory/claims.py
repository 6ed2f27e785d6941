"""The claim registry: every claim of the five documents, as validated data.

Each document has one TOML file in ``theory/claims/`` (``spheres.toml``, ``tilting.toml``,
``intriguing.toml``, ``dube.toml``, ``spectrum.toml``). A file holds a ``[paper]`` table and an array
of ``[[claims]]``; a claim may have ``[[claims.readings]]`` when its source is ambiguous. The verdict
written in the file is a hypothesis: a verification run establishes it only when every test of the
claim passes and the evidence its verdict needs is there (see :mod:`advgeom.reports.verdicts`). A
statistical claim or reading registers its decision rule (a ``decision`` table: statistic, rule,
level, family, minimum effect, sample, and the verdict of each outcome) before any data is seen.

Examples
--------
>>> from advgeom.theory import claims
>>> c = claims.get("HD-1")
>>> c.paper, c.verdict
('dube', 'PROVED')
>>> "HD-1" in {x.id for x in claims.all(paper="dube")}
True
>>> claims.get("NOPE")
Traceback (most recent call last):
...
advgeom.theory.claims.UnknownClaimError: unknown claim id 'NOPE' ...
"""

from __future__ import annotations

import builtins
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = [
    "VERDICTS",
    "Claim",
    "DecisionRule",
    "Paper",
    "Reading",
    "Registry",
    "RegistryError",
    "UnknownClaimError",
    "all",
    "get",
    "load_registry",
    "papers",
    "registry",
]

#: The verdict vocabulary, in the order the report lists it.
VERDICTS = ("PROVED", "CONFIRMED", "CORRECTED", "REFUTED", "UNSUPPORTED", "INCONCLUSIVE",
            "NOT CHECKABLE")

#: Verdicts a registered decision rule may derive from its data.
DECISION_OUTCOMES = ("CONFIRMED", "REFUTED", "UNSUPPORTED", "CORRECTED")

#: The family-wise level of a decision when the registry does not state one.
DEFAULT_LEVEL = 1e-3

CLAIMS_DIR = Path(__file__).with_name("claims")

_ID_PATTERN = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+$")
_PAPER_FIELDS = {"key", "title", "authors", "arxiv", "seed", "summary"}
_CLAIM_FIELDS = {
    "id", "title", "source", "as_stated", "formal", "verdict", "correction", "counterexample",
    "uses", "rule", "notes", "readings", "decision",
}
_READING_FIELDS = {"id", "statement", "verdict", "notes", "decision"}
_DECISION_FIELDS = {
    "statistic", "rule", "level", "family", "min_effect", "sample", "on_positive", "on_negative",
    "on_null",
}


class RegistryError(ValueError):
    """A claim file is malformed; the message names the file, the claim and the field."""


class UnknownClaimError(KeyError, ValueError):
    """No claim (or paper) of that name: a ``KeyError`` for look-ups, a ``ValueError`` for bad input."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class DecisionRule:
    """A statistical decision rule, registered before the data it decides.

    The test computes an effect (``statistic``) and its two-sided confidence interval at the
    per-test level ``level / family`` (Bonferroni over the ``family`` tests decided together), then
    :func:`advgeom.numerics.decisions.decide` maps the interval to a verdict:

    * interval entirely above ``+min_effect``: ``on_positive``;
    * interval entirely below ``-min_effect``: ``on_negative``;
    * interval entirely inside ``(-min_effect, +min_effect)``: ``on_null`` (no effect worth the name);
    * otherwise ``INCONCLUSIVE``.
    """

    statistic: str
    rule: str
    min_effect: float
    sample: int
    on_positive: str
    on_negative: str
    on_null: str
    level: float = DEFAULT_LEVEL
    family: int = 1

    @property
    def per_test_level(self) -> float:
        """The level each of the ``family`` tests is run at (Bonferroni)."""
        return self.level / self.family


@dataclass(frozen=True)
class Reading:
    """One precise reading of an ambiguous claim, with its own expected verdict."""

    id: str
    statement: str
    verdict: str
    notes: str = ""
    decision: DecisionRule | None = None


@dataclass(frozen=True)
class Paper:
    """A source document: its registry key, bibliographic line and seed file."""

    key: str
    title: str
    authors: str
    arxiv: str
    seed: str
    summary: str = ""


@dataclass(frozen=True)
class Claim:
    """One registered claim.

    ``verdict`` is the expected verdict (a hypothesis the tests must establish); ``uses`` lists the
    IDs the claim depends on; ``readings`` holds the alternative formalizations of an ambiguous claim.
    """

    id: str
    paper: str
    title: str
    source: str
    as_stated: str
    formal: str
    verdict: str
    correction: str = ""
    counterexample: str = ""
    uses: tuple[str, ...] = ()
    rule: str = ""
    notes: str = ""
    readings: tuple[Reading, ...] = field(default=())
    decision: DecisionRule | None = None

    @property
    def needs_tests(self) -> bool:
        """Whether a verification run must contain a test of this claim."""
        return self.verdict != "NOT CHECKABLE" or any(
            r.verdict != "NOT CHECKABLE" for r in self.readings
        )

    def reading(self, reading_id: str) -> Reading:
        """The reading called ``reading_id``; ``KeyError`` if the claim has none of that name."""
        for r in self.readings:
            if r.id == reading_id:
                return r
        raise KeyError(f"claim {self.id} has no reading {reading_id!r}")

    def __repr__(self) -> str:
        lines = [f"{self.id} [{self.verdict}] {self.title}", f"  source:    {self.source}"]
        lines.append(f"  as stated: {self.as_stated}")
        lines.append(f"  formal:    {self.formal}")
        if self.correction:
            lines.append(f"  corrected: {self.correction}")
        for r in self.readings:
            lines.append(f"  reading {r.id} [{r.verdict}]: {r.statement}")
        if self.uses:
            lines.append(f"  uses:      {', '.join(self.uses)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Registry:
    """All papers and claims, validated: unique IDs, known ``uses``, no dependency cycle."""

    papers: dict[str, Paper]
    claims: dict[str, Claim]

    def get(self, claim_id: str) -> Claim:
        if not isinstance(claim_id, str) or claim_id not in self.claims:
            raise UnknownClaimError(f"unknown claim id {claim_id!r} (claim_id must be one of the "
                                    f"{len(self.claims)} registered ids, e.g. 'SPH-10')")
        return self.claims[claim_id]

    def all(self, paper: str | None = None) -> list[Claim]:
        if paper is not None and (not isinstance(paper, str) or paper not in self.papers):
            raise UnknownClaimError(f"unknown paper {paper!r}; paper must be one of "
                                    f"{', '.join(self.papers)}")
        return [c for c in self.claims.values() if paper is None or c.paper == paper]


def _text(where: str, table: dict, key: str, required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise RegistryError(f"{where}: field {key!r} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise RegistryError(f"{where}: field {key!r} is missing or empty")
    return value.strip()


def _verdict(where: str, table: dict) -> str:
    verdict = _text(where, table, "verdict")
    if verdict not in VERDICTS:
        raise RegistryError(f"{where}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    return verdict


def _unknown_fields(where: str, table: dict, allowed: set[str]) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(extra)}")


def _parse_decision(where: str, table, verdict: str) -> DecisionRule | None:
    if table is None:
        return None
    where = f"{where}, decision"
    if not isinstance(table, dict):
        raise RegistryError(f"{where}: must be a table")
    _unknown_fields(where, table, _DECISION_FIELDS)
    outcomes = {}
    for key in ("on_positive", "on_negative", "on_null"):
        value = _text(where, table, key)
        if value not in DECISION_OUTCOMES:
            raise RegistryError(f"{where}: {key} = {value!r} is not one of "
                                f"{', '.join(DECISION_OUTCOMES)}")
        outcomes[key] = value
    if verdict not in set(outcomes.values()) | {"INCONCLUSIVE", "CORRECTED"}:
        raise RegistryError(f"{where}: the rule can never give the registered verdict {verdict}")
    numbers = {}
    for key, kind, low, high in (("level", float, 0.0, 0.05), ("min_effect", float, 0.0, None),
                                 ("family", int, 1, None), ("sample", int, 1, None)):
        if key not in table:
            if key in ("min_effect", "sample"):
                raise RegistryError(f"{where}: field {key!r} is missing")
            continue
        value = table[key]
        ok = (isinstance(value, int | float) and not isinstance(value, bool)
              and (kind is float or isinstance(value, int))
              and (value > low if key == "level" else value >= low)
              and (high is None or value <= high))
        if not ok:
            want = "in (0, 0.05]" if key == "level" else f">= {low}"
            raise RegistryError(f"{where}: {key} = {value!r} must be a {kind.__name__} {want}")
        numbers[key] = kind(value)
    return DecisionRule(statistic=_text(where, table, "statistic"), rule=_text(where, table, "rule"),
                        **outcomes, **numbers)


def _parse_claim(path: Path, paper: str, table: dict) -> Claim:
    cid = table.get("id")
    where = f"{path.name}: claim {cid!r}"
    if not isinstance(cid, str) or not _ID_PATTERN.match(cid):
        raise RegistryError(f"{where}: id must look like 'SPH-10' or 'DUBE-4'")
    _unknown_fields(where, table, _CLAIM_FIELDS)
    verdict = _verdict(where, table)
    correction = _text(where, table, "correction", required=verdict == "CORRECTED")
    uses = table.get("uses", [])
    if not isinstance(uses, list) or not builtins.all(isinstance(u, str) for u in uses):
        raise RegistryError(f"{where}: field 'uses' must be a list of claim ids")
    readings = []
    for r in table.get("readings", []):
        rwhere = f"{where}, reading {r.get('id')!r}"
        _unknown_fields(rwhere, r, _READING_FIELDS)
        readings.append(
            Reading(
                id=_text(rwhere, r, "id"),
                statement=_text(rwhere, r, "statement"),
                verdict=_verdict(rwhere, r),
                notes=_text(rwhere, r, "notes", required=False),
                decision=_parse_decision(rwhere, r.get("decision"), _verdict(rwhere, r)),
            )
        )
    rids = [r.id for r in readings]
    if len(set(rids)) != len(rids):
        raise RegistryError(f"{where}: duplicate reading ids {rids}")
    notes = _text(where, table, "notes", required=verdict == "NOT CHECKABLE")
    return Claim(
        id=cid,
        paper=paper,
        title=_text(where, table, "title"),
        source=_text(where, table, "source"),
        as_stated=_text(where, table, "as_stated"),
        formal=_text(where, table, "formal"),
        verdict=verdict,
        correction=correction,
        counterexample=_text(where, table, "counterexample", required=False),
        uses=tuple(uses),
        rule=_text(where, table, "rule", required=False),
        notes=notes,
        readings=tuple(readings),
        decision=_parse_decision(where, table.get("decision"), verdict),
    )


def _parse_file(path: Path) -> tuple[Paper, list[Claim]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path.name}: not valid TOML: {exc}") from None
    meta = data.get("paper")
    if not isinstance(meta, dict):
        raise RegistryError(f"{path.name}: missing [paper] table")
    _unknown_fields(f"{path.name} [paper]", meta, _PAPER_FIELDS)
    where = f"{path.name} [paper]"
    paper = Paper(
        key=_text(where, meta, "key"),
        title=_text(where, meta, "title"),
        authors=_text(where, meta, "authors"),
        arxiv=_text(where, meta, "arxiv"),
        seed=_text(where, meta, "seed"),
        summary=_text(where, meta, "summary", required=False),
    )
    if paper.key != path.stem:
        raise RegistryError(f"{where}: key {paper.key!r} must equal the file stem {path.stem!r}")
    raw = data.get("claims", [])
    if not isinstance(raw, list):
        raise RegistryError(f"{path.name}: 'claims' must be an array of tables ([[claims]])")
    return paper, [_parse_claim(path, paper.key, t) for t in raw]


def _check_graph(claims: dict[str, Claim]) -> None:
    for c in claims.values():
        for u in c.uses:
            if u not in claims:
                raise RegistryError(f"claim {c.id}: 'uses' names unknown claim {u!r}")
    state: dict[str, int] = {}

    def visit(cid: str, path: list[str]) -> None:
        if state.get(cid) == 2:
            return
        if state.get(cid) == 1:
            cycle = path[path.index(cid):] + [cid]
            raise RegistryError(f"'uses' has a cycle: {' -> '.join(cycle)}")
        state[cid] = 1
        for u in claims[cid].uses:
            visit(u, path + [cid])
        state[cid] = 2

    for cid in claims:
        visit(cid, [])


def load_registry(directory: Path | str | None = None) -> Registry:
    """Load and validate every ``*.toml`` claim file in ``directory`` (default: the bundled one).

    Raises
    ------
    RegistryError
        For malformed TOML, a missing or mistyped field, an unknown verdict, a duplicate ID, a ``uses``
        entry naming an unknown claim, or a dependency cycle.
    """
    if directory is not None and not isinstance(directory, str | Path):
        raise RegistryError(f"directory = {directory!r} must be a folder path")
    directory = Path(directory) if directory is not None else CLAIMS_DIR
    if not directory.is_dir():
        raise RegistryError(f"claims directory {str(directory)!r} does not exist")
    papers: dict[str, Paper] = {}
    claims: dict[str, Claim] = {}
    for path in sorted(directory.glob("*.toml")):
        paper, items = _parse_file(path)
        papers[paper.key] = paper
        for c in items:
            if c.id in claims:
                raise RegistryError(f"{path.name}: duplicate claim id {c.id!r}")
            claims[c.id] = c
    _check_graph(claims)
    return Registry(papers, claims)


@cache
def _registry_at(directory: str | None) -> Registry:
    return load_registry(directory)


def registry() -> Registry:
    """The registry, loaded once: the bundled one, or the folder named by ``$ADVGEOM_CLAIMS``
    (a registry of one's own, for checking new claims with the same machinery)."""
    return _registry_at(os.environ.get("ADVGEOM_CLAIMS") or None)


def get(claim_id: str) -> Claim:
    """The claim with this ID; ``KeyError`` naming it if unknown."""
    return registry().get(claim_id)


def all(paper: str | None = None) -> list[Claim]:  # noqa: A001 - the registry's documented name
    """Every claim, or those of one paper (``"spheres"``, ``"tilting"``, ...), in file order."""
    return registry().all(paper)


def papers() -> dict[str, Paper]:
    """The registered papers by key."""
    return dict(registry().papers)
