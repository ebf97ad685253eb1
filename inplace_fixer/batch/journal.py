"""The journal of an ``--apply`` run, so that ``--resume`` can continue one that was interrupted
(Ctrl-C, kill -9, a lost machine).

Each file is written atomically (a temporary file renamed over it), so it is always wholly old or
wholly new; the journal records a file once its new content is in place, one JSON line each,
flushed at once. A resumed run skips the files of a journal of the same run (same paths,
configuration and flags) and reports them as done earlier. A file written but not yet recorded when
the run died is simply checked again: its fixes are already in it, so nothing changes twice. The
journal is removed when a run finishes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from inplace_fixer import guard
from inplace_fixer.batch.serial import result_from_json, result_to_json
from inplace_fixer.model import FileResult


def run_identity(paths: list[Path], config: Any, flags: str) -> str:
    """What makes two runs the same run: the files, the configuration and the flags."""
    text = "\n".join([repr(config), flags, *(str(guard.identity(path)) for path in paths)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Journal:
    path: Path
    identity: str
    done: dict[str, dict] = field(default_factory=dict)  # resolved path -> recorded entry
    _stream: IO[str] | None = None

    @classmethod
    def open(cls, directory: Path, identity: str, *, resume: bool) -> Journal:
        journal = cls(directory / "resume" / f"{identity[:32]}.jsonl", identity)
        if resume:
            journal.done = _read(journal.path, identity)
        return journal

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keep = self.path.exists() and bool(self.done)
        self._stream = self.path.open("a" if keep else "w", encoding="utf-8")
        if not keep:
            self._write({"run": self.identity})

    def record(self, path: Path, status: str, result: FileResult) -> None:
        if self._stream is not None:
            self._write({"path": str(guard.identity(path)), "status": status, "result": result_to_json(result, with_text=False)})

    def _write(self, entry: dict) -> None:
        assert self._stream is not None
        self._stream.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """The run completed: nothing is left to resume."""
        self.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def result_of(self, path: Path) -> tuple[str, FileResult]:
        entry = self.done[str(guard.identity(path))]
        return entry["status"], result_from_json(entry["result"], str(path), "")


def _read(path: Path, identity: str) -> dict[str, dict]:
    """The entries of the journal at ``path`` if it belongs to this run; a torn last line (the
    process died while writing it) is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    entries: dict[str, dict] = {}
    for number, line in enumerate(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if number == 0:
            if entry.get("run") != identity:
                return {}
            continue
        if isinstance(entry, dict) and "path" in entry and entry.get("status") != "failed":
            entries[entry["path"]] = entry  # a file that failed is tried again
    return entries
