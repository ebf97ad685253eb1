"""inplace-fixer: find in-place tensor mutations that break autograd and rewrite them out of place.

The one library entry point is :func:`check_source`; the CLI, the language server and the
codemods all call it (``check_file`` adds reading and decoding a file from disk).
"""

from inplace_fixer.engine import check_source
from inplace_fixer.model import Applicability, Config, Edit, FileResult, Finding, Fix, Position

__all__ = [
    "Applicability",
    "Config",
    "Edit",
    "FileResult",
    "Finding",
    "Fix",
    "Position",
    "check_source",
    "watch",
]


def __getattr__(name: str):
    # ``inplace_fixer.watch()`` needs torch; importing inplace_fixer must not.
    if name == "watch":
        from inplace_fixer.blame.watch import watch

        return watch
    raise AttributeError(f"module 'inplace_fixer' has no attribute {name!r}")
