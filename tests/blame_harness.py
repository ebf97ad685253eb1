"""Run a program twice in forked children of the (warm) test process: once plainly, once under
the locator, and compare. A fork of a process that has torch imported costs ~15 ms, against ~2 s
for a fresh interpreter, which is what makes running every golden program affordable."""

from __future__ import annotations

import json
import os
import runpy
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch

TIMEOUT_SECONDS = 120  # generous: the machine is shared; a golden program runs in well under 1 s alone
TIMED_OUT = -9


@dataclass
class Run:
    returncode: int
    error: str = ""  # the exception the program ended with, "Type: message"
    events: list[dict] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return self.returncode == TIMED_OUT


def run_forked(path: Path, *, blame: bool, args: tuple[str, ...] = ()) -> Run:
    torch.set_num_threads(1)  # a fork of a process with a thread pool may deadlock
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(path, blame, args, write_end)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not payload:
        return Run(TIMED_OUT if os.WIFSIGNALED(status) else 70, "no result (child died)")
    data = json.loads(payload)
    return Run(data["returncode"], data["error"], data["events"])


def _child(path: Path, blame: bool, args: tuple[str, ...], write_end: int) -> None:
    result = {"returncode": 70, "error": "harness failure", "events": []}
    try:
        signal.alarm(TIMEOUT_SECONDS)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.chdir(path.parent)
        sys.path.insert(0, str(path.parent))
        sys.argv = [str(path), *args]
        torch.manual_seed(0)
        result = _run(path, blame)
    except BaseException as exc:  # noqa: BLE001 - reported through the pipe
        result["error"] = f"harness: {type(exc).__name__}: {exc}"
    finally:
        os.write(write_end, json.dumps(result).encode())
        os._exit(0)


def _run(path: Path, blame: bool) -> dict:
    start = lambda: runpy.run_path(str(path), run_name="__main__")  # noqa: E731
    error = ""
    if blame:
        from inplace_fixer.blame.watch import watch

        with watch(quiet=True) as locator:
            returncode, error = _guarded(start)
        events = [event.to_json() for event in locator.events]
    else:
        returncode, error = _guarded(start)
        events = []
    return {"returncode": returncode, "error": error, "events": events}


def _guarded(start) -> tuple[int, str]:
    from inplace_fixer.blame.runner import _exit_status  # the CLI's exit-code rules

    try:
        start()
    except SystemExit as exc:
        return _exit_status(exc.code), ""
    except BaseException as exc:  # noqa: BLE001
        return 1, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return 0, ""
