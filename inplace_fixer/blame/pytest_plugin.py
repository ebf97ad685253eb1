"""``pytest --inplace-blame``: watch each test with the locator; a failing test's report gets a
section naming the lines whose in-place changes broke its backward.

Registered through the ``pytest11`` entry point, so it loads in every pytest run of an
environment where inplace-fixer is installed: importing it must stay cheap (no torch until the
option is given).
"""

from __future__ import annotations

from typing import Iterator

import pytest

SECTION = "inplace-fixer blame"
_EVENTS = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("inplace-fixer").addoption(
        "--inplace-blame",
        action="store_true",
        default=False,
        help="watch each test with the runtime locator; name the in-place line that broke backward",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    if not item.config.getoption("inplace_blame"):
        yield
        return
    from inplace_fixer.blame.watch import watch

    with watch(quiet=True) as locator:
        yield
    item.stash[_EVENTS] = list(locator.events)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    if call.when != "call":
        return
    events = item.stash.get(_EVENTS, [])
    if events:
        from inplace_fixer.blame import render

        outcome.get_result().sections.append((SECTION, "".join(render.entry(e) for e in events)))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not config.getoption("inplace_blame"):
        return
    reports = [r for key in ("failed", "passed") for r in terminalreporter.stats.get(key, [])]
    entries = [(r.nodeid, text) for r in reports for name, text in r.sections if name == SECTION]
    if entries:
        terminalreporter.section(SECTION)
        for nodeid, text in entries:
            terminalreporter.write_line(f"{nodeid}:")
            terminalreporter.write(text)
