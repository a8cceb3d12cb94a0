"""The backpropagation lab's checks against correct answers written other ways and against realistic mistakes."""

from __future__ import annotations

from tests.checks.harness import CheckSuite, Variant, notebook

ASSIGNMENT = "backprop"

HIDDEN = "def hidden_outputs(x, wh, bh):\n    return {}\n"
OUTPUT = "def network_output(x, wh, bh, wo, bo):\n    return {}\n"
FIT = "def fit_output_layer(x, y, wh, bh):\n{}\n"
INIT = "def init_network(sizes, rng):\n{}\n"
FORWARD = "def forward(params, X):\n{}\n"
COST = "def cost(A, Y, loss='mse'):\n{}\n"
RELATIVE = "def relative_error(a, b):\n{}\n"
CHECK = "def gradient_check(params, X, Y, loss='mse'):\n{}\n"
TRAIN = "def train_gd(params, X, Y, lr, steps, loss='mse'):\n{}\n"

COST_BODY = (
    "    if loss == 'mse':\n"
    "        return float(0.5 * np.sum((A - Y) ** 2) / len(A))\n"
    "    if loss == 'bce':\n"
    "        return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / len(A))\n"
    "    raise ValueError(loss)"
)
#: the model answers, which the variants below change
BACKWARD = notebook(ASSIGNMENT).answers["backward"]
NUMERICAL = notebook(ASSIGNMENT).answers["numerical_gradient"]
TRAIN_BODY = (
    "    costs = []\n"
    "    for _ in range(steps):\n"
    "        grads = backward(params, forward(params, X), Y, loss)\n"
    "        for (W, b), (dW, db) in zip(params, grads):\n"
    "            W -= lr * dW\n"
    "            b -= lr * db\n"
    "        costs.append(cost(forward(params, X)[-1], Y, loss))\n"
    "    return costs"
)
CHECK_BODY = (
    "    analytic = backward(params, forward(params, X), Y, loss)\n"
    "    numeric = numerical_gradient(lambda p: cost(forward(p, X)[-1], Y, loss), params)\n"
    "    return max(relative_error(a, n) for la, ln in zip(analytic, numeric) for a, n in zip(la, ln))"
)


def backward(old: str, new: str = "") -> str:
    assert old in BACKWARD
    return BACKWARD.replace(old, new)


def numerical(old: str, new: str = "") -> str:
    assert old in NUMERICAL
    return NUMERICAL.replace(old, new)


def replaced(template: str, body: str, old: str, new: str = "") -> str:
    assert old in body
    return template.format(body.replace(old, new))


