"""What ``psynapse run`` shows on stderr while a run goes: a live table, plain lines, or nothing.

``RunState`` folds the spec's SSE events into one record per node; a display reads
it. Stdout is left alone, so the view results printed at the end stay clean JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Self, TextIO

_OUTPUT_CHARS = 80
_BUILTINS = {"Variable", "List", "View"}


@dataclass
class NodeState:
    node_id: str
    number: int
    name: str
    status: str = "executing"
    progress: float | None = None
    message: str = ""
    text: str = ""
    output: Any = None
    error: str | None = None
    cached: bool = False
    # Its retries: the call coming (of how many), after what pause, and why.
    attempt: int = 1
    max_attempts: int = 1
    delay_s: float = 0.0
    retry_error: str = ""
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    spinner: Any = None  # a rich Spinner, kept so it animates across refreshes

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started


class RunState:
    def __init__(self) -> None:
        self.nodes: dict[str, NodeState] = {}
        self.final: dict[str, Any] | None = None
        self.run_id: str | None = None
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def feed(self, event: dict[str, Any]) -> NodeState | None:
        """Take one SSE event; return the node it is about (None for the run's last event)."""
        node_id = event.get("node_id")
        if node_id is None:
            if event.get("status") in ("done", "error"):
                self.final = event
            return None
        with self.lock:
            node = self.nodes.get(node_id)
            status = event.get("status", "")
            if node is None:
                node = self.nodes[node_id] = NodeState(
                    node_id, int(event.get("node_number") or len(self.nodes) + 1), str(event.get("node_name", ""))
                )
            elif status == "executing":  # a redelivered node starts again
                node.text, node.progress, node.started, node.ended = "", None, time.monotonic(), None
                node.attempt = 1
            node.status = status
            node.attempt = int(event.get("attempts") or node.attempt)
            if status == "progress":
                node.progress = float(event.get("progress") or 0.0)
                node.message = str(event.get("progress_message") or "")
            elif status == "streaming":
                node.text = str(event.get("streaming_text", node.text + str(event.get("streaming_chunk", ""))))
            elif status == "retrying":  # a new call streams its text afresh
                node.text, node.progress = "", None
                node.attempt, node.max_attempts = int(event.get("attempt") or 2), int(event.get("max_attempts") or 0)
                node.delay_s, node.retry_error = float(event.get("delay_s") or 0.0), str(event.get("error") or "")
            elif status == "completed":
                node.output, node.cached, node.ended = event.get("output"), bool(event.get("cached")), time.monotonic()
            elif status == "error":
                node.error, node.ended = str(event.get("error") or "failed"), time.monotonic()
            elif status == "skipped":
                node.ended = time.monotonic()
            return node

    def failed(self) -> list[NodeState]:
        return sorted((n for n in self.nodes.values() if n.status == "error"), key=lambda n: n.number)

    def gone_on_from(self, node: NodeState) -> bool:
        """A failure inside a map item that the map went on from (continue on error): the
        map node, an ancestor on the failed node's path, completed all the same."""
        parts = node.node_id.split("/")
        for depth in range(1, len(parts)):
            ancestor = self.nodes.get("/".join(parts[:depth]))
            if ancestor is not None and ancestor.status == "completed":
                return True
        return False


def short(value: Any, limit: int = _OUTPUT_CHARS) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retrying(node: NodeState) -> str:
    return f"retrying: {node.retry_error}; attempt {node.attempt} of {node.max_attempts} in {node.delay_s:g} s"


def attempts(node: NodeState) -> str:
    """How many calls a node took, when more than one."""
    return f" after {node.attempt} attempts" if node.attempt > 1 else ""


def label(node: NodeState) -> str:
    return (
        f"[{node.number}] {node.name} ({node.node_id})" if node.name != node.node_id else f"[{node.number}] {node.name}"
    )


class Display:
    """No display at all (``--json``: the events themselves go to stdout)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, event: dict[str, Any], node: NodeState | None) -> None:
        pass


class JsonLinesDisplay(Display):
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def update(self, event: dict[str, Any], node: NodeState | None) -> None:
        self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
        self.out.flush()


class PlainDisplay(Display):
    """One line per change, for logs and pipes; progress at most twice a second per node."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self._last_progress: dict[str, float] = {}

    def _line(self, text: str) -> None:
        self.err.write(text + "\n")
        self.err.flush()

    def update(self, event: dict[str, Any], node: NodeState | None) -> None:
        if node is None:
            return
        status = node.status
        if status == "executing":
            if node.name not in _BUILTINS:  # those finish at once; their completed line says it all
                self._line(f"{label(node)} running")
        elif status == "progress":
            now = time.monotonic()
            if node.progress is not None and (
                node.progress >= 1 or now - self._last_progress.get(node.node_id, 0) >= 0.5
            ):
                self._last_progress[node.node_id] = now
                self._line(f"{label(node)} {node.progress:.0%} {node.message}".rstrip())
        elif status == "completed":
            if node.text:
                self._line(f"{label(node)} streamed: {node.text}")
            cached = " (cached)" if node.cached else ""
            self._line(f"{label(node)} completed in {node.seconds:.2f} s{cached}{attempts(node)}: {short(node.output)}")
        elif status == "retrying":
            self._line(f"{label(node)} {retrying(node)}")
        elif status == "error":
            self._line(f"{label(node)} error{attempts(node)}: {node.error}")
        elif status == "skipped":
            self._line(f"{label(node)} skipped (a branch not taken)")


class RichDisplay(Display):
    """A live table on a terminal: spinners, progress bars, streamed text as it arrives."""

    def __init__(self, state: RunState, err: TextIO) -> None:
        from rich.console import Console
        from rich.live import Live

        self.state = state
        self.console = Console(file=err, stderr=True)
        self.live = Live(
            console=self.console,
            get_renderable=self.render,
            refresh_per_second=10,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )

    def __enter__(self) -> Self:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.refresh()
        self.live.stop()

    def update(self, event: dict[str, Any], node: NodeState | None) -> None:
        if node is not None and node.status in ("completed", "error", "skipped"):
            self.live.refresh()

    def render(self) -> Any:
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        with self.state.lock:
            nodes = sorted(self.state.nodes.values(), key=lambda n: n.number)
        table = Table(box=None, pad_edge=False, show_header=False, expand=False)
        table.add_column(justify="right", style="dim")
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        shown, hidden = self._fit(nodes)
        for node in shown:
            name = Text(node.name, style="bold")
            if node.node_id != node.name:
                name.append(f" {node.node_id}", style="dim")
            table.add_row(str(node.number), name, self._status(node), self._detail(node))
        parts: list[Any] = [table]
        if hidden:
            parts.append(Text(f"  … {hidden} finished nodes not shown", style="dim"))
        for node in nodes:
            if node.status == "streaming" and node.text:
                tail = "\n".join(node.text.splitlines()[-8:])[-800:]
                parts.append(
                    Panel(
                        Text(tail),
                        title=f"[{node.number}] {node.name}",
                        title_align="left",
                        border_style="cyan",
                        expand=False,
                    )
                )
        parts.append(self._summary(nodes))
        return Group(*parts)

    def _fit(self, nodes: list[NodeState]) -> tuple[list[NodeState], int]:
        room = max(5, self.console.height - 8)
        if len(nodes) <= room:
            return nodes, 0
        # Running and failed nodes always show; the most recent finished ones fill the rest.
        keep = {n.node_id for n in nodes if n.status not in ("completed", "skipped")}
        spare = room - len(keep)
        if spare > 0:
            completed = [n for n in nodes if n.status == "completed"]
            keep |= {n.node_id for n in completed[-spare:]}
        shown = [n for n in nodes if n.node_id in keep]
        return shown, len(nodes) - len(shown)

    def _status(self, node: NodeState) -> Any:
        from rich.progress_bar import ProgressBar
        from rich.spinner import Spinner
        from rich.text import Text

        if node.status == "completed":
            return Text("✓", style="green")
        if node.status == "error":
            return Text("✗", style="red")
        if node.status == "skipped":
            return Text("–", style="dim")
        if node.status == "progress" and node.progress is not None:
            return ProgressBar(total=1.0, completed=min(1.0, node.progress), width=20)
        if node.status == "retrying":
            return Text("↻", style="yellow")
        if node.spinner is None:
            node.spinner = Spinner("dots", style="cyan")
        return node.spinner

    def _detail(self, node: NodeState) -> Any:
        from rich.text import Text

        if node.status == "completed":
            cached = ", cached" if node.cached else ""
            return Text(f"{node.seconds:.2f} s{cached}{attempts(node)}  → {short(node.output)}", style="dim")
        if node.status == "error":
            return Text(f"{node.error or 'failed'}{attempts(node)}", style="red")
        if node.status == "retrying":
            return Text(retrying(node), style="yellow")
        if node.status == "skipped":
            return Text("skipped: a branch not taken", style="dim")
        if node.status == "progress":
            return Text(f"{(node.progress or 0):.0%} {node.message}")
        if node.status == "streaming":
            return Text(f"streaming, {len(node.text)} characters", style="cyan")
        return Text(f"running {node.seconds:.1f} s", style="dim")

    def _summary(self, nodes: list[NodeState]) -> Any:
        from rich.text import Text

        done = sum(n.status == "completed" for n in nodes)
        failed = sum(n.status == "error" for n in nodes)
        skipped = sum(n.status == "skipped" for n in nodes)
        running = len(nodes) - done - failed - skipped
        elapsed = time.monotonic() - self.state.started
        text = Text(f"{done} done, {running} running", style="dim")
        if skipped:
            text.append(f", {skipped} skipped", style="dim")
        if failed:
            text.append(f", {failed} failed", style="red")
        text.append(f" · {elapsed:.1f} s", style="dim")
        return text


def choose_display(state: RunState, json_lines: bool, err: TextIO = sys.stderr, out: TextIO = sys.stdout) -> Display:
    if json_lines:
        return JsonLinesDisplay(out)
    if err.isatty():
        return RichDisplay(state, err)
    return PlainDisplay(err)
