"""state_dict / load_state_dict / save / load: torch's names and shapes, JSON and .npz,
clear errors."""
import json
import zipfile

import numpy as np
import pytest

import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(3, 4, generator=0), nn.BatchNorm1d(4), nn.Tanh())
        self.head = nn.Linear(4, 2, generator=1)

    def forward(self, x):
        return self.head(self.encoder(x))


def torch_net(torch):
    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                               torch.nn.Tanh())
            self.head = torch.nn.Linear(4, 2)

        def forward(self, x):
            return self.head(self.encoder(x))
    return TorchNet()


def pairs(torch):
    """(chainrule module, torch module with the same structure, input features)."""
    return [
        (nn.Linear(3, 2, generator=0), torch.nn.Linear(3, 2), 3),
        (nn.Linear(3, 2, bias=False, generator=0), torch.nn.Linear(3, 2, bias=False), 3),
        (nn.PReLU(3), torch.nn.PReLU(3), 3),
        (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), 3),
        (nn.MLP([2, 5, 3], generator=0), torch.nn.Sequential(
            torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3)), 2),
        (nn.MLP([2, 5, 3], batch_norm=True, generator=0), torch.nn.Sequential(
            torch.nn.Linear(2, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(),
            torch.nn.Linear(5, 3)), 2),
        (Net(), torch_net(torch), 3),
    ]


def train_a_little(ours, theirs, torch, in_features):
    """Run one training-mode batch through both so the running statistics move."""
    X = np.random.default_rng(5).normal(size=(6, in_features))
    ours.train()(X)
    theirs.train()(torch.tensor(X))


def test_state_dict_keys_and_shapes_equal_torch(torch):
    for ours, theirs, _ in pairs(torch):
        mine = ours.state_dict()
        reference = theirs.state_dict()
        assert list(mine) == list(reference), type(ours).__name__
        for name, tensor in reference.items():
            assert isinstance(mine[name], np.ndarray)
            assert mine[name].shape == tuple(tensor.shape), name


def test_loading_a_torch_state_dict_gives_identical_outputs(torch):
    for ours, theirs, features in pairs(torch):
        train_a_little(ours, theirs, torch, features)
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        X = np.random.default_rng(1).normal(size=(4, features))
        expected = theirs.eval()(torch.tensor(X)).detach().numpy()
        np.testing.assert_allclose(nn.to_numpy(ours.eval()(X)), expected, rtol=1e-12, atol=1e-14)


def test_a_chainrule_state_dict_loads_into_torch_with_identical_outputs(torch):
    for ours, theirs, features in pairs(torch):
        train_a_little(ours, theirs, torch, features)
        theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
        X = np.random.default_rng(2).normal(size=(4, features))
        expected = theirs.eval()(torch.tensor(X)).detach().numpy()
        np.testing.assert_allclose(nn.to_numpy(ours.eval()(X)), expected, rtol=1e-12, atol=1e-14)


def test_torch_tensors_load_directly(torch):
    layer = torch.nn.Linear(2, 2)
    ours = nn.Linear(2, 2)
    ours.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(ours.weight.numpy(), layer.weight.detach().numpy())


def test_state_dict_values_are_copies():
    layer = nn.Linear(2, 2, generator=0)
    state = layer.state_dict()
    state["weight"][:] = 0.0
    assert np.any(layer.weight.numpy() != 0.0)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_save_and_load_round_trip_every_entry(tmp_path, suffix):
    model = Net()
    model.train()(np.random.default_rng(3).normal(size=(5, 3)))
    path = tmp_path / f"model{suffix}"
    model.save(path)
    copy = Net()
    assert copy.load(path) is copy
    for name, array in model.state_dict().items():
        loaded = copy.state_dict()[name]
        np.testing.assert_array_equal(loaded, array)
        assert loaded.dtype == array.dtype, name
    assert copy.encoder[1].num_batches_tracked == 1


def test_npz_files_written_by_numpy_savez_load(tmp_path):
    layer = nn.Linear(2, 3, generator=0)
    path = tmp_path / "plain.npz"
    np.savez(path, **layer.state_dict())
    other = nn.Linear(2, 3, generator=1).load(path)
    np.testing.assert_array_equal(other.weight.numpy(), layer.weight.numpy())


def test_unknown_missing_and_wrongly_shaped_entries_are_all_reported():
    layer = nn.Linear(2, 3, generator=0)
    before = layer.state_dict()
    state = {"weight": np.zeros((2, 3)), "bais": np.zeros(3)}
    with pytest.raises(nn.StateDictError) as error:
        layer.load_state_dict(state)
    message = str(error.value)
    assert "unknown name 'bais'" in message
    assert "missing name 'bias'" in message
    assert "'weight': expected shape (3, 2), got (2, 3)" in message
    assert "Linear.load_state_dict" in message
    for name, array in layer.state_dict().items():          # nothing was changed
        np.testing.assert_array_equal(array, before[name])


