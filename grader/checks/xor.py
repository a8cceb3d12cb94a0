"""The XOR lab's checks: one function per graded test cell of ``source/xor/xor.ipynb``.

The checks of a task that calls the student's other functions put correct ones in their place: ``make_dataset``'s
a correct ``make_batch``, ``evaluate``'s a correct ``accuracy``, ``run``'s correct Tasks 2, 3 and 5.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch
from torch import nn

from grader.checks import check, stand_ins, training_modes
from helpers.xor import BATCH_SIZE, N_TEST_BATCHES, N_TRAIN_BATCHES, XorSetting

ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def reference_batch(
    batch_size: int = 10, n_inputs: int = 2, centred: bool = False, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Task 1's batch, drawn as the task text says."""
    bits = torch.randint(0, 2, (batch_size, n_inputs), generator=generator)
    X, y = bits.float(), (bits.sum(dim=1) % 2).float()
    if centred:
        X, y = 2 * X - 1, 2 * y - 1
    return X + 0.1 * torch.rand(batch_size, n_inputs, generator=generator), y + 0.1 * torch.rand(
        batch_size, generator=generator
    )


def reference_dataset(
    n_batches: int, batch_size: int = 10, n_inputs: int = 2, centred: bool = False, generator=None
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Task 2's data set."""
    return [reference_batch(batch_size, n_inputs, centred, generator) for _ in range(n_batches)]


def seeded_batches(n: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``n`` batches of 10 noisy XOR samples from a generator seeded with ``seed``."""
    return reference_dataset(n, generator=torch.Generator().manual_seed(seed))


class ReferenceNet(nn.Module):
    """Task 3's network."""

    def __init__(self, n_inputs: int = 2, hidden: int = 2, activation: str = "sigmoid", init_uniform: bool = False):
        super().__init__()
        self.hidden = nn.Linear(n_inputs, hidden)
        self.act = ACTIVATIONS[activation]
        self.output = nn.Linear(hidden, 1)
        if init_uniform:
            for p in self.parameters():
                nn.init.uniform_(p, -1.0, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.act(self.hidden(x))).squeeze(-1)


class GradientSpy(ReferenceNet):
    """The checks' 2-2-1 network, recording for every forward pass whether gradients are on."""

    def __init__(self) -> None:
        super().__init__()
        self.gradients: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.gradients.append(torch.is_grad_enabled())
        return super().forward(x)


def fixed_net(seed: int) -> ReferenceNet:
    """A 2-2-1 sigmoid network of the checks' own, initialised from ``seed``."""
    torch.manual_seed(seed)
    return ReferenceNet()


def reference_accuracy(output: torch.Tensor, target: torch.Tensor) -> float:
    """Task 4's accuracy."""
    return (output.round() == target.round()).float().mean().item()


def reference_train_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, batches) -> float:
    """Task 5's epoch: one SGD step per batch, in order; the mean batch loss."""
    model.train()
    losses = []
    for X, y in batches:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def reference_evaluate(model: nn.Module, batches) -> tuple[float, float]:
    """Task 5's evaluation: the mean batch loss and the accuracy over all samples."""
    model.eval()
    with torch.no_grad():
        outputs = [(model(X), y) for X, y in batches]
    loss = sum(nn.functional.mse_loss(o, y).item() for o, y in outputs) / len(outputs)
    right = sum((o.round() == y.round()).sum().item() for o, y in outputs)
    return loss, right / sum(len(y) for _, y in outputs)


def reference_run(setting: XorSetting, epochs: int) -> dict[str, list[float]]:
    """The lab's ``run`` for one setting of :mod:`helpers.xor`: one network, the standard PyTorch loop (what the
    batched ``helpers.xor.train_xor`` must equal, network by network)."""
    generator = torch.Generator().manual_seed(setting.seed)
    train = reference_dataset(N_TRAIN_BATCHES, BATCH_SIZE, setting.n_inputs, setting.centred, generator)
    test = reference_dataset(N_TEST_BATCHES, BATCH_SIZE, setting.n_inputs, setting.centred, generator)
    torch.manual_seed(setting.seed)
    model = ReferenceNet(setting.n_inputs, setting.hidden, setting.activation, setting.init_uniform)
    optimizer = torch.optim.SGD(model.parameters(), lr=setting.lr)
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(reference_train_epoch(model, optimizer, train))
        test_loss, test_accuracy = reference_evaluate(model, test)
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(test_accuracy)
    return history


def parameters_equal(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [layer for layer in model.modules() if isinstance(layer, nn.Linear)]


#: Correct Tasks 2, 3 and 5, in place of the student's while ``run`` is checked.
RUN_STAND_INS = {
    "make_dataset": reference_dataset,
    "XorNet": ReferenceNet,
    "train_epoch": reference_train_epoch,
    "evaluate": reference_evaluate,
}


@check
def make_batch_hidden_parity(make_batch) -> None:
    """Task 1: bits with probability 1/2, the label their parity (3 inputs)."""
    X, y = make_batch(4000, 3, generator=torch.Generator().manual_seed(11))
    assert X.shape == (4000, 3) and y.shape == (4000,), (
        f"make_batch(4000, 3) must return X of shape (4000, 3) and y of shape (4000,), got {tuple(X.shape)} and "
        f"{tuple(y.shape)}"
    )
    bits = X.floor()
    assert set(bits.unique().tolist()) <= {0.0, 1.0}, (
        "without centring, every input must be a bit (0 or 1) plus noise below 0.1"
    )
    assert torch.equal(y.floor(), bits.sum(dim=1) % 2), (
        "the label must be the parity (XOR) of the row's bits, plus noise below 0.1"
    )
    share = bits.mean(dim=0)
    assert ((share - 0.5).abs() < 0.05).all(), (
        f"each bit must be 1 with probability 1/2; the shares of ones were {share.tolist()}"
    )


@check
def make_batch_hidden_centred(make_batch) -> None:
    """Task 1: with ``centred``, bits and labels mapped to -1 and +1 before the noise."""
    X, y = make_batch(4000, 2, centred=True, generator=torch.Generator().manual_seed(12))
    bits, labels = X.floor(), y.floor()
    assert set(bits.unique().tolist()) == {-1.0, 1.0}, (
        "with centred=True the inputs must be -1 or +1 plus noise below 0.1"
    )
    assert set(labels.unique().tolist()) == {-1.0, 1.0}, (
        "with centred=True the labels must be -1 or +1 plus noise below 0.1 (centre the label too)"
    )
    assert torch.equal(labels, torch.where(bits[:, 0] == bits[:, 1], -1.0, 1.0)), (
        "with centred=True the label must be +1 exactly when the two inputs differ"
    )
    assert (X - bits).max() < 0.1 and (y - labels).max() < 0.1, (
        "with centred=True the noise must still lie in [0, 0.1): add it after centring"
    )


@check
def make_batch_hidden_noise(make_batch) -> None:
    """Task 1: noise uniform on [0, 0.1), its own for every input and label, drawn from ``generator``."""
    X, y = make_batch(4000, 2, generator=torch.Generator().manual_seed(13))
    noise = torch.cat([(X - X.floor()).ravel(), y - y.floor()])
    assert noise.min() >= 0 and noise.max() < 0.1, (
        "the noise must lie in [0, 0.1) (add it after centring, and do not scale it)"
    )
    assert abs(noise.mean().item() - 0.05) < 0.005 and abs(noise.std().item() - 0.1 / math.sqrt(12)) < 0.004, (
        "the noise must be uniform on [0, 0.1)"
    )
    assert (X - X.floor())[:, 0].sub((X - X.floor())[:, 1]).abs().max() > 0.01, "each input needs noise of its own"
    assert (y - y.floor()).std() > 0.01, "each label needs noise of its own"
    a = make_batch(50, 2, True, torch.Generator().manual_seed(14))
    b = make_batch(50, 2, True, torch.Generator().manual_seed(14))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]), (
        "the same seeded generator must give the same batch: draw every number with generator"
    )


