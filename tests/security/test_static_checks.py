"""Static security checks: the linter's bandit rules (ruff's S) are part of the project's
configuration, and the code passes them."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from django.conf import settings


def test_ruff_configuration_selects_the_bandit_rules():
    config = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())

    lint = config["tool"]["ruff"]["lint"]

    assert "S" in lint["select"]
    # Ignoring S as a whole (or all of it for the app code) would switch the rules off again.
    assert "S" not in lint.get("ignore", [])
    for pattern, ignored in lint.get("per-file-ignores", {}).items():
        assert "S" not in ignored, pattern


def test_code_passes_the_bandit_rules():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "S", "--no-cache", "."],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
