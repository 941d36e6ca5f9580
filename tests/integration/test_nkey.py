"""Services authenticate to a NATS server that accepts only an NKey user."""

from __future__ import annotations

import os
import subprocess

import httpx
import nats
import nkeys
import pytest

from psynapse.embedded.natsd import free_port, nats_server_binary, wait_healthy
from tests.support.graphs import edge, fn, graph, run_async, view
from tests.support.stack import copy_packs, start_stack, stop_stack


def test_services_connect_with_an_nkey_seed(tmp_path):
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    public = nkeys.from_seed(bytearray(seed)).public_key.decode()
    seed_file = tmp_path / "user.nk"
    seed_file.write_bytes(seed)
    seed_file.chmod(0o600)
    port, monitor = free_port(), free_port()
    config = tmp_path / "nats.conf"
    config.write_text(
        f'listen: "127.0.0.1:{port}"\nhttp: "127.0.0.1:{monitor}"\n'
        f'jetstream {{ store_dir: "{tmp_path / "js"}" }}\n'
        f'authorization {{ users = [ {{ nkey: "{public}" }} ] }}\n'
    )
    server = subprocess.Popen(
        [nats_server_binary(), "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(monitor, server, timeout=20)

        async def anonymous() -> None:
            await nats.connect(f"nats://127.0.0.1:{port}", allow_reconnect=False, connect_timeout=2)

        with pytest.raises(Exception, match="[Aa]uthorization"):
            run_async(anonymous())
        packs = copy_packs(tmp_path / "nodepacks", "basic")
        (tmp_path / "data").mkdir()
        stack = start_stack(
            f"nats://127.0.0.1:{port}",
            packs,
            tmp_path / "data",
            runners=1,
            env={"PSYNAPSE_NATS_NKEY_SEED_FILE": str(seed_file)},
        )
        try:
            body = graph([fn("a", "add", a=20, b=22), view("v")], [edge("a", "v")])
            assert httpx.post(f"{stack.url}/execute", json=body, timeout=30).json() == {"results": {"v": 42.0}}
        finally:
            stop_stack(stack.process)
    finally:
        server.terminate()
        server.wait(10)
