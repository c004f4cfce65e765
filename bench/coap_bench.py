"""CoAP binding throughput: ``python -m bench.coap_bench [--seconds S] [--rounds N] [--json OUT] [--no-profile]``.

Measures, in one run and over loopback UDP:

* the CSE's CoAP binding: RETRIEVE of a contentInstance and CREATE of contentInstances
  (Confirmable GET / POST with the oneM2M options), with 1 and with 32 requests outstanding;
* a trivial aiocoap resource answering GET and POST with a payload of the same size, in a server
  process of the same kind, as the reference for what aiocoap itself costs per request;
* the core alone (``CSE.handle`` called in-process, no transport), to split the CSE's time into
  core and transport;
* where the CSE's time goes under the 32-outstanding retrieve load (cProfile of the server
  process, grouped into aiocoap, the CoAP binding, the core, serialization, asyncio, other).

Each server runs in its own process (its own interpreter and GIL); the load comes from a
minimal asyncio UDP client in this process that pre-encodes its requests, so that the client's
own cost stays small. Only 127.0.0.1 is used; every phase is bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import json
import os
import pstats
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CONCURRENCY = (1, 32)
# A fresh client socket per phase, and fewer requests than Message IDs: aiocoap remembers
# (remote, MID) pairs for EXCHANGE_LIFETIME (247 s) to detect duplicates.
MAX_REQUESTS_PER_PHASE = 60_000

# oneM2M CoAP options (TS-0008 Table 6.2.2.4.0-1) and standard ones (RFC 7252)
URI_PATH, CONTENT_FORMAT, FR, RQI, RVI, TY = 11, 12, 279, 283, 271, 267
CON, ACK, GET, POST = 0, 2, 1, 2


# -- wire helpers ------------------------------------------------------------------------------


def _extended(value: int) -> tuple[int, bytes]:
    if value < 13:
        return value, b""
    if value < 269:
        return 13, bytes([value - 13])
    return 14, (value - 269).to_bytes(2, "big")


def encode_options(options: list[tuple[int, bytes]]) -> bytes:
    data, previous = bytearray(), 0
    for number, raw in sorted(options, key=lambda item: item[0]):
        delta, delta_ext = _extended(number - previous)
        length, length_ext = _extended(len(raw))
        data += bytes([delta << 4 | length]) + delta_ext + length_ext + raw
        previous = number
    return bytes(data)


@dataclass(frozen=True)
class Template:
    """A request with everything but Message ID and token encoded once."""

    code: int
    tail: bytes  # options, payload marker, payload

    def encode(self, mid: int, token: bytes) -> bytes:
        return bytes([0x40 | len(token), self.code]) + mid.to_bytes(2, "big") + token + self.tail


def template(code: int, path: str, options: list[tuple[int, bytes]], payload: bytes = b"") -> Template:
    all_options = [(URI_PATH, part.encode()) for part in path.split("/")] + options
    tail = encode_options(all_options) + (b"\xff" + payload if payload else b"")
    return Template(code, tail)


# -- the load generator ------------------------------------------------------------------------


@dataclass
class Phase:
    server: str
    operation: str
    concurrency: int
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int


class _Client(asyncio.DatagramProtocol):
    def __init__(self, request: Template, concurrency: int, deadline: float, expect: int, limit: int) -> None:
        self.request = request
        self.limit = limit
        self.concurrency = concurrency
        self.deadline = deadline
        self.expect = expect  # the response code class.detail byte that counts as success
        self.pending: dict[bytes, float] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.sent = 0
        self.done = asyncio.get_running_loop().create_future()
        self.transport: asyncio.DatagramTransport | None = None
        self._mids = itertools.count(1)
        self._tokens = itertools.count(1)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        for _ in range(self.concurrency):
            self._send()

    def _send(self) -> None:
        if time.perf_counter() >= self.deadline or self.sent >= self.limit:
            if not self.pending and not self.done.done():
                self.done.set_result(None)
            return
        token = next(self._tokens).to_bytes(4, "big")
        self.pending[token] = time.perf_counter()
        self.sent += 1
        assert self.transport is not None
        self.transport.sendto(self.request.encode(next(self._mids) & 0xFFFF, token))

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 4:
            return
        mtype, tkl = (data[0] >> 4) & 3, data[0] & 0x0F
        if mtype == CON and self.transport is not None:
            self.transport.sendto(bytes([0x60, 0]) + data[2:4])  # acknowledge a separate response
        if data[1] == 0:
            return  # an empty ACK: the response follows separately
        started = self.pending.pop(data[4:4 + tkl], None)
        if started is None:
            return
        self.latencies.append(time.perf_counter() - started)
        if data[1] != self.expect:
            self.errors += 1
        self._send()

    def error_received(self, exc: Exception) -> None:
        self.errors += 1


async def drive(port: int, server: str, operation: str, request: Template, concurrency: int, seconds: float,
                expect: int, limit: int = MAX_REQUESTS_PER_PHASE) -> Phase:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    transport, client = await loop.create_datagram_endpoint(
        lambda: _Client(request, concurrency, started + seconds, expect, limit), remote_addr=(HOST, port))
    try:
        await asyncio.wait_for(client.done, seconds + 30)
    finally:
        transport.close()
    elapsed = time.perf_counter() - started
    latencies = sorted(client.latencies)
    return Phase(
        server=server, operation=operation, concurrency=concurrency, requests=len(latencies),
        seconds=round(elapsed, 3), rate=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(latencies) * 1000, 3) if latencies else 0.0,
        p99_ms=round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3) if latencies else 0.0,
        errors=client.errors,
    )


# -- the servers -------------------------------------------------------------------------------


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _serve_trivial(port: int) -> None:
    """A trivial aiocoap server: GET answers a fixed payload, POST answers 2.01."""
    import aiocoap
    import aiocoap.resource

    body = json.dumps({"m2m:cin": {"ty": 4, "ri": "cin0000000000", "rn": "target", "pi": "cnt0000000000",
                                   "ct": "20250101T000000,000000", "lt": "20250101T000000,000000",
                                   "et": "20350101T000000,000000", "st": 0, "cs": 4, "con": "21.5"}}).encode()

    class Trivial(aiocoap.resource.Resource):
        async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
            return aiocoap.Message(code=aiocoap.CONTENT, payload=body, content_format=50)

        async def render_post(self, request: aiocoap.Message) -> aiocoap.Message:
            return aiocoap.Message(code=aiocoap.CREATED, payload=body, content_format=50)

    async def main() -> None:
        site = aiocoap.resource.Site()
        site.add_resource(["trivial"], Trivial())
        context = await aiocoap.Context.create_server_context(site, bind=(HOST, port), transports=["udp6"])
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        await stop.wait()
        await context.shutdown()

    asyncio.run(main())


def _serve_cse(port: int, profile: str | None) -> None:
    """The CSE with CoAP only, in memory; with ``profile``, cProfile from the first request on."""
    import logging

    from cse.app import Application
    from cse.config import Settings

    logging.basicConfig(level=logging.WARNING)
    profiler = cProfile.Profile() if profile else None

    async def main() -> None:
        app = Application(Settings(db=":memory:", http_port=0, coap_port=port, coap_host=HOST))
        await app.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        if profiler is not None:
            loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
        print("ready", flush=True)
        await stop.wait()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        await app.stop()

    asyncio.run(main())


class Server:
    def __init__(self, mode: str, *extra: str) -> None:
        self.port = free_udp_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.coap_bench", mode, str(self.port), *extra],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"{mode} did not start: {line}{self.process.stdout.read().decode()[-2000:]}")

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=60)
        return output.decode() if output else ""


# -- the CSE's resources -----------------------------------------------------------------------


def onem2m(originator: str, rqi: str, ty: int | None = None) -> list[tuple[int, bytes]]:
    options = [(FR, originator.encode()), (RQI, rqi.encode()), (RVI, b"3")]
    if ty is not None:
        options += [(TY, bytes([ty])), (CONTENT_FORMAT, bytes([50]))]
    return options


async def prepare_cse(port: int) -> None:
    """AE 'bench' with container 'box' (mni 100) for the creates and 'fixed' holding 'target'."""
    steps = [
        template(POST, "cse-in", onem2m("Cbench", "s1", 2),
                 b'{"m2m:ae": {"rn": "bench", "api": "Nbench", "rr": false, "srv": ["3"]}}'),
        template(POST, "cse-in/bench", onem2m("Cbench", "s2", 3), b'{"m2m:cnt": {"rn": "box", "mni": 100}}'),
        template(POST, "cse-in/bench", onem2m("Cbench", "s3", 3), b'{"m2m:cnt": {"rn": "fixed"}}'),
        template(POST, "cse-in/bench/fixed", onem2m("Cbench", "s4", 4), b'{"m2m:cin": {"rn": "target", "con": "21.5"}}'),
    ]
    for step in steps:
        phase = await drive(port, "setup", "setup", step, 1, 10.0, 0x41, limit=1)
        assert phase.requests == 1 and not phase.errors, phase


# -- the core alone ----------------------------------------------------------------------------


async def core_only(seconds: float) -> dict[str, float]:
    """Requests per second of CSE.handle itself, for the same retrieve and create."""
    from cse.config import Settings
    from cse.core.engine import CSE
    from cse.primitives import Operation, Request

    settings = Settings(db=":memory:", http_port=0, coap_port=0)
    cse = CSE(settings)
    await cse.start()
    try:
        async def handle(request: Request) -> None:
            response = await cse.handle(request)
            assert response.rsc < 3000, response

        await handle(Request(Operation.CREATE, "cse-in", "Cbench", "s1", rvi="3", ty=2,
                             pc={"m2m:ae": {"rn": "bench", "api": "Nbench", "rr": False, "srv": ["3"]}}))
        await handle(Request(Operation.CREATE, "cse-in/bench", "Cbench", "s2", rvi="3", ty=3,
                             pc={"m2m:cnt": {"rn": "box", "mni": 100}}))
        await handle(Request(Operation.CREATE, "cse-in/bench", "Cbench", "s3", rvi="3", ty=3, pc={"m2m:cnt": {"rn": "fixed"}}))
        await handle(Request(Operation.CREATE, "cse-in/bench/fixed", "Cbench", "s4", rvi="3", ty=4,
                             pc={"m2m:cin": {"rn": "target", "con": "21.5"}}))
        rates: dict[str, float] = {}
        for name, make in (
            ("retrieve", lambda: Request(Operation.RETRIEVE, "cse-in/bench/fixed/target", "Cbench", "r", rvi="3")),
            ("create", lambda: Request(Operation.CREATE, "cse-in/bench/box", "Cbench", "c", rvi="3", ty=4,
                                       pc={"m2m:cin": {"con": "21.5"}})),
        ):
            count, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                # 32 at a time, as the 32-outstanding load: creates share a group commit.
                await asyncio.gather(*(handle(make()) for _ in range(32)))
                count += 32
            rates[name] = round(count / (time.perf_counter() - started), 1)
        return rates
    finally:
        await cse.stop()


# -- where the time goes -----------------------------------------------------------------------

_SYSCALLS = ("sendmsg", "recvmsg", "'poll' of 'select.epoll'", "sendto", "recvfrom")
_GROUPS: list[tuple[str, Callable[[str], bool]]] = [
    ("system calls: UDP sendmsg/recvmsg, epoll", lambda f: any(call in f for call in _SYSCALLS)),
    ("CoAP binding (cse/bindings/coap*, request_primitive, query)",
     lambda f: "/cse/bindings/" in f and ("coap" in f or "request_primitive" in f or "query" in f)),
    ("serialization (cse/serialization, orjson)", lambda f: "/cse/serialization/" in f or "orjson" in f),
    ("core (cse/core, resources, model, storage, ...)", lambda f: "/cse/" in f),
    ("aiocoap (messages, options, message/token managers, pipes)", lambda f: "/aiocoap/" in f),
    ("asyncio event loop", lambda f: "/asyncio/" in f or "selectors.py" in f),
]
_OTHER = "Python runtime not attributable to a caller"


def _group(where: str) -> str | None:
    return next((name for name, matches in _GROUPS if matches(where)), None)


def time_split(profile_file: str) -> list[tuple[str, float]]:
    """Own time per group; builtins and standard-library helpers (enum, functools, ipaddress, ...)
    count for the group of whoever called them, up to three calls up."""
    stats = pstats.Stats(profile_file).stats  # type: ignore[attr-defined]

    def where(key: tuple[str, int, str]) -> str:
        return key[0] if key[0] != "~" else key[2]

    def attribute(key: tuple[str, int, str], seconds: float, depth: int, totals: dict[str, float]) -> None:
        group = _group(where(key))
        callers = stats.get(key, (0, 0, 0, 0, {}))[4]
        if group is None and depth < 3 and callers:
            calls_total = sum(entry[2] for entry in callers.values()) or 1.0
            for caller, entry in callers.items():
                attribute(caller, seconds * entry[2] / calls_total, depth + 1, totals)
            return
        totals[group or _OTHER] = totals.get(group or _OTHER, 0.0) + seconds

    totals: dict[str, float] = {}
    for key, (_, _, tottime, _, _) in stats.items():
        attribute(key, tottime, 0, totals)
    whole = sum(totals.values()) or 1.0
    return sorted(((name, round(100 * value / whole, 1)) for name, value in totals.items()), key=lambda item: -item[1])


def top_functions(profile_file: str, count: int = 12) -> list[str]:
    stats = pstats.Stats(profile_file)
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:count]  # type: ignore[attr-defined]
    whole = sum(value[2] for value in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    return [f"{100 * value[2] / whole:5.1f}%  {Path(filename).name}:{line} {function}"
            for (filename, line, function), value in rows]


# -- the run -----------------------------------------------------------------------------------


def median_phase(rounds: list[Phase]) -> Phase:
    """The round with the median rate, its requests and errors summed over all rounds."""
    middle = sorted(rounds, key=lambda phase: phase.rate)[len(rounds) // 2]
    return Phase(**{**asdict(middle), "requests": sum(p.requests for p in rounds),
                    "errors": sum(p.errors for p in rounds)})


async def run(seconds: float, rounds: int, profile: bool) -> dict:
    trivial = Server("--serve-trivial")
    cse = Server("--serve-cse")
    measured: dict[tuple[str, str, int], list[Phase]] = {}
    try:
        await prepare_cse(cse.port)
        cases = [
            ("retrieve", template(GET, "cse-in/bench/fixed/target", onem2m("Cbench", "r")),
             template(GET, "trivial", []), 0x45),
            ("create", template(POST, "cse-in/bench/box", onem2m("Cbench", "c", 4), b'{"m2m:cin": {"con": "21.5"}}'),
             template(POST, "trivial", [(CONTENT_FORMAT, bytes([50]))], b'{"m2m:cin": {"con": "21.5"}}'), 0x41),
        ]
        for _ in range(rounds):
            for operation, cse_request, trivial_request, expect in cases:
                for concurrency in CONCURRENCY:
                    # Alternate the two servers so that drift on the machine hits both alike.
                    for name, port, request in (("trivial aiocoap", trivial.port, trivial_request),
                                                ("CSE CoAP", cse.port, cse_request)):
                        await drive(port, "warm-up", operation, request, concurrency, 0.3, expect)
                        phase = await drive(port, name, operation, request, concurrency, seconds, expect)
                        measured.setdefault((name, operation, concurrency), []).append(phase)
    finally:
        trivial.stop()
        cse.stop()
    phases = [median_phase(rounds) for rounds in measured.values()]
    core = await core_only(seconds)
    split: list[tuple[str, float]] = []
    top: list[str] = []
    if profile:
        with tempfile.TemporaryDirectory() as directory:
            profile_file = str(Path(directory) / "cse.prof")
            profiled = Server("--serve-cse", "--profile", profile_file)
            try:
                await prepare_cse(profiled.port)
                request = template(GET, "cse-in/bench/fixed/target", onem2m("Cbench", "r"))
                profiled.signal(signal.SIGUSR1)
                await asyncio.sleep(0.2)
                await drive(profiled.port, "profiled", "retrieve", request, 32, seconds, 0x45)
            finally:
                profiled.stop()
            split = time_split(profile_file)
            top = top_functions(profile_file)
    return {"phases": [asdict(phase) for phase in phases], "core_only": core, "time_split": split, "top": top}


def report(results: dict) -> str:
    phases = [Phase(**phase) for phase in results["phases"]]
    lines = ["CoAP over loopback UDP, Confirmable requests; per case the median of the rounds", "",
             f"{'server':<16} {'operation':<9} {'outst.':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"]
    for phase in phases:
        lines.append(f"{phase.server:<16} {phase.operation:<9} {phase.concurrency:>6} {phase.rate:>9.1f} "
                     f"{phase.p50_ms:>8.3f} {phase.p99_ms:>8.3f} {phase.errors:>6}")
    lines.append("")
    by_key = {(p.server, p.operation, p.concurrency): p.rate for p in phases}
    for operation in ("retrieve", "create"):
        for concurrency in CONCURRENCY:
            cse, trivial = by_key.get(("CSE CoAP", operation, concurrency)), by_key.get(("trivial aiocoap", operation, concurrency))
            if cse and trivial:
                target = "  (target >= 60%)" if operation == "retrieve" else ""
                lines.append(f"CSE {operation} / trivial {operation} at {concurrency:>2} outstanding: "
                             f"{100 * cse / trivial:5.1f}%{target}")
    core = results["core_only"]
    lines += ["", f"core alone (CSE.handle, no transport): retrieve {core['retrieve']:.0f}/s, create {core['create']:.0f}/s"]
    if results["time_split"]:
        lines += ["", "where the CSE's time goes, retrieve at 32 outstanding (cProfile, own time):"]
        lines += [f"  {share:5.1f}%  {name}" for name, share in results["time_split"]]
        lines += ["", "top functions by own time:"] + [f"  {row}" for row in results["top"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--serve-trivial":
        _serve_trivial(int(args[1]))
        return 0
    if args and args[0] == "--serve-cse":
        _serve_cse(int(args[1]), args[3] if len(args) > 3 and args[2] == "--profile" else None)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.coap_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each measured phase (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is reported (default 3)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled run")
    options = parser.parse_args(args)
    results = asyncio.run(run(options.seconds, max(1, options.rounds), not options.no_profile))
    print(report(results))
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
