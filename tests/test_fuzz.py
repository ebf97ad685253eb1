"""Fuzzing (issue 12, section 1): generated modules, and generated modules with in-place tensor
statements spliced in, keep the properties of ``tools/fuzz.py``: no crash, the output parses, the
fixer is idempotent, a file without findings is untouched; with the safe and the unsafe fixes.

A small budget with fixed seeds (about 30 s on two cores); ``tools/fuzz.py --minutes N`` runs a
large one.
"""

from __future__ import annotations

import pytest
from hypothesis import given, seed

from inplace_fixer import check_source
from inplace_fixer.model import FileResult
from tools import fuzz


@seed(12)
@fuzz.fuzz_settings(max_examples=40, seed=12)
@given(fuzz.generated_modules())
def test_generated_modules_keep_the_properties(source: str) -> None:
    fuzz.check_properties(source)


@seed(13)
@fuzz.fuzz_settings(max_examples=80, seed=13)
@given(fuzz.spliced_modules())
def test_modules_with_inplace_statements_keep_the_properties(source: str) -> None:
    fuzz.check_properties(source)


@pytest.mark.parametrize("statement", fuzz.INPLACE_STATEMENTS)
def test_every_spliced_statement_is_a_finding_at_module_level(statement: str) -> None:
    """The splicing is not vacuous: each statement the fuzzer splices in is a finding (inside
    ``no_grad`` or on an argument of ``forward()`` some rightly are not)."""
    source = fuzz.spliced("", [statement], "{body}", before=True)
    result = check_source(source, "fuzz.py")
    assert result.error is None and result.findings, statement
    fuzz.check_properties(source)


def test_a_broken_property_is_caught(monkeypatch) -> None:
    """check_properties fails when the engine breaks one: a fixer that is not idempotent."""

    def growing(source, path="-", config=None, **kwargs):  # appends a line on every run
        return FileResult(path=path, source=source, findings=(object(),), fixed_source=source + "pass\n")

    monkeypatch.setattr(fuzz, "check_source", growing)
    with pytest.raises(AssertionError, match="not idempotent"):
        fuzz.check_properties("x = 1\n")
