"""The language server under load, shared by tests/test_lsp_load.py and bench/bench_lsp_load.py:
random edit streams as an editor sends them (full text per change), a session that records
every publishDiagnostics by version and reads the server's resident memory, and the CLI's
findings for the same text to compare with.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from tests.lsp.client import change_document

ROOT = Path(__file__).resolve().parents[2]

BASE = """import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        h = torch.tanh(self.fc(x))
        h.mul_(2)
        return h


x = torch.ones(4, requires_grad=True) * 2
y = torch.sigmoid(x)
y *= 3
"""
# What a user types: complete statements, half-typed ones, and plain garbage.
COMPLETE = ("y += 1", "x.add_(1)", "y[0] = 0", "z = torch.relu_(y)", "w = x * 2", "print(y)")
HALF_TYPED = ("y.mul_(", "for i in ", "x[0] = ", "def f(", "if y.sum() >", "torch.", "'''", "(((")
GARBAGE = ("$$$", "\t\t", "?", "λ", "}", "\\", "import", "\x0c")


def random_texts(base: str, rng: random.Random, count: int) -> Iterator[str]:
    """``count`` successive texts, each one random edit of the one before: insertions, deletions,
    half-typed statements, invalid code."""
    text = base
    for _ in range(count):
        kind = rng.random()
        position = rng.randrange(len(text) + 1)
        if kind < 0.3 and text:
            end = min(len(text), position + rng.randint(1, 12))
            text = text[:position] + text[end:]
        elif kind < 0.55:
            line_start = text.rfind("\n", 0, position) + 1
            text = text[:line_start] + rng.choice(COMPLETE) + "\n" + text[line_start:]
        elif kind < 0.8:
            text = text[:position] + rng.choice(HALF_TYPED) + text[position:]
        else:
            text = text[:position] + rng.choice(GARBAGE) + text[position:]
        yield text


def valid_final_text(base: str, rng: random.Random) -> str:
    """Where the burst ends: the base with complete statements added, so that it parses and the
    CLI has findings to compare with (a text that does not parse keeps its last diagnostics)."""
    return base + "".join(rng.choice(COMPLETE) + "\n" for _ in range(rng.randint(1, 5)))


def cli_findings(text: str) -> set[tuple[int, int, str]]:
    """(line, column, code) of the findings the CLI reports for ``text`` (1-based)."""
    with tempfile.TemporaryDirectory(prefix="inplace-fixer-lsp-load-") as scratch:
        path = Path(scratch) / "document.py"
        path.write_text(text, encoding="utf-8", newline="")
        run = subprocess.run(
            [sys.executable, "-m", "inplace_fixer", "check", str(path), "--format", "json", "--exit-zero"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )
    assert run.returncode == 0, run.stderr
    return {(f["line"], f["col"], f["code"]) for f in json.loads(run.stdout)}


def diagnostic_findings(diagnostics: list[types.Diagnostic]) -> set[tuple[int, int, str]]:
    """The same triples from LSP diagnostics (0-based, UTF-16 columns: equal for ASCII text)."""
    return {(d.range.start.line + 1, d.range.start.character + 1, str(d.code)) for d in diagnostics}


class LoadSession:
    """A real ``inplace-fixer lsp`` process driven by pygls's client."""

    def __init__(self) -> None:
        self.client = LanguageClient("load", "1")
        self.published: dict[int, list[types.Diagnostic]] = {}
        self.arrivals: dict[int, float] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                self.published[params.version] = list(params.diagnostics)
                self.arrivals.setdefault(params.version, time.perf_counter())

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            pass  # the server logs each parse error of a half-typed text; not needed here

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "inplace_fixer", "lsp", cwd=str(ROOT))
        await self.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> int | None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()
        return self.process.returncode

    @property
    def process(self) -> asyncio.subprocess.Process:
        return self.client._server  # pygls keeps the server process here

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def rss_kib(self) -> int:
        """The server's resident memory (Linux /proc)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))

    def open(self, uri: str, text: str) -> float:
        sent = time.perf_counter()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
        )
        return sent

    def change(self, uri: str, text: str, version: int) -> float:
        sent = time.perf_counter()
        change_document(self.client, uri, text, version)
        return sent

    async def diagnostics_for(self, version: int, timeout: float = 120.0) -> list[types.Diagnostic]:
        deadline = time.perf_counter() + timeout
        while version not in self.published:
            if time.perf_counter() > deadline or not self.alive:
                raise AssertionError(f"no diagnostics for version {version} (server alive: {self.alive})")
            await asyncio.sleep(0.005)
        return self.published[version]

    async def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return await self.client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, character))
        )


def burst(session: LoadSession, uri: str, texts: list[str], first_version: int = 2) -> int:
    """Send every text as a didChange without waiting for anything; the last version sent."""
    version = first_version - 1
    for text in texts:
        version += 1
        session.change(uri, text, version)
    return version
