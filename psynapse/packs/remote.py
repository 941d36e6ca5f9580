"""``psynapse packs list`` and ``psynapse packs reload``: the packs a running stack loaded.

``reload`` asks the gateway (``POST /nodepacks/reload``), which asks the schema service to
import every pack again now, as an edit in the nodepacks folder or an install in its
environment would; runners follow the catalog it publishes.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import httpx


def main(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    url = args.url.rstrip("/")
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(10.0, read=180.0)) as client:
            response = client.post("/nodepacks/reload") if args.action == "reload" else client.get("/nodepacks")
    except httpx.HTTPError as exc:
        print(f"psynapse packs: cannot reach the gateway at {url}: {exc}", file=sys.stderr)
        return 2
    if response.status_code != 200:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        print(f"psynapse packs: {url} answered {response.status_code}: {detail}", file=sys.stderr)
        return 1
    print(describe(response.json()))
    return 0


def describe(answer: dict[str, Any]) -> str:
    """One line per pack (where it comes from, its status, its nodes), its errors under it."""
    lines = [f"catalog revision {answer['revision']}"] if "revision" in answer else []
    packs = answer.get("packs", [])
    width = max((len(pack["name"]) for pack in packs), default=0)
    for pack in packs:
        source = pack.get("source", "folder")
        origin = f"{pack['distribution']} {pack['version']}" if source == "package" else pack["path"]
        count = len(pack["nodes"])
        where = (
            f"  introspected in pool {', '.join(pack['environments'])}'s environment"
            if pack.get("environments")
            else ""
        )
        lines.append(
            f"{pack['name']:<{width}}  {pack['status']:<5}  {count} node{'s' * (count != 1)}  {source}: {origin}{where}"
        )
        lines += [
            f"    {error['file']}:{error['line'] or '?'}: {error['message']}"
            + (f" (in pool {error['pool']}'s environment)" if error.get("pool") else "")
            for error in pack["errors"]
        ]
        lines += [
            f"    needs {need['module']}"
            + (f" in pool {need['pool']}" if need.get("pool") else "")
            + f": {need['install']}"
            for need in pack.get("missing", [])
        ]
        lines += [
            f"    no runner takes pool {gap['pool']} ({', '.join(gap['nodes'])})"
            for gap in pack.get("missing_pools", [])
        ]
    for clash in answer.get("clashes", []):
        pools = f" (pools {', '.join(clash['pools'])})" if clash.get("pools") else ""
        lines.append(
            f"{clash['name']!r} is defined by {', '.join(clash['packs'])}{pools}: {', '.join(clash['listed_as'])}"
        )
    return "\n".join(lines) if lines else "no nodepacks"
