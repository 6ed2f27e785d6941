"""The ``advgeom`` command line.

::

    advgeom verify [PYTEST ARGS]      run the suite with a progress bar; print the verdict table
    advgeom report [-o FILE] [--paper NAME] [--rerun] [--timestamp T] [--run ID]
    advgeom claims [--paper NAME] [--json]
    advgeom show ID                   a claim, its readings, and its status in every recorded run
    advgeom reproduce [ARGS]          the papers' experiments as sweeps (``advgeom reproduce -h``)
    advgeom bench [--json] [--quick]  speed and exactness against baselines

``--ledger PATH`` (before or after the command) or ``$ADVGEOM_LEDGER`` selects the ledger; a
relative path is taken relative to the current folder. Every command that uses the ledger prints
where it is. The suite runs wherever advgeom is: from a source checkout with the checkout's pytest
configuration, from an installed package with the tests shipped inside it (``advgeom.tests``).

Misuse (an unknown claim or paper, a bad option, a missing, corrupt or foreign ledger, an unwritable
path) prints one line on standard error and exits with status 2, before any verification starts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from advgeom.reports import ledger
from rich.console import Console
from rich.table import Table

__all__ = ["main", "pytest_invocation"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

STATUS_STYLE = {
    "PROVED": "bold green", "CONFIRMED": "green", "CORRECTED": "yellow", "REFUTED": "red",
    "UNSUPPORTED": "magenta", "INCONCLUSIVE": "cyan", "NOT CHECKABLE": "dim",
    "NOT ESTABLISHED": "bold red reverse", "NOT RUN": "dim",
}

#: Subpackages whose modules carry doctests, run with the tests (installed package).
_DOCTEST_PACKAGES = ("tests", "theory", "proofs", "numerics", "reports")
#: pytest options of the checkout's configuration, passed explicitly for an installed package.
_INSTALLED_OPTIONS = (
    "-p", "no:cacheprovider", "--doctest-modules",
    "-o", "doctest_optionflags=ELLIPSIS NUMBER NORMALIZE_WHITESPACE", "-o", "xfail_strict=true",
)
#: pytest options that take a value (so that the value is not mistaken for a test path).
_VALUE_OPTIONS = {
    "-k", "-m", "-p", "-o", "-c", "-W", "-r", "-n", "--rootdir", "--maxfail", "--tb", "--durations",
    "--junitxml", "--junit-xml", "--deselect", "--ignore", "--ignore-glob", "--basetemp",
    "--log-level", "--confcutdir", "--import-mode", "--hypothesis-profile", "--hypothesis-seed",
    "--capture", "--color", "--config-file", "--override-ini", "--pyargs", "--dist",
    "--durations-min", "--ledger",
}
_MAX_RUN_ID = 2**63 - 1


class UsageError(Exception):
    """A user mistake: reported in one line, exit status 2."""


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that temporary files are cleaned up on the way out."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _add_ledger(p: argparse.ArgumentParser, default=None) -> None:
    p.add_argument("--ledger", default=default, help="SQLite ledger (default: $ADVGEOM_LEDGER; "
                   "else reports/ledger.sqlite in a checkout, or the per-user data folder for an "
                   "installed package); a relative path is relative to the current folder")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="advgeom", description="Verify the claims of five documents on the "
                     "geometry of adversarial examples.")
    _add_ledger(parser)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    v = sub.add_parser("verify", help="run the verification suite (pytest) and print verdicts",
                       description="Run the test suite; every other argument goes to pytest "
                       "(e.g. -m 'not slow' for the fast subset, -k EXPR).")
    _add_ledger(v, argparse.SUPPRESS)
    v.add_argument("pytest_args", nargs="*", help="arguments passed to pytest")
    r = sub.add_parser("report", help="write the PDF report of the latest complete run (else the "
                       "latest run; with --rerun or an empty ledger, a new run)")
    _add_ledger(r, argparse.SUPPRESS)
    r.add_argument("-o", "--output", help="PDF to write (default: reports/verification.pdf in a "
                   "checkout, verification.pdf in the current folder otherwise)")
    r.add_argument("--paper", help="only this document (spheres, tilting, intriguing, dube, "
                   "spectrum)")
    r.add_argument("--rerun", action="store_true", help="run the verification first")
    r.add_argument("--timestamp", help="date printed in the report, ISO 8601 or UNIX seconds "
                   "(default: now); the same ledger and timestamp give the same bytes")
    r.add_argument("--run", help="ledger run id to report (default: the latest complete run)")
    c = sub.add_parser("claims", help="list registered claims")
    c.add_argument("--paper", help="only this document")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    s = sub.add_parser("show", help="one claim in full, with its history in the ledger")
    _add_ledger(s, argparse.SUPPRESS)
    s.add_argument("id", help="claim id, e.g. HD-1")
    sub.add_parser("reproduce", add_help=False,
                   help="run the papers' experiments as sweeps and store them in the ledger "
                   "(see 'advgeom reproduce --help')")
    b = sub.add_parser("bench", help="measure speed and exactness against baselines")
    b.add_argument("--json", action="store_true", help="machine-readable output")
    b.add_argument("--quick", action="store_true", help="smaller problem sizes")
    return parser


def _split_global(argv: list[str]) -> tuple[list[str], str | None, list[str]]:
    """(the options before the command, the command, the arguments after it)."""
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok == "--ledger":
            i += 2
            continue
        if tok.startswith("-"):
            i += 1
            continue
        return argv[:i], tok, argv[i + 1:]
    return argv, None, []


def _take_ledger(args: list[str]) -> tuple[list[str], str | None]:
    """Remove ``--ledger X`` / ``--ledger=X`` from ``args`` (those after ``--`` excepted)."""
    out, found, i = [], None, 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            out.extend(args[i:])
            break
        if tok == "--ledger":
            if i + 1 >= len(args):
                raise UsageError("advgeom: --ledger needs a path")
            found, i = args[i + 1], i + 2
            continue
        if tok.startswith("--ledger="):
            found, i = tok.split("=", 1)[1], i + 1
            continue
        out.append(tok)
        i += 1
    return out, found


def _ledger_path(value: str | None) -> Path:
    if value is not None and not value.strip():
        raise UsageError("advgeom: --ledger '' names no file")
    return ledger.resolve(value)


def _preflight(path: Path, *, for_writing: bool, command: str) -> None:
    try:
        ledger.preflight(path, for_writing=for_writing)
    except ledger.LedgerError as exc:
        raise UsageError(f"advgeom {command}: {exc}") from None


# --------------------------------------------------------------------------------- verify


def _verdict_table(run: ledger.RunRecord, paper: str | None = None) -> Table:
    from advgeom.reports.verdicts import run_statuses
    from advgeom.theory import claims

    table = Table(title=f"advgeom run {run.id}: verdicts", show_lines=False)
    for col in ("claim", "title", "expected", "this run", "tests"):
        table.add_column(col, overflow="fold")
    for s in run_statuses(claims.all(paper), run):
        if s.reading or (s.status == "NOT RUN" and not run.complete):
            continue
        c = claims.get(s.claim_id)
        table.add_row(c.id, c.title[:60], c.verdict,
                      f"[{STATUS_STYLE.get(s.status, '')}]{s.status}[/]", f"{s.n_passed}/{s.n_tests}")
    return table


def _has_path(args: list[str], bases: list[Path]) -> bool:
    """Whether the pytest arguments name a test path (then the default paths are not added)."""
    prev = ""
    for tok in args:
        if tok == "--":
            return True
        if not tok.startswith("-") and prev not in _VALUE_OPTIONS:
            target = tok.split("::", 1)[0]
            if "::" in tok or any((b / target).exists() for b in bases):
                return True
        prev = tok if tok.startswith("-") and "=" not in tok else ""
    return False


def pytest_invocation(pytest_args: list[str], ledger_path: Path) -> list[str]:
    """The pytest arguments that run the suite where advgeom is, with ``pytest_args`` added.

    From a source checkout: its pyproject.toml (``-c``), its root (``--rootdir``) and, unless
    ``pytest_args`` names tests, its ``testpaths``. From an installed package: the options of the
    checkout's configuration given explicitly, the package folder as rootdir, and the folders of
    ``advgeom.tests`` and of the subpackages with doctests. A test path relative to the package
    (``tests/test_dube.py``) is accepted too."""
    import advgeom

    root = ledger.project_root()
    cwd = Path.cwd()
    if root is not None:
        import tomllib

        config = root / "pyproject.toml"
        with open(config, "rb") as fh:
            ini = tomllib.load(fh).get("tool", {}).get("pytest", {}).get("ini_options", {})
        base = ["--rootdir", str(root), "-c", str(config)]
        defaults = [str(root / p) for p in ini.get("testpaths", ["tests"])]
        pkg = root
    else:
        pkg = Path(advgeom.__file__).resolve().parent
        base = ["--rootdir", str(pkg), "-c", os.devnull, *_INSTALLED_OPTIONS]
        defaults = [str(pkg / p) for p in _DOCTEST_PACKAGES if (pkg / p).is_dir()]
    args, prev = [], ""
    for tok in pytest_args:
        # A path given relative to the package (or checkout) rather than to the current folder.
        if (not tok.startswith("-") and prev not in _VALUE_OPTIONS
                and not (cwd / tok.split("::", 1)[0]).exists()
                and (pkg / tok.split("::", 1)[0]).exists()):
            tok = str(pkg / tok)
        args.append(tok)
        prev = tok if tok.startswith("-") and "=" not in tok else ""
    paths = [] if _has_path(args, [cwd, pkg]) else defaults
    return [*base, *args, *paths, "--ledger", str(ledger_path)]


class _Progress:
    """pytest plugin: a rich progress bar instead of pytest's own terminal output."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("[bold]verifying"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[failed]}"),
                                 console=err_console, transient=False)
        self.task = None
        self.failed = 0
        self.errors: list[str] = []

    def pytest_collection_finish(self, session) -> None:
        self.progress.start()
        self.task = self.progress.add_task("tests", total=len(session.items), failed="")

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.errors.append(f"collection error in {report.nodeid}: "
                               f"{str(report.longrepr).strip().splitlines()[-1]}")

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed:
            self.failed += 1
            crash = getattr(report.longrepr, "reprcrash", None)
            msg = crash.message if crash is not None else str(report.longrepr)
            self.errors.append(f"{report.nodeid} ({report.when}): {msg.splitlines()[0][:300]}")

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1,
                                 failed=f"[red]{self.failed} failed" if self.failed else "")

    def pytest_unconfigure(self, config) -> None:
        self.progress.stop()


