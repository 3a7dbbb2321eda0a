"""Loaders and the Dataset resolver in deltaprop.datasets, and the `python -m deltaprop` training run."""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from deltaprop import Network, datasets
from deltaprop.datasets import (
    DATASET_NAMES,
    DIGIT_CLASSES,
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR,
    FASHION_MNIST_ENV,
    Dataset,
    load_csv,
    load_dataset,
    load_digits,
    load_fashion_mnist,
    load_idx,
    load_mnist,
    load_npz,
)

# The repository's sibling shared/ holds MNIST's test set; DELTAPROP_MNIST_DIR points elsewhere.
MNIST_DIR = Path(os.environ.get("DELTAPROP_MNIST_DIR", Path(__file__).resolve().parents[2] / "shared/data/mnist"))
# Debian's dataset-fashion-mnist package, or the directory the environment names instead.
FASHION_DIR = Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)
HAVE_FASHION = all(
    (FASHION_DIR / f"{kind}-{part}-ubyte.gz").is_file()
    for kind in ("train", "t10k")
    for part in ("images-idx3", "labels-idx1")
)
needs_fashion = pytest.mark.skipif(
    not HAVE_FASHION, reason=f"no Fashion-MNIST in {FASHION_DIR} (apt-get install dataset-fashion-mnist)"
)

_CODES = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """Serialise an array in the IDX format: magic (0, 0, type code, rank), big-endian dims, big-endian data."""
    kind = array.dtype.str[1:]
    header = bytes([0, 0, _CODES[kind], array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool | None = None) -> Path:
    data = idx_bytes(array)
    if compress if compress is not None else path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def write_mnist(directory: Path, n_images: int, n_labels: int, kind: str = "t10k", gz: bool = True) -> np.ndarray:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n_images, 28, 28), dtype=np.uint8)
    suffix = ".gz" if gz else ""
    write_idx(directory / f"{kind}-images-idx3-ubyte{suffix}", images)
    write_idx(directory / f"{kind}-labels-idx1-ubyte{suffix}", np.arange(n_labels, dtype=np.uint8) % 10)
    return images


# ---------------------------------------------------------------- load_idx


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_load_idx_round_trips_every_type_code(tmp_path, dtype, suffix):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    loaded = load_idx(write_idx(tmp_path / f"a.idx{suffix}", array))
    assert loaded.dtype == np.dtype(dtype)  # native byte order
    assert loaded.dtype.isnative
    assert loaded.shape == (3, 4, 5)
    assert loaded.flags.c_contiguous and loaded.flags.writeable
    np.testing.assert_array_equal(loaded, array)


def test_load_idx_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    loaded = load_idx(write_idx(tmp_path / "labels-idx1-ubyte", array, compress=True))
    np.testing.assert_array_equal(loaded, array)


def test_load_idx_accepts_str_paths_and_empty_arrays(tmp_path):
    loaded = load_idx(str(write_idx(tmp_path / "empty", np.zeros((0, 28, 28), dtype=np.uint8))))
    assert loaded.shape == (0, 28, 28)


@pytest.mark.parametrize("gz", [False, True])
def test_load_idx_rejects_a_bad_magic_number(tmp_path, gz):
    data = bytearray(idx_bytes(np.arange(4, dtype=np.uint8)))
    data[0] = 0x42
    path = tmp_path / "bad-magic"
    path.write_bytes(gzip.compress(bytes(data)) if gz else bytes(data))
    with pytest.raises(ValueError, match=r"bad-magic.*magic number"):
        load_idx(path)


def test_load_idx_rejects_an_unknown_type_code(tmp_path):
    data = bytearray(idx_bytes(np.arange(4, dtype=np.uint8)))
    data[2] = 0x0A
    path = tmp_path / "bad-type"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"bad-type.*type code 0x0a"):
        load_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_load_idx_rejects_truncated_data(tmp_path, gz):
    data = idx_bytes(np.zeros((10, 28, 28), dtype=np.uint8))[:-5]
    path = tmp_path / "short-images"
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(ValueError, match=r"short-images.*truncated.*\(10, 28, 28\) need 7840 bytes, found 7835"):
        load_idx(path)


def test_load_idx_rejects_dimensions_that_disagree_with_the_data(tmp_path):
    # The header promises 4 x 4 int32 values (64 bytes) but 12 int32 values (48 bytes) follow.
    data = bytes([0, 0, 0x0C, 2]) + (4).to_bytes(4, "big") * 2 + np.arange(12, dtype=">i4").tobytes()
    path = tmp_path / "mismatch"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=r"mismatch.*need 64 bytes, found 48"):
        load_idx(path)


def test_load_idx_rejects_trailing_bytes(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(np.arange(6, dtype=np.uint8)) + b"\0")
    with pytest.raises(ValueError, match=r"long.*trailing bytes"):
        load_idx(path)


@pytest.mark.parametrize("data", [b"", b"\0\0", bytes([0, 0, 8, 3, 0, 0, 0, 1])])
def test_load_idx_rejects_a_truncated_header(tmp_path, data):
    path = tmp_path / "stub"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=r"stub.*(header|not an IDX file)"):
        load_idx(path)


def test_load_idx_rejects_a_truncated_gzip_stream(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8)))[:-20])
    with pytest.raises(ValueError, match=r"cut\.gz.*gzip"):
        load_idx(path)


def test_load_idx_reports_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "absent")


