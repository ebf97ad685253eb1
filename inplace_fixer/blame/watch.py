"""``with inplace_fixer.watch(): ...``: the locator for a block of code."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from inplace_fixer.blame.events import Event
from inplace_fixer.blame.locator import Locator


@contextmanager
def watch(on_event: Optional[Callable[[Event], None]] = None, *, quiet: bool = False, sample: int = 1) -> Iterator[Locator]:
    """Watch the block; each event goes to ``on_event`` and, unless ``quiet``, to stderr at once.

    ``sample=N`` traces one optimizer step in N (see :class:`Locator`). The locator is yielded: ``locator.events`` holds every event when the block ends (also when
    it raised).
    """
    from inplace_fixer.blame import render

    def report(event: Event) -> None:
        if not quiet:
            render.write_entry(event)
        if on_event is not None:
            on_event(event)

    locator = Locator(on_event=report, sample=sample).start()
    try:
        yield locator
    finally:
        locator.stop()
