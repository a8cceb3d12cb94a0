"""The sample class of Project 1 (see sample_classes.SampleClass)."""

from __future__ import annotations

from sample_classes import SampleClass

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

STUDENTS: SampleClass = {
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
#: students who answered only some tasks: student -> the tasks answered
PARTLY_DONE = {"cleo": {"target_function", "make_training_data", "make_test_data", "SmallNet"}}
