"""Argument types and the help formatter shared by the commands."""

from __future__ import annotations

import argparse
import textwrap


def number(kind, low: float, high: float = float("inf"), low_open: bool = False, high_open: bool = True):
    """An argparse type accepting ``kind`` values (int or float) within the given bounds."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a valid {kind.__name__}: {text!r}") from None
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (above and below):  # also catches nan, which compares false
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            raise argparse.ArgumentTypeError(f"{text} is outside {left}{low:g}, {high:g}{right}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def canonical_name(text: str) -> str:
    """An activation, loss or init name as the engine spells it: ``log-likelihood`` is ``log_likelihood``."""
    return text.strip().lower().replace("-", "_")


def layer_sizes(text: str) -> list[int]:
    """Parse hidden layer widths: ``100,100`` (or ``100`` and a space-separated list); ``none`` for no hidden layer."""
    if text.strip().lower() in ("", "none"):
        return []
    sizes = []
    for part in text.replace(",", " ").split():
        try:
            size = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a list of layer widths: {text!r} (try 100,100)") from None
        if size < 1:
            raise argparse.ArgumentTypeError(f"layer widths must be >= 1; got {size}")
        sizes.append(size)
    return sizes


class HelpFormatter(argparse.HelpFormatter):
    """Wraps each line of a description or epilog on its own (indented lines are kept as they are) and adds
    ``(default: ...)`` where an option has a fixed default."""

    def _fill_text(self, text, width, indent):
        lines = []
        for line in text.splitlines():
            if line.startswith(" ") or not line:
                lines.append(indent + line)
            else:
                lines += textwrap.wrap(line, width, initial_indent=indent, subsequent_indent=indent)
        return "\n".join(lines)

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS or not action.option_strings:
            return text
        if "%(default)" in text or "default" in text:
            return text
        return f"{text} (default: %(default)s)"


def test_size(text: str) -> int | float:
    """Parse ``--test-size``: a sample count (``300``) or a fraction in (0, 1) (``0.2``)."""
    try:
        count = int(text)
    except ValueError:
        pass
    else:
        if count < 1:
            raise argparse.ArgumentTypeError(f"a count of test samples must be >= 1; got {count}")
        return count
    try:
        fraction = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a sample count or a fraction: {text!r}") from None
    if not 0 < fraction < 1:
        raise argparse.ArgumentTypeError(f"a fraction of the samples must lie in (0, 1); got {text}")
    return fraction
