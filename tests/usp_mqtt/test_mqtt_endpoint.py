"""The MQTT endpoint against the real broker: what a PUBLISH carries, the
Will on a crash, reconnection after a dropped connection."""

from __future__ import annotations

import asyncio

from ipe_sdt.usp.mtp import InboundPublish, MqttConfig, MqttEndpoint, WillMessage

from .conftest import FAST_RETRY


def endpoint(mosquitto, name: str, queue: asyncio.Queue[InboundPublish], will: WillMessage | None = None):
    topic = f"usp/test/{name}"
    config = MqttConfig(mosquitto.address, f"self::{name}", (topic,), topic, retry=FAST_RETRY, will=will)
    return MqttEndpoint(config, queue.put_nowait), topic


async def test_publish_carries_usp_content_type_and_reply_to(mosquitto, test_tag):
    inbox: asyncio.Queue[InboundPublish] = asyncio.Queue()
    receiver, receiver_topic = endpoint(mosquitto, f"rx-{test_tag}", inbox)
    sender, sender_topic = endpoint(mosquitto, f"tx-{test_tag}", asyncio.Queue())
    await receiver.start()
    await sender.start()
    try:
        assert await receiver.wait_connected(10) and await sender.wait_connected(10)
        assert sender.publish(receiver_topic, b"\x01\x02")
        got = await asyncio.wait_for(inbox.get(), 10)
        assert got == InboundPublish(receiver_topic, b"\x01\x02", sender_topic, "usp.msg")
        assert not sender.publish("usp/test/+", b"x")  # no wildcards in a topic name
    finally:
        await sender.stop()
        await receiver.stop()
    assert not sender.publish(receiver_topic, b"after stop")


async def test_will_is_published_on_crash_not_on_stop(mosquitto, test_tag):
    inbox: asyncio.Queue[InboundPublish] = asyncio.Queue()
    watcher, watch_topic = endpoint(mosquitto, f"watch-{test_tag}", inbox)
    await watcher.start()
    assert await watcher.wait_connected(10)
    try:
        polite, _ = endpoint(mosquitto, f"polite-{test_tag}", asyncio.Queue(), WillMessage(watch_topic, b"polite"))
        crashing, crash_topic = endpoint(mosquitto, f"crash-{test_tag}", asyncio.Queue(),
                                         WillMessage(watch_topic, b"crashed"))
        for e in (polite, crashing):
            await e.start()
            assert await e.wait_connected(10)
        await polite.stop()
        await crashing.abort()
        will = await asyncio.wait_for(inbox.get(), 10)
        assert will.payload == b"crashed"
        assert will.response_topic == crash_topic and will.content_type == "usp.msg"
        assert inbox.empty()
    finally:
        await watcher.stop()


async def test_dropped_connection_reconnects(mosquitto, test_tag):
    changes: list[bool] = []
    topic = f"usp/test/blip-{test_tag}"
    config = MqttConfig(mosquitto.address, f"self::blip-{test_tag}", (topic,), topic, retry=FAST_RETRY)
    blip = MqttEndpoint(config, lambda m: None, changes.append)
    await blip.start()
    try:
        assert await blip.wait_connected(10)
        blip.drop()
        for _ in range(200):  # bounded: until the endpoint noticed and came back
            if changes[-2:] == [False, True]:
                break
            await asyncio.sleep(0.05)
        assert changes == [True, False, True]
        assert blip.connections == 2 and blip.connected
    finally:
        await blip.stop()
    assert changes[-1] is False
