"""Where ``psynapse export`` reads the saved workflows its graph's Subgraph, Map and Loop
nodes run: a gateway (``GET /workflows/{name}``, or ``/versions/{n}`` for a pinned
version), or a folder of ``<name>.json`` files (the editor's Export format; a pinned
version is ``<name>.v<n>.json``) for exporting offline.

The script is standalone, so every workflow it runs is read now and written into it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from psynapse_common.graph import GraphError, Workflow, WorkflowRef
from psynapse_common.subgraphs import workflow_from_saved
from psynapse_common.subjects import InvalidWorkflowName, check_workflow_name


class WorkflowSourceError(ValueError):
    """The workflows cannot be read (an unreachable gateway, a refused token, a bad file)."""


class WorkflowSource(Protocol):
    def load(self, ref: WorkflowRef) -> Workflow | None:
        """The workflow, or None when there is none of that name (and version)."""

    def provenance(self, ref: WorkflowRef) -> str:
        """Where a loaded workflow came from, for the script's docstring."""

    def missing(self, ref: WorkflowRef) -> str:
        """Where a workflow was looked for and not found, for the error."""


class NoWorkflows:
    """For graphs exported without a source: any workflow they name is missing."""

    def load(self, ref: WorkflowRef) -> Workflow | None:
        return None

    def provenance(self, ref: WorkflowRef) -> str:
        return ""

    def missing(self, ref: WorkflowRef) -> str:
        return "no saved workflows were given to export with"


class Gateway:
    """Saved workflows as a gateway serves them."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._client: Any = None
        self._versions: dict[WorkflowRef, int] = {}

    def load(self, ref: WorkflowRef) -> Workflow | None:
        import httpx

        if self._client is None:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            self._client = httpx.Client(base_url=self.url, headers=headers, timeout=30.0)
        path = f"/workflows/{quote(ref.name, safe='')}"
        if ref.version is not None:
            path += f"/versions/{ref.version}"
        try:
            response = self._client.get(path)
        except httpx.HTTPError as exc:
            raise WorkflowSourceError(
                f"cannot reach the gateway at {self.url} to read workflow {ref} ({exc}); "
                "pass --url, or --workflows-dir to export offline"
            ) from None
        if response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise WorkflowSourceError(
                f"the gateway at {self.url} refused to give workflow {ref} ({response.status_code}); "
                "pass its API token with --token (or $PSYNAPSE_API_TOKEN)"
            )
        if response.status_code != 200:
            raise WorkflowSourceError(
                f"the gateway at {self.url} answered {response.status_code} for workflow {ref}: {response.text[:200]}"
            )
        body = response.json()
        self._versions[ref] = int(body.get("version") or 0)
        return workflow_from_saved(ref.name, ref.version, body.get("workflow") or {})

    def provenance(self, ref: WorkflowRef) -> str:
        version = self._versions.get(ref)
        latest = ", the newest when exported" if ref.version is None else ""
        return f"version {version}{latest}, from {self.url}" if version else f"from {self.url}"

    def missing(self, ref: WorkflowRef) -> str:
        return f"not saved on the gateway at {self.url}; pass --url, or --workflows-dir to export offline"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


class Folder:
    """Saved workflows as files: ``<name>.json``, or ``<name>.v<n>.json`` for version n."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, ref: WorkflowRef) -> Path:
        try:
            check_workflow_name(ref.name)
        except InvalidWorkflowName as exc:
            raise GraphError(str(exc)) from None
        return self.folder / (f"{ref.name}.json" if ref.version is None else f"{ref.name}.v{ref.version}.json")

    def load(self, ref: WorkflowRef) -> Workflow | None:
        path = self.path(ref)
        if not path.is_file():
            return None
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WorkflowSourceError(f"cannot read workflow {ref} from {path}: {exc}") from None
        if not isinstance(saved, dict):
            raise WorkflowSourceError(f'{path} is not a workflow file ({{"nodes": [...], "edges": [...]}})')
        return workflow_from_saved(ref.name, ref.version, saved)

    def provenance(self, ref: WorkflowRef) -> str:
        return f"from {self.path(ref)}"

    def missing(self, ref: WorkflowRef) -> str:
        return f"no {self.path(ref).name} in {self.folder}"
