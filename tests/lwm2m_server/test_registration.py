"""The registration interface: the real server against simulated devices and a raw CoAP client."""

from __future__ import annotations

import asyncio

import pytest
from aiocoap.numbers.codes import Code

from ipe_sdt.lwm2m.server import (
    DeviceDeregistered,
    DeviceExpired,
    DeviceRegistered,
    DeviceState,
    DeviceUpdated,
    Lwm2mServer,
    UnknownDevice,
)
from ipe_sdt.sim.lwm2m import State

from .lwm2m_harness import WAIT, RawClient, next_event

OBJECTS = b"</1/0>,</3/0>"


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
async def test_register_update_deregister(server, events, devices, version):
    device = await devices.start(f"dev-{version}", lwm2m_version=version, update_interval=0.3)
    registered = await next_event(events, DeviceRegistered)
    info = registered.device
    assert registered.previous is None
    assert info.endpoint == f"dev-{version}"
    assert info.lwm2m_version == version
    assert info.lifetime == 60
    assert info.binding == "U" and not info.queue_mode
    assert info.state is DeviceState.ONLINE
    assert info.instances(3) == (0,) and info.instances(3311) == (0,)
    assert 0 not in info.objects  # security is never announced
    assert info.address == ("127.0.0.1", device.radio.local_port)
    if version == "1.0":
        assert info.object_version(3) is None and info.content_formats == ()
    else:
        assert info.object_version(3) == "1.2" and 112 in info.content_formats

    updated = await next_event(events, DeviceUpdated)
    assert updated.device.registration_id == info.registration_id
    assert not updated.objects_changed
    assert server.device(info.endpoint).last_seen >= info.last_seen

    await device.stop()
    gone = await next_event(events, DeviceDeregistered)
    assert gone.device.endpoint == info.endpoint
    assert server.device(info.endpoint) is None
    with pytest.raises(UnknownDevice):
        await server.read(info.endpoint, "/3/0")


async def test_lifetime_expiry(server, events, devices):
    device = await devices.start("short-lived", lifetime=1, update_interval=30)
    await next_event(events, DeviceRegistered)
    # The device goes silent (no Update, no De-register): the server drops it after lt + grace.
    await device.power_cut()
    expired = await next_event(events, DeviceExpired)
    assert expired.device.endpoint == "short-lived"
    assert server.device("short-lived") is None


async def test_updates_keep_a_short_lifetime_alive(server, events, devices):
    await devices.start("kept-alive", lifetime=1)
    for _ in range(3):
        await next_event(events, DeviceUpdated)
    assert server.device("kept-alive") is not None


async def test_reboot_registers_again_as_the_same_endpoint(server, events, devices):
    device = await devices.start("rebooter")
    first = (await next_event(events, DeviceRegistered)).device
    await server.execute("rebooter", "/3/0/4")
    second = await next_event(events, DeviceRegistered)
    assert second.previous is not None and second.previous.registration_id == first.registration_id
    assert second.device.registration_id != first.registration_id
    await asyncio.wait_for(device.wait_registered(2), WAIT)
    # The server uses the new registration (and its new source port).
    assert server.device("rebooter").address[1] == device.radio.local_port
    assert (await server.read("rebooter", "/3/0/0")).value() == "OpenM2M Simulated Devices"


async def test_alternate_root_path(server, events, devices):
    await devices.start("rooted", root_path="/lwm2m")
    info = (await next_event(events, DeviceRegistered)).device
    assert info.root_path == "/lwm2m"
    assert info.instances(3342) == (0,)
    result = await server.read("rooted", "/3/0/1")
    assert result.value() == "SIM-LWM2M-1"
    created = await server.create("rooted", 3311, {5850: True})
    assert created == 1


async def test_update_with_changed_objects(server, events, devices):
    await devices.start("grower")
    await next_event(events, DeviceRegistered)
    await server.create("grower", 3342, {5750: "door contact"}, instance_id=7)
    updated = await next_event(events, DeviceUpdated, lambda e: e.objects_changed)
    assert updated.device.instances(3342) == (0, 7)


async def test_queue_mode_binding_per_version(server, events, devices):
    await devices.start("q10", lwm2m_version="1.0", queue_mode=True)
    await devices.start("q11", lwm2m_version="1.1", queue_mode=True)
    for _ in range(2):
        info = (await next_event(events, DeviceRegistered)).device
        assert info.queue_mode and info.binding == "U"
        assert info.state is DeviceState.AWAKE


