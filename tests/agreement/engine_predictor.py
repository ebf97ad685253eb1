"""The product's prediction: the static analysis's category for a corpus program.

A program is predicted to break backward when ``check_source`` gives any of its findings the
category ``breaks-backward``. The program has one mutation (module programs: the in-place
ReLU's call or ``+=``); a finding on its constructor line counts, because that is where IPF004
reports ``nn.ReLU(inplace=True)``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from inplace_fixer.engine import check_source

BREAKS_BACKWARD = "breaks-backward"


def predict(program_source: str) -> bool:
    result = check_source(program_source, path="<agreement>")
    return any(finding.category == BREAKS_BACKWARD for finding in result.findings)


def _predict_chunk(sources: Sequence[str]) -> list[bool]:
    return [predict(source) for source in sources]


def predict_all(sources: Sequence[str]) -> list[bool]:
    """Predictions in order; spread over the machine's cores (each check parses with libcst)."""
    workers = max(1, min(os.cpu_count() or 1, 4))
    if workers == 1:
        return _predict_chunk(sources)
    size = -(-len(sources) // (workers * 4))
    chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [p for chunk in pool.map(_predict_chunk, chunks) for p in chunk]
