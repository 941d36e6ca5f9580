"""What flows along the wires of a plan, and the steps of a segment's job.

The orchestrator routes values without decoding them: a completed node's output
is kept as encoded bytes, and only a multi-output node's dict is split, into its
encoded parts.
"""

from __future__ import annotations

from collections.abc import Container

import msgspec

from . import codec
from .graph import FUNCTION, SWITCH, VARIABLE, VIEW, Plan
from .messages import NIL, Step
from .policies import node_override

_parts_decoder = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])


class Wiring:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.outputs: dict[str, msgspec.Raw] = {}
        self._parts: dict[str, dict[str, msgspec.Raw]] = {}

    def set_output(self, node_id: str, output: msgspec.Raw | None) -> None:
        self.outputs[node_id] = output if output is not None else NIL

    def _output_key(self, source: str, handle: str | None) -> str | None:
        """The key a wire takes from its source's output: only multi-output nodes have keys."""
        keys = self.plan.output_keys(source)
        return handle if keys is not None and handle in keys else None

    def value_of(self, source: str, handle: str | None) -> msgspec.Raw:
        """What a wire from ``source``'s output ``handle`` carries (known once it ended)."""
        raw = self.outputs.get(source, NIL)
        key = self._output_key(source, handle)
        if key is None or codec.is_skipped(raw):
            return raw  # a skipped node's outputs are all untaken
        parts = self._parts.get(source)
        if parts is None:
            try:
                parts = _parts_decoder.decode(raw)
            except msgspec.DecodeError:
                parts = {}
            self._parts[source] = parts
        return parts.get(key, NIL)

    def steps(self, members: list[str], quick: Container[str], cached: Container[str]) -> list[Step]:
        """The job of a segment: each member with what it takes from the graph, from earlier
        members (a wire) and from other segments (their outputs, known by now).

        ``quick``: functions the runner calls on its event loop; ``cached``: functions
        it looks up in the output cache and stores there.
        """
        plan = self.plan
        steps: list[Step] = []
        in_job: set[str] = set()
        for node_id in members:
            node = plan.nodes[node_id]
            spec = plan.functions.get(node_id)
            inputs: dict[str, msgspec.Raw] = {}
            retry, timeout_s = None, None
            if spec is not None:
                inputs = {
                    param: msgspec.Raw(codec.encode_given(node.data[param]))
                    for param in spec.params
                    if param in node.data
                }
                retry, timeout_s = node_override(node, spec.params)  # checked when planned
            wires: dict[str, tuple[str, str | None]] = {}
            fed: list[str] = []
            for edge in plan.incoming[node_id]:
                param = edge.target_handle or ("" if node.type == FUNCTION else "input")
                if edge.source in in_job:
                    wires[param] = (edge.source, self._output_key(edge.source, edge.source_handle))
                    inputs.pop(param, None)
                else:
                    inputs[param] = self.value_of(edge.source, edge.source_handle)
                    fed.append(param)
            steps.append(
                Step(
                    node_id=node_id,
                    node_type=node.type,
                    node_name=plan.node_name(node_id),
                    data=node.data if node.type in (VARIABLE, SWITCH) else {},
                    inputs=inputs,
                    wires=wires,
                    fed=fed,
                    code_hash=spec.code_hash if spec is not None and spec.cacheable else "",
                    cache=spec is not None and spec.cacheable and bool(spec.code_hash) and node_id in cached,
                    quick=spec is not None and node_id in quick,
                    retry=retry,
                    timeout_s=timeout_s,
                )
            )
            in_job.add(node_id)
        return steps

    def view_results(self) -> dict[str, msgspec.Raw]:
        return {
            node_id: self.outputs.get(node_id, NIL) for node_id, node in self.plan.nodes.items() if node.type == VIEW
        }
