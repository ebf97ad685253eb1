"""Another real editor: Emacs with eglot in batch mode (tests/lsp/eglot_quickfix.el) applies the
quick-fixes one by one, or fix-all, saves, and the file equals the golden expected output.

Emacs and eglot come from Debian (``apt-get install emacs-nox elpa-eglot``: Emacs 28.2 and
eglot 1.9 on bookworm; Emacs 29+ has eglot built in). Skipped where either is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.lsp.client import REAL_SERVER, ROOT, SERVER_ENV

EMACS = shutil.which("emacs")
SCRIPT = ROOT / "tests" / "lsp" / "eglot_quickfix.el"
GOLDEN = ROOT / "golden"
CASES = ["article/example1.py", "format/docstring_and_unicode.py", "format/crlf_with_bom_index_assign.py"]


def has_eglot() -> bool:
    probe = "(progn (require 'package) (package-initialize) (require 'eglot))"
    return (
        EMACS is not None
        and subprocess.run([EMACS, "--batch", "--eval", probe], capture_output=True).returncode == 0
    )


pytestmark = pytest.mark.skipif(
    not has_eglot(), reason="Emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot)"
)


@pytest.mark.parametrize("mode", ["quickfix", "fixall"])
@pytest.mark.parametrize("case", CASES)
def test_eglot_writes_the_golden_output(case, mode, tmp_path):
    source = GOLDEN / case
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    env = {
        **SERVER_ENV,
        "INPLACE_FIXER_LSP_CMD": json.dumps(REAL_SERVER),
        "INPLACE_FIXER_FILE": str(target),
        "INPLACE_FIXER_MODE": mode,
        "HOME": str(tmp_path),  # no user init, no package archive of the user's
    }
    completed = subprocess.run(
        [EMACS, "--batch", "-l", str(SCRIPT)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=180,
    )

    assert completed.returncode == 0, completed.stderr.decode(errors="replace")[-3000:]
    assert target.read_bytes() == source.with_name(source.stem + ".expected.py").read_bytes()
