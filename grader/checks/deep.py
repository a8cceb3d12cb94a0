"""The deeper-networks lab's checks: one function per graded test cell of ``source/deep/deep.ipynb``.

The optimizers are compared with ``torch.optim`` over 200 steps, at settings where the classic slips show (an
``eps`` large enough that adding it inside or outside the square root differs, two parameters stepped in turn);
the training loop with a reference loop on fixed data; the convolutional network with a reference network of the
task text that holds the student's own weights.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.checks import check, raises_value_error

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")
HISTORY_KEYS = ("train_loss", "val_loss", "val_accuracy")


def leaky_note(name: str) -> str:
    return " (the slope for x < 0 is 0.01)" if name == "leaky_relu" else ""


def inputs(seed: int) -> torch.Tensor:
    """300 points of N(0, 16), none within 1e-3 of 0 (where ReLU has no derivative)."""
    x = 4 * torch.randn(300, generator=torch.Generator().manual_seed(seed))
    return x[x.abs() > 1e-3]


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def optimizer_path(step: Callable | None, make_optimizer: Callable, seed: int, noisy: bool, **settings) -> torch.Tensor:
    """200 positions of a (4, 3) float64 parameter on a quadratic loss (plus a fixed noise per step with ``noisy``),
    stepped by the student's ``step(w, grad, state, **settings)``, or by ``make_optimizer([w], **settings)``."""
    torch.manual_seed(seed)
    center, scale = torch.randn(4, 3, dtype=torch.float64), torch.rand(4, 3, dtype=torch.float64) + 0.1
    noise = torch.randn(200, 4, 3, dtype=torch.float64) if noisy else torch.zeros(200, 4, 3, dtype=torch.float64)
    w = nn.Parameter(torch.zeros(4, 3, dtype=torch.float64))
    optimizer = make_optimizer([w], **settings) if step is None else None
    state, points = {}, []
    for k in range(200):
        loss = (scale * (w - center) ** 2).sum() + (noise[k] * w).sum()
        w.grad = None
        loss.backward()
        if optimizer is not None:
            optimizer.step()
        else:
            step(w, w.grad, state, **settings)
        points.append(w.detach().clone())
    return torch.stack(points)


@functools.cache
def reference_path(make_optimizer: Callable, seed: int, noisy: bool, settings: tuple) -> torch.Tensor:
    """``optimizer_path`` of ``torch.optim`` itself, computed once per setting."""
    return optimizer_path(None, make_optimizer, seed, noisy, **dict(settings))


def compare_paths(
    step: Callable, make_optimizer: Callable, name: str, seed: int, noisy: bool, tolerance: float, **settings
):
    mine = optimizer_path(step, make_optimizer, seed, noisy, **settings)
    reference = reference_path(make_optimizer, seed, noisy, tuple(settings.items()))
    far = ~((mine - reference).abs().amax(dim=(1, 2)) <= tolerance)  # NaN is far too
    described = ", ".join(f"{key}={value}" for key, value in settings.items())
    assert not far.any(), (
        f"with {described} the parameters leave {name}'s path at step {int(far.nonzero()[0]) + 1} of 200"
    )


def check_states(step: Callable, seed: int, rule: str, **settings) -> None:
    """Two parameters stepped in turn, each with its own state, move as each would alone; ``grad`` unchanged."""
    g = torch.Generator().manual_seed(seed)
    grads = [torch.randn(5, generator=g) for _ in range(6)]
    alone, alone_state = torch.zeros(5), {}
    for grad in grads[::2]:
        step(alone, grad, alone_state, **settings)
    a, b, states = torch.zeros(5), torch.zeros(5), ({}, {})
    kept = [grad.clone() for grad in grads]
    for i, grad in enumerate(grads):
        step((a, b)[i % 2], grad, states[i % 2], **settings)
    assert all(torch.equal(grad, k) for grad, k in zip(grads, kept, strict=True)), (
        "grad must be left unchanged (store a copy in state, not grad itself)"
    )
    assert torch.isfinite(a).all() and torch.isfinite(alone).all(), (
        f"after 3 steps the parameter holds {a.tolist()}: not finite numbers (a division by zero?)"
    )
    assert torch.allclose(a, alone), f"each parameter's steps must depend on its own state only{rule}"


