"""docker-compose.yml: valid Compose Specification, and in step with the CLI and the settings.

The schema is the Compose Specification's own JSON schema as vendored inside the
``check-jsonschema`` wheel (``--builtin-schema vendor.compose-spec``), so validation runs
offline; the subprocess gets a dead proxy to prove it downloads nothing. No Docker engine is
involved: the stack itself is never started here.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from personagen_shared.settings import load_settings

from ._contract import (
    COMPOSE_FILE,
    DEPLOY_DOC,
    SETTINGS_VARIABLES,
    cli_rejects,
    dump_documents,
    env_example_names,
    interpolate,
    interpolated_names,
    load_documents,
    parse_personagen_argv,
    walk_strings,
)

#: Environment variables the third-party images document (Docker Hub pages of ``postgres``,
#: ``redis`` and ``ollama/ollama``); a name outside these would be silently ignored.
IMAGE_VARIABLES: dict[str, frozenset[str]] = {
    "postgres": frozenset(
        {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_INITDB_ARGS", "PGDATA"}
    ),
    "redis": frozenset(),
    "ollama/ollama": frozenset({"OLLAMA_HOST", "OLLAMA_KEEP_ALIVE", "OLLAMA_MODELS"}),
}

#: ``${...}`` names that only configure the compose file itself (documented in docs/deploy.md).
COMPOSE_ONLY_VARIABLES = frozenset(
    {
        "POSTGRES_USER",
        "POSTGRES_PASSWORD",
        "POSTGRES_DB",
        "API_PORT",
        "PERSONAGEN_API_IMAGE",
        "PERSONAGEN_WORKER_IMAGE",
    }
)

#: Inside a container the API must listen beyond loopback to be reachable at all.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104

#: Which subcommand each PersonaGen service must run.
EXPECTED_SUBCOMMAND = {"migrate": "migrate", "api": "api", "worker": "worker"}

# Any attempt to download a schema goes to a closed port and fails the run.
OFFLINE_ENV = {
    **os.environ,
    **{name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")},
    **{name: "http://127.0.0.1:9" for name in ("http_proxy", "https_proxy", "all_proxy")},
    "NO_PROXY": "",
    "no_proxy": "",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml parsed (anchors and ``<<`` merges resolved by the YAML loader)."""
    (document,) = load_documents(COMPOSE_FILE)
    return document


def _personagen_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services built from deploy/Dockerfile, i.e. the ones that run PersonaGen."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/Dockerfile"
    }


def _image_repository(image: str) -> str:
    """``postgres:17-alpine`` -> ``postgres``; ``ollama/ollama:latest`` -> ``ollama/ollama``."""
    return image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image


