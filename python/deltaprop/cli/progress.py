"""What training shows while it runs: one line per epoch and, on a terminal, a live bar within long epochs.

The bar is drawn by tqdm, an optional dependency (``pip install "deltaprop[progress]"``). It is driven by
:meth:`deltaprop.Network.fit`'s ``progress`` callback, which fires a few times a second, so drawing it costs
nothing measurable. Epochs shorter than the callback interval never show a bar, only their line.
"""

from __future__ import annotations

import os
import sys

PROGRESS_HINT = 'for a live progress bar within epochs: pip install "deltaprop[progress]"'
# tqdm puts ", " before the postfix, which carries the counts, the rate and the cost in our own number format.
_BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar}| ETA {remaining}{postfix}"


class QuietDisplay:
    """Shows nothing while training (``--quiet``)."""

    def line(self, text: str) -> None:
        """Print a line of progress (here: nothing)."""

    def update(self, info: dict) -> None:
        """Show the progress within an epoch, ``info`` as given to fit's ``progress`` (here: nothing)."""

    def close(self) -> None:
        """Remove anything still drawn."""


class PlainDisplay(QuietDisplay):
    """One line per epoch. On a terminal, says once how to get a live bar, when an epoch is long enough for one."""

    def __init__(self, stream, hint: bool = False):
        self.stream = stream
        self._hint = hint

    def line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def update(self, info: dict) -> None:
        if self._hint:
            self._hint = False
            self.line(f"({PROGRESS_HINT})")


class BarDisplay(PlainDisplay):
    """One line per epoch and a tqdm bar during an epoch: share done, ETA, batches, samples/s, running cost.

    Such as ``Epoch 3/10  24%|██▍       | ETA 00:03, batch 1,434/6,000, 71,451 samples/s, cost 0.1873``.
    """

    def __init__(self, stream, tqdm):
        super().__init__(stream)
        self._tqdm = tqdm
        self._bar = None
        self._epoch = None

    def update(self, info: dict) -> None:
        if self._bar is not None and self._epoch != info["epoch"]:
            self.close()
        if self._bar is None:
            self._epoch = info["epoch"]
            self._bar = self._tqdm(
                total=info["n_samples"],
                desc=f"Epoch {info['epoch']}/{info['epochs']}",
                unit=" samples",
                leave=False,
                file=self.stream,
                # Follow the terminal's size; one that reports none (0 x 0, as some pseudo-terminals do) gets a default.
                **({"dynamic_ncols": True} if _columns(self.stream) > 0 else {"ncols": 100, "nrows": 24}),
                mininterval=0,  # the callback already limits the rate
                bar_format=_BAR_FORMAT,
                delay=1e-9,  # draw first in the update below, once the clock is set
            )
            # The epoch began before its first report: date the bar back so elapsed time and rate are right.
            self._bar.start_t = self._bar.last_print_t = self._bar.start_t - info["seconds"]
        rate = info["samples"] / info["seconds"] if info["seconds"] > 0 else 0.0
        self._bar.set_postfix_str(
            f"batch {info['batch']:,}/{info['n_batches']:,}, {rate:,.0f} samples/s, cost {info['cost']:.4f}",
            refresh=False,
        )
        self._bar.update(info["samples"] - self._bar.n)

    def line(self, text: str) -> None:
        self.close()
        super().line(text)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def make_display(quiet: bool = False, stream=None, tty: bool | None = None):
    """The display for a training run.

    Parameters
    ----------
    quiet : bool, default False
        Show nothing.
    stream : file-like, optional
        Where to write; default ``sys.stdout``.
    tty : bool, optional
        Whether ``stream`` is a terminal; default: ask it.

    Returns
    -------
    QuietDisplay, PlainDisplay or BarDisplay
        A bar on a terminal when tqdm is installed, plain epoch lines otherwise.
    """
    stream = sys.stdout if stream is None else stream
    if quiet:
        return QuietDisplay()
    if tty is None:
        tty = _isatty(stream)
    if not tty:
        return PlainDisplay(stream)
    try:
        from tqdm import tqdm
    except ImportError:
        return PlainDisplay(stream, hint=True)
    return BarDisplay(stream, tqdm)


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # not a terminal, or no file descriptor
        return 0


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
