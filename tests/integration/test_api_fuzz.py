"""schemathesis against the gateway's OpenAPI: no 5xx, and every answer is the documented one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx


def test_no_generated_request_gets_a_server_error(stack):
    cli = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{stack.url}/schema/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
            "--max-examples",
            "20",
            "--request-timeout",
            "15",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = [line for line in result.stdout.splitlines() if "generated" in line]
    print("\n" + "\n".join(summary))
    assert result.returncode == 0, result.stdout[-4000:]
    assert httpx.get(f"{stack.url}/health", timeout=5).status_code == 200