# ---------------------------------------------------------------- load_mnist


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_load_mnist_scales_pixels_to_unit_interval(tmp_path, gz, dtype):
    images = write_mnist(tmp_path, 7, 7, gz=gz)
    X, y = load_mnist(tmp_path, dtype=dtype)
    assert X.shape == (7, 784) and X.dtype == dtype and X.flags.c_contiguous
    assert y.dtype == np.int64 and y.shape == (7,)
    np.testing.assert_allclose(X, images.reshape(7, 784) / 255, rtol=1e-6 if dtype == np.float32 else 1e-15)
    np.testing.assert_array_equal(y, np.arange(7) % 10)


def test_load_mnist_reads_the_train_split(tmp_path):
    write_mnist(tmp_path, 3, 3, kind="train")
    X, y = load_mnist(tmp_path, kind="train")
    assert X.shape == (3, 784) and y.shape == (3,)


def test_load_mnist_rejects_an_image_label_count_mismatch(tmp_path):
    write_mnist(tmp_path, 5, 4)
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz holds 5 images.*t10k-labels.* 4 labels"):
        load_mnist(tmp_path)


def test_load_mnist_rejects_images_of_the_wrong_rank(tmp_path):
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((5, 784), dtype=np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(5, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte: expected 3-D uint8 images, got 2-D"):
        load_mnist(tmp_path)


def test_load_mnist_names_a_corrupt_file(tmp_path):
    write_mnist(tmp_path, 5, 5)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz"):
        load_mnist(tmp_path)


def test_load_mnist_reports_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"t10k-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"not a directory"):
        load_mnist(tmp_path / "nowhere")


def test_load_mnist_rejects_unknown_kind_and_dtype(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="test")
    with pytest.raises(TypeError, match="dtype"):
        load_mnist(tmp_path, dtype=np.int32)


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists(), reason=f"no MNIST at {MNIST_DIR}")
def test_load_mnist_reads_the_real_test_set():
    X, y = load_mnist(MNIST_DIR, kind="t10k")
    assert X.shape == (10000, 784) and X.dtype == np.float64 and X.flags.c_contiguous
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y[:5], [7, 2, 1, 0, 4])
    np.testing.assert_array_equal(np.unique(y), np.arange(10))


# ---------------------------------------------------------------- load_digits


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_load_digits_gives_1797_scaled_8x8_images(dtype):
    X, y = load_digits(dtype=dtype)
    assert X.shape == (1797, 64) and X.dtype == dtype and X.flags.c_contiguous
    assert X.min() == 0.0 and X.max() == 1.0
    # Pixels are counts 0..16 divided by 16, exactly representable.
    np.testing.assert_array_equal(X * 16, np.round(X * 16))
    assert y.shape == (1797,) and y.dtype == np.int64 and y.flags.c_contiguous
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    assert np.bincount(y).min() >= 170  # every class is well represented


def test_load_digits_is_the_uci_test_set():
    X, y = load_digits()
    assert y[:10].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert (X[0] * 16).astype(int)[:16].tolist() == [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]


def test_load_digits_rejects_integer_dtypes():
    with pytest.raises(TypeError, match="dtype"):
        load_digits(dtype=np.uint8)


# ---------------------------------------------------------------- Fashion-MNIST


@pytest.fixture(scope="module")
def fashion() -> Dataset:
    """The real Fashion-MNIST, read once for the module (float32 halves the memory)."""
    return load_dataset("fashion-mnist", dtype=np.float32)


