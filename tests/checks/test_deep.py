"""The deeper-networks lab's checks against correct answers written other ways and against realistic mistakes."""

from __future__ import annotations

from tests.checks.harness import CheckSuite, Variant

ASSIGNMENT = "deep"

ACTIVATION = "def activation_and_grad(name, x):\n{}\n"
ACTIVATION_BODY = (
    "    functions = {\n"
    '        "sigmoid": torch.sigmoid,\n'
    '        "tanh": torch.tanh,\n'
    '        "relu": torch.relu,\n'
    '        "leaky_relu": lambda t: nn.functional.leaky_relu(t, negative_slope=0.01),\n'
    "    }\n"
    "    if name not in functions:\n"
    "        raise ValueError(name)\n"
    "    x = x.detach().clone().requires_grad_(True)\n"
    "    y = functions[name](x)\n"
    "    (dy_dx,) = torch.autograd.grad(y.sum(), x)\n"
    "    return y.detach(), dy_dx"
)
XOR = "def xor_sequential(hidden_activation=True):\n{}\n"
SGD = "def sgd_momentum_step(param, grad, state, lr=0.01, momentum=0.9):\n{}\n"
SGD_BODY = (
    "    with torch.no_grad():\n"
    '        if "buffer" not in state:\n'
    '            state["buffer"] = grad.clone()\n'
    "        else:\n"
    '            state["buffer"].mul_(momentum).add_(grad)\n'
    '        param.sub_(lr * state["buffer"])'
)
ADAM = "def adam_step(param, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):\n{}\n"
ADAM_BODY = (
    "    beta1, beta2 = betas\n"
    "    with torch.no_grad():\n"
    "        if not state:\n"
    '            state["t"], state["m"], state["v"] = 0, torch.zeros_like(param), torch.zeros_like(param)\n'
    '        state["t"] += 1\n'
    '        state["m"].mul_(beta1).add_((1 - beta1) * grad)\n'
    '        state["v"].mul_(beta2).add_((1 - beta2) * grad**2)\n'
    '        m_hat = state["m"] / (1 - beta1 ** state["t"])\n'
    '        v_hat = state["v"] / (1 - beta2 ** state["t"])\n'
    "        param.sub_(lr * m_hat / (v_hat.sqrt() + eps))"
)
TRAIN = "def train_model(model, loaders, optimizer, epochs, weight_decay=0.0):\n{}\n"
TRAIN_BODY = (
    "    train_loader, val_loader = loaders\n"
    "    loss_fn = nn.CrossEntropyLoss()\n"
    '    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}\n'
    "    for _ in range(epochs):\n"
    "        model.train()\n"
    "        total = seen = 0\n"
    "        for X, y in train_loader:\n"
    "            optimizer.zero_grad()\n"
    "            loss = loss_fn(model(X), y)\n"
    "            # L2 as a penalty\n"
    "            penalty = weight_decay / 2 * sum((p**2).sum() for p in model.parameters())\n"
    "            (loss + penalty).backward()\n"
    "            optimizer.step()\n"
    "            total, seen = total + loss.item() * len(y), seen + len(y)\n"
    '        history["train_loss"].append(total / seen)\n'
    "        model.eval()\n"
    "        total = correct = seen = 0\n"
    "        with torch.no_grad():\n"
    "            for X, y in val_loader:\n"
    "                outputs = model(X)\n"
    "                total += loss_fn(outputs, y).item() * len(y)\n"
    "                correct += (outputs.argmax(dim=1) == y).sum().item()\n"
    "                seen += len(y)\n"
    '        history["val_loss"].append(total / seen)\n'
    '        history["val_accuracy"].append(correct / seen)\n'
    "    return history"
)
CNN = "def build_cnn(n_classes=10, channels=(16, 32), dropout=0.25):\n{}\n"
CNN_BODY = (
    "    c1, c2 = channels\n"
    "    return nn.Sequential(\n"
    "        nn.Conv2d(1, c1, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),\n"
    "        nn.Conv2d(c1, c2, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),\n"
    "        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Dropout(dropout), nn.Linear(4 * c2, n_classes),\n"
    "    )"
)


def replaced(template: str, body: str, old: str, new: str = "") -> str:
    assert old in body, old
    return template.format(body.replace(old, new))


