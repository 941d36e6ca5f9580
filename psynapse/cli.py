"""The ``psynapse`` command: ``up`` for everything, or one service by name."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .commands import export_arguments, pack_arguments, run_arguments


def _up(args: argparse.Namespace) -> None:
    from psynapse_common.settings import Settings

    from .embedded.supervisor import Supervisor

    settings = Settings()
    nats_url = args.nats_url or os.environ.get("PSYNAPSE_NATS_URL")
    supervisor = Supervisor(
        host=args.host or settings.http_host,
        port=args.port or settings.http_port,
        nodepacks_dir=Path(args.nodepacks_dir) if args.nodepacks_dir else settings.nodepacks_dir,
        data_dir=Path(args.data_dir) if args.data_dir else settings.data_dir,
        runners=args.runners or settings.runners,
        nats_url=nats_url,
    )
    try:
        took = supervisor.start()
    except BaseException:
        supervisor.stop()
        raise
    print(
        f"Psynapse is up in {took:.1f} s: open http://{supervisor.host}:{supervisor.port}/ "
        f"(nodepacks: {supervisor.nodepacks_dir}; Ctrl-C stops everything)",
        flush=True,
    )
    supervisor.supervise()


def _service(name: str, args: argparse.Namespace) -> None:
    if name == "schema":
        from psynapse_schema.main import main
    elif name == "orchestrator":
        from psynapse_orchestrator.orchestrator import main
    elif name == "gateway":
        from psynapse_gateway.main import main
    else:
        if args.python:
            from .poolenv import exec_runner

            exec_runner(args.python, args.pool)
        from psynapse_runner.worker import main as runner_main

        runner_main(pool=args.pool)
        return
    main()


def _pack(args: argparse.Namespace) -> int:
    if args.action == "new":
        from .packs.skeleton import main as new_main

        return new_main(args)
    if args.action == "check":
        from .packs.check import main as check_main

        return check_main(args)
    from .packs.remote import main as remote_main

    return remote_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="psynapse", description="Node-based workflows for Python.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start NATS and every service (embedded mode)")
    up.add_argument("--host", help="gateway address (default 127.0.0.1)")
    up.add_argument("--port", type=int, help="gateway port (default 8000)")
    up.add_argument("--nodepacks-dir", help="folder of nodepacks (default ./nodepacks)")
    up.add_argument("--data-dir", help="JetStream store and keys (default ./.psynapse)")
    up.add_argument("--runners", type=int, help="runner processes (default: one per core)")
    up.add_argument("--nats-url", help="use this NATS instead of starting one")
    for name in ("schema", "orchestrator", "gateway"):
        commands.add_parser(name, help=f"run the {name} service alone")
    runner = commands.add_parser("runner", help="run a runner alone")
    runner.add_argument("--pool", help="the pool whose jobs it takes (default: default)")
    runner.add_argument(
        "--python",
        help="run it with this interpreter: the pool's own environment, whose packs are introspected there "
        "(make one with `psynapse pool-env DIR`)",
    )
    pool_env = commands.add_parser(
        "pool-env", help="make a venv for a runner pool: its own packages first, then this environment's"
    )
    pool_env.add_argument("dir", help="the venv's folder")
    pool_env.add_argument("--with-pip", action="store_true", help="install pip in it too (slower)")
    run_arguments(
        commands.add_parser(
            "run", help="run a workflow file or a saved workflow headless; view results as JSON on stdout"
        )
    )
    export_arguments(commands.add_parser("export", help="write a workflow file as a standalone Python script"))
    pack_arguments(
        commands.add_parser(
            "pack", aliases=["packs"], help="nodepacks: write a new one, check one, list or reload a stack's"
        )
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "up":
        _up(args)
    elif args.command == "run":
        from .headless.run import main as run_main

        sys.exit(run_main(args))
    elif args.command == "export":
        from .export.script import main as export_main

        sys.exit(export_main(args))
    elif args.command in ("pack", "packs"):
        sys.exit(_pack(args))
    elif args.command == "pool-env":
        from .poolenv import main as pool_env_main

        sys.exit(pool_env_main(args))
    else:
        _service(args.command, args)


if __name__ == "__main__":
    main(sys.argv[1:])
