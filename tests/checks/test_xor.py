"""The XOR lab's checks against correct answers written other ways and against realistic mistakes."""

from __future__ import annotations

from tests.checks.harness import CheckSuite, Variant

ASSIGNMENT = "xor"

BATCH = "def make_batch(batch_size=10, n_inputs=2, centred=False, generator=None):\n{}\n"
DATASET = "def make_dataset(n_batches, batch_size=10, n_inputs=2, centred=False, generator=None):\n    return {}\n"
ACCURACY = "def accuracy(output, target):\n    return {}\n"
QUIZ = (
    'QUIZ = {{"n_parameters": {}, "steps_per_epoch": 500, "total_steps": {}, "test_samples": 500, "zero_grad": "b", '
    '"backward": "b", "step": "a", "noise": "b", "squeeze": "{}", "linear_xor": "{}"}}\n'
)
#: make_batch's model answer, drawn as the text says, with a line to replace
REFERENCE_BATCH = (
    "    bits = torch.randint(0, 2, (batch_size, n_inputs), generator=generator)\n"
    "    X, y = bits.float(), (bits.sum(dim=1) % 2).float()\n"
    "    if centred:\n"
    "        X, y = 2 * X - 1, 2 * y - 1\n"
    "    X = X + 0.1 * torch.rand(batch_size, n_inputs, generator=generator)\n"
    "    y = y + 0.1 * torch.rand(batch_size, generator=generator)\n"
    "    return X, y"
)
NET = """class XorNet(nn.Module):
    def __init__(self, n_inputs=2, hidden=2, activation="sigmoid", init_uniform=False):
        super().__init__()
        self.hidden = nn.Linear(n_inputs, hidden)
        self.activation = {{"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU()}}[activation]
        self.output = nn.Linear(hidden, 1)
        if init_uniform:
{init}

    def forward(self, x):
        return {forward}
"""
INIT = "            for p in self.parameters():\n                nn.init.uniform_(p, -1.0, 1.0)"
FORWARD = "self.output(self.activation(self.hidden(x))).squeeze(-1)"
EPOCH = """def train_epoch(model, optimizer, batches):
    model.train()
    losses = []
    for X, y in batches:
{step}
        losses.append(loss.item())
    return {result}
"""
STEP = (
    "        optimizer.zero_grad()\n"
    "        loss = nn.functional.mse_loss(model(X), y)\n"
    "        loss.backward()\n"
    "        optimizer.step()"
)
EVALUATE = """def evaluate(model, batches):
{body}
"""
EVALUATE_BODY = (
    "    model.eval()\n"
    "    with torch.no_grad():\n"
    "        outputs = [(model(X), y) for X, y in batches]\n"
    "    loss = sum(nn.functional.mse_loss(o, y).item() for o, y in outputs) / len(outputs)\n"
    "    return loss, accuracy(torch.cat([o for o, _ in outputs]), torch.cat([y for _, y in outputs]))"
)
RUN = """def run(
    activation="sigmoid", seed=0, lr=0.01, epochs=100, centred=False, init_uniform=False, n_inputs=2, hidden=2
):
{data}
    torch.manual_seed(seed)
    model = {model}
    optimizer = torch.optim.SGD(model.parameters(), lr={lr})
    history = {{"train_loss": [], "test_loss": [], "test_accuracy": []}}
    for _ in range({epochs}):
        history["train_loss"].append(train_epoch(model, optimizer, train_data))
        test_loss, test_accuracy = evaluate(model, test_data)
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(test_accuracy)
    return history
"""
DATA = (
    "    generator = torch.Generator().manual_seed(seed)\n"
    "    train_data = make_dataset(500, 10, n_inputs, centred, generator)\n"
    "    test_data = make_dataset(50, 10, n_inputs, centred, generator)"
)
MODEL = "XorNet(n_inputs, hidden, activation, init_uniform)"


def batch(old: str = "", new: str = "") -> str:
    assert old in REFERENCE_BATCH
    return BATCH.format(REFERENCE_BATCH.replace(old, new))


def net(init: str = INIT, forward: str = FORWARD, old: str = "", new: str = "") -> str:
    return NET.format(init=init, forward=forward).replace(old, new)


def epoch(step: str = STEP, result: str = "sum(losses) / len(losses)", old: str = "", new: str = "") -> str:
    """The cell of Task 5 with another ``train_epoch`` and the model answer's ``evaluate``."""
    return EPOCH.format(step=step, result=result).replace(old, new) + "\n\n" + EVALUATE.format(body=EVALUATE_BODY)


