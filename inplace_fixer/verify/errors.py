"""Recognise the errors autograd raises because of an in-place mutation.

The texts are the exact ones torch 2.13 prints (reference: torch-inplace-facts.md, section 5).
Only these count as "the original failed because of an in-place problem", which is what a
``fixed`` verdict requires; any other failure of the original is compared as an ordinary error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class InPlaceErrorKind:
    name: str
    pattern: re.Pattern[str]


def _literal(text: str) -> re.Pattern[str]:
    return re.compile(re.escape(text))


# Order matters: "a view of a leaf Variable ..." contains "a leaf Variable ...".
IN_PLACE_ERROR_KINDS: tuple[InPlaceErrorKind, ...] = (
    InPlaceErrorKind(
        "saved-tensor-modified",
        _literal(
            "one of the variables needed for gradient computation has been modified by an "
            "inplace operation"
        ),
    ),
    InPlaceErrorKind(
        "view-of-leaf-modified",
        _literal("a view of a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    InPlaceErrorKind(
        "leaf-modified",
        _literal("a leaf Variable that requires grad is being used in an in-place operation."),
    ),
    InPlaceErrorKind(
        "no-grad-view-modified",
        _literal("A view was created in no_grad mode and is being modified inplace with grad mode enabled."),
    ),
    InPlaceErrorKind(
        "multi-output-view-modified",
        re.compile(
            r"Output \d+ of \w+ is a view and is being modified inplace\. This view is the output "
            r"of a function that returns multiple views\."
        ),
    ),
    InPlaceErrorKind(
        "multi-output-view-base-modified",
        re.compile(
            r"Output \d+ of \w+ is a view and its base or another view of its base has been "
            r"modified inplace\. This view is the output of a function that returns multiple views\."
        ),
    ),
    InPlaceErrorKind(
        "inference-tensor-updated",
        _literal("Inplace update to inference tensor outside InferenceMode is not allowed."),
    ),
    InPlaceErrorKind(
        "out-argument-with-grad",
        _literal(
            "functions with out=... arguments don't support automatic differentiation, but one "
            "of the arguments requires grad."
        ),
    ),
    InPlaceErrorKind(
        "in-place-derivative-missing",
        re.compile(r"the derivative for 'inplace version of \w+' is not implemented\."),
    ),
)

_AUTOGRAD_ERROR_TYPES = frozenset({"RuntimeError", "NotImplementedError"})


def classify_in_place_error(error_type: str, message: str) -> str | None:
    """The kind of in-place autograd error, or None when the error is something else."""
    if error_type not in _AUTOGRAD_ERROR_TYPES:
        return None
    for kind in IN_PLACE_ERROR_KINDS:
        if kind.pattern.search(message):
            return kind.name
    return None


_OUT_OF_MEMORY = re.compile(r"can't allocate memory|Cannot allocate memory|out of memory", re.IGNORECASE)


def is_out_of_memory(error_type: str, message: str) -> bool:
    return error_type == "MemoryError" or bool(_OUT_OF_MEMORY.search(message))
