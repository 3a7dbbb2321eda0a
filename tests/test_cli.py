"""The `deltaprop` command line: train, evaluate, predict, info, selfcheck, progress display and errors."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from deltaprop import Network, _core
from deltaprop.cli import main
from deltaprop.cli import progress as progress_module
from deltaprop.cli.evaluate import confusion_matrix, format_confusion
from deltaprop.datasets import FASHION_MNIST_CLASSES, FASHION_MNIST_ENV, load_digits

EPOCH_LINE = re.compile(
    r"^Epoch (\d+)/(\d+): cost [0-9.]+, (test|val) cost [0-9.]+, \3 accuracy [0-9.]+%, [0-9.]+ s$", re.M
)
SUMMARY = re.compile(
    r"^done: test accuracy ([0-9.]+)% \(([0-9,]+)/([0-9,]+)\), test cost ([0-9.]+), wall time [0-9.]+ s, "
    r"([0-9,]+) training samples/s$",
    re.M,
)
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command line in this process; returns (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_process(*argv: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deltaprop", *argv], cwd=cwd, capture_output=True, text=True, timeout=120, **kwargs
    )


def one_line_error(err: str, prog: str = "deltaprop") -> str:
    """The message of a one-line error report, after checking it is one line without a traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith(f"{prog}: error: "), err
    return lines[0][len(f"{prog}: error: ") :]


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> tuple[Path, float]:
    """A model trained and saved by the command line, with its printed test accuracy."""
    path = tmp_path_factory.mktemp("model") / "digits.npz"
    status = main(["train", "--epochs", "8", "--seed", "3", "--quiet", "--save", str(path)])
    assert status == 0 and path.is_file()
    return path, Network.load(path).metadata["test_accuracy"]


# ---------------------------------------------------------------- train


def test_train_on_the_bundled_digits_prints_epochs_and_a_summary(capsys):
    status, out, err = run(capsys, "train", "--epochs", "3")
    assert status == 0, err
    assert "data: bundled UCI digits: 1,497 training and 300 test samples of 64 inputs, 10 classes" in out
    assert "sizes=[64, 30, 10]" in out and "2,260 parameters" in out
    assert "training: 3 epochs, batch size 10, sgd, lr 3, l2 0, 1 thread" in out
    epochs = EPOCH_LINE.findall(out)
    assert [(int(e), int(n), kind) for e, n, kind in epochs] == [(1, 3, "test"), (2, 3, "test"), (3, 3, "test")]
    summary = SUMMARY.search(out)
    assert summary, out
    assert float(summary.group(1)) > 80 and summary.group(3) == "300"
    assert int(summary.group(5).replace(",", "")) > 0
    assert "\r" not in out and err == ""  # not a terminal: plain lines, no bar


def test_no_command_means_train_and_runs_are_reproducible(capsys):
    first = run(capsys, "--epochs", "2", "--seed", "5")
    second = run(capsys, "train", "--epochs", "2", "--seed", "5")
    assert first[0] == second[0] == 0

    def timeless(out):
        return [re.sub(r", [0-9.]+ s$|, wall time .*", "", line) for line in out.splitlines() if "Epoch" in line]

    assert timeless(first[1]) == timeless(second[1]) and len(timeless(first[1])) == 2


def test_quiet_prints_only_the_summary(capsys):
    status, out, err = run(capsys, "train", "--epochs", "2", "--quiet")
    assert status == 0 and err == ""
    assert len(out.splitlines()) == 1 and SUMMARY.match(out), out


@pytest.mark.parametrize("hidden", [["100,50"], ["100", "50"], ["100,", "50"]])
def test_hidden_takes_comma_or_space_separated_widths(capsys, hidden):
    status, out, _ = run(capsys, "--epochs", "1", "--hidden", *hidden)
    assert status == 0 and "sizes=[64, 100, 50, 10]" in out


