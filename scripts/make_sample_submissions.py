"""Write the sample class of project1 into submitted/: the submissions the demo and the tests grade.

Every submission starts from the student release (release/project1/project1.ipynb) and fills answer
cells with the reference solution from source/, then applies its student's mistakes. Each mistake is
a typical one and breaks one task only, so the tests can check that it costs that task's points and
no others. Run after changing source/project1 and regenerating release/:

    python scripts/make_sample_submissions.py
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT, NOTEBOOK = "project1", "project1.ipynb"

SUMMARY = """**Summary.** The (2,1) network's training loss falls quickly in the first episodes and then levels off:
two ReLU neurons give a function made of a few linear pieces, far too simple for the cubic terms of f, so
it underfits. Across my family of networks the training error falls with the number of parameters, but the
test error is much larger than the training error for every network, because the test inputs lie outside
the training square ([-2,-1] U [1,2] against [-1,1]) and the networks must extrapolate 2 x3^3 + 4 x4^3,
which grows quickly there.

**Double descent: not observed.** The interpolation threshold (about 500 parameters, the number of training
samples) lies between my networks of 151 and 601 parameters, and there is no peak in test error there:
after 25 episodes of SGD no network reaches zero training error, so none interpolates the noisy labels, and
no peak is expected."""

# student -> (description, {answer cell id: [(regex, replacement), ...]} or None for untouched)
MISTAKES: dict[str, tuple[str, dict[str, list[tuple[str, str]]] | None]] = {
    "ada": ("reference solution", {}),
    "ben": ("untouched release", None),
    "cleo": ("partly done: tasks 1-4 only", {}),
    "dev": (
        "noise standard deviation 0.01 instead of variance 0.01; test inputs on the positive side only",
        {
            "make_training_data": [(r"math\.sqrt\(noise_var\) \* ", "noise_var * ")],
            "make_test_data": [(r"X = sign \* magnitude", "X = magnitude")],
        },
    ),
    "eli": (
        "ReLU on the output neuron; parameters counted with len()",
        {
            "SmallNet": [
                (
                    r"return self\.output\(torch\.relu\(self\.hidden\(x\)\)\)",
                    "return torch.relu(self.output(torch.relu(self.hidden(x))))",
                )
            ],
            "count_parameters": [(r"p\.numel\(\)", "len(p)")],
        },
    ),
    "fay": (
        "shuffled minibatches; loss of the last minibatch only; evaluate with a broadcasting slip",
        {
            "make_minibatches": [
                (
                    r"    return list",
                    "    order = torch.randperm(len(X))\n    X, y = X[order], y[order]\n    return list",
                )
            ],
            "train": [(r"losses\.append\(total / len\(batches\)\)", "losses.append(loss.item())")],
            "evaluate": [
                (
                    r"return nn\.functional\.mse_loss\(model\(X\), y\)\.item\(\)",
                    "return ((model(X).squeeze() - y) ** 2).mean().item()",
                )
            ],
        },
    ),
    "gus": (
        "reference solution that writes warnings and a progress bar to stderr",
        {
            "target_function": [
                (
                    r"    return \(X",
                    "    import warnings\n"
                    "    warnings.warn('target_function: a harmless warning', UserWarning)\n"
                    "    return (X",
                )
            ],
            "train": [
                (
                    r"for _ in range\(episodes\):",
                    "from tqdm import tqdm\n    for _ in tqdm(range(episodes), file=sys.stderr):",
                ),
                (r"^def train", "import sys\n\n\ndef train"),
            ],
        },
    ),
}
PARTLY_DONE = {"target_function", "make_training_data", "make_test_data", "SmallNet"}


def solution_code(source: str) -> str:
    """The reference answer: the cell's source with the solution markers removed."""
    return "\n".join(
        line for line in source.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
    )


def main() -> None:
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: solution_code(c.source)
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for student, (description, edits) in MISTAKES.items():
        nb = nbformat.read(ROOT / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
        if edits is not None:
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in solutions and (student != "cleo" or grade_id in PARTLY_DONE):
                    cell.source = solutions[grade_id]
                    for pattern, replacement in edits.get(grade_id, []):
                        new = re.sub(pattern, replacement, cell.source, count=1, flags=re.MULTILINE)
                        assert new != cell.source, f"{student}: {pattern!r} not found in {grade_id}"
                        cell.source = new
                if cell.cell_type == "markdown" and cell.source == "*Your summary here.*" and student != "cleo":
                    cell.source = SUMMARY
        nb.metadata["sample_submission"] = description
        path = ROOT / "submitted" / student / ASSIGNMENT / NOTEBOOK
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: {description}")


if __name__ == "__main__":
    main()
