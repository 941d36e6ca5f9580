"""Saved workflows as the API serves them: save, list, read back, restore, run by name.

Versions are the KV bucket's history of each key (see ``psynapse_common.saved_workflows``).
The bucket keeps the last revisions per key only, so once a workflow has that many
versions every save drops the oldest one and the numbers move down by one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
import structlog
from nats.aio.client import Client

from psynapse_common.conversion import ConversionError, variable_value
from psynapse_common.graph import FUNCTION, VARIABLE
from psynapse_common.messages import ExecuteRequest
from psynapse_common.saved_workflows import SavedWorkflows, Version, is_deletion
from psynapse_common.scan import scan
from psynapse_common.subjects import check_workflow_name

from .bodies import (
    WorkflowBody,
    WorkflowList,
    WorkflowRecord,
    WorkflowSaved,
    WorkflowSummary,
    WorkflowVersion,
    WorkflowVersions,
)
from .limits import LimitExceeded

log = structlog.get_logger()


class WorkflowNotFound(LookupError):
    pass


class WorkflowInputError(ValueError):
    """Inputs a workflow run cannot take (an unknown name, a value that does not fit)."""


class WorkflowRun(msgspec.Struct, kw_only=True):
    inputs: dict[str, Any] = {}
    env_vars: dict[str, str] | None = None
    cache: bool = True
    # A partial run, as for /execute: only these nodes and their ancestors run.
    targets: list[str] | None = None
    timeout_s: Annotated[float, msgspec.Meta(gt=0)] | None = None


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_body(body: WorkflowBody) -> None:
    for index, node in enumerate(body.nodes):
        if not isinstance(node.get("id"), str) or not node["id"]:
            raise WorkflowInputError(f"node #{index + 1} has no id")
        if not isinstance(node.get("data", {}), dict):
            raise WorkflowInputError(f"node {node['id']!r} has data that is not an object")
    for index, edge in enumerate(body.edges):
        if not isinstance(edge.get("source"), str) or not isinstance(edge.get("target"), str):
            raise WorkflowInputError(f"edge #{index + 1} needs a source and a target node id")


class WorkflowStore:
    """Saving, listing and reading back workflows for the API (``SavedWorkflows`` reads
    the bucket's history; the planner reads workflows through it too)."""

    def __init__(self, nc: Client, saved: SavedWorkflows) -> None:
        self._nc = nc
        self._saved = saved

    async def open(self) -> None:
        """Create the bucket if missing. A failure (a cluster electing a leader) is
        not fatal: the first request that needs the bucket tries again."""
        try:
            await self._saved.bucket_handle()
        except Exception as exc:  # noqa: BLE001 - retried on first use
            log.warning("workflows.bucket_unavailable", error=str(exc) or type(exc).__name__)

    async def versions(self, name: str) -> list[Version]:
        """The workflow's versions, oldest first (empty when there is none)."""
        return await self._saved.versions(name)

    async def _versions_or_404(self, name: str) -> list[Version]:
        versions = await self.versions(name)
        if not versions:
            raise WorkflowNotFound(f"no workflow named {name!r}")
        return versions

    async def _version(self, name: str, number: int) -> Version:
        versions = await self._versions_or_404(name)
        if not 1 <= number <= len(versions):
            raise WorkflowNotFound(f"workflow {name!r} has no version {number}; it has versions 1 to {len(versions)}")
        return versions[number - 1]

    async def _read(self, name: str, version: Version) -> WorkflowBody:
        content = await self._saved.content(name, version.revision)
        if content is None:
            # Deleted (or pushed out of the history) since the versions were read.
            raise WorkflowNotFound(f"workflow {name!r} has no version {version.number}")
        # Every version was stored as a WorkflowBody: read back, it encodes to the same bytes.
        return msgspec.json.decode(content, type=WorkflowBody)

    # -- the endpoints' operations -----------------------------------------------
    async def save(self, name: str, body: WorkflowBody) -> WorkflowSaved:
        check_workflow_name(name)
        return await self._put(name, msgspec.json.encode(body))

    async def _put(self, name: str, value: bytes) -> WorkflowSaved:
        limit = self._nc.max_payload
        if len(value) > limit:
            raise LimitExceeded(
                f"the workflow is {len(value)} bytes; NATS stores values of at most {limit} bytes "
                "(the server's max_payload)",
                413,
            )
        revision = await (await self._saved.bucket_handle()).put(name, value)
        versions = await self.versions(name)
        for version in versions:
            if version.revision == revision:
                return self._answer(name, version)
        # Saved, then deleted or superseded a history's worth of times before we looked.
        latest = versions[-1] if versions else Version(1, revision, dt.datetime.now(dt.UTC))
        return self._answer(name, latest)

    @staticmethod
    def _answer(name: str, version: Version) -> WorkflowSaved:
        return WorkflowSaved(name=name, version=version.number, updated=iso(version.at))

    async def get(self, name: str, number: int | None = None) -> WorkflowRecord:
        if number is None:
            version = (await self._versions_or_404(name))[-1]
        else:
            version = await self._version(name, number)
        workflow = await self._read(name, version)
        return WorkflowRecord(name=name, version=version.number, updated=iso(version.at), workflow=workflow)

    async def version_list(self, name: str) -> WorkflowVersions:
        versions = await self._versions_or_404(name)
        return WorkflowVersions(
            name=name,
            versions=[WorkflowVersion(version=v.number, updated=iso(v.at)) for v in reversed(versions)],
        )

    async def restore(self, name: str, number: int) -> WorkflowSaved:
        version = await self._version(name, number)
        content = await self._read(name, version)
        return await self._put(name, msgspec.json.encode(content))

    async def delete(self, name: str) -> None:
        await self._versions_or_404(name)
        await (await self._saved.bucket_handle()).purge(name)

    async def list_all(self) -> WorkflowList:
        found: dict[str, list[dt.datetime]] = {}
        prefix = f"$KV.{self._saved.bucket}."
        await self._saved.bucket_handle()
        async for msg in scan(self._saved.js, self._saved.stream, prefix + ">", headers_only=True):
            name = msg.subject[len(prefix) :]
            if is_deletion(msg.headers):
                found.pop(name, None)
            else:
                found.setdefault(name, []).append(msg.metadata.timestamp)
        return WorkflowList(
            workflows=[
                WorkflowSummary(name=name, updated=iso(times[-1]), versions=len(times))
                for name, times in sorted(found.items())
            ]
        )

    async def run_request(self, name: str, run: WorkflowRun) -> ExecuteRequest:
        """The latest version as an /execute body, its named variables set to ``inputs``."""
        saved = (await self.get(name)).workflow
        nodes = [_api_node(node) for node in saved.nodes]
        _set_inputs(name, nodes, run.inputs)
        body = {
            "nodes": nodes,
            "edges": saved.edges,
            "env_vars": run.env_vars,
            "cache": run.cache,
            "workflow": name,
            "targets": run.targets,
            "timeout_s": run.timeout_s,
        }
        try:
            return msgspec.convert(body, ExecuteRequest)
        except msgspec.ValidationError as exc:
            raise WorkflowInputError(f"workflow {name!r} cannot run: {exc}") from None


def _api_node(node: dict[str, Any]) -> dict[str, Any]:
    """A saved node as the editor would send it to /execute: a function input left
    empty ("") is not sent, so its default applies."""
    data = dict(node.get("data") or {})
    if node.get("type") == FUNCTION:
        data = {k: v for k, v in data.items() if k == "functionName" or v != ""}
    return {"id": node.get("id"), "type": node.get("type"), "data": data}


def variable_names(nodes: list[dict[str, Any]]) -> list[str]:
    return sorted(
        {
            node["data"]["variableName"]
            for node in nodes
            if node["type"] == VARIABLE
            and isinstance(node["data"].get("variableName"), str)
            and node["data"]["variableName"]
        }
    )


def _set_inputs(workflow: str, nodes: list[dict[str, Any]], inputs: dict[str, Any]) -> None:
    """Give every variable node named like an input that input's value (in place)."""
    known = variable_names(nodes)
    unknown = sorted(set(inputs) - set(known))
    if unknown:
        raise WorkflowInputError(
            f"workflow {workflow!r} has no input named {', '.join(map(repr, unknown))}; "
            f"its inputs (variable nodes with a variableName) are: {', '.join(known) or 'none'}"
        )
    for node in nodes:
        data = node["data"]
        name = data.get("variableName")
        if node["type"] != VARIABLE or not isinstance(name, str) or name not in inputs:
            continue
        data["variableValue"] = inputs[name]
        try:
            variable_value(data)
        except ConversionError as exc:
            raise WorkflowInputError(f"input {name!r}: {exc}") from None
