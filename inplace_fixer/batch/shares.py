"""Which worker of a local pool checks which files, and in what order.

Each worker owns a share of the files: consecutive in path order, with about as many bytes of text
as the others' shares, and it plans its share (``ModuleResolver.planning``), as one process
checking every file does. A file of the share that another file of the share imports is then
parsed once, for the import and for its own check (inference/parsed_files.py). Over transformers
``models/`` at ``--jobs 2``, run in turn (README, "Speed"), the two workers took 88 and 91 CPU-s
with shares against 99 and 99 with unplanned chunks handed out largest first, and the run 47 and
49 s against 52 and 52.

The share is sent a chunk at a time, so that results, the progress bar and the resume journal
follow file by file. A worker whose share is done takes the last chunk left of the share with the
most bytes left (it checks those files unplanned), so that no worker idles while another has a
long tail.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

MAX_CHUNK = 16


def size_on_disk(path: Path) -> int:
    """What the cost of a file follows; a file that vanished counts as empty."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def split_into_shares(sizes: Sequence[int], workers: int) -> list[range]:
    """``workers`` consecutive ranges of indices covering ``sizes``, each with about a
    ``workers``-th of the total (a share may be empty when a few files hold most bytes). Every
    file weighs a byte more than its size: an empty file still costs its read."""
    weights = [size + 1 for size in sizes]
    total = sum(weights)
    bounds, reached, index = [0], 0, 0
    for share in range(1, workers):
        target = total * share / workers
        while index < len(weights) and reached + weights[index] / 2 < target:
            reached += weights[index]
            index += 1
        bounds.append(index)
    bounds.append(len(sizes))
    return [range(start, end) for start, end in zip(bounds, bounds[1:])]


def chunk_size(files: int, workers: int) -> int:
    """Small enough that every worker gets several chunks, at most ``MAX_CHUNK`` files."""
    return max(1, min(MAX_CHUNK, math.ceil(files / (workers * 8))))


class ShareQueues:
    """The chunks of each worker's share not yet sent; ``next_for`` says what a worker checks next."""

    def __init__(self, sizes: Sequence[int], workers: int) -> None:
        self.shares = split_into_shares(sizes, workers)
        size = chunk_size(len(sizes), workers)
        self._sizes = sizes
        self._queues = [
            deque(range(start, min(start + size, share.stop)) for start in range(share.start, share.stop, size))
            for share in self.shares
        ]

    def next_for(self, worker: int) -> Optional[range]:
        """The indices of the next chunk for ``worker``: its own share's next one, else the last
        one left of the share with the most bytes left; None when nothing is left."""
        own = self._queues[worker]
        if own:
            return own.popleft()
        longest = max(self._queues, key=self._bytes_left)
        return longest.pop() if longest else None

    def _bytes_left(self, queue: deque) -> tuple[int, int]:
        # Then the chunks: a queue of empty files is still work, an empty queue is not.
        return sum(self._sizes[index] for chunk in queue for index in chunk), len(queue)