def _check_jsonschema(*paths: Path) -> dict[str, Any]:
    """Run the check-jsonschema CLI with the vendored compose schema; its JSON report."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            "--output-format",
            "json",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        env=OFFLINE_ENV,
        timeout=120,
        check=False,
    )
    assert result.stdout, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    assert not report["parse_errors"], report["parse_errors"]
    assert (result.returncode == 0) == (report["status"] == "ok"), result
    return report


def _break_unknown_key(doc: dict[str, Any]) -> None:
    doc["services"]["api"]["comand"] = doc["services"]["api"].pop("command")


def _break_condition(doc: dict[str, Any]) -> None:
    doc["services"]["worker"]["depends_on"]["migrate"]["condition"] = "service_completed"


def _break_healthcheck(doc: dict[str, Any]) -> None:
    doc["services"]["postgres"]["healthcheck"]["test"] = 42


#: label -> (breakage, the JSON path the validator must blame)
BREAKAGES = {
    "unknown-key": (_break_unknown_key, "$.services.api"),
    "bad-condition": (_break_condition, "$.services.worker.depends_on"),
    "bad-healthcheck": (_break_healthcheck, "$.services.postgres.healthcheck.test"),
}


def test_compose_file_matches_compose_spec_and_broken_copies_do_not(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    # The unmodified round-trip proves that the broken copies fail for their breakage alone.
    roundtrip = dump_documents([compose], tmp_path / "roundtrip.yml")
    broken: dict[Path, str] = {}
    for label, (breakage, blamed) in BREAKAGES.items():
        document = copy.deepcopy(compose)
        breakage(document)
        broken[dump_documents([document], tmp_path / f"broken-{label}.yml")] = blamed

    report = _check_jsonschema(COMPOSE_FILE, roundtrip, *broken)

    failed = {Path(error["filename"]) for error in report["errors"]}
    assert COMPOSE_FILE not in failed, report["errors"]
    assert roundtrip not in failed, report["errors"]
    assert failed == set(broken), report["errors"]
    for path, blamed in broken.items():
        blamed_paths = {e["path"] for e in report["errors"] if Path(e["filename"]) == path}
        assert blamed in blamed_paths, (path.name, blamed_paths)


def test_compose_file_as_written_passes_the_schema_on_its_own() -> None:
    # The CI command exactly as a developer would type it (plain text output, exit status).
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE_FILE),
        ],
        capture_output=True,
        text=True,
        env=OFFLINE_ENV,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_personagen_commands_parse_with_the_real_cli(compose: dict[str, Any]) -> None:
    services = _personagen_services(compose)
    assert set(services) == set(EXPECTED_SUBCOMMAND)
    for name, service in services.items():
        subcommand, params = parse_personagen_argv(service["command"])
        assert subcommand == EXPECTED_SUBCOMMAND[name], (name, service["command"])
        if name == "api":
            # Reachable from the published port, on the port the healthcheck probes.
            assert params["host"] == ALL_INTERFACES, params
            assert params["port"] == 8000, params
        test = service.get("healthcheck", {}).get("test")
        if isinstance(test, list) and len(test) > 1 and test[1] == "personagen":
            assert test[0] == "CMD", test
            parse_personagen_argv(test[1:])
    assert compose["services"]["worker"]["healthcheck"]["test"][1:] == [
        "personagen",
        "worker",
        "--check",
    ]


def test_environment_names_are_settings_or_documented_image_variables(
    compose: dict[str, Any],
) -> None:
    personagen = _personagen_services(compose)
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{name}: use the mapping form of environment"
        if name in personagen:
            unknown = set(environment) - SETTINGS_VARIABLES
        else:
            repository = _image_repository(service["image"])
            assert repository in IMAGE_VARIABLES, f"{name}: unreviewed image {service['image']}"
            unknown = set(environment) - IMAGE_VARIABLES[repository]
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_interpolated_variables_are_settings_or_documented_compose_knobs(
    compose: dict[str, Any],
) -> None:
    used: set[str] = set()
    for text in walk_strings(compose):
        used |= interpolated_names(text)
    unknown = used - SETTINGS_VARIABLES - COMPOSE_ONLY_VARIABLES
    assert not unknown, sorted(unknown)
    doc = DEPLOY_DOC.read_text(encoding="utf-8")
    undocumented = {name for name in used & COMPOSE_ONLY_VARIABLES if name not in doc}
    assert not undocumented, f"docs/deploy.md does not mention {sorted(undocumented)}"


def test_env_file_forwards_only_settings() -> None:
    # Compose hands the whole .env to the PersonaGen services (env_file), so every name that
    # .env.example suggests must be one the code reads.
    unknown = env_example_names() - SETTINGS_VARIABLES
    assert not unknown, sorted(unknown)


def test_interpolated_environment_is_a_valid_production_configuration(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the containers receive with a minimal .env (only the required values set).
    dotenv = {"SECRET_KEY": "k" * 48, "POSTGRES_PASSWORD": "pw-Example_123"}
    declared = compose["services"]["api"]["environment"]

    def resolve(values: dict[str, str]) -> dict[str, str]:
        return {key: interpolate(str(value), values) for key, value in declared.items()}

    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for key, value in resolve(dotenv).items():
        monkeypatch.setenv(key, value)
    settings = load_settings(_env_file=None)
    assert settings.environment == "production"
    assert (
        settings.database_url == "postgresql://personagen:pw-Example_123@postgres:5432/personagen"
    )
    assert settings.redis_url == "redis://redis:6379/0"
    # Without a required value compose refuses to start (`${VAR:?message}`).
    for required in dotenv:
        partial = {k: v for k, v in dotenv.items() if k != required}
        with pytest.raises(KeyError, match=required):
            resolve(partial)


def test_services_wiring(compose: dict[str, Any]) -> None:
    services = compose["services"]
    named_volumes = set(compose["volumes"])
    for stateful, mount in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        assert "test" in services[stateful]["healthcheck"], stateful
        volumes = {v.split(":", 1)[0]: v.split(":", 1)[1] for v in services[stateful]["volumes"]}
        assert mount in volumes.values(), (stateful, volumes)
        assert set(volumes) <= named_volumes, (stateful, volumes)

    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name

    # A service_healthy dependency needs a healthcheck to ever become healthy.
    for name, service in services.items():
        for dependency, spec in service.get("depends_on", {}).items():
            if spec["condition"] == "service_healthy":
                assert "test" in services[dependency].get("healthcheck", {}), (name, dependency)

    # `--scale worker=4` needs replicas that don't collide on a name or a host port.
    assert "container_name" not in services["worker"]
    assert "ports" not in services["worker"]

    # The local LLM is opt-in.
    for name in ("ollama", "ollama-pull"):
        assert services[name]["profiles"] == ["ollama"], name
    assert not any("ollama" in services[name].get("depends_on", {}) for name in EXPECTED_SUBCOMMAND)


def test_the_cli_check_refuses_what_the_console_script_would() -> None:
    assert not cli_rejects(["personagen", "worker", "--check"])
    assert cli_rejects(["personagen", "api", "--hots", ALL_INTERFACES])
    assert cli_rejects(["personagen", "api", "--port", "eighty"])
    assert cli_rejects(["personagen", "migrate", "head", "extra"])
    with pytest.raises(AssertionError, match="no subcommand"):
        parse_personagen_argv(["personagen", "serve"])
    with pytest.raises(AssertionError, match="console script"):
        parse_personagen_argv(["uvicorn", "persona_api.main:app"])