def test_hidden_none_trains_without_a_hidden_layer(capsys):
    status, out, _ = run(capsys, "--epochs", "1", "--hidden", "none", "--loss", "log_likelihood")
    assert status == 0 and "sizes=[64, 10]" in out


@pytest.mark.parametrize(
    ("options", "network", "training"),
    [
        (["--loss", "log_likelihood"], "output_activation='softmax', loss='log_likelihood'", "sgd, lr 0.5"),
        (["--loss", "cross_entropy", "--activation", "tanh"], "output_activation='sigmoid'", "sgd, lr 0.1"),
        (["--activation", "relu"], "activation='relu', output_activation='relu'", "sgd, lr 0.1"),
        (["--optimizer", "nesterov"], "activation='sigmoid'", "nesterov 0.9, lr 0.3"),
        (["--optimizer", "momentum", "--momentum", "0.5", "--lr", "1"], "sigmoid", "momentum 0.5, lr 1,"),
        (["--momentum", "0.8"], "sigmoid", "momentum 0.8, lr 0.6"),
        (["--dtype", "float32", "--l2", "0.5", "--batch-size", "32"], "dtype=float32", "batch size 32, sgd"),
    ],
)
def test_options_reach_the_network_and_the_training(capsys, options, network, training):
    status, out, err = run(capsys, "--epochs", "2", *options)
    assert status == 0, err
    assert network in out.splitlines()[1] and training in out.splitlines()[2], out
    assert len(EPOCH_LINE.findall(out)) == 2 and SUMMARY.search(out)


def test_threads_are_used_or_refused_in_one_line(capsys):
    status, out, err = run(capsys, "--epochs", "1", "--threads", "2", "--batch-size", "200", "--hidden", "300")
    if _core.openmp:
        assert status == 0 and "2 threads" in out
    else:
        assert status == 2 and "OpenMP" in one_line_error(err)


def test_batches_too_small_to_share_say_so_and_use_one_thread(capsys):
    status, out, err = run(capsys, "--epochs", "1", "--threads", "2")
    assert status == 0, err
    assert "1 thread (of 2 asked: batches too small to share)" in out


def test_validation_split_monitors_part_of_the_training_data(capsys):
    status, out, err = run(capsys, "--epochs", "2", "--validation-split", "0.2")
    assert status == 0, err
    assert "1,198 training, 299 validation and 300 test samples" in out
    assert [kind for *_, kind in EPOCH_LINE.findall(out)] == ["val", "val"]
    assert SUMMARY.search(out).group(3) == "300"  # the test set stays for the summary


def test_test_size_takes_a_count_or_a_fraction(capsys):
    assert "1,697 training and 100 test samples" in run(capsys, "--epochs", "1", "--test-size", "100")[1]
    assert "1,437 training and 360 test samples" in run(capsys, "--epochs", "1", "--test-size", "0.2")[1]


def test_training_on_a_user_file(capsys, tmp_path):
    X, y = load_digits()
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])[y]
    np.savez(tmp_path / "mine.npz", X=X[:1000], y=names[:1000], X_test=X[1000:], y_test=names[1000:])
    status, out, err = run(capsys, "--data", str(tmp_path / "mine.npz"), "--epochs", "3", "--save", str(tmp_path / "m"))
    assert status == 0, err
    assert "1,000 training and 797 test samples of 64 inputs, 10 classes" in out
    assert float(SUMMARY.search(out).group(1)) > 80
    # Class names come from the file (sorted) and go into the model.
    assert Network.load(tmp_path / "m").metadata["class_names"][:3] == ["eight", "five", "four"]


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="matplotlib is not installed")
def test_plot_writes_learning_curves(capsys, tmp_path):
    path = tmp_path / "curves.png"
    status, out, err = run(capsys, "--epochs", "3", "--plot", str(path))
    assert status == 0, err
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
    assert f"saved learning curves to {path}" in out