def reference_train(model: nn.Module, loaders, optimizer: torch.optim.Optimizer, epochs: int) -> dict[str, list[float]]:
    """Task 4's loop without weight decay of its own (the optimizer's, if any)."""
    history = {key: [] for key in HISTORY_KEYS}
    for _ in range(epochs):
        model.train()
        total = seen = 0
        for X, y in loaders[0]:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(X), y)
            loss.backward()
            optimizer.step()
            total, seen = total + loss.item() * len(y), seen + len(y)
        history["train_loss"].append(total / seen)
        model.eval()
        total = correct = seen = 0
        with torch.no_grad():
            for X, y in loaders[1]:
                outputs = model(X)
                total += nn.functional.cross_entropy(outputs, y).item() * len(y)
                correct += (outputs.argmax(dim=1) == y).sum().item()
                seen += len(y)
        history["val_loss"].append(total / seen)
        history["val_accuracy"].append(correct / seen)
    return history


def problem(seed: int) -> tuple[DataLoader, DataLoader]:
    """Fixed data in unshuffled loaders (70 training samples in batches of 16, 20 validation in batches of 8)."""
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(90, 4, generator=g), torch.randint(0, 3, (90,), generator=g)
    return DataLoader(TensorDataset(X[:70], y[:70]), batch_size=16), DataLoader(
        TensorDataset(X[70:], y[70:]), batch_size=8
    )


def pair(seed: int, width: int = 6) -> tuple[nn.Module, nn.Module]:
    """Two copies of one 4-``width``-3 tanh network."""
    torch.manual_seed(seed)
    a = nn.Sequential(nn.Linear(4, width), nn.Tanh(), nn.Linear(width, 3))
    b = nn.Sequential(nn.Linear(4, width), nn.Tanh(), nn.Linear(width, 3))
    b.load_state_dict(a.state_dict())
    return a, b


def max_gap(a: nn.Module, b: nn.Module) -> float:
    return max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters(), strict=True))


class Spy(nn.Module):
    """A network with dropout that records, for every forward pass, the batch size, the mode and whether gradients
    are on."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(4, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 3))
        self.calls = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return self.layers(x)


def reference_cnn(n_classes: int, channels: tuple[int, int], dropout: float) -> nn.Sequential:
    """Task 5's network, as the task text lists its modules."""
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(4 * c2, n_classes),
    )


def cnn_formula(c1: int, c2: int, classes: int) -> int:
    return (9 * c1 + c1) + (9 * c1 * c2 + c2) + (4 * c2 * classes + classes)


@check
def activation_and_grad_hidden_values(activation_and_grad) -> None:
    """Task 1: f(x) for the four names."""
    x = inputs(801)
    expected = {
        "sigmoid": torch.sigmoid(x),
        "tanh": torch.tanh(x),
        "relu": torch.relu(x),
        "leaky_relu": torch.where(x > 0, x, 0.01 * x),
    }
    for name, want in expected.items():
        y, _ = activation_and_grad(name, x)
        assert torch.allclose(y, want, atol=1e-6), f"{name}: y is not {name}(x){leaky_note(name)}"


@check
def activation_and_grad_hidden_derivatives(activation_and_grad) -> None:
    """Task 1: f'(x) for the four names."""
    x = inputs(802)
    s, t = torch.sigmoid(x), torch.tanh(x)
    expected = {
        "sigmoid": s * (1 - s),
        "tanh": 1 - t**2,
        "relu": (x > 0).float(),
        "leaky_relu": torch.where(x > 0, 1.0, 0.01),
    }
    for name, want in expected.items():
        _, dy = activation_and_grad(name, x)
        assert torch.allclose(dy, want, atol=1e-6), (
            f"{name}: dy_dx is not the derivative of {name} at x{leaky_note(name)}"
        )


@check
def activation_and_grad_hidden_tensors(activation_and_grad) -> None:
    """Task 1: the shape and dtype of x, no gradient history, x left alone; ValueError for another name."""
    x = torch.linspace(-3, 3, 12, dtype=torch.float64).reshape(3, 4) + 0.01
    for name in NAMES:
        y, dy = activation_and_grad(name, x)
        assert y.shape == dy.shape == (3, 4) and y.dtype == dy.dtype == torch.float64, (
            f"{name}: for a (3, 4) float64 x, y and dy_dx must be (3, 4) float64 tensors"
        )
        assert not y.requires_grad and not dy.requires_grad, (
            f"{name}: y and dy_dx must have no gradient history (detach them)"
        )
        assert not x.requires_grad and x.grad is None, (
            f"{name}: x itself must be left alone (differentiate a copy of it)"
        )
    raises_value_error(lambda: activation_and_grad("softplus", x), 'activation_and_grad("softplus", x)')


