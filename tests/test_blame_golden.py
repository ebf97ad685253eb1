"""The locator on every runnable golden program (golden/**, the static corpus and the verifier's):
a run under it ends as the plain run does; a program that raises torch's in-place error gets
events, all on lines the fix changes; a program that runs gets no event."""

from __future__ import annotations

import ast

import difflib
from pathlib import Path

import pytest

pytest.importorskip("torch")

from blame_harness import Run, run_forked  # noqa: E402

from inplace_fixer import check_source  # noqa: E402
from inplace_fixer.model import Config  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PROGRAMS = sorted(
    p
    for p in GOLDEN.rglob("*.py")
    if not p.name.endswith((".expected.py", ".rewritten.py"))
    # the verifier's deliberate endless loop measures a time limit, not the locator
    and "# expected-verdict: timeout" not in p.read_text(encoding="utf-8", errors="replace")
)
# Errors a locator event must explain: the in-place errors of torch 2.13 (facts, section 5).
INPLACE_ERRORS = (
    "modified by an inplace operation",
    "is being used in an in-place operation",
    "is a view and is being modified inplace",
    "Inplace update to inference tensor",
    "the derivative for 'inplace version of",
)


def _right_lines(program: Path) -> set[int]:
    """Lines a fix touches: the static findings, the lines its expected rewrites change, and the
    bodies of the program's functions that a finding's line calls (IPF009 reports a step or an
    edit made inside a helper at the helper's call, where it can be moved; blame names the line
    inside the helper that made the change)."""
    source = program.read_text(encoding="utf-8", errors="replace")
    lines = {f.start.line for f in check_source(source, str(program), Config(unsafe_fixes=True)).findings}
    lines |= _called_function_lines(source, lines)
    stem = program.name.removesuffix(".py")
    for suffix in (".expected.py", ".unsafe.expected.py", ".rewritten.py"):
        fixed = program.with_name(stem + suffix)
        if fixed.exists():
            matcher = difflib.SequenceMatcher(None, source.splitlines(), fixed.read_text(encoding="utf-8", errors="replace").splitlines())
            for tag, i1, i2, _, _ in matcher.get_opcodes():
                if tag != "equal":
                    lines.update(range(i1 + 1, max(i2, i1 + 1) + 1))
    return lines


def _called_function_lines(source: str, lines: set[int]) -> set[int]:
    """The lines of every function of ``source`` that ``lines`` call by name, and of the functions
    those call, and so on."""
    tree = ast.parse(source)
    functions = {
        node.name: node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }

    def names_on(line_numbers: set[int]) -> set[str]:
        found = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in line_numbers:
                if isinstance(node, ast.Name):
                    found.add(node.id)
                elif isinstance(node, ast.Attribute):
                    found.add(node.attr)
        return found

    covered: set[int] = set()
    pending = names_on(lines)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        body = set(range(functions[name].lineno, functions[name].end_lineno + 1))
        covered |= body
        pending |= names_on(body)
    return covered


_RUNS: dict = {}


def _runs_of(path: Path) -> tuple[Run, Run]:
    """Both runs of one program, made once per session (several tests read them)."""
    if path not in _RUNS:
        _RUNS[path] = (run_forked(path, blame=False), run_forked(path, blame=True))
    return _RUNS[path]


def _ids() -> list[str]:
    return [p.relative_to(GOLDEN).as_posix() for p in PROGRAMS]


@pytest.mark.parametrize("program", PROGRAMS, ids=_ids())
def test_blame_run_ends_like_the_plain_run(program: Path) -> None:
    plain, blamed = _runs_of(program)
    assert not plain.timed_out and not blamed.timed_out, (plain, blamed)
    assert plain.returncode == blamed.returncode, (plain, blamed)
    assert blamed.error == plain.error or plain.error.split(":")[0] == blamed.error.split(":")[0], (plain, blamed)


@pytest.mark.parametrize("program", PROGRAMS, ids=_ids())
def test_events_name_the_right_line_and_only_when_it_fails(program: Path) -> None:
    plain, blamed = _runs_of(program)
    if plain.returncode == 0 and "fused optimizer" in program.read_text(encoding="utf-8", errors="replace").splitlines()[0]:
        # Runs with silently wrong gradients: the one event is the fused step, on its own line.
        assert [e["category"] for e in blamed.events] == ["silent-wrong-gradient"], blamed.events
        assert {e["line"] for e in blamed.events} <= _right_lines(program)
        return
    if plain.returncode == 0:
        assert blamed.events == []
        return
    if not any(text in plain.error for text in INPLACE_ERRORS):
        return  # fails for a reason of its own (the verifier's error cases)
    assert blamed.events, plain.error
    named = {(e["module_defined_at"] or e)["line"] for e in blamed.events if Path(e["path"]).resolve() == program}
    assert named and named <= _right_lines(program), (blamed.events, sorted(_right_lines(program)))


def test_most_golden_programs_run_and_many_raise() -> None:
    plain_errors = [_runs_of(path)[0].error for path in PROGRAMS]
    raising = [error for error in plain_errors if any(text in error for text in INPLACE_ERRORS)]
    assert len(raising) >= 60 and len(PROGRAMS) - len(raising) >= 100
