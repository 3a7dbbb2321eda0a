"""deltaprop.compat.mnist_loader on small files in the layout of the textbook's mnist.pkl.gz."""

from __future__ import annotations

import gzip
import os
import pickle

import numpy as np
import pytest

from deltaprop.compat import mnist_loader

SPLITS = {"training": 300, "validation": 60, "test": 40}


def make_parts(seed: int = 0):
    """Three (images (n, 784) float32, labels (n,) int64) pairs of random 'digits'."""
    rng = np.random.default_rng(seed)
    return tuple(
        (rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64)) for n in SPLITS.values()
    )


def write_pickle(path, parts, protocol: int = 2, numpy1_names: bool = False):
    """Write ``parts`` as a gzip'd pickle; ``numpy1_names`` names NumPy's modules as the book's file does."""
    data = pickle.dumps(parts, protocol=protocol)
    if numpy1_names:
        data = data.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
        assert b"cnumpy.core.multiarray\n_reconstruct\n" in data
    with gzip.open(path, "wb") as f:
        f.write(data)
    return path


@pytest.mark.parametrize(("protocol", "numpy1_names"), [(2, True), (2, False), (4, False), (5, False)])
def test_load_data_returns_the_stored_arrays(tmp_path, protocol, numpy1_names):
    parts = make_parts()
    path = write_pickle(tmp_path / "mnist.pkl.gz", parts, protocol, numpy1_names)
    loaded = mnist_loader.load_data(str(path))
    assert isinstance(loaded, tuple) and len(loaded) == 3
    for (images, labels), (stored_images, stored_labels) in zip(loaded, parts):
        assert images.dtype == np.float32 and images.shape == stored_images.shape
        np.testing.assert_array_equal(images, stored_images)
        np.testing.assert_array_equal(labels, stored_labels)


def test_load_data_wrapper_gives_the_textbook_lists(tmp_path):
    parts = make_parts(1)
    path = write_pickle(tmp_path / "mnist.pkl.gz", parts)
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper(path)
    for data, n in zip((training_data, validation_data, test_data), SPLITS.values()):
        assert type(data) is list and len(data) == n
        assert all(type(pair) is tuple and len(pair) == 2 for pair in data)
        assert all(x.shape == (784, 1) and x.dtype == np.float32 for x, _ in data)
    images, labels = parts[0]
    for i in (0, 123, 299):
        x, y = training_data[i]
        np.testing.assert_array_equal(x[:, 0], images[i])
        assert y.shape == (10, 1) and y.dtype == np.float64
        assert y.sum() == 1.0 and y[labels[i], 0] == 1.0
    for data, (images, labels) in zip((validation_data, test_data), parts[1:]):
        assert [int(y) for _, y in data] == labels.tolist()
        np.testing.assert_array_equal(data[-1][0][:, 0], images[-1])


def test_the_default_path_is_the_books(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "src").mkdir()
    write_pickle(tmp_path / "data" / "mnist.pkl.gz", make_parts())
    monkeypatch.chdir(tmp_path / "src")
    assert len(mnist_loader.load_data()[0][1]) == SPLITS["training"]


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere" / "mnist.pkl.gz"
    with pytest.raises(FileNotFoundError, match="no MNIST pickle") as info:
        mnist_loader.load_data(path)
    assert str(path) in str(info.value)


class _MakesADirectory:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_a_pickle_naming_anything_but_arrays_is_refused_unrun(tmp_path):
    target = tmp_path / "made-by-the-pickle"
    path = write_pickle(tmp_path / "mnist.pkl.gz", (_MakesADirectory(str(target)),))
    with pytest.raises(ValueError, match="refusing to load posix.mkdir|refusing to load nt.mkdir"):
        mnist_loader.load_data(path)
    assert not target.exists()


def test_files_that_are_not_the_books_raise_clear_errors(tmp_path):
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(make_parts()))  # not gzip'd
    with pytest.raises(ValueError, match="not a readable mnist.pkl.gz"):
        mnist_loader.load_data(plain)
    other = write_pickle(tmp_path / "other.pkl.gz", (np.zeros(3),))
    with pytest.raises(ValueError, match="three \\(images, labels\\) pairs"):
        mnist_loader.load_data(other)
