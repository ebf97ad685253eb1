"""Python's cyclic garbage collector, tuned for a process that keeps large syntax trees alive.

A libcst tree of a 3,000-line file is about a million objects, and a run keeps many of
them (the imported modules' trees in the resolver's cache, an editor's open documents). With the
default thresholds (a young collection every 700 allocations, an older one every 10 of those) the
collector scans those live trees again and again: on the first 600 files of transformers'
``models/`` about a quarter of ``check``'s CPU time went to it (72.8 CPU-s against 56.1 with
the thresholds below), in whatever phase happened to allocate.
A young collection every 50,000 allocations keeps collecting cycles, at a fraction of the cost.

A batch run does better still with ``one_file()`` around each file: no collection while a file is
checked (the file's own tree lives until the end of the file: scanning it while it is in use only
costs), and one young collection after it. That one frees nearly every cycle a check makes: the
analysis's functions and the environments they close over, which hold parts of the file's tree.

A full collection frees the rest, cycles that outlived their file (what the resolver's caches drop),
but it scans every live object (5 million, 2.5 CPU-s, once the caches are full over ``models/``) to
free few. So the first comes after ``FILES_BEFORE_FULL_COLLECTION`` files, and each one that
frees fewer than ``FEW_OBJECTS`` objects doubles the wait for the next; one that frees more
brings the wait back. Over transformers ``models/`` the full collections freed 23,000 objects each:
two collections instead of four, and no older collection every 10 files, which scanned what the
young ones had kept and found nothing more.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_COLLECTION_EVERY = 50_000
FILES_BEFORE_FULL_COLLECTION = 600
# A few megabytes of analysis objects: a full collection that frees less was not worth its scan.
FEW_OBJECTS = 100_000

_files_checked = 0
_files_between_full_collections = FILES_BEFORE_FULL_COLLECTION
_next_full_collection = FILES_BEFORE_FULL_COLLECTION


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
        gc.collect(0)
        if _files_checked >= _next_full_collection:
            _full_collection()


def _full_collection() -> None:
    global _files_between_full_collections, _next_full_collection
    # After the young collection: what this one frees had outlived a file.
    freed = gc.collect()
    if freed < FEW_OBJECTS:
        _files_between_full_collections *= 2
    else:
        _files_between_full_collections = FILES_BEFORE_FULL_COLLECTION
    _next_full_collection = _files_checked + _files_between_full_collections
