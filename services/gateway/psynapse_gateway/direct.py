"""Which ``/execute`` runs the gateway hands to a runner whole, past the orchestrators.

An orchestrator hands a small run of quick functions to one runner whole anyway
(``psynapse_common.handover``), and then only relays it: a submit delivered, a job
published, the final event heard, the submit acked. For ``/execute`` that relay
was about a fifth of a run's CPU. Such a run's id reaches its client only with the
answer, so nothing an orchestrator adds (the record while it runs, a cancel) can be
asked of it; an orchestrator still ends it if its job is given up.

Which functions are quick is learnt as the orchestrator learns it, from the calls'
wall times, here from the final events of whole runs this gateway waits for: a run
goes direct only once the orchestrators have handed such runs over, and stops going
direct as soon as its functions turn slow.
"""

from __future__ import annotations

from typing import Any

from psynapse_common.graph import Plan
from psynapse_common.handover import can_hand_over, whole_job
from psynapse_common.messages import Job, RunEvent, RunSubmit
from psynapse_common.quick import QuickFunctions
from psynapse_common.settings import Settings


class DirectRuns:
    def __init__(self, settings: Settings, catalog: Any) -> None:
        self._quick = QuickFunctions(settings.quick_group_threshold_ms)
        self._cache_enabled = settings.cache_enabled
        self._max_nodes = settings.whole_run_max_nodes
        self._catalog = catalog

    def job_for(self, submit: RunSubmit, plan: Plan) -> tuple[str, Job] | None:
        """The run's one job and its pool, when it may skip the orchestrators."""
        revision = self._catalog.revision
        self._quick.catalog_changed(revision)

        def is_quick(node_id: str) -> bool:
            spec = plan.functions[node_id]
            return self._quick.is_quick(spec.name, spec.kind)

        cached = self._cache_enabled and submit.cache
        if not can_hand_over(plan, submit, cached, self._max_nodes, is_quick):
            return None
        return whole_job(submit, plan, revision, direct=True)

    def observe(self, final: RunEvent) -> None:
        for event in final.nodes:
            if not event.cached:  # a cache hit's 0 ms says nothing of the call
                self._quick.observe(event.node_name, event.duration_ms)
