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

import ast
import io
import math
import os
import platform
import sqlite3
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


_RELATIONS = ("<=", "<", ">=", ">", "=")


def _violation_margin(value, bound, relation: str):
    """How far ``value relation bound`` fails (positive when it fails), at 60 digits."""
    import mpmath

    with mpmath.workdps(60):
        v, b = _mp(value), _mp(bound)
        if relation in ("<=", "<"):
            return v - b
        if relation in (">=", ">"):
            return b - v
        return abs(v - b)


class Evidence:
    """What one test measured, for the ledger and the PDF. Obtained through the ``evidence`` fixture.

    Every method appends a row to the test's record, in call order, with its evidence kind:

    ``check(..., method=...)``
        a ``reference`` row: the value meets its criterion against an independent method, named;
    ``check(..., interval=(lo, hi), level=...)``, ``check_estimate(est, ...)``
        an ``interval`` row at a stated confidence level;
    ``counterexample(description, value=, bound=, relation=, tolerance=)``
        a ``counterexample`` row: the claimed relation fails by more than the tolerance;
    ``derivation(deriv)``
        a ``derivation`` row: premises, chained steps, conclusion and mutation check;
    ``decision(name, decision)``
        a ``decision`` row: what a registered rule derived from the data;
    ``record(...)``, or ``check(...)`` with neither ``method`` nor ``level``
        a ``record`` row: informational; it establishes nothing (a failed criterion still counts
        against the claim).

    ``check``, ``check_estimate``, ``counterexample`` and ``derivation`` also assert, so a failed
    criterion fails the test with a message naming the check.
    """

    def __init__(self, node: pytest.Item):
        self._node = node

    def _add(self, item: dict) -> None:
        self._node.user_properties.append((_EVIDENCE_KEY, item))

    def record(self, name: str, value: Any, *, reference=None, rtol=None, atol=None,
               interval=None, upper=None, lower=None, passed=None, note: str = "",
               method: str | None = None, level: float | None = None) -> bool | None:
        """Record a value with its criterion: a reference with ``rtol``/``atol``, an ``interval``
        that must contain the reference (or the value), an ``upper``/``lower`` bound, or an explicit
        ``passed``. Returns whether it passed (``None`` for a purely informational row).

        The row's kind is ``interval`` when an ``interval`` and its confidence ``level`` are given,
        ``reference`` when ``method`` names the independent method behind the comparison, and
        ``record`` otherwise."""
        if method is not None and (not isinstance(method, str) or not method.strip()):
            raise ValueError(f"evidence for {name!r}: method = {method!r} must name the method")
        if level is not None and not (isinstance(level, float | int) and 0 < level < 1):
            raise ValueError(f"evidence for {name!r}: level = {level!r} must be in (0, 1)")
        ok, details = judge(value, reference=reference, rtol=rtol, atol=atol, interval=interval,
                            upper=upper, lower=lower, passed=passed)
        if interval is not None and level is not None:
            kind = "interval"
        elif method is not None and ok is not None and passed is None:
            kind = "reference"
        else:
            kind = "record"
        self._add({
            "kind": kind, "form": "value", "name": name, "value": encode_value(value),
            "reference": None if reference is None else encode_value(reference),
            "rtol": rtol, "atol": atol,
            "interval": None if interval is None else [encode_value(x) for x in interval],
            "upper": None if upper is None else encode_value(upper),
            "lower": None if lower is None else encode_value(lower),
            "method": method, "level": None if level is None else float(level),
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
                 note: str = "", method: str | None = None) -> bool | None:
        """Record a Monte Carlo estimate with its confidence interval (an ``interval`` row).

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
            "kind": "interval" if ok is not None else "record", "form": "estimate", "name": name,
            "value": encode_value(est.estimate),
            "interval": [encode_value(lo), encode_value(hi)],
            "level": float(est.level), "samples": int(est.samples),
            "method": method or f"Monte Carlo, {int(est.samples)} samples",
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

    def counterexample(self, description: str, *, value: Any = None, bound: Any = None,
                       relation: str | None = None, tolerance: Any = 0, **values: Any) -> None:
        """Record a computed counterexample and assert that it is one.

        The claim says ``value relation bound`` (``relation`` one of ``<=``, ``<``, ``>=``, ``>``,
        ``=``); the counterexample shows that this fails by a margin larger than ``tolerance`` (the
        numerical error of the computation, stated). ``values`` are further numbers shown with it.
        A row without ``value``, ``bound`` and ``relation`` is kept as a record: it establishes
        nothing."""
        row = {"kind": "counterexample", "description": description,
               "values": {k: encode_value(v) for k, v in values.items()}, "passed": None}
        if value is None and bound is None and relation is None:
            row["kind"] = "record"
            self._add(row)
            return
        if relation not in _RELATIONS or value is None or bound is None:
            raise ValueError(f"evidence.counterexample({description!r}) needs value, bound and "
                             f"relation (one of {_RELATIONS}), got relation={relation!r}")
        margin = _violation_margin(value, bound, relation)
        ok = bool(margin > _mp(tolerance))
        row.update({"value": encode_value(value), "bound": encode_value(bound),
                    "relation": relation, "tolerance": encode_value(tolerance),
                    "margin": encode_value(margin), "passed": ok})
        self._add(row)
        assert ok, (f"not a counterexample: {description}: {value!r} {relation} {bound!r} fails "
                    f"only by {margin}, within the tolerance {tolerance!r}")

    def decision(self, name: str, decision: Any) -> None:
        """Record what a registered decision rule derived from the data
        (a :class:`advgeom.numerics.decisions.Decision`).

        Nothing is asserted: the verdict engine compares the outcome with the registry."""
        from advgeom.numerics.decisions import Decision

        if not isinstance(decision, Decision):
            raise ValueError(f"evidence.decision({name!r}): decision must come from "
                             "advgeom.numerics.decisions.decide")
        self._add({"kind": "decision", "name": name, **decision.as_dict(), "passed": None})

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
        """Verify a :class:`advgeom.proofs.core.Derivation` (steps, chain to the conclusion,
        mutation check) and record it; then raise if it failed or is vacuous.

        The steps are recorded (with the failed one marked) before any failure is raised."""
        from advgeom.proofs.core import DerivationError

        verification = deriv.verify()
        self._add({"kind": "derivation", **deriv.as_dict(verification)})
        if not verification.ok:
            raise DerivationError(f"{deriv.claim} '{deriv.title}': "
                                  f"{verification.failure_message()}")


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
        self.deselected_claims: set[str] = set()
        self.claims_seen = False
        self.run_id: int | None = None
        self.interrupted = False
        # claim id -> {(file, test function)} of every test marked with it in the collected files
        self.inventory: dict[str, set[tuple[str, str]]] = {}
        # (file, test function) of each collected item, by node id
        self.functions: dict[str, tuple[str, str]] = {}
        self.narrowed_claims: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "claim(id, reading=None): the test is evidence for claim `id` (or a reading)"
    )
    config.addinivalue_line("markers", "slow: long-running test (still run by CI)")
    import matplotlib

    matplotlib.use("Agg")
    # Fixed ids in SVG output, so the same run gives the same figure bytes.
    matplotlib.rcParams["svg.hashsalt"] = "advgeom"
    config.addinivalue_line(
        "markers", "advgeom_final: runs after every other test (the run's own verdict checks)")
    config._advgeom = _Session(config)  # type: ignore[attr-defined]
    if not config.getoption("--no-ledger") and not hasattr(config, "workerinput"):
        try:
            ledger.preflight(_ledger_path(config), for_writing=True)
        except ledger.LedgerError as exc:
            raise pytest.UsageError(f"advgeom ledger: {exc}") from None


# --------------------------------------------------------------------------- inventory


def _marked_claims(decorators: list[ast.expr]) -> set[str]:
    """Claim ids named by ``pytest.mark.claim("ID", ...)`` decorators (or a list of marks)."""
    found = set()
    for node in decorators:
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "claim" and call.args
                    and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
                found.add(call.args[0].value)
    return found


def claim_inventory(path: Path) -> dict[str, set[tuple[str, str]]]:
    """Every test function of one test module marked with a claim, by claim id, read from the
    source (no import): what a run must have run before it may establish that claim."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    module_marks: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                for t in node.targets):
            module_marks |= _marked_claims([node.value])
    out: dict[str, set[tuple[str, str]]] = {}

    def visit(body, prefix: str, inherited: set[str]) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{prefix}{node.name}::", inherited | _marked_claims(
                    node.decorator_list))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    node.name.startswith("test"):
                for cid in inherited | _marked_claims(node.decorator_list):
                    out.setdefault(cid, set()).add((str(path), prefix + node.name))

    visit(tree.body, "", module_marks)
    return out


