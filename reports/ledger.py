"""The evidence ledger: an SQLite file with one row per verification run and its results.

Tables
------
``runs``
    One row per pytest session that ran at least one claim-marked test: start and end time, git
    commit, package versions, machine, command line, exit status, whether the run is complete
    (pytest finished on its own and every test of every claim ran), and its ``scale`` (``ci`` for
    the test suite; a reproduction names its own).
``tests``
    One row per test: node id, outcome (passed / failed / skipped / interrupted), duration, failure
    message.
``test_claims``
    Which claim (and reading) each test is evidence for.
``evidence``
    What each test recorded (values, references, intervals, counterexamples, decisions, tables,
    derivations), as JSON, in recording order, with its evidence kind.
``figures``
    Each recorded matplotlib figure as SVG text.
``claim_results``
    The verdict each claim (and reading) reached in the run, as computed by :mod:`reports.verdicts`.

History is kept: every run appends; nothing is overwritten. The file carries an application id and
a schema version (``PRAGMA application_id``, ``PRAGMA user_version``), checked on every open: an
SQLite file of another program, or of an unknown version, is refused and never modified. Reading
(``show``, ``report``) opens the file read-only and creates nothing; appending first checks the
file's integrity. Every failure is a :class:`LedgerError` with a one-line message.

Location: ``--ledger`` or ``$ADVGEOM_LEDGER`` (a relative path is taken relative to the folder the
command was started from); else ``reports/ledger.sqlite`` in a source checkout, or ``ledger.sqlite``
in the per-user data folder (``platformdirs``) for an installed package.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_LEDGER",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "LedgerError",
    "RunRecord",
    "TestRecord",
    "claim_history",
    "connect",
    "default_path",
    "latest_run_id",
    "list_runs",
    "load_run",
    "preflight",
    "project_root",
    "resolve",
    "write_run",
]

DEFAULT_LEDGER = Path("reports") / "ledger.sqlite"

#: ``PRAGMA application_id`` of an advgeom ledger ("ADVG").
APPLICATION_ID = 0x41445647
#: ``PRAGMA user_version`` of the current schema. Version 1 is the unversioned ledger written
#: before the schema carried a version (no ``scale`` column); it is read as is and upgraded in place
#: on the next append.
SCHEMA_VERSION = 2

#: The outcomes a test can have in the ledger ("interrupted": stopped before its call phase ended).
OUTCOMES = ("passed", "failed", "skipped", "interrupted")

_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    duration REAL NOT NULL,
    exitstatus INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    provenance TEXT NOT NULL,
    scale TEXT NOT NULL DEFAULT 'ci'
);
CREATE TABLE tests (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration REAL NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, nodeid)
);
CREATE TABLE test_claims (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    reading TEXT NOT NULL
);
CREATE TABLE evidence (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE figures (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    caption TEXT NOT NULL,
    svg TEXT NOT NULL
);
CREATE TABLE claim_results (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    claim_id TEXT NOT NULL,
    reading TEXT NOT NULL,
    expected TEXT NOT NULL,
    status TEXT NOT NULL,
    n_tests INTEGER NOT NULL,
    n_passed INTEGER NOT NULL
);
CREATE INDEX evidence_run ON evidence(run_id, nodeid);
CREATE INDEX claims_run ON test_claims(run_id, claim_id);
"""

#: Columns of each table, by schema version.
_COLUMNS = {
    "runs": ("id", "started", "finished", "duration", "exitstatus", "complete", "provenance",
             "scale"),
    "tests": ("run_id", "nodeid", "outcome", "duration", "message"),
    "test_claims": ("run_id", "nodeid", "claim_id", "reading"),
    "evidence": ("run_id", "nodeid", "seq", "kind", "payload"),
    "figures": ("run_id", "nodeid", "seq", "caption", "svg"),
    "claim_results": ("run_id", "claim_id", "reading", "expected", "status", "n_tests", "n_passed"),
}
_COLUMNS_V1 = {**_COLUMNS, "runs": _COLUMNS["runs"][:-1]}
_SQLITE_MAGIC = b"SQLite format 3\x00"


