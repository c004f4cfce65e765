"""Turn data model activity into Notify messages for the subscribed Controllers.

Subscriptions live in ``Device.LocalAgent.Subscription.{i}.`` like on a real
Agent: a notification goes to each enabled subscription whose NotifType
matches and whose ReferenceList selects the path. ``NotifRetry`` subscriptions
ask for a NotifyResp (``send_resp``) and are re-sent until acknowledged or the
retry budget is used up (TR-369 R-NOT.1, with a bounded number of attempts).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from ipe_sdt.usp import (
    USP_VERSION,
    Event,
    Message,
    Notification,
    Notify,
    ObjectCreation,
    ObjectDeletion,
    OnBoardRequest,
    OperationComplete,
    PathError,
    PathKind,
    Tr181Path,
    ValueChange,
    parse_path,
    request,
)

from .data_model import Obj, Table

log = logging.getLogger(__name__)

# Sends one Message to a Controller (endpoint ID, topic); False if not sent now.
Sender = Callable[[str, str, Message], bool]


@dataclass(frozen=True)
class ControllerAddress:
    endpoint_id: str
    topic: str


@dataclass
class _Pending:
    controller: ControllerAddress
    message: Message
    attempts: int
    task: asyncio.Task[None] | None = None


def _references(text: str) -> list[Tr181Path]:
    refs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            refs.append(parse_path(item))
        except PathError:
            continue  # checked on Add; an old bad entry just matches nothing
    return refs


def _selects(ref: Tr181Path, path: Tr181Path) -> bool:
    if ref.kind is PathKind.OBJECT:
        return path.is_within(ref)
    return ref.matches(path)


class Notifier:
    def __init__(
        self,
        root: Callable[[], Obj],
        send: Sender,
        *,
        retry_interval: float,
        retry_attempts: int,
    ) -> None:
        self._root = root
        self._send = send
        self._retry_interval = retry_interval
        self._retry_attempts = retry_attempts
        self._pending: dict[str, _Pending] = {}

    # --- routing ---------------------------------------------------------------

    def _local_agent(self) -> Obj:
        node = self._root().children["LocalAgent"]
        assert isinstance(node, Obj)
        return node

    def controllers(self) -> list[ControllerAddress]:
        table = self._local_agent().children["Controller"]
        assert isinstance(table, Table)
        return [c for c in (self._address(obj) for obj in table.instances.values()) if c is not None]

    def controller_ref(self, endpoint_id: str) -> str | None:
        table = self._local_agent().children["Controller"]
        assert isinstance(table, Table)
        for number, obj in table.instances.items():
            if obj.params["EndpointID"].get() == endpoint_id:
                return f"Device.LocalAgent.Controller.{number}"
        return None

    def _recipient(self, ref: str) -> ControllerAddress | None:
        table = self._local_agent().children["Controller"]
        assert isinstance(table, Table)
        number = ref.rstrip(".").rsplit(".", 1)[-1]
        obj = table.instances.get(int(number)) if number.isdigit() else None
        return self._address(obj) if obj is not None else None

    @staticmethod
    def _address(obj: Obj) -> ControllerAddress | None:
        if obj.params["Enable"].get() != "true":
            return None
        mtps = obj.children["MTP"]
        assert isinstance(mtps, Table)
        for mtp in mtps.instances.values():
            mqtt = mtp.children["MQTT"]
            assert isinstance(mqtt, Obj)
            topic = mqtt.params["Topic"].get()
            if mtp.params["Enable"].get() == "true" and mtp.params["Protocol"].get() == "MQTT" and topic:
                return ControllerAddress(obj.params["EndpointID"].get(), topic)
        return None

    def _matching(self, notif_type: str, path: str) -> list[tuple[str, str, bool]]:
        """(subscription ID, recipient reference, NotifRetry) of each match."""
        try:
            target = parse_path(path)
        except PathError:
            return []
        table = self._local_agent().children["Subscription"]
        assert isinstance(table, Table)
        out = []
        for sub in list(table.instances.values()):
            p = sub.params
            if p["Enable"].get() != "true" or p["NotifType"].get() != notif_type:
                continue
            if any(_selects(ref, target) for ref in _references(p["ReferenceList"].get())):
                out.append((p["ID"].get(), p["Recipient"].get(), p["NotifRetry"].get() == "true"))
        return out

    def _dispatch(self, notif_type: str, path: str, notification: Notification) -> None:
        for sub_id, recipient, retry in self._matching(notif_type, path):
            controller = self._recipient(recipient)
            if controller is None:
                continue
            self.send_notify(controller, Notify(sub_id, notification, send_resp=retry))

    # --- notification kinds ----------------------------------------------------

    def value_changed(self, path: str, value: str) -> None:
        self._dispatch("ValueChange", path, ValueChange(path, value))

    def object_created(self, path: str, unique_keys: dict[str, str]) -> None:
        # ReferenceList names the table ("Device.X."); the instance lies within it.
        self._dispatch("ObjectCreation", path, ObjectCreation(path, unique_keys))

    def object_deleted(self, path: str) -> None:
        self._dispatch("ObjectDeletion", path, ObjectDeletion(path))

    def event(self, obj_path: str, name: str, params: dict[str, str]) -> None:
        self._dispatch("Event", obj_path + name, Event(obj_path, name, params))

    def operation_complete(self, complete: OperationComplete) -> None:
        self._dispatch("OperationComplete", complete.obj_path + complete.command_name, complete)

    def onboard_request(self, oui: str, product_class: str, serial: str) -> None:
        # Not subject to a subscription (TR-369 "Notification Types"); policy
        # here: every enabled Controller, acknowledged with a NotifyResp.
        for controller in self.controllers():
            note = OnBoardRequest(oui, product_class, serial, USP_VERSION)
            self.send_notify(controller, Notify("", note, send_resp=True))

    # --- delivery and retry ------------------------------------------------------

    def send_notify(self, controller: ControllerAddress, notify: Notify) -> None:
        message = request(notify)
        self._send(controller.endpoint_id, controller.topic, message)
        if notify.send_resp:
            pending = _Pending(controller, message, 1)
            self._pending[message.msg_id] = pending
            pending.task = asyncio.get_running_loop().create_task(self._retry(message.msg_id))

    async def _retry(self, msg_id: str) -> None:
        delay = self._retry_interval
        while True:
            await asyncio.sleep(delay)
            pending = self._pending.get(msg_id)
            if pending is None:
                return
            if pending.attempts >= self._retry_attempts:
                log.info("notify %s to %s not acknowledged; giving up", msg_id, pending.controller.endpoint_id)
                self._pending.pop(msg_id, None)
                return
            # Every try counts, sent or not, so the retrying always ends.
            pending.attempts += 1
            self._send(pending.controller.endpoint_id, pending.controller.topic, pending.message)
            delay *= 2

    def acknowledge(self, msg_id: str, subscription_id: str) -> None:
        pending = self._pending.get(msg_id)
        if pending is None:
            return
        sent = pending.message.body
        assert isinstance(sent, Notify)
        if sent.subscription_id != subscription_id:
            return  # R-NOT.16: a NotifyResp for another subscription is not an acknowledgement
        self._pending.pop(msg_id)
        if pending.task is not None:
            pending.task.cancel()

    def resend_pending(self) -> None:
        """After a reconnect: deliver what is still unacknowledged right away."""
        for pending in list(self._pending.values()):
            self._send(pending.controller.endpoint_id, pending.controller.topic, pending.message)

    def drop_pending(self) -> None:
        """A reboot resets the retry state (R-NOT.4)."""
        for pending in self._pending.values():
            if pending.task is not None:
                pending.task.cancel()
        self._pending.clear()

    @property
    def pending_count(self) -> int:
        return len(self._pending)
