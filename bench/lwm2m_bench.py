"""LwM2M registrations at scale: ``python -m bench.lwm2m_bench [--count N] [--in-process] [--json OUT]``.

Measures, over loopback UDP:

* how long N simulated devices (one process, one aiocoap context and socket each) take from
  power-on until every one has registered with the LwM2M server, and the rate the server saw
  (first to last Register it accepted);
* a read round: the server reads /3/0/9 from all N devices at once;
* memory: the server process holding N registrations, and the simulator process;
* the stop: N De-registers.

By default the server runs in a child process of its own (as the IPE would), so that server and
devices do not share an interpreter; --in-process puts both in this one. Every phase is bounded
in time. The target from the issue: 1,000 devices registered in under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ipe_sdt.lwm2m.server import DeviceRegistered, Lwm2mServer, ServerConfig  # noqa: E402
from ipe_sdt.sim.lwm2m import DeviceSettings  # noqa: E402
from ipe_sdt.sim.lwm2m.fleet import Fleet  # noqa: E402

HOST = "127.0.0.1"
PHASE_LIMIT = 120.0


def rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class ServerSide:
    """The LwM2M server plus the numbers only it can take: registration times, read rounds."""

    def __init__(self) -> None:
        self.server = Lwm2mServer(HOST, 0, config=ServerConfig(request_timeout=10.0))
        self.first: float | None = None
        self.last: float | None = None
        self.registered = 0

    def on_event(self, event: Any) -> None:
        if isinstance(event, DeviceRegistered):
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
            self.registered += 1

    async def start(self) -> int:
        await self.server.start()
        self.server.subscribe(self.on_event)
        return self.server.port

    async def command(self, line: str) -> dict[str, Any]:
        if line == "stats":
            span = (self.last - self.first) if self.first and self.last else 0.0
            return {"registered": len(self.server), "accepted": self.registered, "span_s": span, "rss_mib": rss_mib()}
        if line == "read":
            endpoints = [d.endpoint for d in self.server.devices()]
            started = time.perf_counter()
            results = await asyncio.gather(*(self.server.read(e, "/3/0/9") for e in endpoints), return_exceptions=True)
            elapsed = time.perf_counter() - started
            failed = sum(1 for r in results if isinstance(r, BaseException))
            return {"reads": len(endpoints), "failed": failed, "seconds": elapsed}
        return {"error": f"unknown command {line!r}"}


async def serve_stdio() -> None:
    """Child mode: run the server, print its port, answer one JSON line per command line."""
    side = ServerSide()
    port = await side.start()
    print(json.dumps({"port": port}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := (await reader.readline()).decode().strip():
            if line == "quit":
                break
            print(json.dumps(await side.command(line)), flush=True)
    finally:
        await side.server.stop()


class ChildServer:
    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> int:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.lwm2m_bench", "--serve", cwd=REPO,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        return int((await self._answer())["port"])

    async def _answer(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), PHASE_LIMIT)
        if not line:
            raise RuntimeError("the server process ended")
        return json.loads(line)

    async def command(self, line: str) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        return await self._answer()

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(b"quit\n")
                await self.process.stdin.drain()
                await asyncio.wait_for(self.process.wait(), 15)
            except (asyncio.TimeoutError, ConnectionError):
                self.process.kill()
                await self.process.wait()


class LocalServer:
    def __init__(self) -> None:
        self.side = ServerSide()

    async def start(self) -> int:
        return await self.side.start()

    async def command(self, line: str) -> dict[str, Any]:
        return await self.side.command(line)

    async def stop(self) -> None:
        await self.side.server.stop()


async def run(count: int, in_process: bool) -> dict[str, Any]:
    server: ChildServer | LocalServer = LocalServer() if in_process else ChildServer()
    port = await server.start()
    result: dict[str, Any] = {"count": count, "server": "in-process" if in_process else "own process"}
    template = DeviceSettings(endpoint="bench", server_uri=f"coap://{HOST}:{port}", bind_host=HOST, lifetime=600,
                              request_timeout=10.0)
    fleet = Fleet.build(count, template, "bench-")
    try:
        rss_before = rss_mib()
        await fleet.start()
        elapsed = await fleet.wait_registered(PHASE_LIMIT)
        stats = await server.command("stats")
        result["registration"] = {
            "all_registered_s": elapsed,
            "registered": stats["registered"],
            "server_span_s": stats["span_s"],
            "per_second": stats["accepted"] / stats["span_s"] if stats["span_s"] else None,
            "retries": sum(d.registrations for d in fleet.devices) - count,
        }
        result["read_round"] = await server.command("read")
        result["memory_mib"] = {
            "server_process": stats["rss_mib"] if not in_process else None,
            "simulator_process": rss_mib(),
            "simulator_growth": rss_mib() - rss_before,
        }
        started = time.perf_counter()
        await fleet.stop(timeout=PHASE_LIMIT)
        result["deregistration_s"] = time.perf_counter() - started
        result["left_registered"] = (await server.command("stats"))["registered"]
    finally:
        await fleet.stop(deregister=False, timeout=10)
        await server.stop()
    return result


def report(result: dict[str, Any]) -> str:
    reg = result["registration"]
    lines = [f"LwM2M bench: {result['count']} simulated devices, server in {result['server']}"]
    if reg["all_registered_s"] is None:
        lines.append(f"  NOT all registered within {PHASE_LIMIT:.0f} s ({reg['registered']} did)")
    else:
        seconds = reg["all_registered_s"]
        lines.append(f"  all registered after        {seconds:.2f} s (from power-on, contexts included)")
    if reg["per_second"]:
        lines.append(f"  server accepted             {reg['per_second']:.0f} registrations/s "
                     f"(first to last in {reg['server_span_s']:.2f} s)")
    lines.append(f"  registrations beyond one    {reg['retries']}")
    read = result["read_round"]
    lines.append(f"  read round                  {read['reads']} reads in {read['seconds']:.2f} s, "
                 f"{read['failed']} failed")
    mem = result["memory_mib"]
    if mem["server_process"] is not None:
        lines.append(f"  server process RSS          {mem['server_process']:.0f} MiB")
    lines.append(f"  simulator process RSS       {mem['simulator_process']:.0f} MiB "
                 f"(+{mem['simulator_growth']:.0f} for the devices)")
    lines.append(f"  de-registration             {result['deregistration_s']:.2f} s, {result['left_registered']} left")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lwm2m_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="simulated devices (default: 1000)")
    parser.add_argument("--in-process", action="store_true", help="run the server in this process too")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON to OUT")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        asyncio.run(serve_stdio())
        return 0
    if args.count < 1:
        parser.error("--count must be at least 1")
    result = asyncio.run(run(args.count, args.in_process))
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    ok = result["registration"]["all_registered_s"] is not None and result["read_round"]["failed"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
