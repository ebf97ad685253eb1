"""Check ``inplace_fixer.cst_build`` against libcst's parser over real trees.

    python tools/cst_build_check.py PATH [PATH ...]

For every ``*.py`` file under each PATH that Python parses, the tree built from Python's AST must

- equal libcst's own tree with its layout set aside: the same node types, in the same fields and
  order, with the same names and literal texts (``paired``);
- generate code that Python parses to the same AST as the file (the parentheses it adds are
  enough, and the literals are kept as written).

A file the package does not build (``Unsupported``: `match`, ...) is counted apart. Prints each
difference, then the counts and the CPU time of building against libcst's parse of the same
files; exits 1 on any difference. tests/test_cst_build.py runs the same check on the test
suite's own files and the shared cases; this script is for whole trees (transformers, timm,
torchvision, torch, the standard library), which take minutes.
"""

from __future__ import annotations

import ast
import gc
import sys
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inplace_fixer.cst_build import Unsupported, module_from_ast  # noqa: E402
from inplace_fixer.cst_build.pairing import NotTheSameTree, paired  # noqa: E402
from inplace_fixer.cst_parse import parse_module  # noqa: E402

def difference(source: str) -> Optional[str]:
    """What differs between the tree built from Python's AST and libcst's, None if nothing.
    Raises ``Unsupported`` for a file the package does not build."""
    tree = ast.parse(source)
    built = module_from_ast(tree, source)
    try:
        paired(built, parse_module(source))
    except NotTheSameTree as reason:
        return f"not the tree libcst builds: {reason}"
    try:
        regenerated = ast.parse(built.code)
    except SyntaxError as error:
        return f"its code does not parse: {error}"
    if ast.dump(regenerated) != ast.dump(tree):
        return "its code means something else"
    return None


def main(paths: list[str]) -> int:
    sys.setrecursionlimit(10_000)  # libcst's code generation recurses, and some files nest deeply
    files = [file for path in paths for file in (sorted(Path(path).rglob("*.py")) if Path(path).is_dir() else [Path(path)])]
    same = different = unsupported = 0
    building = parsing = 0.0
    for file in files:
        try:
            source = file.read_text(encoding="utf-8")
            tree = ast.parse(source)
            start = time.process_time()
            parse_module(source)
            parsing += time.process_time() - start
        except Exception:  # not Python, or beyond libcst: nothing to compare with
            continue
        start = time.process_time()
        try:
            module_from_ast(tree, source)
        except Unsupported as reason:
            unsupported += 1
            print(f"{file}: not built ({reason})")
            continue
        building += time.process_time() - start
        problem = difference(source)
        if problem is None:
            same += 1
        else:
            different += 1
            print(f"{file}: {problem}")
        gc.collect(0)
    print(
        f"{same} files the same, {different} different, {unsupported} not built; building took "
        f"{building:.2f} CPU-s against {parsing:.2f} for libcst's parse ({building / max(parsing, 1e-9):.2f})"
    )
    return 1 if different else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