def run_verification(pytest_args: list[str], ledger_path: Path,
                     command: str = "verify") -> tuple[int, int | None]:
    """Run pytest with the progress bar; return (exit code, id of the run written, if any).

    The ledger is checked first: a ledger that cannot be appended to stops here, before any test."""
    import pytest

    _preflight(ledger_path, for_writing=True, command=command)
    err_console.print(f"advgeom: ledger {ledger_path}", markup=False, highlight=False)
    args = ["-p", "no:terminal", *pytest_invocation(pytest_args, ledger_path)]
    progress = _Progress()
    before = _latest(ledger_path)
    code = int(pytest.main(args, plugins=[progress]))
    for line in progress.errors[:40]:
        err_console.print(f"[red]FAILED[/] {line}", markup=True)
    after = _latest(ledger_path)
    if code == 5:
        err_console.print("advgeom: no tests were selected")
    return code, after if after != before else None


def _latest(path: Path, *, complete_only: bool = False) -> int | None:
    try:
        return ledger.latest_run_id(path, complete_only=complete_only)
    except ledger.LedgerError:
        return None


def cmd_verify(pytest_args: list[str], ledger_path: Path) -> int:
    code, run_id = run_verification(pytest_args, ledger_path)
    if run_id is not None:
        try:
            run = ledger.load_run(ledger_path, run_id)
        except ledger.LedgerError as exc:
            raise UsageError(f"advgeom verify: {exc}") from None
        console.print(_verdict_table(run))
        counts = {}
        for t in run.tests:
            counts[t.outcome] = counts.get(t.outcome, 0) + 1
        kind = "complete run" if run.complete else "partial run"
        console.print(f"run {run.id} ({kind}): "
                      + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                      + f" in {run.duration:.1f} s; ledger {ledger_path}")
    elif code in (0, 1):
        console.print(f"no run was written to the ledger {ledger_path} (no claim test ran)")
    return code


