"""Which of the checked files each file imports, transitively: the cache key of a file covers
them, because the whole-program analysis lets a file's findings depend on the files it imports.

Imports are found with a regular expression, not a parser: the cache is consulted on every run,
and parsing 2,000 files only to key them would cost more than the warm run is allowed. The scan
errs on the side of more dependencies (an import inside a string counts too), which can only make
the cache miss more often, never return a stale result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from inplace_fixer.inference.imports import (
    MAX_IMPORT_DEPTH,
    _module_file,
    _package_root,
)

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<base>\.*[\w.]*)[ \t]+import[ \t]*(?P<names>\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+(?P<modules>[^\n#;]*))",
    re.MULTILINE,
)
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def module_name(path: Path) -> tuple[str, ...]:
    """The dotted name ``path`` is imported by: its directories up to the last one without an
    ``__init__.py``. ``pkg/sub/mod.py`` -> ("pkg", "sub", "mod"); ``pkg/__init__.py`` -> ("pkg",)."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return tuple(parts)


def imported_names(text: str, importer: tuple[str, ...], is_package: bool) -> set[tuple[str, ...]]:
    """Every module name an import statement of ``text`` may refer to (absolute, dotted)."""
    found: set[tuple[str, ...]] = set()
    package = importer if is_package else importer[:-1]
    for match in _IMPORT.finditer(text):
        if match["modules"] is not None:
            for piece in match["modules"].split(","):
                name = piece.split(" as ")[0].strip()
                if _NAME.fullmatch(name):
                    found.add(tuple(name.split(".")))
            continue
        base = match["base"]
        dots = len(base) - len(base.lstrip("."))
        rest = tuple(part for part in base.lstrip(".").split(".") if part)
        if dots:
            anchor = package[: len(package) - (dots - 1)] if dots - 1 <= len(package) else ()
            module = anchor + rest
        else:
            module = rest
        found.add(module)
        # ``from pkg import sub`` may import the submodule pkg.sub.
        for name in _NAME.findall(match["names"]):
            found.add(module + (name,))
    return found


def dependency_closure(texts: Mapping[Path, str]) -> dict[Path, tuple[Path, ...]]:
    """For each file, the other files it imports directly or indirectly, sorted: the checked
    ones, and the user's files on disk that the analysis reads too (inference.imports follows
    imports of files next to the checked ones, MAX_IMPORT_DEPTH deep)."""
    names = {path: module_name(path) for path in texts}
    by_name: dict[tuple[str, ...], Path] = {}
    for path, name in names.items():
        by_name.setdefault(name, path)
    direct: dict[Path, set[Path]] = {}
    pending = list(texts.items())
    for _ in range(MAX_IMPORT_DEPTH + 1):
        found_on_disk: dict[Path, str] = {}
        for path, text in pending:
            name = names.setdefault(path, module_name(path))
            wanted = imported_names(text, name, path.name == "__init__.py")
            deps = {by_name[w] for w in wanted if w in by_name}
            for w in wanted:
                if w not in by_name:
                    on_disk = _on_disk(path, w)
                    if on_disk is not None:
                        deps.add(on_disk)
                        if on_disk not in direct and on_disk not in texts:
                            found_on_disk[on_disk] = _read(on_disk)
            direct[path] = deps - {path}
        pending = list(found_on_disk.items())
    return {path: _reachable(path, direct) for path in texts}


def _on_disk(importer: Path, name: tuple[str, ...]) -> Path | None:
    for base in (_package_root(importer.parent), importer.parent):
        found = _module_file(base, list(name))
        if found is not None:
            return found
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _reachable(start: Path, direct: Mapping[Path, set[Path]]) -> tuple[Path, ...]:
    seen: set[Path] = set()
    stack: list[Path] = list(direct[start])
    while stack:
        path = stack.pop()
        if path in seen or path == start:
            continue
        seen.add(path)
        stack.extend(direct.get(path, ()))
    return tuple(sorted(seen, key=lambda p: p.parts))
