"""The USP driver: a USP Controller on an MQTT broker, showing its Agents as neutral devices.

Every Agent that connects (MQTTConnectRecord, OnBoardRequest, Boot!) is read with one Get
(``picture``) and shown; a DisconnectRecord or its MQTT Will shows it unreachable. The events
of one Agent, and the operations the mapping asks of it, are handled in order by a worker of
its own, so a slow or silent Agent never holds up another.

Operations follow TR-181: Reboot()/FactoryReset() are done when the Agent's Boot! carries our
command key; a firmware update downloads into the image bank that is not running and then
activates it (the Agent reboots into it); software is installed with InstallDU(), changed with
the deployment unit's Update() and Uninstall(), and started or stopped with its execution
units' SetRequestedState(). Their status follows what the Agent reports (``actions``), and
what it reports only: when a report is lost, its state is read instead.

Options (``[plugin.sdt.usp]``):

    broker = "mqtt://127.0.0.1:1883"   # required
    endpoint_id = "self::onem2m-ipe"   # our Controller endpoint ID (topic usp/controller/<id>)
    request_timeout = 10.0             # seconds an Agent may take to answer one request
    completion_timeout = 300.0         # seconds before an action's state is read again
    reboot_timeout = 30.0              # seconds an Agent may take to come back from a reboot
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, TypeVar

from ipe_sdt.devices import ActionStatus, Change, Device, Status
from ipe_sdt.drivers.base import DeviceError, DeviceTimeout, DeviceUnreachable, DriverEvents
from ipe_sdt.drivers.usp import paths as p
from ipe_sdt.drivers.usp.actions import Action, Kind, Outcome, decide
from ipe_sdt.drivers.usp.picture import Picture, build, read, refresh_software, rows
from ipe_sdt.usp import CommandFailure, Event, OperationComplete, ValueChange
from ipe_sdt.usp.controller import (
    AgentBooted,
    AgentInfo,
    AgentOffline,
    AgentOnboardRequested,
    AgentOnline,
    BootInfo,
    ControllerError,
    ControllerSettings,
    NotificationReceived,
    UnknownAgent,
    UspAgentError,
    UspController,
    UspProtocolError,
    UspTimeout,
)
from ipe_sdt.usp.mtp import BrokerAddress, check_endpoint_id

log = logging.getLogger("ipe.usp")
T = TypeVar("T")

_OPTIONS = {"broker", "endpoint_id", "request_timeout", "completion_timeout", "reboot_timeout"}
# The simulator's default Controller (``cse sim usp``), so that both work together unconfigured.
DEFAULT_ENDPOINT_ID = "self::onem2m-ipe"
# Controller events buffered for the driver: the boot of a thousand Agents at once fits.
EVENT_BACKLOG = 100_000
# An Agent whose first read went unanswered is read again, this many times in all.
READ_ATTEMPTS = 3
# Seconds between attempts to reach a broker that was down when the driver started.
CONNECT_RETRY = 2.0


@dataclass
class _Job:
    """An operation the mapping asked for, run by the Agent's worker in turn."""

    work: Callable[[], Awaitable[Any]]
    future: asyncio.Future[Any]


@dataclass
class _Check:
    """An action's deadline: read the Agent's state to learn how it stands."""

    action: Action


@dataclass
class _Retry:
    """Read an Agent again whose first read was not answered."""

    attempt: int


# Events after which the Agent is read (and shown); of several queued, only the last reads.
_READS = (AgentOnline, AgentOnboardRequested, AgentBooted, _Retry)


@dataclass
class _Agent:
    id: str
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None
    picture: Picture | None = None
    reads_queued: int = 0
    # Actions under way by the status they report in: ('', 'firmware'), (package, 'install'),
    # (package, 'activation').
    actions: dict[tuple[str, str], Action] = field(default_factory=dict)
    boot_waiters: dict[str, asyncio.Future[BootInfo]] = field(default_factory=dict)
    slot_uuid: str = ""  # the UUID of the deployment unit in the slot package, once installed


