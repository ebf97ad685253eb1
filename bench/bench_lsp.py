"""Language-server latency: from sending ``didChange`` to receiving ``publishDiagnostics`` for it.

The documents are real PyTorch code: torch's own ``torch/nn/modules/*.py`` concatenated to
1,000 and 5,000 lines, both holding findings. Each edit inserts a comment line somewhere in the
file, as a user does, and the latency is taken for the diagnostics of exactly that version.

Two patterns:
- isolated edits (a pause longer than the debounce interval before each): the server analyses
  at once; the aim is p95 under 100 ms for 1,000 lines;
- typing bursts (keystrokes 50 ms apart): diagnostics follow the last keystroke after the
  debounce interval (150 ms) plus one analysis.

``check_source`` alone on the same text is timed too, to show what the server adds.

    .venv/bin/python bench/bench_lsp.py [--edits 60] [--bursts 8]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inplace_fixer import check_source  # noqa: E402
from inplace_fixer.lsp.server import DEBOUNCE_SECONDS  # noqa: E402

AIM_P95_MS_1000_LINES = 100.0
SIZES = (1_000, 5_000)
KEYSTROKE_INTERVAL = 0.05


def pytorch_source(lines: int) -> str:
    """Whole files of torch/nn/modules, then the last one cut before a top-level statement.

    adaptive.py comes first: it is the one module there with findings, and a document with
    findings is what an editor shows (and what costs the engine positions and fixes)."""
    # find_spec locates torch without importing it (slow, and nothing here runs it).
    modules = Path(importlib.util.find_spec("torch").origin).parent / "nn" / "modules"
    paths = sorted(modules.glob("*.py"), key=lambda path: (path.name != "adaptive.py", path.name))
    kept: list[str] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.startswith("from __future__"):
                continue  # only legal at the top of a file
            if len(kept) >= lines and line[:1].isalpha():
                source = "".join(kept)
                compile(source, "<bench>", "exec")
                return source
            kept.append(line)
    raise SystemExit(f"torch/nn/modules has fewer than {lines} lines")


def editable_lines(source: str) -> list[int]:
    """0-based lines where inserting a comment line keeps the code valid (not after a `\\`)."""
    lines = source.splitlines()
    return [i for i in range(1, len(lines)) if not lines[i - 1].rstrip().endswith("\\")]


def insert_comment(source: str, line: int, n: int) -> str:
    lines = source.splitlines(keepends=True)
    return "".join(lines[:line] + [f"# edit {n}\n"] + lines[line:])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Session:
    def __init__(self) -> None:
        self.client = LanguageClient("bench", "1")
        self.arrivals: dict[int, float] = {}
        self.findings: dict[int, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                self.arrivals.setdefault(params.version, time.perf_counter())
                self.findings[params.version] = len(params.diagnostics)

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "inplace_fixer", "lsp", cwd=str(ROOT))
        await self.client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    async def wait_for(self, version: int, timeout: float = 60.0) -> float:
        deadline = time.perf_counter() + timeout
        while version not in self.arrivals:
            if time.perf_counter() > deadline:
                raise SystemExit(f"no diagnostics for version {version} within {timeout}s")
            await asyncio.sleep(0.001)
        return self.arrivals[version]

    def change(self, uri: str, text: str, version: int) -> float:
        sent = time.perf_counter()
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return sent


async def measure(size: int, edits: int, bursts: int, rng: random.Random) -> dict:
    source = pytorch_source(size)
    uri = (ROOT / "bench" / f"pytorch_{size}_lines.py").as_uri()  # never written: the text is sent
    session = Session()
    await session.start()
    try:
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)
            )
        )
        await session.wait_for(1)
        version, text, isolated, burst_latencies = 1, source, [], []
        for n in range(edits):
            await asyncio.sleep(DEBOUNCE_SECONDS * 1.5)  # a pause: the next edit is isolated
            version += 1
            text = insert_comment(text, rng.choice(editable_lines(text)), n)
            sent = session.change(uri, text, version)
            isolated.append((await session.wait_for(version)) - sent)
        for n in range(bursts):
            await asyncio.sleep(DEBOUNCE_SECONDS * 1.5)
            line = rng.choice(editable_lines(text))
            for keystroke in range(6):
                version += 1
                text = insert_comment(text, line, 1000 * n + keystroke)
                sent = session.change(uri, text, version)
                await asyncio.sleep(KEYSTROKE_INTERVAL)
            burst_latencies.append((await session.wait_for(version)) - sent)
        findings = session.findings[version]
    finally:
        await session.stop()
    library = []
    for _ in range(10):
        started = time.perf_counter()
        check_source(text, "bench.py")
        library.append(time.perf_counter() - started)
    return {
        "lines": len(source.splitlines()),
        "findings": findings,
        "isolated": isolated,
        "bursts": burst_latencies,
        "library": library,
    }


def milliseconds(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40, help="isolated edits per document size")
    parser.add_argument("--bursts", type=int, default=8, help="typing bursts per document size")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    debounce, keystrokes = DEBOUNCE_SECONDS * 1000, KEYSTROKE_INTERVAL * 1000
    print(f"debounce {debounce:.0f} ms; in bursts, keystrokes {keystrokes:.0f} ms apart")
    for size in SIZES:
        result = await measure(size, arguments.edits, arguments.bursts, rng)
        iso, burst, lib = result["isolated"], result["bursts"], result["library"]
        print(
            f"{result['lines']} lines, {result['findings']} findings;"
            f" check_source alone p50 {statistics.median(lib) * 1000:.1f} ms"
        )
        print(
            f"  isolated edit -> diagnostics: p50 {milliseconds(iso, 0.5):.1f} ms,"
            f" p95 {milliseconds(iso, 0.95):.1f} ms (n={len(iso)})"
        )
        print(
            f"  last keystroke of a burst -> diagnostics: p50 {milliseconds(burst, 0.5):.1f} ms,"
            f" p95 {milliseconds(burst, 0.95):.1f} ms (n={len(burst)})"
        )
        if size == 1_000:
            ratio = milliseconds(iso, 0.95) / AIM_P95_MS_1000_LINES
            verdict = "met" if ratio <= 1 else "NOT met"
            print(f"  isolated p95 / aim of {AIM_P95_MS_1000_LINES:.0f} ms = {ratio:.2f} ({verdict})")


if __name__ == "__main__":
    asyncio.run(main())
