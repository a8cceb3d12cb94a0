"""Project 1's checks against correct answers written other ways and against realistic mistakes."""

from __future__ import annotations

from tests.checks.harness import CheckSuite, Variant

ASSIGNMENT = "project1"

TARGET = "def target_function(X):\n    x1, x2, x3, x4 = X.unbind(1)\n    return {}\n"
TRAINING = "def make_training_data(n=500, noise_var=0.01, generator=None):\n{}\n"
TEST = "def make_test_data(n=50, generator=None):\n{}\n"
COUNT = "def count_parameters(model):\n    return {}\n"
BATCHES = "def make_minibatches(X, y, n_batches=5):\n{}\n"
EVALUATE = "def evaluate(model, X, y):\n{}\n"
NETWORKS = "def build_networks():\n    from helpers.models import make_mlp\n    return {}\n"


def small_net(body: str) -> str:
    return f"class SmallNet(nn.Module):\n{body}\n"


def train(loop: str, optimizer: str = "torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)") -> str:
    return (
        "def train(model, batches, episodes=25, lr=0.01, momentum=0.9):\n"
        f"    optimizer = {optimizer}\n"
        "    losses = []\n"
        f"{loop}\n"
        "    return losses\n"
    )


STEP = (
    "            optimizer.zero_grad()\n"
    "            loss = nn.functional.mse_loss(model(xb), yb)\n"
    "            loss.backward()\n"
    "            optimizer.step()\n"
)


def episodes(step: str = STEP, over: str = "range(episodes)", append: str = "total / len(batches)") -> str:
    return (
        f"    for _ in {over}:\n        total = 0.0\n        for xb, yb in batches:\n{step}"
        f"            total += loss.item()\n        losses.append({append})"
    )


TWO_RELU = """    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 2)
        self.output = nn.Linear(2, 1)

    def forward(self, x):
        return self.output({}(self.hidden(x)))"""

