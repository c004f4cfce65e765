"""Test helpers: an LwM2M server and simulated devices on loopback, and bounded event waits."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import aiocoap
from aiocoap import Message

from ipe_sdt.lwm2m.server import EventStream, Lwm2mServer, ServerConfig
from ipe_sdt.sim.lwm2m import DeviceSettings, SimulatedDevice

HOST = "127.0.0.1"
WAIT = 10.0
"""Upper bound for anything a test waits for; never an expectation of speed."""

TEST_CONFIG = ServerConfig(request_timeout=3.0, ack_timeout=0.5, max_retransmit=2, awake_time=93.0, expiry_grace=0.2)

E = TypeVar("E")


async def next_event(stream: EventStream[Any], kind: type[E], predicate: Callable[[E], bool] = lambda e: True,
                     timeout: float = WAIT) -> E:
    """The next event of this kind (and matching predicate); others are skipped."""

    async def find() -> E:
        async for event in stream:
            if isinstance(event, kind) and predicate(event):
                return event
        raise AssertionError("event stream closed")

    return await asyncio.wait_for(find(), timeout)


class Devices:
    """Simulated devices made for one test, all stopped at its end."""

    def __init__(self, server: Lwm2mServer) -> None:
        self.server = server
        self.devices: list[SimulatedDevice] = []

    def settings(self, endpoint: str, **overrides: Any) -> DeviceSettings:
        base = DeviceSettings(
            endpoint=endpoint,
            server_uri=f"coap://{HOST}:{self.server.port}",
            bind_host=HOST,
            lifetime=60,
            request_timeout=3.0,
            reboot_delay=0.1,
            retry_max=1.0,
        )
        return dataclasses.replace(base, **overrides)

    async def start(self, endpoint: str, *, wait: bool = True, **overrides: Any) -> SimulatedDevice:
        device = SimulatedDevice(self.settings(endpoint, **overrides))
        self.devices.append(device)
        await device.start()
        if wait:
            await asyncio.wait_for(device.wait_registered(), WAIT)
        return device

    async def stop_all(self) -> None:
        await asyncio.gather(*(asyncio.wait_for(d.stop(), WAIT) for d in self.devices), return_exceptions=True)


def coap_message(port: int, code: Any, path: tuple[str, ...], query: tuple[str, ...] = (), payload: bytes = b"",
                 content_format: int | None = None) -> Message:
    message = Message(code=code, uri=f"coap://{HOST}:{port}/")
    message.opt.uri_path = path
    message.opt.uri_query = query
    message.payload = payload
    if content_format is not None:
        message.opt.content_format = content_format
    return message


class RawClient:
    """A plain CoAP client socket, for requests no well-behaved device would send."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.context: Any = None

    async def __aenter__(self) -> RawClient:
        self.context = await aiocoap.Context.create_client_context(transports=["udp6"])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.context.shutdown()

    async def send(self, code: Any, path: tuple[str, ...], query: tuple[str, ...] = (), payload: bytes = b"",
                   content_format: int | None = None) -> Message:
        message = coap_message(self.port, code, path, query, payload, content_format)
        return await asyncio.wait_for(self.context.request(message).response, WAIT)


async def server_fixture(config: ServerConfig = TEST_CONFIG) -> AsyncIterator[Lwm2mServer]:
    server = Lwm2mServer(HOST, 0, config=config)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
