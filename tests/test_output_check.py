"""The check that the fixer's output parses (output_check.py), which parses only the top-level
statements the fixes edited, gives the verdict a parse of the whole output gives: on random
edits of real files we did not write (torch's ``nn/modules``, found without importing torch),
edits that keep the code valid, edits that break it, edits that add or remove lines before
others, and insertions of whole lines."""

from __future__ import annotations

import ast
import importlib.util
import random
from pathlib import Path

import pytest

from inplace_fixer import guard
from inplace_fixer.model import Edit, Position
from inplace_fixer.output_check import FixerBug, check_edited_statements_parse, check_parses
from inplace_fixer.source import line_offsets, physical_lines

MODULES = Path(importlib.util.find_spec("torch").origin).parent / "nn" / "modules"
REAL_FILES = sorted(MODULES.glob("*.py"))[:12]

# (how a name is replaced, whether the result is valid Python)
NAME_EDITS = [
    ("({name})", True),
    ("(\n{name}\n)", True),  # adds two lines: the statements after it move down
    ("{name}[0]", True),
    ("{name})", False),
    ("({name}", False),
    ("{name} +", False),
]


def _column(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8")) + 1


def _random_edits(source: str, tree: ast.Module, rng: random.Random) -> list[Edit]:
    lines = physical_lines(source)
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name)]
    edits: list[Edit] = []
    for node in rng.sample(names, min(len(names), rng.randint(1, 4))):
        template, _ = rng.choice(NAME_EDITS)
        line = lines[node.lineno - 1]
        start = Position(node.lineno, _column(line, node.col_offset))
        end = Position(node.end_lineno, _column(line, node.end_col_offset))
        edits.append(Edit(start, end, template.format(name=node.id)))
    if rng.random() < 0.3:
        # A whole line inserted before a statement: valid at the top level, not in a block.
        statement = rng.choice([node for node in ast.walk(tree) if isinstance(node, ast.stmt)])
        at = Position(statement.lineno, 1)
        edits.append(Edit(at, at, "pass\n"))
    return edits


def _apply(source: str, edits: list[Edit]) -> str | None:
    offsets = line_offsets(source)
    spans = sorted(
        (offsets[e.start.line - 1] + e.start.col - 1, offsets[e.end.line - 1] + e.end.col - 1, e.content) for e in edits
    )
    if any(a_end > b_start or a_start == b_start for (a_start, a_end, _), (b_start, _, _) in zip(spans, spans[1:])):
        return None  # overlapping edits: the fixer never applies those together
    pieces, position = [], 0
    for start, end, content in spans:
        pieces += [source[position:start], content]
        position = end
    return "".join(pieces) + source[position:]


def _verdict(check) -> bool:
    try:
        check()
    except FixerBug:
        return False
    return True


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: path.name)
def test_the_same_verdict_as_a_parse_of_the_whole_output(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    rng = random.Random(path.name)
    verdicts = {True: 0, False: 0}
    for _ in range(60):
        edits = _random_edits(source, tree, rng)
        fixed = _apply(source, edits)
        if fixed is None:
            continue
        whole = _verdict(lambda: check_parses(fixed, "x.py"))
        edited = _verdict(lambda: check_edited_statements_parse(source, tree, fixed, edits, "x.py"))
        assert edited == whole, edits
        verdicts[whole] += 1
    assert verdicts[True] > 3 and verdicts[False] > 3, verdicts  # both kinds were judged


def test_a_break_after_an_edit_that_adds_lines_is_found() -> None:
    source = "a = 1\n\n\ndef f(x):\n    return x\n\n\nb = f(a)\n"
    tree = ast.parse(source)
    grows = Edit(Position(1, 5), Position(1, 6), "(\n1\n)")
    breaks = Edit(Position(8, 5), Position(8, 9), "f(a")
    fixed = _apply(source, [grows, breaks])
    assert guard.syntax_problem(fixed) is not None
    with pytest.raises(FixerBug, match="x.py: inplace-fixer produced code that does not parse"):
        check_edited_statements_parse(source, tree, fixed, [grows, breaks], "x.py")
    check_edited_statements_parse(source, tree, _apply(source, [grows]), [grows], "x.py")


def test_an_edit_between_statements_or_a_future_import_parses_the_whole_output(monkeypatch) -> None:
    parsed: list[str] = []
    real = guard.syntax_tree
    monkeypatch.setattr(guard, "syntax_tree", lambda text: parsed.append(text) or real(text))
    source = "a = 1\n\nb = 2\n"
    between = Edit(Position(2, 1), Position(2, 1), "c = 3\n")
    fixed = _apply(source, [between])
    check_edited_statements_parse(source, ast.parse(source), fixed, [between], "x.py")
    assert parsed == [fixed]
    future = "from __future__ import annotations\n" + source
    edit = Edit(Position(4, 5), Position(4, 6), "(2)")
    parsed.clear()
    check_edited_statements_parse(future, ast.parse(future), _apply(future, [edit]), [edit], "x.py")
    assert parsed == [_apply(future, [edit])]
    parsed.clear()
    check_edited_statements_parse(source, ast.parse(source), _apply(source, [edit.__class__(Position(3, 5), Position(3, 6), "(2)")]),
                                  [Edit(Position(3, 5), Position(3, 6), "(2)")], "x.py")
    assert parsed == ["b = (2)\n"]  # only the edited statement
