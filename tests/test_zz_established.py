"""The run's own verdict check: every claim whose tests all ran in this session has the evidence its
registered verdict needs (see :mod:`advgeom.reports.verdicts`).

It runs after every other test (the ``advgeom_final`` marker). Evidence against a registered
verdict (a counterexample for a claim registered true, a registered decision that gives another
verdict) fails the test suite, not only the report. A claim whose tests pass but lack a kind of
evidence its verdict needs is reported (a warning here, NOT ESTABLISHED with the missing kind in the
report and in ``python -m advgeom.reports.verdicts``): its evidence is incomplete, not wrong. Claims
some of whose tests did not run in this session are left to the report, which shows them as NOT
ESTABLISHED or NOT RUN.
"""

from __future__ import annotations

import warnings

import pytest
from advgeom.reports import pytest_plugin, verdicts
from advgeom.theory import claims


@pytest.mark.advgeom_final
def test_no_fully_run_claim_is_contradicted_by_its_evidence(request):
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
    if incomplete:
        warnings.warn(f"{len(incomplete)} verdict(s) lack a kind of evidence they need:\n"
                      + "\n".join(incomplete), stacklevel=1)
    wrong = [p for p in problems if " needs " not in p]
    assert not wrong, f"{len(wrong)} verdict(s) contradicted by evidence:\n" + "\n".join(wrong)
