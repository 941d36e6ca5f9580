"""``psynapse up``: NATS and every service as child processes, restarted when they die."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from psynapse_common.lifecycle import EXIT_RESTART
from psynapse_common.sealing import new_key

from .natsd import EmbeddedNats, free_port, wait_for_ok

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # A SIGKILLed supervisor must not leave services behind.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    args: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    extra_env: dict[str, str] = field(default_factory=dict)


def _secret_key(data_dir: Path) -> str:
    key_file = data_dir / "secret.key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key())
    return key_file.read_text().strip()


class Supervisor:
    def __init__(
        self,
        host: str,
        port: int,
        nodepacks_dir: Path,
        data_dir: Path,
        runners: int,
        nats_url: str | None,
    ) -> None:
        self.host = host
        self.port = port
        self.data_dir = data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.nodepacks_dir = nodepacks_dir.resolve()
        self.runners = runners
        self.nats_url = nats_url
        self.nats: EmbeddedNats | None = None
        self.children: list[Child] = []
        self._stopping = False
        self._nats_restarts = 0
        self._nats_retry_at = 0.0

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PSYNAPSE_NODEPACKS_DIR=str(self.nodepacks_dir),
            PSYNAPSE_DATA_DIR=str(self.data_dir),
            PSYNAPSE_HTTP_HOST=self.host,
            PSYNAPSE_HTTP_PORT=str(self.port),
            PSYNAPSE_SCHEMA_PORT=str(free_port()),
            PSYNAPSE_SECRET_KEY=_secret_key(self.data_dir),
        )
        env.pop("NODEPACKS_DIR", None)
        if self.nats is not None:
            env.update(
                PSYNAPSE_NATS_URL=self.nats.url,
                PSYNAPSE_NATS_USER=self.nats.user,
                PSYNAPSE_NATS_PASSWORD=self.nats.password,
            )
        elif self.nats_url:
            env["PSYNAPSE_NATS_URL"] = self.nats_url
        return env

    def _spawn(self, child: Child, env: dict[str, str]) -> None:
        child.process = subprocess.Popen(
            [sys.executable, "-m", "psynapse", *child.args],
            env={**env, **child.extra_env},
            preexec_fn=_die_with_parent,
        )
        child.started_at = time.monotonic()

    def _check_port_free(self) -> None:
        with socket.socket() as sock:
            # As servers do: a port in TIME_WAIT from a previous run is free to use.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self.port))
            except OSError:
                raise RuntimeError(f"{self.host}:{self.port} is in use; pick another with --port") from None

    def start(self) -> float:
        started = time.monotonic()
        self._check_port_free()
        if not self.nats_url:
            self.nats = EmbeddedNats(self.data_dir)
            self.nats.start(preexec_fn=_die_with_parent)
        self._env_cache = self._env()
        self.children = [Child("schema", ["schema"]), Child("orchestrator", ["orchestrator"])]
        self.children += [Child(f"runner-{i + 1}", ["runner"]) for i in range(self.runners)]
        self.children.append(Child("gateway", ["gateway"]))
        self._give_metrics_ports()
        for child in self.children:
            self._spawn(child, self._env_cache)
        self._wait_healthy(timeout=60)
        return time.monotonic() - started

    def _give_metrics_ports(self) -> None:
        """One metrics port each on one machine: the orchestrator's, then the runners' after it."""
        base = int(self._env_cache.get("PSYNAPSE_METRICS_PORT") or 0)
        exporters = [c for c in self.children if c.args[0] in ("orchestrator", "runner")]
        for offset, child in enumerate(exporters):
            child.extra_env["PSYNAPSE_METRICS_PORT"] = str(base + offset if base > 0 else 0)

    def _wait_healthy(self, timeout: float) -> None:
        url = f"http://{self.host}:{self.port}/health"
        if not wait_for_ok(url, timeout, self._restart_dead, pause=0.05):
            raise RuntimeError(f"services did not become healthy at {url} within {timeout:.0f} s")

    def _restart_dead(self) -> None:
        self._restart_dead_nats()
        for child in self.children:
            process = child.process
            if process is None or process.poll() is None or self._stopping:
                continue
            why = (
                "stopped to be restarted (too many stuck threads)"
                if process.returncode == EXIT_RESTART
                else f"exited with code {process.returncode}"
            )
            print(f"psynapse: {child.name} {why}; restarting", file=sys.stderr, flush=True)
            # Back off when a service keeps dying right after it starts.
            if time.monotonic() - child.started_at < 5:
                time.sleep(min(5.0, 0.5 * 2 ** min(child.restarts, 4)))
            child.restarts += 1
            self._spawn(child, self._env_cache)

    def _restart_dead_nats(self) -> None:
        """The backbone is supervised too: the same port, credentials and store, so the
        services reconnect to it and resume the runs it holds."""
        nats = self.nats
        if nats is None or self._stopping or time.monotonic() < self._nats_retry_at:
            return
        code = nats.exited()  # reaps it
        if code is None:
            return
        print(f"psynapse: nats-server exited with code {code}; restarting", file=sys.stderr, flush=True)
        try:
            nats.start(preexec_fn=_die_with_parent)
        except RuntimeError as exc:
            self._nats_restarts += 1
            pause = min(10.0, 0.5 * 2 ** min(self._nats_restarts, 5))
            print(
                f"psynapse: nats-server did not start again ({exc}); next try in {pause:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            self._nats_retry_at = time.monotonic() + pause
            return
        self._nats_restarts = 0

    def supervise(self) -> None:
        stop = {"now": False}

        def on_signal(_sig: int, _frame: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stop["now"]:
            self._restart_dead()
            time.sleep(0.2)
        self.stop()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping = True
        alive = [c.process for c in reversed(self.children) if c.process and c.process.poll() is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in alive:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.nats is not None:
            self.nats.stop()
