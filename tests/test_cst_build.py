"""The trees built from Python's AST (cst_build) are libcst's own, formatting set aside, and the
code libcst generates from them means what the source does: on real code we did not write
(torch's ``nn/modules`` and ``optim``), on this project's files, and on the forms where the AST
and libcst's tree differ most. ``tools/cst_build_check.py`` runs the same check over whole trees."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import libcst as cst
import pytest

from inplace_fixer.cst_build import Unsupported, module_from_ast
from inplace_fixer.cst_fields import nodes_under
from inplace_fixer.cst_build.pairing import NotTheSameTree, paired
from tools.cst_build_check import difference

ROOT = Path(__file__).resolve().parents[1]
TORCH = Path(importlib.util.find_spec("torch").origin).parent
REAL_FILES = sorted([*(TORCH / "nn" / "modules").glob("*.py"), *(TORCH / "optim").glob("*.py")])
OWN_FILES = sorted([*(ROOT / "inplace_fixer").rglob("*.py"), *(ROOT / "golden").rglob("*.py")])


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_real_files_build_as_libcst_parses_them(path: Path):
    assert difference(path.read_text(encoding="utf-8")) is None


def test_this_projects_files_build_as_libcst_parses_them():
    sources = [_text(path) for path in OWN_FILES]
    valid = [source for source in sources if source is not None and _parses(source)]  # some goldens are not Python, by design
    built = [source for source in valid if _built(source)]
    different = [source[:80] for source in built if difference(source) is not None]
    assert len(built) > 0.95 * len(valid) > 100 and different == []


def _text(path: Path):
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:  # a golden in another encoding, by design
        return None


def _built(source: str) -> bool:
    try:
        module_from_ast(ast.parse(source), source)
    except Unsupported:  # a `µ` in a docstring
        return False
    return True


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


FORMS = {
    # Subscripts: the AST has one tuple for `x[a, b]` and `x[(a, b)]`; libcst two elements or one.
    "subscripts": "x[a, b]\nx[(a, b)]\nx[(a), b]\nx[((a), b)]\nx[(a, b), c]\nx[(a,)]\nx[a,]\nx[(a),]\n"
                  "x[( # a comment (\n  a, b)]\nx[:, None]\nx[..., ::2]\nx[1:2, ::3]\nx[a:b:c]\nx[::]\n",
    "non-ASCII before a position": 'y = "é" + x[(a,)] + x[(é), b]\n',
    # Parentheses the AST drops and the code needs.
    "precedence": "(a + b) * c\na - (b - c)\na ** -b\n(-a) ** b\n-a ** b\na ** b ** c\n(a ** b) ** c\n"
                  "not (a == b)\n(a and b) and c\na and (b and c)\n(a or b) and c\na or b and c\n"
                  "(a < b) < c\na < (b < c)\n-(-a)\n~a + +b\n(lambda: 0)()\n(a if b else c) if d else e\n"
                  "a if b else (c if d else e)\n(lambda: a) if b else c\n(1).real\n1.5.real\n(a, b).count(a)\n"
                  "f(*(a or b))\n[*(a if b else c)]\n{**(a or b)}\nx = (yield)\nx = yield y\n"
                  "[y for x in (a if b else c) if (y := x)]\n(a := 1)\nf((a := 1))\n",
    "await": "async def f():\n    await (a + b)\n    (await a).b\n    async for x in y:\n        pass\n"
             "    async with a as b:\n        pass\n    return [x async for x in y]\n",
    "generators": "f(x for x in y)\nf((x for x in y), z)\ng = (x for x in y if x if not x for z in x)\n",
    "strings": 'a = "a" "b"\nb = ("a"\n     "b")\nc = f"{a!r:>{b}}" "d"\nd = rb"\\x" b"y"\n'
               "e = '''it's'''\nf = r'\\''\ng = u\"u\"\nh = \"\"\"a\n\"b\" \"\"\"\n",
    "numbers": "a = 0x1F + 1_000 + 1e-3 + 2j + 0o7 + 0b1 + 1.\nb = ...\nc = None, True, False\n",
    "calls": "f(*a, b, *c, d=1, **e)\nf(a, b=1, *c)\nf(**a, b=1)\nclass A(B, *C, metaclass=M, **k):\n    pass\n",
    "parameters": "def f(a, /, b=1, *c, d, e=2, **f) -> int:\n    pass\nlambda a, /, b=1, *, c: 0\n"
                  "def g(*, a):\n    pass\nasync def h(a: int = 1): pass\n",
    "lines": "a = 1; b = 2\nif a: b; c\nelif c:\n    d\nelse:\n    if e: f\nwhile a: break\n"
             "for x, in y: continue\nelse: pass\nx = \\\n    1\n",
    "statements": "import a.b as c, d\nfrom ..a.b import (c as d, e)\nfrom . import *\nfrom .a import b\n"
                  "x: int = 1\ny: int\na = b = 1\nx += 1\nx @= y\ndel a, b\ndel (a), b\ndel a\nglobal g, h\n"
                  "assert a, b\nraise A from b\nraise\ntry:\n    pass\nexcept (A, B) as e:\n    pass\n"
                  "except:\n    pass\nelse:\n    pass\nfinally:\n    pass\nwith a as (b, c), d:\n    pass\n"
                  "with (a as b, c as d):\n    pass\n@d\n@e.f(1)\nclass A:\n    '''doc'''\n"
                  "def f():\n    nonlocal_ = 1\n    def g():\n        nonlocal nonlocal_\n    return\n"
                  "a, *b = c\n[a, b] = c\n",
    "except star": "try:\n    pass\nexcept* A as e:\n    pass\n",
    "layout": "if a:\r\n\tb = 1\r\n\tc = 2\r\n\x0cd = 3\r\n# a comment\r\n",
    "non-ASCII names": "ünïcode = 1\nπ = ünïcode * 2\n",
}


@pytest.mark.parametrize("name", FORMS)
def test_forms_where_the_ast_and_libcst_differ(name: str):
    assert difference(FORMS[name]) is None


def test_a_tree_that_differs_is_told_apart():
    # `x[(a, b)]` built as two elements would be another tree; layout alone is not a difference.
    one, two = cst.parse_module("x[(a, b)]\n"), cst.parse_module("x[a, b]\n")
    with pytest.raises(NotTheSameTree, match=r"slice: 1 items against 2"):
        paired(one, two)
    with pytest.raises(NotTheSameTree, match=r"'a' against 'b'"):
        paired(one, cst.parse_module("x[(b, b)]\n"))
    with pytest.raises(NotTheSameTree, match="Pass against Break"):
        paired(cst.Pass(), cst.Break())  # the same fields, another node
    pairs = paired(one, cst.parse_module("x[ ( a,b ) ]  # c\n"))
    assert sorted(type(node).__name__ for node in pairs) == [
        "Element", "Element", "Expr", "Index", "Module", "Name", "Name", "Name", "SimpleStatementLine",
        "Subscript", "SubscriptElement", "Tuple",
    ]


def test_every_built_node_is_paired_with_libcsts_node_at_its_place():
    source = (TORCH / "nn" / "modules" / "activation.py").read_text(encoding="utf-8")
    built, parsed = module_from_ast(ast.parse(source), source), cst.parse_module(source)
    pairs = paired(built, parsed)
    code_nodes = (cst.Name, cst.Call, cst.Attribute, cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef)
    built_code_nodes = [node for node in nodes_under(built) if isinstance(node, code_nodes)]
    assert len(built_code_nodes) > 1000 and all(node in pairs for node in built_code_nodes)
    assert all(type(theirs) is type(mine) for mine, theirs in pairs.items())
    # The parsed node has the user's layout: what a rewrite of that statement must keep.
    assert {parsed.code_for_node(pairs[statement]) for statement in built.body} == {
        parsed.code_for_node(statement) for statement in parsed.body
    }


@pytest.mark.parametrize(
    "source",
    [
        "match x:\n    case 1:\n        pass\n",
        "ｗｉｄｔｈ = 1\n",  # Python reads it as `width`; libcst keeps it as written
        'µ = "µ"\n',
    ],
    ids=["match", "a name Python normalizes", "micro sign"],
)
def test_what_is_not_built_is_said(source: str):
    with pytest.raises(Unsupported):
        module_from_ast(ast.parse(source), source)


def test_literal_texts_are_kept_as_written():
    source = 'x = 0x_1F + 1E5 + r"\\d" + "é"\n'
    module = module_from_ast(ast.parse(source), source)
    texts = {node.value for node in nodes_under(module) if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString))}
    assert texts == {"0x_1F", "1E5", 'r"\\d"', '"é"'}
