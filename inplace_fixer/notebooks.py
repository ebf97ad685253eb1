"""Jupyter notebooks: their code cells checked as one program, fixes written back cell by cell.

A notebook's code cells run as one program, so they are analysed as one: concatenated in
execution order (by execution count when every code cell has a distinct one, else in document
order), each preceded by a marker comment line, so that a tensor made in cell 3 is known in cell 7
and the fixed program splits back into its cells. IPython syntax (``%timeit``, ``!pip``, ``x = !ls``,
``obj?``) is replaced by ``pass`` lines for the analysis and restored afterwards; a cell that starts
with a cell magic other than ``%%time``-like ones is not Python and is left out.

Positions are per cell: a finding carries ``cell`` (1-based, counting every cell, as Jupyter and VS
Code number them) and a line and column within the cell. Writing changes only the JSON value of each
changed cell's source, in the layout the file already has, so outputs, metadata, other cells and
the file's formatting keep their bytes; nbformat validates what is read.
"""

from __future__ import annotations

import difflib
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from inplace_fixer.model import Config, Edit, FileResult, Finding, Fix, Position

CELL_MARKER = "# inplace-fixer:cell:{}\n"
_CELL_MARKER = re.compile(r"^# inplace-fixer:cell:(\d+)$")
MAGIC_PLACEHOLDER = "pass  # inplace-fixer:magic"
# Cell magics whose body is still Python: only their first line is IPython syntax.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_LINE_MAGIC = re.compile(
    r"^[ \t]*(?:[%!?]"  # %timeit x, !pip install, ?obj
    r"|[\w.,\[\] \t]+=[ \t]*[%!]"  # files = !ls, t = %timeit -o f()
    r"|[\w.]+[ \t]*\?\??[ \t]*$)"  # obj? obj??
)
_LINE_REFERENCE = re.compile(r"\bline (\d+)\b")


class NotebookError(Exception):
    """The file is not a notebook we can read; the message says why."""


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based, among all cells
    source: str  # as stored, joined
    execution_count: int | None
    is_code: bool


@dataclass(frozen=True)
class Notebook:
    text: str  # the file as read (JSON)
    cells: tuple[Cell, ...]
    source_key: str  # "source" (nbformat 4) or "input" (nbformat 3 code cells)
    language: str  # of the kernel; only Python notebooks are checked


def read_notebook(text: str) -> Notebook:
    """Parse and validate with nbformat; raises NotebookError with the reason."""
    import nbformat

    try:
        json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not JSON: {exc}") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing cell ids and the like: nbformat's own nags
            node = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
            nbformat.validate(node)
    except nbformat.reader.NotJSONError as exc:
        raise NotebookError(f"not JSON: {_first_line(str(exc))}") from exc
    except nbformat.ValidationError as exc:
        raise NotebookError(f"invalid notebook: {_first_line(exc.message)}") from exc
    except Exception as exc:  # nbformat's errors for versions it does not know have no common base
        raise NotebookError(_first_line(str(exc)) or type(exc).__name__) from exc
    raw = json.loads(text)
    if raw.get("nbformat") == 3:
        raw_cells = [cell for sheet in raw.get("worksheets", []) for cell in sheet.get("cells", [])]
        source_key = "input"
    else:
        raw_cells, source_key = raw["cells"], "source"
    cells = []
    for number, cell in enumerate(raw_cells, start=1):
        is_code = cell.get("cell_type") == "code"
        value = cell.get(source_key if is_code else "source", "")
        cells.append(
            Cell(number, "".join(value) if isinstance(value, list) else value,
                 cell.get("execution_count", cell.get("prompt_number")), is_code)
        )
    metadata = raw.get("metadata") or {}
    language = (metadata.get("kernelspec") or {}).get("language") or (metadata.get("language_info") or {}).get("name") or "python"
    return Notebook(text, tuple(cells), source_key, str(language).lower())


def _first_line(text: str) -> str:
    return " ".join(text.strip().splitlines()[:1])


# ---------------------------------------------------------------------------------------------
# Cells -> one program, and back


@dataclass(frozen=True)
class _Masked:
    text: str  # the cell as the analysis sees it, ending with a newline
    magics: tuple[str, ...]  # the original lines replaced by placeholders, in order
    skipped: bool  # a non-Python cell magic: left out of the program


