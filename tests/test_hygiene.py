"""The repository holds no build output and names no path of the machine it was written on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Absolute paths that exist only on the machine a file was written on: a home directory, root's
# home, the shared work directory of these machines. Built from parts so this file passes.
MACHINE_PATH = re.compile("(?<![\\w.])/" + "(?:work|root|home/[a-z_][\\w-]*)/")


def _tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout, or no git: the tracked files are unknown")
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [REPO_ROOT / name for name in listing.split("\0") if name]


def test_no_tracked_file_names_a_machine_path() -> None:
    offenders = []
    for path in _tracked_files():
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_build_output_is_tracked() -> None:
    built = [p for p in _tracked_files() if ".egg-info" in p.as_posix() or "__pycache__" in p.parts]
    assert built == []


def test_the_pattern_finds_what_it_is_for() -> None:
    assert MACHINE_PATH.search("usage: /" + "work/venv/bin/python bench.py")
    assert MACHINE_PATH.search("see /" + "home/alice/src")
    assert not MACHINE_PATH.search("python3 -m venv .venv && .venv/bin/python -m pytest")
    assert not MACHINE_PATH.search("https://example.org/work/x")