def evaluate(old: str = "", new: str = "", body: str | None = None) -> str:
    """The cell of Task 5 with the model answer's ``train_epoch`` and another ``evaluate``."""
    assert old in EVALUATE_BODY
    return epoch().split("\n\n")[0] + "\n\n" + EVALUATE.format(body=body or EVALUATE_BODY.replace(old, new))


def run(data: str = DATA, model: str = MODEL, lr: str = "lr", epochs: str = "epochs") -> str:
    return RUN.format(data=data, model=model, lr=lr, epochs=epochs)


ALTERNATIVES = [
    Variant(
        "parity by XOR of the columns",
        "make_batch",
        batch("(bits.sum(dim=1) % 2).float()", "bits.T.float().sum(0).remainder(2)"),
    ),
    Variant(
        "centring with torch.where",
        "make_batch",
        batch(
            "        X, y = 2 * X - 1, 2 * y - 1",
            "        X, y = torch.where(X > 0, 1.0, -1.0), torch.where(y > 0, 1.0, -1.0)",
        ),
    ),
    Variant(
        "bits by bernoulli-free randint of a float dtype, noise by uniform_",
        "make_batch",
        BATCH.format(
            "    bits = torch.randint(0, 2, (batch_size, n_inputs), generator=generator, dtype=torch.float32)\n"
            "    y = bits.sum(dim=1).remainder(2)\n"
            "    X = bits\n"
            "    if centred:\n"
            "        X, y = X * 2 - 1, y * 2 - 1\n"
            "    X = X + torch.empty(batch_size, n_inputs).uniform_(0, 0.1, generator=generator)\n"
            "    y = y + torch.empty(batch_size).uniform_(0, 0.1, generator=generator)\n"
            "    return X, y"
        ),
    ),
    Variant(
        "data set by a loop",
        "make_dataset",
        (
            "def make_dataset(n_batches, batch_size=10, n_inputs=2, centred=False, generator=None):\n"
            "    data = []\n"
            "    for _ in range(n_batches):\n"
            "        data.append(\n"
            "            make_batch(batch_size=batch_size, n_inputs=n_inputs, centred=centred, generator=generator)\n"
            "        )\n"
            "    return data\n"
        ),
    ),
    Variant(
        "data set by map",
        "make_dataset",
        DATASET.format("list(map(lambda _: make_batch(batch_size, n_inputs, centred, generator), range(n_batches)))"),
    ),
    Variant(
        "data set by keywords",
        "make_dataset",
        DATASET.format(
            "[make_batch(generator=generator, centred=centred, n_inputs=n_inputs, batch_size=batch_size) "
            "for _ in range(n_batches)]"
        ),
    ),
    Variant(
        "XorNet with nn.Sequential",
        "XorNet",
        (
            "class XorNet(nn.Module):\n"
            "    def __init__(self, n_inputs=2, hidden=2, activation='sigmoid', init_uniform=False):\n"
            "        super().__init__()\n"
            "        act = {'sigmoid': nn.Sigmoid, 'tanh': nn.Tanh, 'relu': nn.ReLU}[activation]()\n"
            "        self.net = nn.Sequential(nn.Linear(n_inputs, hidden), act, nn.Linear(hidden, 1))\n"
            "        if init_uniform:\n"
            "            with torch.no_grad():\n"
            "                for p in self.parameters():\n"
            "                    p.uniform_(-1.0, 1.0)\n\n"
            "    def forward(self, x):\n"
            "        return self.net(x)[:, 0]\n"
        ),
    ),
    Variant(
        "XorNet with functional activations",
        "XorNet",
        net(
            old='{"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU()}[activation]',
            new="getattr(torch, activation)",
        ),
    ),
    Variant(
        "XorNet redrawn by named parameters, output by view",
        "XorNet",
        net(
            init="            for _, p in self.named_parameters():\n                nn.init.uniform_(p, a=-1.0, b=1.0)",
            forward="self.output(self.activation(self.hidden(x))).view(-1)",
        ),
    ),
    Variant(
        "accuracy by sum over numel",
        "accuracy",
        ACCURACY.format("(torch.round(output) == torch.round(target)).sum().item() / output.numel()"),
    ),
    Variant(
        "accuracy by eq and float mean",
        "accuracy",
        ACCURACY.format("float(output.round().eq(target.round()).double().mean())"),
    ),
    Variant(
        "accuracy in NumPy",
        "accuracy",
        ACCURACY.format("float(np.mean(np.round(output.detach().numpy()) == np.round(target.numpy())))"),
    ),
    Variant(
        "epoch with a running total",
        "train_epoch",
        epoch(result="total / len(batches)", old="    losses = []\n", new="    losses, total = [], 0.0\n").replace(
            "        losses.append(loss.item())\n    return total", "        total += loss.item()\n    return total"
        ),
    ),
    Variant(
        "epoch with nn.MSELoss and set_to_none",
        "train_epoch",
        epoch(
            STEP.replace("nn.functional.mse_loss(model(X), y)", "nn.MSELoss()(model(X), y)").replace(
                "optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=True)"
            )
        ),
    ),
    Variant(
        "epoch returning float of a tensor mean", "train_epoch", epoch(result="float(torch.tensor(losses).mean())")
    ),
    Variant(
        "train_epoch and evaluate putting the caller's mode back",
        "train_epoch",
        epoch(old="    model.train()\n", new="    was_training = model.training\n    model.train()\n")
        .replace(
            "    return sum(losses) / len(losses)",
            "    model.train(was_training)\n    return sum(losses) / len(losses)",
        )
        .replace(
            "    model.eval()\n    with torch.no_grad():\n        outputs = [(model(X), y) for X, y in batches]\n",
            "    was_training = model.training\n    model.eval()\n    with torch.no_grad():\n"
            "        outputs = [(model(X), y) for X, y in batches]\n    model.train(was_training)\n",
        ),
    ),
    Variant(
        "evaluate counting right answers",
        "train_epoch",
        evaluate(
            body=(
                "    model.eval()\n"
                "    total, right, n = 0.0, 0, 0\n"
                "    with torch.no_grad():\n"
                "        for X, y in batches:\n"
                "            out = model(X)\n"
                "            total += nn.functional.mse_loss(out, y).item()\n"
                "            right += (out.round() == y.round()).sum().item()\n"
                "            n += len(y)\n"
                "    return total / len(batches), right / n"
            )
        ),
    ),
    Variant(
        "evaluate weighting the batches' accuracies",
        "train_epoch",
        evaluate(
            body=(
                "    model.eval()\n"
                "    with torch.no_grad():\n"
                "        pairs = [\n"
                "            (nn.functional.mse_loss(model(X), y).item(), accuracy(model(X), y), len(y))\n"
                "            for X, y in batches\n"
                "        ]\n"
                "    n = sum(k for _, _, k in pairs)\n"
                "    return sum(l for l, _, _ in pairs) / len(pairs), sum(a * k for _, a, k in pairs) / n"
            )
        ),
    ),
    Variant("evaluate in inference mode", "train_epoch", evaluate("torch.no_grad()", "torch.inference_mode()")),
    Variant(
        "run with keyword arguments",
        "run",
        run(
            data="    generator = torch.Generator().manual_seed(seed)\n"
            "    train_data = make_dataset(\n"
            "        n_batches=500, batch_size=10, n_inputs=n_inputs, centred=centred, generator=generator\n"
            "    )\n"
            "    test_data = make_dataset(n_batches=50, n_inputs=n_inputs, centred=centred, generator=generator)",
            model="XorNet(n_inputs=n_inputs, hidden=hidden, activation=activation, init_uniform=init_uniform)",
        ),
    ),
    Variant("run with a generator named g", "run", run(data=DATA.replace("generator", "g"))),
    Variant(
        "run building its history at the end",
        "run",
        (
            "def run(activation='sigmoid', seed=0, lr=0.01, epochs=100, centred=False, init_uniform=False, n_inputs=2, "
            "hidden=2):\n"
            f"{DATA}\n"
            "    torch.manual_seed(seed)\n"
            f"    model = {MODEL}\n"
            "    optimizer = torch.optim.SGD(model.parameters(), lr=lr)\n"
            "    rows = []\n"
            "    for _ in range(epochs):\n"
            "        rows.append((train_epoch(model, optimizer, train_data), *evaluate(model, test_data)))\n"
            "    return {key: [float(row[i]) for row in rows] for i, key in enumerate(['train_loss', 'test_loss', "
            "'test_accuracy'])}\n"
        ),
    ),
    Variant("quiz with 50000 written plainly", "quiz", QUIZ.format(9, 50000, "a", "b")),
    Variant("quiz with int() numbers", "quiz", QUIZ.format("int(9.0)", "500 * 100", "a", "b")),
    Variant(
        "quiz in another order",
        "quiz",
        (
            'QUIZ = {"linear_xor": "b", "squeeze": "a", "noise": "b", "step": "a", "backward": "b", "zero_grad": "b", '
            '"test_samples": 500, "total_steps": 50_000, "steps_per_epoch": 500, "n_parameters": 9}\n'
        ),
    ),
]

