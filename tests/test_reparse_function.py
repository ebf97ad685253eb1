"""Re-parsing part of a function body (reparse_function.py), the lines before one statement
(reparse_gap.py), and the lines of the AST shifted only when read (line_shifts.DeferredShifts).

Every step is compared with a full parse (``check_step``: libcst's module and Python's AST,
positions included); the tests also check that the short paths are really taken, and that
mutants of the conditions they rest on give a wrong parse somewhere here.
"""

from __future__ import annotations

import itertools
import textwrap

import pytest

from inplace_fixer import check_source, engine, line_shifts, reparse_function, reparse_gap
from inplace_fixer.reparse import DocumentParses
from tests.test_reparse import check_step, opened, real_file

LONG_METHOD = textwrap.dedent('''
    import torch


    class Attention(torch.nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.dim = dim

        def forward(self, x, mask=None):
            """Attend."""
            scores = x @ x.transpose(-1, -2)
            # scale
            scores = scores / self.dim
            if mask is not None:
                scores = scores + mask
            weights = scores.softmax(-1)
            out = weights @ x
            out = out + 1
            return out

        def extra_repr(self):
            return f"dim={self.dim}"


    def helper(x):
        y = x * 2
        z = y + 1
        return z


    VALUE = 1
    ''').lstrip()


def test_an_edit_inside_a_method_parses_only_the_statements_it_touches() -> None:
    parses = opened(LONG_METHOD)
    module = parses.reparse(LONG_METHOD)[1]
    method = module.body[1].body.body[1]
    before = list(method.body.body)
    revision = parses.revision
    new = LONG_METHOD.replace("        out = out + 1\n", "        out = out + 2\n")
    assert check_step(parses, new) == "incremental"
    assert parses.stretch == ("class body", 1, 1, 1, ("statements", 6, 6))
    after = parses.reparse(new)[1].body[1].body.body[1]
    assert after is method  # the method keeps its node, given a new body
    kept = [a is b for a, b in zip(after.body.body, before)]
    assert kept == [True] * 6 + [False, True]
    assert parses.bodies_changed_since(revision) == {method}


def test_a_comment_line_inside_a_method_changes_no_body() -> None:
    parses = opened(LONG_METHOD)
    method = parses.reparse(LONG_METHOD)[1].body[1].body.body[1]
    revision = parses.revision
    new = LONG_METHOD.replace("            scores = scores + mask\n", "            # note\n            scores = scores + mask\n")
    assert check_step(parses, new) == "incremental"
    assert parses.stretch == ("class body", 1, 1, 1, ("statements", 3, 3))
    assert parses.bodies_changed_since(revision) == frozenset()
    assert parses.reparse(new)[1].body[1].body.body[1] is method


@pytest.mark.parametrize(
    "old, new, stretch",
    [
        ("        # scale\n", "        # scale\n        # more\n", ("class body", 1, 1, 1, ("leading lines", 2))),
        ("    def extra_repr", "    # a comment between methods\n\n    def extra_repr", ("class body", 1, 2, 2, ("leading lines",))),
        ("\n\ndef helper", "\n\n# above a function\ndef helper", ("leading lines", 2)),
        ("    z = y + 1\n", "\n    # why\n    z = y + 1\n", ("function body", 2, ("leading lines", 1))),
        ("        # scale\n", "", ("class body", 1, 1, 1, ("leading lines", 2))),
    ],
)
def test_comment_lines_before_a_statement_keep_every_node(old: str, new: str, stretch: tuple) -> None:
    parses = opened(LONG_METHOD)
    before = list(parses.reparse(LONG_METHOD)[1].body)
    revision = parses.revision
    text = LONG_METHOD.replace(old, new, 1)
    assert check_step(parses, text) == "incremental"
    assert parses.stretch == stretch
    after = parses.reparse(text)[1].body
    assert all(a is b for a, b in zip(after, before)) and len(after) == len(before)
    assert parses.bodies_changed_since(revision) == frozenset()


