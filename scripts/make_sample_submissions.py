"""Write the sample classes into submitted/: the submissions the demo and the tests grade.

Every submission starts from the student release (release/<assignment>/<assignment>.ipynb) and fills
answer cells with the reference solution from source/, then applies its student's mistakes. Each
mistake is a typical one and breaks one task only, so the tests can check that it costs that task's
points and no others.

Then each submission is executed once, top to bottom in full mode, as a student runs it before handing it in
(errors do not stop the run), so that it carries its outputs: grading keeps the outputs of the experiment cells
(grader/experiments.py) instead of re-running them. The untouched release ("ben") is handed in without running
it. An executed notebook is cached in build/sample-runs/, keyed by the notebook and the helpers package, so a
second run executes only what changed; the outputs are committed with submitted/, and the tests never execute
them again. Run after changing a source notebook and regenerating release/:

    python scripts/make_sample_submissions.py [ASSIGNMENT ...]   # default: every assignment below
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader.autograde.canary import solution_code
from grader.kernel.environment import QUIET_KERNEL, grading_environment
from helpers.environment import FAST_ENV_VAR, FIGURE_DIR_ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "sample-runs"
#: seconds a cell of a sample submission may run
CELL_TIMEOUT = 600


INLINE_F = "(X[:, 0] ** 2 + X[:, 1] ** 2 + 2 * X[:, 2] ** 3 + 4 * X[:, 3] ** 3)[:, None]"
#: answers of "max": correct, but not the reference's way of writing them
ALTERNATIVE = {
    "target_function": """def target_function(X: torch.Tensor) -> torch.Tensor:
    x1, x2, x3, x4 = X.unbind(dim=1)
    return torch.stack([x1.pow(2) + x2.pow(2) + 2 * x3.pow(3) + 4 * x4.pow(3)], dim=1)""",
    "make_training_data": """def make_training_data(
    n: int = 500, noise_var: float = 0.01, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.empty(n, 4).uniform_(-1, 1, generator=generator)
    noise = torch.empty(n, 1).normal_(0.0, noise_var**0.5, generator=generator)
    return X, target_function(X) + noise""",
    "SmallNet": """class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 1))

    def forward(self, x):
        return self.layers(x)""",
    "build_networks": """def build_networks() -> list[nn.Module]:
    wide = [nn.Sequential(nn.Linear(4, w), nn.ReLU(), nn.Linear(w, 1)) for w in (3, 10, 100, 1000)]
    same_size = nn.Sequential(nn.Linear(4, 10), nn.Tanh(), nn.Linear(10, 1))  # as many parameters as wide[1]
    deep = nn.Sequential(nn.Linear(4, 20), nn.ReLU(), nn.Linear(20, 20), nn.ReLU(), nn.Linear(20, 1))
    return [*wide, same_size, deep]""",
}

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
    "hal": (
        "minibatches returned as a one-shot zip iterator, not a list",
        {"make_minibatches": [(r"return list\(zip\((.*)\)\)$", r"return zip(\1)")]},
    ),
    "ivy": (
        "train ignores momentum",
        {"train": [(r"lr=lr, momentum=momentum\)", "lr=lr)")]},
    ),
    "jon": (
        "uniform noise with variance noise_var instead of Gaussian noise",
        {
            "make_training_data": [
                (
                    r"math\.sqrt\(noise_var\) \* torch\.randn\(n, 1, generator=generator\)",
                    "math.sqrt(3 * noise_var) * (2 * torch.rand(n, 1, generator=generator) - 1)",
                )
            ]
        },
    ),
    "kim": (
        "test inputs negative in the first half of the rows and positive in the rest",
        {
            "make_test_data": [
                (
                    r"sign = torch\.where\(torch\.rand\(n, 4, generator=generator\) < 0\.5, -1\.0, 1\.0\)",
                    "sign = torch.where(torch.arange(n)[:, None] < n // 2, -1.0, 1.0).expand(n, 4)",
                )
            ]
        },
    ),
    "lea": (
        "a wrong target_function (4 x4^2), but data functions that compute f themselves",
        {
            "target_function": [(r"4 \* X\[:, 3\] \*\* 3", "4 * X[:, 3] ** 2")],
            "make_training_data": [(r"target_function\(X\)", INLINE_F)],
            "make_test_data": [(r"target_function\(X\)", INLINE_F)],
        },
    ),
    "max": (
        "a correct solution written differently: pow, uniform_ with a generator, nn.Sequential, equal-size networks",
        {
            "target_function": [(r"(?s).*", ALTERNATIVE["target_function"])],
            "make_training_data": [(r"(?s).*", ALTERNATIVE["make_training_data"])],
            "SmallNet": [(r"(?s).*", ALTERNATIVE["SmallNet"])],
            "build_networks": [(r"(?s).*", ALTERNATIVE["build_networks"])],
        },
    ),
}
PARTLY_DONE = {"target_function", "make_training_data", "make_test_data", "SmallNet"}

# the XOR lab's sample class: student -> (description, edits), as for project1
XOR_MISTAKES: dict[str, tuple[str, dict[str, list[tuple[str, str]]] | None]] = {
    "ada": ("reference solution", {}),
    "ben": ("untouched release", None),
    "dev": (
        "forward squeezes every dimension (a batch of one becomes a scalar)",
        {"XorNet": [(r"\.squeeze\(-1\)", ".squeeze()")]},
    ),
    "eli": (
        "centres the inputs but not the label",
        {"make_batch": [(r"X, y = 2 \* X - 1, 2 \* y - 1", "X = 2 * X - 1")]},
    ),
    "fay": (
        "adds the noise before centring (centred noise doubled)",
        {
            "make_batch": [
                (r"    X, y = bits\.float\(\), \(bits\.sum\(dim=1\) % 2\)\.float\(\)\n", ""),
                (
                    r"    if centred:",
                    "    X = bits.float() + 0.1 * torch.rand(batch_size, n_inputs, generator=generator)\n"
                    "    y = (bits.sum(dim=1) % 2).float() + 0.1 * torch.rand(batch_size, generator=generator)\n"
                    "    if centred:",
                ),
                (r"    X = X \+ 0\.1 \* torch\.rand\(batch_size, n_inputs, generator=generator\)\n", ""),
                (r"    y = y \+ 0\.1 \* torch\.rand\(batch_size, generator=generator\)\n", ""),
            ]
        },
    ),
    "gus": (
        "leaves the biases out of the uniform initialisation",
        {
            "XorNet": [
                (
                    r"for parameter in self\.parameters\(\):",
                    "for parameter in (self.hidden.weight, self.output.weight):",
                )
            ]
        },
    ),
    "hal": ("never zeroes the gradients", {"train_epoch": [(r"        optimizer\.zero_grad\(\)\n", "")]}),
    "ivy": (
        "accuracy against the unrounded targets",
        {"accuracy": [(r"output\.round\(\) == target\.round\(\)", "output.round() == target")]},
    ),
}
# the backpropagation lab's sample class: student -> (description, edits), as for project1
BACKPROP_MISTAKES: dict[str, tuple[str, dict[str, list[tuple[str, str]]] | None]] = {
    "ada": ("reference solution", {}),
    "ben": ("untouched release", None),
    "dev": (
        "a transposed weight gradient (delta.T @ A_prev)",
        {"backward": [(r"a_prev\.T @ delta", "delta.T @ a_prev")]},
    ),
    "eli": (
        "the sigmoid derivative written as s instead of s(1 - s)",
        {"backward": [(r"delta \* A \* \(1 - A\)", "delta * A"), (r" \* a_prev \* \(1 - a_prev\)", " * a_prev")]},
    ),
    "fay": ("gradients summed over the samples, not averaged", {"backward": [(r"\(A - Y\) / len\(A\)", "A - Y")]}),
    "gus": (
        "a one-sided finite difference",
        {
            "numerical_gradient": [
                (r"array\[index\] = old - eps", "array[index] = old"),
                (r"/ \(2 \* eps\)", "/ eps"),
            ]
        },
    ),
    "hal": (
        "bias gradients left out (zeros)",
        {"backward": [(r"delta\.sum\(axis=0\)\)\)", "np.zeros_like(params[layer][1])))")]},
    ),
    "ivy": (
        "delta = A, then updated in place: the activations change (the aliasing bug)",
        {"backward": [(r"delta = \(A - Y\) / len\(A\)", "delta = A\n    delta -= Y\n    delta /= len(A)")]},
    ),
}
# the classification lab's sample class: student -> (description, edits), as for project1
CLASSIFICATION_MISTAKES: dict[str, tuple[str, dict[str, list[tuple[str, str]]] | None]] = {
    "ada": ("reference solution", {}),
    "ben": ("untouched release", None),
    "dev": (
        "a softmax before nn.CrossEntropyLoss (the lecture's MNIST model)",
        {
            "make_mlp_classifier": [
                (r"nn\.Linear\(n_hidden, n_classes\)\)", "nn.Linear(n_hidden, n_classes), nn.Softmax(dim=1))")
            ]
        },
    ),
    "eli": (
        "a sigmoid before nn.BCEWithLogitsLoss",
        {"make_classifier": [(r"nn\.Linear\(n_hidden, n_out\)\)", "nn.Linear(n_hidden, n_out), nn.Sigmoid())")]},
    ),
    "fay": ("a training loader that never reshuffles", {"make_loaders": [(r"shuffle=True, ", "")]}),
    "gus": (
        "validation in training mode, with gradients",
        {
            "fit": [
                (r"        model\.eval\(\)\n", ""),
                (  # the validation loop without torch.no_grad(), one level less indented
                    r"        with torch\.no_grad\(\):\n            for X, y in val_loader:\n"
                    r"                outputs = model\(X\)\n                (.*)\n",
                    "        for X, y in val_loader:\n            outputs = model(X)\n            \\1\n",
                ),
            ]
        },
    ),
    "hal": ("accuracy thresholded at 0.5 on logits", {"accuracy": [(r"\(outputs > 0\)", "(outputs > 0.5)")]}),
    "ivy": (
        "a model too small for the half-moons (2-2-1, sigmoid)",
        {
            "moons_model": [
                (
                    r"return nn\.Sequential\(.*\)$",
                    "return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))",
                )
            ]
        },
    ),
}
# the deeper-networks lab's sample class: student -> (description, edits), as for project1
DEEP_MISTAKES: dict[str, tuple[str, dict[str, list[tuple[str, str]]] | None]] = {
    "ada": ("reference solution", {}),
    "ben": ("untouched release", None),
    "dev": (
        "Adam without bias correction",
        {
            "adam_step": [
                (r'state\["m"\] / \(1 - beta1 \*\* state\["t"\]\)', 'state["m"]'),
                (r'state\["v"\] / \(1 - beta2 \*\* state\["t"\]\)', 'state["v"]'),
            ]
        },
    ),
    "eli": (
        "Adam's first moment squares the gradient (the slide's formula)",
        {"adam_step": [(r"add_\(\(1 - beta1\) \* grad\)", "add_((1 - beta1) * grad**2)")]},
    ),
    "fay": ("dropout left on at evaluation (no model.eval())", {"train_model": [(r"        model\.eval\(\)\n", "")]}),
    "gus": (
        "weight decay applied twice (the penalty weight_decay times the sum of squares)",
        {"train_model": [(r"penalty = weight_decay / 2 \* sum", "penalty = weight_decay * sum")]},
    ),
    "hal": (
        "a CNN head hard-coded for 28x28 images",
        {
            "build_cnn": [
                (r"        nn\.AdaptiveAvgPool2d\(2\),\n", ""),
                (r"nn\.Linear\(4 \* c2, n_classes\)", "nn.Linear(c2 * 7 * 7, n_classes)"),
            ]
        },
    ),
    "ivy": (
        "leaky ReLU with the slides' slope 0.1",
        {"activation_and_grad": [(r"negative_slope=0\.01", "negative_slope=0.1")]},
    ),
}
SAMPLE_CLASSES = {
    "project1": MISTAKES,
    "xor": XOR_MISTAKES,
    "backprop": BACKPROP_MISTAKES,
    "classification": CLASSIFICATION_MISTAKES,
    "deep": DEEP_MISTAKES,
}


def sample_notebooks(assignment: str) -> dict[str, tuple[nbformat.NotebookNode, bool]]:
    """Every sample student's notebook of ``assignment``, not yet run, and whether the student runs it."""
    notebook = f"{assignment}.ipynb"
    source = nbformat.read(ROOT / "source" / assignment / notebook, as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: solution_code(c.source)
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    notebooks = {}
    for student, (description, edits) in SAMPLE_CLASSES[assignment].items():
        nb = nbformat.read(ROOT / "release" / assignment / notebook, as_version=4)
        partly = assignment == "project1" and student == "cleo"
        if edits is not None:
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in solutions and (not partly or grade_id in PARTLY_DONE):
                    cell.source = solutions[grade_id]
                    for pattern, replacement in edits.get(grade_id, []):
                        new = re.sub(pattern, replacement, cell.source, count=1, flags=re.MULTILINE)
                        assert new != cell.source, f"{student}: {pattern!r} not found in {grade_id}"
                        cell.source = new
        nb.metadata["sample_submission"] = description
        notebooks[student] = (nb, edits is not None)
    return notebooks


def cache_path(nb: nbformat.NotebookNode) -> Path:
    """Where the executed ``nb`` is cached: named by the notebook and the helpers package it imports."""
    digest = hashlib.sha256(nbformat.writes(nb).encode("utf-8"))
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        digest.update(path.read_bytes())
    return CACHE / f"{digest.hexdigest()[:32]}.ipynb"


def run_as_a_student(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` executed top to bottom in full mode, in a scratch folder, errors and all; one thread for each math
    library, as a grading kernel has (small networks run fastest so, and two runs share the machine)."""
    with tempfile.TemporaryDirectory(prefix="sample-run-") as folder:
        env = grading_environment(os.environ)
        env.update({FAST_ENV_VAR: "0", FIGURE_DIR_ENV_VAR: str(Path(folder) / "figures")})
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=True,
            record_timing=False,
            extra_arguments=list(QUIET_KERNEL),
            resources={"metadata": {"path": folder}},
        )
        client.execute(env=env)
    return nb


def _run_and_cache(nb: nbformat.NotebookNode, cached: Path) -> Path:
    executed = run_as_a_student(nb)
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(".tmp")
    nbformat.write(executed, temporary)
    os.replace(temporary, cached)
    return cached


def write_classes(assignments: list[str], jobs: int = 2) -> None:
    """Write ``submitted/<student>/<assignment>/`` for every sample student of ``assignments``, executing (in
    ``jobs`` processes) the notebooks that the cache does not hold yet."""
    planned = []
    for assignment in assignments:
        for student, (nb, runs) in sample_notebooks(assignment).items():
            planned.append((ROOT / "submitted" / student / assignment / f"{assignment}.ipynb", nb, runs))
    missing = {cache_path(nb): nb for _, nb, runs in planned if runs and not cache_path(nb).exists()}
    print(f"{len(planned)} sample submissions; executing {len(missing)} of them (the others are cached)", flush=True)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        for done in pool.map(_run_and_cache, missing.values(), missing.keys()):
            print(f"  executed {done.relative_to(ROOT)}", flush=True)
    for path, nb, runs in planned:
        if runs:
            nb = nbformat.read(cache_path(nb), as_version=4)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        print(f"{path.relative_to(ROOT)}: {nb.metadata['sample_submission']}{'' if runs else ' (not run)'}")


def main() -> None:
    write_classes(sys.argv[1:] or list(SAMPLE_CLASSES))


if __name__ == "__main__":
    main()
