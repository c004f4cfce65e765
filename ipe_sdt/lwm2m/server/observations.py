"""Observe and Cancel Observation, and the notifications in between.

An observation is a GET with Observe 0 that the device answers with an Observe option; each
later notification becomes a NotificationReceived event. It ends when the server cancels it,
when the device sends an error or a final answer, or when the registration ends (LwM2M clients
drop their observations when they register anew) - always with exactly one ObservationEnded.

Cancelling stops our interest at once (aiocoap then answers the device's next notification with
a Reset, RFC 7641's reactive cancellation) and, while the device is awake, also sends a GET with
Observe 1 for the path, which devices that match by path act on immediately. aiocoap picks a
new token for every request, so the token-matched form of that GET is not available here.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from typing import Any

from aiocoap import error as coap_error

from ..paths import Path, as_path, format_path
from .coap_exchange import code_text
from .config import ServerConfig
from .device_requests import DeviceRequests
from .errors import BadResponse, DeviceError, Lwm2mServerError
from .events import Event, EventHub, NotificationReceived, ObservationEnded
from .results import Observation
from .session import Session

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    observation: Observation
    session: Session
    request: Any
    task: asyncio.Task[None] | None = None


class Observations:
    def __init__(self, requests: DeviceRequests, events: EventHub[Event], config: ServerConfig) -> None:
        self.requests = requests
        self.events = events
        self.config = config
        self._ids = itertools.count(1)
        self._entries: dict[int, _Entry] = {}

    def of(self, session: Session) -> list[Observation]:
        return [e.observation for e in self._entries.values() if e.session is session]

    async def observe(
        self, session: Session, path: Path | str, content_format: int | None, timeout: float | None
    ) -> Observation:
        target = as_path(path)
        if not target:
            raise ValueError("Observe needs an object, instance, resource or resource instance path")
        message = self.requests.observe_message(session, target, content_format, 0)
        request, response = await self.requests.send_request(session, message, timeout)
        try:
            self.requests.check(response, "Observe", target)
            initial = self.requests.decode(response, target)
            if response.opt.observe is None:
                raise DeviceError(
                    code_text(response.code), f"the device answered but did not accept observing {format_path(target)}"
                )
        except Lwm2mServerError:
            _cancel_request(request)
            raise
        if session.is_ended:
            _cancel_request(request)
            raise DeviceError(code_text(response.code), "the registration ended as the observation started")
        observation = Observation(next(self._ids), session.endpoint, session.registration_id, target, initial)
        entry = _Entry(observation, session, request)
        self._entries[observation.id] = entry
        entry.task = asyncio.get_running_loop().create_task(
            self._follow(entry), name=f"lwm2m-observe-{session.endpoint}{format_path(target)}"
        )
        log.debug("LwM2M observing %s%s (#%d)", session.endpoint, format_path(target), observation.id)
        return observation

    async def _follow(self, entry: _Entry) -> None:
        reason = "the device ended the observation"
        path = entry.observation.path
        try:
            async for notification in entry.request.observation:
                if not notification.code.is_successful():
                    reason = f"the device ended the observation with {code_text(notification.code)}"
                    break
                try:
                    result = self.requests.decode(notification, path)
                except BadResponse as exc:
                    # One garbled notification does not end the observation; the next may be fine.
                    log.warning("LwM2M notification from %s for %s dropped: %s",
                                entry.session.endpoint, format_path(path), exc)
                    continue
                if entry.session.is_ended or not entry.observation.active:
                    break
                entry.session.heard_from(notification.remote or entry.session.remote, self.config.awake_time)
                self.events.publish(
                    NotificationReceived(
                        entry.session.endpoint, entry.observation.id, path, result.values, result.content_format
                    )
                )
        except asyncio.CancelledError:
            reason = entry.observation.end_reason or "cancelled"
        except coap_error.ObservationCancelled:
            pass
        except (coap_error.Error, OSError) as exc:
            reason = f"the observation failed: {type(exc).__name__}: {exc}"
        self.finish(entry.observation.id, reason, cancel_task=False)

    def finish(self, observation_id: int, reason: str, *, cancel_task: bool = True) -> None:
        """End an observation once: stop listening, tell the subscribers."""
        entry = self._entries.pop(observation_id, None)
        if entry is None:
            return
        observation = entry.observation
        observation.active = False
        observation.end_reason = reason
        _cancel_request(entry.request)
        if cancel_task and entry.task is not None and not entry.task.done():
            entry.task.cancel()
        log.debug("LwM2M observation #%d of %s%s ended: %s", observation.id, observation.endpoint,
                  format_path(observation.path), reason)
        self.events.publish(ObservationEnded(observation.endpoint, observation.id, observation.path, reason))

    def end_session(self, session: Session, reason: str) -> None:
        for entry in [e for e in self._entries.values() if e.session is session]:
            self.finish(entry.observation.id, reason)

    async def cancel(self, session: Session, path: Path | str, notify_device: bool, timeout: float | None) -> int:
        """End our observations of path on this device; the number ended."""
        target = as_path(path)
        matching = [e for e in self._entries.values() if e.session is session and e.observation.path == target]
        for entry in matching:
            self.finish(entry.observation.id, "cancelled by the server")
        if matching and notify_device and session.is_awake() and not session.is_ended:
            message = self.requests.observe_message(session, target, None, 1)
            try:
                await self.requests.send(session, message, timeout)
            except Lwm2mServerError as exc:
                # The local end already happened; the device learns it from the Reset otherwise.
                log.info("LwM2M cancel-observe GET to %s%s failed: %s", session.endpoint, format_path(target), exc)
        return len(matching)

    def close(self, reason: str) -> None:
        for observation_id in list(self._entries):
            self.finish(observation_id, reason)


def _cancel_request(request: Any) -> None:
    observation = getattr(request, "observation", None)
    if observation is not None and not observation.cancelled:
        observation.cancel()
    response = getattr(request, "response", None)
    if response is not None and not response.done():
        response.cancel()
