"""The child process: isolate, run one program under the recorder, send back what it saw.

A child is forked from a warm worker (torch already imported) or, in the naive design the
benchmark compares against, started as ``python -m inplace_fixer.verify.child``. Either way it
ends with ``os._exit`` so nothing of the program (atexit hooks, buffered output, threads) can
outlive or block it, and it speaks to its parent only through ``result_fd``.
"""

from __future__ import annotations

import builtins
import json
import os
import random
import resource
import signal
import struct
import sys
import traceback
import types
from typing import Any, NoReturn

import torch

from inplace_fixer.verify import wire
from inplace_fixer.verify.oracle import clone_saved_tensors
from inplace_fixer.verify.capture import MAX_NAMED_TENSORS, named_tensors, snapshot, user_variables
from inplace_fixer.verify.perturb import LeafPerturbation
from inplace_fixer.verify.recorder import Recorder, install_hooks
from inplace_fixer.verify.spec import SNIPPET_NAME, RunMode, RunSpec

HEADER = struct.Struct("!Q")
STDOUT_NAME = "stdout.txt"
STDERR_NAME = "stderr.txt"
MAX_FILE_BYTES = 64 * 1024**2  # a program printing forever hits this, not the disk
MAX_TRACEBACK_CHARS = 4000
EXIT_SEND_FAILED = 71  # the record could not be sent; the parent reports a crash


def run_child(spec: RunSpec, result_fd: int, work_dir: str, capture_dir: str) -> NoReturn:
    try:
        _isolate(spec, result_fd, work_dir, capture_dir)
        record = _Execution(spec, work_dir, result_fd).run()
    except BaseException:  # noqa: BLE001 - a bug here must reach the parent as data
        record = {"status": "internal-error", "error": _describe_internal_error()}
    _send_and_exit(result_fd, spec.marker, record)


def _describe_internal_error() -> dict[str, Any]:
    exc = sys.exc_info()[1]
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "line": None,
        "traceback": traceback.format_exc()[-MAX_TRACEBACK_CHARS:],
    }


def _isolate(spec: RunSpec, result_fd: int, work_dir: str, capture_dir: str) -> None:
    try:
        os.setpgid(0, 0)  # the parent kills the whole group, grandchildren included
    except OSError:
        pass  # already a group leader (started with start_new_session)
    # The worker's protocol pipes must not be writable by the program.
    os.closerange(3, result_fd)
    os.closerange(result_fd + 1, 1 << 16)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    for fd, name in ((1, STDOUT_NAME), (2, STDERR_NAME)):
        capture = os.open(os.path.join(capture_dir, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(capture, fd)
        os.close(capture)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
    os.chdir(work_dir)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, MAX_FILE_BYTES)
    # The limit is a budget on top of what the warm process already maps (torch alone maps
    # hundreds of megabytes of address space).
    _limit(resource.RLIMIT_AS, _mapped_bytes() + spec.memory_limit)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def prepare_process() -> None:
    """Seeds and switches every run starts from, set in the process a child is forked from.

    Done before the fork because seeding torch in a forked child dirties shared pages for
    2.5 ms, which is a sixth of a small run; the worker never draws random numbers itself, so
    each child starts from exactly this state.
    """
    random.seed(0)
    # The CPU generator only: torch.manual_seed also queues a CUDA seeding callback, with a
    # formatted stack, on every call until CUDA starts, and the worker calls this per run.
    torch.default_generator.manual_seed(0)
    numpy = sys.modules.get("numpy")  # preloaded by the worker when installed
    if numpy is not None:
        numpy.random.seed(0)
    # torch.use_deterministic_algorithms would import torch._inductor (1.4 s) to mirror the
    # flag into compiler settings; eager CPU ops read only this switch.
    torch._C._set_deterministic_algorithms(True, warn_only=True)
    install_hooks()


def _limit(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))


def _mapped_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


