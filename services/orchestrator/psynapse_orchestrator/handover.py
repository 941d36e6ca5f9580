"""Handing a small run of quick functions to one runner whole.

One job carries the graph; the runner runs its built-ins and functions in order and
publishes the run's final event with every node's events in it, so the run costs one
job and one stored event message instead of a round trip through here per step. The
orchestrator keeps the run's submit, its cancel and a job given up, as for any run.
"""

from __future__ import annotations

from collections.abc import Callable

from psynapse_common.graph import Plan
from psynapse_common.messages import Job, RunSubmit, WholeRun


def can_hand_over(
    plan: Plan,
    submit: RunSubmit,
    cached: bool,
    max_nodes: int,
    is_quick: Callable[[str], bool],
    resumed: bool,
) -> bool:
    """A small run of quick plain functions of one pool, no output cache, no env_vars.

    ``resumed``: another orchestrator had the run and its log holds nothing. It may
    have handed the run over, and that job may still wait for a runner (a busy pool)
    however quick its functions are: what this one learnt of them does not count,
    and the same job id (``whole_job_id``) makes JetStream keep one copy.
    """
    functions = plan.functions
    return (
        bool(functions)
        and not cached
        and submit.env_sealed is None
        and len(plan.nodes) <= max_nodes
        and len({spec.pool for spec in functions.values()}) == 1
        and all(spec.kind == "function" for spec in functions.values())
        and (resumed or all(is_quick(node_id) for node_id in functions))
    )


def whole_job(submit: RunSubmit, plan: Plan, catalog_revision: int) -> tuple[str, Job]:
    """The run's one job, and the pool it goes to."""
    specs = {spec.name: spec for spec in plan.functions.values()}
    whole = WholeRun(
        nodes=submit.nodes,
        edges=submit.edges,
        functions=specs,
        submitted_at=submit.submitted_at,
        workflow=submit.workflow,
    )
    job = Job(run_id=submit.run_id, steps=[], catalog_revision=catalog_revision, whole=whole)
    return next(iter(specs.values())).pool, job


def whole_job_id(run_id: str) -> str:
    return f"{run_id}:whole:job"