@pytest.mark.parametrize(
    ("query", "payload", "code"),
    [
        ((), OBJECTS, Code.BAD_REQUEST),                                    # no ep
        (("ep=",), OBJECTS, Code.BAD_REQUEST),                              # empty ep
        (("ep=a", "ep=b"), OBJECTS, Code.BAD_REQUEST),                      # ep twice
        (("ep=x", "lt=0"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x", "lt=-5"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x", "lt=99999999999"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x", "lwm2m=one"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x", "lwm2m=2.0"), OBJECTS, Code.PRECONDITION_FAILED),         # a version we do not speak
        (("ep=x", "b=X"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x", "b=UU"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x", "b=Q"), OBJECTS, Code.BAD_REQUEST),
        (("ep=x",), b"", Code.BAD_REQUEST),                                 # no object list
        (("ep=x",), b"</1/0>,<3/0", Code.BAD_REQUEST),                      # broken link-format
        (("ep=x",), b"\xff\xfe", Code.BAD_REQUEST),                         # not UTF-8
        (("ep=x",), b'</>;rt="oma.lwm2m",</a>;rt="oma.lwm2m"', Code.BAD_REQUEST),  # two roots
        (("ep=\x01bad",), OBJECTS, Code.BAD_REQUEST),
    ],
)
async def test_malformed_registrations_get_4xx(server, events, query, payload, code):
    async with RawClient(server.port) as client:
        response = await client.send(Code.POST, ("rd",), query, payload, content_format=40)
    assert response.code == code, response.payload
    assert len(server) == 0


async def test_wrong_content_format_and_methods(server):
    async with RawClient(server.port) as client:
        wrong = await client.send(Code.POST, ("rd",), ("ep=x",), OBJECTS, content_format=50)
        assert wrong.code == Code.BAD_REQUEST
        assert (await client.send(Code.GET, ("rd",))).code == Code.METHOD_NOT_ALLOWED
        assert (await client.send(Code.GET, ("somewhere",))).code == Code.NOT_FOUND
        assert (await client.send(Code.POST, ("rd", "nope"))).code == Code.NOT_FOUND
        assert (await client.send(Code.DELETE, ("rd", "nope"))).code == Code.NOT_FOUND
        assert (await client.send(Code.PUT, ("rd", "nope"))).code == Code.METHOD_NOT_ALLOWED


async def test_raw_register_update_deregister(server, events):
    async with RawClient(server.port) as client:
        created = await client.send(Code.POST, ("rd",), ("ep=raw", "lt=30", "lwm2m=1.1", "b=U", "Q", "future=ignored"),
                                    b'</>;rt="oma.lwm2m";ct="110 112", </1/0>, </3/0>;ver=1.1, </5>', content_format=40)
        assert created.code == Code.CREATED
        location = tuple(created.opt.location_path)
        assert location[0] == "rd" and len(location) == 2
        info = (await next_event(events, DeviceRegistered)).device
        assert info.queue_mode and info.content_formats == (110, 112)
        assert info.objects[5].instances == () and info.object_version(3) == "1.1"

        bad = await client.send(Code.POST, location, ("lt=abc",))
        assert bad.code == Code.BAD_REQUEST
        changed = await client.send(Code.POST, location, ("lt=45",), b"</3/0>,</3311/0>", content_format=40)
        assert changed.code == Code.CHANGED
        updated = await next_event(events, DeviceUpdated)
        assert updated.device.lifetime == 45 and updated.objects_changed
        assert updated.device.instances(3311) == (0,)

        assert (await client.send(Code.DELETE, location)).code == Code.DELETED
        assert (await client.send(Code.DELETE, location)).code == Code.NOT_FOUND
    await next_event(events, DeviceDeregistered)


async def test_a_second_server_cannot_take_the_port(server):
    second = Lwm2mServer("127.0.0.1", server.port)
    with pytest.raises(OSError):
        await second.start()


async def test_event_callbacks_survive_a_failing_listener(server, devices):
    seen = []

    def broken(event):
        raise RuntimeError("listener bug")

    server.subscribe(broken)
    unsubscribe = server.subscribe(seen.append)
    await devices.start("listened")
    assert any(isinstance(e, DeviceRegistered) for e in seen)
    unsubscribe()


async def test_many_devices_register_in_one_process(server, devices):
    count = 120
    started = await asyncio.gather(*(devices.start(f"fleet-{i:03d}", wait=False) for i in range(count)))
    await asyncio.wait_for(asyncio.gather(*(d.wait_registered() for d in started)), 60)
    assert len(server) == count
    assert {d.endpoint for d in server.devices()} == {f"fleet-{i:03d}" for i in range(count)}
    # Each one answers on its own socket.
    answers = await asyncio.gather(*(server.read(f"fleet-{i:03d}", "/3/0/2") for i in range(0, count, 10)))
    assert len({a.value() for a in answers}) == len(answers)
    assert all(d.state is State.REGISTERED for d in started)
