"""deltaprop.plot.learning_curves: the figure, the saved PNG, and the message when matplotlib is missing."""

from __future__ import annotations

import struct
import subprocess
import sys

import numpy as np
import pytest

from deltaprop import History, Network
from deltaprop.datasets import load_digits
from deltaprop.plot import learning_curves

try:
    import matplotlib  # noqa: F401

    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False

needs_matplotlib = pytest.mark.skipif(
    not HAVE_MATPLOTLIB,
    reason='matplotlib is not installed (the optional extra: pip install "deltaprop[plot]")',
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_history(validation: bool = True, accuracy: bool = True, epochs: int = 6) -> History:
    records = []
    for epoch in range(1, epochs + 1):
        record = {"epoch": epoch, "cost": 1.0 / epoch}
        if validation:
            record["val_cost"] = 1.2 / epoch
            record["val_accuracy"] = 1.0 - 0.5 / epoch if accuracy else None
        record["seconds"] = 0.01
        records.append(record)
    return History(records)


def png_size(path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def legend_labels(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.fixture
def pyplot():
    plt = pytest.importorskip("matplotlib.pyplot")
    yield plt
    plt.close("all")


@needs_matplotlib
def test_png_is_written_with_the_figure_size_and_real_content(tmp_path):
    path = tmp_path / "curves.png"
    fig = learning_curves(make_history(), path)
    width, height = png_size(path)
    expected = np.round(fig.get_size_inches() * fig.dpi).astype(int)
    assert (width, height) == tuple(expected)
    assert path.stat().st_size > 10_000  # two panels of lines, text and ticks, not a blank image


@needs_matplotlib
def test_with_validation_left_panel_has_both_costs_and_right_panel_the_accuracy():
    history = make_history()
    fig = learning_curves(history, title="digits")
    cost_ax, accuracy_ax = fig.axes
    assert legend_labels(cost_ax) == ["training", "validation"]
    training, validation = cost_ax.get_lines()
    assert list(training.get_xdata()) == history["epoch"]
    assert list(training.get_ydata()) == history["cost"]
    assert list(validation.get_ydata()) == history["val_cost"]
    assert list(accuracy_ax.get_lines()[0].get_ydata()) == history["val_accuracy"]
    assert cost_ax.get_xlabel() == accuracy_ax.get_xlabel() == "epoch"
    assert "cost" in cost_ax.get_ylabel() and accuracy_ax.get_ylabel() == "accuracy"
    assert "digits" in [text.get_text() for text in fig.texts]
    assert any("best 91.67% (epoch 6)" == text.get_text() for text in accuracy_ax.texts)


@needs_matplotlib
def test_history_without_validation_draws_the_training_cost_alone(tmp_path):
    path = tmp_path / "cost.png"
    fig = learning_curves(make_history(validation=False), path)
    (ax,) = fig.axes
    assert legend_labels(ax) == ["training"]
    assert len(ax.get_lines()) == 1
    assert png_size(path)[0] > 0


@needs_matplotlib
def test_single_output_history_without_accuracy_has_costs_only():
    fig = learning_curves(make_history(accuracy=False))
    (ax,) = fig.axes
    assert legend_labels(ax) == ["training", "validation"]


@needs_matplotlib
def test_a_plain_list_of_records_is_accepted():
    fig = learning_curves([{"epoch": 1, "cost": 0.5}, {"epoch": 2, "cost": 0.25}])
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [0.5, 0.25]


@needs_matplotlib
def test_empty_history_is_a_value_error():
    with pytest.raises(ValueError, match="no training cost"):
        learning_curves(History())


@needs_matplotlib
def test_saved_figure_is_not_left_open_in_pyplot(pyplot, tmp_path):
    before = pyplot.get_fignums()
    learning_curves(make_history(), tmp_path / "curves.png")
    assert pyplot.get_fignums() == before


@needs_matplotlib
def test_figure_without_path_is_a_pyplot_figure_to_show(pyplot):
    fig = learning_curves(make_history())
    assert fig.number in pyplot.get_fignums()


def test_missing_matplotlib_raises_import_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError) as info:
        learning_curves(make_history())
    assert str(info.value) == 'matplotlib is needed for plots: pip install "deltaprop[plot]"'


def test_importing_deltaprop_and_its_plot_module_does_not_import_matplotlib():
    code = "import sys, deltaprop, deltaprop.plot; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


@needs_matplotlib
def test_curves_of_a_real_training_run_on_the_digits(tmp_path):
    X, y = load_digits()
    net = Network([64, 20, 10], seed=0)
    history = net.fit(X[:1500], y[:1500], epochs=4, batch_size=10, lr=3.0, validation_data=(X[1500:], y[1500:]))
    path = tmp_path / "digits.png"
    fig = learning_curves(history, path, title="digits")
    assert png_size(path) == tuple(np.round(fig.get_size_inches() * fig.dpi).astype(int))
    accuracy = fig.axes[1].get_lines()[0].get_ydata()
    assert len(accuracy) == 4 and all(0.0 <= a <= 1.0 for a in accuracy)
