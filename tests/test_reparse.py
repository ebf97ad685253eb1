"""Incremental re-parsing (inplace_fixer/reparse.py): on random edits of real files, the updated
parse is always the full parse of the new text (libcst's module and Python's AST, positions
included), untouched statements keep their node identity, and edits of an ordinary kind really
take the incremental path.

The real files are torch's own ``nn/modules`` sources, found without importing torch. The
default run takes about 20 s; set ``INPLACE_FIXER_REPARSE_EXAMPLES`` (e.g. 2000) for a long one.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from inplace_fixer import guard
from inplace_fixer.reparse import DocumentParses
from tools.fuzz import fuzz_settings

MODULES = Path(importlib.util.find_spec("torch").origin).parent / "nn" / "modules"
FILES = (
    "channelshuffle.py", "distance.py", "flatten.py", "pixelshuffle.py", "utils.py", "dropout.py",
    "upsampling.py", "adaptive.py", "_functions.py", "linear.py", "lazy.py", "fold.py",
)
EXAMPLES = int(os.environ.get("INPLACE_FIXER_REPARSE_EXAMPLES", "60"))


def variant(source: str, kind: str) -> str:
    """The file as a CRLF file, without its final newline, or indented with tabs."""
    if kind == "crlf":
        return source.replace("\n", "\r\n")
    if kind == "no-final-newline":
        return source.rstrip("\n")
    if kind == "tabs":
        tabbed = re.sub(r"(?m)^((?:    )+)", lambda m: "\t" * (len(m.group(1)) // 4), source)
        return tabbed if guard.syntax_problem(tabbed) is None else source
    return source


def real_file(name: str, kind: str = "plain") -> str:
    return variant((MODULES / name).read_text(encoding="utf-8"), kind)


def full_parse(text: str):
    """Python's AST and libcst's module of ``text`` as the engine makes them, or None."""
    problem, tree = guard.checked_tree(text)
    if problem is not None:
        return None
    try:
        return tree, cst.parse_module(text)
    except Exception:
        return None


def check_step(parses: DocumentParses, text: str) -> str:
    """Update ``parses`` to ``text`` as the language server would and compare with a full parse."""
    updated = parses.reparse(text)
    expected = full_parse(text)
    if updated is None:
        if expected is not None:
            parses.remember(text, *expected)
        return parses.outcome
    assert expected is not None, "the incremental parse accepted a text that does not parse"
    tree, module = updated
    # libcst gives every text back, but for a few characters it drops (a `\\` continuing a blank
    # line, a form feed): there the full parse does not either, and the two must agree.
    assert module.code == text or expected[1].code != text
    assert module.deep_equals(expected[1])
    assert ast.dump(tree, include_attributes=True) == ast.dump(expected[0], include_attributes=True)
    return parses.outcome


# ---------------------------------------------------------------------------- random edits

INSERTS = (
    "x", " ", "\n", "    ", "\t", "(", ")", "[", "]", ":", "#", "# c", '"""', "'", "\\\n", "1", "\f",
    "_x = 1\n", "    _x = 1\n", "        _x = 1\n", "def g():\n", "    pass\n", "\r\n", "@dec\n",
    "if x:\n    y = 2\n", "class C:\n", "        return 1\n", "\n\n", "  # c\n", "# c\n", "\t_x = 1\n",
)
ANCHORS = ("any", "line", "top-level", "decorator", "docstring", "comment", "blank", "start", "end", "method", "method")
KINDS = ("insert", "insert", "delete", "replace", "delete-line", "duplicate-line", "revert")


