"""The sample class of the classification lab (see sample_classes.SampleClass)."""

from __future__ import annotations

from sample_classes import SampleClass

STUDENTS: SampleClass = {
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
