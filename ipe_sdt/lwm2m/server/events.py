"""What happens to registrations and observations, delivered to subscribers.

Two ways to listen: subscribe(callback) calls the callback synchronously for every event (a
callback that raises is logged and kept), and stream() gives an async iterator over a bounded
buffer. A slow stream reader loses the oldest events rather than growing memory without bound;
the stream counts what it dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar

from ..paths import Path
from ..values import Value
from .device import Device

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceRegistered:
    device: Device
    previous: Device | None = None
    """The registration this one replaced: the same endpoint registered again (after a reboot)."""


@dataclass(frozen=True)
class DeviceUpdated:
    device: Device
    previous: Device
    objects_changed: bool = False


@dataclass(frozen=True)
class DeviceDeregistered:
    device: Device


@dataclass(frozen=True)
class DeviceExpired:
    device: Device


@dataclass(frozen=True)
class NotificationReceived:
    endpoint: str
    observation_id: int
    path: Path
    values: dict[Path, Value] = field(default_factory=dict)
    content_format: int | None = None


@dataclass(frozen=True)
class ObservationEnded:
    endpoint: str
    observation_id: int
    path: Path
    reason: str


Event: TypeAlias = (
    DeviceRegistered | DeviceUpdated | DeviceDeregistered | DeviceExpired | NotificationReceived | ObservationEnded
)
Callback: TypeAlias = Callable[[Event], None]
E = TypeVar("E")


class EventStream(Generic[E]):
    """An async iterator over events, holding at most maxsize of them."""

    def __init__(self, hub: EventHub[E], maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an event stream needs room for at least one event")
        self._hub = hub
        self._buffer: deque[E] = deque(maxlen=maxsize)
        self._ready = asyncio.Event()
        self._closed = False
        self.dropped = 0

    def _push(self, event: E) -> None:
        if len(self._buffer) == self._buffer.maxlen:
            self.dropped += 1
        self._buffer.append(event)
        self._ready.set()

    def __aiter__(self) -> EventStream[E]:
        return self

    async def __anext__(self) -> E:
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._buffer.popleft()

    async def get(self, timeout: float | None = None) -> E:
        """The next event; asyncio.TimeoutError after timeout seconds without one."""
        return await asyncio.wait_for(self.__anext__(), timeout)

    def close(self) -> None:
        self._closed = True
        self._hub._streams.discard(self)
        self._ready.set()

    async def __aenter__(self) -> EventStream[E]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class EventHub(Generic[E]):
    def __init__(self) -> None:
        self._callbacks: list[Callable[[E], None]] = []
        self._streams: set[EventStream[E]] = set()

    def subscribe(self, callback: Callable[[E], None]) -> Callable[[], None]:
        """Call callback(event) for every event; returns the function that unsubscribes."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def stream(self, maxsize: int = 10_000) -> EventStream[E]:
        stream: EventStream[E] = EventStream(self, maxsize)
        self._streams.add(stream)
        return stream

    def publish(self, event: E) -> None:
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                # One faulty listener must not stop registrations or other listeners.
                log.exception("LwM2M event callback %r failed on %s", callback, type(event).__name__)
        for stream in list(self._streams):
            stream._push(event)

    def close(self) -> None:
        for stream in list(self._streams):
            stream.close()
        self._callbacks.clear()
