"""Loaders in deltaprop.datasets and the `python -m deltaprop` training run."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from deltaprop.datasets import load_digits, load_idx, load_mnist

# The repository's sibling shared/ holds MNIST's test set; DELTAPROP_MNIST_DIR points elsewhere.
MNIST_DIR = Path(os.environ.get("DELTAPROP_MNIST_DIR", Path(__file__).resolve().parents[2] / "shared/data/mnist"))

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
    assert re.search(r"^Epoch 1/2: cost [0-9.]+, .*val accuracy [0-9.]+%, [0-9.]+ s$", result.stdout, re.M)
    assert re.search(r"^Epoch 2/2: ", result.stdout, re.M), result.stdout
    summary = re.search(
        r"^done: test accuracy ([0-9.]+)% \((\d+)/300\), wall time [0-9.]+ s, [0-9,]+ training samples/s$",
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
    assert re.search(r"^done: test accuracy [0-9.]+% \(\d+/2000\)", result.stdout, re.M), result.stdout
