"""The only place the locator's events become text: stderr entries and the JSON report."""

from __future__ import annotations

import json
import sys
from typing import Iterable, Optional, TextIO

from inplace_fixer.blame.events import Event
from inplace_fixer.render import display_path, write_text


def _event_json(event: Event) -> dict:
    data = event.to_json()
    data["path"] = display_path(data["path"])
    for key in ("saved_by", "backward_at", "module_defined_at"):
        if data[key] is not None:
            data[key]["path"] = display_path(data[key]["path"])
    return data


def entry(event: Event) -> str:
    """``path:line:col: category message`` and, when there is one, the fix on the next line."""
    loc = event.location
    text = f"{display_path(loc.path)}:{loc.line}:{loc.col}: {event.category} {event.message}\n"
    fix = event.fix
    if fix is not None:
        where = ""
        if event.module_defined_at is not None:
            where = f" at {display_path(event.module_defined_at.path)}:{event.module_defined_at.line}"
        code = "; ".join(edit.content.strip() for edit in fix.edits) or "(delete)"
        text += f"  Fix ({fix.applicability.value}){where}: {code}\n"
        if fix.reason:
            text += f"    ({fix.reason})\n"
    return text


def write_entry(event: Event, stream: Optional[TextIO] = None) -> None:
    write_text(stream or sys.stderr, "inplace-fixer blame: " + entry(event))


def summary(events: Iterable[Event]) -> str:
    events = list(events)
    if not events:
        return "inplace-fixer blame: no in-place change broke a backward.\n"
    lines = "".join(entry(event) for event in events)
    noun = "event" if len(events) == 1 else "events"
    return f"inplace-fixer blame: {len(events)} {noun}:\n{lines}"


def report_json(returncode: int, events: Iterable[Event]) -> str:
    return json.dumps({"returncode": returncode, "events": [_event_json(e) for e in events]}, indent=2) + "\n"
