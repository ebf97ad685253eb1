"""``check`` analyses a tree built from Python's AST (cst_build) and parses with libcst only the
statements its findings need (cst_build/twins.py): it must find, place, word and fix exactly what
a check of libcst's whole tree does. Compared here on every golden case (safe and unsafe fixes)
and on real code we did not write (torch's ``nn/modules``); the quotes messages make of built
nodes are compared with libcst's node by node."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import libcst as cst
import pytest

from inplace_fixer import Config, check_source, engine
from inplace_fixer.cst_build import built_module, module_from_ast
from inplace_fixer.cst_build.pairing import paired
from inplace_fixer.cst_build.twins import positions_and_twins, with_twins
from inplace_fixer.cst_fields import nodes_under
from inplace_fixer.files import decode_source
from inplace_fixer.positions import positions_of
from inplace_fixer.source import code, quoting

ROOT = Path(__file__).resolve().parents[1]
TORCH = Path(importlib.util.find_spec("torch").origin).parent
GOLDEN = sorted(
    path for path in (ROOT / "golden").rglob("*.py")
    if not path.name.endswith(".expected.py") and "verify" not in path.relative_to(ROOT / "golden").parts
)
REAL = sorted((TORCH / "nn" / "modules").glob("*.py"))


def _checked(source: str, path: str, config: Config, build: bool, monkeypatch):
    monkeypatch.setattr(engine, "BUILD_FROM_PYTHON_AST", build)
    return check_source(source, path=path, config=config)


@pytest.mark.parametrize("path", GOLDEN + REAL, ids=lambda path: path.name if path in REAL else path.relative_to(ROOT / "golden").as_posix())
def test_a_built_tree_is_checked_as_libcsts(path: Path, monkeypatch):
    source = decode_source(path.read_bytes()).text
    for config in (Config(), Config(unsafe_fixes=True)):
        built = _checked(source, str(path), config, True, monkeypatch)
        parsed = _checked(source, str(path), config, False, monkeypatch)
        assert built.findings == parsed.findings
        assert built.fixed_source == parsed.fixed_source
        assert built.error == parsed.error


def test_the_comparison_sees_the_findings():
    # Not a comparison of two empty results: most cases and files have findings and fixes.
    with_findings = [path for path in GOLDEN if check_source(decode_source(path.read_bytes()).text, path=str(path)).findings]
    assert len(with_findings) > 250


@pytest.mark.parametrize("path", REAL[:12], ids=lambda path: path.name)
def test_built_nodes_are_quoted_as_libcsts(path: Path):
    source = path.read_text(encoding="utf-8")
    module, quotes = built_module(ast.parse(source), source)
    pairs = paired(module, cst.parse_module(source))
    quoted = [node for node in nodes_under(module) if isinstance(node, (cst.BaseExpression, cst.BaseSmallStatement))]
    assert len(quoted) > 50
    with quoting(quotes):
        mine = [code(node, limit=None) for node in quoted]
    assert mine == [code(pairs[node], limit=None) for node in quoted]


QUOTED_FORMS = (
    "y = f(a)\ny = f((a))\ny = f(((a)), b)\ny = f(x for x in z)\ny = f((x for x in z))\ny = (a + b) * c\n"
    "y = f(\n    a,\n    b,  # why\n)\ny = x[..., : n]\nclass A(B):\n    pass\nclass C((D)):\n    pass\n"
    "y = (  a  )\ny = ((a, b))\ny = f(*a)\ny = f(a,)\ny += 1; z = 2\n"
)


def test_forms_are_quoted_as_libcsts():
    module, quotes = built_module(ast.parse(QUOTED_FORMS), QUOTED_FORMS)
    pairs = paired(module, cst.parse_module(QUOTED_FORMS))
    nodes = [node for node in nodes_under(module) if isinstance(node, (cst.BaseExpression, cst.BaseSmallStatement))]
    with quoting(quotes):
        mine = {id(node): code(node, limit=None) for node in nodes}
    assert all(mine[id(node)] == code(pairs[node], limit=None) for node in nodes)
    assert "f( a, b, # why )" in mine.values()  # the user's layout, on one line


def test_a_new_node_quotes_the_built_nodes_in_it_as_written():
    source = "y = f(\n    a,  # why\n)\n"
    module, quotes = built_module(ast.parse(source), source)
    call = module.body[0].body[0].value
    with quoting(quotes):
        assert code(cst.Attribute(value=call, attr=cst.Name("clone"))) == "f( a, # why ).clone"
    assert code(cst.Attribute(value=call, attr=cst.Name("clone"))) == "f(a).clone"  # outside: libcst's layout


def test_positions_of_built_nodes_are_libcsts():
    source = (TORCH / "nn" / "modules" / "activation.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    module = module_from_ast(tree, source)
    parsed = cst.parse_module(source)
    pairs = paired(module, parsed)
    statements = {}
    for node in nodes_under(module):
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                statements[small] = node
                for inner in nodes_under(small):
                    statements.setdefault(inner, node)
    calls = [node for node in nodes_under(module) if type(node) is cst.Call and node in statements]
    placed = positions_and_twins(module, calls, source, tree, statements.get)
    assert placed is not None and len(calls) > 100
    ranges, twins = placed
    expected = positions_of(parsed, [pairs[node] for node in calls])
    assert all(ranges[node] == expected[pairs[node]] for node in calls)
    # libcst's own nodes of those statements: the same code, with the user's layout.
    assert all(cst.Module([]).code_for_node(twins[node]) == parsed.code_for_node(pairs[node]) for node in calls)


def test_a_changed_copy_of_a_built_node_keeps_the_users_layout():
    source = "def g(x):\n    x.add_(f(\n        a,\n    ))  # keep\n"
    tree = ast.parse(source)
    module = module_from_ast(tree, source)
    line = module.body[0].body.body[0]
    call = line.body[0].value
    placed = positions_and_twins(module, [line], source, tree, lambda node: None)
    assert placed is not None
    _, twins = placed
    # `x = x.add(f(...))`, made as a fix makes it: changed copies of built nodes.
    new_call = call.with_changes(func=call.func.with_changes(attr=cst.Name("add")))
    new_line = line.with_changes(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name("x"))], value=new_call)])
    written = cst.Module([]).code_for_node(with_twins(new_line, twins, line))
    assert written == "x = x.add(f(\n    a,\n))  # keep\n"