class UspDriver:
    protocol = "usp"

    def __init__(self, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            known = ", ".join(sorted(_OPTIONS))
            raise ValueError(f"usp driver: unknown option(s) {', '.join(unknown)} (known: {known})")
        if "broker" not in options:
            raise ValueError("usp driver: option 'broker' (mqtt://host:port) is required")
        try:
            broker = BrokerAddress.parse(str(options["broker"]))
            endpoint_id = check_endpoint_id(str(options.get("endpoint_id", DEFAULT_ENDPOINT_ID)))
        except ValueError as exc:
            raise ValueError(f"usp driver: {exc}") from None
        self.request_timeout = _seconds(options, "request_timeout", 10.0)
        self.completion_timeout = _seconds(options, "completion_timeout", 300.0)
        self.reboot_timeout = _seconds(options, "reboot_timeout", 30.0)
        settings = ControllerSettings(request_timeout=self.request_timeout, completion_timeout=self.completion_timeout,
                                      connect_timeout=min(self.request_timeout, 10.0))
        self.controller = UspController(broker, endpoint_id, settings=settings)
        self._events: DriverEvents | None = None
        self._agents: dict[str, _Agent] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stream = None
        self._stopped = False

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self, events: DriverEvents) -> None:
        self._events = events
        self._stream = self.controller.events(EVENT_BACKLOG)
        self._spawn(self._read_events(), "usp events")
        try:
            await self.controller.start()
        except ControllerError as exc:
            # The rest of the CSE works without the broker; the Agents appear once it is up.
            log.error("USP driver: %s; retrying every %g s", exc, CONNECT_RETRY)
            self._spawn(self._connect_later(), "usp connect")

    async def _connect_later(self) -> None:
        while True:
            await asyncio.sleep(CONNECT_RETRY)
            try:
                await self.controller.start()
            except ControllerError:
                continue
            log.info("USP driver: connected to the broker at %s", self.controller.broker)
            return

    async def stop(self) -> None:
        self._stopped = True
        # First what could start the Controller again (the connect retry), then the Controller,
        # which fails the requests under way and ends the event stream, then the workers.
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.controller.stop()
        gone = "the USP driver has stopped"
        workers = [agent.worker for agent in self._agents.values() if agent.worker is not None]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        for agent in self._agents.values():
            for action in agent.actions.values():
                action.cancel_timer()
            for waiter in agent.boot_waiters.values():
                if not waiter.done():
                    waiter.set_exception(DeviceUnreachable(gone))
            while not agent.queue.empty():  # operations still queued get their answer
                item = agent.queue.get_nowait()
                if isinstance(item, _Job) and not item.future.done():
                    item.future.set_exception(DeviceUnreachable(gone))

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def device(self, device_id: str) -> Device | None:
        agent = self._agents.get(device_id)
        return agent.picture.device if agent is not None and agent.picture is not None else None

    # -- Controller events, in order per Agent -------------------------------------------------

    async def _read_events(self) -> None:
        assert self._stream is not None
        async for event in self._stream:
            try:
                agent = event.agent if isinstance(event, NotificationReceived) else event.agent.endpoint_id
                self._enqueue(agent, event)
            except Exception:  # one odd event must not end the driver's hearing
                log.exception("USP event %r not dispatched", event)

    def _enqueue(self, agent_id: str, item: Any) -> None:
        if self._stopped:
            if isinstance(item, _Job) and not item.future.done():
                item.future.set_exception(DeviceUnreachable("the USP driver has stopped"))
            return
        agent = self._agents.get(agent_id)
        if agent is None:
            agent = self._agents[agent_id] = _Agent(agent_id)
        if agent.worker is None:
            agent.worker = asyncio.get_running_loop().create_task(self._work(agent), name=f"usp {agent_id}")
        if isinstance(item, _READS):
            agent.reads_queued += 1
        agent.queue.put_nowait(item)

    async def _work(self, agent: _Agent) -> None:
        while True:
            item = await agent.queue.get()
            if isinstance(item, _READS):
                agent.reads_queued -= 1
            if isinstance(item, _Job):
                await self._run_job(item)
                continue
            try:
                await self._handle(agent, item)
            except (ControllerError, DeviceError, DeviceUnreachable) as exc:
                level = logging.DEBUG if self._stopped else logging.WARNING
                log.log(level, "agent %s: %s not handled: %s", agent.id, type(item).__name__, exc)
            except Exception:
                log.exception("agent %s: %s failed", agent.id, type(item).__name__)

    @staticmethod
    async def _run_job(job: _Job) -> None:
        try:
            result = await job.work()
        except asyncio.CancelledError:
            if not job.future.done():  # the driver stops: the caller gets an answer all the same
                job.future.set_exception(DeviceUnreachable("the USP driver has stopped"))
            raise
        except Exception as exc:  # handed to the operation's caller, who answers the CSE
            if not job.future.done():
                job.future.set_exception(exc)
            return
        if not job.future.done():
            job.future.set_result(result)

    async def _handle(self, agent: _Agent, item: Any) -> None:
        if isinstance(item, AgentBooted):
            await self._booted(agent, item.agent, item.boot)
        elif isinstance(item, (AgentOnline, AgentOnboardRequested)):
            await self._arrived(agent, item.agent)
        elif isinstance(item, AgentOffline):
            await self._offline(agent, item.reason)
        elif isinstance(item, NotificationReceived):
            if agent.picture is not None:
                await self._notified(agent, item.notification)
        elif isinstance(item, _Check):
            await self._check(agent, item.action, deadline=True)
        elif isinstance(item, _Retry):
            if agent.picture is None and not agent.reads_queued:
                await self._show(agent, self._info(agent.id), item.attempt)

    def _info(self, agent_id: str) -> AgentInfo | None:
        try:
            return self.controller.agent(agent_id)
        except UnknownAgent:
            return None

    async def _show(self, agent: _Agent, info: AgentInfo | None, attempt: int = 1) -> bool:
        """Read the Agent and show it; False if it could not be read."""
        assert self._events is not None
        try:
            # Subscribed before reading: a change after the read is then notified, never lost.
            await self.controller.ensure_subscription(agent.id, "ValueChange", p.LIGHT_VALUES)
        except UspAgentError as exc:
            log.info("agent %s refuses a ValueChange subscription on %s: %s", agent.id, p.LIGHT_VALUES, exc)
        except UspTimeout as exc:
            return self._read_failed(agent, attempt, exc)
        except ControllerError as exc:
            log.warning("agent %s could not be read: %s", agent.id, exc)
            return False
        try:
            values, missing = await read(self.controller, agent.id)
        except UspTimeout as exc:
            return self._read_failed(agent, attempt, exc)
        except ControllerError as exc:  # gone again, or it refuses every part of the read
            log.warning("agent %s could not be read: %s", agent.id, exc)
            return False
        picture = build(agent.id, self._address(info), values, missing, agent.picture, agent.slot_uuid)
        self._show_actions(agent, picture)
        agent.picture = picture
        await self._events.device_online(picture.device)
        return True

    def _read_failed(self, agent: _Agent, attempt: int, exc: Exception) -> bool:
        if agent.picture is None and attempt < READ_ATTEMPTS:
            log.warning("agent %s did not answer (%s); reading it again later", agent.id, exc)
            asyncio.get_running_loop().call_later(self.request_timeout, self._enqueue, agent.id, _Retry(attempt + 1))
        else:
            log.warning("agent %s could not be read: %s", agent.id, exc)
        return False

    def _address(self, info: AgentInfo | None) -> str:
        """The Agent's MTP address: our broker and the topic the Agent listens on."""
        url = self.controller.broker.url
        return f"{url}/{info.topic}" if info is not None and info.topic else url

    async def _booted(self, agent: _Agent, info: AgentInfo, boot: BootInfo) -> None:
        if boot.factory_reset:
            agent.slot_uuid = ""  # a factory reset removes every deployment unit
        if not await self._show(agent, info) and agent.picture is not None:
            await self._back(agent)
        waiter = agent.boot_waiters.pop(boot.command_key, None) if boot.command_key else None
        if waiter is not None and not waiter.done():
            waiter.set_result(boot)
        # A reboot ends whatever the Agent was doing; the activation it carries out ends here.
        for action in list(agent.actions.values()):
            await self._check(agent, action, ended=bool(boot.command_key) and action.key == boot.command_key)

    async def _arrived(self, agent: _Agent, info: AgentInfo) -> None:
        """The Agent connected or asked to be onboarded: show it, unless it is shown already."""
        if agent.picture is not None and agent.picture.device.reachable:
            return
        if agent.reads_queued:
            return  # a Boot! or another arrival right behind reads the Agent
        known = agent.picture is not None
        if not await self._show(agent, info) and known:
            await self._back(agent)
        if known:
            # Reports may have been lost while it was away: read how its actions stand.
            for action in list(agent.actions.values()):
                await self._check(agent, action)

    async def _back(self, agent: _Agent) -> None:
        """Reachable again, though its values could not be read: show it reachable."""
        assert self._events is not None and agent.picture is not None
        agent.picture.device.reachable = True
        await self._events.device_online(agent.picture.device)

    async def _offline(self, agent: _Agent, reason: str) -> None:
        assert self._events is not None
        if agent.picture is None:
            return
        agent.picture.device.reachable = False
        await self._events.device_offline(agent.id, reason)

    # -- notifications ------------------------------------------------------------------------

    async def _notified(self, agent: _Agent, note: Any) -> None:
        if isinstance(note, ValueChange):
            await self._value_changed(agent, note.param_path, note.param_value)
        elif isinstance(note, OperationComplete):
            action = self._action_with_key(agent, note.command_key)
            if action is None:
                return
            if isinstance(note.outcome, CommandFailure):
                await self._finish(agent, action, Outcome.FAILED,
                                   reason=f"{note.command_name} failed: {note.outcome.err_code} {note.outcome.err_msg}")
            else:
                await self._check(agent, action, ended=True)
        elif isinstance(note, Event):
            event = (note.obj_path, note.event_name)
            if event == p.TRANSFER_COMPLETE:
                action = self._action_with_key(agent, note.params.get("CommandKey", ""))
                fault = note.params.get("FaultCode", "0") or "0"
                if action is not None and fault != "0":
                    await self._finish(agent, action, Outcome.FAILED,
                                       reason=f"transfer failed: {fault} {note.params.get('FaultString', '')}")
            elif event == p.DU_STATE_CHANGE:
                await self._unit_changed(agent, note.params)

    async def _value_changed(self, agent: _Agent, path: str, value: str) -> None:
        assert self._events is not None and agent.picture is not None
        picture = agent.picture
        for light_id, ref in picture.lights.items():
            light = picture.device.lights[light_id]
            if path == ref.switch:
                on = p.parse_bool(value)
                if on is None:
                    log.warning("agent %s: %s = %r is not a boolean; ignored", agent.id, path, value)
                elif on != light.on:
                    light.on = on
                    await self._events.device_changed(agent.id, Change(f"light:{light_id}", {"on": on}))
                return
            if path == ref.level:
                level = p.parse_uint(value)
                if level is None:
                    log.warning("agent %s: %s = %r is not a level; ignored", agent.id, path, value)
                    return
                percent = p.level_to_percent(level, ref.low, ref.high)
                if percent != light.level:
                    light.level = percent
                    await self._events.device_changed(agent.id, Change(f"light:{light_id}", {"level": percent}))
                return
        if path.startswith(p.EXECUTION_UNITS) and path.endswith(".Status") and value not in p.EU_TRANSITIONS:
            unit = path[: -len("Status")]
            for action in list(agent.actions.values()):
                if action.kind in (Kind.ACTIVATE, Kind.DEACTIVATE) and unit in action.targets:
                    await self._check(agent, action, ended=True)
            return
        log.debug("agent %s: ValueChange of %s not followed", agent.id, path)

    async def _unit_changed(self, agent: _Agent, params: Any) -> None:
        """DUStateChange!: the end of an install, update or uninstall, ours or another's."""
        unit = p.as_object(params.get("DeploymentUnitRef", ""))
        fault = params.get("Fault.FaultCode", "0") or "0"
        for action in list(agent.actions.values()):
            ours = (action.kind == Kind.INSTALL and action.uuid == params.get("UUID")) or (
                action.kind in (Kind.UPDATE, Kind.UNINSTALL) and action.target == unit)
            if not ours:
                continue
            if fault != "0":
                await self._finish(agent, action, Outcome.FAILED,
                                   reason=f"{params.get('OperationPerformed', '')} failed: {fault} "
                                          f"{params.get('Fault.FaultString', '')}")
            else:
                await self._check(agent, action, ended=True)
            return
        # Someone else changed the Agent's software: show the packages as they are now.
        values = await self.controller.get(agent.id, [p.SOFTWARE_MODULES])
        await self._show_software(agent, values)

    # -- actions -------------------------------------------------------------------------------

    def _action_with_key(self, agent: _Agent, key: str) -> Action | None:
        return next((a for a in agent.actions.values() if key and a.key == key), None)

    def _show_actions(self, agent: _Agent, picture: Picture) -> None:
        """Actions under way show as such in a newly read picture."""
        for action in agent.actions.values():
            status = ActionStatus(action.action_name, Status.IN_PROCESS)
            if action.field == "firmware":
                if picture.device.firmware is not None:
                    picture.device.firmware.status = status
            elif action.package in picture.device.software:
                setattr(picture.device.software[action.package], action.field, status)

    def _start(self, agent: _Agent, action: Action) -> None:
        agent.actions[(action.package, action.field)] = action
        self._arm(agent, action)

    def _arm(self, agent: _Agent, action: Action) -> None:
        action.cancel_timer()
        action.timer = asyncio.get_running_loop().call_later(
            self.completion_timeout, self._enqueue, agent.id, _Check(action))

    async def _check(self, agent: _Agent, action: Action, *, ended: bool = False, deadline: bool = False) -> None:
        """Read the Agent's state and take the action's next step, if that state shows one."""
        if agent.actions.get((action.package, action.field)) is not action:
            return  # finished or replaced meanwhile
        try:
            state = await self.controller.get(agent.id, [p.REQUESTS, action.state_path])
        except ControllerError as exc:
            log.info("agent %s: state of %s not read (%s); asking again later", agent.id, action.kind.value, exc)
            self._arm(agent, action)
            return
        # SetRequestedState() has no completion of its own: at its deadline it is over.
        outcome = decide(action, state, ended or (deadline and not action.key))
        if outcome is Outcome.RUNNING:
            if deadline:
                self._arm(agent, action)
        elif outcome is Outcome.DOWNLOADED:
            await self._activate_image(agent, action)
        else:
            await self._finish(agent, action, outcome, state)

    async def _finish(self, agent: _Agent, action: Action, outcome: Outcome,
                      state: dict[str, str] | None = None, reason: str = "") -> None:
        if agent.actions.get((action.package, action.field)) is not action:
            return
        del agent.actions[(action.package, action.field)]
        action.cancel_timer()
        succeeded = outcome is Outcome.SUCCEEDED
        status = ActionStatus(action.action_name, Status.SUCCESSFUL if succeeded else Status.FAILURE)
        log.info("agent %s: %s %s%s", agent.id, action.kind.value, outcome.value, f" ({reason})" if reason else "")
        if action.field == "firmware":
            values: dict[str, Any] = {}
            version = (state or {}).get(p.DEVICE_INFO + p.INFO["fwVersion"])
            if succeeded and version is not None:
                values["version"] = version
            await self._report_firmware(agent, status, values)
            return
        if succeeded and action.package == p.SLOT:
            if action.kind == Kind.INSTALL:
                agent.slot_uuid = action.uuid
                await self._mark_slot(agent, state or {}, action.uuid)
            elif action.kind == Kind.UNINSTALL:
                agent.slot_uuid = ""
        if state is None:
            try:
                state = await self.controller.get(agent.id, [p.SOFTWARE_MODULES])
            except ControllerError:
                state = None
        await self._report_software(agent, action.package, action.field, status, state)

    async def _mark_slot(self, agent: _Agent, state: dict[str, str], du_uuid: str) -> None:
        for path, row in rows(state, p.DEPLOYMENT_UNITS).items():
            if row.get("UUID") == du_uuid:
                try:
                    await self.controller.set(agent.id, {path + "Alias": p.SLOT_ALIAS})
                except ControllerError as exc:  # the in-memory mark still holds until a restart
                    log.info("agent %s: %s not marked as the slot's unit: %s", agent.id, path, exc)
                return

    async def _report_firmware(self, agent: _Agent, status: ActionStatus, values: dict[str, Any]) -> None:
        assert self._events is not None
        device = agent.picture.device if agent.picture is not None else None
        if device is not None and device.firmware is not None:
            device.firmware.status = status
            if "version" in values:
                device.firmware.version = device.info["fwVersion"] = values["version"]
        await self._events.device_changed(agent.id, Change("firmware", {"status": status, **values}))

    async def _report_software(self, agent: _Agent, package_id: str, field_name: str, status: ActionStatus,
                               state: dict[str, str] | None) -> None:
        assert self._events is not None
        if agent.picture is not None and package_id in agent.picture.device.software:
            setattr(agent.picture.device.software[package_id], field_name, status)
        if state is not None:
            await self._show_software(agent, state, forced=(package_id, field_name, status))
        else:
            await self._events.device_changed(agent.id, Change(f"software:{package_id}", {field_name: status}))

    async def _show_software(self, agent: _Agent, state: dict[str, str],
                             forced: tuple[str, str, ActionStatus] | None = None) -> None:
        """Show the packages as ``state`` (a read of SoftwareModules) has them."""
        assert self._events is not None
        if agent.picture is None:
            return
        before = {k: (v.name, v.version, v.url, v.install, v.activation)
                  for k, v in agent.picture.device.software.items()}
        refresh_software(agent.picture, state, agent.slot_uuid)
        self._show_actions(agent, agent.picture)
        software = agent.picture.device.software
        if forced is not None and forced[0] in software:
            setattr(software[forced[0]], forced[1], forced[2])
        for package_id, package in software.items():
            now = (package.name, package.version, package.url, package.install, package.activation)
            if before.get(package_id) == now and (forced is None or forced[0] != package_id):
                continue
            values = {"softwareName": package.name, "version": package.version, "URL": package.url,
                      "install": package.install, "activation": package.activation}
            await self._events.device_changed(agent.id, Change(f"software:{package_id}", values))
        if forced is not None and forced[0] not in software:
            await self._events.device_changed(agent.id, Change(f"software:{forced[0]}", {forced[1]: forced[2]}))

    # -- firmware (Device.DeviceInfo.FirmwareImage.{i}.) ---------------------------------------

    async def update_firmware(self, device_id: str, url: str, version: str, name: str) -> None:
        agent = self._require(device_id)

        async def work() -> None:
            picture = agent.picture
            if picture is None or picture.device.firmware is None:
                raise DeviceError(f"the agent has no firmware images ({p.FIRMWARE_IMAGES})")
            if ("", "firmware") in agent.actions:
                raise DeviceError("a firmware update is already under way")
            values = await self._call(self.controller.get(device_id, [p.ACTIVE_IMAGE, p.FIRMWARE_IMAGES]))
            active = p.as_object(values.get(p.ACTIVE_IMAGE, ""))
            banks = [path for path in rows(values, p.FIRMWARE_IMAGES) if path != active]
            if not banks:
                raise DeviceError("the agent has no firmware image bank besides the running one")
            for reference in (p.COMPLETIONS["download"], p.COMPLETIONS["activate"]):
                await self._subscribe(device_id, "OperationComplete", reference)
            await self._subscribe(device_id, "Event", "".join(p.TRANSFER_COMPLETE))
            key = self.controller.new_command_key()
            action = Action(Kind.DOWNLOAD, "", key, target=banks[0], url=url)
            self._start(agent, action)
            try:
                await self._call(self.controller.operate(device_id, banks[0] + p.DOWNLOAD,
                                                         {"URL": url, "AutoActivate": False},
                                                         command_key=key, wait_for_completion=False))
            except Exception:
                self._forget(agent, action)
                raise
            picture.device.firmware.url = url
            await self._report_firmware(agent, ActionStatus("update", Status.IN_PROCESS), {})

        await self._job(agent, work)

    async def _activate_image(self, agent: _Agent, action: Action) -> None:
        """The image is downloaded: activate it (the Agent reboots into it)."""
        action.kind = Kind.ACTIVATE_IMAGE
        action.key = self.controller.new_command_key()
        self._arm(agent, action)
        try:
            await self.controller.operate(agent.id, action.target + p.ACTIVATE, command_key=action.key,
                                          wait_for_completion=False)
        except UspAgentError as exc:
            await self._finish(agent, action, Outcome.FAILED, reason=f"activation refused: {exc}")
        except ControllerError as exc:
            # Sent or not, the deadline reads the Agent's state and tells.
            log.info("agent %s: activation of %s unconfirmed: %s", agent.id, action.target, exc)

    # -- software (Device.SoftwareModules.) ------------------------------------------------------

    async def install_software(self, device_id: str, package_id: str, url: str, name: str, version: str) -> None:
        agent = self._require(device_id)

        async def work() -> None:
            ref = self._package(agent, package_id)
            if (package_id, "install") in agent.actions:
                raise DeviceError(f"package {package_id} is busy: {agent.actions[(package_id, 'install')].kind.value}")
            key = self.controller.new_command_key()
            if ref.unit:
                # Installed already: 'in' with a (new) URL updates the deployment unit.
                action = Action(Kind.UPDATE, package_id, key, target=ref.unit, url=url or ref.url)
                command, args = ref.unit + p.DU_UPDATE, {"URL": action.url}
            elif package_id != p.SLOT:
                raise DeviceError(f"deployment unit {package_id} is gone from the agent; install into package "
                                  f"{p.SLOT} instead")
            elif not url:
                raise DeviceError("the package is not on the device: set its URL to install it")
            else:
                # Our own UUID (RFC 4122 version 5) tells our unit from any other at its report.
                du_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{device_id}/{key}/{url}"))
                action = Action(Kind.INSTALL, package_id, key, url=url, uuid=du_uuid)
                command, args = p.INSTALL_DU, {"URL": url, "UUID": du_uuid}
            await self._software_subscriptions(device_id, action.kind.value)
            await self._operate(agent, action, command, args)
            await self._report_software(agent, package_id, "install",
                                        ActionStatus("install", Status.IN_PROCESS), None)

        await self._job(agent, work)

    async def uninstall_software(self, device_id: str, package_id: str) -> None:
        agent = self._require(device_id)

        async def work() -> None:
            ref = self._package(agent, package_id)
            if not ref.unit:
                raise DeviceError(f"nothing is installed in package {package_id}")
            if (package_id, "install") in agent.actions:
                raise DeviceError(f"package {package_id} is busy: {agent.actions[(package_id, 'install')].kind.value}")
            action = Action(Kind.UNINSTALL, package_id, self.controller.new_command_key(), target=ref.unit,
                            uuid=ref.uuid)
            await self._software_subscriptions(device_id, "uninstall")
            await self._operate(agent, action, ref.unit + p.DU_UNINSTALL, {})
            await self._report_software(agent, package_id, "install",
                                        ActionStatus("uninstall", Status.IN_PROCESS), None)

        await self._job(agent, work)

    async def activate_software(self, device_id: str, package_id: str) -> None:
        await self._set_units(device_id, package_id, Kind.ACTIVATE)

    async def deactivate_software(self, device_id: str, package_id: str) -> None:
        await self._set_units(device_id, package_id, Kind.DEACTIVATE)

    async def _set_units(self, device_id: str, package_id: str, kind: Kind) -> None:
        agent = self._require(device_id)

        async def work() -> None:
            ref = self._package(agent, package_id)
            if not ref.units:
                raise DeviceError(f"nothing is installed in package {package_id}")
            action = Action(kind, package_id, "", targets=ref.units)
            previous = agent.actions.get((package_id, "activation"))
            if previous is not None:
                self._forget(agent, previous)  # the newer request supersedes it
            state = await self._call(self.controller.get(device_id, [p.EXECUTION_UNITS]))
            if decide(action, state, ended=False) is Outcome.SUCCEEDED:
                # The Agent shows the units in that state already: nothing to ask of it.
                await self._report_software(agent, package_id, "activation",
                                            ActionStatus(kind.value, Status.SUCCESSFUL), None)
                return
            await self._subscribe(device_id, "ValueChange", p.EU_VALUES)
            self._start(agent, action)
            try:
                for unit in ref.units:
                    await self._call(self.controller.operate(device_id, unit + p.EU_SET_STATE,
                                                             {"RequestedState": p.EU_WANTED[kind.value]},
                                                             wait_for_completion=False))
            except Exception:
                self._forget(agent, action)
                raise
            await self._report_software(agent, package_id, "activation",
                                        ActionStatus(kind.value, Status.IN_PROCESS), None)

        await self._job(agent, work)

    async def _software_subscriptions(self, device_id: str, command: str) -> None:
        await self._subscribe(device_id, "OperationComplete", p.COMPLETIONS[command])
        await self._subscribe(device_id, "Event", "".join(p.DU_STATE_CHANGE))
        await self._subscribe(device_id, "Event", "".join(p.TRANSFER_COMPLETE))

    async def _operate(self, agent: _Agent, action: Action, command: str, args: dict[str, Any]) -> None:
        """Start an asynchronous command; its outcome arrives later (OperationComplete)."""
        self._start(agent, action)
        try:
            await self._call(self.controller.operate(agent.id, command, args, command_key=action.key,
                                                     wait_for_completion=False))
        except Exception:
            self._forget(agent, action)
            raise

    def _forget(self, agent: _Agent, action: Action) -> None:
        action.cancel_timer()
        if agent.actions.get((action.package, action.field)) is action:
            del agent.actions[(action.package, action.field)]

    # -- device (reboot, reads) and lights --------------------------------------------------------

    async def refresh(self, device_id: str) -> Device:
        agent = self._require(device_id)

        async def work() -> Device:
            values, missing = await self._call(read(self.controller, device_id))
            picture = build(device_id, self._address(self._info(device_id)), values, missing, agent.picture,
                            agent.slot_uuid)
            self._show_actions(agent, picture)
            agent.picture = picture
            return picture.device

        return await self._job(agent, work)

    async def reboot(self, device_id: str) -> None:
        await self._restart(device_id, p.REBOOT)

    async def factory_reset(self, device_id: str) -> None:
        await self._restart(device_id, p.FACTORY_RESET)

    async def _restart(self, device_id: str, command: str) -> None:
        """Done when the Agent is back: its Boot! carries the command key of our request."""
        agent = self._require(device_id)
        key = self.controller.new_command_key()
        waiter: asyncio.Future[BootInfo] = asyncio.get_running_loop().create_future()
        agent.boot_waiters[key] = waiter
        try:
            await self._job(agent, lambda: self._call(
                self.controller.operate(device_id, command, command_key=key, wait_for_completion=False)))
            try:
                await asyncio.wait_for(asyncio.shield(waiter), self.reboot_timeout)
            except TimeoutError:
                info = self._info(device_id)
                if info is None or not info.reachable:
                    raise DeviceUnreachable(f"{command} accepted, but the agent has not come back within "
                                            f"{self.reboot_timeout:g} s") from None
                raise DeviceTimeout(f"{command} accepted, but no Boot! with its command key within "
                                    f"{self.reboot_timeout:g} s") from None
        finally:
            agent.boot_waiters.pop(key, None)

    async def set_light(self, device_id: str, light_id: str, on: bool | None = None, level: int | None = None) -> None:
        agent = self._require(device_id)

        async def work() -> None:
            ref, light = self._light(agent, light_id)
            values: dict[str, Any] = {}
            if on is not None:
                values[ref.switch] = on
            if level is not None:
                if ref.level is None:
                    raise DeviceError("this light cannot be dimmed")
                values[ref.level] = p.percent_to_level(level, ref.low, ref.high)
            await self._call(self.controller.set(device_id, values))
            if on is not None:
                light.on = on
            if level is not None:
                light.level = max(0, min(100, level))

        await self._job(agent, work)

    async def toggle_light(self, device_id: str, light_id: str) -> bool:
        agent = self._require(device_id)

        async def work() -> bool:
            ref, light = self._light(agent, light_id)
            values = await self._call(self.controller.get(device_id, [ref.switch]))
            current = p.parse_bool(values.get(ref.switch, ""))
            if current is None:
                raise DeviceError(f"the agent reports {ref.switch} = {values.get(ref.switch)!r}, not a boolean")
            await self._call(self.controller.set(device_id, {ref.switch: not current}))
            light.on = not current
            return light.on

        return await self._job(agent, work)

    # -- helpers --------------------------------------------------------------------------------

    def _require(self, device_id: str) -> _Agent:
        agent = self._agents.get(device_id)
        if agent is None or agent.picture is None:
            raise DeviceUnreachable(f"{device_id} is not a connected USP agent")
        info = self._info(device_id)
        if info is None or not info.reachable:
            raise DeviceUnreachable(info.unreachable_reason if info is not None and info.unreachable_reason
                                    else "the agent is not connected")
        return agent

    def _light(self, agent: _Agent, light_id: str):
        assert agent.picture is not None
        ref = agent.picture.lights.get(light_id)
        if ref is None:
            raise DeviceError(f"the agent has no light {light_id}")
        return ref, agent.picture.device.lights[light_id]

    def _package(self, agent: _Agent, package_id: str):
        assert agent.picture is not None
        ref = agent.picture.packages.get(package_id)
        if ref is None:
            raise DeviceError(f"the agent has no software package {package_id}")
        return ref

    async def _job(self, agent: _Agent, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` in the Agent's worker, after what it has queued, and wait for it."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._enqueue(agent.id, _Job(work, future))
        return await future

    async def _subscribe(self, device_id: str, notif_type: str, reference: str) -> None:
        await self._call(self.controller.ensure_subscription(device_id, notif_type, reference))

    @staticmethod
    async def _call(operation: Awaitable[T]) -> T:
        """Run a Controller operation, translating its failures into the driver's three errors."""
        try:
            return await operation
        except UspTimeout as exc:
            raise DeviceTimeout(str(exc)) from None
        except UspAgentError as exc:
            raise DeviceError(f"USP error {exc.code} ({exc.name}): {exc.message}") from None
        except UspProtocolError as exc:
            raise DeviceError(str(exc)) from None
        except ControllerError as exc:
            raise DeviceUnreachable(str(exc)) from None


def _seconds(options: dict[str, Any], name: str, default: float) -> float:
    try:
        value = float(options.get(name, default))
    except (TypeError, ValueError):
        raise ValueError(f"usp driver: {name} must be a number of seconds") from None
    if not value > 0:
        raise ValueError(f"usp driver: {name} must be positive")
    return value
