"""`make bench-scale`: does adding runner processes scale a wide graph out? And pools.

1. A 64-wide graph of 100 ms sleeps (the shared bench pack's ``sleep_ms``) on
   ``psynapse up --runners N`` with 4 threads per runner, N = 1, 2, 4: the ideal
   wall times are 64 x 100 ms / (4 N) = 1600, 800, 400 ms. Checks that the
   orchestrator made 64 jobs of it (one per sleep, none chained).
2. A ``gpu`` pool node (tests/packs/gpupack ``gpu_sleep``) submitted while no gpu
   runner exists: /health shows it pending, then ``psynapse runner --pool gpu``
   starts and it runs there. Reports the wait and which process ran it.

Prints a markdown table and writes it to bench/results-scale.md. Not a test: the
figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import nats

from psynapse.embedded.natsd import EmbeddedNats, free_port

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
GPU_PACK = REPO / "tests" / "packs" / "gpupack"
WIDTH, SLEEP_MS, THREADS = 64, 100, 4
JOBS_STREAM = "PSY_JOBS"


def shared_dir() -> Path:
    env = os.environ.get("PSYNAPSE_BENCH_DIR")
    return Path(env).resolve() if env else (REPO.parent / "shared" / "bench").resolve()


def wide_graph(width: int = WIDTH, ms: int = SLEEP_MS) -> dict:
    """x -> width independent sleeps -> one list -> one view."""
    nodes = [{"id": "x", "type": "variableNode", "data": {"variableType": "Number", "variableValue": "1"}}]
    nodes += [
        {"id": f"s{i}", "type": "functionNode", "data": {"functionName": "sleep_ms", "ms": ms}} for i in range(width)
    ]
    nodes += [{"id": "l", "type": "listNode", "data": {}}, {"id": "v", "type": "viewNode", "data": {}}]
    edges = [{"source": "x", "target": f"s{i}", "sourceHandle": "output", "targetHandle": "x"} for i in range(width)]
    edges += [
        {"source": f"s{i}", "target": "l", "sourceHandle": "output", "targetHandle": f"input-{i}"} for i in range(width)
    ]
    edges.append({"source": "l", "target": "v", "sourceHandle": "output", "targetHandle": "input"})
    return {"nodes": nodes, "edges": edges}


def gpu_graph(ms: int = SLEEP_MS) -> dict:
    return {
        "nodes": [
            {"id": "g", "type": "functionNode", "data": {"functionName": "gpu_sleep", "ms": ms}},
            {"id": "v", "type": "viewNode", "data": {}},
        ],
        "edges": [{"source": "g", "target": "v", "sourceHandle": "output", "targetHandle": "input"}],
    }


class Stack:
    """A NATS of our own (so we can read the jobs stream) and `psynapse up --runners N` on it."""

    def __init__(self, runners: int, nodepacks: Path, root: Path) -> None:
        self.root = root
        self.nats = EmbeddedNats(root / "nats")
        (root / "nats").mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PSYNAPSE_")},
            "PSYNAPSE_RUNNER_CONCURRENCY": str(THREADS),
            # Every repeat sends the same graph: measure runners, not the output cache.
            "PSYNAPSE_CACHE_ENABLED": "false",
            "PSYNAPSE_LOG_FORMAT": "json",
            "PSYNAPSE_NODEPACKS_DIR": str(nodepacks),
            "PSYNAPSE_DATA_DIR": str(root / "data"),
        }
        self.runners = runners
        self.nodepacks = nodepacks
        self.proc: subprocess.Popen | None = None
        self.extra: list[subprocess.Popen] = []

    def start(self) -> None:
        self.nats.start()
        self.env.update(
            PSYNAPSE_NATS_URL=self.nats.url,
            PSYNAPSE_NATS_USER=self.nats.user,
            PSYNAPSE_NATS_PASSWORD=self.nats.password,
        )
        cmd = [
            sys.executable,
            "-m",
            "psynapse",
            "up",
            "--port",
            str(self.port),
            "--runners",
            str(self.runners),
            "--nodepacks-dir",
            str(self.nodepacks),
            "--data-dir",
            str(self.root / "data"),
            "--nats-url",
            self.nats.url,
        ]
        with open(self.root / "up.log", "wb") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_runners("default", self.runners)

    def health(self) -> dict:
        return httpx.get(self.url + "/health", timeout=5).json()

    def wait_runners(self, pool: str, count: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"psynapse up exited; see {self.root / 'up.log'}")
            try:
                pools = self.health().get("pools", {})
                if pools.get(pool, {}).get("consumers") == count:
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{count} {pool} runners not up in {timeout:.0f} s; see {self.root / 'up.log'}")

    def start_runner(self, pool: str) -> subprocess.Popen:
        with open(self.root / f"runner-{pool}.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "psynapse", "runner", "--pool", pool],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.extra.append(process)
        return process

    def jobs_published(self) -> int:
        """Jobs ever stored in the work-queue stream (acked ones are gone; the sequence stays)."""

        async def last_seq() -> int:
            nc = await nats.connect(self.nats.url, user=self.nats.user, password=self.nats.password)
            try:
                return (await nc.jetstream().stream_info(JOBS_STREAM)).state.last_seq
            finally:
                await nc.close()

        return asyncio.run(last_seq())

    def stop(self) -> None:
        for process in self.extra:
            process.terminate()
        for process in self.extra:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the supervisor stops its children on SIGTERM
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.nats.stop()


def execute(client: httpx.Client, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post("/execute", json=body)
    took = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return took, response.json()


def measure_width(stack: Stack, repeats: int) -> dict:
    body = wide_graph()
    with httpx.Client(base_url=stack.url, timeout=120) as client:
        execute(client, wide_graph(width=2 * THREADS * stack.runners, ms=5))  # warm: code loaded, pools up
        before = stack.jobs_published()
        times = []
        for _ in range(repeats):
            took, result = execute(client, body)
            if result != {"results": {"v": [1] * WIDTH}}:
                raise RuntimeError(f"wrong answer: {str(result)[:300]}")
            times.append(took)
        jobs = (stack.jobs_published() - before) / repeats
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "jobs": jobs}


def measure_gpu_wait(stack: Stack, hold_s: float) -> dict:
    outcome: dict = {}

    def run() -> None:
        with httpx.Client(base_url=stack.url, timeout=120) as client:
            outcome["took_ms"], outcome["result"] = execute(client, gpu_graph())
            outcome["done_at"] = time.perf_counter()

    submitted = time.perf_counter()
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    pending = None
    while time.monotonic() < deadline:
        pending = stack.health().get("pools", {}).get("gpu")
        if pending and pending["pending"] >= 1:
            break
        time.sleep(0.05)
    time.sleep(hold_s)  # nobody takes it: prove it waits, not fails
    waiting = stack.health()["pools"].get("gpu")
    still_running = thread.is_alive()
    runner_started = time.perf_counter()
    runner = stack.start_runner("gpu")
    thread.join(120)
    return {
        "pending_seen": pending,
        "after_hold": waiting,
        "still_running_after_hold": still_running,
        "wait_ms": (runner_started - submitted) * 1000,
        "runner_start_to_done_ms": (outcome["done_at"] - runner_started) * 1000,
        "ran_in_gpu_runner": outcome.get("result", {}).get("results", {}).get("v") == runner.pid,
        "result": outcome.get("result"),
    }


def render(rows: list[tuple[int, dict]], gpu: dict | None, load: str) -> str:
    lines = [
        "# scale_bench: a 64-wide graph of 100 ms sleeps, 4 threads per runner",
        "",
        "| runner processes | ideal ms | median ms | min ms | max ms | jobs per run | speedup vs 1 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    one = rows[0][1]["median"] if rows else None
    for runners, row in rows:
        ideal = WIDTH * SLEEP_MS / (THREADS * runners)
        speedup = f"{one / row['median']:.2f}" if one else "-"
        lines.append(
            f"| {runners} | {ideal:.0f} | {row['median']:.0f} | {row['min']:.0f} | {row['max']:.0f} "
            f"| {row['jobs']:g} | {speedup} |"
        )
    if gpu is not None:
        lines += [
            "",
            "gpu pool: one `gpu_sleep` (100 ms) node submitted with no gpu runner.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| /health pools.gpu while waiting | `{gpu['after_hold']}` |",
            f"| run still running before a gpu runner existed | {gpu['still_running_after_hold']} |",
            f"| waited (submit to `psynapse runner --pool gpu`) | {gpu['wait_ms']:.0f} ms |",
            f"| gpu runner start to run done (process start included) | {gpu['runner_start_to_done_ms']:.0f} ms |",
            f"| ran in the gpu runner process | {gpu['ran_in_gpu_runner']} |",
        ]
    lines += ["", f"Measured {time.strftime('%Y-%m-%d %H:%M:%S')} on {os.cpu_count()} cores{load}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runners", default="1,2,4", help="runner process counts to measure")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per runner count")
    ap.add_argument("--hold", type=float, default=2.0, help="seconds the gpu node waits before a gpu runner starts")
    args = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "nodepack" / "bench").is_dir():
        print(f"no nodepack/bench in {shared}; set PSYNAPSE_BENCH_DIR", file=sys.stderr)
        return 2
    load = ", load average at start {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    root = Path(tempfile.mkdtemp(prefix="psynapse-scale-"))
    packs = root / "nodepacks"
    shutil.copytree(shared / "nodepack" / "bench", packs / "bench")
    shutil.copytree(GPU_PACK, packs / "gpupack", ignore=shutil.ignore_patterns("__pycache__"))
    rows: list[tuple[int, dict]] = []
    gpu = None
    counts = [int(n) for n in args.runners.split(",")]
    failed = False
    try:
        for index, runners in enumerate(counts):
            print(f"== {runners} runner(s)", file=sys.stderr, flush=True)
            stack = Stack(runners, packs, root / f"stack-{runners}")
            try:
                stack.start()
                rows.append((runners, measure_width(stack, args.repeats)))
                if index == len(counts) - 1:
                    gpu = measure_gpu_wait(stack, args.hold)
                    failed = not gpu["ran_in_gpu_runner"]
            finally:
                stack.stop()
    except Exception as exc:  # noqa: BLE001 - report, keep the logs
        print(f"*** {exc}; logs kept in {root}", file=sys.stderr)
        failed = True
    text = render(rows, gpu, load)
    (BENCH / "results-scale.md").write_text(text)
    print(text)
    if not failed:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