ALTERNATIVES = [
    Variant(
        "f by unbind and stack",
        "target_function",
        TARGET.format("torch.stack([x1**2 + x2**2 + 2 * x3**3 + 4 * x4**3], 1)"),
    ),
    Variant(
        "f as a matrix product",
        "target_function",
        TARGET.format("(X ** torch.tensor([2.0, 2.0, 3.0, 3.0])) @ torch.tensor([[1.0], [1.0], [2.0], [4.0]])"),
    ),
    Variant(
        "f in float64 inside",
        "target_function",
        TARGET.format(
            "(lambda D: (D[:, 0] ** 2 + D[:, 1] ** 2 + 2 * D[:, 2] ** 3 + 4 * D[:, 3] ** 3))(X.double())"
            ".reshape(-1, 1).float()"
        ),
    ),
    Variant(
        "training data by uniform_ and normal_",
        "make_training_data",
        TRAINING.format(
            "    X = torch.empty(n, 4).uniform_(-1, 1, generator=generator)\n"
            "    return X, target_function(X) + torch.empty(n, 1).normal_(0.0, noise_var ** 0.5, generator=generator)"
        ),
    ),
    Variant(
        "training noise drawn first, by torch.normal",
        "make_training_data",
        TRAINING.format(
            "    v = torch.normal(0.0, math.sqrt(noise_var), size=(n, 1), generator=generator)\n"
            "    X = torch.rand(n, 4, generator=generator) * 2 - 1\n"
            "    return X, target_function(X) + v"
        ),
    ),
    Variant(
        "training targets written out",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(n, 4, generator=generator) - 1\n"
            "    f = X[:, :1] ** 2 + X[:, 1:2] ** 2 + 2 * X[:, 2:3] ** 3 + 4 * X[:, 3:] ** 3\n"
            "    return X, f + noise_var ** 0.5 * torch.randn(n, 1, generator=generator)"
        ),
    ),
    Variant(
        "test data: a sign from randint",
        "make_test_data",
        TEST.format(
            "    sign = 2 * torch.randint(0, 2, (n, 4), generator=generator).float() - 1\n"
            "    X = sign * (1 + torch.rand(n, 4, generator=generator))\n"
            "    return X, target_function(X)"
        ),
    ),
    Variant(
        "test data: v + sign(v)",
        "make_test_data",
        TEST.format(
            "    v = 2 * torch.rand(n, 4, generator=generator) - 1\n"
            "    X = v + torch.sign(v)\n"
            "    return X, target_function(X)"
        ),
    ),
    Variant(
        "test data: a sign by bernoulli",
        "make_test_data",
        TEST.format(
            "    sign = 2 * torch.bernoulli(torch.full((n, 4), 0.5), generator=generator) - 1\n"
            "    X = sign * torch.empty(n, 4).uniform_(1, 2, generator=generator)\n"
            "    return X, target_function(X)"
        ),
    ),
    Variant(
        "SmallNet as nn.Sequential",
        "SmallNet",
        small_net(
            "    def __init__(self):\n        super().__init__()\n"
            "        self.layers = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 1))\n\n"
            "    def forward(self, x):\n        return self.layers(x)"
        ),
    ),
    Variant("SmallNet with nn.functional.relu", "SmallNet", small_net(TWO_RELU.format("nn.functional.relu"))),
    Variant(
        "SmallNet with relu via clamp",
        "SmallNet",
        small_net(
            TWO_RELU.format("").replace("self.output((self.hidden(x)))", "self.output(self.hidden(x).clamp(min=0))")
        ),
    ),
    Variant(
        "count by nelement", "count_parameters", COUNT.format("sum(p.nelement() for _, p in model.named_parameters())")
    ),
    Variant(
        "count by math.prod", "count_parameters", COUNT.format("sum(math.prod(p.shape) for p in model.parameters())")
    ),
    Variant(
        "count by a tensor sum",
        "count_parameters",
        COUNT.format("int(torch.tensor([p.numel() for p in model.parameters()]).sum())"),
    ),
    Variant(
        "minibatches by chunk",
        "make_minibatches",
        BATCHES.format("    return list(zip(X.chunk(n_batches), y.chunk(n_batches)))"),
    ),
    Variant(
        "minibatches by slicing",
        "make_minibatches",
        BATCHES.format(
            "    size = len(X) // n_batches\n"
            "    return [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]"
        ),
    ),
    Variant(
        "minibatches by torch.split",
        "make_minibatches",
        BATCHES.format("    size = len(X) // n_batches\n    return [*zip(torch.split(X, size), torch.split(y, size))]"),
    ),
    Variant(
        "train with nn.MSELoss",
        "train",
        train(episodes(STEP.replace("nn.functional.mse_loss(model(xb), yb)", "nn.MSELoss()(model(xb), yb)"))),
    ),
    Variant(
        "train with the loss written out",
        "train",
        train(episodes(STEP.replace("nn.functional.mse_loss(model(xb), yb)", "((model(xb) - yb) ** 2).mean()"))),
    ),
    Variant(
        "train averaging a list of losses",
        "train",
        train(
            "    for _ in range(episodes):\n        batch_losses = []\n        for xb, yb in batches:\n"
            + STEP
            + "            batch_losses.append(loss.item())\n"
            "        losses.append(float(sum(batch_losses) / len(batch_losses)))"
        ),
    ),
    Variant(
        "evaluate in inference mode",
        "evaluate",
        EVALUATE.format("    with torch.inference_mode():\n        return nn.functional.mse_loss(model(X), y).item()"),
    ),
    Variant(
        "evaluate written out, detached",
        "evaluate",
        EVALUATE.format("    return float(((model(X) - y) ** 2).mean().detach())"),
    ),
    Variant(
        "evaluate in eval mode, then back",
        "evaluate",
        EVALUATE.format(
            "    was = model.training\n    model.eval()\n    with torch.no_grad():\n"
            "        value = nn.functional.mse_loss(model(X).view(-1), y.view(-1)).item()\n"
            "    model.train(was)\n    return value"
        ),
    ),
    Variant(
        "networks of growing depth",
        "build_networks",
        NETWORKS.format("[make_mlp(4, 3)] + [make_mlp(4, (w, w)) for w in (8, 20, 40, 60)]"),
    ),
    Variant(
        "networks written as nn.Sequential",
        "build_networks",
        NETWORKS.format(
            "[nn.Sequential(nn.Linear(4, w), nn.Tanh(), nn.Linear(w, 1)) for w in (3, 30, 300, 1500, 2000)]"
        ),
    ),
    Variant("ten networks", "build_networks", NETWORKS.format("[make_mlp(4, 3 * 2 ** k) for k in range(10)]")),
]

