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

The cache keeps the modules used most recently, up to ``CACHE_CHARACTERS`` characters of their
text. Many files of a tree import the same few (most of transformers' modular
files import from ``llama``), far apart in path order: with 48 modules kept, 407 of the 956
modules read over transformers ``models/`` were read again after being dropped.

An import parses only the part of the module it reaches (``reachable_text``: the other top-level
definitions become blank lines, so line numbers stay the file's), unless this process will check
the module too (``planned``, which a run in one process sets to the files it checks): then the
module is parsed whole and the parse is kept (``ParsedFiles``, parsed_files.py), and later imports
of the same text and the module's own check (engine.py) take it; a module checked before any
import of it keeps its check's parse when another planned file imports it (imported_in_plan.py).
Over transformers ``models/`` most modular files import a few modeling files, which are checked
too: 231 of the 1,685 files checked took the parse an import had made.

Of an imported module only what the importer can reach runs (``reachable_definitions``): the
definitions of the names it imports, and of the names those mention, found with Python's own
parser. The other top-level functions and classes are not run, and their names stay unbound.
"""

from __future__ import annotations

import ast
import os
import threading
from collections import OrderedDict, deque
from contextlib import contextmanager
from pathlib import Path
from typing import AbstractSet, Callable, Iterable, Iterator, Optional, Sequence

import libcst as cst

from inplace_fixer import guard
from inplace_fixer.cst_parse import parse_module
from inplace_fixer.inference.imported_in_plan import imported_in_plan
from inplace_fixer.inference.parsed_files import ParsedFiles
from inplace_fixer.inference.state import join_qualname
from inplace_fixer.positions import positions_of
from inplace_fixer.source import first_line, physical_lines

# Over transformers `models/`, 689 module reads: 459 parsed the file, and 230 (a module read again
# after being dropped, or for a name the first reading did not take) found its parse kept
# (parsed_files.py) and ran only its module body again.
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
        # Per thread, the imported modules whose bodies are running, innermost last: each notes
        # the ids of the libcst modules whose nodes it meets (``modules_met``), its own and its
        # imports'.
        self._thread = threading.local()
        self._found: dict = {}
        # Files open in an editor: their text there, which is newer than the file on disk.
        self.overlay: dict[Path, str] = {}
        self.parsed = ParsedFiles()
        # The files this process will check (resolved), when its caller says (``planning``): a
        # whole parse of one of them serves its check too. A pool's worker does not say: a file
        # it imports is mostly checked by the other worker.
        self.planned: Optional[frozenset[Path]] = None
        # Those of them that another imports: their check keeps its parse for the import.
        self.imported_in_plan: frozenset[Path] = frozenset()

    @contextmanager
    def planning(self, paths: Iterable[Path]) -> Iterator[None]:
        """While this process checks ``paths`` (``planned``)."""
        previous = self.planned, self.imported_in_plan
        self.planned = frozenset(guard.identity(Path(path)) for path in paths)
        self.imported_in_plan = imported_in_plan(self.planned, self.text_of, self.find, relative_module_file)
        try:
            yield
        finally:
            self.planned, self.imported_in_plan = previous

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
        if module.startswith("."):
            found = relative_module_file(str(importer), module)
            return Path(found) if found is not None else None
        parts = [part for part in module.split(".") if part]
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
        edited = self.overlay.get(guard.identity(path))
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
            # A reading that met the nodes of a module being checked (an import cycle back to
            # it): read again apart (_parse), so that the check never meets its own nodes as
            # another module's.
            apart = result is not None and self._meets_checked(result)
            if not apart and (covered is None or (names is not None and names <= covered)):
                self._cache.move_to_end(key)
                return self._used(result)
            # A name the first importer did not take: read the module again, with both.
            names = None if names is None or covered is None else names | covered
            if result is not None:
                self._retired.append(result)
            del self._cache[key]
            self._cached_characters -= characters
        source = edited if edited is not None else self.read(path)
        result, covered, characters = None, None, 0
        parsed = self._parse(path, source, names) if source is not None else None
        if parsed is not None:
            module, statements, covered, characters = parsed
            self._busy.add(path)
            try:
                interpreter = interpreter_factory(module, path, depth)
                interpreter.modules_met.add(id(module))
                running = self._running()
                running.append(interpreter)
                try:
                    interpreter.run_module_body(statements)
                finally:
                    running.pop()
                result = interpreter
            except Exception:  # an imported module we cannot read is not followed, never fatal
                result = None
            finally:
                self._busy.discard(path)
        self._cache[key] = (covered, result, characters)
        self._cached_characters += characters
        while (self._cached_characters > CACHE_CHARACTERS or len(self._cache) > CACHE_ENTRIES) and len(self._cache) > 1:
            _, (_, _, characters) = self._cache.popitem(last=False)
            self._cached_characters -= characters
        return self._used(result)

    def _running(self) -> list:
        running = getattr(self._thread, "running", None)
        if running is None:
            running = self._thread.running = []
        return running

    def _used(self, result):
        """``result``, noted as met by the module body being run, if any (``modules_met``)."""
        running = self._running()
        if result is not None and running:
            running[-1].modules_met |= result.modules_met
        return result

    def _meets_checked(self, interpreter) -> bool:
        checked = self.parsed.being_checked()
        return bool(checked) and any(id(module) in interpreter.modules_met for module in checked.values())

    def _parse(self, path: Path, source: str, names: Optional[frozenset[str]]):
        """The libcst module to run for ``path``'s text ``source``, the top-level statements of it
        that ``names`` reaches (None: all), the names whose definitions those are (None: all), and
        the characters parsed; None when the text must not reach libcst (guard.py) or libcst
        cannot parse it.

        A module this process will check (``planned``) is parsed whole and kept (``parsed``) for
        later imports and for its own check; of any other, only what the importer reaches is
        parsed (``reachable_text``)."""
        # Not the file being checked (an import cycle back to it): its nodes stay its own.
        shared = self.planned is not None and path in self.planned and path not in self.parsed.being_checked()
        known = self.parsed.get(path, source) if shared else None
        if known is not None:
            statements, module = known
        else:
            problem, tree = guard.checked_tree(source)
            if problem is not None or tree is None:
                return None
            try:
                if not shared:
                    text, covered = reachable_text(source, tree, names)
                    return parse_module(text), None, covered, len(text)
                module = parse_module(source)
            except Exception:  # not followed, never fatal
                return None
            statements = top_level(tree)
            self.parsed.put(path, source, statements, module)
        kept, covered = reachable_definitions(statements, names)
        return module, _statements_kept(module, kept), covered, len(source)

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


# Per top-level statement of a module: the name it defines when it is a function or a class (None
# for any other statement), and every name it mentions.
TopLevel = tuple[tuple[Optional[str], frozenset[str]], ...]


def top_level(tree: ast.Module) -> TopLevel:
    """What ``reachable_definitions`` needs of ``tree``: a few sets, kept with a parse instead
    of the AST, which takes about as much memory as libcst's module."""
    return tuple(
        (statement.name if isinstance(statement, _DEFINITIONS) else None, frozenset(_names_read(statement)))
        for statement in tree.body
    )


def reachable_definitions(statements: TopLevel, names: Optional[frozenset[str]]) -> tuple[Optional[list[bool]], Optional[frozenset[str]]]:
    """Whether ``names`` reaches each top-level function and class (in order), and the names
    whose definitions are kept; (None, None) when everything is."""
    if names is None:
        return None, None
    keep, reached = _reach([name for name, _ in statements], lambda index: statements[index][1], names)
    if all(keep):
        return None, None
    return [kept for kept, (name, _) in zip(keep, statements) if name is not None], frozenset(reached)


def reachable_text(source: str, tree: ast.Module, names: Optional[frozenset[str]]) -> tuple[str, Optional[frozenset[str]]]:
    """``source`` with the top-level functions and classes that ``names`` cannot reach blanked
    out, and the names whose definitions it keeps (None: everything was kept). The blanked
    definitions become empty lines, so that line numbers stay those of the file."""
    if names is None:
        return source, None
    body = tree.body
    defined = [statement.name if isinstance(statement, _DEFINITIONS) else None for statement in body]
    keep, reached = _reach(defined, lambda index: _names_read(body[index]), names)
    if all(keep):
        return source, None
    lines = physical_lines(source)
    for kept, statement in zip(keep, body):
        if not kept:
            for number in range(first_line(statement) - 1, min(statement.end_lineno or statement.lineno, len(lines))):
                line = lines[number]
                lines[number] = line[len(line.rstrip("\r\n")):]  # the line ending only
    return "".join(lines), frozenset(reached)


def _reach(
    defined: Sequence[Optional[str]], names_in: Callable[[int], AbstractSet[str]], names: frozenset[str]
) -> tuple[list[bool], set[str]]:
    """Which top-level statements ``names`` reaches, and the names reached. ``defined``: the name
    each statement defines, if it is a function or a class; ``names_in(index)``: the names that
    statement mentions.

    Every other top-level statement is kept (imports, assignments, ``if``/``try`` blocks: they are
    cheap and may define anything), and a kept statement reaches every name it mentions, wherever
    (a method body, a default, a decorator, an annotation)."""
    where: dict[str, list[int]] = {}
    keep = [False] * len(defined)
    for index, name in enumerate(defined):
        if name is not None:
            where.setdefault(name, []).append(index)
        else:
            keep[index] = True
    reached = set(names)
    for name in names:
        for index in where.get(name, ()):
            keep[index] = True
    waiting = [index for index, kept in enumerate(keep) if kept]
    while waiting:
        for name in names_in(waiting.pop()) - reached:
            reached.add(name)
            for other in where.get(name, ()):
                if not keep[other]:
                    keep[other] = True
                    waiting.append(other)
    return keep, reached


_CST_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)