def test_an_edit_in_a_top_level_function_parses_only_its_statement() -> None:
    parses = opened(LONG_METHOD)
    function = parses.reparse(LONG_METHOD)[1].body[2]
    revision = parses.revision
    new = LONG_METHOD.replace("    y = x * 2\n", "    y = x * 3\n")
    assert check_step(parses, new) == "incremental"
    assert parses.stretch == ("function body", 2, ("statements", 0, 0))
    assert parses.bodies_changed_since(revision) == {function}


# Trailing lines after a method's last statement, indented in every way relative to the blocks
# around them: libcst gives each to one block's footer or to the next statement (see
# reparse_function.py). Each is followed by an edit inside that last statement.
TRAILING = ("", "# c\n", "    # c\n", "      # c\n", "        # c\n", "            # c\n", "                # c\n", "\n", "    \n")
FOLLOWERS = ("    def after(self):\n        return 1\n", "", "x = 1\n")


@pytest.mark.parametrize("trailing, follower", list(itertools.product(TRAILING, FOLLOWERS)))
def test_edits_of_a_methods_last_statement_give_the_full_parse(trailing: str, follower: str) -> None:
    text = (
        "class A:\n    def f(self, x):\n        y = x\n        if x:\n            y = 1\n"
        f"            y = 2\n{trailing}{follower}"
    )
    parses = opened(text)
    for new in (text.replace("y = 2", "y = 3"), text.replace("y = 2", "y = 3").replace("y = 1\n", "y = 1\n            # d\n")):
        check_step(parses, new)
        text = new


def test_the_last_statement_of_a_method_is_parsed_alone_when_nothing_can_trade_lines() -> None:
    parses = opened(LONG_METHOD)
    new = LONG_METHOD.replace("        return out\n", "        return out * 1\n")
    assert check_step(parses, new) == "incremental"
    assert parses.stretch == ("class body", 1, 1, 1, ("statements", 7, 7))
    footer = LONG_METHOD.replace("        return out\n", "        return out\n            # deeper\n")
    parses = opened(footer)
    assert check_step(parses, footer.replace("return out\n", "return out * 1\n")) == "incremental"
    assert parses.stretch[-1] is None  # the comment might change owner: the method is parsed whole


def test_a_method_of_a_class_with_a_footer_is_parsed_alone() -> None:
    """The class's footer (a comment after its last method) does not stop an edit inside that
    method from parsing only the statement it touches."""
    text = "class A:\n    def f(self):\n        x = 1\n        return x\n\n    # footer\n\n\ny = 2\n"
    parses = opened(text)
    assert parses.reparse(text)[1].body[0].body.footer
    assert check_step(parses, text.replace("x = 1", "x = 2")) == "incremental"
    assert parses.stretch == ("class body", 0, 0, 0, ("statements", 0, 0))


def test_a_comment_inside_an_import_keeps_every_node() -> None:
    """An import's code is never quoted: a comment among its names changes no node."""
    text = "from torch import (\n    nn,\n    optim,\n)\n\n\ndef f(x):\n    return x\n"
    parses = opened(text)
    before = list(parses.reparse(text)[1].body)
    revision = parses.revision
    new = text.replace("    optim,\n", "    # the optimisers\n    optim,\n")
    assert check_step(parses, new) == "incremental"
    after = parses.reparse(new)[1].body
    assert all(a is b for a, b in zip(after, before)) and len(after) == len(before)
    assert parses.bodies_changed_since(revision) == frozenset()


@pytest.mark.parametrize(
    "docstring, change",
    [
        ('    r"""Sums."""  """More."""\n', ("More.", "More, edited.")),
        ('    r"""Sums.\n\n    More.\n    """\n', ("\n    More.", "\n# not a comment\n    More.")),
        ('    f"""Sums {x}."""\n', ("Sums", "Adds")),
    ],
)
def test_a_docstring_edit_keeps_every_node_unless_it_is_an_f_string(docstring: str, change: tuple) -> None:
    text = f"import torch\n\n\nclass A:\n{docstring}\n    def f(self, x):\n        return x\n\n\ny = 1\n"
    parses = opened(text)
    before = list(parses.reparse(text)[1].body)
    new = text.replace(*change)
    assert check_step(parses, new) == "incremental"
    after = parses.reparse(new)[1].body
    kept = all(a is b for a, b in zip(after, before))
    assert kept is not docstring.lstrip().startswith("f")  # an f-string's fields are code the analysis reads