@check
def make_dataset_hidden(make_dataset) -> None:
    """Task 2: ``make_batch`` called in turn with the arguments given and the same generator."""
    with stand_ins(make_dataset, make_batch=reference_batch):
        data = make_dataset(7, 5, 3, True, torch.Generator().manual_seed(21))
    expected = reference_dataset(7, 5, 3, True, torch.Generator().manual_seed(21))
    assert isinstance(data, list) and len(data) == 7, "make_dataset(7, ...) must return a list of 7 batches"
    for i, ((X, y), (X_expected, y_expected)) in enumerate(zip(data, expected, strict=True)):
        assert X.shape == (5, 3), (
            f"batch {i}: pass batch_size and n_inputs on to make_batch (got X of shape {tuple(X.shape)})"
        )
        assert X.min() < 0, f"batch {i}: pass centred on to make_batch (centred=True gives inputs of -1)"
        assert torch.equal(X, X_expected) and torch.equal(y, y_expected), (
            f"batch {i} differs from make_batch(batch_size, n_inputs, centred, generator) called in turn with the "
            "same generator"
        )


@check
def XorNet_hidden_layers(XorNet) -> None:
    """Task 3: nn.Linear(n_inputs, hidden) then nn.Linear(hidden, 1), with biases; outputs of shape (n,)."""
    for d, h in ((2, 2), (3, 5), (5, 1)):
        net = XorNet(d, h)
        shapes = [(layer.in_features, layer.out_features) for layer in linear_layers(net)]
        assert shapes == [(d, h), (h, 1)], (
            f"XorNet({d}, {h}) must have nn.Linear({d}, {h}) then nn.Linear({h}, 1), found {shapes}"
        )
        assert all(layer.bias is not None for layer in linear_layers(net)), "both layers need their biases"
        assert net(torch.rand(1, d)).shape == (1,), (
            "a batch of one must give shape (1,), not a scalar: squeeze only the last dimension"
        )


