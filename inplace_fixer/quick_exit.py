"""Ending the command-line process without Python's teardown, once ``check`` is done.

When Python exits normally it empties every module and frees every object one at a time. After
``check --jobs 1`` over transformers ``models/`` that is the trees and modules the resolver's
caches keep (about 550 MB): 7.7 of the run's 101 s of wall time, spent after the last line of
output. So the console script ends such a run the way mypy ends its own: the output streams are
flushed, the ``atexit`` hooks run and the other non-daemon threads are waited for (what a normal
exit does that anyone could notice), then ``os._exit`` ends the process and the operating system
takes the memory back at once.

Only a command that runs nothing but this package's own code asks for it (``check``:
``--verify`` runs the user's code in child processes that have ended by then). A command that
runs the user's program in this process (``blame``) exits normally, so that the program's open
files are flushed and its finalizers run as they would without us. A caller that runs the
command line inside its own process (click's test runner, an editor) never reaches this: only
``cli.main``, the console script, does.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

# Python's own status when the standard streams cannot be flushed at exit (a closed pipe).
_FLUSH_FAILED = 120

_requested = False


def request() -> None:
    """The running command has run only this package's code: the process may end without teardown."""
    global _requested
    _requested = True


def requested() -> bool:
    return _requested


def exit_now(code: object) -> NoReturn:
    """End the process with ``code`` (a ``SystemExit`` code: None, a number, or a message for
    standard error with status 1), without freeing its objects."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream, as Python reports it at exit
            status = status or _FLUSH_FAILED
    os._exit(status)
