"""The evidence ledger: an SQLite file with one row per verification run and its results.

Tables
------
``runs``
    One row per pytest session that ran at least one claim-marked test: start and end time, git
    commit, package versions, machine, command line, exit status, and whether every registered claim
    was exercised (``complete``).
``tests``
    One row per test: node id, outcome (passed / failed / skipped), duration, failure message.
``test_claims``
    Which claim (and reading) each test is evidence for.
``evidence``
    What each test recorded (values, references, tolerances, intervals, counterexamples, tables,
    derivations), as JSON, in recording order.
``figures``
    Each recorded matplotlib figure as SVG text.
``claim_results``
    The verdict each claim (and reading) reached in the run, as computed by :mod:`reports.verdicts`.

History is kept: every run appends; nothing is overwritten. The default location is
``reports/ledger.sqlite`` under the working directory, overridden by ``$ADVGEOM_LEDGER`` or by the
``--ledger`` option of pytest and of the CLI.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_LEDGER",
    "LedgerError",
    "RunRecord",
    "TestRecord",
    "claim_history",
    "connect",
    "default_path",
    "latest_run_id",
    "list_runs",
    "project_root",
    "load_run",
    "write_run",
]

DEFAULT_LEDGER = Path("reports") / "ledger.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    duration REAL NOT NULL,
    exitstatus INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    provenance TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tests (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration REAL NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, nodeid)
);
CREATE TABLE IF NOT EXISTS test_claims (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    reading TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS figures (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    caption TEXT NOT NULL,
    svg TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS claim_results (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    claim_id TEXT NOT NULL,
    reading TEXT NOT NULL,
    expected TEXT NOT NULL,
    status TEXT NOT NULL,
    n_tests INTEGER NOT NULL,
    n_passed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_run ON evidence(run_id, nodeid);
CREATE INDEX IF NOT EXISTS claims_run ON test_claims(run_id, claim_id);
"""


class LedgerError(RuntimeError):
    """The ledger is missing, unreadable, or has no run of the kind asked for."""


@dataclass
class TestRecord:
    """One test's outcome and what it recorded."""

    nodeid: str
    outcome: str
    duration: float
    message: str = ""
    claims: list[tuple[str, str]] = field(default_factory=list)  # (claim_id, reading or "")
    evidence: list[dict] = field(default_factory=list)  # {"kind": ..., ...}; figures carry "svg"


@dataclass
class RunRecord:
    """A verification run as stored in the ledger."""

    id: int | None
    started: str
    finished: str
    duration: float
    exitstatus: int
    complete: bool
    provenance: dict
    tests: list[TestRecord] = field(default_factory=list)
    claim_results: list[dict] = field(default_factory=list)

    def tests_for(self, claim_id: str, reading: str | None = None) -> list[TestRecord]:
        """Tests that are evidence for ``claim_id`` (restricted to one reading if given)."""
        return [
            t
            for t in self.tests
            if any(c == claim_id and (reading is None or r == reading) for c, r in t.claims)
        ]


def project_root() -> Path | None:
    """The source checkout holding this package (an editable install), if there is one."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "tests").is_dir() else None


def default_path() -> Path:
    """``$ADVGEOM_LEDGER`` if set; else ``reports/ledger.sqlite`` in the project checkout (or, for a
    non-editable install, under the working directory)."""
    env = os.environ.get("ADVGEOM_LEDGER")
    if env:
        return Path(env)
    root = project_root()
    return (root / DEFAULT_LEDGER) if root else DEFAULT_LEDGER


def connect(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """Open the ledger; with ``create`` make it (and its folder) if absent, else fail clearly."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise LedgerError(f"no ledger at {str(path)!r}: run `advgeom verify` (or pytest) first")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(path, timeout=60)
        con.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{str(path)!r} is not a readable advgeom ledger: {exc}") from None
    return con