def compare_xor_network(xor_sequential, hidden_activation: bool, seed: int, expected_form: str) -> None:
    """Task 2: ``xor_sequential(hidden_activation)`` holds nn.Linear(2, 2) and nn.Linear(2, 1) and computes
    ``expected_form`` from them (weights tripled, so that a sigmoid too many or too few shows)."""
    torch.manual_seed(seed)
    model = xor_sequential(hidden_activation=hidden_activation)
    linear = linear_layers(model)
    sizes = [(layer.in_features, layer.out_features) for layer in linear]
    assert sizes == [(2, 2), (2, 1)], f"the layers must be nn.Linear(2, 2) and nn.Linear(2, 1), got {sizes}"
    with torch.no_grad():
        for layer in linear:
            layer.weight.mul_(3)
        x = torch.randn(50, 2)
        hidden = linear[0](x)
        expected = torch.sigmoid(linear[1](torch.sigmoid(hidden) if hidden_activation else hidden))
        assert torch.allclose(model(x), expected, atol=1e-6), (
            f"with hidden_activation={hidden_activation} the output must be {expected_form}"
        )


@check
def xor_sequential_hidden_layers(xor_sequential) -> None:
    """Task 2: with the hidden activation, sigmoid(Linear(2, 1)(sigmoid(Linear(2, 2)(x))))."""
    compare_xor_network(xor_sequential, True, 811, "sigmoid(Linear(2, 1)(sigmoid(Linear(2, 2)(x))))")


@check
def xor_sequential_hidden_linear(xor_sequential) -> None:
    """Task 2: without it, sigmoid(Linear(2, 1)(Linear(2, 2)(x)))."""
    compare_xor_network(
        xor_sequential,
        False,
        812,
        "sigmoid(Linear(2, 1)(Linear(2, 2)(x))): no hidden activation, a sigmoid at the end",
    )


@check
def sgd_momentum_step_hidden_trajectory(sgd_momentum_step) -> None:
    """Task 3: 200 steps on torch.optim.SGD's path, at two settings of ``lr`` and ``momentum``."""
    for lr, momentum in ((0.05, 0.9), (0.2, 0.5)):
        compare_paths(sgd_momentum_step, torch.optim.SGD, "torch.optim.SGD", 821, False, 1e-6, lr=lr, momentum=momentum)


@check
def sgd_momentum_step_hidden_states(sgd_momentum_step) -> None:
    """Task 3: each parameter's own state; ``grad`` unchanged."""
    check_states(sgd_momentum_step, 822, ": keep everything in state, nothing in globals", lr=0.1, momentum=0.8)


@check
def adam_step_hidden_bias_correction(adam_step) -> None:
    """Task 3: with a constant gradient every bias-corrected step moves by ``lr``."""
    param, state = torch.zeros(4), {}
    grad = torch.tensor([2.0, -0.5, 0.1, -3.0])
    moves = []
    for _ in range(5):
        before = param.clone()
        adam_step(param, grad, state, lr=0.01, betas=(0.9, 0.999))
        moves.append((param - before).abs().max().item())
    uncorrected = abs(moves[0] - 0.01 * 0.1 / 0.001**0.5) < 1e-4
    hint = " (divide m by 1 - beta1 ** t and v by 1 - beta2 ** t)" if uncorrected else ""
    assert all(abs(m - 0.01) < 1e-5 for m in moves), (
        f"with a constant gradient every bias-corrected Adam step moves by lr = 0.01; yours moved by "
        f"{[round(m, 5) for m in moves]}{hint}"
    )


@check
def adam_step_hidden_trajectory(adam_step) -> None:
    """Task 3: 200 steps on torch.optim.Adam's path, at three settings of ``lr``, ``betas`` and ``eps`` (one where
    ``eps`` is large enough to tell sqrt(v) + eps from sqrt(v + eps))."""
    for lr, betas, eps in ((0.05, (0.9, 0.999), 1e-8), (0.02, (0.7, 0.95), 1e-6), (0.05, (0.8, 0.9), 0.5)):
        compare_paths(adam_step, torch.optim.Adam, "torch.optim.Adam", 831, True, 1e-5, lr=lr, betas=betas, eps=eps)


@check
def adam_step_hidden_states(adam_step) -> None:
    """Task 3: each parameter's own step count and moments; ``grad`` unchanged; ``param`` stays a parameter."""
    check_states(adam_step, 832, " (its own step count and moments): keep everything in state", lr=0.1)
    w = nn.Parameter(torch.ones(3))
    adam_step(w, torch.ones(3), {})
    assert isinstance(w, nn.Parameter) and w.requires_grad, (
        "param must stay a parameter that requires gradients: update it in place under torch.no_grad()"
    )


