"""Model files: bit-exact round trips, the documented format, atomic writes, and clear errors for bad files."""

from __future__ import annotations

import datetime
import json
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import deltaprop
from deltaprop import model_io
from deltaprop.model_io import load_network, read_header, save_network
from deltaprop.network import Network

ARCHITECTURES = [
    pytest.param(dict(sizes=[3, 4, 2]), id="sigmoid-quadratic"),
    pytest.param(dict(sizes=[5, 3], activation="softmax", loss="log_likelihood"), id="no-hidden-softmax"),
    pytest.param(
        dict(sizes=[4, 6, 5, 3], activation="relu", output_activation="softmax", loss="log_likelihood", init="he"),
        id="relu-softmax-log-likelihood",
    ),
    pytest.param(
        dict(sizes=[3, 5, 1], activation="leaky_relu", output_activation="identity", slope=0.3, init="glorot"),
        id="leaky-relu-identity",
    ),
    pytest.param(
        dict(sizes=[2, 3, 2], activation="tanh", output_activation="sigmoid", loss="cross_entropy", init="large"),
        id="tanh-sigmoid-cross-entropy",
    ),
]
DTYPES = [pytest.param(np.float32, id="float32"), pytest.param(np.float64, id="float64")]


def make_net(dtype=np.float64, **kwargs) -> Network:
    kwargs.setdefault("sizes", [3, 4, 2])
    return Network(dtype=dtype, seed=1, **kwargs)


def saved(tmp_path, net=None, name="model.npz", **kwargs) -> Path:
    path = tmp_path / name
    save_network(make_net() if net is None else net, path, **kwargs)
    return path


