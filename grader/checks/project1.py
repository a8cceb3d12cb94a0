"""Project 1's checks: one function per graded test cell of ``source/project1/project1.ipynb``.

The checks of Tasks 2 and 3 put a correct ``target_function`` in place of the student's, so that a wrong
target function costs Task 1 only.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

from grader.checks import check, stand_ins


def target(X: torch.Tensor) -> torch.Tensor:
    """The target function f, the reference for Tasks 1-3 (shape (n, 1))."""
    return (X[:, 0] ** 2 + X[:, 1] ** 2 + 2 * X[:, 2] ** 3 + 4 * X[:, 3] ** 3)[:, None]


def linear_problem(seed: int) -> tuple[torch.Tensor, torch.Tensor, list[tuple[torch.Tensor, torch.Tensor]]]:
    """Task 7's data: 200 inputs, their targets under a fixed linear map, and 5 minibatches of 40."""
    X = 2 * torch.rand(200, 4, generator=torch.Generator().manual_seed(seed)) - 1
    Y = X @ torch.tensor([[1.0], [-2.0], [0.5], [1.5]]) + 0.3
    return X, Y, [(X[i : i + 40], Y[i : i + 40]) for i in range(0, 200, 40)]


def linear_model(seed: int) -> nn.Linear:
    """Task 7's model: a 4-1 linear layer initialised from ``seed``."""
    torch.manual_seed(seed)
    return nn.Linear(4, 1)


def mse(model: nn.Module, X: torch.Tensor, Y: torch.Tensor) -> float:
    """The model's mean squared error on (X, Y)."""
    with torch.no_grad():
        return ((model(X) - Y) ** 2).mean().item()


def train_on_linear_problem(train, seed: int, **options) -> tuple[list[float], float]:
    """The losses ``train`` returns on Task 7's problem of ``seed`` with ``options``, and its model's error after."""
    X, Y, batches = linear_problem(seed)
    model = linear_model(seed)
    losses = train(model, batches, **options)
    return losses, mse(model, X, Y)


@check
def target_function_hidden(target_function) -> None:
    """Task 1: f on random inputs in [-2, 2], and the signs of the odd powers."""
    X = 4 * torch.rand(1000, 4, generator=torch.Generator().manual_seed(101)) - 2
    y = target_function(X.clone())
    assert y.shape == (1000, 1), (
        f"target_function must return shape (n, 1); for 1000 inputs it returned {tuple(y.shape)}"
    )
    negative_units = target_function(-torch.eye(4)).ravel().tolist()
    assert negative_units == [1.0, 1.0, -2.0, -4.0], (
        f"f(-1,0,0,0), f(0,-1,0,0), f(0,0,-1,0) and f(0,0,0,-1) must be 1, 1, -2 and -4, not {negative_units}: "
        "check the sign or the power of each term for negative inputs"
    )
    assert torch.allclose(y, target(X), rtol=1e-5, atol=1e-5), (
        "target_function does not compute x1^2 + x2^2 + 2 x3^3 + 4 x4^3 on random inputs"
    )


@check
def make_training_data_hidden(make_training_data) -> None:
    """Task 2: n samples, uniform on [-1, 1], coordinates independent."""
    with stand_ins(make_training_data, target_function=target):
        X, y = make_training_data(n=200_000, noise_var=0.01, generator=torch.Generator().manual_seed(202))
        assert X.shape == (200_000, 4) and y.shape == (200_000, 1), "make_training_data ignores n"
        assert X.min() >= -1 and X.max() <= 1, "inputs outside [-1, 1]"
        assert X.mean().abs() < 0.01 and abs(X.var().item() - 1 / 3) < 0.01, "inputs are not uniform on [-1, 1]"
        assert torch.corrcoef(X.T).sub(torch.eye(4)).abs().max() < 0.02, (
            "the four coordinates are not drawn independently"
        )


@check
def make_training_data_hidden_noise(make_training_data) -> None:
    """Task 2: the noise has mean 0 and variance 0.01 by default."""
    with stand_ins(make_training_data, target_function=target):
        X, y = make_training_data(n=200_000, noise_var=0.01, generator=torch.Generator().manual_seed(203))
        noise = y - target(X)
        assert abs(noise.mean().item()) < 0.002, f"the noise has mean {noise.mean().item():.4f}, not 0"
        assert 0.009 < noise.var().item() < 0.011, (
            f"noise variance {noise.var().item():.5f}; N(0, 0.01) has variance 0.01 (standard deviation 0.1)"
        )