def test_plot_without_matplotlib_fails_before_training(capsys, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    status, out, err = run(capsys, "--epochs", "3", "--plot", str(tmp_path / "c.png"))
    assert status == 2 and out == ""
    assert one_line_error(err) == '--plot needs matplotlib: pip install "deltaprop[plot]"'


def test_save_to_a_missing_directory_fails_before_training(capsys, tmp_path):
    status, out, err = run(capsys, "--epochs", "3", "--save", str(tmp_path / "no" / "m.npz"))
    assert status == 2 and out == ""
    assert "does not exist" in one_line_error(err)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--optimizer", "sgd", "--momentum", "0.5"], "--momentum needs --optimizer momentum or nesterov"),
        (["--loss", "log_likelihood", "--output-activation", "sigmoid"], "log_likelihood"),
        (["--loss", "cross_entropy", "--output-activation", "softmax"], "cross_entropy"),
        (["--data", "nonsense"], "unknown data set 'nonsense'"),
        (["--data", "missing.npz"], "missing.npz: no such file or directory"),
        (["--data", "digits", "--data-dir", "."], "data_dir"),
        (["--test-size", "2000"], "leaves no training data"),
    ],
)
def test_bad_combinations_give_one_line_errors(capsys, options, message):
    status, out, err = run(capsys, "--epochs", "1", *options)
    assert status == 2 and "Epoch" not in out
    assert message in one_line_error(err)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--lr", "0"),
        ("--lr", "nan"),
        ("--momentum", "1"),
        ("--epochs", "0"),
        ("--hidden", "x"),
        ("--hidden", "0"),
        ("--activation", "softmax"),
        ("--optimizer", "adam"),
        ("--validation-split", "1"),
        ("--test-size", "0"),
    ],
)
def test_out_of_range_options_are_usage_errors(capsys, option, value):
    status, out, err = run(capsys, option, value)
    assert status == 2 and out == ""
    assert f"argument {option}" in err and "Traceback" not in err


def test_divergence_exits_with_status_1(capsys):
    status, _, err = run(capsys, "--activation", "relu", "--output-activation", "identity", "--lr", "100")
    assert status == 1
    assert err.startswith("deltaprop: training diverged in epoch 1") and len(err.strip().splitlines()) == 1


def test_missing_fashion_mnist_says_how_to_install_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(FASHION_MNIST_ENV, str(tmp_path))
    status, out, err = run(capsys, "--data", "fashion-mnist")
    assert status == 2 and out == ""
    message = one_line_error(err)
    assert message.startswith("Fashion-MNIST not found") and "apt-get install dataset-fashion-mnist" in message


# ---------------------------------------------------------------- Ctrl-C


def interrupt_after(monkeypatch, calls: int):
    """Make fit report every batch and raise KeyboardInterrupt, as Ctrl-C would, at the ``calls``-th report."""
    fit = Network.fit
    seen = []

    def fit_with_interrupt(self, *args, progress, **kwargs):
        def report(info):
            seen.append(info)
            if len(seen) == calls:
                raise KeyboardInterrupt
            return progress(info)

        return fit(self, *args, progress=report, progress_interval=1e-9, **kwargs)

    monkeypatch.setattr(Network, "fit", fit_with_interrupt)
    return seen


def test_ctrl_c_inside_an_epoch_stops_cleanly_saves_and_summarises(capsys, tmp_path, monkeypatch):
    # 150 batches per epoch, each reported, and an end-of-epoch report: the 25th batch of the second epoch.
    seen = interrupt_after(monkeypatch, calls=151 + 25)
    path = tmp_path / "m.npz"
    status, out, err = run(capsys, "--epochs", "30", "--save", str(path))
    assert status == 0, err
    assert (seen[-1]["epoch"], seen[-1]["batch"], seen[-1]["done"]) == (2, 25, False)
    assert "interrupted after 1 of 30 epochs and 250 samples of epoch 2" in out  # the 25 batches reported
    assert len(EPOCH_LINE.findall(out)) == 1 and SUMMARY.search(out)
    net = Network.load(path)
    assert net.metadata["interrupted"] is True and net.metadata["epochs_this_run"] == 1
    # The model is the consistent state after the last mini-batch: it still classifies well.
    X, y = load_digits()
    assert net.accuracy(X, y) > 0.5


