"""The backpropagation lab's checks: one function per graded test cell of ``source/backprop/backprop.ipynb``.

Every answer of this lab must use NumPy only (:func:`numpy_only`). The checks of a task that calls the student's
other functions put correct ones in their place: ``network_output``'s and ``fit_output_layer``'s a correct
``hidden_outputs``; ``gradient_check``'s a correct ``forward``, ``cost``, ``numerical_gradient`` and
``relative_error`` (and backward functions of their own, right and wrong); ``train_gd``'s a linear layer with the
squared error in place of ``forward``, ``cost`` and ``backward``, whose steps are known.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from grader.checks import check, lines_run, raises_value_error, stand_ins
from helpers.notebook import torch_references

Params = list[tuple[np.ndarray, np.ndarray]]


def numpy_only(function: Callable, name: str) -> None:
    """The rule of the lab: ``function`` reaches no torch."""
    used = torch_references(function)
    assert not used, f"{name} must use NumPy only, not torch (it uses {', '.join(used)})"


#: Samples for the rule "no Python loop over samples", and the lines of code a function may run on them.
MANY_SAMPLES, LINES_ALLOWED = 2000, 500


def no_loop_over_samples(call: Callable[[], object], name: str) -> None:
    """The rule of the lab: ``call()``, on ``MANY_SAMPLES`` samples, runs no Python loop over them."""
    lines = lines_run(call)
    assert lines < LINES_ALLOWED, (
        f"{name} ran {lines} lines of Python for {MANY_SAMPLES} samples: a loop over the samples; use matrix "
        "products and broadcasting instead"
    )


def reference_hidden_outputs(x: np.ndarray, wh: np.ndarray, bh: np.ndarray) -> np.ndarray:
    """Task 1's hidden layer."""
    return 1 / (1 + np.exp(-(np.outer(x, wh) + bh)))


def reference_forward(params: Params, X: np.ndarray) -> list[np.ndarray]:
    """Task 3's forward pass."""
    activations = [X]
    for W, b in params:
        activations.append(1 / (1 + np.exp(-(activations[-1] @ W + b))))
    return activations


def reference_cost(A: np.ndarray, Y: np.ndarray, loss: str = "mse") -> float:
    """Task 4's costs."""
    if loss == "mse":
        return float(0.5 * np.sum((A - Y) ** 2) / len(A))
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / len(A))


def reference_backward(params: Params, activations: list[np.ndarray], Y: np.ndarray, loss: str = "mse") -> Params:
    """Task 4's backpropagation."""
    A = activations[-1]
    delta = (A - Y) / len(A) * (A * (1 - A) if loss == "mse" else 1)
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        grads.append((activations[layer].T @ delta, delta.sum(axis=0)))
        if layer:
            delta = (delta @ params[layer][0].T) * activations[layer] * (1 - activations[layer])
    return grads[::-1]


def reference_numerical_gradient(f: Callable[[Params], float], params: Params, eps: float = 1e-5) -> Params:
    """Task 5's central differences, entry by entry."""
    grads = []
    for W, b in params:
        pair = []
        for array in (W, b):
            grad = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                old = array[index]
                array[index] = old + eps
                up = f(params)
                array[index] = old - eps
                down = f(params)
                array[index] = old
                grad[index] = (up - down) / (2 * eps)
            pair.append(grad)
        grads.append(tuple(pair))
    return grads


def reference_relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Task 5's relative error."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale else 0.0


def finite_differences(params: Params, X: np.ndarray, Y: np.ndarray, loss: str) -> Params:
    """The checks' own gradient of the cost, for comparison with the student's ``backward``."""
    return reference_numerical_gradient(lambda p: reference_cost(reference_forward(p, X)[-1], Y, loss), params, 1e-6)


