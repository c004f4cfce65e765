"""Run the bench: ``python -m bench.run [--quick] [--scenario NAME ...] [--json OUT]``.

Starts the CSE (on-disk SQLite in a fresh temporary directory, default durable settings) and
the baseline server, each in its own process; drives both from this process over loopback;
prints a table of figures and ratios; writes the results as JSON (bench/results/ by default).
The exit status is 0 even when a target is missed: the figures are for reading, not gating.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from bench import report
from bench.load import LoadError
from bench.measure import Context, Result
from bench.plan import FULL, QUICK, Plan
from bench.scenarios import SCENARIOS
from bench.servers import ServerError, baseline_server, cse_server, start_all


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Measure the CSE side by side with a trivial aiohttp server; see docs/performance.md.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round, fewer requests, a 1,000-resource discovery (< 60 s)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), metavar="NAME",
                        help=f"run only this scenario (repeatable; one of: {', '.join(SCENARIOS)})")
    parser.add_argument("--json", type=Path, metavar="OUT",
                        help="where to write the results (default: bench/results/bench-<time>.json)")
    parser.add_argument("--rounds", type=int, help="alternating baseline/CSE rounds per case (default: 5, quick: 1)")
    parser.add_argument("--tmp-dir", type=Path, metavar="DIR",
                        help="parent of the temporary directory holding the CSE's database (default: system temp)")
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


async def run(plan: Plan, scenarios: list[str], tmp_parent: Path | None) -> tuple[list[Result], dict]:
    with tempfile.TemporaryDirectory(prefix="cse-bench-", dir=tmp_parent) as tmp:
        workdir = Path(tmp)
        machine = report.machine(workdir)
        cse, baseline = cse_server(workdir), baseline_server(workdir)
        await start_all(cse, baseline)
        results: list[Result] = []
        try:
            ctx = Context(cse=cse, baseline=baseline, plan=plan)
            for name in scenarios:
                print(f"running {name} ...", file=sys.stderr, flush=True)
                results.extend(await SCENARIOS[name](ctx))
        finally:
            baseline.stop()
            if cse.stop() not in (0, None):
                print(f"warning: the CSE exited uncleanly:\n{cse.log_tail()}", file=sys.stderr)
        machine["loadavg_after"] = report.machine(workdir)["loadavg"]
        machine["cpu_pressure_avg60_after"] = report.cpu_pressure()
        return results, machine


def _load(loadavg: tuple[float, float, float] | None) -> str:
    return "n/a" if loadavg is None else f"{loadavg[0]:.1f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = (QUICK if args.quick else FULL).with_rounds(args.rounds)
    scenarios = args.scenario or list(SCENARIOS)
    started = time.monotonic()
    try:
        results, machine = asyncio.run(run(plan, scenarios, args.tmp_dir))
    except (ServerError, LoadError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    print()
    print(f"{plan.name} run, {plan.rounds} round(s) per case, {machine['nproc']} CPUs, Python {machine['python']}, "
          f"database on {machine['db_filesystem']}; {seconds:.0f} s; load average before/after "
          f"{_load(machine['loadavg'])}/{_load(machine['loadavg_after'])}")
    print(report.table(results))
    out = args.json or report.default_json_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    command = ["python", "-m", "bench.run", *(sys.argv[1:] if argv is None else argv)]
    out.write_text(json.dumps(report.document(plan, results, machine, command, seconds), indent=2) + "\n")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
