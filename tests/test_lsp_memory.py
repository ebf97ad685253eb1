"""The language server keeps nothing per edit (issue 12, section 5: memory over 10,000 edits).

pygls filed a future per notification and never removed it (inplace_fixer/lsp/protocol.py);
this drives the real server object in this process, without a subprocess, and checks that the
map of pending handlers is empty once every edit is handled. The memory curve itself is
measured, not asserted: bench/bench_lsp_load.py.
"""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from inplace_fixer.lsp.server import build_server
from tests.lsp.load import BASE, random_texts

pytestmark = pytest.mark.asyncio

URI = "file:///nonexistent/inplace-fixer-memory/document.py"  # never read: the text is sent


class Discard:
    """A transport that keeps only the count of messages the server wrote."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1

    def close(self) -> None:
        pass


async def until(condition, timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the server did not finish in time"
        await asyncio.sleep(0.01)


def deliver(protocol, message: dict) -> None:
    protocol.handle_message(protocol.structure_message({"jsonrpc": "2.0", **message}))


async def test_1000_edits_leave_no_pending_handler_behind() -> None:
    server = build_server("test", debounce_seconds=0.01)
    protocol = server.protocol
    transport = Discard()
    protocol.set_writer(transport)
    deliver(protocol, {"id": 1, "method": "initialize", "params": {"capabilities": {}}})
    deliver(protocol, {"method": "initialized", "params": {}})
    deliver(protocol, {"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": URI, "languageId": "python", "version": 1, "text": BASE}}})
    texts = list(random_texts(BASE, random.Random(12), 1000))
    for version, text in enumerate(texts, start=2):
        deliver(protocol, {"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}})
    state = server.documents[URI]
    await until(lambda: state.pending is None or state.pending.done())

    assert server.workspace.get_text_document(URI).version == len(texts) + 1
    assert transport.writes >= 1  # the answer to initialize at least: the messages were handled
    assert protocol._request_futures == {}
    server.executor.shutdown(wait=True)


async def test_a_request_still_gets_its_answer_and_leaves_no_future() -> None:
    server = build_server("test", debounce_seconds=0.01)
    protocol = server.protocol
    sent: list[dict] = []

    class Collect(Discard):
        def write(self, data: bytes) -> None:
            sent.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    protocol.set_writer(Collect())
    deliver(protocol, {"id": 1, "method": "initialize", "params": {"capabilities": {}}})
    deliver(protocol, {"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": URI, "languageId": "python", "version": 1, "text": BASE}}})
    deliver(protocol, {"id": 2, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": URI}, "position": {"line": 12, "character": 9}}})
    await until(lambda: any(message.get("id") == 2 for message in sent))

    answer = next(message for message in sent if message.get("id") == 2)
    assert "IPF002" in answer["result"]["contents"]["value"]
    assert protocol._request_futures == {}
    server.executor.shutdown(wait=True)
