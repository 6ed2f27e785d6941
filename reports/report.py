"""The PDF report: one verification run from the ledger, typeset with Typst.

Layout: title page; summary (verdict counts per document, a table of every claim); the claim graph;
per document, per claim a blueprint-style page (as stated, formalization, readings, verdict with its
correction or counterexample, derivations, evidence table, figures); an appendix with the run's
provenance. Every number printed comes from the run; nothing is stored in the report code.

The PDF is written to a temporary file in the target folder and renamed into place, so an
interrupted run never leaves a half-written report. With the same ledger run and ``timestamp``, the
output bytes are identical: figures are SVG without dates, fonts are the ones bundled with the
``typst`` package (system fonts ignored), and the document date is the timestamp.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import typst
from advgeom.reports import figures, verdicts
from advgeom.reports.ledger import RunRecord, TestRecord
from advgeom.reports.text import fmt_number, latex_to_unicode, lit
from advgeom.reports.verdicts import ClaimStatus, effective_outcome, run_statuses
from advgeom.theory import claims as registry
from advgeom.theory.claims import VERDICTS, Claim, Registry

__all__ = ["ReportError", "Reproduction", "build_source", "render", "reproductions", "safe_math",
           "write_report"]

PAPER_ORDER = ("spheres", "tilting", "intriguing", "dube", "spectrum")
STATUS_ORDER = (*VERDICTS, "NOT ESTABLISHED", "NOT RUN")


class ReportError(RuntimeError):
    """The report cannot be written (bad output path, unknown paper, Typst failure)."""


@dataclass(frozen=True)
class Reproduction:
    """A claim's outcome in a stored reproduction run (``advgeom reproduce``) of one scale."""

    run_id: int
    started: str
    scale: str
    experiment: str
    status: ClaimStatus
    failures: str = ""  # the messages of its failed tests (which checks failed)


def _experiments() -> dict:
    """The registered reproductions (name -> experiment), read where ``advgeom reproduce`` reads
    them."""
    from advgeom.reports import reproduce

    return reproduce.EXPERIMENTS


def reproductions(ledger_path: Path | str, *, scale: str = "paper",
                  reg: Registry | None = None) -> dict[str, Reproduction]:
    """For each claim, its status in the newest stored reproduction run of ``scale`` that served it.

    A reproduction run stores one test per (experiment, claim) and per reading it decides, named
    ``reproduce::EXPERIMENT::CLAIM[::READING]``; different runs may hold different experiments, so the runs
    are read from the newest back until every claim of a reproduction is found or the runs end.
    """
    from advgeom.reports import ledger

    reg = reg or registry.registry()
    wanted = {c for e in _experiments().values() for c in e.claims}
    out: dict[str, Reproduction] = {}
    for meta in reversed(ledger.list_runs(ledger_path)):
        if meta["scale"] != scale or wanted <= set(out):
            continue
        run = ledger.load_run(ledger_path, meta["id"])
        for t in run.tests:
            parts = t.nodeid.split("::")  # reproduce::EXPERIMENT::CLAIM[::READING]
            if len(parts) not in (3, 4) or parts[0] != "reproduce" or parts[2] in out:
                continue
            cid = parts[2]
            if cid in reg.claims:
                failures = "; ".join(x.message for x in run.tests_for(cid)
                                     if x.outcome == "failed" and x.message)
                out[cid] = Reproduction(run.id, run.started, run.scale, parts[1],
                                        verdicts.claim_status(reg.claims[cid], run), failures)
    return out


@dataclass
class _Doc:
    parts: list[str]
    files: dict[str, str]
    bad_math: frozenset[str] = frozenset()
    bad_figures: dict[str, str] = field(default_factory=dict)

    def add(self, *chunks: str) -> None:
        self.parts.extend(chunks)

    def svg(self, text: str) -> str:
        name = f"fig-{len(self.files) + 1:03d}.svg"
        self.files[name] = text
        return name


