"""Everything between a path on disk and ``check_source``: finding files, decoding, writing back.

Reading keeps what a rewrite must preserve byte for byte: the PEP 263 encoding, a UTF-8 byte order
mark, and the line endings (bytes are decoded without newline translation). Reading goes through
``guard.read_bytes`` (regular files only, size limit, no NUL byte) and writing through
``safe_write`` (a complete new file renamed over the old one, so a crash never leaves half a file).
"""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from inplace_fixer import engine, guard, safe_write
from inplace_fixer.model import Config, FileResult

BOM = "\ufeff"

# Directory names that hold installed or generated code rather than the user's sources.
SKIPPED_DIR_NAMES = frozenset(
    {"venv", ".venv", "env", "site-packages", "__pycache__", "node_modules"}
)

CheckSource = Callable[[str, str, Config], FileResult]


class ReadError(Exception):
    """The file cannot be read or decoded; the message says why, in the user's terms."""


@dataclass(frozen=True)
class SourceText:
    """Decoded source plus what is needed to encode it back to the same bytes."""

    text: str  # without the byte order mark, line endings untouched
    encoding: str  # a codec name Python knows, e.g. "utf-8", "iso-8859-1"
    bom: bool = False

    def with_bom(self, text: str) -> str:
        """``text`` as it appears in the file, byte order mark included."""
        return BOM + text if self.bom else text

    def encode(self, text: str) -> bytes:
        return self.with_bom(text).encode(self.encoding)


@dataclass(frozen=True)
class CheckedFile:
    """A file's result plus its decoded source, which writing back needs; ``source`` is None
    when the file could not be read."""

    result: FileResult
    source: SourceText | None


def decode_source(data: bytes) -> SourceText:
    """Decode Python source bytes the way the interpreter does (PEP 263 cookie, BOM)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # a bad or unknown cookie, or a cookie contradicting the BOM
        if not exc.msg.startswith("invalid or missing encoding declaration"):
            raise ReadError(exc.msg) from exc
        # Non-UTF-8 bytes in the first two lines: decoding them says where they are.
        encoding = "utf-8"
    bom = encoding == "utf-8-sig"
    if bom:
        encoding = "utf-8"
        data = data[len(BOM.encode("utf-8")) :]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(
            f"line {line} is not valid {encoding}"
            f" (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
    return SourceText(text=text, encoding=encoding, bom=bom)


def read_source(path: str | os.PathLike[str]) -> SourceText:
    try:
        data = guard.read_bytes(path)  # a regular file, not too large, not binary
    except guard.Unreadable as exc:
        raise ReadError(str(exc)) from exc
    return decode_source(data)


def write_source_atomic(path: str | os.PathLike[str], text: str, like: SourceText) -> None:
    """Replace the file's content with ``text``, encoded the way ``like`` was read; a run killed
    at any moment leaves the old bytes or the new (safe_write.py says what else is kept)."""
    safe_write.replace_bytes(path, like.encode(text))


def load_and_check(
    path: str | os.PathLike[str], config: Config = Config(), *, check: CheckSource | None = None
) -> CheckedFile:
    """Read, decode and check one file. Only a file the user gave us that cannot be read becomes
    an error result here; an exception from the checker is a tool bug and propagates."""
    check = check or engine.check_source
    display = os.fspath(path)
    try:
        source = read_source(path)
    except ReadError as exc:
        return CheckedFile(FileResult(path=display, source="", error=f"cannot read: {exc}"), None)
    return CheckedFile(check(source.text, display, config), source)


def check_file(
    path: str | os.PathLike[str], config: Config = Config(), *, check: CheckSource | None = None
) -> FileResult:
    return load_and_check(path, config, check=check).result


def discover(
    paths: Iterable[str | os.PathLike[str]],
    config: Config = Config(),
    *,
    exclude_root: Path | None = None,
) -> Iterator[Path]:
    """The files to check, sorted and without duplicates.

    Named files are always checked. Directories are walked for ``*.py`` and ``*.ipynb`` files, skipping hidden
    directories, virtual environments, paths their ``.gitignore`` files ignore, and paths matching
    ``config.exclude`` (gitignore patterns relative to ``exclude_root``, the directory of the
    configuration file, by default the current directory).
    """
    exclude_root = Path(exclude_root or Path.cwd()).resolve()
    excludes = pathspec.GitIgnoreSpec.from_lines(config.exclude)
    found: dict[Path, Path] = {}
    for given in map(Path, paths):
        candidates = _walk(given, excludes, exclude_root) if given.is_dir() else [given]
        for candidate in candidates:
            found.setdefault(guard.identity(candidate), candidate)
    yield from sorted(found.values(), key=lambda p: p.parts)


@dataclass(frozen=True)
class _IgnoreFile:
    directory: Path  # resolved; patterns are relative to it
    spec: pathspec.GitIgnoreSpec

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True if ignored, False if re-included by a ``!`` pattern, None if no pattern matches."""
        relative = path.relative_to(self.directory).as_posix() + ("/" if is_dir else "")
        return self.spec.check_file(relative).include