def network(seed: int, sizes: list[int], n: int, binary: bool = False) -> tuple[Params, np.ndarray, np.ndarray]:
    """A random network of ``sizes``, ``n`` inputs, and targets (0 or 1 with ``binary``, else in [0, 1])."""
    rng = np.random.default_rng(seed)
    params = [(rng.normal(0, 1, (i, o)), rng.normal(0, 0.5, o)) for i, o in itertools.pairwise(sizes)]
    X = rng.normal(0, 1, (n, sizes[0]))
    Y = rng.integers(0, 2, (n, sizes[-1])).astype(float) if binary else rng.uniform(0, 1, (n, sizes[-1]))
    return params, X, Y


def compare_gradients(backward: Callable, which: str, loss: str, seed: int, sizes: list[int], n: int, binary=False):
    """The student's ``dW`` (or ``db``) of every layer against finite differences."""
    params, X, Y = network(seed, sizes, n, binary)
    expected = finite_differences(params, X, Y, loss)
    got = backward(params, reference_forward(params, X), Y, loss)
    assert isinstance(got, list) and len(got) == len(params), (
        f"backward must return one (dW, db) pair per layer ({len(params)} for sizes {sizes})"
    )
    k = 0 if which == "dW" else 1
    for layer, (pair, pair_expected) in enumerate(zip(got, expected, strict=True), start=1):
        g, e = pair[k], pair_expected[k]
        name = f"{which} of layer {layer} of {len(params)} (sizes {sizes}, loss {loss!r})"
        assert np.shape(g) == e.shape, f"{name} must have shape {e.shape}, got {np.shape(g)}" + (
            ": dC/dW = A_prev.T @ delta" if k == 0 else ""
        )
        error = np.linalg.norm(g - e) / max(np.linalg.norm(g) + np.linalg.norm(e), 1e-300)
        ratio = np.sum(g * e) / np.sum(e * e)
        if abs(ratio - n) < 1e-3 * n:
            raise AssertionError(
                f"{name} is {n} times the gradient of the mean cost: average over the {n} samples, do not sum"
            )
        assert error < 1e-6, f"{name} differs from the finite-difference gradient (relative error {error:.1e})"


class LinearStandIns:
    """A linear layer with the squared error, in place of ``forward``, ``cost`` and ``backward``; it records the
    ``loss`` that each call was given."""

    def __init__(self) -> None:
        self.losses: list[str] = []

    def forward(self, params: Params, X: np.ndarray) -> list[np.ndarray]:
        return [X, X @ params[0][0] + params[0][1]]

    def cost(self, A: np.ndarray, Y: np.ndarray, loss: str = "mse") -> float:
        self.losses.append(loss)
        return float(0.5 * np.sum((A - Y) ** 2) / len(A))

    def backward(self, params: Params, activations: list[np.ndarray], Y: np.ndarray, loss: str = "mse") -> Params:
        self.losses.append(loss)
        R = activations[1] - Y
        return [(activations[0].T @ R / len(Y), R.sum(axis=0) / len(Y))]

    def names(self) -> dict[str, Callable]:
        return {"forward": self.forward, "cost": self.cost, "backward": self.backward}


@check
def hidden_outputs_hidden(hidden_outputs) -> None:
    """Task 1: sigmoid(wh[j] x[i] + bh[j]) for every input and unit, one input too."""
    rng = np.random.default_rng(101)
    x, wh, bh = rng.normal(0, 3, 37), rng.normal(0, 2, 5), rng.normal(0, 2, 5)
    U = hidden_outputs(x, wh, bh)
    assert np.shape(U) == (37, 5), (
        f"for 37 inputs and 5 hidden units hidden_outputs must have shape (37, 5), got {np.shape(U)}"
    )
    assert np.allclose(U, reference_hidden_outputs(x, wh, bh), rtol=1e-10, atol=1e-12), (
        "hidden_outputs[i, j] must be sigmoid(wh[j] * x[i] + bh[j])"
    )
    assert np.shape(hidden_outputs(x[:1], wh, bh)) == (1, 5), "one input must give an array of shape (1, k)"
    numpy_only(hidden_outputs, "hidden_outputs")
    x = rng.normal(0, 3, MANY_SAMPLES)
    no_loop_over_samples(lambda: hidden_outputs(x, wh, bh), "hidden_outputs")


