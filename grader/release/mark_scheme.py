"""nbgrader's removal of mark schemes, without the doubled blank line it leaves where a scheme was."""

from __future__ import annotations

import re

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearMarkScheme

BLANK_LINES = re.compile(r"\n{3,}")


class TidyClearMarkScheme(ClearMarkScheme):
    """``ClearMarkScheme``, and the blank lines around a removed region made one: a scheme sits between two
    paragraphs, each marker line with a blank line on its outer side, and removing it would leave two."""

    def _remove_mark_scheme_region(self, cell: NotebookNode) -> bool:
        removed = super()._remove_mark_scheme_region(cell)
        if removed:
            cell.source = BLANK_LINES.sub("\n\n", cell.source).strip("\n")
        return removed


def with_tidy_clear_mark_scheme(preprocessors: list) -> list:
    """``preprocessors`` (classes or their dotted names) with nbgrader's ``ClearMarkScheme`` replaced by
    :class:`TidyClearMarkScheme`."""
    names = {ClearMarkScheme, "nbgrader.preprocessors.ClearMarkScheme"}
    return [TidyClearMarkScheme if p in names else p for p in preprocessors]
