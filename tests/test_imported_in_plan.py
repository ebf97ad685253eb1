"""Which planned files another planned file imports (inference/imported_in_plan.py), and the check
that keeps its parse for such a file (engine.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from inplace_fixer import Config, check_source, engine
from inplace_fixer.inference import imports
from inplace_fixer.inference.imported_in_plan import imported_in_plan


def write(root: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return sorted(path.resolve() for path in root.rglob("*.py"))


def imported(root: Path, planned: list[Path]) -> set[str]:
    resolver = imports.ModuleResolver()
    found = imported_in_plan(planned, resolver.text_of, resolver.find, imports.relative_module_file)
    return {str(path.relative_to(root.resolve())) for path in found}


def test_top_level_imports_of_planned_files_name_what_they_import(tmp_path: Path) -> None:
    planned = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/layers/__init__.py": "",
        "pkg/layers/attention.py": "import torch\n",
        "pkg/layers/mlp.py": "",
        "pkg/layers/norm.py": "",
        "pkg/configuration.py": "",
        "pkg/utils.py": "",
        "pkg/helpers.py": "",
        "pkg/only_in_a_function.py": "",
        "pkg/model.py": """
            import torch
            from typing import Optional
            from .configuration import Config  # a relative import
            from .layers import (
                attention,  # a submodule, taken by name
                mlp as feed_forward,
            )
            import pkg.utils as utils
            from pkg import helpers

            def build():
                from . import only_in_a_function  # not at the top level
        """,
        "pkg/layers/stack.py": "from ..layers.norm import Norm\nfrom .. import missing\n",
    })
    assert imported(tmp_path, planned) == {
        "pkg/configuration.py", "pkg/layers/__init__.py", "pkg/layers/attention.py", "pkg/layers/mlp.py",
        "pkg/utils.py", "pkg/__init__.py", "pkg/helpers.py", "pkg/layers/norm.py",
    }


def test_only_planned_files_are_named(tmp_path: Path) -> None:
    planned = write(tmp_path, {"a.py": "from b import f\nimport c\n", "b.py": "def f():\n    pass\n", "c.py": ""})
    assert imported(tmp_path, [path for path in planned if path.name != "c.py"]) == {"b.py"}


BLOCKS = """
import torch

def squash(t):
    t.mul_(2)
    return t
"""
MODEL = """
import torch
from blocks import squash

x = torch.randn(3, requires_grad=True)
y = squash(torch.exp(x))
"""


def test_a_file_checked_before_its_importer_keeps_its_parse_for_the_import(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, {"blocks.py": BLOCKS, "model.py": MODEL, "other.py": "import torch\nx = torch.ones(2)\nx += 1\n"})
    texts = {name: (tmp_path / name).read_text() for name in ("blocks.py", "model.py", "other.py")}
    alone = {}
    for name, text in texts.items():
        monkeypatch.setattr(imports, "RESOLVER", imports.ModuleResolver())
        alone[name] = check_source(text, str(tmp_path / name), Config())
    resolver = imports.ModuleResolver()
    monkeypatch.setattr(imports, "RESOLVER", resolver)
    parsed: list[str] = []
    for module in (engine, imports):
        real = module.parse_module
        monkeypatch.setattr(module, "parse_module", lambda text, real=real: parsed.append(text) or real(text))
    with resolver.planning(tmp_path / name for name in texts):
        assert {path.name for path in resolver.imported_in_plan} == {"blocks.py"}
        together = {name: check_source(text, str(tmp_path / name), Config()) for name, text in texts.items()}
        assert resolver.parsed.get((tmp_path / "other.py").resolve(), texts["other.py"]) is None, "nothing imports it"
    assert together == alone
    assert alone["model.py"].findings, "the import was followed"
    assert parsed.count(texts["blocks.py"]) == 1, "model.py's import took the parse blocks.py's check kept"
