"""The stylometry is pure shared code: no web framework, no service package, imported or named.

Both the API (validating writing samples) and, later, the worker (scoring generated text) use
it, so it must not drag in FastAPI/Starlette or either service. Checked twice: what a fresh
interpreter has loaded after importing the package, and what every module's source imports.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import personagen_shared.stylometry

FORBIDDEN = ("fastapi", "starlette", "persona_api", "generator_worker")
PACKAGE_DIR = Path(personagen_shared.stylometry.__file__).parent


def test_importing_the_package_loads_no_web_framework_or_service() -> None:
    script = (
        "import json, sys\n"
        "import personagen_shared.stylometry as st\n"
        "st.analyse_text('The cat sat on the mat and looked at the dog. ' * 10)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(done.stdout)
    assert "personagen_shared.stylometry" in loaded
    offending = [name for name in loaded if name.split(".")[0] in FORBIDDEN]
    assert offending == []


def test_no_module_of_the_package_imports_a_web_framework_or_service() -> None:
    modules = sorted(PACKAGE_DIR.glob("*.py"))
    assert {path.stem for path in modules} >= {
        "__init__",
        "wordlists",
        "tokens",
        "validation",
        "counts",
        "metrics",
        "mappings",
    }
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, (path.name, name)