@needs_fashion
def test_fashion_mnist_has_60000_training_and_10000_test_images(fashion):
    assert fashion.X_train.shape == (60000, 784) and fashion.X_test.shape == (10000, 784)
    assert fashion.X_train.dtype == np.float32 and fashion.X_train.flags.c_contiguous
    assert fashion.X_train.min() == 0.0 and fashion.X_train.max() == 1.0
    assert fashion.y_train.dtype == np.int64 and fashion.y_test.shape == (10000,)
    # The data set is balanced: 6,000 training and 1,000 test images per class.
    np.testing.assert_array_equal(np.bincount(fashion.y_train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(fashion.y_test), [1000] * 10)
    assert fashion.class_names == FASHION_MNIST_CLASSES and fashion.n_classes == 10 and fashion.n_features == 784
    assert fashion.name == f"Fashion-MNIST in {FASHION_DIR}"


@needs_fashion
def test_load_fashion_mnist_reads_the_installed_test_set(fashion):
    X, y = load_fashion_mnist(kind="t10k")
    assert X.shape == (10000, 784) and X.dtype == np.float64
    np.testing.assert_array_equal(y, fashion.y_test)
    np.testing.assert_allclose(X, fashion.X_test, rtol=1e-7)
    assert [FASHION_MNIST_CLASSES[k] for k in y[:3]] == ["Ankle boot", "Pullover", "Trouser"]


def test_fashion_mnist_class_names_are_the_ten_zalando_labels():
    assert FASHION_MNIST_CLASSES[0] == "T-shirt/top" and FASHION_MNIST_CLASSES[9] == "Ankle boot"
    assert len(set(FASHION_MNIST_CLASSES)) == 10
    assert DIGIT_CLASSES == tuple(str(d) for d in range(10)) == datasets.MNIST_CLASSES


@pytest.mark.parametrize("kind", ["train", "t10k"])
def test_load_fashion_mnist_reads_a_given_directory(tmp_path, kind):
    images = write_mnist(tmp_path, 6, 6, kind=kind)
    X, y = load_fashion_mnist(tmp_path, kind=kind, dtype=np.float32)
    assert X.shape == (6, 784) and X.dtype == np.float32
    np.testing.assert_allclose(X, images.reshape(6, 784) / 255, rtol=1e-6)


def test_load_fashion_mnist_defaults_to_the_directory_in_the_environment(tmp_path, monkeypatch):
    write_mnist(tmp_path, 4, 4, kind="train")
    monkeypatch.setenv(FASHION_MNIST_ENV, str(tmp_path))
    X, _ = load_fashion_mnist()
    assert X.shape == (4, 784)


def test_load_fashion_mnist_defaults_to_the_debian_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(FASHION_MNIST_ENV, raising=False)
    monkeypatch.setattr(datasets.idx, "FASHION_MNIST_DIR", tmp_path)
    write_mnist(tmp_path, 3, 3, kind="t10k")
    assert load_fashion_mnist(kind="t10k")[0].shape == (3, 784)
    assert FASHION_MNIST_DIR == Path("/usr/share/datasets/fashion-mnist")


def missing_fashion_message(exc_info, where: str) -> None:
    message = str(exc_info.value)
    assert message.startswith(f"Fashion-MNIST not found ({where}")
    assert "apt-get install dataset-fashion-mnist" in message and "/usr/share/datasets/fashion-mnist" in message
    assert "path=" in message and "--data-dir" in message and FASHION_MNIST_ENV in message
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
        assert name in message
    assert "\n" not in message  # one line for the command line


def test_missing_fashion_mnist_says_how_to_get_it(tmp_path, monkeypatch):
    # The directory in the environment wins even when the system has a copy, so this holds everywhere.
    monkeypatch.setenv(FASHION_MNIST_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError) as exc_info:
        load_fashion_mnist()
    missing_fashion_message(exc_info, f"{tmp_path} lacks train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]")
    with pytest.raises(FileNotFoundError) as exc_info:
        load_dataset("fashion-mnist")
    missing_fashion_message(exc_info, f"{tmp_path} lacks t10k-images-idx3-ubyte[.gz]")


def test_missing_fashion_mnist_in_a_given_path_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError) as exc_info:
        load_fashion_mnist(tmp_path / "nowhere", kind="t10k")
    missing_fashion_message(exc_info, f"no directory {tmp_path / 'nowhere'}")
    write_mnist(tmp_path, 2, 2, kind="t10k")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as exc_info:
        load_fashion_mnist(tmp_path, kind="t10k")
    missing_fashion_message(exc_info, f"{tmp_path} lacks t10k-labels-idx1-ubyte[.gz])")


def test_load_fashion_mnist_rejects_unknown_kind_dtype_and_corrupt_files(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        load_fashion_mnist(tmp_path, kind="test")
    write_mnist(tmp_path, 5, 5, kind="train")
    with pytest.raises(TypeError, match="dtype"):
        load_fashion_mnist(tmp_path, dtype=np.int16)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-8])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: corrupt or truncated gzip"):
        load_fashion_mnist(tmp_path)


# ---------------------------------------------------------------- the Dataset type


def small_dataset(**changes) -> Dataset:
    parts = {
        "X_train": np.arange(12.0).reshape(6, 2),
        "y_train": np.array([0, 1, 2, 0, 1, 2]),
        "X_test": np.ones((2, 2)),
        "y_test": np.array([2, 0]),
        "name": "small",
    }
    return Dataset(**{**parts, **changes})


def test_dataset_derives_its_sizes_and_stores_int64_labels():
    data = small_dataset(y_train=np.array([0, 1, 2, 0, 1, 2], dtype=np.uint8))
    assert data.n_features == 2 and data.n_classes == 3 and data.n_train == 6 and data.n_test == 2
    assert data.y_train.dtype == np.int64 and data.y_test.dtype == np.int64 and data.dtype == np.float64
    assert {f.name for f in dataclasses.fields(Dataset)} >= {"n_features", "n_classes", "class_names", "name"}
    assert repr(data) == "Dataset('small': 6 training + 2 test samples, 2 features, 3 classes, float64)"


def test_dataset_makes_inputs_c_contiguous_without_copying_contiguous_ones():
    X = np.asfortranarray(np.arange(12.0).reshape(6, 2))
    assert small_dataset(X_train=X).X_train.flags.c_contiguous
    X = np.zeros((6, 2), dtype=np.float32)
    data = small_dataset(X_train=X, X_test=np.zeros((2, 2), dtype=np.float32))
    assert data.X_train is X


def test_dataset_without_a_test_set_and_with_class_names():
    data = small_dataset(X_test=None, y_test=None, class_names=["a", "b", "c", "d"])
    assert data.n_test == 0 and data.X_test is None and data.n_classes == 4
    assert data.class_names == ("a", "b", "c", "d")
    assert data.label_names([3, 0]).tolist() == ["d", "a"]
    assert small_dataset().label_names(np.array([2, 1])).tolist() == ["2", "1"]