class _Execution:
    def __init__(self, spec: RunSpec, work_dir: str, result_fd: int) -> None:
        self.spec = spec
        self.path = os.path.join(work_dir, SNIPPET_NAME)
        self.result_fd = result_fd
        self.module = types.ModuleType("__main__")
        self.recorder: Recorder | None = None

    def run(self) -> dict[str, Any]:
        with open(self.path, "w", encoding="utf-8") as snippet:
            snippet.write(self.spec.source)  # tracebacks and inspect.getsource read it back
        try:
            code = compile(self.spec.source, self.path, "exec")
        except SyntaxError as exc:
            return {"status": "error", "error": self._error(exc)}
        self._prepare_interpreter()
        perturbation = self._perturbation()
        self.recorder = Recorder(self.module.__dict__, self.path, self.spec.mode, perturbation, self._finish_early)
        self.recorder.activate()
        status, error = "ok", None
        try:
            if perturbation is not None:
                with perturbation:
                    exec(code, self.module.__dict__)  # noqa: S102 - running the program is the point
            elif self.spec.mode is RunMode.SAVED_CLONE:
                with clone_saved_tensors():
                    exec(code, self.module.__dict__)  # noqa: S102
            else:
                exec(code, self.module.__dict__)  # noqa: S102
        except SystemExit as exc:
            if exc.code not in (None, 0):
                status, error = "error", self._error(exc)
        except BaseException as exc:  # noqa: BLE001 - whatever the program raises is evidence
            status, error = "error", self._error(exc)
        return self._record(status, error, stopped_early=False)

    def _prepare_interpreter(self) -> None:
        self.module.__file__ = self.path
        self.module.__builtins__ = builtins
        sys.modules["__main__"] = self.module
        sys.argv = [self.path]
        sys.path.insert(0, os.path.dirname(self.path))
        if self.spec.float64:
            torch.set_default_dtype(torch.float64)
        if self.spec.mode is RunMode.REFERENCE_FORWARD:
            torch.set_grad_enabled(False)

    def _perturbation(self) -> LeafPerturbation | None:
        if self.spec.mode is not RunMode.FINITE_DIFFERENCE:
            return None
        perturb = None if self.spec.perturb is None else frozenset(self.spec.perturb)
        return LeafPerturbation(self.spec.step, perturb)

    def _finish_early(self) -> NoReturn:
        """The recorder has what this mode needs: stop the program right here."""
        _send_and_exit(self.result_fd, self.spec.marker, self._record("ok", None, stopped_early=True))

    def _record(self, status: str, error: dict[str, Any] | None, *, stopped_early: bool) -> dict[str, Any]:
        recorder = self.recorder
        record: dict[str, Any] = {"status": status, "error": error, "stopped_early": stopped_early}
        if recorder is None:
            return record
        record["calls"] = recorder.calls
        record["calls_seen"] = recorder.calls_seen
        record["forward_outputs"] = recorder.forward_outputs
        record["finite_difference"] = recorder.finite_difference
        if self.spec.mode in (RunMode.BASELINE, RunMode.REFERENCE_FORWARD, RunMode.SAVED_CLONE) and not stopped_early:
            record["globals"] = self._module_tensors()
        return record

    def _module_tensors(self) -> list[list[Any]]:
        found: list[list[Any]] = []
        for variable, value in user_variables(self.module.__dict__):
            for name, tensor in named_tensors(variable, value):
                if len(found) >= MAX_NAMED_TENSORS:
                    return found
                found.append([name, snapshot(tensor)])
        return found

    def _error(self, exc: BaseException) -> dict[str, Any]:
        line = exc.lineno if isinstance(exc, SyntaxError) and exc.filename == self.path else None
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == self.path:
                line = frame.lineno
        message = str(exc.code) if isinstance(exc, SystemExit) else str(exc)
        # The verifier's own frames (exec, the recorder's wrappers) are noise to the user.
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if not _is_verifier_frame(frame.filename)]
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames))
        text += "".join(traceback.format_exception_only(exc))
        return {
            "type": type(exc).__name__,
            "message": message,
            "line": line,
            "traceback": text[-MAX_TRACEBACK_CHARS:],
        }


_VERIFIER_DIRECTORY = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_verifier_frame(filename: str) -> bool:
    return filename.startswith(_VERIFIER_DIRECTORY)


def _send_and_exit(result_fd: int, marker: str, record: dict[str, Any]) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # the program closed or broke its own stream; its output is not evidence we need
    try:
        payload = wire.encode(record)
        view = memoryview(bytes.fromhex(marker) + HEADER.pack(len(payload)) + payload)
        while view:
            written = os.write(result_fd, view)
            view = view[written:]
    except BaseException:  # noqa: BLE001 - nothing left to report to; the exit code says it
        os._exit(EXIT_SEND_FAILED)
    os._exit(0)


def main(argv: list[str]) -> NoReturn:
    """Entry point of the naive design: a fresh interpreter per run."""
    spec_path, result_fd, work_dir, capture_dir = argv
    with open(spec_path, encoding="utf-8") as spec_file:
        spec = RunSpec.from_json(json.load(spec_file))
    torch.set_num_threads(1)
    prepare_process()
    run_child(spec, int(result_fd), work_dir, capture_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
