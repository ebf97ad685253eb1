"""One ``blame`` run: check the target, watch it, then report and (with ``--apply``) fix."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from inplace_fixer.render import display_path, write_text


def blame_program(
    *,
    script: Optional[str],
    module: Optional[str],
    args: list[str],
    report: Optional[Path],
    apply: bool = False,
    unsafe_fixes: bool = False,
    sample: int = 1,
) -> int:
    from inplace_fixer.blame import render, runner

    target = runner.Target(script=script, module=module)
    try:
        start = runner.check_runnable(target)
    except runner.CannotRun as exc:
        write_text(sys.stderr, f"inplace-fixer blame: {exc}\n")
        return runner.EXIT_CANNOT_RUN

    from inplace_fixer.blame.watch import watch

    argv = [script if script is not None else str(module), *args]
    with watch(sample=sample) as locator:
        returncode = runner.run(start, argv)
    events = list(locator.events)
    if events:
        write_text(sys.stderr, render.summary(events))
    if report is not None:
        try:
            report.write_text(render.report_json(returncode, events), encoding="utf-8")
        except OSError as exc:
            write_text(sys.stderr, f"inplace-fixer blame: cannot write {report}: {exc.strerror or exc}\n")
    if apply:
        from inplace_fixer.blame.apply import apply_fixes

        for written in apply_fixes(events, unsafe_fixes):
            outcome = written.error or f"wrote {written.edits} fix{'es' if written.edits != 1 else ''}"
            write_text(sys.stderr, f"inplace-fixer blame: {display_path(written.path)}: {outcome}\n")
    return returncode
