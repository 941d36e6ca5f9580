"""The arguments of ``psynapse run``, ``export`` and ``pack``, without importing them.

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
        "--to",
        dest="targets",
        action="append",
        metavar="NODE",
        help="run only NODE and the nodes it needs (a partial run; unchanged ones come from the cache); repeatable",
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
    # The saved workflows its Subgraph, Map and Loop nodes run are read now and written in.
    parser.add_argument(
        "--url",
        help="gateway to read the saved workflows the graph runs from "
        "(default $PSYNAPSE_URL, else http://127.0.0.1:8000, where `psynapse up` serves)",
    )
    parser.add_argument("--token", help="API token for --url (default $PSYNAPSE_API_TOKEN)")
    parser.add_argument(
        "--workflows-dir",
        help="read saved workflows from this folder instead of a gateway: <name>.json "
        "(editor export), <name>.v<N>.json for a pinned version N",
    )


def pack_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    new = actions.add_parser("new", help="write a new nodepack package: pyproject, ops.py with a node, a test")
    new.add_argument("name", help="the pack's (and distribution's) name: letters, digits, '-' or '_'")
    new.add_argument("--dir", help="where to write it (default ./NAME)")
    check = actions.add_parser(
        "check", help="load a pack as the services do: its nodes, their inputs and controls, every problem"
    )
    check.add_argument(
        "target",
        help="a project folder (pyproject.toml), a pack folder, or an installed or nodepacks folder pack's name",
    )
    check.add_argument("--json", action="store_true", help="the report as JSON")
    check.add_argument("--nodepacks-dir", help="where to find a folder pack by name (default ./nodepacks)")
    for action, text in (
        ("list", "the packs a running stack loaded, with their status and errors"),
        ("reload", "load every pack again now (after installing or removing a pack package)"),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument(
            "--url",
            default=os.environ.get("PSYNAPSE_URL", "http://127.0.0.1:8000"),
            help="the gateway (default $PSYNAPSE_URL, else http://127.0.0.1:8000)",
        )
        sub.add_argument(
            "--token", default=os.environ.get("PSYNAPSE_API_TOKEN"), help="API token (default $PSYNAPSE_API_TOKEN)"
        )
