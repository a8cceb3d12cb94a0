"""The sample class of the XOR lab (see sample_classes.SampleClass)."""

from __future__ import annotations

from sample_classes import SampleClass

STUDENTS: SampleClass = {
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
