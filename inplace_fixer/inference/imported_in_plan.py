"""Which of the files a process will check another of them imports, read from their text alone.

A file checked before any file imports it is parsed for its check, and a later import of it would
parse it again (parsed_files.py). Its check keeps its parse when this says the file is imported:
over transformers ``models/``, 126 files were parsed twice that way (modular files importing the
modeling files of models earlier in path order), 9.8 of 142 CPU-s.

Only top-level `import`/`from ... import` lines are read (a regular expression, no parse: the
files are not all parsed, and reading the whole tree's imports this way costs a fraction of a
second). A wrong answer costs time or memory, never a finding: a file said to be imported keeps a
parse that no import takes, one not said to be is parsed again at its import.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, Optional

from inplace_fixer.inference.state import join_qualname

# `from .a.b import (x, y as z)` or `import a.b as c, d` at the start of a line: the statements at
# the top level of a module, which are what ``ModuleResolver.imported_files`` follows.
_TOP_LEVEL_IMPORT = re.compile(
    r"^(?:from[ \t]+([.\w]+)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]*))", re.MULTILINE
)
_COMMENT = re.compile(r"#[^\n]*")


def imported_in_plan(
    planned: Iterable[Path],
    text_of: Callable[[Path], Optional[str]],
    find: Callable[[Path, str], Optional[Path]],
    find_relative: Callable[[str, str, Callable[[str], bool]], Optional[str]],
) -> frozenset[Path]:
    """The files of ``planned`` that a top-level import of another one of them names. Relative
    imports (most of a package's) are resolved against the plan's paths without looking at the
    disk (``find_relative``, imports.relative_module_file); other imports with ``find``
    (``ModuleResolver.find``)."""
    by_name = {str(path): path for path in planned}
    # An absolute import of a planned file names one of its directories or itself first: the
    # others (`import torch`, `from typing import ...`) are not looked for.
    parts = {part for path in by_name.values() for part in path.with_suffix("").parts}

    def file_of(importer: Path, module: str) -> Optional[str]:
        if module.startswith("."):
            return find_relative(str(importer), module, by_name.__contains__)
        if module.split(".", 1)[0] not in parts:
            return None
        found = find(importer, module)
        return str(found) if found is not None else None

    imported: set[str] = set()
    for importer in by_name.values():
        text = text_of(importer)
        if text is None or "import" not in text:
            continue
        for module, names in _imports(text):
            target = file_of(importer, module)
            if target is None:
                continue
            imported.add(target)
            if target.endswith("__init__.py") and target in by_name:
                # `from pkg import name`: name may be the submodule pkg/name.py.
                submodules = (file_of(importer, join_qualname(module, taken)) for taken in names)
                imported.update(found for found in submodules if found is not None)
    return frozenset(path for name, path in by_name.items() if name in imported)


def _imports(text: str) -> list[tuple[str, list[str]]]:
    """The modules that the top-level imports of ``text`` name, each with the names a `from`
    import takes from it."""
    found = []
    for match in _TOP_LEVEL_IMPORT.finditer(text):
        module, names, plain = match.groups()
        if plain is not None:
            found += [(name, []) for item in plain.split(",") if (name := _before_as(item))]
        else:
            items = [_before_as(item) for item in _COMMENT.sub("", names).split(",")]
            found.append((module, [item for item in items if item and item != "*"]))
    return found


def _before_as(item: str) -> str:
    return item.split(" as ")[0].strip(" \t\n\\()")
