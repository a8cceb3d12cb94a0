"""The instruments lab through the real pipeline: the source notebook executed, the release, and its sample class
graded (in fast mode: fewer notes and epochs in the experiments, the autograded tests the same)."""

from __future__ import annotations

from typing import ClassVar

import nbformat

from grader.release.run_notebook import error_outputs, execute_notebook
from helpers.audio import make_notes
from tests.e2e.lab_class import SampleClassChecks, outputs_text
from tests.helpers.test_audio import write_split
from tests.support import ROOT


class TestInstrumentsLab(SampleClassChecks):
    ASSIGNMENT = "instruments"
    DOCS_SECTION = "The instruments lab"
    AUTOGRADED: ClassVar[dict[str, int]] = {
        "frame_signal": 8,
        "power_spectrum": 6,
        "mel_filterbank": 10,
        "mfcc": 10,
        "note_features": 4,
        "standardiser": 8,
        "make_mlp": 4,
        "train_classifier": 10,
    }
    MANUAL: ClassVar[dict[str, int]] = {
        "n_mfcc_plot": 5,
        "n_mfcc_answer": 5,
        "lr_plot": 6,
        "lr_answer": 6,
        "confusion_plot": 5,
        "confusion_answer": 5,
        "leak_answer": 8,
    }
    LOST: ClassVar[dict[str, dict[str, int]]] = {
        "ada": {},
        "dev": {"frame_signal": 7},  # np.hanning: the visible check, the frames and the window
        "eli": {"power_spectrum": 6},  # the magnitude, not its square
        "fay": {"mel_filterbank": 10},  # edges equally spaced in Hz
        "gus": {"mfcc": 10},  # the natural logarithm
        "hal": {"standardiser": 5},  # each set standardised with its own statistics: the visible check and one hidden
        "ivy": {"train_classifier": 2},  # evaluation in training mode
    }

    def test_the_model_answer_runs_top_to_bottom_in_fast_mode(self, executed):
        assert error_outputs(executed) == []
        assert "8 of 8 tasks pass their visible checks" in outputs_text(executed)
        figures = sum("image/png" in o.get("data", {}) for c in executed.cells for o in c.get("outputs", []))
        # waveforms and spectrograms, accuracy against the number of MFCCs, the learning rates, the confusion matrix
        assert figures == 4
        players = sum(
            "text/html" in o.get("data", {}) and "<audio" in o["data"]["text/html"]
            for c in executed.cells
            for o in c.get("outputs", [])
        )
        assert players == 5  # one note of each family


def test_the_release_has_no_solution_no_hidden_test_and_no_mark_scheme():
    release = (ROOT / "release" / "instruments" / "instruments.ipynb").read_text()
    for secret in (
        "BEGIN SOLUTION",
        "BEGIN HIDDEN TESTS",
        "BEGIN MARK SCHEME",
        "np.maximum(energies, 1e-10))",
        'norm="ortho", axis=1)[:, :n_mfcc]',
    ):
        assert secret not in release, secret


def test_the_lab_runs_unchanged_on_an_nsynth_split(tmp_path):
    """NSYNTH_FOLDER pointed at a split in NSynth's layout (written here: 8 notes of each of five families, made by
    make_notes and saved as NSynth's WAV files): every cell runs, on those notes."""
    signals, labels = make_notes(8, duration=0.5, seed=1)
    names = ("brass", "flute", "guitar", "mallet", "string")
    split = tmp_path / "nsynth-valid"
    write_split(
        split,
        {
            f"{names[label]}_acoustic_{k:03d}-060-100": (names[label], signal)
            for k, (signal, label) in enumerate(zip(signals, labels, strict=True))
        },
    )
    nb = nbformat.read(ROOT / "source" / "instruments" / "instruments.ipynb", as_version=4)
    choice = next(
        cell for cell in nb.cells if cell.source.startswith("# Your choice") and "NSYNTH_FOLDER" in cell.source
    )
    choice.source = choice.source.replace("NSYNTH_FOLDER = None", f"NSYNTH_FOLDER = {str(split)!r}")
    source = tmp_path / "instruments.ipynb"
    nbformat.write(nb, source)
    executed = execute_notebook(source, tmp_path / "run", fast=True)
    assert error_outputs(executed) == []
    text = outputs_text(executed)
    assert "40 notes of 0.5 s, 8 of each of 5 families (brass, flute, guitar, mallet, string)" in text
