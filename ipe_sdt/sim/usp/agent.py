"""One simulated USP Agent on the MQTT MTP.

Life cycle as TR-369 describes it: connect to the broker, subscribe to the
Agent's topic, send an MQTTConnectRecord to the Controller, then (after a
boot) an OnBoardRequest on the first boot and ``Boot!`` to the subscribed
Controllers. Requests are answered from the data model; ``Reboot()``,
``FactoryReset()`` and firmware activation really take the Agent off the
broker and bring it back.

The MQTT Will is a DisconnectRecord to the Controller, so a crash (socket
closed without DISCONNECT) is announced by the broker; a graceful shutdown or
reboot sends the DisconnectRecord itself first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

from ipe_sdt.usp import (
    USP_VERSION,
    Add,
    Body,
    Delete,
    Disconnect,
    Error,
    ErrorCode,
    Get,
    GetInstances,
    GetSupportedDM,
    GetSupportedProtocol,
    GetSupportedProtocolResp,
    Message,
    MessageError,
    MqttConnect,
    NoSessionContext,
    NotifyResp,
    Operate,
    PathError,
    Record,
    RecordError,
    Set,
    parse_path,
    response_to,
)
from ipe_sdt.usp.mtp import (
    BrokerAddress,
    InboundPublish,
    MqttConfig,
    MqttEndpoint,
    WillMessage,
    agent_topic,
    is_usp_content,
)

from .agent_context import AgentTimings, utc_now
from .async_commands import AsyncCommandRunner
from .data_model import CommandSpec, Obj, Table
from .device_model import CommandHandlers, Identity, build_device
from .firmware import FirmwareBehaviour
from .notifier import Notifier
from .request_processor import CommandCall, RequestFailed, RequestProcessor
from .software_modules import SoftwareModulesBehaviour

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _PendingBoot:
    cause: str  # LocalReboot, RemoteReboot, LocalFactoryReset, RemoteFactoryReset
    command_key: str
    firmware_updated: bool
    first_boot: bool


@dataclass
class AgentStats:
    received: int = 0
    answered: int = 0
    dropped: int = 0  # malformed or misaddressed records
    boots: int = 0


class SimulatedAgent:
    def __init__(
        self,
        broker: BrokerAddress,
        identity: Identity,
        timings: AgentTimings | None = None,
        *,
        onboard_request: bool = True,
        qos: int = 1,
    ) -> None:
        self.identity = identity
        self._timings = timings or AgentTimings()
        self.topic = agent_topic(identity.endpoint_id)
        self.stats = AgentStats()
        self._onboard_request = onboard_request
        self._boot_clock = time.monotonic()
        self._agent_clock = time.monotonic()
        self.firmware = FirmwareBehaviour(self)
        self.software = SoftwareModulesBehaviour(self)
        self._handlers = CommandHandlers(
            reboot=self._cmd_reboot,
            factory_reset=self._cmd_factory_reset,
            download=self.firmware.download,
            activate=self.firmware.activate,
            install_du=self.software.install_du,
            update_du=self.software.update_du,
            uninstall_du=self.software.uninstall_du,
            set_requested_state=self.software.set_requested_state,
        )
        self._root = self._factory_tree()
        self.processor = RequestProcessor(lambda: self._root, self)
        self.notifier = Notifier(
            lambda: self._root,
            self._send_message,
            retry_interval=self._timings.notify_retry_interval,
            retry_attempts=self._timings.notify_retry_attempts,
        )
        self.commands = AsyncCommandRunner(
            lambda: self._root, self.notifier.operation_complete, self.object_created, self.object_deleted
        )
        will = Record(identity.controller_id, identity.endpoint_id, Disconnect("MQTT connection lost", 0))
        self._endpoint = MqttEndpoint(
            MqttConfig(
                broker=broker,
                endpoint_id=identity.endpoint_id,
                subscriptions=(self.topic,),
                reply_to=self.topic,
                qos=qos,
                retry=self._timings.mqtt_retry,
                will=WillMessage(identity.controller_topic, will.to_bytes()),
            ),
            self._on_publish,
            self._on_connection,
        )
        # Powering on is a boot; the factory state makes it a first boot.
        self._boot: _PendingBoot | None = _PendingBoot("LocalFactoryReset", "", False, True)
        self._reboot_task: asyncio.Task[None] | None = None
        self._running = False

    # --- AgentContext ----------------------------------------------------------------

    @property
    def timings(self) -> AgentTimings:
        return self._timings

    @property
    def root(self) -> Obj:
        return self._root

    @property
    def endpoint_id(self) -> str:
        return self.identity.endpoint_id

    @property
    def connected(self) -> bool:
        return self._endpoint.connected

    def update(self, obj: Obj, obj_path: str, name: str, value: str) -> None:
        param = obj.params[name]
        if param.value != value:
            param.value = value
            self.value_changed(obj_path + name, value)

    def emit_event(self, obj_path: str, name: str, params: dict[str, str]) -> None:
        self.notifier.event(obj_path, name, params)

    def value_changed(self, path: str, value: str) -> None:
        self.notifier.value_changed(path, value)

    def object_created(self, path: str, unique_keys: dict[str, str]) -> None:
        self.notifier.object_created(path, unique_keys)

    def object_deleted(self, path: str) -> None:
        self.notifier.object_deleted(path)

    def start_async(self, spec: CommandSpec, call: CommandCall) -> str:
        return self.commands.start(spec, call)

    def completes_through_reboot(self, call: CommandCall) -> None:
        self.commands.completes_through_reboot(call)

    def request_reboot(self, cause: str, command_key: str, *, factory_reset: bool = False) -> None:
        if self._reboot_task is None or self._reboot_task.done():
            self._reboot_task = asyncio.get_running_loop().create_task(
                self.reboot(cause, command_key, factory_reset=factory_reset)
            )

    # --- data model ------------------------------------------------------------------

    def _factory_tree(self) -> Obj:
        root = build_device(
            self.identity,
            self._handlers,
            lambda: str(int(time.monotonic() - self._boot_clock)),
            lambda: str(int(time.monotonic() - self._agent_clock)),
        )
        subs = root.children["LocalAgent"].children["Subscription"]  # type: ignore[union-attr]
        assert isinstance(subs, Table)
        subs.on_create = self._subscription_created
        return root

    def _subscription_created(self, sub: Obj, originator: str) -> None:
        p = sub.params
        for ref in filter(None, (r.strip() for r in p["ReferenceList"].get().split(","))):
            try:
                parse_path(ref)
            except PathError as exc:
                raise RequestFailed(ErrorCode.INVALID_VALUE, f"ReferenceList: {exc}") from exc
        if not p["Recipient"].get():
            p["Recipient"].value = self.notifier.controller_ref(originator) or "Device.LocalAgent.Controller.1"
        table = self._root.children["LocalAgent"].children["Subscription"]  # type: ignore[union-attr]
        assert isinstance(table, Table)
        if not p["ID"].get():
            p["ID"].value = f"{self.identity.serial_number}-{table.next_number}"
        for other in table.instances.values():
            if (other.params["ID"].get(), other.params["Recipient"].get()) == (p["ID"].get(), p["Recipient"].get()):
                raise RequestFailed(ErrorCode.DUPLICATE_UNIQUE_KEY, f"subscription ID {p['ID'].get()!r} exists")
        p["CreationDate"].value = utc_now()

    def _drop_volatile_state(self) -> None:
        """What a reboot forgets: non-persistent subscriptions (TR-181 Persistent)."""
        table = self._root.children["LocalAgent"].children["Subscription"]  # type: ignore[union-attr]
        assert isinstance(table, Table)
        for number, sub in list(table.instances.items()):
            if sub.params["Persistent"].get() != "true":
                del table.instances[number]

    # --- life cycle ------------------------------------------------------------------

    async def start(self) -> None:
        self._running = True
        await self._endpoint.start()

    async def wait_connected(self, timeout: float) -> bool:
        return await self._endpoint.wait_connected(timeout)

    async def stop(self) -> None:
        """Shut down: tell the Controllers, then DISCONNECT."""
        if self._reboot_task is not None and self._reboot_task is not asyncio.current_task():
            self._reboot_task.cancel()
        if self._running:
            self._going_down("Agent shutting down")
        self._running = False
        await self._endpoint.stop()

    async def crash(self) -> None:
        """Lose power: the socket closes without DISCONNECT and the broker
        publishes the Will. ``power_on()`` boots again."""
        if self._reboot_task is not None and self._reboot_task is not asyncio.current_task():
            self._reboot_task.cancel()
        self._running = False
        self.commands.interrupt_all()
        self.notifier.drop_pending()
        await self._endpoint.abort()

    async def power_on(self) -> None:
        if not self._running:
            await self._power_cycle("LocalReboot", "", factory_reset=False)

    async def reboot(self, cause: str = "LocalReboot", command_key: str = "", *, factory_reset: bool = False) -> None:
        # Let the response to the command that asked for this leave first.
        await asyncio.sleep(0)
        if self._running:
            self._going_down("Agent rebooting")
        self._running = False
        await self._endpoint.stop()
        await self._power_cycle(cause, command_key, factory_reset=factory_reset)

    def _going_down(self, reason: str) -> None:
        self.commands.interrupt_all()
        self.notifier.drop_pending()
        for controller in self.notifier.controllers():
            record = Record(controller.endpoint_id, self.endpoint_id, Disconnect(reason, 0))
            self._endpoint.publish(controller.topic, record.to_bytes())

    async def _power_cycle(self, cause: str, command_key: str, *, factory_reset: bool) -> None:
        await asyncio.sleep(self._timings.boot_delay)
        if factory_reset:
            self._root = self._factory_tree()
            firmware_updated = False
        else:
            self._drop_volatile_state()
            firmware_updated = self.firmware.apply_boot_image()
            self.software.at_boot()
        self._boot_clock = time.monotonic()
        self._agent_clock = time.monotonic()
        self._boot = _PendingBoot(cause, command_key, firmware_updated, factory_reset)
        self._running = True
        await self._endpoint.start()

    def _on_connection(self, connected: bool) -> None:
        if not connected or not self._running:
            return
        for controller in self.notifier.controllers():
            record = Record(controller.endpoint_id, self.endpoint_id, MqttConnect(self._endpoint.reply_to))
            self._endpoint.publish(controller.topic, record.to_bytes())
        boot, self._boot = self._boot, None
        if boot is None:
            self.notifier.resend_pending()
            return
        self.stats.boots += 1
        if boot.first_boot and self._onboard_request:
            i = self.identity
            self.notifier.onboard_request(i.oui, i.product_class, i.serial_number)
        self.emit_event("Device.", "Boot!", {
            "CommandKey": boot.command_key,
            "Cause": boot.cause,
            "FirmwareUpdated": "true" if boot.firmware_updated else "false",
            "ParameterMap": json.dumps(self._boot_parameters(), separators=(",", ":")),
        })
        self.commands.report_after_boot()

    def _boot_parameters(self) -> dict[str, str]:
        controllers = self._root.children["LocalAgent"].children["Controller"]  # type: ignore[union-attr]
        assert isinstance(controllers, Table)
        first = controllers.instances.get(min(controllers.instances, default=0))
        if first is None:
            return {}
        boot_params = first.children["BootParameter"]
        assert isinstance(boot_params, Table)
        values = {}
        for entry in boot_params.instances.values():
            name = entry.params["ParameterName"].get()
            if entry.params["Enable"].get() != "true" or not name:
                continue
            result = self.processor.get(Get((name,))).flat()
            values.update(result)
        return values

    # --- commands --------------------------------------------------------------------

    def _cmd_reboot(self, call: CommandCall) -> dict[str, str]:
        self.request_reboot("RemoteReboot", call.command_key)
        return {}

    def _cmd_factory_reset(self, call: CommandCall) -> dict[str, str]:
        self.request_reboot("RemoteFactoryReset", call.command_key, factory_reset=True)
        return {}

    # --- messages --------------------------------------------------------------------

    def _send_message(self, controller_id: str, topic: str, message: Message) -> bool:
        record = Record.for_message(controller_id, self.endpoint_id, message)
        return self._endpoint.publish(topic, record.to_bytes())

    def _drop(self, why: str, *args: object) -> None:
        self.stats.dropped += 1
        log.warning("%s: dropped record: " + why, self.endpoint_id, *args)

    def _on_publish(self, inbound: InboundPublish) -> None:
        self.stats.received += 1
        if not is_usp_content(inbound.content_type):
            self._drop("content type %r", inbound.content_type)
            return
        try:
            record = Record.from_bytes(inbound.payload)
        except RecordError as exc:
            self._drop("%s", exc)
            return
        if record.to_id != self.endpoint_id:
            self._drop("addressed to %r", record.to_id)
            return
        if not isinstance(record.body, NoSessionContext):
            log.info("%s: %s record from %s", self.endpoint_id, type(record.body).__name__, record.from_id)
            return
        try:
            message = record.message()
        except MessageError as exc:
            self._drop("undecodable message from %s: %s", record.from_id, exc)
            return
        if message.is_response or message.is_error:
            body = message.body
            sub_id = body.subscription_id if isinstance(body, NotifyResp) else None
            if sub_id is not None:
                self.notifier.acknowledge(message.msg_id, sub_id)
            return
        reply = self._answer(message.body, record.from_id)
        if reply is None:
            return
        topic = inbound.response_topic or self._controller_topic(record.from_id)
        if topic is None:
            self._drop("no reply-to topic for %s", record.from_id)
            return
        self._send_message(record.from_id, topic, response_to(message, reply))
        self.stats.answered += 1

    def _controller_topic(self, endpoint_id: str) -> str | None:
        for controller in self.notifier.controllers():
            if controller.endpoint_id == endpoint_id:
                return controller.topic
        return None

    def _answer(self, body: Body, originator: str) -> Body | None:
        try:
            match body:
                case Get():
                    return self.processor.get(body)
                case GetInstances():
                    return self.processor.get_instances(body)
                case GetSupportedDM():
                    return self.processor.get_supported_dm(body)
                case Set():
                    return self.processor.set(body)
                case Add():
                    return self.processor.add(body, originator)
                case Delete():
                    return self.processor.delete(body)
                case Operate():
                    resp = self.processor.operate(body, originator)
                    return resp if body.send_resp else None
                case GetSupportedProtocol():
                    return GetSupportedProtocolResp(USP_VERSION)
                case _:
                    return Error(ErrorCode.MESSAGE_NOT_SUPPORTED, f"an Agent does not accept {type(body).__name__}")
        except RequestFailed as exc:
            return Error(exc.code, exc.message, exc.param_errs)
        except Exception as exc:  # never leave the Controller without an answer
            log.exception("%s: request failed", self.endpoint_id)
            return Error(ErrorCode.INTERNAL_ERROR, f"internal error: {exc}")
