"""pytest plugin: the ``claim`` marker, the ``evidence`` fixture, and the ledger writer.

Registered through the ``pytest11`` entry point, so any pytest run in an environment where advgeom
is installed gets it. A test declares the claim it supports and records what it measured::

    @pytest.mark.claim("HD-5")
    def test_cap_tail_below_bound(evidence):
        evidence.check("P(|x1| > 0.1), n = 500", tail, upper=bound)

At the end of a session that ran at least one claim-marked test, the run is appended to the ledger
(``--ledger PATH``, ``$ADVGEOM_LEDGER``, default ``reports/ledger.sqlite``; ``--no-ledger`` turns it
off). Everything travels through ``item.user_properties``, so the plugin also works under
pytest-xdist, where reports reach the controller process by serialization.
"""

from __future__ import annotations

import io
import math
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from advgeom.reports import ledger, verdicts

_CLAIMS_KEY = "advgeom_claims"
_EVIDENCE_KEY = "advgeom_evidence"
_PACKAGES = (
    "advgeom", "numpy", "scipy", "sympy", "mpmath", "matplotlib", "hypothesis", "pytest", "typst",
    "rich", "scikit-learn", "mlxtend", "joblib", "dask", "distributed",
)


# --------------------------------------------------------------------------- values


def encode_value(value: Any) -> dict:
    """A JSON-safe form of a recorded value: its full-precision text and, if numeric, a float."""
    if isinstance(value, bool | str) or value is None:
        return {"text": str(value), "num": None}
    try:
        import mpmath

        if isinstance(value, mpmath.mpf):
            num = float(value)
            # Beyond double range (1e-627 becomes 0.0): keep only the text.
            exact = math.isfinite(num) and (num != 0.0 or value == 0)
            return {"text": mpmath.nstr(value, 25), "num": num if exact else None}
    except ImportError:  # pragma: no cover - mpmath is a dependency
        pass
    if hasattr(value, "item") and getattr(value, "shape", ()) == ():
        value = value.item()
    if isinstance(value, int):
        return {"text": str(value), "num": float(value) if abs(value) < 1e300 else None}
    if isinstance(value, float):
        return {"text": repr(value), "num": value if math.isfinite(value) else None}
    if isinstance(value, complex):
        return {"text": repr(value), "num": None}
    return {"text": str(value), "num": None}


def _mp(value: Any):
    """The value as an mpmath number at the working precision (constants such as pi evaluated)."""
    import mpmath

    if hasattr(value, "item") and getattr(value, "shape", ()) == ():
        value = value.item()
    return +mpmath.mpmathify(value)


def judge(value, *, reference=None, rtol=None, atol=None, interval=None, upper=None, lower=None,
          passed=None) -> tuple[bool | None, dict]:
    """Decide whether a recorded value passes its stated criterion; return (passed, details)."""
    import mpmath

    details: dict = {}
    verdicts_: list[bool] = []
    with mpmath.workdps(60):
        if reference is not None and (rtol is not None or atol is not None):
            v, ref = _mp(value), _mp(reference)
            tol = _mp(atol or 0) + _mp(rtol or 0) * abs(ref)
            err = abs(v - ref)
            verdicts_.append(bool(err <= tol))
            details["abs_err"] = encode_value(err)
            if ref != 0:
                details["rel_err"] = encode_value(err / abs(ref))
        if interval is not None:
            lo, hi = interval
            x = _mp(reference if reference is not None else value)
            verdicts_.append(bool(_mp(lo) <= x <= _mp(hi)))
        if upper is not None:
            verdicts_.append(bool(_mp(value) <= _mp(upper)))
        if lower is not None:
            verdicts_.append(bool(_mp(value) >= _mp(lower)))
    if passed is not None:
        verdicts_.append(bool(passed))
    return (all(verdicts_) if verdicts_ else None), details


# --------------------------------------------------------------------------- fixture


