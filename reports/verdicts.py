"""From test outcomes to verdicts: a claim's verdict is established only when all its tests passed.

Statuses a claim or reading can reach in a run:

``<VERDICT>`` (PROVED, CONFIRMED, ...)
    Every test marked with it ran and passed: the expected verdict is established.
``NOT CHECKABLE``
    Registered as qualitative; no test needed (any test it has must still pass).
``NOT ESTABLISHED``
    At least one of its tests failed (or errored), or recorded a criterion that did not hold.
``NOT RUN``
    None of its tests ran in this run (deselected, or the claim has no test).
"""

from __future__ import annotations

from dataclasses import dataclass

from advgeom.reports.ledger import RunRecord, TestRecord
from advgeom.theory.claims import Claim

__all__ = [
    "ESTABLISHED_NOT", "NOT_RUN", "ClaimStatus", "claim_status", "effective_outcome", "run_statuses",
]

ESTABLISHED_NOT = "NOT ESTABLISHED"
NOT_RUN = "NOT RUN"


@dataclass(frozen=True)
class ClaimStatus:
    """The outcome for one claim (``reading == ""``) or one of its readings."""

    claim_id: str
    reading: str
    expected: str
    status: str
    n_tests: int
    n_passed: int
    failing: tuple[str, ...] = ()

    @property
    def established(self) -> bool:
        return self.status == self.expected


def _status(expected: str, outcomes: list[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    failing = tuple(nodeid for nodeid, outcome in outcomes if outcome == "failed")
    ran = [o for _, o in outcomes if o in ("passed", "failed")]
    if failing:
        return ESTABLISHED_NOT, failing
    if expected == "NOT CHECKABLE":
        return expected, ()
    if not ran:
        return NOT_RUN, ()
    return expected, ()


def effective_outcome(test: TestRecord) -> str:
    """The test's outcome, except that a passing test which *recorded* a failed criterion (an
    ``evidence.record`` row whose check did not hold) counts as failed: evidence shown as failing
    never supports a verdict, asserted or not."""
    if test.outcome == "passed" and any(e.get("passed") is False for e in test.evidence):
        return "failed"
    return test.outcome


def claim_status(claim: Claim, run: RunRecord, reading: str | None = None) -> ClaimStatus:
    """Status of a claim (all its tests) or of one reading (the tests marked with that reading)."""
    tests = run.tests_for(claim.id, reading)
    outcomes = [(t.nodeid, effective_outcome(t)) for t in tests]
    expected = claim.reading(reading).verdict if reading else claim.verdict
    status, failing = _status(expected, outcomes)
    if reading is None and status == claim.verdict and claim.verdict != "NOT CHECKABLE":
        # A claim is established only when each of its checkable readings is too.
        for r in claim.readings:
            sub = claim_status(claim, run, r.id)
            if sub.status in (ESTABLISHED_NOT, NOT_RUN) and r.verdict != "NOT CHECKABLE":
                status = sub.status
                failing = failing + sub.failing
    n_passed = sum(1 for _, o in outcomes if o == "passed")
    return ClaimStatus(claim.id, reading or "", expected, status, len(outcomes), n_passed, failing)


def run_statuses(claims: list[Claim], run: RunRecord) -> list[ClaimStatus]:
    """Statuses of every claim and every reading, in registry order."""
    out = []
    for c in claims:
        out.append(claim_status(c, run))
        out.extend(claim_status(c, run, r.id) for r in c.readings)
    return out