@check
def XorNet_hidden_activations(XorNet) -> None:
    """Task 3: Linear -> the activation named -> Linear, no activation on the output."""
    x = torch.randn(50, 3, generator=torch.Generator().manual_seed(31))
    for name, function in ACTIVATIONS.items():
        net = XorNet(3, 4, name)
        first, second = linear_layers(net)
        expected = (function(x @ first.weight.T + first.bias) @ second.weight.T + second.bias).squeeze(-1)
        with torch.no_grad():
            got = net(x)
        assert torch.allclose(got, expected, atol=1e-5), (
            f"XorNet(activation={name!r}) must compute Linear -> {name} -> Linear, with no activation on the output"
        )


@check
def XorNet_hidden_uniform(XorNet) -> None:
    """Task 3: ``init_uniform=True`` redraws every weight and bias from U(-1, 1)."""
    torch.manual_seed(32)
    layers = [layer for _ in range(300) for layer in linear_layers(XorNet(2, 2, init_uniform=True))]
    weights = torch.cat([layer.weight.detach().ravel() for layer in layers])
    biases = torch.cat([layer.bias.detach() for layer in layers])
    assert torch.cat([weights, biases]).abs().max() <= 1, "init_uniform=True must draw every parameter from U(-1, 1)"
    assert weights.abs().max() > 0.95 and abs(weights.std().item() - 1 / math.sqrt(3)) < 0.03, (
        "init_uniform=True must draw every weight from U(-1, 1), not keep PyTorch's default ranges"
    )
    assert biases.abs().max() > 0.95 and abs(biases.std().item() - 1 / math.sqrt(3)) < 0.04, (
        "init_uniform=True must redraw the biases too, not only the weights"
    )


@check
def accuracy_hidden(accuracy) -> None:
    """Task 4: rounded outputs against rounded targets, as a float, for 0/1 and -1/+1 targets."""
    g = torch.Generator().manual_seed(41)
    target = torch.randint(0, 2, (1000,), generator=g).float() + 0.1 * torch.rand(1000, generator=g)
    output = target.round() + 0.8 * torch.rand(1000, generator=g) - 0.4
    output[:137] = 1 - target[:137].round()  # 137 wrong answers
    a = accuracy(output, target)
    assert isinstance(a, float) and abs(a - 0.863) < 1e-6, (
        f"863 of 1000 rounded outputs equal the rounded targets, so 0.863; got {a} "
        "(round both the output and the target)"
    )
    centred = torch.tensor([-1.04, 1.09, -0.95, 1.0])
    assert abs(accuracy(torch.tensor([-0.7, 1.3, 0.2, 0.6]), centred) - 0.75) < 1e-9, (
        "with targets of -1 and +1, rounding must give -1, 1, 0, 1 for -0.7, 1.3, 0.2, 0.6"
    )


@check
def train_epoch_hidden_steps(train_epoch) -> None:
    """Task 5: one SGD step per batch, in order, on the MSE; the mean of the batch losses."""
    batches = seeded_batches(30, 51)
    model, reference = fixed_net(52), fixed_net(52)
    loss = train_epoch(model, torch.optim.SGD(model.parameters(), lr=0.5), batches)
    expected = reference_train_epoch(reference, torch.optim.SGD(reference.parameters(), lr=0.5), batches)
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6), (
            f"after one epoch {name} differs from one SGD step per batch, in order, on "
            "nn.functional.mse_loss(model(X), y)"
        )
    assert isinstance(loss, float) and abs(loss - expected) < 1e-6, (
        f"train_epoch must return the mean of the batch losses of the epoch as a float: expected {expected:.6f}, "
        f"got {loss}"
    )


@check
def train_epoch_hidden_zero_grad(train_epoch) -> None:
    """Task 5: the gradients zeroed before each step, across epochs too; training mode."""
    batches = seeded_batches(10, 53)
    model, reference = fixed_net(54), fixed_net(54)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    reference_optimizer = torch.optim.SGD(reference.parameters(), lr=0.3)
    model.eval()
    modes = []
    for _ in range(2):
        modes += training_modes(model, lambda: train_epoch(model, optimizer, batches))
        reference_train_epoch(reference, reference_optimizer, batches)
    assert parameters_equal(model, reference), (
        "gradients must be zeroed before each step: otherwise each step adds up the gradients of every batch so far"
    )
    assert modes and all(modes), "train_epoch must run the model in training mode (model.train())"


