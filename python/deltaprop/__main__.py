"""``python -m deltaprop``: the command line of :mod:`deltaprop.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m deltaprop"))