def _statements_kept(module: cst.Module, definitions_kept: Optional[list[bool]]) -> Sequence[cst.CSTNode]:
    """``module``'s top-level statements but the definitions not kept. Python's AST and libcst
    list the same top-level definitions in the same order (the other statements may group
    differently: `a = 1; b = 2` is one libcst line, two AST statements)."""
    if definitions_kept is None:
        return module.body
    flags = iter(definitions_kept)
    return [statement for statement in module.body if not isinstance(statement, _CST_DEFINITIONS) or next(flags)]


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
    found = _first_module_file(str(base), parts, os.path.isfile)
    return Path(found) if found is not None else None


def relative_module_file(importer: str, module: str, exists: Callable[[str], bool] = os.path.isfile) -> Optional[str]:
    """The file that the relative import ``module`` (`..pkg.mod`) names in the file ``importer``:
    of the files Python would try, the first that ``exists`` (imported_in_plan.py asks whether it
    is one of a run's files instead of looking on disk)."""
    dots = len(module) - len(module.lstrip("."))
    base = os.path.dirname(importer)
    for _ in range(dots - 1):
        base = os.path.dirname(base)
    return _first_module_file(base, [part for part in module[dots:].split(".") if part], exists)


def _first_module_file(base: str, parts: list[str], exists: Callable[[str], bool]) -> Optional[str]:
    if not parts:
        candidate = os.path.join(base, "__init__.py")
        return candidate if exists(candidate) else None
    target = os.path.join(base, *parts)
    return next((candidate for candidate in (target + ".py", os.path.join(target, "__init__.py")) if exists(candidate)), None)


RESOLVER = ModuleResolver()


def resolver_for(path: str) -> Optional[ModuleResolver]:
    """The resolver for a file checked at ``path``: none for standard input or a path that is
    not a file on disk (an editor's unsaved buffer still resolves from its directory)."""
    if not path or path == "-" or not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return None
    return RESOLVER