def write_run(path: Path | str, run: RunRecord) -> int:
    """Append a run with its tests, evidence, figures and claim results; return its id."""
    con = connect(path, create=True)
    try:
        with con:
            cur = con.execute(
                "INSERT INTO runs (started, finished, duration, exitstatus, complete, provenance)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (run.started, run.finished, run.duration, run.exitstatus, int(run.complete),
                 json.dumps(run.provenance, sort_keys=True)),
            )
            run_id = int(cur.lastrowid)
            for t in run.tests:
                con.execute(
                    "INSERT INTO tests VALUES (?, ?, ?, ?, ?)",
                    (run_id, t.nodeid, t.outcome, t.duration, t.message),
                )
                con.executemany(
                    "INSERT INTO test_claims VALUES (?, ?, ?, ?)",
                    [(run_id, t.nodeid, c, r) for c, r in t.claims],
                )
                for seq, item in enumerate(t.evidence):
                    if item["kind"] == "figure":
                        con.execute(
                            "INSERT INTO figures VALUES (?, ?, ?, ?, ?)",
                            (run_id, t.nodeid, seq, item.get("caption", ""), item["svg"]),
                        )
                    else:
                        con.execute(
                            "INSERT INTO evidence VALUES (?, ?, ?, ?, ?)",
                            (run_id, t.nodeid, seq, item["kind"], json.dumps(item, sort_keys=True)),
                        )
            con.executemany(
                "INSERT INTO claim_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, r["claim_id"], r["reading"], r["expected"], r["status"],
                     r["n_tests"], r["n_passed"])
                    for r in run.claim_results
                ],
            )
    finally:
        con.close()
    run.id = run_id
    return run_id


def list_runs(path: Path | str) -> list[dict]:
    """Summary rows of every run, oldest first."""
    con = connect(path)
    try:
        rows = con.execute(
            "SELECT id, started, duration, exitstatus, complete, provenance FROM runs ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    return [
        {"id": r[0], "started": r[1], "duration": r[2], "exitstatus": r[3], "complete": bool(r[4]),
         "commit": json.loads(r[5]).get("git_commit", "")}
        for r in rows
    ]


def latest_run_id(path: Path | str, *, complete_only: bool = False) -> int:
    """Id of the newest run (the newest complete one with ``complete_only``)."""
    con = connect(path)
    try:
        sql = "SELECT max(id) FROM runs" + (" WHERE complete = 1" if complete_only else "")
        (run_id,) = con.execute(sql).fetchone()
    finally:
        con.close()
    if run_id is None:
        kind = "complete run" if complete_only else "run"
        raise LedgerError(f"the ledger at {str(path)!r} holds no {kind}")
    return int(run_id)


def load_run(path: Path | str, run_id: int | None = None) -> RunRecord:
    """Load one run (default: the newest) with its tests, evidence and figures, in stored order."""
    if run_id is None:
        run_id = latest_run_id(path)
    con = connect(path)
    try:
        row = con.execute(
            "SELECT id, started, finished, duration, exitstatus, complete, provenance"
            " FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise LedgerError(f"the ledger at {str(path)!r} has no run {run_id}")
        run = RunRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), json.loads(row[6]))
        tests: dict[str, TestRecord] = {}
        for nodeid, outcome, duration, message in con.execute(
            "SELECT nodeid, outcome, duration, message FROM tests WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        ):
            tests[nodeid] = TestRecord(nodeid, outcome, duration, message)
        for nodeid, claim_id, reading in con.execute(
            "SELECT nodeid, claim_id, reading FROM test_claims WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        ):
            tests[nodeid].claims.append((claim_id, reading))
        items: list[tuple[str, int, dict]] = []
        for nodeid, seq, payload in con.execute(
            "SELECT nodeid, seq, payload FROM evidence WHERE run_id = ?", (run_id,)
        ):
            items.append((nodeid, seq, json.loads(payload)))
        for nodeid, seq, caption, svg in con.execute(
            "SELECT nodeid, seq, caption, svg FROM figures WHERE run_id = ?", (run_id,)
        ):
            items.append((nodeid, seq, {"kind": "figure", "caption": caption, "svg": svg}))
        for nodeid, _seq, item in sorted(items, key=lambda x: (x[0], x[1])):
            tests[nodeid].evidence.append(item)
        run.tests = list(tests.values())
        run.claim_results = [
            {"claim_id": c, "reading": r, "expected": e, "status": s, "n_tests": n, "n_passed": p}
            for c, r, e, s, n, p in con.execute(
                "SELECT claim_id, reading, expected, status, n_tests, n_passed FROM claim_results"
                " WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            )
        ]
    finally:
        con.close()
    return run


def claim_history(path: Path | str, claim_id: str) -> list[dict]:
    """The status a claim reached in every run that exercised it, oldest first."""
    con = connect(path)
    try:
        rows = con.execute(
            "SELECT r.id, r.started, c.reading, c.status, c.n_tests, c.n_passed"
            " FROM claim_results c JOIN runs r ON r.id = c.run_id WHERE c.claim_id = ?"
            " ORDER BY r.id, c.rowid",
            (claim_id,),
        ).fetchall()
    finally:
        con.close()
    return [
        {"run": a, "started": b, "reading": c, "status": d, "n_tests": e, "n_passed": f}
        for a, b, c, d, e, f in rows
    ]
