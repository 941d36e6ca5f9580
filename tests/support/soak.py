"""A chaos soak: a mixed load on `psynapse up` while its processes are killed at random.

The load: streamed runs with progress and stream nodes, `/execute` runs, workflow API
calls, runs cancelled mid-way and runs with values large enough for the object
store. Meanwhile a runner, the orchestrator, the gateway or the embedded nats-server
is SIGKILLed every few seconds (each kill checked: the process existed and died).
Clients behave as a careful user's would: a stream that breaks is resumed with
Last-Event-ID; an answer that never came is looked up by the run's tag.

The ledger counts every run: completed, failed with a reason, refused (503 while a
part was down: nothing was submitted), lost (submitted, never ended), doubled (a
node with two ends in the stored log) and wrong answers. A soak passes with no lost,
doubled or wrong run.

    python -m tests.support.soak --minutes 10      # `make soak`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from httpx_sse import EventSource

from tests.support.graphs import edge, fn, graph, run_async, terminal_counts, var, view
from tests.support.stack import copy_packs, start_stack, stop_stack

# Quick recovery, so a soak of minutes sees many faults end.
ENV = {"PSYNAPSE_JOB_ACK_WAIT_S": "3", "PSYNAPSE_RUN_ACK_WAIT_S": "3", "PSYNAPSE_JOB_MAX_DELIVER": "4"}
KINDS = ("stream", "execute", "workflow", "cancel", "large")
VICTIMS = ("runner", "orchestrator", "gateway", "nats-server")
BIG_KB = 300  # over the inline limit: through the object store


@dataclass
class Run:
    kind: str
    tag: str  # the run's `workflow`: how a run whose answer never came is found
    expected: dict
    run_id: str | None = None
    outcome: str = ""  # completed, failed, refused, wrong, lost
    detail: str = ""


@dataclass
class Ledger:
    runs: list[Run] = field(default_factory=list)
    kills: Counter = field(default_factory=Counter)
    doubled: list[str] = field(default_factory=list)

    def counts(self) -> Counter:
        counts = Counter(run.outcome for run in self.runs)
        counts["submitted"] = sum(run.outcome != "refused" for run in self.runs)
        counts["doubled"] = len(self.doubled)
        return counts

    @property
    def ok(self) -> bool:
        counts = self.counts()
        return not (counts["lost"] or counts["doubled"] or counts["wrong"]) and counts["completed"] > 0

    def render(self, seconds: float) -> str:
        counts = self.counts()
        lines = [
            f"chaos soak, {seconds:.0f} s: kills {dict(self.kills)}",
            "",
            "| runs | submitted | completed | failed with a reason | refused (503) | lost | doubled | wrong |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {len(self.runs)} | {counts['submitted']} | {counts['completed']} | {counts['failed']} "
            f"| {counts['refused']} | {counts['lost']} | {counts['doubled']} | {counts['wrong']} |",
            "",
        ]
        by_kind = Counter((run.kind, run.outcome) for run in self.runs)
        lines += [
            f"- {kind}: " + ", ".join(f"{outcome} {n}" for (k, outcome), n in sorted(by_kind.items()) if k == kind)
            for kind in KINDS
        ]
        reasons = Counter(run.detail.split(":")[0][:80] for run in self.runs if run.outcome == "failed")
        if reasons:
            lines += ["", "failure reasons: " + "; ".join(f"{reason} ({n})" for reason, n in reasons.most_common(8))]
        problems = [run for run in self.runs if run.outcome in ("lost", "wrong")]
        lines += [f"- {run.outcome}: {run.kind} {run.tag} {run.run_id}: {run.detail}" for run in problems[:20]]
        lines += [f"- doubled: {item}" for item in self.doubled[:20]]
        return "\n".join(lines)


def _body(kind: str, n: int) -> tuple[dict, dict]:
    """The graph of one run and the answer it must give."""
    if kind == "stream":
        body = graph(
            [
                var("x", str(n)),
                fn("a", "add", b=1),
                view("va"),
                fn("p", "SlowProgress", steps=5, step_ms=40),
                view("vp"),
                fn("w", "Words", text=f"w{n} x y", delay_ms=10),
                view("vw"),
            ],
            [edge("x", "a", "a"), edge("a", "va"), edge("p", "vp"), edge("w", "vw")],
        )
        return body, {"va": n + 1.0, "vp": 5, "vw": f"w{n} x y"}
    if kind == "execute":
        body = graph(
            [var("x", str(n)), fn("a", "add", b=2), fn("m", "multiply", b=3), view("v")],
            [edge("x", "a", "a"), edge("a", "m", "a"), edge("m", "v")],
        )
        return body, {"v": (n + 2) * 3.0}
    if kind == "workflow":
        body = graph(
            [var("x", "0", variableName="x"), fn("a", "add", b=10), view("v")], [edge("x", "a", "a"), edge("a", "v")]
        )
        return body, {"v": n + 10.0}
    if kind == "cancel":
        body = graph([fn("p", "SlowProgress", steps=100, step_ms=50), view("v")], [edge("p", "v")], cache=False)
        return body, {}
    kb = BIG_KB + n % 7
    body = graph(
        [fn("big", "make_big", kb=kb), fn("s", "big_sum"), view("sv")], [edge("big", "s", "a"), edge("s", "sv")]
    )
    count = kb * 128
    return body, {"sv": count * (count - 1) / 2}


class Soak:
    def __init__(self, url: str, seconds: float, clients: int = 4) -> None:
        self.url = url
        self.seconds = seconds
        self.clients = clients
        self.ledger = Ledger()
        self._n = 0

    async def run(self) -> None:
        deadline = time.monotonic() + self.seconds
        async with httpx.AsyncClient(base_url=self.url, timeout=httpx.Timeout(30, read=60)) as client:
            await asyncio.gather(*(self._client(client, deadline, i) for i in range(self.clients)))

    async def _client(self, client: httpx.AsyncClient, deadline: float, index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline:
            self._n += 1
            kind = rng.choice(KINDS)
            body, expected = _body(kind, self._n)
            run = Run(kind, f"soak-{kind}-{self._n}", expected)
            self.ledger.runs.append(run)
            try:
                await self._one(client, run, body)
            except httpx.TransportError as exc:  # a part died under us: find out what became of the run
                run.detail = f"{type(exc).__name__}"
                await self._settle(client, run)

    async def _one(self, client: httpx.AsyncClient, run: Run, body: dict) -> None:
        body = {**body, "workflow": run.tag}
        if run.kind in ("execute", "large"):
            response = await client.post("/execute", json=body)
            if self._refused(run, response):
                return
            run.run_id = response.headers.get("x-run-id")
            self._judge(run, response.json())
        elif run.kind == "workflow":
            saved = await client.put(f"/workflows/{run.tag}", json={k: v for k, v in body.items() if k != "workflow"})
            if self._refused(run, saved):
                return
            response = await client.post(f"/workflows/{run.tag}/run", json={"inputs": {"x": self._n_of(run)}})
            if self._refused(run, response):
                return
            run.run_id = response.headers.get("x-run-id")
            self._judge(run, response.json())
        else:
            await self._stream(client, run, body)

    @staticmethod
    def _n_of(run: Run) -> int:
        return int(run.tag.rsplit("-", 1)[1])

    def _refused(self, run: Run, response: httpx.Response) -> bool:
        if response.status_code == 503:
            run.outcome, run.detail = "refused", response.json().get("detail", "")
            return True
        if response.status_code != 200:
            run.outcome, run.detail = "wrong", f"HTTP {response.status_code}: {response.text[:200]}"
            return True
        return False

    async def _stream(self, client: httpx.AsyncClient, run: Run, body: dict, patience: float = 120) -> None:
        last_id = None
        path = "/execute/stream"
        resume_headers: dict[str, str] = {}
        started = time.monotonic()
        while time.monotonic() - started < patience:
            try:
                # The first request posts the graph; the ones that resume its stream GET its events.
                first = run.run_id is None
                async with client.stream(
                    "POST" if first else "GET", path, json=body if first else None, headers=resume_headers
                ) as response:
                    if run.run_id is None:
                        if response.status_code == 503:
                            run.outcome, run.detail = "refused", (await response.aread()).decode()[:200]
                            return
                        run.run_id = response.headers["x-run-id"]
                    elif response.status_code != 200:
                        raise httpx.RemoteProtocolError(f"HTTP {response.status_code}")
                    async for message in EventSource(response).aiter_sse():
                        last_id = message.id or last_id
                        event = json.loads(message.data)
                        if run.kind == "cancel" and event.get("status") == "progress" and not run.detail:
                            run.detail = "cancel sent"
                            await client.post(f"/runs/{run.run_id}/cancel")
                        if event.get("status") in ("done", "error") and "node_id" not in event:
                            self._judge(run, {"results": event.get("results", {}), "error": event.get("error")})
                            return
                return_reason = "the stream ended before the run did"
            except httpx.TransportError as exc:
                return_reason = type(exc).__name__
            if run.run_id is None:
                raise httpx.RemoteProtocolError(return_reason)
            # Resume where we were, as a browser's EventSource would.
            await asyncio.sleep(0.5)
            path = f"/runs/{run.run_id}/events"
            resume_headers = {"Last-Event-ID": last_id} if last_id else {}
        # Its stream never told the end: history says whether the run ended or was lost.
        run.detail = f"no end on its stream in {patience:.0f} s"
        await self._settle(client, run)

    def _judge(self, run: Run, answer: dict) -> None:
        if run.kind == "cancel":
            if answer.get("error") == "cancelled":
                run.outcome, run.detail = "failed", "cancelled"
            elif answer.get("results") == {"v": 100}:
                run.outcome = "completed"  # it ended before the cancel arrived
            else:
                run.outcome, run.detail = "wrong", str(answer)[:200]
            return
        results = answer.get("results", {})
        errors = answer.get("errors") or {}
        if answer.get("error") or errors:
            run.outcome, run.detail = "failed", str(answer.get("error") or next(iter(errors.values())))
        elif results == run.expected:
            run.outcome = "completed"
        else:
            run.outcome, run.detail = "wrong", f"{results} != {run.expected}"

    async def _settle(self, client: httpx.AsyncClient, run: Run, patience: float = 120) -> None:
        """The run's fate from history: refused if it never was, else its end (or lost)."""
        started = time.monotonic()
        while time.monotonic() - started < patience:
            try:
                if run.run_id is None:
                    found = (await client.get("/runs", params={"workflow": run.tag, "limit": 5})).json()["runs"]
                    if not found:
                        if time.monotonic() - started > 15:
                            run.outcome = "refused"  # never submitted: the part died before
                            return
                        await asyncio.sleep(1)
                        continue
                    run.run_id = found[0]["run_id"]
                record = (await client.get(f"/runs/{run.run_id}")).json()
                if record.get("status") != "running":
                    answer = {
                        "results": record.get("results", {}),
                        "errors": record.get("errors"),
                        "error": record.get("error"),
                    }
                    if record.get("status") == "cancelled":
                        answer["error"] = "cancelled"
                    self._judge(run, answer)
                    return
            except (httpx.TransportError, ValueError, KeyError):
                pass
            await asyncio.sleep(1)
        run.outcome, run.detail = "lost", f"still not ended {patience:.0f} s after its answer was lost"


