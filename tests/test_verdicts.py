"""The verdict engine, rule by rule: a verdict is established only by passed evidence of its kind.

Each scenario is an inner pytest run (pytester) against a small registry of its own
(``$ADVGEOM_CLAIMS``), so that the rules are tested apart from the papers' claims: what each
verdict needs, what contradicts it, decisions, derivations that are vacuous or not a chain, partial
and interrupted runs.
"""

from __future__ import annotations

import textwrap

import pytest
from advgeom.numerics import decisions  # noqa: F401 - imported before the inner runs (see below)
from advgeom.proofs import core  # noqa: F401
from advgeom.reports import ledger, verdicts
from advgeom.theory import claims

# pytester restores sys.modules after each inner run; a compiled extension first imported inside
# one (scipy.stats through the decisions module) cannot be imported again, so the inner runs' imports
# are imported here first.

REGISTRY = '''
[paper]
key = "toy"
title = "Toy"
authors = "A. Author"
arxiv = "0000.00000"
seed = "none"

[[claims]]
id = "T-P"
title = "proved"
source = "s"
as_stated = "a"
formal = "f"
verdict = "PROVED"

[[claims]]
id = "T-C"
title = "confirmed"
source = "s"
as_stated = "a"
formal = "f"
verdict = "CONFIRMED"

[[claims]]
id = "T-R"
title = "refuted"
source = "s"
as_stated = "a"
formal = "f"
verdict = "REFUTED"

[[claims]]
id = "T-K"
title = "corrected"
source = "s"
as_stated = "a"
formal = "f"
verdict = "CORRECTED"
correction = "c"

[[claims]]
id = "T-U"
title = "unsupported"
source = "s"
as_stated = "a"
formal = "f"
verdict = "UNSUPPORTED"

[[claims]]
id = "T-D"
title = "decided"
source = "s"
as_stated = "a"
formal = "f"
verdict = "CONFIRMED"
[claims.decision]
statistic = "mean difference"
rule = "t interval"
level = 1e-3
min_effect = 0.1
sample = 30
on_positive = "CONFIRMED"
on_negative = "REFUTED"
on_null = "REFUTED"

[[claims]]
id = "T-I"
title = "inconclusive"
source = "s"
as_stated = "a"
formal = "f"
verdict = "INCONCLUSIVE"
[claims.decision]
statistic = "mean difference"
rule = "t interval"
min_effect = 0.1
sample = 30
on_positive = "CONFIRMED"
on_negative = "REFUTED"
on_null = "REFUTED"

[[claims]]
id = "T-M"
title = "with readings"
source = "s"
as_stated = "a"
formal = "f"
verdict = "CORRECTED"
correction = "c"
[[claims.readings]]
id = "M-A"
statement = "as made"
verdict = "REFUTED"
[[claims.readings]]
id = "M-B"
statement = "corrected"
verdict = "CONFIRMED"
'''

HEADER = '''
import pytest
import sympy as sp
from advgeom.numerics.decisions import decide
from advgeom.proofs.core import Conclusion, Derivation, Premise, Step
from advgeom.theory import claims

x, c = sp.symbols("x c", positive=True)

def good_derivation():
    return Derivation("T-P", "bound", premises=[Premise("lower", x >= 2 * c)],
                      steps=[Step(x + c, 3 * c, ">=", "premise", uses=("lower",))],
                      conclusion=Conclusion(x + c, ">=", 3 * c))
'''


@pytest.fixture
def scenario(pytester, tmp_path, monkeypatch):
    """Run an inner test file against the toy registry; return {(claim, reading): status}."""
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "toy.toml").write_text(REGISTRY, encoding="utf-8")
    monkeypatch.setenv("ADVGEOM_CLAIMS", str(folder))
    claims._registry_at.cache_clear()

    def run(body: str, *args: str, subprocess: bool = False):
        pytester.makepyfile(test_inner=HEADER + textwrap.dedent(body))
        path = tmp_path / "ledger.sqlite"
        runner = pytester.runpytest_subprocess if subprocess else pytester.runpytest_inprocess
        result = runner("--ledger", str(path), "-p", "no:cacheprovider", *args)
        stored = ledger.load_run(path)
        return result, stored, {(r["claim_id"], r["reading"]): r["status"]
                                for r in stored.claim_results}

    yield run
    claims._registry_at.cache_clear()


