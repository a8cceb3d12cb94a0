"""The classification lab's checks: one function per graded test cell of
``source/classification/classification.ipynb``.

``fit`` may call the student's ``accuracy`` (the task text allows it): its checks put a correct one in its place.
The half-moons check trains the student's model by the student's recipe with a loop of its own, and the digits check
trains the student's classifier the same way, so that neither depends on the student's ``fit`` or ``make_loaders``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook
from torch.utils.data import DataLoader, TensorDataset

from grader.checks import check, raises_value_error, stand_ins, training_modes

ACTIVATIONS = (("sigmoid", torch.sigmoid), ("relu", torch.relu), ("tanh", torch.tanh))
HISTORY_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")


def right(outputs: torch.Tensor, y: torch.Tensor) -> int:
    """How many of a batch's samples the logits classify right (Task 3's rule)."""
    predicted = (outputs > 0).float() if outputs.shape[1] == 1 else outputs.argmax(dim=1)
    return int((predicted == y).sum().item())


def reference_accuracy(model: nn.Module, loader: DataLoader) -> float:
    """Task 3's accuracy."""
    model.eval()
    with torch.no_grad():
        return sum(right(model(X), y) for X, y in loader) / sum(len(y) for _, y in loader)


def reference_fit(model, train_loader, val_loader, loss_fn, optimizer, epochs: int) -> dict[str, list[float]]:
    """Task 4's loop."""
    history = {key: [] for key in HISTORY_KEYS}
    for _ in range(epochs):
        model.train()
        total = correct = seen = 0
        for X, y in train_loader:
            optimizer.zero_grad()
            outputs = model(X)
            loss = loss_fn(outputs, y)
            loss.backward()
            optimizer.step()
            total, correct, seen = total + loss.item() * len(y), correct + right(outputs, y), seen + len(y)
        history["train_loss"].append(total / seen)
        history["train_accuracy"].append(correct / seen)
        model.eval()
        total = correct = seen = 0
        with torch.no_grad():
            for X, y in val_loader:
                outputs = model(X)
                total += loss_fn(outputs, y).item() * len(y)
                correct, seen = correct + right(outputs, y), seen + len(y)
        history["val_loss"].append(total / seen)
        history["val_accuracy"].append(correct / seen)
    return history


def problem(seed: int, classes: int = 1) -> tuple[DataLoader, DataLoader]:
    """Fixed data in unshuffled loaders (70 training samples in batches of 16, 20 validation in batches of 8), so
    that every run sees the same batches; one logit's labels of shape (n, 1), several classes' of shape (n,)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(90, 3, generator=g)
    y = (X[:, :1] + X[:, 1:2] > 0).float() if classes == 1 else torch.randint(0, classes, (90,), generator=g)
    return DataLoader(TensorDataset(X[:70], y[:70]), batch_size=16), DataLoader(
        TensorDataset(X[70:], y[70:]), batch_size=8
    )


def numbered(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` samples where sample i is the point (i, i), with label i % 2: a loader's order can be read off."""
    return torch.arange(n, dtype=torch.float32)[:, None].repeat(1, 2), (torch.arange(n) % 2).float()[:, None]


def sample_ids(loader: DataLoader) -> list[int]:
    """The samples of ``numbered`` data in the order a loader gives them."""
    return [int(v) for batch in loader for v in batch[0][:, 0]]


class Spy(nn.Module):
    """A linear model that records, for every forward pass, the batch size, the mode and whether gradients are on."""

    def __init__(self) -> None:
        super().__init__()
        self.layer, self.calls = nn.Linear(3, 1), []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return self.layer(x)


@check
def make_classifier_hidden_layers(make_classifier) -> None:
    """Task 1: Linear(n_in, n_hidden), the activation named, Linear(n_hidden, n_out); ValueError for another name;
    a new network for every call."""
    for name, function in ACTIVATIONS:
        model = make_classifier(3, 5, 2, name)
        assert len(model) >= 3 and isinstance(model[0], nn.Linear) and isinstance(model[2], nn.Linear), (
            "the modules must be Linear, the activation, Linear"
        )
        sizes = (model[0].in_features, model[0].out_features, model[2].in_features, model[2].out_features)
        assert sizes == (3, 5, 5, 2), "make_classifier(3, 5, 2) must have Linear(3, 5) and Linear(5, 2)"
        z = torch.linspace(-3, 3, 13)
        assert torch.allclose(model[1](z), function(z)), (
            f"activation={name!r} must put {name} between the two linear layers"
        )
    raises_value_error(lambda: make_classifier(activation="gelu"), 'make_classifier(activation="gelu")')
    first, second = make_classifier(), make_classifier()
    assert first[0].weight.data_ptr() != second[0].weight.data_ptr(), (
        "every call of make_classifier must build a new network with parameters of its own"
    )


