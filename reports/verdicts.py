"""From test outcomes and evidence to verdicts: a verdict is established only by evidence of its kind.

Every evidence row a test records has a kind (see :mod:`advgeom.reports.pytest_plugin`):
``derivation``, ``reference``, ``interval``, ``counterexample``, ``decision`` or ``record``. A claim
(or one of its readings) reaches its registered verdict in a run only when

1. every one of its tests ran in that run and passed, and no row it recorded failed;
2. the kinds its verdict needs are present among its passed rows (:data:`NEEDS`);
3. no evidence contradicts the verdict: no counterexample for a claim registered PROVED or CONFIRMED,
   no registered decision whose outcome differs from the registered verdict;
4. for a claim with readings, each checkable reading is established too.

Otherwise its status is NOT ESTABLISHED (with the reason: the failing test, the missing kind, the
contradicting row), or NOT RUN when none of its tests ran. A derivation counts only when it states
(or chains to) a conclusion and survives no mutation; an interval only at a level of 1 - 1e-6 or
more; a decision only at a family-wise level of 1e-3 or less.

``python -m advgeom.reports.verdicts LEDGER [--paper KEY] [--run ID]`` prints every claim and
reading of a stored run with its status and what is missing.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from advgeom.reports.ledger import RunRecord, TestRecord
from advgeom.theory.claims import Claim

__all__ = [
    "ESTABLISHED_NOT", "INTERVAL_LEVEL", "DECISION_LEVEL", "NEEDS", "NOT_RUN", "ClaimStatus",
    "claim_status", "effective_outcome", "evidence_sentence", "row_counts", "run_statuses",
    "strongest_kind",
]

ESTABLISHED_NOT = "NOT ESTABLISHED"
NOT_RUN = "NOT RUN"

#: The least confidence level at which an interval establishes anything (false alarms <= 1e-6).
INTERVAL_LEVEL = 1 - 1e-6
#: The largest family-wise level at which a decision establishes anything.
DECISION_LEVEL = 1e-3

#: For each verdict, the alternatives that establish it; an alternative is a list of groups, each
#: group satisfied by any one of its kinds ("decision:X" is a decision whose outcome is X).
NEEDS: dict[str, list[list[tuple[str, ...]]]] = {
    "PROVED": [[("derivation",), ("reference", "interval")]],
    "CONFIRMED": [[("reference", "interval", "decision:CONFIRMED")]],
    "CORRECTED": [[("counterexample",), ("reference", "interval", "decision:CONFIRMED")],
                  [("decision:CORRECTED",)]],
    "REFUTED": [[("counterexample", "decision:REFUTED")]],
    "UNSUPPORTED": [[("reference", "interval", "decision:UNSUPPORTED")]],
    "INCONCLUSIVE": [[("decision:INCONCLUSIVE",)]],
    "NOT CHECKABLE": [[]],
}

_KIND_WORDS = {
    "derivation": ("a derivation", "derivations"),
    "reference": ("a reference", "references"),
    "interval": ("an interval", "intervals"),
    "counterexample": ("a counterexample", "counterexamples"),
    "decision": ("a registered decision", "registered decisions"),
}
#: Strongest first: what the summary counts a claim by.
_STRENGTH = ("derivation", "counterexample", "reference", "decision", "interval")


@dataclass(frozen=True)
class ClaimStatus:
    """The outcome for one claim (``reading == ""``) or one of its readings.

    ``kinds`` maps each evidence kind present among the passed rows to what the rows say of
    themselves (a reference's method, an interval's level, a derivation's size, a decision's rule
    and outcome); ``missing`` lists what the verdict still needs; ``reason`` says in one line why the
    verdict is not established (empty when it is)."""

    claim_id: str
    reading: str
    expected: str
    status: str
    n_tests: int
    n_passed: int
    failing: tuple[str, ...] = ()
    kinds: dict[str, list[str]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    reason: str = ""

    @property
    def established(self) -> bool:
        return self.status == self.expected


def effective_outcome(test: TestRecord) -> str:
    """The test's outcome, except that a passing test which *recorded* a failed criterion (a row
    whose check did not hold) counts as failed: evidence shown as failing never supports a verdict,
    asserted or not."""
    if test.outcome == "passed" and any(e.get("passed") is False for e in test.evidence):
        return "failed"
    return test.outcome


def _row_entry(row: dict) -> tuple[str, str] | None:
    """(kind key, description) if the row is passed evidence that counts; else None."""
    kind = row.get("kind")
    if kind == "derivation":
        counts = (row.get("ok") is True and row.get("conclusion") is not None
                  and not row.get("vacuous"))
        if not counts:
            return None
        mut = row.get("mutation") or {}
        return kind, (f"{len(row.get('steps', []))} steps, {len(row.get('premises', []))} premises, "
                      f"{mut.get('rejected', 0)} mutations rejected")
    if kind == "reference":
        return (kind, str(row.get("method"))) if row.get("passed") is True and row.get("method") \
            else None
    if kind == "interval":
        level = row.get("level")
        if row.get("passed") is True and isinstance(level, float | int) and level >= INTERVAL_LEVEL:
            return kind, f"{row.get('method') or 'interval'} at level 1 - {1 - level:.0e}"
        return None
    if kind == "counterexample":
        return (kind, str(row.get("description", ""))) if row.get("passed") is True else None
    if kind == "decision":
        level = row.get("level")
        if isinstance(level, float | int) and 0 < level <= DECISION_LEVEL and row.get("outcome"):
            return f"decision:{row['outcome']}", (f"{row.get('statistic', '')}: {row['outcome']} "
                                                  f"at family-wise level {level:g}")
        return None
    return None


def row_counts(tests: list[TestRecord]) -> dict[str, list[str]]:
    """Passed, counting evidence of these tests by kind key (``decision:X`` split by outcome)."""
    out: dict[str, list[str]] = {}
    for t in tests:
        for row in t.evidence:
            entry = _row_entry(row)
            if entry is not None:
                out.setdefault(entry[0], []).append(entry[1])
    return out


def _missing(verdict: str, counts: dict[str, list[str]]) -> tuple[str, ...]:
    """What the verdict still needs: nothing if some alternative is met, else the unmet groups of
    its first (principal) alternative."""
    alternatives = NEEDS.get(verdict, [[]])
    unmet = [[" or ".join(group) for group in alt if not any(k in counts for k in group)]
             for alt in alternatives]
    if any(not u for u in unmet):
        return ()
    return tuple(unmet[0])


def _contradictions(expected: str, tests: list[TestRecord]) -> list[str]:
    out = []
    for t in tests:
        for row in t.evidence:
            if row.get("kind") == "counterexample" and row.get("passed") is True and \
                    expected in ("PROVED", "CONFIRMED"):
                out.append(f"a counterexample contradicts {expected}: {row.get('description', '')}")
            if row.get("kind") == "decision" and row.get("outcome") and \
                    row["outcome"] != expected:
                out.append(f"the registered rule gives {row['outcome']}, not {expected} "
                           f"({row.get('statistic', '')})")
    return out


def _own_tests(run: RunRecord, claim_id: str, reading: str | None) -> list[TestRecord]:
    """Tests marked with exactly this claim and reading ("" for the claim itself)."""
    want = reading or ""
    return [t for t in run.tests if any(c == claim_id and r == want for c, r in t.claims)]


def claim_status(claim: Claim, run: RunRecord, reading: str | None = None) -> ClaimStatus:
    """Status of a claim (all its tests, readings included) or of one reading."""
    tests = run.tests_for(claim.id, reading)
    outcomes = [(t.nodeid, effective_outcome(t)) for t in tests]
    expected = claim.reading(reading).verdict if reading else claim.verdict
    failing = tuple(n for n, o in outcomes if o in ("failed", "interrupted"))
    ran = [o for _, o in outcomes if o in ("passed", "failed", "interrupted")]
    passed_tests = [t for t, (_, o) in zip(tests, outcomes, strict=True) if o == "passed"]
    counts = row_counts(passed_tests)
    n_passed = sum(1 for _, o in outcomes if o == "passed")

    def result(status: str, reason: str = "", missing: tuple[str, ...] = (),
               extra_failing: tuple[str, ...] = ()) -> ClaimStatus:
        return ClaimStatus(claim.id, reading or "", expected, status, len(outcomes), n_passed,
                           failing + extra_failing, counts, missing, reason)

    if failing:
        kind = "was interrupted" if any(o == "interrupted" for _, o in outcomes) else "failed"
        return result(ESTABLISHED_NOT, f"{len(failing)} test(s) {kind}: {failing[0]}")
    partial = (run.provenance or {}).get("partial_claims", {}).get(claim.id)
    if expected == "NOT CHECKABLE":
        return result(expected)
    if not ran:
        return result(NOT_RUN, "none of its tests ran")
    if partial:
        return result(ESTABLISHED_NOT, f"partial run: {partial}")
    # Contradictions: for a reading, its own tests; for the claim, the tests with no reading.
    contra = _contradictions(expected, _own_tests(run, claim.id, reading))
    if contra:
        return result(ESTABLISHED_NOT, contra[0])
    missing = _missing(expected, counts)
    if missing:
        return result(ESTABLISHED_NOT, f"{expected} needs {'; '.join(missing)}", missing)
    if reading is None:
        # A claim is established only when each of its checkable readings is too.
        for r in claim.readings:
            if r.verdict == "NOT CHECKABLE":
                continue
            sub = claim_status(claim, run, r.id)
            if sub.status != sub.expected:
                return result(sub.status if sub.status == NOT_RUN else ESTABLISHED_NOT,
                              f"reading {r.id}: {sub.reason}", sub.missing, sub.failing)
    return result(expected)


def run_statuses(claims: list[Claim], run: RunRecord) -> list[ClaimStatus]:
    """Statuses of every claim and every reading, in registry order."""
    out = []
    for c in claims:
        out.append(claim_status(c, run))
        out.extend(claim_status(c, run, r.id) for r in c.readings)
    return out


def strongest_kind(status: ClaimStatus) -> str | None:
    """The strongest evidence kind behind an established status (derivation first), else None."""
    if not status.established:
        return None
    present = {k.split(":")[0] for k in status.kinds}
    return next((k for k in _STRENGTH if k in present), None)


def evidence_sentence(status: ClaimStatus) -> str:
    """One line for the report: what established the status, or what it lacks.

    >>> s = ClaimStatus("X-1", "", "PROVED", "PROVED", 2, 2,
    ...                 kinds={"derivation": ["5 steps, 1 premises, 2 mutations rejected"],
    ...                        "reference": ["mpmath 50 digits", "incomplete beta"]})
    >>> evidence_sentence(s)
    'PROVED by a derivation (5 steps, 1 premises, 2 mutations rejected) and 2 references
    (mpmath 50 digits; incomplete beta)'
    """
    if status.status == "NOT CHECKABLE":
        return "NOT CHECKABLE: the registry records why; no test needed"
    if not status.established:
        return f"{status.status}: {status.reason}" if status.reason else status.status
    parts = []
    for kind in ("derivation", "counterexample", "reference", "interval", "decision"):
        entries = [d for k, v in status.kinds.items() if k.split(":")[0] == kind for d in v]
        if not entries:
            continue
        one, many = _KIND_WORDS[kind]
        shown = "; ".join(dict.fromkeys(entries))
        parts.append(f"{one} ({shown})" if len(entries) == 1 else f"{len(entries)} {many} ({shown})")
    if not parts:
        return status.status
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{status.status} by {body}"


_TABLE_VERDICTS = ("PROVED", "CONFIRMED", "CORRECTED", "REFUTED", "UNSUPPORTED", "INCONCLUSIVE",
                   "NOT CHECKABLE")


def markdown_tables(selected: list, run: RunRecord) -> str:
    """The README's two verdict tables for a run: per document, the claims whose registered verdict
    the run established, by verdict (the others counted as NOT ESTABLISHED or NOT RUN); then every
    claim with its registered verdict, what the run established, and its readings."""
    statuses = {(s.claim_id, s.reading): s for s in run_statuses(selected, run)}
    papers = sorted({c.paper for c in selected})
    cols = [*_TABLE_VERDICTS, ESTABLISHED_NOT, NOT_RUN]
    lines = ["| document | " + " | ".join(cols) + " | total |",
             "|---|" + "---:|" * (len(cols) + 1)]
    total = dict.fromkeys(cols, 0)
    for p in papers:
        counts = dict.fromkeys(cols, 0)
        for c in selected:
            if c.paper == p:
                st = statuses[(c.id, "")]
                key = st.expected if (st.established or st.status == "NOT CHECKABLE") else st.status
                counts[key if key in counts else ESTABLISHED_NOT] += 1
        for k in cols:
            total[k] += counts[k]
        lines.append(f"| {p} | " + " | ".join(str(counts[k] or "") for k in cols)
                     + f" | {sum(counts.values())} |")
    lines.append("| **all** | " + " | ".join(str(total[k] or "") for k in cols)
                 + f" | {sum(total.values())} |")
    lines += ["", "| claim | registered | this run | title |", "|---|---|---|---|"]
    for c in selected:
        st = statuses[(c.id, "")]
        shown = "established" if (st.established or st.status == "NOT CHECKABLE") else st.status
        readings = ", ".join(f"{r.id} {r.verdict}" for r in c.readings)
        title = c.title + (f" (readings: {readings})" if readings else "")
        lines.append(f"| {c.id} | {c.verdict} | {shown} | {title} |")
    return "\n".join(lines)


def _main(argv: list[str] | None = None) -> int:
    from advgeom.reports import ledger
    from advgeom.theory import claims

    parser = argparse.ArgumentParser(prog="python -m advgeom.reports.verdicts",
                                     description="Statuses of the claims in a stored run.")
    parser.add_argument("ledger")
    parser.add_argument("--paper", default=None)
    parser.add_argument("--run", type=int, default=None)
    parser.add_argument("--markdown", action="store_true",
                        help="print the README's verdict tables (counts per document, every claim)")
    args = parser.parse_args(argv)
    try:
        run_id = args.run if args.run is not None else ledger.latest_run_id(args.ledger)
        run = ledger.load_run(args.ledger, run_id)
        selected = claims.all(args.paper)
    except (ledger.LedgerError, KeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.markdown:
        print(markdown_tables(selected, run))
        return 0
    bad = 0
    for s in run_statuses(selected, run):
        name = s.claim_id + (f" [{s.reading}]" if s.reading else "")
        ok = s.established or s.status == "NOT CHECKABLE"
        bad += not ok
        print(f"{'ok ' if ok else 'NO '} {name:24s} {s.expected:14s} -> {evidence_sentence(s)}")
    print(f"{bad} not established")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main())
