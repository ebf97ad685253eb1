"""Suppression comments are read from real comments only, and only where a finding needs them
(inplace_fixer/suppression.py): a marker inside a string never suppresses, a real one does, and
a file whose findings carry no marker is not tokenized at all."""

from __future__ import annotations

import ast
import importlib.util
import io
import tokenize
from pathlib import Path

import pytest

from inplace_fixer import check_source, suppression
from inplace_fixer.source import first_line
from inplace_fixer.source import physical_lines
from inplace_fixer.suppression import ALL, suppressions

MODULES = Path(importlib.util.find_spec("torch").origin).parent / "nn" / "modules"

TRICKY = '''import torch

NOTE = """
y.add_(1)  # noqa
"""


def f():
    x = torch.randn(3, requires_grad=True)
    y = torch.tanh(x)
    s = """a string that ends on the line of the finding
    # noqa""" ; y.add_(1)
    t = "# noqa: IPF002"; y.mul_(2)
    y.sub_(3)  # noqa: IPF002
    y.div_(4)  # inplace-fixer: ignore
    y.pow_(5)  # keep: not a marker
    return y
'''


def whole_file_table(source: str) -> dict[int, frozenset[str]]:
    """What the comments of the whole file say, from all its tokens (the reference)."""
    table = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and suppression._codes(token.string) is not None:
            table[token.start[0]] = suppression._codes(token.string)
    return table


def statement_starts(source: str) -> list[int]:
    return [first_line(node) for node in ast.parse(source).body]


def test_markers_in_strings_do_not_suppress_and_real_ones_do() -> None:
    result = check_source(TRICKY, "tricky.py")
    reported = {finding.start.line: finding.code for finding in result.findings}
    lines = TRICKY.splitlines()
    line_of = {name: next(i + 1 for i, line in enumerate(lines) if f"y.{name}_(" in line and i > 5)
               for name in ("add", "mul", "sub", "div", "pow")}
    # add_ and mul_ sit on lines whose "# noqa" is inside a string: still reported.
    assert line_of["add"] in reported and line_of["mul"] in reported
    # sub_ and div_ carry real suppression comments; pow_'s comment is not one.
    assert line_of["sub"] not in reported and line_of["div"] not in reported
    assert line_of["pow"] in reported


@pytest.mark.parametrize("name", ("adaptive.py", "container.py", "rnn.py"))
def test_every_line_reads_as_the_whole_file_tokens_say(name: str) -> None:
    source = (MODULES / name).read_text(encoding="utf-8")
    source += TRICKY.replace("import torch\n", "")  # strings holding markers, and real markers
    expected = whole_file_table(source)
    table = suppressions(source, physical_lines(source), statement_starts(source))
    count = len(physical_lines(source))
    assert {line: table[line] for line in range(1, count + 1) if line in table} == expected
    assert expected  # not vacuous: the file has real markers


def test_the_old_table_interface_still_holds() -> None:
    table = suppressions("x = '# noqa'\ny = 1  # noqa: IPF001,IPF002\n")
    assert 1 not in table
    assert table[2] == frozenset({"IPF001", "IPF002"})
    assert dict(table) == {2: frozenset({"IPF001", "IPF002"})}
    assert suppressions("z = 2  # noqa\n")[1] == frozenset({ALL})


def test_tokenizes_only_what_a_finding_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = tokenize.generate_tokens

    def counting(readline):
        def counted():
            line = readline()
            read.append(line)
            return line
        return real(counted)

    monkeypatch.setattr(suppression.tokenize, "generate_tokens", counting)
    source = (MODULES / "rnn.py").read_text(encoding="utf-8") + "\n\ndef g(y):\n    y.add_(1)  # noqa\n"
    table = suppressions(source, physical_lines(source), statement_starts(source))
    lines = physical_lines(source)
    unmarked = next(n for n in range(1, len(lines)) if "noqa" not in lines[n - 1])
    assert table.get(unmarked) is None and not read  # no marker on the line: nothing tokenized
    last = len(lines)
    assert table.get(last) == frozenset({ALL})
    assert 0 < len(read) <= 4  # from the start of `def g` only, not the 1,800 lines before it


@pytest.mark.parametrize("seed", range(5))
def test_lines_and_offsets_without_carriage_returns_are_the_regex_ones(seed: int) -> None:
    """physical_lines and line_offsets split at "\\n" when the text has no "\\r" (faster): the
    same lines and offsets as Python's line breaks give, with form feeds and Unicode separators
    inside lines."""
    import random

    from inplace_fixer.guard import PHYSICAL_LINE
    from inplace_fixer.source import line_offsets

    rng = random.Random(seed)
    for _ in range(400):
        pieces = ("a", "\n", "\f", "\u2028", "\x85", " ", "é") if rng.random() < 0.7 else ("a", "\n", "\r", "\r\n")
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(30)))
        expected = PHYSICAL_LINE.findall(text)
        assert physical_lines(text) == expected
        offsets = [0]
        for line in expected:
            offsets.append(offsets[-1] + len(line))
        assert line_offsets(text) == offsets
