"""Executing one segment: its steps in order, each with the output cache and its events.

One code path for every job, written as a generator its driver steps through. The
runner drives it on its event loop (calls inline or on a thread, lookups in the cache
bucket, events published as they come); the in-process baseline drives it in a plain
thread without a cache. What the generator cannot do itself, it yields:

- ``Lookup(keys)``: cache entries; answered with one output (or None) per key.
- ``Fetch(values)``: the object store blobs those values refer to; answered with
  their contents by name.
- ``Call``: a function step to call; answered with the ``Outcome`` of ``invoke``, or of
  ``invoke_async`` for an awaited one (the driver picks where it runs).
- ``FLUSH``: publish ``take_events()`` now; answered with None. It comes before a
  slow call starts and after it ends, so the run's other work goes on meanwhile;
  quick steps' events wait for the next one, and share a message.
- ``Wait(seconds)``: the pause before a retry; answered with None (the driver stops
  the walk instead when the run is cancelled meanwhile).

Retries and timeouts (``policies``): a call that fails is made again as its node's
policy says, each attempt after the first announced by a ``retrying`` event (the
attempt's number, the error, the pause); a ``Call`` carries its time limit, which the
call itself checks at every report and once it returns (an awaited call's task is
cancelled when it is reached), and a driver may enforce sooner (the runner abandons a
thread that runs past it). The retries of an awaited call are the walk's like any other's.

The cache (see ``cache``): before anything runs, every cacheable function's key is
looked up in one request: its content key when its inputs are known already (given
in the graph or by other segments, or by built-ins that need nothing else), else its
lineage key. A slow step that was not found is looked up again by its content key
once its inputs are known: a round trip is cheap beside it. A quick one just runs.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from . import builtins, codec
from .blobs import MARKER
from .cache import LINEAGE_PREFIX, cache_key, lineage_key, value_digest
from .graph import FUNCTION
from .invoke import (
    NodeInputError,
    NodeTimedOut,
    RunCancelled,
    call_node,
    call_node_async,
    describe_error,
    describe_traceback,
    prepare_kwargs,
)
from .messages import NIL, Job, NodeEvent, NodeStatus, Step
from .policies import policy_of

_parts_decoder = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])
_MISSING = object()


@dataclass
class Lookup:
    keys: list[str]


@dataclass
class Fetch:
    values: list[msgspec.Raw]


@dataclass
class Call:
    step: Step
    spec: Any
    inputs: dict[str, msgspec.Raw]  # as the node's events show them
    objects: dict[str, Any]  # inputs already decoded: an earlier step's result, its only consumer
    timeout_s: float | None = None  # the limit of this attempt


@dataclass
class Wait:
    seconds: float


class _Flush:
    pass


FLUSH = _Flush()
Need = Lookup | Fetch | Call | Wait | _Flush


@dataclass
class Outcome:
    result: Any = None
    output: msgspec.Raw = field(default_factory=lambda: NIL)
    error: str | None = None
    traceback: str | None = None
    duration_ms: float = 0.0
    # What the node's own code raised (None for our failures: a missing input, a
    # cancel), which its retry policy is asked about; and whether it ran past its timeout.
    exception: BaseException | None = None
    timed_out: bool = False


class SegmentRun:
    def __init__(
        self,
        job: Job,
        specs: Callable[[str], Any],
        attempt: int = 1,
        blobs: dict[str, bytes] | None = None,
        use_cache: bool = False,
        scrub: Callable[[str], str] = lambda message: message,
        broken: Exception | None = None,
    ) -> None:
        self.job = job
        self.run_id = job.run_id
        self._specs = specs
        self._attempt = attempt
        self.blobs: dict[str, bytes] = blobs if blobs is not None else {}
        self._use_cache = use_cache
        self._scrub = scrub
        self._broken = broken  # every call fails with it (env_vars that cannot be opened)
        self.outputs: dict[str, msgspec.Raw] = {}
        self._ended: set[str] = set()  # steps whose end event is made
        # Cache entries to put once the events are out: (key, value, the node whose output it is).
        self.stores: list[tuple[str, msgspec.Raw, str | None]] = []
        self._events: list[NodeEvent] = []
        self._parts: dict[str, dict[str, msgspec.Raw]] = {}
        self._objects: dict[tuple[str, str | None], Any] = {}
        self._readers: dict[tuple[str, str | None], int] = {}
        for step in job.steps:
            for wire in step.wires.values():
                self._readers[wire] = self._readers.get(wire, 0) + 1
        # The cache's view of this segment (empty without it).
        self._found: dict[str, msgspec.Raw | None] = {}
        self._content_keys: dict[str, str] = {}  # steps whose inputs are known before they run
        self._lineages: dict[str, bytes] = {}
        self._tries: dict[str, int] = {}  # steps called more than once: their calls so far

    def take_events(self) -> list[NodeEvent]:
        events, self._events = self._events, []
        return events

    # -- the walk ----------------------------------------------------------------------
    def drive(self) -> Generator[Need, Any, None]:
        steps = self.job.steps
        waits_for_call = self._waits_for_a_call()
        for step in steps:
            if step.node_id not in waits_for_call:
                self._builtin(step)
        if self._use_cache and any(step.cache for step in steps):
            if any(not step.quick for step in steps if step.node_type == FUNCTION):
                # A slow call is coming, so its flush would split the messages anyway:
                # what is known goes out before the lookup's round trip.
                yield FLUSH
            yield from self._look_up_known()
        for step in steps:
            if step.node_id not in waits_for_call:
                continue
            inputs = self._inputs(step)
            if inputs is None:
                continue  # an input failed: the orchestrator fails this node and says why
            if step.node_type != FUNCTION:
                self._builtin(step, inputs)
                continue
            arrived = self._arrived(step, inputs)
            if arrived is None:
                self._skip(step)
            else:
                yield from self._function(step, arrived)
        yield FLUSH

    def _waits_for_a_call(self) -> set[str]:
        """Steps that are functions or need one's output: the rest can run first, in order."""
        found: set[str] = set()
        for step in self.job.steps:
            if step.node_type == FUNCTION or any(source in found for source, _ in step.wires.values()):
                found.add(step.node_id)
        return found

    def _function(self, step: Step, inputs: dict[str, msgspec.Raw]) -> Generator[Need, Any, None]:
        if not step.quick:
            # What ran before goes out first, so its dependants start meanwhile. Where the
            # messages split depends only on the job, so a job run again after its runner
            # died publishes the same messages (and ids) again, and the stream drops them.
            yield FLUSH
        yield from self._call_or_hit(step, inputs)
        if not step.quick:
            yield FLUSH

    def _call_or_hit(self, step: Step, inputs: dict[str, msgspec.Raw]) -> Generator[Need, Any, None]:
        spec = self._specs(step.node_name)
        if spec is None:
            self._end(step, "error", inputs, error=f"function {step.node_name!r} is not loaded on this runner")
            return
        cached = self._use_cache and step.cache
        if cached:
            hit = yield from self._hit(step, inputs)
            if hit is not None:
                if MARKER in bytes(hit) and any(reader[0] == step.node_id for reader in self._readers):
                    self.blobs.update((yield Fetch([hit])))
                self.outputs[step.node_id] = hit
                self._end(step, "completed", inputs, output=hit, cached=True, duration_ms=0.0)
                return
        if not step.quick:
            self._events.append(self._event(step, "executing", inputs))
            yield FLUSH
        objects = {}
        for param, wire in step.wires.items():
            kept = self._objects.pop(wire, _MISSING)
            if kept is not _MISSING:
                objects[param] = kept
        outcome = yield from self._attempts(step, spec, inputs, objects)
        if outcome.error is not None:
            self._end(
                step,
                "error",
                inputs,
                error=outcome.error,
                traceback=outcome.traceback,
                duration_ms=outcome.duration_ms,
                tries=self._tries.get(step.node_id, 0),
                timed_out=outcome.timed_out,
            )
            return
        self.outputs[step.node_id] = outcome.output
        self._keep_result(step.node_id, outcome.result, spec)
        self._end(
            step,
            "completed",
            inputs,
            output=outcome.output,
            duration_ms=outcome.duration_ms,
            tries=self._tries.get(step.node_id, 0),
        )
        if cached:
            self._store(step, inputs, outcome.output)

    def _attempts(
        self, step: Step, spec: Any, inputs: dict[str, msgspec.Raw], objects: dict[str, Any]
    ) -> Generator[Need, Any, Outcome]:
        """Call the function until a call succeeds or its policy says no more; the last outcome."""
        policy = policy_of(spec, step.retry, step.timeout_s)
        attempt = 1
        while True:
            outcome: Outcome = yield Call(step, spec, inputs, objects, policy.timeout_s)
            if outcome.error is None or not policy.retries(attempt, outcome.exception):
                return outcome
            delay = policy.delay(attempt)
            if attempt == 1 and step.quick:
                # A quick call has no start event of its own: its first retry needs one.
                self._events.append(self._event(step, "executing", inputs))
            attempt += 1
            self._tries[step.node_id] = attempt
            self._events.append(
                self._event(
                    step, "retrying", {}, error=outcome.error, tries=attempt, max_tries=policy.times, delay_s=delay
                )
            )
            yield FLUSH
            yield Wait(delay)
            # The next call decodes its inputs afresh: the last one may have changed them.
            objects = {}

    def _store(self, step: Step, inputs: dict[str, msgspec.Raw], output: msgspec.Raw) -> None:
        lineage = self._lineages.get(step.node_id)
        known = step.node_id in self._content_keys
        if lineage is not None and not known:
            self.stores.append((LINEAGE_PREFIX + lineage.hex(), output, step.node_id))
        if known or lineage is None or not step.quick:
            key = self._content_keys.get(step.node_id) or cache_key(step.code_hash, step.node_name, inputs)
            self.stores.append((key, output, step.node_id))

    def _keep_result(self, node_id: str, result: Any, spec: Any) -> None:
        """Keep the object for its one consumer here, which then needs no decoding."""
        if spec.output_keys and isinstance(result, dict):
            for key in spec.output_keys:
                if self._readers.get((node_id, key)) == 1 and key in result:
                    self._objects[(node_id, key)] = result[key]
        elif self._readers.get((node_id, None)) == 1:
            self._objects[(node_id, None)] = result

    def _builtin(self, step: Step, inputs: dict[str, msgspec.Raw] | None = None) -> None:
        if inputs is None:
            inputs = self._inputs(step)
            if inputs is None:
                return
        arrived = self._arrived(step, inputs)
        if arrived is None:
            self._skip(step)
            return
        inputs = arrived
        try:
            output = builtins.evaluate(step, inputs, self.blobs)
        except Exception as exc:  # noqa: BLE001 - bad built-in data fails that node only
            self._end(step, "error", inputs, error=f"{step.node_name}: {describe_error(exc)}")
            return
        self.outputs[step.node_id] = output
        self._end(step, "completed", inputs, output=output, duration_ms=0.0)

    def _inputs(self, step: Step) -> dict[str, msgspec.Raw] | None:
        """The step's input values, or None when one of its sources here did not complete."""
        if not step.wires:
            return step.inputs
        inputs = dict(step.inputs)
        for param, (source, key) in step.wires.items():
            raw = self.outputs.get(source)
            if raw is None:
                return None
            inputs[param] = raw if key is None else self._part(source, raw, key)
        return inputs

    def _arrived(self, step: Step, inputs: dict[str, msgspec.Raw]) -> dict[str, msgspec.Raw] | None:
        """The inputs that arrived, or None when the step is skipped: every input wired to
        it came untaken, or one it cannot do without did. An optional one left untaken
        takes its default, as if it were not connected."""
        wired = [*step.wires, *step.fed]
        untaken = {param for param in wired if codec.is_skipped(inputs[param])}
        if not untaken:
            return inputs
        if len(untaken) == len(wired) or untaken & self._required(step):
            return None
        return {param: value for param, value in inputs.items() if param not in untaken}

    def _required(self, step: Step) -> set[str]:
        if step.node_type != FUNCTION:
            return builtins.required_inputs(step)
        spec = self._specs(step.node_name)
        if spec is None:
            return set(step.wires) | set(step.fed)
        return {param["name"] for param in spec.schema["params"] if "default" not in param}

    def _skip(self, step: Step) -> None:
        self.outputs[step.node_id] = codec.SKIPPED
        self._ended.add(step.node_id)
        self._events.append(NodeEvent(node_id=step.node_id, node_name=step.node_name, status="skipped"))

    def _part(self, source: str, raw: msgspec.Raw, key: str) -> msgspec.Raw:
        if codec.is_skipped(raw):
            return codec.SKIPPED  # a skipped node's outputs are all untaken
        parts = self._parts.get(source)
        if parts is None:
            try:
                parts = _parts_decoder.decode(raw)
            except msgspec.DecodeError:
                parts = {}
            self._parts[source] = parts
        return parts.get(key, NIL)

    def _event(self, step: Step, status: NodeStatus, inputs: dict[str, msgspec.Raw], **fields: Any) -> NodeEvent:
        return NodeEvent(
            node_id=step.node_id,
            node_name=step.node_name,
            status=status,
            inputs=inputs,
            attempt=self._attempt,
            **fields,
        )

    def _end(self, step: Step, status: NodeStatus, inputs: dict[str, msgspec.Raw], **fields: Any) -> None:
        self._ended.add(step.node_id)
        self._events.append(self._event(step, status, inputs, **fields))

    def cancel_rest(self) -> list[NodeEvent]:
        """The run was cancelled: ends for the steps this job still owes.

        Not for steps an input of which failed or was cancelled: the orchestrator says
        why those never ran, as it does for every dependant.
        """
        ends: list[NodeEvent] = []
        lost: set[str] = set()
        for step in self.job.steps:
            node_id = step.node_id
            if any(
                source in lost or (source in self._ended and source not in self.outputs)
                for source, _ in step.wires.values()
            ):
                lost.add(node_id)
            elif node_id not in self._ended:
                self._ended.add(node_id)
                lost.add(node_id)
                ends.append(self._event(step, "error", {}, error="cancelled"))
        return ends

    # -- calling a function (in whatever thread the driver chose) ------------------------
    def invoke(
        self,
        call: Call,
        on_progress: Callable[[float, str], None],
        on_chunk: Callable[[str], None],
        cancelled: threading.Event | None = None,
    ) -> Outcome:
        """Call the node in this thread; one whose call is awaited runs on an event loop of its own here."""
        with _Calling(self._scrub, self._broken) as calling:
            kwargs = self._kwargs(call)
            if call.spec.awaited:
                result = asyncio.run(
                    call_node_async(call.spec, kwargs, on_progress, on_chunk, cancelled, call.timeout_s)
                )
            else:
                result = call_node(call.spec, kwargs, on_progress, on_chunk, cancelled, call.timeout_s)
            calling.done(result)
        return calling.outcome

    async def invoke_async(
        self,
        call: Call,
        on_progress: Callable[[float, str], None],
        on_chunk: Callable[[str], None],
        cancelled: threading.Event | None = None,
    ) -> Outcome:
        """Await a node whose call is awaited, on the running event loop (its time limit an
        asyncio timeout: the node's task is cancelled at the await it is in)."""
        with _Calling(self._scrub, self._broken) as calling:
            kwargs = self._kwargs(call)
            calling.done(await call_node_async(call.spec, kwargs, on_progress, on_chunk, cancelled, call.timeout_s))
        return calling.outcome

    def _kwargs(self, call: Call) -> dict[str, Any]:
        if self._broken is not None:
            raise self._broken
        values = dict(call.objects)
        for name, raw in call.inputs.items():
            if name not in values:
                values[name] = codec.decode(raw, self.blobs)
        return prepare_kwargs(call.spec, values)

    # -- the output cache ---------------------------------------------------------------
    def _look_up_known(self) -> Generator[Need, Any, None]:
        """One request for every key known now: content keys where inputs are, else lineages."""
        keys: list[str] = []
        needed = self._lineage_needed()
        for step in self.job.steps:
            if step.node_id not in needed:
                continue
            if step.node_type != FUNCTION or not step.code_hash:
                lineage = self._builtin_lineage(step)
                if lineage is not None:
                    self._lineages[step.node_id] = lineage
                continue
            inputs = self._inputs(step)
            if inputs is not None and all(source in self.outputs for source, _ in step.wires.values()):
                key = cache_key(step.code_hash, step.node_name, inputs)
                self._content_keys[step.node_id] = key
                self._lineages[step.node_id] = bytes.fromhex(key)
                if step.cache:
                    keys.append(key)
                continue
            lineage = self._function_lineage(step)
            if lineage is not None:
                self._lineages[step.node_id] = lineage
                if step.cache:
                    keys.append(LINEAGE_PREFIX + lineage.hex())
        if keys:
            self._found = dict(zip(keys, (yield Lookup(keys)), strict=True))

    def _lineage_needed(self) -> set[str]:
        """Cached steps and every step of this job they take inputs from, however far back."""
        needed: set[str] = set()
        for step in reversed(self.job.steps):
            if step.cache or step.node_id in needed:
                needed.add(step.node_id)
                needed.update(source for source, _ in step.wires.values())
        return needed

    def _hit(self, step: Step, inputs: dict[str, msgspec.Raw]) -> Generator[Need, Any, msgspec.Raw | None]:
        node_id = step.node_id
        known = self._content_keys.get(node_id)
        if known is not None:
            return self._found.get(known)
        lineage = self._lineages.get(node_id)
        if lineage is not None:
            found = self._found.get(LINEAGE_PREFIX + lineage.hex())
            if found is not None:
                return found
        if step.quick:
            return None  # running it costs less than asking
        answer: list[msgspec.Raw | None] = yield Lookup([cache_key(step.code_hash, step.node_name, inputs)])
        return answer[0]

    def _source_lineage(self, step: Step, param: str) -> bytes | None:
        wire = step.wires.get(param)
        if wire is None:
            return value_digest(step.inputs[param])
        source, key = wire
        if source in self.outputs:  # ran already: what it gave is known exactly
            raw = self.outputs[source]
            return value_digest(raw if key is None else self._part(source, raw, key))
        upstream = self._lineages.get(source)
        return None if upstream is None else upstream + b"\0" + (key or "").encode()

    def _function_lineage(self, step: Step) -> bytes | None:
        sources: dict[str, bytes] = {}
        for param in [*step.inputs, *step.wires]:
            source = self._source_lineage(step, param)
            if source is None:
                return None
            sources[param] = source
        return bytes.fromhex(lineage_key(step.code_hash, step.node_name, sources))

    def _builtin_lineage(self, step: Step) -> bytes | None:
        if step.node_type == FUNCTION:
            return None  # not cached: nothing downstream can be predicted from it
        if step.node_id in self.outputs:
            return value_digest(self.outputs[step.node_id])
        parts = [self._source_lineage(step, param) for param in sorted([*step.inputs, *step.wires])]
        if any(part is None for part in parts):
            return None
        return value_digest(msgspec.msgpack.encode([step.node_type, *parts]))


