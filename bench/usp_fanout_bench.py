"""USP Agents behind the SDT IPE at scale: ``python -m bench.usp_fanout_bench [--agents N] [--rounds R]``.

The CSE with the SDT IPE and its usp driver runs in this process (on-disk SQLite in a fresh
temporary directory, HTTP on loopback); N simulated Agents run in a child process
(``python -m ipe_sdt.sim.usp``), all on a private mosquitto unless ``--broker`` names one.
Measured:

* onboarding: from starting the simulator until every Agent's node, then every node's
  deviceInfo mgmtObj, exists in the CSE (seen over HTTP by discovery);
* fan-out Get of DeviceInfo: one ``GET <group>/fopt`` over a group of the N deviceInfo
  mgmtObjs, R rounds after one warm-up, each answer checked to hold N successful entries with
  the Agent's serial number (target: 1,000 Agents in under 5 s);
* fresh read: the driver reads every Agent again at once (one USP Get of DeviceInfo,
  SoftwareModules and IoTCapability each), for comparison.

A retrieve of a deviceInfo is answered from the CSE: the driver keeps it current (it reads an
Agent whenever it connects or boots, the only times these values change), so the fan-out does
not reach the Agents. The fresh read shows what asking all of them costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cse.app import Application  # noqa: E402
from cse.config import Settings  # noqa: E402
from ipe_sdt.sim.usp.local_broker import LocalMosquitto, free_port, mosquitto_binary  # noqa: E402
from ipe_sdt.usp.mtp import BrokerAddress  # noqa: E402

CONTROLLER_ID = "self::usp-fanout-bench"
CSE = "cse-in"
ADMIN = "CAdmin"
TARGET_SECONDS = 5.0
POLL = 0.25


class BenchError(RuntimeError):
    pass


async def call(session: aiohttp.ClientSession, base: str, method: str, path: str, ty: int | None = None,
               body: Any = None) -> tuple[int, Any]:
    headers = {"X-M2M-Origin": ADMIN, "X-M2M-RI": f"b{time.monotonic_ns()}", "X-M2M-RVI": "3",
               "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json" + (f";ty={ty}" if ty else "")
        data = orjson.dumps(body)
    async with session.request(method, f"{base}/{path}", headers=headers, data=data) as response:
        raw = await response.read()
        return response.status, orjson.loads(raw) if raw else None


async def discovered(session: aiohttp.ClientSession, base: str, query: str) -> list[str]:
    status, body = await call(session, base, "GET", f"{CSE}?fu=1&{query}")
    if status != 200:
        raise BenchError(f"discovery {query}: HTTP {status}: {body}")
    return body.get("m2m:uril", []) if body else []


async def onboard(session: aiohttp.ClientSession, base: str, broker: BrokerAddress, count: int,
                  limit: float) -> tuple[dict[str, float], subprocess.Popen[bytes], list[str]]:
    started = time.perf_counter()
    sim = subprocess.Popen(
        [sys.executable, "-m", "ipe_sdt.sim.usp", "--count", str(count), "--broker", broker.url,
         "--controller-id", CONTROLLER_ID, "--serial-prefix", f"F{os.getpid() % 100000:05d}x"],
        cwd=REPO, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    figures: dict[str, float] = {}
    deadline = started + limit
    infos: list[str] = []
    while True:
        if time.perf_counter() > deadline:
            raise BenchError(f"not onboarded within {limit:g} s: {figures}, {len(infos)} deviceInfo")
        if sim.poll() is not None:
            raise BenchError("the simulator exited")
        if "nodes_s" not in figures:
            nodes = await discovered(session, base, "ty=14&lbl=protocol:usp")
            if len(nodes) >= count:
                figures["nodes_s"] = time.perf_counter() - started
        if "nodes_s" in figures:
            infos = [u for u in await discovered(session, base, "ty=13") if u.endswith("/deviceInfo")]
            if len(infos) >= count:
                figures["device_info_s"] = time.perf_counter() - started
                return figures, sim, infos
        await asyncio.sleep(POLL)


async def fan_out(session: aiohttp.ClientSession, base: str, infos: list[str], rounds: int) -> list[float]:
    group = {"m2m:grp": {"rn": "usp-device-info", "mt": 13, "mnm": len(infos), "mid": infos}}
    status, body = await call(session, base, "POST", CSE, 9, group)
    if status != 201 or body["m2m:grp"]["cnm"] != len(infos):
        raise BenchError(f"group not created with {len(infos)} members: HTTP {status}")
    seconds = []
    for attempt in range(rounds + 1):  # the first one warms up and is not counted
        t0 = time.perf_counter()
        status, body = await call(session, base, "GET", f"{CSE}/usp-device-info/fopt")
        elapsed = time.perf_counter() - t0
        entries = body["m2m:agr"]["m2m:rsp"] if status == 200 else []
        good = sum(1 for e in entries if e["rsc"] == 2000 and e["pc"]["m2m:dvi"].get("dlb"))
        if good != len(infos):
            raise BenchError(f"fan-out: {good} of {len(infos)} members answered with a deviceInfo")
        if attempt:
            seconds.append(elapsed)
    return seconds


async def fresh_read(app: Application) -> tuple[float, int]:
    # The driver object, reached in-process (the plugin keeps its IPE and drivers).
    plugin = dict(app.plugins._plugins)["sdt"]
    driver = plugin.ipe.drivers["usp"]
    ids = [device_id for device_id in list(driver._agents) if driver.device(device_id) is not None]
    started = time.perf_counter()
    results = await asyncio.gather(*(driver.refresh(i) for i in ids), return_exceptions=True)
    return time.perf_counter() - started, sum(1 for r in results if isinstance(r, BaseException))


async def run(count: int, rounds: int, broker: BrokerAddress, limit: float, db: str) -> dict[str, Any]:
    settings = Settings(
        db=db, http_port=free_port(), coap_port=0, log_level="warning", plugins=["sdt"],
        plugin_options={"sdt": {"drivers": ["usp"], "usp": {
            "broker": broker.url, "endpoint_id": CONTROLLER_ID, "request_timeout": 30.0}}},
    )
    app = Application(settings)
    await app.start()
    sim = None
    try:
        base = app.http.url.rstrip("/")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            print(f"onboarding {count} agents ...", file=sys.stderr, flush=True)
            onboarding, sim, infos = await onboard(session, base, broker, count, limit)
            print("fan-out retrieves ...", file=sys.stderr, flush=True)
            seconds = await fan_out(session, base, infos, rounds)
        print("fresh read of every agent ...", file=sys.stderr, flush=True)
        fresh_s, fresh_failed = await fresh_read(app)
        median = statistics.median(seconds)
        return {
            "agents": count,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "onboarding": {k: round(v, 3) for k, v in onboarding.items()},
            "fan_out_get_device_info": {
                "rounds": rounds, "seconds": [round(s, 3) for s in seconds], "median_s": round(median, 3),
                "target_s": TARGET_SECONDS, "target_met": median < TARGET_SECONDS,
            },
            "fresh_read_all_agents": {"seconds": round(fresh_s, 3), "failed": fresh_failed},
        }
    finally:
        if sim is not None:
            sim.send_signal(signal.SIGTERM)
            try:
                sim.wait(timeout=30)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim.wait(timeout=10)
        await app.stop()


def report(result: dict[str, Any]) -> str:
    on, fan, fresh = result["onboarding"], result["fan_out_get_device_info"], result["fresh_read_all_agents"]
    verdict = "met" if fan["target_met"] else "MISSED"
    return "\n".join([
        f"USP agents behind the SDT IPE: {result['agents']} agents, {result['cpus']} CPUs, Python {result['python']}",
        f"  all nodes exist after             {on['nodes_s']:.2f} s (from starting the simulator)",
        f"  all deviceInfo mgmtObjs after     {on['device_info_s']:.2f} s",
        f"  fan-out GET of deviceInfo         min {min(fan['seconds']) * 1000:.0f} / median "
        f"{fan['median_s'] * 1000:.0f} / max {max(fan['seconds']) * 1000:.0f} ms over {fan['rounds']} rounds "
        f"(target < {TARGET_SECONDS:g} s: {verdict})",
        f"  fresh read of every agent (USP)   {fresh['seconds']:.2f} s, {fresh['failed']} failed",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.usp_fanout_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000, help="simulated agents (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed fan-out retrieves after a warm-up (default 5)")
    parser.add_argument("--broker", default=None, help="mqtt://host:port (default: a private mosquitto)")
    parser.add_argument("--timeout", type=float, default=300.0, help="onboarding time limit, seconds")
    parser.add_argument("--memory", action="store_true", help="keep the CSE's database in memory")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON to OUT")
    args = parser.parse_args(argv)
    if not 1 <= args.agents <= 20_000 or not 1 <= args.rounds <= 100:
        parser.error("--agents must be 1..20000 and --rounds 1..100")
    logging.basicConfig(level=logging.ERROR)
    local = None
    if args.broker is None:
        binary = mosquitto_binary()
        if binary is None:
            print("mosquitto is not installed (apt-get install mosquitto), or pass --broker", file=sys.stderr)
            return 2
        local = LocalMosquitto(binary)
        local.start()
        broker = local.address
    else:
        broker = BrokerAddress.parse(args.broker)
    try:
        with tempfile.TemporaryDirectory(prefix="usp-fanout-bench-") as tmp:
            db = ":memory:" if args.memory else str(Path(tmp) / "cse.sqlite")
            result = asyncio.run(run(args.agents, args.rounds, broker, args.timeout, db))
    except BenchError as error:
        print(f"usp fanout bench: {error}", file=sys.stderr)
        return 1
    finally:
        if local is not None:
            local.close()
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