MUTANTS = [
    Variant(
        "labels not the parity", "make_batch", batch("(bits.sum(dim=1) % 2)", "(bits.sum(dim=1) > 0)"), cause="parity"
    ),
    Variant(
        "labels not centred",
        "make_batch",
        batch("X, y = 2 * X - 1, 2 * y - 1", "X = 2 * X - 1"),
        cause="centre the label too",
    ),
    Variant(
        "noise before centring",
        "make_batch",
        BATCH.format(
            "    bits = torch.randint(0, 2, (batch_size, n_inputs), generator=generator)\n"
            "    X = bits.float() + 0.1 * torch.rand(batch_size, n_inputs, generator=generator)\n"
            "    y = (bits.sum(dim=1) % 2).float() + 0.1 * torch.rand(batch_size, generator=generator)\n"
            "    if centred:\n"
            "        X, y = 2 * X - 1, 2 * y - 1\n"
            "    return X, y"
        ),
        cause="add it after centring",
    ),
    Variant(
        "Gaussian noise",
        "make_batch",
        batch(
            "0.1 * torch.rand(batch_size, n_inputs, generator=generator)",
            "0.03 * torch.randn(batch_size, n_inputs, generator=generator).abs()",
        ),
        cause="must lie in [0, 0.1)",
    ),
    Variant(
        "one noise value per row",
        "make_batch",
        batch(
            "0.1 * torch.rand(batch_size, n_inputs, generator=generator)",
            "0.1 * torch.rand(batch_size, 1, generator=generator)",
        ),
        cause="noise of its own",
    ),
    Variant(
        "noise not from the generator",
        "make_batch",
        batch("0.1 * torch.rand(batch_size, generator=generator)", "0.1 * torch.rand(batch_size)"),
        cause="same seeded generator",
    ),
    Variant(
        "n_inputs ignored",
        "make_batch",
        BATCH.format(REFERENCE_BATCH.replace("n_inputs", "2")),
        cause="(4000, 3)",
    ),
    Variant(
        "a fresh generator per batch",
        "make_dataset",
        DATASET.format(
            "[make_batch(batch_size, n_inputs, centred, torch.Generator().manual_seed(0)) for _ in range(n_batches)]"
        ),
        cause="same generator",
    ),
    Variant(
        "centred not passed on",
        "make_dataset",
        DATASET.format("[make_batch(batch_size, n_inputs, generator=generator) for _ in range(n_batches)]"),
        cause="pass centred on",
    ),
    Variant(
        "batch_size not passed on",
        "make_dataset",
        DATASET.format("[make_batch(10, n_inputs, centred, generator) for _ in range(n_batches)]"),
        cause="pass batch_size",
    ),
    Variant(
        "one batch repeated",
        "make_dataset",
        DATASET.format("[make_batch(batch_size, n_inputs, centred, generator)] * n_batches"),
        cause="called in turn",
    ),
    Variant(
        "a bare squeeze",
        "XorNet",
        net(forward="torch.squeeze(self.output(self.activation(self.hidden(x))))"),
        cause="squeeze only the last dimension",
    ),
    Variant(
        "a sigmoid on the output",
        "XorNet",
        net(forward="torch.sigmoid(self.output(self.activation(self.hidden(x)))).squeeze(-1)"),
        cause="no activation on the output",
    ),
    Variant(
        "the activation argument ignored",
        "XorNet",
        net(old='{"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU()}[activation]', new="nn.Sigmoid()"),
        cause="activation='tanh'",
    ),
    Variant(
        "only the weights redrawn",
        "XorNet",
        net(
            init="            nn.init.uniform_(self.hidden.weight, -1.0, 1.0)\n"
            "            nn.init.uniform_(self.output.weight, -1.0, 1.0)"
        ),
        cause="biases too",
    ),
    Variant("U(0, 1) instead of U(-1, 1)", "XorNet", net(init=INIT.replace("-1.0, 1.0", "0.0, 1.0")), cause="U(-1, 1)"),
    Variant(
        "hidden ignored",
        "XorNet",
        net(old="nn.Linear(n_inputs, hidden)", new="nn.Linear(n_inputs, 2)").replace(
            "nn.Linear(hidden, 1)", "nn.Linear(2, 1)"
        ),
        cause="nn.Linear(3, 5)",
    ),
    Variant(
        "targets not rounded",
        "accuracy",
        ACCURACY.format("(output.round() == target).float().mean().item()"),
        cause="round both",
    ),
    Variant(
        "a threshold at 0.5",
        "accuracy",
        ACCURACY.format("((output > 0.5).float() == (target > 0.5).float()).float().mean().item()"),
        cause="-1, 1, 0, 1",
    ),
    Variant(
        "a tensor",
        "accuracy",
        ACCURACY.format("(output.round() == target.round()).float().mean()"),
        cause="Python float",
    ),
    Variant("a count", "accuracy", ACCURACY.format("float((output.round() == target.round()).sum())"), cause="0.863"),
    Variant(
        "no zero_grad",
        "train_epoch",
        epoch(STEP.replace("        optimizer.zero_grad()\n", "")),
        cause="gradients must be zeroed",
    ),
    Variant("the last loss", "train_epoch", epoch(result="losses[-1]"), cause="mean of the batch losses"),
    Variant("a tensor loss", "train_epoch", epoch(result="torch.tensor(losses).mean()"), cause="as a float"),
    Variant("no training mode", "train_epoch", epoch(old="    model.train()\n"), cause="model.train()"),
    Variant("the L1 loss", "train_epoch", epoch(STEP.replace("mse_loss", "l1_loss")), cause="mse_loss"),
    Variant("no evaluation mode", "train_epoch", evaluate("    model.eval()\n"), cause="model.eval()"),
    Variant(
        "the accuracy of the last batch",
        "train_epoch",
        evaluate(
            "accuracy(torch.cat([o for o, _ in outputs]), torch.cat([y for _, y in outputs]))",
            "accuracy(outputs[-1][0], outputs[-1][1])",
        ),
        cause="over all samples",
    ),
    Variant("the summed loss", "train_epoch", evaluate(" / len(outputs)"), cause="mean of the batch losses"),
    Variant(
        "a training step in evaluate",
        "train_epoch",
        evaluate(
            "    model.eval()\n",
            "    model.eval()\n"
            "    for X, y in batches:\n"
            "        nn.functional.mse_loss(model(X), y).backward()\n"
            "        torch.optim.SGD(model.parameters(), lr=0.1).step()\n",
        ),
        cause="must not change the model",
    ),
    Variant("an unseeded model", "run", run().replace("    torch.manual_seed(seed)\n", ""), cause="same arguments"),
    Variant(
        "the test set drawn first",
        "run",
        run(
            data=(
                "    generator = torch.Generator().manual_seed(seed)\n"
                "    test_data = make_dataset(50, 10, n_inputs, centred, generator)\n"
                "    train_data = make_dataset(500, 10, n_inputs, centred, generator)"
            )
        ),
        cause="differs from the experiment",
    ),
    Variant("lr ignored", "run", run(lr="0.01"), cause="differs from the experiment"),
    Variant(
        "run dropping centred",
        "run",
        run(data=DATA.replace("n_inputs, centred, generator", "n_inputs, False, generator")),
        cause="differs from the experiment",
    ),
    Variant(
        "init_uniform not passed on",
        "run",
        run(model="XorNet(n_inputs, hidden, activation)"),
        cause="differs from the experiment",
    ),
    Variant(
        "a fixed seed",
        "run",
        run(data=DATA.replace("manual_seed(seed)", "manual_seed(0)")),
        cause="differs from the experiment",
    ),
    Variant("one epoch too many", "run", run(epochs="epochs + 1"), cause="2 values"),
    Variant("n_parameters 6", "quiz", QUIZ.format(6, "50_000", "a", "b"), cause="n_parameters"),
    Variant("total steps of one epoch", "quiz", QUIZ.format(9, 500, "a", "b"), cause="total_steps"),
    Variant("squeeze to save memory", "quiz", QUIZ.format(9, "50_000", "b", "b"), cause="squeeze"),
    Variant("XOR needs more data", "quiz", QUIZ.format(9, "50_000", "a", "a"), cause="linear_xor"),
    Variant(
        "evaluate with gradients, detached",
        "train_epoch",
        evaluate(
            "    with torch.no_grad():\n        outputs = [(model(X), y) for X, y in batches]\n",
            "    outputs = [(model(X).detach(), y) for X, y in batches]\n",
        ),
        cause="without gradients",
    ),
]


class TestXorChecks(CheckSuite):
    ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES = ASSIGNMENT, "The XOR lab", MUTANTS, ALTERNATIVES
