"""The migration report (``--report``) and ``--resume`` after an ``--apply`` killed with SIGKILL:
every file wholly old or wholly new, the resumed run finishing exactly what an uninterrupted run
writes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import inplace_fixer
from inplace_fixer import cli

REPO_ROOT = Path(inplace_fixer.__file__).resolve().parent.parent
GOLDEN = REPO_ROOT / "golden"


def golden_tree(tmp_path: Path, name: str) -> Path:
    """The golden cases whose safe output differs from the input, with their expected outputs
    (to compare against), as a tree of ~100 files."""
    tree = tmp_path / name
    for expected in sorted(GOLDEN.rglob("*.expected.py")):
        if expected.name.endswith(".unsafe.expected.py") or "verify" in expected.parts:
            continue
        source = expected.with_name(expected.name.replace(".expected.py", ".py"))
        relative = source.relative_to(GOLDEN)
        (tree / relative.parent).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tree / relative)
    return tree


def expected_of(tree: Path, path: Path) -> bytes:
    relative = path.relative_to(tree)
    return (GOLDEN / relative).with_name(relative.name.replace(".py", ".expected.py")).read_bytes()


def test_the_report_counts_files_findings_and_fixes(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(REPO_ROOT / "examples", tree)
    (tree / "broken.py").write_text("def f(:\n")
    report = tmp_path / "out" / "migration.md"
    result = CliRunner().invoke(cli.cli, ["check", str(tree), "--apply", "--no-cache", "--report", str(report)])
    assert result.exit_code == 2
    data = json.loads(report.with_suffix(".json").read_text())
    assert data["mode"] == "apply"
    assert data["files"] == {
        "scanned": 7, "changed": 4, "unchanged": 2, "skipped": 0, "failed": 1, "not_written": 0,
        "done_by_earlier_run": 0,
    }
    assert data["findings"]["total"] == 5
    assert data["findings"]["by_rule"] == {"IPF001": 1, "IPF002": 2, "IPF004": 1, "IPF006": 1}
    assert data["findings"]["by_category"] == {"breaks-backward": 4, "in-gradient-path": 1}
    assert data["fixes"] == {"applied": 4, "left_unsafe": 1, "left_safe": 0, "display_only": 0, "report_only": 0}
    failed = [item for item in data["file_list"] if item["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["path"].endswith("broken.py")
    assert failed[0]["reason"].startswith("cannot parse: ")
    assert len(data["top_files"]) == 5 and data["verification"] is None
    text = report.read_text()
    assert "| 7 | 4 | 2 | 0 | 1 | 0 | 0 |" in text and "| IPF002 | 2 |" in text
    assert "Migration report: " in result.output


def test_the_report_lists_files_skipped_by_since(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    tree = tmp_path / "tree"
    shutil.copytree(REPO_ROOT / "examples", tree)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run([*git, "add", "."], cwd=tree, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tree, check=True)
    (tree / "article_example1.py").write_text((tree / "article_example1.py").read_text() + "y *= 2\n")
    report = tmp_path / "m.md"
    result = subprocess.run(
        [sys.executable, "-m", "inplace_fixer", "check", ".", "--since", "HEAD", "--report", str(report)],
        cwd=tree, capture_output=True, text=True,
    )
    data = json.loads(report.with_suffix(".json").read_text())
    statuses = {item["path"]: item["status"] for item in data["file_list"]}
    assert statuses.pop("article_example1.py") == "changed"
    assert set(statuses.values()) == {"skipped"} and len(statuses) == 5
    assert data["files"]["skipped"] == 5 and data["mode"] == "check"
    assert "Migration report: " in result.stderr


def test_resume_after_kill_9_finishes_the_run_and_no_file_is_ever_half_written(tmp_path: Path) -> None:
    tree = golden_tree(tmp_path, "tree")
    sources = sorted(tree.rglob("*.py"))
    originals = {path: path.read_bytes() for path in sources}
    assert len(sources) > 60
    state = tmp_path / "state"
    command = [sys.executable, "-m", "inplace_fixer", "check", str(tree), "--apply", "--jobs", "1",
               "--cache-dir", str(state), "--no-cache"]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal_dir = state / "resume"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        journals = list(journal_dir.glob("*.jsonl")) if journal_dir.exists() else []
        if journals and journals[0].read_text().count("\n") >= 10:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the run ended before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    # Every file is wholly old or wholly new, and some of each.
    states = []
    for path in sources:
        data = path.read_bytes()
        assert data in (originals[path], expected_of(tree, path)), path
        states.append(data == originals[path])
    assert any(states) and not all(states)
    assert not list(tree.rglob("*.tmp"))
    journal = next(journal_dir.glob("*.jsonl"))
    done_before = journal.read_text().count("\n") - 1

    report = tmp_path / "migration.md"
    resumed = subprocess.run([*command, "--resume", "--report", str(report)], cwd=tmp_path, capture_output=True, text=True)
    assert resumed.returncode in (0, 1), resumed.stderr
    assert f"--resume: {done_before} files were done by the interrupted run" in resumed.stderr
    for path in sources:
        assert path.read_bytes() == expected_of(tree, path), path
    data = json.loads(report.with_suffix(".json").read_text())
    assert data["files"]["done_by_earlier_run"] == done_before
    earlier = [item for item in data["file_list"] if item["status"].endswith("(earlier run)")]
    assert len(earlier) == done_before and all(item["reason"] == "done by the interrupted run" for item in earlier)
    assert not journal.exists()  # finished: nothing left to resume


def test_resume_needs_apply(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.cli, ["check", str(REPO_ROOT / "examples"), "--resume"])
    assert result.exit_code == 2 and "--resume continues an interrupted --apply" in result.output
