"""The evidence pipeline end to end: marker and fixture -> ledger -> verdicts -> CLI and PDF."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sympy as sp
from advgeom.proofs.core import Derivation, DerivationError, Step, typst_math
from advgeom.reports import cli, ledger
from advgeom.reports.report import ReportError, write_report
from advgeom.reports.verdicts import claim_status
from advgeom.theory import claims

# A scenario run by pytester: one passing, one failing, one skipped (to show that a skipped test
# establishes nothing) and one that records an unasserted failed check.
INNER = '''
import pytest
import mpmath
import matplotlib.pyplot as plt

@pytest.mark.claim("HD-1")
def test_good(evidence):
    evidence.check("pi", mpmath.pi, reference=mpmath.mpf(355) / 113, rtol=1e-6,
                   method="the continued fraction convergent 355/113")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    evidence.figure(fig, "a line")
    evidence.counterexample("nothing to refute", x=1.5)

@pytest.mark.claim("HD-2")
def test_bad(evidence):
    evidence.check("two", 2.0, reference=3.0, rtol=1e-3)

@pytest.mark.claim("HD-3")
def test_skipped_claims_are_not_established(evidence):
    pytest.skip("scenario under test: a skipped test must not establish its claim")

@pytest.mark.claim("HD-4")
def test_recorded_failure_is_not_evidence(evidence):
    evidence.record("unasserted but wrong", 1.0, reference=2.0, rtol=1e-3)
'''


@pytest.fixture
def inner_run(pytester, tmp_path):
    pytester.makepyfile(test_inner=INNER)
    path = tmp_path / "ledger.sqlite"
    result = pytester.runpytest_inprocess("--ledger", str(path), "-p", "no:cacheprovider")
    return result, path


def test_run_is_written_with_evidence_and_verdicts(inner_run):
    result, path = inner_run
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    run = ledger.load_run(path)
    assert run.exitstatus == 1 and not run.complete
    good = next(t for t in run.tests if t.nodeid.endswith("test_good"))
    kinds = [e["kind"] for e in good.evidence]
    assert kinds == ["reference", "figure", "record"]
    assert good.evidence[0]["passed"] is True and good.evidence[1]["svg"].startswith("<?xml")
    statuses = {r["claim_id"]: r["status"] for r in run.claim_results if not r["reading"]}
    # a reference alone does not make PROVED: the derivation is missing, and the report says so
    assert statuses["HD-1"] == "NOT ESTABLISHED"
    assert any("derivation" in m for m in claim_status(claims.get("HD-1"), run).missing)
    assert statuses["HD-2"] == "NOT ESTABLISHED"
    assert statuses["HD-3"] == "NOT RUN"
    assert statuses["HD-4"] == "NOT ESTABLISHED"  # its test passed but recorded a failed check
    assert statuses["HD-5"] == "NOT RUN"
    assert claim_status(claims.get("HD-2"), run).failing == (
        next(t.nodeid for t in run.tests if t.nodeid.endswith("test_bad")),)


def test_unknown_claim_marker_is_a_usage_error(pytester, tmp_path):
    pytester.makepyfile(test_x='''
import pytest
@pytest.mark.claim("NOPE-1")
def test_x(): assert True
''')
    result = pytester.runpytest_inprocess("--ledger", str(tmp_path / "l.sqlite"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown claim 'NOPE-1'" in "\n".join(result.errlines + result.outlines)


def test_report_is_atomic_and_reproducible(inner_run, tmp_path):
    _, path = inner_run
    run = ledger.load_run(path)
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    a = write_report(run, tmp_path / "a.pdf", timestamp=stamp, paper="dube")
    b = write_report(run, tmp_path / "b.pdf", timestamp=stamp, paper="dube")
    assert a.read_bytes()[:5] == b"%PDF-"
    assert a.read_bytes() == b.read_bytes()
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(ReportError, match="does not exist"):
        write_report(run, tmp_path / "missing" / "c.pdf", timestamp=stamp)
    with pytest.raises(ReportError, match="not a registered paper"):
        write_report(run, tmp_path / "c.pdf", timestamp=stamp, paper="nope")


def test_cli_misuse_exits_2_with_one_line(capsys, tmp_path):
    assert cli.main(["show", "NOPE"]) == 2
    assert cli.main(["report", "--paper", "nope"]) == 2
    assert cli.main(["report", "--timestamp", "yesterday"]) == 2
    assert cli.main(["--ledger", str(tmp_path / "none.sqlite"), "report", "--run", "3"]) == 2
    assert cli.main(["frobnicate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5 and all(line.startswith("advgeom") for line in err)


def test_cli_claims_json_and_show(capsys, inner_run):
    _, path = inner_run
    capsys.readouterr()
    assert cli.main(["claims", "--paper", "dube", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"id", "verdict", "formal", "readings"} <= set(data[0])
    assert cli.main(["--ledger", str(path), "show", "HD-2"]) == 0
    out = capsys.readouterr().out
    assert "NOT ESTABLISHED" in out and "HD-2 [PROVED]" in out


def test_failed_derivation_step_is_named():
    x = sp.Symbol("x", positive=True)
    d = Derivation("HD-1", "bad", [Step(x + 1, x, "=", "wrong on purpose")])
    with pytest.raises(DerivationError, match="step 1 does not check"):
        d.check()
    assert Derivation("HD-1", "ok", [Step(x + 1, x, ">", "adding one")]).check()[0].ok


def test_typst_printer_output_compiles():
    """Invariant: printed math for a spread of expressions is valid Typst."""
    import typst

    n, t = sp.symbols("n t", positive=True)
    exprs = [sp.pi ** (n / 2) / sp.gamma(n / 2 + 1), sp.Integral(sp.exp(-t**2), (t, 0, sp.oo)),
             sp.Limit(sp.sqrt(n) * sp.log(n) / n, n, sp.oo), sp.binomial(n, 3) * sp.Abs(t - 1),
             sp.Sum(1 / n**2, (n, 1, sp.oo)), sp.erfc(t) + sp.Rational(-3, 7) * t ** sp.Rational(1, 3),
             sp.Piecewise((t, t > 1), (0, True)), sp.factorial(n) * sp.Symbol("x_1")]
    body = "\n".join(f"$ {typst_math(e)} $" for e in exprs)
    assert typst.compile(body.encode(), format="pdf")[:5] == b"%PDF-"


def _reproduction_run(path, scale: str, started: str, passed: bool) -> int:
    """A stored reproduction run of the quadratic experiment for SPH-9 (one reference row)."""
    row = {"kind": "reference", "name": "outer error rate", "method": "exact chi-square tail",
           "passed": passed, "value": {"text": "1e-8", "num": 1e-8}}
    t = ledger.TestRecord("reproduce::spheres-quadratic::SPH-9", "passed" if passed else "failed",
                          1.0, "" if passed else "check failed: outer error rate", [("SPH-9", "")],
                          [row])
    run = ledger.RunRecord(None, started, started, 1.0, 0 if passed else 1, False,
                           {"scale": scale}, [t], scale=scale)
    return ledger.write_run(path, run)


def test_report_shows_paper_scale_reproduction_beside_the_run(inner_run, tmp_path):
    from advgeom.reports.report import build_source, reproductions

    _, path = inner_run
    main = ledger.load_run(path)
    stamp = datetime(2026, 1, 2, tzinfo=UTC)
    # without a paper-scale run the report says so, with the command that makes one
    def text(found):  # the Typst source without the break hints the report inserts
        return build_source(main, stamp, paper="spheres", reproductions=found)[0].replace("\u200b", "")

    source = text(reproductions(path))
    assert "No paper-scale reproduction in this ledger" in source
    assert "advgeom reproduce spheres-quadratic --scale paper" in source
    # CI-scale runs are not shown as paper-scale outcomes; the newest paper-scale run is
    _reproduction_run(path, "ci", "2026-03-01T00:00:00+00:00", True)
    older = _reproduction_run(path, "paper", "2026-04-01T00:00:00+00:00", True)
    newer = _reproduction_run(path, "paper", "2026-05-01T00:00:00+00:00", False)
    found = reproductions(path)
    assert set(found) == {"SPH-9"} and found["SPH-9"].run_id == newer > older
    assert found["SPH-9"].status.status == "NOT ESTABLISHED"
    source = text(found)
    assert f"Paper-scale reproduction, run {newer} of 2026-05-01 00:00 UTC" in source
    assert "(check failed: outer error rate)" in source  # the failed check is named
    # the configurations of both scales are printed under the claim (n = 500 is the paper's)
    page = source[source.rindex('label("claim-SPH-9")'):source.rindex('label("claim-SPH-10")')]
    assert "n = 500" in page and "n = 100" in page
