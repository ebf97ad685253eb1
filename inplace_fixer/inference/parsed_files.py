"""The parses of the user's files that a run made, for the next use of the same text.

A file of a package is parsed for two reasons in one run: to read what it defines when another file
imports it (imports.py), and to check it (engine.py). Both need libcst's module of the same text:
an import keeps it here, with what imports need of Python's AST (imports.top_level), and a later
import or the file's own check takes it.

- The AST itself is not kept. It takes nearly as much memory as libcst's module (32 against 44
  bytes per character of transformers' modeling files), and parsing it again costs a fifth of
  libcst's parse.
- A check keeps its own parse only for a file another planned file imports
  (``ModuleResolver.imported_in_plan``, imported_in_plan.py), after the check is done. Over
  transformers ``models/``, keeping every checked file pushed out the modules that imports need
  again: 157 CPU-s against 148 without sharing.
- The language server's documents never take a parse: their libcst nodes change in place as the
  user types (reparse.py).
- Only the files a process will check are parsed whole and kept (``ModuleResolver.planned``,
  which a run in one process sets, batch/pool.py): of any other file an import parses only the
  part it reaches, which costs less. A pool's workers plan nothing: a file one worker imports is
  mostly checked by the other.
- A check must never meet its own nodes as another module's, which an import cycle back to the file
  would make it do when the check took a kept parse: while it runs (``checking``), imports of the
  file parse only what they reach, apart, and a reading that met its module is read again
  (imports.py).

The parses used last are kept, up to ``CHARACTERS`` characters of text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import libcst as cst

# One process checking transformers `models/` (46 million characters): 148 CPU-s at a peak of
# 525 MB without sharing; 145 s and 546 MB with 8 million characters; 135 s and 621 MB with 12
# million; the same with 16 million, which keeps every module imported there.
CHARACTERS = 12_000_000


class ParsedFiles:
    def __init__(self) -> None:
        self._parses: OrderedDict[Path, tuple[str, Any, cst.Module]] = OrderedDict()
        self._characters = 0
        self._lock = threading.Lock()
        self._checking = threading.local()

    def get(self, path: Path, text: str) -> Optional[tuple[Any, cst.Module]]:
        """What was kept of ``path``'s parse when it was made from exactly ``text``: its top-level
        statements' names (imports.top_level) and its libcst module."""
        with self._lock:
            known = self._parses.get(path)
            if known is None or known[0] != text:
                return None
            self._parses.move_to_end(path)
            return known[1], known[2]

    def put(self, path: Path, text: str, statements: Any, module: cst.Module) -> None:
        with self._lock:
            old = self._parses.pop(path, None)
            if old is not None:
                self._characters -= len(old[0])
            self._parses[path] = (text, statements, module)
            self._characters += len(text)
            while self._characters > CHARACTERS and len(self._parses) > 1:
                _, (dropped, _, _) = self._parses.popitem(last=False)
                self._characters -= len(dropped)

    @contextmanager
    def checking(self, path: Path, module: cst.Module) -> Iterator[None]:
        """While ``path``'s ``module`` is being checked on this thread."""
        checked = self.being_checked()
        checked[path] = module
        try:
            yield
        finally:
            checked.pop(path, None)

    def being_checked(self) -> dict[Path, cst.Module]:
        """The files being checked on this thread, and the modules their checks analyse."""
        checked = getattr(self._checking, "modules", None)
        if checked is None:
            checked = self._checking.modules = {}
        return checked
