"""Language-server latency: from sending ``didChange`` to receiving ``publishDiagnostics`` for it.

The documents are real PyTorch code: torch's own ``torch/nn/modules/*.py`` concatenated to
1,000 and 5,000 lines, both holding findings. The isolated edits take turns among three kinds,
as a user makes them: a comment line inserted anywhere, a statement (``_x = 1``) inserted in a
function body, and a number in a function's code changed. The latency is taken for the
diagnostics of exactly that version.

Two patterns:
- isolated edits (a pause longer than the debounce interval before each): the server analyses
  at once; the aim is p95 under 100 ms for 1,000 lines;
- typing bursts (keystrokes 50 ms apart): diagnostics follow the last keystroke after the
  debounce interval (150 ms) plus one analysis.

``check_source`` alone is timed too (wall and CPU) on the same texts, once parsing each text in
full and once reusing the previous text's parse as the server does (``parses=``), to show what
the server adds and what the incremental parse saves. ``--root DIR`` measures the code in DIR
(an export of another commit: ``git archive COMMIT | tar -x -C DIR``) with these same edits.

``--package-files`` measures, instead, files of real packages as they sit in their package
(transformers' llama and t5 models, timm's vision transformer, torchvision's resnet, when
installed; or the files given): the document is opened at its own path, so that its imports of
the package's other files are followed, as in an editor working on that package.

    .venv/bin/python bench/bench_lsp.py [--edits 60] [--bursts 8] [--root DIR] [--package-files [FILE ...]]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import importlib.util
import inspect
import random
import re
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]

AIM_P95_MS_1000_LINES = 100.0
SIZES = (1_000, 5_000)
KEYSTROKE_INTERVAL = 0.05
DEBOUNCE_SECONDS = 0.15  # the server's (inplace_fixer/lsp/server.py), read again in main()
EDIT_KINDS = ("comment", "statement", "number")
# Files of installed packages, each importing other files of its package.
PACKAGE_FILES = (
    ("transformers", "models/llama/modeling_llama.py"),
    ("transformers", "models/t5/modeling_t5.py"),
    ("timm", "models/vision_transformer.py"),
    ("torchvision", "models/resnet.py"),
)


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


def package_files() -> list[Path]:
    """PACKAGE_FILES of the packages installed here (found without importing them)."""
    found = []
    for package, name in PACKAGE_FILES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None and (Path(spec.origin).parent / name).is_file():
            found.append(Path(spec.origin).parent / name)
    return found


def editable_lines(source: str) -> list[int]:
    """0-based lines where inserting a comment line keeps the code valid (not after a `\\`)."""
    lines = source.splitlines()
    return [i for i in range(1, len(lines)) if not lines[i - 1].rstrip().endswith("\\")]


def insert_comment(source: str, line: int, n: int) -> str:
    lines = source.splitlines(keepends=True)
    return "".join(lines[:line] + [f"# edit {n}\n"] + lines[line:])


def _function_nodes(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def insert_statement(source: str, rng: random.Random) -> str:
    """``_x = 1`` inserted before a statement of a function body, at its indentation."""
    lines = source.splitlines(keepends=True)
    places = [
        (statement.lineno - 1, statement.col_offset)
        for function in _function_nodes(source)
        for statement in function.body
        if lines[statement.lineno - 1][: statement.col_offset].isspace()
    ]
    line, column = rng.choice(places)
    return "".join(lines[:line] + [" " * column + "_x = 1\n"] + lines[line:])


def change_number(source: str, rng: random.Random) -> str:
    """A number in a function's code replaced by another."""
    lines = source.splitlines(keepends=True)
    numbers = [
        node
        for function in _function_nodes(source)
        for node in ast.walk(function)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.lineno == node.end_lineno
    ]
    while True:
        node = rng.choice(numbers)
        encoded = lines[node.lineno - 1].encode("utf-8")
        before = encoded[: node.col_offset].decode("utf-8")
        literal = encoded[node.col_offset : node.end_col_offset].decode("utf-8")
        if not re.fullmatch(r"[0-9][0-9_.eE+-]*", literal):
            continue
        replacement = str(rng.randint(2, 999))
        lines[node.lineno - 1] = before + replacement + encoded[node.end_col_offset :].decode("utf-8")
        return "".join(lines)