def test_dataset_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        small_dataset().name = "other"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"X_train": np.zeros((6, 2), dtype=np.int32)}, TypeError, "X_train must be a float32 or float64 array"),
        ({"X_train": [[0.0, 1.0]] * 6}, TypeError, "X_train must be a float32 or float64 array; got list"),
        ({"y_train": np.zeros(6)}, TypeError, "y_train must be an array of integer class labels"),
        ({"X_train": np.zeros(6)}, ValueError, r"X_train must have shape \(n_samples, n_features\)"),
        ({"X_train": np.zeros((0, 2)), "y_train": np.zeros(0, dtype=int)}, ValueError, "both at least 1"),
        ({"y_train": np.zeros(5, dtype=int)}, ValueError, r"y_train must have shape \(6,\)"),
        ({"y_test": None}, ValueError, "X_test and y_test must be given together"),
        ({"X_test": np.ones((2, 2), dtype=np.float32)}, ValueError, "X_test .*float32.* must match X_train"),
        ({"X_test": np.ones((2, 3))}, ValueError, r"X_test \(3 features"),
        ({"y_train": np.array([0, 1, -2, 0, 1, 2])}, ValueError, r"y_train holds a negative label \(-2\)"),
        ({"y_test": np.array([3, 0])}, ValueError, "y_test holds label 3, a class no training sample has"),
        ({"class_names": ["a", "b"]}, ValueError, "y_train holds label 2 but there are only 2 class names"),
        ({"class_names": ["a", "b", "a"]}, ValueError, "class_names must be distinct"),
        ({"class_names": "abc"}, TypeError, "class_names must be a sequence of strings"),
        ({"name": None}, TypeError, "name must be a string"),
    ],
)
def test_dataset_rejects_inconsistent_parts(changes, error, message):
    with pytest.raises(error, match=message):
        small_dataset(**changes)


def test_dataset_label_names_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        small_dataset().label_names([3])
    with pytest.raises(TypeError, match="integers"):
        small_dataset().label_names([0.5])


# ---------------------------------------------------------------- load_npz


def write_npz(path: Path, **arrays) -> Path:
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_load_npz_reads_X_and_y(tmp_path, dtype):
    X = np.random.default_rng(2).standard_normal((5, 3))
    data = load_npz(write_npz(tmp_path / "d.npz", X=X, y=np.array([0, 2, 1, 2, 0])), dtype=dtype)
    assert data.X_train.dtype == dtype and data.X_train.flags.c_contiguous and data.X_test is None
    np.testing.assert_allclose(data.X_train, X, rtol=1e-6)
    assert data.y_train.tolist() == [0, 2, 1, 2, 0] and data.n_classes == 3 and data.class_names is None
    assert data.name == str(tmp_path / "d.npz")


def test_load_npz_accepts_lower_case_x_and_capital_Y_and_integral_float_labels(tmp_path):
    data = load_npz(write_npz(tmp_path / "d.npz", x=np.eye(3), Y=np.array([2.0, 0.0, 1.0])))
    assert data.y_train.tolist() == [2, 0, 1] and data.y_train.dtype == np.int64


def test_load_npz_reads_a_test_set_and_scales_uint8_images(tmp_path):
    # The layout of Keras's mnist.npz: uint8 images (n, 28, 28) under x_train/x_test.
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    path = write_npz(
        tmp_path / "mnist.npz", x_train=images, y_train=np.arange(4), x_test=images[:2], y_test=np.array([1, 0])
    )
    data = load_npz(path)
    assert data.X_train.shape == (4, 784) and data.X_test.shape == (2, 784)
    np.testing.assert_allclose(data.X_train, images.reshape(4, 784) / 255, rtol=1e-15)
    assert data.y_test.tolist() == [1, 0]


def test_load_npz_maps_string_labels_to_sorted_codes(tmp_path):
    path = write_npz(
        tmp_path / "d.npz",
        X=np.eye(4),
        y=np.array(["cat", "dog", "ant", "dog"]),
        X_test=np.eye(4)[:2],
        y_test=np.array(["ant", "dog"]),
    )
    data = load_npz(path)
    assert data.class_names == ("ant", "cat", "dog")
    assert data.y_train.tolist() == [1, 2, 0, 2] and data.y_test.tolist() == [0, 2]
    assert data.label_names(data.y_train).tolist() == ["cat", "dog", "ant", "dog"]


def test_load_npz_accepts_boolean_features(tmp_path):
    data = load_npz(write_npz(tmp_path / "d.npz", X=np.eye(2, dtype=bool), y=np.array([0, 1])))
    np.testing.assert_array_equal(data.X_train, np.eye(2))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"y": np.arange(3)}, r": no X or x or X_train or x_train array \(keys found: y\)"),
        ({"X": np.eye(3)}, r": no y or Y or y_train or Y_train array \(keys found: X\)"),
        ({"X": np.eye(3), "x": np.eye(3), "y": np.arange(3)}, r": keys \['X', 'x'\] are ambiguous"),
        ({"X": np.eye(3), "y": np.arange(3), "X_test": np.eye(3)}, ": has X_test but no y_test"),
        ({"X": np.arange(3.0), "y": np.arange(3)}, r"\['X'\]: features must have shape \(n_samples, n_features\)"),
        ({"X": np.zeros((3, 0)), "y": np.arange(3)}, r"\['X'\]: no samples or no features"),
        ({"X": np.eye(3), "y": np.eye(3)}, r"\['y'\]: labels must be 1-D.*shape \(3, 3\)"),
        ({"X": np.eye(3), "y": np.arange(4)}, r"\['y'\]: 4 labels for 3 samples"),
        ({"X": np.array([["a", "b"]] * 3), "y": np.arange(3)}, r"\['X'\]: features must be numbers.*<U1"),
        ({"X": np.eye(3) * 1j, "y": np.arange(3)}, r"\['X'\]: features must be numbers.*complex"),
        ({"X": np.array([[0, 1], [np.nan, 1]]), "y": np.arange(2)}, r"\['X'\] \(sample 1\): features hold NaN"),
        ({"X": np.array([[0, np.inf]]), "y": np.arange(1)}, r"\['X'\] \(sample 0\): .*NaN or infinite"),
        ({"X": np.eye(2), "y": np.array([0, -1])}, r"\['y'\] \(sample 1\): label -1 is not a class"),
        ({"X": np.eye(2), "y": np.array([0, 1.5])}, r"\['y'\] \(sample 1\): label 1.5 is not a class"),
        ({"X": np.eye(2), "y": np.array([0, np.nan])}, r"\['y'\] \(sample 1\): label nan is not a class"),
        ({"X": np.eye(2), "y": np.array([0, 1], dtype="m8[s]")}, r"\['y'\]: labels must be integers or strings"),
        (
            {"X": np.eye(2), "y": np.arange(2), "X_test": np.eye(3), "y_test": np.arange(3)},
            r"\['X_test'\]: 3 features per sample, the training data has 2",
        ),
        (
            {"X": np.eye(2), "y": np.arange(2), "X_test": np.eye(2), "y_test": np.array([0, 5])},
            r": y_test holds label 5, a class no training sample has",
        ),
        (
            {"X": np.eye(2), "y": np.array(["a", "b"]), "X_test": np.eye(2), "y_test": np.array(["a", "c"])},
            r"\['y_test'\] \(sample 1\): label 'c' is not one of the training classes \('a', 'b'\)",
        ),
        (
            {"X": np.eye(2), "y": np.array(["a", "b"]), "X_test": np.eye(2), "y_test": np.arange(2)},
            r"\['y_test'\]: labels are numbers but the training labels are class names",
        ),
        (
            {"X": np.eye(2), "y": np.arange(2), "X_test": np.eye(2), "y_test": np.array(["a", "b"])},
            r"\['y_test'\]: labels are names but the training labels are numbers",
        ),
    ],
)
def test_load_npz_names_the_file_and_key_of_bad_data(tmp_path, arrays, message):
    path = write_npz(tmp_path / "d.npz", **arrays)
    with pytest.raises(ValueError, match=re.escape(str(path)) + message):
        load_npz(path)