def anchor_offset(text: str, anchor: str, choice: int) -> int:
    starts = [m.start() for m in re.finditer(r"(?m)^", text)]
    patterns = {
        "top-level": r"[A-Za-z@#]", "decorator": r"[ \t]*@", "docstring": r'.*"""',
        "comment": r".*#", "blank": r"[ \t]*(?:\r?\n|$)", "method": r"(?:        |\t\t)",
    }
    if anchor == "start":
        return 0
    if anchor == "end":
        return len(text)
    if anchor in patterns:
        starts = [s for s in starts if re.match(patterns[anchor], text[s:])] or starts
    if anchor == "any" or not starts:
        return choice % (len(text) + 1)
    line_start = starts[choice % len(starts)]
    # Somewhere on that line: its start, or a character into it.
    return line_start + (choice // 7) % 3 * (choice % 5)


def apply_edit(history: list[str], kind: str, anchor: str, choice: int, insert: str, size: int, crlf: bool) -> str:
    text = history[-1]
    if kind == "revert" and len(history) >= 3:
        return history[-3]  # break, then repair
    if crlf:
        insert = re.sub(r"(?<!\r)\n", "\r\n", insert)
    at = min(anchor_offset(text, anchor, choice), len(text))
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line_end = len(text) if line_end < 0 else line_end + 1
    if kind == "delete":
        return text[:at] + text[at + size :]
    if kind == "replace":
        return text[:at] + insert + text[at + size % 6 :]
    if kind == "delete-line":
        return text[:line_start] + text[line_end:]
    if kind == "duplicate-line":
        return text[:line_start] + text[line_start:line_end] + text[line_start:]
    return text[:at] + insert + text[at:]


def edit_lists(inserts: tuple[str, ...], max_size: int):
    return st.lists(
        st.tuples(
            st.sampled_from(KINDS), st.sampled_from(ANCHORS), st.integers(0, 10**6),
            st.sampled_from(inserts), st.integers(1, 40),
        ),
        min_size=1,
        max_size=max_size,
    )


@st.composite
def edit_sessions(draw):
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(("plain", "plain", "crlf", "no-final-newline", "tabs")))
    return name, kind, draw(edit_lists(INSERTS, 6))


@seed(8)
@fuzz_settings(max_examples=EXAMPLES, seed=8)
@given(edit_sessions())
def test_random_edits_of_real_files_give_the_full_parse(session) -> None:
    name, kind, edits = session
    history = [real_file(name, kind)]
    parses = DocumentParses()
    check_step(parses, history[0])
    for edit in edits:
        history.append(apply_edit(history, *edit, crlf=kind == "crlf"))
        check_step(parses, history[-1])


# ---------------------------------------------------------------------------- ordinary edits


def opened(text: str) -> DocumentParses:
    parses = DocumentParses()
    assert check_step(parses, text).startswith("full parse")  # nothing to reuse yet
    return parses


def line_index(lines: list[str], pattern: str) -> int:
    return next(i for i, line in enumerate(lines) if re.search(pattern, line))


def edited(text: str, pattern: str, change) -> str:
    lines = text.splitlines(keepends=True)
    index = line_index(lines, pattern)
    lines[index : index + 1] = change(lines[index])
    return "".join(lines)


ORDINARY_EDITS = {
    "a statement in a function body": (r"^        (self\.|return )", lambda line: ["        _x = 1\n", line]),
    "a number changed": (r"[0-9]", lambda line: [re.sub(r"[0-9]", "7", line, count=1)]),
    "a comment line inserted": (r"^        ", lambda line: ["        # edit\n", line]),
    "a decorator edited": (r"^    @", lambda line: [line.replace("@", "@ ")]),
    "a docstring edited": (r'^        r?"""[A-Z]', lambda line: [line.replace('"""', '"""Edited. ', 1)]),
    "a blank line between top-level statements": (r"^class ", lambda line: ["\n", line]),
    "a line deleted in a method": (r"^        return [\w.]+\r?\n$", lambda line: ["        pass\n"]),
}


def for_variant(pattern: str, change, kind: str):
    """An edit's line pattern and change for the file as ``variant`` gives it (tabs, CRLF)."""
    if kind == "tabs":
        pattern = pattern.replace("        ", "\t\t").replace("    ", "\t")
        change_spaces = change
        change = lambda line: [part.replace("        ", "\t\t") for part in change_spaces(line)]  # noqa: E731
    if kind == "crlf":
        change_lf = change
        change = lambda line: [re.sub(r"(?<!\r)\n", "\r\n", part) for part in change_lf(line)]  # noqa: E731
    return pattern, change


