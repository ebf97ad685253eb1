"""What stands between a hostile file and libcst's native parser.

libcst 1.9 parses in Rust on the calling thread's stack: a file nested deeply enough (5,000
brackets, 20,000 ``and``s) overflows that stack and kills the whole process with a segmentation
fault, taking every other file of the run with it. Python code walking a deep tree (libcst's
visitors, our inference) raises RecursionError long before that. So before libcst sees a source:

1. the file must be a regular file of at most ``MAX_SOURCE_BYTES`` without NUL bytes
   (``read_bytes``; a named pipe would block the run, a directory or a binary is not source);
2. CPython's own parser must accept it (it rejects more than 200 nested brackets, 100 levels of
   indentation, and Python 2 syntax, and names the line);
3. its nesting, counted the way libcst nests (``nesting_depth``; ``depth_beyond_limit`` walks
   only the nodes long enough to be too deep), must be at most ``MAX_NESTING``. libcst makes a
   chain of ``and``/``or`` operands, comprehension ``for`` clauses and the parts of a dotted
   import name into nested nodes where Python's AST keeps them flat; those count one level each.

Everything here reads text only; nothing imports torch or libcst.
"""

from __future__ import annotations

import ast
import errno
import itertools
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Optional

# Larger files are rejected before being read: parsing costs memory and time in proportion,
# and no hand-written model file comes near this.
MAX_SOURCE_BYTES = 10 * 1024 * 1024

# A line as Python and libcst count them, with its line ending: only \n, \r\n and \r end a line
# (str.splitlines would also split at form feeds and Unicode separators).
PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

# The deepest nesting checked. Measured with Python's default recursion limit of 1000: the engine
# handled chains of 328 attribute accesses and 489 unary operators and failed beyond (each level
# costs two or three Python frames in libcst's visitors); 200 leaves room for the caller's own
# frames (pytest, the language server).
MAX_NESTING = 200


# Python's parser warns about code like `1if x else 2` on stderr; the file is the user's and the
# warning not ours to print (the filter matches only parses made here).
_PARSE_NAME = "<inplace-fixer guard>"
warnings.filterwarnings("ignore", category=SyntaxWarning, module=re.escape(_PARSE_NAME))


class Unreadable(Exception):
    """The path is not a file we can read as source; the message says why in one line."""


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular source file, or ``Unreadable`` naming the cause."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Unreadable(_os_reason(exc)) from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file (a pipe, socket or device)")
        if info.st_size > MAX_SOURCE_BYTES:
            raise Unreadable(_too_large(info.st_size))
        with open(fd, "rb", closefd=False) as file:
            data = file.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise Unreadable(_os_reason(exc)) from exc
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_BYTES:  # grew since fstat
        raise Unreadable(_too_large(len(data)))
    nul = data.find(b"\0")
    if nul >= 0:
        raise Unreadable(_nul_byte(data.count(b"\n", 0, nul) + 1, nul))
    return data


def syntax_problem(source: str) -> Optional[str]:
    """What Python's own parser says is wrong with ``source``, in one line; None when it parses."""
    return syntax_tree(source)[0]


def syntax_tree(source: str) -> tuple[Optional[str], Optional[ast.Module]]:
    """``syntax_problem``, and Python's AST of ``source`` when there is no problem."""
    try:
        return None, ast.parse(source, filename=_PARSE_NAME)
    except SyntaxError as error:
        return f"{error.msg} (line {error.lineno}, column {error.offset})", None
    except (RecursionError, MemoryError):
        return "nested too deeply for Python's own parser", None
    except ValueError as error:  # what else compile() refuses outright
        return str(error), None


def source_problem(source: str) -> Optional[str]:
    """Why ``source`` must not reach libcst, in one line; None when it may."""
    return checked_tree(source)[0]


def checked_tree(source: str) -> tuple[Optional[str], Optional[ast.Module]]:
    """``source_problem``, and Python's AST of ``source`` when there is no problem (the engine
    reuses it to place findings, see positions.py)."""
    if len(source) > MAX_SOURCE_BYTES:
        return _too_large(len(source.encode("utf-8", "surrogatepass"))), None
    nul = source.find("\0")
    if nul >= 0:
        return _nul_byte(source.count("\n", 0, nul) + 1, nul), None
    problem, tree = syntax_tree(source)
    if tree is None:
        return problem, None
    depth = depth_beyond_limit(tree, source)
    if depth is not None:
        return f"nested {depth} levels deep; inplace-fixer analyses at most {MAX_NESTING}", None
    return None, tree


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def nesting_depth(tree: ast.AST) -> int:
    """The depth of ``tree`` as libcst will nest it (see the module docstring).

    Breadth first, one bucket of nodes per depth: nothing recurses, so a deep tree cannot
    overflow anything while it is measured, and it is about twice as fast as a stack of
    ``ast.iter_child_nodes`` generators (40 ms for a 3,000-line file)."""
    deepest = 0
    buckets: dict[int, list[ast.AST]] = {1: [tree]}
    depth = 0
    while buckets:
        depth += 1
        nodes = buckets.pop(depth, None)
        if not nodes:
            continue
        deepest = depth
        below = buckets.setdefault(depth + 1, [])
        for node in nodes:
            extra = _flat_levels(node)
            target = buckets.setdefault(depth + 1 + extra, []) if extra else below
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    target.extend(item for item in value if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST):
                    target.append(value)
    return deepest


