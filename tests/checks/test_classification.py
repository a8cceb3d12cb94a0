"""The classification lab's checks against correct answers written other ways and against realistic mistakes."""

from __future__ import annotations

from tests.checks.harness import CheckSuite, Variant

ASSIGNMENT = "classification"

CLASSIFIER = """def make_classifier(n_in=2, n_hidden=4, n_out=1, activation="sigmoid"):
{}
"""
CLASSIFIER_BODY = (
    '    layers = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}\n'
    "    if activation not in layers:\n"
    "        raise ValueError(activation)\n"
    "    return nn.Sequential(nn.Linear(n_in, n_hidden), layers[activation](), nn.Linear(n_hidden, n_out))"
)
LOADERS = """def make_loaders(X, y, batch_size=100, val_fraction=0.2, generator=None):
{}
"""
LOADERS_BODY = (
    "    order = torch.randperm(len(X), generator=generator)\n"
    "    n_val = round(val_fraction * len(X))\n"
    "    val, train = order[:n_val], order[n_val:]\n"
    "    train_loader = DataLoader(TensorDataset(X[train], y[train]), batch_size=batch_size, shuffle=True, "
    "generator=generator)\n"
    "    val_loader = DataLoader(TensorDataset(X[val], y[val]), batch_size=batch_size)\n"
    "    return train_loader, val_loader"
)
ACCURACY = """def accuracy(model, loader):
{}
"""
ACCURACY_BODY = (
    "    model.eval()\n"
    "    right = seen = 0\n"
    "    with torch.no_grad():\n"
    "        for X, y in loader:\n"
    "            outputs = model(X)\n"
    "            predicted = (outputs > 0).float() if outputs.shape[1] == 1 else outputs.argmax(dim=1)\n"
    "            right += (predicted == y).sum().item()\n"
    "            seen += len(y)\n"
    "    return right / seen"
)
FIT = """def fit(model, train_loader, val_loader, loss_fn, optimizer, epochs):
    history = {{"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": []}}
    for _ in range(epochs):
{train}
        history["train_loss"].append(total / seen)
        history["train_accuracy"].append(correct / seen)
{validate}
    return history
"""
TRAIN_PART = (
    "        model.train()\n"
    "        total = correct = seen = 0\n"
    "        for X, y in train_loader:\n"
    "            optimizer.zero_grad()\n"
    "            outputs = model(X)\n"
    "            loss = loss_fn(outputs, y)\n"
    "            loss.backward()\n"
    "            optimizer.step()\n"
    "            total += loss.item() * len(y)\n"
    "            correct += ((outputs > 0).float() == y).sum().item() if outputs.shape[1] == 1 else "
    "(outputs.argmax(1) == y).sum().item()\n"
    "            seen += len(y)"
)
VALIDATE_PART = (
    "        model.eval()\n"
    "        total = seen = 0\n"
    "        with torch.no_grad():\n"
    "            for X, y in val_loader:\n"
    "                total += loss_fn(model(X), y).item() * len(y)\n"
    "                seen += len(y)\n"
    '        history["val_loss"].append(total / seen)\n'
    '        history["val_accuracy"].append(accuracy(model, val_loader))'
)
GRID = """def decision_grid(model, xlim, ylim, n=200):
{}
"""
GRID_BODY = (
    "    xx, yy = np.meshgrid(np.linspace(xlim[0], xlim[1], n), np.linspace(ylim[0], ylim[1], n))\n"
    "    points = torch.tensor(np.column_stack([xx.ravel(), yy.ravel()]), dtype=torch.float32)\n"
    "    model.eval()\n"
    "    with torch.no_grad():\n"
    "        logits = model(points)\n"
    "    p = torch.sigmoid(logits[:, 0]) if logits.shape[1] == 1 else torch.softmax(logits, dim=1)\n"
    "    return xx, yy, p.numpy().reshape(n, n, *p.shape[1:])"
)
SINE = """def fit_sine(x, y, hidden=32, epochs=2000, lr=0.03):
{}
"""
SINE_BODY = (
    "    model = nn.Sequential(nn.Linear(1, hidden), nn.Sigmoid(), nn.Linear(hidden, 1))\n"
    "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
    "    for _ in range(epochs):\n"
    "        optimizer.zero_grad()\n"
    "        nn.functional.mse_loss(model(x), y).backward()\n"
    "        optimizer.step()\n"
    "    return model"
)
MOONS_MODEL = "def moons_model():\n    return {}\n"
RECIPE = "def moons_recipe():\n    return {}\n"
MLP = "def make_mlp_classifier(n_in, n_hidden, n_classes):\n    return {}\n"


