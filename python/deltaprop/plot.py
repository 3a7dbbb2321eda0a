"""Learning curves of a training run, drawn with matplotlib (the optional ``plot`` extra).

matplotlib is imported only when a plot is drawn, so ``import deltaprop`` neither needs it nor touches
its backend.
"""

from __future__ import annotations

import os

__all__ = ["learning_curves"]

_MISSING = 'matplotlib is needed for plots: pip install "deltaprop[plot]"'


def _column(history, key: str) -> list[tuple[int, float]]:
    """(epoch, value) for every record with a value under ``key``."""
    points = []
    for i, record in enumerate(history):
        value = record.get(key)
        if value is not None:
            points.append((record.get("epoch", i + 1), float(value)))
    return points


def learning_curves(
    history, path: str | os.PathLike | None = None, title: str | None = None, held_out: str = "validation"
):
    """Plot the cost and the validation accuracy of each epoch of a training run.

    The left panel shows the training cost and, when there was validation data, the validation cost;
    the right panel, present only with validation accuracies, shows the validation accuracy in percent.

    Parameters
    ----------
    history : History or list of dict
        The records returned by :meth:`deltaprop.Network.fit`: ``epoch``, ``cost`` and optionally
        ``val_cost`` and ``val_accuracy``.
    path : str or os.PathLike, optional
        Where to save the figure, as PNG (or any format matplotlib infers from the file's extension).
        A figure that is saved is drawn by matplotlib's Agg renderer and is not registered with pyplot,
        so no window opens and none are left open. Without ``path`` the figure is made by pyplot, to be
        shown with ``matplotlib.pyplot.show()`` or in a notebook.
    title : str, optional
        Title over the figure.
    held_out : str, default "validation"
        What to call the held-out data in labels, e.g. "test" when the test set was monitored.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    ValueError
        If the history has no training cost.

    Examples
    --------
    >>> history = net.fit(X, y, epochs=30, batch_size=10, lr=3.0, validation_data=(X_val, y_val))  # doctest: +SKIP
    >>> learning_curves(history, "curves.png", title="digits, [64, 30, 10]")  # doctest: +SKIP
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    cost = _column(history, "cost")
    if not cost:
        raise ValueError("the history has no training cost to plot (is it empty?)")
    val_cost = _column(history, "val_cost")
    accuracy = _column(history, "val_accuracy")

    panels = 2 if accuracy else 1
    size = (10.0, 4.0) if accuracy else (6.0, 4.0)
    if path is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size, layout="constrained")
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(fig)
    axes = fig.subplots(1, panels, squeeze=False)[0]

    ax = axes[0]
    ax.plot(*zip(*cost), marker="o", markersize=3, label="training")
    if val_cost:
        ax.plot(*zip(*val_cost), marker="o", markersize=3, label=held_out)
    values = [v for _, v in cost + val_cost]
    # Costs usually fall by orders of magnitude: a log scale keeps the later epochs readable.
    if min(values) > 0 and max(values) / min(values) > 20:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost (mean per sample)")
    if accuracy:
        ax.set_title("cost")
    ax.legend()

    if accuracy:
        ax = axes[1]
        ax.plot(*zip(*accuracy), marker="o", markersize=3, color="C1", label=held_out)
        best_epoch, best = max(accuracy, key=lambda point: point[1])
        ax.plot(best_epoch, best, marker="o", markersize=9, fillstyle="none", color="C1")
        ax.annotate(
            f"best {best:.2%} (epoch {best_epoch})",
            (best_epoch, best),
            xytext=(0, -18),
            textcoords="offset points",
            ha="center",
            fontsize="small",
        )
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{held_out} accuracy")
        ax.legend(loc="lower right")

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(os.fspath(path))
    return fig
