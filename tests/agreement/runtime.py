"""The runtime truth: run a program and say whether torch refused an in-place mutation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

# The errors torch raises for an in-place mutation that autograd cannot allow (exact texts are
# in the torch facts reference, section 5).
INPLACE_ERRORS = (
    "modified by an inplace operation",
    "a leaf Variable that requires grad is being used in an in-place operation",
    "a view of a leaf Variable that requires grad is being used in an in-place operation",
    "This view is the output of a function that returns multiple views",
    "A view was created in no_grad mode and is being modified inplace",
)


@dataclass(frozen=True)
class Outcome:
    raised: bool  # torch raised one of INPLACE_ERRORS
    other_error: str | None  # the program failed for another reason (the case is unusable)


def execute(source: str, filename: str = "<agreement>") -> dict:
    """Run a generated program in a fresh namespace, warnings silenced; errors propagate."""
    namespace: dict = {"__name__": "__agreement__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our generated programs
    return namespace


def run_program(source: str, filename: str = "<agreement>") -> Outcome:
    """Run in a fresh namespace (the program seeds torch itself) and classify how it ended."""
    try:
        execute(source, filename)
    except RuntimeError as error:
        if any(text in str(error) for text in INPLACE_ERRORS):
            return Outcome(raised=True, other_error=None)
        return Outcome(raised=False, other_error=f"RuntimeError: {str(error).splitlines()[0]}")
    except Exception as error:  # noqa: BLE001 - any other failure makes the program unusable
        return Outcome(raised=False, other_error=f"{type(error).__name__}: {error}")
    return Outcome(raised=False, other_error=None)