@check
def make_classifier_hidden_logits(make_classifier) -> None:
    """Task 1: nothing after the last linear layer: the outputs are logits."""
    torch.manual_seed(701)
    model = make_classifier(2, 4, 1)
    with torch.no_grad():
        model[2].weight.mul_(50)
    x = torch.randn(64, 2)
    with torch.no_grad():
        expected = model[2](model[1](model[0](x)))
        out = model(x)
    assert len(model) == 3, (
        f"make_classifier must hold exactly Linear, the activation, Linear: it has {len(model)} modules "
        f"({', '.join(type(m).__name__ for m in model)}); the loss applies the sigmoid"
    )
    assert torch.allclose(out, expected), "the output must be the last linear layer's output, the logits"


@check
def make_loaders_hidden_split(make_loaders) -> None:
    """Task 2: round(val_fraction * n) validation samples (71.7 and 71.1: rounding differs from truncating and from
    rounding up), every sample in one loader with its label, the labels' dtype and shape as given, a random split
    drawn with ``generator``, the permutation's first indices for validation."""
    X, y = numbered(239)
    train, val = make_loaders(X, y, batch_size=32, val_fraction=0.3, generator=torch.Generator().manual_seed(711))
    a, b = sorted(sample_ids(train)), sorted(sample_ids(val))
    assert len(b) == round(0.3 * 239), (
        f"val_fraction=0.3 of 239 samples must give round(71.7) = 72 validation samples (rounded, not truncated by "
        f"int()), got {len(b)}"
    )
    assert sorted(a + b) == list(range(239)), "every sample must be in exactly one of the two loaders"
    for loader in (train, val):
        for bx, by in loader:
            assert by.dtype == y.dtype and by.shape[1:] == y.shape[1:], (
                f"the loaders must give the labels as they are given: y of dtype {y.dtype} and shape (n, 1) gives "
                f"batches of labels of dtype {y.dtype} and shape (batch, 1), got {by.dtype} and {tuple(by.shape)}"
            )
            assert torch.equal(by[:, 0], bx[:, 0] % 2), (
                "each sample must keep its own label (index X and y with the same indices)"
            )
    assert b != list(range(167, 239)) and b != list(range(72)), (
        "the split must be random (torch.randperm), not the first or last samples"
    )
    again = sorted(sample_ids(make_loaders(X, y, 32, 0.3, torch.Generator().manual_seed(711))[1]))
    other = sorted(sample_ids(make_loaders(X, y, 32, 0.3, torch.Generator().manual_seed(712))[1]))
    assert again == b and other != b, (
        "the split must be drawn with generator: the same seed gives the same split, another seed another"
    )
    order = torch.randperm(239, generator=torch.Generator().manual_seed(711)).tolist()
    assert b != sorted(order[-72:]), (
        "validation must be the first round(val_fraction * len(X)) indices of the permutation, not the last: "
        "val, train = order[:n_val], order[n_val:]"
    )
    assert b == sorted(order[:72]), (
        "the validation samples must be the first 72 indices of torch.randperm(len(X), generator=generator), drawn "
        "before anything else uses the generator"
    )
    down = sum(len(batch[0]) for batch in make_loaders(*numbered(237), 32, 0.3, torch.Generator().manual_seed(714))[1])
    assert down == round(0.3 * 237), (
        f"val_fraction=0.3 of 237 samples must give round(71.1) = 71 validation samples (rounded, not rounded up), "
        f"got {down}"
    )
    classes = torch.arange(50) % 3  # int64 class numbers of shape (n,), as the digits have
    for loader in make_loaders(X[:50], classes, batch_size=8, generator=torch.Generator().manual_seed(713)):
        for bx, by in loader:
            assert by.dtype == torch.int64 and by.shape == (len(bx),), (
                f"class numbers (int64, shape (n,)) must come out of the loaders as they went in: int64 of shape "
                f"(batch,), got {by.dtype} of shape {tuple(by.shape)}"
            )
            assert torch.equal(by, bx[:, 0].long() % 3), "each sample must keep its own class number"


