"""`make bench`: contract_bench against psynapse and the in-process baseline, in one run.

Starts `psynapse up` (fresh data dir, the shared bench nodepack only) in its default
configuration, the output cache on, as users get it: harness v2 gives every run
inputs of its own, so its runs miss the cache and measure execution. Then the same
stack with the cache off (PSYNAPSE_CACHE_ENABLED=false), then bench/baseline.py;
with --compare DIR, another checkout's `psynapse up` in its default configuration
too (DIR/.venv), so a change is measured beside what it replaces in the same run.
Prints one comparison table (with the original backend's reference numbers and the
targets) and writes it to bench/results-summary.md. A stack with the cache on then
measures incremental re-runs (bench/incremental.py), control flow's cost
(bench/control_flow.py: a map of 64 sleeps beside the ideal, a subgraph's overhead) and
partial runs (bench/partial_run.py: a run to one node of the 100-node chain, unchanged,
beside the full run), and two stacks up at once, cache on and off, compare the two
request by request (bench/cache_ab.py); all skipped with --only or --skip-incremental.
Exits non-zero when any workload gave a wrong answer or a server never came up; a missed
performance target alone does not fail the run.

The shared folder is $PSYNAPSE_BENCH_DIR, else <repo>/../shared/bench.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from cache_ab import harness, render_cache_ab, run_cache_ab, workloads
from control_flow import render_control_flow, run_control_flow
from incremental import render_incremental, run_incremental
from partial_run import render_partial_runs, run_partial_runs
from stacks import BENCH, BIN, REPO, START_TIMEOUT_S, Server, free_port, shared_dir, up_command

from psynapse_common.settings import Settings

# (label, workload, metric, comparison, target): the targets, all medians, of the
# default configuration.
TARGETS = [
    ("wide_16_sleep speedup (x)", "wide_16_sleep", "speedup_vs_sequential", ">=", 12.0),
    ("wide_16_busy speedup (x)", "wide_16_busy", "speedup_vs_sequential", ">=", 1.6),
    ("chain_500 per-node ms", "chain_500", "per_node_ms", "<=", 0.04),
    ("example48 median ms", "example48", "wall_ms", "<=", 2.5),
    ("stream_events ttfe_ms", "stream_events", "ttfe_ms", "<=", 5.0),
    ("concurrent_runs runs_per_s", "concurrent_runs", "runs_per_s", ">=", 600.0),
]
# Runs that miss the cache may cost at most this much more with the cache on than off.
CACHE_OVERHEAD = 1.15
# Requests on each side per workload of the side-by-side cache comparison (bench/cache_ab.py).
CACHE_AB_REPEATS = 60


def measure(
    name: str,
    cmd: list[str],
    port: int,
    shared: Path,
    args: argparse.Namespace,
    log_dir: Path,
    env: dict[str, str] | None = None,
) -> dict | None:
    """Start, benchmark, stop. Returns the harness's JSON, or None when nothing was measured."""
    out = BENCH / f"results-{name}.json"
    out.unlink(missing_ok=True)  # a stale file must never pass for this run's numbers
    print(f"== {name}: starting on port {port}", file=sys.stderr, flush=True)
    server = Server(name, cmd, port, log_dir, env)
    try:
        if not server.wait_healthy():
            print(
                f"*** {name} did not become healthy in {START_TIMEOUT_S:.0f} s; "
                f"log {server.log_path}:\n{server.log_tail()}",
                file=sys.stderr,
            )
            return None
        harness = [
            str(BIN / "python"),
            str(shared / "contract_bench.py"),
            "--url",
            server.url,
            "--label",
            name,
            "--out",
            str(out),
        ]
        if args.only:
            harness += ["--only", args.only]
        if args.repeats:
            harness += ["--repeats", str(args.repeats)]
        # The JSON is in --out; the harness's own table and failures go to our stderr.
        rc = subprocess.run(harness, stdout=subprocess.DEVNULL).returncode
        print(f"== {name}: contract_bench exit {rc}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    return json.loads(out.read_text()) if out.exists() else None


def median(results: dict | None, workload: str, metric: str = "wall_ms") -> float | None:
    entry = (results or {}).get("workloads", {}).get(workload)
    if not entry or not entry.get("ok") or not isinstance(entry.get(metric), dict):
        return None
    return entry[metric]["median"]


def status(results: dict | None, workload: str) -> str | None:
    entry = (results or {}).get("workloads", {}).get(workload)
    return None if entry is None else ("ok" if entry.get("ok") else "FAIL")


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}"