ALTERNATIVES = [
    Variant(
        "activations by if and backward",
        "activation_and_grad",
        ACTIVATION.format(
            "    x = x.detach().clone().requires_grad_(True)\n"
            "    if name == 'sigmoid':\n        y = 1 / (1 + torch.exp(-x))\n"
            "    elif name == 'tanh':\n        y = torch.tanh(x)\n"
            "    elif name == 'relu':\n        y = torch.clamp(x, min=0)\n"
            "    elif name == 'leaky_relu':\n        y = torch.where(x > 0, x, 0.01 * x)\n"
            "    else:\n        raise ValueError(f'unknown activation {name}')\n"
            "    y.sum().backward()\n    return y.detach(), x.grad.detach()"
        ),
    ),
    Variant(
        "activations by modules",
        "activation_and_grad",
        replaced(
            ACTIVATION,
            ACTIVATION_BODY,
            "lambda t: nn.functional.leaky_relu(t, negative_slope=0.01)",
            "nn.LeakyReLU(0.01)",
        ),
    ),
    Variant(
        "activations with a ones gradient",
        "activation_and_grad",
        replaced(
            ACTIVATION,
            ACTIVATION_BODY,
            "    (dy_dx,) = torch.autograd.grad(y.sum(), x)\n",
            "    y.backward(torch.ones_like(y))\n    dy_dx = x.grad.detach().clone()\n",
        ),
    ),
    Variant(
        "XOR by append",
        "xor_sequential",
        XOR.format(
            "    model = nn.Sequential(nn.Linear(2, 2))\n"
            "    if hidden_activation:\n        model.append(nn.Sigmoid())\n"
            "    model.append(nn.Linear(2, 1))\n    model.append(nn.Sigmoid())\n    return model"
        ),
    ),
    Variant(
        "XOR by two returns",
        "xor_sequential",
        XOR.format(
            "    if hidden_activation:\n        return nn.Sequential(nn.Linear(2, "
            "2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())\n"
            "    return nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1), nn.Sigmoid())"
        ),
    ),
    Variant(
        "XOR with Identity",
        "xor_sequential",
        XOR.format(
            "    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid() if hidden_activation else nn.Identity(), "
            "nn.Linear(2, 1), nn.Sigmoid())"
        ),
    ),
    Variant(
        "momentum by a velocity times lr (constant lr)",
        "sgd_momentum_step",
        SGD.format(
            "    with torch.no_grad():\n        b = state.get('b')\n     "
            "   b = grad.clone() if b is None else momentum * b + grad\n"
            "        state['b'] = b\n        param -= lr * b"
        ),
    ),
    Variant(
        "momentum with a step count",
        "sgd_momentum_step",
        SGD.format(
            "    with torch.no_grad():\n        state['n'] = state.get('n', 0) + 1\n"
            "        state['buf'] = grad.detach().clone() if state['n'] == 1 else state['buf'] * momentum + grad\n"
            "        param.add_(state['buf'], alpha=-lr)"
        ),
    ),
    Variant(
        "momentum with torch.add",
        "sgd_momentum_step",
        replaced(
            SGD,
            SGD_BODY,
            '            state["buffer"].mul_(momentum).add_(grad)',
            '            state["buffer"] = torch.add(grad, state["buffer"], alpha=momentum)',
        ),
    ),
    Variant(
        "the slides' velocity, lr inside (constant lr)",
        "sgd_momentum_step",
        SGD.format(
            "    with torch.no_grad():\n        v = state.get('v', torch.zeros_like(grad))\n"
            "        v = momentum * v + lr * grad\n        state['v'] = v\n        param -= v"
        ),
    ),
    Variant(
        "a zero buffer at first",
        "sgd_momentum_step",
        SGD.format(
            "    with torch.no_grad():\n        b = state.setdefault('b', torch.zeros_like(grad))\n"
            "        b.mul_(momentum).add_(grad)\n        param.sub_(lr * b)"
        ),
    ),
    Variant(
        "Adam with new tensors",
        "adam_step",
        ADAM.format(
            "    b1, b2 = betas\n    t = state.get('t', 0) + 1\n"
            "    m = b1 * state.get('m', torch.zeros_like(grad)) + (1 - b1) * grad\n"
            "    v = b2 * state.get('v', torch.zeros_like(grad)) + (1 - b2) * grad * grad\n"
            "    state.update(t=t, m=m, v=v)\n"
            "    with torch.no_grad():\n        param -= lr * (m / (1 - b1**t)) / (torch.sqrt(v / (1 - b2**t)) + eps)"
        ),
    ),
    Variant(
        "Adam with addcmul and lerp",
        "adam_step",
        replaced(
            ADAM,
            ADAM_BODY,
            '        state["m"].mul_(beta1).add_((1 - beta1) * grad)\n'
            '        state["v"].mul_(beta2).add_((1 - beta2) * grad**2)\n',
            '        state["m"].lerp_(grad, 1 - beta1)\n'
            '        state["v"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)\n',
        ),
    ),
    Variant(
        "Adam in float64 inside",
        "adam_step",
        replaced(
            ADAM,
            ADAM_BODY,
            "        param.sub_(lr * m_hat / (v_hat.sqrt() + eps))",
            "        param.sub_((lr * m_hat.double() / (v_hat.double().sqrt() + eps)).to(param.dtype))",
        ),
    ),
    Variant(
        "train_model with the penalty on the gradients",
        "train_model",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "            penalty = weight_decay / 2 * sum((p**2).sum() for p in model.parameters())\n"
            "            (loss + penalty).backward()\n",
            "            loss.backward()\n            with torch.no_grad():\n"
            "                for p in model.parameters():\n"
            "                    p.grad.add_(weight_decay * p)\n",
        ),
    ),
    Variant(
        "train_model with functional cross-entropy and float sums",
        "train_model",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "            total, seen = total + loss.item() * len(y), seen + len(y)\n",
            "            total += float(loss) * y.numel()\n            seen += y.numel()\n",
        ).replace("    loss_fn = nn.CrossEntropyLoss()\n", "    loss_fn = nn.functional.cross_entropy\n"),
    ),
    Variant(
        "train_model skipping a zero penalty",
        "train_model",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "            (loss + penalty).backward()\n",
            "            (loss + penalty if weight_decay else loss).backward()\n",
        ),
    ),
    Variant(
        "CNN as a module of its own",
        "build_cnn",
        (
            "class _Cnn(nn.Module):\n    def __init__(self, n_classes, c1, c2, p):\n        super().__init__()\n"
            "        self.conv1, self.conv2 = nn.Conv2d(1, c1, 3, padding=1), nn.Conv2d(c1, c2, 3, padding=1)\n"
            "        self.drop, self.head = nn.Dropout(p), nn.Linear(4 * c2, n_classes)\n\n"
            "    def forward(self, x):\n"
            "        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)\n"
            "        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)\n"
            "        x = nn.functional.adaptive_avg_pool2d(x, 2).flatten(1)\n"
            "        return self.head(self.drop(x))\n\n\n"
            + CNN.format("    return _Cnn(n_classes, *channels, dropout)")
        ),
    ),
    Variant(
        "CNN in two blocks",
        "build_cnn",
        CNN.format(
            "    c1, c2 = channels\n"
            "    block = lambda i, o: nn.Sequential(nn.Conv2d(i, o, (3, 3), padding=(1, 1)), nn.ReLU(inplace=True), "
            "nn.MaxPool2d(kernel_size=2))\n"
            "    return nn.Sequential(block(1, c1), block(c1, c2), nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), "
            "nn.Dropout(p=dropout), nn.Linear(c2 * 4, n_classes))"
        ),
    ),
    Variant(
        "CNN with an OrderedDict",
        "build_cnn",
        CNN.format(
            "    c1, c2 = channels\n    from collections import OrderedDict\n"
            "    return nn.Sequential(OrderedDict(conv1=nn.Conv2d(1, c1, 3, 1, 1), relu1=nn.ReLU(), "
            "pool1=nn.MaxPool2d(2), "
            "conv2=nn.Conv2d(c1, c2, 3, 1, 1), relu2=nn.ReLU(), pool2=nn.MaxPool2d(2), gap=nn.AdaptiveAvgPool2d(2), "
            "flat=nn.Flatten(), drop=nn.Dropout(dropout), head=nn.Linear(4 * c2, n_classes)))"
        ),
    ),
]

