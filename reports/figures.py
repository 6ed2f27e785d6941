"""Figures the report draws itself from the registry and a run: the claim graph and verdict counts."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from advgeom.theory.claims import Claim  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

__all__ = ["STATUS_COLOURS", "claim_graph_svg", "status_colour", "svg_bytes"]

#: Colour per status, shared by the badges in the PDF and the claim graph.
STATUS_COLOURS = {
    "PROVED": "#1b7837",
    "CONFIRMED": "#5aae61",
    "CORRECTED": "#e08214",
    "REFUTED": "#b2182b",
    "UNSUPPORTED": "#8073ac",
    "NOT CHECKABLE": "#878787",
    "NOT ESTABLISHED": "#000000",
    "NOT RUN": "#d9d9d9",
}


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "#d9d9d9")


def svg_bytes(fig) -> str:
    """SVG text of a figure without a date stamp (so the same input gives the same bytes)."""
    matplotlib.rcParams["svg.hashsalt"] = "advgeom"
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def _depths(claims: list[Claim]) -> dict[str, int]:
    """Longest chain of ``uses`` below each claim (0 for claims that use nothing)."""
    by_id = {c.id: c for c in claims}
    memo: dict[str, int] = {}

    def depth(cid: str) -> int:
        if cid not in memo:
            deps = [u for u in by_id[cid].uses if u in by_id]
            memo[cid] = 1 + max(map(depth, deps)) if deps else 0
        return memo[cid]

    for c in claims:
        depth(c.id)
    return memo


def claim_graph_svg(claims: list[Claim], statuses: dict[str, str], papers: list[str]) -> str:
    """The ``uses`` graph, one band per paper, nodes coloured by the status reached in the run.

    Nodes sit in columns by dependency depth (a claim is to the right of everything it uses), in the
    manner of a Lean blueprint's dependency graph; an edge runs from a used claim to its user.
    """
    depth = _depths(claims)
    pos: dict[str, tuple[float, float]] = {}
    y0 = 0.0
    bands = []
    for paper in papers:
        members = [c for c in claims if c.paper == paper]
        if not members:
            continue
        columns: dict[int, list[Claim]] = {}
        for c in members:
            columns.setdefault(depth[c.id], []).append(c)
        per_row = 12
        height = 0
        for d, col in sorted(columns.items()):
            for k, c in enumerate(col):
                sub, row = divmod(k, per_row)
                pos[c.id] = (d * 2.6 + sub * 0.9, -(y0 + row))
            height = max(height, min(len(col), per_row))
        bands.append((paper, y0, y0 + height - 1))
        y0 += height + 1.2
    width = max((x for x, _ in pos.values()), default=1) + 2
    fig, ax = plt.subplots(figsize=(7.0, min(9.5, 0.17 * y0 + 0.8)))
    for c in claims:
        for u in c.uses:
            if u in pos and c.id in pos:
                (x1, y1), (x2, y2) = pos[u], pos[c.id]
                ax.annotate("", xy=(x2 - 0.25, y2), xytext=(x1 + 0.25, y1),
                            arrowprops={"arrowstyle": "-|>", "color": "#9e9e9e", "lw": 0.5,
                                        "shrinkA": 0, "shrinkB": 0, "mutation_scale": 5})
    for cid, (x, y) in pos.items():
        status = statuses.get(cid, "NOT RUN")
        colour = status_colour(status)
        text_colour = "white" if status not in ("NOT RUN", "CONFIRMED") else "black"
        ax.text(x, y, cid, ha="center", va="center", fontsize=4.2, color=text_colour,
                bbox={"boxstyle": "round,pad=0.25", "fc": colour, "ec": "none"})
    for paper, top, bottom in bands:
        ax.text(-1.4, -(top + bottom) / 2, paper, rotation=90, ha="center", va="center",
                fontsize=7, weight="bold")
    ax.set_xlim(-2.0, width)
    ax.set_ylim(-y0 + 0.5, 1.0)
    ax.axis("off")
    handles = [Line2D([], [], marker="s", ls="", color=status_colour(s), label=s)
               for s in STATUS_COLOURS]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=5.5,
              frameon=False)
    return svg_bytes(fig)
