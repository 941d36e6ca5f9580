"""Every subject, stream and bucket name, built in this one place.

Ids that end up inside a subject are validated here too: a `.`, `*`, `>` or
white space in a run id would let a client address other runs' subjects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from psynapse.sdk import TOKEN

# One rule for every token, the SDK's (a pool is one).
_TOKEN = TOKEN

EVENT_KINDS = ("node", "progress", "stream", "run")


class InvalidSubjectToken(ValueError):
    pass


def check_token(value: str, what: str = "id") -> str:
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise InvalidSubjectToken(f"invalid {what} {value!r}: use 1-128 letters, digits, '-' or '_'")
    return value


# Workflow names are KV keys (subjects) and URL path segments: no dots, slashes,
# spaces, '*' or '>', so a name can neither escape its key nor its path.
_WORKFLOW_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
WORKFLOW_NAME_RULE = "1-64 letters, digits, '-' or '_' (no dots, spaces, slashes, '*' or '>')"


class InvalidWorkflowName(InvalidSubjectToken):
    pass


def check_workflow_name(value: object) -> str:
    if not isinstance(value, str) or not _WORKFLOW_NAME.match(value):
        raise InvalidWorkflowName(f"invalid workflow name {value!r}: use {WORKFLOW_NAME_RULE}")
    return value


@dataclass(frozen=True)
class Names:
    prefix: str = "psynapse"
    stream_prefix: str = "PSY"

    # streams and buckets
    @property
    def runs_stream(self) -> str:
        return f"{self.stream_prefix}_RUNS"

    @property
    def jobs_stream(self) -> str:
        return f"{self.stream_prefix}_JOBS"

    @property
    def events_stream(self) -> str:
        return f"{self.stream_prefix}_EVENTS"

    @property
    def schema_bucket(self) -> str:
        return f"{self.stream_prefix}_SCHEMA"

    @property
    def services_bucket(self) -> str:
        return f"{self.stream_prefix}_SERVICES"

    @property
    def blobs_store(self) -> str:
        return f"{self.stream_prefix}_BLOBS"

    @property
    def cache_bucket(self) -> str:
        return f"{self.stream_prefix}_CACHE"

    @property
    def workflows_bucket(self) -> str:
        return f"{self.stream_prefix}_WORKFLOWS"

    # consumers
    orchestrators_consumer: str = "orchestrators"

    def runners_consumer(self, pool: str) -> str:
        return f"runners-{check_token(pool, 'pool')}"

    @staticmethod
    def pool_of_consumer(durable: str) -> str | None:
        """The pool a ``runners-<pool>`` consumer serves; None for any other consumer."""
        pool = durable.removeprefix("runners-")
        return pool if pool != durable and pool else None

    # subjects
    def run_submit(self, run_id: str) -> str:
        # One subject per run: while a run is pending or running, its submit
        # message is the stream's record that it exists.
        return f"{self.prefix}.runs.submit.{check_token(run_id, 'run id')}"

    @property
    def runs_all(self) -> str:
        return f"{self.prefix}.runs.submit.*"

    def jobs(self, pool: str, run_id: str) -> str:
        # The run's id in the subject: an orchestrator resuming a run finds the
        # jobs it still has in the work queue (see runlog.jobs_in_flight).
        return f"{self.prefix}.jobs.{check_token(pool, 'pool')}.{check_token(run_id, 'run id')}"

    def pool_jobs(self, pool: str) -> str:
        """Every job of one pool: what its runners' consumer takes."""
        return f"{self.prefix}.jobs.{check_token(pool, 'pool')}.*"

    def run_jobs(self, run_id: str) -> str:
        return f"{self.prefix}.jobs.*.{check_token(run_id, 'run id')}"

    @property
    def jobs_all(self) -> str:
        return f"{self.prefix}.jobs.>"

    def pool_of_job(self, subject: str) -> str:
        """The pool token of a ``jobs(pool, run_id)`` subject."""
        return subject.removeprefix(f"{self.prefix}.jobs.").split(".")[0]

    def event(self, run_id: str, kind: str) -> str:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        return f"{self.prefix}.events.{check_token(run_id, 'run id')}.{kind}"

    def run_events(self, run_id: str) -> str:
        return f"{self.prefix}.events.{check_token(run_id, 'run id')}.>"

    def events_of_kind(self, kind: str) -> str:
        """Every run's events of one kind (one wildcard subscription for all runs)."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        return f"{self.prefix}.events.*.{kind}"

    @property
    def events_all(self) -> str:
        return f"{self.prefix}.events.>"

    # PSY_EVENTS republishes each event it stores here, with its stream sequence.
    def live_events(self, run_id: str) -> str:
        return f"{self.prefix}.live.{check_token(run_id, 'run id')}.>"

    @property
    def live_all(self) -> str:
        return f"{self.prefix}.live.>"

    def cancel(self, run_id: str) -> str:
        return f"{self.prefix}.control.{check_token(run_id, 'run id')}.cancel"

    @property
    def cancel_all(self) -> str:
        return f"{self.prefix}.control.*.cancel"

    @property
    def catalog_reload(self) -> str:
        """Asks the schema service to load the nodepacks again (``psynapse packs reload``)."""
        return f"{self.prefix}.catalog.reload"

    @staticmethod
    def run_id_of(subject: str) -> str:
        """The run id token of an events or control subject."""
        return subject.split(".")[2]

    catalog_key: str = "catalog"

    def pool_catalog_key(self, pool: str) -> str:
        """Where the runners of a pool with its own environment publish what they loaded
        there (a ``PoolCatalog``), in the schema bucket."""
        return f"{self.catalog_key}.pool.{check_token(pool, 'pool')}"

    @property
    def pool_catalogs(self) -> str:
        return f"{self.catalog_key}.pool.*"


def names_from(settings: object) -> Names:
    return Names(
        prefix=getattr(settings, "subject_prefix", "psynapse"),
        stream_prefix=getattr(settings, "stream_prefix", "PSY"),
    )
