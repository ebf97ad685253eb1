"""Notebooks on disk: reading the bytes (UTF-8, as nbformat requires), and writing a fixed notebook
back atomically, as ``files.py`` does for Python sources."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from inplace_fixer import files, notebooks
from inplace_fixer.model import Config, FileResult

BOM = b"\xef\xbb\xbf"


def check_notebook_file(path: Path, config: Config, check: notebooks.CheckSource) -> notebooks.CheckedNotebook:
    display = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return notebooks.CheckedNotebook(FileResult(path=display, source="", error=f"cannot read: {exc.strerror or exc}"), ())
    try:
        text = data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        return notebooks.CheckedNotebook(FileResult(path=display, source="", error=f"cannot read notebook: {reason}"), ())
    try:
        return notebooks.check_notebook(text, display, config, check)
    except notebooks.NotebookError as exc:  # the fixed cells could not be put back in the file
        return notebooks.CheckedNotebook(FileResult(path=display, source="", error=f"cannot write notebook: {exc}"), ())


def write(path: Path, checked: notebooks.CheckedNotebook) -> str | None:
    """Write the fixed notebook; the error to report, or None."""
    data = Path(path).read_bytes()
    like = files.SourceText(text="", encoding="utf-8", bom=data.startswith(BOM))
    try:
        files.write_source_atomic(path, checked.result.fixed_source or "", like=like)
    except OSError as exc:
        return f"cannot write: {exc.strerror or exc}"
    return None


def cell_diff(checked: notebooks.CheckedNotebook, display_path: Callable[[str], str]) -> str:
    return notebooks.cell_diff(checked.result.path, checked.changes, display_path)
