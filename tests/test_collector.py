"""collector.one_file: no collection while a file is checked, then young, older and full ones
on a schedule of files."""

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

    monkeypatch.setattr(collector, "FILES_PER_OLDER_COLLECTION", 3)
    monkeypatch.setattr(collector, "FILES_PER_FULL_COLLECTION", 6)
    monkeypatch.setattr(collector, "_files_checked", 0)
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


def test_older_and_full_collections_come_every_so_many_files(collections: list[int]) -> None:
    for _ in range(12):
        with collector.one_file():
            pass
    assert collections == [0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 2]


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
