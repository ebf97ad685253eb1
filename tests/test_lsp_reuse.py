"""The language server's incremental analysis (inference/reuse.py) gives, after every edit, the
findings (messages, categories and quick fixes) of a fresh ``check_source`` on the new text.

Differential: each text of an edit session is checked twice, once as the language server does
(``parses=``, reusing the last parse and analysis) and once from scratch, and the two results must
be equal, finding for finding. The sessions are bench/bench_lsp.py's edits, random edits inside
one function of real torch files (``nn/modules``, ``optim``), and edits that change findings
elsewhere: a helper that starts changing its argument in place, a method that stops returning a
view, a helper called with and without grad whose facts are joined over its call sites, an
``__init__`` that changes what ``forward`` calls. Mutants of the dependency tracking must fail.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import random
import re
import textwrap
from pathlib import Path

import pytest

from inplace_fixer import check_source
from inplace_fixer.inference import reuse
from inplace_fixer.reparse import DocumentParses

TORCH = Path(importlib.util.find_spec("torch").origin).parent
REAL_FILES = (
    "nn/modules/activation.py", "nn/modules/linear.py", "nn/modules/normalization.py", "nn/modules/container.py",
    "optim/adam.py", "optim/sgd.py", "optim/optimizer.py",
)
PATH = "model.py"


def session_differences(texts: list[str], path: str = PATH) -> tuple[list[str], int]:
    """Where the incremental results differ from fresh ones over an edit session, and how many
    roots the incremental analysis replayed in all (to show that reuse really happened)."""
    parses = DocumentParses()
    differences, replayed = [], 0
    for step, text in enumerate(texts):
        incremental = check_source(text, path, fix=False, parses=parses)
        fresh = check_source(text, path, fix=False)
        if (incremental.error, incremental.findings) != (fresh.error, fresh.findings):
            differences.append(f"step {step}: {_summary(incremental)} != {_summary(fresh)}")
        last = reuse._DOCUMENTS.get(parses)
        replayed += last.interpreter.replayed if last is not None and step else 0
    return differences, replayed


def _summary(result) -> str:
    return result.error or "; ".join(f"{f.start.line}:{f.code} {f.category} {f.message}" for f in result.findings)


# ---------------------------------------------------------------------------- the benchmark's edits


def test_the_benchmark_edits_give_the_fresh_findings() -> None:
    from bench import bench_lsp

    text = bench_lsp.pytorch_source(1_000)
    rng = random.Random(0)
    texts = [text]
    for n in range(24):
        texts.append(bench_lsp.edit(texts[-1], bench_lsp.EDIT_KINDS[n % 3], rng, n))
    differences, replayed = session_differences(texts)
    assert differences == []
    assert replayed > 100  # most edits replayed most roots


# ---------------------------------------------------------------------------- random edits of real files

SNIPPETS = (
    "_x = 1", "{arg}.add_(1)", "{arg}.mul_(2)", "{arg} *= 2", "{arg}[0] = 0", "return {arg}",
    "return {arg}.view(-1)", "{arg} = torch.exp({arg})", "y = torch.sigmoid({arg}); y.add_(1)",
    "with torch.no_grad():\n    {arg}.zero_()", "self.weight.data.mul_(2)", "torch.relu_({arg})",
)


def function_edit(text: str, rng: random.Random) -> str:
    """One edit inside the body of a random function: a snippet inserted before a statement (at
    its indentation), a statement replaced by `pass`, or a number changed."""
    tree = ast.parse(text)
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    lines = text.splitlines(keepends=True)
    while True:
        function = rng.choice(functions)
        statement = rng.choice(function.body)
        line = statement.lineno - 1
        indent = lines[line][: statement.col_offset]
        if not indent.isspace() or getattr(statement, "decorator_list", None):
            continue
        args = [a.arg for a in function.args.args if a.arg not in ("self", "cls")] or ["self.weight"]
        kind = rng.choice(("insert", "insert", "insert", "pass", "number", "default"))
        if kind == "insert":
            snippet = rng.choice(SNIPPETS).format(arg=rng.choice(args))
            new = "".join(indent + part + "\n" for part in snippet.split("\n"))
            candidate = "".join(lines[:line] + [new] + lines[line:])
        elif kind == "pass":
            end = statement.end_lineno
            candidate = "".join(lines[:line] + [indent + "pass\n"] + lines[end:])
        else:
            if kind == "default":  # a number in the signature (a default value): the def's own lines
                line = rng.randrange(function.lineno - 1, function.body[0].lineno - 1)
            numbers = [m for m in re.finditer(r"(?<![\w.])\d+(?![\w.])", lines[line])]
            if not numbers:
                continue
            number = rng.choice(numbers)
            changed = lines[line][: number.start()] + str(rng.randint(0, 9)) + lines[line][number.end():]
            candidate = "".join(lines[:line] + [changed] + lines[line + 1:])
        try:
            compile(candidate, "<edit>", "exec")
        except SyntaxError:
            continue
        return candidate


@pytest.mark.parametrize("name", REAL_FILES)
def test_random_function_edits_of_real_files_give_the_fresh_findings(name: str) -> None:
    rng = random.Random(name)
    text = (TORCH / name).read_text(encoding="utf-8")
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("from __future__"))
    texts = [text]
    for _ in range(6):
        texts.append(function_edit(texts[-1], rng))
    texts.append(texts[2])  # an edit undone
    differences, replayed = session_differences(texts)
    assert differences == []
    assert replayed > 0


# ---------------------------------------------------------------------------- edits that change findings elsewhere

HELPER_STARTS_CHANGING = (
    """
    import torch
    import torch.nn as nn


    def helper(t):
        return t * 2


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            g = torch.exp(self.fc(x))
            z = helper(g)
            z.add_(1)
            return z

        def extra(self, x):
            h = torch.exp(self.fc(x))
            y = helper(h)
            return y + h

        def unrelated(self, x):
            w = torch.sigmoid(self.fc(x))
            w.mul_(2)
            return w
    """,
    ("    return t * 2\n", "    t.mul_(2)\n    return t\n"),
)

METHOD_STOPS_RETURNING_A_VIEW = (
    """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def features(self, x):
            return x.view(-1)

        def forward(self, x):
            h = torch.sigmoid(self.fc(x))
            v = self.features(h)
            v.add_(1)
            return v

        def other(self, x):
            return torch.tanh(self.fc(x))
    """,
    ("        return x.view(-1)\n", "        return x.view(-1).clone()\n"),
)

HELPER_WITH_AND_WITHOUT_GRAD = (
    """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.register_buffer("stats", torch.zeros(4))

        def bump(self, t):
            return t + 1

        @torch.no_grad()
        def update(self, x):
            s = self.bump(self.stats)
            return s

        def forward(self, x):
            h = torch.tanh(self.fc(x))
            out = self.bump(h)
            return out + h
    """,
    ("        return t + 1\n", "        t.add_(1)\n        return t\n"),
)

INIT_CHANGES_WHAT_FORWARD_CALLS = (
    """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.act = nn.ReLU()

        def forward(self, x):
            h = torch.sigmoid(self.fc(x))
            return self.act(h)

        def score(self, x):
            y = self.fc(x)
            y.add_(1)
            return y
    """,
    ("        self.act = nn.ReLU()\n", "        self.act = nn.ReLU(inplace=True)\n"),
)

# A default value, a parameter's annotation and a comment in the signature change the function
# in place (reparse: its node is kept, as for a body edit); its return annotation does not.
A_DEFAULT_TURNS_ON_AN_IN_PLACE_CHANGE = (
    """
    import torch
    import torch.nn as nn


    def helper(t, inplace=False):
        if inplace:
            t.mul_(2)
            return t
        return t * 2


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            g = torch.exp(self.fc(x))
            z = helper(g)
            return z + g

        def other(self, x):
            w = torch.sigmoid(self.fc(x))
            w.mul_(2)
            return w
    """,
    ("def helper(t, inplace=False):\n", "def helper(\n    t: torch.Tensor,  # what to scale\n    inplace=True,\n):\n"),
)

# Five calls deep, past the depth the analysis follows: there the callee's return annotation
# says what the call gives.
A_RETURN_ANNOTATION_SAYS_TENSOR = (
    """
    import torch
    import torch.nn as nn


    def h5(t):
        return t


    def h4(t):
        return h5(t)


    def h3(t):
        return h4(t)


    def h2(t):
        return h3(t)


    def h1(t):
        return h2(t)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            g = h1(torch.exp(self.fc(x)))
            g.add_(1)
            return g
    """,
    ("def h5(t):\n", "def h5(t) -> torch.Tensor:\n"),
)

CASES = {
    "a default value turns on a helper's in-place change": A_DEFAULT_TURNS_ON_AN_IN_PLACE_CHANGE,
    "a return annotation says a deep helper gives a tensor": A_RETURN_ANNOTATION_SAYS_TENSOR,
    "a helper starts changing its argument in place": HELPER_STARTS_CHANGING,
    "a method stops returning a view": METHOD_STOPS_RETURNING_A_VIEW,
    "a helper called with and without grad changes its argument": HELPER_WITH_AND_WITHOUT_GRAD,
    "__init__ changes a module forward() calls": INIT_CHANGES_WHAT_FORWARD_CALLS,
}


# Cases where some root does not reach the edited function (in the others every root reaches it,
# or reads class attributes that the re-analysed __init__ gives again).
REPLAYING = (
    "a helper starts changing its argument in place", "a method stops returning a view",
    "a default value turns on a helper's in-place change",
)


def case_texts(case) -> list[str]:
    """The case's text, edited, undone and edited again (the lines of the edit are given at the
    text's indentation, once dedented)."""
    source, (old, new) = case
    before = textwrap.dedent(source).lstrip()
    assert before.count(old) == 1
    after = before.replace(old, new)
    return [before, after, before, after]


