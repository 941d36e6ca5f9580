"""In-process baseline: the Psynapse HTTP contract in one process, without NATS.

Graphs run through the project's own pure modules (the planner, the segment walk of
``psynapse_common.execute`` and the gateway's SSE translator), so contract_bench
compares the distributed pipeline with the very same logic executed in-process: one
run at a time per worker thread, the whole plan as one segment, one node at a time
in topological order, like the original FastAPI backend.

    .venv/bin/python bench/baseline.py --port 18002 --nodepacks-dir ../shared/bench/nodepack
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Response, get, post
from litestar.datastructures import State
from litestar.response import ServerSentEvent

from psynapse_common.execute import SegmentRun, run_here
from psynapse_common.graph import VIEW, GraphError, Plan, Schedule, build_plan
from psynapse_common.http_server import serve_asgi
from psynapse_common.invoke import describe_error
from psynapse_common.messages import (
    NIL,
    ExecuteRequest,
    Job,
    NodeEvent,
    NodeEvents,
    ProgressEvent,
    RunEvent,
    StreamEvent,
)
from psynapse_common.nodepacks import load_catalog
from psynapse_common.wiring import Wiring
from psynapse_gateway.bodies import ExecuteResponse
from psynapse_gateway.errors import exception_handlers
from psynapse_gateway.records import execute_response
from psynapse_gateway.sse_response import SseEvents, single, sse
from psynapse_gateway.translator import SseTranslator
from psynapse_runner.envlock import EnvLock
from psynapse_schema.catalog import snapshot_of

# create_app takes no arguments (an ASGI factory), so the command-line options
# reach it through the environment.
NODEPACKS_ENV = "PSYNAPSE_BASELINE_NODEPACKS"
# Events never leave this process, so every run can share one id.
RUN_ID = "baseline"

Emit = Callable[[Any], None]


class Engine:
    """The loaded nodepacks and the plan index, built once like the schema service does."""

    def __init__(self, nodepacks_dir: Path) -> None:
        self.catalog = load_catalog(nodepacks_dir)
        self.index = snapshot_of(self.catalog, 1).nodes
        self.schema_json = msgspec.json.encode(self.catalog.schemas())
        self._env = EnvLock()

    def plan(self, request: ExecuteRequest) -> Plan:
        return build_plan(request.nodes, request.edges, self.index)

    def run(
        self,
        plan: Plan,
        env: dict[str, str] | None,
        emit: Emit | None = None,
        cancelled: threading.Event | None = None,
    ) -> RunEvent:
        """The whole plan as one segment, every call here; dependants of a failure fail as the orchestrator
        fails them."""
        schedule = Schedule(plan)
        # No step is quick: each call's start is told before it runs, as the original did.
        job = Job(run_id=RUN_ID, steps=Wiring(plan).steps(plan.order, quick=(), cached=()))
        segment = SegmentRun(job, self.catalog.nodes.get)

        def publish(events: list[NodeEvent]) -> None:
            told: list[NodeEvent] = []
            for event in events:
                told.append(event)
                if event.status == "completed":
                    schedule.complete(event.node_id)
                elif event.status == "error":
                    told += [
                        NodeEvent(node_id=dependant, node_name=plan.node_name(dependant), status="error", error=reason)
                        for dependant, reason in schedule.fail(event.node_id, event.error or "failed")
                    ]
            if emit is not None and told:
                emit(NodeEvents(run_id=RUN_ID, events=told))

        def progress(node_id: str, percent: float, message: str) -> None:
            if emit is not None:
                emit(ProgressEvent(run_id=RUN_ID, node_id=node_id, progress=percent, message=message))

        def chunk(node_id: str, text: str) -> None:
            if emit is not None:
                emit(StreamEvent(run_id=RUN_ID, node_id=node_id, chunk=text))

        # env_vars are process-wide: the runner's lock keeps concurrent runs apart.
        with self._env.around(env):
            run_here(segment, publish, progress, chunk, cancelled)
        views = [node_id for node_id, node in plan.nodes.items() if node.type == VIEW]
        return RunEvent(
            run_id=RUN_ID,
            status="done",
            results={node_id: segment.outputs.get(node_id, NIL) for node_id in views},
            errors=dict(schedule.failed),
            node_count=len(plan.nodes),
        )


async def _follow(engine: Engine, plan: Plan, env: dict[str, str] | None) -> SseEvents:
    """Run in a worker thread; its events cross to the loop as they happen."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    cancelled = threading.Event()

    def emit(event: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)

    def work() -> None:
        try:
            emit(engine.run(plan, env, emit, cancelled))
        except Exception as exc:  # noqa: BLE001 - the client must still get an end event
            emit(RunEvent(run_id=RUN_ID, status="error", error=describe_error(exc)))

    loop.run_in_executor(None, work)
    translator = SseTranslator()
    try:
        while not translator.finished:
            for body in translator.translate(await queue.get()):
                yield None, body
    finally:
        # A client that hangs up stops the run at its next progress/stream report.
        cancelled.set()


@get("/get_schema")
async def get_schema(state: State) -> Response[bytes]:
    return Response(state.engine.schema_json, media_type="application/json")


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@post("/execute", status_code=200)
async def execute(state: State, data: ExecuteRequest) -> Response[ExecuteResponse]:
    engine: Engine = state.engine
    plan = engine.plan(data)  # GraphError -> 400 through the gateway's handlers
    final = await asyncio.to_thread(engine.run, plan, data.env_vars)
    return Response(execute_response(final))


@post("/execute/stream", status_code=200)
async def execute_stream(state: State, data: ExecuteRequest) -> ServerSentEvent:
    engine: Engine = state.engine
    try:
        plan = engine.plan(data)
    except GraphError as exc:
        return sse(single({"status": "error", "error": str(exc)}))
    return sse(_follow(engine, plan, data.env_vars))


def create_app() -> Litestar:
    app = Litestar(
        route_handlers=[get_schema, health, execute, execute_stream],
        exception_handlers=exception_handlers(),
        openapi_config=None,
        debug=False,
    )
    app.state.engine = Engine(Path(os.environ[NODEPACKS_ENV]))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="In-process Psynapse baseline server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18002)
    parser.add_argument("--nodepacks-dir", required=True)
    args = parser.parse_args()
    os.environ[NODEPACKS_ENV] = str(Path(args.nodepacks_dir).resolve())
    serve_asgi(create_app, args.host, args.port)


if __name__ == "__main__":
    main()
