"""The progress bar of a long run: files done of the total, findings so far, elapsed time and
ETA, drawn by tqdm on standard error. Only on a terminal, and never with ``--quiet``: a pipe, a
CI log or an editor gets no bar at all."""

from __future__ import annotations

import shutil
import sys
from typing import Any, TextIO


class Progress:
    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.findings = 0
        self._bar = None
        stream = stream or sys.stderr
        if enabled and total > 1 and stream.isatty():
            from tqdm import tqdm

            size = shutil.get_terminal_size((100, 24))

            self._bar = tqdm(
                total=total,
                unit="file",
                file=stream,
                # A terminal that reports no size (a pty nobody sized) gets 100 x 24, not a bar
                # tqdm would leave empty.
                ncols=size.columns,
                nrows=size.lines,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} files, {postfix} [{elapsed}<{remaining}]",
                postfix="0 findings",
            )

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def done(self, outcome: Any) -> None:
        self.findings += len(outcome.result.findings)
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.findings} findings", refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
