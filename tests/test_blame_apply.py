"""``blame --apply`` writes what ``check --apply`` would: safe fixes, unsafe ones only when asked,
and never a file that does not parse."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")

from inplace_fixer.blame.apply import apply_fixes  # noqa: E402
from inplace_fixer.blame.events import Event  # noqa: E402
from inplace_fixer.blame.frames import Location  # noqa: E402
from inplace_fixer.model import Applicability, Edit, Fix, Position  # noqa: E402

SOURCE = "import torch\n\n\ndef f(a, b):\n    a.mul_(2)\n    b.add_(1)\n"


def _event(path: Path, line: int, content: str, applicability: Applicability) -> Event:
    fix = Fix(applicability, None if applicability is Applicability.SAFE else "why", (Edit(Position(line, 5), Position(line + 1, 1), content),))
    return Event(Location(str(path), line, 5, line, 14), "breaks-backward", "torch.Tensor.mul_", "m", fix=fix)


def test_only_safe_fixes_unless_unsafe_fixes(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text(SOURCE)
    events = [_event(target, 5, "a = a * 2\n", Applicability.SAFE), _event(target, 6, "b = b + 1\n", Applicability.UNSAFE)]
    (written,) = apply_fixes(events, unsafe_fixes=False)
    assert (written.edits, written.error) == (1, None)
    assert target.read_text() == SOURCE.replace("a.mul_(2)", "a = a * 2")
    target.write_text(SOURCE)
    apply_fixes(events, unsafe_fixes=True)
    assert target.read_text() == SOURCE.replace("a.mul_(2)", "a = a * 2").replace("b.add_(1)", "b = b + 1")


def test_a_result_that_does_not_parse_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text(SOURCE)
    (written,) = apply_fixes([_event(target, 5, "a = (a * 2\n", Applicability.SAFE)], unsafe_fixes=False)
    assert written.error is not None and written.error.startswith("not written: the fixes together do not parse")
    assert target.read_text() == SOURCE