@check
def make_loaders_hidden_reshuffle(make_loaders) -> None:
    """Task 2: the training loader reshuffles every epoch, with ``generator``; the validation loader does not."""
    X, y = numbered(200)
    train, val = make_loaders(X, y, batch_size=20, generator=torch.Generator().manual_seed(721))
    e1, e2 = sample_ids(train), sample_ids(train)
    assert sorted(e1) == sorted(e2) and e1 != e2, (
        "the training loader must visit its samples in a new order every epoch (shuffle=True)"
    )
    assert e1 != sorted(e1), "the training loader must shuffle its samples"
    assert sample_ids(val) == sample_ids(val), "the validation loader must not shuffle (the same order every time)"
    train2, _ = make_loaders(X, y, batch_size=20, generator=torch.Generator().manual_seed(721))
    assert [sample_ids(train2), sample_ids(train2)] == [e1, e2], (
        "the shuffles must be drawn with generator too (DataLoader(..., generator=generator)): the same seed gives "
        "the same epochs"
    )


@check
def make_loaders_hidden_batches(make_loaders) -> None:
    """Task 2: ``batch_size`` in both loaders, the default ``val_fraction`` 0.2."""
    X, y = numbered(95)
    train, val = make_loaders(X, y, batch_size=16, generator=torch.Generator().manual_seed(731))
    sizes = [len(b[0]) for b in train]
    assert sizes == [16, 16, 16, 16, 12], (
        f"76 training samples in batches of 16 must give batches of 16, 16, 16, 16, 12, got {sizes}"
    )
    assert [len(b[0]) for b in val] == [16, 3], "19 validation samples in batches of 16 must give batches of 16 and 3"


@check
def accuracy_hidden_binary(accuracy) -> None:
    """Task 3: one logit: class 1 above 0, over all batches, as a float."""
    logits = torch.tensor([[0.2], [0.4], [-0.3], [0.45], [1.5], [-2.0], [0.1], [0.7]])
    labels = torch.tensor([[1.0], [1.0], [0.0], [1.0], [1.0], [0.0], [0.0], [1.0]])
    a = accuracy(nn.Identity(), DataLoader(TensorDataset(logits, labels), batch_size=3))
    assert isinstance(a, float), f"accuracy must return a Python float, not {type(a).__name__}"
    assert abs(a - 7 / 8) < 1e-9, (
        "one logit: class 1 when the logit is above 0 (not 0.5: these are logits, not probabilities); expected "
        f"0.875 over all 8 samples, got {a}"
    )


@check
def accuracy_hidden_classes(accuracy) -> None:
    """Task 3: several logits: the argmax; in evaluation mode, without gradients."""
    logits = torch.randn(50, 4, generator=torch.Generator().manual_seed(741))
    labels = torch.randint(0, 4, (50,), generator=torch.Generator().manual_seed(742))
    a = accuracy(nn.Identity(), DataLoader(TensorDataset(logits, labels), batch_size=16))
    expected = (logits.argmax(dim=1) == labels).float().mean().item()
    assert abs(a - expected) < 1e-6, (
        f"several logits: the predicted class is the argmax; expected {expected:.2f}, got {a}"
    )
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    model.train()
    loader, values = DataLoader(TensorDataset(logits, labels), batch_size=16), []
    modes = training_modes(model, lambda: values.append(accuracy(model, loader)))
    assert modes and not any(modes), "accuracy must run the model in evaluation mode (model.eval())"
    model.train()
    assert values[0] == accuracy(model, loader), (
        "in evaluation mode dropout is off, so accuracy must give the same value twice"
    )
    spy = Spy()
    accuracy(spy, DataLoader(TensorDataset(torch.randn(8, 3), torch.ones(8, 1)), batch_size=4))
    assert spy.calls and not any(grad for _, _, grad in spy.calls), (
        "accuracy must run the model without gradients (with torch.no_grad():)"
    )