# --------------------------------------------------------------------------------- report


def _parse_timestamp(text: str | None) -> datetime | None:
    if text is None:
        return None
    bad = UsageError(f"advgeom report: --timestamp {text!r} is not a date from year 1 to 9999 in "
                     "ISO 8601 (2026-12-02T12:00:00Z) or UNIX seconds")
    try:
        if text.strip().lstrip("-").isdigit():
            stamp = datetime.fromtimestamp(int(text), tz=UTC)
        else:
            stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        raise bad from None


def _parse_run(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        run_id = int(text)
    except ValueError:
        raise UsageError(f"advgeom report: --run {text!r} is not a run id (a whole number)") from None
    if not 1 <= run_id <= _MAX_RUN_ID:
        raise UsageError(f"advgeom report: --run {text} is out of range: run ids go from 1 to "
                         f"{_MAX_RUN_ID}")
    return run_id


def _output_path(value: str | None) -> Path:
    root = ledger.project_root()
    if value is None:
        return (root / "reports" / "verification.pdf") if root else Path.cwd() / "verification.pdf"
    if not value.strip():
        raise UsageError("advgeom report: -o '' names no file; give a path ending in .pdf")
    output = Path(value).expanduser()
    output = output if output.is_absolute() else Path.cwd() / output
    if output.is_dir():
        raise UsageError(f"advgeom report: -o {value!r} is a directory; give a file ending in .pdf")
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"advgeom report: -o {value!r} must end in .pdf")
    if not output.parent.is_dir():
        raise UsageError(f"advgeom report: cannot write {value!r}: folder "
                         f"{str(output.parent)!r} does not exist")
    if not os.access(output.parent, os.W_OK | os.X_OK):
        raise UsageError(f"advgeom report: cannot write {value!r}: folder "
                         f"{str(output.parent)!r} is not writable")
    if output.exists() and not output.is_file():
        raise UsageError(f"advgeom report: -o {value!r} exists and is not a regular file")
    return output


