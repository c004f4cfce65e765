"""One simulated LwM2M client: power cycles, bootstrap, registration and its upkeep.

    power on -> (bootstrap, when only a bootstrap server is known) -> Register -> Update every
    update interval -> ... -> De-register at stop

A reboot (executed by the server, or after a firmware update) drops the socket without
De-register, waits, and registers again from a new port: the server sees the same endpoint
register anew. In queue mode the radio listens for awake_time after each Register or Update
and is off in between; notifications that come due while it sleeps go out at the next wake.
Failed registrations are retried with exponential back-off; an Update the server no longer
knows (4.04) leads to a new Register.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import socket
import time
import zlib
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

import aiocoap
from aiocoap import Message
from aiocoap import error as coap_error
from aiocoap.numbers.codes import Code

from ipe_sdt.lwm2m import format_registration
from ipe_sdt.lwm2m.paths import Path
from ipe_sdt.lwm2m.server.coap_exchange import tuning_for
from ipe_sdt.lwm2m.server.udp_bind import aiocoap_host, display_host

from . import package_fetch
from .client_site import ClientSite, supported_formats
from .errors import SimError, bad_request
from .faults import Faults
from .objects.apn_profile import ApnProfileInstance
from .objects.connectivity import ConnectivityInstance
from .objects.device import DeviceInstance
from .objects.firmware_update import MAX_PACKAGE, FirmwareUpdateInstance
from .objects.light_control import LightControlInstance
from .objects.on_off_switch import OnOffSwitchInstance
from .objects.security import NO_SEC, SecurityInstance
from .objects.server import ServerInstance
from .objects.software_management import SoftwareManagementInstance
from .observers import Observers
from .radio import Radio
from .settings import DeviceSettings
from .store import ObjectStore

log = logging.getLogger(__name__)


def local_address_towards(uri: str) -> str:
    """The local IP address that packets to the URI's host leave from (for /4/0/4)."""
    host = urlsplit(uri).hostname or "127.0.0.1"
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            target = f"::ffff:{host}" if host.count(".") == 3 else host
            probe.connect((target, 9))
            return display_host(str(probe.getsockname()[0]))
    except OSError:
        return "0.0.0.0"


class State(enum.Enum):
    OFF = "off"
    BOOTSTRAPPING = "bootstrapping"
    REGISTERING = "registering"
    REGISTERED = "registered"
    REBOOTING = "rebooting"
    FAILED = "failed"
    STOPPED = "stopped"


class _Restart(Exception):
    """Leave the current power cycle (reboot) or registration (bootstrap requested)."""