def test_ctrl_c_between_epochs_stops_cleanly(capsys, monkeypatch):
    seen = interrupt_after(monkeypatch, calls=151 * 2)  # the end-of-epoch report of epoch 2
    status, out, _ = run(capsys, "--epochs", "30")
    assert status == 0 and seen[-1]["epoch"] == 2 and seen[-1]["done"]
    # Epoch 2 is complete, though interrupted before its line was printed.
    assert len(EPOCH_LINE.findall(out)) == 1
    assert re.search(r"^interrupted after 2 of 30 epochs$", out, re.M) and SUMMARY.search(out)


def test_sigint_stops_a_training_process_which_saves_and_summarises(tmp_path):
    path = tmp_path / "m.npz"
    # Epochs of about half a second, so that the signal usually arrives inside one, in the engine.
    options = ["--hidden", "700,700", "--batch-size", "1", "--epochs", "1000", "--save", str(path)]
    process = subprocess.Popen(
        [sys.executable, "-m", "deltaprop", *options],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while not any(line.startswith("Epoch 2/") for line in lines):
            line = process.stdout.readline()
            assert line, "the process ended early: " + "".join(lines) + process.stderr.read()
            lines.append(line)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    out = "".join(lines) + out
    assert process.returncode == 0, err
    assert re.search(r"^interrupted after \d+ of 1,000 epochs", out, re.M) and SUMMARY.search(out)
    assert f"saved the network to {path}" in out and "Traceback" not in err
    assert Network.load(path).metadata["interrupted"] is True


# ---------------------------------------------------------------- progress display


def epoch_reports(n_samples=1000, batch=10, count=4):
    for i in range(1, count + 1):
        samples = i * n_samples // (count + 1)
        yield {
            "epoch": 2,
            "epochs": 5,
            "batch": samples // batch,
            "n_batches": n_samples // batch,
            "samples": samples,
            "n_samples": n_samples,
            "cost": 0.5 / i,
            "seconds": 0.2 * i,
            "done": False,
        }


def test_bar_on_a_terminal_shows_samples_rate_batches_cost_and_eta():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    display = progress_module.make_display(stream=stream, tty=True)
    assert isinstance(display, progress_module.BarDisplay)
    for info in epoch_reports():
        display.update(info)
    display.line("Epoch 2/5: cost 0.1")
    frames = stream.getvalue().split("\r")
    last = [f for f in frames if "samples/s" in f][-1]
    assert last.startswith("Epoch 2/5  80%|")
    assert last.endswith("| ETA 00:00, batch 80/100, 1,000 samples/s, cost 0.1250")
    assert stream.getvalue().endswith("\rEpoch 2/5: cost 0.1\n")  # the bar is cleared before the line


def test_without_tqdm_a_terminal_gets_plain_lines_and_one_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails
    stream = io.StringIO()
    display = progress_module.make_display(stream=stream, tty=True)
    for info in epoch_reports():
        display.update(info)
    display.line("Epoch 2/5: cost 0.1")
    display.update(next(epoch_reports()))
    assert stream.getvalue() == f"({progress_module.PROGRESS_HINT})\nEpoch 2/5: cost 0.1\n"
    assert 'pip install "deltaprop[progress]"' in progress_module.PROGRESS_HINT


def test_no_terminal_means_plain_lines_and_no_hint():
    stream = io.StringIO()
    display = progress_module.make_display(stream=stream, tty=None)  # StringIO is not a terminal
    for info in epoch_reports():
        display.update(info)
    display.line("Epoch 2/5: cost 0.1")
    assert stream.getvalue() == "Epoch 2/5: cost 0.1\n"
    assert isinstance(progress_module.make_display(quiet=True, stream=stream, tty=True), progress_module.QuietDisplay)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_pseudo_terminal_shows_a_live_bar_a_few_times_a_second(tmp_path):
    pytest.importorskip("tqdm")
    import pty

    main_fd, child_fd = pty.openpty()
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "deltaprop", "--hidden", "700,700", "--batch-size", "1", "--epochs", "1"],
            cwd=tmp_path,
            stdout=child_fd,
            stderr=child_fd,
        )
        os.close(child_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the terminal is closed once the process has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    finally:
        os.close(main_fd)
    seconds = time.perf_counter() - started
    out = b"".join(chunks).decode()
    assert process.returncode == 0, out
    frames = [f for f in out.split("\r") if "samples/s" in f]
    assert frames, out
    assert re.search(r"Epoch 1/1 +\d+%\|.*\| ETA \d\d:\d\d, batch [0-9,]+/1,497, [0-9,]+ samples/s, cost", frames[0])
    assert "cost 0." in frames[-1]
    assert len(frames) <= 6 * seconds + 2  # a few redraws a second, not one per batch
    lines = re.split(r"\r\n|\r|\n", out)  # the bar is cleared with a carriage return before each line
    assert any(EPOCH_LINE.match(line) for line in lines) and any(SUMMARY.match(line) for line in lines), out


# ---------------------------------------------------------------- info, evaluate, predict


def test_info_describes_a_model_file(capsys, model):
    path, _ = model
    status, out, err = run(capsys, "info", str(path))
    assert status == 0, err
    assert "format version 1" in out and "architecture: 64 -> 30 -> 10" in out
    assert "layer 1 (hidden): 64 -> 30, sigmoid, 1,950 parameters" in out
    assert "parameters: 2,260 float64" in out and "loss: quadratic" in out
    assert "training: 8 epochs, 11,976 samples seen" in out and "lr 3, batch size 10, sgd" in out
    assert "data: bundled UCI digits (10 classes: 0, 1, 2" in out and "result: test accuracy" in out
    assert "command: deltaprop train --epochs 8 --seed 3 --quiet --save" in out


def test_info_json_prints_the_header(capsys, model):
    import json

    status, out, _ = run(capsys, "info", str(model[0]), "--json")
    header = json.loads(out)
    assert status == 0 and header["sizes"] == [64, 30, 10] and header["n_params"] == 2260


def test_evaluate_repeats_the_training_split_and_prints_a_confusion_matrix(capsys, model):
    path, accuracy = model
    status, out, err = run(capsys, "evaluate", str(path))
    assert status == 0, err
    assert f"accuracy: {100 * accuracy:.2f}% ({round(accuracy * 300)}/300)" in out
    assert "data: bundled UCI digits, test part: 300 samples" in out
    rows = [line.split() for line in out.splitlines() if re.match(r"^\d ", line)]
    counts = np.array([[int(c) for c in row[1:11]] for row in rows])
    assert counts.shape == (10, 10) and counts.sum() == 300
    assert np.trace(counts) == round(accuracy * 300)
    assert "rows: true class, columns: predicted class" in out and "precision" in out


def test_evaluate_other_parts_and_data(capsys, model):
    status, out, _ = run(capsys, "evaluate", str(model[0]), "--split", "all")
    assert status == 0 and "all part: 1,797 samples" in out
    status, _, err = run(capsys, "evaluate", str(model[0]), "--data", "mnist", "--data-dir", "/nowhere")
    assert status == 2 and "/nowhere" in one_line_error(err)


def test_confusion_matrix_names_classes():
    counts = confusion_matrix(np.array([0, 0, 1, 9]), np.array([0, 1, 1, 9]), 10)
    assert counts[0, 0] == counts[0, 1] == counts[1, 1] == counts[9, 9] == 1 and counts.sum() == 4
    text = format_confusion(counts, FASHION_MNIST_CLASSES)
    lines = text.splitlines()
    assert lines[2].startswith("0 T-shirt/top ") and lines[2].endswith(" 50.0%")
    assert lines[11].startswith("9 Ankle boot ") and lines[11].endswith("100.0%")
    assert lines[4].endswith("      -")  # a class without samples has no recall
    assert len({len(line) for line in lines[1:12]}) == 1  # aligned columns


def test_predict_round_trip_in_every_output_format(capsys, model, tmp_path):
    path, _ = model
    net = Network.load(path)
    X, _ = load_digits()
    expected = net.predict(X[:20])
    np.savez(tmp_path / "in.npz", X=X[:20])

    status, out, _ = run(capsys, "predict", str(path), str(tmp_path / "in.npz"))
    assert status == 0 and out.split() == [str(k) for k in expected]

    status, out, _ = run(capsys, "predict", str(path), str(tmp_path / "in.npz"), "--output", str(tmp_path / "p.npz"))
    assert status == 0 and out.strip() == f"wrote 20 predictions to {tmp_path / 'p.npz'}"
    with np.load(tmp_path / "p.npz") as f:
        np.testing.assert_array_equal(f["labels"], expected)
        np.testing.assert_array_equal(f["outputs"], net.feedforward(X[:20]))
        assert list(f["class_names"]) == list("0123456789")

    assert run(capsys, "predict", str(path), str(tmp_path / "in.npz"), "-o", str(tmp_path / "p.npy"))[0] == 0
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), expected)

    np.savetxt(tmp_path / "in.csv", X[:20], delimiter=",", header=",".join(f"px{i}" for i in range(64)), comments="")
    assert run(capsys, "predict", str(path), str(tmp_path / "in.csv"), "-o", str(tmp_path / "p.csv"))[0] == 0
    table = (tmp_path / "p.csv").read_text().splitlines()
    assert table[0].startswith("label,class,output_0,") and len(table) == 21
    assert [int(row.split(",")[0]) for row in table[1:]] == list(expected)
    np.testing.assert_allclose(
        np.loadtxt(tmp_path / "p.csv", delimiter=",", skiprows=1)[:, 2:], net.feedforward(X[:20]), rtol=1e-8
    )


