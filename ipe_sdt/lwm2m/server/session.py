"""One registration as the server keeps it: where to reach the device, when it expires, whether
it is awake, and the requests held for it while it sleeps.

A Session lives from Register to De-register, expiry or the next Register of the same endpoint;
`ended` completes then with the reason, which aborts every request still waiting on it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..codec import ContentFormat
from ..registration import Registration
from .coap_exchange import remote_address
from .device import Device, DeviceState
from .errors import DeviceTimeout, DeviceUnreachable, QueueFull
from .registration_query import RegisterParams, UpdateParams


class Session:
    def __init__(
        self,
        registration_id: str,
        params: RegisterParams,
        registration: Registration,
        remote: Any,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.registration_id = registration_id
        self.endpoint = params.endpoint
        self.lwm2m_version = params.lwm2m_version
        self.lifetime = params.lifetime
        self.binding = params.binding
        self.queue_mode = params.queue_mode
        self.sms = params.sms
        self.registration = registration
        self.reported = registration
        """The object list as the device itself last announced it (registration may be ahead of
        it after our own Create or Delete)."""
        self.remote = remote
        self.loop = loop
        self.registered_at = time.time()
        self.last_seen = self.registered_at
        self.refreshed_at = self.registered_at
        """Wall time of the last Register or Update: the lifetime counts from here."""
        self.awake_until = 0.0
        self.unreachable = False
        self.ended: asyncio.Future[str] = loop.create_future()
        self._wake: asyncio.Future[None] = loop.create_future()
        self.held = 0
        self.lock = asyncio.Lock()
        """One exchange with the device at a time (CoAP NSTART 1)."""
        self.expiry: asyncio.TimerHandle | None = None
        self.write_format: ContentFormat | None = None
        """The multi-value format the device last accepted for a write; tried first next time."""

    # --- state -------------------------------------------------------------------------------

    def is_awake(self) -> bool:
        return not self.queue_mode or self.loop.time() < self.awake_until

    def heard_from(self, remote: Any, awake_time: float) -> None:
        """The device sent us something: it is reachable there, and awake for awake_time."""
        self.remote = remote
        self.last_seen = time.time()
        self.unreachable = False
        self.awake_until = self.loop.time() + awake_time
        if self.queue_mode and not self._wake.done():
            # Later, not now: the held requests must follow the response to this message.
            self.loop.call_soon(self._release_held)

    def _release_held(self) -> None:
        if not self._wake.done():
            self._wake.set_result(None)
        self._wake = self.loop.create_future()

    def fell_asleep(self) -> None:
        """A request to a queue-mode device went unanswered: it sleeps earlier than we assumed."""
        self.awake_until = 0.0

    def apply_update(self, params: UpdateParams, registration: Registration | None) -> bool:
        """Take the Update's parameters; True when the object list changed."""
        if params.lifetime is not None:
            self.lifetime = params.lifetime
        if params.binding is not None:
            self.binding = params.binding
        self.queue_mode = params.queue_mode(self.lwm2m_version, self.queue_mode)
        if params.sms is not None:
            self.sms = params.sms
        if registration is None:
            return False
        changed = registration.objects != self.reported.objects
        self.registration = registration
        self.reported = registration
        return changed

    def end(self, reason: str) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        if not self.ended.done():
            self.ended.set_result(reason)

    @property
    def is_ended(self) -> bool:
        return self.ended.done()

    def expires_at(self, grace: float) -> float:
        return self.refreshed_at + self.lifetime + grace

    def state(self) -> DeviceState:
        if self.unreachable:
            return DeviceState.UNREACHABLE
        if not self.queue_mode:
            return DeviceState.ONLINE
        return DeviceState.AWAKE if self.is_awake() else DeviceState.SLEEPING

    def snapshot(self, grace: float) -> Device:
        return Device(
            endpoint=self.endpoint,
            registration_id=self.registration_id,
            lwm2m_version=self.lwm2m_version,
            binding=self.binding,
            queue_mode=self.queue_mode,
            lifetime=self.lifetime,
            sms=self.sms,
            root_path=self.registration.root_path,
            objects=dict(self.registration.objects),
            content_formats=self.registration.content_formats,
            address=remote_address(self.remote),
            registered_at=self.registered_at,
            last_seen=self.last_seen,
            expires_at=self.expires_at(grace),
            state=self.state(),
        )

    # --- queue mode ----------------------------------------------------------------------------

    async def wait_until_awake(self, max_held: int, hold_timeout: float | None) -> None:
        """Return when a request may go out: at once if awake, else at the next Register/Update.

        Raises QueueFull when max_held requests already wait, DeviceTimeout after hold_timeout,
        DeviceUnreachable when the registration ends first.
        """
        if self.is_ended:
            raise DeviceUnreachable(f"registration ended: {self.ended.result()}")
        if self.is_awake():
            return
        if self.held >= max_held:
            raise QueueFull(f"{self.held} requests already wait for {self.endpoint!r} to wake up")
        self.held += 1
        wake = self._wake
        try:
            done, _ = await asyncio.wait({wake, self.ended}, timeout=hold_timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.held -= 1
        if wake in done:
            return
        if self.ended.done():
            raise DeviceUnreachable(f"registration ended while the request was held: {self.ended.result()}")
        raise DeviceTimeout(f"{self.endpoint!r} did not wake up within {hold_timeout:g} s")