def test_each_verdict_is_established_by_its_kinds(scenario):
    _, run, status = scenario('''
        @pytest.mark.claim("T-P")
        def test_p(evidence):
            evidence.derivation(good_derivation())
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="exact rationals")

        @pytest.mark.claim("T-C")
        def test_c(evidence):
            evidence.check("value", 1.0, interval=(0.9, 1.1), level=1 - 1e-7)

        @pytest.mark.claim("T-R")
        def test_r(evidence):
            evidence.counterexample("2 is not below 1", value=2.0, bound=1.0, relation="<=",
                                    tolerance=1e-12)

        @pytest.mark.claim("T-K")
        def test_k(evidence):
            evidence.counterexample("as stated", value=2.0, bound=1.0, relation="<=")
            evidence.check("corrected", 2.0, upper=2.5, method="quadrature")

        @pytest.mark.claim("T-U")
        def test_u(evidence):
            evidence.check("what the evidence supports", 0.3, upper=0.5, method="Monte Carlo")

        @pytest.mark.claim("T-D")
        def test_d(evidence):
            rule = claims.get("T-D").decision
            evidence.decision("paired", decide(rule, effect=0.5, ci=(0.3, 0.7), n=30))

        @pytest.mark.claim("T-I")
        def test_i(evidence):
            rule = claims.get("T-I").decision
            evidence.decision("paired", decide(rule, effect=0.1, ci=(-0.1, 0.3), n=30))

        @pytest.mark.claim("T-M", reading="M-A")
        def test_ma(evidence):
            evidence.counterexample("as made", value=1.0, bound=0.0, relation="=")

        @pytest.mark.claim("T-M", reading="M-B")
        def test_mb(evidence):
            evidence.check("corrected", 1.0, reference=1.0, atol=1e-12, method="closed form")
    ''')
    assert run.complete  # every test of every claim of the toy registry ran, none failed
    assert status == {("T-P", ""): "PROVED", ("T-C", ""): "CONFIRMED", ("T-R", ""): "REFUTED",
                      ("T-K", ""): "CORRECTED", ("T-U", ""): "UNSUPPORTED",
                      ("T-D", ""): "CONFIRMED", ("T-I", ""): "INCONCLUSIVE",
                      ("T-M", ""): "CORRECTED", ("T-M", "M-A"): "REFUTED",
                      ("T-M", "M-B"): "CONFIRMED"}
    # the README's tables count the same statuses: 8 claims, each under its established verdict
    table = verdicts.markdown_tables(claims.all(), run).splitlines()
    paper_row = next(r for r in table if r.startswith("| toy |"))
    cells = [x.strip() for x in paper_row.strip("|").split("|")]
    assert cells[1:] == ["1", "2", "2", "1", "1", "1", "", "", "", "8"]
    assert any(r.startswith("| T-I | INCONCLUSIVE | established |") for r in table)


def test_passing_tests_without_the_needed_kind_establish_nothing(scenario):
    _, _, status = scenario('''
        @pytest.mark.claim("T-P")
        def test_p_without_reference(evidence):
            evidence.derivation(good_derivation())

        @pytest.mark.claim("T-C")
        def test_c_self_comparison_is_a_record(evidence):
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12)

        @pytest.mark.claim("T-R")
        def test_r_without_counterexample(evidence):
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="closed form")

        @pytest.mark.claim("T-K")
        def test_k_without_correction(evidence):
            evidence.counterexample("as stated", value=2.0, bound=1.0, relation="<=")

        @pytest.mark.claim("T-U")
        def test_u_low_level_interval(evidence):
            evidence.check("value", 1.0, interval=(0.9, 1.1), level=0.95)
    ''')
    for cid in ("T-P", "T-C", "T-R", "T-K", "T-U"):
        assert status[(cid, "")] == "NOT ESTABLISHED", cid


def test_evidence_against_the_registry_never_establishes_it(scenario):
    _, _, status = scenario('''
        @pytest.mark.claim("T-C")
        def test_counterexample_against_confirmed(evidence):
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="closed form")
            evidence.counterexample("fails", value=2.0, bound=1.0, relation="<=")

        @pytest.mark.claim("T-D")
        def test_rule_gives_another_verdict(evidence):
            rule = claims.get("T-D").decision
            evidence.decision("paired", decide(rule, effect=-0.5, ci=(-0.7, -0.3), n=30))

        @pytest.mark.claim("T-I")
        def test_inconclusive_registered_but_data_decide(evidence):
            rule = claims.get("T-I").decision
            evidence.decision("paired", decide(rule, effect=0.5, ci=(0.3, 0.7), n=30))
    ''')
    assert status[("T-C", "")] == "NOT ESTABLISHED"
    assert status[("T-D", "")] == "NOT ESTABLISHED"
    assert status[("T-I", "")] == "NOT ESTABLISHED"


