"""What the end-to-end tests share: starting the server under a pytest-lsp client, recording every
diagnostics notification, waiting for conditions, and applying LSP edits to a text.

Edits are applied here the way an editor would, independently of the server's own position code:
columns are counted in the negotiated encoding by encoding the line, not with ``TextIndex``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
SERVER_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
# The command users run, `inplace-fixer lsp`, through the CLI entry point.
REAL_SERVER = [sys.executable, "-m", "inplace_fixer", "lsp"]
FAKE_ENGINE_SERVER = [sys.executable, str(ROOT / "tests" / "lsp" / "fake_engine.py")]
TIMEOUT = 20.0


class RecordingClient(LanguageClient):
    """A pytest-lsp client that keeps every publishDiagnostics, not only the latest per URI."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []


def _record_diagnostics(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def make_recording_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    features = {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record_diagnostics}
    register_lsp_features(client, features)
    return client


def server_config(command: list[str]) -> ClientServerConfig:
    return ClientServerConfig(
        server_command=command, client_factory=make_recording_client, server_env=SERVER_ENV
    )


async def eventually(condition: Callable[[], object], timeout: float = TIMEOUT) -> None:
    """Wait until ``condition()`` holds; fail with the condition's source if it never does."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await asyncio.sleep(0.01)


async def published_for(client: RecordingClient, uri: str, version: int) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for ``version`` of ``uri``."""

    def matching():
        return [p for p in client.published if p.uri == uri and p.version == version]

    await eventually(matching)
    return list(matching()[-1].diagnostics)


def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )


def change_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def _column_to_index(line: str, character: int, encoding: str) -> int:
    """Index into ``line`` of an LSP column, by encoding the line as the client does."""
    if encoding == "utf-32":
        return min(character, len(line))
    codec, unit = ("utf-8", 1) if encoding == "utf-8" else ("utf-16-le", 2)
    data = line.encode(codec, "surrogatepass")
    return len(data[: character * unit].decode(codec, "surrogatepass"))


def _offset(text: str, position: types.Position, encoding: str) -> int:
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[: position.line])
    content = lines[position.line].rstrip("\r\n")
    return start + _column_to_index(content, position.character, encoding)


def apply_edits(text: str, edits: Iterable[types.TextEdit], encoding: str = "utf-16") -> str:
    """``text`` with non-overlapping LSP edits applied, all positions taken before any edit."""
    spans = sorted(
        (
            (_offset(text, e.range.start, encoding), _offset(text, e.range.end, encoding), e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for (start, end, new_text), following in zip(spans, [None, *spans[:-1]], strict=True):
        assert following is None or end <= following[0], "overlapping edits"
        text = text[:start] + new_text + text[end:]
    return text


def workspace_edits(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    if edit.document_changes:
        return [
            e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits
        ]
    return list((edit.changes or {}).get(uri, []))


def lsp_range_of(text: str, needle: str, encoding: str = "utf-16") -> types.Range:
    """The LSP range of the single occurrence of ``needle`` in ``text``, counted as a client would."""
    assert text.count(needle) == 1, f"{needle!r} must occur exactly once"
    start = text.index(needle)
    end = start + len(needle)

    def position(offset: int) -> types.Position:
        line = text.count("\n", 0, offset)
        line_start = text.rfind("\n", 0, offset) + 1
        prefix = text[line_start:offset]
        if encoding == "utf-32":
            units = len(prefix)
        elif encoding == "utf-8":
            units = len(prefix.encode("utf-8"))
        else:
            units = len(prefix.encode("utf-16-le")) // 2
        return types.Position(line=line, character=units)

    return types.Range(start=position(start), end=position(end))


class RawConnection:
    """JSON-RPC over a byte stream, without a client library: to send what no client would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send_bytes(self, body: bytes) -> None:
        self.writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        await self.writer.drain()

    async def send(self, message: dict) -> None:
        await self.send_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    async def receive(self) -> dict:
        headers = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        length = int(re.search(rb"Content-Length: *(\d+)", headers, re.I)[1])
        return json.loads(await self.reader.readexactly(length))

    async def next_response(self) -> dict:
        """The next response, skipping the server's notifications on the way."""
        while "method" in (message := await self.receive()):
            pass
        return message

    async def response_to(self, request_id: int) -> dict:
        while (message := await self.next_response()).get("id") != request_id:
            pass
        return message

    async def request(self, request_id: int, method: str, params: object) -> dict:
        await self.send({"id": request_id, "method": method, "params": params})
        return await self.response_to(request_id)

    async def shut_down(self, request_id: int, process: asyncio.subprocess.Process) -> int:
        """The LSP shutdown request and exit notification; the server's exit code."""
        await self.request(request_id, "shutdown", None)
        await self.send({"method": "exit"})
        return await asyncio.wait_for(process.wait(), TIMEOUT)


async def kill_if_running(process: asyncio.subprocess.Process) -> None:
    """For a ``finally``: a server a failed test left running is killed."""
    if process.returncode is None:
        process.kill()
        await process.wait()
