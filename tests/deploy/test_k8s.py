"""deploy/k8s: strict Kubernetes schema validation, and the pods in step with CLI and settings.

Schemas come inside the ``kubernetes-validate`` wheel (one JSON schema set per Kubernetes
minor release), so nothing is downloaded. Strict mode rejects unknown fields, which catches
the misspelt probe or resource key that the API server would silently drop on older clusters.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from personagen_shared.settings import SettingsError, load_settings

from ._contract import (
    COMPOSE_FILE,
    DOCKERFILE,
    K8S_DIR,
    SETTINGS_VARIABLES,
    load_documents,
    parse_personagen_argv,
)
from .test_dockerfile import dockerfile_uid

#: Oldest Kubernetes release the manifests promise to run on (docs/deploy.md), and the newest
#: whose schemas the installed kubernetes-validate carries.
MIN_KUBERNETES = "1.28.0"
KUBERNETES_VERSIONS = (MIN_KUBERNETES, kubernetes_validate.latest_version())

#: The Secret template is validated but applied by hand, never by a kustomization.
NOT_IN_KUSTOMIZATIONS = {"secret.example.yaml"}
SECRET_KEYS = {"SECRET_KEY", "DATABASE_URL", "OPENAI_API_KEY"}
EXPECTED_SUBCOMMAND = {"api": "api", "worker": "worker", "migrate": "migrate"}

Resource = dict[str, Any]


def _manifest_files() -> list[Path]:
    return sorted(p for p in K8S_DIR.rglob("*.yaml") if p.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def resources() -> dict[tuple[str, str], Resource]:
    """Every resource under deploy/k8s, keyed by ``(kind, metadata.name)``."""
    found: dict[tuple[str, str], Resource] = {}
    for path in _manifest_files():
        for document in load_documents(path):
            key = (document["kind"], document["metadata"]["name"])
            assert key not in found, f"{key} defined twice"
            found[key] = document
    return found


def _pod_specs(resources: dict[tuple[str, str], Resource]) -> Iterator[tuple[str, Resource]]:
    """``(component label, pod spec)`` of every Deployment and Job."""
    for (kind, _), resource in resources.items():
        if kind in ("Deployment", "Job"):
            template = resource["spec"]["template"]
            yield template["metadata"]["labels"]["app.kubernetes.io/component"], template["spec"]


def _validate(resource: Resource) -> None:
    for version in KUBERNETES_VERSIONS:
        kubernetes_validate.validate(resource, version, strict=True)


def test_every_manifest_is_valid_for_the_supported_kubernetes_versions(
    resources: dict[tuple[str, str], Resource],
) -> None:
    assert {kind for kind, _ in resources} >= {
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "Job",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }
    for resource in resources.values():
        _validate(resource)


def _first_container(resource: Resource) -> Resource:
    return resource["spec"]["template"]["spec"]["containers"][0]


def _misspelt_probe(resources: dict[tuple[str, str], Resource]) -> tuple[Resource, list[Any]]:
    api = copy.deepcopy(resources["Deployment", "personagen-api"])
    _first_container(api)["livenesProbe"] = _first_container(api).pop("livenessProbe")
    return api, ["spec", "template", "spec", "containers", 0]


def _string_replicas(resources: dict[tuple[str, str], Resource]) -> tuple[Resource, list[Any]]:
    api = copy.deepcopy(resources["Deployment", "personagen-api"])
    api["spec"]["replicas"] = "two"
    return api, ["spec", "replicas"]


def _hpa_without_max(resources: dict[tuple[str, str], Resource]) -> tuple[Resource, list[Any]]:
    hpa = copy.deepcopy(resources["HorizontalPodAutoscaler", "personagen-worker"])
    del hpa["spec"]["maxReplicas"]
    return hpa, ["spec"]


def _job_string_boolean(resources: dict[tuple[str, str], Resource]) -> tuple[Resource, list[Any]]:
    job = copy.deepcopy(resources["Job", "personagen-migrate"])
    job["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = "yes"
    return job, ["spec", "template", "spec", "securityContext", "runAsNonRoot"]


@pytest.mark.parametrize(
    "breakage", [_misspelt_probe, _string_replicas, _hpa_without_max, _job_string_boolean]
)
def test_broken_copies_are_rejected(
    resources: dict[tuple[str, str], Resource],
    breakage: Callable[[dict[tuple[str, str], Resource]], tuple[Resource, list[Any]]],
) -> None:
    broken, blamed = breakage(resources)
    with pytest.raises(kubernetes_validate.ValidationError) as caught:
        _validate(broken)
    assert list(caught.value.absolute_path) == blamed, caught.value.message


def test_container_commands_and_exec_probes_parse_with_the_real_cli(
    resources: dict[tuple[str, str], Resource],
) -> None:
    seen = set()
    for component, pod in _pod_specs(resources):
        for container in pod.get("initContainers", []) + pod["containers"]:
            subcommand, params = parse_personagen_argv(container["command"])
            assert subcommand == EXPECTED_SUBCOMMAND[component], (component, container)
            seen.add(component)
            assert "args" not in container, "the command carries all arguments"
            if subcommand == "api":
                port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
                assert params["port"] == port
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                exec_ = container.get(probe, {}).get("exec")
                if exec_:
                    parse_personagen_argv(exec_["command"])
    assert seen == set(EXPECTED_SUBCOMMAND)


def test_probes(resources: dict[tuple[str, str], Resource]) -> None:
    api = _first_container(resources["Deployment", "personagen-api"])
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["startupProbe"]["httpGet"]["path"] == "/healthz"
    worker = _first_container(resources["Deployment", "personagen-worker"])
    for probe in ("livenessProbe", "readinessProbe"):
        assert worker[probe]["exec"]["command"] == ["personagen", "worker", "--check"]
        # A probe spawns a Python process; a 1 s default timeout would kill healthy workers.
        assert worker[probe]["timeoutSeconds"] >= 10


def test_environment_comes_from_the_configmap_and_secret_and_names_real_settings(
    resources: dict[tuple[str, str], Resource],
) -> None:
    config = resources["ConfigMap", "personagen-config"]["data"]
    secret = resources["Secret", "personagen-secrets"]["stringData"]
    assert not set(config) - SETTINGS_VARIABLES, sorted(set(config) - SETTINGS_VARIABLES)
    assert set(secret) == SECRET_KEYS
    assert not set(config) & SECRET_KEYS, "secrets belong in the Secret, not the ConfigMap"
    for component, pod in _pod_specs(resources):
        for container in pod["containers"]:
            sources = [
                ("configMapRef", s["configMapRef"]["name"])
                if "configMapRef" in s
                else ("secretRef", s["secretRef"]["name"])
                for s in container["envFrom"]
            ]
            # The Secret comes last so that its keys override the ConfigMap's.
            assert sources == [
                ("configMapRef", "personagen-config"),
                ("secretRef", "personagen-secrets"),
            ], component
            explicit = {env["name"] for env in container.get("env", [])}
            assert explicit <= SETTINGS_VARIABLES, (component, explicit - SETTINGS_VARIABLES)


def test_configmap_with_a_real_secret_is_a_valid_production_configuration(
    resources: dict[tuple[str, str], Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = resources["ConfigMap", "personagen-config"]["data"]
    secret = {
        "SECRET_KEY": "s" * 48,
        "DATABASE_URL": "postgresql://personagen:pw@postgres:5432/personagen",
        "OPENAI_API_KEY": "sk-test",
    }
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for key, value in {**config, **secret}.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(_env_file=None)
    assert settings.environment == "production"
    assert settings.worker_max_jobs == int(config["WORKER_MAX_JOBS"])


def test_secret_template_placeholders_are_refused_at_start_up(
    resources: dict[tuple[str, str], Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Applying the example unchanged must not give a running system with a guessable key.
    config = resources["ConfigMap", "personagen-config"]["data"]
    secret = resources["Secret", "personagen-secrets"]["stringData"]
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for key, value in {**config, **secret}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(_env_file=None)


def test_pods_run_as_the_image_user_without_privileges(
    resources: dict[tuple[str, str], Resource],
) -> None:
    uid = dockerfile_uid()
    for component, pod in _pod_specs(resources):
        assert pod["securityContext"]["runAsNonRoot"] is True, component
        assert pod["securityContext"]["runAsUser"] == uid, component
        assert pod["automountServiceAccountToken"] is False, component
        mounts_tmp = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, component
            assert context["readOnlyRootFilesystem"] is True, component
            assert context["capabilities"]["drop"] == ["ALL"], component
            # Read-only root: /tmp must be a writable volume.
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp, component
            assert tmp[0]["name"] in mounts_tmp, component
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), (component, kind)


def test_worker_is_scaled_by_its_autoscaler(resources: dict[tuple[str, str], Resource]) -> None:
    hpa = resources["HorizontalPodAutoscaler", "personagen-worker"]["spec"]
    worker = resources["Deployment", "personagen-worker"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": worker["metadata"]["name"],
    }
    assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
    # The HPA owns the replica count; a `replicas` field would reset it on every apply.
    assert "replicas" not in worker["spec"]


def test_connection_budget_fits_postgres_default_max_connections(
    resources: dict[tuple[str, str], Resource], monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/deploy.md, "Connection budget": an API pod (one uvicorn process) holds up to
    # DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW connections (personagen_shared.db.make_engine),
    # a worker pod up to WORKER_DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW. PostgreSQL's
    # default max_connections is 100, of which superuser_reserved_connections (3) are not for
    # applications; 5 more stay free for the migration Job and an operator's psql.
    config = resources["ConfigMap", "personagen-config"]["data"]
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for key, value in config.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(
        _env_file=None, secret_key="s" * 48, database_url="postgresql://u@h/db"
    )
    # Explicit, so that the budget does not hang on the worker's derived default.
    assert settings.worker_database_pool_size is not None
    api_replicas = resources["Deployment", "personagen-api"]["spec"]["replicas"]
    worker_max = resources["HorizontalPodAutoscaler", "personagen-worker"]["spec"]["maxReplicas"]
    api_command = _first_container(resources["Deployment", "personagen-api"])["command"]
    uvicorn_processes = parse_personagen_argv(api_command)[1]["workers"]
    per_api_pod = uvicorn_processes * (settings.database_pool_size + settings.database_max_overflow)
    per_worker_pod = settings.worker_database_pool_size + settings.database_max_overflow
    budget = api_replicas * per_api_pod + worker_max * per_worker_pod
    assert budget <= 100 - 3 - 5, budget


def test_selectors_match_their_pods(resources: dict[tuple[str, str], Resource]) -> None:
    api_labels = resources["Deployment", "personagen-api"]["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        spec = resources[kind, "personagen-api"]["spec"]
        selector = spec["selector"].get("matchLabels", spec["selector"])
        assert selector.items() <= api_labels.items(), kind
    for (kind, name), resource in resources.items():
        if kind == "Deployment":
            selector = resource["spec"]["selector"]["matchLabels"]
            labels = resource["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= labels.items(), name
    port_names = {
        p["name"] for p in _first_container(resources["Deployment", "personagen-api"])["ports"]
    }
    for port in resources["Service", "personagen-api"]["spec"]["ports"]:
        assert port["targetPort"] in port_names


def test_kustomizations_cover_every_manifest_once() -> None:
    listed: list[Path] = []
    images: dict[Path, dict[str, tuple[str, str]]] = {}
    for kustomization in sorted(K8S_DIR.rglob("kustomization.yaml")):
        (document,) = load_documents(kustomization)
        for entry in document["resources"]:
            target = (kustomization.parent / entry).resolve()
            assert target.exists(), f"{kustomization}: {entry} does not exist"
            if target.is_file():
                listed.append(target)
            else:
                assert (target / "kustomization.yaml").exists(), f"{entry} is no kustomization"
        images[kustomization] = {
            i["name"]: (i["newName"], str(i["newTag"])) for i in document.get("images", [])
        }
    expected = [p.resolve() for p in _manifest_files() if p.name not in NOT_IN_KUSTOMIZATIONS]
    assert sorted(listed) == sorted(expected)

    # The migration Job must run the same release as the API it prepares the database for.
    app_images = images[K8S_DIR / "kustomization.yaml"]
    migrate_images = images[K8S_DIR / "migrate" / "kustomization.yaml"]
    assert migrate_images["personagen-api"] == app_images["personagen-api"]
    for path in _manifest_files():
        for document in load_documents(path):
            if document["kind"] in ("Deployment", "Job"):
                for container in document["spec"]["template"]["spec"]["containers"]:
                    assert container["image"] in app_images, (path.name, container["image"])


def test_probe_paths_are_routes_of_the_api(resources: dict[tuple[str, str], Resource]) -> None:
    # The app is built, not served: no database or Redis is contacted.
    from persona_api.main import create_app

    settings = load_settings(
        _env_file=None,
        environment="development",
        database_url="postgresql://u@127.0.0.1:1/db",
        redis_url="redis://127.0.0.1:1/0",
    )
    paths = set(create_app(settings).openapi()["paths"])
    api = _first_container(resources["Deployment", "personagen-api"])
    probed = {
        api[probe]["httpGet"]["path"]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    # The compose and image health checks fetch a URL from inside the container.
    (compose,) = load_documents(COMPOSE_FILE)
    local_urls = re.compile(r"http://127\.0\.0\.1:8000(/[A-Za-z0-9_/-]*)")
    for text in (json.dumps(compose["services"]["api"]["healthcheck"]), DOCKERFILE.read_text()):
        found = local_urls.findall(text)
        assert found, "no health check URL found"
        probed |= set(found)
    assert probed >= {"/healthz", "/readyz"}
    assert probed <= paths, probed - paths