class Chaos(threading.Thread):
    """Kills a random part every few seconds; each kill checked."""

    def __init__(self, root_pid: int, ledger: Ledger, every: tuple[float, float], seed: int = 7) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(root_pid)
        self.ledger = ledger
        self.every = every
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.failures: list[str] = []

    def _parts(self, victim: str) -> list[psutil.Process]:
        parts = []
        for part in self.root.children():
            try:  # a part killed a moment ago may be a zombie its supervisor has not reaped yet
                described = part.name() if victim == "nats-server" else " ".join(part.cmdline())
            except psutil.NoSuchProcess:
                continue
            if (victim if victim == "nats-server" else f"psynapse {victim}") in described:
                parts.append(part)
        return parts

    def run(self) -> None:
        try:
            self._kill_until_stopped()
        except Exception as exc:  # the test reads failures: a chaos that died must not pass as a calm soak
            self.failures.append(f"chaos stopped: {exc!r}")
            raise

    def _kill_until_stopped(self) -> None:
        while not self.stop.wait(self.rng.uniform(*self.every)):
            victim = self.rng.choice(VICTIMS)
            parts = self._parts(victim)
            if not parts:
                continue  # restarting after an earlier kill
            target = self.rng.choice(parts)
            try:
                target.kill()
                target.wait(10)
            except psutil.NoSuchProcess:
                continue  # it went on its own between the look and the kill
            except psutil.TimeoutExpired:
                self.failures.append(f"{victim} {target.pid} did not die")
                continue
            self.ledger.kills[victim] += 1


