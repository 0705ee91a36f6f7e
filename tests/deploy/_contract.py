"""What the deployment files must agree with: the ``personagen`` CLI and the settings.

Shared by the compose, Kubernetes and Dockerfile tests. Nothing here needs PostgreSQL, Redis,
a Docker engine or the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import typer
import typer.main
import yaml

from personagen.cli import app
from personagen_shared.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
K8S_DIR = REPO / "deploy" / "k8s"
DEPLOY_DOC = REPO / "docs" / "deploy.md"
ENV_EXAMPLE = REPO / ".env.example"

#: Environment variable names PersonaGen reads: ``Settings`` fields, upper-cased (no prefix,
#: case-insensitive, see ``personagen_shared.settings.Settings.model_config``).
SETTINGS_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)


def load_documents(path: Path) -> list[dict[str, Any]]:
    """Every YAML document in ``path`` (``---``-separated), empty documents dropped."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def dump_documents(documents: Sequence[dict[str, Any]], path: Path) -> Path:
    """Write ``documents`` to ``path`` as multi-document YAML and return ``path``."""
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    return path


def parse_personagen_argv(argv: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Parse ``["personagen", SUBCOMMAND, *options]`` with the real typer app, run nothing.

    Returns ``(subcommand, parsed parameters)``. Raises ``AssertionError`` when ``argv`` does
    not start with ``personagen`` or names no existing subcommand, and
    ``typer.TyperException`` (click's usage errors) for an unknown option, a value of the
    wrong type (``--port eighty``) or a stray argument: exactly what the console script
    would refuse at start-up.
    """
    assert len(argv) >= 2, f"not a personagen command line: {argv!r}"
    assert argv[0] == "personagen", f"{argv!r} does not run the personagen console script"
    group = typer.main.get_command(app)
    root_ctx = group.make_context("personagen", [argv[1]])
    subcommand = group.get_command(root_ctx, argv[1])  # type: ignore[attr-defined]
    assert subcommand is not None, f"personagen has no subcommand {argv[1]!r} ({argv!r})"
    ctx = subcommand.make_context(argv[1], list(argv[2:]), parent=root_ctx)
    return argv[1], dict(ctx.params)


def cli_rejects(argv: Sequence[str]) -> bool:
    """True when :func:`parse_personagen_argv` refuses ``argv`` with a usage error."""
    try:
        parse_personagen_argv(argv)
    except typer.TyperException:
        return True
    return False


_INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}"
)


def interpolated_names(text: str) -> set[str]:
    """Names used as ``${NAME}``, ``${NAME:-default}`` or ``${NAME:?error}`` in ``text``.

    ``$$`` is compose's escape for a literal ``$`` left to the container's shell, so
    ``$${NAME}`` does not count. Raises ``AssertionError`` on any other ``${...}`` form, which
    :func:`interpolate` would not understand.
    """
    text = text.replace("$$", "")
    names = {m["name"] for m in _INTERPOLATION.finditer(text)}
    assert text.count("${") == len(_INTERPOLATION.findall(text)), f"unsupported ${{}} in {text!r}"
    return names


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose-style interpolation of ``text``, for the forms :func:`interpolated_names` allows.

    ``${NAME}`` -> ``values[NAME]`` or ""; ``${NAME:-default}`` -> the value when non-empty,
    else ``default``; ``${NAME:?message}`` -> the value, ``KeyError`` when it is unset or
    empty (compose refuses to start then); ``$$`` -> ``$``. Source: the Compose
    Specification, "Interpolation".
    """

    def _one(match: re.Match[str]) -> str:
        value = values.get(match["name"], "")
        if match["op"] == "-" and not value:
            return match["arg"]
        if match["op"] == "?" and not value:
            raise KeyError(f"{match['name']}: {match['arg']}")
        return value

    return _INTERPOLATION.sub(_one, text.replace("$$", "\0")).replace("\0", "$")


def walk_strings(node: Any) -> Iterator[str]:
    """Every string (keys and values) inside a parsed YAML tree."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from walk_strings(key)
            yield from walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)


def env_example_names() -> set[str]:
    """Variable names in ``.env.example``, set or commented out (``# NAME=value``)."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
