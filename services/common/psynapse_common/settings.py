"""Settings of every service, read from the environment (prefix ``PSYNAPSE_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PSYNAPSE_", extra="ignore")

    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str | None = None
    nats_password: str | None = None
    # A file holding an NKey user seed ("SU..."), for servers that authenticate by nkey.
    nats_nkey_seed_file: Path | None = None
    # The spec names the plain NODEPACKS_DIR, so both spellings work.
    nodepacks_dir: Path = Field(
        default=Path("nodepacks"),
        validation_alias=AliasChoices("PSYNAPSE_NODEPACKS_DIR", "NODEPACKS_DIR"),
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    schema_port: int = 8001
    data_dir: Path = Path(".psynapse")
    editor_dir: Path | None = None
    cors_origins: Annotated[list[str], NoDecode] = ["*"]
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "info"

    subject_prefix: str = "psynapse"
    stream_prefix: str = "PSY"
    stream_replicas: int = 1
    # A run's events are also its record (GET /runs/{id}) and the run history
    # (GET /runs): this is how long history lasts. Kept as long as runs.
    events_max_age_s: float = 7 * 24 * 3600
    runs_max_age_s: float = 7 * 24 * 3600

    runners: int = Field(default_factory=lambda: os.cpu_count() or 1)
    # Threads of a runner: its slots for jobs (a job holds one while its nodes run).
    runner_concurrency: int = 8
    # Awaited nodes (async def, async generators) a runner runs at once on its event loop;
    # a job whose nodes are all awaited gives its thread slot back while it awaits one.
    runner_async_concurrency: int = 256
    # /metrics and /health of the orchestrator and runners (0: off). `psynapse up`
    # gives the orchestrator this port and runner i this port + i.
    metrics_port: int = 0
    runner_pool: str = "default"
    # A call that outlives its node's timeout is abandoned; still running this much
    # later, its thread counts as stuck (in /health and metrics) and a new thread takes
    # its slot. A runner with more stuck threads than runner_max_stuck_threads drains
    # and exits to be restarted (by `psynapse up`, or its container's restart policy).
    runner_stuck_grace_s: float = 5.0
    runner_max_stuck_threads: int = 2
    # This runner's Python environment is its pool's own (``psynapse runner --python``, a
    # runner image per pool): it publishes its pool's nodes as introspected here, and the
    # schema service serves them (packs whose dependencies exist only here).
    pool_environment: bool = False
    # A plain function whose recent calls average under this is *quick*: quick nodes
    # share a job with their neighbours and run on the runner's event loop; the
    # others get jobs of their own when they could run in parallel (0: none is quick).
    quick_call_ms: float = 2.0
    # A function whose calls average under this is not cached: its call costs less
    # than computing its key and storing its output (0: cache every cacheable node).
    cache_min_call_ms: float = 0.25
    # Most nodes in one job (a segment): a job and its events must fit in messages.
    segment_max_nodes: int = 1000
    job_ack_wait_s: float = 30.0
    # An orchestrator holds a run's submit unacked while it runs; if it dies, the
    # run is redelivered to another after this long and resumed from its log.
    run_ack_wait_s: float = 30.0
    job_max_deliver: int = 3
    # A cancelled run's runners end their nodes (at a node's next report, or once its
    # call returns); nodes still unanswered after this are ended by the orchestrator.
    cancel_grace_s: float = 5.0

    max_concurrent_runs: int = 1000
    # Limits on what one request may ask for; each answers 413/422/429 naming it.
    max_body_bytes: int = 16 * 1024 * 1024
    max_nodes: int = 5000
    max_edges: int = 20000
    max_runs_per_client: int = 64
    # Node values whose encoding is larger travel through the object store.
    inline_value_limit: int = 256 * 1024
    # The output cache (incremental re-runs): function outputs by a hash of their code
    # and inputs, in KV <stream_prefix>_CACHE. Entries expire after cache_ttl_s (never
    # later than the object store's blobs, which age like runs); a full bucket drops
    # its oldest entries.
    cache_enabled: bool = True
    cache_ttl_s: float = 24 * 3600
    cache_max_bytes: int = 256 * 1024 * 1024
    secret_key: str | None = None
    api_token: str | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # Comma-separated in the environment reads better than a JSON list.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def model_post_init(self, __context: object) -> None:
        # Large cached outputs are object store references: they must not outlive it.
        self.cache_ttl_s = min(self.cache_ttl_s, self.runs_max_age_s)
        if self.secret_key is None:
            key_file = self.data_dir / "secret.key"
            if key_file.is_file():
                self.secret_key = key_file.read_text().strip()