@pytest.mark.parametrize("kind", ("plain", "crlf", "no-final-newline", "tabs"))
@pytest.mark.parametrize("what", sorted(ORDINARY_EDITS))
@pytest.mark.parametrize("name", ("lazy.py", "sparse.py"))
def test_ordinary_edits_are_incremental(name: str, what: str, kind: str) -> None:
    text = real_file(name, kind)
    pattern, change = for_variant(*ORDINARY_EDITS[what], kind)
    parses = opened(text)
    new = edited(text, pattern, change)
    assert guard.syntax_problem(new) is None
    assert check_step(parses, new) == "incremental"


METHOD_EDITS = {
    "a statement in a function body": ORDINARY_EDITS["a statement in a function body"],
    "a comment line inserted": (r"^        (self\.|return )", lambda line: ["        # edit\n", line]),
    "a comment line at column 0": (r"^        (self\.|return )", lambda line: ["# edit\n", line]),
    "a line deleted in a method": ORDINARY_EDITS["a line deleted in a method"],
    "an expression changed": (r"^        return F\.", lambda line: [line.replace("F.", "torch.nn.functional.", 1)]),
}


@pytest.mark.parametrize("kind", ("plain", "crlf", "tabs"))
@pytest.mark.parametrize("what", sorted(METHOD_EDITS))
def test_an_edit_inside_a_method_parses_only_that_method(what: str, kind: str) -> None:
    """reparse_body.py: the class is rebuilt around the one re-parsed body statement."""
    text = real_file("linear.py", kind)
    pattern, change = for_variant(*METHOD_EDITS[what], kind)
    parses = opened(text)
    before = parses.reparse(text)[1].body
    revision = parses.revision
    assert check_step(parses, edited(text, pattern, change)) == "incremental"
    assert parses.stretch[0] == "class body" and parses.stretch[2] == parses.stretch[3]
    index, method = parses.stretch[1], parses.stretch[2]
    after = parses.reparse(parses._parsed.source)[1].body
    # Every node is kept: the edited method's node too, given its new body in place (the
    # comparison with a full parse in check_step covers its content).
    assert all(new is old for new, old in zip(after, before)) and len(after) == len(before)
    edited_method = before[index].body.body[method]
    # A comment line is nothing the analysis reads: the method's body is not taken as changed.
    changed = frozenset() if what.startswith("a comment line") else {edited_method}
    assert parses.bodies_changed_since(revision) == changed
    assert parses.bodies_changed_since(parses.revision) == frozenset()


def test_a_comment_like_line_inside_a_string_of_a_method_changes_its_body() -> None:
    """The text says "only comment lines changed" (the line starts with `#`), but the line is in
    a string the code uses: the nodes differ, and the body counts as changed."""
    text = textwrap.dedent('''
        import torch


        class M(torch.nn.Module):
            def forward(self, x):
                note = """
        first
        """
                return x * 2

            def other(self, x):
                return x
        ''').lstrip()
    parses = opened(text)
    revision = parses.revision
    method = parses.reparse(text)[1].body[1].body.body[0]
    assert check_step(parses, text.replace("first\n", "first\n# not a comment\n")) == "incremental"
    assert parses.bodies_changed_since(revision) == {method}


def test_a_docstring_or_comment_edit_outside_functions_keeps_every_node() -> None:
    """update_in_place's "layout": nothing the analysis reads changed, no function is edited."""
    text = real_file("linear.py")
    parses = opened(text)
    before = parses.reparse(text)[1].body
    revision = parses.revision
    edits = (
        (r'^    r"""Applies an affine', lambda line: [line.replace("Applies", "Edited. Applies", 1)]),
        (r"^class Linear\(", lambda line: ["# a comment before the class\n", line]),
        (r'^    "Identity",', lambda line: [line, "# a comment in a list of literals\n"]),
    )
    for pattern, change in edits:
        text = edited(text, pattern, change)
        assert check_step(parses, text) == "incremental"
        after = parses.reparse(text)[1].body
        assert all(a is b for a, b in zip(after, before)) and len(after) == len(before)
        assert parses.bodies_changed_since(revision) == frozenset()


