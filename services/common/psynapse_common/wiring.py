"""What flows along the wires of a plan: input values of each node, as encoded bytes.

The orchestrator routes values without decoding them; only a multi-output node's
dict is split, and only into its encoded parts.
"""

from __future__ import annotations

import msgspec

from . import codec
from .graph import FUNCTION, LIST, VARIABLE, VIEW, Plan
from .messages import NIL, JobStep
from .values import variable_value

_parts_decoder = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])


class Wiring:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.outputs: dict[str, msgspec.Raw] = {}
        self._parts: dict[str, dict[str, msgspec.Raw]] = {}

    def set_output(self, node_id: str, output: msgspec.Raw | None) -> None:
        self.outputs[node_id] = output if output is not None else NIL

    def _edge_value(self, source: str, handle: str | None) -> msgspec.Raw:
        raw = self.outputs.get(source, NIL)
        spec = self.plan.functions.get(source)
        if spec is None or not spec.output_keys or handle not in spec.output_keys:
            return raw
        parts = self._parts.get(source)
        if parts is None:
            try:
                parts = _parts_decoder.decode(raw)
            except msgspec.DecodeError:
                parts = {}
            self._parts[source] = parts
        return parts.get(handle, NIL)  # type: ignore[arg-type]

    def builtin(self, node_id: str) -> tuple[dict[str, msgspec.Raw], msgspec.Raw]:
        """Inputs and output of a variable, list or view node (raises on bad data)."""
        node = self.plan.nodes[node_id]
        edges = self.plan.incoming[node_id]
        if node.type == VARIABLE:
            return {}, msgspec.Raw(codec.encode(variable_value(node.data)))
        inputs = {
            (e.target_handle or "input"): self._edge_value(e.source, e.source_handle) for e in edges
        }
        if node.type == LIST:
            return inputs, msgspec.Raw(msgspec.msgpack.encode(list(inputs.values())))
        assert node.type == VIEW
        return inputs, (next(iter(inputs.values())) if inputs else NIL)

    def job_steps(self, chain: list[str]) -> list[JobStep]:
        steps: list[JobStep] = []
        in_chain: set[str] = set()
        for node_id in chain:
            node = self.plan.nodes[node_id]
            assert node.type == FUNCTION
            spec = self.plan.functions[node_id]
            inputs: dict[str, msgspec.Raw] = {
                param: msgspec.Raw(codec.encode(node.data[param]))
                for param in spec.params
                if param in node.data
            }
            chained: dict[str, tuple[str, str | None]] = {}
            for edge in self.plan.incoming[node_id]:
                param = edge.target_handle or ""
                if edge.source in in_chain:
                    source_spec = self.plan.functions[edge.source]
                    key = edge.source_handle if source_spec.output_keys else None
                    chained[param] = (edge.source, key)
                    inputs.pop(param, None)
                else:
                    inputs[param] = self._edge_value(edge.source, edge.source_handle)
            steps.append(JobStep(node_id=node_id, function=spec.name, inputs=inputs, chained=chained))
            in_chain.add(node_id)
        return steps

    def view_results(self) -> dict[str, msgspec.Raw]:
        return {
            node_id: self.outputs.get(node_id, NIL)
            for node_id, node in self.plan.nodes.items()
            if node.type == VIEW
        }