def cell(results: dict | None, workload: str, metric: str = "wall_ms", digits: int = 1) -> str:
    if status(results, workload) == "FAIL":
        return "FAIL"
    return fmt(median(results, workload, metric), digits)


# Columns of the tables: label in `runs`, heading.
COLUMNS = [("psynapse", "psynapse"), ("nocache", "cache off"), ("compare", "compare"), ("baseline", "baseline")]


def render(runs: dict[str, dict | None], reference: dict | None, load: str = "") -> str:
    psy, base, off = runs.get("psynapse"), runs.get("baseline"), runs.get("nocache")
    columns = [(label, heading) for label, heading in COLUMNS if label in runs]
    # The workloads this run measured (--only may pick a few), in the harness's order.
    names = list(dict.fromkeys(name for r in runs.values() if r for name in r["workloads"]))
    names = names or list((reference or {}).get("workloads", {}))
    heads = " | ".join(heading for _, heading in columns)
    ratios = ["psynapse/baseline", "psynapse/reference", "cache on/off"]
    if "compare" in runs:
        ratios.append("psynapse/compare")
    lines = [
        "# contract_bench: psynapse vs in-process baseline vs original (reference)",
        "",
        "Median wall time per workload, ms. *psynapse* is the default configuration (output cache",
        "on; harness v2's fresh inputs miss it); *cache off* the same with PSYNAPSE_CACHE_ENABLED=false"
        + ("; *compare* another checkout's default configuration." if "compare" in runs else "."),
        "Ratios > 1 mean psynapse is slower.",
        "",
        f"| workload | {heads} | reference | {' | '.join(ratios)} |",
        "|---|" + "---:|" * (len(columns) + 1 + len(ratios)),
    ]
    for name in names:
        p, b, r, o = median(psy, name), median(base, name), median(reference, name), median(off, name)
        cells = " | ".join(cell(runs[label], name) for label, _ in columns)
        row = f"| {name} | {cells} | {cell(reference, name)} | {ratio(p, b)} | {ratio(p, r)} | {ratio(p, o)} |"
        if "compare" in runs:
            row += f" {ratio(p, median(runs['compare'], name))} |"
        lines.append(row)
    lines += [
        "",
        "Targets (medians of the default configuration; the mark judges psynapse):",
        "",
        f"| figure | {heads} | reference | target | mark |",
        "|---|" + "---:|" * (len(columns) + 2) + "---|",
    ]
    for label, workload, metric, op, target in TARGETS:
        value = median(psy, workload, metric)
        digits = 3 if metric == "per_node_ms" else 1
        values = " | ".join(cell(runs[lab], workload, metric, digits) for lab, _ in columns)
        lines.append(
            f"| {label} | {values} | {cell(reference, workload, metric, digits)} | {op} {target:g} "
            f"| {_mark(value, op, target, status(psy, workload))} |"
        )
    if psy and off:
        lines += [
            "",
            f"Cache on vs off, runs that miss (at most {CACHE_OVERHEAD:.2f}x the time):",
            "",
            "| workload | on | off | on/off | mark |",
            "|---|---:|---:|---:|---|",
        ]
        for name in names:
            on_ms, off_ms = median(psy, name), median(off, name)
            if on_ms is None or off_ms is None or name == "schema":
                continue
            lines.append(
                f"| {name} | {fmt(on_ms)} | {fmt(off_ms)} | {ratio(on_ms, off_ms)} "
                f"| {_mark(on_ms / off_ms if off_ms else None, '<=', CACHE_OVERHEAD, 'ok')} |"
            )
    problems = []
    for label, results in runs.items():
        if results is None:
            problems.append(f"- {label}: not measured (no healthy server, or the harness wrote no results)")
            continue
        for name, entry in results.get("workloads", {}).items():
            if not entry.get("ok"):
                problems.append(f"- {label} / {name}: {entry.get('error', 'failed')}")
        problems += [f"- {label}: warning: {w}" for w in results.get("warnings", [])]
    if problems:
        lines += ["", "Failures and warnings:", "", *problems]
    stamp = (psy or base or {}).get("started_at", "")
    cpus = (psy or base or {}).get("client_machine", {}).get("cpu_count")
    lines += [
        "",
        f"Measured {stamp} on {cpus} cores (commit {_commit()}{load}); reference: "
        f"{(reference or {}).get('label', 'missing')}, {(reference or {}).get('started_at', '')}.",
    ]
    return "\n".join(lines) + "\n"


