"""Fan-out bench: ``python -m bench.fanout_bench [--members N] [--rounds R] [--json OUT]``.

Starts the CSE in its own process (on-disk SQLite in a fresh temporary directory, default
durable settings, HTTP on loopback only), registers an AE with N containers (1,000 by default)
and a group holding all of them, then times, over HTTP, one request at a time:
  - retrieve <group>/fopt          (the target: one retrieve over 1,000 members in under 1 s)
  - retrieve <group>/fopt/la       (a virtual child below every member)
  - create   <group>/fopt (ty=4)   (a contentInstance in every member; durable writes)
Each case runs R rounds after one warm-up; the table shows min / median / max in ms, and every
answer is checked to hold N successful member responses, so a fast wrong answer cannot pass.
The exit status is 0 even when the target is missed: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
CSE_NAME = "cse-in"
ORIGIN = "Cfanout"
TARGET_SECONDS = 1.0
_ids = itertools.count(1)


class BenchError(RuntimeError):
    """The CSE did not start, or answered something other than what the bench expects."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="containers in the group (default: 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed requests per case, after one warm-up (default: 5)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON to OUT")
    args = parser.parse_args(argv)
    if args.members < 1 or args.rounds < 1:
        parser.error("--members and --rounds must be positive")
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class CseProcess:
    """The CSE as a separate process, so that this process's client work does not share its loop."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.log_path = workdir / "cse.log"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "CSE_COAP_PORT": "0", "CSE_LOG_LEVEL": "warning"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "cse", "--db", str(self.workdir / "cse.sqlite"),
                   "--http-host", HOST, "--http-port", str(self.port)]
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise BenchError(f"the CSE exited during start-up:\n{self.log_tail()}")
            try:
                _, writer = await asyncio.open_connection(HOST, self.port)
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError(f"the CSE did not open port {self.port} in {timeout} s:\n{self.log_tail()}")
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def call(session: aiohttp.ClientSession, base: str, method: str, path: str, expect: int,
               ty: int | None = None, body: Any = None) -> Any:
    headers = {"X-M2M-Origin": ORIGIN, "X-M2M-RI": f"f{next(_ids)}", "X-M2M-RVI": "3", "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json" + (f";ty={ty}" if ty is not None else "")
        data = orjson.dumps(body)
    async with session.request(method, f"{base}/{path}", headers=headers, data=data) as response:
        raw = await response.read()
        if response.status != expect:
            raise BenchError(f"{method} {path}: expected HTTP {expect}, got {response.status}: {raw[:300]!r}")
        return orjson.loads(raw) if raw else None


async def set_up(session: aiohttp.ClientSession, base: str, members: int) -> str:
    """An AE with ``members`` containers and a group of them all; returns the group's path."""
    ae = {"m2m:ae": {"rn": "fanout", "api": "Nfanout", "rr": False, "srv": ["3"]}}
    await call(session, base, "POST", CSE_NAME, 201, 2, ae)
    parent = f"{CSE_NAME}/fanout"
    names = [f"c{index:05d}" for index in range(members)]
    pending = iter(names)

    async def creator() -> None:
        for name in pending:
            await call(session, base, "POST", parent, 201, 3, {"m2m:cnt": {"rn": name}})

    await asyncio.gather(*(creator() for _ in range(32)))
    group = {"m2m:grp": {"rn": "all", "mt": 3, "mnm": members, "mid": [f"{parent}/{name}" for name in names]}}
    created = await call(session, base, "POST", parent, 201, 9, group)
    if created["m2m:grp"]["cnm"] != members:
        raise BenchError(f"the group holds {created['m2m:grp']['cnm']} members, not {members}")
    return f"{parent}/all"


def check_answer(answer: Any, members: int, rsc: int) -> None:
    entries = answer["m2m:agr"]["m2m:rsp"]
    good = sum(1 for entry in entries if entry["rsc"] == rsc)
    if len(entries) != members or good != members:
        raise BenchError(f"expected {members} member answers with rsc {rsc}, got {good} of {len(entries)}")


async def measure(session: aiohttp.ClientSession, base: str, method: str, path: str, members: int, rsc: int,
                  rounds: int, ty: int | None = None, body: Any = None) -> list[float]:
    expect = 200
    seconds = []
    for attempt in range(rounds + 1):  # the first one warms up and is not counted
        started = time.perf_counter()
        answer = await call(session, base, method, path, expect, ty, body)
        elapsed = time.perf_counter() - started
        check_answer(answer, members, rsc)
        if attempt:
            seconds.append(elapsed)
    return seconds


async def run(members: int, rounds: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="cse-fanout-bench-") as tmp:
        cse = CseProcess(Path(tmp))
        await cse.start()
        try:
            timeout = aiohttp.ClientTimeout(total=120)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                print(f"setting up {members} containers and their group ...", file=sys.stderr, flush=True)
                group = await set_up(session, cse.url, members)
                cases = [
                    ("retrieve fopt", "GET", f"{group}/fopt", 2000, None, None),
                    ("create fopt (ty=4)", "POST", f"{group}/fopt", 2001, 4, {"m2m:cin": {"con": "21.5"}}),
                    ("retrieve fopt/la", "GET", f"{group}/fopt/la", 2000, None, None),
                ]
                results = []
                for name, method, path, rsc, ty, body in cases:
                    print(f"running {name} ...", file=sys.stderr, flush=True)
                    seconds = await measure(session, cse.url, method, path, members, rsc, rounds, ty, body)
                    results.append({"case": name, "members": members, "rounds": rounds, "seconds": seconds})
                return results
        except BaseException:
            print(f"CSE log:\n{cse.log_tail()}", file=sys.stderr)
            raise
        finally:
            cse.stop()


def table(results: list[dict[str, Any]]) -> str:
    lines = [f"{'case':<22}{'members':>8}{'min ms':>10}{'median ms':>11}{'max ms':>10}  target"]
    for result in results:
        seconds = result["seconds"]
        median = statistics.median(seconds)
        verdict = ""
        if result["case"] == "retrieve fopt":
            verdict = f"< {TARGET_SECONDS * 1000:.0f} ms: " + ("met" if median < TARGET_SECONDS else "MISSED")
        lines.append(f"{result['case']:<22}{result['members']:>8}{min(seconds) * 1000:>10.1f}"
                     f"{median * 1000:>11.1f}{max(seconds) * 1000:>10.1f}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = asyncio.run(run(args.members, args.rounds))
    except BenchError as error:
        print(f"fanout bench: {error}", file=sys.stderr)
        return 1
    print(f"fan-out over HTTP, one request at a time, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"target_seconds": TARGET_SECONDS, "results": results}, indent=2) + "\n")
        print(f"\nresults: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
