"""Which frame of the Python stack is the user's: the innermost one outside torch, the standard
library and inplace-fixer itself.

A change made inside ``torch/nn/functional.py`` on behalf of ``model(x)`` is the user's
``model(x)`` line; a change made inside an installed helper package (not torch) is that helper's
line, because that is where the fix goes.
"""

from __future__ import annotations

import linecache
import os
import sys
import sysconfig
import types
from dataclasses import dataclass

import torch

_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# The torch-function dispatcher: its frames appear only because the locator installs a mode.
OVERRIDES = os.path.join(_TORCH_DIR, "overrides.py")
_STDLIB_DIRS = tuple(
    os.path.abspath(sysconfig.get_paths()[key]) + os.sep for key in ("stdlib", "platstdlib")
)
# Places whose frames are never the user's: torch itself, this package, and Python's own
# library (runpy, contextlib, functools). Installed packages stay user code.
_internal_cache: dict[str, bool] = {}


def is_internal(filename: str) -> bool:
    known = _internal_cache.get(filename)
    if known is not None:
        return known
    absolute = filename if filename.startswith("<") else os.path.abspath(filename)
    in_stdlib = absolute.startswith(_STDLIB_DIRS) and "-packages" + os.sep not in absolute
    internal = (
        absolute.startswith((_TORCH_DIR, OWN_DIR))
        or in_stdlib
        or filename.startswith("<frozen")
        or _is_pytest_internal(absolute)
    )
    _internal_cache[filename] = internal
    return internal


def _is_pytest_internal(absolute: str) -> bool:
    # pytest and pluggy call the test; a change is never theirs.
    return any(f"{os.sep}{name}{os.sep}" in absolute for name in ("_pytest", "pluggy"))


@dataclass(frozen=True)
class Location:
    """A place in the user's code. Columns are 1-based code points, as in findings."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int


def user_frame(start: types.FrameType | None = None) -> types.FrameType | None:
    frame = start if start is not None else sys._getframe(1)
    while frame is not None and is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def location_of(frame: types.FrameType) -> Location:
    """The span of the expression the frame is executing (Python 3.11+ knows its columns)."""
    code = frame.f_code
    line = frame.f_lineno
    text = linecache.getline(code.co_filename, line)
    positions = getattr(code, "co_positions", None)
    if positions is not None and frame.f_lasti >= 0:
        try:
            start_line, end_line, start_byte, end_byte = list(positions())[frame.f_lasti // 2]
        except IndexError:
            start_line = None
        if start_line is not None and start_byte is not None and end_byte is not None and end_line is not None:
            end_text = text if end_line == start_line else linecache.getline(code.co_filename, end_line)
            return Location(
                code.co_filename,
                start_line,
                _code_point_col(linecache.getline(code.co_filename, start_line), start_byte),
                end_line,
                _code_point_col(end_text, end_byte),
            )
    stripped = text.rstrip("\r\n")
    first = len(stripped) - len(stripped.lstrip())
    return Location(code.co_filename, line, first + 1, line, len(stripped) + 1)


def _code_point_col(text: str, byte_offset: int) -> int:
    """co_positions counts UTF-8 bytes from 0; findings count code points from 1."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


def user_location(start: types.FrameType | None = None) -> Location | None:
    frame = user_frame(start if start is not None else sys._getframe(1))
    return None if frame is None else location_of(frame)