@check
def fit_hidden_history(fit) -> None:
    """Task 4: the four curves, means over samples, for one logit and for three classes."""
    for classes, loss_fn in ((1, nn.BCEWithLogitsLoss()), (3, nn.CrossEntropyLoss())):
        train, val = problem(751, classes=classes)
        torch.manual_seed(752)
        mine = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, classes))
        reference = nn.Sequential(nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, classes))
        reference.load_state_dict(mine.state_dict())
        with stand_ins(fit, accuracy=reference_accuracy):
            history = fit(mine, train, val, loss_fn, torch.optim.SGD(mine.parameters(), lr=0.3), 4)
        expected = reference_fit(reference, train, val, loss_fn, torch.optim.SGD(reference.parameters(), lr=0.3), 4)
        assert isinstance(history, dict) and set(history) == set(HISTORY_KEYS), (
            f"fit must return a dict with the keys {', '.join(HISTORY_KEYS)}"
        )
        for key in HISTORY_KEYS:
            got = history[key]
            assert len(got) == 4 and all(abs(a - b) < 1e-5 for a, b in zip(got, expected[key], strict=True)), (
                f"{key} ({classes} output(s)) must be {[round(v, 4) for v in expected[key]]}, got "
                f"{[round(v, 4) for v in got]}: means over samples, training values from the batches as they were "
                "trained on, validation after the epoch's steps"
            )


@check
def fit_hidden_modes(fit) -> None:
    """Task 4: training batches in training mode with gradients, validation in evaluation mode without."""
    train, val = problem(761)
    spy = Spy()
    with stand_ins(fit, accuracy=reference_accuracy):
        fit(spy, train, val, nn.BCEWithLogitsLoss(), torch.optim.SGD(spy.parameters(), lr=0.1), 2)
    training = [(mode, grad) for n, mode, grad in spy.calls if n in (16, 6)]
    validation = [(mode, grad) for n, mode, grad in spy.calls if n in (8, 4)]
    assert training and all(mode and grad for mode, grad in training), (
        "the training batches must run in training mode (model.train() at the start of every epoch) with gradients"
    )
    assert validation and not any(mode for mode, _ in validation), (
        "validation must run in evaluation mode (model.eval())"
    )
    assert not any(grad for _, grad in validation), "validation must run without gradients (with torch.no_grad():)"


@check
def fit_hidden_steps(fit) -> None:
    """Task 4: one optimizer step per training batch, in order, every epoch, with the optimizer and loss given."""
    train, val = problem(771)
    torch.manual_seed(772)
    mine = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    reference = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    reference.load_state_dict(mine.state_dict())
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
    with stand_ins(fit, accuracy=reference_accuracy):
        fit(mine, train, val, loss_fn, torch.optim.SGD(mine.parameters(), lr=0.2, momentum=0.9), 3)
    reference_fit(reference, train, val, loss_fn, torch.optim.SGD(reference.parameters(), lr=0.2, momentum=0.9), 3)
    assert all(
        torch.allclose(p, q, atol=1e-6) for p, q in zip(mine.parameters(), reference.parameters(), strict=True)
    ), (
        "after fit the weights must be those of one step of the optimizer given per training batch, in order, every "
        "epoch, on loss_fn (zero the gradients before each backward pass)"
    )


@check
def decision_grid_hidden_binary(decision_grid) -> None:
    """Task 5: the meshgrid of xlim and ylim, all points at once without gradients, sigmoid of the one logit."""
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[2.0, -3.0]]))
        model.bias.fill_(0.5)
    xx, yy, p = decision_grid(model, (-1, 2), (0.5, 1.5), n=41)
    spy = Spy()
    spy.layer = nn.Linear(2, 1)
    decision_grid(spy, (0, 1), (0, 1), n=5)
    assert spy.calls and all(n == 25 for n, _, _ in spy.calls), (
        "the model must get the n * n grid points at once, as a tensor of shape (n * n, 2)"
    )
    assert not any(grad for _, _, grad in spy.calls), (
        "decision_grid must run the model without gradients (torch.no_grad())"
    )
    gx, gy = np.meshgrid(np.linspace(-1, 2, 41), np.linspace(0.5, 1.5, 41))
    assert np.shape(xx) == np.shape(yy) == (41, 41) and np.allclose(xx, gx) and np.allclose(yy, gy), (
        "xx, yy must be np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))"
    )
    assert isinstance(p, np.ndarray) and np.allclose(p, 1 / (1 + np.exp(-(2 * gx - 3 * gy + 0.5))), atol=1e-6), (
        "for one logit, p[i, j] must be sigmoid(model(point (xx[i, j], yy[i, j]))), a NumPy array of shape (n, n)"
    )


