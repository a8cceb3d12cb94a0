"""The sample class of the backpropagation lab (see sample_classes.SampleClass)."""

from __future__ import annotations

from sample_classes import SampleClass

STUDENTS: SampleClass = {
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
