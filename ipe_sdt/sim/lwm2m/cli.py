"""``cse sim lwm2m``: run N simulated LwM2M devices against a server until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from urllib.parse import urlsplit

from .fleet import Fleet
from .settings import VERSIONS, DeviceSettings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cse sim lwm2m",
        description="Run N simulated LwM2M devices (objects 3, 4, 5, 9, 3311, 3342, and 0, 1, 11) in one "
        "process, each with its own UDP socket. They register with --server, or are provisioned by the "
        "bootstrap server at --bootstrap first, keep their registrations up, answer the server's requests "
        "and notify observers. Ctrl-C de-registers them and exits.",
    )
    p.add_argument("--count", type=int, default=1, metavar="N", help="number of devices (default: 1)")
    p.add_argument("--server", metavar="URI", help="LwM2M server, coap://host:port (default port 5783)")
    p.add_argument("--bootstrap", metavar="URI", help="LwM2M bootstrap server, coap://host:port (default port "
                   "5784); without --server the devices ship knowing only this server")
    p.add_argument("--endpoint-prefix", default="sim-lwm2m-", metavar="X",
                   help="endpoint names are X00000, X00001, ... (default: sim-lwm2m-)")
    p.add_argument("--lifetime", type=int, default=300, metavar="S",
                   help="registration lifetime in seconds (default: 300)")
    p.add_argument("--lwm2m-version", choices=VERSIONS, default="1.1",
                   help="LwM2M version the devices speak (default: 1.1)")
    p.add_argument("--queue", action="store_true", help="queue mode: devices sleep between Updates")
    p.add_argument("--awake", type=float, default=10.0, metavar="S",
                   help="seconds a queue-mode device listens after each Update (default: 10)")
    p.add_argument("--update-interval", type=float, metavar="S",
                   help="seconds between Updates (default: 3/4 of the lifetime)")
    p.add_argument("--root-path", default="/", metavar="PATH", help="alternate root path of the objects, e.g. /lwm2m")
    p.add_argument("--bind", default="::", metavar="HOST",
                   help="local address of the devices' sockets (default: all addresses); each gets its own port")
    p.add_argument("--change-interval", type=float, default=60.0, metavar="S",
                   help="mean seconds between simulated sensor changes per device, 0 for none (default: 60)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds instead of waiting for Ctrl-C")
    p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return p


def _with_port(uri: str, option: str, default_port: int) -> str:
    parts = urlsplit(uri)
    if parts.scheme not in ("coap", "coaps") or not parts.hostname:
        raise ValueError(f"{option} must be a coap://host:port URI, not {uri!r}")
    if parts.scheme == "coaps":
        raise ValueError(f"{option}: coaps:// needs DTLS, which the simulator does not have")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{option} has a bad port: {uri!r}") from None
    if port is None:
        return f"coap://{parts.netloc}:{default_port}"
    return f"coap://{parts.netloc}"


def settings_from(args: argparse.Namespace) -> DeviceSettings:
    if not args.server and not args.bootstrap:
        raise ValueError("give --server or --bootstrap (or both)")
    if args.count < 1:
        raise ValueError("--count must be at least 1")
    server = _with_port(args.server, "--server", 5783) if args.server else None
    bootstrap = _with_port(args.bootstrap, "--bootstrap", 5784) if args.bootstrap else None
    return DeviceSettings(
        endpoint=args.endpoint_prefix + "0",
        server_uri=server,
        bootstrap_uri=bootstrap,
        lifetime=args.lifetime,
        lwm2m_version=args.lwm2m_version,
        queue_mode=args.queue,
        awake_time=args.awake,
        update_interval=args.update_interval,
        root_path=args.root_path,
        bind_host=args.bind,
        change_interval=args.change_interval or None,
    )


async def run(fleet: Fleet, duration: float | None, out: object = sys.stdout) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    deadline = None if duration is None else loop.time() + duration
    await fleet.start()
    print(f"started {len(fleet)} simulated LwM2M devices", file=out, flush=True)  # type: ignore[arg-type]
    waiter = asyncio.ensure_future(fleet.wait_registered(timeout=duration or 3600.0))
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({waiter, stopper}, timeout=duration, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done and waiter.result() is not None:
            seconds = waiter.result()
            print(f"{len(fleet)} devices registered in {seconds:.2f} s", file=out, flush=True)  # type: ignore[arg-type]
        elif waiter in done:
            print(f"not all devices registered: {dict(fleet.states())}", file=out, flush=True)  # type: ignore[arg-type]
        if not stop.is_set():
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            await asyncio.wait({stopper}, timeout=remaining)
    finally:
        waiter.cancel()
        stopper.cancel()
        states = dict(fleet.states())
        print(f"stopping: {states}", file=out, flush=True)  # type: ignore[arg-type]
        await fleet.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):
                pass
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        template = settings_from(args)
        fleet = Fleet.build(args.count, template, args.endpoint_prefix)
    except ValueError as exc:
        print(f"cse sim lwm2m: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(fleet, args.duration))
    except KeyboardInterrupt:
        return 130
