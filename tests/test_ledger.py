"""The ledger's fault handling, by doing the faults: truncated, garbage, corrupt, foreign, directory
and unreadable files are refused in one line and never modified; reading creates nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest
from advgeom.reports import cli, ledger


def _run(complete: bool = True, outcome: str = "passed") -> ledger.RunRecord:
    t = ledger.TestRecord("tests/t.py::test_x", outcome, 0.1, "", [("HD-1", "")],
                          [{"kind": "reference", "form": "value", "passed": True}])
    return ledger.RunRecord(None, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00", 1.0, 0,
                            complete, {"git_commit": "x"}, tests=[t], scale="paper")


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.sqlite"
    ledger.write_run(path, _run())
    ledger.write_run(path, _run(complete=False, outcome="interrupted"))
    return path


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_scale_interrupted_and_latest_complete(good):
    assert ledger.latest_run_id(good) == 2
    assert ledger.latest_run_id(good, complete_only=True) == 1
    run = ledger.load_run(good, 2)
    assert not run.complete and run.scale == "paper" and run.tests[0].outcome == "interrupted"
    con = sqlite3.connect(good)
    assert con.execute("PRAGMA user_version").fetchone()[0] == ledger.SCHEMA_VERSION
    con.close()


def _faults(tmp_path, good):
    data = good.read_bytes()
    (tmp_path / "trunc.sqlite").write_bytes(data[: len(data) // 2])
    (tmp_path / "garbage.sqlite").write_bytes(b"not a database\n" * 400)
    bad = bytearray(data)
    bad[4096:8192] = b"\xff" * 4096  # overwrite the second page
    (tmp_path / "corrupt.sqlite").write_bytes(bytes(bad))
    con = sqlite3.connect(tmp_path / "other.sqlite")
    con.execute("CREATE TABLE runs (id INTEGER, what TEXT)")
    con.commit()
    con.close()
    (tmp_path / "dir.sqlite").mkdir()
    return ["trunc", "garbage", "corrupt", "other", "dir"]


def test_faulty_ledgers_are_refused_unmodified(tmp_path, good):
    for name in _faults(tmp_path, good):
        path = tmp_path / f"{name}.sqlite"
        before = None if path.is_dir() else _digest(path)
        for writing in (False, True):
            with pytest.raises(ledger.LedgerError) as info:
                ledger.preflight(path, for_writing=writing)
            assert "\n" not in str(info.value)
        with pytest.raises(ledger.LedgerError):
            ledger.write_run(path, _run())
        with pytest.raises(ledger.LedgerError):
            ledger.load_run(path)
        assert before is None or _digest(path) == before, name


def test_unknown_version_is_refused(tmp_path, good):
    con = sqlite3.connect(good)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    with pytest.raises(ledger.LedgerError, match="version 99"):
        ledger.load_run(good)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_ledger(good):
    good.chmod(0)
    try:
        with pytest.raises(ledger.LedgerError):
            ledger.preflight(good, for_writing=False)
    finally:
        good.chmod(0o644)


def test_reading_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "none.sqlite"
    assert cli.main(["--ledger", str(missing), "show", "HD-1"]) == 0
    assert cli.main(["--ledger", str(missing), "report", "--run", "1", "-o",
                     str(tmp_path / "r.pdf")]) == 2
    assert not missing.exists() and not (tmp_path / "r.pdf").exists()
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE foo (x)")
    con.commit()
    con.close()
    before = _digest(other)
    assert cli.main(["show", "HD-1", "--ledger", str(other)]) == 2
    assert _digest(other) == before


def test_cli_refuses_faulty_ledgers_in_one_line_before_running(tmp_path, good, capsys):
    for name in _faults(tmp_path, good):
        path = str(tmp_path / f"{name}.sqlite")
        capsys.readouterr()
        assert cli.main(["--ledger", path, "report", "-o", str(tmp_path / "x.pdf")]) == 2
        assert cli.main(["verify", "-k", "nothing_at_all", "--ledger", path]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2 and all(e.startswith("advgeom") for e in err), err


def test_relative_ledger_is_resolved_against_the_callers_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVGEOM_LEDGER", "sub/l.sqlite")
    assert ledger.default_path() == tmp_path / "sub" / "l.sqlite"
    assert ledger.resolve("x.sqlite") == tmp_path / "x.sqlite"
