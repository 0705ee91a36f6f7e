"""deploy/Dockerfile and .dockerignore, checked without a Docker engine.

The Dockerfile is read with the ``dockerfile`` package (BuildKit's own Go parser); the checks
below then hold the build to its promises: uv from the official image, ``uv sync --locked
--no-dev`` only, the lock-only dependency layer mounting every workspace member's
pyproject.toml, a non-root numeric user, and ``api``/``worker`` targets whose commands and
health checks the real CLI accepts. Each check is also run on a deliberately broken copy.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field

import dockerfile
import pytest

from ._contract import DOCKERFILE, DOCKERIGNORE, REPO, cli_rejects, parse_personagen_argv

#: What the image build reads from the context (the runtime needs alembic.ini + migrations/).
BUILD_INPUTS = (
    "pyproject.toml",
    "uv.lock",
    "README.md",
    "alembic.ini",
    "migrations/env.py",
    "personagen/cli.py",
    "shared/pyproject.toml",
    "services/persona_api/pyproject.toml",
    "services/generator_worker/pyproject.toml",
)
#: What must never reach an image layer.
NEVER_IN_CONTEXT = (".env", ".venv", ".git", ".personagen", "tests")


@dataclass
class Stage:
    """One ``FROM ... AS name`` block: its base, ``ARG`` defaults and instructions."""

    name: str
    base: str
    args: dict[str, str] = field(default_factory=dict)
    commands: list[dockerfile.Command] = field(default_factory=list)


def _stages(commands: tuple[dockerfile.Command, ...]) -> dict[str, Stage]:
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for command in commands:
        if command.cmd == "FROM":
            value = command.value
            assert len(value) == 3, f"unnamed stage: {command}"
            assert value[1].upper() == "AS", f"unnamed stage: {command}"
            current = stages[value[2]] = Stage(name=value[2], base=value[0])
        elif current is not None:
            current.commands.append(command)
            if command.cmd == "ARG":
                name, _, default = command.value[0].partition("=")
                current.args[name] = default
    return stages


def _lineage(stages: dict[str, Stage], name: str) -> list[Stage]:
    """``name`` and the stages it is built FROM, nearest first."""
    chain = [stages[name]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain


def _effective(stages: dict[str, Stage], name: str, instruction: str) -> dockerfile.Command | None:
    """The last ``instruction`` (USER, CMD, ...) in effect for target ``name``."""
    for stage in _lineage(stages, name):
        found = [c for c in stage.commands if c.cmd == instruction]
        if found:
            return found[-1]
    return None


def _resolve(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: args.get(m[1], m[0]), text)


def _workspace_pyprojects() -> set[str]:
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    members = root["tool"]["uv"]["workspace"]["members"]
    return {"pyproject.toml"} | {f"{member}/pyproject.toml" for member in members}


def dockerfile_problems(text: str) -> list[str]:
    """Every broken promise of the Dockerfile ``text``; empty when it is sound."""
    commands = dockerfile.parse_string(text)
    stages = _stages(commands)
    problems: list[str] = []
    global_args = dict(
        c.value[0].partition("=")[::2]
        for c in commands[: [c.cmd for c in commands].index("FROM")]
        if c.cmd == "ARG"
    )

    uv_stages = [s for s in stages.values() if s.base.startswith("ghcr.io/astral-sh/uv:")]
    if not uv_stages:
        problems.append("uv does not come from the ghcr.io/astral-sh/uv image")
    for stage in uv_stages:
        tag = _resolve(stage.base, global_args).rsplit(":", 1)[1]
        if not re.fullmatch(r"\d+\.\d+\.\d+", tag):
            problems.append(f"uv image tag {tag!r} is not an exact version")

    syncs = [
        (stage, c)
        for stage in stages.values()
        for c in stage.commands
        if c.cmd == "RUN" and "uv sync" in c.value[0]
    ]
    if len(syncs) != 2:
        problems.append(f"expected a dependency layer and a project layer, got {len(syncs)} syncs")
    for stage, c in syncs:
        run = c.value[0]
        sync = shlex.split(run[run.index("uv sync") :].split("&&")[0])
        for required in ("--locked", "--no-dev", "--package"):
            if required not in sync:
                problems.append(f"`{' '.join(sync)}` lacks {required}")
        if {"--extra", "--all-extras", "--group", "--all-groups", "--dev"} & set(sync):
            problems.append(f"`{' '.join(sync)}` installs extras or dev groups")
        if stage.name in ("api", "worker", "runtime"):
            problems.append("uv sync runs in a runtime stage")
    if syncs:
        # The first (lock-only) sync sees only bind-mounted files: every workspace member's
        # pyproject.toml must be among them or --locked cannot check the lock.
        first = syncs[0][1]
        sources = {
            m.group(1)
            for flag in first.flags
            if (m := re.search(r"type=bind,source=([^,]+)", flag))
        }
        if "--no-install-workspace" not in first.value[0]:
            problems.append("the dependency layer installs the workspace too")
        missing = (_workspace_pyprojects() | {"uv.lock"}) - sources
        if missing:
            problems.append(f"dependency layer does not mount {sorted(missing)}")
        problems.extend(
            f"bind mount of missing file {s}" for s in sorted(sources) if not (REPO / s).exists()
        )

    for target, subcommand in (("api", "api"), ("worker", "worker")):
        if target not in stages:
            problems.append(f"no {target} target")
            continue
        runtime_base = _lineage(stages, target)[-1].base
        if runtime_base.startswith("ghcr.io/astral-sh/uv"):
            problems.append(f"{target} is built on the uv image")
        for stage in _lineage(stages, target):
            for c in stage.commands:
                if c.cmd == "COPY" and "--from=uv" in c.flags:
                    problems.append(f"{target} carries the uv binary")

        user = _effective(stages, target, "USER")
        if user is None:
            problems.append(f"{target} runs as root (no USER)")
        else:
            args = {k: v for s in reversed(_lineage(stages, target)) for k, v in s.args.items()}
            uid = _resolve(user.value[0], args).split(":")[0]
            if not uid.isdigit() or int(uid) == 0:
                problems.append(f"{target} USER {uid!r} is not a non-root numeric UID")

        cmd = _effective(stages, target, "CMD")
        if cmd is None or not cmd.json:
            problems.append(f"{target} CMD missing or not in exec (JSON) form")
        elif cli_rejects(cmd.value) or parse_personagen_argv(cmd.value)[0] != subcommand:
            problems.append(f"{target} CMD {list(cmd.value)} is not `personagen {subcommand}`")

        health = _effective(stages, target, "HEALTHCHECK")
        if health is None or not health.json or health.value[0] != "CMD":
            problems.append(f"{target} has no exec-form HEALTHCHECK")
        elif health.value[1] == "personagen" and cli_rejects(health.value[1:]):
            problems.append(f"{target} HEALTHCHECK {list(health.value)} is refused by the CLI")
    return problems


def dockerfile_uid() -> int:
    """The numeric UID the runtime images run as (``ARG UID`` default, used by ``USER``)."""
    stages = _stages(dockerfile.parse_file(str(DOCKERFILE)))
    return int(stages["runtime"].args["UID"])


def test_dockerfile_keeps_its_promises() -> None:
    assert dockerfile_problems(DOCKERFILE.read_text(encoding="utf-8")) == []


def test_targets_run_the_right_commands() -> None:
    stages = _stages(dockerfile.parse_file(str(DOCKERFILE)))
    api_cmd = _effective(stages, "api", "CMD")
    worker_health = _effective(stages, "worker", "HEALTHCHECK")
    assert api_cmd is not None
    assert worker_health is not None
    _, params = parse_personagen_argv(api_cmd.value)
    assert (params["host"], params["port"]) == ("0.0.0.0", 8000)  # noqa: S104
    expose = [c.value for c in stages["api"].commands if c.cmd == "EXPOSE"]
    assert expose == [("8000",)]
    assert list(worker_health.value) == ["CMD", "personagen", "worker", "--check"]
    # A plain `docker build` (no --target) must give the API image: the last stage.
    assert list(stages)[-1] == "api"


_WORKER_PYPROJECT = "services/generator_worker/pyproject.toml"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "uv sync --locked --no-dev --no-install-workspace",
            "uv sync --no-dev --no-install-workspace",
            "lacks --locked",
        ),
        (
            "uv sync --locked --no-dev --package personagen \\",
            "uv sync --locked --package personagen \\",
            "lacks --no-dev",
        ),
        ("USER ${UID}:${GID}", "USER root", "not a non-root numeric UID"),
        ('"--host", "0.0.0.0"', '"--hots", "0.0.0.0"', "is not `personagen api`"),
        ('"worker", "--check"]', '"worker", "--healthy"]', "refused by the CLI"),
        ("uv:${UV_VERSION} AS uv", "uv:latest AS uv", "not an exact version"),
        (
            f"    --mount=type=bind,source={_WORKER_PYPROJECT},target={_WORKER_PYPROJECT} \\\n",
            "",
            "does not mount ['services/generator_worker/pyproject.toml']",
        ),
    ],
)
def test_broken_copies_are_caught(old: str, new: str, problem: str) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"mutation anchor {old!r} not unique in the Dockerfile"
    problems = dockerfile_problems(text.replace(old, new))
    assert any(problem in p for p in problems), problems


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A ``.dockerignore`` pattern as a regex over context-relative paths.

    Docker anchors patterns at the context root and matches them with Go's filepath.Match plus
    ``**`` for any number of folders (docs: "Dockerfile reference", ".dockerignore file").
    """
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether ``patterns`` exclude ``path``: a match on it or on a parent folder excludes it,
    the last matching pattern wins, and ``!pattern`` re-includes."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        regex = _pattern_regex(raw.removeprefix("!").strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_out_and_build_inputs_in() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    kept_out = [p for p in BUILD_INPUTS if _ignored(p, patterns)]
    assert not kept_out, f".dockerignore excludes build inputs {kept_out}"
    let_in = [p for p in NEVER_IN_CONTEXT if not _ignored(p, patterns)]
    assert not let_in, f".dockerignore lets {let_in} into the build context"
    for path in BUILD_INPUTS:
        assert (REPO / path).exists(), path