@check
def train_model_hidden_history(train_model) -> None:
    """Task 4: the three curves, means over samples, and the steps of the optimizer given."""
    loaders = problem(841)
    mine_model, reference_model = pair(841)
    mine = train_model(mine_model, loaders, torch.optim.SGD(mine_model.parameters(), lr=0.3, momentum=0.5), 4)
    expected = reference_train(
        reference_model, loaders, torch.optim.SGD(reference_model.parameters(), lr=0.3, momentum=0.5), 4
    )
    assert isinstance(mine, dict) and set(mine) == set(HISTORY_KEYS), (
        f"train_model must return a dict with the keys {', '.join(HISTORY_KEYS)}"
    )
    for key in HISTORY_KEYS:
        assert len(mine[key]) == 4 and all(abs(a - b) < 1e-5 for a, b in zip(mine[key], expected[key], strict=True)), (
            f"{key} is not the expected per-epoch value: expected {[round(v, 4) for v in expected[key]]}, got "
            f"{[round(v, 4) for v in mine[key]]}"
        )
    assert max_gap(mine_model, reference_model) < 1e-6, (
        "after training, the parameters differ from one step of the optimizer given per training batch"
    )


@check
def train_model_hidden_modes(train_model) -> None:
    """Task 4: training in training mode with gradients, every epoch; validation in evaluation mode without."""
    g = torch.Generator().manual_seed(842)
    X, y = torch.randn(90, 4, generator=g), torch.randint(0, 3, (90,), generator=g)
    loaders = (
        DataLoader(TensorDataset(X[:70], y[:70]), batch_size=16),
        DataLoader(TensorDataset(X[70:], y[70:]), batch_size=8),
    )
    torch.manual_seed(842)
    spy = Spy()
    history = train_model(spy, loaders, torch.optim.SGD(spy.parameters(), lr=0.1), 2)
    training = [(mode, grad) for n, mode, grad in spy.calls if n in (16, 6)]
    validation = [(mode, grad) for n, mode, grad in spy.calls if n in (8, 4)]
    assert len(training) == 10 and all(mode and grad for mode, grad in training), (
        "the training batches of every epoch must run in training mode (model.train() at the start of every epoch: "
        "dropout on), with gradients"
    )
    assert validation and not any(mode for mode, _ in validation), (
        "validation must run in evaluation mode (model.eval(): dropout off)"
    )
    assert not any(grad for _, grad in validation), "validation must run without gradients (with torch.no_grad():)"
    spy.eval()
    with torch.no_grad():
        val_loss = nn.functional.cross_entropy(spy(X[70:]), y[70:]).item()
    assert abs(history["val_loss"][-1] - val_loss) < 1e-5, (
        "the last val_loss must be the evaluation-mode loss of the trained model on the validation samples, "
        f"{val_loss:.4f}; got {history['val_loss'][-1]:.4f}"
    )


@check
def train_model_hidden_weight_decay(train_model) -> None:
    """Task 4: ``weight_decay`` adds weight_decay * w to every gradient once per step, as SGD's own."""
    for seed, decay in ((843, 0.1), (844, 0.5)):
        loaders = problem(seed)
        mine, reference = pair(seed)
        train_model(mine, loaders, torch.optim.SGD(mine.parameters(), lr=0.2), 3, weight_decay=decay)
        reference_train(reference, loaders, torch.optim.SGD(reference.parameters(), lr=0.2, weight_decay=decay), 3)
        twice, _ = pair(seed)
        reference_train(twice, loaders, torch.optim.SGD(twice.parameters(), lr=0.2, weight_decay=2 * decay), 3)
        doubled = max_gap(mine, twice) < 1e-5
        assert max_gap(mine, reference) < 1e-5, (
            f"weight_decay={decay} must add weight_decay * w to every parameter's gradient once per step, as "
            f"torch.optim.SGD(weight_decay={decay}) does"
            + (": yours adds it twice (the penalty is weight_decay / 2 times the sum of squares)" if doubled else "")
        )


@check
def train_model_hidden_reported_loss(train_model) -> None:
    """Task 4: ``train_loss`` is the cross-entropy alone, without the penalty."""
    loaders = problem(845)
    mine_model, reference_model = pair(845)
    # a learning rate of 0 keeps the parameters where they are, so that only the reported loss can differ
    mine = train_model(mine_model, loaders, torch.optim.SGD(mine_model.parameters(), lr=0.0), 2, weight_decay=1.0)
    expected = reference_train(reference_model, loaders, torch.optim.SGD(reference_model.parameters(), lr=0.0), 2)
    assert all(abs(a - b) < 1e-5 for a, b in zip(mine["train_loss"], expected["train_loss"], strict=True)), (
        "train_loss must be the cross-entropy alone, without the L2 penalty: expected "
        f"{[round(v, 4) for v in expected['train_loss']]}, got {[round(v, 4) for v in mine['train_loss']]}"
    )


