"""Sweeps of independent tasks (configuration x seed), in-process or on dask.distributed, resumable.

A :class:`Sweep` is a module-level task function and a list of parameter sets. :func:`run_sweep`
computes every task once and stores its result on disk, under the sweep's folder of the experiment
cache (:func:`advgeom.numerics.cache.cache_dir` ``/sweeps/<name>``), keyed by a SHA-256 hash of the
task function's source (and of the helpers it names in ``depends``) and of its parameters. A run that
is killed resumes where it stopped: finished tasks are read back, the others are computed.

Design
------
* **Seeds by task, never by worker.** Each task receives a :class:`numpy.random.SeedSequence` whose
  entropy is the SHA-256 of the sweep's name and the task's canonical parameters (sorted JSON). The
  task runs with one BLAS thread (:func:`threadpoolctl.threadpool_limits`), so its floating-point
  operations do not depend on the machine's thread pool either. Results are therefore bit-identical
  whatever executes them: the calling process, a 2-worker ``LocalCluster``, or a remote scheduler.
* **Executors.** ``client=None`` runs the tasks one after another in the calling process; a
  ``dask.distributed.Client`` gets one future per task not yet stored, and the results are written
  by the calling process as they complete (so a remote cluster needs no shared disk).
* **Progress.** A rich progress bar shows tasks done, running and left and an ETA computed from the
  mean time of the tasks finished in this run.

Examples
--------
>>> import tempfile
>>> from advgeom.numerics.sweeps import Sweep, demo_task, run_sweep
>>> sweep = Sweep("doctest", demo_task, [{"size": 3, "index": i} for i in range(3)])
>>> with tempfile.TemporaryDirectory() as root:
...     first = run_sweep(sweep, root=root, progress=False)
...     again = run_sweep(sweep, root=root, progress=False)
>>> first.computed, again.computed, again.cached
(3, 0, 3)
>>> all((a["value"] == b["value"]).all() for a, b in zip(first.results, again.results))
True
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import math
import os
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from advgeom.numerics.cache import cache_dir
from advgeom.theory import _validate as check
from threadpoolctl import threadpool_limits

__all__ = [
    "Sweep",
    "SweepResult",
    "apply_overrides",
    "canonical",
    "local_client",
    "run_sweep",
    "task_key",
    "task_seed",
]

_FORMAT = 1  # version of the stored-result format; part of every key


@dataclass(frozen=True)
class Sweep:
    """A set of independent tasks: ``func(seed=SeedSequence, **params) -> result`` for each params.

    ``func`` must be a module-level function (picklable by reference, importable by dask workers);
    its result must be picklable. ``depends`` lists further functions or classes whose source code
    enters each task's key, so that editing a helper the task calls invalidates the stored results.
    """

    name: str
    func: Callable[..., Any]
    tasks: Sequence[dict]
    depends: tuple[Callable[..., Any], ...] = ()
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise ValueError(f"name = {self.name!r} must be a non-empty string without '/'")
        check.func("func", self.func)
        if not isinstance(self.tasks, Sequence) or not all(isinstance(t, dict) for t in self.tasks):
            raise ValueError(f"tasks = {self.tasks!r} must be a sequence of parameter dicts")
        keys = [task_key(self, t) for t in self.tasks]
        if len(set(keys)) != len(keys):
            raise ValueError(f"tasks of sweep {self.name!r} must have distinct parameters")


@dataclass
class SweepResult:
    """Results of a sweep in task order, with timing and what came from the store."""

    sweep: str
    params: list[dict]
    results: list[Any]
    seconds: list[float]  # compute time of each task (as stored when it was first computed)
    cached: int = 0
    computed: int = 0
    wall: float = 0.0
    workers: int = 1
    keys: list[str] = field(default_factory=list)

    @property
    def task_seconds(self) -> float:
        """Total compute time of all tasks (one worker's share if run serially)."""
        return float(math.fsum(self.seconds))


def canonical(params: dict) -> str:
    """Canonical JSON of a parameter set (sorted keys; numbers and strings, lists, dicts only).

    >>> canonical({"b": 1, "a": [0.5, "x"]})
    '{"a":[0.5,"x"],"b":1}'
    """
    try:
        return json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"params = {params!r} must be JSON data (finite numbers, strings, lists, "
                         f"dicts): {exc}") from None