@check
def make_training_data_hidden_noise_var(make_training_data) -> None:
    """Task 2: ``noise_var`` is the noise's variance."""
    with stand_ins(make_training_data, target_function=target):
        X, y = make_training_data(n=100_000, noise_var=0.04, generator=torch.Generator().manual_seed(204))
        var = (y - target(X)).var().item()
        assert 0.036 < var < 0.044, (
            f"with noise_var=0.04 the noise variance is {var:.4f}: noise_var is not used as the variance"
        )


@check
def make_training_data_hidden_gaussian(make_training_data) -> None:
    """Task 2: the noise is Gaussian (its kurtosis, and the share within one standard deviation)."""
    with stand_ins(make_training_data, target_function=target):
        X, y = make_training_data(n=200_000, noise_var=0.01, generator=torch.Generator().manual_seed(205))
        noise = y - target(X)
        z = (noise - noise.mean()) / noise.std()  # standardised: the shape, whatever the variance
        kurtosis = (z**4).mean().item()
        within = (z.abs() < 1).float().mean().item()
        assert 2.8 < kurtosis < 3.2 and 0.67 < within < 0.70, (
            f"the noise is not Gaussian: E[(v/sigma)^4] = {kurtosis:.2f} (3 for a normal distribution) and "
            f"{within:.1%} of it within one standard deviation (68.3% for a normal distribution)"
        )


@check
def make_training_data_hidden_generator(make_training_data) -> None:
    """Task 2: every random number comes from ``generator``."""
    with stand_ins(make_training_data, target_function=target):
        a = make_training_data(n=50, generator=torch.Generator().manual_seed(3))
        b = make_training_data(n=50, generator=torch.Generator().manual_seed(3))
        c = make_training_data(n=50, generator=torch.Generator().manual_seed(4))
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]), "the same seeded generator must give the same data"
        assert not torch.equal(a[0], c[0]), "generators with different seeds give the same data: draw from generator"


@check
def make_test_data_hidden(make_test_data) -> None:
    """Task 3: n samples with magnitudes uniform on [1, 2]."""
    with stand_ins(make_test_data, target_function=target):
        X, _ = make_test_data(n=20_000, generator=torch.Generator().manual_seed(303))
        assert X.shape == (20_000, 4), "make_test_data ignores n"
        assert (X.abs() >= 1).all() and (X.abs() <= 2).all(), "inputs outside [-2, -1] U [1, 2]"
        inner = (X.abs() < 1.5).float().mean(dim=0)
        assert ((inner > 0.47) & (inner < 0.53)).all(), (
            f"magnitudes are not uniform on [1, 2]: fractions below 1.5: {inner.tolist()}"
        )


@check
def make_test_data_hidden_signs(make_test_data) -> None:
    """Task 3: a random sign for every coordinate of every sample, independently."""
    with stand_ins(make_test_data, target_function=target):
        X, _ = make_test_data(n=20_000, generator=torch.Generator().manual_seed(304))
        negative = (X < 0).float()
        overall = negative.mean(dim=0)
        assert ((overall > 0.47) & (overall < 0.53)).all(), (
            "each coordinate must be negative about half the time (a random sign); fractions: "
            f"{[round(v, 3) for v in overall.tolist()]}"
        )
        by_half = torch.stack([negative[:10_000].mean(dim=0), negative[10_000:].mean(dim=0)])
        assert ((by_half > 0.46) & (by_half < 0.54)).all(), (
            f"signs are not drawn at random for every sample: the fractions of negative values are "
            f"{[round(v, 3) for v in by_half[0].tolist()]} in the first half of the rows and "
            f"{[round(v, 3) for v in by_half[1].tolist()]} in the second (about 0.5 everywhere at random)"
        )
        signs = 2 * negative - 1
        assert torch.corrcoef(signs.T).sub(torch.eye(4)).abs().max() < 0.05, (
            "the signs of the four coordinates are not drawn independently"
        )


@check
def make_test_data_hidden_targets(make_test_data) -> None:
    """Task 3: the targets are f(X), without noise."""
    with stand_ins(make_test_data, target_function=target):
        X, y = make_test_data(n=1000, generator=torch.Generator().manual_seed(305))
        assert torch.allclose(y, target(X), rtol=1e-5, atol=1e-5), "test targets must be noiseless: y = f(X)"


@check
def make_test_data_hidden_generator(make_test_data) -> None:
    """Task 3: every random number comes from ``generator``."""
    with stand_ins(make_test_data, target_function=target):
        a = make_test_data(n=50, generator=torch.Generator().manual_seed(3))
        b = make_test_data(n=50, generator=torch.Generator().manual_seed(3))
        assert torch.equal(a[0], b[0]), (
            "the same seeded generator must give the same test data: pass generator to every random call"
        )


