"""Device management operations of the real server on simulated devices, in several formats."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from ipe_sdt.lwm2m import Attributes, CodecError, ContentFormat
from ipe_sdt.lwm2m.server import DeviceError, NotificationReceived, ObservationEnded
from ipe_sdt.sim.lwm2m import make_package

from .lwm2m_harness import WAIT, next_event

FORMATS = [ContentFormat.TLV, ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_JSON]


@pytest.fixture
async def device(devices):
    return await devices.start("ops")


@pytest.mark.parametrize("cf", FORMATS)
async def test_read_in_each_format(server, device, cf):
    result = await server.read("ops", "/3/0", content_format=cf)
    assert result.content_format == cf
    assert result.values[(3, 0, 0)] == "OpenM2M Simulated Devices"
    assert result.values[(3, 0, 6, 1)] == 5
    assert isinstance(result.values[(3, 0, 13)], datetime)
    whole = await server.read("ops", "/3311", content_format=cf)
    assert whole.values[(3311, 0, 5850)] is False


async def test_read_single_values_and_default_formats(server, devices):
    await devices.start("v10", lwm2m_version="1.0")
    await devices.start("v12", lwm2m_version="1.2")
    text = await server.read("v10", "/3/0/1")
    assert text.content_format == ContentFormat.TEXT and text.value() == "SIM-LWM2M-1"
    assert (await server.read("v10", "/3/0")).content_format == ContentFormat.TLV
    # Whatever the device chooses to answer with is accepted.
    assert (await server.read("v12", "/3/0")).content_format == ContentFormat.SENML_CBOR
    assert (await server.read("v12", "/3/0/6/1")).value() == 5
    with pytest.raises(DeviceError) as refused:
        await server.read("v10", "/3/0", content_format=ContentFormat.SENML_JSON)
    assert refused.value.code == "4.06"
    with pytest.raises(DeviceError) as text_for_many:
        await server.read("v12", "/3/0", content_format=ContentFormat.TEXT)
    assert text_for_many.value.code == "4.06"


async def test_unknown_objects_and_resources(server, device):
    for path in ("/1234/0", "/3311/9", "/3/0/999"):
        with pytest.raises(DeviceError) as missing:
            await server.read("ops", path)
        assert missing.value.code == "4.04"
    with pytest.raises(DeviceError) as security:
        await server.read("ops", "/0/1")
    assert security.value.code == "4.04"
    with pytest.raises(DeviceError) as write_only:
        await server.read("ops", "/5/0/0")
    assert write_only.value.code == "4.05"


@pytest.mark.parametrize("cf", FORMATS)
async def test_write_replace_and_partial_in_each_format(server, device, cf):
    await server.write("ops", "/3311/0", {(3311, 0, 5850): True, (3311, 0, 5851): 40}, partial=True, content_format=cf)
    values = (await server.read("ops", "/3311/0")).values
    assert values[(3311, 0, 5850)] is True and values[(3311, 0, 5851)] == 40
    await server.write("ops", "/3311/0", {(3311, 0, 5706): "blue"}, content_format=cf)
    assert (await server.read("ops", "/3311/0/5706")).value() == "blue"


async def test_write_single_values_default_formats(server, device):
    await server.write("ops", "/3311/0/5851", 75)
    assert (await server.read("ops", "/3311/0/5851")).value() == 75
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    await server.write("ops", "/3/0/13", when)
    assert (await server.read("ops", "/3/0/13")).value() >= when
    # Several values without a format: the one the device's announcements suggest.
    await server.write("ops", "/3311/0", {(3311, 0, 5850): True, (3311, 0, 5851): 10}, partial=True)
    assert (await server.read("ops", "/3311/0/5851")).value() == 10


async def test_multiple_resource_replace_and_add(server, device):
    iid = await server.create("ops", 11, {0: "internet", 4: 3})
    await server.write("ops", f"/11/{iid}/8", {(11, iid, 8, 0): "262-01", (11, iid, 8, 1): "262-02"})
    await server.write("ops", f"/11/{iid}/8", {(11, iid, 8, 5): "262-03"}, partial=True)
    values = (await server.read("ops", f"/11/{iid}/8")).values
    assert values == {(11, iid, 8, 0): "262-01", (11, iid, 8, 1): "262-02", (11, iid, 8, 5): "262-03"}
    await server.write("ops", f"/11/{iid}/8", {(11, iid, 8, 9): "001-01"})
    assert (await server.read("ops", f"/11/{iid}/8")).values == {(11, iid, 8, 9): "001-01"}


async def test_writes_the_device_refuses(server, devices, device):
    with pytest.raises(DeviceError) as read_only:
        await server.write("ops", "/3/0/0", "someone else")
    assert read_only.value.code == "4.05"
    with pytest.raises(DeviceError) as bad_value:
        await server.write("ops", "/3311/0/5851", 250)
    assert bad_value.value.code == "4.00"
    with pytest.raises(DeviceError) as missing:
        await server.write("ops", "/3311/4/5850", True)
    assert missing.value.code == "4.04"
    await devices.start("old", lwm2m_version="1.0")
    with pytest.raises(DeviceError) as unsupported:
        await server.write("old", "/3311/0", {(3311, 0, 5850): True}, content_format=ContentFormat.SENML_CBOR)
    assert unsupported.value.code == "4.15"
    with pytest.raises(CodecError):
        await server.write("ops", "/3311/0/5850", "not a boolean")


async def test_execute_with_arguments(server, device):
    package = make_package("software", "app", "1.0")
    await server.write("ops", "/9/0/2", package)
    await server.execute("ops", "/9/0/4")
    await server.execute("ops", "/9/0/6", {0: "1"})
    with pytest.raises(DeviceError) as not_executable:
        await server.execute("ops", "/3/0/0")
    assert not_executable.value.code == "4.05"
    with pytest.raises(CodecError):
        await server.execute("ops", "/3/0/12", {0: "has space"})
    await server.execute("ops", "/3/0/12", "0='x',1")


async def test_create_and_delete_instances(server, devices):
    await devices.start("maker", lwm2m_version="1.0")
    created = await server.create("maker", 3311, {5850: True, 5706: "red"})
    assert created == 1
    assert (await server.read("maker", "/3311/1/5706")).value() == "red"
    explicit = await server.create("maker", 3342, {5750: "window"}, instance_id=12)
    assert explicit == 12
    await devices.start("maker12", lwm2m_version="1.2")
    senml = await server.create("maker12", 3311, {5850: False})
    assert senml == 1
    await server.delete("maker", "/3311/1")
    with pytest.raises(DeviceError) as gone:
        await server.read("maker", "/3311/1")
    assert gone.value.code == "4.04"
    with pytest.raises(DeviceError) as mandatory:
        await server.delete("maker", "/3/0")
    assert mandatory.value.code == "4.05"
    with pytest.raises(DeviceError) as exists:
        await server.create("maker", 3342, {}, instance_id=12)
    assert exists.value.code == "4.00"
    with pytest.raises(DeviceError) as single:
        await server.create("maker", 5, {1: ""})
    assert single.value.code == "4.00"


async def test_discover_and_write_attributes(server, device):
    await server.write_attributes("ops", "/3311/0", Attributes(pmin=5, pmax=60))
    await server.write_attributes("ops", "/3311/0/5851", Attributes(gt=80.0, lt=20.0, st=5.0))
    links = {link.path: link for link in await server.discover("ops", "/3311")}
    assert links[(3311,)].attributes.ver is None
    assert links[(3311, 0)].attributes.pmin == 5 and links[(3311, 0)].attributes.pmax == 60
    assert links[(3311, 0, 5851)].attributes.gt == 80.0 and links[(3311, 0, 5851)].attributes.st == 5.0
    device_links = {link.path: link for link in await server.discover("ops", "/3")}
    assert device_links[(3,)].attributes.ver == "1.2"
    assert device_links[(3, 0, 6)].attributes.dim == 2
    assert (3, 0, 4) in device_links  # executables are listed too
    one = await server.discover("ops", "/3/0/9")
    assert [link.path for link in one] == [(3, 0, 9)]

    await server.write_attributes("ops", "/3311/0", unset=["pmax"])
    links = {link.path: link for link in await server.discover("ops", "/3311/0")}
    assert links[(3311, 0)].attributes.pmax is None and links[(3311, 0)].attributes.pmin == 5
    with pytest.raises(DeviceError) as inconsistent:
        await server.write_attributes("ops", "/3311/0/5851", Attributes(gt=10.0, lt=50.0))
    assert inconsistent.value.code == "4.00"
    with pytest.raises(CodecError):
        await server.write_attributes("ops", "/3311/0", Attributes(dim=3))


async def test_observe_notify_and_cancel(server, events, device):
    observation = await server.observe("ops", "/3311/0/5850")
    assert observation.initial.value() is False
    await server.write("ops", "/3311/0/5850", True)
    note = await next_event(events, NotificationReceived)
    assert note.observation_id == observation.id and note.values == {(3311, 0, 5850): True}
    assert [o.id for o in server.observations("ops")] == [observation.id]

    assert await server.cancel_observe("ops", "/3311/0/5850") == 1
    ended = await next_event(events, ObservationEnded)
    assert ended.observation_id == observation.id and "cancelled" in ended.reason
    assert not observation.active
    # The device acted on the cancellation: nothing is observed there any more.
    assert device.observers.active == []
    assert server.observations("ops") == []


@pytest.mark.parametrize("cf", [ContentFormat.SENML_CBOR, ContentFormat.TLV, ContentFormat.SENML_JSON])
async def test_observe_instance_in_a_format(server, events, device, cf):
    observation = await server.observe("ops", "/3342/0", content_format=cf)
    assert observation.initial.content_format == cf
    device.instance(3342).press(True)
    note = await next_event(events, NotificationReceived, lambda n: n.values.get((3342, 0, 5500)) is True)
    assert note.content_format == cf
    assert note.values[(3342, 0, 5501)] == 1


async def test_thresholds_gate_notifications(server, events, device):
    await server.write_attributes("ops", "/3311/0/5851", Attributes(gt=50.0))
    await server.observe("ops", "/3311/0/5851")
    await server.write("ops", "/3311/0/5851", 90)   # 100 -> 90: stays above 50, no notification
    await server.write("ops", "/3311/0/5851", 30)   # crosses 50
    note = await next_event(events, NotificationReceived)
    assert note.values == {(3311, 0, 5851): 30}


async def test_pmax_notifies_without_changes(server, events, device):
    await server.write_attributes("ops", "/3/0/9", Attributes(pmax=1))
    observation = await server.observe("ops", "/3/0/9")
    note = await next_event(events, NotificationReceived)
    assert note.observation_id == observation.id and note.values == {(3, 0, 9): 100}


async def test_observation_ends_when_the_instance_goes(server, events, device):
    iid = await server.create("ops", 3311, {5850: True})
    observation = await server.observe("ops", f"/3311/{iid}/5850")
    await server.delete("ops", f"/3311/{iid}")
    ended = await next_event(events, ObservationEnded)
    assert ended.observation_id == observation.id and "4.04" in ended.reason


async def test_block_wise_both_ways(server, device):
    colour = "c" * 3000
    await server.write("ops", "/3311/0/5706", colour)
    assert (await server.read("ops", "/3311/0/5706")).value() == colour
    package = make_package("firmware", "fw", "9.9.9", bytes(range(256)) * 200)
    await server.write("ops", "/5/0/0", package)
    state = await server.read("ops", "/5/0")
    assert state.values[(5, 0, 3)] == 2 and state.values[(5, 0, 7)] == "9.9.9"


async def test_observations_end_when_the_device_registers_again(server, events, device):
    observation = await server.observe("ops", "/3311/0/5850")
    await server.execute("ops", "/3/0/4")
    ended = await next_event(events, ObservationEnded)
    assert ended.observation_id == observation.id and "registered again" in ended.reason
    await asyncio.wait_for(device.wait_registered(2), WAIT)
