import pytest
import torch
from torch import nn

from helpers.data import make_regression_data
from helpers.models import make_mlp
from helpers.training import History, evaluate, iterate_minibatches, make_optimizer, train_and_test


@pytest.fixture(scope="module")
def data():
    return make_regression_data(seed=0)


def test_evaluate_is_the_mean_squared_error():
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -1.0]]))
        model.bias.fill_(0.5)
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    y = torch.tensor([[0.0], [0.0], [1.0]])
    # predictions 1.5, -0.5, 0.5 -> squared errors 2.25, 0.25, 0.25
    assert evaluate(model, x, y) == pytest.approx(2.75 / 3)


def test_evaluate_refuses_a_broadcasting_shape_mismatch():
    with pytest.raises(ValueError, match=r"\(n, 1\)"):
        evaluate(nn.Linear(2, 1), torch.zeros(4, 2), torch.zeros(4))


def test_evaluate_keeps_the_training_mode_and_tracks_no_gradient():
    model = nn.Sequential(nn.Linear(2, 1), nn.Dropout(0.5))
    model.train()
    evaluate(model, torch.zeros(3, 2), torch.zeros(3, 1))
    assert model.training
    assert all(p.grad is None for p in model.parameters())


def test_minibatches_in_order_cover_the_data_once():
    x, y = torch.arange(10.0)[:, None], torch.arange(10.0)[:, None] * 2
    batches = list(iterate_minibatches(x, y, batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert torch.equal(torch.cat([b[0] for b in batches]), x)
    assert torch.equal(torch.cat([b[1] for b in batches]), y)
    assert len(list(iterate_minibatches(x, y))) == 1


def test_shuffled_minibatches_are_a_seeded_permutation():
    x = torch.arange(100.0)[:, None]
    first = torch.cat(
        [b for b, _ in iterate_minibatches(x, x, 10, shuffle=True, generator=torch.Generator().manual_seed(1))]
    )
    again = torch.cat(
        [b for b, _ in iterate_minibatches(x, x, 10, shuffle=True, generator=torch.Generator().manual_seed(1))]
    )
    assert torch.equal(first, again)
    assert not torch.equal(first, x)
    assert torch.equal(first.sort(dim=0).values, x)
    with pytest.raises(ValueError, match="batch_size"):
        list(iterate_minibatches(x, x, 0))


def test_make_optimizer():
    model = nn.Linear(2, 1)
    sgd = make_optimizer(model.parameters(), "sgd", lr=0.1, momentum=0.5)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.5 and sgd.defaults["lr"] == 0.1
    assert isinstance(make_optimizer(model.parameters(), "adam", lr=0.01), torch.optim.Adam)
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer(model.parameters(), "lbfgs")


def test_training_lowers_both_losses(data):
    torch.manual_seed(0)
    model = make_mlp(2, 20)
    before = evaluate(model, data.x_train, data.y_train)
    history = train_and_test(model, data, epochs=30, lr=0.01, momentum=0.9, batch_size=50, progress=False)
    assert isinstance(history, History) and history.epochs == 30 and len(history.test_loss) == 30
    assert history.train_loss[-1] < 0.2 * before
    assert history.test_loss[-1] < 0.2 * history.test_loss[0] or history.test_loss[-1] < 0.01
    # the history records the model's real errors at the end of the last epoch
    assert history.train_loss[-1] == pytest.approx(evaluate(model, data.x_train, data.y_train))
    assert history.test_loss[-1] == pytest.approx(evaluate(model, data.x_test, data.y_test))


def test_training_is_reproducible(data):
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        runs.append(train_and_test(make_mlp(2, 5), data, epochs=5, batch_size=100, seed=3, progress=False))
    assert runs[0].train_loss == runs[1].train_loss and runs[0].test_loss == runs[1].test_loss


def test_full_batch_adam_trains(data):
    torch.manual_seed(0)
    history = train_and_test(make_mlp(2, 50), data, epochs=200, lr=0.01, optimizer="adam", progress=False)
    assert history.train_loss[-1] < 0.02


def test_progress_bar_can_be_switched_off(data, capsys):
    train_and_test(make_mlp(2, 2), data, epochs=2, progress=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
