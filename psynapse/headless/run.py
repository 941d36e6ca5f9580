"""``psynapse run``: run a workflow file, or a workflow saved on the gateway, from a shell.

The run goes through the gateway like the editor's: ``POST /execute/stream`` for a
file, ``POST /workflows/{name}/run`` for a saved workflow, then the spec's SSE events
until the last one (resuming with ``Last-Event-ID`` when the stream breaks). Without
``--url`` an embedded stack (nats-server and every service) starts for the run and
stops after it.

Exit codes: 0 every node completed; 1 a node failed or the run errored; 2 the
command could not run (bad file, unknown --set name, unreachable gateway).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from httpx_sse import EventSource

from .display import Display, RunState, choose_display, label
from .workflow_file import (
    WorkflowFileError,
    apply_sets,
    load_workflow,
    parse_assignment,
    parse_value,
)

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
_RESUME_ATTEMPTS = 8


class CliError(Exception):
    code = USAGE


class UsageError(CliError):
    """The command cannot run as asked (exit code 2)."""


class RunError(CliError):
    """The gateway failed the run (exit code 1)."""

    code = FAILED


def main(args: argparse.Namespace) -> int:
    state = RunState()
    # SIGTERM unwinds like Ctrl-C: the run is cancelled and an embedded stack stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        target = _target(args)
        display = choose_display(state, args.json_lines)
        with _gateway(args, target) as url:
            return _run(url, args.token, target, state, display, args.json_lines)
    except WorkflowFileError as exc:
        print(f"psynapse run: {exc}", file=sys.stderr)
        return USAGE
    except CliError as exc:
        print(f"psynapse run: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("psynapse run: interrupted", file=sys.stderr)
        return INTERRUPTED


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


# -- what to run ------------------------------------------------------------------
def _target(args: argparse.Namespace) -> dict[str, Any]:
    assignments = [parse_assignment(text) for text in args.sets]
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not timeout > 0:
        raise UsageError(f"--timeout must be a number of seconds above 0, not {timeout:g}")
    # --to: a partial run (the gateway checks the names, and answers 400 naming one it lacks);
    # --timeout: the run's timeout_s.
    extra: dict[str, Any] = {"targets": args.targets} if args.targets else {}
    if timeout is not None:
        extra["timeout_s"] = timeout
    path = Path(args.workflow)
    if path.is_file():
        request = load_workflow(path)
        apply_sets(request, assignments)
        return {"kind": "file", "request": {**request, **extra}}
    if path.exists():
        raise UsageError(f"{args.workflow}: not a workflow file")
    if path.suffix.lower() == ".json" or os.sep in args.workflow:
        raise UsageError(f"{args.workflow}: no such workflow file")
    inputs = {name: parse_value(text) for name, text in assignments}
    return {"kind": "saved", "name": args.workflow, "body": {"inputs": inputs, **extra}}


@contextmanager
def _gateway(args: argparse.Namespace, target: dict[str, Any]) -> Iterator[str]:
    if args.url:
        yield args.url.rstrip("/")
        return
    if target["kind"] == "saved" and not args.data_dir:
        raise UsageError(
            f"{args.workflow!r} is not a file, so it names a saved workflow: pass the gateway it is "
            "saved on with --url (or $PSYNAPSE_URL), or the data folder holding it with --data-dir"
        )
    from psynapse_common.settings import Settings

    nodepacks = Path(args.nodepacks_dir) if args.nodepacks_dir else Settings().nodepacks_dir
    if not nodepacks.is_dir():
        raise UsageError(
            f"nodepacks folder {nodepacks} not found; pass --nodepacks-dir (or --url to use a running gateway)"
        )
    with embedded_stack(nodepacks, Path(args.data_dir) if args.data_dir else None, args.runners) as url:
        yield url


@contextmanager
def embedded_stack(nodepacks: Path, data_dir: Path | None, runners: int) -> Iterator[str]:
    """``psynapse up`` for one run: a free port, a temporary data folder, quiet services."""
    from ..embedded.natsd import free_port
    from ..embedded.supervisor import Supervisor

    temporary = data_dir is None
    data = Path(tempfile.mkdtemp(prefix="psynapse-run-")) if data_dir is None else data_dir
    supervisor = Supervisor(
        host="127.0.0.1",
        port=free_port(),
        nodepacks_dir=nodepacks,
        data_dir=data,
        runners=max(1, runners),
        nats_url=None,
    )
    log = supervisor.data_dir / "services.log"
    print(
        f"psynapse run: starting an embedded stack (nodepacks: {supervisor.nodepacks_dir})", file=sys.stderr, flush=True
    )
    try:
        try:
            # The services inherit our stdout; it must carry only the results.
            with _output_to(log):
                took = supervisor.start()
        except RuntimeError as exc:
            raise UsageError(f"the embedded stack did not start: {exc}\n{_tail(log)}") from None
        print(f"psynapse run: stack up in {took:.1f} s", file=sys.stderr, flush=True)
        yield f"http://{supervisor.host}:{supervisor.port}"
    finally:
        with _output_to(log):
            supervisor.stop()
        if temporary:
            shutil.rmtree(data, ignore_errors=True)


@contextmanager
def _output_to(path: Path) -> Iterator[None]:
    """Point file descriptors 1 and 2 at ``path`` (children started now inherit it)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# -- running and following ------------------------------------------------------
