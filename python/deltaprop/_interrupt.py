"""Ctrl-C during training: finish the current mini-batch, then stop, rather than unwind mid-update."""

from __future__ import annotations

import signal
import threading


class StopOnInterrupt:
    """Context manager under which a first Ctrl-C only sets :attr:`requested`.

    It takes effect in the main thread while Python's default SIGINT handler is installed (a
    program's own handler is left alone). A second Ctrl-C raises KeyboardInterrupt as usual, for
    a user who does not want to wait for the current mini-batch.
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> bool:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