@pytest.mark.parametrize("what", sorted(CASES))
def test_edits_that_change_findings_elsewhere_give_the_fresh_findings(what: str) -> None:
    texts = case_texts(CASES[what])
    before, after = (check_source(text, PATH, fix=False).findings for text in texts[:2])
    assert before != after  # the edit of one function changes what is reported elsewhere
    differences, replayed = session_differences(texts)
    assert differences == []
    if what in REPLAYING:
        assert replayed > 0  # the roots the edit cannot change were replayed, not run again


def test_a_nested_function_that_changes_a_closed_over_tensor_is_not_replayed() -> None:
    """Its analyses write the names it closes over, which a replay would not do again: the
    document is analysed afresh after each edit (and still gives the fresh findings)."""
    text = textwrap.dedent("""
        import torch


        def outer(w):
            buf = torch.exp(w)

            def bump():
                buf.add_(1)

            bump()
            return buf


        def other(x):
            return x * 2
        """).lstrip()
    parses = DocumentParses()
    check_source(text, PATH, fix=False, parses=parses)
    assert parses not in reuse._DOCUMENTS
    edited = text.replace("    return x * 2\n", "    return x * 3\n")
    differences, replayed = session_differences([text, edited])
    assert differences == [] and replayed == 0


# ---------------------------------------------------------------------------- documents that import the user's files

