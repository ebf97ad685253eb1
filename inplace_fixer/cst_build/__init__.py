"""libcst's tree of a file, built from Python's own AST instead of by libcst's parser.

The analysis reads libcst's nodes, and libcst's parser is most of what ``check`` costs: it keeps
every space, comment and parenthesis, which only a rewrite needs. Python's parser builds its AST
in a tenth of that time, and ``check`` has the AST already (guard.py). This package builds from
it the nodes libcst's parser would build, with the same types, fields and order, but with
libcst's default whitespace, no comments, and parentheses only where the code needs them: enough
to analyse, not to rewrite the user's text.

- Over the 18,759 Python files of transformers ``models/``, timm, torchvision, torch and the
  standard library, every tree built here equals libcst's own, formatting set aside, and the code
  libcst generates from it parses to the same AST but in one (a self-documenting f-string over
  several lines, whose text libcst's code generation indents). tests/test_cst_build.py checks
  this on some of them, ``tools/cst_build_check.py`` on whole trees. Building takes a fifth of
  libcst's parse of the same files.
- String and number literals keep their text as written, as libcst does; f-strings and implicit
  concatenations are handed to libcst's own expression parser (their parts need its tokenizer).
- ``Unsupported`` is raised for what is not built here (`match`, type parameters, names Python
  normalizes from another form), and the caller parses the file with libcst instead: never a
  different tree.
"""

from __future__ import annotations

import ast
import re
import unicodedata

import libcst as cst

from inplace_fixer.cst_build import makers as new
from inplace_fixer.cst_build.expressions import ExpressionsMixin, Unsupported
from inplace_fixer.cst_build.quotes import Quotes
from inplace_fixer.cst_build.source_text import SourceText
from inplace_fixer.cst_build.statements import StatementsMixin

__all__ = ["Quotes", "Unsupported", "built_module", "module_from_ast"]


class _Builder(StatementsMixin, ExpressionsMixin):
    def __init__(self, source: str) -> None:
        ExpressionsMixin.__init__(self)
        self.text = SourceText(source)


def module_from_ast(tree: ast.Module, source: str) -> cst.Module:
    """libcst's module for ``source``, built from ``tree`` (Python's AST of it). Raises
    ``Unsupported`` for a construct not built here."""
    return built_module(tree, source)[0]


def built_module(tree: ast.Module, source: str) -> tuple[cst.Module, Quotes]:
    """``module_from_ast``, and how to quote its nodes as the user wrote them (quotes.py)."""
    if not source.isascii() and unicodedata.normalize("NFKC", source) != source:
        # Python's AST holds names normalized (`ｗｉｄｔｈ` is `width`), libcst as written. Telling
        # names from strings and comments would take the tokenizer: such files (1.4 % of the
        # lines of transformers `models/`, for a `µ` or a `²` in a docstring) go to libcst.
        raise Unsupported("characters Python normalizes in names (NFKC)")
    builder = _Builder(source)
    module = new.Module(builder.statements(tree.body))
    # What a fix's new block and lines are written with, as libcst detects them.
    newline = _FIRST_LINE_BREAK.search(source)
    object.__setattr__(module, "default_newline", newline.group() if newline else "\n")
    object.__setattr__(module, "default_indent", _first_indent(tree, builder.text))
    return module, Quotes(builder.text, builder.origins, builder.only_arguments)


_FIRST_LINE_BREAK = re.compile(r"\r\n?|\n")


def _first_indent(tree: ast.Module, text: SourceText) -> str:
    """The indentation of the first indented block (libcst's first INDENT token), or 4 spaces."""
    for statement in tree.body:
        body = getattr(statement, "body", None)
        if type(body) is list and body and text.starts_line(body[0]):
            start = text.line_starts[body[0].lineno - 1]
            return text.source[start:text.offset(body[0].lineno, body[0].col_offset)]
    return "    "
