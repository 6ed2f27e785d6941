"""advgeom works outside the checkout: the wheel is built, installed into a temporary venv (its
dependencies taken from this environment, no network), and run from a folder elsewhere."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from advgeom.reports import ledger

ROOT = ledger.project_root()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(ROOT is None, reason="builds the wheel from a source checkout")]


def test_wheel_installs_and_verifies_elsewhere(tmp_path):
    pytest.importorskip("wheel", reason="building the wheel needs the dev extra (setuptools, wheel)")
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.sqlite", "*.pdf", ".venv", "*.egg-info", "build")
    for name in ("advgeom", "theory", "proofs", "numerics", "reports", "tests"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(src)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("advgeom-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # this environment's packages (numpy, scipy, ...) behind the venv's own
    Path(purelib, "zz_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    exe = env_dir / "bin" / "advgeom"
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path / "home"), "COLUMNS": "1000"}
    out = subprocess.run([str(exe), "claims", "--json"], cwd=work, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert any(c["id"] == "HD-1" for c in json.loads(out.stdout))
    where = subprocess.run([str(py), "-c", "import advgeom; print(advgeom.__file__)"], cwd=work,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(purelib)
    run = subprocess.run([str(exe), "verify", "-p", "no:randomly", "-k", "ball_volume_derivation",
                          "tests/test_highdim.py"], cwd=work, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    default = tmp_path / "home" / ".local" / "share" / "advgeom" / "ledger.sqlite"
    assert f"ledger {default}" in run.stderr + run.stdout
    assert ledger.latest_run_id(default) == 1
