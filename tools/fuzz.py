"""Property-based fuzzing of ``check_source`` with hypothesis and hypothesmith.

    python tools/fuzz.py --minutes N [--seed S]

Two kinds of input: modules hypothesmith generates from Python's grammar, and the same with
in-place tensor statements spliced in (at module level, in a ``forward()``, a loop, a
``no_grad`` block) after a preamble that makes a tensor requiring grad. For each, with the safe
fixes and with ``unsafe_fixes`` too:

- ``check_source`` does not raise;
- the fixed source parses (Python's parser and libcst's);
- the fixer is idempotent: checking the fixed source changes nothing more;
- a source without findings comes out unchanged.

``tests/test_fuzz.py`` runs a small seeded budget in the normal test run. This script runs
batches with new seeds until the time is up and saves each failing example, as hypothesis shrank
it, as a golden case: ``golden/fuzz/<hash>.py`` when it holds a spliced in-place statement,
``golden/fuzz/negative/<hash>.py`` otherwise. ``tests/test_golden.py`` then fails on it until the
bug is fixed and the expected files are generated (``--update-golden``, see golden/README.md).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import hypothesmith
import libcst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from inplace_fixer import Config, check_source  # noqa: E402

# hypothesmith compiles what it generates; Python's warnings about that code are noise here.
warnings.filterwarnings("ignore", category=SyntaxWarning)

GOLDEN_FUZZ = REPO_ROOT / "golden" / "fuzz"
CONFIGS = (Config(), Config(unsafe_fixes=True))

PREAMBLE = (
    "import torch\n"
    "import torch.nn as nn\n"
    "import torch.nn.functional as F\n"
    "x = torch.ones(3, requires_grad=True) * 2\n"
    "y = torch.sigmoid(x)\n"
)
# One line each; every form the rules know, fixable and report-only.
INPLACE_STATEMENTS = (
    "x *= 2",
    "y += x",
    "x.mul_(2)",
    "y.add_(1).mul_(3)",
    "z = x.clamp_(min=0)",
    "x[0] = 1",
    "y[y < 0.5] = 0",
    "x[:, 0] += 1",
    "torch.relu_(x)",
    "F.relu(y, inplace=True)",
    "act = nn.ReLU(inplace=True)",
    "torch.add(x, 1, out=x)",
    "x.data.zero_()",
    "y.logical_not_()",
    "x.sigmoid_()",
    "y **= 2",
)
# Where a spliced statement goes: {body} is the statements, indented for the block.
BLOCKS = (
    "{body}",
    "def forward(self, x):\n{body}\n    return x",
    "for step in range(3):\n{body}",
    "with torch.no_grad():\n{body}",
    "if x.sum() > 0:\n{body}\nelse:\n    pass",
)


def spliced(module: str, statements: list[str], block: str, before: bool) -> str:
    indent = "" if block == "{body}" else "    "
    body = "\n".join(indent + statement for statement in statements)
    inserted = block.format(body=body) + "\n"
    generated = module if module.endswith("\n") or not module else module + "\n"
    return PREAMBLE + (inserted + generated if before else generated + inserted)


def generated_modules() -> st.SearchStrategy[str]:
    return hypothesmith.from_grammar()


def spliced_modules() -> st.SearchStrategy[str]:
    return st.builds(
        spliced,
        hypothesmith.from_grammar(),
        st.lists(st.sampled_from(INPLACE_STATEMENTS), min_size=1, max_size=4),
        st.sampled_from(BLOCKS),
        st.booleans(),
    )


def check_properties(source: str) -> None:
    """Raise AssertionError (or the engine's own exception) if a property fails."""
    for config in CONFIGS:
        result = check_source(source, "fuzz.py", config)
        if result.error is not None:
            # Valid Python may be refused only for a limit of libcst's or of nesting.
            if _python_accepts(source):
                assert "libcst" in result.error or "nested" in result.error, result.error
            continue
        fixed = result.fixed_source
        assert fixed is not None
        if not result.findings:
            assert fixed == source, "a source without findings was changed"
            continue
        ast.parse(fixed)
        libcst.parse_module(fixed)
        again = check_source(fixed, "fuzz.py", config)
        assert again.error is None, f"the fixed source is rejected: {again.error}"
        assert again.fixed_source == fixed, "not idempotent: a second run changed the fixed source"


def _python_accepts(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@dataclass
class Tally:
    examples: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, what failed)


def fuzz_settings(max_examples: int, seed: int | None = None) -> settings:
    """No example database: hypothesis would write .hypothesis/ into the repository."""
    return settings(
        max_examples=max_examples,
        derandomize=seed is None,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def run_batch(strategy: st.SearchStrategy[str], max_examples: int, seed: int, tally: Tally) -> None:
    last_failure: list[tuple[str, str]] = []

    @fuzz_settings(max_examples, seed)
    @given(strategy)
    def property_holds(source: str) -> None:
        tally.examples += 1
        try:
            check_properties(source)
        except Exception as exc:
            last_failure[:] = [(source, f"{type(exc).__name__}: {exc}")]
            raise

    try:
        from hypothesis import seed as with_seed

        with_seed(seed)(property_holds)()
    except Exception:
        if last_failure:  # hypothesis replays the shrunk example last
            tally.failures.append(last_failure[0])
        else:
            raise


def save_golden(source: str) -> Path:
    has_inplace = source.startswith(PREAMBLE)
    directory = GOLDEN_FUZZ if has_inplace else GOLDEN_FUZZ / "negative"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"case_{hashlib.sha256(source.encode()).hexdigest()[:12]}.py"
    path.write_text(source, encoding="utf-8", newline="")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1, help="seed of the first batch")
    parser.add_argument("--batch", type=int, default=100, help="examples per batch")
    args = parser.parse_args()
    stop = time.monotonic() + args.minutes * 60
    tally = Tally()
    seed = args.seed
    while time.monotonic() < stop:
        strategy = spliced_modules() if seed % 2 else generated_modules()
        run_batch(strategy, args.batch, seed, tally)
        seed += 1
    for source, failure in tally.failures:
        print(f"FAILED: {failure}\n  saved as {save_golden(source).relative_to(REPO_ROOT)}")
    print(f"{tally.examples} examples in {seed - args.seed} batches (seeds {args.seed}..{seed - 1}),"
          f" {len(tally.failures)} failures")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
