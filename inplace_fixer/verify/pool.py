"""The caller's side: warm workers, and the public ``verify`` functions. Never imports torch."""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from inplace_fixer.verify.result import Verdict, VerifyResult

DEFAULT_TIMEOUT = 10.0  # seconds per run of one program
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # bytes each run may allocate on top of the warm worker
WORKER_START_TIMEOUT = 120.0
# A verification is at most 11 runs (see verifier.py and finite_difference.py), each bounded by
# ``timeout``; a worker silent for longer is stuck, which is a verifier bug.
RUNS_PER_VERIFICATION = 12
WORKER_SLACK = 30.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class VerifierError(RuntimeError):
    """A bug or breakdown of the verifier itself, never a property of the verified program."""


class VerifierUnavailable(VerifierError):
    """Verification cannot start here (torch is not installed); a setup problem, not a bug."""


class _Worker:
    def __init__(self, launcher: str) -> None:
        self._log = tempfile.TemporaryFile()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        env["PYTHONHASHSEED"] = "0"  # set iteration order is the same in both runs of a pair
        env["OMP_NUM_THREADS"] = "1"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "inplace_fixer.verify.server", launcher],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
        )
        self._buffer = bytearray()
        self._ready = False

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        if not self._ready:
            self._read_line(WORKER_START_TIMEOUT)
            self._ready = True
        stdin: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        try:
            stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            stdin.flush()
        except BrokenPipeError:
            raise VerifierError(f"verifier worker died: {self._log_tail()}") from None
        answer = self._read_line(timeout)
        if "internal_error" in answer:
            raise VerifierError(f"verifier bug:\n{answer['internal_error']}")
        return answer["result"]

    def _read_line(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        fd = self._process.stdout.fileno()  # type: ignore[union-attr]
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(remaining, 0))[0] if remaining > 0 else []
            if not ready:
                self.close()
                raise VerifierError(f"verifier worker did not answer within {timeout:g} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                log = self._log_tail()
                self.close()
                raise VerifierError(f"verifier worker died: {log}")
            self._buffer += chunk
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return json.loads(line)

    def _log_tail(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")[-2000:] or "(no output)"

    def close(self) -> None:
        if self._process.stdout.closed:  # type: ignore[union-attr]
            return
        if self._process.poll() is None:
            self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()  # type: ignore[union-attr]
        self._log.close()


class VerifierPool:
    """Warm workers that verify pairs in parallel; use as a context manager.

    ``launcher="subprocess"`` starts a fresh interpreter for every run (the naive design the
    benchmark measures against); the default forks the warm worker.
    """

    def __init__(self, workers: int | None = None, *, launcher: str = "fork") -> None:
        if importlib.util.find_spec("torch") is None:  # finds it without importing it
            raise VerifierUnavailable("verification runs programs under torch, which is not installed "
                                      "(pip install 'inplace-fixer[verify]')")
        count = workers or os.cpu_count() or 1  # one worker per core, about 300 MB each
        self._launcher = launcher
        self._workers = [_Worker(launcher) for _ in range(count)]

    def __enter__(self) -> VerifierPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._workers:
            worker.close()

    def verify(
        self,
        original_source: str,
        rewritten_source: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
    ) -> VerifyResult:
        pairs = [(original_source, rewritten_source)]
        return self.verify_many(pairs, timeout=timeout, memory_limit=memory_limit)[0]

    def verify_many(
        self,
        pairs: Iterable[tuple[str, str]],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
    ) -> list[VerifyResult]:
        idle: queue.Queue[_Worker] = queue.Queue()
        for worker in self._workers:
            idle.put(worker)
        budget = RUNS_PER_VERIFICATION * timeout + WORKER_SLACK

        def one(pair: tuple[str, str]) -> VerifyResult:
            original, rewritten = pair
            request = {"original": original, "rewritten": rewritten, "timeout": timeout, "memory_limit": memory_limit}
            worker = idle.get()
            try:
                return VerifyResult.from_json(worker.request(request, budget))
            except VerifierError:
                worker.close()
                self._workers[self._workers.index(worker)] = worker = _Worker(self._launcher)
                raise
            finally:
                idle.put(worker)

        with ThreadPoolExecutor(max_workers=len(self._workers)) as executor:
            return list(executor.map(one, pairs))


def verify(
    original_source: str,
    rewritten_source: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> VerifyResult:
    """Run both programs in isolated children and say whether the rewrite keeps their meaning."""
    with VerifierPool(workers=1) as pool:
        return pool.verify(original_source, rewritten_source, timeout=timeout, memory_limit=memory_limit)


def verify_many(
    pairs: Sequence[tuple[str, str]],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    workers: int | None = None,
) -> list[VerifyResult]:
    """Verify many (original, rewritten) pairs on all cores; results in the order given."""
    if not pairs:
        return []
    with VerifierPool(workers=min(workers or os.cpu_count() or 1, len(pairs))) as pool:
        return pool.verify_many(pairs, timeout=timeout, memory_limit=memory_limit)


def rewrite_for_verification(source: str, path: str = "-") -> str | VerifyResult:
    """The engine's rewrite with unsafe fixes allowed, or a not-runnable result if it cannot check."""
    from inplace_fixer.engine import check_source
    from inplace_fixer.model import Config

    checked = check_source(source, path, config=Config(unsafe_fixes=True))
    if checked.error:
        return VerifyResult(Verdict.NOT_RUNNABLE, f"cannot check {path}: {checked.error}")
    return checked.fixed_source if checked.fixed_source is not None else source


def verify_rewrite(
    source: str,
    *,
    path: str = "-",
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> VerifyResult:
    """Rewrite ``source`` in memory with the engine, then verify the rewrite against it."""
    rewritten = rewrite_for_verification(source, path)
    if isinstance(rewritten, VerifyResult):
        return rewritten
    return note_unchanged(verify(source, rewritten, timeout=timeout, memory_limit=memory_limit), source, rewritten)


def note_unchanged(result: VerifyResult, original: str, rewritten: str) -> VerifyResult:
    """Say so when there was nothing to verify: the same program run twice proves little."""
    if original == rewritten:
        result.evidence.setdefault("notes", []).append("the rewrite changed nothing: both runs are of the same program")
    return result
