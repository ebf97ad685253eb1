"""Python's cyclic garbage collector, tuned for a process that keeps large syntax trees alive.

A libcst tree of a 3,000-line file is about a million objects, and a run keeps many of
them (the imported modules' trees in the resolver's cache, an editor's open documents). With the
default thresholds (a young collection every 700 allocations, an older one every 10 of those) the
collector scans those live trees again and again: on the first 600 files of transformers'
``models/`` about a quarter of ``check``'s CPU time went to it (72.8 CPU-s against 56.1 with
the thresholds below), in whatever phase happened to allocate.
A young collection every 50,000 allocations keeps collecting cycles, at a fraction of the cost.

A batch run does better still with ``one_file()`` around each file: no collection while a file is
checked (the file's own tree lives until the end of the file and holds no cycle: scanning it
while it is in use only costs), one young collection after it, an older one every
``FILES_PER_OLDER_COLLECTION`` files, and a full one every ``FILES_PER_FULL_COLLECTION``. Over
all of transformers' ``models/`` the collector took 15.1 of 164.6 CPU-s by thresholds and 10.6 of
162.7 this way, with a lower peak (448 MB against 469).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_COLLECTION_EVERY = 50_000
# What a file leaves behind that lives on (the imported modules it read, in the resolver's cache)
# is scanned again only every this many files; and modules dropped from that cache, which are
# cycles, are freed by a full collection every this many files (about 100 MB of them over
# ``models/``).
FILES_PER_OLDER_COLLECTION = 10
FILES_PER_FULL_COLLECTION = 600

_files_checked = 0


def collect_less_often() -> None:
    """Make this process's collections rarer (idempotent; for the CLI, its workers and the
    language server, never for a library caller's process)."""
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 10, 10)


@contextmanager
def one_file() -> Iterator[None]:
    """Check one file of a batch run with the collector off, then collect as described above.
    A caller that had switched the collector off keeps it off (and nothing is collected)."""
    global _files_checked
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        _files_checked += 1
        if _files_checked % FILES_PER_FULL_COLLECTION == 0:
            gc.collect()
        else:
            gc.collect(1 if _files_checked % FILES_PER_OLDER_COLLECTION == 0 else 0)