def test_predict_reads_idx_images_as_pixels(capsys, model, tmp_path):
    path, _ = model
    net = Network.load(path)
    images = np.random.default_rng(0).integers(0, 256, size=(5, 8, 8), dtype=np.uint8)
    header = bytes([0, 0, 0x08, 3]) + b"".join(d.to_bytes(4, "big") for d in images.shape)
    (tmp_path / "images-idx3-ubyte").write_bytes(header + images.tobytes())
    status, out, _ = run(capsys, "predict", str(path), str(tmp_path / "images-idx3-ubyte"))
    assert status == 0
    assert out.split() == [str(k) for k in net.predict(images.reshape(5, 64) / 255)]


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (
            lambda d: np.savez(d / "in.npz", X=np.zeros((3, 10))),
            "samples have 10 features (shape (3, 10)); the network takes 64",
        ),
        (lambda d: np.savez(d / "in.npz", A=np.zeros(3), B=np.zeros(3)), "which array holds the samples? keys: A, B"),
        (lambda d: np.savetxt(d / "in.csv", np.zeros((2, 65)), delimiter=","), "(drop the label column)"),
        (lambda d: (d / "in.csv").write_text("1,2\n3,x\n"), "line 2: 'x' is not a number"),
        (lambda d: (d / "in.dat").write_bytes(b"hello"), "bad IDX magic number"),
    ],
)
def test_predict_rejects_bad_inputs_in_one_line(capsys, model, tmp_path, make_input, message):
    make_input(tmp_path)
    (name,) = [p.name for p in tmp_path.iterdir()]
    status, out, err = run(capsys, "predict", str(model[0]), str(tmp_path / name))
    assert status == 2 and out == ""
    assert message in one_line_error(err)


