"""Options and fixtures shared by the whole test suite (keep this file small: others add here too)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden/**/*.expected.py from the tool's current output; review with git diff",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True, scope="session")
def _result_cache_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory):
    """`check` caches results (inplace_fixer/batch/cache.py); the suite keeps its cache out of
    the working tree. Tests of the cache itself pass --cache-dir or --no-cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("INPLACE_FIXER_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))
    yield
    patch.undo()
