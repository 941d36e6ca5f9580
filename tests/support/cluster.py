"""A real 3-node NATS JetStream cluster on 127.0.0.1, and services placed on its nodes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from psynapse.embedded.natsd import free_port, nats_server_binary, wait_healthy
from tests.support.stack import PSYNAPSE

CLUSTER_NAME = "psy"


@dataclass
class Node:
    name: str
    port: int
    cluster_port: int
    monitor_port: int
    store: Path
    config: Path
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> subprocess.Popen | None:
        """The server's process while it runs."""
        return self.process if self.process is not None and self.process.poll() is None else None

    @property
    def alive(self) -> bool:
        return self.running is not None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [nats_server_binary(), "-c", str(self.config)], stdout=out, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        """SIGKILL: a crash, no goodbye to the cluster or the clients."""
        if (process := self.running) is not None:
            process.kill()
            process.wait()

    def stop(self) -> None:
        if (process := self.running) is not None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def jsz(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/jsz", timeout=2) as response:
            return json.load(response)


def _config(node: Node, routes: list[str]) -> str:
    listed = "\n".join(f'    "{route}"' for route in routes)
    return (
        f'server_name: "{node.name}"\n'
        f'listen: "127.0.0.1:{node.port}"\n'
        f'http: "127.0.0.1:{node.monitor_port}"\n'
        f'jetstream {{\n  store_dir: "{node.store}"\n}}\n'
        f"cluster {{\n"
        f'  name: "{CLUSTER_NAME}"\n'
        f'  listen: "127.0.0.1:{node.cluster_port}"\n'
        f"  routes: [\n{listed}\n  ]\n"
        f"}}\n"
    )


class Cluster:
    def __init__(self, root: Path, size: int = 3) -> None:
        self.nodes: list[Node] = []
        for i in range(1, size + 1):
            name = f"n{i}"
            self.nodes.append(
                Node(
                    name,
                    free_port(),
                    free_port(),
                    free_port(),
                    root / name / "store",
                    root / name / "nats.conf",
                    root / name / "nats.log",
                )
            )
        routes = [f"nats-route://127.0.0.1:{node.cluster_port}" for node in self.nodes]
        for node in self.nodes:
            node.store.mkdir(parents=True)
            node.config.write_text(_config(node, routes))

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def start(self, timeout: float = 60.0) -> None:
        try:
            for node in self.nodes:
                node.start()
            for node in self.nodes:
                assert node.process is not None
                wait_healthy(node.monitor_port, node.process, timeout)
            self.wait_meta_leader(timeout)
        except BaseException:
            self.stop()  # a node that failed to start must not leave the others running
            raise

    def wait_meta_leader(self, timeout: float = 30.0) -> str:
        """Until every live node agrees on one JetStream meta leader, itself alive."""
        deadline = time.monotonic() + timeout
        live = {node.name for node in self.nodes if node.alive}
        while time.monotonic() < deadline:
            try:
                leaders = {node.jsz().get("meta_cluster", {}).get("leader") for node in self.nodes if node.alive}
            except OSError:
                leaders = set()
            if len(leaders) == 1 and (leader := leaders.pop()) in live:
                return leader
            time.sleep(0.1)
        raise RuntimeError(f"no JetStream meta leader among {sorted(live)} within {timeout:.0f} s")

    def restart(self, name: str, timeout: float = 60.0) -> None:
        node = self.node(name)
        node.stop()
        node.start()
        assert node.process is not None
        wait_healthy(node.monitor_port, node.process, timeout)
        self.wait_meta_leader(timeout)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@dataclass
class Services:
    """Each service a process of its own, on the NATS node the test chose."""

    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, label: str, args: list[str], nats_url: str) -> subprocess.Popen:
        with open(self.log_dir / f"{label}.log", "wb") as out:
            process = subprocess.Popen(
                [*PSYNAPSE, *args],
                env={**self.env, "PSYNAPSE_NATS_URL": nats_url},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes[label] = process
        return process

    def stop(self) -> None:
        alive = [p for p in self.processes.values() if p.poll() is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        for process in alive:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self, label: str, tail: int = 4000) -> str:
        return (self.log_dir / f"{label}.log").read_text(errors="replace")[-tail:]


def base_env(nodepacks: Path, data_dir: Path, http_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PSYNAPSE_")}
    env.pop("NODEPACKS_DIR", None)
    env.update(
        PSYNAPSE_NODEPACKS_DIR=str(nodepacks),
        PSYNAPSE_DATA_DIR=str(data_dir),
        PSYNAPSE_HTTP_PORT=str(http_port),
        PSYNAPSE_SCHEMA_PORT=str(free_port()),
        PSYNAPSE_STREAM_REPLICAS="3",
        PSYNAPSE_LOG_FORMAT="json",
    )
    return env


async def place_leaders(
    url: str, streams: list[str], consumers: list[tuple[str, str]], on: set[str], within_s: float = 30.0
) -> dict[str, str]:
    """Step leaders down until each named stream and consumer is led by a node in ``on``."""
    import asyncio

    import nats

    nc = await nats.connect(url)
    js = nc.jetstream()
    preferred = min(on)
    deadline = time.monotonic() + within_s
    leaders: dict[str, str] = {}
    try:
        for stream, consumer in [(s, None) for s in streams] + list(consumers):
            label = f"{stream}/{consumer}" if consumer else stream
            api = (
                f"$JS.API.CONSUMER.LEADER.STEPDOWN.{stream}.{consumer}"
                if consumer
                else f"$JS.API.STREAM.LEADER.STEPDOWN.{stream}"
            )
            while True:
                try:
                    info = await (js.consumer_info(stream, consumer) if consumer else js.stream_info(stream))
                    leader = info.cluster.leader if info.cluster else None
                except Exception:  # noqa: BLE001 - mid-election
                    leader = None
                if leader in on:
                    leaders[label] = leader
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label} still led by {leader}")
                if leader is not None:
                    request = {"placement": {"preferred": preferred}}
                    # Answered by the old leader as it steps down.
                    with contextlib.suppress(Exception):
                        await nc.request(api, json.dumps(request).encode(), timeout=5)
                await asyncio.sleep(0.5)
        return leaders
    finally:
        await nc.close()
