"""What tests/infra checks in the deployment files, as functions returning problems.

Each function returns a list of human-readable problems (empty: fine), so a test can
assert both that the real files pass and that a deliberately broken copy does not.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
SCHEMAS = INFRA / "schemas"

SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.IGNORECASE)
# The port each service answers GET /health on (Dockerfile, compose and k8s agree).
HEALTH_PORTS = {"gateway": 8000, "schema": 8001, "orchestrator": 9090, "runner": 9090}


def tool(name: str) -> str | None:
    """A binary from this venv (dev extras) first, then from PATH."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=False, capture_output=True, text=True, timeout=120, env=env)


# --- Dockerfile -------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuations joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _env_pairs(args: str) -> list[tuple[str, str]]:
    parts = shlex.split(args)
    if len(parts) >= 2 and "=" not in parts[0]:  # legacy `ENV KEY value`
        return [(parts[0], " ".join(parts[1:]))]
    return [(key, value) for key, _, value in (part.partition("=") for part in parts)]


def dockerfile_problems(text: str) -> list[str]:
    problems: list[str] = []
    instructions = dockerfile_instructions(text)
    global_args: dict[str, str] = {}
    stages: list[dict[str, Any]] = []
    for word, args in instructions:
        if word == "ARG" and not stages:
            for key, value in _env_pairs(args):
                global_args[key] = value.strip("\"'")
        if word == "FROM":
            parts = args.split()
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append({"image": image, "name": name, "items": []})
        elif stages:
            stages[-1]["items"].append((word, args))
        if word in ("ENV", "ARG"):
            for key, value in _env_pairs(args):
                if SECRET_NAME.search(key) and value.strip("\"'"):
                    problems.append(f"{word} {key} carries a value: secrets come from the runtime")
    if len(stages) < 2:
        problems.append("not a multi-stage build")
    stage_names = {stage["name"] for stage in stages if stage["name"]}
    for stage in stages:
        image = stage["image"]
        if image in stage_names or image == "scratch":
            continue
        if "$" in image:
            problems.append(f"base image {image} is not resolved by a global ARG default")
        elif "@sha256:" not in image:
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
            if tag is None or tag == "latest" or not re.search(r"\d", tag):
                problems.append(f"base image {image} is not pinned to a version tag or digest")
    if not stages:
        return problems + ["no FROM"]
    final = stages[-1]["items"]
    users = [args for word, args in final if word == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("the final stage runs as root (no non-root USER)")
    entry = [args for word, args in final if word == "ENTRYPOINT"]
    if not entry or entry[-1].replace(" ", "") != '["psynapse"]':
        problems.append('ENTRYPOINT is not ["psynapse"]')
    cmd = [args for word, args in final if word == "CMD"]
    if not cmd or cmd[-1].replace(" ", "") != '["gateway"]':
        problems.append('CMD is not ["gateway"]')
    if not any(word == "EXPOSE" and "8000" in args.split() for word, args in final):
        problems.append("EXPOSE 8000 is missing")
    return problems


def python_version_of(image: str) -> tuple[int, int] | None:
    match = re.match(r"(?:.*/)?python:(\d+)\.(\d+)", image)
    return (int(match.group(1)), int(match.group(2))) if match else None


# --- Kubernetes -------------------------------------------------------------------


def by_kind(docs: Iterable[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc.get("kind") == kind}


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    """A workload's pod spec."""
    assert doc.get("kind") in WORKLOAD_KINDS, f"{doc.get('kind')} {doc['metadata']['name']} runs no pods"
    return doc["spec"]["template"]["spec"]


def workloads(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc.get("kind") in WORKLOAD_KINDS]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def container_port(container: dict[str, Any], port: int | str) -> int | None:
    for item in container.get("ports", []):
        if port in (item.get("name"), item["containerPort"]):
            return item["containerPort"]
    return None


def service_of(container: dict[str, Any]) -> str:
    """The psynapse service a container runs: its first argument."""
    return (container.get("args") or container.get("command") or ["?"])[0]


def pool_of(args: list[str]) -> str:
    return args[args.index("--pool") + 1] if "--pool" in args else "default"
