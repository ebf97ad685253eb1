"""Imports between the user's own files (inference/imports.py): a package is analysed as one
program; cycles, broken modules and editor buffers are handled."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from inplace_fixer import Config, check_source, engine
from inplace_fixer.inference import imports
from inplace_fixer.model import BREAKS_BACKWARD

BLOCKS = """
import torch
import torch.nn as nn


def squash(t):
    return torch.sigmoid(t)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return torch.tanh(self.fc(x))
"""

MODEL = """
import torch
import torch.nn as nn
from .sub.blocks import Block, squash
from pkg.sub import blocks


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()

    def forward(self, x):
        y = self.block(x)
        y *= 2
        z = squash(x)
        z.mul_(3)
        w = blocks.squash(x)
        w += 1
        return y + z + w
"""


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def check(path: Path):
    result = check_source(path.read_text(), str(path), Config())
    assert result.error is None
    return result.findings


def test_functions_and_modules_of_other_files_are_followed(tmp_path: Path) -> None:
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/blocks.py": BLOCKS, "pkg/model.py": MODEL})
    findings = check(tmp_path / "pkg" / "model.py")
    assert [(f.start.line, f.code, f.category) for f in findings] == [
        (15, "IPF001", BREAKS_BACKWARD), (17, "IPF002", BREAKS_BACKWARD), (19, "IPF001", BREAKS_BACKWARD),
    ]
    lines = textwrap.dedent(BLOCKS).splitlines()
    tanh = next(n for n, line in enumerate(lines, 1) if "torch.tanh" in line)
    sigmoid = next(n for n, line in enumerate(lines, 1) if "torch.sigmoid" in line)
    assert f"torch.tanh (line {tanh} of sub/blocks.py)" in findings[0].message
    assert f"torch.sigmoid (line {sigmoid} of sub/blocks.py)" in findings[1].message


def test_without_the_other_file_nothing_is_known(tmp_path: Path) -> None:
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/model.py": MODEL})
    assert check(tmp_path / "pkg" / "model.py") == ()


def test_an_import_cycle_and_a_broken_module_end(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "a.py": "import torch\nfrom b import g\ndef f(t):\n    return g(t)\nx = torch.randn(3, requires_grad=True)\ny = f(torch.exp(x))\ny.add_(1)\n",
        "b.py": "from a import f\ndef g(t):\n    return t\n",
        "c.py": "import torch\nfrom broken import h\nx = torch.randn(3, requires_grad=True)\nh(x).add_(1)\n",
        "broken.py": "def h(:\n",
    })
    assert [(f.start.line, f.code) for f in check(tmp_path / "a.py")] == [(7, "IPF002")]
    assert check(tmp_path / "c.py") == ()


def write_helper_and_main(root: Path) -> None:
    """A helper that returns a new tensor (no finding in main.py) and a main.py that changes in
    place what the helper returns; tests then make the helper return its argument."""
    write_package(root, {
        "helpers.py": "import torch\ndef same(t):\n    return torch.zeros(3)\n",
        "main.py": "import torch\nfrom helpers import same\nx = torch.randn(3, requires_grad=True)\ny = same(torch.exp(x))\ny.add_(1)\n",
    })
    assert check(root / "main.py") == ()


def test_the_editor_text_of_an_imported_file_wins_over_the_disk(tmp_path: Path) -> None:
    write_helper_and_main(tmp_path)
    helpers = str(tmp_path / "helpers.py")
    imports.RESOLVER.set_overlay(helpers, "def same(t):\n    return t\n")
    try:
        assert [(f.start.line, f.code) for f in check(tmp_path / "main.py")] == [(5, "IPF002")]
    finally:
        imports.RESOLVER.set_overlay(helpers, None)
    assert check(tmp_path / "main.py") == ()


def test_a_changed_file_on_disk_is_read_again(tmp_path: Path) -> None:
    write_helper_and_main(tmp_path)
    helpers = tmp_path / "helpers.py"
    helpers.write_text("def same(t):\n    return t\n")
    stat = helpers.stat()
    os.utime(helpers, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert [(f.start.line, f.code) for f in check(tmp_path / "main.py")] == [(5, "IPF002")]


def test_inplace_layers_of_an_imported_module_are_not_reported_in_the_importing_file(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "layers.py": "import torch.nn as nn\nclass Act(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.act = nn.ReLU(inplace=True)\n    def forward(self, x):\n        return self.act(x)\n",
        "main.py": "import torch\nfrom layers import Act\nx = torch.randn(3, requires_grad=True)\ny = Act()(torch.sigmoid(x))\n",
    })
    result = check_source((tmp_path / "main.py").read_text(), str(tmp_path / "main.py"), Config())
    assert result.error is None and result.findings == ()


def test_an_imported_file_that_would_crash_the_parser_is_not_followed(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\ndef h(t):\n    return t\n",
        "main.py": "import torch\nfrom deep import h\nx = torch.randn(3, requires_grad=True)\nh(torch.exp(x)).add_(1)\n",
    })
    assert check(tmp_path / "main.py") == ()


HELPERS = """
import torch


