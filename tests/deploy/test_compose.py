"""`docker-compose.yml`, the `Dockerfile` and the collector config, checked without a Docker
engine: they parse, every image is pinned, every service the app needs is there, the app's
env names are names the app reads, the registered search attributes are the contract's, and
health checks gate start-up. `docker compose config` runs too where a compose client exists."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.envconfig import ClientConfig
from typer.main import get_command

from startjob.cli import app
from workflows import search_attribute_flags

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("startjob", "node_bridge", "workflows", "activities")
ONE_SHOT = {"temporal-schema", "temporal-setup"}
NO_HEALTHCHECK = {"otel-collector": "distroless image: no shell or client to probe with"}
REQUIRED = {  # service: image repository (None: built from the Dockerfile)
    "postgresql": "postgres",
    "temporal-schema": "temporalio/admin-tools",
    "temporal": "temporalio/server",
    "temporal-setup": "temporalio/admin-tools",
    "temporal-ui": "temporalio/ui",
    "otel-collector": "otel/opentelemetry-collector-contrib",
    "jaeger": "jaegertracing/all-in-one",
    "worker": None,
    "bridge": None,
}
PINNED = re.compile(r"^[a-z0-9./_-]+:(v?\d+\.\d+[\w.-]*)(@sha256:[0-9a-f]{64})?$")
ENV_NAME = re.compile(r"\b(?:STARTJOB|OTEL)_[A-Z0-9_]+\b")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def _app_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services.items() if "build" in s}


def test_every_needed_service_exists_with_its_image(services: dict[str, dict[str, Any]]) -> None:
    for name, repository in REQUIRED.items():
        assert name in services, f"service {name} is missing"
        if repository is None:
            assert services[name]["build"] == "." and "image" not in services[name]
        else:
            assert services[name]["image"].split(":")[0] == repository, name


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service.get("image")
        if image is None:
            assert "build" in service, f"{name} has neither image nor build"
            continue
        assert "latest" not in image and "${" not in image, f"{name}: {image} is not pinned"
        assert PINNED.match(image), f"{name}: {image} needs an exact version tag"


def test_the_dockerfile_is_multi_stage_pinned_and_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim[\w-]*(@sha256:[0-9a-f]{64})?",
                                 base.group(1))
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", text, re.MULTILINE)
    assert [image for image, _ in stages] == ["${PYTHON_IMAGE}"] * 2
    assert re.search(r"^USER startjob$", text, re.MULTILINE)
    assert 'ENTRYPOINT ["startjob"]' in text and "pip install ." in text


def test_the_worker_scales_and_the_bridge_needs_a_token(
    services: dict[str, dict[str, Any]],
) -> None:
    worker, bridge = services["worker"], services["bridge"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N
    assert bridge["ports"] == ["8787:8787"]
    env = bridge["environment"]
    assert env["STARTJOB_BRIDGE_HOST"] == "0.0.0.0"
    assert env["STARTJOB_BRIDGE_TOKEN"].startswith("${STARTJOB_BRIDGE_TOKEN:?")


def test_app_commands_are_real_cli_commands(services: dict[str, dict[str, Any]]) -> None:
    commands = get_command(app).commands  # type: ignore[attr-defined]
    for name, service in _app_services(services).items():
        command, *args = service["command"]
        assert command in commands, f"{name}: startjob has no {command!r} command"
        options = {opt for param in commands[command].params for opt in param.opts}
        for arg in args:
            if arg.startswith("--"):
                assert arg in options, f"{name}: startjob {command} has no {arg}"


def _names_the_app_reads() -> set[str]:
    import opentelemetry.environment_variables as otel_api
    import opentelemetry.sdk.environment_variables as otel_sdk

    names = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            names |= set(ENV_NAME.findall(path.read_text(encoding="utf-8")))
    for module in (otel_api, otel_sdk):  # the OpenTelemetry SDK reads the standard OTEL_*
        names |= {v for k, v in vars(module).items() if k.startswith("OTEL_")
                  and isinstance(v, str)}
    return names


def _temporal_env_is_read(name: str) -> bool:
    """`temporalio.envconfig` reads `name` when setting it changes the connect options."""
    value = "ns-probe" if name != "TEMPORAL_ADDRESS" else "probe:7233"
    baseline = ClientConfig.load_client_connect_config(override_env_vars={})
    probed = ClientConfig.load_client_connect_config(override_env_vars={name: value})
    return probed != baseline


def test_app_env_names_are_names_the_app_reads(services: dict[str, dict[str, Any]]) -> None:
    known = _names_the_app_reads()
    assert {"STARTJOB_TASK_QUEUE", "STARTJOB_ENCRYPTION_KEYS",
            "STARTJOB_BRIDGE_MAX_CONCURRENT_PER_CLIENT"} <= known  # the scan works
    for name, service in _app_services(services).items():
        env = service["environment"]
        assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
        for variable in env:
            if variable.startswith("TEMPORAL_"):
                assert _temporal_env_is_read(variable), f"{name}: {variable} is not read"
            else:
                assert variable in known, f"{name}: the app never reads {variable}"


def test_search_attributes_registered_are_the_contracts(
    services: dict[str, dict[str, Any]],
) -> None:
    setup = services["temporal-setup"]
    flags = search_attribute_flags()
    expected = set(flags[1::2])  # "Name=Type" after each --search-attribute
    registered = set(setup["environment"]["SEARCH_ATTRIBUTES"].split())
    assert registered == expected
    script = setup["command"][0]
    assert "for pair in $$SEARCH_ATTRIBUTES" in script
    assert "temporal operator search-attribute create" in script
    namespace = services["worker"]["environment"]["TEMPORAL_NAMESPACE"]
    assert setup["environment"]["NAMESPACE"] == namespace  # registered where the app runs


def test_health_checks_gate_start_up(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert str(service["restart"]).startswith("on-failure"), name
        elif name not in NO_HEALTHCHECK:
            test = service.get("healthcheck", {}).get("test")
            assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
        for needed, how in (service.get("depends_on") or {}).items():
            condition = how["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[needed], f"{name} waits on {needed}'s health"
            elif condition == "service_completed_successfully":
                assert needed in ONE_SHOT, f"{name} waits for {needed} to exit"
    for name in _app_services(services):
        assert services[name]["depends_on"]["temporal-setup"]["condition"] == (
            "service_completed_successfully")  # search attributes exist before any job


def test_volumes_are_named_and_mounted_files_exist(compose: dict[str, Any],
                                                   services: dict[str, dict[str, Any]]) -> None:
    named = set(compose["volumes"])
    assert {"postgres-data", "startjob-data"} <= named
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), f"{name} mounts missing {source}"
            else:
                assert source in named, f"{name}: {source} is not a named volume"


def test_the_collector_takes_otlp_and_sends_traces_to_jaeger(
    services: dict[str, dict[str, Any]],
) -> None:
    config = yaml.safe_load((ROOT / "deploy" / "otel-collector.yaml").read_text())
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    pipelines = config["service"]["pipelines"]
    [traces_out] = pipelines["traces"]["exporters"]
    assert config["exporters"][traces_out]["endpoint"].split(":")[0] == "jaeger"
    assert "metrics" in pipelines
    for service in _app_services(services).values():
        endpoint = service["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert endpoint == "http://otel-collector:4317"


def test_the_file_is_valid_against_the_compose_specification() -> None:
    """The official compose-spec JSON Schema (vendored by check-jsonschema), which is what
    `docker compose config` validates against: unknown keys, wrong types and bad shapes fail
    here without a Docker engine or the compose plugin."""
    checker = Path(sys.executable).with_name("check-jsonschema")
    checked = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec",
         str(ROOT / "docker-compose.yml")],
        capture_output=True, text=True, check=False, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_docker_compose_config_accepts_the_file_where_a_client_exists() -> None:
    """Where the compose plugin is installed (a developer's laptop), `docker compose config`
    resolves variables and merges too. Without it this test checks nothing more than the
    schema test above, so it passes there rather than skip."""
    docker = shutil.which("docker")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True,
                           check=False) if docker else None
    if docker is None or probe is None or probe.returncode != 0:
        return
    env = {**os.environ, "STARTJOB_BRIDGE_TOKEN": "compose-config-check"}
    checked = subprocess.run([docker, "compose", "-f", str(ROOT / "docker-compose.yml"),
                              "config", "-q"], capture_output=True, text=True, env=env,
                             check=False, timeout=60)
    assert checked.returncode == 0, checked.stderr
