"""A whole run executed in the calling thread, one node at a time in topological order.

Two users: a runner given a small run whose function nodes all proved quick
(one job, no orchestrator round trip per node), and the in-process bench
baseline. Both call functions their own way; the walk over the graph, the
built-ins and the failure of dependants are this module's.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import msgspec

from .graph import FUNCTION, Plan, Schedule
from .invoke import describe_error
from .messages import NIL, JobStep, NodeEvent, RunEvent
from .wiring import Wiring

# Runs a function node's step; returns its end event (completed or error), or
# None when the run was cancelled under it.
CallStep = Callable[[JobStep], "NodeEvent | None"]


class LocalRun:
    def __init__(
        self,
        plan: Plan,
        run_id: str,
        call_step: CallStep,
        emit: Callable[[NodeEvent], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> None:
        self.plan = plan
        self.run_id = run_id
        self._call_step = call_step
        self._emit = emit  # None: nobody reads the events, so none are built
        self._cancelled = cancelled
        self.schedule = Schedule(plan)
        self.wiring = Wiring(plan)

    def execute(self) -> bool:
        """Run every node; False when cancelled before the end."""
        # FIFO over the schedule's ready lists is a topological order.
        ready = deque(self.schedule.initial())
        while ready:
            if self._cancelled is not None and self._cancelled.is_set():
                return False
            node_id = ready.popleft()
            if self.schedule.is_settled(node_id):
                continue  # a failed input already ended it
            if self.plan.nodes[node_id].type == FUNCTION:
                end = self._call_step(self.wiring.job_steps([node_id])[0])
                if end is None:
                    return False
                ready.extend(self._ended(node_id, end))
            else:
                ready.extend(self._builtin(node_id))
        return True

    def final(self, **fields: object) -> RunEvent:
        """The run's final event; ``fields`` add what only the caller knows (times, events)."""
        return RunEvent(
            run_id=self.run_id,
            status="done",
            results=self.wiring.view_results(),
            errors=dict(self.schedule.failed),
            node_count=len(self.plan.nodes),
            **fields,  # type: ignore[arg-type]
        )

    def _ended(self, node_id: str, end: NodeEvent) -> list[str]:
        if self._emit is not None:
            self._emit(end)
        if end.status == "completed":
            self.wiring.set_output(node_id, end.output)
            return self.schedule.complete(node_id)
        return self._fail(node_id, end.error or "failed")

    def _builtin(self, node_id: str) -> list[str]:
        try:
            inputs, output = self.wiring.builtin(node_id)
        except Exception as exc:  # noqa: BLE001 - bad variable data fails that node only
            message = describe_error(exc)
            name = self.plan.node_name(node_id)
            self._event(node_id, "error", {}, error=f"{name}: {message}")
            return self._fail(node_id, message)
        self.wiring.set_output(node_id, output)
        self._event(node_id, "completed", inputs, output=output)
        return self.schedule.complete(node_id)

    def _fail(self, node_id: str, message: str) -> list[str]:
        for dependant, reason in self.schedule.fail(node_id, message):
            self._event(dependant, "error", {}, error=reason)
        return []

    def _event(self, node_id: str, status: str, inputs: dict[str, msgspec.Raw], **fields: Any) -> None:
        if self._emit is not None:
            self._emit(node_event(self.plan, self.run_id, node_id, status, inputs, instant=True, **fields))


def node_event(
    plan: Plan,
    run_id: str,
    node_id: str,
    status: str,
    inputs: dict[str, msgspec.Raw],
    output: msgspec.Raw | None = None,
    error: str | None = None,
    **flags: object,
) -> NodeEvent:
    """A node's event as the node's plan names it (``flags``: instant, cached, ...)."""
    return NodeEvent(
        run_id=run_id,
        node_id=node_id,
        node_name=plan.node_name(node_id),
        status=status,  # type: ignore[arg-type]
        inputs=inputs,
        output=output if output is not None else NIL,
        error=error,
        **flags,  # type: ignore[arg-type]
    )