def replaced(template: str, body: str, old: str, new: str = "") -> str:
    assert old in body, old
    return template.format(body.replace(old, new))


def fit(train: str = TRAIN_PART, validate: str = VALIDATE_PART) -> str:
    return FIT.format(train=train, validate=validate)


ALTERNATIVES = [
    Variant(
        "classifier by a dict of modules",
        "make_classifier",
        CLASSIFIER.format(
            "    acts = {'sigmoid': nn.Sigmoid(), 'relu': nn.ReLU(), 'tanh': nn.Tanh()}\n"
            "    if activation not in acts:\n        raise ValueError(f'no activation {activation}')\n"
            "    return nn.Sequential(nn.Linear(n_in, n_hidden), acts[activation], nn.Linear(n_hidden, n_out))"
        ),
    ),
    Variant(
        "classifier by if and elif",
        "make_classifier",
        CLASSIFIER.format(
            "    if activation == 'sigmoid':\n        act = nn.Sigmoid()\n "
            "   elif activation == 'relu':\n        act = nn.ReLU()\n"
            "    elif activation == 'tanh':\n        act = nn.Tanh()\n    else:\n        raise ValueError(activation)\n"
            "    model = nn.Sequential()\n    model.append(nn.Linear(n_in, n_hidden))\n    model.append(act)\n"
            "    model.append(nn.Linear(n_hidden, n_out))\n    return model"
        ),
    ),
    Variant(
        "classifier by getattr",
        "make_classifier",
        CLASSIFIER.format(
            "    names = {'sigmoid': 'Sigmoid', 'relu': 'ReLU', 'tanh': 'Tanh'}\n"
            "    try:\n        act = getattr(nn, names[activation])()\n    "
            "except KeyError:\n        raise ValueError(activation) from None\n"
            "    return nn.Sequential(nn.Linear(n_in, n_hidden), act, nn.Linear(n_hidden, n_out))"
        ),
    ),
    Variant(
        "loaders by index_select",
        "make_loaders",
        replaced(
            LOADERS,
            LOADERS_BODY,
            "TensorDataset(X[train], y[train])",
            "TensorDataset(X.index_select(0, train), y.index_select(0, train))",
        ),
    ),
    Variant(
        "loaders by random_split, validation first",
        "make_loaders",
        LOADERS.format(
            "    n_val = round(val_fraction * len(X))\n"
            "    val, train = torch.utils.data.random_split(TensorDataset(X, y), [n_val, len(X) - n_val], "
            "generator=generator)\n"
            "    return DataLoader(train, batch_size, shuffle=True, generator=generator), DataLoader(val, batch_size)"
        ),
    ),
    Variant(
        "loaders by Subset",
        "make_loaders",
        LOADERS.format(
            "    data = TensorDataset(X, y)\n    order = torch.randperm(len(X), generator=generator).tolist()\n"
            "    n_val = round(val_fraction * len(X))\n"
            "    val = torch.utils.data.Subset(data, order[:n_val])\n  "
            "  train = torch.utils.data.Subset(data, order[n_val:])\n"
            "    return (DataLoader(train, batch_size, shuffle=True, "
            "generator=generator), DataLoader(val, batch_size, shuffle=False))"
        ),
    ),
    Variant(
        "accuracy putting the caller's mode back",
        "accuracy",
        ACCURACY.format(
            ACCURACY_BODY.replace(
                "    model.eval()\n", "    was_training = model.training\n    model.eval()\n"
            ).replace("    return right / seen", "    model.train(was_training)\n    return right / seen")
        ),
    ),
    Variant(
        "accuracy by a mean of concatenated predictions",
        "accuracy",
        ACCURACY.format(
            "    model.eval()\n    with torch.no_grad():\n"
            "        out = torch.cat([model(X) for X, _ in loader])\n        y = torch.cat([y for _, y in loader])\n"
            "    pred = (out > 0).float() if out.shape[1] == 1 else out.argmax(1)\n"
            "    return (pred == y).float().mean().item()"
        ),
    ),
    Variant(
        "accuracy by the probability above 1/2",
        "accuracy",
        replaced(ACCURACY, ACCURACY_BODY, "(outputs > 0).float()", "(torch.sigmoid(outputs) > 0.5).float()"),
    ),
    Variant(
        "accuracy counting with eq",
        "accuracy",
        replaced(
            ACCURACY, ACCURACY_BODY, "right += (predicted == y).sum().item()", "right += int(predicted.eq(y).sum())"
        ),
    ),
    Variant(
        "fit calling accuracy on the batch outputs",
        "fit",
        fit(
            train=TRAIN_PART.replace(
                "            correct += ((outputs > 0).float() == y).sum().item() if outputs.shape[1] == 1 else "
                "(outputs.argmax(1) == y).sum().item()\n",
                "            correct += accuracy(nn.Identity(), [(outputs.detach(), y)]) * len(y)\n",
            )
        ),
    ),
    Variant(
        "fit with set_to_none and float sums",
        "fit",
        fit(
            train=TRAIN_PART.replace("optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=True)").replace(
                "total += loss.item() * len(y)", "total += float(loss) * y.shape[0]"
            )
        ),
    ),
    Variant(
        "fit computing the validation accuracy itself",
        "fit",
        fit(
            validate=(
                "        model.eval()\n        total = correct = seen = 0\n        with torch.no_grad():\n"
                "            for X, y in val_loader:\n                out = model(X)\n"
                "                total += loss_fn(out, y).item() * len(y)\n"
                "                correct += ((out > 0).float() == y).sum().item() if out.shape[1] == 1 else "
                "(out.argmax(1) == y).sum().item()\n"
                "                seen += len(y)\n"
                '        history["val_loss"].append(total / seen)\n'
                '        history["val_accuracy"].append(correct / seen)'
            )
        ),
    ),
    Variant(
        "grid by torch.meshgrid",
        "decision_grid",
        GRID.format(
            "    gx, gy = torch.meshgrid(torch.linspace(xlim[0], xlim[1], n, dtype=torch.float64), "
            "torch.linspace(ylim[0], ylim[1], n, dtype=torch.float64), indexing='xy')\n"
            "    model.eval()\n    with torch.no_grad():\n"
            "        z = model(torch.stack([gx.ravel(), gy.ravel()], 1).float())\n"
            "    p = z.sigmoid().reshape(n, n) if z.shape[1] == 1 else z.softmax(1).reshape(n, n, -1)\n"
            "    return gx.numpy(), gy.numpy(), p.numpy()"
        ),
    ),
    Variant(
        "grid with np.c_ and inference mode",
        "decision_grid",
        replaced(GRID, GRID_BODY, "np.column_stack([xx.ravel(), yy.ravel()])", "np.c_[xx.ravel(), yy.ravel()]").replace(
            "torch.no_grad()", "torch.inference_mode()"
        ),
    ),
    Variant(
        "grid squeezing one logit",
        "decision_grid",
        replaced(
            GRID,
            GRID_BODY,
            "    return xx, yy, p.numpy().reshape(n, n, *p.shape[1:])",
            "    p = p.numpy()\n    return xx, yy, p.reshape(n, n) if p.ndim == 1 else p.reshape(n, n, -1)",
        ),
    ),
    Variant(
        "sine with nn.MSELoss and a named class",
        "fit_sine",
        SINE.format(
            "    class Net(nn.Module):\n        def __init__(self):\n            super().__init__()\n"
            "            self.hidden, self.out = nn.Linear(1, hidden), nn.Linear(hidden, 1)\n\n"
            "        def forward(self, t):\n            return self.out(torch.sigmoid(self.hidden(t)))\n\n"
            "    model = Net()\n    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
            "    loss_fn = nn.MSELoss()\n"
            "    for _ in range(epochs):\n        optimizer.zero_grad()\n        loss_fn(model(x), y).backward()\n"
            "        optimizer.step()\n    return model"
        ),
    ),
    Variant(
        "sine with the loss written out",
        "fit_sine",
        replaced(SINE, SINE_BODY, "nn.functional.mse_loss(model(x), y)", "((model(x) - y) ** 2).mean()"),
    ),
    Variant(
        "sine with set_to_none",
        "fit_sine",
        replaced(SINE, SINE_BODY, "optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=True)"),
    ),
    Variant(
        "moons by one wide layer",
        "moons_recipe",
        RECIPE.format('{"optimizer": "adam", "lr": 0.03, "epochs": 40, "batch_size": 100}').replace(
            "def moons_recipe",
            "def moons_model():\n    return "
            "nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))\n\n\n"
            "def moons_recipe",
        ),
    ),
    Variant(
        "moons with tanh and big batches",
        "moons_recipe",
        RECIPE.format('{"optimizer": "adam", "lr": 0.03, "epochs": 30, "batch_size": 200}').replace(
            "def moons_recipe",
            "def moons_model():\n    return "
            "nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 1))\n\n\n"
            "def moons_recipe",
        ),
    ),
    Variant(
        "moons by SGD with momentum",
        "moons_recipe",
        RECIPE.format('{"optimizer": "sgd", "lr": 0.1, "epochs": 60, "batch_size": 50}').replace(
            "def moons_recipe",
            "def moons_model():\n    return "
            "nn.Sequential(nn.Linear(2, 24), nn.ReLU(), nn.Linear(24, 1))\n\n\n"
            "def moons_recipe",
        ),
    ),
    Variant(
        "digits by a class",
        "make_mlp_classifier",
        (
            "class _Mlp(nn.Module):\n    def __init__(self, a, b, c):\n        super().__init__()\n"
            "        self.hidden, self.out = nn.Linear(a, b), nn.Linear(b, c)\n\n"
            "    def forward(self, x):\n        return self.out(torch.sigmoid(self.hidden(x)))\n\n\n"
            "def make_mlp_classifier(n_in, n_hidden, n_classes):\n    return _Mlp(n_in, n_hidden, n_classes)\n"
        ),
    ),
    Variant(
        "digits with an OrderedDict",
        "make_mlp_classifier",
        MLP.format(
            "nn.Sequential(__import__('collections').OrderedDict(hidden=nn.Linear(n_in, n_hidden), act=nn.Sigmoid(), "
            "out=nn.Linear(n_hidden, n_classes)))"
        ),
    ),
    Variant(
        "digits with a Flatten first",
        "make_mlp_classifier",
        MLP.format(
            "nn.Sequential(nn.Flatten(), nn.Linear(n_in, n_hidden), nn.Sigmoid(), nn.Linear(n_hidden, n_classes))"
        ),
    ),
]