def test_a_method_edit_in_a_class_parsed_whole_keeps_every_node() -> None:
    """The last method of a class whose block has a footer is parsed with the whole class (its
    lines could change owner); the class and the method still keep their nodes."""
    text = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n    # footer\n\n\nx = 1\n"
    parses = opened(text)
    before = parses.reparse(text)[1].body
    revision = parses.revision
    new = text.replace("        return 2\n", "        _x = 1\n        return 2\n")
    assert check_step(parses, new) == "incremental" and parses.stretch == ("statements", 0, 0)
    after = parses.reparse(new)[1].body
    assert all(a is b for a, b in zip(after, before))
    assert parses.bodies_changed_since(revision) == {before[0].body.body[1]}


def test_an_edit_of_a_def_line_gives_a_new_function_node() -> None:
    text = real_file("linear.py")
    parses = opened(text)
    before = parses.reparse(text)[1].body
    revision = parses.revision
    new = edited(text, r"^    def forward\(self, input", lambda line: [line.replace("input", "inputs", 1)])
    assert check_step(parses, new) == "incremental"
    index, method = parses.stretch[1], parses.stretch[2]
    after = parses.reparse(new)[1].body
    assert after[index] is not before[index] and after[index].body.body[method] is not before[index].body.body[method]
    assert parses.bodies_changed_since(revision) == frozenset()


def benchmark_texts(lines: int, edits: int) -> list[str]:
    """bench/bench_lsp.py's document and its edits (comment, statement and number, in turn)."""
    import random

    from bench import bench_lsp

    texts = [bench_lsp.pytorch_source(lines)]
    rng = random.Random(0)
    for n in range(edits):
        texts.append(bench_lsp.edit(texts[-1], bench_lsp.EDIT_KINDS[n % 3], rng, n))
    return texts


def test_the_benchmark_edits_mostly_parse_one_method() -> None:
    """bench/bench_lsp.py's edits of its 1,000-line document, each compared with a full parse."""
    texts = benchmark_texts(1_000, 30)
    parses = opened(texts[0])
    stretches = []
    for text in texts[1:]:
        assert check_step(parses, text) == "incremental"
        stretches.append(parses.stretch[0])
    assert stretches.count("class body") >= 15, stretches


def test_untouched_statements_keep_their_nodes() -> None:
    text = real_file("linear.py")
    parses = opened(text)
    before = parses.reparse(text)[1].body
    after = check_step(parses, edited(text, r"^        self\.in_features", lambda line: ["        _x = 1\n", line]))
    assert after == "incremental"
    module = parses.reparse(parses._parsed.source)[1]  # the same text again: the same parse
    kept = [node for node in module.body if any(node is old for old in before)]
    # The edit is inside a method: even the edited class and method keep their nodes (the
    # method's body is the one new part).
    assert len(kept) == len(before)
    assert len(module.body) == len(before)
    assert parses.stretch[0] == "class body"


def test_edits_at_the_start_and_end_of_the_file() -> None:
    text = real_file("flatten.py")
    parses = opened(text)
    for new in ("# licence\n" + text, "# licence\n" + text + "x = 1\n", "# licence\n" + text + "x = 1"):
        check_step(parses, new)
    assert parses.outcome == "incremental"


def test_a_broken_edit_falls_back_and_the_repair_parses_again() -> None:
    text = real_file("dropout.py")
    parses = opened(text)
    broken = edited(text, r"^        return ", lambda line: [line.replace("return ", "return (")])
    assert check_step(parses, broken) == "full parse: the edited statements do not parse alone"
    # The parse of the last text that parsed is kept: the repair is parsed incrementally from it.
    assert check_step(parses, text) == "unchanged"
    assert check_step(parses, broken) != "incremental"
    repaired = edited(broken, r"^        return \(", lambda line: ["        _x = 1\n", line.replace("return (", "return ")])
    assert check_step(parses, repaired) == "incremental"


def test_an_edit_that_opens_a_string_over_later_statements_falls_back() -> None:
    text = "def f():\n    x = 1\n\n\ndef g():\n    y = 2\n\n\ndef h():\n    z = 3\n\n\nw = '''\n'''\n"
    parses = opened(text)
    assert check_step(parses, text.replace("x = 1", "x = '''1")).startswith("full parse")