def cmd_report(args, ledger_path: Path) -> int:
    from advgeom.reports.report import ReportError, reproductions, write_report
    from advgeom.theory import claims

    if args.paper is not None and args.paper not in claims.papers():
        raise UsageError(f"advgeom report: --paper {args.paper!r} is not one of "
                         f"{', '.join(claims.papers())}")
    stamp = _parse_timestamp(args.timestamp)
    run_id = _parse_run(args.run)
    output = _output_path(args.output)
    code = 0
    if args.rerun or (run_id is None and not ledger_path.exists()):
        code, run_id = run_verification([], ledger_path, command="report")
        if run_id is None:
            raise UsageError("advgeom report: the verification run recorded nothing")
    else:
        _preflight(ledger_path, for_writing=False, command="report")
        if run_id is None:
            run_id = _latest(ledger_path, complete_only=True) or _latest(ledger_path)
            if run_id is None:
                raise UsageError(f"advgeom report: the ledger {str(ledger_path)!r} holds no run; "
                                 "run 'advgeom verify' or 'advgeom report --rerun'")
    try:
        run = ledger.load_run(ledger_path, run_id)
    except ledger.LedgerError as exc:
        raise UsageError(f"advgeom report: {exc}") from None
    try:
        repro = reproductions(ledger_path, scale="paper")
    except ledger.LedgerError as exc:
        raise UsageError(f"advgeom report: {exc}") from None
    try:
        written = write_report(run, output, timestamp=stamp, paper=args.paper, reproductions=repro)
    except ReportError as exc:
        raise UsageError(f"advgeom report: {exc}") from None
    except OSError as exc:
        raise UsageError(f"advgeom report: cannot write {str(output)!r}: "
                         f"{exc.strerror or exc}") from None
    failed = sum(1 for t in run.tests if t.outcome == "failed")
    partial = "" if run.complete else "; a partial run: claims it did not exercise show NOT RUN"
    console.print(f"wrote {written} (run {run.id}, {len(run.tests)} tests, {failed} failed{partial});"
                  f" ledger {ledger_path}", markup=False)
    return 1 if (code not in (0, None) or failed) else 0


# --------------------------------------------------------------------------------- claims, show


def cmd_claims(args) -> int:
    from dataclasses import asdict

    from advgeom.theory import claims

    try:
        items = claims.all(args.paper)
    except KeyError as exc:
        raise UsageError(f"advgeom claims: {exc.args[0]}") from None
    if args.json:
        print(json.dumps([asdict(c) for c in items], indent=2, ensure_ascii=False))
        return 0
    table = Table(title="registered claims")
    for col in ("claim", "paper", "expected", "title"):
        table.add_column(col, overflow="fold")
    for c in items:
        table.add_row(c.id, c.paper, c.verdict, c.title)
    console.print(table)
    return 0