def _mark(value: float | None, op: str, target: float, state: str | None) -> str:
    if value is None:
        return "FAIL" if state == "FAIL" else "n/a"
    return "PASS" if (value >= target if op == ">=" else value <= target) else "MISS"


def _commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def wrong_answers(runs: dict[str, dict | None]) -> bool:
    return any(r is None or not r.get("ok", False) for r in runs.values())


def measure_cache_ab(shared: Path, repeats: int, log_dir: Path) -> dict | None:
    """bench/cache_ab.py's figures: a stack with the cache on and one with it off, up at once."""
    servers: list[Server] = []
    data_dirs: list[Path] = []
    try:
        for label, enabled in (("cache-on", "true"), ("cache-off", "false")):
            data_dirs.append(Path(tempfile.mkdtemp(prefix=f"psynapse-bench-{label}-")))
            port = free_port()
            command = up_command(BIN / "psynapse", port, shared / "nodepack", data_dirs[-1])
            env = {key: value for key, value in os.environ.items() if not key.startswith("PSYNAPSE_")}
            servers.append(Server(label, command, port, log_dir, {**env, "PSYNAPSE_CACHE_ENABLED": enabled}))
        if not all(server.wait_healthy() for server in servers):
            print("*** cache on/off stacks did not both become healthy", file=sys.stderr)
            return None
        contract = harness(shared)
        try:
            return run_cache_ab(
                servers[0].url, servers[1].url, workloads(contract), contract.check_execute_response, repeats
            )
        except (contract.ContractError, httpx.HTTPError) as exc:
            print(f"*** cache on/off side by side failed: {exc}", file=sys.stderr)
            return None
    finally:
        for server in servers:
            server.stop()
        for data_dir in data_dirs:
            shutil.rmtree(data_dir, ignore_errors=True)


