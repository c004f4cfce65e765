"""The LwM2M server: the registration interface on its own UDP port, and the device management
operations a driver calls by endpoint name.

    server = Lwm2mServer("::", 5783)
    await server.start()
    server.subscribe(on_event)                  # or: async for event in server.stream(): ...
    result = await server.read("dev-1", "/3/0")
    await server.write("dev-1", "/3311/0/5850", True)
    await server.execute("dev-1", "/5/0/2")
    observation = await server.observe("dev-1", "/3342/0/5500")
    await server.stop()

Requests leave from the socket the registrations came in on, to the address of each device's
last Register or Update. Every operation raises UnknownDevice, DeviceError (with the device's
code), BadResponse, DeviceUnreachable, DeviceTimeout or QueueFull when it cannot return a
result, and CodecError (a ValueError) for arguments that cannot be encoded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import aiocoap

from ..attributes import Attributes, DiscoveredLink
from ..objects import DEFAULT_REGISTRY, ObjectRegistry
from ..paths import Path
from .config import DEFAULT_PORT, ServerConfig
from .device import Device
from .device_requests import DeviceRequests
from .errors import UnknownDevice
from .events import Callback, Event, EventHub, EventStream
from .execute_args import ExecuteArgs
from .observations import Observations
from .rd_resource import RegistrationResource
from .registration_query import RegisterParams
from .registry import DeviceRegistry
from .results import Observation, ReadResult
from .session import Session
from .udp_bind import aiocoap_host, display_host, reserve_port, seal

log = logging.getLogger(__name__)

Authorizer = Callable[[RegisterParams, Any], bool]
"""authorize(params, remote) -> False refuses a Register with 4.03 Forbidden."""


class Lwm2mServer:
    def __init__(
        self,
        host: str = "::",
        port: int = DEFAULT_PORT,
        *,
        config: ServerConfig | None = None,
        objects: ObjectRegistry = DEFAULT_REGISTRY,
        authorize: Authorizer | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.config = config or ServerConfig()
        self.objects = objects
        self.authorize = authorize
        self._events: EventHub[Event] = EventHub()
        self._context: Any = None
        self._registry: DeviceRegistry | None = None
        self._requests: DeviceRequests | None = None
        self._observations: Observations | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the UDP port and accept registrations. OSError when the port is taken."""
        if self._context is not None:
            raise RuntimeError("the LwM2M server is already running")
        loop = asyncio.get_running_loop()
        self.port = reserve_port(self.host, self.port)
        registry = DeviceRegistry(self.config, self._events, loop)
        site = RegistrationResource(registry, self.config, self.authorize)
        self._context = await aiocoap.Context.create_server_context(
            site, bind=(aiocoap_host(self.host), self.port), transports=["udp6"], loggername="lwm2m-server"
        )
        seal(self._context, self.config.receive_buffer)
        self._registry = registry
        self._requests = DeviceRequests(self._context, self.config, self.objects)
        self._observations = Observations(self._requests, self._events, self.config)
        registry.on_end(self._observations.end_session)
        log.info("LwM2M server listening on UDP [%s]:%d", display_host(aiocoap_host(self.host)), self.port)

    async def stop(self) -> None:
        """Forget every registration (their pending requests fail), then close the socket."""
        if self._context is None:
            return
        assert self._registry is not None and self._observations is not None
        self._observations.close("the server stopped")
        self._registry.close_all("the server stopped")
        context, self._context = self._context, None
        try:
            await context.shutdown()
        finally:
            self._events.close()
            log.info("LwM2M server on port %d stopped", self.port)

    async def __aenter__(self) -> Lwm2mServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def running(self) -> bool:
        return self._context is not None

    @property
    def address(self) -> tuple[str, int]:
        """The host and the UDP port actually bound (useful with port 0)."""
        return self.host, self.port

    # --- registry and events --------------------------------------------------------------------

    def devices(self) -> list[Device]:
        if self._registry is None:
            return []
        return [s.snapshot(self.config.expiry_grace) for s in self._registry.sessions()]

    def device(self, endpoint: str) -> Device | None:
        session = self._registry.get(endpoint) if self._registry else None
        return None if session is None else session.snapshot(self.config.expiry_grace)

    def __len__(self) -> int:
        return 0 if self._registry is None else len(self._registry)

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """callback(event) for every event, synchronously; returns the unsubscribe function."""
        return self._events.subscribe(callback)

    def stream(self, maxsize: int = 10_000) -> EventStream[Event]:
        """An async iterator of events holding at most maxsize (the oldest are dropped)."""
        return self._events.stream(maxsize)

    def observations(self, endpoint: str) -> list[Observation]:
        session = self._session(endpoint)
        assert self._observations is not None
        return self._observations.of(session)

    # --- device management ----------------------------------------------------------------------

    def _session(self, endpoint: str) -> Session:
        if self._registry is None:
            raise RuntimeError("the LwM2M server is not running")
        session = self._registry.get(endpoint)
        if session is None:
            raise UnknownDevice(endpoint)
        return session

    @property
    def _ops(self) -> DeviceRequests:
        if self._requests is None:
            raise RuntimeError("the LwM2M server is not running")
        return self._requests

    async def read(
        self, endpoint: str, path: Path | str, *, content_format: int | None = None, timeout: float | None = None
    ) -> ReadResult:
        """Values under path. content_format sets Accept; by default the device picks its format."""
        return await self._ops.read(self._session(endpoint), path, content_format, timeout)

    async def write(
        self,
        endpoint: str,
        path: Path | str,
        values: Mapping[Path | str, object] | object,
        *,
        partial: bool = False,
        content_format: int | None = None,
        timeout: float | None = None,
    ) -> None:
        """Write (PUT, replace) or partial update (POST, partial=True).

        values is {full path: value}, or a single value for the resource at path.
        """
        await self._ops.write(
            self._session(endpoint), path, values, partial=partial, content_format=content_format, timeout=timeout
        )

    async def execute(
        self, endpoint: str, path: Path | str, args: ExecuteArgs | str | None = None, *, timeout: float | None = None
    ) -> None:
        """Execute a resource; args {0: "value", 1: None} is sent as 0='value',1."""
        await self._ops.execute(self._session(endpoint), path, args, timeout)

    async def create(
        self,
        endpoint: str,
        object_id: int,
        values: Mapping[Any, object],
        *,
        instance_id: int | None = None,
        content_format: int | None = None,
        timeout: float | None = None,
    ) -> int:
        """Create an object instance; values keyed by resource id, (rid, riid) or full path.
        Returns the new instance id (the device's choice when instance_id is None)."""
        return await self._ops.create(self._session(endpoint), object_id, values, instance_id, content_format, timeout)

    async def delete(self, endpoint: str, path: Path | str, *, timeout: float | None = None) -> None:
        await self._ops.delete(self._session(endpoint), path, timeout)

    async def discover(self, endpoint: str, path: Path | str, *, timeout: float | None = None) -> list[DiscoveredLink]:
        return await self._ops.discover(self._session(endpoint), path, timeout)

    async def write_attributes(
        self,
        endpoint: str,
        path: Path | str,
        attributes: Attributes = Attributes(),
        *,
        unset: Iterable[str] = (),
        timeout: float | None = None,
    ) -> None:
        """Set notification attributes (pmin, pmax, gt, lt, st, epmin, epmax) or unset them."""
        await self._ops.write_attributes(self._session(endpoint), path, attributes, unset, timeout)

    async def observe(
        self, endpoint: str, path: Path | str, *, content_format: int | None = None, timeout: float | None = None
    ) -> Observation:
        assert self._observations is not None
        return await self._observations.observe(self._session(endpoint), path, content_format, timeout)

    async def cancel_observe(
        self, endpoint: str, path: Path | str, *, notify_device: bool = True, timeout: float | None = None
    ) -> int:
        """End the observations of path on the device; returns how many there were."""
        assert self._observations is not None
        return await self._observations.cancel(self._session(endpoint), path, notify_device, timeout)
