"""The editor's API types are what the gateway's OpenAPI document generates.

``make api-types`` writes ``frontend/src/api/openapi.json`` (from ``create_app``, no
stack running) and ``schema.d.ts`` (openapi-typescript over it); both are committed,
so the editor builds without Python. These tests generate both afresh into a temporary
folder and compare: a gateway change that reaches its document fails here until the
types are regenerated. (``make lint`` runs this file too, before ``make editor`` could
regenerate the committed files and hide a stale commit.)
"""

from __future__ import annotations

import difflib
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from psynapse_gateway.openapi_doc import openapi_document, render

REPO = Path(__file__).resolve().parents[2]
API = REPO / "frontend" / "src" / "api"
FRONTEND = REPO / "frontend"
OPENAPI_TS = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
FIX = "The editor's API types are stale: run `make api-types` and commit frontend/src/api/openapi.json and schema.d.ts"


def _same(committed: Path, generated: str) -> None:
    current = committed.read_text(encoding="utf-8") if committed.exists() else ""
    if current == generated:
        return
    diff = difflib.unified_diff(
        current.splitlines(keepends=True),
        generated.splitlines(keepends=True),
        fromfile=f"committed {committed.relative_to(REPO)}",
        tofile="generated now",
        n=2,
    )
    shown = "".join(list(diff)[:60])
    pytest.fail(f"{FIX}.\n{shown}", pytrace=False)


@pytest.fixture(scope="module")
def document() -> str:
    return render(openapi_document())


def test_openapi_json_is_the_gateways_document(document: str) -> None:
    _same(API / "openapi.json", document)


def test_schema_types_are_generated_from_that_document(document: str, tmp_path: Path) -> None:
    if not OPENAPI_TS.exists() or shutil.which("node") is None:
        pytest.skip("openapi-typescript is not installed: `make test` installs frontend/node_modules")
    source, types = tmp_path / "openapi.json", tmp_path / "schema.d.ts"
    source.write_text(document, encoding="utf-8")
    # `npm run api-types`'s own command, writing into the temporary folder.
    script = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))["scripts"]["api-types"]
    into = {"src/api/openapi.json": str(source), "src/api/schema.d.ts": str(types)}
    tool, *args = (into.get(arg, arg) for arg in shlex.split(script))
    subprocess.run(
        [str(FRONTEND / "node_modules" / ".bin" / tool), *args], cwd=FRONTEND, check=True, capture_output=True
    )
    _same(API / "schema.d.ts", types.read_text(encoding="utf-8"))
