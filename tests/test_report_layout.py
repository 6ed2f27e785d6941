"""Nothing in the PDF leaves the page: the report, with a very long derivation step, long words
and a partial run, rendered by Typst's own PNG export, has only white pixels in its side margins."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import sympy as sp
from advgeom.proofs.core import typst_math
from advgeom.reports import ledger
from advgeom.reports.report import build_source, render
from PIL import Image

PPI = 40
MARGIN_CM = 2.0


def _run() -> ledger.RunRecord:
    x = sp.symbols("x1:40", positive=True)
    long = sum(sp.sqrt(xi) / (1 + xi**2) for xi in x)
    step = {"index": 0, "lhs": typst_math(long), "rhs": typst_math(long), "lhs_text": str(long),
            "rhs_text": str(long), "relation": "=", "justification": "a long step " * 8,
            "ok": True, "method": "expand"}
    word = "w" * 300
    ev = [{"kind": "derivation", "title": "long", "steps": [step], "ok": True},
          {"kind": "reference", "form": "value", "name": word, "value": {"text": word, "num": None},
           "reference": None, "method": word, "passed": True}]
    t = ledger.TestRecord("tests/test_dube.py::test_" + "long_name_" * 20, "passed", 0.1, "",
                          [("DUBE-1", "")], ev)
    return ledger.RunRecord(7, "2026-01-01T00:00:00", "2026-01-01T00:00:01", 1.0, 2, False,
                            {"interrupted": True}, tests=[t])


def test_nothing_outside_the_side_margins():
    run = _run()
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    source, _ = build_source(run, stamp, paper="dube")
    assert "PARTIAL RUN" in source.split("= Summary")[0]  # on the title page
    pages = render(run, timestamp=stamp, paper="dube", fmt="png", ppi=PPI)
    band = int(MARGIN_CM / 2.54 * PPI) - 2  # a little inside the margin
    offenders = []
    for k, png in enumerate(pages):
        img = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
        sides = np.concatenate([img[:, :band], img[:, -band:]], axis=1)
        if (sides < 250).any():
            offenders.append(k + 1)
    assert len(pages) > 3 and not offenders, f"content in the side margins on pages {offenders}"
