"""The registrations the server holds: Register, Update, De-register and lifetime expiry.

This is the Client Registration Interface's logic without CoAP: rd_resource.py turns requests
into these calls and the exceptions into response codes.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from ..registration import Registration
from .config import ServerConfig
from .events import DeviceDeregistered, DeviceExpired, DeviceRegistered, DeviceUpdated, Event, EventHub
from .registration_query import RegisterParams, RegistrationRejected, UpdateParams
from .session import Session

log = logging.getLogger(__name__)

EndHook = Callable[[Session, str], None]


class DeviceRegistry:
    def __init__(self, config: ServerConfig, events: EventHub[Event], loop: asyncio.AbstractEventLoop) -> None:
        self.config = config
        self.events = events
        self.loop = loop
        self._by_endpoint: dict[str, Session] = {}
        self._by_id: dict[str, Session] = {}
        self._end_hooks: list[EndHook] = []

    def on_end(self, hook: EndHook) -> None:
        """hook(session, reason) runs when a registration ends, before its event is published."""
        self._end_hooks.append(hook)

    # --- lookups --------------------------------------------------------------------------------

    def get(self, endpoint: str) -> Session | None:
        return self._by_endpoint.get(endpoint)

    def by_id(self, registration_id: str) -> Session | None:
        return self._by_id.get(registration_id)

    def sessions(self) -> list[Session]:
        return list(self._by_endpoint.values())

    def __len__(self) -> int:
        return len(self._by_endpoint)

    # --- the registration interface -------------------------------------------------------------

    def register(self, params: RegisterParams, registration: Registration, remote: Any) -> Session:
        previous = self._by_endpoint.get(params.endpoint)
        if previous is None and len(self._by_endpoint) >= self.config.max_devices:
            raise RegistrationRejected("5.03", f"the server holds its maximum of {self.config.max_devices} devices")
        old = None
        if previous is not None:
            # The same endpoint registering again is a device that restarted (or lost its
            # registration): its observations and pending requests belong to the old one.
            old = previous.snapshot(self.config.expiry_grace)
            self._end(previous, "the device registered again")
        session = Session(self._new_id(), params, registration, remote, self.loop)
        self._by_endpoint[session.endpoint] = session
        self._by_id[session.registration_id] = session
        session.heard_from(remote, self.config.awake_time)
        self._schedule_expiry(session)
        log.info(
            "LwM2M register %s (lwm2m %s, lt %d, b %s%s) from %s:%d as /rd/%s%s",
            session.endpoint, session.lwm2m_version, session.lifetime, session.binding,
            " queue" if session.queue_mode else "", *session.snapshot(0).address, session.registration_id,
            " (replacing an earlier registration)" if old else "",
        )
        self.events.publish(DeviceRegistered(session.snapshot(self.config.expiry_grace), old))
        return session

    def update(
        self, registration_id: str, params: UpdateParams, registration: Registration | None, remote: Any
    ) -> Session:
        session = self._by_id.get(registration_id)
        if session is None:
            raise RegistrationRejected("4.04", f"no registration /rd/{registration_id}")
        previous = session.snapshot(self.config.expiry_grace)
        changed = session.apply_update(params, registration)
        session.refreshed_at = time.time()
        session.heard_from(remote, self.config.awake_time)
        self._schedule_expiry(session)
        log.debug("LwM2M update %s (/rd/%s)", session.endpoint, registration_id)
        self.events.publish(DeviceUpdated(session.snapshot(self.config.expiry_grace), previous, changed))
        return session

    def deregister(self, registration_id: str) -> Session:
        session = self._by_id.get(registration_id)
        if session is None:
            raise RegistrationRejected("4.04", f"no registration /rd/{registration_id}")
        snapshot = session.snapshot(self.config.expiry_grace)
        self._end(session, "the device de-registered")
        log.info("LwM2M de-register %s (/rd/%s)", session.endpoint, registration_id)
        self.events.publish(DeviceDeregistered(snapshot))
        return session

    def close_all(self, reason: str) -> None:
        for session in list(self._by_endpoint.values()):
            self._end(session, reason)

    # --- internals ------------------------------------------------------------------------------

    def _new_id(self) -> str:
        while True:
            # Random, not sequential: an Update or De-register must name a registration it
            # was given, not one it could guess.
            candidate = secrets.token_hex(5)
            if candidate not in self._by_id:
                return candidate

    def _schedule_expiry(self, session: Session) -> None:
        if session.expiry is not None:
            session.expiry.cancel()
        delay = session.lifetime + self.config.expiry_grace
        session.expiry = self.loop.call_later(delay, self._expire, session)

    def _expire(self, session: Session) -> None:
        if self._by_id.get(session.registration_id) is not session:
            return
        snapshot = session.snapshot(self.config.expiry_grace)
        self._end(session, "the registration lifetime expired")
        log.info("LwM2M registration of %s expired (lifetime %d s)", session.endpoint, session.lifetime)
        self.events.publish(DeviceExpired(snapshot))

    def _end(self, session: Session, reason: str) -> None:
        if self._by_endpoint.get(session.endpoint) is session:
            del self._by_endpoint[session.endpoint]
        self._by_id.pop(session.registration_id, None)
        session.end(reason)
        for hook in self._end_hooks:
            try:
                hook(session, reason)
            except Exception:
                log.exception("LwM2M registration end hook failed for %s", session.endpoint)
