"""A real nats-server on a free port and the real product (`psynapse up`) against it, for tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from psynapse.embedded.natsd import free_port, nats_server_binary, wait_healthy

REPO = Path(__file__).resolve().parents[2]
PACKS = REPO / "tests" / "packs"
PSYNAPSE = [sys.executable, "-m", "psynapse"]


@dataclass
class NatsServer:
    url: str
    port: int
    monitor_port: int
    store: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        fresh = start_nats(self.store, self.port)
        self.process = fresh.process
        self.monitor_port = fresh.monitor_port


def start_nats(store: Path, port: int | None = None) -> NatsServer:
    port = port or free_port()
    monitor = free_port()
    store.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port), "-m", str(monitor), "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_healthy(monitor, process, timeout=20)
    return NatsServer(f"nats://127.0.0.1:{port}", port, monitor, store, process)


@dataclass
class Stack:
    url: str
    nats_url: str
    nodepacks: Path
    data_dir: Path
    process: subprocess.Popen
    # From starting `psynapse up` to its first healthy answer.
    startup_s: float = 0.0

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kwargs.pop("timeout", 30), **kwargs)


def start_stack(
    nats_url: str | None,
    nodepacks: Path,
    data_dir: Path,
    runners: int = 2,
    env: dict | None = None,
    python: str | Path | None = None,
) -> Stack:
    """``psynapse up`` (with ``python``'s environment when given: every service runs in it)."""
    started = time.monotonic()
    port = free_port()
    args = [
        *([str(python), "-m", "psynapse"] if python else PSYNAPSE),
        "up",
        "--port",
        str(port),
        "--nodepacks-dir",
        str(nodepacks),
        "--data-dir",
        str(data_dir),
        "--runners",
        str(runners),
    ]
    if nats_url:
        args += ["--nats-url", nats_url]
    log = open(data_dir / "up.log", "wb")  # noqa: SIM115 - kept for the stack's life
    process = subprocess.Popen(
        args,
        env={**os.environ, "PSYNAPSE_LOG_FORMAT": "json", **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"psynapse up exited: {(data_dir / 'up.log').read_text()[-3000:]}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return Stack(url, nats_url or "", nodepacks, data_dir, process, time.monotonic() - started)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_stack(process)
    raise RuntimeError("psynapse up did not become healthy in 60 s")


def stop_stack(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def copy_packs(target: Path, *names: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = PACKS / name if (PACKS / name).exists() else REPO / "nodepacks" / name
        shutil.copytree(source, target / name)
    return target


@contextmanager
def stack_with_packs(
    nats_url: str | None,
    root: Path,
    sources: dict[str, str],
    packs: tuple[str, ...] = ("basic",),
    runners: int = 2,
    env: dict | None = None,
) -> Iterator[Stack]:
    """A stack over copies of ``packs`` and packs written from ``sources`` ({pack name: its ops.py}),
    under ``root`` (nodepacks/ and data/); stopped on leaving."""
    nodepacks = copy_packs(root / "nodepacks", *packs)
    for pack, source in sources.items():
        (nodepacks / pack).mkdir()
        (nodepacks / pack / "ops.py").write_text(textwrap.dedent(source).lstrip())
    data = root / "data"
    data.mkdir()
    running = start_stack(nats_url, nodepacks, data, runners=runners, env=env)
    try:
        yield running
    finally:
        stop_stack(running.process)


def free_run_of_ports(count: int) -> int:
    """The first of ``count`` consecutive ports free on 127.0.0.1 (for services that port from a base)."""
    for base in range(41000, 60000, 97):
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no run of free ports")