def test_load_npz_reports_float32_overflow(tmp_path):
    path = write_npz(tmp_path / "d.npz", X=np.array([[1e300, 0.0]]), y=np.array([0]))
    assert load_npz(path).X_train[0, 0] == 1e300
    with pytest.raises(ValueError, match="beyond the float32 range"):
        load_npz(path, dtype=np.float32)


def test_load_npz_never_unpickles(tmp_path):
    path = write_npz(tmp_path / "d.npz", X=np.eye(2), y=np.array([0, "a"], dtype=object))
    with pytest.raises(ValueError, match=r"d\.npz\['y'\]: an object array, which cannot be read without pickle"):
        load_npz(path)


def test_load_npz_rejects_files_that_are_not_npz(tmp_path):
    text = tmp_path / "d.npz"
    text.write_text("X,y\n1,0\n")
    with pytest.raises(ValueError, match=r"d\.npz: not an \.npz file"):
        load_npz(text)
    npy = tmp_path / "x.npz"
    with npy.open("wb") as f:
        np.save(f, np.eye(2))
    with pytest.raises(ValueError, match=r"x\.npz: not an \.npz file.*single \.npy array"):
        load_npz(npy)
    with pytest.raises(FileNotFoundError):
        load_npz(tmp_path / "absent.npz")


def test_load_npz_rejects_truncated_and_corrupt_archives(tmp_path):
    good = tmp_path / "good.npz"
    np.savez_compressed(good, X=np.zeros((100, 50)), y=np.zeros(100, dtype=int))
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:150])
    with pytest.raises(ValueError, match=r"cut\.npz: corrupt or truncated \.npz file"):
        load_npz(cut)
    data = bytearray(good.read_bytes())
    data[60] ^= 0xFF  # inside X's compressed data
    data[80] ^= 0xFF
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"bad\.npz\['X'\]: corrupt"):
        load_npz(bad)


def test_load_npz_rejects_integer_dtypes(tmp_path):
    with pytest.raises(TypeError, match="dtype"):
        load_npz(write_npz(tmp_path / "d.npz", X=np.eye(2), y=np.arange(2)), dtype=np.int64)


# ---------------------------------------------------------------- load_csv


