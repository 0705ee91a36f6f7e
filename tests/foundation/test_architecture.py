"""The two services never import each other (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports")
    assert lint_imports, "import-linter is a dev dependency"
    result = subprocess.run([lint_imports], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout
