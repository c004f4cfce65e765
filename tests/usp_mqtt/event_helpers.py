"""Bounded waiting on Controller events."""

from __future__ import annotations

import time
from collections.abc import Callable

from ipe_sdt.usp import Event, OperationComplete, ValueChange
from ipe_sdt.usp.controller import AgentBooted, ControllerEvent, EventStream, NotificationReceived

WAIT = 15.0  # generous upper bound; tests never depend on how fast things are


async def next_matching(stream: EventStream, predicate: Callable[[ControllerEvent], bool],
                        timeout: float = WAIT) -> ControllerEvent:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("expected event did not arrive")
        event = await stream.get(remaining)
        if predicate(event):
            return event


async def collect(stream: EventStream, predicate: Callable[[ControllerEvent], bool], count: int,
                  timeout: float = WAIT) -> list[ControllerEvent]:
    out = []
    for _ in range(count):
        out.append(await next_matching(stream, predicate, timeout))
    return out


def booted(agent: str | None = None) -> Callable[[ControllerEvent], bool]:
    return lambda e: isinstance(e, AgentBooted) and (agent is None or e.agent.endpoint_id == agent)


def event_named(agent: str, name: str) -> Callable[[ControllerEvent], bool]:
    return lambda e: (isinstance(e, NotificationReceived) and e.agent == agent
                      and isinstance(e.notification, Event) and e.notification.event_name == name)


def value_change(agent: str, path: str) -> Callable[[ControllerEvent], bool]:
    return lambda e: (isinstance(e, NotificationReceived) and e.agent == agent
                      and isinstance(e.notification, ValueChange) and e.notification.param_path == path)


def operation_complete(agent: str, command_key: str) -> Callable[[ControllerEvent], bool]:
    return lambda e: (isinstance(e, NotificationReceived) and e.agent == agent
                      and isinstance(e.notification, OperationComplete)
                      and e.notification.command_key == command_key)


async def onboard(controller, fleet) -> list[str]:  # noqa: ANN001 - test helper
    """Start ``fleet`` and wait until every Agent's Boot! reached ``controller``."""
    with controller.events() as stream:
        await fleet.start()
        events = await collect(stream, booted(), len(fleet))
    return [e.agent.endpoint_id for e in events]