BLOCKS = """\
import torch
import torch.nn as nn


def scale(t):
    return t * 2


class Gate(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.proj = nn.Linear(width, width)

    def forward(self, x):
        return torch.sigmoid(self.proj(x))
"""

MODEL = """\
import torch
import torch.nn as nn

from .blocks import Gate, scale


class Model(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.gate = Gate(width)
        self.out = nn.Linear(width, width)

    def forward(self, x):
        g = self.gate(x)
        g += 1
        y = scale(torch.exp(x))
        y.add_(1)
        return self.out(g * y)

    def extra(self, x):
        return x + 1


def head(x):
    h = scale(torch.exp(x))
    h.add_(1)
    return h


def train_step(model, x):
    loss = model(x).sum()
    loss.backward()
    return loss
"""

# Versions of blocks.py, each changing what model.py reports: scale() starts changing its
# argument in place, Gate stops returning what sigmoid saved, and back.
BLOCKS_VERSIONS = (
    BLOCKS,
    BLOCKS.replace("return t * 2", "return t.mul_(2)"),
    BLOCKS.replace("return t * 2", "return t.mul_(2)").replace("torch.sigmoid(self.proj(x))", "self.proj(x)"),
    BLOCKS,
)


def _package(root: Path) -> tuple[Path, Path]:
    package = root / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "blocks.py").write_text(BLOCKS)
    (package / "model.py").write_text(MODEL)
    return package / "blocks.py", package / "model.py"


def test_edits_of_a_document_that_imports_the_users_files_replay_what_they_cannot_change(tmp_path) -> None:
    _, model = _package(tmp_path)
    texts = [
        MODEL,
        MODEL.replace("return x + 1", "return x + 2"),
        MODEL.replace("return x + 1", "return x + 2").replace("y.add_(1)", "y = y + 1"),
        MODEL.replace("y.add_(1)", "y = y + 1"),
        MODEL,
    ]
    differences, replayed = session_differences(texts, str(model))
    assert differences == []
    assert replayed > 0  # the reuse is on for such a document


