"""A content-hash cache of file results, as Ruff keeps one.

An entry is keyed by everything a file's result depends on: the tool (its version and the bytes
of its own code and data, so a development checkout never reads results of older code), the
configuration, the file's text, and the text of every checked file it imports, directly or
through others (``imports.py``). An entry is one JSON file named by its key; writes go through a
temporary file and a rename (``safe_write``), so parallel workers and an interrupted run never
leave half an entry, and an unreadable entry is a miss; the one temporary file a kill can leave
(between the two system calls that name and rename it) is removed when the cache is next
opened. Nothing is ever invalidated in place: a changed input is a different key.
``--no-cache`` skips it; deleting the directory is always safe.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import inplace_fixer
from inplace_fixer import engine, files, safe_write
from inplace_fixer.batch.imports import dependency_closure
from inplace_fixer.batch.serial import result_from_json, result_to_json
from inplace_fixer.model import Config, FileResult

DEFAULT_DIRECTORY = ".inplace_fixer_cache"
# Written into the cache directory so that git ignores it wherever it is created.
GITIGNORE = "# Created by inplace-fixer automatically.\n*\n"


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The version plus a digest of the package's own files."""
    package = Path(inplace_fixer.__file__).parent
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("inplace-fixer").encode())
    except metadata.PackageNotFoundError:
        pass
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _sha256(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


@dataclass(frozen=True)
class Cache:
    directory: Path

    @classmethod
    def open(cls, directory: Path) -> Cache:
        """The cache in ``directory``, created with its ``.gitignore`` if missing. A directory
        that cannot be created makes a cache that misses every lookup and stores nothing."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
            gitignore = directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text(GITIGNORE, encoding="utf-8")
            for shard in (directory / "results").glob("??"):
                safe_write.sweep(shard)
        except OSError:
            pass
        return cls(directory)

    def _entry(self, key: str) -> Path:
        return self.directory / "results" / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        return self._entry(key).is_file()

    def load(self, key: str) -> dict | None:
        try:
            data = json.loads(self._entry(key).read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def store(self, key: str, data: dict) -> None:
        entry = self._entry(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            safe_write.write_private_bytes(entry, json.dumps(data, separators=(",", ":")).encode())
        except OSError:
            pass  # a read-only or full disk only costs the next run its speed-up


def _identity(check: object) -> str:
    """The checking function is part of the key: a stand-in engine (a test's) must never fill
    the cache with results the real one would then be served."""
    return f"{getattr(check, '__module__', '')}.{getattr(check, '__qualname__', repr(check))}"


@dataclass(frozen=True)
class Planned:
    """A file's cache context key, and whether its entry is already there (then reading it in
    this process is cheaper than sending the file to a worker)."""

    context: str | None
    hit: bool = False
    # With --since: the lines changed in the file (None: all of them).
    lines: frozenset[int] | None = None


def plan(paths: list[Path], config: Config, cache: Cache | None) -> dict[Path, Planned]:
    """For each file, the part of its key that is not its own text (tool, configuration, and the
    module names and texts of the files it imports), and whether the whole key is stored."""
    if cache is None:
        return dict.fromkeys(paths, Planned(None))
    texts: dict[Path, str | None] = {}
    for path in paths:
        try:
            texts[path] = files.decode_source(path.read_bytes()).text
        except (OSError, files.ReadError):
            texts[path] = None  # the check reports it; nothing to key
    closure = dependency_closure({path: text or "" for path, text in texts.items()})
    prefix = _sha256(tool_fingerprint(), repr(config))
    digests = {path: _sha256(text or "") for path, text in texts.items()}
    planned = {}
    for path, text in texts.items():
        context = _sha256(prefix, *(f"{dep.as_posix()}\0{_digest(dep, digests)}" for dep in closure[path]))
        hit = text is not None and cache.has(_sha256(context, _identity(engine.check_source), text))
        planned[path] = Planned(context, hit)
    return planned


def _digest(path: Path, digests: dict) -> str:
    """The digest of a file's text: a checked one's is known; an imported one is read."""
    if path not in digests:
        try:
            digests[path] = _sha256(path.read_bytes().decode("utf-8", "replace"))
        except OSError:
            digests[path] = "missing"
    return digests[path]


@dataclass(frozen=True)
class CachedCheck:
    """``engine.check_source`` through the cache, for one file whose context key is known."""

    cache: Cache
    context: str
    compute: Any = None  # what analyses a miss (a result computed on a cluster); default the engine

    def __call__(self, text: str, path: str, config: Config) -> FileResult:
        check = engine.check_source
        key = _sha256(self.context, _identity(check), text)
        stored = self.cache.load(key)
        if stored is not None:
            try:
                return result_from_json(stored, path, text)
            except (KeyError, TypeError, ValueError, IndexError):
                pass  # an entry from a foreign or damaged cache: recompute it
        result = (self.compute or check)(text, path, config)
        self.cache.store(key, result_to_json(result))
        return result