def mask(source: str) -> _Masked:
    lines = source.splitlines(keepends=True)
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and (first[2:].split() or [""])[0] not in PYTHON_CELL_MAGICS:
        return _Masked("", (), True)
    out, magics = [], []
    continued = False
    for index, line in enumerate(lines):
        is_magic = continued or (index == 0 and first.startswith("%%")) or bool(_LINE_MAGIC.match(line))
        if is_magic:
            body = line.rstrip("\r\n")
            indent = body[: len(body) - len(body.lstrip(" \t"))]
            ending = line[len(body):] or "\n"
            out.append(indent + MAGIC_PLACEHOLDER + ending)
            magics.append(line)
            continued = body.endswith("\\")
        else:
            out.append(line)
            continued = False
    text = "".join(out)
    if text and not text.endswith("\n"):
        text += "\n"
    return _Masked(text, tuple(magics), False)


def unmask(text: str, masked: _Masked, original: str) -> str:
    lines = text.splitlines(keepends=True)
    magics = iter(masked.magics)
    restored = [next(magics) if line.strip() == MAGIC_PLACEHOLDER else line for line in lines]
    result = "".join(restored)
    if not original.endswith("\n") and result.endswith("\n"):
        result = result[:-1]
    return result


def execution_order(cells: tuple[Cell, ...]) -> list[Cell]:
    code = [cell for cell in cells if cell.is_code and cell.source.strip()]
    counts = [cell.execution_count for cell in code]
    if code and all(isinstance(count, int) for count in counts) and len(set(counts)) == len(counts):
        return sorted(code, key=lambda cell: cell.execution_count)  # type: ignore[arg-type,return-value]
    return code


@dataclass(frozen=True)
class Program:
    text: str
    # (first program line of the cell's code, cell number), in program order
    starts: tuple[tuple[int, int], ...]
    masked: dict[int, _Masked]

    def locate(self, line: int) -> tuple[int, int]:
        """(cell number, line within the cell) of a program line."""
        cell_start, number = self.starts[0]
        for start, candidate in self.starts:
            if start > line:
                break
            cell_start, number = start, candidate
        return number, line - cell_start + 1


def program_of(notebook: Notebook) -> Program:
    pieces, starts, masked = [], [], {}
    line = 1
    for cell in execution_order(notebook.cells):
        cell_masked = mask(cell.source)
        if cell_masked.skipped:
            continue
        masked[cell.number] = cell_masked
        pieces.append(CELL_MARKER.format(cell.number))
        starts.append((line + 1, cell.number))
        pieces.append(cell_masked.text)
        line += 1 + cell_masked.text.count("\n")
    return Program("".join(pieces), tuple(starts), masked)


def split_program(text: str) -> dict[int, str]:
    """Cell number -> its (masked) text, from a program ``program_of`` made (fixed or not)."""
    cells: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        marker = _CELL_MARKER.match(line.rstrip("\r\n"))
        if marker:
            current = cells.setdefault(int(marker.group(1)), [])
        elif current is not None:
            current.append(line)
    return {number: "".join(lines) for number, lines in cells.items()}


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass(frozen=True)
class CheckedNotebook:
    result: FileResult  # source/fixed_source: the notebook's JSON text before and after
    changes: tuple[tuple[int, str, str], ...]  # (cell number, old source, new source)


CheckSource = Callable[[str, str, Config], FileResult]


def check_notebook(text: str, path: str, config: Config, check: CheckSource) -> CheckedNotebook:
    """Findings and fixes of a notebook's text; an unreadable notebook is an error result."""
    try:
        notebook = read_notebook(text)
    except NotebookError as exc:
        return CheckedNotebook(FileResult(path=path, source="", error=f"cannot read notebook: {exc}"), ())
    program = program_of(notebook)
    if not program.starts or notebook.language != "python":  # an R or Julia notebook: not ours
        return CheckedNotebook(FileResult(path=path, source=text, fixed_source=text), ())
    checked = check(program.text, path, config)
    if checked.error is not None:
        error = _CELL_REFERENCE_ERROR.sub(lambda m: _cell_line(program, int(m.group(1))), checked.error)
        return CheckedNotebook(FileResult(path=path, source="", error=error), ())
    mapped = {id(finding): in_cell(finding, program) for finding in checked.findings}
    findings = tuple(mapped[id(finding)] for finding in checked.findings)
    fixed = tuple(mapped[id(finding)] for finding in checked.fixed)
    changes = []
    if checked.changed:
        by_number = {cell.number: cell for cell in notebook.cells}
        for number, new_masked in split_program(checked.fixed_source or "").items():
            masked = program.masked[number]
            if new_masked != masked.text:
                old = by_number[number].source
                changes.append((number, old, unmask(new_masked, masked, old)))
    fixed_text = write_cells(notebook, dict((number, new) for number, _, new in changes)) if changes else text
    result = FileResult(path=path, source=text, findings=findings, fixed_source=fixed_text, fixed=fixed if changes else ())
    return CheckedNotebook(result, tuple(changes))


