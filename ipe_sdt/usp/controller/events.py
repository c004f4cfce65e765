"""Events the Controller reports to its users, and the streams that carry them.

Each ``EventStream`` has its own bounded queue: a slow consumer loses its
oldest events (counted in ``dropped``) instead of stalling the Controller or
the other consumers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ipe_sdt.usp import Notification

from .agent_info import AgentInfo, BootInfo, OnboardInfo


@dataclass(frozen=True)
class AgentOnline:
    """The Agent became reachable (first contact, or back after being unreachable)."""

    agent: AgentInfo
    via: str  # "connect record", "message", ...


@dataclass(frozen=True)
class AgentOffline:
    """The Agent is unreachable: DisconnectRecord, MQTT Will, or broker connection lost."""

    agent: AgentInfo
    reason: str


@dataclass(frozen=True)
class AgentBooted:
    agent: AgentInfo
    boot: BootInfo


@dataclass(frozen=True)
class AgentOnboardRequested:
    agent: AgentInfo
    request: OnboardInfo


@dataclass(frozen=True)
class NotificationReceived:
    """Any Notify from an Agent (ValueChange, Event, ObjectCreation,
    ObjectDeletion, OperationComplete, OnBoardRequest)."""

    agent: str
    subscription_id: str
    notification: Notification


ControllerEvent = AgentOnline | AgentOffline | AgentBooted | AgentOnboardRequested | NotificationReceived

_CLOSED = object()


class EventStream:
    """``async for event in stream`` until the stream or the Controller closes."""

    def __init__(self, hub: EventHub, maxsize: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize + 1)  # +1: room for the close marker
        self._maxsize = maxsize
        self._closed = False
        self.dropped = 0

    def _put(self, item: object) -> None:
        if self._closed:
            return
        if item is not _CLOSED and self._queue.qsize() >= self._maxsize:
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(item)

    def close(self) -> None:
        if not self._closed:
            self._put(_CLOSED)
            self._closed = True
            self._hub._streams.discard(self)

    async def get(self, timeout: float | None = None) -> ControllerEvent:
        """Next event; TimeoutError after ``timeout``; StopAsyncIteration once closed."""
        item = await asyncio.wait_for(self._queue.get(), timeout)
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)  # stay closed for later readers
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    def __aiter__(self) -> AsyncIterator[ControllerEvent]:
        return self

    async def __anext__(self) -> ControllerEvent:
        return await self.get()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventHub:
    def __init__(self) -> None:
        self._streams: set[EventStream] = set()

    def stream(self, maxsize: int = 10_000) -> EventStream:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        stream = EventStream(self, maxsize)
        self._streams.add(stream)
        return stream

    def publish(self, event: ControllerEvent) -> None:
        for stream in list(self._streams):
            stream._put(event)

    def close(self) -> None:
        for stream in list(self._streams):
            stream.close()