def cmd_show(args, ledger_path: Path) -> int:
    from advgeom.theory import claims

    try:
        claim = claims.get(args.id)
    except KeyError:
        raise UsageError(f"advgeom show: unknown claim id {args.id!r} (see 'advgeom claims')") from None
    if ledger_path.exists():
        _preflight(ledger_path, for_writing=False, command="show")
    console.print(repr(claim), markup=False)
    if claim.notes:
        console.print(f"  notes:     {claim.notes}", markup=False)
    if not ledger_path.exists():
        console.print(f"\nno ledger at {ledger_path}: run 'advgeom verify' to establish the verdict",
                      markup=False)
        return 0
    try:
        history = ledger.claim_history(ledger_path, claim.id)
        run = ledger.load_run(ledger_path, history[-1]["run"]) if history else None
    except ledger.LedgerError as exc:
        raise UsageError(f"advgeom show: {exc}") from None
    console.print(f"\nledger {ledger_path}", markup=False)
    if run is None:
        console.print("the ledger has no run that exercised this claim")
        return 0
    table = Table(title=f"{claim.id} in the ledger")
    for col in ("run", "started", "reading", "status", "tests passed"):
        table.add_column(col)
    for h in history:
        table.add_row(str(h["run"]), h["started"], h["reading"] or "(claim)",
                      f"[{STATUS_STYLE.get(h['status'], '')}]{h['status']}[/]",
                      f"{h['n_passed']}/{h['n_tests']}")
    console.print(table)
    for t in run.tests_for(claim.id):
        console.print(f"[bold]{t.outcome}[/] {t.nodeid} ({t.duration:.2f} s)")
        for e in t.evidence:
            if "name" in e and isinstance(e.get("value"), dict) and "text" in e["value"]:
                mark = {True: "[green]pass[/]", False: "[red]FAIL[/]", None: "[dim]info[/]"}[
                    e.get("passed")]
                ref = e.get("reference") or {}
                how = f" [{e['kind']}" + (f": {e['method']}" if e.get("method") else "") + "]"
                console.print(f"   {mark} {e['name']}: {e['value']['text']}"
                              + (f" (reference {ref.get('text')})" if ref else ""), markup=True,
                              end="")
                console.print(how, markup=False)
    return 0


def cmd_reproduce(argv: list[str], ledger_value: str | None) -> int:
    try:
        from advgeom.reports import reproduce
    except ImportError as exc:
        raise UsageError(f"advgeom reproduce: not available in this installation ({exc})") from None
    if ledger_value is not None:
        argv = ["--ledger", str(_ledger_path(ledger_value)), *argv]
    return int(reproduce.main(argv) or 0)


def cmd_bench(args) -> int:
    try:
        from advgeom.numerics import bench
    except ImportError as exc:  # pragma: no cover - present in a full checkout
        raise UsageError(f"advgeom bench: unavailable ({exc})") from None
    return bench.main(json_output=args.json, quick=args.quick)


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def _dispatch(argv: list[str]) -> int:
    before, command, rest = _split_global(argv)
    if command in ("verify", "reproduce") and not any(t in ("-h", "--help") for t in before):
        globals_, value = _take_ledger(before)
        if globals_:
            raise UsageError(f"advgeom: unrecognized arguments: {' '.join(globals_)} "
                             "(see 'advgeom --help')")
        if command == "reproduce":
            return cmd_reproduce(rest, value)
        if rest in (["-h"], ["--help"]):
            _build_parser().parse_args(["verify", "--help"])
            return 0
        pytest_args, after = _take_ledger(rest)
        return cmd_verify(pytest_args, _ledger_path(after if after is not None else value))
    args = _build_parser().parse_args(argv)
    if args.command == "claims":
        return cmd_claims(args)
    if args.command == "bench":
        return cmd_bench(args)
    ledger_path = _ledger_path(args.ledger)
    if args.command == "report":
        return cmd_report(args, ledger_path)
    if args.command == "show":
        return cmd_show(args, ledger_path)
    raise UsageError(f"advgeom: unknown command {args.command!r}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``advgeom`` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave the signal alone
        pass
    try:
        return _dispatch(argv)
    except UsageError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    except _Terminated:
        err_console.print("advgeom: terminated")
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        err_console.print("advgeom: interrupted")
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