@check
def network_output_hidden(network_output) -> None:
    """Task 1: the hidden outputs times wo, plus bo."""
    rng = np.random.default_rng(102)
    x, wh, bh, wo = rng.normal(0, 3, 41), rng.normal(0, 2, 6), rng.normal(0, 2, 6), rng.normal(0, 1, 6)
    with stand_ins(network_output, hidden_outputs=reference_hidden_outputs):
        u = network_output(x, wh, bh, wo, -0.7)
    assert np.shape(u) == (41,), f"for 41 inputs network_output must have shape (41,), got {np.shape(u)}"
    assert np.allclose(u, reference_hidden_outputs(x, wh, bh) @ wo - 0.7, rtol=1e-10, atol=1e-12), (
        "network_output must be the hidden outputs times wo, plus bo"
    )
    numpy_only(network_output, "network_output")
    x = rng.normal(0, 3, MANY_SAMPLES)
    with stand_ins(network_output, hidden_outputs=reference_hidden_outputs):
        no_loop_over_samples(lambda: network_output(x, wh, bh, wo, -0.7), "network_output")


@check
def fit_output_layer_hidden_optimal(fit_output_layer) -> None:
    """Task 2: the least-squares optimum of wo and bo together."""
    rng = np.random.default_rng(201)
    x = rng.uniform(-2, 3, 80)
    y = np.cos(3 * x) + 0.5 * x + rng.normal(0, 0.2, 80)
    wh, bh = rng.uniform(2, 6, 6), rng.uniform(-8, 8, 6)
    with stand_ins(fit_output_layer, hidden_outputs=reference_hidden_outputs):
        wo, bo = fit_output_layer(x, y, wh, bh)
    U = reference_hidden_outputs(x, wh, bh)
    best, *_ = np.linalg.lstsq(np.column_stack([U, np.ones(80)]), y, rcond=None)
    sse = np.sum((U @ np.asarray(wo) + bo - y) ** 2)
    sse_best = np.sum((U @ best[:-1] + best[-1] - y) ** 2)
    assert sse <= sse_best * (1 + 1e-8), (
        f"the squared error of your fit is {sse:.6f}, the least-squares minimum {sse_best:.6f}: fit wo and bo together "
        "(a column of ones for the bias)"
    )


@check
def fit_output_layer_hidden_exact(fit_output_layer) -> None:
    """Task 2: data made by a network are fitted with its own output layer."""
    x = np.random.default_rng(202).uniform(-1, 1, 50)
    wh, bh = np.array([3.0, -2.0, 5.0]), np.array([0.5, 1.0, -1.5])
    wo_true, bo_true = np.array([1.5, -0.5, 2.0]), 4.0
    y = reference_hidden_outputs(x, wh, bh) @ wo_true + bo_true
    with stand_ins(fit_output_layer, hidden_outputs=reference_hidden_outputs):
        wo, bo = fit_output_layer(x, y, wh, bh)
    assert isinstance(bo, float), f"bo must be a Python float, not {type(bo).__name__} (use float(...))"
    assert abs(bo - bo_true) < 1e-6, (
        f"data made by a network with output bias 4.0 must be fitted with bo = 4.0, got {bo:.6f}"
    )
    assert np.allclose(wo, wo_true, atol=1e-6), (
        "data made by a network with wo = [1.5, -0.5, 2.0] must be fitted with those weights, got "
        f"{np.round(wo, 6).tolist()}"
    )
    numpy_only(fit_output_layer, "fit_output_layer")
    x = np.random.default_rng(203).uniform(-1, 1, MANY_SAMPLES)
    y = reference_hidden_outputs(x, wh, bh) @ wo_true + bo_true
    with stand_ins(fit_output_layer, hidden_outputs=reference_hidden_outputs):
        no_loop_over_samples(lambda: fit_output_layer(x, y, wh, bh), "fit_output_layer")


