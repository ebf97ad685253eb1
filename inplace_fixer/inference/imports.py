"""Imports between the user's own files: `from .blocks import helper`, `from pkg.layers import Block`,
`import pkg.mod as m`, resolved on disk from the importing file's location, so that a package is
analysed as one program.

A module is found the way Python would find it for that file: relative imports from the file's
package, absolute ones from the root of its package (the first directory up without an
`__init__.py`) or from the file's own directory (a script's `sys.path[0]`). What an imported module
defines is read by running its module body (its definitions, not its functions) in an interpreter
of its own; the functions and classes found there are then followed at each call site like the
file's own. Results are cached by path, size and modification time, and an import cycle or an
unreadable or unparsable module is simply not followed.

The cache keeps the modules used most recently, up to ``CACHE_CHARACTERS`` characters of the text
that was parsed of them. Many files of a tree import the same few (most of transformers' modular
files import from ``llama``), far apart in path order: with 48 modules kept, 407 of the 956
modules read over transformers ``models/`` were read again after being dropped.

Only what the importer can reach of an imported module goes through libcst (``reachable_text``):
the definitions of the names it imports, and of the names those mention, found with Python's own
parser, which is ten times faster. The other top-level functions and classes become blank lines,
so that line numbers stay those of the file. In a tree like transformers' ``models/`` most imports
take a few classes from another model's file, and parsing whole files cost a third of a run.
"""

from __future__ import annotations

import ast
import os
from collections import OrderedDict, deque
from pathlib import Path
from typing import Callable, Optional

import libcst as cst

from inplace_fixer import guard
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.inference.state import join_qualname
from inplace_fixer.positions import positions_of
from inplace_fixer.source import first_line, physical_lines

# Over transformers `models/`, 34 of the 616 module reads read again a module that had been
# dropped; with 4 million characters 100 of 678 did, which cost 2.6 CPU-s more, for a peak of
# one process checking the whole tree 33 MB lower (458 against 491 MB).
CACHE_CHARACTERS = 6_000_000
CACHE_ENTRIES = 1024  # also bounds modules that could not be read, which count no characters
RETIRED = 48  # replaced readings kept for naming their nodes in messages
MAX_IMPORT_DEPTH = 2  # modules imported by imported modules are followed this far


def _read(path: Path) -> Optional[str]:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