def measure_incremental(nodepack: Path, repeats: int, log_dir: Path) -> dict | None:
    """A fresh stack with the cache on; bench/incremental.py's figures, also in results-incremental.json."""
    out = BENCH / "results-incremental.json"
    out.unlink(missing_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="psynapse-bench-incremental-"))
    port = free_port()
    print(f"== incremental: starting on port {port}", file=sys.stderr, flush=True)
    server = Server(
        "incremental",
        up_command(BIN / "psynapse", port, nodepack, data_dir),
        port,
        log_dir,
        env={**os.environ, "PSYNAPSE_CACHE_ENABLED": "true"},
    )
    try:
        if not server.wait_healthy():
            print(f"*** incremental stack did not become healthy; log {server.log_path}", file=sys.stderr)
            return None
        try:
            results = run_incremental(server.url, repeats)
            settings = Settings()  # what the stack just started got, from this environment
            slots = settings.runners * settings.runner_concurrency
            results["control_flow"] = run_control_flow(server.url, repeats, slots)
            results["partial_run"] = run_partial_runs(server.url, repeats)
        except (RuntimeError, httpx.HTTPError) as exc:
            print(f"*** incremental re-runs, control flow or partial runs failed: {exc}", file=sys.stderr)
            return None
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    out.write_text(json.dumps(results, indent=2))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="comma-separated workloads, passed to contract_bench")
    ap.add_argument("--repeats", type=int, default=0, help="timed runs per workload, for contract_bench")
    ap.add_argument("--skip-baseline", action="store_true", help="measure psynapse only")
    ap.add_argument("--skip-incremental", action="store_true", help="no incremental re-runs section")
    ap.add_argument("--incremental-repeats", type=int, default=5, help="repeats per incremental step")
    ap.add_argument("--compare", default="", help="another checkout (with its .venv) to measure beside this one")
    args = ap.parse_args(argv)

    shared = shared_dir()
    # Other work on the machine skews every number: say how busy it was.
    load = ", load average at start {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    nodepack = shared / "nodepack"
    if not (shared / "contract_bench.py").is_file() or not nodepack.is_dir():
        print(f"no contract_bench.py and nodepack/ in {shared}; set PSYNAPSE_BENCH_DIR", file=sys.stderr)
        return 2
    log_dir = Path(tempfile.mkdtemp(prefix="psynapse-bench-logs-"))
    runs: dict[str, dict | None] = {}
    incremental: dict | None | bool = False  # False: not asked for
    cache_ab: dict | None | bool = False
    stacks = [("psynapse", BIN / "psynapse", {}), ("nocache", BIN / "psynapse", {"PSYNAPSE_CACHE_ENABLED": "false"})]
    if args.compare:
        stacks.append(("compare", Path(args.compare).resolve() / ".venv" / "bin" / "psynapse", {}))
    for label, psynapse, settings in stacks:
        port = free_port()
        data_dir = Path(tempfile.mkdtemp(prefix=f"psynapse-bench-{label}-"))
        # Each stack gets exactly its own settings, whatever this shell has set.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PSYNAPSE_")}
        try:
            runs[label] = measure(
                label,
                up_command(psynapse, port, nodepack, data_dir),
                port,
                shared,
                args,
                log_dir,
                env={**env, **settings},
            )
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    if not args.skip_baseline:
        port = free_port()
        runs["baseline"] = measure(
            "baseline",
            [
                str(BIN / "python"),
                str(BENCH / "baseline.py"),
                "--port",
                str(port),
                "--nodepacks-dir",
                str(nodepack),
            ],
            port,
            shared,
            args,
            log_dir,
        )
    if not (args.only or args.skip_incremental):
        incremental = measure_incremental(nodepack, args.incremental_repeats, log_dir)
        cache_ab = measure_cache_ab(shared, CACHE_AB_REPEATS, log_dir)

    ref_path = shared / "results-reference.json"
    reference = json.loads(ref_path.read_text()) if ref_path.is_file() else None
    text = render(runs, reference, load)
    if incremental is not False:
        found = incremental if isinstance(incremental, dict) else {}
        # One stack measured them all; each section renders its own part.
        sections = {key: found.get(key) for key in ("control_flow", "partial_run")}
        workloads = {key: value for key, value in found.items() if key not in sections}
        text += render_incremental(workloads or None, args.incremental_repeats)
        text += render_control_flow(sections["control_flow"])
        text += render_partial_runs(sections["partial_run"])
    if cache_ab is not False:
        text += render_cache_ab(cache_ab or None, CACHE_AB_REPEATS, CACHE_OVERHEAD)
    (BENCH / "results-summary.md").write_text(text)
    print(text)
    failed = wrong_answers(runs) or incremental is None or cache_ab is None
    if failed:
        print(f"FAILED: wrong answers or no results; server logs kept in {log_dir}", file=sys.stderr)
    else:
        shutil.rmtree(log_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
