"""The ``advgeom`` command line.

::

    advgeom verify [PYTEST ARGS]      run the suite with a progress bar; print the verdict table
    advgeom report [-o FILE] [--paper NAME] [--rerun] [--timestamp T] [--run ID]
    advgeom claims [--paper NAME] [--json]
    advgeom show ID                   a claim, its readings, and its status in every recorded run
    advgeom bench [--json] [--quick]  speed and exactness against baselines

Misuse (an unknown claim or paper, a bad option, a missing ledger, an unwritable path) prints one
line on standard error and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from advgeom.reports import ledger
from rich.console import Console
from rich.table import Table

__all__ = ["main"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

STATUS_STYLE = {
    "PROVED": "bold green", "CONFIRMED": "green", "CORRECTED": "yellow", "REFUTED": "red",
    "UNSUPPORTED": "magenta", "NOT CHECKABLE": "dim", "NOT ESTABLISHED": "bold red reverse",
    "NOT RUN": "dim",
}


class UsageError(Exception):
    """A user mistake: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="advgeom", description="Verify the claims of five documents on the "
                     "geometry of adversarial examples.")
    parser.add_argument("--ledger", help="SQLite ledger (default: $ADVGEOM_LEDGER or "
                        "reports/ledger.sqlite in the project)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    v = sub.add_parser("verify", help="run the verification suite (pytest) and print verdicts",
                       description="Run the test suite; extra arguments go to pytest.")
    v.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments passed to pytest")
    r = sub.add_parser("report", help="write the PDF report of the latest complete run (else the "
                       "latest run; with --rerun or an empty ledger, a new run)")
    r.add_argument("-o", "--output", help="PDF to write (default: reports/verification.pdf)")
    r.add_argument("--paper", help="only this document (spheres, tilting, intriguing, dube, "
                   "spectrum)")
    r.add_argument("--rerun", action="store_true", help="run the verification first")
    r.add_argument("--timestamp", help="date printed in the report, ISO 8601 or UNIX seconds "
                   "(default: now); the same ledger and timestamp give the same bytes")
    r.add_argument("--run", type=int, help="ledger run id to report (default: the latest)")
    c = sub.add_parser("claims", help="list registered claims")
    c.add_argument("--paper", help="only this document")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    s = sub.add_parser("show", help="one claim in full, with its history in the ledger")
    s.add_argument("id", help="claim id, e.g. HD-1")
    b = sub.add_parser("bench", help="measure speed and exactness against baselines")
    b.add_argument("--json", action="store_true", help="machine-readable output")
    b.add_argument("--quick", action="store_true", help="smaller problem sizes")
    return parser


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


def _project_dir() -> Path:
    here = Path.cwd()
    if (here / "tests").is_dir() and (here / "pyproject.toml").is_file():
        return here
    root = ledger.project_root()
    if root is None:
        raise UsageError("advgeom verify: the test suite is not here; run it from the advgeom "
                         "checkout (the folder with pyproject.toml and tests/)")
    return root


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


def run_verification(pytest_args: list[str], ledger_path: Path | None) -> tuple[int, int | None]:
    """Run pytest with the progress bar; return (exit code, id of the run written)."""
    import pytest

    os.chdir(_project_dir())
    args = ["-p", "no:terminal", *pytest_args]
    if ledger_path is not None:
        args += ["--ledger", str(ledger_path)]
    progress = _Progress()
    path = ledger_path or ledger.default_path()
    before = _latest(path)
    code = int(pytest.main(args, plugins=[progress]))
    for line in progress.errors[:40]:
        err_console.print(f"[red]FAILED[/] {line}", markup=True)
    after = _latest(path)
    if code == 5:
        err_console.print("advgeom: no tests were selected")
    return code, after if after != before else None


def _latest(path: Path) -> int | None:
    try:
        return ledger.latest_run_id(path)
    except ledger.LedgerError:
        return None