# Levels a node may nest beyond the characters it spans (see depth_beyond_limit).
_LEVELS_WITHOUT_TEXT = 8


def depth_beyond_limit(tree: ast.Module, source: str) -> Optional[int]:
    """``nesting_depth(tree)`` when it is above ``MAX_NESTING``, else None, walking only the nodes
    too long to be that deep: three fifths less work on real files.

    Each level of the tree, but for a few (an expression statement and its expression, a
    `with` item and its expression, a name and its context), is a node whose text lies strictly
    inside its parent's, and each level libcst adds (see ``_flat_levels``) has its own keyword
    or dot. So below a node there are at most as many levels as it has characters, plus a few,
    and a node shorter than the room left below ``MAX_NESTING`` is not opened. Python's positions
    count bytes on one line (as many as the characters, or more) and whole lines on several.
    Positions inside an f-string are not trusted: one too long is walked in full.

    A child too short to be opened is judged as its parent is opened, never stacked: most
    nodes of a file are such children (the walk cost a quarter of what ``ast.parse`` does)."""
    line_ends = line_offsets(source)
    lines = len(line_ends)
    # A node at ``depth`` spanning ``span`` characters is not opened when
    # depth - 1 + span + _LEVELS_WITHOUT_TEXT <= MAX_NESTING.
    room = MAX_NESTING + 1 - _LEVELS_WITHOUT_TEXT
    deepest = 1
    waiting: list[tuple[ast.AST, int]] = [(tree, 1)]  # (node, its depth as nesting_depth counts)
    pop, push, AST, JoinedStr = waiting.pop, waiting.append, ast.AST, ast.JoinedStr
    while waiting:
        node, depth = pop()
        if type(node) is JoinedStr:
            deepest = max(deepest, depth - 1 + nesting_depth(node))
            continue
        below = depth + 1 + _flat_levels(node)
        children = []
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                children.extend(item for item in value if isinstance(item, AST))
            elif isinstance(value, AST):
                children.append(value)
        if not children:
            continue
        if below > deepest:
            deepest = below
        for child in children:
            # At least as many as the characters the child spans (without a position: opened).
            first, last = getattr(child, "lineno", None), getattr(child, "end_lineno", None)
            if first is not None and last is not None and last < lines:
                end_column = child.end_col_offset if first == last else None  # type: ignore[attr-defined]
                span = end_column - child.col_offset if end_column is not None else line_ends[last] - line_ends[first - 1]  # type: ignore[attr-defined]
                if below + span <= room:
                    continue
            push((child, below))
    return deepest if deepest > MAX_NESTING else None


def line_offsets(source: str) -> list[int]:
    """The offset of each physical line's start, then the source's length (for a last line
    without a line ending, one past its end). Without a "\\r", from the lengths of the pieces
    between "\\n"s, summed in C: a third of the time of matching ``PHYSICAL_LINE``, with the same
    offsets (source.py gives this to the rest of the tool; it lives here because this module
    imports nothing of the tool's)."""
    if "\r" in source:
        return list(itertools.accumulate(map(len, PHYSICAL_LINE.findall(source)), initial=0))
    pieces = source.split("\n")
    last = pieces.pop()  # after the last "\n": empty, or a last line without a line ending
    offsets = list(itertools.accumulate(map((1).__add__, map(len, pieces)), initial=0))
    if last:
        offsets.append(offsets[-1] + len(last))
    return offsets


def _flat_levels(node: ast.AST) -> int:
    """Levels libcst nests below ``node`` that Python's AST keeps in one flat list."""
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, _COMPREHENSIONS):
        return len(node.generators) - 1
    if isinstance(node, ast.alias):
        return node.name.count(".")
    return 0


def identity(path: Path) -> Path:
    """What tells two names of one file apart during discovery: the resolved path, or, for a
    symlink loop (which ``Path.resolve`` raises on), the absolute path, so that reading the file
    reports the loop as that file's error instead of ending the run."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _nul_byte(line: int, offset: int) -> str:
    # Python refuses source with a NUL byte; most such files are binaries named .py.
    return f"not Python source: a NUL byte on line {line} (offset {offset})"


def _too_large(size: int) -> str:
    return (
        f"too large ({size / 1024 / 1024:.1f} MB; inplace-fixer checks files up to"
        f" {MAX_SOURCE_BYTES // 1024 // 1024} MB)"
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink loop (too many levels of symbolic links)"
    return exc.strerror or str(exc)