@check
def decision_grid_hidden_classes(decision_grid) -> None:
    """Task 5: the softmax of several logits, shape (n, n, K), in evaluation mode."""
    torch.manual_seed(781)
    model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 3), nn.Dropout(0.5))
    model.train()
    xx, yy, p = decision_grid(model, (0, 1), (0, 1), n=25)
    assert np.shape(p) == (25, 25, 3), f"for 3 logits p must have shape (n, n, 3), got {np.shape(p)}"
    model.eval()
    with torch.no_grad():
        points = torch.tensor(np.column_stack([xx.ravel(), yy.ravel()]), dtype=torch.float32)
        expected = torch.softmax(model(points), dim=1).numpy().reshape(25, 25, 3)
    assert np.allclose(p, expected, atol=1e-6), (
        "for several logits p must be the softmax over classes, computed in evaluation mode (model.eval(): dropout off)"
    )


@check
def fit_sine_hidden_network(fit_sine) -> None:
    """Task 6: Linear(1, hidden), sigmoid, Linear(hidden, 1)."""
    model = fit_sine(torch.zeros(4, 1), torch.zeros(4, 1), hidden=8, epochs=1)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    sizes = [(layer.in_features, layer.out_features) for layer in linears]
    assert sizes == [(1, 8), (8, 1)], f"hidden=8 must give Linear(1, 8) and Linear(8, 1), got {sizes}"
    with torch.no_grad():  # known weights: every hidden unit is sigmoid(x), the output their mean
        linears[0].weight.fill_(1.0)
        linears[0].bias.zero_()
        linears[1].weight.fill_(1 / 8)
        linears[1].bias.zero_()
        x = torch.tensor([[-2.0], [0.0], [3.0]])
        out = model(x)
    assert torch.allclose(out, torch.sigmoid(x), atol=1e-6), (
        "the hidden layer must be a sigmoid and the output linear (no activation after the last layer)"
    )


@check
def fit_sine_hidden_fit(fit_sine) -> None:
    """Task 6: Adam at ``lr`` for ``epochs`` full-batch steps on the MSE; with the defaults, below 0.01."""
    g = torch.Generator().manual_seed(791)
    x = torch.rand(100, 1, generator=g)
    y = torch.sin(2 * math.pi * x) + 0.1 * torch.randn(100, 1, generator=g)
    steps = []
    hook = register_optimizer_step_post_hook(
        lambda optimizer, args, kwargs: steps.append((type(optimizer).__name__, optimizer.param_groups[0]["lr"]))
    )
    try:
        fit_sine(x, y, hidden=4, epochs=7, lr=0.125)
    finally:
        hook.remove()
    assert steps == [("Adam", 0.125)] * 7, (
        f"fit_sine(..., epochs=7, lr=0.125) must take 7 steps of torch.optim.Adam at lr 0.125; it took {len(steps)} "
        f"steps of {sorted(set(steps))}"
    )
    torch.manual_seed(792)
    model = fit_sine(x, y)
    grid = torch.linspace(0, 1, 201)[:, None]
    with torch.no_grad():
        error = nn.functional.mse_loss(model(grid), torch.sin(2 * math.pi * grid)).item()
    assert error < 0.01, (
        "trained with the defaults on 100 noisy points, the network must follow sin(2 pi x) to a mean squared error "
        f"below 0.01; it is {error:.4f} (Adam at lr for epochs full-batch steps)"
    )


def train_moons(model: nn.Module, recipe: dict, seed: int) -> float:
    """``model`` trained by ``recipe`` on make_moons(1000, noise=0.2) (80% of it, reshuffled every epoch), with
    ``nn.BCEWithLogitsLoss()``; its accuracy on 5,000 fresh points."""
    from sklearn.datasets import make_moons  # here, not at the top: every grading kernel imports this module

    X, y = make_moons(1000, noise=0.2, random_state=seed)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]
    g = torch.Generator().manual_seed(seed + 1)
    order = torch.randperm(1000, generator=g)
    train = DataLoader(
        TensorDataset(X[order[200:]], y[order[200:]]), batch_size=recipe["batch_size"], shuffle=True, generator=g
    )
    if recipe["optimizer"] == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=recipe["lr"])
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=recipe["lr"], momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(recipe["epochs"]):
        model.train()
        for Xb, yb in train:
            optimizer.zero_grad()
            loss_fn(model(Xb), yb).backward()
            optimizer.step()
    Xt, yt = make_moons(5000, noise=0.2, random_state=seed + 3)
    model.eval()
    with torch.no_grad():
        return float(((model(torch.tensor(Xt, dtype=torch.float32)) > 0).float()[:, 0].numpy() == yt).mean())


