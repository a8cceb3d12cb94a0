"""The sample class of the deeper-networks lab (see sample_classes.SampleClass)."""

from __future__ import annotations

from sample_classes import SampleClass

STUDENTS: SampleClass = {
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