@check
def evaluate_hidden(evaluate) -> None:
    """Task 5: the mean batch loss and the accuracy over all samples, in evaluation mode without gradients, the model
    unchanged."""
    model, batches = fixed_net(55), seeded_batches(8, 56)
    before = [p.detach().clone() for p in model.parameters()]
    with stand_ins(evaluate, accuracy=reference_accuracy):
        results = []
        modes = training_modes(model, lambda: results.append(evaluate(model, batches)))
    ((loss, acc),) = results
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before, strict=True)), (
        "evaluate must not change the model"
    )
    expected_loss, expected_accuracy = reference_evaluate(fixed_net(55), batches)
    assert abs(loss - expected_loss) < 1e-6, (
        f"evaluate's loss must be the mean of the batch losses: expected {expected_loss:.5f}, got {loss:.5f}"
    )
    assert abs(acc - expected_accuracy) < 1e-6, (
        f"evaluate's accuracy must be over all samples of the batches: expected {expected_accuracy}, got {acc}"
    )
    assert modes and not any(modes), "evaluate must run the model in evaluation mode (model.eval())"
    spy = GradientSpy()
    with stand_ins(evaluate, accuracy=reference_accuracy):
        evaluate(spy, batches)
    assert spy.gradients and not any(spy.gradients), "evaluate must run the model without gradients (torch.no_grad())"


@check
def run_hidden_reproducible(run) -> None:
    """Task 6: the same seed gives the same numbers, another seed others."""
    with stand_ins(run, **RUN_STAND_INS):
        a = run("tanh", seed=61, lr=0.05, epochs=1, centred=True)
        b = run("tanh", seed=61, lr=0.05, epochs=1, centred=True)
        c = run("tanh", seed=62, lr=0.05, epochs=1, centred=True)
    assert a == b, (
        "two runs with the same arguments must give the same numbers: seed the data generator and torch with seed"
    )
    assert a != c, "runs with different seeds must differ: use seed for the data and the initial weights"


#: The settings of the task text's experiment that the protocol check runs: every argument of ``run`` away from its
#: default in one of them (``centred`` in the second).
PROTOCOL_SETTINGS = (
    {"activation": "relu", "seed": 63, "lr": 0.1, "epochs": 1, "init_uniform": True, "n_inputs": 3, "hidden": 4},
    {"activation": "tanh", "seed": 64, "lr": 0.05, "epochs": 2, "centred": True},
)


@functools.cache
def protocol_history(index: int) -> dict[str, list[float]]:
    """What ``run(**PROTOCOL_SETTINGS[index])`` returns, step by step as the task text says."""
    setting = dict(PROTOCOL_SETTINGS[index])
    epochs = setting.pop("epochs")
    return reference_run(XorSetting(**setting), epochs)


@check
def run_hidden_protocol(run) -> None:
    """Task 6: the experiment of the task text, step by step, with every argument passed on."""
    for index, setting in enumerate(PROTOCOL_SETTINGS):
        with stand_ins(run, **RUN_STAND_INS):
            got = run(**setting)
        expected = protocol_history(index)
        assert isinstance(got, dict) and set(got) == set(expected), (
            f"run must return a dict with the keys {', '.join(expected)}"
        )
        call = ", ".join(f"{name}={value!r}" for name, value in setting.items())
        for key in expected:
            assert np.allclose(got[key], expected[key], rtol=1e-5, atol=1e-7), (
                f"run({call}): {key} differs from the experiment of the task text (data from the seeded generator, "
                "then torch.manual_seed(seed), XorNet(n_inputs, hidden, activation, init_uniform), SGD with lr, train "
                "then evaluate each epoch; every argument passed on)"
            )


def wrong_answers(quiz: dict, answers: dict) -> list[str]:
    return [key for key, value in answers.items() if quiz.get(key) != value]


@check
def quiz_hidden_numbers(QUIZ) -> None:
    """Task 7: the four numbers."""
    wrong = wrong_answers(QUIZ, {"n_parameters": 9, "steps_per_epoch": 500, "total_steps": 50_000, "test_samples": 500})
    assert not wrong, f"wrong answers: {', '.join(wrong)}"


@check
def quiz_hidden_training(QUIZ) -> None:
    """Task 7: the questions on the training step."""
    wrong = wrong_answers(QUIZ, {"zero_grad": "b", "backward": "b", "step": "a"})
    assert not wrong, f"wrong answers on the training step: {', '.join(wrong)}"


@check
def quiz_hidden_why(QUIZ) -> None:
    """Task 7: the why questions."""
    wrong = wrong_answers(QUIZ, {"noise": "b", "squeeze": "a", "linear_xor": "b"})
    assert not wrong, f"wrong answers on the why questions: {', '.join(wrong)}"
