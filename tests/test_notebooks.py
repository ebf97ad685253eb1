"""Notebooks: cells checked as one program in execution order, per-cell positions, IPython magics,
fixes written back into the changed cells only (every other byte kept), per-cell diffs, and
malformed notebooks reported without stopping the run."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from inplace_fixer import cli, engine
from inplace_fixer.model import Config
from inplace_fixer.notebooks import check_notebook


def make_notebook(path: Path, cells: list, compact: bool = False) -> Path:
    """Written as Jupyter writes (nbformat.writes: sources as lists of lines, indent 1), or in
    one compact line, with ASCII escapes, as some other tools write."""
    notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    text = nbformat.writes(notebook)
    if compact:
        text = json.dumps(json.loads(text), ensure_ascii=True)
    path.write_text(text, encoding="utf-8")
    return path


def training_cells() -> list:
    return [
        new_markdown_cell("# Training\nSome *text*, 100% real."),
        new_code_cell("!pip install torch\nimport torch\n%matplotlib inline", execution_count=1),
        new_code_cell(
            "x = torch.ones(3, requires_grad=True)\nw = torch.randn(3)", execution_count=2,
            outputs=[new_output("stream", name="stdout", text="done\n")],
        ),
        new_code_cell("%%bash\necho $HOME", execution_count=3),
        new_markdown_cell("Now the in-place part."),
        new_code_cell("files = !ls\nx.sum?", execution_count=4),
        new_code_cell("%%time\nh = torch.tanh(x * w)\n\nh.mul_(2)\nh.sum().backward()", execution_count=5),
    ]


def invoke(*args: str):
    return CliRunner().invoke(cli.cli, ["check", *args, "--no-cache"])


def test_cells_are_one_program_and_positions_are_per_cell(tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "nb.ipynb", training_cells())
    result = invoke(str(notebook))
    lines = [line for line in result.output.splitlines() if "IPF" in line]
    # `x` was made in cell 3 and is known in cell 7; the finding is on line 4 of cell 7.
    assert len(lines) == 1 and result.exit_code == 1
    assert lines[0].startswith(f"{notebook}:cell 7:4:1: IPF002 `h.mul_(2)` modifies `h`, which torch.tanh (line 2 of cell 7)")
    data = json.loads(invoke(str(notebook), "--format", "json").output.split("\nFound")[0])
    assert [(item["cell"], item["line"], item["col"], item["end_line"]) for item in data] == [(7, 4, 1, 4)]
    assert data[0]["fix"]["edits"][0]["start"] == {"line": 4, "col": 1}


def test_without_the_earlier_cell_nothing_is_known(tmp_path: Path) -> None:
    cells = training_cells()
    del cells[2]  # the cell that makes `x` require grad
    notebook = make_notebook(tmp_path / "nb.ipynb", cells)
    assert "IPF" not in invoke(str(notebook)).output


def test_execution_order_decides_what_is_known(tmp_path: Path) -> None:
    use = "import torch\nh = torch.tanh(x)\nh.mul_(2)"
    make = "import torch\nx = torch.ones(3, requires_grad=True)"
    ran_in_order = make_notebook(tmp_path / "a.ipynb", [new_code_cell(use, execution_count=2), new_code_cell(make, execution_count=1)])
    never_ran = make_notebook(tmp_path / "b.ipynb", [new_code_cell(use), new_code_cell(make)])
    check = lambda path: check_notebook(path.read_text(), str(path), Config(), engine.check_source).result  # noqa: E731
    assert [(f.cell, f.code) for f in check(ran_in_order).findings] == [(1, "IPF002")]
    assert check(never_ran).findings == ()  # document order: `x` is not made yet in cell 1


def test_apply_changes_only_the_fixed_cell_and_keeps_magics_outputs_and_layout(tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "nb.ipynb", training_cells())
    before = notebook.read_text(encoding="utf-8")
    result = invoke(str(notebook), "--apply")
    assert result.exit_code == 0, result.output
    after = notebook.read_text(encoding="utf-8")
    assert after == before.replace('    "h.mul_(2)\\n",\n', '    "h = h * 2\\n",\n')
    assert after != before
    nbformat.validate(nbformat.reads(after, as_version=4))


def test_a_compact_notebook_keeps_its_layout(tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "nb.ipynb", training_cells(), compact=True)
    before = notebook.read_text()
    assert invoke(str(notebook), "--apply").exit_code == 0
    assert notebook.read_text() == before.replace('"h.mul_(2)\\n"', '"h = h * 2\\n"')


def test_a_notebook_without_findings_is_not_touched(tmp_path: Path) -> None:
    cells = training_cells()[:4]
    notebook = make_notebook(tmp_path / "nb.ipynb", cells)
    before = notebook.read_bytes()
    stat = notebook.stat()
    assert invoke(str(notebook), "--apply").exit_code == 0
    assert notebook.read_bytes() == before and notebook.stat().st_mtime_ns == stat.st_mtime_ns


def test_diff_is_per_cell(tmp_path: Path) -> None:
    notebook = make_notebook(tmp_path / "nb.ipynb", training_cells())
    result = invoke(str(notebook), "--diff")
    diff = result.output.split("Would fix")[0]
    assert diff.splitlines()[:3] == [f"--- a/{notebook}:cell 7", f"+++ b/{notebook}:cell 7", "@@ -1,5 +1,5 @@"]
    assert "-h.mul_(2)\n+h = h * 2\n" in diff


@pytest.mark.parametrize(
    "content, reason",
    [
        ('{"cells": [', "not JSON: Expecting value: line 1 column 12 (char 11)"),
        ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "invalid notebook: The notebook is invalid and is missing an expected key: cells"),
        ('{"nbformat": 9, "nbformat_minor": 0, "metadata": {}, "cells": []}', "Unsupported nbformat version 9"),
    ],
    ids=["bad-json", "missing-cells", "unknown-version"],
)
def test_a_malformed_notebook_is_an_error_and_the_others_are_still_checked(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "broken.ipynb").write_text(content)
    make_notebook(tmp_path / "good.ipynb", training_cells())
    result = invoke(str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'broken.ipynb'}: cannot read notebook: {reason}\n" in result.output
    assert f"{tmp_path / 'good.ipynb'}:cell 7:4:1: IPF002" in result.output


def test_directories_are_walked_for_notebooks_but_not_checkpoints(tmp_path: Path) -> None:
    make_notebook(tmp_path / "nb.ipynb", training_cells())
    (tmp_path / ".ipynb_checkpoints").mkdir()
    make_notebook(tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb", training_cells())
    output = invoke(str(tmp_path)).output
    assert output.count("IPF002") == 1 and "checkpoint" not in output


def test_a_cell_that_does_not_parse_names_its_cell_and_other_kernels_are_left_alone(tmp_path: Path) -> None:
    broken = make_notebook(tmp_path / "broken.ipynb", [new_code_cell("import torch"), new_code_cell("x = 1\ndef f(:\n  pass")])
    result = invoke(str(broken))
    assert result.exit_code == 2
    assert f"{broken}: cannot parse: invalid syntax (cell 2, line 2, column 7)" in result.output
    r_notebook = make_notebook(tmp_path / "r.ipynb", [new_code_cell("x <- c(1, 2)\nx[1] <- 3")])
    data = json.loads(r_notebook.read_text())
    data["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    r_notebook.write_text(json.dumps(data))
    assert invoke(str(r_notebook)).exit_code == 0
