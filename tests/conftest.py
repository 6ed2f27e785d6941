"""Shared test configuration: hypothesis profiles (``ci`` chosen automatically when CI is set)."""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# --------------------------------------------------------------------------------------------
# The suite's costliest set-up on a fresh machine is training: the local-error sweeps of
# tests/test_spectrum.py and the reproductions' CI sweeps (tests/test_reproduce*.py). Both are
# stored on disk by task (joblib per seed; the experiment cache per task), so a second process can
# fill the caches while the rest of the suite runs on the other core: it is started once collection
# shows those tests, at low priority, and stopped when the session ends. Results do not depend on it
# (a task not yet stored when a fixture asks for it is computed there, with the same seed and the
# same result); ADVGEOM_PREFETCH=0 turns it off.

_PREFETCH: dict = {}

# In the order the tests reach them: the spectrum sweeps come first; the reproductions in reverse,
# so that the prefetch works ahead of the suite rather than on the sweep the suite is computing.
_PREFETCH_CODE = """
import sys
from advgeom.numerics import local_error as le
for kind in ("layers", "epochs"):
    le.run_sweep(kind, n_jobs=1)
from advgeom.reports import reproduce
names = list(reversed(list(reproduce.EXPERIMENTS)))
sys.exit(reproduce.main([*names, "--scale", "ci", "--workers", "1", "--no-ledger", "--no-progress"]))
"""


def pytest_collection_finish(session):
    import subprocess
    import sys

    if os.environ.get("ADVGEOM_PREFETCH", "1") == "0" or session.config.option.collectonly:
        return
    if not any(item.path.name.startswith(("test_reproduce", "test_spectrum"))
               for item in session.items):
        return
    try:
        import distributed  # noqa: F401 - the reproductions need the dask extra
    except ImportError:
        return
    # one BLAS thread, as the suite's own training runs (fixtures, joblib and sweep workers)
    env = {**os.environ, **dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                          "MKL_NUM_THREADS"), "1")}
    _PREFETCH["proc"] = subprocess.Popen(
        [sys.executable, "-c", _PREFETCH_CODE], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(10)) if hasattr(os, "nice") else None)


def pytest_sessionfinish(session, exitstatus):
    proc = _PREFETCH.pop("proc", None)
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except Exception:  # noqa: BLE001 - never let the clean-up fail the session
            proc.kill()