MUTANTS = {
    "clean_gap, between a function's statements": (reparse_function, "clean_gap", lambda *args: True),
    "clean_gap, before one statement": (reparse_gap, "clean_gap", lambda *args: True),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_the_conditions_matter(name: str, monkeypatch) -> None:
    """Each condition, always true, gives a parse other than the full one on some edit here."""
    module, attribute, mutant = MUTANTS[name]
    monkeypatch.setattr(module, attribute, mutant)
    texts = [
        # An indented comment after an `if` block belongs to that block.
        LONG_METHOD.replace("        weights =", "                # deep\n        weights =").replace("mask\n", "mask * 2\n"),
        LONG_METHOD.replace("        out = out + 1\n", "        out = out + 1\n            # deep\n"),
        # ... also when that is the whole edit: the lines before `weights` are not all its own.
        LONG_METHOD.replace("        weights =", "                # deep\n        weights ="),
    ]
    failures = 0
    for text in texts:
        for trailing, follower in itertools.product(TRAILING, FOLLOWERS):
            base = (
                "class A:\n    def f(self, x):\n        y = x\n        if x:\n            y = 1\n"
                f"            y = 2\n{trailing}{follower}"
            )
            for old, new in ((base, base.replace("y = 2", "y = 3")), (LONG_METHOD, text)):
                parses = DocumentParses()
                check_step(parses, old)
                try:
                    check_step(parses, new)
                except AssertionError:
                    failures += 1
    assert failures


@pytest.mark.parametrize("mutant", (False, True))
def test_findings_below_an_edit_are_placed_with_the_lines_shifted_when_read(mutant: bool, monkeypatch) -> None:
    """The engine reads lines through the deferred shifts. A mutant that never shifts them reads
    old lines, which do not match the text: the engine then falls back to laying out the whole
    module (right, but what the AST's lines are there to avoid)."""
    if mutant:
        monkeypatch.setattr(line_shifts.DeferredShifts, "settle", lambda self, statements: None)
        monkeypatch.setattr(line_shifts.DeferredShifts, "pending", lambda self, statement: 0)
    text = real_file("adaptive.py")
    parses = DocumentParses()
    check_source(text, "model.py", fix=False, parses=parses)
    new = text.replace("\nclass ", "\n# a\n# b\nclass ", 1)
    laid_out = []
    whole = engine.positions_and_code
    monkeypatch.setattr(engine, "positions_and_code", lambda *args: laid_out.append(1) or whole(*args))
    reused = check_source(new, "model.py", fix=False, parses=parses)
    assert parses.outcome == "incremental"
    full = check_source(new, "model.py", fix=False)
    edit_line = new[: new.index("# a\n")].count("\n") + 1
    assert full.findings and all(finding.start.line > edit_line for finding in full.findings)
    assert reused.findings == full.findings
    assert (laid_out == []) is not mutant


def test_first_lines_count_the_shifts_still_to_make() -> None:
    """With lazy lines, the first line of each top-level statement (where suppression comments
    are looked for) is what a full parse gives, before any statement is shifted."""
    from tests.test_reparse import full_parse

    from inplace_fixer.source import first_line

    parses = opened(LONG_METHOD)
    for old, new in (("import torch\n", "import torch\n# one\n# two\n"), ("    y = x * 2\n", "    # three\n    y = x * 2\n")):
        text = parses._parsed.source.replace(old, new, 1)
        tree, _ = parses.reparse(text, lazy_lines=True)
        expected = [first_line(statement) for statement in full_parse(text)[0].body]
        assert parses.first_lines(tree) == expected
        assert [first_line(statement) for statement in tree.body] != expected  # not shifted yet
        parses.prepare()
        assert [first_line(statement) for statement in tree.body] == expected