@check
def SmallNet_hidden(SmallNet) -> None:
    """Task 4: two nn.Linear layers; with known weights, the network computes W2 relu(W1 x + b1) + b2."""
    W1 = torch.tensor([[1.0, -2.0, 0.5, 1.0], [-1.0, 1.0, 2.0, -0.5]])
    b1 = torch.tensor([0.25, -0.5])
    W2 = torch.tensor([[1.5, -2.0]])
    b2 = torch.tensor([-1.0])
    by_shape = {(2, 4): W1, (2,): b1, (1, 2): W2, (1,): b2}
    net = SmallNet()
    assert sorted(tuple(p.shape) for p in net.parameters()) == sorted(by_shape), (
        "SmallNet needs weights (2, 4) and (1, 2) with biases (2,) and (1,)"
    )
    layers = sorted((m.in_features, m.out_features) for m in net.modules() if isinstance(m, nn.Linear))
    assert layers == [(2, 1), (4, 2)], f"SmallNet must use two nn.Linear layers, (4, 2) and (2, 1); it has {layers}"
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(by_shape[tuple(p.shape)])
        X = 4 * torch.rand(500, 4, generator=torch.Generator().manual_seed(404)) - 2
        out = net(X)
    assert torch.allclose(out, torch.relu(X @ W1.T + b1) @ W2.T + b2, atol=1e-5), (
        "with known weights SmallNet does not compute W2 relu(W1 x + b1) + b2: "
        "check the hidden layer's ReLU and the output layer"
    )


@check
def SmallNet_hidden_output(SmallNet) -> None:
    """Task 4: the output neuron is linear (it can be negative)."""
    net = SmallNet()
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(-1.0 if tuple(p.shape) in ((1, 2), (2, 1)) else 1.0)  # the output weights negative
        out = net(torch.ones(3, 4))
    assert (out < 0).all(), "the output neuron must be linear (no activation): SmallNet cannot return a negative value"


@check
def SmallNet_hidden_size(SmallNet) -> None:
    """Task 4: exactly 13 parameters."""
    net = SmallNet()
    n = sum(p.numel() for p in net.parameters())
    assert n == 13, (
        f"SmallNet must have exactly 13 parameters (4*2 + 2 in the hidden layer, 2 + 1 at the output), not {n}"
    )


@check
def count_parameters_hidden(count_parameters) -> None:
    """Task 5: the parameters of several modules, biases or not."""
    assert count_parameters(nn.Linear(3, 5)) == 20, "nn.Linear(3, 5) has 15 weights and 5 biases"
    assert count_parameters(nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1))) == 241
    assert (
        count_parameters(nn.Sequential(nn.Linear(4, 300), nn.Tanh(), nn.Linear(300, 300), nn.Linear(300, 1)))
        == 1500 + 90300 + 301
    )
    assert count_parameters(nn.Linear(7, 1, bias=False)) == 7


@check
def make_minibatches_hidden(make_minibatches) -> None:
    """Task 6: consecutive minibatches, in order."""
    X = torch.arange(2000.0).reshape(500, 4)
    y = torch.arange(500.0).reshape(500, 1)
    batches = list(make_minibatches(X, y))
    assert len(batches) == 5, f"500 samples in 5 minibatches: got {len(batches)}"
    for i, (xb, yb) in enumerate(batches):
        assert torch.equal(xb, X[100 * i : 100 * (i + 1)]), (
            f"minibatch {i} must hold samples {100 * i}-{100 * i + 99}, in order"
        )
        assert torch.equal(yb, y[100 * i : 100 * (i + 1)]), f"the targets of minibatch {i} do not match its inputs"


@check
def make_minibatches_hidden_list(make_minibatches) -> None:
    """Task 6: a list, which can be gone through twice."""
    X, y = torch.randn(50, 4), torch.randn(50, 1)
    batches = make_minibatches(X, y)
    first, second = [xb for xb, _ in batches], [xb for xb, _ in batches]
    assert isinstance(batches, list) and len(first) == len(second) == 5, (
        "make_minibatches must return a list: a generator or iterator is empty the second time, "
        "so only the first episode trains"
    )


@check
def make_minibatches_hidden_n_batches(make_minibatches) -> None:
    """Task 6: ``n_batches`` is honoured."""
    X = torch.arange(480.0).reshape(120, 4)
    y = torch.arange(120.0).reshape(120, 1)
    batches = list(make_minibatches(X, y, n_batches=4))
    assert [len(xb) for xb, _ in batches] == [30] * 4 and torch.equal(batches[3][1], y[90:120]), (
        "n_batches is not honoured"
    )


