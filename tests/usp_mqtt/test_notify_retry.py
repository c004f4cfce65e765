"""NotifRetry: an Agent re-sends a Notify until the Controller acknowledges
it with a NotifyResp, and gives up after a bounded number of tries."""

from __future__ import annotations

import asyncio

from ipe_sdt.sim.usp import AgentFleet, fleet_identities
from ipe_sdt.usp import Event, Message, NoSessionContext, Notify, NotifyResp, Record, response_to
from ipe_sdt.usp.mtp import InboundPublish, MqttConfig, MqttEndpoint, controller_topic

from .conftest import FAST_RETRY, FAST_TIMINGS


async def _silent_controller(mosquitto, controller_id: str) -> tuple[MqttEndpoint, asyncio.Queue[InboundPublish]]:
    inbox: asyncio.Queue[InboundPublish] = asyncio.Queue()
    topic = controller_topic(controller_id)
    endpoint = MqttEndpoint(MqttConfig(mosquitto.address, controller_id, (topic,), topic, retry=FAST_RETRY),
                            inbox.put_nowait)
    await endpoint.start()
    assert await endpoint.wait_connected(10)
    return endpoint, inbox


async def _boot_notifies(inbox: asyncio.Queue[InboundPublish], count: int) -> list[tuple[str, Notify, str]]:
    found = []
    while len(found) < count:
        inbound = await asyncio.wait_for(inbox.get(), 15)
        record = Record.from_bytes(inbound.payload)
        if not isinstance(record.body, NoSessionContext):
            continue  # the MQTTConnectRecord
        message = record.message()
        body = message.body
        if isinstance(body, Notify) and isinstance(body.notification, Event) \
                and body.notification.event_name == "Boot!":
            found.append((message.msg_id, body, inbound.response_topic))
    return found


async def test_unacknowledged_boot_is_retried_then_given_up(mosquitto, test_tag):
    controller_id = f"self::silent-{test_tag}"
    silent, inbox = await _silent_controller(mosquitto, controller_id)
    fleet = AgentFleet(mosquitto.address, fleet_identities(1, controller_id, serial_prefix=test_tag), FAST_TIMINGS)
    try:
        await fleet.start()
        tries = await _boot_notifies(inbox, FAST_TIMINGS.notify_retry_attempts)
        assert len({msg_id for msg_id, _, _ in tries}) == 1  # the same Notify, re-sent
        assert all(notify.send_resp for _, notify, _ in tries)
        agent = fleet.agents[0]
        for _ in range(100):  # bounded: until the retry budget is used up
            if agent.notifier.pending_count == 0:
                break
            await asyncio.sleep(0.05)
        assert agent.notifier.pending_count == 0
    finally:
        await fleet.stop()
        await silent.stop()


async def test_acknowledged_boot_is_not_retried(mosquitto, test_tag):
    controller_id = f"self::acking-{test_tag}"
    ctl, inbox = await _silent_controller(mosquitto, controller_id)
    fleet = AgentFleet(mosquitto.address, fleet_identities(1, controller_id, serial_prefix=test_tag), FAST_TIMINGS)
    try:
        await fleet.start()
        ((msg_id, notify, reply_to),) = await _boot_notifies(inbox, 1)
        agent = fleet.agents[0]
        # A NotifyResp naming another subscription is no acknowledgement (R-NOT.16).
        wrong = Message(msg_id, NotifyResp("not-it"))
        ctl.publish(reply_to, Record.for_message(agent.endpoint_id, controller_id, wrong).to_bytes())
        right = response_to(Message(msg_id, notify), NotifyResp(notify.subscription_id))
        ctl.publish(reply_to, Record.for_message(agent.endpoint_id, controller_id, right).to_bytes())
        for _ in range(100):
            if agent.notifier.pending_count == 0:
                break
            await asyncio.sleep(0.05)
        assert agent.notifier.pending_count == 0
    finally:
        await fleet.stop()
        await ctl.stop()
