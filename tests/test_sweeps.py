"""The sweep engine (numerics/sweeps.py): identical results on any executor, resumable after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from advgeom.numerics import sweeps
from advgeom.numerics.sweeps import Sweep, demo_task, run_sweep

pytest.importorskip("distributed")


def _same(a, b) -> bool:
    """Bit-for-bit equality of two demo results."""
    return (a["value"].dtype == b["value"].dtype and a["value"].tobytes() == b["value"].tobytes()
            and a["draw"] == b["draw"] and a["index"] == b["index"])


def test_in_process_and_two_worker_cluster_agree_bit_for_bit(tmp_path):
    sweep = Sweep("bits", demo_task, [{"size": 40, "index": i} for i in range(6)])
    serial = run_sweep(sweep, root=tmp_path / "serial", progress=False)
    with sweeps.local_client(2) as client:
        parallel = run_sweep(sweep, client=client, root=tmp_path / "cluster", progress=False)
    assert parallel.workers == 2 and parallel.computed == 6 and serial.computed == 6
    assert all(_same(a, b) for a, b in zip(serial.results, parallel.results, strict=True))
    # the seed belongs to the task: listing the tasks in another order changes nothing
    reordered = Sweep("bits", demo_task, list(reversed(sweep.tasks)))
    back = run_sweep(reordered, root=tmp_path / "reordered", progress=False)
    assert all(_same(a, b) for a, b in zip(serial.results, reversed(back.results), strict=True))
    # distinct tasks draw distinct streams
    assert len({r["draw"] for r in serial.results}) == 6


def test_key_changes_with_parameters_and_code():
    a = Sweep("keys", demo_task, [{"size": 3}])
    b = Sweep("keys", demo_task, [{"size": 3}], depends=(sweeps.canonical,))
    assert sweeps.task_key(a, {"size": 3}) != sweeps.task_key(a, {"size": 4})
    assert sweeps.task_key(a, {"size": 3}) != sweeps.task_key(b, {"size": 3})
    with pytest.raises(ValueError, match="distinct"):
        Sweep("keys", demo_task, [{"size": 3}, {"size": 3}])
    with pytest.raises(ValueError, match="params"):
        sweeps.canonical({"x": float("nan")})


_SCRIPT = """
import sys
from advgeom.numerics.sweeps import Sweep, demo_task, run_sweep
tasks = [{"size": 20, "index": i, "delay": 0.3} for i in range(8)]
run_sweep(Sweep("killed", demo_task, tasks), root=sys.argv[1], progress=False)
"""


def test_killed_sweep_resumes_where_it_stopped(tmp_path):
    root = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(root)])
    folder = root / "killed"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if folder.is_dir() and len(list(folder.glob("*.pkl"))) >= 3:
                break
            if proc.poll() is not None:
                pytest.fail(f"the sweep ended (rc {proc.returncode}) before it could be killed")
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    stored = len(list(folder.glob("*.pkl")))
    assert 3 <= stored < 8, f"{stored} results stored when killed"
    tasks = [{"size": 20, "index": i, "delay": 0.3} for i in range(8)]
    resumed = run_sweep(Sweep("killed", demo_task, tasks), root=root, progress=False)
    assert (resumed.cached, resumed.computed) == (stored, 8 - stored)
    fresh = run_sweep(Sweep("killed", demo_task, tasks), root=tmp_path / "fresh", progress=False)
    assert all(_same(a, b) for a, b in zip(resumed.results, fresh.results, strict=True))
    assert np.isclose(resumed.task_seconds, sum(resumed.seconds))
