"""``--executor dask://HOST:PORT``: the analysis of each file runs on a Dask distributed cluster.

How the work splits, and what crosses the network:

- This process discovers the files, reads them, and consults the result cache, as in a local run.
- For every file the cache does not answer, it sends the text the analysis needs (a Python file's
  decoded source; a notebook's cells joined into one program) with its display path, in chunks of
  up to 16 files, one task per chunk. The configuration is scattered once to every worker (the
  scheduler keeps it, and any project-wide facts, as shared data).
- Workers run ``check_source`` and send back the results: findings, fixes and the fixed text.
- This process then does everything that touches the disk, exactly as a local run: it checks the
  file is still what was sent (else it analyses it again here), writes the cache entry, renders the
  diff, writes ``--apply`` fixes atomically, and records the resume journal. Workers never need the
  project's files, and the results and the report are those of ``--jobs 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inplace_fixer import engine, files, notebooks
from inplace_fixer.model import Config, FileResult


class ExecutorError(Exception):
    """The cluster cannot be used; says why."""


def analysis_text(path: Path) -> str | None:
    """The text ``check_source`` will be given for ``path``, or None when there is none (an
    unreadable file, a malformed notebook): such files are handled locally."""
    try:
        data = path.read_bytes()
        if path.suffix == ".ipynb":
            program = notebooks.program_of(notebooks.read_notebook(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")))
            return program.text if program.starts else None
        return files.decode_source(data).text
    except (OSError, ValueError, files.ReadError, notebooks.NotebookError):
        return None


def check_texts(config: Config, items: Sequence[tuple[str, str]]) -> list[FileResult]:
    """Runs on a worker: the results of ``(path, text)`` items."""
    return [engine.check_source(text, path, config) for path, text in items]


@dataclass(frozen=True)
class Precomputed:
    """A check function that answers from a result computed elsewhere for this exact text, and
    analyses here anything else (the file changed since it was sent)."""

    text: str
    result: FileResult

    def __call__(self, text: str, path: str, config: Config) -> FileResult:
        if text != self.text:
            return engine.check_source(text, path, config)
        return _with_path(self.result, path)


def _with_path(result: FileResult, path: str) -> FileResult:
    from dataclasses import replace

    mapped = {id(f): replace(f, path=path) for f in result.findings}
    return replace(
        result, path=path, findings=tuple(mapped[id(f)] for f in result.findings),
        fixed=tuple(mapped[id(f)] for f in result.fixed),
    )


def connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError as exc:
        raise ExecutorError("needs the distributed extra: pip install 'inplace-fixer[distributed]'") from exc
    url = "tcp://" + address.split("://", 1)[1] if address.startswith("dask://") else address
    try:
        return Client(url, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {url}: {exc}") from exc


def run_on_cluster(address: str, job: Any, tasks: Sequence[tuple[Path, Any]], on_done: Any, chunk_size: int) -> list[Any]:
    from inplace_fixer.batch.pool import run_one

    texts = {path: (None if planned.hit else analysis_text(path)) for path, planned in tasks}
    remote = [(path, text) for path, text in texts.items() if text is not None]
    results: dict[Path, FileResult] = {}
    if remote:
        from distributed import as_completed

        client = connect(address)
        try:
            [config] = client.scatter([job.config], broadcast=True)
            chunks = [remote[i : i + chunk_size] for i in range(0, len(remote), chunk_size)]
            futures = {
                client.submit(check_texts, config, [(str(path), text) for path, text in chunk], pure=False): chunk
                for chunk in chunks
            }
            for future in as_completed(futures):
                for (path, _), result in zip(futures[future], future.result()):
                    results[path] = result
        finally:
            client.close()
    outcomes = []
    for path, planned in tasks:
        precomputed = Precomputed(texts[path], results[path]) if path in results else None  # type: ignore[arg-type]
        outcomes.append(run_one(job, path, planned, compute=precomputed))
        on_done(outcomes[-1])
    return outcomes