class ModuleResolver:
    """Finds and indexes the user's own modules. ``read`` may be replaced (the language server
    reads open documents from the editor rather than from disk)."""

    def __init__(self, read: Callable[[Path], Optional[str]] = _read) -> None:
        self.read = read
        # key -> (the names whose definitions were parsed, None for all; the interpreter)
        self._cache: OrderedDict = OrderedDict()
        # Interpreters replaced by one that read more of their module: nodes met in them may
        # still be named in messages (``locate``).
        self._retired: deque = deque(maxlen=RETIRED)
        self._cached_characters = 0
        self._busy: set[Path] = set()
        self._found: dict = {}
        # Files open in an editor: their text there, which is newer than the file on disk.
        self.overlay: dict[Path, str] = {}

    def set_overlay(self, path: str, text: Optional[str]) -> None:
        """The editor's text of ``path`` (None when the editor closed it: the disk is current)."""
        key = Path(path).resolve()
        self._found.clear()  # a file may have been created or deleted meanwhile
        if text is None:
            self.overlay.pop(key, None)
        else:
            self.overlay[key] = text

    def find(self, importer: Path, module: str) -> Optional[Path]:
        """The file that ``import module`` (``module`` may start with dots) means in ``importer``."""
        key = (importer.parent, module)
        if key not in self._found:
            if len(self._found) > 4096:
                self._found.clear()
            self._found[key] = self._find(importer, module)
        return self._found[key]

    def _find(self, importer: Path, module: str) -> Optional[Path]:
        dots = len(module) - len(module.lstrip("."))
        parts = [part for part in module.lstrip(".").split(".") if part]
        if dots:
            base = importer.parent
            for _ in range(dots - 1):
                base = base.parent
            return _module_file(base, parts)
        for base in (_package_root(importer.parent), importer.parent):
            found = _module_file(base, parts)
            if found is not None:
                return found
        return None

    def imported_files(self, importer: Path, tree: ast.Module) -> list[Path]:
        """The user's files that the top-level imports of ``importer`` (its Python AST) name."""
        targets = []
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                base = "." * node.level + (node.module or "")
                # `from pkg import name`: a name defined in pkg, or its submodule pkg/name.py.
                modules = [base, *(join_qualname(base, alias.name) for alias in node.names)]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            targets += [target for module in modules if (target := self.find(importer, module)) is not None]
        return targets

    def text_of(self, path: Path) -> Optional[str]:
        """The text of one of the user's files: the editor's, else the disk's."""
        edited = self.overlay.get(path.resolve())
        return edited if edited is not None else self.read(path)

    def exports(
        self, path: Path, depth: int, interpreter_factory, names: Optional[frozenset[str]] = None
    ) -> Optional[object]:
        """The interpreter that ran ``path``'s module body: its ``module_names`` and ``classes``.
        ``names``: what the importer takes from the module (None: anything), so that only those
        definitions, and what they need, are parsed."""
        path = path.resolve()
        if path in self._busy or depth > MAX_IMPORT_DEPTH:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        edited = self.overlay.get(path)
        key = (path, stat.st_size, stat.st_mtime_ns, depth, hash(edited) if edited is not None else None)
        cached = self._cache.get(key)
        if cached is not None:
            covered, result, characters = cached
            if covered is None or (names is not None and names <= covered):
                self._cache.move_to_end(key)
                return result
            # A name the first importer did not take: read the module again, with both.
            names = None if names is None else names | covered
            if result is not None:
                self._retired.append(result)
            del self._cache[key]
            self._cached_characters -= characters
        source = edited if edited is not None else self.read(path)
        result, covered, text = None, None, ""
        problem, tree = guard.checked_tree(source) if source is not None else ("unreadable", None)
        if problem is None and tree is not None:  # never crash libcst's parser
            self._busy.add(path)
            try:
                text, covered = reachable_text(source, tree, names)  # type: ignore[arg-type]
                module = parse_module(text)
                interpreter = interpreter_factory(module, path, depth)
                interpreter.run_module_body()
                result = interpreter
            except Exception:  # an imported module we cannot read is not followed, never fatal
                result = None
            finally:
                self._busy.discard(path)
        self._cache[key] = (covered, result, len(text))
        self._cached_characters += len(text)
        while (self._cached_characters > CACHE_CHARACTERS or len(self._cache) > CACHE_ENTRIES) and len(self._cache) > 1:
            _, (_, _, characters) = self._cache.popitem(last=False)
            self._cached_characters -= characters
        return result

    def locate(self, node: cst.CSTNode, relative_to: str) -> Optional[str]:
        """"line 19 of sub/blocks.py" for a node of an imported module, for messages.

        The modules used last come first: the node is one of a module the file being checked
        just read, and each module looked at costs a layout of all of it (one code generation).
        In the other order, the one such call over transformers ``models/`` laid out 146 modules
        (12.6 of 185 CPU-s)."""
        recent_first = [result for _, result, _ in reversed(self._cache.values())] + list(reversed(self._retired))
        for interpreter in recent_first:
            if interpreter is None:
                continue
            line = _line_in(interpreter, node)
            if line is not None:
                where = os.path.relpath(interpreter.path, os.path.dirname(os.path.abspath(relative_to)))
                return f"{line} of {where}"
        return None