def apply_overrides(config: dict, overrides: dict | None, allowed: Sequence[str],
                    entry: Callable[[str, Any], Any], *, why: str = "") -> dict:
    """A copy of an experiment's ``config`` with ``overrides`` (``--set KEY=VALUE``) applied.

    Only keys in ``allowed`` may be overridden (``why`` says why the others are fixed); each value
    passes through ``entry(key, value)``, which returns the checked value or raises ``ValueError``.
    Every error names the override.

    >>> apply_overrides({"lr": 0.1, "seeds": 3}, {"seeds": 5}, ("lr", "seeds"),
    ...                 lambda k, v: int(v))
    {'lr': 0.1, 'seeds': 5}
    """
    if not isinstance(config, dict):
        raise ValueError(f"config = {config!r} must be a dict")
    if isinstance(allowed, str | bytes) or not isinstance(allowed, Sequence) or \
            not all(isinstance(k, str) for k in allowed):
        raise ValueError(f"allowed = {allowed!r} must be a sequence of key names")
    if not callable(entry):
        raise ValueError(f"entry = {entry!r} must be a function (key, value) -> checked value")
    if not isinstance(why, str):
        raise ValueError(f"why = {why!r} must be a string")
    out = dict(config)
    if overrides is None:
        return out
    if not isinstance(overrides, dict):
        raise ValueError(f"overrides = {overrides!r} must be a dict of configuration entries")
    bad = sorted(set(overrides) - set(allowed), key=str)
    if bad:
        raise ValueError(f"overrides = {overrides!r}: unknown key(s) {bad}; valid: {list(allowed)}"
                         + (f" ({why})" if why else ""))
    for key, value in overrides.items():
        try:
            out[key] = entry(key, value)
        except ValueError as exc:
            raise ValueError(f"overrides: {exc}") from None
    return out


def _source(obj: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):  # built-ins, or code without a file
        return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}"


@functools.lru_cache(maxsize=256)
def _code_text(objs: tuple) -> str:
    # Reading source is slow (milliseconds per object, a class costs one read per method), and a
    # sweep's code is the same for all its tasks: read it once per set of objects.
    return "".join(_source(obj) for obj in objs)


def task_key(sweep: Sweep, params: dict) -> str:
    """Hex SHA-256 of the task's code (function and ``depends`` sources) and its parameters."""
    if not isinstance(sweep, Sweep):
        raise ValueError(f"sweep = {sweep!r} must be a Sweep")
    h = hashlib.sha256()
    h.update(f"advgeom-sweep/{_FORMAT}/{sweep.name}\n".encode())
    objs = (sweep.func, *sweep.depends)
    try:
        code = _code_text(objs)
    except TypeError:  # an unhashable dependency: read it each time
        code = "".join(_source(obj) for obj in objs)
    h.update(code.encode())
    h.update(canonical(params).encode())
    return h.hexdigest()