def write_text(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_load_csv_reads_features_and_integer_labels(tmp_path):
    data = load_csv(write_text(tmp_path / "d.csv", "0.5,1,2\n1.5,-3,0\n2,4e1,1\n"))
    np.testing.assert_array_equal(data.X_train, [[0.5, 1], [1.5, -3], [2, 40]])
    assert data.y_train.tolist() == [2, 0, 1] and data.class_names is None and data.n_classes == 3
    assert data.X_train.flags.c_contiguous and data.X_test is None and data.name == str(tmp_path / "d.csv")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_load_csv_gives_the_requested_dtype(tmp_path, dtype):
    assert load_csv(write_text(tmp_path / "d.csv", "1,2,0\n"), dtype=dtype).X_train.dtype == dtype


@pytest.mark.parametrize(
    ("text", "header", "rows"),
    [
        ("a,b,label\n1,2,0\n3,4,1\n", "auto", 2),
        ("1,2,0\n3,4,1\n", "auto", 2),
        ("x1,2,label\n1,2,0\n", True, 1),  # a header with a numeric name needs header=True
        ("1,2,0\n3,4,1\n", False, 2),
    ],
)
def test_load_csv_detects_or_takes_the_header(tmp_path, text, header, rows):
    assert load_csv(write_text(tmp_path / "d.csv", text), header=header).n_train == rows


def test_load_csv_finds_the_label_column_by_index_or_name(tmp_path):
    path = write_text(tmp_path / "d.csv", "label,p0,p1\n1,0.25,0.5\n0,0.75,1\n")
    first = load_csv(path, label_column=0)
    named = load_csv(path, label_column="label")
    for data in (first, named):
        np.testing.assert_array_equal(data.X_train, [[0.25, 0.5], [0.75, 1]])
        assert data.y_train.tolist() == [1, 0]
    assert load_csv(path, label_column=-3).y_train.tolist() == [1, 0]


def test_load_csv_maps_string_labels_and_back(tmp_path):
    data = load_csv(write_text(tmp_path / "d.csv", "1,setosa\n2,virginica\n3, versicolor\n4,setosa\n"))
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert data.y_train.tolist() == [0, 2, 1, 0]
    assert data.label_names([2, 0]).tolist() == ["virginica", "setosa"]


def test_load_csv_accepts_labels_written_as_floats(tmp_path):
    # numpy.savetxt's default format writes 3 as 3.000000000000000000e+00.
    path = tmp_path / "d.csv"
    np.savetxt(path, [[0.5, 3.0], [0.25, 1.0]], delimiter=",")
    assert load_csv(path).y_train.tolist() == [3, 1]


def test_load_csv_reads_gzip_tabs_quotes_and_blank_lines(tmp_path):
    gz = tmp_path / "d.csv.gz"
    gz.write_bytes(gzip.compress(b"1,2,0\n\n3,4,1\n"))
    assert load_csv(gz).n_train == 2
    tsv = write_text(tmp_path / "d.tsv", "a\tb\tc\n1\t2\tx\n")
    assert load_csv(tsv, delimiter="\t").class_names == ("x",)
    quoted = write_text(tmp_path / "q.csv", '"1.5", 2 ,"big, red"\n')
    data = load_csv(quoted)
    assert data.X_train.tolist() == [[1.5, 2.0]] and data.class_names == ("big, red",)
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffa,b\n1,0\n".encode())
    assert load_csv(bom).n_train == 1


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("1,2,0\n\n3,0\n", {}, r", line 3: 2 fields, expected 3 like the first line"),
        ("a,b,c\n1,2,0\n3,x,1\n", {}, r", line 3: feature 'x' \(column 2\) is not a number"),
        ("0,1,2\n1,,2\n", {"label_column": 0}, r", line 2: feature '' \(column 2\) is not a number"),
        ("1,2,0\n3,nan,1\n", {}, r", line 2: features hold NaN or infinite values"),
        ("1,2,0\n\n3,-inf,1\n", {}, r", line 3: features hold NaN or infinite values"),
        ("1,2,0\n3,4, \n", {}, r", line 2: empty label \(column 3\)"),
        ("1,2,0\n3,4,-1\n", {}, r", line 2: label -1 is not a class"),
        ("1,2,0\n3,4,0.5\n", {}, r", line 2: label 0.5 is not a class"),
        ("1,2,0\n3,4,cat\n", {}, r": labels mix numbers \('0' on line 1\) and names \('cat' on line 2\)"),
        ("", {}, r": no data \(the file is empty\)"),
        ("\n\n", {}, r": no data \(the file is empty\)"),
        ("a,b,label\n", {}, r": no data rows after the header line"),
        ("1\n2\n", {}, r", line 1: a single column"),
        ("1,2,0\n", {"label_column": 3}, r", line 1: label_column 3 is outside the 3 columns"),
        ("1,2,0\n", {"label_column": -4}, r", line 1: label_column -4 is outside the 3 columns"),
        ("a,b,c\n1,2,0\n", {"label_column": "label"}, r", line 1: no column named 'label' in the header"),
        ('1,"2,0\n', {}, r", line 1: malformed CSV \(unexpected end of data\)"),
    ],
)
def test_load_csv_names_the_file_and_line_of_bad_data(tmp_path, text, kwargs, message):
    path = write_text(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=re.escape(str(path)) + message):
        load_csv(path, **kwargs)


def test_load_csv_reports_float32_overflow_on_its_line(tmp_path):
    path = write_text(tmp_path / "d.csv", "1,2,0\n1e300,2,0\n")
    with pytest.raises(ValueError, match=r"d\.csv, line 2: .*beyond the float32 range"):
        load_csv(path, dtype=np.float32)


def test_load_csv_rejects_files_that_are_not_text(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"1,2,\xff\xfe\n")
    with pytest.raises(ValueError, match=r"d\.csv: not UTF-8 text"):
        load_csv(path)
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(b"1,2,0\n" * 1000)[:-12])
    with pytest.raises(ValueError, match=r"cut\.csv\.gz: corrupt or truncated gzip"):
        load_csv(cut)
    with pytest.raises(FileNotFoundError):
        load_csv(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"label_column": "label", "header": False}, ValueError, "needs header=True or 'auto'"),
        ({"label_column": 1.0}, TypeError, "label_column must be a column index or a header name"),
        ({"label_column": True}, TypeError, "label_column must be a column index or a header name"),
        ({"header": "yes"}, ValueError, "header must be 'auto', True or False"),
        ({"header": 1}, ValueError, "header must be 'auto', True or False"),
        ({"delimiter": ", "}, ValueError, "delimiter must be one character"),
        ({"delimiter": '"'}, ValueError, "delimiter must be one character"),
        ({"dtype": np.int32}, TypeError, "dtype"),
    ],
)
def test_load_csv_rejects_bad_arguments(tmp_path, kwargs, error, message):
    path = write_text(tmp_path / "d.csv", "label,a\n0,1\n")
    with pytest.raises(error, match=message):
        load_csv(path, **kwargs)


