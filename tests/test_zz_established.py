"""The run's own verdict check: every claim whose tests all ran in this session has the evidence its
registered verdict needs (see :mod:`advgeom.reports.verdicts`).

It runs after every other test (the ``advgeom_final`` marker) and fails the suite, not only the
report, when a fully run claim is not established: evidence against its registered verdict (a
counterexample for a claim registered true, a registered decision that gives another verdict), or
tests that pass without a kind of evidence the verdict needs (a PROVED claim without a derivation
or without an independent reference, say). Claims some of whose tests did not run in this session
are left to the report, which shows them as NOT ESTABLISHED or NOT RUN.
"""

from __future__ import annotations

import pytest
from advgeom.reports import pytest_plugin, verdicts
from advgeom.theory import claims


@pytest.mark.advgeom_final
def test_every_fully_run_claim_has_the_evidence_its_verdict_needs(request):
    run = pytest_plugin.current_run(request.config)
    assert run is not None, "the advgeom pytest plugin is not active"
    partial = run.provenance["partial_claims"]
    problems = []
    for status in verdicts.run_statuses(claims.all(), run):
        if status.claim_id in partial or status.status in (verdicts.NOT_RUN, "NOT CHECKABLE"):
            continue
        if not status.established:
            name = status.claim_id + (f" [{status.reading}]" if status.reading else "")
            problems.append(f"{name}: registered {status.expected}; {status.reason}")
    incomplete = [p for p in problems if " needs " in p]
    wrong = [p for p in problems if " needs " not in p]
    assert not problems, (
        f"{len(wrong)} verdict(s) contradicted by evidence, {len(incomplete)} lacking a kind of "
        "evidence they need:\n" + "\n".join(wrong + incomplete))