def task_seed(name: str, params: dict) -> np.random.SeedSequence:
    """The task's seed: SHA-256 of the sweep name and the canonical parameters, as entropy.

    >>> task_seed("s", {"n": 10, "seed": 0}).entropy == task_seed("s", {"seed": 0, "n": 10}).entropy
    True
    >>> task_seed("s", {"seed": 0}).entropy == task_seed("s", {"seed": 1}).entropy
    False
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name = {name!r} must be a non-empty string")
    digest = hashlib.sha256(f"{name}/{canonical(params)}".encode()).digest()
    return np.random.SeedSequence(int.from_bytes(digest[:16], "little"))


def _execute(func: Callable[..., Any], params: dict, entropy: int) -> tuple[Any, float]:
    """Run one task with its seed and one BLAS thread; return (result, seconds)."""
    t0 = time.perf_counter()
    with threadpool_limits(limits=1):
        result = func(seed=np.random.SeedSequence(entropy), **params)
    return result, time.perf_counter() - t0


def _store_path(root: Path, sweep: Sweep, key: str) -> Path:
    return root / sweep.name / f"{key}.pkl"


def _load(path: Path) -> dict | None:
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        return None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None  # a damaged or stale file: recompute


def _save(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(record, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # atomic: a killed run never leaves a half-written result


def local_client(workers: int) -> contextlib.AbstractContextManager:
    """A context manager giving a ``dask.distributed`` client on a fresh LocalCluster of ``workers``
    single-threaded processes (no dashboard); the cluster starts on entry and is closed on exit."""
    return _local_client(check.integer("workers", workers, low=1))


@contextlib.contextmanager
def _local_client(workers: int) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("dask.distributed is not installed: pip install 'advgeom[dask]'") from exc
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


class _Bar:
    """Rich progress bar with done / running / left counts and an ETA from this run's task times."""

    def __init__(self, name: str, total: int, done: int, slots: int, enabled: bool):
        self.total, self.done, self.slots, self.enabled = total, done, max(1, slots), enabled
        self.times: list[float] = []
        self.t0 = time.perf_counter()
        self._progress = None
        if enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(),
                TextColumn("done {task.completed:.0f}/{task.total:.0f}"),
                TextColumn("running {task.fields[running]}"), TextColumn("left {task.fields[left]}"),
                TextColumn("ETA {task.fields[eta]}"), TimeElapsedColumn(),
            )
            self._progress.start()
            self._task = self._progress.add_task(name, total=total, completed=done, running=0,
                                                 left=total - done, eta="?")

    def update(self, running: int, finished_seconds: float | None = None) -> None:
        if finished_seconds is not None:
            self.done += 1
            self.times.append(finished_seconds)
        if not self.enabled:
            return
        left = self.total - self.done
        if self.times and left:
            eta_s = left * (time.perf_counter() - self.t0) / len(self.times)
            eta = time.strftime("%H:%M:%S", time.gmtime(eta_s))
        else:
            eta = "0:00:00" if not left else "?"
        self._progress.update(self._task, completed=self.done, running=running, left=left, eta=eta)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def run_sweep(sweep: Sweep, *, client: Any = None, root: Path | str | None = None,
              progress: bool = True) -> SweepResult:
    """Compute every task of ``sweep`` not yet stored, store each as it finishes, return them all.

    Parameters
    ----------
    sweep : Sweep
        The tasks.
    client : dask.distributed.Client, optional
        Where to compute; ``None`` computes in the calling process, one task after another.
    root : path, optional
        Folder of the stored results (default: ``cache_dir() / "sweeps"``).
    progress : bool
        Show the rich progress bar.

    Returns
    -------
    SweepResult
        Results in the order of ``sweep.tasks``; ``cached`` and ``computed`` count where they
        came from.
    """
    if not isinstance(sweep, Sweep):
        raise ValueError(f"sweep = {sweep!r} must be a Sweep")
    if client is not None and not all(hasattr(client, a) for a in ("submit", "nthreads")):
        raise ValueError(f"client = {client!r} must be a dask.distributed Client or None")
    if not isinstance(root, str | os.PathLike | type(None)) or root == "":
        raise ValueError(f"root = {root!r} must be a folder path or None")
    if not isinstance(progress, bool):
        raise ValueError(f"progress = {progress!r} must be True or False")
    root = Path(root) if root is not None else cache_dir() / "sweeps"
    t0 = time.perf_counter()
    params = [dict(p) for p in sweep.tasks]
    keys = [task_key(sweep, p) for p in params]
    results: list[Any] = [None] * len(params)
    seconds = [0.0] * len(params)
    todo = []
    for i, key in enumerate(keys):
        rec = _load(_store_path(root, sweep, key))
        if rec is not None and rec.get("key") == key:
            results[i], seconds[i] = rec["result"], rec["seconds"]
        else:
            todo.append(i)
    cached = len(params) - len(todo)
    slots = 1 if client is None else max(1, sum(client.nthreads().values()))
    bar = _Bar(sweep.name, len(params), cached, slots, progress)

    def finish(i: int, result: Any, secs: float) -> None:
        results[i], seconds[i] = result, secs
        _save(_store_path(root, sweep, keys[i]),
              {"key": keys[i], "sweep": sweep.name, "params": params[i], "result": result,
               "seconds": secs})

    try:
        if client is None:
            for i in todo:
                bar.update(running=1)
                result, secs = _execute(sweep.func, params[i], task_seed(sweep.name, params[i]).entropy)
                finish(i, result, secs)
                bar.update(running=0, finished_seconds=secs)
        elif todo:
            from distributed import as_completed

            futures = {
                client.submit(_execute, sweep.func, params[i],
                              task_seed(sweep.name, params[i]).entropy,
                              key=f"{sweep.name}-{keys[i][:24]}", pure=False): i
                for i in todo
            }
            ours = {f.key for f in futures}
            try:
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        result, secs = fut.result()
                    except Exception as exc:
                        raise RuntimeError(f"task {canonical(params[i])} of sweep {sweep.name!r} "
                                           f"failed: {exc!r}") from exc
                    finish(i, result, secs)
                    fut.release()
                    running = sum(1 for ks in client.processing().values() for k in ks if k in ours)
                    bar.update(running=running, finished_seconds=secs)
            finally:
                client.cancel(list(futures))
    finally:
        bar.close()
    workers = 1 if client is None else len(client.nthreads())
    return SweepResult(sweep=sweep.name, params=params, results=results, seconds=seconds,
                       cached=cached, computed=len(todo), wall=time.perf_counter() - t0,
                       workers=workers, keys=keys)


def demo_task(*, seed: np.random.SeedSequence, size: int, index: int = 0,
              delay: float = 0.0) -> dict:
    """A small task for tests and examples: a seeded random matrix product and its spectrum.

    ``index`` distinguishes otherwise equal tasks; ``delay`` (seconds) makes a task slow enough to
    interrupt."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((size, size))
    value = np.linalg.eigvalsh(a @ a.T)
    if delay:
        time.sleep(delay)
    return {"value": value, "index": index, "draw": float(rng.random())}