class Evidence:
    """What one test measured, for the ledger and the PDF. Obtained through the ``evidence`` fixture.

    Every method appends to the test's record in call order; ``check`` and ``check_estimate`` also
    assert, so a failed criterion fails the test with a message naming the check.
    """

    def __init__(self, node: pytest.Item):
        self._node = node

    def _add(self, item: dict) -> None:
        self._node.user_properties.append((_EVIDENCE_KEY, item))

    def record(self, name: str, value: Any, *, reference=None, rtol=None, atol=None,
               interval=None, upper=None, lower=None, passed=None, note: str = "") -> bool | None:
        """Record a value with its criterion: a reference with ``rtol``/``atol``, an ``interval``
        that must contain the reference (or the value), an ``upper``/``lower`` bound, or an explicit
        ``passed``. Returns whether it passed (``None`` for a purely informational row)."""
        ok, details = judge(value, reference=reference, rtol=rtol, atol=atol, interval=interval,
                            upper=upper, lower=lower, passed=passed)
        self._add({
            "kind": "value", "name": name, "value": encode_value(value),
            "reference": None if reference is None else encode_value(reference),
            "rtol": rtol, "atol": atol,
            "interval": None if interval is None else [encode_value(x) for x in interval],
            "upper": None if upper is None else encode_value(upper),
            "lower": None if lower is None else encode_value(lower),
            "passed": ok, "note": note, **details,
        })
        return ok

    def check(self, name: str, value: Any, **criteria) -> None:
        """Like :meth:`record`, then assert that the row passed."""
        ok = self.record(name, value, **criteria)
        if ok is None:
            raise ValueError(f"evidence.check({name!r}) was given no criterion to check")
        assert ok, f"check failed: {name}: value {value!r} with criteria " + ", ".join(
            f"{k}={v!r}" for k, v in criteria.items() if k != "note" and v is not None
        )

    def estimate(self, name: str, est: Any, *, reference=None, upper=None, lower=None,
                 note: str = "") -> bool | None:
        """Record a Monte Carlo estimate with its confidence interval.

        Passes when ``reference`` lies inside the interval, or when the whole interval lies below
        ``upper`` / above ``lower``."""
        lo, hi = est.ci_low, est.ci_high
        checks = []
        if reference is not None:
            checks.append(bool(_mp(lo) <= _mp(reference) <= _mp(hi)))
        if upper is not None:
            checks.append(bool(_mp(hi) <= _mp(upper)))
        if lower is not None:
            checks.append(bool(_mp(lo) >= _mp(lower)))
        ok = all(checks) if checks else None
        self._add({
            "kind": "estimate", "name": name, "value": encode_value(est.estimate),
            "interval": [encode_value(lo), encode_value(hi)],
            "level": float(est.level), "samples": int(est.samples),
            "reference": None if reference is None else encode_value(reference),
            "upper": None if upper is None else encode_value(upper),
            "lower": None if lower is None else encode_value(lower),
            "passed": ok, "note": note,
        })
        return ok

    def check_estimate(self, name: str, est: Any, **criteria) -> None:
        """Like :meth:`estimate`, then assert that it passed."""
        ok = self.estimate(name, est, **criteria)
        if ok is None:
            raise ValueError(f"evidence.check_estimate({name!r}) was given no criterion")
        assert ok, (f"check failed: {name}: estimate {est.estimate!r} with interval "
                    f"[{est.ci_low!r}, {est.ci_high!r}] against {criteria!r}")

    def counterexample(self, description: str, **values: Any) -> None:
        """Record a computed counterexample: what it shows, and the numbers that show it."""
        self._add({
            "kind": "counterexample", "description": description,
            "values": {k: encode_value(v) for k, v in values.items()},
        })

    def table(self, title: str, header: list[str], rows: list[list[Any]]) -> None:
        """Record a small table of computed values."""
        self._add({
            "kind": "table", "title": title, "header": [str(h) for h in header],
            "rows": [[encode_value(x)["text"] for x in row] for row in rows],
        })

    def figure(self, fig: Any, caption: str) -> None:
        """Record a matplotlib figure (as SVG) with its caption, then close it."""
        import matplotlib.pyplot as plt

        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
        self._add({"kind": "figure", "caption": caption, "svg": buf.getvalue()})

    def derivation(self, deriv: Any) -> None:
        """Check a :class:`proofs.core.Derivation` step by step and record it.

        The steps are recorded (with the failed one marked) before any failure is raised."""
        from advgeom.proofs.core import DerivationError

        results = deriv.check(raise_on_failure=False)
        self._add({
            "kind": "derivation", "title": deriv.title, "claim": deriv.claim,
            "steps": [r.as_dict() for r in results],
        })
        failed = [r for r in results if not r.ok]
        if failed:
            raise DerivationError(failed[0].failure_message())


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Record values, intervals, counterexamples, tables, derivations and figures for the ledger."""
    return Evidence(request.node)


# --------------------------------------------------------------------------- hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("advgeom")
    group.addoption("--ledger", default=None, help="SQLite ledger to append this run to "
                    "(default: $ADVGEOM_LEDGER or reports/ledger.sqlite)")
    group.addoption("--no-ledger", action="store_true", help="do not write the run to the ledger")


class _Session:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.started = datetime.now(UTC)
        self.t0 = time.perf_counter()
        self.tests: dict[str, ledger.TestRecord] = {}
        self.deselected = 0
        self.claims_seen = False
        self.run_id: int | None = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "claim(id, reading=None): the test is evidence for claim `id` (or a reading)"
    )
    config.addinivalue_line("markers", "slow: long-running test (still run by CI)")
    import matplotlib

    matplotlib.use("Agg")
    # Fixed ids in SVG output, so the same run gives the same figure bytes.
    matplotlib.rcParams["svg.hashsalt"] = "advgeom"
    config._advgeom = _Session(config)  # type: ignore[attr-defined]


def _claim_markers(item: pytest.Item) -> list[tuple[str, str]]:
    out = []
    for m in item.iter_markers(name="claim"):
        if len(m.args) != 1 or not isinstance(m.args[0], str):
            raise pytest.UsageError(f"{item.nodeid}: use @pytest.mark.claim('ID', reading=...)")
        out.append((m.args[0], m.kwargs.get("reading") or ""))
    return out


def pytest_collection_modifyitems(session, config: pytest.Config, items: list[pytest.Item]) -> None:
    from advgeom.theory import claims as registry

    try:
        reg = registry.registry()
    except registry.RegistryError as exc:
        raise pytest.UsageError(f"advgeom claim registry: {exc}") from None
    for item in items:
        marks = _claim_markers(item)
        for cid, reading in marks:
            if cid not in reg.claims:
                raise pytest.UsageError(f"{item.nodeid}: claim marker names unknown claim {cid!r}")
            if reading:
                try:
                    reg.claims[cid].reading(reading)
                except KeyError as exc:
                    raise pytest.UsageError(f"{item.nodeid}: {exc.args[0]}") from None
        if marks:
            item.user_properties.append((_CLAIMS_KEY, marks))


def pytest_deselected(items: list[pytest.Item]) -> None:
    # Only the count matters: a run with deselected tests is not a complete verification.
    if items:
        config = items[0].config
        state = getattr(config, "_advgeom", None)
        if state is not None:
            state.deselected += len(items)


def _short_message(report: pytest.TestReport) -> str:
    if report.passed:
        return ""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)[:2000]
    return str(report.longrepr)[-2000:]


class _Collector:
    """Gathers test reports into TestRecords (a plugin object, so it has the config)."""

    def __init__(self, state: _Session):
        self.state = state

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        rec = self.state.tests.get(report.nodeid)
        if rec is None:
            rec = self.state.tests[report.nodeid] = ledger.TestRecord(report.nodeid, "passed", 0.0)
        rec.duration += report.duration
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.failed:
                rec.outcome, rec.message = "failed", _short_message(report)
            elif report.skipped:
                rec.outcome = "skipped"
                rec.message = _short_message(report)
        elif report.when == "teardown" and report.failed:
            rec.outcome, rec.message = "failed", _short_message(report)
        if report.when == "teardown" or (report.when == "setup" and not report.passed):
            rec.claims, rec.evidence = [], []
            for key, value in report.user_properties:
                if key == _CLAIMS_KEY:
                    rec.claims = [tuple(x) for x in value]
                    self.state.claims_seen = True
                elif key == _EVIDENCE_KEY:
                    rec.evidence.append(value)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    state = getattr(session.config, "_advgeom", None)
    if state is not None:
        session.config.pluginmanager.register(_Collector(state), "advgeom-collector")


def _git(root: Path, *args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def provenance(config: pytest.Config) -> dict:
    """Where and how the run happened: machine, software versions, commit, command line, seeds."""
    root = Path(str(config.rootpath))
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    hyp_profile = ""
    try:
        from hypothesis import settings

        hyp_profile = settings._current_profile or ""
    except (ImportError, AttributeError):
        pass
    return {
        "git_commit": _git(root, "rev-parse", "HEAD"),
        "git_dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "hostname": platform.node(),
        "cpus": os.cpu_count(),
        "packages": versions,
        "argv": list(config.invocation_params.args),
        "ci": bool(os.environ.get("CI")),
        "hypothesis_profile": hyp_profile,
        "seeds": "Monte Carlo streams: numpy SeedSequence from SHA-256 of claim id and label",
    }


def _ledger_path(config: pytest.Config) -> Path:
    opt = config.getoption("--ledger")
    return Path(opt) if opt else ledger.default_path()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state: _Session | None = getattr(config, "_advgeom", None)
    if state is None or not state.claims_seen or config.getoption("--no-ledger"):
        return
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the ledger
        return
    from advgeom.theory import claims as registry

    reg = registry.registry()
    finished = datetime.now(UTC)
    run = ledger.RunRecord(
        id=None,
        started=state.started.isoformat(timespec="seconds"),
        finished=finished.isoformat(timespec="seconds"),
        duration=time.perf_counter() - state.t0,
        exitstatus=int(exitstatus),
        complete=False,
        provenance=provenance(config),
        tests=list(state.tests.values()),
    )
    statuses = verdicts.run_statuses(reg.all(), run)
    exercised = {c for t in run.tests for c, _ in t.claims}
    needed = {c.id for c in reg.all() if c.needs_tests}
    run.complete = state.deselected == 0 and needed <= exercised
    run.claim_results = [
        {"claim_id": s.claim_id, "reading": s.reading, "expected": s.expected, "status": s.status,
         "n_tests": s.n_tests, "n_passed": s.n_passed}
        for s in statuses
    ]
    path = _ledger_path(config)
    try:
        state.run_id = ledger.write_run(path, run)
    except (OSError, ledger.LedgerError) as exc:
        sys.stderr.write(f"advgeom: could not write the ledger at {str(path)!r}: {exc}\n")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state: _Session | None = getattr(config, "_advgeom", None)
    if state is None or state.run_id is None:
        return
    terminalreporter.write_line(
        f"advgeom: run {state.run_id} written to {_ledger_path(config)}"
    )