@check
def train_hidden(train) -> None:
    """Task 7: one SGD step per minibatch, every minibatch once per episode, in order."""
    *_, batches = linear_problem(606)
    model = linear_model(606)
    steps, seen = [], []
    step_hook = register_optimizer_step_post_hook(lambda opt, args, kwargs: steps.append(type(opt).__name__))
    fwd_hook = model.register_forward_pre_hook(
        lambda m, inp: seen.append(inp[0].clone()) if torch.is_grad_enabled() else None
    )
    try:
        train(model, batches, episodes=3)
    finally:
        step_hook.remove()
        fwd_hook.remove()
    assert len(steps) == 15, f"3 episodes of 5 minibatches take 15 optimizer steps; train took {len(steps)}"
    assert set(steps) == {"SGD"}, f"train must use torch.optim.SGD, not {set(steps)}"
    expected_order = [xb for xb, _ in batches] * 3
    assert len(seen) == 15 and all(torch.equal(a, b) for a, b in zip(seen, expected_order, strict=True)), (
        "each episode must use every minibatch once, in order"
    )


@check
def train_hidden_losses(train) -> None:
    """Task 7: each returned loss is the mean of the episode's minibatch losses."""
    losses, error = train_on_linear_problem(train, 607, episodes=2, lr=0.0, momentum=0.0)
    assert len(losses) == 2 and all(abs(loss - error) < 1e-4 * max(1.0, error) for loss in losses), (
        "each returned loss must be the mean of that episode's minibatch MSE losses"
    )


@check
def train_hidden_sgd(train) -> None:
    """Task 7: the steps of ``torch.optim.SGD`` on the MSE loss, with the ``lr`` and ``momentum`` given."""
    *_, batches = linear_problem(608)

    def reference(lr, momentum):
        model = linear_model(608)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        for _ in range(2):
            for xb, yb in batches:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(xb), yb).backward()
                optimizer.step()
        return torch.cat([p.detach().ravel() for p in model.parameters()])

    def trained(**kwargs):
        model = linear_model(608)
        train(model, batches, episodes=2, **kwargs)
        return torch.cat([p.detach().ravel() for p in model.parameters()])

    assert torch.allclose(trained(lr=0.05, momentum=0.0), reference(0.05, 0.0), atol=1e-5), (
        "train(lr=0.05, momentum=0) does not take the SGD steps of the mean-squared-error loss with that learning rate"
    )
    assert torch.allclose(trained(lr=0.05, momentum=0.9), reference(0.05, 0.9), atol=1e-5), (
        "train ignores momentum: with momentum=0.9 its steps are not those of torch.optim.SGD(..., momentum=0.9)"
    )
    assert torch.allclose(trained(), reference(0.01, 0.9), atol=1e-5), (
        "train's defaults must be lr=0.01 and momentum=0.9"
    )


@check
def train_hidden_learns(train) -> None:
    """Task 7: the loss falls on an easy linear problem."""
    losses, after = train_on_linear_problem(train, 609, episodes=20, lr=0.05, momentum=0.9)
    assert len(losses) == 20 and losses[-1] < 0.1 * losses[0] and after < 0.1 * losses[0], (
        "train(lr=0.05, momentum=0.9) does not lower the loss on an easy linear problem"
    )


@check
def evaluate_hidden(evaluate) -> None:
    """Task 8: the MSE, without broadcasting (n,) against (n, 1), and the model unchanged."""
    model = nn.Linear(4, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0, -1.0, 2.0]]))
        model.bias.fill_(0.5)
    X = 2 * torch.rand(300, 4, generator=torch.Generator().manual_seed(808)) - 1
    Y = torch.randn(300, 1, generator=torch.Generator().manual_seed(809))
    expected = ((X @ model.weight.T + model.bias - Y) ** 2).mean().item()
    value = evaluate(model, X, Y)
    assert abs(value - expected) < 1e-5 * max(1.0, expected), (
        f"evaluate returned {value:.5f}, the MSE is {expected:.5f}: check shapes (broadcasting) and the mean"
    )
    assert torch.equal(model.weight, torch.tensor([[1.0, 0.0, -1.0, 2.0]])), "evaluate must not change the model"


@check
def build_networks_hidden(build_networks) -> None:
    """Task 9: every network maps (n, 4) to (n, 1); tens, hundreds and thousands of parameters."""
    torch.manual_seed(909)  # networks built from a known stream
    nets = build_networks()
    X = torch.rand(8, 4)
    for i, n in enumerate(nets):
        with torch.no_grad():
            assert n(X).shape == (8, 1), f"network {i} does not map (n, 4) inputs to (n, 1) outputs"
    counts = [sum(p.numel() for p in n.parameters()) for n in nets]
    assert any(10 <= c < 100 for c in counts), f"no network with tens of parameters: {counts}"
    assert any(100 <= c < 1000 for c in counts), f"no network with hundreds of parameters: {counts}"
    assert any(1000 <= c < 10_000 for c in counts), f"no network with thousands of parameters: {counts}"
