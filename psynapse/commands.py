"""The arguments of ``psynapse run`` and ``psynapse export``, without importing either.

Every service process parses the command line too; it should not pay for httpx.
"""

from __future__ import annotations

import argparse
import os


def run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow", help="a workflow JSON file (editor export or API body), or a saved workflow's name")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="value of the variable named NAME (JSON when it parses, else text); repeatable",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("PSYNAPSE_URL"),
        help="gateway to run on (default $PSYNAPSE_URL; none: start an embedded stack)",
    )
    parser.add_argument(
        "--token", default=os.environ.get("PSYNAPSE_API_TOKEN"), help="API token (default $PSYNAPSE_API_TOKEN)"
    )
    parser.add_argument(
        "--json",
        dest="json_lines",
        action="store_true",
        help="write every event as one JSON line on stdout instead of the live display",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="fail the run once it has run this long, cancelling what has not finished (its timeout_s)",
    )
    parser.add_argument("--nodepacks-dir", help="embedded stack: folder of nodepacks (default ./nodepacks)")
    parser.add_argument("--data-dir", help="embedded stack: JetStream store (default: a temporary folder)")
    parser.add_argument("--runners", type=int, default=1, help="embedded stack: runner processes (default 1)")


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow", help="a workflow JSON file (editor export or API body)")
    parser.add_argument("-o", "--output", required=True, help="the Python script to write ('-' for stdout)")
    parser.add_argument("--nodepacks-dir", help="folder of nodepacks (default ./nodepacks)")
