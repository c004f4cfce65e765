"""A USP Controller on the MQTT MTP (TR-369), for the IPE and for tools.

It listens on its own topic for the Records of any Agent, keeps a session per
Agent (topic, reachability, boot information, subscriptions), sends requests
and correlates responses by msg_id, answers Notify with NotifyResp when asked,
and reports what happens as events. Every operation is bounded by a timeout
and fails with a ``ControllerError`` that says what happened.

Typical use::

    controller = UspController("mqtt://127.0.0.1:1883", "self::ipe")
    await controller.start()
    events = controller.events()
    ... AgentOnline / AgentBooted arrive on ``events`` ...
    values = await controller.get(agent_id, ["Device.DeviceInfo."])
    await controller.set(agent_id, {"Device.IoTCapability.1.BinaryControl.Value": True})
    result = await controller.operate(agent_id, "Device.DeviceInfo.FirmwareImage.2.Download()",
                                      {"URL": "https://fw.example/light-2.0.bin"})
    await controller.stop()
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import secrets
import time
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ipe_sdt.usp import (
    Add,
    AddResp,
    Body,
    CommandFailure,
    Delete,
    DeleteResp,
    Disconnect,
    Error,
    ErrorCode,
    Event,
    Get,
    GetInstances,
    GetInstancesResp,
    GetResp,
    GetSupportedDM,
    GetSupportedDMResp,
    Message,
    MessageError,
    MqttConnect,
    NoSessionContext,
    Notify,
    NotifyResp,
    OnBoardRequest,
    Operate,
    OperateResp,
    OperationComplete,
    OperationFailure,
    OutputArgs,
    PathError,
    PathKind,
    Record,
    RecordError,
    RequestObject,
    Set,
    SetFailure,
    SetResp,
    SupportedObject,
    UspValue,
    encode_value,
    parse_path,
    request,
    response_to,
)
from ipe_sdt.usp.mtp import (
    BrokerAddress,
    InboundPublish,
    MqttConfig,
    MqttEndpoint,
    RetryPolicy,
    check_endpoint_id,
    controller_topic,
    is_usp_content,
)

from .agent_info import AgentInfo, BootInfo, OnboardInfo
from .agent_session import AgentSession
from .correlation import CompletionWaiters, PendingRequests
from .errors import (
    AgentUnreachable,
    ControllerError,
    ParamFailure,
    UnknownAgent,
    UspAgentError,
    UspProtocolError,
    UspTimeout,
)
from .events import (
    AgentBooted,
    AgentOffline,
    AgentOnboardRequested,
    AgentOnline,
    ControllerEvent,
    EventHub,
    EventStream,
    NotificationReceived,
)
from .results import AddResult, CommandResult, Subscription

log = logging.getLogger(__name__)

NOTIF_TYPES = frozenset({"ValueChange", "ObjectCreation", "ObjectDeletion", "OperationComplete", "Event"})
SUBSCRIPTION_TABLE = "Device.LocalAgent.Subscription."
_INSTANCE = re.compile(r"\.[1-9][0-9]*\.")

B = TypeVar("B", bound=Body)


@dataclass(frozen=True)
class ControllerSettings:
    request_timeout: float = 10.0  # one request/response exchange
    completion_timeout: float = 300.0  # waiting for an OperationComplete
    connect_timeout: float = 10.0  # start(): first connection to the broker
    qos: int = 1
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(1.0, 2000, 30.0))
    probe_timeout: float = 5.0  # per Agent, after the Controller reconnects
    probe_concurrency: int = 100


@dataclass
class ControllerStats:
    received: int = 0
    malformed: int = 0  # records or messages that could not be decoded
    misaddressed: int = 0  # records for another endpoint
    unmatched_responses: int = 0  # late, duplicate or foreign responses
    notifications: int = 0


def _wildcard(path: str) -> str:
    """``Device.X.2.Y()`` -> ``Device.X.*.Y()``: one subscription for every instance."""
    previous = None
    while previous != path:
        previous, path = path, _INSTANCE.sub(".*.", path)
    return path


class UspController:
    def __init__(
        self,
        broker: str | BrokerAddress,
        endpoint_id: str,
        *,
        topic: str | None = None,
        settings: ControllerSettings | None = None,
    ) -> None:
        self.endpoint_id = check_endpoint_id(endpoint_id)
        self.broker = broker if isinstance(broker, BrokerAddress) else BrokerAddress.parse(broker)
        self.topic = topic or controller_topic(endpoint_id)
        self.settings = settings or ControllerSettings()
        self.stats = ControllerStats()
        self._sessions: dict[str, AgentSession] = {}
        self._pending = PendingRequests()
        self._completions = CompletionWaiters()
        self._hub = EventHub()
        # Random per run: command keys and subscription IDs from an earlier
        # run of this Controller cannot be mistaken for this run's.
        self._token = secrets.token_hex(4)
        self._counter = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._ever_connected = False
        self._stopping = False
        self._endpoint = MqttEndpoint(
            MqttConfig(
                broker=self.broker,
                endpoint_id=self.endpoint_id,
                subscriptions=(self.topic,),
                reply_to=self.topic,
                qos=self.settings.qos,
                retry=self.settings.retry,
            ),
            self._on_publish,
            self._on_connection,
        )

    # --- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Connect to the broker (ControllerError if that fails within
        ``connect_timeout``); afterwards reconnects on its own."""
        await self._endpoint.start()
        if not await self._endpoint.wait_connected(self.settings.connect_timeout):
            await self._endpoint.stop()
            raise ControllerError(f"cannot connect to the MQTT broker at {self.broker}")

    async def stop(self) -> None:
        self._stopping = True
        await self._endpoint.stop()
        for task in list(self._tasks):
            task.cancel()
        gone = ControllerError("controller stopped")
        self._pending.fail_all(gone)
        self._completions.fail_all(gone)
        self._hub.close()

    async def __aenter__(self) -> UspController:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def connected(self) -> bool:
        """Whether the Controller currently has its broker connection."""
        return self._endpoint.connected

    # --- registry and events ------------------------------------------------------------

    def agents(self) -> list[AgentInfo]:
        return [s.snapshot() for s in self._sessions.values()]

    def agent(self, endpoint_id: str) -> AgentInfo:
        session = self._sessions.get(endpoint_id)
        if session is None:
            raise UnknownAgent(endpoint_id)
        return session.snapshot()

    def events(self, maxsize: int = 10_000) -> EventStream:
        """A new stream of every event from now on (close it when done)."""
        return self._hub.stream(maxsize)

    def _emit(self, event: ControllerEvent) -> None:
        self._hub.publish(event)

    def _session(self, endpoint_id: str) -> AgentSession:
        session = self._sessions.get(endpoint_id)
        if session is None:
            session = self._sessions[endpoint_id] = AgentSession(endpoint_id)
        return session

    def _mark_reachable(self, session: AgentSession, via: str) -> None:
        session.last_seen = time.time()
        if not session.reachable:
            session.reachable = True
            session.unreachable_reason = ""
            self._emit(AgentOnline(session.snapshot(), via))

    def _mark_unreachable(self, session: AgentSession, reason: str) -> None:
        if not session.reachable:
            return
        session.reachable = False
        session.unreachable_reason = reason
        self._pending.fail_agent(session.endpoint_id, AgentUnreachable(session.endpoint_id, reason))
        self._emit(AgentOffline(session.snapshot(), reason))

    # --- inbound ------------------------------------------------------------------------

    def _on_connection(self, connected: bool) -> None:
        if connected:
            if self._ever_connected:
                self._spawn(self._probe_lost_agents())
            self._ever_connected = True
            return
        reason = "controller stopped" if self._stopping else "controller lost its broker connection"
        for session in self._sessions.values():
            self._mark_unreachable(session, reason)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_publish(self, inbound: InboundPublish) -> None:
        self.stats.received += 1
        if not is_usp_content(inbound.content_type):
            self.stats.malformed += 1
            log.warning("dropped a message with content type %r on %s", inbound.content_type, inbound.topic)
            return
        try:
            record = Record.from_bytes(inbound.payload)
        except RecordError as exc:
            self.stats.malformed += 1
            log.warning("dropped a malformed USP record on %s: %s", inbound.topic, exc)
            return
        if record.to_id != self.endpoint_id:
            self.stats.misaddressed += 1
            log.info("dropped a record for %r from %r", record.to_id, record.from_id)
            return
        match record.body:
            case MqttConnect(subscribed_topic=topic):
                session = self._session(record.from_id)
                if topic and "+" not in topic and "#" not in topic:
                    session.topic = topic
                self._mark_reachable(session, "connect record")
            case Disconnect(reason=reason):
                known = self._sessions.get(record.from_id)
                if known is not None:
                    self._mark_unreachable(known, f"agent disconnected: {reason or 'no reason given'}")
            case NoSessionContext():
                self._on_message(record, inbound.response_topic)
            case _:
                log.info("ignored a %s record from %s", type(record.body).__name__, record.from_id)

    def _on_message(self, record: Record, reply_topic: str | None) -> None:
        try:
            message = record.message()
        except MessageError as exc:
            self.stats.malformed += 1
            log.warning("dropped an undecodable message from %s: %s", record.from_id, exc)
            return
        # Only a well-formed message makes an endpoint known to the Controller.
        session = self._session(record.from_id)
        if session.topic is None and reply_topic:
            session.topic = reply_topic
        self._mark_reachable(session, "message")
        if message.is_response or message.is_error:
            if not self._pending.resolve(message.msg_id, session.endpoint_id, message):
                self.stats.unmatched_responses += 1
                log.info("no request waits for response %s from %s", message.msg_id, session.endpoint_id)
            return
        if isinstance(message.body, Notify):
            self._on_notify(session, message, message.body, reply_topic)
            return
        # Agents send only Notify requests to a Controller.
        self._reply(session, reply_topic, response_to(message, Error(
            ErrorCode.MESSAGE_NOT_SUPPORTED, f"a Controller does not accept {type(message.body).__name__}")))

    def _on_notify(self, session: AgentSession, message: Message, notify: Notify, reply_topic: str | None) -> None:
        self.stats.notifications += 1
        note = notify.notification
        now = time.time()
        if isinstance(note, Event) and note.obj_path == "Device." and note.event_name == "Boot!":
            session.boot = BootInfo.from_event(note.params, now)
            if session.boot.factory_reset:
                session.forget_subscriptions()
            self._emit(AgentBooted(session.snapshot(), session.boot))
        elif isinstance(note, OnBoardRequest):
            session.onboard = OnboardInfo.from_notification(note, now)
            self._emit(AgentOnboardRequested(session.snapshot(), session.onboard))
        elif isinstance(note, OperationComplete):
            self._completions.resolve(session.endpoint_id, note)
        self._emit(NotificationReceived(session.endpoint_id, notify.subscription_id, note))
        if notify.send_resp:
            self._reply(session, reply_topic, response_to(message, NotifyResp(notify.subscription_id)))

    def _reply(self, session: AgentSession, reply_topic: str | None, message: Message) -> None:
        topic = reply_topic or session.topic
        if topic:
            record = Record.for_message(session.endpoint_id, self.endpoint_id, message)
            self._endpoint.publish(topic, record.to_bytes())

    async def _probe_lost_agents(self) -> None:
        """After a broker outage: ask each unreachable Agent for its EndpointID.

        Agents that reconnected before the Controller did announced themselves
        while nobody listened; they answer now and become reachable. Later
        ones announce themselves with an MQTTConnectRecord. Agents that said
        goodbye are asked too, because a broker that shuts down publishes the
        Wills of Agents that are in fact fine.
        """
        gate = asyncio.Semaphore(self.settings.probe_concurrency)

        async def probe(session: AgentSession) -> None:
            async with gate:
                if session.reachable:
                    return
                try:
                    await self._request(session.endpoint_id, Get(("Device.LocalAgent.EndpointID",)),
                                        self.settings.probe_timeout, probe=True)
                except ControllerError:
                    pass  # still away; it will announce itself when it returns

        await asyncio.gather(*(probe(s) for s in list(self._sessions.values()) if not s.reachable and s.topic))

    # --- requests -------------------------------------------------------------------------

    async def _request(self, agent: str, body: Body, timeout: float | None = None, *, probe: bool = False) -> Message:
        session = self._sessions.get(agent)
        if session is None:
            raise UnknownAgent(agent)
        if not self._endpoint.connected:
            raise AgentUnreachable(agent, "controller is not connected to the broker")
        if not session.reachable and not probe:
            raise AgentUnreachable(agent, session.unreachable_reason)
        if not session.topic:
            raise AgentUnreachable(agent, "the agent's topic is not known")
        timeout = self.settings.request_timeout if timeout is None else timeout
        message = request(body)
        future = self._pending.add(message.msg_id, agent)
        try:
            record = Record.for_message(agent, self.endpoint_id, message)
            if not self._endpoint.publish(session.topic, record.to_bytes()):
                raise AgentUnreachable(agent, "could not publish: controller is not connected to the broker")
            try:
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                raise UspTimeout(agent, f"{type(body).__name__} (msg_id {message.msg_id})", timeout) from None
        finally:
            self._pending.discard(message.msg_id)

    @staticmethod
    def _expect(agent: str, message: Message, body_type: type[B]) -> B:
        body = message.body
        if isinstance(body, body_type):
            return body
        if isinstance(body, Error):
            raise UspAgentError(agent, body.err_code, body.err_msg,
                                tuple(ParamFailure(e.param_path, e.err_code, e.err_msg) for e in body.param_errs))
        raise UspProtocolError(agent, f"expected {body_type.__name__}, got {type(body).__name__}")

    async def request(self, agent: str, body: Body, *, timeout: float | None = None) -> Message:
        """Send any request body and return the raw response Message (a USP
        Error is returned, not raised). For what the typed methods do not cover."""
        return await self._request(agent, body, timeout)

    # --- typed operations -------------------------------------------------------------------

    async def get_response(self, agent: str, paths: Sequence[str], *, max_depth: int = 0,
                           timeout: float | None = None) -> GetResp:
        """The Agent's GetResp, including per-path failures."""
        message = await self._request(agent, Get(tuple(paths), max_depth), timeout)
        return self._expect(agent, message, GetResp)

    async def get(self, agent: str, paths: Sequence[str], *, max_depth: int = 0,
                  timeout: float | None = None) -> dict[str, str]:
        """``{full parameter path: value}``; UspAgentError if any path failed."""
        resp = await self.get_response(agent, paths, max_depth=max_depth, timeout=timeout)
        failures = resp.failures()
        if failures:
            path, first = next(iter(failures.items()))
            raise UspAgentError(agent, first.err_code, f"{path}: {first.err_msg}",
                                tuple(ParamFailure(p, f.err_code, f.err_msg) for p, f in failures.items()))
        return resp.flat()

    async def get_instances(self, agent: str, obj_paths: Sequence[str], *, first_level_only: bool = False,
                            timeout: float | None = None) -> dict[str, dict[str, str]]:
        """``{instance path: unique keys}``."""
        message = await self._request(agent, GetInstances(tuple(obj_paths), first_level_only), timeout)
        resp = self._expect(agent, message, GetInstancesResp)
        failed = [r for r in resp.req_path_results if r.err_code]
        if failed:
            raise UspAgentError(agent, failed[0].err_code, f"{failed[0].requested_path}: {failed[0].err_msg}",
                                tuple(ParamFailure(r.requested_path, r.err_code, r.err_msg) for r in failed))
        return resp.instances()

    async def get_supported_dm(self, agent: str, obj_paths: Sequence[str], *, first_level_only: bool = False,
                               commands: bool = True, events: bool = True, params: bool = True,
                               unique_keys: bool = True, timeout: float | None = None) -> dict[str, SupportedObject]:
        """``{supported object path ("Device.X.{i}."): description}``."""
        body = GetSupportedDM(tuple(obj_paths), first_level_only, commands, events, params, unique_keys)
        resp = self._expect(agent, await self._request(agent, body, timeout), GetSupportedDMResp)
        failed = [r for r in resp.req_obj_results if r.err_code]
        if failed:
            raise UspAgentError(agent, failed[0].err_code, f"{failed[0].req_obj_path}: {failed[0].err_msg}",
                                tuple(ParamFailure(r.req_obj_path, r.err_code, r.err_msg) for r in failed))
        return resp.objects()

    async def set(self, agent: str, params: Mapping[str, UspValue], *, allow_partial: bool = False,
                  timeout: float | None = None) -> dict[str, str]:
        """Write parameters (full paths); returns ``{full path: value now set}``.

        Every parameter is required, so a value the Agent refuses fails the
        call with UspAgentError (``failures`` names each refused parameter).
        With ``allow_partial`` the other objects are still written before the
        error is raised.
        """
        try:
            body = Set.from_params(params, allow_partial=allow_partial)
        except PathError as exc:
            raise ValueError(str(exc)) from exc
        resp = self._expect(agent, await self._request(agent, body, timeout), SetResp)
        updated: dict[str, str] = {}
        failures: list[ParamFailure] = []
        first: SetFailure | None = None
        for result in resp.updated_obj_results:
            status = result.oper_status
            if isinstance(status, SetFailure):
                first = first or status
                refused = [
                    ParamFailure(f.affected_path + e.param, e.err_code, e.err_msg)
                    for f in status.updated_inst_failures
                    for e in f.param_errs
                ]
                failures.extend(refused or [ParamFailure(result.requested_path, status.err_code, status.err_msg)])
                continue
            for inst in status.updated_inst_results:
                updated.update({inst.affected_path + k: v for k, v in inst.updated_params.items()})
                failures.extend(ParamFailure(inst.affected_path + e.param, e.err_code, e.err_msg)
                                for e in inst.param_errs)
        if first is not None:
            raise UspAgentError(agent, first.err_code, first.err_msg, tuple(failures))
        return updated

    async def add(self, agent: str, table_path: str, params: Mapping[str, UspValue] | None = None, *,
                  timeout: float | None = None) -> AddResult:
        """Create one instance in ``table_path`` (e.g. ``Device.LocalAgent.Subscription.``)."""
        resp = self._expect(agent, await self._request(agent, Add.from_params(table_path, params), timeout), AddResp)
        if len(resp.created_obj_results) != 1:
            raise UspProtocolError(agent, f"AddResp has {len(resp.created_obj_results)} results for one object")
        status = resp.created_obj_results[0].oper_status
        if isinstance(status, OperationFailure):
            raise UspAgentError(agent, status.err_code, f"{table_path}: {status.err_msg}")
        return AddResult(status.instantiated_path, dict(status.unique_keys))

    async def delete(self, agent: str, obj_paths: Sequence[str], *, allow_partial: bool = False,
                     timeout: float | None = None) -> tuple[str, ...]:
        """Delete instances; returns the paths actually deleted (deleting what
        does not exist is not an error in TR-369)."""
        body = Delete(tuple(obj_paths), allow_partial)
        resp = self._expect(agent, await self._request(agent, body, timeout), DeleteResp)
        affected: list[str] = []
        failures: list[ParamFailure] = []
        for result in resp.deleted_obj_results:
            status = result.oper_status
            if isinstance(status, OperationFailure):
                failures.append(ParamFailure(result.requested_path, status.err_code, status.err_msg))
                continue
            affected.extend(status.affected_paths)
            failures.extend(ParamFailure(e.unaffected_path, e.err_code, e.err_msg) for e in status.unaffected_path_errs)
        if failures:
            raise UspAgentError(agent, failures[0].code, f"{failures[0].path}: {failures[0].message}", tuple(failures))
        return tuple(affected)

    # --- commands ----------------------------------------------------------------------------

    def new_command_key(self) -> str:
        return f"{self._token}-{next(self._counter)}"

    async def operate(
        self,
        agent: str,
        command: str,
        args: Mapping[str, UspValue] | None = None,
        *,
        command_key: str | None = None,
        wait_for_completion: bool = True,
        timeout: float | None = None,
        completion_timeout: float | None = None,
    ) -> CommandResult:
        """Run ``command`` (one concrete path such as ``Device.Reboot()``).

        Synchronous commands return their output arguments. An asynchronous
        command returns once its OperationComplete arrived
        (``wait_for_completion``; the Controller first makes sure it holds an
        OperationComplete subscription for the command), or at once with the
        Request object path. A CommandFailure, immediate or in the
        OperationComplete, raises UspAgentError.
        """
        try:
            path = parse_path(command, allow_wildcard=False, allow_schema=False)
        except PathError as exc:
            raise ValueError(str(exc)) from exc
        if path.kind is not PathKind.COMMAND:
            raise ValueError(f"{command!r} is not a command path")
        key = self.new_command_key() if command_key is None else command_key
        waiter = None
        if wait_for_completion:
            await self.ensure_subscription(agent, "OperationComplete", _wildcard(command), timeout=timeout)
            waiter = self._completions.expect(agent, command, key)
        try:
            inputs = {name: encode_value(value) for name, value in (args or {}).items()}
            message = await self._request(agent, Operate(command, inputs, key, True), timeout)
            resp = self._expect(agent, message, OperateResp)
            if len(resp.operation_results) != 1:
                raise UspProtocolError(agent, f"OperateResp has {len(resp.operation_results)} results for {command}")
            result = resp.operation_results[0]
            outcome = result.outcome
            if isinstance(outcome, CommandFailure):
                raise UspAgentError(agent, outcome.err_code, f"{command}: {outcome.err_msg}")
            if isinstance(outcome, OutputArgs):
                return CommandResult(result.executed_command or command, key, dict(outcome.output_args))
            assert isinstance(outcome, RequestObject)
            if waiter is None:
                return CommandResult(result.executed_command or command, key, {}, outcome.path, completed=False)
            complete = await self._await_completion(agent, command, waiter, completion_timeout)
            if isinstance(complete.outcome, CommandFailure):
                raise UspAgentError(agent, complete.outcome.err_code, f"{command}: {complete.outcome.err_msg}")
            return CommandResult(result.executed_command or command, key,
                                 dict(complete.outcome.output_args), outcome.path)
        finally:
            if waiter is not None:
                self._completions.discard(waiter)

    async def _await_completion(self, agent: str, command: str, waiter: asyncio.Future[OperationComplete],
                                timeout: float | None) -> OperationComplete:
        timeout = self.settings.completion_timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            session = self._sessions.get(agent)
            if session is not None and not session.reachable:
                # Truthful: we do not know the outcome because the Agent is gone.
                raise AgentUnreachable(agent, f"no OperationComplete for {command}: "
                                              f"{session.unreachable_reason}") from None
            raise UspTimeout(agent, f"OperationComplete of {command}", timeout) from None

    # --- subscriptions -------------------------------------------------------------------------

    def _subscription_prefix(self) -> str:
        return f"{self.endpoint_id}:"

    async def subscribe(self, agent: str, notif_type: str, reference_list: Iterable[str], *,
                        notif_retry: bool = False, persistent: bool = True,
                        timeout: float | None = None) -> Subscription:
        """Add a ``Device.LocalAgent.Subscription.{i}.`` whose Recipient is this
        Controller; its notifications arrive as NotificationReceived events."""
        if notif_type not in NOTIF_TYPES:
            raise ValueError(f"NotifType must be one of {', '.join(sorted(NOTIF_TYPES))}")
        refs = tuple(reference_list)
        if not refs:
            raise ValueError("reference_list is empty")
        for ref in refs:
            try:
                parse_path(ref)
            except PathError as exc:
                raise ValueError(str(exc)) from exc
        sub_id = f"{self._subscription_prefix()}{self._token}-{next(self._counter)}"
        added = await self.add(agent, SUBSCRIPTION_TABLE, {
            "Enable": True, "ID": sub_id, "NotifType": notif_type, "ReferenceList": ",".join(refs),
            "Persistent": persistent, "NotifRetry": notif_retry,
        }, timeout=timeout)
        session = self._sessions.get(agent)
        # Only persistent ones are remembered: the Agent forgets the others at reboot.
        if session is not None and persistent and len(refs) == 1:
            session.subscriptions[(notif_type, refs[0])] = sub_id
        return Subscription(agent, sub_id, added.path, notif_type, refs)

    async def unsubscribe(self, subscription: Subscription, *, timeout: float | None = None) -> None:
        await self.delete(subscription.agent, [subscription.path], timeout=timeout)
        session = self._sessions.get(subscription.agent)
        if session is not None:
            for key, sub_id in list(session.subscriptions.items()):
                if sub_id == subscription.subscription_id:
                    del session.subscriptions[key]

    async def ensure_subscription(self, agent: str, notif_type: str, reference: str, *,
                                  timeout: float | None = None) -> str:
        """ID of an enabled subscription of ours for (notif_type, reference),
        reusing one found on the Agent before adding a new one."""
        session = self._sessions.get(agent)
        if session is None:
            raise UnknownAgent(agent)
        key = (notif_type, reference)
        if key in session.subscriptions:
            return session.subscriptions[key]
        async with session.subscription_lock:
            if key in session.subscriptions:
                return session.subscriptions[key]
            if not session.subscriptions_loaded:
                await self._load_subscriptions(session, timeout)
                if key in session.subscriptions:
                    return session.subscriptions[key]
            sub = await self.subscribe(agent, notif_type, [reference], notif_retry=True, timeout=timeout)
            return sub.subscription_id

    async def _load_subscriptions(self, session: AgentSession, timeout: float | None) -> None:
        values = await self.get(session.endpoint_id, [SUBSCRIPTION_TABLE], timeout=timeout)
        rows: dict[str, dict[str, str]] = {}
        for full, value in values.items():
            obj, _, name = full.rpartition(".")
            rows.setdefault(obj, {})[name] = value
        prefix = self._subscription_prefix()
        for row in rows.values():
            sub_id = row.get("ID", "")
            refs = [r.strip() for r in row.get("ReferenceList", "").split(",") if r.strip()]
            if (sub_id.startswith(prefix) and row.get("Enable") == "true" and row.get("Persistent") == "true"
                    and len(refs) == 1):
                session.subscriptions.setdefault((row.get("NotifType", ""), refs[0]), sub_id)
        session.subscriptions_loaded = True