MUTANTS = [
    Variant(
        "SmallNet of bare parameters",
        "SmallNet",
        small_net(
            "    def __init__(self):\n        super().__init__()\n"
            "        self.W1, self.b1 = nn.Parameter(torch.randn(2, 4)), nn.Parameter(torch.zeros(2))\n"
            "        self.W2, self.b2 = nn.Parameter(torch.randn(1, 2)), nn.Parameter(torch.zeros(1))\n\n"
            "    def forward(self, x):\n        return torch.relu(x @ self.W1.T + self.b1) @ self.W2.T + self.b2"
        ),
        cause="two nn.Linear layers",
    ),
    Variant(
        "f of shape (n,)",
        "target_function",
        TARGET.format("X[:, 0] ** 2 + X[:, 1] ** 2 + 2 * X[:, 2] ** 3 + 4 * X[:, 3] ** 3"),
        cause="shape (n, 1)",
    ),
    Variant(
        "x3 squared",
        "target_function",
        TARGET.format("(X[:, 0] ** 2 + X[:, 1] ** 2 + 2 * X[:, 2] ** 2 + 4 * X[:, 3] ** 3)[:, None]"),
        cause="the power",
    ),
    Variant(
        "odd powers of |x|",
        "target_function",
        TARGET.format("(X[:, 0] ** 2 + X[:, 1] ** 2 + 2 * X[:, 2].abs() ** 3 + 4 * X[:, 3].abs() ** 3)[:, None]"),
        cause="sign",
    ),
    Variant(
        "coefficients swapped",
        "target_function",
        TARGET.format("(X[:, 0] ** 2 + X[:, 1] ** 2 + 4 * X[:, 2] ** 3 + 2 * X[:, 3] ** 3)[:, None]"),
        cause="f(0,0,0,1) should be 4",
    ),
    Variant(
        "noise_var as a standard deviation",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(n, 4, generator=generator) - 1\n"
            "    return X, target_function(X) + noise_var * torch.randn(n, 1, generator=generator)"
        ),
        cause="variance",
    ),
    Variant(
        "uniform noise",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(n, 4, generator=generator) - 1\n"
            "    v = math.sqrt(3 * noise_var) * (2 * torch.rand(n, 1, generator=generator) - 1)\n"
            "    return X, target_function(X) + v"
        ),
        cause="not Gaussian",
    ),
    Variant(
        "inputs on [0, 1]",
        "make_training_data",
        TRAINING.format(
            "    X = torch.rand(n, 4, generator=generator)\n"
            "    return X, target_function(X) + math.sqrt(noise_var) * torch.randn(n, 1, generator=generator)"
        ),
        cause="not uniform on [-1, 1]",
    ),
    Variant(
        "noise not from the generator",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(n, 4, generator=generator) - 1\n"
            "    return X, target_function(X) + math.sqrt(noise_var) * torch.randn(n, 1)"
        ),
        cause="same seeded generator",
    ),
    Variant(
        "always 500 samples",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(500, 4, generator=generator) - 1\n"
            "    return X, target_function(X) + math.sqrt(noise_var) * torch.randn(500, 1, generator=generator)"
        ),
        cause="ignores n",
    ),
    Variant(
        "one noise value for every sample",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(n, 4, generator=generator) - 1\n"
            "    return X, target_function(X) + math.sqrt(noise_var) * torch.randn(1, 1, generator=generator)"
        ),
        cause="noise variance",
    ),
    Variant(
        "NumPy arrays",
        "make_training_data",
        TRAINING.format(
            "    import numpy as np\n\n    X = np.random.default_rng(0).uniform(-1, 1, (n, 4)).astype(np.float32)\n"
            "    return X, (X**2).sum(axis=1, keepdims=True)"
        ),
        cause="must return torch tensors (X, y), not ndarray and ndarray",
    ),
    Variant(
        "float64 tensors",
        "make_training_data",
        TRAINING.format(
            "    X = 2 * torch.rand(n, 4, generator=generator, dtype=torch.float64) - 1\n"
            "    return X, target_function(X) + math.sqrt(noise_var) * torch.randn(n, 1, generator=generator)"
        ),
        cause="X and y must be float32, not torch.float64 and torch.float64",
    ),
    Variant(
        "one sign per column",
        "make_test_data",
        TEST.format(
            "    sign = torch.where(torch.rand(1, 4, generator=generator) < 0.5, -1.0, 1.0)\n"
            "    X = sign * (1 + torch.rand(n, 4, generator=generator))\n"
            "    return X, target_function(X)"
        ),
        cause="negative",
    ),
    Variant(
        "one sign per sample",
        "make_test_data",
        TEST.format(
            "    sign = torch.where(torch.rand(n, 1, generator=generator) < 0.5, -1.0, 1.0)\n"
            "    X = sign * (1 + torch.rand(n, 4, generator=generator))\n"
            "    return X, target_function(X)"
        ),
        cause="not drawn independently",
    ),
    Variant(
        "no negative inputs",
        "make_test_data",
        TEST.format("    X = 1 + torch.rand(n, 4, generator=generator)\n    return X, target_function(X)"),
        cause="negative",
    ),
    Variant(
        "noisy test targets",
        "make_test_data",
        TEST.format(
            "    sign = torch.where(torch.rand(n, 4, generator=generator) < 0.5, -1.0, 1.0)\n"
            "    X = sign * (1 + torch.rand(n, 4, generator=generator))\n"
            "    return X, target_function(X) + 0.1 * torch.randn(n, 1, generator=generator)"
        ),
        cause="noiseless",
    ),
    Variant(
        "always 50 test samples",
        "make_test_data",
        TEST.format(
            "    sign = torch.where(torch.rand(50, 4, generator=generator) < 0.5, -1.0, 1.0)\n"
            "    X = sign * (1 + torch.rand(50, 4, generator=generator))\n"
            "    return X, target_function(X)"
        ),
        cause="ignores n",
    ),
    Variant(
        "magnitudes not from the generator",
        "make_test_data",
        TEST.format(
            "    X = torch.where(torch.rand(n, 4, generator=generator) < 0.5, -1.0, 1.0) * (1 + torch.rand(n, 4))\n"
            "    return X, target_function(X)"
        ),
        cause="same seeded generator",
    ),
    Variant("sigmoid hidden units", "SmallNet", small_net(TWO_RELU.format("torch.sigmoid")), cause="ReLU"),
    Variant(
        "ReLU on the output",
        "SmallNet",
        small_net(TWO_RELU.format("torch.relu").replace("return self.output(", "return torch.relu(self.output(") + ")"),
        cause="must be linear",
    ),
    Variant(
        "no hidden biases",
        "SmallNet",
        small_net(TWO_RELU.format("torch.relu").replace("nn.Linear(4, 2)", "nn.Linear(4, 2, bias=False)")),
        cause="biases",
    ),
    Variant(
        "three hidden units",
        "SmallNet",
        small_net(
            TWO_RELU.format("torch.relu")
            .replace("nn.Linear(4, 2)", "nn.Linear(4, 3)")
            .replace("nn.Linear(2, 1)", "nn.Linear(3, 1)")
        ),
        cause="(2, 4)",
    ),
    Variant("counts tensors", "count_parameters", COUNT.format("len(list(model.parameters()))"), cause="13"),
    Variant(
        "counts weights only",
        "count_parameters",
        COUNT.format("sum(p.numel() for name, p in model.named_parameters() if 'weight' in name)"),
        cause="biases",
    ),
    Variant(
        "returns a float",
        "count_parameters",
        COUNT.format("float(sum(p.numel() for p in model.parameters()))"),
        cause="must return an int",
    ),
    Variant(
        "counts rows and columns",
        "count_parameters",
        COUNT.format("sum(sum(p.shape) for p in model.parameters())"),
        cause="13",
    ),
    Variant(
        "a generator of minibatches",
        "make_minibatches",
        BATCHES.format("    return ((xb, yb) for xb, yb in zip(X.tensor_split(n_batches), y.tensor_split(n_batches)))"),
        cause="must return a list",
    ),
    Variant(
        "shuffled minibatches",
        "make_minibatches",
        BATCHES.format(
            "    order = torch.randperm(len(X))\n"
            "    return list(zip(X[order].tensor_split(n_batches), y[order].tensor_split(n_batches)))"
        ),
        cause="in order",
    ),
    Variant(
        "always 5 minibatches",
        "make_minibatches",
        BATCHES.format("    return list(zip(X.tensor_split(5), y.tensor_split(5)))"),
        cause="n_batches is not honoured",
    ),
    Variant(
        "interleaved minibatches",
        "make_minibatches",
        BATCHES.format("    return [(X[i::n_batches], y[i::n_batches]) for i in range(n_batches)]"),
        cause="in order",
    ),
    Variant(
        "no zero_grad",
        "train",
        train(episodes(STEP.replace("            optimizer.zero_grad()\n", ""))),
        cause="does not take the SGD steps",
    ),
    Variant(
        "momentum ignored",
        "train",
        train(episodes(), "torch.optim.SGD(model.parameters(), lr=lr)"),
        cause="ignores momentum",
    ),
    Variant(
        "lr ignored",
        "train",
        train(episodes(), "torch.optim.SGD(model.parameters(), lr=0.01, momentum=momentum)"),
        cause="lr=0.05",
    ),
    Variant("always 25 episodes", "train", train(episodes(over="range(25)")), cause="15 optimizer steps"),
    Variant("the last minibatch's loss", "train", train(episodes(append="loss.item()")), cause="mean of that episode"),
    Variant("Adam", "train", train(episodes(), "torch.optim.Adam(model.parameters(), lr=lr)"), cause="torch.optim.SGD"),
    Variant(
        "minibatches shuffled each episode",
        "train",
        train(
            episodes(over="range(episodes)").replace(
                "for xb, yb in batches:",
                "for k in torch.randperm(len(batches)).tolist():\n            xb, yb = batches[k]",
            )
        ),
        cause="in order",
    ),
    Variant(
        "(n,) against (n, 1)",
        "evaluate",
        EVALUATE.format("    with torch.no_grad():\n        return ((model(X).squeeze() - y) ** 2).mean().item()"),
        cause="broadcasting",
    ),
    Variant(
        "the sum of squares",
        "evaluate",
        EVALUATE.format("    with torch.no_grad():\n        return ((model(X) - y) ** 2).sum().item()"),
        cause="the MSE is",
    ),
    Variant(
        "the root mean square",
        "evaluate",
        EVALUATE.format(
            "    with torch.no_grad():\n        return math.sqrt(nn.functional.mse_loss(model(X), y).item())"
        ),
        cause="the MSE is",
    ),
    Variant(
        "returns a tensor",
        "evaluate",
        EVALUATE.format("    with torch.no_grad():\n        return nn.functional.mse_loss(model(X), y)"),
        cause="Python float",
    ),
    Variant(
        "a step on the test data",
        "evaluate",
        EVALUATE.format(
            "    loss = nn.functional.mse_loss(model(X), y)\n    loss.backward()\n"
            "    torch.optim.SGD(model.parameters(), lr=0.01).step()\n    return loss.item()"
        ),
        cause="must not change the model",
    ),
    Variant(
        "no thousands",
        "build_networks",
        NETWORKS.format("[make_mlp(4, w) for w in (3, 5, 10, 25, 50)]"),
        cause="thousands",
    ),
    Variant(
        "twelve networks",
        "build_networks",
        NETWORKS.format("[make_mlp(4, 3 * 2 ** k) for k in range(12)]"),
        cause="5 to 10 networks",
    ),
    Variant(
        "four outputs",
        "build_networks",
        NETWORKS.format(
            "[nn.Sequential(nn.Linear(4, w), nn.ReLU(), nn.Linear(w, 4)) for w in (3, 30, 300, 1500, 2000)]"
        ),
        cause="(n, 1) outputs",
    ),
    Variant(
        "a tuple",
        "build_networks",
        NETWORKS.format("tuple(make_mlp(4, w) for w in (3, 10, 100, 1000, 2000))"),
        cause="must return a list",
    ),
]


class TestProject1Checks(CheckSuite):
    ASSIGNMENT, DOCS_SECTION, MUTANTS, ALTERNATIVES = ASSIGNMENT, "Project 1, the assignment", MUTANTS, ALTERNATIVES