class SimulatedDevice:
    def __init__(self, settings: DeviceSettings) -> None:
        self.settings = settings
        self.endpoint = settings.endpoint
        self.lwm2m_version = settings.lwm2m_version
        self.rng = random.Random(settings.seed if settings.seed is not None else zlib.crc32(settings.endpoint.encode()))
        self.root_segments = tuple(p for p in settings.root_path.split("/") if p)
        self.faults = Faults()
        self.store = ObjectStore()
        self.observers = Observers(self._numeric, self._default_periods, self._listening)
        self.state = State.OFF
        self.bootstrapping = False
        self.context: Any = None
        self.radio: Radio | None = None
        self.location: tuple[str, ...] | None = None
        self.registrations = 0
        self.bootstraps = 0
        self.updates = 0
        self.last_error: str | None = None
        self._main: asyncio.Task[None] | None = None
        self._cycle_tasks: set[asyncio.Task[Any]] = set()
        self._wakeup = asyncio.Event()
        self._changes = asyncio.Event()
        self._reboot_reason: str | None = None
        self._factory_reset = False
        self._update_requested = False
        self._objects_changed = False
        self._bootstrap_requested = False
        self._bootstrap_finished: asyncio.Future[None] | None = None
        self._announced: tuple[int, str, bytes] | None = None
        self._stopping = False
        self._build_objects()

    # --- the objects --------------------------------------------------------------------------------

    def _build_objects(self) -> None:
        """The factory state: what the device knows before anyone configured it."""
        settings = self.settings
        store = ObjectStore()
        self.store = store
        binding = "U"
        store.support(0, lambda iid, host: SecurityInstance(iid, host))
        store.support(1, lambda iid, host: ServerInstance(iid, host))
        store.support(3, lambda iid, host: DeviceInstance(iid, host))
        store.support(4, lambda iid, host: ConnectivityInstance(iid, host))
        store.support(5, lambda iid, host: FirmwareUpdateInstance(iid, host))
        store.support(9, lambda iid, host: SoftwareManagementInstance(iid, host))
        store.support(11, lambda iid, host: ApnProfileInstance(iid, host))
        store.support(3311, lambda iid, host: LightControlInstance(iid, host))
        store.support(3342, lambda iid, host: OnOffSwitchInstance(iid, host))
        if settings.bootstrap_uri:
            store.add(SecurityInstance(0, self, uri=settings.bootstrap_uri, bootstrap=True))
        if settings.server_uri:
            store.add(SecurityInstance(1, self, uri=settings.server_uri, short_server_id=1))
            server_binding = binding + ("Q" if settings.queue_mode and settings.lwm2m_version == "1.0" else "")
            store.add(ServerInstance(0, self, short_server_id=1, lifetime=settings.lifetime, binding=server_binding))
        store.add(DeviceInstance(0, self, firmware_version=settings.firmware_version,
                                 binding="UQ" if settings.queue_mode else "U", rng=self.rng))
        store.add(ConnectivityInstance(0, self, rng=self.rng))
        firmware = store.add(FirmwareUpdateInstance(0, self))
        assert isinstance(firmware, FirmwareUpdateInstance)
        firmware.on_updated = self._firmware_updated  # type: ignore[method-assign]
        store.add(SoftwareManagementInstance(0, self))
        store.add(LightControlInstance(0, self))
        store.add(OnOffSwitchInstance(0, self))

    def _firmware_updated(self, version: str) -> None:
        device = self.store.first(3)
        if isinstance(device, DeviceInstance):
            device.set_firmware_version(version)

    def instance(self, object_id: int, iid: int = 0) -> Any:
        """The simulated object instance (for tests and demos that act on the device locally)."""
        return self.store.instance(object_id, iid)

    def _numeric(self, path: Path) -> float | None:
        try:
            values = self.store.read(path)
        except SimError:
            return None
        if len(values) != 1:
            return None
        value = next(iter(values.values()))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)

    def _server_instance(self) -> ServerInstance | None:
        for instance in self.store.instances(1).values():
            if isinstance(instance, ServerInstance):
                return instance
        return None

    def _default_periods(self) -> tuple[int | None, int | None]:
        server = self._server_instance()
        if server is None:
            return None, None
        return server.default_period(2), server.default_period(3)

    def _listening(self) -> bool:
        return self.state is State.REGISTERED and self.radio is not None and self.radio.on

    def _dm_account(self) -> tuple[SecurityInstance, ServerInstance] | None:
        servers = {s.short_server_id: s for s in self.store.instances(1).values() if isinstance(s, ServerInstance)}
        for security in self.store.instances(0).values():
            if isinstance(security, SecurityInstance) and not security.is_bootstrap and security.uri:
                server = servers.get(security.short_server_id or 0)
                if server is not None:
                    return security, server
        return None

    def _bootstrap_account(self) -> SecurityInstance | None:
        for security in self.store.instances(0).values():
            if isinstance(security, SecurityInstance) and security.is_bootstrap and security.uri:
                return security
        return None

    # --- what objects ask of the device (DeviceHost) ----------------------------------------------

    def changed(self, path: Path) -> None:
        self.observers.changed(path)

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coroutine, name=f"{self.endpoint}-{name}")
        self._cycle_tasks.add(task)
        task.add_done_callback(self._cycle_tasks.discard)

    def request_reboot(self, reason: str) -> None:
        self._reboot_reason = reason
        self._wakeup.set()

    def request_factory_reset(self) -> None:
        self._factory_reset = True
        self.request_reboot("factory reset")

    def request_registration_update(self) -> None:
        self._update_requested = True
        self._wakeup.set()

    def request_bootstrap(self) -> None:
        self._bootstrap_requested = True
        self._wakeup.set()

    def objects_changed(self, path: Path) -> None:
        """An instance was created or deleted: observers may notify, the server hears by Update."""
        self.changed(path[:1])
        self._objects_changed = True
        self.request_registration_update()

    async def fetch_package(self, uri: str) -> bytes:
        return await package_fetch.fetch(
            uri, self.context, max_size=MAX_PACKAGE, timeout=self.settings.download_timeout
        )

    def now(self) -> float:
        return time.time()

    # --- waiting on the device (tests, demos) -----------------------------------------------------

    def _note(self) -> None:
        self._changes.set()
        self._changes = asyncio.Event()

    async def wait_for(self, predicate: Callable[[SimulatedDevice], bool]) -> None:
        """Return once predicate(device) holds; callers bound it with asyncio.wait_for."""
        while not predicate(self):
            await self._changes.wait()

    async def wait_registered(self, count: int = 1) -> None:
        await self.wait_for(lambda d: d.registrations >= count and d.state is State.REGISTERED)

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Power on and start registering; returns at once (see wait_registered)."""
        if self._main is not None:
            raise RuntimeError(f"{self.endpoint} is already running")
        self._stopping = False
        self._main = asyncio.get_running_loop().create_task(self._run(), name=f"lwm2m-sim-{self.endpoint}")

    async def stop(self, *, deregister: bool = True) -> None:
        """De-register (bounded by request_timeout) and power off."""
        self._stopping = True
        self._wakeup.set()
        main, self._main = self._main, None
        if main is not None:
            # Python 3.11's wait_for can swallow a cancellation that races with the result it
            # waits for; the loop checks _stopping as well, and a missed cancel is repeated.
            while not main.done():
                main.cancel()
                await asyncio.wait({main}, timeout=1.0)
            if not main.cancelled() and main.exception() is not None:
                log.warning("%s: simulator task ended with %r", self.endpoint, main.exception())
        if deregister and self.state is State.REGISTERED and self.location and self.context is not None:
            await self._deregister()
        await self._power_off(rebooting=False)
        self._set_state(State.STOPPED)

    async def power_cut(self) -> None:
        """Lose power without a word to the server (the registration will expire)."""
        await self.stop(deregister=False)

    def _set_state(self, state: State) -> None:
        if self.state is not state:
            self.state = state
            self._note()

    async def _run(self) -> None:
        try:
            while not self._stopping:
                await self._power_on()
                try:
                    await self._lifecycle()
                except _Restart:
                    pass
                reason = self._reboot_reason or "restart"
                self._reboot_reason = None
                log.info("%s: rebooting (%s)", self.endpoint, reason)
                self._set_state(State.REBOOTING)
                # Let the answer to the request that caused this (Execute) leave first: a device
                # acknowledges before it goes down. A busy process (a fleet rebooting at once)
                # needs more than a few milliseconds for that.
                await asyncio.sleep(0.5)
                await self._power_off(rebooting=True)
                if self._factory_reset:
                    self._factory_reset = False
                    # Settings go back to the factory's; the installed firmware stays installed.
                    running = self.store.first(3)
                    self._build_objects()
                    if isinstance(running, DeviceInstance):
                        self._firmware_updated(running.firmware_version)
                await asyncio.sleep(self.settings.reboot_delay)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("%s: simulator failure", self.endpoint)
            self.last_error = f"{type(exc).__name__}: {exc}"
            self._set_state(State.FAILED)

    async def _power_on(self) -> None:
        # A client context, whose socket aiocoap leaves unbound and without SO_REUSEPORT; we bind
        # it to a fresh ephemeral port. A server context would bind port 0 with SO_REUSEPORT,
        # and Linux then may give two devices the same port and split their traffic.
        self.context = await aiocoap.Context.create_client_context(transports=["udp6"], loggername="lwm2m-sim")
        self.context.serversite = ClientSite(self)
        self.radio = Radio(self.context)
        self.radio.bind(aiocoap_host(self.settings.bind_host))
        connectivity = self.store.first(4)
        if isinstance(connectivity, ConnectivityInstance):
            host = self.radio.local_host
            if host in ("::", "0.0.0.0"):
                host = local_address_towards(self.settings.server_uri or self.settings.bootstrap_uri or "")
            connectivity.set_ip_address(host)
        self.location = None
        self._announced = None
        if self.settings.change_interval:
            self.spawn(self._activity(), "activity")

    async def _power_off(self, *, rebooting: bool) -> None:
        for task in list(self._cycle_tasks):
            task.cancel()
        self._cycle_tasks.clear()
        self.observers.clear()
        self.bootstrapping = False
        if rebooting:
            for instance in list(self.store.all_instances()):
                instance.reset_after_reboot()
        context, self.context = self.context, None
        self.radio = None
        if context is not None:
            await context.shutdown()
        if self.state is State.REGISTERED:
            self._set_state(State.OFF)
        self._note()

    def _check_restart(self) -> None:
        if self._stopping:
            raise asyncio.CancelledError()
        if self._reboot_reason is not None:
            raise _Restart()

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake early for a reboot, an update trigger or a bootstrap request."""
        self._wakeup.clear()
        if self._stopping or self._reboot_reason or self._update_requested or self._bootstrap_requested:
            return
        try:
            await asyncio.wait_for(self._wakeup.wait(), max(0.0, seconds))
        except asyncio.TimeoutError:
            pass

    async def _lifecycle(self) -> None:
        backoff = 1.0
        while True:
            self._check_restart()
            if self._bootstrap_requested or self._dm_account() is None:
                self._bootstrap_requested = False
                if self._bootstrap_account() is None:
                    self._fail("no management server and no bootstrap server is configured")
                    await self._pause(3600)
                    continue
                if not await self._bootstrap():
                    await self._pause(backoff)
                    backoff = min(backoff * 2, self.settings.retry_max)
                    continue
                backoff = 1.0
            account = self._dm_account()
            if account is None:
                continue
            security, server = account
            if not await self._register(security, server):
                await self._pause(backoff)
                backoff = min(backoff * 2, self.settings.retry_max)
                continue
            backoff = 1.0
            await self._registered(server)

    def _fail(self, message: str) -> None:
        if self.last_error != message:
            log.error("%s: %s", self.endpoint, message)
            self.last_error = message
            self._note()

    # --- talking to servers -----------------------------------------------------------------------

    def _request(self, uri: str, code: Code, path: tuple[str, ...], query: tuple[str, ...] = (), payload: bytes = b"",
                 content_format: int | None = None) -> Message:
        parts = urlsplit(uri)
        if parts.scheme == "coaps":
            raise SimError(Code.BAD_REQUEST, "coaps:// needs DTLS, which this simulator does not have")
        if parts.scheme != "coap" or not parts.hostname:
            raise SimError(Code.BAD_REQUEST, f"not a coap:// server URI: {uri!r}")
        # Retransmissions that end within request_timeout: aiocoap cannot withdraw a CON, and a
        # retransmitting Register would hold back the next attempt (NSTART 1).
        message = Message(code=code, uri=f"coap://{parts.netloc}/",
                          transport_tuning=tuning_for(self.settings.request_timeout, 2.0, 4))
        # Options set directly, not through a URI: endpoint names may hold '&', '=' or '%'.
        message.opt.uri_path = path
        message.opt.uri_query = query
        message.payload = payload
        if content_format is not None:
            message.opt.content_format = content_format
        return message

    async def _exchange(self, message: Message, what: str) -> Message | None:
        try:
            return await asyncio.wait_for(self.context.request(message).response, self.settings.request_timeout)
        except asyncio.TimeoutError:
            self._fail(f"{what}: no answer within {self.settings.request_timeout:g} s")
        except (coap_error.Error, OSError) as exc:
            self._fail(f"{what} failed: {type(exc).__name__}: {exc}")
        return None

    def _objects_payload(self) -> bytes:
        version = self.lwm2m_version
        formats = () if version == "1.0" else tuple(int(cf) for cf in supported_formats(version))
        return format_registration(
            self.store.registration_objects(with_versions=version != "1.0"),
            root_path=self.settings.root_path,
            content_formats=formats,
        )

    def _binding_query(self, server: ServerInstance) -> tuple[str, ...]:
        binding = server.binding.replace("Q", "")
        if self.settings.queue_mode:
            return (f"b={binding}Q",) if self.lwm2m_version == "1.0" else (f"b={binding}", "Q")
        return (f"b={binding}",)

    async def _register(self, security: SecurityInstance, server: ServerInstance) -> bool:
        self._set_state(State.REGISTERING)
        if security.mode != NO_SEC:
            # The account came with credentials (PSK) for DTLS, which the simulator cannot speak;
            # a coap:// URI is used as it is, and the credentials are kept for inspection.
            log.info("%s: security mode %d provisioned, registering over plain CoAP at %s",
                     self.endpoint, security.mode, security.uri)
        payload = self._objects_payload()
        query = (f"ep={self.endpoint}", f"lt={server.lifetime}", f"lwm2m={self.lwm2m_version}",
                 *self._binding_query(server))
        try:
            message = self._request(security.uri, Code.POST, ("rd",), query, payload, content_format=40)
        except SimError as exc:
            self._fail(exc.message)
            self._set_state(State.FAILED)
            await self._pause(3600)
            return False
        response = await self._exchange(message, "Register")
        self._check_restart()
        if response is None:
            return False
        if response.code != Code.CREATED or not response.opt.location_path:
            self._fail(f"Register answered {response.code}: {bytes(response.payload[:100]).decode('utf-8', 'replace')}")
            return False
        self.location = tuple(response.opt.location_path)
        self._announced = (server.lifetime, server.binding, payload)
        self._objects_changed = False
        self._update_requested = False
        self.registrations += 1
        self.last_error = None
        log.info("%s: registered at %s as /%s", self.endpoint, security.uri, "/".join(self.location))
        self._set_state(State.REGISTERED)
        return True

    async def _registered(self, server: ServerInstance) -> None:
        """Keep the registration alive until it is lost (then return) or the device restarts."""
        loop = asyncio.get_running_loop()
        failures = 0
        next_update = loop.time() + self._update_interval(server)
        awake_until = loop.time() + self.settings.awake_time
        self.observers.woke()
        while True:
            self._check_restart()
            if self._bootstrap_requested:
                return
            now = loop.time()
            radio = self.radio
            assert radio is not None
            if self.settings.queue_mode and radio.on and now >= awake_until:
                radio.on = False
                log.debug("%s: sleeping", self.endpoint)
                self._note()
            if not self._update_requested and now < next_update:
                deadline = min(next_update, awake_until) if self.settings.queue_mode and radio.on else next_update
                await self._pause(deadline - now)
                continue
            self._update_requested = False
            radio.on = True
            outcome = await self._update(server)
            self._check_restart()
            if outcome == "gone":
                return
            if outcome == "failed":
                failures += 1
                if failures >= 3:
                    return
                next_update = loop.time() + min(2.0**failures, self.settings.retry_max)
                awake_until = loop.time() + self.settings.awake_time
                continue
            failures = 0
            now = loop.time()
            next_update = now + self._update_interval(server)
            awake_until = now + self.settings.awake_time
            self.observers.woke()

    def _update_interval(self, server: ServerInstance) -> float:
        if self.settings.update_interval is not None:
            return self.settings.update_interval
        return max(0.5, server.lifetime * 0.75)

    async def _update(self, server: ServerInstance) -> str:
        """Send an Update; "ok", "gone" (the server lost the registration) or "failed"."""
        assert self.location is not None and self._announced is not None
        lifetime, binding, objects = self._announced
        query: list[str] = []
        if server.lifetime != lifetime:
            query.append(f"lt={server.lifetime}")
        if server.binding != binding:
            query.extend(self._binding_query(server))
        payload = b""
        if self._objects_changed:
            payload = self._objects_payload()
        account = self._dm_account()
        if account is None:
            return "gone"
        message = self._request(account[0].uri, Code.POST, self.location, tuple(query), payload,
                                content_format=40 if payload else None)
        response = await self._exchange(message, "Update")
        if response is None:
            return "failed"
        if response.code == Code.CHANGED:
            self._announced = (server.lifetime, server.binding, payload or objects)
            self._objects_changed = False
            self.updates += 1
            self._note()
            return "ok"
        if response.code == Code.NOT_FOUND:
            log.info("%s: the server no longer knows the registration; registering again", self.endpoint)
            return "gone"
        self._fail(f"Update answered {response.code}")
        return "failed" if not response.code.is_client_error() else "gone"

    async def _deregister(self) -> None:
        account = self._dm_account()
        if account is None or self.location is None:
            return
        message = self._request(account[0].uri, Code.DELETE, self.location)
        response = await self._exchange(message, "De-register")
        if response is not None:
            log.info("%s: de-registered (%s)", self.endpoint, response.code)
        self.location = None

    # --- bootstrap ----------------------------------------------------------------------------------

    async def _bootstrap(self) -> bool:
        account = self._bootstrap_account()
        assert account is not None
        self._set_state(State.BOOTSTRAPPING)
        loop = asyncio.get_running_loop()
        self._bootstrap_finished = loop.create_future()
        self.bootstrapping = True
        try:
            query = [f"ep={self.endpoint}"]
            if self.lwm2m_version != "1.0":
                query.append(f"pct={int(supported_formats(self.lwm2m_version)[0])}")
            try:
                message = self._request(account.uri, Code.POST, ("bs",), tuple(query))
            except SimError as exc:
                self._fail(exc.message)
                return False
            response = await self._exchange(message, "Bootstrap-Request")
            self._check_restart()
            if response is None:
                return False
            if response.code != Code.CHANGED:
                self._fail(f"Bootstrap-Request answered {response.code}")
                return False
            try:
                await asyncio.wait_for(asyncio.shield(self._bootstrap_finished), self.settings.bootstrap_timeout)
            except asyncio.TimeoutError:
                self._fail(f"no Bootstrap-Finish within {self.settings.bootstrap_timeout:g} s")
                return False
            self.bootstraps += 1
            log.info("%s: bootstrapped by %s", self.endpoint, account.uri)
            return True
        finally:
            self.bootstrapping = False

    def bootstrap_finished(self) -> Message:
        """Bootstrap-Finish: accepted only when a usable management server account exists."""
        if self._dm_account() is None:
            return Message(code=Code.NOT_ACCEPTABLE, payload=b"no complete LwM2M server account (security + server)")
        if self._bootstrap_finished is not None and not self._bootstrap_finished.done():
            self._bootstrap_finished.set_result(None)
        return Message(code=Code.CHANGED)

    def bootstrap_delete(self, path: Path) -> None:
        """Bootstrap-Delete; the bootstrap account and the device's own objects stay."""
        if len(path) > 2:
            raise bad_request("Bootstrap-Delete takes the root, an object or an instance")
        targets = [path[0]] if path else [0, 1, 11]
        for oid in targets:
            instances = self.store.instances(oid)
            for iid, instance in list(instances.items()):
                if len(path) == 2 and iid != path[1]:
                    continue
                if isinstance(instance, SecurityInstance) and instance.is_bootstrap:
                    if len(path) == 2:
                        raise bad_request("the bootstrap server account cannot be deleted")
                    continue
                if not instance.delete_allowed():
                    if path:
                        raise bad_request(f"/{oid}/{iid} cannot be deleted")
                    continue
                del instances[iid]

    # --- simulated physical world -------------------------------------------------------------------

    async def _activity(self) -> None:
        interval = self.settings.change_interval
        assert interval is not None
        while True:
            await asyncio.sleep(interval * self.rng.uniform(0.5, 1.5))
            if self.state is not State.REGISTERED:
                continue
            choice = self.rng.random()
            if choice < 0.5:
                switch = self.store.first(3342)
                if isinstance(switch, OnOffSwitchInstance):
                    switch.press(not bool(switch.values.get(5500)))
            elif choice < 0.75:
                connectivity = self.store.first(4)
                if isinstance(connectivity, ConnectivityInstance):
                    connectivity.wander()
            else:
                device = self.store.first(3)
                if isinstance(device, DeviceInstance):
                    device.drain_battery()