def test_the_first_edit_replays_a_module_body_that_makes_an_imported_class_instance(tmp_path) -> None:
    """The module body works out the attributes of the imported class it instantiates; they are
    shared with other files and kept, so the first edit's replay finds them already there."""
    _, model = _package(tmp_path)
    text = MODEL + "\n\nDEFAULT_GATE = Gate(4)\n"
    model.write_text(text)
    differences, replayed = session_differences([text, text.replace("return x + 1", "return x + 2")], str(model))
    assert differences == []
    assert replayed > 0


def imported_file_session(root: Path, where: str) -> tuple[list[str], list[tuple], int]:
    """model.py stays open, unchanged, while blocks.py takes each of BLOCKS_VERSIONS, in the editor
    or on disk: the differences from fresh results, the fresh findings of each step, and the roots
    replayed in all."""
    from inplace_fixer.inference.imports import RESOLVER

    blocks, model = _package(root)
    parses = DocumentParses()
    differences, findings, replayed = [], [], 0
    try:
        for step, version in enumerate(BLOCKS_VERSIONS):
            if where == "editor":
                RESOLVER.set_overlay(str(blocks), version)
            else:
                blocks.write_text(version)
                os.utime(blocks, ns=(step * 10**9, step * 10**9))  # a new modification time, always
            incremental = check_source(MODEL, str(model), fix=False, parses=parses)
            fresh = check_source(MODEL, str(model), fix=False)
            if incremental.findings != fresh.findings:
                differences.append(f"step {step}: {_summary(incremental)} != {_summary(fresh)}")
            findings.append(fresh.findings)
            last = reuse._DOCUMENTS.get(parses)
            replayed += last.interpreter.replayed if last is not None and step else 0
    finally:
        RESOLVER.set_overlay(str(blocks), None)
    return differences, findings, replayed


@pytest.mark.parametrize("where", ("editor", "disk"))
def test_a_change_of_an_imported_file_is_seen_by_the_open_document_that_imports_it(tmp_path, where: str) -> None:
    differences, findings, replayed = imported_file_session(tmp_path, where)
    assert differences == []
    assert findings[0] != findings[1] != findings[2] and findings[3] == findings[0]
    assert replayed > 0  # extra() does not use blocks.py


# ---------------------------------------------------------------------------- mutants


def _forget_call_summaries(monkeypatch) -> None:
    """Mutant: a callee analysed at a call site is not counted as executed by the root."""

    def set_item(self, key, value):
        if self.events is not None:
            self.events.append(("set", key, value))
        dict.__setitem__(self, key, value)

    monkeypatch.setattr(reuse._MemoLog, "__setitem__", set_item)


def _trust_memoised_summaries(monkeypatch) -> None:
    """Mutant: a root that found a memoised summary is replayed whatever the summary is now."""
    original = reuse.ReusingInterpreter._replay

    def replay(self, record):
        events = record.memo_events
        record.memo_events = [event for event in events if event[0] == "set"]
        try:
            return original(self, record)
        finally:
            record.memo_events = events

    monkeypatch.setattr(reuse.ReusingInterpreter, "_replay", replay)


def _compare_no_reads(monkeypatch) -> None:
    """Mutant: a root is replayed without comparing what it read, also after another root ran
    again (reuse.py compares nothing only while every earlier root was replayed)."""
    monkeypatch.setattr(reuse.ReusingInterpreter, "_same_reads", staticmethod(lambda record, logs, memo: True))


def _return_annotation_in_place(monkeypatch) -> None:
    """Mutant: a function whose return annotation changed keeps its node, like one whose default
    changed (the analysis reads that annotation where it does not run the body)."""
    from inplace_fixer import node_update

    monkeypatch.setattr(node_update, "_SIGNATURE_LAYOUT", node_update._SIGNATURE_LAYOUT | {"returns"})


@pytest.mark.parametrize(
    "mutant", (_forget_call_summaries, _trust_memoised_summaries, _compare_no_reads, _return_annotation_in_place)
)
def test_a_mutant_of_the_dependency_tracking_fails(mutant, monkeypatch) -> None:
    mutant(monkeypatch)
    failed = [what for what, case in CASES.items() if session_differences(case_texts(case))[0]]
    assert failed, "the differential test did not notice the mutant"


@pytest.mark.parametrize("where", ("editor", "disk"))
def test_a_mutant_that_trusts_imported_files_fails(tmp_path, where: str, monkeypatch) -> None:
    """Mutant: a root is replayed whatever the resolver answers now for the files it imported."""
    monkeypatch.setattr(reuse.ReusingInterpreter, "_same_imports", lambda self, record: True)
    differences, _, _ = imported_file_session(tmp_path, where)
    assert differences, "the differential test did not notice the mutant"