@check
def init_network_hidden(init_network) -> None:
    """Task 3: shapes, zero biases, N(0, 1/inputs) weights, every number from ``rng``."""
    np.random.seed(1)
    a = init_network([5, 400, 300, 3], np.random.default_rng(301))
    np.random.seed(2)
    b = init_network([5, 400, 300, 3], np.random.default_rng(301))
    assert [(W.shape, bias.shape) for W, bias in a] == [((5, 400), (400,)), ((400, 300), (300,)), ((300, 3), (3,))], (
        "init_network([5, 400, 300, 3]) must give layers of shapes (5, 400), (400, 300), (300, 3) with biases (400,), "
        "(300,), (3,)"
    )
    assert all(np.array_equal(p, q) for la, lb in zip(a, b, strict=True) for p, q in zip(la, lb, strict=True)), (
        "the same rng seed must give the same network: draw with rng, not np.random's global functions"
    )
    c = init_network([5, 400, 300, 3], np.random.default_rng(302))
    assert not np.array_equal(a[1][0], c[1][0]), "different rng seeds must give different weights: draw them with rng"
    assert all(not bias.any() for _, bias in a), "the biases must start at zero"
    W = a[1][0]
    assert abs(W.mean()) < 0.003 and abs(W.std() - 1 / np.sqrt(400)) < 0.002, (
        "a layer of 400 inputs needs weights of mean 0 and standard deviation 1/sqrt(400) = 0.05; got mean "
        f"{W.mean():.4f} and standard deviation {W.std():.4f}"
    )
    numpy_only(init_network, "init_network")


@check
def forward_hidden(forward) -> None:
    """Task 3: [X, A1, ..., AL], each sigmoid(A_prev @ W + b); the arguments unchanged."""
    params, X, _ = network(311, [4, 7, 5, 3], 23)
    copies = [(W.copy(), b.copy()) for W, b in params]
    X_copy = X.copy()
    activations = forward(params, X)
    unchanged = all(
        np.array_equal(W, Wc) and np.array_equal(b, bc) for (W, b), (Wc, bc) in zip(params, copies, strict=True)
    )
    assert np.array_equal(X, X_copy) and unchanged, "forward must not change X or the parameters"
    expected = reference_forward(params, X_copy)
    assert isinstance(activations, list) and len(activations) == 4, (
        "a network of 3 layers must give 4 activations [X, A1, A2, A3]"
    )
    assert np.array_equal(activations[0], X_copy), "the first activation must be the input X"
    for layer in (1, 2, 3):
        assert np.shape(activations[layer]) == np.shape(expected[layer]), (
            f"A{layer} must have shape {np.shape(expected[layer])}, got {np.shape(activations[layer])}"
        )
        assert np.allclose(activations[layer], expected[layer], rtol=1e-10, atol=1e-12), (
            f"A{layer} must be sigmoid(A{layer - 1} @ W{layer} + b{layer})"
        )
    numpy_only(forward, "forward")
    params, X, _ = network(312, [4, 7, 5, 3], MANY_SAMPLES)
    no_loop_over_samples(lambda: forward(params, X), "forward")


@check
def cost_hidden(cost) -> None:
    """Task 4: the mean over samples of both costs, as floats; another loss raises ValueError."""
    rng = np.random.default_rng(401)
    A, Y = rng.uniform(0.05, 0.95, (31, 4)), rng.uniform(0, 1, (31, 4))
    for loss, meaning in (("mse", "half the squared error"), ("bce", "the summed cross-entropies")):
        expected, got = reference_cost(A, Y, loss), cost(A, Y, loss)
        assert isinstance(got, float), f"cost must return a Python float, not {type(got).__name__} (use float(...))"
        assert abs(got - expected) < 1e-10 * expected, (
            f"{loss}: expected {expected:.6f} (the mean over samples of {meaning}), got {got:.6f}"
        )
    raises_value_error(lambda: cost(A, Y, "hinge"), 'cost(A, Y, "hinge") (only "mse" and "bce" are known)')
    numpy_only(cost, "cost")
    A, Y = rng.uniform(0.05, 0.95, (MANY_SAMPLES, 4)), rng.uniform(0, 1, (MANY_SAMPLES, 4))
    for loss in ("mse", "bce"):
        no_loop_over_samples(lambda: cost(A, Y, loss), f"cost(A, Y, {loss!r})")  # noqa: B023 (called at once)


