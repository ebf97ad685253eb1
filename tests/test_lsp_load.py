"""The language server under load (issue 12, section 5), on the real engine.

- 1,000 random edits (insertions, deletions, half-typed statements, invalid code) sent as one
  burst of didChange without waiting: the server lives, and its diagnostics for the last
  version equal the CLI's findings for that text;
- a 20,000-line document of torch's own code: its diagnostics arrive and equal the CLI's;
- malformed JSON-RPC, unknown methods and out-of-range positions each get an answer (an error,
  or an empty result), never a crash.

Latency and memory are measured, not asserted here: bench/bench_lsp_load.py.
"""

from __future__ import annotations

import asyncio
import random
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

import pytest

from bench.bench_lsp import pytorch_source
from tests.lsp.client import SERVER_ENV, RawConnection, kill_if_running
from tests.lsp.load import BASE, LoadSession, burst, cli_findings, diagnostic_findings, random_texts, valid_final_text

pytestmark = pytest.mark.asyncio


async def test_a_burst_of_1000_random_edits_leaves_the_cli_findings(tmp_path: Path) -> None:
    rng = random.Random(1000)
    texts = list(random_texts(BASE, rng, 999)) + [valid_final_text(BASE, rng)]
    uri = (tmp_path / "burst.py").as_uri()
    session = LoadSession()
    await session.start()
    try:
        session.open(uri, BASE)
        await session.diagnostics_for(1)
        last = burst(session, uri, texts)
        final = await session.diagnostics_for(last, timeout=300)
        assert session.alive
        hover = await session.hover(uri, 18, 0)  # `y *= 3`, still on its line in the final text
    finally:
        exit_code = await session.stop()
    assert last == 1001
    expected = cli_findings(texts[-1])
    assert expected and diagnostic_findings(final) == expected
    assert hover is not None and "IPF001" in hover.contents.value
    assert exit_code == 0


async def test_a_20000_line_document_gets_the_cli_findings(tmp_path: Path) -> None:
    text = pytorch_source(20_000)
    uri = (tmp_path / "large.py").as_uri()
    session = LoadSession()
    await session.start()
    try:
        session.open(uri, text)
        diagnostics = await session.diagnostics_for(1, timeout=600)
    finally:
        await session.stop()
    expected = cli_findings(text)
    assert text.count("\n") >= 20_000
    assert expected and diagnostic_findings(diagnostics) == expected


async def test_malformed_messages_and_out_of_range_positions_get_answers(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inplace_fixer", "lsp", env=SERVER_ENV, stdin=PIPE, stdout=PIPE, stderr=PIPE
    )
    connection = RawConnection(process.stdout, process.stdin)
    uri = (tmp_path / "doc.py").as_uri()
    far = {"line": 1_000_000, "character": 1_000_000}
    try:
        await connection.request(1, "initialize", {"capabilities": {}})
        await connection.send({"method": "initialized", "params": {}})
        await connection.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": BASE}}})
        await connection.send_bytes(b"{not json")
        not_json = await connection.next_response()
        await connection.send_bytes(b'{"jsonrpc": "2.0", "id": 2, "method": 42}')
        bad_method_type = await connection.next_response()
        unknown = await connection.request(3, "inplaceFixer/noSuchMethod", {"x": 1})
        far_hover = await connection.request(4, "textDocument/hover", {"textDocument": {"uri": uri}, "position": far})
        negative_hover = await connection.request(
            5, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": -5}}
        )
        far_actions = await connection.request(6, "textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": far, "end": far}, "context": {"diagnostics": []}})
        # Notifications get no answer; a broken one must still not stop the server.
        await connection.send({"method": "textDocument/didChange", "params": {"textDocument": 7}})
        await connection.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri + "-never-opened", "version": 2}, "contentChanges": [{"text": "x"}]}})
        hover = await connection.request(
            7, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 18, "character": 0}}
        )
        exit_code = await connection.shut_down(8, process)
    finally:
        await kill_if_running(process)
    assert not_json["id"] is None and not_json["error"]["code"] == -32700
    assert bad_method_type.get("error") is not None
    assert unknown["error"]["code"] == -32601
    assert far_hover.get("result") is None and "error" not in far_hover
    assert "error" in negative_hover or negative_hover["result"] is None
    # A range past the end has no quick fix; the document-wide fix-all action is still offered.
    assert [a["kind"] for a in far_actions["result"]] == ["source.fixAll.inplace-fixer"]
    assert "IPF001" in hover["result"]["contents"]["value"]
    assert exit_code == 0
