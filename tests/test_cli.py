"""The command line: pytest arguments passed through, misuse in one line with exit 2, SIGTERM
during the report's compilation leaves nothing behind, ledger text never runs as Typst."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from advgeom.reports import cli, ledger
from advgeom.reports.report import build_source, safe_math


def _ledger(tmp_path, steps=None, svg=None):
    ev = [{"kind": "reference", "form": "value", "name": "x", "value": {"text": "1.0", "num": 1.0},
           "reference": {"text": "1.0", "num": 1.0}, "rtol": 1e-9, "method": "m", "passed": True}]
    if steps:
        ev.append({"kind": "derivation", "title": "t", "steps": steps, "ok": True})
    if svg:
        ev.append({"kind": "figure", "caption": "c", "svg": svg})
    t = ledger.TestRecord("tests/test_dube.py::test_x", "passed", 0.1, "", [("DUBE-1", "")], ev)
    path = tmp_path / "l.sqlite"
    ledger.write_run(path, ledger.RunRecord(None, "2026-01-01T00:00:00", "2026-01-01T00:00:01",
                                            1.0, 0, False, {}, tests=[t]))
    return path


def test_misuse_is_one_line_exit_2(tmp_path, capsys):
    path = _ledger(tmp_path)
    (tmp_path / "d.pdf").mkdir()
    cases = [["report", "--run", "99999999999999999999"],
             ["report", "--timestamp", "9999-12-31T23:59:59-05:00"],
             ["report", "-o", str(tmp_path)], ["report", "-o", str(tmp_path / "d.pdf")],
             ["report", "-o", ""], ["report", "-o", str(tmp_path / "no" / "x.pdf")]]
    capsys.readouterr()
    for args in cases:
        assert cli.main(["--ledger", str(path), *args]) == 2, args
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(cases) and all(e.startswith("advgeom") for e in err), err


def test_verify_passes_arguments_to_pytest(tmp_path):
    args = cli.pytest_invocation(["-m", "not slow", "-k", "x"], tmp_path / "l.sqlite")
    assert args[args.index("-m") + 1] == "not slow" and "--ledger" in args
    assert any(a.endswith("tests") for a in args)  # default test paths added


def test_crafted_ledger_math_is_not_typst_code(tmp_path):
    evil = '#read("/etc/passwd")'
    step = {"index": 0, "lhs": evil, "rhs": "x", "lhs_text": evil, "rhs_text": "x",
            "relation": "=", "justification": "j", "ok": True, "method": "m"}
    assert safe_math(evil) is None and safe_math("sqrt(x)/Gamma(n/2)") is not None
    assert safe_math('image("a.svg")') is None and safe_math("x $ y") is None
    run = ledger.load_run(_ledger(tmp_path, steps=[step]))
    source, _ = build_source(run, datetime(2026, 1, 1, tzinfo=UTC), paper="dube")
    assert evil not in source  # shown only inside a string literal, escaped
    assert '#"#read(' in source


def test_bad_figure_becomes_a_placeholder(tmp_path):
    path = _ledger(tmp_path, svg="<svg this is not svg")
    out = tmp_path / "r.pdf"
    assert cli.main(["--ledger", str(path), "report", "--paper", "dube", "-o", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"


def test_sigterm_during_compilation_leaves_nothing(tmp_path):
    path = _ledger(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "advgeom.reports.cli", "--ledger", str(path),
                             "report", "-o", str(out / "r.pdf")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(scratch.glob("advgeom-typst-*")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(60)
    assert list(scratch.glob("advgeom-typst-*")) == []
    assert list(out.glob("*.part")) == []
    assert rc in (0, 128 + signal.SIGTERM), proc.stderr.read()


@pytest.mark.parametrize("argv", [["--help"], ["reproduce", "--help"]])
def test_help_lists_reproduce(argv, capsys):
    with pytest.raises(SystemExit):
        cli.main(argv)
    assert "reproduce" in capsys.readouterr().out
