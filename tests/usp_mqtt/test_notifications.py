"""Subscriptions through Device.LocalAgent.Subscription. and the Notify
messages they produce: ValueChange, ObjectCreation/ObjectDeletion, Event."""

from __future__ import annotations

import pytest

from ipe_sdt.usp import ObjectCreation, ObjectDeletion
from ipe_sdt.usp.controller import NotificationReceived

from .event_helpers import next_matching, onboard, value_change

LEVEL = "Device.IoTCapability.2.LevelControl.Value"


@pytest.fixture
async def agent(controller, fleet_factory) -> str:
    fleet = fleet_factory(1, controller)
    (agent_id,) = await onboard(controller, fleet)
    return agent_id


async def test_value_change_after_subscription(controller, agent):
    sub = await controller.subscribe(agent, "ValueChange", ["Device.IoTCapability.*.LevelControl.Value"])
    assert sub.path.startswith("Device.LocalAgent.Subscription.")
    row = await controller.get(agent, [sub.path])
    assert row[sub.path + "Recipient"] == "Device.LocalAgent.Controller.1"
    assert row[sub.path + "NotifType"] == "ValueChange" and row[sub.path + "Enable"] == "true"
    with controller.events() as stream:
        await controller.set(agent, {LEVEL: 55})
        event = await next_matching(stream, value_change(agent, LEVEL))
    assert event.subscription_id == sub.subscription_id
    assert event.notification.param_value == "55"


async def test_object_subscription_covers_its_parameters(controller, agent):
    await controller.subscribe(agent, "ValueChange", ["Device.IoTCapability.1."])
    path = "Device.IoTCapability.1.BinaryControl.Value"
    with controller.events() as stream:
        await controller.set(agent, {path: True})
        event = await next_matching(stream, value_change(agent, path))
    assert event.notification.param_value == "true"


async def test_unsubscribe_stops_notifications(controller, agent):
    sub = await controller.subscribe(agent, "ValueChange", [LEVEL])
    await controller.unsubscribe(sub)
    other = await controller.subscribe(agent, "ValueChange", ["Device.IoTCapability.1.BinaryControl.Value"])
    with controller.events() as stream:
        await controller.set(agent, {LEVEL: 5, "Device.IoTCapability.1.BinaryControl.Value": True})
        event = await next_matching(stream, lambda e: isinstance(e, NotificationReceived) and e.agent == agent)
    # Only the remaining subscription fires (events arrive in order).
    assert event.subscription_id == other.subscription_id


async def test_object_creation_and_deletion(controller, agent):
    await controller.subscribe(agent, "ObjectCreation", ["Device.LocalAgent.Subscription."])
    await controller.subscribe(agent, "ObjectDeletion", ["Device.LocalAgent.Subscription."])
    with controller.events() as stream:
        added = await controller.add(agent, "Device.LocalAgent.Subscription.", {"ID": "probe"})
        created = await next_matching(stream, lambda e: isinstance(e, NotificationReceived)
                                      and isinstance(e.notification, ObjectCreation))
        await controller.delete(agent, [added.path])
        deleted = await next_matching(stream, lambda e: isinstance(e, NotificationReceived)
                                      and isinstance(e.notification, ObjectDeletion))
    assert created.notification.obj_path == added.path
    assert created.notification.unique_keys["ID"] == "probe"
    assert deleted.notification.obj_path == added.path


async def test_subscribe_checks_its_arguments(controller, agent):
    with pytest.raises(ValueError):
        await controller.subscribe(agent, "Sometimes", ["Device."])
    with pytest.raises(ValueError):
        await controller.subscribe(agent, "ValueChange", [])
    with pytest.raises(ValueError):
        await controller.subscribe(agent, "ValueChange", ["Device..X"])


async def test_slow_event_consumer_loses_oldest_events_not_the_controller(controller, agent):
    await controller.subscribe(agent, "ValueChange", [LEVEL])
    with controller.events(maxsize=2) as small, controller.events() as big:
        for value in range(10, 15):
            await controller.set(agent, {LEVEL: value})
        await next_matching(big, lambda e: isinstance(e, NotificationReceived)
                            and getattr(e.notification, "param_value", None) == "14")
        assert small.dropped >= 3
        kept = [await small.get(1.0), await small.get(1.0)]
    assert [e.notification.param_value for e in kept] == ["13", "14"]