ALTERNATIVES = [
    Variant("hidden outputs by np.outer", "hidden_outputs", HIDDEN.format("sigmoid(np.outer(x, wh) + bh)")),
    Variant(
        "hidden outputs by tanh", "hidden_outputs", HIDDEN.format("0.5 * (1 + np.tanh((np.outer(x, wh) + bh) / 2))")
    ),
    Variant(
        "hidden outputs by reshape",
        "hidden_outputs",
        HIDDEN.format("1.0 / (1.0 + np.exp(-(x.reshape(-1, 1) * wh.reshape(1, -1) + bh)))"),
    ),
    Variant("output by a dot", "network_output", OUTPUT.format("np.dot(hidden_outputs(x, wh, bh), wo) + bo")),
    Variant(
        "output by a weighted sum", "network_output", OUTPUT.format("(hidden_outputs(x, wh, bh) * wo).sum(axis=1) + bo")
    ),
    Variant(
        "output by einsum", "network_output", OUTPUT.format("np.einsum('nk,k->n', hidden_outputs(x, wh, bh), wo) + bo")
    ),
    Variant(
        "fit by the normal equations",
        "fit_output_layer",
        FIT.format(
            "    D = np.hstack([hidden_outputs(x, wh, bh), np.ones((len(x), 1))])\n"
            "    theta = np.linalg.solve(D.T @ D, D.T @ y)\n"
            "    return theta[:-1], float(theta[-1])"
        ),
    ),
    Variant(
        "fit with the ones first",
        "fit_output_layer",
        FIT.format(
            "    D = np.column_stack([np.ones_like(x), hidden_outputs(x, wh, bh)])\n"
            "    theta = np.linalg.lstsq(D, y, rcond=None)[0]\n"
            "    return theta[1:], theta[0].item()"
        ),
    ),
    Variant(
        "fit by the pseudo-inverse",
        "fit_output_layer",
        FIT.format(
            "    D = np.c_[hidden_outputs(x, wh, bh), np.ones(len(x))]\n"
            "    theta = np.linalg.pinv(D) @ y\n"
            "    return np.asarray(theta[:-1], dtype=np.float64), float(theta[-1])"
        ),
    ),
    Variant(
        "init by standard_normal",
        "init_network",
        INIT.format(
            "    return [(rng.standard_normal((a, b)) / np.sqrt(a), np.zeros(b)) for a, b in zip(sizes, sizes[1:])]"
        ),
    ),
    Variant(
        "init by a loop",
        "init_network",
        INIT.format(
            "    params = []\n"
            "    for i in range(len(sizes) - 1):\n"
            "        W = rng.normal(size=(sizes[i], sizes[i + 1])) * sizes[i] ** -0.5\n"
            "        params.append((W, np.zeros(sizes[i + 1])))\n"
            "    return params"
        ),
    ),
    Variant(
        "init with a zeros of float dtype",
        "init_network",
        INIT.format(
            "    return [(rng.normal(0.0, 1 / np.sqrt(m), (m, n)), np.zeros((n,), dtype=float)) "
            "for m, n in zip(sizes[:-1], sizes[1:])]"
        ),
    ),
    Variant(
        "forward by a comprehension of accumulations",
        "forward",
        FORWARD.format(
            "    acts = [X]\n    for W, b in params:\n        acts += "
            "[1 / (1 + np.exp(-(acts[-1] @ W + b)))]\n    return acts"
        ),
    ),
    Variant(
        "forward with np.matmul and tanh",
        "forward",
        FORWARD.format(
            "    out = [X]\n    for W, b in params:\n"
            "        out.append(0.5 + 0.5 * np.tanh(0.5 * (np.matmul(out[-1], W) + b)))\n    return out"
        ),
    ),
    Variant(
        "forward recursive",
        "forward",
        FORWARD.format(
            "    if not params:\n        return [X]\n"
            "    W, b = params[0]\n    return [X] + forward(params[1:], sigmoid(X @ W + b))"
        ),
    ),
    Variant(
        "cost by mean over rows",
        "cost",
        COST.format(
            "    if loss == 'mse':\n        return float(np.mean(0.5 * np.sum((A - Y) ** 2, axis=1)))\n"
            "    if loss == 'bce':\n        return float(np.mean(-np.sum(Y "
            "* np.log(A) + (1 - Y) * np.log1p(-A), axis=1)))\n"
            "    raise ValueError(f'unknown loss {loss}')"
        ),
    ),
    Variant(
        "cost by a dict of functions",
        "cost",
        COST.format(
            "    costs = {'mse': lambda: 0.5 * ((A - Y) ** 2).sum(), "
            "'bce': lambda: -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum()}\n"
            "    if loss not in costs:\n        raise ValueError(loss)\n"
            "    return float(costs[loss]() / A.shape[0])"
        ),
    ),
    Variant(
        "backward with a list filled from the end",
        "backward",
        BACKWARD.replace(
            "grads.append((a_prev.T @ delta, delta.sum(axis=0)))",
            "grads.insert(0, (a_prev.T @ delta, delta.sum(axis=0)))",
        ).replace("return grads[::-1]", "return grads"),
    ),
    Variant(
        "backward by np.einsum",
        "backward",
        backward(
            "grads.append((a_prev.T @ delta, delta.sum(axis=0)))",
            "grads.append((np.einsum('ni,nj->ij', a_prev, delta), np.einsum('nj->j', delta)))",
        ),
    ),
    Variant(
        "backward with bce as a separate branch",
        "backward",
        backward(
            '    delta = (A - Y) / len(A)\n    if loss == "mse":\n        delta = delta * A * (1 - A)\n',
            '    n = A.shape[0]\n    delta = (A - Y) * A * (1 - A) / n if loss == "mse" else (A - Y) / n\n',
        ),
    ),
    Variant(
        "numerical gradient by copies",
        "numerical_gradient",
        numerical(
            "                old = array[index]\n"
            "                array[index] = old + eps\n"
            "                up = f(params)\n"
            "                array[index] = old - eps\n"
            "                down = f(params)\n"
            "                array[index] = old\n",
            "                saved = array.copy()\n"
            "                array[index] += eps\n"
            "                up = f(params)\n"
            "                array[...] = saved\n"
            "                array[index] -= eps\n"
            "                down = f(params)\n"
            "                array[...] = saved\n",
        ),
    ),
    Variant(
        "numerical gradient over flat views",
        "numerical_gradient",
        (
            "def numerical_gradient(f, params, eps=1e-5):\n"
            "    out = []\n"
            "    for layer in params:\n"
            "        grads = []\n"
            "        for array in layer:\n"
            "            flat, grad = array.reshape(-1), np.zeros(array.size)\n"
            "            for i in range(array.size):\n"
            "                keep = flat[i]\n"
            "                flat[i] = keep + eps\n"
            "                plus = f(params)\n"
            "                flat[i] = keep - eps\n"
            "                minus = f(params)\n"
            "                flat[i] = keep\n"
            "                grad[i] = (plus - minus) / (2 * eps)\n"
            "            grads.append(grad.reshape(array.shape))\n"
            "        out.append((grads[0], grads[1]))\n"
            "    return out\n"
        ),
    ),
    Variant(
        "relative error by np.sqrt of sums",
        "relative_error",
        RELATIVE.format(
            "    top = np.sqrt(np.sum((a - b) ** 2))\n    bottom = np.sqrt(np.sum(a**2)) + np.sqrt(np.sum(b**2))\n"
            "    return 0.0 if bottom == 0 else float(top / bottom)"
        ),
    ),
    Variant(
        "gradient check as a loop",
        "gradient_check",
        CHECK.format(
            "    worst = 0.0\n"
            "    analytic = backward(params, forward(params, X), Y, loss)\n"
            "    numeric = numerical_gradient(lambda p: cost(forward(p, X)[-1], Y, loss), params)\n"
            "    for (dW, db), (nW, nb) in zip(analytic, numeric):\n"
            "        worst = max(worst, relative_error(dW, nW), relative_error(db, nb))\n"
            "    return float(worst)"
        ),
    ),
    Variant(
        "train by index assignment",
        "train_gd",
        TRAIN.format(
            "    costs = []\n    for _ in range(steps):\n"
            "        grads = backward(params, forward(params, X), Y, loss)\n"
            "        for (W, b), (dW, db) in zip(params, grads):\n"
            "            W[...] = W - lr * dW\n            b[:] = b - lr * db\n"
            "        costs.append(float(cost(forward(params, X)[-1], Y, loss)))\n    return costs"
        ),
    ),
    Variant(
        "train by np.subtract out=",
        "train_gd",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "            W -= lr * dW\n            b -= lr * db\n",
            "            np.subtract(W, lr * dW, out=W)\n            np.subtract(b, lr * db, out=b)\n",
        ),
    ),
    Variant(
        "train with keyword calls",
        "train_gd",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "backward(params, forward(params, X), Y, loss)",
            "backward(params=params, activations=forward(params, X), Y=Y, loss=loss)",
        ),
    ),
]

