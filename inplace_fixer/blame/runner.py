"""Run a script or a module the way ``python`` would, under the locator.

The program keeps its own argv, stdout, stderr and exit code; only a target that cannot be found
or compiled is ours to report (exit 2, one line).
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import sys
import traceback
from dataclasses import dataclass
from typing import Callable, Optional


EXIT_CANNOT_RUN = 2


class CannotRun(Exception):
    """The target is missing or does not compile: ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class Target:
    script: Optional[str] = None
    module: Optional[str] = None

    def describe(self) -> str:
        return self.script if self.script is not None else f"-m {self.module}"


def check_runnable(target: Target) -> Callable[[], None]:
    """What running the target means, or CannotRun. Checked before the locator starts."""
    if target.module is not None:
        module = target.module
        sys.path.insert(0, os.getcwd())  # python -m puts the working directory first
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError) as exc:
            raise CannotRun(f"cannot run module '{module}': {exc}") from exc
        if spec is None:
            raise CannotRun(f"cannot run module '{module}': No module named '{module}'")
        return lambda: runpy.run_module(module, run_name="__main__", alter_sys=True)
    script = target.script or ""
    try:
        with open(script, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        raise CannotRun(f"cannot run '{script}': {exc.strerror or exc}") from exc
    try:
        compile(source, script, "exec")
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        reason = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise CannotRun(f"cannot run '{script}': {type(exc).__name__}{where}: {reason}") from exc
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))  # as python does for a script
    return lambda: runpy.run_path(script, run_name="__main__")


def run(start: Callable[[], None], argv: list[str]) -> int:
    """Run the program; its exit code, with Python's own rules for SystemExit and exceptions."""
    sys.argv = argv
    try:
        start()
    except SystemExit as exc:
        return _exit_status(exc.code)
    except BaseException as exc:  # noqa: BLE001 - the program's own failure: print it as python would
        _print_program_traceback(exc)
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    return 0


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _print_program_traceback(exc: BaseException) -> None:
    """The traceback from the program's first frame on, without the runner's own frames."""
    from inplace_fixer.blame import frames

    tb = exc.__traceback__
    while tb is not None and frames.is_internal(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    shown = traceback.TracebackException(type(exc), exc, tb or exc.__traceback__)
    # The locator's own frames (its mode, its unpack hook) are not the program's.
    shown.stack = traceback.StackSummary.from_list(
        [frame for frame in shown.stack if not frame.filename.startswith((frames.OWN_DIR, frames.OVERRIDES))]
    )
    sys.stderr.write("".join(shown.format()))
