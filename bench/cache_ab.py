"""Cache on against cache off, side by side: two stacks up at once, requests alternating between them.

The comparison table's *cache off* column is a stack measured after the default one.
On a shared 2-core machine two stacks measured one after the other differ by up to
±10% between runs of the very same configuration: more than the cache costs a run
that misses it, so that column alone passes or misses the cache's limit by chance.
Here each workload's requests alternate between a stack with the cache on and one
with it off, one request at a time (which of the two goes first alternates too), so
both meet the same moments of the machine. The graphs are the harness's own, with
inputs no earlier request used (harness v2), and every answer is checked.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

# salt -> (request body, what the harness expects back)
Graph = Callable[[int], tuple[dict, dict]]
# Requests of each side a workload starts with and leaves out (code loaded, functions learnt).
WARMUP = 10


def harness(shared: Path) -> ModuleType:
    """The shared folder's contract_bench.py, for its graphs and its answer check."""
    spec = importlib.util.spec_from_file_location("contract_bench", shared / "contract_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workloads(contract: ModuleType) -> dict[str, Graph]:
    """The sequential workloads of the harness whose runs miss the cache, built as it builds them."""

    def chain(n: int) -> Graph:
        return lambda salt: contract.chain_graph(n, 1000 + salt + 0.25)

    return {
        "example48": contract.example48_graph,
        "chain_10": chain(10),
        "chain_100": chain(100),
        "chain_500": chain(500),
    }


def run_cache_ab(
    on_url: str,
    off_url: str,
    graphs: dict[str, Graph],
    check: Callable[[httpx.Response, Any], None],
    repeats: int,
) -> dict[str, dict[str, float]]:
    """Per workload, the median ms of ``repeats`` runs on each side."""
    results: dict[str, dict[str, float]] = {}
    salt = 0
    with httpx.Client(base_url=on_url, timeout=60) as on, httpx.Client(base_url=off_url, timeout=60) as off:
        clients = {"on": on, "off": off}
        for name, graph in graphs.items():
            times: dict[str, list[float]] = {"on": [], "off": []}
            for turn in range(WARMUP + repeats):
                for side in ("on", "off") if turn % 2 else ("off", "on"):
                    salt += 1
                    body, expected = graph(salt)
                    started = time.perf_counter()
                    response = clients[side].post("/execute", json=body)
                    took = (time.perf_counter() - started) * 1000
                    check(response, expected)
                    if turn >= WARMUP:
                        times[side].append(took)
            results[name] = {"on_ms": statistics.median(times["on"]), "off_ms": statistics.median(times["off"])}
    return results


def render_cache_ab(results: dict[str, dict[str, float]] | None, repeats: int, limit: float) -> str:
    lines = [
        "",
        "## Cache on vs off, side by side",
        "",
        "Two stacks up at once, one with the output cache on (the default) and one with it off;",
        f"each workload's requests alternate between them, {repeats} on each, fresh inputs (runs that",
        f"miss the cache). Median ms; the cache may cost at most {limit:.2f}x the time.",
        "",
    ]
    if results is None:
        return "\n".join([*lines, "Not measured (a stack did not come up, or a wrong answer).", ""])
    lines += ["| workload | on | off | on/off | mark |", "|---|---:|---:|---:|---|"]
    for name, figures in results.items():
        on_ms, off_ms = figures["on_ms"], figures["off_ms"]
        share = on_ms / off_ms
        mark = "PASS" if share <= limit else "MISS"
        lines.append(f"| {name} | {on_ms:.2f} | {off_ms:.2f} | {share:.3f} | {mark} |")
    return "\n".join(lines) + "\n"