def test_an_indented_comment_after_a_block_stays_with_the_block() -> None:
    text = "def f():\n    x = 1\n\n\ny = 2\nz = 3\nw = 4\n"
    parses = opened(text)
    new = text.replace("y = 2\n", "    # belongs to f\ny = 2\n")
    assert check_step(parses, new) == "incremental"
    assert parses.reparse(new)[1].body[0].body.footer  # libcst gives the comment to f's block


def test_a_file_whose_first_block_changes_its_indentation_falls_back() -> None:
    text = "import a\n\n\ndef f():\n  x = 1\n\n\ndef g():\n    y = 2\n"
    parses = opened(text)
    assert check_step(parses, text.replace("def f():\n  x = 1\n", "f = 1\n")) != "incremental"


# ---------------------------------------------------------------------------- the engine

from inplace_fixer import check_source  # noqa: E402

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
FINDING_FILES = tuple(sorted(str(p) for p in EXAMPLES_DIR.glob("*.py"))) + (str(MODULES / "adaptive.py"),)
FINDING_INSERTS = INSERTS + ("        h.mul_(w)\n", "    y *= 3\n", "x.add_(1)\n", "        x[0] = 1\n", "  # noqa\n")


@st.composite
def engine_sessions(draw):
    return draw(st.sampled_from(FINDING_FILES)), draw(edit_lists(FINDING_INSERTS, 4))


@seed(9)
@fuzz_settings(max_examples=max(6, EXAMPLES // 4), seed=9)
@given(engine_sessions())
def test_findings_are_the_same_with_the_incremental_parse(session) -> None:
    path, edits = session
    history = [Path(path).read_text(encoding="utf-8")]
    parses = DocumentParses()
    for step in range(len(edits) + 1):
        if step:
            history.append(apply_edit(history, *edits[step - 1], crlf=False))
        text = history[-1]
        reused = check_source(text, "model.py", fix=False, parses=parses)
        full = check_source(text, "model.py", fix=False)
        assert (reused.error, reused.findings) == (full.error, full.findings)


def test_the_engine_takes_the_incremental_path_in_a_function_body() -> None:
    text = (EXAMPLES_DIR / "rnn_loop.py").read_text(encoding="utf-8")
    parses = DocumentParses()
    first = check_source(text, "model.py", fix=False, parses=parses)
    new = edited(text, r"^            outputs\[t\] = h", lambda line: ["            _x = 1\n", line])
    second = check_source(new, "model.py", fix=False, parses=parses)
    assert parses.outcome == "incremental"
    assert [f.code for f in second.findings] == [f.code for f in first.findings] == ["IPF006"]
    assert second.findings[0].start.line == first.findings[0].start.line + 1
    assert second.findings == check_source(new, "model.py", fix=False).findings


@pytest.mark.skipif("INPLACE_FIXER_REPARSE_EXAMPLES" not in os.environ, reason="long run only")
def test_the_benchmark_edits_of_a_5000_line_document_give_the_full_parse() -> None:
    """bench/bench_lsp.py's document and edits (comment, statement and number, in turn)."""
    texts = benchmark_texts(5_000, 60)
    parses = opened(texts[0])
    outcomes = [check_step(parses, text) for text in texts[1:]]
    assert outcomes.count("incremental") == len(outcomes)


def test_prepare_lays_out_the_full_parse_before_the_first_edit(monkeypatch) -> None:
    """The language server prepares a document once it is analysed after opening: the first edit
    then costs no code generation of the whole module, and still equals a full parse."""
    from inplace_fixer import reparse

    text = real_file("linear.py")
    parses = opened(text)
    assert parses.prepare()
    laid_out = []
    monkeypatch.setattr(reparse, "_layout", lambda *args: laid_out.append(args) or None)
    new = edited(text, *METHOD_EDITS["a statement in a function body"])
    assert check_step(parses, new) == "incremental"
    assert laid_out == []  # only a stretch would be laid out, and the class body path needs none


def test_prepare_says_when_libcst_does_not_give_the_text_back() -> None:
    assert not DocumentParses().prepare()  # nothing parsed yet
    text = "import torch\n\x0cx = torch.ones(2)\n"  # libcst drops the form feed
    parses = opened(text)
    assert not parses.prepare()
    assert check_step(parses, text.replace("2", "3")) == "full parse: libcst does not reproduce this text"
