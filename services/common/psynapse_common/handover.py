"""Handing a small run of quick functions to one runner whole.

One job carries the graph; the runner runs its built-ins and functions in order and
publishes the run's final event with every node's events in it, so the run costs one
job and one stored event message instead of a round trip through an orchestrator per
step. Two hand it over:

- the orchestrator, for any run it takes: it keeps the run's submit, its cancel and a
  job given up, as for any run;
- the gateway, for an ``/execute`` run: straight to the runners, past the
  orchestrators (``direct``). Nobody learns that run's id before its answer, so nobody
  can ask for its record or cancel it while it runs; an orchestrator still ends it if
  its job is given up.
"""

from __future__ import annotations

from collections.abc import Callable

from .graph import Plan
from .messages import MAX_BATCH, Job, RunSubmit, WholeRun


def can_hand_over(
    plan: Plan,
    submit: RunSubmit,
    cached: bool,
    max_nodes: int,
    is_quick: Callable[[str], bool],
    resumed: bool = False,
) -> bool:
    """A small run of quick plain functions of one pool, no output cache, no env_vars.

    ``max_nodes`` is the setting; the final event carries every node's events, so
    never more than its batch holds. ``resumed``: another orchestrator had the run
    and its log holds nothing. It may have handed the run over, and that job may
    still wait for a runner (a busy pool) however quick its functions are: what this
    one learnt of them does not count, and the same job id (``whole_job_id``) makes
    JetStream keep one copy.
    """
    functions = plan.functions
    return (
        bool(functions)
        and not cached
        and submit.env_sealed is None
        and len(plan.nodes) <= min(max_nodes, MAX_BATCH // 2)
        and len({spec.pool for spec in functions.values()}) == 1
        and all(spec.kind == "function" for spec in functions.values())
        and (resumed or all(is_quick(node_id) for node_id in functions))
    )


def whole_job(submit: RunSubmit, plan: Plan, catalog_revision: int, direct: bool = False) -> tuple[str, Job]:
    """The run's one job, and the pool it goes to."""
    specs = {spec.name: spec for spec in plan.functions.values()}
    whole = WholeRun(
        nodes=submit.nodes,
        edges=submit.edges,
        functions=specs,
        submitted_at=submit.submitted_at,
        workflow=submit.workflow,
        direct=direct,
    )
    job = Job(run_id=submit.run_id, steps=[], catalog_revision=catalog_revision, whole=whole)
    return next(iter(specs.values())).pool, job


def submit_of(job: Job) -> RunSubmit:
    """The submit a whole run's job was made from (an orchestrator ending a direct run needs it)."""
    whole = job.whole
    assert whole is not None
    return RunSubmit(
        run_id=job.run_id,
        nodes=whole.nodes,
        edges=whole.edges,
        submitted_at=whole.submitted_at,
        workflow=whole.workflow,
        cache=False,
    )


def whole_job_id(run_id: str) -> str:
    return f"{run_id}:whole:job"
