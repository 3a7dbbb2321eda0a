"""Checks on output paths, made before any long work so that a typo does not cost a training run."""

from __future__ import annotations

import os

from .errors import CommandError


def check_writable(path: str, option: str) -> None:
    """Raise :class:`CommandError` unless a file can be created at ``path`` (its directory exists and is writable)."""
    if os.path.isdir(path):
        raise CommandError(f"{option} {path}: is a directory; give a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CommandError(f"{option} {path}: the directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise CommandError(f"{option} {path}: the directory {directory} is not writable")
