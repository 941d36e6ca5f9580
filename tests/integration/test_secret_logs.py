"""env_vars never reach a log line: orchestrator and runner in this process, under capture_logs."""

from __future__ import annotations

import asyncio
import time

import nats
from structlog.testing import capture_logs

from psynapse_common import messages
from psynapse_common.codec import show
from psynapse_common.messages import GraphEdge, GraphNode, RunSubmit
from psynapse_common.nats_io import declare_backbone
from psynapse_common.sealing import new_key, seal
from psynapse_common.settings import Settings
from psynapse_common.subjects import names_from
from psynapse_orchestrator.orchestrator import serve as serve_orchestrator
from psynapse_runner.worker import serve as serve_runner
from psynapse_schema.catalog import CatalogPublisher
from tests.support.graphs import run_async

SECRET = "sk-very-secret-value-42"


def test_secrets_stay_out_of_logs_and_error_messages(nats_server, stack):
    # A namespace of its own, so the stack's services on this NATS ignore these runs.
    settings = Settings(
        nats_url=nats_server.url,
        nodepacks_dir=stack.nodepacks,
        subject_prefix="psylogs",
        stream_prefix="PSYLOGS",
        secret_key=new_key(),
        runner_concurrency=2,
    )
    names = names_from(settings)
    submit = RunSubmit(
        run_id="secretrun1",
        nodes=[
            GraphNode(id="r", type="functionNode", data={"functionName": "read_env", "var_name": "API_KEY"}),
            GraphNode(id="v", type="viewNode"),
            GraphNode(id="f", type="functionNode", data={"functionName": "fail_with_env", "var_name": "API_KEY"}),
        ],
        edges=[GraphEdge(source="r", target="v", source_handle="output", target_handle="input")],
        env_sealed=seal({"API_KEY": SECRET}, settings.secret_key),
        submitted_at=time.time(),
    )

    async def scenario() -> messages.RunEvent:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        backbone = await declare_backbone(js, settings)
        await CatalogPublisher(stack.nodepacks, backbone.schema, names.catalog_key).reload()
        stop = asyncio.Event()
        services = [
            asyncio.create_task(serve_orchestrator(settings, stop)),
            asyncio.create_task(serve_runner(settings, stop)),
        ]
        try:
            final = await nc.subscribe(names.event(submit.run_id, "run"))
            await js.publish(names.run_submit(submit.run_id), messages.encode(submit))
            msg = await final.next_msg(timeout=30)
            return messages.run_event_decoder.decode(msg.data)
        finally:
            stop.set()
            await asyncio.gather(*services)
            await nc.close()

    with capture_logs() as logs:
        final = run_async(scenario())
    assert show(final.results["v"]) != ""  # the node saw the variable
    assert final.errors["f"] == "auth failed with key [secret]"
    assert any(entry.get("event") == "run.finished" for entry in logs)
    assert SECRET not in repr(logs)
