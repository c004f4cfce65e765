"""``cse sim usp``: run N simulated USP Agents against an MQTT broker.

    cse sim usp --count 100 --broker mqtt://127.0.0.1:1883 --controller-id self::onem2m-ipe

Runs until interrupted (Ctrl-C, SIGTERM) or for ``--duration`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time

from ipe_sdt.usp.mtp import BrokerAddress, RetryPolicy, check_endpoint_id

from .agent_context import AgentTimings
from .fleet import AgentFleet, fleet_identities

DEFAULT_CONTROLLER_ID = "self::onem2m-ipe"


def _broker(text: str) -> BrokerAddress:
    try:
        return BrokerAddress.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _endpoint_id(text: str) -> str:
    try:
        return check_endpoint_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError("count must be between 1 and 100000")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError("must be between 0 and 86400 seconds")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=_count, default=1, help="number of agents (default 1)")
    parser.add_argument("--broker", type=_broker, default=BrokerAddress("127.0.0.1"),
                        help="MQTT broker, mqtt://host:port (default mqtt://127.0.0.1:1883)")
    parser.add_argument("--controller-id", type=_endpoint_id, default=DEFAULT_CONTROLLER_ID,
                        help=f"endpoint ID of the Controller (default {DEFAULT_CONTROLLER_ID})")
    parser.add_argument("--controller-topic", default=None,
                        help="the Controller's MQTT topic (default usp/controller/<controller-id>)")
    parser.add_argument("--serial-prefix", default="SIM",
                        help="serial number prefix; endpoint IDs are os::<OUI>-<prefix><n> (default SIM)")
    parser.add_argument("--first", type=int, default=1, help="number of the first agent (default 1)")
    parser.add_argument("--duration", type=_seconds, default=None,
                        help="stop after this many seconds (default: run until interrupted)")
    parser.add_argument("--boot-delay", type=_seconds, default=0.5, help="seconds a reboot takes (default 0.5)")
    parser.add_argument("--transfer-time", type=_seconds, default=0.5,
                        help="seconds a simulated download takes (default 0.5)")
    parser.add_argument("--qos", type=int, choices=(0, 1), default=1, help="MQTT QoS (default 1)")
    parser.add_argument("--no-onboard-request", action="store_true",
                        help="do not send an OnBoardRequest on the first boot")
    parser.add_argument("--log-level", default="WARNING", help="Python log level (default WARNING)")


async def _serve(args: argparse.Namespace) -> int:
    timings = AgentTimings(boot_delay=args.boot_delay, transfer_time=args.transfer_time,
                           mqtt_retry=RetryPolicy(0.5, 2000, 30.0))
    identities = fleet_identities(args.count, args.controller_id, serial_prefix=args.serial_prefix,
                                  topic=args.controller_topic, first=args.first)
    fleet = AgentFleet(args.broker, identities, timings, onboard_request=not args.no_onboard_request, qos=args.qos)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    started = time.perf_counter()
    await fleet.start()
    print(f"usp sim: {fleet.connected}/{len(fleet)} agents connected to {args.broker} "
          f"in {time.perf_counter() - started:.2f} s", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), args.duration)
    except TimeoutError:
        pass
    await fleet.stop()
    print("usp sim: stopped", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(_serve(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cse sim usp", description="Run simulated USP Agents (TR-369 over MQTT).")
    add_arguments(parser)
    return run(parser.parse_args(sys.argv[1:] if argv is None else argv))