class _Calling:
    """One node call's Outcome: its encoded result, or what it raised (a node's failure is
    reported, not raised; a cancelled task or a stopping process is not a node's failure)."""

    def __init__(self, scrub: Callable[[str], str], broken: Exception | None) -> None:
        self._scrub = scrub
        self._broken = broken
        self._started = time.perf_counter()
        self.outcome = Outcome()

    def __enter__(self) -> _Calling:
        return self

    def done(self, result: Any) -> None:
        output = msgspec.Raw(codec.encode(result))
        self.outcome = Outcome(result=result, output=output, duration_ms=_since(self._started))

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if not isinstance(exc, Exception):
            return False
        trace = describe_traceback(exc)
        ours = exc is self._broken or isinstance(exc, (NodeInputError, RunCancelled))
        self.outcome = Outcome(
            error=self._scrub(describe_error(exc)),
            traceback=self._scrub(trace) if trace else None,
            duration_ms=_since(self._started),
            exception=None if ours else exc,
            timed_out=isinstance(exc, NodeTimedOut),
        )
        return True


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def run_here(
    run: SegmentRun,
    publish: Callable[[list[NodeEvent]], None],
    on_progress: Callable[[str, float, str], None] | None = None,
    on_chunk: Callable[[str, str], None] | None = None,
    cancelled: threading.Event | None = None,
    look_up: Callable[[list[str]], list[msgspec.Raw | None]] | None = None,
) -> None:
    """Drive a segment in the calling thread, every call here too: the in-process way.

    ``look_up`` answers cache lookups (none asked without a cache); blobs are never
    needed, since nothing leaves the process.
    """
    walk = run.drive()
    answer: Any = None
    while True:
        if cancelled is not None and cancelled.is_set():
            return
        try:
            need = walk.send(answer)
        except StopIteration:
            return
        answer = None
        if need is FLUSH:
            publish(run.take_events())
        elif isinstance(need, Call):
            node_id = need.step.node_id
            answer = run.invoke(
                need,
                functools.partial(on_progress, node_id) if on_progress else _ignore,
                functools.partial(on_chunk, node_id) if on_chunk else _ignore,
                cancelled,
            )
        elif isinstance(need, Lookup):
            answer = look_up(need.keys) if look_up is not None else [None] * len(need.keys)
        elif isinstance(need, Fetch):
            answer = {}
        elif isinstance(need, Wait):
            if cancelled is not None:
                cancelled.wait(need.seconds)
            else:
                time.sleep(need.seconds)


def _ignore(*_: Any) -> None:
    """Reports nobody listens to."""
