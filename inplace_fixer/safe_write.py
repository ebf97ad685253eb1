"""Replacing a file's bytes so that a killed run leaves every file either old or new.

The new bytes are written to a file no one can see yet (Linux ``O_TMPFILE``: an unnamed file in
the target's directory), given a name with ``link`` only once complete, and renamed over the
target, which is atomic on POSIX. SIGKILL cannot be caught, so the one moment a kill leaves
something behind is between that link and the rename (two system calls): a hidden
``.NAME.PID.inplace-fixer.tmp`` next to the file, complete, which the next write into that
directory removes once its process is gone. Where ``O_TMPFILE`` is missing, the temporary file
is named from the start and the same clean-up applies.

What the replaced file keeps: its permission bits, and its owner and group where the process may
set them (root, or a group the user is in); a symlink keeps pointing at the file it pointed to,
which is the one written. Its modification time is the time of the write: the content changed,
and build tools and editors rely on mtime to notice. Not covered: power loss (nothing is
fsync'ed, as with most formatters).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

TEMP_SUFFIX = ".inplace-fixer.tmp"
_TEMP_NAME = re.compile(r"^\..+\.(\d+)" + re.escape(TEMP_SUFFIX) + "$")

_swept: set[Path] = set()  # directories already cleaned by this process


def replace_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically give the file at ``path`` (or the file a symlink there points to) ``data``."""
    target = Path(os.path.realpath(path))
    _write(target, data, target.stat())


def write_private_bytes(path: Path, data: bytes) -> None:
    """Atomically create or replace a file of our own (a cache entry), readable by its owner
    only: a killed writer leaves no half-written entry, and at most one complete temporary file,
    which ``sweep`` removes."""
    _write(path, data, None)


def _write(target: Path, data: bytes, keep: os.stat_result | None) -> None:
    """``keep``: the replaced file's metadata, for its mode and owner (None: mode 0o600)."""
    sweep(target.parent)
    temp = target.parent / f".{target.name}.{os.getpid()}{TEMP_SUFFIX}"
    fd, named = _open_unnamed(target.parent, temp)
    try:
        with open(fd, "wb", closefd=False) as file:
            file.write(data)
        if keep is not None:
            os.fchmod(fd, stat.S_IMODE(keep.st_mode))
            _keep_owner(fd, keep)
        if not named:
            temp.unlink(missing_ok=True)  # left by an earlier write of ours that failed
            _link_unnamed(fd, temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def temp_files(directory: Path) -> list[Path]:
    """The temporary files of ours in ``directory`` (for tests and clean-up)."""
    return sorted(p for p in directory.iterdir() if _TEMP_NAME.match(p.name))


def _open_unnamed(directory: Path, fallback: Path) -> tuple[int, bool]:
    """A file descriptor to write to, and whether it already has the name ``fallback``."""
    if hasattr(os, "O_TMPFILE") and Path("/proc/self/fd").is_dir():
        try:
            return os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o600), False
        except OSError:
            pass  # a filesystem without O_TMPFILE support
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    return os.open(fallback, flags, 0o600), True


def _link_unnamed(fd: int, name: Path) -> None:
    # linkat(AT_SYMLINK_FOLLOW) through /proc names an O_TMPFILE file without extra privileges;
    # os.link calls linkat (rather than link, which would not follow) only when given a dir fd.
    directory = os.open(name.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"/proc/self/fd/{fd}", name, src_dir_fd=directory, follow_symlinks=True)
    finally:
        os.close(directory)


def _keep_owner(fd: int, info: os.stat_result) -> None:
    if not hasattr(os, "fchown"):
        return
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
    except PermissionError:
        try:  # an ordinary user may still keep a group they belong to
            os.fchown(fd, -1, info.st_gid)
        except PermissionError:
            pass


def sweep(directory: Path) -> None:
    """Remove what a killed run of ours left here; a temporary file of a live process stays.
    Once per directory and process."""
    if directory in _swept:
        return
    _swept.add(directory)
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match and not _alive(int(match.group(1))):
            entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has ended and waits to be reaped (Linux): it writes nothing more. A pool
    worker killed with its run is reparented to init, and a container's init may never reap it,
    so its pid stays taken (``os.kill(pid, 0)`` succeeds) for as long as the container runs."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # not Linux, or gone meanwhile (then the next sweep removes the file)
    # The fields after the command name (which may hold spaces and parentheses) start with the state.
    fields = stat_line.rpartition(")")[2].split()
    return bool(fields) and fields[0] in ("Z", "X")
