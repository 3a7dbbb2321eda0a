"""One-line error reports and exit statuses of the command line."""

from __future__ import annotations

import os
import sys

from ..network import DivergenceError

# Exit statuses: training diverged or a check failed (1); bad usage, data or files (2); Ctrl-C outside training.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A problem the user can fix, reported as one line with exit status ``status``.

    Parameters
    ----------
    message : str
        What went wrong and, where it helps, what to do about it.
    status : int, default 2
        The exit status.
    """

    def __init__(self, message: str, status: int = EXIT_USAGE):
        super().__init__(message)
        self.status = status


def describe(exc: BaseException) -> str:
    """The message of ``exc`` as one line, naming the file for operating-system errors."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        # "[Errno 2] No such file or directory: 'x'" reads better as "x: no such file or directory".
        strerror = exc.strerror[0].lower() + exc.strerror[1:]
        return f"{os.fsdecode(exc.filename)}: {strerror}"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def report(prog: str, exc: BaseException) -> int:
    """Print ``exc`` as one line on stderr and return the exit status that goes with it."""
    if isinstance(exc, CommandError):
        status, text = exc.status, f"error: {describe(exc)}"
    elif isinstance(exc, DivergenceError):
        status, text = EXIT_FAILED, describe(exc)
    elif isinstance(exc, (ValueError, OSError, ImportError)):
        # Bad data, bad options, unreadable or missing files, a missing optional package.
        status, text = EXIT_USAGE, f"error: {describe(exc)}"
    else:
        status = EXIT_FAILED
        text = f"internal error: {type(exc).__name__}: {describe(exc)} (run with --debug for the traceback)"
    print(f"{prog}: {text}", file=sys.stderr, flush=True)
    return status
