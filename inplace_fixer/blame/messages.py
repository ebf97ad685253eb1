"""The words of an event, in the user's terms. Builds strings only; ``render.py`` prints them."""

from __future__ import annotations

import linecache
from typing import Optional

from inplace_fixer.blame.events import Site
from inplace_fixer.blame.frames import Location
from inplace_fixer.blame.saved import Change, SavedRecord
from inplace_fixer.render import display_path

UNSEEN_CHANGE = (
    "the change was not seen (made in another thread, in C++ code, or through a tensor saved "
    "before watching began)"
)


def code_at(location: Location) -> str:
    """The changed expression's text, or its whole line when it spans several."""
    text = linecache.getline(location.path, location.line).rstrip("\r\n")
    if location.end_line == location.line and 0 < location.col < location.end_col:
        return text[location.col - 1 : location.end_col - 1]
    return text.strip()


def _at(site: Site) -> str:
    return f"{display_path(site.path)}:{site.line}"


def _what_changed(change: Change) -> str:
    code = code_at(change.location) or change.op
    if change.module_defined_at is not None:
        return f"`{code}` ran a module with inplace=True (built at {_at(change.module_defined_at)}), which"
    return f"`{code}`" if code == change.op else f"`{code}` ({change.op})"


def saved_tensor_changed(
    change: Change, saved_by: Site, backward_at: Optional[Site], record: SavedRecord, raises: bool
) -> str:
    saver = saved_by.op or "an op"
    backward = "the backward" if backward_at is None else f"the backward at {_at(backward_at)}"
    if raises:
        return (
            f"{_what_changed(change)} modified a tensor that {saver} saved at {_at(saved_by)} "
            f"(version {record.version} -> {record.tensor._version}); {backward} raises."
        )
    return (
        f"{_what_changed(change)} updated a parameter that {saver} saved at {_at(saved_by)} "
        f"without moving its version counter (a fused optimizer): {backward} uses the new values, "
        "so its gradients are wrong and torch raises nothing."
    )


def raised_at_the_line(op: str, location: Location, error: str) -> str:
    code = code_at(location) or op
    first_sentence = error.strip().split("\n")[0]
    if ". " in first_sentence:
        first_sentence = first_sentence.split(". ")[0] + "."
    return f"`{code}` ({op}): torch raises here: {first_sentence}"
