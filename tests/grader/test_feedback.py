import nbformat

from grader.report.feedback import HIDDEN_NOTICE, HideHiddenTests


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