@check
def backward_hidden_weights(backward) -> None:
    """Task 4: every layer's dW with the mse cost, for networks of 1 to 3 layers."""
    compare_gradients(backward, "dW", "mse", 411, [3, 5, 4, 2], 9)
    compare_gradients(backward, "dW", "mse", 412, [4, 6, 1], 13)
    compare_gradients(backward, "dW", "mse", 413, [2, 3], 5)


@check
def backward_hidden_biases(backward) -> None:
    """Task 4: every layer's db, with both costs."""
    compare_gradients(backward, "db", "mse", 421, [3, 5, 4, 2], 9)
    compare_gradients(backward, "db", "bce", 422, [3, 4, 2], 8, binary=True)


@check
def backward_hidden_bce(backward) -> None:
    """Task 4: dW with the bce cost, for 0/1 and for soft targets."""
    compare_gradients(backward, "dW", "bce", 431, [3, 4, 2], 8, binary=True)
    compare_gradients(backward, "dW", "bce", 432, [5, 3, 3], 11)


@check
def backward_hidden_unchanged(backward) -> None:
    """Task 4: the arguments unchanged, with both costs; another loss raises ValueError."""
    for loss in ("mse", "bce"):
        params, X, Y = network(441, [3, 4, 2], 7)
        activations = reference_forward(params, X)
        before = ([(W.copy(), b.copy()) for W, b in params], [a.copy() for a in activations], Y.copy())
        backward(params, activations, Y, loss)
        assert all(np.array_equal(a, c) for a, c in zip(activations, before[1], strict=True)), (
            f"backward(..., {loss!r}) changed the activations it was given: delta = A is the same array as A, so use "
            "delta = A - Y, not in-place updates"
        )
        assert all(
            np.array_equal(W, Wc) and np.array_equal(b, bc) for (W, b), (Wc, bc) in zip(params, before[0], strict=True)
        ), f"backward(..., {loss!r}) must not change the parameters"
        assert np.array_equal(Y, before[2]), f"backward(..., {loss!r}) must not change Y"
    raises_value_error(
        lambda: backward(params, activations, Y, "hinge"), 'backward(..., "hinge") (only "mse" and "bce" are known)'
    )
    numpy_only(backward, "backward")
    params, X, Y = network(442, [3, 4, 2], MANY_SAMPLES)
    activations = reference_forward(params, X)
    for loss in ("mse", "bce"):
        no_loop_over_samples(lambda: backward(params, activations, Y, loss), f"backward(..., {loss!r})")  # noqa: B023


@check
def numerical_gradient_hidden_central(numerical_gradient) -> None:
    """Task 5: central differences, with the ``eps`` given and the default 1e-5."""
    rng = np.random.default_rng(501)
    params = [(rng.normal(0, 1, (3, 4)), rng.normal(0, 1, 4)), (rng.normal(0, 1, (4, 2)), rng.normal(0, 1, 2))]
    grads = numerical_gradient(lambda p: float(sum(np.sum(W**3) + np.sum(b**3) for W, b in p)), params, eps=1e-2)
    # central differences of x**3 are 3 x**2 + eps**2, exactly
    for layer, ((W, b), (dW, db)) in enumerate(zip(params, grads, strict=True), start=1):
        for name, x, d in (("dW", W, dW), ("db", b, db)):
            if np.allclose(d, 3 * x**2 + 3 * x * 1e-2 + 1e-4, atol=1e-9):
                raise AssertionError(
                    f"layer {layer} {name}: this is the one-sided difference (f(x + eps) - f(x)) / eps; use the "
                    "central one, (f(x + eps) - f(x - eps)) / (2 eps)"
                )
            assert np.allclose(d, 3 * x**2 + 1e-4, atol=1e-9), (
                f"layer {layer} {name}: with eps = 0.01 the central differences of sum(x**3) are 3 x**2 + 0.0001; "
                "pass eps on and use (f(x + eps) - f(x - eps)) / (2 eps)"
            )

    def h(p: Params) -> float:
        return float(np.sum(np.sin(p[0][0])) + np.sum(np.cos(p[0][1])) + np.sum(np.sin(p[1][0]) * p[1][0]))

    grads = numerical_gradient(h, params)
    true = [np.cos(params[0][0]), -np.sin(params[0][1]), np.sin(params[1][0]) + params[1][0] * np.cos(params[1][0])]
    got = (grads[0][0], grads[0][1], grads[1][0])
    for name, d, t in zip(("layer 1 dW", "layer 1 db", "layer 2 dW"), got, true, strict=True):
        assert np.allclose(d, t, rtol=1e-8, atol=1e-9), (
            f"{name} is not the central-difference derivative with the default eps = 1e-5"
        )
    numpy_only(numerical_gradient, "numerical_gradient")