_CELL_REFERENCE_ERROR = re.compile(r"\(line (\d+), column")


def _cell_line(program: Program, line: int) -> str:
    number, line_in_cell = program.locate(line)
    return f"(cell {number}, line {line_in_cell}, column"


def in_cell(finding: Finding, program: Program) -> Finding:
    """``finding`` (in program coordinates) in the coordinates of its cell."""
    cell, line = program.locate(finding.start.line)
    offset = finding.start.line - line

    def moved(position: Position) -> Position:
        return Position(position.line - offset, position.col)

    fix = finding.fix
    if fix is not None:
        fix = Fix(fix.applicability, _cells_in(fix.reason, program),
                  tuple(Edit(moved(e.start), moved(e.end), e.content) for e in fix.edits))
    return replace(
        finding, start=moved(finding.start), end=moved(finding.end), fix=fix, cell=cell,
        message=_cells_in(finding.message, program), reason=_cells_in(finding.reason, program),
    )


def _cells_in(text: str | None, program: Program) -> str | None:
    """Messages cite program lines ("line 24"); in a notebook they cite "line 2 of cell 5".
    Text between backticks is the user's code and is left alone."""
    if text is None:
        return None
    parts = text.split("`")
    for index in range(0, len(parts), 2):
        parts[index] = _LINE_REFERENCE.sub(lambda m: "line {1} of cell {0}".format(*program.locate(int(m.group(1)))), parts[index])
    return "`".join(parts)


# ---------------------------------------------------------------------------------------------
# Writing: only the changed cells' source values, in the file's own layout


_SOURCE_KEY = re.compile(r'"(source|input)"\s*:\s*')


def write_cells(notebook: Notebook, new_sources: dict[int, str]) -> str:
    """The notebook's text with the sources of ``new_sources`` replaced and every other byte kept.
    Raises NotebookError if the cells cannot be found in the text as parsed."""
    text = notebook.text
    decoder = json.JSONDecoder()
    spans: list[tuple[int, int, Any]] = []  # each source value: start, end, decoded
    for match in _SOURCE_KEY.finditer(text):
        try:
            value, end = decoder.raw_decode(text, match.end())
        except ValueError:
            continue
        if isinstance(value, (str, list)):
            spans.append((match.end(), end, value))
    # The cells' sources appear in document order; keys inside metadata that happen to be
    # called "source" are skipped by matching the values.
    pieces, position, cursor = [], 0, 0
    for cell in notebook.cells:
        while cursor < len(spans) and _joined(spans[cursor][2]) != cell.source:
            cursor += 1
        if cursor == len(spans):
            raise NotebookError(f"cannot find the source of cell {cell.number} in the file")
        start, end, value = spans[cursor]
        cursor += 1
        if cell.number in new_sources:
            pieces += [text[position:start], _encode_like(text[start:end], value, new_sources[cell.number])]
            position = end
    return "".join(pieces) + text[position:]


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else value


def _encode_like(old_raw: str, old_value: Any, new: str) -> str:
    ascii_only = "\\u" in old_raw or old_raw.isascii()
    if isinstance(old_value, str):
        return json.dumps(new, ensure_ascii=ascii_only)
    lines = new.splitlines(keepends=True)
    if "\n" not in old_raw:
        return json.dumps(lines, ensure_ascii=ascii_only)
    layout = re.match(r"\[(\s*)", old_raw)
    item_indent = layout.group(1) if layout else "\n"
    close = re.search(r"(\s*)\]$", old_raw)
    close_indent = close.group(1) if close else "\n"
    if not lines:
        return "[]"
    return "[" + item_indent + ("," + item_indent).join(json.dumps(line, ensure_ascii=ascii_only) for line in lines) + close_indent + "]"


def cell_diff(path: str, changes: tuple[tuple[int, str, str], ...], display_path: Callable[[str], str]) -> str:
    """One unified diff per changed cell, headed ``a/nb.ipynb:cell 7``."""
    out = []
    for number, old, new in changes:
        label = f"{display_path(path)}:cell {number}"
        lines = difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{label}", f"b/{label}"
        )
        out.extend(line if line.endswith("\n") else line + "\n\\ No newline at end of cell\n" for line in lines)
    return "".join(out)