MUTANTS = [
    Variant(
        "the derivative by its formula, on x itself",
        "activation_and_grad",
        ACTIVATION.format(
            "    if name == 'sigmoid':\n        s = torch.sigmoid(x)\n        return s, s * (1 - s)\n"
            "    x.requires_grad_(True)\n    y = {'tanh': torch.tanh, 'relu': torch.relu, "
            "'leaky_relu': lambda t: nn.functional.leaky_relu(t, 0.01)}[name](x)\n"
            "    y.sum().backward()\n    return y.detach(), x.grad"
        ),
        cause="x itself must be left alone",
    ),
    Variant(
        "a KeyError for another name",
        "activation_and_grad",
        replaced(ACTIVATION, ACTIVATION_BODY, "    if name not in functions:\n        raise ValueError(name)\n"),
        cause="must raise ValueError, not KeyError",
    ),
    Variant(
        "leaky ReLU's default slope",
        "activation_and_grad",
        replaced(
            ACTIVATION,
            ACTIVATION_BODY,
            "nn.functional.leaky_relu(t, negative_slope=0.01)",
            "nn.functional.leaky_relu(t, 0.1)",
        ),
        cause="the slope for x < 0 is 0.01",
    ),
    Variant(
        "y with its gradient history",
        "activation_and_grad",
        replaced(ACTIVATION, ACTIVATION_BODY, "    return y.detach(), dy_dx", "    return y, dy_dx"),
        cause="no gradient history",
    ),
    Variant(
        "float32 results",
        "activation_and_grad",
        replaced(
            ACTIVATION,
            ACTIVATION_BODY,
            "    x = x.detach().clone().requires_grad_(True)\n",
            "    x = x.detach().float().requires_grad_(True)\n",
        ),
        cause="float64 tensors",
    ),
    Variant(
        "the tanh derivative of sigmoid",
        "activation_and_grad",
        replaced(
            ACTIVATION, ACTIVATION_BODY, '"sigmoid": torch.sigmoid', '"sigmoid": lambda t: torch.tanh(t / 2) / 2 + 0.25'
        ),
        cause="sigmoid: y is not sigmoid(x)",
    ),
    Variant(
        "no output sigmoid",
        "xor_sequential",
        XOR.format(
            "    hidden = [nn.Sigmoid()] if hidden_activation else []\n    "
            "return nn.Sequential(nn.Linear(2, 2), *hidden, nn.Linear(2, 1))"
        ),
        cause="sigmoid(Linear(2, 1)",
    ),
    Variant(
        "the flag ignored",
        "xor_sequential",
        XOR.format("    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())"),
        cause="hidden_activation=False",
    ),
    Variant(
        "a ReLU hidden layer",
        "xor_sequential",
        XOR.format(
            "    hidden = [nn.ReLU()] if hidden_activation else []\n"
            "    return nn.Sequential(nn.Linear(2, 2), *hidden, nn.Linear(2, 1), nn.Sigmoid())"
        ),
        cause="hidden_activation=True",
    ),
    Variant(
        "a hidden layer of 3",
        "xor_sequential",
        XOR.format(
            "    hidden = [nn.Sigmoid()] if hidden_activation else []\n"
            "    return nn.Sequential(nn.Linear(2, 3), *hidden, nn.Linear(3, 1), nn.Sigmoid())"
        ),
        cause="9 weights",
    ),
    Variant(
        "lr ignored",
        "sgd_momentum_step",
        replaced(SGD, SGD_BODY, 'param.sub_(lr * state["buffer"])', 'param.sub_(0.01 * state["buffer"])'),
        cause="leave torch.optim.SGD's path",
    ),
    Variant(
        "the buffer aliasing grad",
        "sgd_momentum_step",
        replaced(SGD, SGD_BODY, 'state["buffer"] = grad.clone()', 'state["buffer"] = grad'),
        cause="grad must be left unchanged",
    ),
    Variant(
        "a global buffer",
        "sgd_momentum_step",
        (
            "_BUFFER = {}\n\n\n"
            + SGD.format(
                "    with torch.no_grad():\n        b = _BUFFER.get('b')\n"
                "        b = grad.clone() if b is None or b.shape != grad.shape else momentum * b + grad\n"
                "        _BUFFER['b'] = b\n        param.sub_(lr * b)"
            )
        ),
        cause="its own state only",
    ),
    Variant(
        "momentum ignored",
        "sgd_momentum_step",
        replaced(SGD, SGD_BODY, ".mul_(momentum)", ".mul_(0.9)"),
        cause="momentum=0.5",
    ),
    Variant(
        "no bias correction",
        "adam_step",
        replaced(
            ADAM,
            ADAM_BODY,
            '        m_hat = state["m"] / (1 - beta1 ** state["t"])\n'
            '        v_hat = state["v"] / (1 - beta2 ** state["t"])\n',
            '        m_hat, v_hat = state["m"], state["v"]\n',
        ),
        cause="divide m by 1 - beta1 ** t",
    ),
    Variant(
        "eps inside the square root",
        "adam_step",
        replaced(ADAM, ADAM_BODY, "(v_hat.sqrt() + eps)", "(v_hat + eps).sqrt()"),
        cause="eps=0.5",
    ),
    Variant(
        "m of the squared gradients",
        "adam_step",
        replaced(ADAM, ADAM_BODY, ".add_((1 - beta1) * grad)", ".add_((1 - beta1) * grad**2)"),
        cause="leave torch.optim.Adam's path",
    ),
    Variant(
        "a global step count",
        "adam_step",
        (
            "_STEPS = [0]\n\n\n"
            + replaced(
                ADAM, ADAM_BODY, '        state["t"] += 1\n', '        _STEPS[0] += 1\n        state["t"] = _STEPS[0]\n'
            )
        ),
        cause="its own state only",
    ),
    Variant(
        "betas swapped",
        "adam_step",
        replaced(ADAM, ADAM_BODY, "    beta1, beta2 = betas\n", "    beta2, beta1 = betas\n"),
        cause="leave torch.optim.Adam's path",
    ),
    Variant(
        "param rebound, not updated",
        "adam_step",
        replaced(
            ADAM,
            ADAM_BODY,
            "        param.sub_(lr * m_hat / (v_hat.sqrt() + eps))",
            "        param = param - lr * m_hat / (v_hat.sqrt() + eps)",
        ),
        cause="moved by",
    ),
    Variant(
        "the penalty twice",
        "train_model",
        replaced(TRAIN, TRAIN_BODY, "weight_decay / 2 * sum", "weight_decay * sum"),
        cause="adds it twice",
    ),
    Variant(
        "the penalty in the reported loss",
        "train_model",
        replaced(TRAIN, TRAIN_BODY, "total + loss.item() * len(y)", "total + (loss + penalty).item() * len(y)"),
        cause="without the L2 penalty",
    ),
    Variant(
        "validation in training mode",
        "train_model",
        replaced(TRAIN, TRAIN_BODY, "        model.eval()\n"),
        cause="evaluation mode",
    ),
    Variant(
        "training mode set once",
        "train_model",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "    for _ in range(epochs):\n        model.train()\n",
            "    model.train()\n    for _ in range(epochs):\n",
        ),
        cause="every epoch",
    ),
    Variant(
        "weight_decay ignored",
        "train_model",
        replaced(TRAIN, TRAIN_BODY, "penalty = weight_decay / 2", "penalty = 0.0 / 2"),
        cause="weight_decay=0.1",
    ),
    Variant(
        "the last batch's loss",
        "train_model",
        replaced(
            TRAIN,
            TRAIN_BODY,
            "            total, seen = total + loss.item() * len(y), seen + len(y)\n",
            "            total, seen = loss.item(), 1\n",
        ),
        cause="train_loss is not the expected",
    ),
    Variant(
        "a head for 28x28 images",
        "build_cnn",
        replaced(
            CNN,
            CNN_BODY,
            "nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Dropout(dropout), nn.Linear(4 * c2, n_classes)",
            "nn.Flatten(), nn.Dropout(dropout), nn.Linear(c2 * 7 * 7, n_classes)",
        ),
        cause="fails on",
    ),
    Variant(
        "average pooling in the blocks",
        "build_cnn",
        replaced(
            CNN,
            CNN_BODY,
            "nn.ReLU(), nn.MaxPool2d(2),\n        nn.Conv2d",
            "nn.ReLU(), nn.AvgPool2d(2),\n        nn.Conv2d",
        ),
        cause="does not compute the network of the task text",
    ),
    Variant(
        "adaptive max pooling",
        "build_cnn",
        replaced(CNN, CNN_BODY, "nn.AdaptiveAvgPool2d(2)", "nn.AdaptiveMaxPool2d(2)"),
        cause="does not compute the network of the task text",
    ),
    Variant(
        "no padding",
        "build_cnn",
        replaced(CNN, CNN_BODY, "nn.Conv2d(1, c1, kernel_size=3, padding=1)", "nn.Conv2d(1, c1, kernel_size=3)"),
        cause="padding=1",
    ),
    Variant(
        "dropout ignored",
        "build_cnn",
        replaced(CNN, CNN_BODY, "nn.Dropout(dropout)", "nn.Dropout(0.25)"),
        cause="with the p given",
    ),
    Variant(
        "n_classes ignored",
        "build_cnn",
        replaced(CNN, CNN_BODY, "nn.Linear(4 * c2, n_classes)", "nn.Linear(4 * c2, 10)"),
        cause="logits of shape",
    ),
]


class TestDeepChecks(CheckSuite):
    ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES = ASSIGNMENT, "The deeper-networks lab", MUTANTS, ALTERNATIVES
