"""collector.one_file: no collection while a file is checked, a young one after each file, and
full ones that come less often while they free little."""

from __future__ import annotations

import gc

import pytest

from inplace_fixer import collector


@pytest.fixture
def collections(monkeypatch):
    """The generation of every collection that runs, in order."""
    seen: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append(info["generation"])

    monkeypatch.setattr(collector, "FILES_BEFORE_FULL_COLLECTION", 3)
    monkeypatch.setattr(collector, "_files_checked", 0)
    monkeypatch.setattr(collector, "_files_between_full_collections", 3)
    monkeypatch.setattr(collector, "_next_full_collection", 3)
    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def test_no_collection_runs_while_a_file_is_checked(collections: list[int]) -> None:
    threshold = gc.get_threshold()
    try:
        with collector.one_file():
            gc.set_threshold(10, 10, 10)  # a collection every 10 allocations, were it on
            assert not gc.isenabled()
            garbage = [[index] for index in range(10_000)]
            del garbage
            assert collections == []
    finally:
        gc.set_threshold(*threshold)
    assert gc.isenabled()
    assert collections == [0]  # one young collection after the file


def _young_then_full(collections: list[int]) -> list[int]:
    """After which files (counted from 1) a full collection ran; every file had its young one."""
    files, full = 0, []
    for generation in collections:
        if generation == 0:
            files += 1
        else:
            assert generation == 2, collections  # never an older one alone
            full.append(files)
    return full


def test_full_collections_that_free_little_come_less_often(collections: list[int], monkeypatch) -> None:
    monkeypatch.setattr(collector, "FEW_OBJECTS", 1_000_000)
    for _ in range(25):
        with collector.one_file():
            pass
    assert collections.count(0) == 25
    assert _young_then_full(collections) == [3, 9, 21]  # waits of 3, 6, 12 files


def test_a_full_collection_that_frees_much_brings_the_wait_back(collections: list[int], monkeypatch) -> None:
    monkeypatch.setattr(collector, "FEW_OBJECTS", 50)
    survivors: list = []

    class Node:
        pass

    def cycles_that_outlive_their_file() -> None:
        """Cycles still referenced when the young collection runs, dropped later (as the
        resolver's caches drop modules): only a full collection frees them."""
        survivors.clear()
        for _ in range(100):
            first, second = Node(), Node()
            first.other, second.other = second, first
            survivors.append(first)

    for file in range(1, 16):
        with collector.one_file():
            if file in (2, 7):
                survivors.clear()  # the cycles made at file 1 and 6 are garbage now
            if file in (1, 6):
                cycles_that_outlive_their_file()
    # At 3 the cycles of file 1 are freed: the wait stays 3 files (6). Nothing at 6, as the
    # cycles made then are alive: the wait doubles (12). At 12 those of file 6: back to 3 (15).
    assert _young_then_full(collections) == [3, 6, 12, 15]


def test_cycles_made_while_checking_a_file_are_freed_after_it(collections: list[int]) -> None:
    import weakref

    class Node:
        pass

    with collector.one_file():
        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle: only the collector frees it
        alive = weakref.ref(first)
        del first, second
        assert alive() is not None
    assert alive() is None


def test_a_caller_that_switched_the_collector_off_keeps_it_off(collections: list[int]) -> None:
    gc.disable()
    try:
        with collector.one_file():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert collections == []


def test_the_collector_comes_back_on_when_the_check_raises(collections: list[int]) -> None:
    with pytest.raises(RuntimeError):
        with collector.one_file():
            raise RuntimeError("a crash in a rule")
    assert gc.isenabled()
