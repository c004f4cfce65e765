"""USP over MQTT: onboarding rate and a fleet-wide Get.

    python -m bench.usp_bench [--agents 1000] [--broker mqtt://host:port] [--rounds 3]

Without ``--broker`` a private mosquitto is started on a free loopback port.
The simulated Agents run in a child process (``python -m ipe_sdt.sim.usp``),
the Controller in this one, so the two share the machine the way a real
deployment's IPE and devices would not: the figures are a floor.

Measured:
* onboarding: from starting the simulator until every Agent's Boot! has
  reached the Controller (target: 1,000 Agents in under 10 s);
* fleet Get: ``Get Device.DeviceInfo.`` sent to every Agent at once, until
  the last response (wall time, and per-request latency percentiles).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time

from ipe_sdt.sim.usp.local_broker import LocalMosquitto, mosquitto_binary
from ipe_sdt.usp.controller import AgentBooted, ControllerSettings, UspController
from ipe_sdt.usp.mtp import BrokerAddress, RetryPolicy

CONTROLLER_ID = "self::usp-bench"
ONBOARD_TARGET_S = 10.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _onboard(controller: UspController, broker: BrokerAddress, count: int,
                   timeout: float) -> tuple[float, subprocess.Popen[bytes]]:
    events = controller.events(maxsize=4 * count + 100)
    started = time.perf_counter()
    sim = subprocess.Popen(
        [sys.executable, "-m", "ipe_sdt.sim.usp", "--count", str(count), "--broker", broker.url,
         "--controller-id", CONTROLLER_ID, "--serial-prefix", f"B{os.getpid() % 100000:05d}x"],
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    booted: set[str] = set()
    deadline = started + timeout
    try:
        while len(booted) < count:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"only {len(booted)}/{count} agents booted within {timeout:g} s")
            event = await events.get(remaining)
            if isinstance(event, AgentBooted):
                booted.add(event.agent.endpoint_id)
    finally:
        events.close()
    return time.perf_counter() - started, sim


async def _fleet_get(controller: UspController, agents: list[str]) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0

    async def one(agent: str) -> None:
        nonlocal failures
        t0 = time.perf_counter()
        try:
            values = await controller.get(agent, ["Device.DeviceInfo."], timeout=30.0)
        except Exception:
            failures += 1
            return
        if "Device.DeviceInfo.SerialNumber" not in values:
            failures += 1
        latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(one(a) for a in agents))
    return time.perf_counter() - started, latencies, failures


async def run(count: int, broker: BrokerAddress, rounds: int, timeout: float) -> dict[str, object]:
    settings = ControllerSettings(request_timeout=30.0, retry=RetryPolicy(0.2, 2000, 5.0))
    controller = UspController(broker, CONTROLLER_ID, settings=settings)
    await controller.start()
    sim = None
    try:
        onboard_s, sim = await _onboard(controller, broker, count, timeout)
        agents = [a.endpoint_id for a in controller.agents() if a.reachable]
        get_rounds: list[dict[str, object]] = []
        results: dict[str, object] = {
            "agents": count,
            "onboard_seconds": round(onboard_s, 3),
            "onboard_per_second": round(count / onboard_s, 1),
            "onboard_target_met": onboard_s < ONBOARD_TARGET_S if count >= 1000 else None,
            "get_rounds": get_rounds,
        }
        for _ in range(rounds):
            wall, latencies, failures = await _fleet_get(controller, agents)
            get_rounds.append({
                "wall_seconds": round(wall, 3),
                "requests_per_second": round(len(agents) / wall, 1),
                "latency_ms_p50": round(1000 * statistics.median(latencies), 1) if latencies else None,
                "latency_ms_p95": round(1000 * _percentile(latencies, 0.95), 1) if latencies else None,
                "latency_ms_max": round(1000 * max(latencies), 1) if latencies else None,
                "failures": failures,
            })
        return results
    finally:
        await controller.stop()
        if sim is not None:
            sim.send_signal(signal.SIGTERM)
            try:
                sim.wait(timeout=30)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.usp_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="fleet-wide Get rounds (default 3)")
    parser.add_argument("--broker", default=None, help="mqtt://host:port (default: a private mosquitto)")
    parser.add_argument("--timeout", type=float, default=120.0, help="onboarding time limit, seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.agents <= 20_000 or not 0 <= args.rounds <= 100:
        parser.error("--agents must be 1..20000 and --rounds 0..100")
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
        results = asyncio.run(run(args.agents, broker, args.rounds, args.timeout))
    finally:
        if local is not None:
            local.close()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
