"""The parses a run keeps for the next use of the same text (inference/parsed_files.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import libcst as cst

from inplace_fixer.inference import parsed_files
from inplace_fixer.inference.parsed_files import ParsedFiles


def test_a_parse_serves_only_the_exact_text_it_was_made_from() -> None:
    kept = ParsedFiles()
    module = cst.parse_module("x = 1\n")
    kept.put(Path("/p/a.py"), "x = 1\n", ("index",), module)
    assert kept.get(Path("/p/a.py"), "x = 1\n") == (("index",), module)
    assert kept.get(Path("/p/a.py"), "x = 2\n") is None
    assert kept.get(Path("/p/b.py"), "x = 1\n") is None
    newer = cst.parse_module("x = 2\n")
    kept.put(Path("/p/a.py"), "x = 2\n", (), newer)
    assert kept.get(Path("/p/a.py"), "x = 1\n") is None and kept.get(Path("/p/a.py"), "x = 2\n") == ((), newer)


def test_the_parses_used_last_are_kept_up_to_a_number_of_characters(monkeypatch) -> None:
    monkeypatch.setattr(parsed_files, "CHARACTERS", 25)
    kept = ParsedFiles()
    texts = {name: f"{name} = 1\n" * 2 for name in "abc"}  # 12 characters each: two fit
    for name in "ab":
        kept.put(Path(name), texts[name], (), cst.parse_module(texts[name]))
    assert kept.get(Path("a"), texts["a"]) is not None  # now used last
    kept.put(Path("c"), texts["c"], (), cst.parse_module(texts["c"]))
    assert kept.get(Path("b"), texts["b"]) is None, "used least recently: dropped"
    assert kept.get(Path("a"), texts["a"]) is not None and kept.get(Path("c"), texts["c"]) is not None
    # One text larger than the limit is still kept, alone.
    kept.put(Path("d"), "d = 1\n" * 10, (), cst.parse_module("d = 1\n" * 10))
    assert kept.get(Path("d"), "d = 1\n" * 10) is not None and kept.get(Path("a"), texts["a"]) is None


def test_what_is_being_checked_is_per_thread() -> None:
    kept = ParsedFiles()
    module = cst.parse_module("x = 1\n")
    seen_elsewhere = []
    with kept.checking(Path("a.py"), module):
        assert kept.being_checked() == {Path("a.py"): module}
        other = threading.Thread(target=lambda: seen_elsewhere.append(dict(kept.being_checked())))
        other.start()
        other.join()
    assert seen_elsewhere == [{}]
    assert kept.being_checked() == {}