MUTANTS = [
    Variant(
        "hidden outputs by a loop over the inputs",
        "hidden_outputs",
        "def hidden_outputs(x, wh, bh):\n    return np.array([sigmoid(xi * wh + bh) for xi in x])\n",
        cause="a loop over the samples",
    ),
    Variant(
        "output by a loop over the inputs",
        "network_output",
        OUTPUT.format("np.array([float(row @ wo + bo) for row in hidden_outputs(x, wh, bh)])"),
        cause="a loop over the samples",
    ),
    Variant(
        "fit with the design matrix built row by row",
        "fit_output_layer",
        FIT.format(
            "    U = hidden_outputs(x, wh, bh)\n"
            "    D = np.array([np.append(U[i], 1.0) for i in range(len(x))])\n"
            "    theta = np.linalg.lstsq(D, y, rcond=None)[0]\n    return theta[:-1], float(theta[-1])"
        ),
        cause="a loop over the samples",
    ),
    Variant(
        "forward sample by sample",
        "forward",
        FORWARD.format(
            "    acts = [X]\n    for W, b in params:\n"
            "        acts.append(np.array([sigmoid(row @ W + b) for row in acts[-1]]))\n    return acts"
        ),
        cause="a loop over the samples",
    ),
    Variant(
        "cost summed sample by sample",
        "cost",
        replaced(
            COST,
            COST_BODY,
            "return float(0.5 * np.sum((A - Y) ** 2) / len(A))",
            "return float(sum(0.5 * np.sum((a - y) ** 2) for a, y in zip(A, Y)) / len(A))",
        ),
        cause="a loop over the samples",
    ),
    Variant(
        "backward sample by sample",
        "backward",
        backward(
            "grads.append((a_prev.T @ delta, delta.sum(axis=0)))",
            "grads.append((sum(np.outer(a, d) for a, d in zip(a_prev, delta)), delta.sum(axis=0)))",
        ),
        cause="a loop over the samples",
    ),
    Variant(
        "hidden outputs without the sigmoid",
        "hidden_outputs",
        HIDDEN.format("x[:, None] * wh + bh"),
        cause="sigmoid(wh[j] * x[i] + bh[j])",
    ),
    Variant(
        "hidden outputs transposed",
        "hidden_outputs",
        HIDDEN.format("sigmoid(wh[:, None] * x + bh[:, None])"),
        cause="shape (37, 5)",
    ),
    Variant(
        "hidden outputs in torch",
        "hidden_outputs",
        "def hidden_outputs(x, wh, bh):\n    import torch\n\n"
        "    return torch.sigmoid(torch.from_numpy(x[:, None] * wh + bh)).numpy()\n",
        cause="NumPy only",
    ),
    Variant(
        "the bias inside the weight",
        "hidden_outputs",
        HIDDEN.format("sigmoid(x[:, None] * (wh + bh))"),
        cause="sigmoid(wh[j] * x[i] + bh[j])",
    ),
    Variant(
        "output bias forgotten", "network_output", OUTPUT.format("hidden_outputs(x, wh, bh) @ wo"), cause="plus bo"
    ),
    Variant(
        "output through a sigmoid",
        "network_output",
        OUTPUT.format("sigmoid(hidden_outputs(x, wh, bh) @ wo + bo)"),
        cause="plus bo",
    ),
    Variant(
        "output of shape (n, 1)",
        "network_output",
        OUTPUT.format("hidden_outputs(x, wh, bh) @ wo[:, None] + bo"),
        cause="shape (41,)",
    ),
    Variant(
        "output summed without weights",
        "network_output",
        OUTPUT.format("hidden_outputs(x, wh, bh).sum(axis=1) + bo"),
        cause="times wo",
    ),
    Variant(
        "fit without the bias column",
        "fit_output_layer",
        FIT.format("    wo = np.linalg.lstsq(hidden_outputs(x, wh, bh), y, rcond=None)[0]\n    return wo, 0.0"),
        cause="fit wo and bo together",
    ),
    Variant(
        "bias fitted afterwards",
        "fit_output_layer",
        FIT.format(
            "    U = hidden_outputs(x, wh, bh)\n    wo = np.linalg.lstsq(U, y, rcond=None)[0]\n"
            "    return wo, float(np.mean(y - U @ wo))"
        ),
        cause="fit wo and bo together",
    ),
    Variant(
        "bo as an array",
        "fit_output_layer",
        FIT.format(
            "    D = np.column_stack([hidden_outputs(x, wh, bh), np.ones(len(x))])\n"
            "    theta = np.linalg.lstsq(D, y, rcond=None)[0]\n    return theta[:-1], theta[-1:]"
        ),
        cause="Python float",
    ),
    Variant(
        "the bias as the first weight",
        "fit_output_layer",
        FIT.format(
            "    D = np.column_stack([hidden_outputs(x, wh, bh), np.ones(len(x))])\n"
            "    theta = np.linalg.lstsq(D, y, rcond=None)[0]\n    return theta[1:], float(theta[0])"
        ),
        cause="fit wo and bo together",
    ),
    Variant(
        "standard normal weights",
        "init_network",
        INIT.format("    return [(rng.normal(0, 1, (m, n)), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]"),
        cause="standard deviation 1/sqrt(400)",
    ),
    Variant(
        "np.random's global functions",
        "init_network",
        INIT.format(
            "    return [(np.random.normal(0, 1 / np.sqrt(m), (m, n)), "
            "np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]"
        ),
        cause="draw with rng",
    ),
    Variant(
        "random biases",
        "init_network",
        INIT.format(
            "    return [(rng.normal(0, 1 / np.sqrt(m), (m, n)), "
            "rng.normal(0, 1, n)) for m, n in zip(sizes[:-1], sizes[1:])]"
        ),
        cause="biases must start at zero",
    ),
    Variant(
        "weights of shape (outputs, inputs)",
        "init_network",
        INIT.format(
            "    return [(rng.normal(0, 1 / np.sqrt(m), (n, m)), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]"
        ),
        cause="(inputs, outputs)",
    ),
    Variant(
        "the input left out",
        "forward",
        FORWARD.format(
            "    acts, A = [], X\n    for W, b in params:\n        A = "
            "sigmoid(A @ W + b)\n        acts.append(A)\n    return acts"
        ),
        cause="[X, A1, A2, A3]",
    ),
    Variant(
        "a linear output layer",
        "forward",
        FORWARD.format(
            "    acts = [X]\n    for i, (W, b) in enumerate(params):\n        Z = acts[-1] @ W + b\n"
            "        acts.append(Z if i == len(params) - 1 else sigmoid(Z))\n    return acts"
        ),
        cause="sigmoid(A2 @ W3 + b3)",
    ),
    Variant(
        "X changed in place",
        "forward",
        FORWARD.format(
            "    acts = [X]\n    for W, b in params:\n        A = acts[-1] "
            "@ W\n        A += b\n        acts.append(sigmoid(A))\n"
            "    X *= 1.0\n    X[0] = 0.0\n    return acts"
        ),
        cause="must not change X",
    ),
    Variant(
        "the weights transposed",
        "forward",
        FORWARD.format(
            "    acts = [X]\n    for W, b in params:\n        "
            "acts.append(sigmoid(acts[-1] @ W.T.T + b if W.shape[0] == acts[-1].shape[1] "
            "else acts[-1] @ W.T + b))\n    acts[1] = sigmoid(X @ params[0][0] + 2 * params[0][1])\n    return acts"
        ),
        cause="sigmoid(A0 @ W1 + b1)",
    ),
    Variant(
        "mse without the half", "cost", replaced(COST, COST_BODY, "0.5 * np.sum", "np.sum"), cause="half the squared"
    ),
    Variant(
        "bce summed over samples",
        "cost",
        replaced(COST, COST_BODY, "np.log(1 - A)) / len(A)", "np.log(1 - A))"),
        cause="mean over samples of the summed cross-entropies",
    ),
    Variant(
        "an array of shape (1, 1)",
        "cost",
        replaced(
            COST,
            COST_BODY,
            "return float(0.5 * np.sum((A - Y) ** 2) / len(A))",
            "return 0.5 * np.sum((A - Y) ** 2, keepdims=True) / len(A)",
        ),
        cause="Python float",
    ),
    Variant(
        "any other loss is mse",
        "cost",
        replaced(
            COST, COST_BODY, "    raise ValueError(loss)", "    return float(0.5 * np.sum((A - Y) ** 2) / len(A))"
        ),
        cause="must raise ValueError",
    ),
    Variant(
        "bce with the mse delta",
        "backward",
        backward('    if loss == "mse":\n        delta = delta * A * (1 - A)\n', "    delta = delta * A * (1 - A)\n"),
        cause="loss 'bce'",
    ),
    Variant(
        "the gradient summed over samples",
        "backward",
        backward("    delta = (A - Y) / len(A)\n", "    delta = A - Y\n"),
        cause="do not sum",
    ),
    Variant(
        "delta aliasing the activations",
        "backward",
        backward("    delta = (A - Y) / len(A)\n", "    delta = A\n    delta -= Y\n    delta /= len(A)\n"),
        cause="changed the activations",
    ),
    Variant(
        "the bias gradient of the first sample",
        "backward",
        backward("delta.sum(axis=0)", "delta[0] * len(delta)"),
        cause="db of layer",
    ),
    Variant(
        "delta propagated with the wrong layer's activations",
        "backward",
        backward(
            "            delta = (delta @ W.T) * a_prev * (1 - a_prev)",
            "            delta = (delta @ W.T) * activations[layer + 1].mean() * (1 - a_prev)",
        ),
        cause="dW of layer",
    ),
    Variant(
        "an unknown loss is mse",
        "backward",
        backward(BACKWARD[BACKWARD.index("    if loss not in") : BACKWARD.index("    A = activations")]),
        cause="must raise ValueError",
    ),
    Variant(
        "one-sided differences",
        "numerical_gradient",
        numerical(
            "                array[index] = old - eps\n                down = f(params)\n",
            "                array[index] = old\n                down = f(params)\n",
        ).replace("(up - down) / (2 * eps)", "(up - down) / eps"),
        cause="one-sided",
    ),
    Variant(
        "eps ignored",
        "numerical_gradient",
        numerical("    grads = []\n", "    eps = 1e-5\n    grads = []\n"),
        cause="pass eps on",
    ),
    Variant(
        "add and subtract eps",
        "numerical_gradient",
        numerical(
            "                array[index] = old + eps\n                up = f(params)\n"
            "                array[index] = old - eps\n               "
            " down = f(params)\n                array[index] = old\n",
            "                array[index] += eps\n                up = f(params)\n"
            "                array[index] -= 2 * eps\n                "
            "down = f(params)\n                array[index] += eps\n",
        ),
        cause="hold exactly their values",
    ),
    Variant(
        "only the weights perturbed",
        "numerical_gradient",
        numerical("        for array in (W, b):\n", "        for array in (W, np.zeros_like(b)):\n"),
        cause="every entry",
    ),
    Variant(
        "relative error without the norm of b",
        "relative_error",
        RELATIVE.format("    s = np.linalg.norm(a)\n    return float(np.linalg.norm(a - b) / s) if s else 0.0"),
        cause="|a - b| / (|a| + |b|)",
    ),
    Variant(
        "relative error nan for zeros",
        "relative_error",
        RELATIVE.format("    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))"),
        cause="two zero arrays",
    ),
    Variant(
        "relative error of the max entries",
        "relative_error",
        RELATIVE.format(
            "    s = np.abs(a).max() + np.abs(b).max()\n    return float(np.abs(a - b).max() / s) if s else 0.0"
        ),
        cause="norms over all entries",
    ),
    Variant(
        "relative error as a numpy float of the mean",
        "relative_error",
        RELATIVE.format(
            "    s = np.linalg.norm(a) + np.linalg.norm(b)\n    return np.mean(np.abs(a - b)) / s if s else 0.0"
        ),
        cause="norms over all entries",
    ),
    Variant(
        "gradient check ignores loss",
        "gradient_check",
        CHECK.format(
            CHECK_BODY.replace(
                "backward(params, forward(params, X), Y, loss)", "backward(params, forward(params, X), Y)"
            )
        ),
        cause="pass loss on",
    ),
    Variant(
        "gradient check averages",
        "gradient_check",
        CHECK.format(
            CHECK_BODY.replace("return max(", "return np.mean([").replace("zip(la, ln))", "zip(la, ln)]).item()")
        ),
        cause="take the largest",
    ),
    Variant(
        "gradient check of the weights only",
        "gradient_check",
        CHECK.format(CHECK_BODY.replace("for a, n in zip(la, ln)", "for a, n in [(la[0], ln[0])]")),
        cause="every dW and db",
    ),
    Variant(
        "gradient check of concatenated gradients",
        "gradient_check",
        CHECK.format(
            "    analytic = backward(params, forward(params, X), Y, loss)\n"
            "    numeric = numerical_gradient(lambda p: cost(forward(p, X)[-1], Y, loss), params)\n"
            "    flat = lambda g: np.concatenate([np.ravel(x) for pair in g for x in pair])\n"
            "    return relative_error(flat(analytic), flat(numeric))"
        ),
        cause="every dW and db on its own",
    ),
    Variant(
        "new arrays in the list",
        "train_gd",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "        for (W, b), (dW, db) in zip(params, grads):\n            W -= lr * dW\n            b -= lr * db\n",
            "        params[:] = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]\n",
        ),
        cause="in place",
    ),
    Variant(
        "the cost before each step",
        "train_gd",
        TRAIN.format(
            "    costs = []\n    for _ in range(steps):\n        acts = forward(params, X)\n"
            "        costs.append(cost(acts[-1], Y, loss))\n        grads = backward(params, acts, Y, loss)\n"
            "        for (W, b), (dW, db) in zip(params, grads):\n            W -= lr * dW\n            b -= lr * db\n"
            "    return costs"
        ),
        cause="before any step",
    ),
    Variant(
        "loss not passed on",
        "train_gd",
        replaced(TRAIN, TRAIN_BODY, "Y, loss)\n        for", "Y)\n        for"),
        cause="pass loss on",
    ),
    Variant(
        "a step up the gradient",
        "train_gd",
        replaced(TRAIN, TRAIN_BODY, "W -= lr * dW", "W += lr * dW"),
        cause="W -= lr * dW",
    ),
    Variant(
        "lr ignored",
        "train_gd",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "            W -= lr * dW\n            b -= lr * db\n",
            "            W -= 0.1 * dW\n            b -= 0.1 * db\n",
        ),
        cause="with lr",
    ),
]


class TestBackpropChecks(CheckSuite):
    ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES = ASSIGNMENT, "The backpropagation lab", MUTANTS, ALTERNATIVES
