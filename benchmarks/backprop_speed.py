"""The backpropagation lab's NumPy network by hand against torch's autograd, on the lab's network sizes.

The lab's model answers (``forward``, ``backward``, ``gradient_check``) are taken from the answer cells of
``source/backprop/backprop.ipynb``. For each network (2-10-2 on 400 samples as in the circles experiment,
64-30-10 and 784-30-10 on 500 as in the digits and MNIST runs) it checks that ``backward`` gives autograd's
gradients (float64, the mean quadratic cost), then prints the median time of one gradient (forward and
backward) each way and their ratio, and the time of the lab's gradient check of the 2-10-2 network.
Nothing is asserted about time.

    python benchmarks/backprop_speed.py [--repeats 5] [--steps 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import torch
from nbgrader.utils import is_grade, is_solution

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.common.cells import grade_id_of, solution_code  # noqa: E402

NETWORKS = {
    "circles 2-10-2": ([2, 10, 2], 400),
    "digits 64-30-10": ([64, 30, 10], 500),
    "MNIST 784-30-10": ([784, 30, 10], 500),
}


def model_answers() -> dict:
    """The namespace of the lab's model answers: the imports cell's ``sigmoid`` and every answer cell's code."""
    nb = nbformat.read(ROOT / "source" / "backprop" / "backprop.ipynb", as_version=4)
    namespace = {"np": np}
    for cell in nb.cells:
        if cell.cell_type == "code" and grade_id_of(cell) == "imports":
            exec(cell.source[cell.source.index("def sigmoid") :], namespace)
        elif cell.cell_type == "code" and is_solution(cell) and not is_grade(cell):
            exec(solution_code(cell.source), namespace)
    return namespace


def autograd_gradients(params, X, Y) -> list[tuple[np.ndarray, np.ndarray]]:
    """The gradients of the mean quadratic cost of the sigmoid network, by torch's autograd (float64)."""
    tensors = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
    A = torch.from_numpy(X)
    for W, b in tensors:
        A = torch.sigmoid(A @ W + b)
    (0.5 * ((A - torch.from_numpy(Y)) ** 2).sum() / len(X)).backward()
    return [(W.grad.numpy(), b.grad.numpy()) for W, b in tensors]


def median_seconds(step, steps: int, repeats: int) -> float:
    """The median over ``repeats`` of the time of one call of ``step``, averaged over ``steps`` calls."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - started) / steps)
    return statistics.median(times)


def compare(lab: dict, name: str, sizes: list[int], n: int, steps: int, repeats: int) -> str:
    """One network: the agreement of ``backward`` with autograd, and the time of one gradient each way."""
    rng = np.random.default_rng(0)
    params = lab["init_network"](sizes, rng)
    X, Y = rng.random((n, sizes[0])), np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    by_hand = lab["backward"](params, lab["forward"](params, X), Y)
    by_autograd = autograd_gradients(params, X, Y)
    error = max(
        np.linalg.norm(a - t) / (np.linalg.norm(a) + np.linalg.norm(t))
        for pair_hand, pair_autograd in zip(by_hand, by_autograd, strict=True)
        for a, t in zip(pair_hand, pair_autograd, strict=True)
    )
    hand = median_seconds(lambda: lab["backward"](params, lab["forward"](params, X), Y), steps, repeats)
    auto = median_seconds(lambda: autograd_gradients(params, X, Y), steps, repeats)
    return (
        f"{name:16s} on {n} samples: gradients agree with autograd to {error:.1e}; one gradient by hand "
        f"{hand * 1e6:8.1f} us, by autograd {auto * 1e6:8.1f} us: by hand / autograd {hand / auto:.2f} x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timings of each side; the median is reported")
    parser.add_argument("--steps", type=int, default=200, help="gradients per timing")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lab = model_answers()
    for name, (sizes, n) in NETWORKS.items():
        print(compare(lab, name, sizes, n, args.steps, args.repeats))
    rng = np.random.default_rng(0)
    params = lab["init_network"]([2, 10, 2], rng)
    X, Y = rng.normal(0, 1, (400, 2)), np.eye(2)[rng.integers(0, 2, 400)]
    check = median_seconds(lambda: lab["gradient_check"](params, X, Y), 3, args.repeats)
    print(f"gradient check of the 2-10-2 network (52 parameters, 400 samples): {check * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
