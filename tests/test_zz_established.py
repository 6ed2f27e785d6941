"""The run's own verdict check: every claim whose tests all ran in this session has the evidence its
registered verdict needs (see :mod:`advgeom.reports.verdicts`).

It runs after every other test (the ``advgeom_final`` marker), so that a verdict which is not
established (a missing kind of evidence, a counterexample against a claim registered true, a
registered decision that gives another verdict) fails the test suite, not only the report. Claims
some of whose tests did not run in this session are left to the report, which shows them as NOT
ESTABLISHED or NOT RUN.
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
    checked = 0
    for status in verdicts.run_statuses(claims.all(), run):
        if status.claim_id in partial or status.status in (verdicts.NOT_RUN, "NOT CHECKABLE"):
            continue
        checked += 1
        if not status.established:
            name = status.claim_id + (f" [{status.reading}]" if status.reading else "")
            problems.append(f"{name}: registered {status.expected}; {status.reason}")
    assert not problems, f"{len(problems)} verdict(s) not established:\n" + "\n".join(problems)
