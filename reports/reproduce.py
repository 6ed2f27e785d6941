"""``advgeom reproduce``: the papers' experiments as resumable sweeps, each run a ledger run of its own.

::

    advgeom reproduce [EXPERIMENT ...] [--scale ci|paper] [--scheduler ADDRESS] [--workers N]
                      [--set KEY=VALUE ...] [--list] [--ledger PATH] [--no-ledger] [--no-progress]

Each experiment (:data:`EXPERIMENTS`: those of :mod:`advgeom.numerics.reproduce_spheres`,
:mod:`advgeom.numerics.reproduce_tilting` and :mod:`advgeom.numerics.reproduce_intriguing`) is a
sweep of independent tasks (configuration x seed) computed by :func:`advgeom.numerics.sweeps.run_sweep`: on a
``LocalCluster`` of ``--workers`` processes (default: one per core), on an existing dask scheduler
with ``--scheduler``, or in this process with ``--workers 1``. Finished tasks are stored in the
experiment cache, so an interrupted reproduction resumes. The analysis turns the results into the
evidence rows of the suite (registered decisions, tables, checks) and appends one ledger run, with
its scale and provenance (configuration, overrides, executor, wall and task times).

``--set KEY=VALUE`` replaces an entry of the scale's configuration (for instance
``--set steps=2000`` to time the paper's widths with a shorter training); such a run is recorded
with scale ``custom`` and its overrides.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
import types
from dataclasses import fields
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from advgeom.numerics import (
    reproduce_intriguing,
    reproduce_spectrum,
    reproduce_spheres,
    reproduce_tilting,
    sweeps,
)
from advgeom.numerics.reproduce_spheres import Finding
from advgeom.reports import ledger, verdicts
from rich.console import Console
from rich.table import Table

__all__ = ["emit", "main", "run_experiment"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
#: Every registered reproduction, by name.
EXPERIMENTS = {**reproduce_spheres.EXPERIMENTS, **reproduce_tilting.EXPERIMENTS,
               **reproduce_intriguing.EXPERIMENTS, **reproduce_spectrum.EXPERIMENTS}
SCALES = ("ci", "paper")
_PACKAGES = ("advgeom", "numpy", "scipy", "dask", "distributed", "threadpoolctl", "rich")


class UsageError(Exception):
    """A user mistake: one line on standard error, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="advgeom reproduce",
                description="Run the papers' experiments as sweeps on dask.distributed.")
    p.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                   help=f"experiments to run (default: all): {', '.join(EXPERIMENTS)}")
    p.add_argument("--scale", choices=SCALES, default="ci", help="configuration scale (default ci)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="address of a running dask scheduler")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="LocalCluster workers (default: one per core); 1 runs in this process")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a configuration entry (recorded; the run's scale is 'custom')")
    p.add_argument("--list", action="store_true", help="list the experiments and exit")
    p.add_argument("--ledger", help="SQLite ledger (default: $ADVGEOM_LEDGER or "
                   "reports/ledger.sqlite)")
    p.add_argument("--no-ledger", action="store_true", help="do not write a ledger run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _parse_overrides(items: list[str]) -> dict:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"advgeom reproduce: --set {item!r} must be KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            raise UsageError(f"advgeom reproduce: --set {item!r}: VALUE must be a JSON number, "
                             f"string or list") from None
        if isinstance(out[key], list):
            out[key] = tuple(out[key])
    return out


def _hours(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def cmd_list() -> int:
    table = Table(title="advgeom reproduce: experiments (cost: compute time on one core)")
    for col in ("experiment", "paper", "claims", "tasks ci", "cost ci", "tasks paper",
                "cost paper"):
        table.add_column(col, overflow="fold")
    for e in EXPERIMENTS.values():
        table.add_row(e.name, e.paper, ", ".join(e.claims), str(len(e.sweep("ci").tasks)),
                      _hours(e.cost("ci")), str(len(e.sweep("paper").tasks)),
                      _hours(e.cost("paper")))
    console.print(table)
    for e in EXPERIMENTS.values():
        console.print(f"[bold]{e.name}[/bold]: {e.description}")
    return 0


# --------------------------------------------------------------------------- evidence rows


def emit(evidence: Any, finding: Finding, *, strict: bool = False) -> bool | None:
    """Record one finding through an ``evidence`` object (the pytest fixture, or the recorder of a
    reproduction run). With ``strict`` a check asserts (as ``evidence.check``). Returns whether the
    row passed (``None`` for a table)."""
    d = finding.data
    if finding.kind == "table":
        evidence.table(finding.name, d["header"], d["rows"])
        return None
    if finding.kind == "decision":
        if hasattr(evidence, "decision"):
            evidence.decision(finding.name, d["decision"])
        else:  # an evidence object without decision rows: keep the numbers as a record
            dec = d["decision"]
            evidence.record(f"{finding.name}: {dec.outcome}", dec.effect, interval=dec.ci,
                            note=json.dumps(dec.as_dict(), default=str))
        return True
    if finding.kind == "check":
        criteria = {k: d[k] for k in ("reference", "rtol", "atol", "interval", "upper", "lower")
                    if k in d}
        extra = {k: d[k] for k in ("method", "level") if k in d}
        method = evidence.check if strict else evidence.record
        try:
            return method(finding.name, d["value"], **criteria, **extra)
        except TypeError:  # an evidence API without method=/level= keywords
            note = "; ".join(f"{k}: {v}" for k, v in extra.items())
            if strict:
                return evidence.check(finding.name, d["value"], **criteria, note=note)
            return evidence.record(finding.name, d["value"], **criteria, note=note)
    raise ValueError(f"finding kind {finding.kind!r} is not one of table, decision, check")


def _recorder():
    """An ``Evidence`` recorder outside pytest: the plugin's own class on a stand-in test item."""
    from advgeom.reports.pytest_plugin import _EVIDENCE_KEY, Evidence

    node = types.SimpleNamespace(user_properties=[])
    return Evidence(node), lambda: [item for key, item in node.user_properties if key == _EVIDENCE_KEY]


def _git(*args: str) -> str:
    root = ledger.project_root() or Path.cwd()
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _provenance(argv: list[str]) -> dict:
    versions = {}
    for name in _PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return {
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "python": sys.version.split()[0], "platform": platform.platform(),
        "machine": platform.machine(), "hostname": platform.node(), "cpus": os.cpu_count(),
        "packages": versions, "argv": ["advgeom", "reproduce", *argv],
        "seeds": "numpy SeedSequence per task from SHA-256 of the sweep name and task parameters",
        "kind": "reproduction",
    }


def run_experiment(name: str, scale: str, *, client: Any = None, overrides: dict | None = None,
                   progress: bool = True) -> tuple[list[Finding], sweeps.SweepResult]:
    """Run one experiment's sweep (resuming from the store) and analyse it."""
    exp = EXPERIMENTS[name]
    try:
        sweep = exp.sweep(scale, overrides)
    except ValueError as exc:
        raise UsageError(f"advgeom reproduce: {name}: {exc}") from None
    result = sweeps.run_sweep(sweep, client=client, progress=progress)
    return exp.analyse(result.results, scale), result


@contextlib.contextmanager
def _client(args) -> Any:
    if args.scheduler:
        from distributed import Client

        client = Client(args.scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if workers == 1:
        yield None
        return
    with sweeps.local_client(workers) as client:
        yield client


def _ledger_run(argv, args, scale, overrides, started, t0, per_exp) -> ledger.RunRecord:
    from advgeom.theory import claims as registry

    tests = []
    prov = _provenance(argv)
    prov.update({"scale": scale, "overrides": overrides, "scheduler": args.scheduler,
                 "workers": args.workers, "experiments": {}})
    for name, (findings, result) in per_exp.items():
        exp = EXPERIMENTS[name]
        prov["experiments"][name] = {
            "tasks": len(result.params), "cached": result.cached, "computed": result.computed,
            "wall_seconds": result.wall, "task_seconds": result.task_seconds,
            "workers": result.workers, "configuration": exp.configuration.get(scale),
        }
        for cid in exp.claims:
            # one test for the claim, and one per reading a finding names (``data["reading"]``)
            readings = sorted({f.data.get("reading", "") for f in findings if f.claim == cid})
            for reading in ["", *[r for r in readings if r]]:
                evidence, items = _recorder()
                ok = True
                for f in findings:
                    if f.claim == cid and f.data.get("reading", "") == reading:
                        ok = emit(evidence, f) is not False and ok
                failed = [row.get("name", "") for row in items() if row.get("passed") is False]
                tests.append(ledger.TestRecord(
                    nodeid=f"reproduce::{name}::{cid}" + (f"::{reading}" if reading else ""),
                    outcome="passed" if ok else "failed", duration=result.wall,
                    message="" if ok else f"check failed: {'; '.join(failed) or 'a recorded check'}",
                    claims=[(cid, reading)],
                    evidence=items()))
    kwargs = {}
    if "scale" in {f.name for f in fields(ledger.RunRecord)}:
        kwargs["scale"] = scale
    run = ledger.RunRecord(
        id=None, started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"), duration=time.perf_counter() - t0,
        exitstatus=0 if all(t.outcome == "passed" for t in tests) else 1, complete=False,
        provenance=prov, tests=tests, **kwargs)
    run.claim_results = [
        {"claim_id": s.claim_id, "reading": s.reading, "expected": s.expected, "status": s.status,
         "n_tests": s.n_tests, "n_passed": s.n_passed}
        for s in verdicts.run_statuses(registry.registry().all(), run)
        if s.status != verdicts.NOT_RUN
    ]
    return run


def _summary(per_exp: dict) -> None:
    from advgeom.theory import claims as registry

    table = Table(title="reproduction: registered decisions")
    for col in ("claim", "statistic", "effect", "interval", "n", "rule gives", "registry"):
        table.add_column(col, overflow="fold")
    for findings, _ in per_exp.values():
        for f in findings:
            if f.kind == "decision":
                d = f.data["decision"]
                c, reading = registry.get(f.claim), f.data.get("reading", "")
                table.add_row(f.claim + (f" [{reading}]" if reading else ""), f.name,
                              f"{d.effect:.4f}", f"[{d.ci[0]:.4f}, {d.ci[1]:.4f}]", str(d.n),
                              d.outcome, c.reading(reading).verdict if reading else c.verdict)
    console.print(table)
    for name, (_, r) in per_exp.items():
        console.print(f"{name}: {len(r.params)} tasks ({r.cached} stored, {r.computed} computed), "
                      f"wall {r.wall:.1f} s, task time {r.task_seconds:.1f} s, "
                      f"{r.workers} worker(s)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``advgeom reproduce`` (``argv``: the arguments after ``reproduce``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        if args.list:
            return cmd_list()
        unknown = [e for e in args.experiments if e not in EXPERIMENTS]
        if unknown:
            raise UsageError(f"advgeom reproduce: unknown experiment(s) {', '.join(unknown)}; "
                             f"known: {', '.join(EXPERIMENTS)}")
        if args.workers is not None and args.workers < 1:
            raise UsageError(f"advgeom reproduce: --workers {args.workers} must be at least 1")
        overrides = _parse_overrides(args.overrides)
        scale = args.scale if not overrides else "custom"
        names = args.experiments or list(EXPERIMENTS)
        started, t0 = datetime.now(UTC), time.perf_counter()
        per_exp = {}
        with _client(args) as client:
            for name in names:
                per_exp[name] = run_experiment(name, args.scale, client=client,
                                               overrides=overrides, progress=not args.no_progress)
        _summary(per_exp)
        if not args.no_ledger:
            run = _ledger_run(argv, args, scale, overrides, started, t0, per_exp)
            path = Path(args.ledger) if args.ledger else ledger.default_path()
            run_id = ledger.write_run(path, run)
            console.print(f"advgeom: reproduction run {run_id} ({scale} scale) written to {path}")
        return 0
    except UsageError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("advgeom reproduce: interrupted (finished tasks are stored; rerun to "
                          "resume)")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
