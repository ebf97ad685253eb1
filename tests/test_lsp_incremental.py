"""The real server over a series of edits: with the parse reused from one version to the next
(inplace_fixer/reparse.py), every version's diagnostics are the engine's findings for that
text parsed in full, including after an edit that breaks the code and the edit that repairs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types

from inplace_fixer import check_source
from tests.lsp.client import (
    REAL_SERVER,
    RecordingClient,
    change_document,
    open_document,
    published_for,
    server_config,
)
from tests.test_lsp_golden import utf16_position

pytestmark = pytest.mark.asyncio(loop_scope="module")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rnn_loop.py"


@pytest_lsp.fixture(config=server_config(REAL_SERVER), scope="module")
async def client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


def versions(text: str) -> list[tuple[str, bool]]:
    """Successive texts, each with whether it parses."""
    inside = re.search(r"(?m)^            outputs\[t\] = h\n", text).start()
    statement = text[:inside] + "            _x = 1\n" + text[inside:]
    broken = statement.replace("_x = 1", "_x = (1", 1)
    repaired = broken.replace("_x = (1", "_x = (1)", 1)
    commented = "# a comment on top\n" + repaired
    second_finding = commented.replace("_x = (1)", "outputs[0] = h", 1)
    return [(statement, True), (broken, False), (repaired, True), (commented, True), (second_finding, True)]


async def test_every_version_gets_the_findings_of_a_full_parse(client: RecordingClient, tmp_path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    uri = (tmp_path / "rnn_loop.py").as_uri()
    open_document(client, uri, text)
    await published_for(client, uri, 1)
    counts = []
    for version, (new, parses) in enumerate(versions(text), start=2):
        change_document(client, uri, new, version)
        if not parses:
            continue  # the server keeps the last good diagnostics and publishes nothing
        published = await published_for(client, uri, version)
        expected = check_source(new, str(tmp_path / "rnn_loop.py"), fix=False).findings
        assert [(d.code, d.range) for d in published] == [
            (f.code, types.Range(utf16_position(new, f.start.line, f.start.col), utf16_position(new, f.end.line, f.end.col)))
            for f in expected
        ]
        counts.append(len(published))
    assert counts[0] >= 1 and counts[-1] > counts[-2]  # not vacuous: findings there, and a new one found
