"""A bare MQTT endpoint for the fault tests: it can pose as an Agent that
never answers, or publish arbitrary bytes where USP records are expected."""

from __future__ import annotations

import asyncio

from ipe_sdt.sim.usp.local_broker import LocalMosquitto
from ipe_sdt.usp import Disconnect, MqttConnect, Record
from ipe_sdt.usp.mtp import InboundPublish, MqttConfig, MqttEndpoint, WillMessage, agent_topic

from .conftest import FAST_RETRY


class RawEndpoint:
    def __init__(self, broker: LocalMosquitto, endpoint_id: str, controller_id: str, controller_topic: str) -> None:
        self.endpoint_id = endpoint_id
        self.topic = agent_topic(endpoint_id)
        self.controller_id = controller_id
        self.controller_topic = controller_topic
        self.received: asyncio.Queue[InboundPublish] = asyncio.Queue()
        will = Record(controller_id, endpoint_id, Disconnect("MQTT connection lost", 0)).to_bytes()
        self.mqtt = MqttEndpoint(
            MqttConfig(broker.address, endpoint_id, (self.topic,), self.topic, retry=FAST_RETRY,
                       will=WillMessage(controller_topic, will)),
            self.received.put_nowait,
        )

    async def start(self) -> None:
        await self.mqtt.start()
        assert await self.mqtt.wait_connected(10.0)

    def announce(self) -> None:
        """Send an MQTTConnectRecord, as an Agent does after connecting."""
        record = Record(self.controller_id, self.endpoint_id, MqttConnect(self.topic))
        assert self.mqtt.publish(self.controller_topic, record.to_bytes())

    def send_raw(self, topic: str, payload: bytes) -> None:
        assert self.mqtt.publish(topic, payload)

    async def stop(self) -> None:
        await self.mqtt.stop()
