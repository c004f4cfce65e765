"""The LwM2M driver: runs our LwM2M server and shows its clients as neutral devices.

Each device's server events (registration, update, notifications, de-registration, expiry)
are handled in order by a worker of its own, so a slow device never holds up another. Actions
follow the objects' state machines: a firmware update writes the Package URI and executes
Update once the device reports the package downloaded; a software install writes the package
URI (if given) and executes Install once the package is delivered. Their status is reported
only as the device reports its state (Observe), never assumed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, TypeVar

from ipe_sdt.cse_client import CseClient
from ipe_sdt.devices import ActionStatus, Change, Device, Status
from ipe_sdt.drivers.base import DeviceError, DeviceTimeout, DeviceUnreachable, DriverEvents
from ipe_sdt.drivers.lwm2m import objects as o
from ipe_sdt.drivers.lwm2m.bootstrap import OperatorBootstrap
from ipe_sdt.lwm2m.bootstrap import Lwm2mBootstrapServer
from ipe_sdt.drivers.lwm2m.picture import build
from ipe_sdt.lwm2m.server import (
    DEFAULT_PORT,
    DeviceDeregistered,
    DeviceExpired,
    DeviceRegistered,
    DeviceUpdated,
    Event,
    Lwm2mServer,
    NotificationReceived,
    ServerConfig,
)
from ipe_sdt.lwm2m.server import DeviceError as Lwm2mDeviceError
from ipe_sdt.lwm2m.server import DeviceTimeout as Lwm2mTimeout
from ipe_sdt.lwm2m.server import Lwm2mServerError

log = logging.getLogger("ipe.lwm2m")
T = TypeVar("T")

_OPTIONS = {"host", "port", "request_timeout", "observe", "awake_time", "bootstrap_port", "bootstrap_operators"}


class Lwm2mDriver:
    protocol = "lwm2m"

    def __init__(self, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise ValueError(f"lwm2m driver: unknown option(s) {', '.join(unknown)} (known: {', '.join(sorted(_OPTIONS))})")
        self.host = str(options.get("host", "127.0.0.1"))
        self.port = int(options.get("port", DEFAULT_PORT))
        self._observe = bool(options.get("observe", True))
        config = ServerConfig(request_timeout=float(options.get("request_timeout", 10.0)),
                              awake_time=float(options.get("awake_time", ServerConfig.awake_time)))
        self.server = Lwm2mServer(self.host, self.port, config=config)
        # Bootstrap server (0/absent: off); its provider reads the operators' configuration
        # from the CSE, so it needs the IPE's CseClient (connect_cse) before start.
        self.bootstrap_port = int(options.get("bootstrap_port", 0))
        self._bootstrap_operators = [str(o) for o in options.get("bootstrap_operators", [])]
        self.bootstrap: Lwm2mBootstrapServer | None = None
        self.operator_bootstrap: OperatorBootstrap | None = None
        self._cse: tuple[CseClient, str] | None = None
        self._events: DriverEvents | None = None
        self._devices: dict[str, Device] = {}
        self._queues: dict[str, asyncio.Queue[Event]] = {}
        self._workers: dict[str, asyncio.Task] = {}
        self._unsubscribe = None
        # Actions under way whose next step waits for the device's state: endpoint -> ...
        self._firmware_pending: set[str] = set()
        self._software_pending: dict[tuple[str, str], str] = {}  # (endpoint, package) -> action
        self._firmware_state: dict[str, dict[int, int]] = {}
        self._software_state: dict[tuple[str, str], dict[int, Any]] = {}
        # Paths observed in each device's current registration (a new registration loses them).
        self._observing: dict[str, set[str]] = {}
        # Observations are set up in the background, a few devices at a time, so that a fleet
        # re-registering after a mass reboot does not crowd out the requests that matter.
        self._observe_slots = asyncio.Semaphore(16)
        self._background: set[asyncio.Task] = set()

    # -- life cycle ----------------------------------------------------------------------------

    def connect_cse(self, client: CseClient, ae_path: str) -> None:
        """The IPE's way into the CSE, for the operators' bootstrap configuration."""
        self._cse = (client, ae_path)

    async def start(self, events: DriverEvents) -> None:
        self._events = events
        await self.server.start()
        self.port = self.server.address[1]
        self._unsubscribe = self.server.subscribe(self._on_event)
        if self.bootstrap_port:
            await self._start_bootstrap()

    async def _start_bootstrap(self) -> None:
        if self._cse is None:
            raise ValueError("lwm2m driver: bootstrap_port needs the IPE's CSE client (connect_cse)")
        client, ae_path = self._cse
        # A wildcard address is no URI a device can use: operators must then give serverUri.
        own_uri = "" if self.host in ("::", "0.0.0.0", "") else f"coap://{_uri_host(self.host)}:{self.port}"
        self.operator_bootstrap = OperatorBootstrap(client, ae_path, own_uri, self._bootstrap_operators)
        await self.operator_bootstrap.setup()
        self.bootstrap = Lwm2mBootstrapServer(self.host, self.bootstrap_port, provider=self.operator_bootstrap.provide,
                                              request_timeout=self.server.config.request_timeout)
        await self.bootstrap.start()
        self.bootstrap_port = self.bootstrap.port

    async def stop(self) -> None:
        if self.bootstrap is not None:
            await self.bootstrap.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
        for task in [*self._workers.values(), *self._background]:
            task.cancel()
        await asyncio.gather(*self._workers.values(), *self._background, return_exceptions=True)
        await self.server.stop()

    def device(self, device_id: str) -> Device | None:
        return self._devices.get(device_id)

    # -- server events, in order per device ----------------------------------------------------

    def _on_event(self, event: Event) -> None:
        device = getattr(event, "device", None)
        endpoint = device.endpoint if device is not None else getattr(event, "endpoint")
        queue = self._queues.get(endpoint)
        if queue is None:
            queue = self._queues[endpoint] = asyncio.Queue()
            self._workers[endpoint] = asyncio.get_running_loop().create_task(self._work(queue), name=f"lwm2m {endpoint}")
        queue.put_nowait(event)

    async def _work(self, queue: asyncio.Queue[Event]) -> None:
        while True:
            event = await queue.get()
            try:
                await self._handle(event)
            except Lwm2mServerError as exc:
                log.warning("LwM2M event %s not handled: %s", type(event).__name__, exc)
            except Exception:
                log.exception("LwM2M event %s failed", type(event).__name__)

    async def _handle(self, event: Event) -> None:
        assert self._events is not None
        if isinstance(event, DeviceRegistered) or (isinstance(event, DeviceUpdated) and event.objects_changed):
            await self._publish(event.device.endpoint)
        elif isinstance(event, DeviceUpdated):
            known = self._devices.get(event.device.endpoint)
            if known is not None and not known.reachable:
                known.reachable = True
                await self._events.device_online(known)
        elif isinstance(event, (DeviceDeregistered, DeviceExpired)):
            endpoint = event.device.endpoint
            known = self._devices.get(endpoint)
            if known is not None:
                known.reachable = False
            reason = "de-registered" if isinstance(event, DeviceDeregistered) else "registration lifetime expired"
            await self._events.device_offline(endpoint, reason)
        elif isinstance(event, NotificationReceived):
            for path, value in event.values.items():
                await self._observed(event.endpoint, path, value)

    async def _publish(self, endpoint: str) -> None:
        assert self._events is not None
        registration = self.server.device(endpoint)
        if registration is None:
            return
        device = await build(self.server, registration)
        self._devices[endpoint] = device
        self._firmware_state.pop(endpoint, None)
        self._observing[endpoint] = set()
        await self._events.device_online(device)
        if endpoint in self._firmware_pending and device.firmware is not None:
            # A device that rebooted into its new firmware tells the result of the update now.
            await self._firmware_progress(endpoint)
        if self._observe:
            paths = [f"/{o.LIGHT}/{lid}/{rid}" for lid in device.lights for rid in (o.LIGHT_ON, o.LIGHT_DIMMER)
                     if rid == o.LIGHT_ON or device.lights[lid].level is not None]
            paths += [f"/{o.SWITCH}/{sid}/{o.SWITCH_STATE}" for sid in device.switches]
            if endpoint in self._firmware_pending:
                paths += _FIRMWARE_PATHS
            for (pending_endpoint, package) in self._software_pending:
                if pending_endpoint == endpoint:
                    paths += _software_paths(package)
            task = asyncio.get_running_loop().create_task(self._observe_paths(endpoint, paths))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _observe_paths(self, endpoint: str, paths: list[str]) -> None:
        async with self._observe_slots:
            for path in paths:
                await self._ensure_observed(endpoint, path)

    async def _ensure_observed(self, endpoint: str, path: str) -> None:
        """Observe ``path`` once per registration; a device that refuses is logged, not fatal."""
        observed = self._observing.setdefault(endpoint, set())
        if path in observed:
            return
        observed.add(path)
        try:
            await self.server.observe(endpoint, path)
        except Lwm2mServerError as exc:
            observed.discard(path)
            log.info("device %s does not let %s be observed: %s", endpoint, path, exc)

    async def _observed(self, endpoint: str, path: tuple[int, ...], value: Any) -> None:
        """A notified value: show it, and take the next step of an action waiting for it."""
        assert self._events is not None
        if len(path) < 3:
            return
        oid, iid, rid = path[0], str(path[1]), path[2]
        device = self._devices.get(endpoint)
        if device is None:
            return
        if oid == o.LIGHT and iid in device.lights:
            field = {o.LIGHT_ON: "on", o.LIGHT_DIMMER: "level"}.get(rid)
            if field is not None:
                setattr(device.lights[iid], field, bool(value) if field == "on" else int(value))
                await self._events.device_changed(endpoint, Change(f"light:{iid}", {field: getattr(device.lights[iid], field)}))
        elif oid == o.SWITCH and iid in device.switches and rid == o.SWITCH_STATE:
            device.switches[iid].on = bool(value)
            await self._events.device_changed(endpoint, Change(f"switch:{iid}", {"on": bool(value)}))
        elif oid == o.FIRMWARE and rid in (o.FW_STATE, o.FW_RESULT):
            self._firmware_state.setdefault(endpoint, {})[rid] = int(value)
            await self._firmware_progress(endpoint)
        elif oid == o.SOFTWARE and rid in (o.SW_STATE, o.SW_RESULT, o.SW_ACTIVE):
            self._software_state.setdefault((endpoint, iid), {})[rid] = value
            await self._software_progress(endpoint, iid)

    # -- firmware (object 5) ------------------------------------------------------------------

    async def update_firmware(self, device_id: str, url: str, version: str, name: str) -> None:
        device = self._require(device_id)
        if device.firmware is None:
            raise DeviceError("the device has no Firmware Update object (/5)")
        self._firmware_pending.add(device_id)
        # The update's progress is observed only while there is one to follow.
        for path in _FIRMWARE_PATHS:
            await self._ensure_observed(device_id, path)
        await self._call(self.server.write(device_id, f"/{o.FIRMWARE}/0/{o.FW_PACKAGE_URI}", url))
        await self._report_firmware(device_id, ActionStatus("update", Status.IN_PROCESS))

    async def _firmware_progress(self, endpoint: str) -> None:
        state = self._firmware_state.get(endpoint)
        if state is None:
            values = await self._call(self.server.read(endpoint, f"/{o.FIRMWARE}/0"))
            state = self._firmware_state[endpoint] = {
                rid: int(values.values.get((o.FIRMWARE, 0, rid), 0)) for rid in (o.FW_STATE, o.FW_RESULT)
            }
        if endpoint not in self._firmware_pending:
            return
        if state.get(o.FW_STATE) == o.FW_DOWNLOADED and not state.get(o.FW_RESULT):
            # Downloaded: the update itself is ours to start (the device then reboots).
            state[o.FW_STATE] = o.FW_UPDATING
            await self._call(self.server.execute(endpoint, f"/{o.FIRMWARE}/0/{o.FW_UPDATE}"))
            return
        status = o.firmware_status(state.get(o.FW_STATE), state.get(o.FW_RESULT))
        if status.status in (Status.SUCCESSFUL, Status.FAILURE):
            self._firmware_pending.discard(endpoint)
            await self._report_firmware(endpoint, status)

    async def _report_firmware(self, endpoint: str, status: ActionStatus) -> None:
        device = self._devices.get(endpoint)
        values: dict[str, Any] = {"status": status}
        if device is not None and device.firmware is not None:
            device.firmware.status = status
        if status.status == Status.SUCCESSFUL:
            # The version the device runs now, asked rather than assumed; a device still
            # rebooting tells it when it registers again.
            try:
                result = await self.server.read(endpoint, f"/{o.DEVICE}/0/{o.DEVICE_INFO['fwVersion']}")
                values["version"] = str(result.value())
                if device is not None:
                    device.info["fwVersion"] = values["version"]
            except (Lwm2mServerError, KeyError):
                pass
        assert self._events is not None
        await self._events.device_changed(endpoint, Change("firmware", values))

    # -- software (object 9) ------------------------------------------------------------------

    async def install_software(self, device_id: str, package_id: str, url: str, name: str, version: str) -> None:
        self._package(device_id, package_id)
        base = f"/{o.SOFTWARE}/{package_id}"
        self._software_pending[(device_id, package_id)] = "install"
        for path in _software_paths(package_id):
            await self._ensure_observed(device_id, path)
        state = await self._software_values(device_id, package_id)
        if state.get(o.SW_STATE) == o.SW_DELIVERED:
            await self._call(self.server.execute(device_id, f"{base}/{o.SW_INSTALL}"))
        elif url:
            await self._call(self.server.write(device_id, f"{base}/{o.SW_PACKAGE_URI}", url))
        else:
            self._software_pending.pop((device_id, package_id), None)
            raise DeviceError("the package is not on the device: set its URL to install it")
        await self._report_software(device_id, package_id, "install", ActionStatus("install", Status.IN_PROCESS))

    async def uninstall_software(self, device_id: str, package_id: str) -> None:
        await self._software_execute(device_id, package_id, o.SW_UNINSTALL, "uninstall", "install")

    async def activate_software(self, device_id: str, package_id: str) -> None:
        await self._software_execute(device_id, package_id, o.SW_ACTIVATE, "activate", "activation")

    async def deactivate_software(self, device_id: str, package_id: str) -> None:
        await self._software_execute(device_id, package_id, o.SW_DEACTIVATE, "deactivate", "activation")

    async def _software_execute(self, device_id: str, package_id: str, rid: int, action: str, field: str) -> None:
        self._package(device_id, package_id)
        self._software_pending[(device_id, package_id)] = action
        for path in _software_paths(package_id):
            await self._ensure_observed(device_id, path)
        await self._call(self.server.execute(device_id, f"/{o.SOFTWARE}/{package_id}/{rid}"))
        await self._report_software(device_id, package_id, field, ActionStatus(action, Status.IN_PROCESS))

    async def _software_values(self, endpoint: str, package_id: str) -> dict[int, Any]:
        result = await self._call(self.server.read(endpoint, f"/{o.SOFTWARE}/{package_id}"))
        values = {path[2]: value for path, value in result.values.items() if len(path) == 3}
        self._software_state[(endpoint, package_id)] = values
        return values

    async def _software_progress(self, endpoint: str, package_id: str) -> None:
        state = self._software_state.get((endpoint, package_id), {})
        action = self._software_pending.get((endpoint, package_id))
        base = f"/{o.SOFTWARE}/{package_id}"
        if action == "install":
            if state.get(o.SW_STATE) == o.SW_DELIVERED and state.get(o.SW_RESULT, 0) < o.SW_RESULT_FIRST_FAILURE:
                # Delivered and verified: the installation itself is ours to start.
                state[o.SW_STATE] = o.SW_DOWNLOADED
                await self._call(self.server.execute(endpoint, f"{base}/{o.SW_INSTALL}"))
                return
            status = o.install_status(state.get(o.SW_STATE), state.get(o.SW_RESULT))
            if status.status in (Status.SUCCESSFUL, Status.FAILURE):
                self._software_pending.pop((endpoint, package_id), None)
                await self._report_software(endpoint, package_id, "install", status)
        elif action == "uninstall":
            if state.get(o.SW_RESULT, 0) >= o.SW_RESULT_FIRST_FAILURE:
                outcome = Status.FAILURE
            elif state.get(o.SW_STATE) == o.SW_INITIAL:
                outcome = Status.SUCCESSFUL
            else:
                return
            self._software_pending.pop((endpoint, package_id), None)
            await self._report_software(endpoint, package_id, "install", ActionStatus("uninstall", outcome))
        elif action in ("activate", "deactivate") and o.SW_ACTIVE in state:
            if bool(state[o.SW_ACTIVE]) == (action == "activate"):
                self._software_pending.pop((endpoint, package_id), None)
                await self._report_software(endpoint, package_id, "activation", ActionStatus(action, Status.SUCCESSFUL))

    async def _report_software(self, endpoint: str, package_id: str, field: str, status: ActionStatus) -> None:
        device = self._devices.get(endpoint)
        if device is not None and package_id in device.software:
            setattr(device.software[package_id], field, status)
        assert self._events is not None
        await self._events.device_changed(endpoint, Change(f"software:{package_id}", {field: status}))

    # -- device object (3), lights (3311) -----------------------------------------------------

    async def refresh(self, device_id: str) -> Device:
        registration = self.server.device(device_id)
        if registration is None:
            raise DeviceUnreachable(f"{device_id} is not registered")
        device = await self._call(build(self.server, registration))
        self._devices[device_id] = device
        return device

    async def reboot(self, device_id: str) -> None:
        self._require(device_id)
        await self._call(self.server.execute(device_id, f"/{o.DEVICE}/0/{o.REBOOT}"))

    async def factory_reset(self, device_id: str) -> None:
        self._require(device_id)
        await self._call(self.server.execute(device_id, f"/{o.DEVICE}/0/{o.FACTORY_RESET}"))

    async def set_light(self, device_id: str, light_id: str, on: bool | None = None, level: int | None = None) -> None:
        light = self._light(device_id, light_id)
        values: dict[str, Any] = {}
        if on is not None:
            values[f"/{o.LIGHT}/{light_id}/{o.LIGHT_ON}"] = on
        if level is not None:
            if light.level is None:
                raise DeviceError("this light cannot be dimmed")
            values[f"/{o.LIGHT}/{light_id}/{o.LIGHT_DIMMER}"] = level
        await self._call(self.server.write(device_id, f"/{o.LIGHT}/{light_id}", values, partial=True))
        if on is not None:
            light.on = on
        if level is not None:
            light.level = level

    async def toggle_light(self, device_id: str, light_id: str) -> bool:
        light = self._light(device_id, light_id)
        result = await self._call(self.server.read(device_id, f"/{o.LIGHT}/{light_id}/{o.LIGHT_ON}"))
        new_state = not bool(result.value())
        await self._call(self.server.write(device_id, f"/{o.LIGHT}/{light_id}/{o.LIGHT_ON}", new_state))
        light.on = new_state
        return new_state

    # -- helpers ------------------------------------------------------------------------------

    def _require(self, device_id: str) -> Device:
        device = self._devices.get(device_id)
        if device is None or self.server.device(device_id) is None:
            raise DeviceUnreachable(f"{device_id} is not registered")
        return device

    def _light(self, device_id: str, light_id: str):
        light = self._require(device_id).lights.get(light_id)
        if light is None:
            raise DeviceError(f"the device has no light {light_id}")
        return light

    def _package(self, device_id: str, package_id: str) -> None:
        if package_id not in self._require(device_id).software:
            raise DeviceError(f"the device has no software package {package_id}")

    async def _call(self, operation: Awaitable[T]) -> T:
        """Run a server operation, translating its failures into the driver's three errors."""
        try:
            return await operation
        except Lwm2mTimeout as exc:
            raise DeviceTimeout(str(exc)) from None
        except Lwm2mDeviceError as exc:
            raise DeviceError(str(exc)) from None
        except Lwm2mServerError as exc:
            raise DeviceUnreachable(str(exc)) from None


def _uri_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


_FIRMWARE_PATHS = [f"/{o.FIRMWARE}/0/{o.FW_STATE}", f"/{o.FIRMWARE}/0/{o.FW_RESULT}"]


def _software_paths(package_id: str) -> list[str]:
    return [f"/{o.SOFTWARE}/{package_id}/{rid}" for rid in (o.SW_STATE, o.SW_RESULT, o.SW_ACTIVE)]