class LedgerError(RuntimeError):
    """The ledger is missing, unreadable, corrupt, not an advgeom ledger, cannot be written, or has
    no run of the kind asked for. The message is one line."""


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
    scale: str = "ci"

    def tests_for(self, claim_id: str, reading: str | None = None) -> list[TestRecord]:
        """Tests that are evidence for ``claim_id`` (restricted to one reading if given)."""
        return [
            t
            for t in self.tests
            if any(c == claim_id and (reading is None or r == reading) for c, r in t.claims)
        ]


# ------------------------------------------------------------------------------ location


def project_root() -> Path | None:
    """The source checkout holding this package (an editable install), if there is one."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "tests").is_dir() else None


def user_data_ledger() -> Path:
    """``ledger.sqlite`` in the per-user data folder (the default for an installed package)."""
    try:
        import platformdirs

        folder = platformdirs.user_data_path("advgeom", appauthor=False)
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        folder = Path(base) / "advgeom"
    return Path(folder) / "ledger.sqlite"


def resolve(path: Path | str | None = None) -> Path:
    """The ledger to use, as an absolute path: ``path`` if given, else ``$ADVGEOM_LEDGER``, else
    the default (:func:`default_path`). A relative path is taken relative to the current folder,
    the folder the command was started from."""
    if path is None or str(path) == "":
        return default_path()
    path = Path(path).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


def default_path() -> Path:
    """``$ADVGEOM_LEDGER`` if set (relative to the current folder); else ``reports/ledger.sqlite``
    in the project checkout; else, for an installed package, the per-user data folder."""
    env = os.environ.get("ADVGEOM_LEDGER")
    if env:
        path = Path(env).expanduser()
        return path if path.is_absolute() else Path.cwd() / path
    root = project_root()
    return (root / DEFAULT_LEDGER) if root else user_data_ledger()


# ------------------------------------------------------------------------------ checks


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _layout(con: sqlite3.Connection) -> tuple[int, int, dict[str, tuple[str, ...]]]:
    version = int(con.execute("PRAGMA user_version").fetchone()[0])
    app = int(con.execute("PRAGMA application_id").fetchone()[0])
    tables = {}
    for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall():
        cols = tuple(r[1] for r in con.execute(f'PRAGMA table_info("{name}")').fetchall())
        tables[name] = cols
    return version, app, tables


def _classify(con: sqlite3.Connection, shown: str) -> str:
    """``"empty"`` (a new, empty SQLite file), ``"v1"`` (the unversioned ledger) or ``"current"``;
    anything else raises :class:`LedgerError`."""
    version, app, tables = _layout(con)
    if version == 0 and app == 0 and not tables:
        return "empty"
    if app not in (0, APPLICATION_ID):
        raise LedgerError(f"{shown} is an SQLite file of another program (application id "
                          f"{app:#x}), not an advgeom ledger; it was not modified")
    if version == 0 and app == 0:
        if tables == _COLUMNS_V1:
            return "v1"
        raise LedgerError(f"{shown} is an SQLite file of another program (tables "
                          f"{', '.join(sorted(tables)) or 'none'}), not an advgeom ledger; "
                          "it was not modified")
    if version != SCHEMA_VERSION:
        raise LedgerError(f"{shown} has ledger schema version {version}; this advgeom reads "
                          f"version {SCHEMA_VERSION} (it was not modified)")
    if tables != _COLUMNS:
        odd = sorted(set(tables) ^ set(_COLUMNS)) or sorted(
            t for t in tables if tables[t] != _COLUMNS.get(t))
        raise LedgerError(f"{shown} is not a valid advgeom ledger: unexpected tables or columns "
                          f"({', '.join(odd)}); it was not modified")
    return "current"


def _ro_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


def preflight(path: Path | str, *, for_writing: bool) -> None:
    """Check, before any verification starts, that ``path`` is a ledger this program can read
    (and, with ``for_writing``, append to): raise :class:`LedgerError` with a one-line message if
    it is a directory, unreadable, not writable, not an SQLite file, corrupt or truncated
    (``integrity_check`` for writing, ``quick_check`` for reading), another program's file, or of
    an unknown schema version. A ledger that does not exist yet is fine for writing when its folder
    can be made. Nothing is created or modified."""
    path = Path(path)
    shown = repr(str(path))
    if path.is_dir():
        raise LedgerError(f"the ledger {shown} is a directory, not a ledger file")
    if not path.exists():
        if not for_writing:
            raise LedgerError(f"no ledger at {shown}: run `advgeom verify` (or pytest) first")
        ancestor = path.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise LedgerError(f"cannot create the ledger {shown}: {str(ancestor)!r} is not a folder")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise LedgerError(f"cannot create the ledger {shown}: folder {str(ancestor)!r} is not "
                              "writable")
        return
    if not path.is_file():
        raise LedgerError(f"the ledger {shown} is not a regular file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise LedgerError(f"cannot read the ledger {shown}: {exc.strerror or _one_line(exc)}") \
            from None
    if for_writing and not os.access(path, os.W_OK):
        raise LedgerError(f"the ledger {shown} is not writable")
    if not head:
        if for_writing:
            return  # an empty file: the schema is created on the first append
        raise LedgerError(f"the ledger {shown} is empty: it holds no run")
    if not head.startswith(_SQLITE_MAGIC):
        raise LedgerError(f"{shown} is not an SQLite file, so not an advgeom ledger; "
                          "it was not modified")
    if len(head) < 100:
        raise LedgerError(f"the ledger {shown} is truncated ({len(head)} bytes)")
    try:
        con = sqlite3.connect(_ro_uri(path), uri=True, timeout=60)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot open the ledger {shown}: {_one_line(exc)}") from None
    try:
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])
        pages = int(con.execute("PRAGMA page_count").fetchone()[0])
        if path.stat().st_size < page_size * pages:
            raise LedgerError(f"the ledger {shown} is truncated ({path.stat().st_size} bytes, "
                              f"{pages} pages of {page_size} expected)")
        check = "integrity_check" if for_writing else "quick_check"
        rows = con.execute(f"PRAGMA {check}").fetchall()
        if rows != [("ok",)]:
            raise LedgerError(f"the ledger {shown} is corrupt ({check}: {_one_line(rows[0][0])})")
        _classify(con, shown)
    except sqlite3.Error as exc:
        raise LedgerError(f"the ledger {shown} is corrupt or unreadable: {_one_line(exc)}") from None
    finally:
        con.close()


def connect(path: Path | str, *, create: bool = False) -> sqlite3.Connection:
    """Open the ledger after :func:`preflight`: read-only by default (nothing is created); with
    ``create``, for appending (the file, its folder and its schema are made if absent, and the
    unversioned ledger is upgraded)."""
    path = Path(path)
    shown = repr(str(path))
    preflight(path, for_writing=create)
    try:
        if not create:
            con = sqlite3.connect(_ro_uri(path), uri=True, timeout=60)
            con.execute("PRAGMA query_only = 1")
            return con
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=60)
        kind = _classify(con, shown)
        if kind == "empty":
            con.executescript("BEGIN IMMEDIATE;" + _SCHEMA
                              + f"PRAGMA application_id = {APPLICATION_ID};"
                              f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        elif kind == "v1":
            con.executescript("BEGIN IMMEDIATE; ALTER TABLE runs ADD COLUMN scale TEXT NOT NULL "
                              f"DEFAULT 'ci'; PRAGMA application_id = {APPLICATION_ID};"
                              f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        return con
    except (sqlite3.Error, OSError) as exc:
        raise LedgerError(f"cannot open the ledger {shown}: {_one_line(exc)}") from None


def _has_scale(con: sqlite3.Connection) -> bool:
    return any(r[1] == "scale" for r in con.execute("PRAGMA table_info(runs)").fetchall())


def _is_empty(con: sqlite3.Connection) -> bool:
    return not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'runs'").fetchone()


# ------------------------------------------------------------------------------ write


def write_run(path: Path | str, run: RunRecord) -> int:
    """Append a run with its tests, evidence, figures and claim results in one transaction; return
    its id. Raises :class:`LedgerError` (nothing appended) if the ledger cannot be written."""
    con = connect(path, create=True)
    try:
        with con:
            cur = con.execute(
                "INSERT INTO runs (started, finished, duration, exitstatus, complete, provenance,"
                " scale) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run.started, run.finished, run.duration, run.exitstatus, int(run.complete),
                 json.dumps(run.provenance, sort_keys=True), str(run.scale or "ci")),
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
    except (sqlite3.Error, OSError, TypeError, ValueError) as exc:
        raise LedgerError(f"could not append the run to the ledger {str(path)!r}: "
                          f"{_one_line(exc)}") from None
    finally:
        con.close()
    run.id = run_id
    return run_id


# ------------------------------------------------------------------------------ read


def _read(path: Path | str, fn):
    """Run ``fn(con)`` on a read-only connection; every SQLite failure becomes a LedgerError."""
    con = connect(path)
    try:
        return fn(con)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot read the ledger {str(path)!r}: {_one_line(exc)}") from None
    finally:
        con.close()


def _check_id(run_id) -> int:
    if isinstance(run_id, bool) or not isinstance(run_id, int) or not 1 <= run_id < 2**63:
        raise LedgerError(f"run id {run_id!r} is not a ledger run id (an integer from 1 to 2**63 - 1)")
    return run_id


def list_runs(path: Path | str) -> list[dict]:
    """Summary rows of every run, oldest first."""

    def fn(con):
        if _is_empty(con):
            return []
        scale = "scale" if _has_scale(con) else "'ci'"
        return con.execute(
            f"SELECT id, started, duration, exitstatus, complete, provenance, {scale} FROM runs"
            " ORDER BY id"
        ).fetchall()

    return [
        {"id": r[0], "started": r[1], "duration": r[2], "exitstatus": r[3], "complete": bool(r[4]),
         "commit": json.loads(r[5]).get("git_commit", ""), "scale": r[6]}
        for r in _read(path, fn)
    ]


def latest_run_id(path: Path | str, *, complete_only: bool = False, scale: str | None = None) -> int:
    """Id of the newest run (the newest one stored complete with ``complete_only``; of one scale
    with ``scale``)."""

    def fn(con):
        if _is_empty(con):
            return None
        where, params = [], []
        if complete_only:
            where.append("complete = 1")
        if scale is not None:
            where.append("scale = ?" if _has_scale(con) else "'ci' = ?")
            params.append(scale)
        sql = "SELECT max(id) FROM runs" + (" WHERE " + " AND ".join(where) if where else "")
        return con.execute(sql, params).fetchone()[0]

    run_id = _read(path, fn)
    if run_id is None:
        kind = "complete run" if complete_only else "run"
        raise LedgerError(f"the ledger at {str(path)!r} holds no {kind}")
    return int(run_id)


def load_run(path: Path | str, run_id: int | None = None) -> RunRecord:
    """Load one run (default: the newest) with its tests, evidence and figures, in stored order."""
    if run_id is None:
        run_id = latest_run_id(path)
    run_id = _check_id(run_id)

    def fn(con):
        if _is_empty(con):
            raise LedgerError(f"the ledger at {str(path)!r} has no run {run_id}")
        scale = "scale" if _has_scale(con) else "'ci'"
        row = con.execute(
            "SELECT id, started, finished, duration, exitstatus, complete, provenance, "
            f"{scale} FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise LedgerError(f"the ledger at {str(path)!r} has no run {run_id}")
        run = RunRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), json.loads(row[6]),
                        scale=row[7])
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
        return run

    try:
        return _read(path, fn)
    except (KeyError, ValueError, TypeError) as exc:  # rows that do not fit together
        raise LedgerError(f"the ledger {str(path)!r} is inconsistent in run {run_id}: "
                          f"{_one_line(exc)}") from None


def claim_history(path: Path | str, claim_id: str) -> list[dict]:
    """The status a claim reached in every run that exercised it, oldest first."""

    def fn(con):
        if _is_empty(con):
            return []
        return con.execute(
            "SELECT r.id, r.started, c.reading, c.status, c.n_tests, c.n_passed"
            " FROM claim_results c JOIN runs r ON r.id = c.run_id WHERE c.claim_id = ?"
            " ORDER BY r.id, c.rowid",
            (claim_id,),
        ).fetchall()

    return [
        {"run": a, "started": b, "reading": c, "status": d, "n_tests": e, "n_passed": f}
        for a, b, c, d, e, f in _read(path, fn)
    ]
