"""What one HTTP request costs the server, per server set-up, measured side by side.

Each set-up serves the same Litestar app (one ``GET /health`` answering a msgspec
Struct, the shape of our own handlers) in its own process on uvloop; one client
process sends keep-alive requests over N connections. The server's CPU (user +
system, all threads, from /proc) per request is the figure that matters on a
2-core machine where the gateway shares the cores with everything else.

    .venv/bin/python bench/http_server_cost.py [--requests 20000] [--connections 1 8]

Set-ups: ``granian-embed`` (ours: psynapse_common.http_server), ``granian-embed-rust``
(the same with granian's Rust task implementation), ``granian-st`` (granian's own
process manager, single-threaded runtime), and ``uvicorn`` (httptools; what the
services used before) when uvicorn is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import msgspec
from litestar import Litestar, get

ROOT = Path(__file__).resolve().parent.parent


class Health(msgspec.Struct):
    status: str
    services: dict[str, int]


@get("/health", sync_to_thread=False)
def health() -> Health:
    return Health(status="ok", services={"gateway": 1, "orchestrator": 1})


def create_app() -> Litestar:
    return Litestar(route_handlers=[health], openapi_config=None, debug=False)


app = create_app()


def _serve(setup: str, port: int) -> None:
    """Runs in the server process."""
    if setup.startswith("granian-embed"):
        from granian.constants import TaskImpl

        from psynapse_common import http_server

        if setup == "granian-embed-rust":
            http_server.SERVER_OPTIONS["task_impl"] = TaskImpl.rust
        http_server.serve_asgi(create_app, "127.0.0.1", port)
    elif setup == "granian-st":
        from granian import Granian
        from granian.constants import HTTPModes, Interfaces, Loops, RuntimeModes

        Granian(
            "bench.http_server_cost:app",
            address="127.0.0.1",
            port=port,
            interface=Interfaces.ASGI,
            workers=1,
            runtime_mode=RuntimeModes.st,
            runtime_threads=1,
            loop=Loops.uvloop,
            http=HTTPModes.http1,
            websockets=False,
            log_enabled=False,
        ).serve()
    elif setup == "uvicorn":
        import uvicorn

        uvicorn.run(
            create_app,
            factory=True,
            host="127.0.0.1",
            port=port,
            loop="uvloop",
            http="httptools",
            ws="none",
            access_log=False,
            log_config=None,
            server_header=False,
        )
    else:
        raise SystemExit(f"unknown set-up {setup}")


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _family(pid: int) -> list[int]:
    """The server process and its children (granian's own manager forks a worker)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task").iterdir():
        children = Path(f"/proc/{pid}/task/{child.name}/children")
        for text in children.read_text().split():
            found.extend(_family(int(text)))
    return found


async def _client(port: int, requests: int, connections: int) -> list[float]:
    """Raw keep-alive HTTP/1.1: the client's own cost stays out of the server's figure."""
    request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    latencies: list[float] = []

    async def one_connection(count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
        writer.close()

    await asyncio.gather(*(one_connection(requests // connections) for _ in range(connections)))
    return latencies


def _wait_serving(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with closing(socket.socket()) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"server on {port} never answered")


def measure(setup: str, requests: int, connections: int) -> dict[str, float]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{os.environ.get('PYTHONPATH', '')}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.http_server_cost", "--serve", setup, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_serving(port, time.monotonic() + 20)
        asyncio.run(_client(port, 500, connections))  # warm-up
        pids = _family(server.pid)
        before = _cpu_seconds(pids)
        started = time.perf_counter()
        latencies = asyncio.run(_client(port, requests, connections))
        wall = time.perf_counter() - started
        cpu = _cpu_seconds(pids) - before
    finally:
        server.terminate()
        server.wait(10)
    latencies.sort()
    return {
        "cpu_ms_per_request": cpu / len(latencies) * 1000,
        "requests_per_s": len(latencies) / wall,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every set-up, interleaved")
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.port)
        return
    setups = ["granian-embed", "granian-embed-rust", "granian-st"]
    if importlib.util.find_spec("uvicorn") is not None:
        setups.append("uvicorn")
    print("| set-up | connections | server CPU ms/request | requests/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for connections in args.connections:
        results: dict[str, list[dict[str, float]]] = {setup: [] for setup in setups}
        # Interleaved rounds, best of each: a noisy neighbour hits every set-up alike.
        for _ in range(args.rounds):
            for setup in setups:
                results[setup].append(measure(setup, args.requests, connections))
        for setup in setups:
            best = min(results[setup], key=lambda figures: figures["cpu_ms_per_request"])
            print(
                f"| {setup} | {connections} | {best['cpu_ms_per_request']:.3f} | {best['requests_per_s']:.0f} "
                f"| {best['p50_ms']:.3f} | {best['p99_ms']:.3f} |"
            )


if __name__ == "__main__":
    main()