@check
def build_cnn_hidden_sizes(build_cnn) -> None:
    """Task 5: logits of shape (n, n_classes) for images of any size; the modules of the task text, in their order
    (the student's weights in a reference network give the student's outputs)."""
    torch.manual_seed(851)
    cases = ((10, (16, 32), (3, 1, 28, 28)), (4, (8, 12), (2, 1, 8, 8)), (7, (6, 10), (2, 1, 12, 20)))
    for classes, channels, shape in (*cases, (10, (16, 32), (1, 1, 64, 64))):
        cnn = build_cnn(classes, channels)
        cnn.eval()
        try:
            with torch.no_grad():
                out = cnn(torch.rand(*shape))
        except RuntimeError as error:
            raise AssertionError(
                f"build_cnn({classes}, {channels}) fails on images of shape {shape}: {error} (the head's size must "
                "not depend on the image size: nn.AdaptiveAvgPool2d(2) before it)"
            ) from None
        assert out.shape == (shape[0], classes), (
            f"build_cnn({classes}, {channels}) must map images of shape {shape} to logits of shape "
            f"{(shape[0], classes)}, got {tuple(out.shape)}"
        )
    for classes, channels, shape in cases:
        cnn = build_cnn(classes, channels)
        reference = reference_cnn(classes, channels, 0.25)
        mine = [m for m in cnn.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
        theirs = [m for m in reference.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
        assert [type(m) for m in mine] == [type(m) for m in theirs], (
            "the network must have two nn.Conv2d, then one nn.Linear"
        )
        with torch.no_grad():
            for a, b in zip(mine, theirs, strict=True):
                b.load_state_dict(a.state_dict())
            x = torch.rand(*shape)
            cnn.eval()
            reference.eval()
            same = torch.allclose(cnn(x), reference(x), atol=1e-5)
        assert same, (
            f"with your own weights, build_cnn({classes}, {channels}) does not compute the network of the task text on "
            f"images of shape {shape}: Conv2d, ReLU, MaxPool2d(2), Conv2d, ReLU, MaxPool2d(2), AdaptiveAvgPool2d(2), "
            "Flatten, Dropout, Linear, in this order"
        )


@check
def build_cnn_hidden_parameters(build_cnn) -> None:
    """Task 5: 3x3 convolutions with padding 1, and (9 c1 + c1) + (9 c1 c2 + c2) + (4 c2 K + K) parameters."""
    for classes, channels in ((10, (16, 32)), (3, (8, 12)), (26, (5, 40))):
        cnn = build_cnn(classes, channels)
        count = sum(p.numel() for p in cnn.parameters())
        convs = [m for m in cnn.modules() if isinstance(m, nn.Conv2d)]
        found = [(c.in_channels, c.out_channels, tuple(c.kernel_size), tuple(c.padding)) for c in convs]
        assert found == [(1, channels[0], (3, 3), (1, 1)), (channels[0], channels[1], (3, 3), (1, 1))], (
            "the convolutions must be Conv2d(1, c1, kernel_size=3, padding=1) and Conv2d(c1, c2, kernel_size=3, "
            f"padding=1); build_cnn({classes}, {channels}) has {found}"
        )
        expected = cnn_formula(*channels, classes)
        assert count == expected, (
            f"build_cnn({classes}, {channels}) must have (9 c1 + c1) + (9 c1 c2 + c2) + (4 c2 K + K) = {expected:,} "
            f"parameters, yours {count:,}"
        )


@check
def build_cnn_hidden_dropout(build_cnn) -> None:
    """Task 5: one nn.Dropout(dropout): off in evaluation mode, on in training mode."""
    torch.manual_seed(852)
    cnn = build_cnn(10, (16, 32), dropout=0.4)
    dropouts = [m for m in cnn.modules() if isinstance(m, nn.Dropout)]
    assert len(dropouts) == 1 and abs(dropouts[0].p - 0.4) < 1e-12, (
        "the network must have one nn.Dropout(dropout), with the p given"
    )
    x = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        cnn.eval()
        a, b = cnn(x), cnn(x)
        cnn.train()
        c, d = cnn(x), cnn(x)
    assert torch.equal(a, b), "in evaluation mode the network must be deterministic (dropout off)"
    assert not torch.equal(c, d), "in training mode dropout must change the output from one pass to the next"
