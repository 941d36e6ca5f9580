"""Nodes that say where they ran: the pool tests route one of them to `gpu` runners."""

import os
import time
from typing import Any

from psynapse import pool

# Set only in the environment of the runner the test starts for the gpu pool.
TAG = "PSYNAPSE_TEST_RUNNER_TAG"


def where(x: Any = None) -> dict:
    """Which runner process ran this (pid and tag), with the input passed through."""
    return {"pid": os.getpid(), "tag": os.environ.get(TAG), "x": x}


@pool("gpu")
def gpu_where(x: Any = None) -> dict:
    """As `where`, but only `psynapse runner --pool gpu` takes it."""
    return {"pid": os.getpid(), "tag": os.environ.get(TAG), "x": x}


@pool("gpu")
def gpu_sleep(ms: int = 100) -> int:
    """Sleep `ms` on a gpu runner; returns its pid."""
    time.sleep(ms / 1000)
    return os.getpid()