@check
def numerical_gradient_hidden_entries(numerical_gradient) -> None:
    """Task 5: every entry perturbed in turn; the parameters exactly as they were."""
    rng = np.random.default_rng(502)
    params = [(rng.normal(0, 1, (5, 3)), rng.normal(0, 1, 3)), (rng.normal(0, 1, (3, 1)), rng.normal(0, 1, 1))]
    coefficients = [(rng.normal(0, 1, W.shape), rng.normal(0, 1, b.shape)) for W, b in params]
    saved = [(W.copy(), b.copy()) for W, b in params]

    def f(p: Params) -> float:
        return float(sum(np.sum(cW * W) + np.sum(cb * b) for (W, b), (cW, cb) in zip(p, coefficients, strict=True)))

    grads = numerical_gradient(f, params)
    for layer, ((dW, db), (cW, cb)) in enumerate(zip(grads, coefficients, strict=True), start=1):
        assert np.shape(dW) == cW.shape and np.shape(db) == cb.shape, (
            f"layer {layer}: dW and db must have the shapes of W and b"
        )
        assert np.allclose(dW, cW, atol=1e-7) and np.allclose(db, cb, atol=1e-7), (
            f"layer {layer}: every entry of W and of b needs its own derivative (perturb each in turn)"
        )
    assert all(
        np.array_equal(W, Ws) and np.array_equal(b, bs) for (W, b), (Ws, bs) in zip(params, saved, strict=True)
    ), "params must hold exactly their values afterwards: put back the saved entry (x + eps - eps is not always x)"
    numpy_only(numerical_gradient, "numerical_gradient")


@check
def relative_error_hidden(relative_error) -> None:
    """Task 5: |a - b| / (|a| + |b|) over all entries, 0.0 for two zero arrays."""
    a = np.random.default_rng(503).normal(0, 1, (4, 3))
    b = a + 1e-3 * np.random.default_rng(504).normal(0, 1, (4, 3))
    expected = reference_relative_error(a, b)
    assert abs(relative_error(a, b) - expected) < 1e-12 * max(expected, 1), (
        f"relative_error must be |a - b| / (|a| + |b|) with norms over all entries: expected {expected:.6e}, got "
        f"{relative_error(a, b):.6e}"
    )
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0, "relative_error of two zero arrays must be 0.0"
    numpy_only(relative_error, "relative_error")


@check
def gradient_check_hidden(gradient_check) -> None:
    """Task 5: below 1e-7 for a right backward with both losses; 1/3 for doubled gradients; the largest error of
    every dW and db on its own."""
    params, X, Y = network(511, [3, 4, 2], 10, binary=True)
    others = {
        "forward": reference_forward,
        "cost": reference_cost,
        "numerical_gradient": reference_numerical_gradient,
        "relative_error": reference_relative_error,
    }

    def doubled(p, a, Y, loss="mse"):
        return [(2 * dW, 2 * db) for dW, db in reference_backward(p, a, Y, loss)]

    def first_bias_tripled(p, a, Y, loss="mse"):
        return [(dW, db) if i else (dW, 3 * db) for i, (dW, db) in enumerate(reference_backward(p, a, Y, loss))]

    with stand_ins(gradient_check, **others, backward=reference_backward):
        right = {loss: gradient_check(params, X, Y, loss) for loss in ("mse", "bce")}
    with stand_ins(gradient_check, **others, backward=doubled):
        double = gradient_check(params, X, Y, "bce")
    with stand_ins(gradient_check, **others, backward=first_bias_tripled):
        one_bias = gradient_check(params, X, Y, "mse")
    assert all(isinstance(v, float) and 0 <= v < 1e-7 for v in right.values()), (
        f"for a correct backward, gradient_check must be below 1e-7 with both losses; got {right} (pass loss on to "
        "cost and backward)"
    )
    assert abs(double - 1 / 3) < 1e-6, (
        f"for a backward that doubles every gradient the relative error is 1/3, got {double:.6f}: compare backward "
        "with numerical_gradient of cost(forward(p, X)[-1], Y, loss)"
    )
    assert abs(one_bias - 0.5) < 1e-6, (
        f"for a backward whose first db alone is 3 times too large the largest relative error is 1/2, got "
        f"{one_bias:.6f}: take the largest over every dW and db on its own"
    )
    numpy_only(gradient_check, "gradient_check")