def _function_of(item: pytest.Item) -> tuple[str, str]:
    name = getattr(item, "originalname", None) or item.name.split("[")[0]
    cls = getattr(item, "cls", None)
    return str(item.path), (f"{cls.__name__}::" if cls is not None else "") + name


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
    # The run's own verdict checks go last, so that they see every other test's evidence.
    items.sort(key=lambda it: it.get_closest_marker("advgeom_final") is not None)
    state: _Session | None = getattr(config, "_advgeom", None)
    if state is None:
        return
    files = {Path(str(it.path)) for it in items if _claim_markers(it)}
    for folder in {f.parent for f in files}:
        for module in sorted(folder.glob("test_*.py")):
            for cid, funcs in claim_inventory(module).items():
                state.inventory.setdefault(cid, set()).update(funcs)
    picked = [a for a in config.invocation_params.args if "::" in a and "[" in a]
    for item in items:
        state.functions[item.nodeid] = _function_of(item)
        if picked and any(item.nodeid.endswith(a.split("::", 1)[1]) for a in picked):
            # one parametrization picked by node id: its siblings were never collected
            state.narrowed_claims |= {c for c, _ in _claim_markers(item)}


def pytest_deselected(items: list[pytest.Item]) -> None:
    # A run with deselected tests is not a complete verification, and no claim with a deselected
    # test is established by it.
    if items:
        config = items[0].config
        state = getattr(config, "_advgeom", None)
        if state is not None:
            state.deselected += len(items)
            for item in items:
                state.deselected_claims |= {c for c, _ in _claim_markers(item)}


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
            # "interrupted" until the call phase reports: a test stopped by Ctrl-C never passed.
            rec = self.state.tests[report.nodeid] = ledger.TestRecord(report.nodeid, "interrupted",
                                                                      0.0)
        rec.duration += report.duration
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.failed:
                rec.outcome, rec.message = "failed", _short_message(report)
            elif report.skipped:
                rec.outcome = "skipped"
                rec.message = _short_message(report)
            else:
                rec.outcome = "passed"
        elif report.when == "teardown" and report.failed:
            rec.outcome, rec.message = "failed", _short_message(report)
        if report.when == "setup" and report.passed:
            # Known from setup on, so that a test interrupted during its call still counts
            # against its claims.
            for key, value in report.user_properties:
                if key == _CLAIMS_KEY:
                    rec.claims = [tuple(x) for x in value]
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
    import advgeom

    return {
        "advgeom_version": advgeom.__version__,
        "installed_package": ledger.project_root() is None,
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
    """The ledger of this run; a relative ``--ledger`` or ``$ADVGEOM_LEDGER`` is taken relative to
    the folder pytest was started from."""
    opt = config.getoption("--ledger")
    path = Path(opt) if opt else ledger.default_path()
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


def pytest_keyboard_interrupt(excinfo) -> None:
    # The session is stored as interrupted (never complete) by pytest_sessionfinish below.
    _INTERRUPTED.append(True)


_INTERRUPTED: list[bool] = []


def _partial_claims(state: _Session, tests: list[ledger.TestRecord]) -> dict[str, str]:
    """Claims this run cannot establish because some of their tests did not run, with why."""
    ran: dict[str, set[tuple[str, str]]] = {}
    for t in tests:
        if t.outcome in ("passed", "failed") and t.nodeid in state.functions:
            for cid, _ in t.claims:
                ran.setdefault(cid, set()).add(state.functions[t.nodeid])
    out = {}
    for cid, expected in state.inventory.items():
        got = ran.get(cid, set())
        if got and expected - got:
            out[cid] = f"{len(expected & got)} of its {len(expected)} test functions ran"
    for cid in state.deselected_claims | state.narrowed_claims:
        if cid in ran:
            out.setdefault(cid, "some of its tests were deselected")
    return out


def current_run(config: pytest.Config) -> ledger.RunRecord | None:
    """The run so far (the tests that have finished), as the verdict engine sees it."""
    state: _Session | None = getattr(config, "_advgeom", None)
    if state is None:
        return None
    tests = [t for t in state.tests.values() if t.outcome != "interrupted"]
    return ledger.RunRecord(
        id=None, started=state.started.isoformat(timespec="seconds"), finished="", duration=0.0,
        exitstatus=0, complete=False,
        provenance={"partial_claims": _partial_claims(state, tests)}, tests=tests)


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
    interrupted = bool(_INTERRUPTED) or int(exitstatus) == int(pytest.ExitCode.INTERRUPTED) or any(
        t.outcome == "interrupted" for t in state.tests.values())
    _INTERRUPTED.clear()
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
    partial = _partial_claims(state, run.tests)
    run.provenance["partial_claims"] = partial
    run.provenance["interrupted"] = interrupted
    statuses = verdicts.run_statuses(reg.all(), run)
    exercised = {c for t in run.tests for c, _ in t.claims if t.outcome in ("passed", "failed")}
    needed = {c.id for c in reg.all() if c.needs_tests}
    # Complete: pytest finished on its own (all tests passed, or some failed), nothing was
    # interrupted or deselected, and every test of every claim ran.
    run.complete = (int(exitstatus) in (int(pytest.ExitCode.OK), int(pytest.ExitCode.TESTS_FAILED))
                    and not interrupted and state.deselected == 0 and not partial
                    and needed <= exercised)
    run.claim_results = [
        {"claim_id": s.claim_id, "reading": s.reading, "expected": s.expected, "status": s.status,
         "n_tests": s.n_tests, "n_passed": s.n_passed}
        for s in statuses
    ]
    path = _ledger_path(config)
    try:
        state.run_id = ledger.write_run(path, run)
    except (OSError, sqlite3.Error, ledger.LedgerError) as exc:
        sys.stderr.write(f"advgeom: could not write the ledger at {str(path)!r}: {exc}\n")
        # The evidence is lost: the run must not look like a success, nor like a plain test failure.
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state: _Session | None = getattr(config, "_advgeom", None)
    if state is None or state.run_id is None:
        return
    terminalreporter.write_line(
        f"advgeom: run {state.run_id} written to {_ledger_path(config)}"
    )
