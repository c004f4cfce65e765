"""One USP endpoint's MQTT 5 connection: connect, subscribe, publish Records,
receive them, and reconnect after the broker goes away.

Both the Controller and each simulated Agent own one ``MqttEndpoint``. It
knows the TR-369 MQTT binding (content type, Response Topic, the
``usp-endpoint-id`` User Property, CONNACK Response Information and
``subscribe-topic``) but nothing about USP messages: payloads are bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from .broker_address import BrokerAddress
from .retry_policy import RetryPolicy
from .socket_bridge import SocketBridge
from .usp_mqtt import (
    CONTENT_TYPE,
    ENDPOINT_ID_PROPERTY,
    SUBSCRIBE_TOPIC_PROPERTY,
    check_endpoint_id,
    is_publish_topic,
)

log = logging.getLogger(__name__)

# Time allowed for CONNACK and SUBACK once the TCP connection is up.
HANDSHAKE_TIMEOUT = 10.0
# Time a graceful stop waits for the DISCONNECT packet to leave.
STOP_TIMEOUT = 2.0


class MqttConnectError(Exception):
    """A connection attempt failed (refused, CONNACK error, nothing subscribed)."""


@dataclass(frozen=True)
class InboundPublish:
    """An application message as received; the payload is not interpreted here."""

    topic: str
    payload: bytes
    response_topic: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class WillMessage:
    """Published by the broker if the connection drops without DISCONNECT."""

    topic: str
    payload: bytes


@dataclass(frozen=True)
class MqttConfig:
    broker: BrokerAddress
    endpoint_id: str
    # Topic filters to subscribe to (R-MQTT.15, configured topics).
    subscriptions: tuple[str, ...]
    # Our "reply to" topic unless the broker assigns one (R-MQTT.21).
    reply_to: str
    # Empty means "let the MQTT 5 broker assign one" (R-MQTT.8); the assigned
    # identifier is then reused for later connections (R-MQTT.9, R-MQTT.11).
    client_id: str = ""
    qos: int = 1
    keepalive: int = 30
    connect_timeout: float = 5.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    will: WillMessage | None = None

    def __post_init__(self) -> None:
        check_endpoint_id(self.endpoint_id)
        if self.qos not in (0, 1):
            raise ValueError("USP over MQTT uses QoS 0 or 1")
        if not is_publish_topic(self.reply_to):
            raise ValueError(f"invalid reply-to topic {self.reply_to!r}")
        if not self.subscriptions:
            raise ValueError("an endpoint must subscribe to at least one topic (R-MQTT.16)")


MessageHandler = Callable[[InboundPublish], None]
ConnectionHandler = Callable[[bool], None]


class MqttEndpoint:
    """A long-lived MQTT 5 session with automatic reconnection.

    ``on_message`` and ``on_connection`` run on the event loop thread and
    must not block; exceptions they raise are logged, never propagated into
    the network code.
    """

    def __init__(
        self,
        config: MqttConfig,
        on_message: MessageHandler,
        on_connection: ConnectionHandler | None = None,
    ) -> None:
        self.config = config
        self._on_message = on_message
        self._on_connection = on_connection
        self._client_id = config.client_id
        self._reply_to = config.reply_to
        self._client: paho.Client | None = None
        self._bridge: SocketBridge | None = None
        self._connected = False
        self._connected_event = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._lost: asyncio.Future[None] | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        self._publish_props = self._make_publish_props()
        self.connections = 0  # successful connections so far (observability)

    # --- public ---------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def reply_to(self) -> str:
        return self._reply_to

    async def start(self) -> None:
        """Begin connecting in the background; reconnects until ``stop()``."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"mqtt:{self.config.endpoint_id}"
            )

    async def wait_connected(self, timeout: float) -> bool:
        """True once connected and subscribed; False if ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._connected_event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def publish(self, topic: str, payload: bytes) -> bool:
        """Queue a USP Record for ``topic``; False if not connected or refused."""
        client = self._client
        if not self._connected or client is None or not is_publish_topic(topic):
            return False
        info = client.publish(topic, payload, self.config.qos, properties=self._publish_props)
        return info.rc == paho.MQTT_ERR_SUCCESS

    async def stop(self) -> None:
        """Send DISCONNECT (no Will is published) and stop reconnecting."""
        self._stopping = True
        client, lost = self._client, self._lost
        if client is not None and self._connected and lost is not None:
            client.disconnect()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(lost), STOP_TIMEOUT)
        self._drop_connection()
        await self._cancel_task()

    async def abort(self) -> None:
        """Close the socket without DISCONNECT, as a crash would: the broker
        then publishes the Will. Reconnection stops too."""
        self._stopping = True
        self._drop_connection()
        await self._cancel_task()

    def drop(self) -> None:
        """Close the socket without DISCONNECT but keep reconnecting (a network blip)."""
        client = self._client
        sock = client.socket() if client is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # --- connection loop ------------------------------------------------------

    async def _cancel_task(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            if attempt:
                await asyncio.sleep(self.config.retry.delay(attempt))
                if self._stopping:
                    break
            try:
                lost = await self._connect_once()
            except (OSError, MqttConnectError, TimeoutError) as exc:
                attempt += 1
                log.info("%s: MQTT connect to %s failed: %s", self.config.endpoint_id,
                         self.config.broker, exc)
                self._drop_connection()
                continue
            attempt = 1  # after a loss, wait one retry interval (R-MQTT.33)
            self.connections += 1
            self._set_connected(True)
            try:
                await lost
            finally:
                self._set_connected(False)
                self._drop_connection()
            if not self._stopping:
                log.info("%s: MQTT connection to %s lost; reconnecting", self.config.endpoint_id, self.config.broker)

    async def _connect_once(self) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        cfg = self.config
        connack: asyncio.Future[tuple[ReasonCode, Properties | None]] = loop.create_future()
        suback: asyncio.Future[list[ReasonCode]] = loop.create_future()
        lost: asyncio.Future[None] = loop.create_future()

        def done(fut: asyncio.Future, value: object = None, exc: BaseException | None = None) -> None:
            if not fut.done():
                fut.set_exception(exc) if exc else fut.set_result(value)

        client = paho.Client(
            paho.CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=paho.MQTTv5,
            reconnect_on_failure=False,
        )
        # Our callbacks catch their own exceptions; paho's own logger stays off
        # because it reports an ordinary broker shutdown as an ERROR.
        # The broker announces its own Receive Maximum; beyond that paho queues.
        client.max_inflight_messages_set(65535)
        client.max_queued_messages_set(0)
        client.on_connect = lambda c, u, f, rc, props: done(connack, (rc, props))
        client.on_subscribe = lambda c, u, mid, codes, props: done(suback, list(codes))

        def on_disconnect(c: paho.Client, u: object, flags: object, rc: ReasonCode, props: object) -> None:
            err = MqttConnectError(f"disconnected: {rc}")
            done(connack, exc=err)
            done(suback, exc=err)
            done(lost)

        client.on_disconnect = on_disconnect
        client.on_message = self._deliver
        if cfg.will is not None:
            will_props = Properties(PacketTypes.WILLMESSAGE)
            will_props.ContentType = CONTENT_TYPE
            will_props.ResponseTopic = self._reply_to
            client.will_set(cfg.will.topic, cfg.will.payload, cfg.qos, False, will_props)
        self._client = client
        self._lost = lost
        self._bridge = SocketBridge(loop, client)
        connect_props = Properties(PacketTypes.CONNECT)
        connect_props.UserProperty = [(ENDPOINT_ID_PROPERTY, cfg.endpoint_id)]
        connect_props.RequestResponseInformation = 1  # R-MQTT.12
        client.connect_timeout = cfg.connect_timeout
        connect = functools.partial(
            client.connect,
            cfg.broker.host,
            cfg.broker.port,
            cfg.keepalive,
            clean_start=True,
            properties=connect_props,
        )
        await loop.run_in_executor(None, connect)
        rc, props = await asyncio.wait_for(connack, HANDSHAKE_TIMEOUT)
        if rc.is_failure:
            raise MqttConnectError(f"CONNACK refused: {rc}")
        topics = self._topics_after_connack(props)
        result, _ = client.subscribe(
            [(topic, SubscribeOptions(qos=cfg.qos, noLocal=True)) for topic in topics]
        )
        if result != paho.MQTT_ERR_SUCCESS:
            raise MqttConnectError(f"SUBSCRIBE not sent: {paho.error_string(result)}")
        codes = await asyncio.wait_for(suback, HANDSHAKE_TIMEOUT)
        granted = [t for t, code in zip(topics, codes, strict=False) if not code.is_failure]
        if not granted:
            # R-MQTT.17: without a subscription nothing may be published.
            raise MqttConnectError(f"broker refused every subscription: {codes}")
        self._keepalive_task = loop.create_task(self._keepalive(client, lost))
        return lost

    def _topics_after_connack(self, props: Properties | None) -> list[str]:
        topics = list(self.config.subscriptions)
        if props is not None:
            assigned = getattr(props, "AssignedClientIdentifier", None)
            if assigned:
                self._client_id = assigned  # R-MQTT.9: keep it for reconnects
            for name, value in getattr(props, "UserProperty", None) or []:
                if name == SUBSCRIBE_TOPIC_PROPERTY and value not in topics:
                    topics.append(value)
            info = getattr(props, "ResponseInformation", None)
            if info and is_publish_topic(info):
                self._reply_to = info  # R-MQTT.21
                self._publish_props = self._make_publish_props()
        if not any(paho.topic_matches_sub(t, self._reply_to) for t in topics):
            topics.append(self._reply_to)  # R-MQTT.15, last bullets
        return topics

    async def _keepalive(self, client: paho.Client, lost: asyncio.Future[None]) -> None:
        # paho sends PINGREQ and detects a silent broker only from loop_misc().
        while not lost.done():
            await asyncio.sleep(1.0)
            if self._client is not client:
                return
            client.loop_misc()

    def _make_publish_props(self) -> Properties:
        props = Properties(PacketTypes.PUBLISH)
        props.ContentType = CONTENT_TYPE  # R-MQTT.27
        props.ResponseTopic = self._reply_to  # R-MQTT.22/23
        return props

    def _drop_connection(self) -> None:
        client, bridge = self._client, self._bridge
        self._client = self._bridge = None
        if self._keepalive_task is not None:
            self._keepalive_task.cancel()
            self._keepalive_task = None
        if bridge is not None:
            bridge.detach()
        if client is not None:
            sock = client.socket()
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        if connected:
            self._connected_event.set()
        else:
            self._connected_event.clear()
        if self._on_connection is not None:
            try:
                self._on_connection(connected)
            except Exception:
                log.exception("%s: connection handler failed", self.config.endpoint_id)

    def _deliver(self, client: paho.Client, userdata: object, msg: paho.MQTTMessage) -> None:
        props = getattr(msg, "properties", None)
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            log.warning("%s: dropped a message with a non-UTF-8 topic", self.config.endpoint_id)
            return
        inbound = InboundPublish(
            topic=topic,
            payload=bytes(msg.payload),
            response_topic=getattr(props, "ResponseTopic", None),
            content_type=getattr(props, "ContentType", None),
        )
        try:
            self._on_message(inbound)
        except Exception:
            log.exception("%s: message handler failed", self.config.endpoint_id)
