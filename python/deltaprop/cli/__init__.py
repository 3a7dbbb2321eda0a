"""The ``deltaprop`` command line: train, evaluate, predict, info and selfcheck.

``main(argv)`` parses the arguments, runs one command and returns its exit status: 0 when it worked,
1 when training diverged or the self-check failed, 2 for bad usage, data or files (reported in one line,
without a traceback unless ``--debug`` is given), 130 when interrupted outside training.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from . import evaluate, info, predict, selfcheck, train
from .errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, report
from .options import HelpFormatter

__all__ = ["build_parser", "main"]

COMMANDS = {"train": train, "evaluate": evaluate, "predict": predict, "info": info, "selfcheck": selfcheck}
DEFAULT_COMMAND = "train"


def build_parser(prog: str = "deltaprop") -> argparse.ArgumentParser:
    """The argument parser, one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Train and use fully-connected neural networks with deltaprop's C++ backpropagation engine.",
        epilog=f"Without a command, '{DEFAULT_COMMAND}' runs: `{prog}` alone trains a network on the bundled "
        f"handwritten digits in about a second.\nEach command has its own help: `{prog} train --help`.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"deltaprop {__version__}")
    debug = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a sub-parser from resetting a --debug given before the command.
    debug.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show the full traceback of errors"
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback of errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for module in COMMANDS.values():
        module.add_parser(commands, parents=[debug], formatter_class=HelpFormatter)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "deltaprop") -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments, default ``sys.argv[1:]``. Without a command, ``train`` is assumed.
    prog : str, default "deltaprop"
        The program name used in messages.

    Returns
    -------
    int
        The exit status.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(prog)
    # `deltaprop --epochs 5` means `deltaprop train --epochs 5`.
    first = next((a for a in argv if a != "--debug"), None)
    if first not in (*COMMANDS, "-h", "--help", "--version"):
        argv.insert(argv.index(first) if first is not None else len(argv), DEFAULT_COMMAND)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed by argparse
        return EXIT_USAGE if exc.code not in (0, None) else 0
    args.prog = prog
    args.argv = argv
    try:
        return COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`deltaprop ... | head`): stop quietly, and keep Python from failing to flush at exit.
        sys.stdout = open(os.devnull, "w")
        return EXIT_FAILED
    except Exception as exc:
        if args.debug:
            raise
        return report(prog, exc)