def contents(path) -> tuple[dict, dict]:
    """The header and the parameter arrays of a model file, read with plain NumPy."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {name: f[name] for name in f.files}
    return json.loads(arrays.pop("header").tobytes().decode("utf-8")), arrays


def write_file(path, header, arrays) -> None:
    """Write an archive in the model-file layout from a header (dict, or raw bytes) and arrays."""
    data = header if isinstance(header, bytes) else json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        np.savez(f, header=np.frombuffer(data, dtype=np.uint8), **arrays)


def tampered(path, header_changes=None, drop=(), arrays=None, remove_keys=()) -> Path:
    """Rewrite a good model file with changes to its header and arrays."""
    header, params = contents(path)
    header.update(header_changes or {})
    for key in remove_keys:
        del header[key]
    for name in drop:
        del params[name]
    params.update(arrays or {})
    write_file(path, header, params)
    return path


def raises_naming(path, match=""):
    """pytest.raises for a ValueError whose message names the file and matches ``match``."""
    return pytest.raises(ValueError, match=rf"(?s)(?=.*{re.escape(str(path))}).*{match}")


def assert_same_network(loaded: Network, original: Network) -> None:
    assert type(loaded) is Network
    for attr in ("sizes", "activation", "output_activation", "loss", "slope", "init", "dtype"):
        assert getattr(loaded, attr) == getattr(original, attr), attr
    for p, q in zip(loaded.parameters(), original.parameters()):
        assert p.dtype == q.dtype
        assert np.array_equal(p, q)


def files_in(directory) -> list[str]:
    return sorted(os.listdir(directory))


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_round_trip_restores_architecture_and_parameters_bit_exactly(tmp_path, arch, dtype):
    net = make_net(dtype, **arch)
    X = np.random.default_rng(2).standard_normal((7, net.sizes[0]))
    path = saved(tmp_path, net)
    loaded = load_network(path)
    assert_same_network(loaded, net)
    assert np.array_equal(loaded.feedforward(X), net.feedforward(X))


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_is_bit_exact_for_values_that_do_not_survive_decimal_printing(tmp_path, dtype):
    net = make_net(dtype)
    tiny = np.finfo(dtype).smallest_subnormal
    net.weights[0][...] = np.array([[1 / 3, -0.0, tiny], [np.finfo(dtype).max, -np.finfo(dtype).tiny, np.pi]] * 2)
    loaded = load_network(saved(tmp_path, net))
    assert_same_network(loaded, net)
    assert np.signbit(loaded.weights[0][0, 1])


def test_trained_network_round_trips_with_its_training_record(tmp_path):
    net = make_net(sizes=[4, 5, 3])
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    net.fit(X, y, epochs=2, batch_size=5, lr=0.5)
    loaded = load_network(saved(tmp_path, net))
    assert_same_network(loaded, net)
    assert loaded.training_info["epochs"] == 2
    assert loaded.training_info["samples_seen"] == net.training_info["samples_seen"] == 40
    assert loaded.training_info["lr"] == 0.5
    assert loaded.training_info["last_cost"] == net.training_info["last_cost"]


def test_loaded_network_continues_training_count(tmp_path):
    net = make_net(sizes=[4, 5, 3])
    X, y = np.random.default_rng(0).standard_normal((10, 4)), np.arange(10) % 3
    net.fit(X, y, epochs=1, batch_size=5, lr=0.5)
    loaded = load_network(saved(tmp_path, net))
    loaded.fit(X, y, epochs=2, batch_size=5, lr=0.5)
    assert loaded.training_info["epochs"] == 3


def test_network_save_and_load_methods_round_trip(tmp_path):
    net = make_net(np.float32, sizes=[4, 6, 5, 3], activation="relu")
    path = tmp_path / "net.model"
    net.save(path, metadata={"classes": ["a", "b", "c"]})
    loaded = Network.load(path)
    assert_same_network(loaded, net)
    assert loaded.metadata == {"classes": ["a", "b", "c"]}


def test_metadata_round_trips_as_json(tmp_path):
    metadata = {
        "dataset": "digits ✓",
        "classes": ["zero", "one"],
        "shape": (8, 8),
        "accuracy": np.float32(0.96875),
        "count": np.int64(1797),
        "normalised": np.bool_(True),
        "nested": {"lr": 3.0, "notes": None, "list": [1, 2.5, False]},
    }
    loaded = load_network(saved(tmp_path, metadata=metadata))
    assert loaded.metadata == {
        "dataset": "digits ✓",
        "classes": ["zero", "one"],
        "shape": [8, 8],
        "accuracy": 0.96875,
        "count": 1797,
        "normalised": True,
        "nested": {"lr": 3.0, "notes": None, "list": [1, 2.5, False]},
    }
    assert type(loaded.metadata["count"]) is int


def test_missing_metadata_loads_as_empty_dict(tmp_path):
    assert load_network(saved(tmp_path)).metadata == {}


# --- the file on disk ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["model.bin", "model", "model.npz"])
@pytest.mark.parametrize("as_path", [True, False], ids=["pathlib", "str"])
def test_file_is_written_to_exactly_the_given_path(tmp_path, name, as_path):
    path = tmp_path / name
    save_network(make_net(), path if as_path else str(path))
    assert files_in(tmp_path) == [name]
    assert_same_network(load_network(path if as_path else str(path)), make_net())


@pytest.mark.parametrize("dtype", DTYPES)
def test_file_is_readable_with_plain_numpy_as_documented(tmp_path, dtype):
    net = make_net(dtype, sizes=[4, 6, 5, 3])
    path = saved(tmp_path, net)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{n}.npy" for n in ["header", "W0", "b0", "W1", "b1", "W2", "b2"])
    header, arrays = contents(path)
    assert header["format"] == "deltaprop-model"
    assert header["version"] == 1
    assert header["dtype"] == np.dtype(dtype).name
    little_endian = np.dtype(dtype).newbyteorder("<")
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        assert arrays[f"W{i}"].dtype == little_endian and arrays[f"b{i}"].dtype == little_endian
        assert np.array_equal(arrays[f"W{i}"], w) and np.array_equal(arrays[f"b{i}"], b)
    # The documented forward pass: a = f(a_prev Wᵀ + b).
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(dtype)
    a = x
    for i in range(3):
        a = 1 / (1 + np.exp(-(a @ arrays[f"W{i}"].T + arrays[f"b{i}"])))
    np.testing.assert_allclose(a, net.feedforward(x), rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_header_records_architecture_and_provenance(tmp_path):
    net = make_net(sizes=[3, 5, 1], activation="leaky_relu", output_activation="identity", slope=0.25, init="he")
    header, _ = contents(saved(tmp_path, net, metadata={"run": 7}))
    assert list(header) == [
        "format",
        "version",
        "sizes",
        "activation",
        "output_activation",
        "loss",
        "slope",
        "dtype",
        "init",
        "training",
        "metadata",
        "deltaprop_version",
        "created",
    ]
    assert header["sizes"] == [3, 5, 1]
    assert (header["activation"], header["output_activation"], header["loss"]) == (
        "leaky_relu",
        "identity",
        "quadratic",
    )
    assert (header["slope"], header["dtype"], header["init"]) == (0.25, "float64", "he")
    assert header["training"] == net.training_info
    assert header["metadata"] == {"run": 7}
    assert header["deltaprop_version"] == deltaprop.__version__
    created = datetime.datetime.fromisoformat(header["created"])
    assert created.utcoffset() == datetime.timedelta(0)
    assert abs(datetime.datetime.now(datetime.timezone.utc) - created) < datetime.timedelta(minutes=5)


def test_read_header_returns_header_with_parameter_count_without_building_a_network(tmp_path, monkeypatch):
    net = make_net(sizes=[4, 6, 5, 3], activation="relu", output_activation="softmax", loss="log_likelihood")
    path = saved(tmp_path, net, metadata={"dataset": "digits"})

    def no_network(*args, **kwargs):
        raise AssertionError("read_header built a Network")

    monkeypatch.setattr(Network, "__init__", no_network)
    header = read_header(path)
    assert header["sizes"] == [4, 6, 5, 3]
    assert header["n_params"] == (4 + 1) * 6 + (6 + 1) * 5 + (5 + 1) * 3 == net.n_params
    assert (header["activation"], header["output_activation"], header["loss"]) == ("relu", "softmax", "log_likelihood")
    assert header["metadata"] == {"dataset": "digits"}
    assert header["training"] == net.training_info


def test_saved_file_gets_the_permissions_of_a_newly_created_file(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    umask = os.umask(0o022)
    os.umask(umask)
    path = saved(tmp_path)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


def test_saving_over_an_existing_model_replaces_it(tmp_path):
    path = saved(tmp_path, make_net(sizes=[3, 4, 2]))
    save_network(make_net(sizes=[2, 2]), path)
    assert load_network(path).sizes == [2, 2]
    assert files_in(tmp_path) == ["model.npz"]


def test_saving_through_a_symbolic_link_writes_the_linked_file(tmp_path):
    real = saved(tmp_path, name="real.npz")
    link = tmp_path / "link.npz"
    try:
        link.symlink_to(real)
    except OSError:
        pytest.skip("symbolic links not available")
    save_network(make_net(sizes=[2, 2]), link)
    assert link.is_symlink()
    assert load_network(real).sizes == [2, 2]


# --- atomic writes -------------------------------------------------------------------------------


def savez_writing_part_then(exception):
    """A replacement for np.savez that writes the start of an archive, then fails."""

    def savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 the start of an archive")
        raise exception

    return savez


def raising(exception):
    def fail(*args, **kwargs):
        raise exception

    return fail


CRASHES = [
    pytest.param(np, "savez", savez_writing_part_then(RuntimeError("disk on fire")), RuntimeError, id="savez-fails"),
    pytest.param(np, "savez", savez_writing_part_then(KeyboardInterrupt()), KeyboardInterrupt, id="ctrl-c-in-savez"),
    pytest.param(os, "fsync", raising(OSError(5, "Input/output error")), OSError, id="fsync-fails"),
    pytest.param(os, "replace", raising(OSError(18, "Invalid cross-device link")), OSError, id="rename-fails"),
]


@pytest.mark.parametrize("module, name, replacement, exception", CRASHES)
def test_crash_while_saving_keeps_the_previous_file_and_leaves_no_temporary_file(
    tmp_path, monkeypatch, module, name, replacement, exception
):
    path = saved(tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(module, name, replacement)
    with pytest.raises(exception):
        save_network(make_net(sizes=[2, 2]), path)
    monkeypatch.undo()
    assert files_in(tmp_path) == ["model.npz"]
    assert path.read_bytes() == before
    assert load_network(path).sizes == [3, 4, 2]


@pytest.mark.parametrize("module, name, replacement, exception", CRASHES)
def test_crash_while_saving_a_new_file_leaves_nothing(tmp_path, monkeypatch, module, name, replacement, exception):
    monkeypatch.setattr(module, name, replacement)
    with pytest.raises(exception):
        save_network(make_net(), tmp_path / "model.npz")
    monkeypatch.undo()
    assert files_in(tmp_path) == []


def test_saving_into_a_missing_directory_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        save_network(make_net(), tmp_path / "missing" / "model.npz")
    assert files_in(tmp_path) == []


def test_saving_onto_a_directory_fails_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "model.npz").mkdir()
    with pytest.raises(OSError):
        save_network(make_net(), tmp_path / "model.npz")
    assert files_in(tmp_path) == ["model.npz"]


BAD_METADATA = [
    pytest.param(["not", "a", "dict"], TypeError, r"metadata must be a dict", id="list"),
    pytest.param({1: "x"}, TypeError, r"metadata has the key 1", id="integer-key"),
    pytest.param(
        {"weights": np.zeros(3)}, TypeError, r"metadata\['weights'\] is a ndarray \(use \.tolist\(\)\)", id="array"
    ),
    pytest.param({"tags": {"a", "b"}}, TypeError, r"metadata\['tags'\] is a set", id="set"),
    pytest.param({"f": object()}, TypeError, r"metadata\['f'\] is a object", id="object"),
    pytest.param({"loss": [1.0, float("nan")]}, ValueError, r"metadata\['loss'\]\[1\] is nan", id="nan"),
    pytest.param({"best": np.float32("inf")}, ValueError, r"metadata\['best'\] is inf", id="inf"),
]


@pytest.mark.parametrize("metadata, exception, match", BAD_METADATA)
def test_metadata_that_is_not_json_is_rejected_and_nothing_is_written(tmp_path, metadata, exception, match):
    path = saved(tmp_path)
    before = path.read_bytes()
    with pytest.raises(exception, match=match):
        save_network(make_net(sizes=[2, 2]), path, metadata=metadata)
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["model.npz"]


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_network_with_non_finite_parameters_is_not_saved(tmp_path, value):
    net = make_net()
    net.biases[1][0] = value
    with pytest.raises(ValueError, match="b1 contains NaN or infinite"):
        save_network(net, tmp_path / "model.npz")
    assert files_in(tmp_path) == []


def test_non_finite_cost_in_training_record_is_written_as_null(tmp_path):
    net = make_net()
    net.training_info = {"last_cost": float("nan")}
    header, _ = contents(saved(tmp_path, net))
    assert header["training"]["last_cost"] is None


def test_saving_something_that_is_not_a_network_raises_type_error(tmp_path):
    with pytest.raises(TypeError, match="Network"):
        save_network({"W0": np.zeros((2, 2))}, tmp_path / "model.npz")


# --- bad files -----------------------------------------------------------------------------------


def test_loading_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "nothing.npz")
    with pytest.raises(FileNotFoundError):
        read_header(tmp_path / "nothing.npz")


@pytest.mark.parametrize("keep", [0, 1, 3, 4, 30, 100, 0.5, -23, -22, -10, -1])
def test_truncated_file_raises_value_error_naming_it(tmp_path, keep):
    path = saved(tmp_path)
    data = path.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data) if keep < 0 else keep
    path.write_bytes(data[:cut])
    with raises_naming(path):
        load_network(path)
    with raises_naming(path):
        read_header(path)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(np.random.default_rng(0).bytes(3000), id="random-bytes"),
        pytest.param(b"W0,b0\n1,2\n", id="text"),
        pytest.param(b"PK\x05\x06" + bytes(18), id="empty-zip"),
        pytest.param(b"PK\x03\x04" + np.random.default_rng(1).bytes(500), id="zip-signature-then-garbage"),
    ],
)
def test_file_that_is_not_an_npz_archive_raises_value_error_naming_it(tmp_path, data):
    path = tmp_path / "model.npz"
    path.write_bytes(data)
    with raises_naming(path):
        load_network(path)


def test_plain_npy_file_raises_value_error_naming_it(tmp_path):
    path = tmp_path / "model.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros(3))
    with raises_naming(path, "single .npy array"):
        load_network(path)


def test_pickle_in_the_archive_is_refused_not_unpickled(tmp_path):
    path = tmp_path / "model.npz"
    with open(path, "wb") as f:
        np.savez(f, header=np.array([{"format": "deltaprop-model"}], dtype=object))
    with raises_naming(path, "header"):
        load_network(path)


def test_every_single_byte_flip_is_detected_or_harmless(tmp_path):
    # Zip fields that readers ignore (times, a local CRC copy...) may change harmlessly; any change that
    # reaches the header or the parameters must be reported as a ValueError naming the file.
    net = make_net(sizes=[2, 3, 2])
    path = saved(tmp_path, net)
    good = path.read_bytes()
    detected = 0
    for i in range(len(good)):
        bad = bytearray(good)
        bad[i] ^= 0xFF
        path.write_bytes(bytes(bad))
        try:
            loaded = load_network(path)
        except ValueError as exc:
            assert str(path) in str(exc)
            detected += 1
        else:
            assert_same_network(loaded, net)
    assert detected > len(good) // 2


def test_foreign_npz_archive_raises_value_error(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, W0=np.zeros((2, 2)), b0=np.zeros(2))
    with raises_naming(path, r"no 'header' array.*not a deltaprop model file.*'W0', 'b0'"):
        load_network(path)


def test_header_of_another_format_raises_value_error(tmp_path):
    path = tampered(saved(tmp_path), {"format": "keras-model"})
    with raises_naming(path, "not a deltaprop model file.*'keras-model'"):
        load_network(path)


def test_newer_format_version_asks_to_upgrade(tmp_path):
    # A newer version may change anything else too: the version is checked first.
    path = tampered(saved(tmp_path), {"version": 2, "sizes": "whatever"}, drop=["W0"])
    with raises_naming(path, "written by a newer deltaprop.*version 2.*upgrade"):
        load_network(path)
    with raises_naming(path, "newer deltaprop"):
        read_header(path)


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None])
def test_invalid_format_version_raises_value_error(tmp_path, version):
    path = tampered(saved(tmp_path), {"version": version})
    with raises_naming(path, "invalid format version"):
        load_network(path)


@pytest.mark.parametrize(
    "header, match",
    [
        pytest.param(b"{not json", "not valid UTF-8 JSON", id="not-json"),
        pytest.param(b'{"format": "deltaprop-model", "slope": NaN}', "not valid UTF-8 JSON", id="nan-constant"),
        pytest.param(b"\xff\xfe{}", "not valid UTF-8 JSON", id="not-utf8"),
        pytest.param(b'["deltaprop-model", 1]', "header is a JSON list", id="json-list"),
        pytest.param(b"", "not valid UTF-8 JSON", id="empty"),
    ],
)
def test_unparsable_header_raises_value_error(tmp_path, header, match):
    path = saved(tmp_path)
    _, arrays = contents(path)
    write_file(path, header, arrays)
    with raises_naming(path, match):
        load_network(path)


def test_header_stored_as_text_array_raises_value_error(tmp_path):
    path = saved(tmp_path)
    header, arrays = contents(path)
    with open(path, "wb") as f:
        np.savez(f, header=np.array(json.dumps(header)), **arrays)
    with raises_naming(path, "1-D uint8"):
        load_network(path)


@pytest.mark.parametrize("key", ["sizes", "activation", "output_activation", "loss", "slope", "dtype"])
def test_header_missing_a_required_key_raises_value_error(tmp_path, key):
    path = tampered(saved(tmp_path), remove_keys=[key])
    with raises_naming(path, f"lacks {key}"):
        load_network(path)


def test_header_without_optional_keys_loads_with_defaults(tmp_path):
    net = make_net(init="he")
    path = tampered(saved(tmp_path, net), remove_keys=["init", "training", "metadata", "deltaprop_version", "created"])
    loaded = load_network(path)
    for p, q in zip(loaded.parameters(), net.parameters()):
        assert np.array_equal(p, q)
    assert loaded.init == "nielsen"
    assert loaded.metadata == {}
    assert loaded.training_info["epochs"] == 0


def test_unknown_header_keys_are_ignored(tmp_path):
    net = make_net()
    path = tampered(saved(tmp_path, net), {"comment": "added by another tool"})
    assert_same_network(load_network(path), net)


BAD_HEADER_VALUES = [
    pytest.param({"activation": "swish"}, "unknown activation 'swish'", id="unknown-activation"),
    pytest.param({"output_activation": "softplus"}, "unknown output_activation", id="unknown-output-activation"),
    pytest.param({"loss": "hinge"}, "unknown loss 'hinge'", id="unknown-loss"),
    pytest.param({"loss": "log_likelihood"}, "log_likelihood.*needs output_activation='softmax'", id="invalid-pair"),
    pytest.param({"activation": 3}, "activation must be a string", id="activation-not-string"),
    pytest.param({"init": "orthogonal"}, "unknown init", id="unknown-init"),
    pytest.param({"dtype": "float16"}, "unknown dtype 'float16'", id="unsupported-dtype"),
    pytest.param({"slope": -1}, "slope must be", id="negative-slope"),
    pytest.param({"slope": "0.01"}, "slope must be a real number", id="slope-not-number"),
    pytest.param({"sizes": [3, 0, 2]}, "sizes must hold positive integers", id="zero-width"),
    pytest.param({"sizes": [3]}, "sizes must list at least 2 layers", id="one-layer"),
    pytest.param({"sizes": "3,4,2"}, "sizes must be a list", id="sizes-string"),
    pytest.param({"training": [1, 2]}, "training must be a JSON object", id="training-not-object"),
    pytest.param({"metadata": "notes"}, "metadata must be a JSON object", id="metadata-not-object"),
]


@pytest.mark.parametrize("changes, match", BAD_HEADER_VALUES)
@pytest.mark.parametrize("reader", [load_network, read_header], ids=["load_network", "read_header"])
def test_invalid_header_value_raises_value_error_naming_file_and_problem(tmp_path, reader, changes, match):
    path = tampered(saved(tmp_path), changes)
    with raises_naming(path, match):
        reader(path)


W0_SHAPE = (4, 3)  # of make_net(): sizes [3, 4, 2]

BAD_ARRAYS = [
    pytest.param({}, ["b1"], "missing b1", id="missing-bias"),
    pytest.param({}, ["W0", "W1"], "missing W0, W1", id="missing-weights"),
    pytest.param({"W2": np.zeros((2, 2))}, [], "unexpected W2", id="extra-layer"),
    pytest.param({"velocity": np.zeros(3)}, [], "unexpected velocity", id="extra-array"),
    pytest.param(
        {"W0": np.zeros(W0_SHAPE[::-1])}, [], r"W0 has shape \(3, 4\).*need \(4, 3\)", id="transposed-weights"
    ),
    pytest.param({"b0": np.zeros((4, 1))}, [], r"b0 has shape \(4, 1\).*need \(4,\)", id="bias-as-column"),
    pytest.param({"b1": np.zeros(3)}, [], r"b1 has shape \(3,\).*need \(2,\)", id="bias-too-long"),
    pytest.param({"W1": np.zeros((2, 4), np.float32)}, [], "W1 has dtype float32.*float64", id="float32-in-float64"),
    pytest.param({"W1": np.zeros((2, 4), np.int64)}, [], "W1 has dtype int64", id="integer-array"),
    pytest.param({"W1": np.zeros((2, 4), np.complex128)}, [], "W1 has dtype complex128", id="complex-array"),
    pytest.param({"b0": np.array([0.0, np.nan, 0.0, 0.0])}, [], "b0 contains NaN", id="nan-parameter"),
    pytest.param({"W1": np.full((2, 4), -np.inf)}, [], "W1 contains NaN or infinite", id="infinite-parameter"),
]


@pytest.mark.parametrize("arrays, drop, match", BAD_ARRAYS)
@pytest.mark.parametrize("reader", [load_network, read_header], ids=["load_network", "read_header"])
def test_parameter_arrays_not_matching_the_header_raise_value_error(tmp_path, reader, arrays, drop, match):
    path = tampered(saved(tmp_path), arrays=arrays, drop=drop)
    with raises_naming(path, match):
        reader(path)


def test_big_endian_parameters_load_to_the_same_values(tmp_path):
    net = make_net()
    path = saved(tmp_path, net)
    _, arrays = contents(path)
    tampered(path, arrays={name: a.astype(a.dtype.newbyteorder(">")) for name, a in arrays.items()})
    assert_same_network(load_network(path), net)


def test_error_for_a_damaged_archive_says_so_and_keeps_the_cause(tmp_path):
    path = saved(tmp_path)
    path.write_bytes(path.read_bytes()[:100])
    with raises_naming(path, "not a valid .npz archive or it is damaged") as info:
        load_network(path)
    assert isinstance(info.value.__cause__, zipfile.BadZipFile)


def test_module_declares_the_format_it_writes(tmp_path):
    header, _ = contents(saved(tmp_path))
    assert (header["format"], header["version"]) == (model_io.FORMAT, model_io.VERSION) == ("deltaprop-model", 1)
