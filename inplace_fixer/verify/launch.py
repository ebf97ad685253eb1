"""Start one run of a program in an isolated child and collect its record, within a deadline.

Two designs share everything but how the child starts: ``ForkLauncher`` forks the warm worker
(torch already imported, a few milliseconds per run); ``SubprocessLauncher`` starts a fresh
interpreter per run (the naive design, kept so the benchmark can measure the difference).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from inplace_fixer.verify import child, wire
from inplace_fixer.verify.spec import RunSpec

MAX_CAPTURED_CHARS = 2000
# What a program may write into the result pipe before the worker gives up on the run.
MAX_STRAY_BYTES = 64 * 1024**2


@dataclass
class RunOutcome:
    # ok | error (the program raised) | timeout | crashed (died without a record)
    status: str
    record: dict[str, Any]
    stdout: str
    stderr: str
    seconds: float
    exit_description: str | None = None

    @property
    def error(self) -> dict[str, Any] | None:
        return self.record.get("error")


class Launcher:
    def __init__(self, scratch_dir: str) -> None:
        self.scratch_dir = scratch_dir
        # Children that sent their record are reaped later: tearing down a forked address
        # space takes as long as a small run, and nothing needs to wait for it.
        self._exiting: list[int] = []
        self.runs_started = 0

    def run(self, spec: RunSpec) -> RunOutcome:
        self._reap_exited()
        self.runs_started += 1
        spec = dataclasses.replace(spec, marker=secrets.token_hex(16))
        run_dir = tempfile.mkdtemp(prefix="run-", dir=self.scratch_dir)
        work_dir = os.path.join(run_dir, "work")
        capture_dir = os.path.join(run_dir, "capture")
        started = time.monotonic()
        try:
            os.mkdir(work_dir)
            os.mkdir(capture_dir)
            read_fd, write_fd = os.pipe()
            try:
                pid = self._start(spec, write_fd, work_dir, capture_dir)
            finally:
                os.close(write_fd)
            try:
                payload, timed_out = _read_record(read_fd, bytes.fromhex(spec.marker), started + spec.timeout)
            finally:
                os.close(read_fd)
            _kill_group(pid)  # on timeout the child; otherwise whatever it left running
            seconds = time.monotonic() - started
            if timed_out:
                self._reap(pid)
                return RunOutcome("timeout", {}, *_captured(capture_dir), seconds, f"killed after {spec.timeout:g} s")
            if payload is None:
                return _outcome(None, self._reap(pid), capture_dir, seconds)
            self._exiting.append(pid)
            return _outcome(payload, 0, capture_dir, seconds)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)

    def _start(self, spec: RunSpec, write_fd: int, work_dir: str, capture_dir: str) -> int:
        raise NotImplementedError

    def _reap(self, pid: int) -> int:
        _, status = os.waitpid(pid, 0)
        return status

    def _reap_exited(self) -> None:
        self._exiting = [pid for pid in self._exiting if not self._has_exited(pid)]

    def _has_exited(self, pid: int) -> bool:
        return os.waitpid(pid, os.WNOHANG)[0] != 0

    def close(self) -> None:
        for pid in self._exiting:
            self._reap(pid)
        self._exiting.clear()


class ForkLauncher(Launcher):
    def _start(self, spec: RunSpec, write_fd: int, work_dir: str, capture_dir: str) -> int:
        child.prepare_process()  # the worker's state is every child's starting point
        pid = os.fork()
        if pid == 0:
            try:
                child.run_child(spec, write_fd, work_dir, capture_dir)
            finally:
                os._exit(child.EXIT_SEND_FAILED)
        try:
            os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
        except OSError:
            pass
        return pid


class SubprocessLauncher(Launcher):
    def __init__(self, scratch_dir: str) -> None:
        super().__init__(scratch_dir)
        self._processes: dict[int, subprocess.Popen[bytes]] = {}

    def _start(self, spec: RunSpec, write_fd: int, work_dir: str, capture_dir: str) -> int:
        spec_path = os.path.join(capture_dir, "spec.json")
        with open(spec_path, "w", encoding="utf-8") as spec_file:
            json.dump(spec.to_json(), spec_file)
        process = subprocess.Popen(
            [sys.executable, "-m", "inplace_fixer.verify.child", spec_path, str(write_fd), work_dir, capture_dir],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._processes[process.pid] = process
        return process.pid

    def _reap(self, pid: int) -> int:
        process = self._processes.pop(pid)
        returncode = process.wait()
        # Rebuild a wait status so both launchers describe exits the same way.
        return (-returncode & 0x7F) if returncode < 0 else (returncode << 8)

    def _has_exited(self, pid: int) -> bool:
        if self._processes[pid].poll() is None:
            return False
        del self._processes[pid]
        return True


def _read_record(fd: int, marker: bytes, deadline: float) -> tuple[bytes | None, bool]:
    """The child's record (None if it died before sending all of it) and whether time ran out.

    Reads exactly the announced length after the marker rather than up to end of file: a
    grandchild the program started may hold the pipe open forever.
    """
    start: int | None = None  # where the length header begins, once the marker is found
    expected: int | None = None
    chunks = bytearray()
    while expected is None or len(chunks) < start + child.HEADER.size + expected:  # type: ignore[operator]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, True
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None, True
        chunk = os.read(fd, 1 << 20)
        if not chunk or len(chunks) > MAX_STRAY_BYTES:
            return None, False
        chunks += chunk
        if start is None:
            found = chunks.find(marker)
            start = None if found < 0 else found + len(marker)
        if start is not None and expected is None and len(chunks) >= start + child.HEADER.size:
            (expected,) = child.HEADER.unpack_from(chunks, start)
    return bytes(chunks[start + child.HEADER.size :]), False  # type: ignore[operator]


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already gone


def _captured(capture_dir: str) -> tuple[str, str]:
    return _tail(os.path.join(capture_dir, child.STDOUT_NAME)), _tail(os.path.join(capture_dir, child.STDERR_NAME))


def scratch_directory() -> str:
    """A private directory for run directories, on tmpfs when there is one: every run creates
    and deletes a few files, and on a disk mounted with ``discard`` that costs more than a run."""
    shared_memory = "/dev/shm"
    base = shared_memory if os.path.isdir(shared_memory) and os.access(shared_memory, os.W_OK) else None
    return tempfile.mkdtemp(prefix="inplace-fixer-verify-", dir=base)


def _outcome(payload: bytes | None, exit_status: int, capture_dir: str, seconds: float) -> RunOutcome:
    stdout, stderr = _captured(capture_dir)
    if payload is None:
        return RunOutcome("crashed", {}, stdout, stderr, seconds, _describe_exit(exit_status))
    record = wire.decode(payload)
    if record["status"] == "internal-error":
        raise RuntimeError(f"verifier child failed: {record['error']['traceback']}")
    return RunOutcome(record["status"], record, stdout, stderr, seconds)


def _describe_exit(exit_status: int) -> str:
    if os.WIFSIGNALED(exit_status):
        signum = os.WTERMSIG(exit_status)
        return f"killed by signal {signal.Signals(signum).name}"
    return f"exited with code {os.WEXITSTATUS(exit_status)} before reporting"


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as captured:
            captured.seek(0, io.SEEK_END)
            size = captured.tell()
            captured.seek(max(0, size - MAX_CAPTURED_CHARS))
            text = captured.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return text if size <= MAX_CAPTURED_CHARS else "..." + text