def bump(buf):
    buf.add_(1)
    return buf


def scale(t):
    t *= 2


def outer(t):
    return bump(t)


def reads(t):
    return t.sum()
"""

CALLER = """
import torch
from .helpers import bump, outer, reads, scale

w = torch.randn(3, requires_grad=True)
act = torch.exp(w)
bump(act)
fresh = torch.zeros(3)
bump(fresh)
act2 = torch.sigmoid(w)
outer(act2)
scale(torch.tanh(w))
reads(act)
(act.sum() + act2.sum()).backward()
"""


def test_a_change_in_another_files_helper_is_reported_at_the_call(tmp_path: Path) -> None:
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/helpers.py": HELPERS, "pkg/caller.py": CALLER})
    # The caller has no in-place syntax of its own: it is analysed because it imports the user's code.
    assert not engine._MAY_MUTATE.search(CALLER)
    findings = check(tmp_path / "pkg" / "caller.py")
    assert [(f.start.line, f.code) for f in findings] == [(7, "IPF002"), (11, "IPF002"), (12, "IPF001")]
    first = findings[0]
    assert first.category == BREAKS_BACKWARD
    assert first.message.startswith("`bump(act)` passes `act`, which torch.exp (line 6) saved for its backward, to bump()")
    assert "(`buf.add_(1)` at line 6 of helpers.py)" in first.message
    # Through a helper of the helper: the innermost change is named.
    assert "to outer(), which changes it in place (`buf.add_(1)` at line 6 of helpers.py)" in findings[1].message
    assert all(f.fix is not None and not f.fix.edits for f in findings), "display-only: the change is in the other file"


def test_the_helpers_own_file_is_unchanged(tmp_path: Path) -> None:
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/helpers.py": HELPERS, "pkg/caller.py": CALLER})
    # Checked on its own, the helper has no caller: its arguments are unknown, nothing is reported.
    assert check(tmp_path / "pkg" / "helpers.py") == ()


LIBRARY = '''
import torch
from torch import nn

SCALE = 2.0


def unused_helper(t):
    return t.mul_(9)


def gate(t):
    return torch.sigmoid(t * SCALE)


class Unused(nn.Module):
    def forward(self, x):
        return x


@torch.no_grad()
def decorated_unused(t):
    return t


class Gated(nn.Module):
    """Uses gate()."""

    def forward(self, x):
        return gate(x)


__all__ = ["Gated", "Unused", "unused_helper"]
'''


def test_only_what_an_importer_reaches_is_run() -> None:
    import ast

    import libcst as cst

    source = textwrap.dedent(LIBRARY)
    tree = ast.parse(source)
    kept, covered = imports.reachable_definitions(imports.top_level(tree), frozenset({"Gated"}))
    definitions = [statement.name for statement in tree.body if isinstance(statement, (ast.FunctionDef, ast.ClassDef))]
    assert [name for name, keep in zip(definitions, kept) if keep] == ["gate", "Gated"], "what Gated reads, transitively"
    assert {"Gated", "gate", "SCALE"} <= covered and "Unused" not in covered
    assert "unused_helper" not in covered, "a name only in a string reaches nothing"
    module = cst.parse_module(source)
    statements = imports._statements_kept(module, kept)
    names = [getattr(statement, "name", None) for statement in statements]
    assert [name.value for name in names if name is not None] == ["gate", "Gated"]
    assert len(statements) == len(module.body) - (len(definitions) - 2), "every other statement is kept"
    # Everything reached: everything runs.
    assert imports.reachable_definitions(imports.top_level(tree), None) == (None, None)
    assert imports._statements_kept(module, None) is module.body


def test_of_a_file_not_planned_only_what_an_importer_reaches_is_parsed(tmp_path: Path, monkeypatch) -> None:
    """A check of some files, a pool's worker (batch/pool.py): the other definitions become blank
    lines, and nothing is kept."""
    import ast

    source = textwrap.dedent(LIBRARY)
    text, covered = imports.reachable_text(source, ast.parse(source), frozenset({"Gated"}))
    assert len(text.splitlines()) == len(source.splitlines()), "line numbers stay the file's"
    assert "class Gated" in text and "def gate" in text, "what Gated reads, transitively"
    assert "SCALE = 2.0" in text and "import torch" in text and "__all__" in text, "other statements are kept"
    assert "class Unused" not in text and "decorated_unused" not in text and "@torch.no_grad()" not in text
    assert covered == imports.reachable_definitions(imports.top_level(ast.parse(source)), frozenset({"Gated"}))[1]
    assert imports.reachable_text(source, ast.parse(source), None) == (source, None)
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/library.py": source})
    resolver = imports.ModuleResolver()  # plans nothing
    parsed: list[str] = []
    monkeypatch.setattr(imports, "parse_module", lambda text, real=imports.parse_module: parsed.append(text) or real(text))
    from inplace_fixer.inference.interpreter import _imported_interpreter

    read = resolver.exports(tmp_path / "pkg" / "library.py", 1, _imported_interpreter(resolver), frozenset({"Gated"}))
    assert parsed == [text] and "Gated" in read.module_names and "Unused" not in read.module_names
    assert resolver.parsed.get((tmp_path / "pkg" / "library.py").resolve(), source) is None, "nothing kept"


def test_a_run_in_one_process_plans_the_files_it_checks_and_a_pool_plans_in_its_workers(tmp_path: Path, monkeypatch) -> None:
    """(Each worker plans its own share: tests/test_batch.py.)"""
    from inplace_fixer.batch import pool
    from inplace_fixer.batch.cache import Planned

    seen = []
    monkeypatch.setattr(pool, "_run_here", lambda job, tasks, on_done: seen.append(imports.RESOLVER.planned) or [])
    monkeypatch.setattr(pool, "_run_in_pool", lambda job, tasks, workers, on_done: seen.append(imports.RESOLVER.planned) or [None] * len(tasks))
    files = [tmp_path / f"m{i}.py" for i in range(12)]
    tasks = [(path, Planned(hit=False, context=None)) for path in files]
    pool.run(None, tasks, jobs=1, on_done=lambda outcome: None)
    assert seen == [frozenset(path.resolve() for path in files)] and imports.RESOLVER.planned is None
    seen.clear()
    pool.run(None, tasks, jobs=2, on_done=lambda outcome: None)
    assert seen[-1] is None, "the calling process plans nothing for its pool's files"


def test_a_statement_line_of_several_statements_keeps_the_definitions_in_step() -> None:
    """`a = 1; b = 2` is one libcst line and two AST statements: the definitions still pair."""
    import ast

    import libcst as cst

    source = "import torch; x = 1\n\ndef f(t):\n    return t\n\ny = 2; z = 3\n\nclass C:\n    pass\n\ndef g(t):\n    return f(t)\n"
    kept, covered = imports.reachable_definitions(imports.top_level(ast.parse(source)), frozenset({"C"}))
    assert kept == [False, True, False] and "C" in covered and not {"f", "g"} & covered
    statements = imports._statements_kept(cst.parse_module(source), kept)
    assert [type(statement).__name__ for statement in statements] == ["SimpleStatementLine", "SimpleStatementLine", "ClassDef"]


def test_a_name_a_first_importer_did_not_take_is_read_when_another_takes_it(tmp_path: Path) -> None:
    library = textwrap.dedent(LIBRARY)
    first = "import torch\nfrom .library import Gated\n\nw = torch.randn(3, requires_grad=True)\ny = Gated()(w)\ny.mul_(2)\ny.sum().backward()\n"
    second = "import torch\nfrom .library import unused_helper\n\nw = torch.randn(3, requires_grad=True)\nunused_helper(torch.exp(w)).sum().backward()\n"
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/library.py": library, "pkg/first.py": first, "pkg/second.py": second})
    sigmoid = next(n for n, line in enumerate(library.splitlines(), 1) if "torch.sigmoid" in line)
    helper = next(n for n, line in enumerate(library.splitlines(), 1) if "t.mul_(9)" in line)
    findings = check(tmp_path / "pkg" / "first.py")
    assert [(f.start.line, f.code, f.category) for f in findings] == [(6, "IPF002", BREAKS_BACKWARD)]
    assert f"torch.sigmoid (line {sigmoid} of library.py)" in findings[0].message
    # The second importer takes a function the first did not: the module is read again with it.
    findings = check(tmp_path / "pkg" / "second.py")
    assert [(f.start.line, f.code, f.category) for f in findings] == [(5, "IPF002", BREAKS_BACKWARD)]
    assert f"line {helper} of library.py" in findings[0].message
    # Nodes of the first reading are still placed in messages.
    assert f"torch.sigmoid (line {sigmoid} of library.py)" in check(tmp_path / "pkg" / "first.py")[0].message


def test_a_file_without_in_place_syntax_is_analysed_only_when_what_it_imports_may_change_a_tensor(tmp_path: Path) -> None:
    import ast

    caller = "import torch\nfrom .{module} import helper\n\nhelper(torch.exp(torch.randn(3, requires_grad=True)))\n"
    files = {
        "pkg/__init__.py": "",
        "pkg/reads.py": "def helper(t):\n    return t.sum()\n",
        "pkg/changes.py": "def helper(t):\n    t.add_(1)\n",
        # The change is one import further: still followed (MAX_IMPORT_DEPTH is 2).
        "pkg/forwards.py": "from .changes import helper as inner\n\ndef helper(t):\n    inner(t)\n",
        # Two imports further: not followed by the analysis either.
        "pkg/far.py": "from .forwards import helper as inner\n\ndef helper(t):\n    inner(t)\n",
    }
    write_package(tmp_path, files)
    assert imports.MAX_IMPORT_DEPTH == 2
    verdicts = {}
    for module in ("reads", "changes", "forwards", "far"):
        path = tmp_path / "pkg" / f"use_{module}.py"
        path.write_text(caller.format(module=module))
        verdicts[module] = engine._imports_user_code(ast.parse(path.read_text()), str(path))
    assert verdicts == {"reads": False, "changes": True, "forwards": True, "far": False}
    assert [f.code for f in check(tmp_path / "pkg" / "use_changes.py")] == ["IPF002"]
    assert [f.code for f in check(tmp_path / "pkg" / "use_forwards.py")] == ["IPF002"]
    assert check(tmp_path / "pkg" / "use_far.py") == ()


def test_from_dot_import_a_module_or_a_name_of_the_package(tmp_path: Path) -> None:
    helpers = "def helper(t):\n    t.add_(1)\n"
    caller = (
        "import torch\nfrom . import helpers\nfrom . import bump\n\n"
        "w = torch.randn(3, requires_grad=True)\nhelpers.helper(torch.exp(w))\nbump(torch.sigmoid(w))\n"
    )
    init = "def bump(t):\n    t.mul_(2)\n"
    for package in ("with_init", "namespace"):
        files = {f"{package}/helpers.py": helpers, f"{package}/use.py": caller}
        if package == "with_init":
            files[f"{package}/__init__.py"] = init
        else:
            files[f"{package}/bump.py"] = "def bump(t):\n    t.mul_(2)\n"  # a module, not a function
        write_package(tmp_path, files)
        found = [(f.start.line, f.code, f.category) for f in check(tmp_path / package / "use.py")]
        # helpers.helper changes what exp saved; bump is the package's function in one case (it
        # changes what sigmoid saved) and a module, which cannot be called, in the other.
        expected = [(6, "IPF002", BREAKS_BACKWARD)] + ([(7, "IPF002", BREAKS_BACKWARD)] if package == "with_init" else [])
        assert found == expected, package


def test_a_file_that_names_no_tensor_and_imports_none_is_neither_parsed_nor_analysed(tmp_path: Path, monkeypatch) -> None:
    import ast

    files = {
        "pkg/__init__.py": "",
        "pkg/helpers.py": (
            "import torch\n\ndef leaf():\n    return torch.ones(2, requires_grad=True)\n\n"
            "def saved_exp(w):\n    return torch.exp(w)\n"
        ),
        # No tensor named here: the tensors come from helpers.py, and the change breaks backward.
        "pkg/user.py": "from .helpers import leaf, saved_exp\n\ndef step():\n    y = saved_exp(leaf())\n    y.add_(1)\n    return y\n",
        # A library's base class with a forward(): its arguments are taken to be tensors.
        "pkg/lightning_user.py": (
            "from lightning import LightningModule\n\nclass Model(LightningModule):\n"
            "    def forward(self, x):\n        x += 1\n        return x\n"
        ),
        # In-place syntax on a dict and an int, and no tensor anywhere (a configuration file).
        "pkg/config_like.py": (
            "class Config:\n    def __init__(self, **kwargs):\n        self.values = {}\n"
            "        for key, value in kwargs.items():\n            self.values[key] = value\n"
            "        self.count = 0\n        self.count += 1\n"
        ),
        "pkg/uses_config.py": "from .config_like import Config\n\nconfig = Config()\nconfig.values['size'] = 2\n",
    }
    write_package(tmp_path, files)
    verdicts = {}
    for name in ("user", "lightning_user", "config_like", "uses_config"):
        path = tmp_path / "pkg" / f"{name}.py"
        verdicts[name] = engine._may_hold_tensors(path.read_text(), ast.parse(path.read_text()), str(path))
    assert verdicts == {"user": True, "lightning_user": True, "config_like": False, "uses_config": False}
    assert [(f.code, f.category) for f in check(tmp_path / "pkg" / "user.py")] == [("IPF002", BREAKS_BACKWARD)]
    assert [f.code for f in check(tmp_path / "pkg" / "lightning_user.py")] == ["IPF001"]

    def no_parse(source: str):
        raise AssertionError("parsed by libcst")

    monkeypatch.setattr(engine, "parse_module", no_parse)
    for name in ("config_like", "uses_config"):
        path = tmp_path / "pkg" / f"{name}.py"
        result = check_source(path.read_text(), str(path), Config())
        assert result.error is None and result.findings == () and result.fixed_source == path.read_text()


def test_the_cache_keeps_the_modules_used_last_up_to_a_number_of_characters(tmp_path: Path, monkeypatch) -> None:
    import ast

    from inplace_fixer.inference.interpreter import _imported_interpreter

    files = {f"pkg/m{i}.py": f"def f{i}(t):\n    return t * {i}\n\n\ndef g{i}(t):\n    return t + {i}\n" for i in range(4)}
    write_package(tmp_path, files)
    resolver = imports.ModuleResolver()
    make = _imported_interpreter(resolver)
    reads: list[str] = []
    real_read = resolver.read
    resolver.read = lambda path: reads.append(path.name) or real_read(path)
    source = files["pkg/m0.py"]
    size = len(imports.reachable_text(source, ast.parse(source), frozenset({"f0"}))[0])  # one function taken
    monkeypatch.setattr(imports, "CACHE_CHARACTERS", 3 * size + 10)  # room for three such readings

    def take(i: int, *names: str):
        return resolver.exports(tmp_path / "pkg" / f"m{i}.py", 1, make, frozenset(names))

    for i in range(3):
        assert take(i, f"f{i}").module_names[f"f{i}"] is not None
    take(0, "f0")  # used again: now the most recent
    take(3, "f3")  # over the limit: m1, used least recently, is dropped
    assert reads == ["m0.py", "m1.py", "m2.py", "m3.py"]
    take(0, "f0"), take(2, "f2"), take(3, "f3")
    take(1, "f1")
    assert reads[4:] == ["m1.py"]  # only the dropped module was read again
    # A name the first reading did not take: read again with both, and counted once.
    both = take(3, "f3", "g3")
    assert {"f3", "g3"} <= set(both.module_names)
    assert resolver._cached_characters == sum(characters for _, _, characters in resolver._cache.values())
    assert resolver._cached_characters <= imports.CACHE_CHARACTERS


def test_modules_that_cannot_be_read_are_bounded_in_the_cache_too(tmp_path: Path, monkeypatch) -> None:
    from inplace_fixer.inference.interpreter import _imported_interpreter

    write_package(tmp_path, {f"pkg/bad{i}.py": "def broken(:\n" for i in range(5)})
    resolver = imports.ModuleResolver()
    monkeypatch.setattr(imports, "CACHE_ENTRIES", 3)
    for i in range(5):
        assert resolver.exports(tmp_path / "pkg" / f"bad{i}.py", 1, _imported_interpreter(resolver)) is None
    assert len(resolver._cache) == 3 and resolver._cached_characters == 0


def test_a_node_of_an_imported_module_is_located_by_laying_out_the_modules_used_last_first(tmp_path: Path, monkeypatch) -> None:
    """Each module looked at costs a code generation of all of it (recording the one node asked,
    the first time; every node, the second): the one a message names was just read."""
    import libcst as cst

    from inplace_fixer.inference.interpreter import _imported_interpreter

    write_package(tmp_path, {f"pkg/m{i}.py": f"import torch\n\n\ndef f{i}(t):\n    return t * {i}\n" for i in range(6)})
    resolver = imports.ModuleResolver()
    make = _imported_interpreter(resolver)
    for i in range(6):
        resolver.exports(tmp_path / "pkg" / f"m{i}.py", 1, make, frozenset({f"f{i}"}))
    resolver.exports(tmp_path / "pkg" / "m2.py", 1, make, frozenset({"f2"}))  # used again: the most recent
    laid_out: list[cst.Module] = []
    real_layout = imports._statement_lines
    monkeypatch.setattr(imports, "_statement_lines", lambda module: laid_out.append(module) or real_layout(module))
    one_node: list[cst.Module] = []
    real_positions = imports.positions_of
    monkeypatch.setattr(imports, "positions_of", lambda module, nodes: one_node.append(module) or real_positions(module, nodes))
    wanted = resolver.exports(tmp_path / "pkg" / "m2.py", 1, make, frozenset({"f2"}))
    returned = wanted.module.body[1].body.body[0]  # `return t * 2`
    assert resolver.locate(returned, str(tmp_path / "main.py")) == f"5 of {Path('pkg', 'm2.py')}"
    assert (one_node, laid_out) == ([wanted.module], [])
    assert resolver.locate(returned, str(tmp_path / "main.py")) == f"5 of {Path('pkg', 'm2.py')}"
    assert (one_node, laid_out) == ([wanted.module], [])  # the same node again: remembered
    # A node of no module read: every module is looked at, and there is no line to give.
    assert resolver.locate(cst.parse_statement("x = 1\n"), str(tmp_path / "main.py")) is None
    assert len(one_node) == 6 and laid_out == [wanted.module]  # m2 was asked a second node: laid out whole
    signature = wanted.module.body[1]
    assert resolver.locate(signature, str(tmp_path / "main.py")) == f"4 of {Path('pkg', 'm2.py')}"
    assert len(one_node) == 6 and laid_out == [wanted.module]


# A cycle: a.py imports b.py, which imports a.py back. A check of a.py must meet its own nodes
# as its own, whatever an earlier check read of a.py as an import (inference/parsed_files.py).
CYCLE_A = """
import torch
from b import helper

