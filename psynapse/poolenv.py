"""A runner pool in a Python environment of its own.

``psynapse pool-env DIR`` makes that environment: a venv (``python -m venv``) whose own
site-packages come first, and which sees this environment's packages after them
(psynapse and its dependencies) through a ``.pth`` file. What is pip-installed there
(``DIR/bin/python -m pip install 'pillow<10'``) shadows this environment's copy, for
that pool's runners only.

``psynapse runner --pool NAME --python DIR/bin/python`` runs the runner with that
interpreter (checking first that psynapse imports there), telling it that its
environment is its pool's own: it introspects the packs there and publishes its pool's
nodes for the schema service to serve.
"""

from __future__ import annotations

import argparse
import json
import os
import site
import subprocess
import sys
from pathlib import Path

import psynapse

# What a runner needs to import in the pool's environment.
_RUNNER_IMPORTS = "import psynapse.cli, psynapse_runner.worker"
_PTH = "_psynapse_base_environment.pth"


def base_dirs() -> list[str]:
    """The site folders of this environment, then the folders psynapse's own packages
    live in when they sit outside them (a source checkout on PYTHONPATH)."""
    sites = [folder for folder in site.getsitepackages() if os.path.isdir(folder)]
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        sites.append(site.getusersitepackages())
    import psynapse_common
    import psynapse_runner

    extra = []
    for module in (psynapse, psynapse_common, psynapse_runner):
        home = Path(module.__file__ or "").resolve().parent.parent
        if not any(home.is_relative_to(Path(folder).resolve()) for folder in sites) and str(home) not in extra:
            extra.append(str(home))
    return [*sites, *extra]


def create(target: Path, with_pip: bool = False) -> Path:
    """The venv ``target`` (made, or completed when it exists), seeing this environment: its python."""
    subprocess.run([sys.executable, "-m", "venv", *([] if with_pip else ["--without-pip"]), str(target)], check=True)
    python = target / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import json, sysconfig; print(json.dumps(sysconfig.get_paths()['purelib']))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    own = Path(json.loads(purelib))
    own.mkdir(parents=True, exist_ok=True)
    # addsitedir, not a bare path: this environment's own .pth files (editable installs,
    # psynapse's among them) must count there too. After the venv's site-packages.
    lines = [f"import site; site.addsitedir({folder!r})" for folder in base_dirs() if Path(folder) != own]
    (own / _PTH).write_text("\n".join(lines) + "\n")
    return python


def check_python(python: str) -> str | None:
    """Why psynapse's runner cannot run with ``python``; None when it can."""
    try:
        done = subprocess.run([python, "-c", _RUNNER_IMPORTS], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        return f"cannot run {python}: {exc}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return (
            f"psynapse does not import with {python}: {last}\n"
            f"make the pool's environment with `psynapse pool-env DIR` (it sees this environment's psynapse), "
            f"or pip-install psynapse into it"
        )
    return None


def exec_runner(python: str, pool: str | None) -> None:
    """Become a runner of ``pool`` under ``python`` (never returns)."""
    problem = check_python(python)
    if problem is not None:
        print(f"psynapse runner: {problem}", file=sys.stderr)
        sys.exit(2)
    argv = [python, "-m", "psynapse", "runner", *(["--pool", pool] if pool else [])]
    os.execve(python, argv, {**os.environ, "PSYNAPSE_POOL_ENVIRONMENT": "true"})


def main(args: argparse.Namespace) -> int:
    target = Path(args.dir).absolute()
    python = create(target, with_pip=args.with_pip)
    problem = check_python(str(python))
    if problem is not None:
        print(f"psynapse pool-env: {problem}", file=sys.stderr)
        return 1
    print(f"made {target}: its own packages come first, then this environment's ({sys.prefix})")
    print(
        "next:\n"
        f"  {python} -m pip install PACKAGE...      # what the pool's packs need, in the versions they need\n"
        f"  psynapse runner --pool POOL --python {python}"
    )
    return 0
