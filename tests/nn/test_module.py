"""nn.Module, Sequential, ModuleList: registration, names, modes, scopes, gradients."""
import numpy as np
import pytest

import autodiff as ad
import nn
import optim


class Net(nn.Module):
    """A nested module: encoder (Sequential) then head (Linear)."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(3, 4, generator=0), nn.Tanh())
        self.head = nn.Linear(4, 2, generator=1)
        self.scale = 2.0

    def forward(self, x):
        return [self.scale * y for y in self.head(self.encoder(x))]


def test_named_parameters_use_dotted_paths_like_torch():
    names = [name for name, _ in Net().named_parameters()]
    assert names == ["encoder.0.weight", "encoder.0.bias", "head.weight", "head.bias"]


def test_parameters_is_the_flat_list_of_leaf_values():
    net = Net()
    leaves = net.parameters()
    assert len(leaves) == 3 * 4 + 4 + 4 * 2 + 2
    assert leaves[:12] == net.encoder[0].weight.values()
    assert all(isinstance(v, ad.Value) and v.is_leaf for v in leaves)


def test_plain_attributes_are_not_registered():
    net = Net()
    assert net.scale == 2.0
    assert "scale" not in dict(net.named_children()) and len(net.state_dict()) == 4


def test_backward_through_a_module_fills_parameter_grads_and_zero_grad_clears_them():
    net = Net()
    out = net([0.5, -1.0, 2.0])
    ad.sum(out).backward()
    assert np.any(net.head.weight.grad != 0.0)
    net.zero_grad()
    assert all(leaf.grad == 0.0 for leaf in net.parameters())


def test_same_code_runs_one_example_and_a_batch():
    net = Net()
    X = np.random.default_rng(0).normal(size=(5, 3))
    batched = nn.to_numpy(net(X))
    for row, x in zip(batched, X):
        single = [v.data for v in net(list(x))]
        np.testing.assert_allclose(row, single, rtol=1e-14)


def test_train_and_eval_set_the_flag_recursively():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_values_created_inside_a_module_carry_its_scope():
    net = Net()
    out = net([0.5, -1.0, 2.0])
    assert out[0].scope == "Net"
    hidden = out[0].parents[1]                    # head's output affine node
    assert hidden.scope == "Net.head"
    tanh_node = hidden.parents[4]                 # its first input (after 4 weights)
    assert tanh_node.scope == "Net.encoder.1"
    assert net.encoder[0].weight[0][0].scope == "Net.encoder.0"
    assert net.head.bias[1].scope == "Net.head"


def test_scope_is_restored_after_a_call_and_nests_in_an_enclosing_scope():
    layer = nn.Linear(2, 1, generator=0)
    with ad.scope("outer"):
        y = layer([1.0, 2.0])[0]
    assert y.scope == "outer.Linear"
    assert ad.Value(1.0).scope is None


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2, generator=0)
    model = nn.Sequential(shared, shared)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(model.parameters()) == 6


def test_sequential_names_children_by_position_and_indexes_them():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"]
    assert isinstance(model[-1], nn.Linear) and len(model) == 3
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    with pytest.raises(IndexError, match="out of range"):
        model[3]


def test_sequential_with_a_dict_uses_its_keys_as_names():
    model = nn.Sequential({"hidden": nn.Linear(2, 3), "act": nn.ReLU()})
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert model.hidden is model[0]


def test_module_list_registers_its_modules_but_has_no_forward():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 3 and len(list(layers)) == 3
    assert [name for name, _ in layers.named_parameters()][-1] == "2.bias"
    layers[0] = nn.Linear(2, 2, bias=False)
    assert [name for name, _ in layers.named_parameters()][0:2] == ["0.weight", "1.weight"]
    with pytest.raises(TypeError, match="ModuleList does not define forward"):
        layers([1.0, 2.0])


def test_assigning_a_wrong_type_to_a_parameter_slot_is_an_error():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign list to parameter 'weight'"):
        layer.weight = [[1.0, 2.0], [3.0, 4.0]]
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_forgetting_super_init_gives_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\)"):
        Broken()


def test_buffers_are_registered_and_listed():
    module = nn.Module()
    module.register_buffer("count", np.zeros(3))
    module.register_buffer("scratch", np.ones(2), persistent=False)
    assert [name for name, _ in module.named_buffers()] == ["count", "scratch"]
    assert list(module.state_dict()) == ["count"]
    module.count = np.ones(3)
    np.testing.assert_array_equal(module.state_dict()["count"], np.ones(3))
    with pytest.raises(TypeError, match="buffer 'count' must be a ndarray or None, got list"):
        module.count = [1.0, 2.0, 3.0]


def test_apply_visits_every_module():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Tanh", "Sequential", "Linear", "Net"]


def test_repr_nests_children_like_torch():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.1)))
    assert text == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                    "  (1): LeakyReLU(negative_slope=0.1)\n)")


def test_delattr_unregisters():
    net = Net()
    del net.head
    assert [name for name, _ in net.named_parameters()] == ["encoder.0.weight", "encoder.0.bias"]


def test_training_mode_switches_every_module_and_gives_each_its_own_mode_back():
    net = Net()
    net.encoder[1].eval()                                   # a mixed state to restore
    before = [m.training for m in net.modules()]
    with net.training_mode(False) as same:
        assert same is net and not any(m.training for m in net.modules())
    assert [m.training for m in net.modules()] == before
    with pytest.raises(RuntimeError):
        with net.training_mode(True):
            assert all(m.training for m in net.modules())
            raise RuntimeError("a failing block still restores the modes")
    assert [m.training for m in net.modules()] == before


def test_zero_grad_means_the_same_for_a_module_a_parameter_and_an_optimizer():
    net = Net()
    leaves = net.parameters()
    for zero in (net.zero_grad, net.head.weight.zero_grad,
                 optim.SGD(leaves, lr=0.1).zero_grad):
        ad.sum(net([0.5, -1.0, 2.0])).backward()
        touched = net.head.weight.values() if zero == net.head.weight.zero_grad else leaves
        zero()
        assert all(type(leaf.grad) is float and leaf.grad == 0.0 for leaf in touched)
