"""Run events -> the spec's SSE event objects, byte for byte.

A pure fold over a run's events in stream order: ``node_number`` counts the
``executing`` events as they appear, streamed text accumulates per node, and every
node event repeats the node's inputs, as the spec shows. A node that ends with no
start before it (a quick node, a cache hit, a dependant of a failure) starts and
ends at once: the spec's ``executing`` comes first, made from its end; a skipped node
(a branch not taken) is one ``skipped`` event and nothing else. Replaying a
run from its first event therefore gives the same objects every time. A node's
``error`` event may also say why it never ran (``error_kind``: ``upstream`` or
``cancelled``), that it ran too long (``timeout``), and where its own code raised
(``traceback``), beside the spec's fields. A node called again after a failure (its
retry policy) has a ``retrying`` event before each new call, with the attempt's
number, the error and the pause, and its end says how many ``attempts`` it took.
"""

from __future__ import annotations

from typing import Any

import msgspec

from psynapse_common.codec import show
from psynapse_common.graph import error_kind
from psynapse_common.messages import Event, NodeEvent, NodeEvents, ProgressEvent, RunEvent, StreamEvent


class SseTranslator:
    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._names: dict[str, str] = {}
        self._inputs: dict[str, dict[str, Any]] = {}
        self._texts: dict[str, str] = {}
        self._started: set[str] = set()
        self._ended: set[str] = set()
        self.dropped = 0  # node events after the node's end, left out
        self.finished = False
        self._blobs: dict[str, bytes] | None = None

    def _number(self, node_id: str) -> int:
        number = self._numbers.get(node_id)
        if number is None:
            number = self._numbers[node_id] = len(self._numbers) + 1
        return number

    def _head(self, node_id: str, status: str) -> dict[str, Any]:
        return {
            "node_id": node_id,
            "node_number": self._number(node_id),
            "node_name": self._names.get(node_id, ""),
            "status": status,
        }

    def translate(self, event: Event, blobs: dict[str, bytes] | None = None) -> list[dict[str, Any]]:
        """The spec events one stored event stands for (for a node's end, maybe its start too).

        ``blobs`` holds the contents of large values the event refers to.
        """
        self._blobs = blobs
        if isinstance(event, NodeEvents):
            return [body for item in event.events for body in self._node_bodies(item)]
        return [self._other(event)]

    def _node_bodies(self, event: NodeEvent) -> list[dict[str, Any]]:
        if event.node_id in self._ended:
            # A node ends once: a late copy (a cancel racing a completion) changes
            # nothing a client has seen. The log should never hold one: counted, so
            # the metric says when it does.
            self.dropped += 1
            return []
        if event.status == "executing":
            self._started.add(event.node_id)
            return [self._node(event)]
        if event.status == "retrying":
            bodies = []
            if event.node_id not in self._started:
                self._started.add(event.node_id)
                bodies.append(self._node(msgspec.structs.replace(event, status="executing")))
            return [*bodies, self._retry(event)]
        self._ended.add(event.node_id)
        if event.status == "skipped":
            # It never ran: no start, no inputs, no output (an addition to the spec's statuses).
            self._names[event.node_id] = event.node_name
            return [self._head(event.node_id, "skipped")]
        if event.node_id in self._started:
            return [self._node(event)]
        opening = msgspec.structs.replace(event, status="executing")
        return [self._node(opening), self._node(event)]

    def _other(self, event: Event) -> dict[str, Any]:
        if isinstance(event, ProgressEvent):
            body = self._head(event.node_id, "progress")
            body["progress"] = event.progress
            body["progress_message"] = event.message
            body["inputs"] = self._inputs.get(event.node_id, {})
            return body
        if isinstance(event, StreamEvent):
            text = self._texts.get(event.node_id, "") + event.chunk
            self._texts[event.node_id] = text
            body = self._head(event.node_id, "streaming")
            body["streaming_text"] = text
            body["streaming_chunk"] = event.chunk
            body["inputs"] = self._inputs.get(event.node_id, {})
            return body
        assert isinstance(event, RunEvent)
        self.finished = True
        if event.status == "done":
            return {"status": "done", "results": {k: show(v, self._blobs) for k, v in event.results.items()}}
        return {"status": "error", "error": event.error or "run failed"}

    def _retry(self, event: NodeEvent) -> dict[str, Any]:
        # An addition to the spec's statuses: the call that failed, and the next one's number and pause.
        self._texts.pop(event.node_id, None)  # the next call streams its text afresh
        body = self._head(event.node_id, "retrying")
        body["inputs"] = self._inputs.get(event.node_id, {})
        body["attempt"] = event.tries
        body["max_attempts"] = event.max_tries
        body["error"] = event.error or "failed"
        body["delay_s"] = event.delay_s or 0.0
        return body

    def _node(self, event: NodeEvent) -> dict[str, Any]:
        self._names[event.node_id] = event.node_name
        if event.status == "executing":
            # A redelivered node starts again: its text and inputs start afresh too.
            self._texts.pop(event.node_id, None)
            self._inputs[event.node_id] = {k: show(v, self._blobs) for k, v in event.inputs.items()}
        elif event.inputs and event.node_id not in self._inputs:
            self._inputs[event.node_id] = {k: show(v, self._blobs) for k, v in event.inputs.items()}
        body = self._head(event.node_id, event.status)
        body["inputs"] = self._inputs.get(event.node_id, {})
        if event.status == "completed":
            body["output"] = show(event.output, self._blobs)
            if event.cached:
                body["cached"] = True
        elif event.status == "error":
            body["error"] = event.error or "failed"
            # Ours, beside the spec's fields: a node that never ran is not a failure of its own.
            kind = "timeout" if event.timed_out else error_kind(event.error)
            if kind is not None:
                body["error_kind"] = kind
            if event.traceback:
                body["traceback"] = event.traceback
        if event.tries > 1 and event.status in ("completed", "error"):
            body["attempts"] = event.tries
        return body