def _line_in(interpreter, node: cst.CSTNode) -> Optional[int]:
    """The line of ``node`` in the module ``interpreter`` ran, None when it is not one of its nodes.

    The first node asked of a module is looked for by a code generation that records that node
    only (a fifth of the cost of laying out all of a large module); the second lays out the
    whole module once, for all that follow. Over transformers ``models/`` one message in a
    run names a line of an imported file."""
    lines = getattr(interpreter, "_node_lines", None)
    if lines is not None:
        return lines.get(id(node))
    first = getattr(interpreter, "_first_asked", None)
    if first is None:
        found = positions_of(interpreter.module, [node]).get(node)
        interpreter._first_asked = first = (node, found.start.line if found is not None else None)
    if first[0] is node:
        return first[1]
    lines = interpreter._node_lines = _statement_lines(interpreter.module)
    return lines.get(id(node))


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def reachable_text(source: str, tree: ast.Module, names: Optional[frozenset[str]]) -> tuple[str, Optional[frozenset[str]]]:
    """``source`` with the top-level functions and classes that ``names`` cannot reach blanked
    out, and the names whose definitions it keeps (None: everything was kept).

    Every other top-level statement is kept (imports, assignments, ``if``/``try`` blocks: they are
    cheap and may define anything), and a kept statement reaches every name it reads, wherever
    (a method body, a default, a decorator, an annotation)."""
    if names is None:
        return source, None
    lines = physical_lines(source)
    spans: list[tuple[int, int]] = []  # 0-based first line, one past the last, of each statement
    defined: dict[str, list[int]] = {}
    keep = [False] * len(tree.body)
    for index, statement in enumerate(tree.body):
        spans.append((first_line(statement) - 1, statement.end_lineno or statement.lineno))
        if isinstance(statement, _DEFINITIONS):
            defined.setdefault(statement.name, []).append(index)
        else:
            keep[index] = True
    reached = set(names)
    for name in names:
        for index in defined.get(name, ()):
            keep[index] = True
    waiting = [index for index, kept in enumerate(keep) if kept]
    while waiting:
        for name in _names_read(tree.body[waiting.pop()]) - reached:
            reached.add(name)
            for other in defined.get(name, ()):
                if not keep[other]:
                    keep[other] = True
                    waiting.append(other)
    if all(keep):
        return source, None
    for index, kept in enumerate(keep):
        if not kept:
            first, last = spans[index]
            for number in range(first, min(last, len(lines))):
                line = lines[number]
                lines[number] = line[len(line.rstrip("\r\n")):]  # the line ending only
    return "".join(lines), frozenset(reached)


def _names_read(statement: ast.stmt) -> set[str]:
    """Every name ``statement`` mentions (a superset of what it reads: stores count too).

    A stack rather than ``ast.walk``, whose two layers of generators cost twice as much: this
    walks most of every imported module's text."""
    names: set[str] = set()
    waiting: list[ast.AST] = [statement]
    pop, push, extend, Name, AST = waiting.pop, waiting.append, waiting.extend, ast.Name, ast.AST
    while waiting:
        node = pop()
        if type(node) is Name:
            names.add(node.id)  # type: ignore[attr-defined]
            continue
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                extend([item for item in value if isinstance(item, AST)])
            elif isinstance(value, AST):
                push(value)
    return names


def _statement_lines(module: cst.Module) -> dict[int, int]:
    """Line of every statement and expression of ``module`` (one code generation pass)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {id(node): position.start.line for node, position in positions.items()}


# Paths are tested as strings (os.path): pathlib builds an object per candidate, which cost
# more than the file system's answers when every import of a tree is resolved.


def _package_root(directory: Path) -> Path:
    while os.path.exists(os.path.join(directory, "__init__.py")) and directory.parent != directory:
        directory = directory.parent
    return directory


def _module_file(base: Path, parts: list[str]) -> Optional[Path]:
    if not parts:
        candidate = os.path.join(base, "__init__.py")
        return Path(candidate) if os.path.isfile(candidate) else None
    target = os.path.join(base, *parts)
    for candidate in (target + ".py", os.path.join(target, "__init__.py")):
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


RESOLVER = ModuleResolver()


def resolver_for(path: str) -> Optional[ModuleResolver]:
    """The resolver for a file checked at ``path``: none for standard input or a path that is
    not a file on disk (an editor's unsaved buffer still resolves from its directory)."""
    if not path or path == "-" or not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return None
    return RESOLVER