def test_non_strict_loading_returns_missing_and_unexpected_names():
    layer = nn.Linear(2, 3, generator=0)
    result = layer.load_state_dict({"weight": np.ones((3, 2)), "extra": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(layer.weight.numpy(), np.ones((3, 2)))


def test_non_numeric_and_non_finite_entries_are_rejected():
    layer = nn.Linear(1, 1)
    with pytest.raises(nn.StateDictError, match="must hold numbers"):
        layer.load_state_dict({"weight": np.array([["a"]]), "bias": np.zeros(1)})
    with pytest.raises(nn.StateDictError, match="NaN or infinite"):
        layer.load_state_dict({"weight": np.array([[np.nan]]), "bias": np.zeros(1)})
    with pytest.raises(nn.StateDictError, match="expected a mapping"):
        layer.load_state_dict([("weight", np.zeros((1, 1)))])


def test_wrong_suffix_is_refused_on_save_and_load(tmp_path):
    layer = nn.Linear(1, 1)
    with pytest.raises(nn.StateDictError, match="unknown file type '.pt'"):
        layer.save(tmp_path / "model.pt")
    with pytest.raises(nn.StateDictError, match="use a .json or .npz"):
        layer.load(tmp_path / "model.pkl")


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.Linear(1, 1).load(tmp_path / "absent.npz")


def test_corrupt_files_give_clear_errors(tmp_path):
    layer = nn.Linear(1, 1)
    broken_npz = tmp_path / "broken.npz"
    broken_npz.write_bytes(b"this is not a zip archive")
    with pytest.raises(nn.StateDictError, match="not a valid .npz archive"):
        layer.load(broken_npz)
    broken_json = tmp_path / "broken.json"
    broken_json.write_text("{not json")
    with pytest.raises(nn.StateDictError, match="not valid JSON"):
        layer.load(broken_json)
    other_json = tmp_path / "other.json"
    other_json.write_text(json.dumps({"weight": [[1.0]]}))
    with pytest.raises(nn.StateDictError, match="not a chainrule state file"):
        layer.load(other_json)
    bad_entry = tmp_path / "bad_entry.json"
    bad_entry.write_text(json.dumps({"format": "chainrule.state_dict", "state": {
        "weight": {"dtype": "float64", "shape": [2, 2], "data": [[1.0]]}}}))
    with pytest.raises(nn.StateDictError, match="entry .weight.: data does not have the shape"):
        nn.load_state(bad_entry)


def test_pickled_arrays_are_never_loaded(tmp_path):
    path = tmp_path / "pickled.npz"
    with zipfile.ZipFile(path, "w") as archive:
        with archive.open("weight.npy", "w") as member:
            np.lib.format.write_array(member, np.array([{"evil": 1}], dtype=object),
                                      allow_pickle=True)
    with pytest.raises(nn.StateDictError, match="pickled"):
        nn.Linear(1, 1).load(path)


def test_saved_json_is_readable_with_names_shapes_and_data(tmp_path):
    path = tmp_path / "layer.json"
    layer = nn.Linear(2, 1, generator=0)
    layer.save(path)
    document = json.loads(path.read_text())
    assert document["format"] == "chainrule.state_dict"
    assert document["state"]["weight"]["shape"] == [1, 2]
    assert document["state"]["weight"]["data"] == layer.weight.numpy().tolist()


# --- untrusted files: checked before any data is read, the model left unchanged ---------

def assert_unchanged(model, before):
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


def write_npy_member(archive, name, header_shape, body, dtype="<f8"):
    """A .npy member whose header announces ``header_shape`` and holds ``body`` bytes."""
    with archive.open(f"{name}.npy", "w") as member:
        np.lib.format.write_array_header_1_0(
            member, {"descr": dtype, "fortran_order": False, "shape": header_shape})
        member.write(body)


def test_an_npz_header_announcing_a_huge_shape_is_refused_before_reading(tmp_path):
    model = Net()
    before = model.state_dict()
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in before.items():
            if name == "head.weight":
                write_npy_member(archive, name, (10 ** 15,), b"\0" * 16)
            else:
                with archive.open(f"{name}.npy", "w") as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)
    with pytest.raises(nn.StateDictError) as error:
        model.load(path)
    assert str(path) in str(error.value) and "'head.weight'" in str(error.value)
    assert_unchanged(model, before)
    with pytest.raises(nn.StateDictError, match="announces shape .1000000000000000,."):
        nn.load_state(path)                        # no model: the size must be honest


def test_a_zip_bomb_of_the_wrong_shape_is_refused_before_it_is_inflated(tmp_path):
    """A small deflated member that inflates to 256 MiB of zeros: the header's shape does
    not fit the model, so its data is never read."""
    layer = nn.Linear(2, 3, generator=0)
    before = layer.state_dict()
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("weight.npy", "w") as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "<f8", "fortran_order": False, "shape": (2 ** 25,)})
            chunk = bytes(2 ** 20)
            for _ in range(256):
                member.write(chunk)
        with archive.open("bias.npy", "w") as member:
            np.lib.format.write_array(member, before["bias"])
    assert path.stat().st_size < 1_000_000
    reads = []
    original = np.lib.format.read_array
    try:
        np.lib.format.read_array = lambda *a, **k: reads.append(a) or original(*a, **k)
        with pytest.raises(nn.StateDictError,
                           match=r"'weight': expected shape \(3, 2\), got \(33554432,\)"):
            layer.load(path)
    finally:
        np.lib.format.read_array = original
    assert reads == []                             # no member's data was read
    assert_unchanged(layer, before)


