"""Where the CSE spends its time under bench load: ``python -m bench.profile``.

Starts a fresh CSE (on-disk SQLite, default settings), prepares a scenario, applies its load at
the given concurrency, and summarises the profile: CPU per request by area (HTTP stack, event
loop, CSE core, storage, ...) and the functions with the most time of their own.

Two profilers:
  - ``py-spy`` (default when installed; ``pip install py-spy``): samples every thread of the
    running CSE from outside, ~no overhead, so the shares are those of the real server.
  - ``cprofile``: the CSE runs under ``python -m cProfile``: only the main thread, in wall-clock
    time, so time the event loop spends waiting for the GIL (held by the SQLite writer thread)
    shows up against the call that let it go; its overhead inflates many small calls.

Raw output goes next to the JSON results (bench/results/), for flame graphs or pstats.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench import cpu
from bench.load import FactoryBuilder, client, closed_loop
from bench.plan import FULL
from bench.profile_summary import Summary, summarize_cprofile, summarize_pyspy
from bench.report import RESULTS_DIR
from bench.scenarios.content_instance import prepare_create, prepare_retrieve
from bench.scenarios.discovery import prepare_discovery
from bench.servers import ServerError, cse_server, start_all


@dataclass(frozen=True)
class Case:
    prepare: Callable[[str], Awaitable[FactoryBuilder]]
    requests: int
    concurrency: int


async def _prepare_discovery(cse_base: str) -> FactoryBuilder:
    factory_for, _ = await prepare_discovery(cse_base, FULL.discovery_resources, FULL.discovery_matches)
    return factory_for


# The bench's measured cases, with the load that profiles each well in about ten seconds.
CASES: dict[str, Case] = {
    "create": Case(prepare_create, 20_000, 32),
    "retrieve": Case(prepare_retrieve, 20_000, 32),
    "discovery": Case(_prepare_discovery, 300, 1),
}
SAMPLE_RATE = 500  # py-spy samples per second


async def profile(scenario: str, tool: str, requests: int, concurrency: int, out_dir: Path) -> Summary:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cse-profile-") as tmp:
        workdir = Path(tmp)
        raw = out_dir / f"profile-{scenario}-{tool}.{'prof' if tool == 'cprofile' else 'txt'}"
        wrapper = ("-m", "cProfile", "-o", str(raw)) if tool == "cprofile" else ()
        cse = cse_server(workdir, wrapper=wrapper)
        await start_all(cse)
        spy: subprocess.Popen | None = None
        try:
            factory = (await CASES[scenario].prepare(cse.url))(cse.url)
            async with client(concurrency) as session:
                await closed_loop(session, factory, max(1, min(requests // 5, 2000)), concurrency)
                if tool == "py-spy":
                    spy = subprocess.Popen(
                        ["py-spy", "record", "--pid", str(cse.pid), "--rate", str(SAMPLE_RATE), "--threads",
                         "--format", "raw", "--output", str(raw), "--nonblocking"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                    )
                    await asyncio.sleep(1.0)  # py-spy attaches before the measured load starts
                cpu_before = cpu.thread_seconds(cse.pid)
                await closed_loop(session, factory, requests, concurrency)
                cpu_after = cpu.thread_seconds(cse.pid)
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
                _, errors = spy.communicate(timeout=60)
                if spy.returncode not in (0, -signal.SIGINT) and not raw.exists():
                    raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')}")
        finally:
            if spy is not None and spy.poll() is None:
                spy.kill()
            cse.stop()  # SIGTERM: a clean exit, on which cProfile writes its file
    if tool == "cprofile":
        return summarize_cprofile(raw, requests)
    thread_cpu = {tid: cpu_after[tid] - cpu_before.get(tid, 0.0) for tid in cpu_after}
    return summarize_pyspy(raw, requests, thread_cpu, SAMPLE_RATE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(CASES), default="retrieve")
    parser.add_argument("--tool", choices=("py-spy", "cprofile"),
                        default="py-spy" if shutil.which("py-spy") else "cprofile")
    parser.add_argument("--requests", type=int, help="requests to profile (default: per scenario)")
    parser.add_argument("--concurrency", type=int, help="default: 32, discovery 1")
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="directory for the raw profile")
    args = parser.parse_args(argv)
    if args.tool == "py-spy" and not shutil.which("py-spy"):
        parser.error("py-spy is not installed (pip install py-spy), or use --tool cprofile")
    case = CASES[args.scenario]
    requests = args.requests or case.requests
    concurrency = args.concurrency or case.concurrency
    try:
        summary = asyncio.run(profile(args.scenario, args.tool, requests, concurrency, args.out))
    except ServerError as error:
        print(f"bench.profile: {error}", file=sys.stderr)
        return 1
    text = f"{args.scenario} at concurrency {concurrency}, {requests:,} requests\n{summary.render(args.top)}\n"
    print(text, end="")
    (args.out / f"profile-{args.scenario}-{args.tool}.summary.txt").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
