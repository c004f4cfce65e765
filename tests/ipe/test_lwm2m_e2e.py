"""An LwM2M device managed through the oneM2M API: node, mgmtObjs and a light, both ways."""

from tests.ipe.conftest import eventually
from tests.notification_receiver import NotificationReceiver

NODE = "/cse-in/node-lamp-1"
LIGHT = "/cse-in/sdt-ipe/lamp-1-light-0"


def device_object_version(device, oid):
    """The version the simulated device announces for an object at registration."""
    definition = device.instance(oid, 0).definition
    return getattr(definition, "version", None)


async def shown(admin, path):
    async def check():
        reply = await admin.retrieve(path)
        return reply if reply.rsc == 2000 else None

    return await eventually(check)


async def test_registration_creates_node_mgmt_objects_and_light(admin, device):
    node = (await shown(admin, NODE)).pc
    assert node["ni"] == "lamp-1" and node["mgca"].startswith("coap://127.0.0.1:")
    assert "protocol:lwm2m" in node["lbl"] and "reachable:true" in node["lbl"]
    info = (await shown(admin, f"{NODE}/deviceInfo")).pc
    assert info["mgd"] == 1007 and info["ptl"] == ["lwm2m"]
    version = device_object_version(device, 3)
    expected_urn = "urn:oma:lwm2m:oma:3" + (f":{version}" if version not in (None, "1.0") else "")
    assert info["man"] and info["mod"] and info["obis"] == [expected_urn] and info["obps"] == ["/3/0"]
    assert (await shown(admin, f"{NODE}/memory")).pc["mmt"] > 0
    assert 0 <= (await shown(admin, f"{NODE}/battery")).pc["btl"] <= 100
    assert (await shown(admin, f"{NODE}/reboot")).pc["mgd"] == 1009
    firmware = (await shown(admin, f"{NODE}/firmware")).pc
    assert firmware["mgd"] == 1001 and firmware["obps"] == ["/5/0"]
    assert (await shown(admin, f"{NODE}/software-0")).pc["obps"] == ["/9/0"]
    light = (await shown(admin, LIGHT)).body["cod:devLt"]
    assert light["nodLk"] == node["ri"] and light["cnd"] == "org.onem2m.common.device.deviceLight"
    switch = (await shown(admin, f"{LIGHT}/binarySwitch")).body["cod:binSh"]
    assert switch["state"] is bool(device.instance(3311, 0).get(5850))
    assert (await shown(admin, f"{LIGHT}/binarySwitch/toggle")).rsc == 2000


async def test_switching_the_light_switches_the_device(admin, device):
    await shown(admin, f"{LIGHT}/binarySwitch")
    for state in (True, False, True):
        reply = await admin.update(f"{LIGHT}/binarySwitch", {"cod:binSh": {"state": state}})
        assert reply.rsc == 2004, reply
        # Acknowledged only after the device did it.
        assert bool(device.instance(3311, 0).get(5850)) is state
        assert (await admin.retrieve(f"{LIGHT}/binarySwitch")).body["cod:binSh"]["state"] is state


async def test_toggle_inverts_the_device_and_the_resource(admin, device):
    await shown(admin, f"{LIGHT}/binarySwitch/toggle")
    before = bool(device.instance(3311, 0).get(5850))
    assert (await admin.update(f"{LIGHT}/binarySwitch/toggle", {"cod:togge": {}})).rsc == 2004
    assert bool(device.instance(3311, 0).get(5850)) is (not before)
    assert (await admin.retrieve(f"{LIGHT}/binarySwitch")).body["cod:binSh"]["state"] is (not before)


async def test_device_side_change_arrives_as_a_notification(admin, device):
    receiver = await NotificationReceiver().start()
    try:
        await shown(admin, f"{LIGHT}/binarySwitch")
        sub = {"m2m:sub": {"rn": "watch", "nu": [receiver.url], "enc": {"net": [1]}}}
        assert (await admin.create(f"{LIGHT}/binarySwitch", 23, sub)).rsc == 2001
        target = not bool(device.instance(3311, 0).get(5850))
        device.instance(3311, 0).switch(target)  # someone presses the lamp's own button
        notes = await receiver.wait_notifications(1, timeout=15)
        assert notes[-1].sgn["nev"]["rep"]["cod:binSh"]["state"] is target
    finally:
        await receiver.stop()


async def test_unknown_switching_of_a_read_only_switch_is_refused(admin, device):
    path = "/cse-in/sdt-ipe/lamp-1-switch-0/binarySwitch"
    await shown(admin, path)
    reply = await admin.update(path, {"cod:binSh": {"state": True}})
    assert reply.rsc == 4127 and "cannot be switched" in reply.body["m2m:dbg"]