def test_npz_members_with_non_numeric_dtypes_or_unknown_names_are_refused(tmp_path):
    layer = nn.Linear(1, 1, generator=0)
    before = layer.state_dict()
    text = tmp_path / "text.npz"
    with zipfile.ZipFile(text, "w") as archive:
        write_npy_member(archive, "weight", (1, 1), b"abcd", dtype="<U1")
        write_npy_member(archive, "bias", (1,), bytes(8))
    with pytest.raises(nn.StateDictError, match="entry 'weight': dtype <U1 is not numeric"):
        layer.load(text)
    extra = tmp_path / "extra.npz"
    np.savez(extra, weight=np.ones((1, 1)), bias=np.ones(1), surprise=np.ones(3))
    with pytest.raises(nn.StateDictError, match="unknown name 'surprise'"):
        layer.load(extra)
    assert_unchanged(layer, before)
    layer.load(extra, strict=False)
    np.testing.assert_array_equal(layer.weight.numpy(), [[1.0]])


def json_state(entries):
    return json.dumps({"format": "chainrule.state_dict", "version": 1, "state": entries})


@pytest.mark.parametrize("entry, message", [
    ({"dtype": "int8", "shape": [], "data": 300}, r"int8 data must be integers in \[-128, 127\], got 300"),
    ({"dtype": "int64", "shape": [], "data": 1.5}, "int64 data must be integers"),
    ({"dtype": "int64", "shape": [], "data": True}, "int64 data must be integers"),
    ({"dtype": "int64", "shape": [], "data": "1"}, "got '1'"),
    ({"dtype": "float32", "shape": [], "data": 1e300}, "float32 data must be finite numbers"),
    ({"dtype": "int64", "shape": [], "data": None}, "got None"),
    ({"dtype": "int64", "shape": [10 ** 15], "data": []}, "data does not have the shape"),
    ({"dtype": "int64", "shape": "big", "data": 1}, "shape must be a list"),
    ({"dtype": "object", "shape": [], "data": 1}, "pickled Python objects"),
], ids=["int8-300", "fraction", "bool", "string", "float32-overflow", "null", "shape-lie",
        "shape-text", "object"])
def test_json_entries_that_do_not_fit_their_dtype_name_the_file_and_entry(tmp_path, entry,
                                                                          message):
    model = Net()
    before = model.state_dict()
    state = {name: {"dtype": str(array.dtype), "shape": list(array.shape),
                    "data": array.tolist()} for name, array in before.items()}
    state["encoder.1.num_batches_tracked"] = entry
    path = tmp_path / "bad.json"
    path.write_text(json_state(state))
    with pytest.raises(nn.StateDictError, match=message) as error:
        nn.load_state(path)
    assert str(path) in str(error.value)
    assert "'encoder.1.num_batches_tracked'" in str(error.value)
    with pytest.raises(nn.StateDictError):
        model.load(path)
    assert_unchanged(model, before)


def test_a_json_entry_of_the_wrong_shape_is_refused_before_its_data_is_read(tmp_path):
    layer = nn.Linear(2, 1, generator=0)
    before = layer.state_dict()
    path = tmp_path / "shape.json"
    path.write_text(json_state({
        "weight": {"dtype": "float64", "shape": [10 ** 15], "data": "never read"},
        "bias": {"dtype": "float64", "shape": [1], "data": [0.0]}}))
    with pytest.raises(nn.StateDictError, match=r"'weight': expected shape \(1, 2\)"):
        layer.load(path)
    assert_unchanged(layer, before)