def cmd_verify(args, ledger_path: Path | None) -> int:
    code, run_id = run_verification(args.pytest_args, ledger_path)
    if run_id is not None:
        run = ledger.load_run(ledger_path or ledger.default_path(), run_id)
        console.print(_verdict_table(run))
        counts = {}
        for t in run.tests:
            counts[t.outcome] = counts.get(t.outcome, 0) + 1
        console.print(f"run {run.id}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                      + f" in {run.duration:.1f} s; ledger {ledger_path or ledger.default_path()}")
    return code


# --------------------------------------------------------------------------------- report


def _parse_timestamp(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        if text.strip().lstrip("-").isdigit():
            return datetime.fromtimestamp(int(text), tz=UTC)
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"advgeom report: --timestamp {text!r} is not ISO 8601 "
                         "(2026-12-02T12:00:00Z) or UNIX seconds") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def cmd_report(args, ledger_path: Path | None) -> int:
    from advgeom.reports.report import ReportError, write_report
    from advgeom.theory import claims

    if args.paper is not None and args.paper not in claims.papers():
        raise UsageError(f"advgeom report: --paper {args.paper!r} is not one of "
                         f"{', '.join(claims.papers())}")
    stamp = _parse_timestamp(args.timestamp)
    path = ledger_path or ledger.default_path()
    root = ledger.project_root()
    output = Path(args.output) if args.output else (root or Path.cwd()) / "reports" / "verification.pdf"
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"advgeom report: -o {str(output)!r} must end in .pdf")
    if not output.parent.is_dir() or not os.access(output.parent, os.W_OK):
        raise UsageError(f"advgeom report: cannot write {str(output)!r}: folder "
                         f"{str(output.parent)!r} is missing or not writable")
    run_id = args.run
    code = 0
    if args.rerun or (run_id is None and _latest(path) is None):
        output = output.resolve()
        code, run_id = run_verification([], ledger_path.resolve() if ledger_path else None)
        path = (ledger_path.resolve() if ledger_path else ledger.default_path())
        if run_id is None:
            raise UsageError("advgeom report: the verification run recorded nothing")
    elif run_id is None:
        run_id = _latest_complete(path) or _latest(path)
    try:
        run = ledger.load_run(path, run_id)
    except ledger.LedgerError as exc:
        raise UsageError(f"advgeom report: {exc}") from None
    try:
        written = write_report(run, output, timestamp=stamp, paper=args.paper)
    except ReportError as exc:
        raise UsageError(f"advgeom report: {exc}") from None
    failed = sum(1 for t in run.tests if t.outcome == "failed")
    partial = "" if run.complete else "; a partial run: claims it did not exercise show NOT RUN"
    console.print(f"wrote {written} (run {run.id}, {len(run.tests)} tests, {failed} failed{partial})")
    return 1 if (code not in (0, None) or failed) else 0


def _latest_complete(path: Path) -> int | None:
    try:
        return ledger.latest_run_id(path, complete_only=True)
    except ledger.LedgerError:
        return None


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


def cmd_show(args, ledger_path: Path | None) -> int:
    from advgeom.theory import claims

    try:
        claim = claims.get(args.id)
    except KeyError:
        raise UsageError(f"advgeom show: unknown claim id {args.id!r} (see 'advgeom claims')") from None
    console.print(repr(claim), markup=False)
    if claim.notes:
        console.print(f"  notes:     {claim.notes}", markup=False)
    path = ledger_path or ledger.default_path()
    try:
        history = ledger.claim_history(path, claim.id)
    except ledger.LedgerError:
        console.print(f"\nno ledger at {path}: run 'advgeom verify' to establish the verdict")
        return 0
    if not history:
        console.print("\nthe ledger has no run that exercised this claim")
        return 0
    table = Table(title=f"{claim.id} in the ledger")
    for col in ("run", "started", "reading", "status", "tests passed"):
        table.add_column(col)
    for h in history:
        table.add_row(str(h["run"]), h["started"], h["reading"] or "(claim)",
                      f"[{STATUS_STYLE.get(h['status'], '')}]{h['status']}[/]",
                      f"{h['n_passed']}/{h['n_tests']}")
    console.print(table)
    run = ledger.load_run(path, history[-1]["run"])
    for t in run.tests_for(claim.id):
        console.print(f"[bold]{t.outcome}[/] {t.nodeid} ({t.duration:.2f} s)")
        for e in t.evidence:
            if e["kind"] in ("value", "estimate"):
                mark = {True: "[green]pass[/]", False: "[red]FAIL[/]", None: "[dim]info[/]"}[
                    e.get("passed")]
                ref = e.get("reference") or {}
                console.print(f"   {mark} {e['name']}: {e['value']['text']}"
                              + (f" (reference {ref.get('text')})" if ref else ""))
    return 0


def cmd_bench(args) -> int:
    try:
        from advgeom.numerics import bench
    except ImportError as exc:  # pragma: no cover - present in a full checkout
        raise UsageError(f"advgeom bench: unavailable ({exc})") from None
    return bench.main(json_output=args.json, quick=args.quick)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``advgeom`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = _build_parser().parse_args(argv)
        ledger_path = Path(args.ledger) if args.ledger else None
        if args.command == "verify":
            return cmd_verify(args, ledger_path)
        if args.command == "report":
            return cmd_report(args, ledger_path)
        if args.command == "claims":
            return cmd_claims(args)
        if args.command == "show":
            return cmd_show(args, ledger_path)
        if args.command == "bench":
            return cmd_bench(args)
        raise UsageError(f"advgeom: unknown command {args.command!r}")
    except UsageError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("advgeom: interrupted")
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
