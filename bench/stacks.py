"""The bench's servers: `psynapse up` (or the baseline) in a process group of its own,
started from the checkout it belongs to, waited on until healthy and stopped with its children."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# The venv that runs the bench also runs the servers and the harness.
BIN = Path(sys.executable).parent
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0


def shared_dir() -> Path:
    env = os.environ.get("PSYNAPSE_BENCH_DIR")
    return Path(env).resolve() if env else (REPO.parent / "shared" / "bench").resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server under test in its own process group, so stopping it stops its children too."""

    def __init__(self, name: str, cmd: list[str], port: int, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_dir / f"{name}.log"
        # A file, not a pipe (a full pipe would block the server); it lives as long as the server.
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        # Run from the checkout the command belongs to (a venv's bin/ sits two levels below
        # it): `python -m psynapse` child processes put their working directory first on
        # sys.path, so another checkout run from here would import this one's psynapse.
        executable = Path(cmd[0])
        checkout = executable.parents[2] if executable.parent.name == "bin" else REPO
        self.proc = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, cwd=checkout, env=env
        )

    def wait_healthy(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        return False

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        pgid = self.proc.pid  # start_new_session: the leader's pid is the group id
        _signal_group(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        # The leader may be gone while children it spawned (NATS, workers) linger.
        deadline = time.monotonic() + 5.0
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(pgid):
            _signal_group(pgid, signal.SIGKILL)
        self.proc.wait()
        self._log.close()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def up_command(psynapse: Path, port: int, nodepack: Path, data_dir: Path) -> list[str]:
    """`psynapse up` on 127.0.0.1:port with the bench nodepack only and a data dir of its own."""
    return [
        str(psynapse),
        "up",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--nodepacks-dir",
        str(nodepack),
        "--data-dir",
        str(data_dir),
    ]