MUTANTS = [
    Variant(
        "a sigmoid at the end",
        "make_classifier",
        replaced(
            CLASSIFIER, CLASSIFIER_BODY, "nn.Linear(n_hidden, n_out))", "nn.Linear(n_hidden, n_out), nn.Sigmoid())"
        ),
        cause="the loss applies the sigmoid",
    ),
    Variant(
        "activation ignored",
        "make_classifier",
        replaced(CLASSIFIER, CLASSIFIER_BODY, "layers[activation]()", "nn.Sigmoid()"),
        cause="activation='relu'",
    ),
    Variant(
        "an unknown activation falls back to sigmoid",
        "make_classifier",
        replaced(
            CLASSIFIER,
            CLASSIFIER_BODY,
            "    if activation not in layers:\n        raise ValueError(activation)\n",
            "    activation = activation if activation in layers else 'sigmoid'\n",
        ),
        cause="must raise ValueError",
    ),
    Variant(
        "one network shared by every call",
        "make_classifier",
        (
            "_MODEL = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1))\n\n\n"
            + CLASSIFIER.format(
                '    if (n_in, n_hidden, n_out, activation) == (2, 4, 1, "sigmoid"):\n'
                "        return _MODEL\n" + CLASSIFIER_BODY
            )
        ),
        cause="a new network",
    ),
    Variant(
        "n_hidden ignored",
        "make_classifier",
        replaced(
            CLASSIFIER,
            CLASSIFIER_BODY,
            "nn.Linear(n_in, n_hidden), layers[activation](), nn.Linear(n_hidden, n_out)",
            "nn.Linear(n_in, 4), layers[activation](), nn.Linear(4, n_out)",
        ),
        cause="Linear(3, 5)",
    ),
    Variant(
        "the first samples for validation",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "torch.randperm(len(X), generator=generator)", "torch.arange(len(X))"),
        cause="random",
    ),
    Variant(
        "the validation part last",
        "make_loaders",
        replaced(
            LOADERS,
            LOADERS_BODY,
            "    val, train = order[:n_val], order[n_val:]\n",
            "    train, val = order[: len(X) - n_val], order[len(X) - n_val :]\n",
        ),
        cause="not the last",
    ),
    Variant(
        "a split drawn after another use of the generator",
        "make_loaders",
        replaced(
            LOADERS,
            LOADERS_BODY,
            "torch.randperm(len(X), generator=generator)",
            "torch.randperm(len(X), generator=generator)[torch.randperm(len(X), generator=generator)]",
        ),
        cause="first 72 indices",
    ),
    Variant(
        "no reshuffling",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "shuffle=True", "shuffle=False"),
        cause="new order every epoch",
    ),
    Variant(
        "shuffles not seeded",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "shuffle=True, generator=generator)", "shuffle=True)"),
        cause="drawn with generator too",
    ),
    Variant(
        "a split not seeded",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "torch.randperm(len(X), generator=generator)", "torch.randperm(len(X))"),
        cause="drawn with generator",
    ),
    Variant(
        "int instead of round",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "round(val_fraction * len(X))", "int(val_fraction * len(X))"),
        cause="rounded, not truncated",
    ),
    Variant(
        "math.ceil instead of round",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "round(val_fraction * len(X))", "-int(-val_fraction * len(X) // 1)"),
        cause="not rounded up",
    ),
    Variant(
        "labels made int64 on the way in",
        "make_loaders",
        replaced(
            LOADERS,
            LOADERS_BODY.replace("TensorDataset(X[val], y[val])", "TensorDataset(X[val], y[val].long())"),
            "TensorDataset(X[train], y[train])",
            "TensorDataset(X[train], y[train].long())",
        ),
        cause="labels as they are given",
    ),
    Variant(
        "labels flattened on the way in",
        "make_loaders",
        replaced(
            LOADERS,
            LOADERS_BODY.replace("TensorDataset(X[val], y[val])", "TensorDataset(X[val], y[val].view(-1))"),
            "TensorDataset(X[train], y[train])",
            "TensorDataset(X[train], y[train].view(-1))",
        ),
        cause="labels as they are given",
    ),
    Variant(
        "labels shuffled apart",
        "make_loaders",
        replaced(
            LOADERS, LOADERS_BODY, "TensorDataset(X[train], y[train])", "TensorDataset(X[train], y[train.flip(0)])"
        ),
        cause="keep its own label",
    ),
    Variant(
        "batch_size ignored",
        "make_loaders",
        replaced(LOADERS, LOADERS_BODY, "batch_size=batch_size)", "batch_size=100)"),
        cause="batches of 16",
    ),
    Variant(
        "logits thresholded at 0.5",
        "accuracy",
        replaced(ACCURACY, ACCURACY_BODY, "(outputs > 0)", "(outputs > 0.5)"),
        cause="not 0.5",
    ),
    Variant(
        "no evaluation mode", "accuracy", replaced(ACCURACY, ACCURACY_BODY, "    model.eval()\n"), cause="model.eval()"
    ),
    Variant(
        "a mean of batch accuracies",
        "accuracy",
        ACCURACY.format(
            "    model.eval()\n    scores = []\n    with torch.no_grad():\n        for X, y in loader:\n"
            "            out = model(X)\n            pred = (out > 0).float() if out.shape[1] == 1 else out.argmax(1)\n"
            "            scores.append((pred == y).float().mean().item())\n    return sum(scores) / len(scores)"
        ),
        cause="0.875",
    ),
    Variant(
        "argmax for one logit too",
        "accuracy",
        replaced(
            ACCURACY,
            ACCURACY_BODY,
            "(outputs > 0).float() if outputs.shape[1] == 1 else outputs.argmax(dim=1)",
            "outputs.argmax(dim=1)",
        ),
        cause="class 1 when the logit is above 0",
    ),
    Variant(
        "the validation in training mode",
        "fit",
        fit(validate=VALIDATE_PART.replace("        model.eval()\n", "")),
        cause="evaluation mode",
    ),
    Variant(
        "the validation with gradients",
        "fit",
        fit(
            validate=VALIDATE_PART.replace(
                "        with torch.no_grad():\n            for X, y in val_loader:\n "
                "               total += loss_fn(model(X), y).item() * len(y)\n"
                "                seen += len(y)\n",
                "        for X, y in val_loader:\n            total += "
                "loss_fn(model(X), y).item() * len(y)\n            seen += len(y)\n",
            )
        ),
        cause="without gradients",
    ),
    Variant(
        "the mean of batch losses",
        "fit",
        fit(
            train=TRAIN_PART.replace(
                "total += loss.item() * len(y)", "total += loss.item() * len(train_loader.dataset) / len(train_loader)"
            )
        ),
        cause="means over samples",
    ),
    Variant(
        "no zero_grad",
        "fit",
        fit(train=TRAIN_PART.replace("            optimizer.zero_grad()\n", "")),
        cause="zero the gradients",
    ),
    Variant(
        "a loss of its own",
        "fit",
        fit(
            train=TRAIN_PART.replace(
                "loss = loss_fn(outputs, y)", "loss = nn.functional.binary_cross_entropy_with_logits(outputs, y)"
            )
        ),
        cause="on loss_fn",
    ),
    Variant(
        "training mode set once",
        "fit",
        (
            "def fit(model, train_loader, val_loader, loss_fn, optimizer, epochs):\n    model.train()\n"
            + fit(train=TRAIN_PART.replace("        model.train()\n", "")).split("\n", 1)[1]
        ),
        cause="training mode",
    ),
    Variant(
        "xlim's start ignored",
        "decision_grid",
        replaced(GRID, GRID_BODY, "np.linspace(xlim[0], xlim[1], n)", "np.linspace(0, xlim[1], n)"),
        cause="np.meshgrid",
    ),
    Variant(
        "the logits, not probabilities",
        "decision_grid",
        replaced(GRID, GRID_BODY, "torch.sigmoid(logits[:, 0])", "logits[:, 0]"),
        cause="sigmoid(model",
    ),
    Variant(
        "the sigmoid of several logits",
        "decision_grid",
        replaced(GRID, GRID_BODY, "torch.softmax(logits, dim=1)", "torch.sigmoid(logits)"),
        cause="softmax over classes",
    ),
    Variant(
        "the grid in training mode",
        "decision_grid",
        replaced(GRID, GRID_BODY, "    model.eval()\n"),
        cause="evaluation mode",
    ),
    Variant(
        "a tensor returned",
        "decision_grid",
        replaced(GRID, GRID_BODY, "p.numpy().reshape(n, n, *p.shape[1:])", "p.reshape(n, n, *p.shape[1:])"),
        cause="NumPy array",
    ),
    Variant(
        "SGD instead of Adam",
        "fit_sine",
        replaced(SINE, SINE_BODY, "torch.optim.Adam", "torch.optim.SGD"),
        cause="torch.optim.Adam",
    ),
    Variant("lr ignored", "fit_sine", replaced(SINE, SINE_BODY, "lr=lr", "lr=0.03"), cause="lr 0.125"),
    Variant(
        "ReLU hidden units",
        "fit_sine",
        replaced(SINE, SINE_BODY, "nn.Sigmoid()", "nn.ReLU()"),
        cause="hidden layer must be a sigmoid",
    ),
    Variant(
        "hidden ignored",
        "fit_sine",
        replaced(
            SINE,
            SINE_BODY,
            "nn.Linear(1, hidden), nn.Sigmoid(), nn.Linear(hidden, 1)",
            "nn.Linear(1, 32), nn.Sigmoid(), nn.Linear(32, 1)",
        ),
        cause="hidden=8",
    ),
    Variant(
        "one step too many",
        "fit_sine",
        replaced(SINE, SINE_BODY, "range(epochs)", "range(epochs + 1)"),
        cause="7 steps",
    ),
    Variant(
        "a sigmoid at the output",
        "moons_recipe",
        MOONS_MODEL.format("nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())")
        + "\n\n"
        + RECIPE.format('{"optimizer": "adam", "lr": 0.03, "epochs": 40, "batch_size": 100}'),
        cause="95% is needed",
    ),
    Variant(
        "over the step budget",
        "moons_recipe",
        RECIPE.format('{"optimizer": "adam", "lr": 0.01, "epochs": 1000, "batch_size": 32}'),
        cause="budget",
    ),
    Variant(
        "too many parameters",
        "moons_model",
        MOONS_MODEL.format(
            "nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))"
        ),
        cause="10,000 parameters",
    ),
    Variant(
        "a linear model",
        "moons_recipe",
        MOONS_MODEL.format("nn.Linear(2, 1)")
        + "\n\n"
        + RECIPE.format('{"optimizer": "adam", "lr": 0.03, "epochs": 40, "batch_size": 100}'),
        cause="95% is needed",
    ),
    Variant(
        "one network for every call",
        "moons_model",
        (
            "_NET = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))\n\n\n"
            + MOONS_MODEL.format("_NET")
        ),
        cause="a new network",
    ),
    Variant(
        "an unknown optimizer",
        "moons_recipe",
        RECIPE.format('{"optimizer": "rmsprop", "lr": 0.01, "epochs": 100, "batch_size": 50}'),
        cause='"adam" or "sgd"',
    ),
    Variant(
        "a softmax at the end",
        "make_mlp_classifier",
        MLP.format(
            "nn.Sequential(nn.Linear(n_in, n_hidden), nn.Sigmoid(), nn.Linear(n_hidden, n_classes), nn.Softmax(dim=1))"
        ),
        cause="a softmax at the end",
    ),
    Variant(
        "ReLU hidden units",
        "make_mlp_classifier",
        MLP.format("nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_classes))"),
        cause="Linear, sigmoid, Linear",
    ),
    Variant(
        "n_hidden ignored",
        "make_mlp_classifier",
        MLP.format("nn.Sequential(nn.Linear(n_in, 100), nn.Sigmoid(), nn.Linear(100, n_classes))"),
        cause="Linear(20, 7)",
    ),
    Variant(
        "a sigmoid at the end",
        "make_mlp_classifier",
        MLP.format(
            "nn.Sequential(nn.Linear(n_in, n_hidden), nn.Sigmoid(), nn.Linear(n_hidden, n_classes), nn.Sigmoid())"
        ),
        cause="nothing after the last layer",
    ),
    Variant(
        "accuracy with gradients",
        "accuracy",
        replaced(
            ACCURACY,
            ACCURACY_BODY,
            "    with torch.no_grad():\n        for X, y in loader:\n",
            "    if True:\n        for X, y in loader:\n",
        ),
        cause="without gradients",
    ),
    Variant(
        "the grid with gradients, detached",
        "decision_grid",
        replaced(
            GRID,
            GRID_BODY,
            "    with torch.no_grad():\n        logits = model(points)\n",
            "    logits = model(points).detach()\n",
        ),
        cause="without gradients",
    ),
]


class TestClassificationChecks(CheckSuite):
    ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES = ASSIGNMENT, "The classification lab", MUTANTS, ALTERNATIVES
