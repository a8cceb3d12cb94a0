"""Formulas that render without a network: the TeX of markdown cells turned into MathML when a page is exported.

nbconvert leaves ``$...$`` and ``$$...$$`` in its HTML for MathJax, which it loads from a CDN; offline (a student
opening a feedback page saved from the LMS, a TA's formgrader on a closed network) the reader sees raw TeX.
:class:`MathToMathML`, a preprocessor of the feedback pages and of the formgrader's pages (``nbgrader_config.py``),
puts MathML in place of each formula, which browsers render natively (Chromium since version 109, Firefox and
Safari for longer). Code spans and fenced code keep their dollars.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

log = logging.getLogger(__name__)

#: Fenced code and code spans: left as they are.
CODE = re.compile(r"```.*?```|`[^`]*`", re.S)
#: Display math ``$$...$$`` and inline math ``$...$`` (within a paragraph: it may wrap, never past a blank line; not an
#: escaped ``\$``).
MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>(?:[^$\n]|\n(?!\s*\n))+?)\$", re.S)
#: Characters that markdown would read inside the MathML's text (emphasis, escapes, links, code, math).
MARKDOWN_SIGNS = {sign: f"&#{ord(sign)};" for sign in "*_`\\[]$"}
TEXT = re.compile(r">([^<]+)<")


def formula_to_mathml(tex: str, display: bool) -> str:
    """One formula as a ``<math>`` element on one line, with the characters markdown reads written as entities."""
    mathml = convert(tex.strip(), display="block" if display else "inline")
    return TEXT.sub(lambda text: ">" + "".join(MARKDOWN_SIGNS.get(c, c) for c in text.group(1)) + "<", mathml)


def markdown_with_mathml(markdown: str) -> str:
    """``markdown`` with each formula outside code replaced by MathML; a formula that latex2mathml cannot read
    stays TeX (and is logged)."""

    def replace(match: re.Match) -> str:
        display = match.group("display") is not None
        tex = match.group("display") if display else match.group("inline")
        try:
            return formula_to_mathml(tex, display)
        except Exception as error:  # latex2mathml raises its own errors and plain ones; the TeX is kept
            log.warning("formula left as TeX (%s: %s): %s", type(error).__name__, error, tex)
            return match.group(0)

    return sub_outside_code(MATH, replace, markdown)


def sub_outside_code(pattern: re.Pattern, replace: Callable[[re.Match], str], markdown: str) -> str:
    """``pattern.sub(replace, markdown)`` in the prose only: code spans and fenced blocks are left as written."""
    pieces, start = [], 0
    for code in CODE.finditer(markdown):
        pieces += [pattern.sub(replace, markdown[start : code.start()]), code.group(0)]
        start = code.end()
    pieces.append(pattern.sub(replace, markdown[start:]))
    return "".join(pieces)


class MathToMathML(Preprocessor):
    """nbconvert preprocessor: the formulas of markdown cells as MathML (:func:`markdown_with_mathml`)."""

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        """Convert one markdown cell's formulas, and those of a grader's comment on the cell (feedback pages)."""
        if cell.cell_type == "markdown":
            cell.source = markdown_with_mathml(cell.source)
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("comment"):
            nbgrader["comment"] = markdown_with_mathml(nbgrader["comment"])
        return cell, resources