def test_a_counterexample_that_is_not_one_fails_its_test(scenario):
    result, _, status = scenario('''
        @pytest.mark.claim("T-R")
        def test_r(evidence):
            evidence.counterexample("within tolerance", value=1.0 + 1e-13, bound=1.0,
                                    relation="<=", tolerance=1e-12)
    ''')
    result.assert_outcomes(failed=1)
    assert status[("T-R", "")] == "NOT ESTABLISHED"


def test_vacuous_and_unchained_derivations_fail(scenario):
    result, _, status = scenario('''
        @pytest.mark.claim("T-P")
        def test_premise_not_needed(evidence):
            # x + c >= c holds for any positive x: the premise is decoration
            d = Derivation("T-P", "vacuous", premises=[Premise("lower", x >= 2 * c)],
                           steps=[Step(x + c, c, ">=", "x > 0", uses=("lower",))],
                           conclusion=Conclusion(x + c, ">=", c))
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="exact rationals")
            evidence.derivation(d)

        @pytest.mark.claim("T-P")
        def test_not_a_chain(evidence):
            d = Derivation("T-P", "two facts", steps=[Step(x + x, 2 * x, "="),
                                                      Step(c * c, c**2, "=")])
            evidence.derivation(d)

        @pytest.mark.claim("T-P")
        def test_opaque_proof_ignores_its_sides(evidence):
            d = Derivation("T-P", "opaque", steps=[Step(x, x + 1, "=", "trust me",
                                                         proof=lambda: True)])
            evidence.derivation(d)
    ''')
    result.assert_outcomes(failed=3)
    assert status[("T-P", "")] == "NOT ESTABLISHED"


def test_a_partial_run_establishes_only_claims_whose_tests_all_ran(scenario):
    body = '''
        @pytest.mark.claim("T-C")
        def test_c_one(evidence):
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="closed form")

        @pytest.mark.claim("T-C")
        def test_c_two(evidence):
            evidence.check("value", 2.0, reference=2.0, rtol=1e-12, method="closed form")

        @pytest.mark.claim("T-U")
        def test_u(evidence):
            evidence.check("value", 1.0, upper=2.0, method="closed form")
    '''
    _, run, status = scenario(body, "-k", "test_c_one or test_u")
    assert status[("T-C", "")] == "NOT ESTABLISHED"
    assert "partial run" in str(run.provenance["partial_claims"]["T-C"]) or \
        run.provenance["partial_claims"]["T-C"]
    assert status[("T-U", "")] == "UNSUPPORTED"
    assert not run.complete


def test_a_decision_row_records_the_rule_and_the_sample_that_would_decide(scenario):
    _, run, _ = scenario('''
        @pytest.mark.claim("T-I")
        def test_i(evidence):
            rule = claims.get("T-I").decision
            evidence.decision("paired", decide(rule, effect=0.15, ci=(0.05, 0.25), n=30))
    ''')
    row = next(e for t in run.tests for e in t.evidence if e["kind"] == "decision")
    assert row["outcome"] == "INCONCLUSIVE"
    assert row["level"] == 1e-3 and row["min_effect"] == 0.1 and row["n"] == 30
    # the half-width 0.1 must shrink below the gap 0.05 to the threshold: 4x the sample
    assert row["n_to_decide"] == 120


def test_an_interrupted_run_is_never_complete_and_its_test_never_passed(scenario):
    result, run, status = scenario('''
        @pytest.mark.claim("T-C")
        def test_c(evidence):
            evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="closed form")

        @pytest.mark.claim("T-U")
        def test_u_interrupted(evidence):
            evidence.check("value", 1.0, upper=2.0, method="closed form")
            raise KeyboardInterrupt
    ''', subprocess=True)  # in process, the interrupt would stop the outer session too
    assert not run.complete and run.provenance["interrupted"] is True
    outcome = {t.nodeid.split("::")[-1]: t.outcome for t in run.tests}
    assert outcome["test_u_interrupted"] == "interrupted"
    assert status[("T-U", "")] == "NOT ESTABLISHED"
    assert status[("T-C", "")] == "CONFIRMED"


def test_a_failed_ledger_write_makes_the_run_fail(scenario, monkeypatch):
    def refuse(path, run):
        raise ledger.LedgerError("disk full")

    monkeypatch.setattr(ledger, "write_run", refuse)
    with pytest.raises(ledger.LedgerError):  # nothing was stored: load_run finds no ledger
        scenario('''
            @pytest.mark.claim("T-C")
            def test_c(evidence):
                evidence.check("value", 1.0, reference=1.0, rtol=1e-12, method="closed form")
        ''')
