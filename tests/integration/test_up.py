"""`psynapse up` as a user runs it: embedded NATS, every endpoint, hot reload, clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.api_shapes import SCHEMA_KEYS
from tests.support.graphs import edge, fn, graph, view
from tests.support.stack import PSYNAPSE, copy_packs, start_stack


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("up")
    packs = copy_packs(root / "nodepacks", "basic", "examples", "llms")
    (packs / "broken").mkdir()
    (packs / "broken" / "ops.py").write_text("def oops(:\n    pass\n")
    (packs / "needs_dep").mkdir()
    (packs / "needs_dep" / "ops.py").write_text("import not_a_real_module\n\ndef x() -> int:\n    return 1\n")
    data = root / "data"
    data.mkdir()
    stack = start_stack(None, packs, data)
    yield stack
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGTERM)
        stack.process.wait(30)


def test_root_schema_health(embedded):
    with embedded.client() as client:
        assert client.get("/").json() == {"message": "Psynapse Backend API"}
        schemas = client.get("/get_schema").json()
        # Healthy needs one live runner; the second may beat a moment later.
        deadline = time.monotonic() + 10
        health = client.get("/health").json()
        while len(health["services"]["runner"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            health = client.get("/health").json()
        openapi = client.get("/schema/openapi.json")
    names = {s["name"] for s in schemas}
    assert {"add", "divide", "split_name", "CountWithProgress", "EchoStream", "OpenAIChatCompletionStream"} <= names
    add = next(s for s in schemas if s["name"] == "add")
    assert list(add) == SCHEMA_KEYS
    assert add["returns"] == [{"name": "result", "type": "float"}]
    assert health["status"] == "ok" and health["nats"] is True
    assert len(health["services"]["runner"]) == 2
    assert health["services"]["schema"] and health["services"]["orchestrator"]
    assert openapi.status_code == 200 and "/execute" in openapi.json()["paths"]
    assert (embedded.data_dir / "secret.key").stat().st_mode & 0o777 == 0o600


def test_every_service_log_line_is_one_json_format(embedded):
    # The HTTP server's and the file watcher's lines too, not only our own.
    with embedded.client() as client:
        assert client.get("/health").status_code == 200
    lines = (embedded.data_dir / "up.log").read_text().splitlines()
    # The supervisor's own words to the person at the terminal are not service logs.
    service_lines = [line for line in lines if not line.startswith(("psynapse: ", "Psynapse is up"))]
    records = [json.loads(line) for line in service_lines]
    assert all({"event", "level", "timestamp", "service"} <= set(record) for record in records)
    loggers = {record.get("logger") for record in records}
    assert "_granian" in loggers
    assert {record["service"] for record in records} >= {"gateway", "schema", "orchestrator", "runner"}


def _nats_process(stack) -> psutil.Process:
    return next(p for p in psutil.Process(stack.process.pid).children() if "nats-server" in p.name())


def test_embedded_nats_is_local_and_needs_its_password(embedded):
    import nats

    from tests.support.graphs import run_async

    config = embedded.data_dir / "nats-server.conf"
    assert _nats_process(embedded).cmdline()[1:] == ["-c", str(config)]
    assert config.stat().st_mode & 0o777 == 0o600
    text = config.read_text()
    assert 'host: "127.0.0.1"' in text
    port = int(text.split("port: ", 1)[1].split()[0])

    async def anonymous() -> None:
        await nats.connect(f"nats://127.0.0.1:{port}", allow_reconnect=False, connect_timeout=2)

    # Refused by the server for lack of credentials, not by a timeout.
    with pytest.raises(Exception, match="[Aa]uthorization"):
        run_async(anonymous())


def test_no_secret_is_on_any_command_line(embedded):
    """`ps` shows every local user each process's command line: no password, no key there."""
    config = (embedded.data_dir / "nats-server.conf").read_text()
    secrets = [
        config.split("password: ", 1)[1].split()[0].strip('"'),
        (embedded.data_dir / "secret.key").read_text().strip(),
    ]
    processes = [psutil.Process(embedded.process.pid), *psutil.Process(embedded.process.pid).children(recursive=True)]
    assert len(processes) >= 6  # psynapse up, nats-server, schema, orchestrator, two runners, gateway
    for process in processes:
        line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
        for secret in secrets:
            assert secret and secret not in line, f"a secret on the command line of {process.name()}"


