"""The LwM2M bootstrap server: answers Bootstrap-Request and provisions the device.

    device  POST /bs?ep=<name>[&pct=<format>]      -> 2.04 Changed (4.00 unknown endpoint)
    server  DELETE /0, /1 (/11)                   Bootstrap-Delete
            GET /0  Accept: 40                    Bootstrap-Discover (what survived: its bootstrap account)
            PUT /0/<i>, /1/<i>, /11/<i>           Bootstrap-Write
            POST /bs                              Bootstrap-Finish -> 2.04 (4.06 when inconsistent)

The provider decides per endpoint name what the device gets (None refuses it). The requests go
from this server's socket to the address the Bootstrap-Request came from; each is bounded by
request_timeout, and a device that stops answering fails its bootstrap, not the server.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import aiocoap
from aiocoap import Message
from aiocoap.numbers.codes import Code
from aiocoap.resource import PathCapable, Resource

from ..attributes import parse_discover
from ..codec import ContentFormat, content_format, encode
from ..errors import CodecError
from ..server.coap_exchange import code_text, diagnostic, exchange, remote_address, settle_quietly, tuning_for
from ..server.errors import DeviceTimeout, DeviceUnreachable
from ..server.events import EventHub, EventStream
from ..server.registration_query import MAX_ENDPOINT_LENGTH
from ..server.udp_bind import aiocoap_host, reserve_port, seal
from .config import BootstrapConfig
from .provisioning import Step, deletes, writes

log = logging.getLogger(__name__)

DEFAULT_BOOTSTRAP_PORT = 5784
LINK_FORMAT = 40
_WRITE_FORMATS = (ContentFormat.TLV, ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.LWM2M_JSON)

Provider: TypeAlias = Callable[[str], BootstrapConfig | None | Awaitable[BootstrapConfig | None]]
"""provider(endpoint) -> the configuration for that device, or None to refuse it (may be async)."""


@dataclass(frozen=True)
class BootstrapCompleted:
    endpoint: str
    address: tuple[str, int]


@dataclass(frozen=True)
class BootstrapFailed:
    endpoint: str
    address: tuple[str, int]
    reason: str


BootstrapEvent: TypeAlias = BootstrapCompleted | BootstrapFailed


class _Failed(Exception):
    pass


class Lwm2mBootstrapServer:
    def __init__(
        self,
        host: str = "::",
        port: int = DEFAULT_BOOTSTRAP_PORT,
        *,
        provider: Provider,
        request_timeout: float = 10.0,
        ack_timeout: float = 2.0,
        max_retransmit: int = 4,
        max_sessions: int = 1000,
    ) -> None:
        self.host = host
        self.port = port
        self.provider = provider
        self.request_timeout = request_timeout
        self.tuning = tuning_for(request_timeout, ack_timeout, max_retransmit)
        self.max_sessions = max_sessions
        self._events: EventHub[BootstrapEvent] = EventHub()
        self._context: Any = None
        self._sessions: dict[str, asyncio.Task[None]] = {}
        self._stopped: asyncio.Future[str] | None = None

    async def start(self) -> None:
        if self._context is not None:
            raise RuntimeError("the bootstrap server is already running")
        self.port = reserve_port(self.host, self.port)
        self._stopped = asyncio.get_running_loop().create_future()
        self._context = await aiocoap.Context.create_server_context(
            _BootstrapResource(self), bind=(aiocoap_host(self.host), self.port), transports=["udp6"],
            loggername="lwm2m-bootstrap",
        )
        seal(self._context, 1024 * 1024)
        log.info("LwM2M bootstrap server listening on UDP port %d", self.port)

    async def stop(self) -> None:
        if self._context is None:
            return
        assert self._stopped is not None
        self._stopped.set_result("the bootstrap server stopped")
        for task in list(self._sessions.values()):
            task.cancel()
        if self._sessions:
            await asyncio.wait(list(self._sessions.values()))
        context, self._context = self._context, None
        await context.shutdown()
        self._events.close()

    async def __aenter__(self) -> Lwm2mBootstrapServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def subscribe(self, callback: Callable[[BootstrapEvent], None]) -> Callable[[], None]:
        return self._events.subscribe(callback)

    def stream(self, maxsize: int = 10_000) -> EventStream[BootstrapEvent]:
        return self._events.stream(maxsize)

    @property
    def in_progress(self) -> list[str]:
        return list(self._sessions)

    # --- Bootstrap-Request ----------------------------------------------------------------------

    async def request(self, request: Message) -> Message:
        if tuple(request.opt.uri_path) != ("bs",):
            return Message(code=Code.NOT_FOUND, payload=b"not a resource of this bootstrap server")
        if request.code != Code.POST:
            return Message(code=Code.METHOD_NOT_ALLOWED, payload=b"Bootstrap-Request is a POST")
        params: dict[str, str | None] = {}
        for query in request.opt.uri_query:
            name, sep, value = query.partition("=")
            if name in params:
                return Message(code=Code.BAD_REQUEST, payload=f"{name} given twice".encode())
            params[name] = value if sep else None
        endpoint = params.get("ep")
        if not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH or not endpoint.isprintable():
            return Message(code=Code.BAD_REQUEST, payload=b"missing or bad endpoint name (ep)")
        write_format = ContentFormat.TLV
        if params.get("pct") is not None:
            try:
                write_format = content_format(int(params["pct"] or ""))
            except (ValueError, CodecError):
                return Message(code=Code.UNSUPPORTED_CONTENT_FORMAT, payload=b"unsupported preferred content format")
            if write_format not in _WRITE_FORMATS:
                return Message(code=Code.UNSUPPORTED_CONTENT_FORMAT, payload=b"unsupported preferred content format")
        if endpoint not in self._sessions and len(self._sessions) >= self.max_sessions:
            return Message(code=Code.SERVICE_UNAVAILABLE, payload=b"too many bootstraps in progress")
        try:
            config = self.provider(endpoint)
            if inspect.isawaitable(config):
                config = await config
        except Exception:
            log.exception("bootstrap provider failed for %s", endpoint)
            return Message(code=Code.INTERNAL_SERVER_ERROR)
        if config is None:
            log.warning("bootstrap refused for unknown endpoint %r", endpoint)
            return Message(code=Code.BAD_REQUEST, payload=b"no bootstrap configuration for this endpoint")
        previous = self._sessions.pop(endpoint, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.get_running_loop().create_task(
            self._provision(endpoint, request.remote, config, write_format), name=f"lwm2m-bootstrap-{endpoint}"
        )
        self._sessions[endpoint] = task
        task.add_done_callback(lambda t, ep=endpoint: self._forget(ep, t))
        return Message(code=Code.CHANGED)

    # --- provisioning ---------------------------------------------------------------------------

    def _forget(self, endpoint: str, task: asyncio.Task[None]) -> None:
        if self._sessions.get(endpoint) is task:
            del self._sessions[endpoint]

    async def _provision(
        self, endpoint: str, remote: Any, config: BootstrapConfig, write_format: ContentFormat
    ) -> None:
        address = remote_address(remote)
        # Let the 2.04 to the Bootstrap-Request leave before the first server request.
        await asyncio.sleep(0)
        try:
            for step in deletes(config):
                await self._step(remote, step, write_format)
            kept = await self._remaining_security_instances(remote)
            for step in writes(config, kept):
                await self._step(remote, step, write_format)
        except asyncio.CancelledError:
            self._events.publish(BootstrapFailed(endpoint, address, "bootstrap cancelled"))
            raise
        except _Failed as failure:
            log.warning("bootstrap of %s failed: %s", endpoint, failure)
            self._events.publish(BootstrapFailed(endpoint, address, str(failure)))
            return
        log.info("bootstrapped %s at %s:%d", endpoint, *address)
        self._events.publish(BootstrapCompleted(endpoint, address))

    async def _send(self, remote: Any, message: Message, what: str) -> Message:
        message.remote = remote
        message.transport_tuning = self.tuning
        assert self._stopped is not None
        response = asyncio.ensure_future(self._context.request(message).response)
        try:
            return await exchange(response, self.request_timeout, self._stopped)
        except (DeviceTimeout, DeviceUnreachable) as exc:
            raise _Failed(f"{what}: {exc}") from None
        finally:
            if not response.done():
                settle_quietly(response)

    async def _step(self, remote: Any, step: Step, write_format: ContentFormat) -> None:
        uri_path = tuple(str(p) for p in step.path)
        if step.kind == "delete":
            what = f"Bootstrap-Delete /{'/'.join(uri_path)}"
            response = await self._send(remote, Message(code=Code.DELETE, uri_path=uri_path), what)
            # Deleting what is not there is fine; the device may answer 4.04 for an empty object.
            if not response.code.is_successful() and response.code != Code.NOT_FOUND:
                raise _Failed(f"{what} answered {code_text(response.code)} {diagnostic(response)}")
            return
        if step.kind == "write":
            payload = encode(step.values, write_format, step.path)
            message = Message(code=Code.PUT, uri_path=uri_path, payload=payload, content_format=int(write_format))
            what = f"Bootstrap-Write /{'/'.join(uri_path)}"
            response = await self._send(remote, message, what)
            if not response.code.is_successful():
                raise _Failed(f"{what} answered {code_text(response.code)} {diagnostic(response)}")
            return
        response = await self._send(remote, Message(code=Code.POST, uri_path=("bs",)), "Bootstrap-Finish")
        if not response.code.is_successful():
            raise _Failed(f"Bootstrap-Finish answered {code_text(response.code)} {diagnostic(response)}")

    async def _remaining_security_instances(self, remote: Any) -> set[int]:
        """/0 instances left after the delete (the device's bootstrap account)."""
        discover = Message(code=Code.GET, uri_path=("0",), accept=LINK_FORMAT)
        response = await self._send(remote, discover, "Bootstrap-Discover")
        if not response.code.is_successful():
            # LwM2M 1.0 has no Bootstrap-Discover; the bootstrap account is usually /0/0.
            return {0}
        try:
            links = parse_discover(bytes(response.payload))
        except CodecError:
            return {0}
        return {link.path[1] for link in links if len(link.path) == 2 and link.path[0] == 0}


class _BootstrapResource(Resource, PathCapable):
    def __init__(self, server: Lwm2mBootstrapServer) -> None:
        super().__init__()
        self.server = server

    async def render(self, request: Message) -> Message:
        try:
            return await self.server.request(request)
        except Exception:
            log.exception("Bootstrap-Request failed")
            return Message(code=Code.INTERNAL_SERVER_ERROR)