def _hold_sigterm():
    """Block SIGTERM (the CLI turns it into an exception); the previous mask, or None where the
    platform or thread does not allow it."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    except (AttributeError, ValueError, OSError):
        return None


def _release_sigterm(mask) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextlib.contextmanager
def _scratch_folder():
    """A private temporary folder for Typst, removed on every way out.

    ``tempfile.TemporaryDirectory`` leaves its folder behind when SIGTERM lands between creating
    the folder and registering its clean-up. Here the folder is made with SIGTERM blocked, and the
    signal is let through only inside the ``try`` whose ``finally`` removes it (again blocked, so
    the removal is not cut short); a signal that arrived meanwhile is delivered then."""
    mask, tmp = _hold_sigterm(), None
    try:
        tmp = tempfile.mkdtemp(prefix="advgeom-typst-")
        _release_sigterm(mask)
        mask = None
        yield tmp
    finally:
        if mask is None:
            mask = _hold_sigterm()
        try:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            _release_sigterm(mask)


def _digest(text: str) -> str:
    return hashlib.sha256(str(text).encode("utf-8", "replace")).hexdigest()


def _breakable(text: str) -> str:
    """Zero-width spaces inside long unbroken runs, so that a line can break there."""
    def split(m: re.Match) -> str:
        word = re.sub(r"([_/.,:;=(\[*+\-])", "\\1\u200b", m.group(0))
        return re.sub(r"([^\u200b\s]{12})(?=[^\u200b\s])", "\\1\u200b", word)

    return re.sub(r"\S{13,}", split, str(text))


def _t(text: str) -> str:
    """Markup that shows ``text`` verbatim (long runs may break across lines)."""
    return f"#{lit(_breakable(text))}"


def _badge(status: str) -> str:
    colour = figures.status_colour(status)
    fg = "black" if status in ("NOT RUN", "CONFIRMED") else "white"
    return (f'#box(fill: rgb("{colour}"), inset: (x: 3pt, y: 1.5pt), radius: 2pt, '
            f'text(fill: {fg}, size: 7pt, weight: "bold", {lit(status)}))')


def _paper_order(reg: Registry) -> list[str]:
    known = [p for p in PAPER_ORDER if p in reg.papers]
    return known + sorted(p for p in reg.papers if p not in known)


_PREAMBLE = """
#set document(title: "advgeom verification report", author: "advgeom", date: {date})
#set page(paper: "a4", margin: (x: 2cm, y: 2cm), numbering: "1",
  header: context {{ if counter(page).get().first() > 1 [
    #set text(size: 7pt, fill: gray.darken(30%))
    advgeom verification report #h(1fr) run {run_id} ]}})
#set text(font: "Libertinus Serif", size: 10pt, lang: "en")
#show raw: set text(font: "DejaVu Sans Mono", size: 7.5pt)
#set heading(numbering: "1.1")
#show heading.where(level: 1): it => {{ pagebreak(weak: true); it }}
#set table(stroke: 0.4pt + gray, inset: 4pt)
#show table: set text(size: 7.5pt)
#let ok = text(fill: rgb("#1b7837"), weight: "bold", "pass")
#let bad = text(fill: rgb("#b2182b"), weight: "bold", "FAIL")
#let info = text(fill: gray, "info")
#let fit(body) = layout(size => {{
  let w = measure(body).width
  if w > size.width {{ scale(size.width / w * 100%, reflow: true, body) }} else {{ body }}
}})
"""


def _title_page(doc: _Doc, run: RunRecord, stamp: datetime, statuses: list[ClaimStatus],
                reg: Registry, papers: list[str]) -> None:
    top = [s for s in statuses if not s.reading and reg.claims[s.claim_id].paper in papers]
    established = sum(1 for s in top if s.established)
    line1 = (f"{len(top)} claims from {len(papers)} documents; "
             f"{established} verdicts established in run {run.id}")
    line2 = (f"Run of {run.started} UTC, {run.duration:.1f} s; "
             f"report of {stamp.strftime('%Y-%m-%d %H:%M UTC')}")
    doc.add(
        "#align(center)[#v(3cm)",
        "#text(size: 24pt, weight: \"bold\")[advgeom]\\",
        "#v(0.3cm)#text(size: 15pt)[Verification report: the geometry of adversarial examples]",
        "#v(1cm)",
        f"#text(size: 11pt)[{_t(line1)}]",
        "#v(0.5cm)",
        f"#text(size: 9pt)[{_t(line2)}]",
        "#v(2cm)]",
        *_partial_notice(run),
        "#block(inset: 8pt, stroke: 0.4pt + gray, radius: 3pt)[",
        "#set text(size: 8.5pt)",
        "*How to read this report.* Each claim has an expected verdict in the registry: a hypothesis. "
        "The run establishes it only when every test of the claim passed and the kinds of evidence "
        "its verdict needs are present (the line under each badge names them); the badge then shows "
        "the verdict. Otherwise it shows NOT ESTABLISHED with the failing check or the missing kind, "
        "or NOT RUN. Claims served by a reproduction show its configuration at CI and paper scale, "
        "and the latest paper-scale outcome stored in the ledger. Verdicts: "
        "PROVED (symbolic derivation, every step machine-checked, and numerics agree), CONFIRMED "
        "(numerically, within a stated tolerance or interval), CORRECTED (false or imprecise as "
        "stated; a corrected statement holds), REFUTED (a computed counterexample), UNSUPPORTED (the "
        "cited evidence does not support it), NOT CHECKABLE (qualitative; the registry says why). "
        "Monte Carlo intervals are at level 1 - 1e-6 unless stated.]",
    )


def _partial_notice(run: RunRecord) -> list[str]:
    """A warning box for the title page when the run is not a complete verification."""
    if run.complete:
        return []
    p = run.provenance or {}
    why = [f"pytest exit status {run.exitstatus}"]
    if p.get("interrupted"):
        why.append("the run was interrupted")
    partial = p.get("partial_claims") or {}
    if partial:
        why.append(f"{len(partial)} claims had only some of their tests run")
    text = ("PARTIAL RUN: this run is not a complete verification (" + "; ".join(why) + "). Claims it "
            "did not exercise show NOT RUN; claims only some of whose tests ran show NOT ESTABLISHED.")
    return [f'#block(fill: rgb("#fbe3e4"), inset: 8pt, radius: 3pt, width: 100%)'
            f'[#text(weight: "bold")[{_t(text)}]]', "#v(0.4cm)"]


def _strongest_table(doc: _Doc, top: list[ClaimStatus]) -> None:
    """Claims counted by the strongest kind of evidence behind their status."""
    counts: Counter = Counter()
    for s in top:
        if s.status == "NOT CHECKABLE":
            counts["not checkable (no test needed)"] += 1
        elif s.status == "NOT RUN":
            counts["not run"] += 1
        elif not s.established:
            counts["not established"] += 1
        else:
            counts[getattr(verdicts, "strongest_kind", lambda _s: None)(s) or "none"] += 1
    order = ["derivation", "counterexample", "reference", "decision", "interval", "none",
             "not established", "not run", "not checkable (no test needed)"]
    rows = ", ".join(f"[{_t(k)}], [{counts[k]}]" for k in order if counts[k])
    doc.add("== Claims by the strongest evidence behind them",
            "#table(columns: (auto, auto), align: (left, right), [*strongest evidence*], "
            f"[*claims*], {rows})")


def _sentence(s: ClaimStatus) -> str:
    fn = getattr(verdicts, "evidence_sentence", None)
    text = fn(s) if fn is not None else s.status
    return f"#text(size: 8pt, style: \"italic\")[{_t(text)}]"


def _summary(doc: _Doc, reg: Registry, statuses: list[ClaimStatus], papers: list[str]) -> None:
    top = {s.claim_id: s for s in statuses if not s.reading}
    doc.add("= Summary", "== Verdicts by document")
    counts = {p: Counter(top[c.id].status for c in reg.all(p)) for p in papers}
    used = [s for s in STATUS_ORDER if any(counts[p][s] for p in papers)]
    header = ", ".join(["[*document*]", *(f"[{_badge(s)}]" for s in used), "[*total*]"])
    rows = []
    for p in papers:
        cells = [f"[{_t(reg.papers[p].title)}]"] + [f"[{counts[p][s] or ''}]" for s in used]
        rows.append(", ".join(cells + [f"[{sum(counts[p].values())}]"]))
    doc.add(f"#table(columns: {len(used) + 2}, align: (left, {', '.join(['center'] * (len(used) + 1))}),",
            header + ",", ",\n".join(rows), ")")
    _strongest_table(doc, [top[c.id] for p in papers for c in reg.all(p)])
    doc.add("== All claims")
    rows = []
    for p in papers:
        for c in reg.all(p):
            s = top[c.id]
            rows.append(f"[#link(label({lit('claim-' + c.id)}))[{_t(c.id)}]], [{_t(c.title)}], "
                        f"[{_t(c.verdict)}], [{_badge(s.status)}], [{s.n_passed}/{s.n_tests}]")
    doc.add("#table(columns: (auto, 1fr, auto, auto, auto), align: (left, left, left, left, right),",
            "[*ID*], [*claim*], [*expected*], [*this run*], [*tests*],", ",\n".join(rows), ")")


def _graph(doc: _Doc, reg: Registry, statuses: list[ClaimStatus], papers: list[str]) -> None:
    top = {s.claim_id: s.status for s in statuses if not s.reading}
    members = [c for c in reg.all() if c.paper in papers]
    name = doc.svg(figures.claim_graph_svg(members, top, papers))
    doc.add("= Claim graph",
            "Each claim is a node coloured by the status it reached in this run; an arrow runs from a "
            "claim to the claims that use it (the registry's `uses`).",
            f'#figure(image("{name}", width: 100%))')


def _form(item: dict) -> str | None:
    """``value`` or ``estimate`` for a row that shows a number with its criterion, else None."""
    if item.get("kind") in ("value", "estimate"):  # rows written before evidence had kinds
        return item["kind"]
    form = item.get("form")
    return form if form in ("value", "estimate") and isinstance(item.get("value"), dict) else None


def _value_row(item: dict) -> str:
    if _form(item) == "estimate":
        lo, hi = item["interval"]
        crit = f"[{fmt_number(lo)}, {fmt_number(hi)}] at {item['level']:.7g}"
        ref = fmt_number(item.get("reference"))
        if item.get("upper"):
            ref += f" upper {fmt_number(item['upper'])}"
        if item.get("lower"):
            ref += f" lower {fmt_number(item['lower'])}"
        crit += f", n = {item['samples']}"
    else:
        parts = []
        if item.get("rtol") is not None:
            parts.append(f"rtol {item['rtol']:g}")
        if item.get("atol") is not None:
            parts.append(f"atol {item['atol']:g}")
        if item.get("interval"):
            lo, hi = item["interval"]
            parts.append(f"in [{fmt_number(lo)}, {fmt_number(hi)}]")
        if item.get("upper"):
            parts.append(f"<= {fmt_number(item['upper'])}")
        if item.get("lower"):
            parts.append(f">= {fmt_number(item['lower'])}")
        if item.get("rel_err"):
            parts.append(f"rel. err. {fmt_number(item['rel_err'], 3)}")
        crit = "; ".join(parts)
        ref = fmt_number(item.get("reference"))
    status = {True: "#ok", False: "#bad", None: "#info"}.get(item.get("passed"), "#info")
    name = str(item.get("name", "")) + (f" ({item['note']})" if item.get("note") else "")
    kind = str(item.get("kind", "")) + (f": {item['method']}" if item.get("method") else "")
    return (f"[{_t(name)}], [{_t(fmt_number(item['value']))}], [{_t(ref)}], [{_t(crit)}], "
            f"[{_t(kind)}], [{status}]")


_RELATIONS = {"=": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">", "!=": "!="}
#: Multi-letter names that Typst math from :func:`advgeom.proofs.core.typst_math` may contain.
_MATH_NAMES = frozenset("""
sqrt root binom abs max min sin cos tan ln exp sinh cosh tanh arcsin arccos arctan Gamma Beta
zeta psi cases integral sum lim partial dif infinity pi gamma display
alpha beta delta epsilon eta theta iota kappa lambda mu nu xi rho sigma tau upsilon phi chi omega
Delta Theta Lambda Xi Pi Sigma Phi Psi Omega
""".split())
_MATH_STRING = re.compile(r'"[A-Za-z0-9 _,:;+\-()\'.]*"')
_MATH_CHARS = re.compile(r"[A-Za-z0-9\s()+\-*/^_,=<>!&'|.]*")


def safe_math(text: str) -> str | None:
    """``text`` if it is Typst math of the kind the sympy printer writes (letters, numbers,
    operators, the printer's function names, plain quoted words), else None: ledger text is data,
    and anything else (``#``, ``$``, brackets, other identifiers) would be Typst code."""
    if not isinstance(text, str) or len(text) > 20000:
        return None
    bare = _MATH_STRING.sub(" ", text)
    if not _MATH_CHARS.fullmatch(bare) or re.search(r"[A-Za-z]\.|\.[A-Za-z]", bare):
        return None
    if any(len(w) > 1 and w not in _MATH_NAMES for w in re.findall(r"[A-Za-z]+", bare)):
        return None
    return text


def _step_math(step: dict) -> str | None:
    lhs, rhs = safe_math(step.get("lhs")), safe_math(step.get("rhs"))
    rel = _RELATIONS.get(step.get("relation"))
    if lhs is None or rhs is None or rel is None:
        return None
    return f"$display({lhs} {rel} {rhs})$"


def _fitted(math: str) -> str:
    """Math set at its natural size, or scaled down to the line width when it is wider."""
    return f"#fit(box({math}))"


def _derivation(doc: _Doc, item: dict, math_ok: bool) -> None:
    doc.add(f"*Derivation: {_t(str(item.get('title', '')))}*")
    extra = []
    for p in item.get("premises") or []:
        extra.append(f"premise {p.get('name', '')}: {p.get('relation', '')} ({p.get('statement', '')})")
    concl = item.get("conclusion")
    if concl:
        extra.append(f"conclusion: {concl.get('text', '')}")
    mut = item.get("mutation")
    if mut:
        line = f"mutation check: {mut.get('rejected', 0)} of {mut.get('total', 0)} mutations rejected"
        if mut.get("survived"):
            line += "; survived: " + "; ".join(map(str, mut["survived"]))
        extra.append(line)
    if item.get("vacuous"):
        extra.append("VACUOUS: a perturbed premise or conclusion still checks; this derivation "
                     "establishes nothing")
    if extra:
        doc.add(f"#text(size: 7.5pt)[{' #linebreak() '.join(_t(x) for x in extra)}]")
    lines = []
    for step in item.get("steps") or []:
        rel = str(step.get("relation", ""))
        eq = _step_math(step) if math_ok else None
        if eq is not None and eq not in doc.bad_math:
            eq = _fitted(eq)
        else:
            eq = _t(f"{step.get('lhs_text', '')} {rel} {step.get('rhs_text', '')}")
        mark = "#ok" if step.get("ok") else "#bad"
        lines.append(f"[{int(step.get('index', 0)) + 1}.], [{eq}], [{mark}], [], "
                     f"[#text(size: 7.5pt)[{_t(str(step.get('justification', '')))}]], "
                     f"[#text(size: 6pt, fill: gray, {lit(str(step.get('method', '')))})]")
    doc.add("#table(columns: (auto, 1fr, auto), stroke: none, align: horizon,",
            ",\n".join(lines), ")")


def _decision(doc: _Doc, e: dict) -> None:
    def num(x) -> str:
        return "" if x is None else f"{x:.6g}" if isinstance(x, float | int) else str(x)

    ci = e.get("ci") or [None, None]
    rows = [("statistic", e.get("statistic") or e.get("name", "")), ("rule", e.get("rule", "")),
            ("level", f"family-wise {num(e.get('level'))}, per test {num(e.get('per_test_level'))}"
                      f", family {num(e.get('family'))}"),
            ("minimum effect", num(e.get("min_effect"))),
            ("sample", f"n = {num(e.get('n'))} (planned {num(e.get('planned_sample'))})"),
            ("effect", f"{num(e.get('effect'))}, interval [{num(ci[0])}, {num(ci[1])}]"),
            ("outcome", str(e.get("outcome", "")))]
    if e.get("n_to_decide"):
        rows.append(("sample that would decide", num(e.get("n_to_decide"))))
    cells = ", ".join(f"[*{_t(k)}*], [{_t(v)}]" for k, v in rows)
    doc.add(f"*Decision: {_t(str(e.get('name', '')))}*",
            f"#table(columns: (auto, 1fr), {cells})")


def _evidence(doc: _Doc, tests: list[TestRecord], shown_figures: dict[str, str], claim_id: str,
              math_ok: bool) -> None:
    for t in tests:
        outcome = {"passed": "#ok", "failed": "#bad"}.get(effective_outcome(t), "#info")
        short = t.nodeid.split("::", 1)[-1]
        mono = f'#text(font: "DejaVu Sans Mono", size: 7.5pt, {lit(_breakable(short))})'
        doc.add(f"#block(above: 8pt, below: 3pt)[{outcome} #h(3pt) {mono} "
                f"#text(size: 7pt, fill: gray)[{_t(f'{t.duration:.2f} s')}]]")
        if t.outcome == "failed" and t.message:
            doc.add(f"#block(fill: rgb(\"#fbe3e4\"), inset: 4pt, width: 100%)"
                    f"[#text(size: 7pt)[{_t(t.message[:600])}]]")
        values = [e for e in t.evidence if _form(e)]
        if values:
            doc.add("#table(columns: (1.5fr, 1fr, 1fr, 1.2fr, 1fr, auto),",
                    "[*check*], [*value*], [*reference*], [*tolerance / interval*], [*kind*], "
                    "[*pass*],",
                    ",\n".join(_value_row(v) for v in values), ")")
        for e in t.evidence:
            if e["kind"] == "derivation":
                _derivation(doc, e, math_ok)
            elif e["kind"] == "decision":
                _decision(doc, e)
            elif e["kind"] == "counterexample":
                vals = dict(e.get("values") or {})
                for key in ("value", "bound", "margin", "tolerance"):
                    if isinstance(e.get(key), dict):
                        vals[key] = e[key]
                if e.get("relation"):
                    vals["claimed relation"] = {"text": f"value {e['relation']} bound", "num": None}
                rows = ", ".join(f"[{_t(k)}], [{_t(fmt_number(v, 12))}]" for k, v in vals.items())
                doc.add(f"#block(fill: rgb(\"#fff4e5\"), inset: 5pt, width: 100%)[*Counterexample.* "
                        f"{_t(e['description'])}",
                        f"#table(columns: (auto, auto), {rows})]" if rows else "]")
            elif e["kind"] == "table":
                ncol = len(e["header"])
                cells = [f"[*{_t(h)}*]" for h in e["header"]]
                cells += [f"[{_t(x)}]" for row in e["rows"] for x in row]
                doc.add(f"*{_t(e['title'])}*", f"#table(columns: {ncol}, {', '.join(cells)})")
            elif e["kind"] == "figure":
                key = f"{t.nodeid}#{e['caption']}"
                if key in shown_figures and shown_figures[key] != claim_id:
                    note = f"Figure shown under {shown_figures[key]}: {e['caption'][:80]}"
                    doc.add(f"#text(size: 8pt, style: \"italic\")[{_t(note)}]")
                    continue
                shown_figures[key] = claim_id
                reason = doc.bad_figures.get(_digest(e.get("svg", "")))
                if reason is not None:
                    doc.add(f"#block(stroke: 0.4pt + gray, inset: 6pt, width: 100%)[#text(size: 8pt)["
                            f"{_t('Figure not shown (' + reason + '): ' + e['caption'])}]]")
                    continue
                name = doc.svg(e["svg"])
                doc.add(f'#figure(image("{name}", width: 92%), caption: [{_t(e["caption"])}])')


def _config_text(config) -> str:
    """A configuration (dict, list of dicts, nested) as one line: ``key = value; ...``."""
    if isinstance(config, dict):
        return "; ".join(f"{k} = ({_config_text(v)})" if isinstance(v, dict | list) else
                         f"{k} = {_config_value(v)}" for k, v in config.items())
    if isinstance(config, list | tuple) and all(isinstance(x, dict) for x in config):
        return " | ".join(_config_text(x) for x in config)
    return _config_value(config)


def _config_value(v) -> str:
    if isinstance(v, list | tuple):
        return ", ".join(_config_value(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _scale_block(doc: _Doc, c: Claim, run: RunRecord, repro: dict[str, Reproduction]) -> None:
    """Under a claim served by a reproduction: the scale of this run's evidence, the papers'
    configuration beside ours, and the paper-scale outcome when the ledger holds one."""
    served = [e for e in _experiments().values() if c.id in e.claims]
    if not served:
        return

    def cell(text: str) -> str:
        return f"[#text(size: 7pt)[{_t(text)}]]"

    rows = [", ".join((cell(e.name), cell(_config_text(e.configuration.get("ci", ""))),
                       cell(_config_text(e.configuration.get("paper", ""))))) for e in served]
    scale = run.scale or "ci"
    doc.add(f"*Scale.* #text(size: 8pt)[{_t(f'The evidence below is from a run at {scale} scale.')}]",
            "#table(columns: (auto, 1fr, 1fr), stroke: 0.3pt + gray, inset: 3pt,",
            "[*experiment*], [*CI scale (this suite)*], [*paper scale*],", ",\n".join(rows), ")")
    r = repro.get(c.id)
    if r is None:
        names = " ".join(e.name for e in served)
        text = (f"No paper-scale reproduction in this ledger: 'advgeom reproduce {names} "
                "--scale paper' makes one.")
    else:
        when = r.started[:16].replace("T", " ")
        text = (f"Paper-scale reproduction, run {r.run_id} of {when} UTC ({r.experiment}): "
                f"{verdicts.evidence_sentence(r.status)}"
                + (f" ({r.failures})" if r.failures else ""))
    doc.add(f"#text(size: 8pt)[{_t(text)}]", "")


def _claim_page(doc: _Doc, c: Claim, by_id: dict[tuple[str, str], ClaimStatus], run: RunRecord,
                shown: dict[str, str], math_ok: bool,
                repro: dict[str, Reproduction] | None = None) -> None:
    s = by_id[(c.id, "")]
    doc.add(f"== {_t(c.id + ': ' + c.title)} #label({lit('claim-' + c.id)})",
            f"{_badge(s.status)} #h(4pt) #text(size: 8pt)[expected {_t(c.verdict)}; "
            f"{s.n_passed} of {s.n_tests} tests passed]", "", _sentence(s))
    rows = [("Source", c.source), ("As stated", c.as_stated),
            ("Formal", latex_to_unicode(c.formal))]
    if c.correction:
        rows.append(("Correction", latex_to_unicode(c.correction)))
    if c.counterexample:
        rows.append(("Counterexample", latex_to_unicode(c.counterexample)))
    if c.rule:
        rows.append(("Decision rule", latex_to_unicode(c.rule)))
    if c.uses:
        rows.append(("Uses", ", ".join(c.uses)))
    if c.notes:
        rows.append(("Notes", latex_to_unicode(c.notes)))
    cells = ", ".join(f"[*{k}*], [{_t(v)}]" for k, v in rows)
    doc.add(f"#table(columns: (auto, 1fr), stroke: none, {cells})")
    if c.readings:
        rrows = []
        for r in c.readings:
            rs = by_id[(c.id, r.id)]
            rrows.append(f"[{_t(r.id)}], [{_t(latex_to_unicode(r.statement))} #linebreak() "
                         f"{_sentence(rs)}], [{_t(r.verdict)}], "
                         f"[{_badge(rs.status)}], [{rs.n_passed}/{rs.n_tests}]")
        doc.add("*Readings*", "#table(columns: (auto, 1fr, auto, auto, auto),",
                "[*reading*], [*statement*], [*expected*], [*this run*], [*tests*],",
                ",\n".join(rrows), ")")
    _scale_block(doc, c, run, repro or {})
    if s.failing:
        doc.add(f"#text(fill: rgb(\"#b2182b\"))[*Failing:* {_t(', '.join(s.failing))}]")
    tests = run.tests_for(c.id)
    if tests:
        doc.add("*Evidence*")
        _evidence(doc, tests, shown, c.id, math_ok)
    elif c.verdict == "NOT CHECKABLE":
        doc.add(f"#text(size: 8pt, style: \"italic\")[{_t('No test: ' + latex_to_unicode(c.notes))}]")


def _provenance(doc: _Doc, run: RunRecord) -> None:
    p = run.provenance
    counts = Counter(t.outcome for t in run.tests)
    rows = [
        ("run", str(run.id)), ("started", run.started), ("finished", run.finished),
        ("duration", f"{run.duration:.1f} s"), ("exit status", str(run.exitstatus)),
        ("complete", "yes" if run.complete else "no (some tests deselected or claims not run)"),
        ("tests", ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))),
        ("git commit", p.get("git_commit", "") + (" (uncommitted changes)" if p.get("git_dirty") else "")),
        ("python", p.get("python", "")), ("platform", p.get("platform", "")),
        ("processor", f"{p.get('processor', '')}, {p.get('cpus', '')} CPUs"),
        ("command", " ".join(p.get("argv", [])) or "(default)"),
        ("hypothesis profile", p.get("hypothesis_profile", "")),
        ("seeds", p.get("seeds", "")),
    ]
    rows += [(f"package {k}", v) for k, v in sorted(p.get("packages", {}).items())]
    cells = ", ".join(f"[*{_t(k)}*], [{_t(v)}]" for k, v in rows)
    doc.add("= Appendix: provenance of the run", f"#table(columns: (auto, 1fr), {cells})")
    failed = [t for t in run.tests if t.outcome == "failed"]
    if failed:
        doc.add("== Failed tests", "#table(columns: (auto, 1fr),",
                ",\n".join(f'[#text(font: "DejaVu Sans Mono", size: 7pt, {lit(_breakable(t.nodeid))})], '
                           f"[{_t(t.message[:300])}]" for t in failed), ")")


def build_source(run: RunRecord, stamp: datetime, *, paper: str | None = None,
                 reg: Registry | None = None, math_ok: bool = True,
                 bad_figures: dict[str, str] | None = None,
                 reproductions: dict[str, Reproduction] | None = None) -> tuple[str, dict[str, str]]:
    """Typst source and the figure files it references, for one run (with the paper-scale
    reproduction outcomes of :func:`reproductions`, shown under the claims they serve)."""
    reg = reg or registry.registry()
    papers = _paper_order(reg)
    if paper is not None:
        if paper not in reg.papers:
            raise ReportError(f"--paper {paper!r} is not a registered paper; choose one of "
                              f"{', '.join(papers)}")
        papers = [paper]
    statuses = run_statuses(reg.all(), run)
    by_id = {(s.claim_id, s.reading): s for s in statuses}
    date = (f"datetime(year: {stamp.year}, month: {stamp.month}, day: {stamp.day}, "
            f"hour: {stamp.hour}, minute: {stamp.minute}, second: {stamp.second})")
    doc = _Doc([_PREAMBLE.format(date=date, run_id=run.id)], {},
               _untypesettable(run) if math_ok else frozenset(), dict(bad_figures or {}))
    _title_page(doc, run, stamp, statuses, reg, papers)
    _summary(doc, reg, statuses, papers)
    _graph(doc, reg, statuses, papers)
    shown: dict[str, str] = {}
    for p in papers:
        meta = reg.papers[p]
        byline = f"{meta.authors}, arXiv:{meta.arxiv}. Seed document: {meta.seed}."
        doc.add(f"= {_t(meta.title)}", f"#text(size: 9pt)[{_t(byline)}]")
        if meta.summary:
            doc.add(f"#par[{_t(' '.join(meta.summary.split()))}]")
        for c in reg.all(p):
            _claim_page(doc, c, by_id, run, shown, math_ok, reproductions)
    _provenance(doc, run)
    return "\n".join(doc.parts) + "\n", doc.files


def _untypesettable(run: RunRecord) -> frozenset[str]:
    """Derivation steps whose printed math Typst rejects; they are shown as plain text instead.

    All steps are compiled in one scratch document, one per line, in a folder that holds nothing
    else; each error names its line, that step is set aside and the rest compiled again, so one odd
    expression costs one step's math, not the whole report's. Math that is not of the printer's
    kind (see :func:`safe_math`) never reaches Typst.
    """
    snippets = sorted({m for t in run.tests for e in t.evidence if e.get("kind") == "derivation"
                       for step in e.get("steps") or [] if (m := _step_math(step)) is not None})
    bad: set[str] = set()
    with _scratch_folder() as tmp:
        for _ in range(len(snippets) + 1):
            good = [x for x in snippets if x not in bad]
            try:
                typst.compile("\n".join(good).encode(), format="pdf", root=tmp,
                              ignore_system_fonts=True)
                break
            except typst.TypstError as exc:
                m = re.search(r":(\d+):\d+", getattr(exc, "diagnostic", "") or str(exc))
                if not m or not 1 <= int(m.group(1)) <= len(good):
                    return frozenset(snippets)  # cannot locate it: plain text for all
                bad.add(good[int(m.group(1)) - 1])
    return frozenset(bad)


def _bad_figures(files: dict[str, str]) -> dict[str, str]:
    """Figures that Typst cannot embed, by digest of their SVG, with the reason (one line)."""
    out = {}
    with _scratch_folder() as tmp:
        for text in files.values():
            (Path(tmp) / "f.svg").write_text(text, encoding="utf-8")
            try:
                typst.compile(b'#image("f.svg")', format="pdf", root=tmp, ignore_system_fonts=True)
            except typst.TypstError as exc:
                out[_digest(text)] = " ".join(str(exc).split())[:120] or "not a valid SVG"
    return out


def _compile(source: str, files: dict[str, str], stamp: datetime, *, fmt: str = "pdf",
             ppi: float | None = None):
    """Compile in a temporary folder that holds only the report's own files (the Typst root)."""
    with _scratch_folder() as tmp:
        root = Path(tmp)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        (root / "main.typ").write_text(source, encoding="utf-8")
        compiler = typst.Compiler(root=str(root), ignore_system_fonts=True)
        return compiler.compile(input=str(root / "main.typ"), format=fmt, ppi=ppi, timestamp=stamp)


def render(run: RunRecord, *, timestamp: datetime | None = None, paper: str | None = None,
           fmt: str = "pdf", ppi: float | None = None,
           reproductions: dict[str, Reproduction] | None = None):
    """The compiled report (PDF bytes, or a list of PNG pages with ``fmt="png"``).

    A figure Typst cannot embed becomes a placeholder with the reason; math Typst rejects falls back
    to text."""
    stamp = (timestamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    source, files = build_source(run, stamp, paper=paper, reproductions=reproductions)
    try:
        return _compile(source, files, stamp, fmt=fmt, ppi=ppi)
    except typst.TypstError:
        bad = _bad_figures({k: v for k, v in files.items() if k.startswith("fig-")})
        source, files = build_source(run, stamp, paper=paper, math_ok=False, bad_figures=bad,
                                     reproductions=reproductions)
        try:
            return _compile(source, files, stamp, fmt=fmt, ppi=ppi)
        except typst.TypstError as exc:
            raise ReportError("Typst could not typeset the report: "
                              f"{' '.join(str(exc).split())[:300]}") from None


def write_report(run: RunRecord, output: Path | str, *, timestamp: datetime | None = None,
                 paper: str | None = None,
                 reproductions: dict[str, Reproduction] | None = None) -> Path:
    """Typeset ``run`` into the PDF ``output`` (atomically: a temporary file in the same folder,
    fsynced, then renamed); return the path written."""
    output = Path(output)
    if output.suffix.lower() != ".pdf":
        raise ReportError(f"output {str(output)!r} must end in .pdf")
    if output.is_dir():
        raise ReportError(f"output {str(output)!r} is a directory")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(f"cannot write {str(output)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ReportError(f"cannot write {str(output)!r}: folder {str(folder)!r} is not writable")
    pdf = render(run, timestamp=timestamp, paper=paper, reproductions=reproductions)
    mask = _hold_sigterm()  # as in _scratch_folder: the partial file must exist inside the try
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".advgeom-", suffix=".pdf.part", dir=folder)
    except BaseException:
        _release_sigterm(mask)
        raise
    try:
        _release_sigterm(mask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp's 0600 is for the partial file only
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    try:  # the rename itself, on disk
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return output
