"""``deltaprop selfcheck``: check the installed engine against the NumPy reference."""

from __future__ import annotations

from .errors import EXIT_FAILED, EXIT_OK
from .options import number


def add_parser(commands, **kwargs):
    """Add the ``selfcheck`` sub-parser to ``commands``."""
    parser = commands.add_parser(
        "selfcheck",
        help="check this installation: kernels against NumPy, gradients against finite differences",
        description="Run every kernel of the installed build against the NumPy reference of the mathematics in "
        "float32 and float64, check whole-network gradients against central finite differences and make a short "
        "training run. Prints one row per check with its worst error and tolerance; exits with status 1 if any "
        "check fails.",
        **kwargs,
    )
    parser.add_argument("--seed", type=number(int, 0), default=0, help="seed of the random shapes and inputs")
    return parser


def run(args) -> int:
    """Run ``deltaprop selfcheck``; returns the exit status."""
    from ..selfcheck import run_selfcheck

    report = run_selfcheck(seed=args.seed)
    print(report.format(), flush=True)
    return EXIT_OK if report.ok else EXIT_FAILED
