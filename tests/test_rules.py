"""Each rule's own valid and invalid examples (data on the rule class) run as tests."""

from __future__ import annotations

import pytest

from inplace_fixer import Config, check_source
from inplace_fixer.rules import ALL_RULES

HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")

VALID_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-valid-{index}")
    for rule in ALL_RULES
    for index, example in enumerate(rule.VALID)
]
INVALID_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")
    for rule in ALL_RULES
    for index, example in enumerate(rule.INVALID)
]


@pytest.mark.parametrize("rule, source", VALID_CASES)
def test_valid_example_has_no_finding(rule, source):
    result = check_source(source, config=Config(select=(rule.code,)))
    assert result.error is None
    assert result.findings == ()


@pytest.mark.parametrize("rule, example", INVALID_CASES)
def test_invalid_example_is_flagged_and_fixed_as_documented(rule, example):
    result = check_source(example.code, config=Config(select=(rule.code,)))
    assert result.error is None
    assert [f.code for f in result.findings] and all(f.code == rule.code for f in result.findings)
    assert result.fixed_source == (example.expected if example.expected is not None else example.code)
    if example.unsafe_expected is not None:
        unsafe = check_source(example.code, config=Config(select=(rule.code,), unsafe_fixes=True))
        assert unsafe.fixed_source == example.unsafe_expected


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_documentation_has_every_section(rule):
    docs = rule.documentation()
    positions = [docs.find(heading) for heading in HEADINGS]
    assert -1 not in positions, f"{rule.code} docs miss a section: {dict(zip(HEADINGS, positions))}"
    assert positions == sorted(positions)
    assert rule.VALID and rule.INVALID


def test_codes_and_names_are_unique_and_stable():
    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert codes == [f"IPF00{i}" for i in range(1, len(ALL_RULES) + 1)]
    assert len(set(names)) == len(names)