def _walk(root: Path, excludes: pathspec.GitIgnoreSpec, exclude_root: Path) -> Iterator[Path]:
    resolved_root = root.resolve()
    # Each directory's applicable ignore files, outermost first; os.walk is top-down, so a
    # directory's parent is always known before it.
    ignore_files = {
        resolved_root: _ancestor_ignore_files(resolved_root) + _read_ignore_file(resolved_root)
    }
    for dirpath, dirnames, filenames in os.walk(root):
        directory = Path(dirpath)
        resolved = resolved_root / directory.relative_to(root)
        if resolved not in ignore_files:
            ignore_files[resolved] = ignore_files[resolved.parent] + _read_ignore_file(resolved)
        rules = _SkipRules(ignore_files[resolved], excludes, exclude_root, resolved_root)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not (name.startswith(".") or name in SKIPPED_DIR_NAMES)
            and not (directory / name / "pyvenv.cfg").exists()
            and not rules.skips(resolved / name, is_dir=True)
        )
        for name in sorted(filenames):
            if name.endswith((".py", ".ipynb")) and not rules.skips(resolved / name, is_dir=False):
                yield directory / name


@dataclass(frozen=True)
class _SkipRules:
    """What decides, inside one directory, whether an entry is left out."""

    ignore_files: list[_IgnoreFile]  # outermost first
    excludes: pathspec.GitIgnoreSpec
    exclude_root: Path
    walk_root: Path

    def skips(self, path: Path, is_dir: bool) -> bool:
        return self._ignored(path, is_dir) or self._excluded(path, is_dir)

    def _ignored(self, path: Path, is_dir: bool) -> bool:
        # Git lets the deepest .gitignore with a matching pattern decide.
        for ignore_file in reversed(self.ignore_files):
            verdict = ignore_file.verdict(path, is_dir)
            if verdict is not None:
                return verdict
        return False

    def _excluded(self, path: Path, is_dir: bool) -> bool:
        base = self.exclude_root if path.is_relative_to(self.exclude_root) else self.walk_root
        relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        return bool(self.excludes.check_file(relative).include)


def _read_ignore_file(directory: Path) -> list[_IgnoreFile]:
    try:
        lines = (
            (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
        )
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [_IgnoreFile(directory, pathspec.GitIgnoreSpec.from_lines(lines))]


def _ancestor_ignore_files(directory: Path) -> list[_IgnoreFile]:
    """The .gitignore files above ``directory`` that git would apply: those up to the repository
    root, outermost first; none when ``directory`` is not inside a git work tree."""
    if (directory / ".git").exists():
        return []
    ancestors = list(directory.parents)
    for depth, ancestor in enumerate(ancestors):
        if (ancestor / ".git").exists():
            repository = reversed(ancestors[: depth + 1])
            return [
                ignore_file
                for ancestor_dir in repository
                for ignore_file in _read_ignore_file(ancestor_dir)
            ]
    return []