def _run(
    url: str, token: str | None, target: dict[str, Any], state: RunState, display: Display, json_lines: bool
) -> int:
    headers = {"Accept": "text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = httpx.Timeout(30.0, read=None)  # a node may run for hours between events
    with httpx.Client(base_url=url, headers=headers, timeout=timeout) as client:
        try:
            with display:
                _follow(client, target, state, display)
        except KeyboardInterrupt:
            if state.run_id and _cancel(client, state.run_id):
                print(f"psynapse run: interrupted; run {state.run_id} cancelled", file=sys.stderr)
            else:
                print("psynapse run: interrupted", file=sys.stderr)
            return INTERRUPTED
        except httpx.ConnectError as exc:
            raise UsageError(f"cannot reach the gateway at {url}: {exc}") from None
        except httpx.HTTPError as exc:
            raise RunError(f"talking to the gateway at {url} failed: {exc}") from None
    return _finish(state, json_lines)


def _follow(client: httpx.Client, target: dict[str, Any], state: RunState, display: Display) -> None:
    if target["kind"] == "file":
        request = client.build_request("POST", "/execute/stream", json=target["request"])
    else:
        path = f"/workflows/{quote(target['name'], safe='')}/run"
        request = client.build_request("POST", path, json=target["body"])
    last_id = _read(client, request, target, state, display)
    attempts = 0
    while state.final is None:
        # The stream broke (a gateway restarted, a proxy timed out): resume after the last event.
        if not state.run_id or attempts >= _RESUME_ATTEMPTS:
            raise RunError("the gateway closed the event stream before the run ended")
        time.sleep(min(5.0, 0.25 * 2**attempts))
        attempts += 1
        resume = client.build_request(
            "GET", f"/runs/{state.run_id}/events", headers={"Last-Event-ID": last_id} if last_id else None
        )
        try:
            last_id = _read(client, resume, target, state, display, last_id) or last_id
        except httpx.ConnectError:
            continue


def _read(
    client: httpx.Client,
    request: httpx.Request,
    target: dict[str, Any],
    state: RunState,
    display: Display,
    last_id: str | None = None,
) -> str | None:
    try:
        response = client.send(request, stream=True)
    except httpx.ConnectError:
        if state.run_id:
            raise
        raise UsageError(f"cannot reach the gateway at {client.base_url}") from None
    try:
        if response.status_code != 200:
            response.read()
            _http_error(response, target)
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/event-stream"):
            raise UsageError(f"{request.url} answered {kind or 'no content type'}, not an event stream")
        state.run_id = response.headers.get("x-run-id") or state.run_id
        for event_id, event in sse_events(response):
            last_id = event_id or last_id
            display.update(event, state.feed(event))
            if state.final is not None:
                break
    except (httpx.ReadError, httpx.RemoteProtocolError):
        pass  # resumed by the caller
    finally:
        response.close()
    return last_id


def _http_error(response: httpx.Response, target: dict[str, Any]) -> None:
    try:
        body = response.json()
        detail = body.get("detail") or body.get("error") or body
    except (ValueError, AttributeError):
        detail = response.text.strip()[:500] or response.reason_phrase
    status = response.status_code
    if status == 401:
        raise UsageError(f"the gateway wants an API token: set PSYNAPSE_API_TOKEN or pass --token ({detail})")
    if status == 404 and target["kind"] == "saved":
        raise UsageError(f"no workflow named {target['name']!r} on {response.request.url.host}: {detail}")
    if status >= 500:
        raise RunError(f"the gateway failed ({status}): {detail}")
    raise UsageError(f"the gateway refused the run ({status}): {detail}")


def _cancel(client: httpx.Client, run_id: str) -> bool:
    try:
        return client.post(f"/runs/{run_id}/cancel", timeout=5).status_code < 300
    except httpx.HTTPError:
        return False


def _finish(state: RunState, json_lines: bool) -> int:
    final = state.final or {}
    failed = state.failed()
    if final.get("status") == "error":
        print(f"psynapse run: the run failed: {final.get('error') or 'unknown error'}", file=sys.stderr)
        return FAILED
    if not json_lines:
        print(json.dumps(final.get("results", {}), indent=2, ensure_ascii=False), flush=True)
    for node in failed:
        went_on = " (its map went on)" if state.gone_on_from(node) else ""
        print(f"psynapse run: {label(node)} failed{went_on}: {node.error}", file=sys.stderr)
    return FAILED if any(not state.gone_on_from(node) for node in failed) else OK


def sse_events(response: httpx.Response) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """(id, data) of each SSE message whose data is a JSON object, as EventSource reads them."""
    for message in EventSource(response).iter_sse():
        try:
            body = json.loads(message.data, parse_float=number_as_shown)
        except json.JSONDecodeError:
            continue
        if isinstance(body, dict):
            yield message.id or None, body


def number_as_shown(text: str) -> float | int:
    """A JSON number as the editor shows it: JavaScript has one number type, so 54.0 is 54.

    The gateway writes Python's floats (``54.0``); the CLI prints what a browser would
    (``54``), so a run's output reads the same in the terminal and the editor.
    """
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value
