"""The IPE at scale: ``python -m bench.ipe_fanout_bench [--count N] [--json OUT]``.

Measures, over loopback, with the CSE and its SDT IPE (LwM2M driver) in this process and N
simulated LwM2M devices in a child process (``cse sim lwm2m``):

* onboarding: from starting the devices until every one is shown in the CSE as a node with its
  mgmtObjs and light (registration, reads of the device, resource creation, observations);
* memory: the CSE+IPE process holding N devices;
* reboot round trip: one Update of ``rbo`` through the fanOutPoint of a group of the N reboot
  mgmtObjs, until the aggregated response holds every device's answer (each device executed
  /3/0/4 and acknowledged it); then until every device has registered again.

Targets from the issue: 1,000 devices registered in under 10 s, and the 1,000-device reboot
round trip in under 10 s. Every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cse.app import Application  # noqa: E402
from cse.config import Settings  # noqa: E402
from cse.primitives import FilterCriteria, FilterUsage, Operation, Request  # noqa: E402

PHASE_LIMIT = 180.0
LWM2M_OPTIONS: dict = {}


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def ask(app: Application, op: Operation, to: str, pc=None, ty=None, fc: FilterCriteria | None = None):
    request = Request(op=op, to=to, fr="CAdmin", rqi="bench", rvi="3", pc=pc, ty=ty, fc=fc or FilterCriteria())
    return await app.cse.handle(request)


async def count_shown(app: Application) -> int:
    """Devices whose light is shown: the last resource the IPE creates for a device."""
    fc = FilterCriteria(fu=FilterUsage.DISCOVERY, ty=[28], lbl=[], lim=100_000)
    response = await ask(app, Operation.RETRIEVE, "cse-in/sdt-ipe", fc=fc)
    return sum(1 for uri in response.pc["m2m:uril"] if uri.endswith("-light-0/binarySwitch/toggle"))


async def wait_until(predicate, limit: float = PHASE_LIMIT, interval: float = 0.2) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if await predicate():
            return time.perf_counter() - started
        await asyncio.sleep(interval)
    return None


async def run(count: int) -> dict:
    lwm2m_port = free_port(socket.SOCK_DGRAM)
    with tempfile.TemporaryDirectory(prefix="ipe-bench-") as tmp:
        settings = Settings(db=f"{tmp}/cse.sqlite", http_port=free_port(socket.SOCK_STREAM), coap_port=0,
                            log_level="warning", plugins=["sdt"],
                            plugin_options={"sdt": {"drivers": ["lwm2m"], "lwm2m": {"port": lwm2m_port, **LWM2M_OPTIONS}}})
        app = Application(settings)
        await app.start()
        rss_before = rss_mib()
        simulator = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cse", "sim", "lwm2m", "--count", str(count), "--server",
            f"coap://127.0.0.1:{lwm2m_port}", "--bind", "127.0.0.1", "--lifetime", "600", "--log-level", "WARNING",
            cwd=REPO, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        figures: dict = {"devices": count}
        try:
            started = time.perf_counter()
            driver = app.plugins._plugins[0][1].ipe.drivers["lwm2m"]

            async def all_registered() -> bool:
                return len(driver.server) >= count

            figures["registered_s"] = await wait_until(all_registered, interval=0.05)

            async def all_shown() -> bool:
                return await count_shown(app) >= count

            shown = await wait_until(all_shown)
            figures["onboarded_s"] = None if shown is None else time.perf_counter() - started
            figures["resources"] = len(app.cse.store)
            figures["rss_mib"] = rss_mib()
            figures["rss_per_device_kib"] = (figures["rss_mib"] - rss_before) * 1024 / count

            fc = FilterCriteria(fu=FilterUsage.DISCOVERY, ty=[13], lim=100_000)
            found = (await ask(app, Operation.RETRIEVE, "cse-in", fc=fc)).pc["m2m:uril"]
            reboots = [uri for uri in found if uri.endswith("/reboot")]
            group = {"m2m:grp": {"rn": "all-lamps", "mt": 13, "mnm": len(reboots) + 1, "mid": reboots}}
            created = await ask(app, Operation.CREATE, "cse-in", pc=group, ty=9)
            assert int(created.rsc) == 2001, created
            registrations_before = len(driver.server)
            t0 = time.perf_counter()
            answer = await ask(app, Operation.UPDATE, "cse-in/all-lamps/fopt", pc={"m2m:rbo": {"rbo": True}})
            figures["reboot_round_trip_s"] = time.perf_counter() - t0
            entries = answer.pc["m2m:agr"]["m2m:rsp"]
            codes: dict[int, int] = {}
            for entry in entries:
                codes[entry["rsc"]] = codes.get(entry["rsc"], 0) + 1
            figures["reboot_answers"] = codes
            failures: dict[str, int] = {}
            for entry in entries:
                if entry["rsc"] != 2004:
                    message = str((entry.get("pc") or {}).get("m2m:dbg", ""))[:90]
                    failures[message] = failures.get(message, 0) + 1
            figures["reboot_failures"] = failures
            figures["reboot_members"] = len(reboots)
            assert registrations_before >= count
        finally:
            simulator.terminate()
            try:
                await asyncio.wait_for(simulator.wait(), 30)
            except asyncio.TimeoutError:
                simulator.kill()
            await app.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ipe_fanout_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.count))
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
