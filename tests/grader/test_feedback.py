import nbformat
import pytest

from grader.common.cells import notebook_title
from grader.report.feedback import HIDDEN_NOTICE, HideHiddenTests, RemoteImagesAsText


def test_preprocessor_hides_hidden_code_and_tracebacks():
    cell = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nassert secret_value == 3, 'wrong'\n### END HIDDEN TESTS")
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="wrong",
            traceback=["Traceback", "assert secret_value == 3, 'wrong'", "AssertionError: wrong"],
        )
    ]
    visible = nbformat.v4.new_code_cell("assert ok")
    visible.outputs = [
        nbformat.v4.new_output("error", ename="NameError", evalue="ok", traceback=["line 1", "NameError: ok"])
    ]
    nb = nbformat.v4.new_notebook(cells=[cell, visible])
    preprocessor = HideHiddenTests()
    assert preprocessor.enabled  # nbconvert skips preprocessors that are not enabled
    nb, _ = preprocessor(nb, {})
    assert nb.cells[0].source == HIDDEN_NOTICE
    assert nb.cells[0].outputs[0].traceback == ["AssertionError: wrong"]
    assert "secret_value" not in str(nb.cells[0])
    assert nb.cells[1].outputs[0].traceback == ["line 1", "NameError: ok"]  # visible tests keep their traceback


@pytest.mark.parametrize(
    "markdown, shown",
    [
        (
            "[![Open In Colab](https://colab.research.google.com/b.svg)](https://colab.x/n)",
            "[Open In Colab](https://colab.x/n)",
        ),
        ('![paren](https://x/Foo_(bar).png) ![P](HTTPS://X/Y.png "t") ![rel](//host/a.png)', "paren P rel"),
        ("a figure of its own: ![local](figures/loss.png)", "a figure of its own: ![local](figures/loss.png)"),
        (
            "as code: `![code](http://a/b)`\n```\n![block](http://a/b)\n```",
            "as code: `![code](http://a/b)`\n```\n![block](http://a/b)\n```",
        ),
    ],
)
def test_a_remote_image_in_markdown_becomes_its_words_outside_code(markdown, shown):
    cell = nbformat.v4.new_markdown_cell(markdown)
    assert RemoteImagesAsText().preprocess_cell(cell, {}, 0)[0].source == shown


def test_the_title_is_the_first_heading_outside_code_blocks_without_its_closing_hashes():
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook(cells=[md("```\n# a comment\n```\nprose"), md("## Lab: XOR ##\n# later")])
    assert notebook_title(nb) == "Lab: XOR"
    assert notebook_title(nbformat.v4.new_notebook(cells=[md("no heading")])) is None