def scale(t):
    t.mul_(2)
    return t

x = torch.randn(3, requires_grad=True)
y = helper(torch.exp(x))
z = scale(torch.sigmoid(x))
"""
CYCLE_B = "from a import scale\n\ndef helper(y):\n    return scale(y)\n"
CYCLE_C = "import torch\nfrom b import helper\n\nx = torch.randn(3, requires_grad=True)\nq = helper(torch.tanh(x))\n"


def planned_resolver(root: Path) -> imports.ModuleResolver:
    """A resolver of a run in one process over every file under ``root`` (batch/pool.py)."""
    resolver = imports.ModuleResolver()
    resolver.planned = frozenset(path.resolve() for path in root.rglob("*.py"))
    return resolver


def findings_in_order(root: Path, order: list[str]) -> dict[str, list[tuple]]:
    found = {}
    for name in order:
        result = check_source((root / name).read_text(), str(root / name), Config())
        assert result.error is None
        found[name] = [(f.start.line, f.code, f.category, f.message) for f in result.findings]
    return found


def test_a_file_checked_after_an_import_read_it_gets_the_findings_it_gets_alone(tmp_path: Path, monkeypatch) -> None:
    write_package(tmp_path, {"a.py": CYCLE_A, "b.py": CYCLE_B, "c.py": CYCLE_C})
    monkeypatch.setattr(imports, "RESOLVER", planned_resolver(tmp_path))
    alone = findings_in_order(tmp_path, ["a.py"])["a.py"]
    assert [(line, category) for line, _, category, _ in alone] == [(6, BREAKS_BACKWARD), (10, BREAKS_BACKWARD)]
    assert "the call on line 11 passes `torch.sigmoid(x)`" in alone[0][3], "scale() is a.py's own function"
    for order in (["c.py", "a.py"], ["b.py", "a.py"], ["c.py", "b.py", "a.py"], ["a.py", "c.py", "a.py"]):
        resolver = planned_resolver(tmp_path)
        monkeypatch.setattr(imports, "RESOLVER", resolver)
        taken = []
        real_get = resolver.parsed.get
        monkeypatch.setattr(resolver.parsed, "get", lambda path, text: taken.append(path.name) or real_get(path, text))
        assert findings_in_order(tmp_path, order)["a.py"] == alone, order
        assert "a.py" in taken


def test_without_the_cycle_guard_the_check_would_meet_its_own_function_as_another_files(tmp_path: Path, monkeypatch) -> None:
    """The mutant: the cached readings of a.py (made by c.py's check) serve a.py's own check."""
    write_package(tmp_path, {"a.py": CYCLE_A, "b.py": CYCLE_B, "c.py": CYCLE_C})
    monkeypatch.setattr(imports, "RESOLVER", planned_resolver(tmp_path))
    alone = findings_in_order(tmp_path, ["a.py"])["a.py"]
    resolver = planned_resolver(tmp_path)
    monkeypatch.setattr(imports, "RESOLVER", resolver)
    monkeypatch.setattr(resolver, "_meets_checked", lambda interpreter: False)
    monkeypatch.setattr(resolver.parsed, "being_checked", lambda: {})
    mutant = findings_in_order(tmp_path, ["c.py", "a.py"])["a.py"]
    assert mutant != alone
    assert any("changes it in place (`t.mul_(2)` at line 6 of a.py)" in message for *_, message in mutant[1:])


def test_a_module_an_import_parsed_is_not_parsed_again_for_its_own_check(tmp_path: Path, monkeypatch) -> None:
    blocks = textwrap.dedent(BLOCKS) + "\n\ndef bump(t):\n    t += 1\n    return t\n"  # in-place syntax: checked
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/blocks.py": blocks, "pkg/model.py": MODEL})
    monkeypatch.setattr(imports, "RESOLVER", planned_resolver(tmp_path))
    parsed: list[str] = []
    for module in (engine, imports):
        real = module.parse_module
        monkeypatch.setattr(module, "parse_module", lambda text, real=real: parsed.append(text) or real(text))
    check(tmp_path / "pkg" / "model.py")
    assert parsed.count(blocks) == 1, "the import parsed blocks.py whole"
    blocks_result = check_source(blocks, str(tmp_path / "pkg" / "sub" / "blocks.py"), Config())
    assert parsed.count(blocks) == 1, "its check took that parse"
    monkeypatch.setattr(imports, "RESOLVER", planned_resolver(tmp_path))
    assert check_source(blocks, str(tmp_path / "pkg" / "sub" / "blocks.py"), Config()) == blocks_result
    # With no parse kept, its own check builds its tree from Python's AST (cst_build): libcst
    # parses only the statements with findings, never the whole text again.
    assert parsed.count(blocks) == 1
    # A different text of the same path is not served the kept parse.
    edited = blocks.replace("sigmoid", "tanh")
    edited_result = check_source(edited, str(tmp_path / "pkg" / "sub" / "blocks.py"), Config())
    assert edited_result.fixed_source == blocks_result.fixed_source.replace("sigmoid", "tanh") != blocks_result.fixed_source
    assert not any(text == edited for text in parsed)


def test_the_language_servers_documents_neither_take_nor_give_a_shared_parse(tmp_path: Path, monkeypatch) -> None:
    """Its nodes change in place as the user types (reparse.py)."""
    from inplace_fixer.reparse import DocumentParses

    blocks = textwrap.dedent(BLOCKS) + "\n\ndef bump(t):\n    t += 1\n    return t\n"
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/blocks.py": blocks, "pkg/model.py": MODEL})
    resolver = planned_resolver(tmp_path)
    monkeypatch.setattr(imports, "RESOLVER", resolver)
    check(tmp_path / "pkg" / "model.py")
    path = (tmp_path / "pkg" / "sub" / "blocks.py").resolve()
    shared = resolver.parsed.get(path, blocks)
    assert shared is not None
    parses = DocumentParses()
    check_source(blocks, str(path), Config(), fix=False, parses=parses)
    assert parses.reparse(blocks)[1] is not shared[1]
