"""How the test suite is put together: a test module never imports from another test module.

A fixture or helper taken from another test module runs that module's tests a second time
under the importer's name, and ties two unrelated files together: shared fixtures live in
a conftest.py, shared helpers in a plain module (tests/access_table.py,
tests/security/crawling.py, tests/cases/steps.py), never imported from a conftest.py."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(dotted: str) -> bool:
    """A test module, or a conftest.py: pytest loads those itself, and importing one by hand
    makes a second copy of its fixtures. Helpers go in plain modules (steps.py)."""
    return any(part.startswith("test_") or part == "conftest" for part in dotted.split("."))


def _imported_test_modules(path: Path) -> list[str]:
    """The test modules `path` imports, as written: `from tests.test_x import y`,
    `from .test_x import y`, `from tests import test_x`, `import tests.test_x`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _is_test_module(module):
                found.append(module)
            elif node.level or module.split(".")[0] == "tests":
                package = module if module.endswith(".") else f"{module}."
                found += [
                    package + alias.name for alias in node.names if _is_test_module(alias.name)
                ]
    return found


def test_no_test_module_imports_from_another_test_module():
    offenders = [
        f"{path.relative_to(TESTS.parent)}: imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in _imported_test_modules(path)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_every_way_of_importing_a_test_module(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(
        "from tests.test_url_access import ctx\n"
        "from .test_headers import crawl\n"
        "from tests.security import test_headers\n"
        "from . import test_leaks\n"
        "import tests.test_query_counts\n"
        "from tests import factories\n"
        "from tests.access_table import TABLE\n"
        "from .conftest import draft\n"
        "from tests.referrals.steps import send\n"
        "import pytest\n"
    )

    assert _imported_test_modules(module) == [
        "tests.test_url_access",
        ".test_headers",
        "tests.security.test_headers",
        ".test_leaks",
        "tests.test_query_counts",
        ".conftest",
    ]
