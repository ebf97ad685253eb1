"""The parser without libcst's node checks (cst_parse.py) builds the very trees libcst builds with
them, on real code we did not write (torch's ``nn/modules`` and ``optim``, found without
importing torch), and the checks are back once a parse ends, whether it succeeded or not."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import libcst as cst
import pytest

from inplace_fixer import cst_parse
from inplace_fixer.cst_parse import parse_module

TORCH = Path(importlib.util.find_spec("torch").origin).parent
REAL_FILES = sorted([*(TORCH / "nn" / "modules").glob("*.py"), *(TORCH / "optim").glob("*.py")])


def test_the_checks_are_all_that_this_libcst_does_after_building_a_node():
    # Otherwise parse_module keeps the checks (and this whole speed-up is gone unnoticed).
    assert cst_parse._ONLY_CHECKS


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_same_tree_as_libcst_builds_with_its_checks(path: Path):
    source = path.read_text(encoding="utf-8")
    unchecked, checked = parse_module(source), cst.parse_module(source)
    assert unchecked.deep_equals(checked)
    assert unchecked.code == checked.code == source


def test_nodes_built_by_hand_are_checked_again_after_a_parse():
    parse_module("y = a and b\n")
    with pytest.raises(cst.CSTValidationError):
        # `aandb`: libcst refuses an `and` without whitespace around it.
        cst.BooleanOperation(
            left=cst.Name("a"), operator=cst.And(whitespace_before=cst.SimpleWhitespace(""),
                                                 whitespace_after=cst.SimpleWhitespace("")),
            right=cst.Name("b"),
        )


def test_the_checks_are_back_after_a_parse_that_fails():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("if 1:\n  \\\n  x = 1\n")  # valid Python that libcst 1.9 rejects
    assert cst.CSTNode.__post_init__ is cst_parse._CHECKS


def test_threads_parsing_at_once_leave_the_checks_on():
    source = (TORCH / "nn" / "modules" / "conv.py").read_text(encoding="utf-8")
    expected = cst.parse_module(source)
    results: list[bool] = []

    def parse() -> None:
        for _ in range(3):
            results.append(parse_module(source).deep_equals(expected))

    threads = [threading.Thread(target=parse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 12
    assert cst.CSTNode.__post_init__ is cst_parse._CHECKS
