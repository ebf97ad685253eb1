"""The locator on programs whose in-place line the static analysis cannot reach (the corpus in
tests/blame_corpus/, described in its README): each names exactly the marked line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("torch")

from blame_harness import Run, run_forked  # noqa: E402

from inplace_fixer import check_source  # noqa: E402
from inplace_fixer.model import BREAKS_BACKWARD, Config  # noqa: E402

CORPUS = Path(__file__).parent / "blame_corpus"
PROGRAMS = sorted(CORPUS.glob("*.py"))
_CATEGORY = re.compile(r"^# category: (\S+)$", re.MULTILINE)


def _marked_line(stem: str) -> tuple[Path, int]:
    marker = f"# <- blame:{stem}"
    found = [
        (path, number)
        for path in [*CORPUS.glob("*.py"), *CORPUS.glob("blame_helpers/*.py")]
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.rstrip().endswith(marker)
    ]
    assert len(found) == 1, f"{stem}: want exactly one line marked {marker!r}, found {found}"
    return found[0]


_RUNS: dict = {}


def _runs_of(path: Path) -> tuple[Run, Run]:
    """Both runs of one program, made once per session (several tests read them)."""
    if path not in _RUNS:
        _RUNS[path] = (run_forked(path, blame=False), run_forked(path, blame=True))
    return _RUNS[path]


def test_corpus_has_at_least_30_failing_programs() -> None:
    # Counted: the ones the static analysis cannot reach (not marked `static-reaches`).
    failing = [
        path.stem for path in PROGRAMS
        if _runs_of(path)[0].returncode != 0 and "# static-reaches" not in path.read_text(encoding="utf-8")
    ]
    assert len(failing) >= 30, failing


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_names_the_marked_line(program: Path) -> None:
    plain, blamed = _runs_of(program)
    assert plain.returncode == blamed.returncode, (plain, blamed)
    category = _CATEGORY.search(program.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
    assert (plain.returncode != 0) == (category == BREAKS_BACKWARD), plain
    path, line = _marked_line(program.stem)
    named = {
        (Path(e["module_defined_at"]["path"] if e["module_defined_at"] else e["path"]).resolve(),
         e["module_defined_at"]["line"] if e["module_defined_at"] else e["line"])
        for e in blamed.events
    }
    assert named == {(path.resolve(), line)}, blamed.events
    assert {e["category"] for e in blamed.events} == {category}


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_static_analysis_does_not_reach_the_line(program: Path) -> None:
    path, line = _marked_line(program.stem)
    findings = check_source(path.read_text(encoding="utf-8"), str(path), Config()).findings
    on_line = [f for f in findings if f.start.line <= line <= f.end.line]
    if "# static-reaches" in program.read_text(encoding="utf-8"):
        # Written before the static analysis followed this kind of code; now it does, and says
        # what the runtime locator says.
        expected = program.read_text(encoding="utf-8").splitlines()[0].removeprefix("# category: ").strip()
        assert [f.category for f in on_line] == [expected], on_line
    elif "# static-sees-flag" in program.read_text(encoding="utf-8"):
        assert all(f.category != BREAKS_BACKWARD for f in on_line), on_line
    else:
        assert on_line == [], on_line
