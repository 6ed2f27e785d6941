"""Text helpers for the report: Typst string literals and a LaTeX-to-Unicode reader for claim math.

Claim formalizations in the registry are written with LaTeX-style math (``$\\Gamma(n/2)$``). The
report shows them as Unicode text (``Γ(n/2)``) inside Typst string literals, which can never break
compilation, whatever the registry holds; derivations, which come from sympy, are typeset as real
Typst math (see :func:`proofs.core.typst_math`).
"""

from __future__ import annotations

import math
import re

__all__ = ["fmt_number", "latex_to_unicode", "lit"]

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "to": "→", "rightarrow": "→",
    "Rightarrow": "⇒", "Leftrightarrow": "⇔", "iff": "⇔", "implies": "⇒", "mapsto": "↦",
    "infty": "∞", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪",
    "cap": "∩", "setminus": "∖", "times": "×", "cdot": "·", "cdots": "⋯", "ldots": "…",
    "dots": "…", "pm": "±", "mp": "∓", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "∏",
    "int": "∫", "sqrt": "√", "|": "‖", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊",
    "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "forall": "∀", "exists": "∃", "neg": "¬",
    "land": "∧", "lor": "∨", "wedge": "∧", "vee": "∨", "circ": "∘", "ll": "≪", "gg": "≫",
    "propto": "∝", "perp": "⊥", "top": "⊤", "succ": "≻", "prec": "≺", "succeq": "⪰",
    "preceq": "⪯", "emptyset": "∅", "ell": "ℓ", "hat": "", "bar": "", "tilde": "",
    "quad": " ", "qquad": "  ", ",": " ", ";": " ", "!": "", " ": " ", "{": "{", "}": "}",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "mid": "|", "colon": ":", "det": "det",
    "log": "log", "ln": "ln", "exp": "exp", "max": "max", "min": "min", "sup": "sup",
    "inf": "inf", "lim": "lim", "arg": "arg", "sin": "sin", "cos": "cos", "tan": "tan",
    "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "", "Bigl": "",
    "Bigr": "", "displaystyle": "", "star": "⋆", "ast": "∗", "oplus": "⊕", "otimes": "⊗",
    "leftarrow": "←", "uparrow": "↑", "downarrow": "↓", "equiv": "≡", "cong": "≅",
}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _script(body: str, table: dict, marker: str) -> str:
    if body and all(ch in "0123456789+-=()n" for ch in body) and (marker == "^" or "n" not in body):
        return body.translate(table)
    return f"{marker}({body})" if len(body) > 1 else f"{marker}{body}"


def _braced(s: str, i: int) -> tuple[str, int]:
    """The content of a {...} group (or one character) starting at s[i]; returns (content, next)."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        if s[i] == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            return s[i:i + m.end()], i + m.end()
        return s[i], i + 1
    depth, j = 0, i
    while j < len(s):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return s[i + 1:], len(s)


def latex_to_unicode(text: str) -> str:
    """Readable Unicode for LaTeX-style math in registry text; ``$`` delimiters are dropped.

    >>> latex_to_unicode(r"$\\Gamma(n/2)/\\sqrt{\\pi} \\le 2e^{-nt^2/2}$")
    'Γ(n/2)/√(π) ≤ 2e^(-nt²/2)'
    >>> latex_to_unicode(r"$\\frac{1}{2}\\|x\\|_2$ in $\\mathbb R^n$")
    '(1)/(2)‖x‖₂ in ℝⁿ'
    """
    out: list[str] = []
    s = text.replace("$", "")
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            name = m.group(1)
            i += m.end()
            if name in ("frac", "tfrac", "dfrac", "binom"):
                a, i = _braced(s, i)
                b, i = _braced(s, i)
                a, b = latex_to_unicode(a), latex_to_unicode(b)
                out.append(f"C({a}, {b})" if name == "binom" else f"({a})/({b})")
            elif name == "sqrt":
                a, i = _braced(s, i)
                out.append(f"√({latex_to_unicode(a)})")
            elif name in ("mathbb", "mathbf", "mathrm", "mathcal", "text", "operatorname",
                          "textrm", "textit", "mathit", "boldsymbol", "mathsf"):
                a, i = _braced(s, i)
                conv = latex_to_unicode(a)
                out.append(_BLACKBOARD.get(conv, conv) if name == "mathbb" else conv)
            elif name in ("hat", "bar", "tilde", "vec", "overline", "widehat"):
                a, i = _braced(s, i)
                mark = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7",
                        "overline": "\u0305", "widehat": "\u0302"}[name]
                conv = latex_to_unicode(a)
                out.append(conv + mark if len(conv) == 1 else conv)
            else:
                out.append(_SYMBOLS.get(name, name))
        elif ch in "^_":
            body, i = _braced(s, i + 1)
            conv = latex_to_unicode(body)
            out.append(_script(conv, _SUPERSCRIPT if ch == "^" else _SUBSCRIPT, ch))
        elif ch in "{}":
            i += 1
        else:
            out.append(ch)
            i += 1
    return re.sub(r"[ ]{2,}", " ", "".join(out)).strip()


def lit(text: str) -> str:
    """A Typst string literal for arbitrary text, shown verbatim (``#"..."`` in markup)."""
    escaped = (str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "").replace("\t", " "))
    return f'"{escaped}"'


def fmt_number(encoded: dict | None, digits: int = 10) -> str:
    """Human-readable form of a value encoded by :func:`reports.pytest_plugin.encode_value`."""
    if encoded is None:
        return ""
    text = encoded.get("text", "")
    num = encoded.get("num")
    if text in ("True", "False"):
        return "yes" if text == "True" else "no"
    if num is None:
        # Beyond double range (1e-627) or non-numeric: shorten long mpmath text.
        m = re.fullmatch(r"(-?)(\d)\.?(\d*)e([+-]?\d+)", text)
        if m:
            return f"{m.group(1)}{m.group(2)}.{m.group(3)[:digits - 1]}e{int(m.group(4))}"
        return text if len(text) < 60 else text[:57] + "..."
    if float(num).is_integer() and abs(num) < 1e15 and "." not in text and "e" not in text:
        return str(int(num))
    if num == 0 or math.isfinite(num) and 1e-4 <= abs(num) < 1e6:
        return f"{num:.{digits}g}"
    return f"{num:.{digits - 1}e}"
