import pytest
import torch
from torch import nn

from helpers.models import count_parameters, make_mlp, reset_parameters


def test_fig1_network_has_nine_parameters():
    model = make_mlp(2, 2)
    assert count_parameters(model) == 9
    # the example notebook's slip: len() counts only the first dimension of each tensor
    assert sum(len(p) for p in model.parameters()) == 6


def test_make_mlp_architecture():
    model = make_mlp(2, 2)
    assert [type(m) for m in model] == [nn.Linear, nn.ReLU, nn.Linear]
    assert model(torch.zeros(7, 2)).shape == (7, 1)
    deep = make_mlp(4, [3, 5], n_outputs=2, activation=nn.Tanh)
    assert [type(m) for m in deep] == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    assert deep(torch.zeros(1, 4)).shape == (1, 2)
    with pytest.raises(ValueError, match="positive"):
        make_mlp(2, [])
    with pytest.raises(ValueError, match="positive"):
        make_mlp(2, 0)


@pytest.mark.parametrize(
    "n_inputs, hidden, expected",
    [
        (2, 10, 2 * 10 + 10 + 10 + 1),
        (2, 100, 401),
        (4, 2, 4 * 2 + 2 + 2 + 1),
        (2, [100, 200], (2 * 100 + 100) + (100 * 200 + 200) + (200 + 1)),
    ],
)
def test_count_parameters_counts_every_entry(n_inputs, hidden, expected):
    assert count_parameters(make_mlp(n_inputs, hidden)) == expected


def test_count_parameters_trainable_only():
    model = make_mlp(2, 2)
    model[0].weight.requires_grad_(False)
    assert count_parameters(model) == 9
    assert count_parameters(model, trainable_only=True) == 5


class Nested(nn.Module):
    """A custom module whose layers sit inside an nn.Sequential: children() sees only `body`."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 1)))

    def forward(self, x):
        return self.body(x)


def test_reset_reaches_nested_layers_and_really_resets():
    torch.manual_seed(0)
    model = Nested()
    fresh = [p.clone() for p in model.parameters()]
    with torch.no_grad():  # stand-in for training
        for p in model.parameters():
            p.add_(1.0)
    torch.manual_seed(0)
    assert reset_parameters(model) is model
    for before, after in zip(fresh, model.parameters(), strict=True):
        assert torch.equal(before, after)


def test_reset_changes_every_parameter():
    torch.manual_seed(0)
    model = Nested()
    before = [p.clone() for p in model.parameters()]
    reset_parameters(model)
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
