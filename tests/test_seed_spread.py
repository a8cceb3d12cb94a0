"""scripts/seed_spread.py: how it merges one cell's printed text over seeds into ranges."""

import nbformat

from scripts.seed_spread import printed_text, spread


def test_every_number_becomes_its_range_over_the_seeds_and_equal_ones_stay():
    texts = ["accuracy 87.5%, loss 0.10, 1e-05", "accuracy 85.8%, loss 0.12, 1e-05", "accuracy 88.2%, loss 0.10, 1e-05"]
    assert spread(texts) == "accuracy [85.8..88.2]%, loss [0.10..0.12], 1e-05"


def test_ranges_order_numbers_by_value_not_as_text():
    assert spread(["9.5 and -2", "10.5 and -10"]) == "[9.5..10.5] and [-10..-2]"


def test_other_spacing_is_the_same_shape_and_other_words_print_each_seed():
    assert spread(["  97.5% | 50.0%", " 100.0% | 50.0%"]) == "  [97.5..100.0]% | 50.0%"
    assert spread(["best: lr 0.75", "best: width 100"]) == "(seed 0) best: lr 0.75\n(seed 1) best: width 100"


def test_the_printed_text_leaves_out_progress_bars_and_figures():
    cell = nbformat.v4.new_code_cell("run()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="runs: 50%|#####     | 1/2 [00:01<00:01]"),
        nbformat.v4.new_output(
            "display_data", data={"application/vnd.jupyter.widget-view+json": {}, "text/plain": "|#"}
        ),
        nbformat.v4.new_output("stream", name="stdout", text="loss 0.25\n"),
        nbformat.v4.new_output("display_data", data={"image/png": "", "text/plain": "<Figure size 640x480>"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "0.5"}, execution_count=1),
    ]
    assert printed_text(cell) == "loss 0.25\n0.5"
