"""Paste the tool's real output into the README after its `<!-- output of: ... -->` markers.

Run after a change that alters what `inplace-fixer check examples/` prints; review the README
diff like a golden file. tests/test_readme.py fails while the pasted output is stale.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKERS = {
    "<!-- output of: inplace-fixer check examples/ -->": (("check", "examples/"), "", True),
    "<!-- output of: inplace-fixer check examples/ --diff -->": (("check", "examples/", "--diff"), "diff", False),
}


def main() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for marker, (args, language, with_stderr) in MARKERS.items():
        completed = subprocess.run(
            [sys.executable, "-m", "inplace_fixer", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        output = completed.stdout + (completed.stderr if with_stderr else "")
        before, after = readme.split(marker, 1)
        block = re.match(rf"(\s*```{language}\n)(.*?)```", after, re.DOTALL)
        if block is None:
            raise SystemExit(f"README.md: no ```{language} block after {marker}")
        readme = before + marker + block.group(1) + output + "```" + after[block.end():]
    (ROOT / "README.md").write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main()