def edit(source: str, kind: str, rng: random.Random, n: int) -> str:
    if kind == "comment":
        text = insert_comment(source, rng.choice(editable_lines(source)), n)
    elif kind == "statement":
        text = insert_statement(source, rng)
    else:
        text = change_number(source, rng)
    compile(text, "<bench>", "exec")  # every edit keeps the code valid
    return text


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Session:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = LanguageClient("bench", "1")
        self.arrivals: dict[int, float] = {}
        self.findings: dict[int, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                self.arrivals.setdefault(params.version, time.perf_counter())
                self.findings[params.version] = len(params.diagnostics)

    async def start(self) -> None:
        # `-m` with the root as working directory: the server runs the code in --root.
        await self.client.start_io(sys.executable, "-m", "inplace_fixer", "lsp", cwd=str(self.root))
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


async def measure(source: str, path: Path, edits: int, bursts: int, rng: random.Random, root: Path) -> dict:
    """Edits of ``source``, opened as the document at ``path`` (never written: the text is sent)."""
    uri = path.as_uri()
    session = Session(root)
    await session.start()
    texts = [source]
    try:
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=source)
            )
        )
        await session.wait_for(1)
        version, text, burst_latencies = 1, source, []
        isolated: dict[str, list[float]] = {kind: [] for kind in EDIT_KINDS}
        for n in range(edits):
            await asyncio.sleep(DEBOUNCE_SECONDS * 1.5)  # a pause: the next edit is isolated
            version += 1
            kind = EDIT_KINDS[n % len(EDIT_KINDS)]
            text = edit(text, kind, rng, n)
            texts.append(text)
            sent = session.change(uri, text, version)
            isolated[kind].append((await session.wait_for(version)) - sent)
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
    return {
        "lines": len(source.splitlines()),
        "findings": findings,
        "isolated": isolated,
        "bursts": burst_latencies,
        "library": library_times(texts[: edits + 1], str(path)),
    }


def library_times(texts: list[str], path: str) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds of ``check_source`` on each edited text (the first, the opened
    document, only primes the incremental parse): parsing in full, and reusing the last parse."""
    engine = importlib.import_module("inplace_fixer.engine")
    Config = importlib.import_module("inplace_fixer.model").Config
    times: dict[str, tuple[list[float], list[float]]] = {"full parse": ([], [])}
    for text in texts[1:]:
        _timed(times["full parse"], lambda: engine.check_source(text, path, Config(), fix=False))
    if "parses" in inspect.signature(engine.check_source).parameters:
        parses = importlib.import_module("inplace_fixer.reparse").DocumentParses()
        engine.check_source(texts[0], path, Config(), fix=False, parses=parses)
        if hasattr(parses, "prepare"):
            parses.prepare()  # as the server does once a document is analysed (not timed)
        times["incremental"] = ([], [])
        for text in texts[1:]:
            _timed(times["incremental"], lambda: engine.check_source(text, path, Config(), fix=False, parses=parses))
    return times


def _timed(into: tuple[list[float], list[float]], call) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    into[0].append(time.perf_counter() - wall)
    into[1].append(time.process_time() - cpu)


def milliseconds(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def spread(values: list[float]) -> str:
    return f"p50 {milliseconds(values, 0.5):.1f} ms, p95 {milliseconds(values, 0.95):.1f} ms (n={len(values)})"


async def main() -> None:
    global DEBOUNCE_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=60, help="isolated edits per document size")
    parser.add_argument("--bursts", type=int, default=8, help="typing bursts per document size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, default=ROOT, help="the inplace-fixer tree to measure")
    parser.add_argument(
        "--package-files", type=Path, nargs="*", default=None, metavar="FILE",
        help="edit these files of real packages at their own paths (none given: PACKAGE_FILES)",
    )
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    sys.path.insert(0, str(root))
    DEBOUNCE_SECONDS = importlib.import_module("inplace_fixer.lsp.server").DEBOUNCE_SECONDS
    rng = random.Random(arguments.seed)
    debounce, keystrokes = DEBOUNCE_SECONDS * 1000, KEYSTROKE_INTERVAL * 1000
    print(f"code measured: {Path(importlib.import_module('inplace_fixer').__file__).parent}")
    print(f"debounce {debounce:.0f} ms; in bursts, keystrokes {keystrokes:.0f} ms apart")
    if arguments.package_files is None:
        documents = [(pytorch_source(size), root / "bench" / f"pytorch_{size}_lines.py", size) for size in SIZES]
    else:
        paths = [path.resolve() for path in arguments.package_files] or package_files()
        if not paths:
            raise SystemExit("none of PACKAGE_FILES is installed here: name the files to edit")
        documents = [(path.read_text(encoding="utf-8"), path, None) for path in paths]
    for source, path, size in documents:
        result = await measure(source, path, arguments.edits, arguments.bursts, rng, root)
        iso, burst = result["isolated"], result["bursts"]
        every = [value for values in iso.values() for value in values]
        where = f" ({path})" if arguments.package_files is not None else ""
        print(f"{result['lines']} lines{where}, {result['findings']} findings")
        print(f"  isolated edit -> diagnostics: {spread(every)}")
        for kind, values in iso.items():
            print(f"    {kind:9} edits: {spread(values)}")
        print(f"  last keystroke of a burst -> diagnostics: {spread(burst)}")
        for name, (wall, cpu) in result["library"].items():
            print(f"  check_source alone, {name}: wall {spread(wall)}; CPU {spread(cpu)}")
        if size == 1_000:
            ratio = milliseconds(every, 0.95) / AIM_P95_MS_1000_LINES
            verdict = "met" if ratio <= 1 else "NOT met"
            print(f"  isolated p95 / aim of {AIM_P95_MS_1000_LINES:.0f} ms = {ratio:.2f} ({verdict})")


if __name__ == "__main__":
    asyncio.run(main())