def test_predict_refuses_an_unknown_output_format_before_reading(capsys, model, tmp_path):
    status, _, err = run(capsys, "predict", str(model[0]), "whatever.npz", "-o", str(tmp_path / "p.txt"))
    assert status == 2 and "must end in .csv, .npz or .npy" in one_line_error(err)


# ---------------------------------------------------------------- model file errors


@pytest.mark.parametrize("command", ["info", "evaluate", "predict"])
def test_a_corrupted_model_file_is_one_line_and_exit_2(capsys, model, tmp_path, command):
    broken = tmp_path / "broken.npz"
    data = model[0].read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    extra = [str(broken)] if command == "predict" else []
    status, out, err = run(capsys, command, str(broken), *extra)
    assert status == 2 and out == ""
    assert one_line_error(err).startswith(f"cannot load model file '{broken}'")


def test_a_missing_model_file_is_one_line_and_exit_2(capsys, tmp_path):
    status, _, err = run(capsys, "info", str(tmp_path / "none.npz"))
    assert status == 2 and one_line_error(err) == f"{tmp_path / 'none.npz'}: no such file or directory"


def test_a_corrupted_model_in_a_process_has_no_traceback_unless_debug(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip")
    result = run_process("info", "junk.npz", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert one_line_error(result.stderr, prog="python -m deltaprop").startswith("cannot load model file 'junk.npz'")
    result = run_process("--debug", "info", "junk.npz", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr
    result = run_process("info", "junk.npz", "--debug", cwd=tmp_path)
    assert "Traceback" in result.stderr


# ---------------------------------------------------------------- selfcheck and the program


def test_selfcheck_passes_on_this_build(capsys):
    status, out, _ = run(capsys, "selfcheck")
    assert status == 0
    assert "gradient" in out.lower() and out.strip().splitlines()[-1].startswith("selfcheck passed: all")


def test_selfcheck_failure_exits_with_status_1(capsys, monkeypatch):
    from deltaprop import selfcheck

    class Failed:
        ok = False

        def format(self):
            return "selfcheck FAILED: 1 of 1 checks"

    monkeypatch.setattr(selfcheck, "run_selfcheck", lambda seed=0: Failed())
    status, out, _ = run(capsys, "selfcheck")
    assert status == 1 and "FAILED" in out


def test_help_and_version(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for command in ("train", "evaluate", "predict", "info", "selfcheck"):
        assert command in out
    status, out, _ = run(capsys, "train", "--help")
    for option in ("--data", "--hidden", "--activation", "--output-activation", "--loss", "--optimizer", "--lr",
                   "--momentum", "--l2", "--epochs", "--batch-size", "--dtype", "--threads", "--seed",
                   "--validation-split", "--save", "--plot", "--quiet", "--debug"):  # fmt: skip
        assert option in out
    assert "adam" not in out
    assert run(capsys, "--version")[1].startswith("deltaprop ")


def test_python_dash_m_runs_the_command_line(tmp_path):
    result = run_process("--epochs", "2", "--quiet", cwd=tmp_path)
    assert result.returncode == 0 and SUMMARY.match(result.stdout), result.stderr


def test_models_saved_from_python_work_too(capsys, tmp_path):
    path = tmp_path / "plain.npz"
    Network([64, 20, 10], seed=0).save(path)
    status, out, _ = run(capsys, "info", str(path))
    assert status == 0 and "training: none" in out and "command:" not in out
    status, _, err = run(capsys, "evaluate", str(path))
    assert status == 2 and "does not say which data it was trained on; give --data" in one_line_error(err)
    status, out, _ = run(capsys, "evaluate", str(path), "--data", "digits")
    assert status == 0 and "test part: 300 samples" in out and "confusion matrix" in out


def test_names_accept_hyphens_as_in_log_likelihood(capsys):
    code = main(
        ["train", "--activation", "leaky-relu", "--loss", "log-likelihood", "--epochs", "1", "--quiet"],
        prog="deltaprop",
    )
    assert code == 0, capsys.readouterr().err
    assert "test accuracy" in capsys.readouterr().out