@check
def train_gd_hidden_in_place(train_gd) -> None:
    """Task 6: the arrays of ``params`` updated in place."""
    rng = np.random.default_rng(601)
    X, Y = rng.normal(0, 1, (15, 4)), rng.normal(0, 1, (15, 2))
    W, b = rng.normal(0, 1, (4, 2)), np.zeros(2)
    W0 = W.copy()
    params = [(W, b)]
    with stand_ins(train_gd, **LinearStandIns().names()):
        train_gd(params, X, Y, lr=0.05, steps=3)
    assert params[0][0] is W and params[0][1] is b, (
        "train_gd must update the arrays of params in place (W -= lr * dW), not put new arrays in the list"
    )
    assert not np.array_equal(W, W0) and b.any(), (
        "after train_gd the arrays W and b you passed must hold the trained values (update them in place: W -= lr * dW)"
    )
    numpy_only(train_gd, "train_gd")


@check
def train_gd_hidden_steps(train_gd) -> None:
    """Task 6: ``steps`` steps of ``lr`` times the gradients, the cost after each; a second call goes on; ``loss``
    passed on to ``backward`` and ``cost``."""
    rng = np.random.default_rng(602)
    X, Y = rng.normal(0, 1, (25, 3)), rng.normal(0, 1, (25, 2))
    start = (rng.normal(0, 1, (3, 2)), rng.normal(0, 1, 2))
    params = [(start[0].copy(), start[1].copy())]
    linear = LinearStandIns()
    with stand_ins(train_gd, **linear.names()):
        costs = train_gd(params, X, Y, lr=0.3, steps=7)
        costs2 = train_gd(params, X, Y, lr=0.3, steps=2)
        linear.losses.clear()
        train_gd([(start[0].copy(), start[1].copy())], X, Y, lr=0.3, steps=2, loss="bce")
    expected, (W, b) = [], (start[0].copy(), start[1].copy())
    for _ in range(9):
        R = X @ W + b - Y
        W, b = W - 0.3 * X.T @ R / 25, b - 0.3 * R.sum(axis=0) / 25
        expected.append(0.5 * np.sum((X @ W + b - Y) ** 2) / 25)
    first = 0.5 * np.sum((X @ start[0] + start[1] - Y) ** 2) / 25
    assert len(costs) == 7, f"train_gd(..., steps=7) must take 7 steps and return 7 costs, got {len(costs)}"
    if np.isclose(costs[0], first, rtol=1e-9):
        raise AssertionError(
            "the first cost returned is that of the network before any step: record the cost after each step"
        )
    assert np.allclose(costs, expected[:7], rtol=1e-9), (
        "the costs must be those after each of the steps W -= lr * dW, b -= lr * db, with lr and the gradients of "
        "backward"
    )
    assert np.allclose(costs2, expected[7:], rtol=1e-9), (
        "a second call of train_gd must go on from the trained network (update params in place)"
    )
    assert linear.losses and set(linear.losses) == {"bce"}, (
        'train_gd(..., loss="bce") must pass loss on to backward and cost; they were given '
        f"{sorted(set(linear.losses))}"
    )
    numpy_only(train_gd, "train_gd")
