"""Formulas as MathML, so that feedback pages and the formgrader render them without a network."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from nbconvert.filters.markdown import markdown2html_mistune
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.common.assignments import assignment_names
from grader.report.mathml import MathToMathML, markdown_with_mathml
from tests.support import ROOT

MARKDOWN = r"""The update is $\mathbf{m} = \beta_1 \mathbf{m} +
(1 - \beta_1) g$, a formula that wraps, and with *emphasis* after it:

$$
\hat{y} = \sigma\left(\sum_i w_i x_i + b\right)
$$

Code keeps its dollars: `echo $HOME` and

```bash
price=$5 and $6
```

An escaped \$ sign is text, and so is a price of \$5."""


def test_formulas_become_mathml_and_code_keeps_its_dollars():
    out = markdown_with_mathml(MARKDOWN)
    assert out.count('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">') == 1
    assert out.count('display="block"') == 1
    assert r"\mathbf" not in out and r"\hat" not in out
    assert "`echo $HOME`" in out and "price=$5 and $6" in out and r"\$5" in out


def test_rendered_markdown_keeps_the_mathml_and_shows_no_tex():
    html = unescape(markdown2html_mistune(markdown_with_mathml(MARKDOWN)))
    assert html.count("<math ") == 2 and "<em>emphasis</em>" in html
    text = re.sub(r"<[^>]+>", "", html.split("<code>")[0])
    assert "$" not in text and "\\" not in text
    # subscripts and operators survive markdown: nothing of the formula became emphasis or an escape
    assert "<msub><mi>β</mi><mn>1</mn></msub>" in html and "<em>" not in html.split("with <em>emphasis")[0]


def test_a_formula_latex2mathml_cannot_read_stays_tex(caplog):
    assert markdown_with_mathml(r"broken $\frac{1}{$ here") == r"broken $\frac{1}{$ here"
    assert "formula left as TeX" in caplog.text


def test_the_preprocessor_converts_markdown_cells_and_comments_only():
    code = new_code_cell("x = '$a$'")
    text = new_markdown_cell("$a^2$")
    text.metadata["nbgrader"] = {"comment": "Use $\\sigma$ here"}
    nb, _ = MathToMathML()(new_notebook(cells=[code, text]), {})
    assert nb.cells[0].source == "x = '$a$'"
    assert nb.cells[1].source.startswith("<math") and "<msup>" in nb.cells[1].source
    assert "<mi>\N{GREEK SMALL LETTER SIGMA}</mi>" in unescape(nb.cells[1].metadata.nbgrader.comment)


@pytest.mark.parametrize("name", assignment_names(ROOT))
def test_every_formula_of_the_release_converts(name, caplog):
    nb = json.loads((ROOT / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown"]
    converted = [markdown_with_mathml(source) for source in sources]
    assert "formula left as TeX" not in caplog.text
    shown = [re.sub(r"`[^`]*`", "", re.sub(r"<math.*?</math>", "", text, flags=re.S)) for text in converted]
    assert not [text for text in shown if re.search(r"\$[^$]+\$", text)]
