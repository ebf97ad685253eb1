"""Pool workers end with the run that started them.

A process pool's workers do not notice their parent's death: after ``kill -9`` of an ``--apply``
run, each worker would finish its chunk (going on writing the user's files after the run was
stopped), then wait for more work forever, keeping the forkserver and multiprocessing's resource
tracker alive with it. So each worker watches the process that started the run, and when it is
gone: removes that process's multiprocessing directory (``pymp-*`` in the temporary directory,
holding the forkserver's socket, which the dead process can no longer remove at exit) and kills
itself with SIGKILL, as the run was killed. A file the worker was writing is then old or new
(``safe_write``), as for the run itself.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import threading
import time

POLL_SECONDS = 0.1  # where pidfd_open is missing (not Linux, or Linux before 5.3)


def watch_run(run_pid: int, run_temp_dir: str | None) -> None:
    """Pool initializer: start the watcher thread in this worker."""
    threading.Thread(
        target=_end_with, args=(run_pid, run_temp_dir), name="inplace-fixer-lifeline", daemon=True
    ).start()


def _end_with(run_pid: int, run_temp_dir: str | None) -> None:
    _wait_for_exit(run_pid)
    if run_temp_dir:
        shutil.rmtree(run_temp_dir, ignore_errors=True)  # both workers may try: either may win
    os.kill(os.getpid(), signal.SIGKILL)


def _wait_for_exit(pid: int) -> None:
    try:
        # Readable once the process has exited, even before its parent reaps it; os.kill(pid, 0)
        # would still see the unreaped zombie.
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        while _exists(pid):
            time.sleep(POLL_SECONDS)
        return
    try:
        select.select([fd], [], [])
    finally:
        os.close(fd)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
