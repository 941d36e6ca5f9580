"""Where a run's CPU goes: `psynapse up` in its default configuration, the spec's example
(fresh inputs per run, as harness v2 sends them) 8 in flight, CPU time per run of each
service process (and of nats-server), read from the processes themselves.

    .venv/bin/python bench/cpu_split.py [--runs 2000] [--compare OTHER_CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from stacks import BIN, Server, free_port, shared_dir, up_command

SERVICES = ("gateway", "orchestrator", "runner", "schema", "nats-server")


def example(k: int) -> dict:
    def var(node_id: str, value: float) -> dict:
        return {"id": node_id, "type": "variableNode", "data": {"variableType": "Number", "variableValue": str(value)}}

    def fn(node_id: str, name: str) -> dict:
        return {"id": node_id, "type": "functionNode", "data": {"functionName": name, "a": 0, "b": 0}}

    def edge(source: str, target: str, handle: str) -> dict:
        return {"source": source, "target": target, "sourceHandle": "output", "targetHandle": handle}

    return {
        "nodes": [
            var("V1", 5 + k),
            var("V2", 3),
            var("V3", 2),
            var("V4", 4),
            fn("F1", "add"),
            fn("F2", "add"),
            fn("F3", "multiply"),
            {"id": "L1", "type": "listNode", "data": {}},
            {"id": "W", "type": "viewNode", "data": {}},
            {"id": "WL", "type": "viewNode", "data": {}},
        ],
        "edges": [
            edge("V1", "F1", "a"),
            edge("V2", "F1", "b"),
            edge("V3", "F2", "a"),
            edge("V4", "F2", "b"),
            edge("F1", "F3", "a"),
            edge("F2", "F3", "b"),
            edge("F1", "L1", "input-0"),
            edge("F2", "L1", "input-1"),
            edge("F3", "W", "input"),
            edge("L1", "WL", "input"),
        ],
    }


def _service(process: psutil.Process) -> str | None:
    try:
        line = " ".join(process.cmdline())
    except psutil.Error:
        return None
    return next((name for name in SERVICES if f"psynapse {name}" in line or name in line.split(" ")[0]), None)


def cpu_by_service(root: int) -> dict[str, float]:
    totals = dict.fromkeys(SERVICES, 0.0)
    for process in psutil.Process(root).children(recursive=True):
        name = _service(process)
        if name is not None:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            totals[name] += times.user + times.system
    return totals


async def drive(url: str, runs: int, offset: int) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        slots = asyncio.Semaphore(8)

        async def one(k: int) -> None:
            async with slots:
                response = await client.post("/execute", json=example(k))
                assert response.json()["results"]["W"] == (8 + k) * 6, response.text

        started = time.perf_counter()
        await asyncio.gather(*(one(offset + k) for k in range(runs)))
        return runs / (time.perf_counter() - started)


def measure(label: str, psynapse: Path, runs: int, log_dir: Path) -> dict[str, float] | None:
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix=f"psynapse-cpu-{label}-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PSYNAPSE_")}
    server = Server(
        label,
        up_command(psynapse, port, shared_dir() / "nodepack", data),
        port,
        log_dir,
        env,
    )
    try:
        if not server.wait_healthy():
            print(f"*** {label} never became healthy; log {server.log_path}", file=sys.stderr)
            return None
        asyncio.run(drive(server.url, 300, 10**6))  # warm: code loaded, quick functions learnt
        before = cpu_by_service(server.proc.pid)
        rate = asyncio.run(drive(server.url, runs, 0))
        after = cpu_by_service(server.proc.pid)
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    split = {name: (after[name] - before[name]) * 1000 / runs for name in SERVICES}
    split["runs/s"] = rate
    return split


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--compare", default="", help="another checkout (with its .venv) to measure too")
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="psynapse-cpu-logs-"))
    stacks = [("psynapse", BIN / "psynapse")]
    if args.compare:
        stacks.append(("compare", Path(args.compare).resolve() / ".venv" / "bin" / "psynapse"))
    rows = {label: measure(label, path, args.runs, log_dir) for label, path in stacks}
    print(f"CPU ms per run, {args.runs} runs of the spec's example, 8 in flight, default configuration:\n")
    print("| stack | runs/s | " + " | ".join(SERVICES) + " | services |")
    print("|---|---:|" + "---:|" * (len(SERVICES) + 1))
    for label, split in rows.items():
        if split is None:
            print(f"| {label} | not measured |")
            continue
        cells = " | ".join(f"{split[name]:.2f}" for name in SERVICES)
        print(f"| {label} | {split['runs/s']:.0f} | {cells} | {sum(split[name] for name in SERVICES):.2f} |")
    return 0 if all(rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