# ---------------------------------------------------------------- load_dataset


def test_load_dataset_splits_the_digits_like_the_command_line():
    data = load_dataset("digits")
    X, y = load_digits()
    order = np.random.default_rng(0).permutation(len(y))
    np.testing.assert_array_equal(data.X_test, X[order[:300]])
    np.testing.assert_array_equal(data.y_train, y[order[300:]])
    assert (data.n_train, data.n_test, data.n_features, data.n_classes) == (1497, 300, 64, 10)
    assert data.class_names == DIGIT_CLASSES and data.name == "bundled UCI digits"
    for part in (data.X_train, data.y_train, data.X_test, data.y_test):
        assert part.flags.c_contiguous


def test_load_dataset_split_depends_on_seed_and_test_size():
    a, b, c = (load_dataset("digits", seed=s, dtype=np.float32) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test) and a.X_train.dtype == np.float32
    assert load_dataset("digits", test_size=97).n_test == 97
    assert load_dataset("digits", test_size=0.5).n_test == 899  # ceil(0.5 * 1797)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"test_size": 1797}, ValueError, "test_size 1797 leaves no training data: the digits data has 1797 samples"),
        ({"test_size": 0}, ValueError, "test_size must be at least 1"),
        ({"test_size": 1.0}, ValueError, r"test_size as a fraction must lie in \(0, 1\)"),
        ({"test_size": True}, TypeError, "test_size must be a sample count or a fraction"),
        ({"test_size": "10"}, TypeError, "test_size must be a sample count or a fraction"),
        ({"seed": -1}, ValueError, "seed"),
        ({"dtype": np.int8}, TypeError, "dtype"),
        ({"data_dir": "."}, ValueError, "data_dir applies only to 'mnist' and 'fashion-mnist', not to 'digits'"),
    ],
)
def test_load_dataset_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_dataset("digits", **kwargs)


def test_load_dataset_mnist_reads_train_and_test_sets(tmp_path):
    write_mnist(tmp_path, 9, 9, kind="train")
    write_mnist(tmp_path, 4, 4, kind="t10k", gz=False)
    data = load_dataset("mnist", data_dir=tmp_path)
    assert (data.n_train, data.n_test, data.n_features) == (9, 4, 784)
    assert data.name == f"MNIST in {tmp_path}" and data.class_names == DIGIT_CLASSES
    with pytest.raises(ValueError, match="holds a train and a test set; test_size applies only to a set that is split"):
        load_dataset("mnist", data_dir=tmp_path, test_size=2)


def test_load_dataset_mnist_splits_a_lone_test_set(tmp_path):
    write_mnist(tmp_path, 10, 10, kind="t10k")
    data = load_dataset("mnist", data_dir=str(tmp_path), seed=4)
    assert (data.n_train, data.n_test) == (8, 2)  # 20% held out
    assert data.name == f"MNIST t10k in {tmp_path}, split"
    assert load_dataset("mnist", data_dir=tmp_path, test_size=3).n_test == 3


def test_load_dataset_mnist_needs_a_complete_directory(tmp_path):
    with pytest.raises(ValueError, match=r"mnist is not bundled: pass data_dir \(--data-dir on the command line\)"):
        load_dataset("mnist")
    with pytest.raises(FileNotFoundError, match=f"^{re.escape(str(tmp_path / 'nowhere'))}: not a directory$"):
        load_dataset("mnist", data_dir=tmp_path / "nowhere")
    write_mnist(tmp_path, 4, 4, kind="train")
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        load_dataset("mnist", data_dir=tmp_path)


def test_load_dataset_mnist_rejects_test_labels_outside_the_classes(tmp_path):
    write_mnist(tmp_path, 3, 3, kind="train")
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((1, 28, 28), dtype=np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([12], dtype=np.uint8))
    with pytest.raises(ValueError, match=r"MNIST in .*: y_test holds label 12 but there are only 10 class names"):
        load_dataset("mnist", data_dir=tmp_path)


def test_load_dataset_fashion_mnist_reads_a_data_dir(tmp_path):
    write_mnist(tmp_path, 5, 5, kind="train")
    write_mnist(tmp_path, 2, 2, kind="t10k")
    data = load_dataset("fashion-mnist", data_dir=tmp_path, dtype=np.float32)
    assert (data.n_train, data.n_test) == (5, 2) and data.class_names == FASHION_MNIST_CLASSES
    assert data.name == f"Fashion-MNIST in {tmp_path}"


def test_load_dataset_reads_an_idx_directory_path(tmp_path):
    write_mnist(tmp_path, 6, 6, kind="train")
    write_mnist(tmp_path, 2, 2, kind="t10k")
    data = load_dataset(tmp_path)
    assert (data.n_train, data.n_test) == (6, 2) and data.class_names is None
    assert data.name == f"IDX data in {tmp_path}"


def test_load_dataset_reads_npz_files_with_and_without_a_test_set(tmp_path):
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((20, 3)), np.arange(20) % 4
    whole = load_dataset(str(write_npz(tmp_path / "a.npz", X=X, y=y, X_test=X[:3], y_test=y[:3])))
    assert (whole.n_train, whole.n_test) == (20, 3) and whole.name == str(tmp_path / "a.npz")
    with pytest.raises(ValueError, match="a.npz holds a test set; test_size applies only to data that are split"):
        load_dataset(tmp_path / "a.npz", test_size=5)
    split = load_dataset(write_npz(tmp_path / "b.npz", X=X, y=y), seed=1)
    assert (split.n_train, split.n_test) == (16, 4) and split.name == f"{tmp_path / 'b.npz'}, split"
    order = np.random.default_rng(1).permutation(20)
    np.testing.assert_array_equal(split.X_test, X[order[:4]])


