"""In-process baseline: the Psynapse HTTP contract in one process, without NATS.

Graphs run through the project's own pure modules (graph, wiring, invoke, codec and
the gateway's SSE translator), so contract_bench compares the distributed pipeline
with the very same logic executed in-process: one run at a time per worker thread,
one node at a time in topological order, like the original FastAPI backend.

    .venv/bin/python bench/baseline.py --port 18002 --nodepacks-dir ../shared/bench/nodepack
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import msgspec
import uvicorn
from litestar import Litestar, Response, get, post
from litestar.datastructures import State
from litestar.response import ServerSentEvent
from psynapse_common import codec
from psynapse_common.graph import GraphError, Plan, build_plan
from psynapse_common.invoke import call_node, describe_error, prepare_kwargs
from psynapse_common.local import LocalRun
from psynapse_common.messages import (
    ExecuteRequest,
    JobStep,
    NodeEvent,
    ProgressEvent,
    RunEvent,
    StreamEvent,
)
from psynapse_common.nodepacks import NodeSpec, load_catalog
from psynapse_common.service import HTTP_SERVER_OPTIONS
from psynapse_gateway.errors import exception_handlers
from psynapse_gateway.runs import final_body
from psynapse_gateway.sse import SseTranslator
from psynapse_gateway.sse_response import sse
from psynapse_runner.envlock import EnvLock
from psynapse_schema.catalog import snapshot_of

# create_app takes no arguments (an ASGI factory), so the command-line options
# reach it through the environment.
NODEPACKS_ENV = "PSYNAPSE_BASELINE_NODEPACKS"
# Events never leave this process, so every run can share one id.
RUN_ID = "baseline"

Emit = Callable[[Any], None]


def _ignore(*_: Any) -> None:
    pass


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
        # env_vars are process-wide: the runner's lock keeps concurrent runs apart.
        with self._env.around(env):
            call = _StepCaller(self.catalog.nodes, emit, cancelled)
            run = LocalRun(plan, RUN_ID, call, emit, cancelled)
            run.execute()
            return run.final()


class _StepCaller:
    """Calls one function node in the calling thread, like the original backend."""

    def __init__(
        self, specs: dict[str, NodeSpec], emit: Emit | None, cancelled: threading.Event | None
    ) -> None:
        self.specs = specs
        self.emit = emit
        self.cancelled = cancelled

    def __call__(self, step: JobStep) -> NodeEvent:
        node_id = step.node_id
        self._tell(NodeEvent(run_id=RUN_ID, node_id=node_id, node_name=step.function,
                             status="executing", inputs=step.inputs))
        progress: Callable[[float, str], None] = _ignore
        chunk: Callable[[str], None] = _ignore
        if self.emit is not None:
            emit = self.emit

            def progress(percent: float, message: str) -> None:
                emit(ProgressEvent(run_id=RUN_ID, node_id=node_id, progress=percent, message=message))

            def chunk(text: str) -> None:
                emit(StreamEvent(run_id=RUN_ID, node_id=node_id, chunk=text))

        end = {"run_id": RUN_ID, "node_id": node_id, "node_name": step.function, "inputs": step.inputs}
        try:
            spec = self.specs[step.function]
            kwargs = prepare_kwargs(spec, {k: codec.decode(v) for k, v in step.inputs.items()})
            result = call_node(spec, kwargs, progress, chunk, self.cancelled)
            output = msgspec.Raw(codec.encode(result))
        except Exception as exc:  # noqa: BLE001 - a node's failure is reported, not raised
            return NodeEvent(status="error", error=describe_error(exc), **end)
        return NodeEvent(status="completed", output=output, **end)

    def _tell(self, event: NodeEvent) -> None:
        if self.emit is not None:
            self.emit(event)


async def _follow(
    engine: Engine, plan: Plan, env: dict[str, str] | None
) -> AsyncIterator[tuple[None, dict[str, Any]]]:
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


async def _single(body: dict[str, Any]) -> AsyncIterator[tuple[None, dict[str, Any]]]:
    yield None, body


@get("/get_schema")
async def get_schema(state: State) -> Response[bytes]:
    return Response(state.engine.schema_json, media_type="application/json")


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@post("/execute", status_code=200)
async def execute(state: State, data: ExecuteRequest) -> Response[dict[str, Any]]:
    engine: Engine = state.engine
    plan = engine.plan(data)  # GraphError -> 400 through the gateway's handlers
    final = await asyncio.to_thread(engine.run, plan, data.env_vars)
    return Response(final_body(final))


@post("/execute/stream", status_code=200)
async def execute_stream(state: State, data: ExecuteRequest) -> ServerSentEvent:
    engine: Engine = state.engine
    try:
        plan = engine.plan(data)
    except GraphError as exc:
        return sse(_single({"status": "error", "error": str(exc)}))
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
    uvicorn.run(
        create_app, factory=True, host=args.host, port=args.port, loop="uvloop", **HTTP_SERVER_OPTIONS
    )


if __name__ == "__main__":
    main()