def check_logs(nats_url: str, ledger: Ledger) -> None:
    for run in ledger.runs:
        if run.run_id and run.outcome != "refused":
            for node, count in terminal_counts(nats_url, run.run_id).items():
                if count != 1:
                    ledger.doubled.append(f"{run.kind} {run.run_id} node {node}: {count} ends")


def embedded_nats_url(data_dir: Path) -> str:
    text = (data_dir / "nats-server.conf").read_text()
    port = text.split("port: ", 1)[1].split()[0]
    password = text.split("password: ", 1)[1].split()[0].strip('"')
    return f"nats://psynapse:{password}@127.0.0.1:{port}"


def soak(seconds: float, root: Path, every: tuple[float, float] = (4.0, 10.0)) -> Ledger:
    packs = copy_packs(root / "nodepacks", "testpack", "basic")
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    stack = start_stack(None, packs, data, runners=2, env=ENV)
    ledger = Ledger()
    chaos = Chaos(stack.process.pid, ledger, every)
    try:
        load = Soak(stack.url, seconds)
        load.ledger = ledger
        chaos.start()
        run_async(load.run())
        chaos.stop.set()
        chaos.join(15)

        async def settle_rest() -> None:
            async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
                await asyncio.gather(*(load._settle(client, run) for run in ledger.runs if not run.outcome))

        run_async(settle_rest())
        check_logs(embedded_nats_url(data), ledger)
        assert not chaos.failures, chaos.failures
    finally:
        chaos.stop.set()
        stop_stack(stack.process)
    return ledger


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="psynapse-soak-"))
    try:
        ledger = soak(args.minutes * 60, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(ledger.render(args.minutes * 60))
    return 0 if ledger.ok else 1


if __name__ == "__main__":
    sys.exit(main())