def test_load_dataset_reads_csv_and_tsv_files(tmp_path):
    rows = "".join(f"{i},{i * i},{'ab'[i % 2]}\n" for i in range(10))
    data = load_dataset(write_text(tmp_path / "d.csv", "x,x2,kind\n" + rows), test_size=2)
    assert (data.n_train, data.n_test, data.n_features) == (8, 2, 2) and data.class_names == ("a", "b")
    assert data.label_names(data.y_test).tolist() == ["ab"[int(x) % 2] for x in data.X_test[:, 0]]
    tsv = tmp_path / "d.tsv.gz"
    tsv.write_bytes(gzip.compress(rows.replace(",", "\t").encode()))
    assert load_dataset(tsv).n_test == 2


def test_load_dataset_rejects_unknown_names_and_missing_paths(tmp_path):
    with pytest.raises(ValueError, match="unknown data set 'fashion': choose one of digits, fashion-mnist, mnist"):
        load_dataset("fashion")
    assert DATASET_NAMES == ("digits", "fashion-mnist", "mnist")
    with pytest.raises(FileNotFoundError, match="absent.csv: no such file or directory"):
        load_dataset(tmp_path / "absent.csv")
    other = write_text(tmp_path / "d.json", "{}")
    with pytest.raises(ValueError, match=r"d\.json: unknown kind of file"):
        load_dataset(other)
    with pytest.raises(TypeError, match="spec must be a data set name or a path"):
        load_dataset(3)
    with pytest.raises(ValueError, match="data_dir applies only"):
        load_dataset(other, data_dir=tmp_path)


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists(), reason=f"no MNIST at {MNIST_DIR}")
def test_load_dataset_splits_the_shared_mnist_test_set():
    data = load_dataset("mnist", data_dir=MNIST_DIR, dtype=np.float32)
    assert (data.n_train, data.n_test, data.n_features) == (8000, 2000, 784)


def test_a_loaded_dataset_trains_a_network_directly():
    data = load_dataset("digits", dtype=np.float32)
    net = Network([data.n_features, 16, data.n_classes], dtype=np.float32, seed=0)
    net.fit(data.X_train, data.y_train, epochs=1, batch_size=10, lr=3.0)
    assert net.accuracy(data.X_test, data.y_test) > 0.5


# ---------------------------------------------------------------- python -m deltaprop


def run_main(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deltaprop", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def timeless(stdout: str) -> list[str]:
    """The epoch and summary lines without their timings, which vary from run to run."""
    lines = [line for line in stdout.splitlines() if line.startswith(("Epoch", "done:"))]
    return [re.sub(r", [0-9.]+ s$|, wall time .*", "", line) for line in lines]


def test_main_trains_on_the_bundled_digits(tmp_path):
    result = run_main("--epochs", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1,497 training and 300 test samples" in result.stdout
    assert re.search(r"^Epoch 1/2: cost [0-9.]+, .*test accuracy [0-9.]+%, [0-9.]+ s$", result.stdout, re.M)
    assert re.search(r"^Epoch 2/2: ", result.stdout, re.M), result.stdout
    summary = re.search(
        r"^done: test accuracy ([0-9.]+)% \(([0-9,]+)/300\), test cost [0-9.]+, wall time [0-9.]+ s, "
        r"[0-9,]+ training samples/s$",
        result.stdout,
        re.M,
    )
    assert summary, result.stdout
    assert float(summary.group(1)) > 50  # two epochs already learn most digits


def test_main_is_reproducible_and_train_is_the_default_command(tmp_path):
    default = run_main("--epochs", "2", "--seed", "3", cwd=tmp_path)
    explicit = run_main("train", "--epochs", "2", "--seed", "3", cwd=tmp_path)
    assert default.returncode == 0 and explicit.returncode == 0, default.stderr + explicit.stderr
    assert len(timeless(default.stdout)) == 3
    assert timeless(default.stdout) == timeless(explicit.stdout)


def test_main_help_lists_the_options(tmp_path):
    result = run_main("train", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in ("--epochs", "--batch-size", "--lr", "--hidden", "--seed", "--data", "--data-dir", "--dtype"):
        assert option in result.stdout


def test_main_reports_bad_data_in_one_line(tmp_path):
    result = run_main("--data", "mnist", "--data-dir", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"python -m deltaprop: error: {tmp_path / 'nowhere'}: not a directory"
    result = run_main("--data", "mnist", cwd=tmp_path)
    assert result.returncode == 2 and "--data-dir" in result.stderr


def test_main_rejects_out_of_range_options(tmp_path):
    for option, value in [("--lr", "0"), ("--momentum", "1"), ("--epochs", "0"), ("--hidden", "x")]:
        result = run_main(option, value, cwd=tmp_path)
        assert result.returncode == 2, (option, value)
        assert f"argument {option}" in result.stderr


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists(), reason=f"no MNIST at {MNIST_DIR}")
def test_main_trains_on_an_mnist_directory(tmp_path):
    result = run_main(
        "--data", "mnist", "--data-dir", str(MNIST_DIR), "--epochs", "1", "--dtype", "float32", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "8,000 training and 2,000 test samples of 784 inputs" in result.stdout
    assert re.search(r"^done: test accuracy [0-9.]+% \([0-9,]+/2,000\)", result.stdout, re.M), result.stdout