@check
def moons_hidden_accuracy(moons_recipe, moons_model) -> None:
    """Task 7: within the budget, a fresh model trained by the recipe classifies 95% of fresh points right."""
    recipe = moons_recipe()
    assert recipe.get("optimizer") in ("adam", "sgd"), 'the recipe\'s optimizer must be "adam" or "sgd"'
    steps = recipe["epochs"] * math.ceil(800 / recipe["batch_size"])
    torch.manual_seed(803)
    first, second = moons_model(), moons_model()
    assert next(first.parameters()).data_ptr() != next(second.parameters()).data_ptr(), (
        "every call of moons_model must build a new network with parameters of its own"
    )
    assert steps <= 20_000 and sum(p.numel() for p in first.parameters()) <= 10_000, (
        "the model and the recipe must keep to the budget (10,000 parameters, 20,000 steps)"
    )
    started = time.perf_counter()
    reached = train_moons(first, recipe, 801)
    seconds = time.perf_counter() - started
    assert reached >= 0.95, (
        f"trained by your recipe ({steps} steps, {seconds:.0f} s), your model classifies {reached:.1%} of 5,000 fresh "
        "half-moons points right; at least 95% is needed (a bigger network, or more epochs)"
    )


@check
def make_mlp_classifier_hidden_layers(make_mlp_classifier) -> None:
    """Task 8: Linear(n_in, n_hidden) and Linear(n_hidden, n_classes); logits of shape (n, n_classes)."""
    model = make_mlp_classifier(20, 7, 4)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    sizes = [(layer.in_features, layer.out_features) for layer in linears]
    assert sizes == [(20, 7), (7, 4)], (
        f"make_mlp_classifier(20, 7, 4) must have Linear(20, 7) and Linear(7, 4), got {sizes}"
    )
    assert model(torch.rand(3, 20)).shape == (3, 4), "inputs of shape (3, 20) must give logits of shape (3, 4)"


@check
def make_mlp_classifier_hidden_logits(make_mlp_classifier) -> None:
    """Task 8: a sigmoid hidden layer, and nothing after the last linear layer."""
    model = make_mlp_classifier(3, 3, 3)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():  # known weights: the identity twice, so the output is sigmoid(x) unless something follows
        for layer in linears:
            layer.weight.copy_(torch.eye(3))
            layer.bias.zero_()
        x = torch.tensor([[2.0, -1.0, 0.5], [4.0, 3.0, -2.0]])
        out = model(x)
    if torch.allclose(out.sum(dim=1), torch.ones(2), atol=1e-5):
        raise AssertionError(
            "the outputs sum to 1: a softmax at the end; output logits, nn.CrossEntropyLoss applies the softmax itself"
        )
    assert torch.allclose(out, torch.sigmoid(x), atol=1e-6), (
        "the network must be Linear, sigmoid, Linear, with nothing after the last layer"
    )


@check
def make_mlp_classifier_hidden_digits(make_mlp_classifier) -> None:
    """Task 8: trained as Experiment 5 trains it, at least 95% test accuracy on the 8x8 digits."""
    from helpers.data import digit_images  # here, not at the top: every grading kernel imports this module

    digits = digit_images("digits", n_train=1437, n_test=360, seed=811)
    X, y = torch.tensor(digits.x_train, dtype=torch.float32), torch.tensor(digits.y_train)
    train = DataLoader(TensorDataset(X, y), batch_size=100, shuffle=True, generator=torch.Generator().manual_seed(812))
    torch.manual_seed(813)
    model = make_mlp_classifier(64, 100, 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(30):
        model.train()
        for Xb, yb in train:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(Xb), yb).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(torch.tensor(digits.x_test, dtype=torch.float32)).argmax(dim=1)
    test = (predicted == torch.tensor(digits.y_test)).float().mean().item()
    assert test >= 0.95, (
        f"trained with nn.CrossEntropyLoss, Adam at 0.01, batches of 100, 30 epochs, your 64-100-10 network reaches "
        f"{test:.1%} test accuracy on the 8x8 digits; at least 95% is expected"
    )