def test_cors_allows_any_origin_by_default(embedded):
    with embedded.client() as client:
        simple = client.get("/get_schema", headers={"Origin": "http://elsewhere.example"})
        preflight = client.options(
            "/execute",
            headers={
                "Origin": "http://elsewhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert preflight.status_code in (200, 204)
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_broken_packs_are_reported_not_fatal(embedded):
    with embedded.client() as client:
        packs = {p["name"]: p for p in client.get("/nodepacks").json()["packs"]}
    assert packs["basic"]["status"] == "ok"
    broken = packs["broken"]
    assert broken["status"] == "error"
    assert broken["errors"][0]["file"].endswith("broken/ops.py") and broken["errors"][0]["line"] == 1
    assert "not_a_real_module" in packs["needs_dep"]["errors"][0]["message"]


def test_llm_node_without_openai_fails_clearly(embedded):
    body = graph([fn("c", "openai_chat_completion", model="m", messages=[]), view("v")], [edge("c", "v")])
    with embedded.client() as client:
        response = client.post("/execute", json=body).json()
    # The dev environment does not install the llm extra, so the node names it.
    assert "psynapse[llm]" in response["errors"]["c"]
    assert response["results"] == {"v": None}


def test_editing_a_nodepack_is_picked_up_without_restart(embedded):
    ops = Path(embedded.nodepacks) / "basic" / "ops.py"
    source = ops.read_text()
    ops.write_text(source + '\n\ndef triple(x: float) -> float:\n    """Three times x."""\n    return x * 3\n')
    started = time.monotonic()
    with embedded.client() as client:
        while time.monotonic() - started < 10:
            if any(s["name"] == "triple" for s in client.get("/get_schema").json()):
                break
            time.sleep(0.05)
        took = time.monotonic() - started
        assert took < 10, "the new node never appeared"
        body = graph([fn("t", "triple", x=2), view("v")], [edge("t", "v")])
        assert client.post("/execute", json=body).json()["results"] == {"v": 6.0}
        # A changed body runs as the new code on the next job.
        ops.write_text(ops.read_text().replace("return x * 3", "return x * 30"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if client.post("/execute", json=body).json()["results"] == {"v": 60.0}:
                break
            time.sleep(0.1)
        else:
            pytest.fail("runners kept the old code")
        # Deleting a pack's file removes its nodes.
        (Path(embedded.nodepacks) / "examples" / "stream_ops.py").unlink()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not any(s["name"] == "EchoStream" for s in client.get("/get_schema").json()):
                break
            time.sleep(0.05)
        else:
            pytest.fail("a deleted file's node stayed in the catalog")
    print(
        f"\nnodepack edit visible in /get_schema after {took * 1000:.0f} ms; "
        f"psynapse up healthy after {embedded.startup_s:.2f} s"
    )


def test_a_dead_service_is_restarted(embedded):
    parent = psutil.Process(embedded.process.pid)
    runner = next(p for p in parent.children() if "runner" in " ".join(p.cmdline()))
    runner.kill()
    runner.wait(10)
    deadline = time.monotonic() + 30
    with embedded.client() as client:
        while time.monotonic() < deadline:
            pids = {r["pid"] for r in client.get("/health").json()["services"]["runner"]}
            if len(pids) == 2 and runner.pid not in pids:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the killed runner was not replaced")
        body = graph([fn("a", "add", a=1, b=1), view("v")], [edge("a", "v")])
        assert client.post("/execute", json=body).json()["results"] == {"v": 2.0}
    assert "runner-" in (embedded.data_dir / "up.log").read_text()


def test_sigterm_leaves_no_process_behind(embedded):
    parent = psutil.Process(embedded.process.pid)
    children = parent.children(recursive=True)
    assert len(children) >= 6  # nats, schema, orchestrator, 2 runners, gateway
    rss_mb = sum(p.memory_info().rss for p in [parent, *children]) / 2**20
    print(f"\npsynapse up: {len(children)} child processes, total RSS {rss_mb:.0f} MB")
    # An editor still listening for catalog changes must not hold the stop up.
    listening = threading.Event()

    def listen() -> None:
        try:
            with httpx.stream("GET", embedded.url + "/catalog/events", timeout=60) as response:
                for _ in response.iter_lines():
                    listening.set()
        except httpx.HTTPError:
            pass

    threading.Thread(target=listen, daemon=True).start()
    assert listening.wait(10)
    started = time.monotonic()
    embedded.process.send_signal(signal.SIGTERM)
    embedded.process.wait(30)
    took = time.monotonic() - started
    print(f"stopped in {took:.1f} s")
    assert took < 10
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []
    with pytest.raises(httpx.HTTPError):
        httpx.get(embedded.url + "/health", timeout=1)
    assert not any(p.pid == os.getpid() for p in alive)


def test_an_http_service_on_a_taken_port_says_so_in_one_line(nats_server):
    # A service started on its own, as a deployment starts it, on a port another program holds.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = str(holder.getsockname()[1])
        env = {**os.environ, "PSYNAPSE_HTTP_PORT": taken, "PSYNAPSE_NATS_URL": nats_server.url}
        done = subprocess.run([*PSYNAPSE, "gateway"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert (
        done.stderr.strip().splitlines()[-1]
        == f"could not serve HTTP on 127.0.0.1:{taken}: Address already in use (os error 98)"
    )
    assert "Traceback" not in done.stderr
