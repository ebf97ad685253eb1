"""A real editor: headless Neovim starts the server, shows its diagnostics, applies the quick-fixes
through its code-action menu and writes the file (tests/lsp/nvim_quickfix.lua), and the file on
disk then equals the golden expected output, byte for byte.

Neovim comes from Debian (``apt-get install neovim``, 0.7.2 on bookworm); .ci/run installs it.
The test is skipped only where no ``nvim`` is on PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from inplace_fixer import check_source
from inplace_fixer.files import decode_source
from tests.lsp.client import REAL_SERVER, ROOT, SERVER_ENV

NVIM = shutil.which("nvim")
SCRIPT = ROOT / "tests" / "lsp" / "nvim_quickfix.lua"
GOLDEN = ROOT / "golden"
# Plain, non-ASCII, CRLF with a byte order mark, and a multi-line statement.
GOLDEN_CASES = [
    "article/example1.py",
    "format/docstring_and_unicode.py",
    "format/crlf_with_bom_index_assign.py",
    "format/multiline_rhs_parenthesized.py",
]
# Astral characters before the finding on its line: Neovim counts UTF-16 units like VS Code.
UNICODE_CASE = ROOT / "tests" / "lsp" / "astral_before_finding.py"

pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (apt-get install neovim)")


def run_neovim(path: Path) -> None:
    env = {**SERVER_ENV, "INPLACE_FIXER_LSP_CMD": json.dumps(REAL_SERVER)}
    completed = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-c", f"luafile {SCRIPT}", str(path)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")


def test_neovim_is_recent_enough_for_the_script():
    version = subprocess.run([NVIM, "--version"], capture_output=True, text=True, check=True).stdout
    major, minor = (int(part) for part in version.split()[1].lstrip("v").split(".")[:2])

    assert (major, minor) >= (0, 7), version.splitlines()[0]


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_quick_fixes_in_neovim_write_the_golden_output(case, tmp_path):
    source = GOLDEN / case
    target = tmp_path / source.name
    shutil.copyfile(source, target)

    run_neovim(target)

    assert target.read_bytes() == source.with_name(source.stem + ".expected.py").read_bytes()


def test_quick_fixes_in_neovim_after_astral_characters(tmp_path):
    target = tmp_path / UNICODE_CASE.name
    shutil.copyfile(UNICODE_CASE, target)
    text = decode_source(UNICODE_CASE.read_bytes()).text
    expected = check_source(text, str(UNICODE_CASE)).fixed_source
    assert expected != text

    run_neovim(target)

    assert target.read_text(encoding="utf-8") == expected
