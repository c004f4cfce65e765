"""One LwM2M device and one USP Agent behind the same IPE, in one oneM2M group: one fanOutPoint
Update reaches both, every member's status is reported, and nothing but the protocol
identification (objectIDs/objectPaths, the deviceInfo protocol, the node's labels and
management client address) tells an application which protocol is underneath."""

from typing import Any

import pytest

from tests.ipe.conftest import eventually
from tests.ipe.usp_conftest import light_of, node_of, shown, sim_value

LWM2M_NODE = "/cse-in/node-lamp-1"
LWM2M_LIGHT = "/cse-in/sdt-ipe/lamp-1-light-0"
SWITCH = "Device.IoTCapability.1.BinaryControl.Value"
# Where a protocol may show: the attributes that exist to tell it.
PROTOCOL_ATTRIBUTES = {"obis", "obps", "ptl", "lbl", "mgca"}
# What the devices say about themselves (a model name may well name its protocol).
DEVICE_WORDS = {"man", "mod", "dty", "dlb", "fwv", "hwv", "swv", "fwn", "swn", "vr"}
# Resources both devices have, by the name below the node or below the light.
COMMON_MGMT = ("deviceInfo", "reboot", "firmware", "software-0")
COMMON_LIGHT = ("", "/binarySwitch", "/binarySwitch/toggle", "/brightness")


@pytest.fixture
async def pair(mixed_app, mixed_admin, mixed_lwm2m_device, usp_agents):
    agent = (await usp_agents(mixed_app.usp_endpoint_id)).agents[0]
    for path in (f"{LWM2M_LIGHT}/brightness", f"{light_of(agent)}/brightness"):
        await shown(mixed_admin, path)
    return mixed_lwm2m_device, agent


async def group(admin, name: str, member_type: int, members: list[str]) -> str:
    body = {"m2m:grp": {"rn": name, "mt": member_type, "mnm": 10, "mid": [m.lstrip("/") for m in members]}}
    reply = await admin.create("/cse-in", 9, body)
    assert reply.rsc == 2001 and reply.pc["cnm"] == len(members), reply
    return f"/cse-in/{name}"


def entries(reply) -> dict[str, dict[str, Any]]:
    """The aggregated answer's entries by member."""
    return {entry["fr"]: entry for entry in reply.body["m2m:agr"]["m2m:rsp"]}


async def test_one_fan_out_switches_both_lights(mixed_admin, pair):
    lamp, agent = pair
    members = [f"{LWM2M_LIGHT}/binarySwitch", f"{light_of(agent)}/binarySwitch"]
    lights = await group(mixed_admin, "lights", 28, members)
    reply = await mixed_admin.update(f"{lights}/fopt", {"cod:binSh": {"state": True}})
    assert reply.rsc == 2000, reply
    answers = entries(reply)
    assert len(answers) == 2 and all(entry["rsc"] == 2004 for entry in answers.values()), answers
    # Both devices did it before the answer came.
    assert lamp.instance(3311, 0).get(5850) is True and sim_value(agent, SWITCH) == "true"
    states = entries(await mixed_admin.retrieve(f"{lights}/fopt"))
    assert [entry["pc"]["cod:binSh"]["state"] for entry in states.values()] == [True, True]


async def test_one_fan_out_reboots_both(mixed_admin, pair):
    lamp, agent = pair
    registrations, boots = lamp.registrations, agent.stats.boots
    reboots = await group(mixed_admin, "reboots", 13, [f"{LWM2M_NODE}/reboot", f"{node_of(agent)}/reboot"])
    reply = await mixed_admin.update(f"{reboots}/fopt", {"m2m:rbo": {"rbo": True}})
    assert reply.rsc == 2000, reply
    answers = entries(reply)
    assert len(answers) == 2 and all(entry["rsc"] == 2004 for entry in answers.values()), answers
    assert agent.stats.boots == boots + 1  # the USP answer waits for the Agent's Boot!

    async def lamp_back():
        return lamp.registrations > registrations

    await eventually(lamp_back, 20)


async def test_only_the_protocol_identification_differs(mixed_admin, pair):
    _, agent = pair
    lwm2m = await resources(mixed_admin, LWM2M_NODE, LWM2M_LIGHT)
    usp = await resources(mixed_admin, node_of(agent), light_of(agent))
    for name in lwm2m:
        left, right = lwm2m[name], usp[name]
        assert left["ty"] == right["ty"] and left.get("mgd") == right.get("mgd"), name
        assert left.get("cnd") == right.get("cnd"), name
        for attrs, protocol in ((left, "lwm2m"), (right, "usp")):
            telling = {k for k, v in attrs.items() if k not in DEVICE_WORDS and _mentions(v, protocol)}
            assert telling <= PROTOCOL_ATTRIBUTES, (name, protocol, telling)
    assert lwm2m["deviceInfo"]["ptl"] == ["lwm2m"] and usp["deviceInfo"]["ptl"] == ["usp"]
    assert "protocol:lwm2m" in lwm2m["node"]["lbl"] and "protocol:usp" in usp["node"]["lbl"]
    assert lwm2m["deviceInfo"]["obps"] == ["/3/0"] and usp["deviceInfo"]["obps"] == ["Device.DeviceInfo."]
    # The same request works on both: switching through the same attribute of the same type.
    for path in (f"{LWM2M_LIGHT}/binarySwitch", f"{light_of(agent)}/binarySwitch"):
        assert (await mixed_admin.update(path, {"cod:binSh": {"state": True}})).rsc == 2004


async def resources(admin, node: str, light: str) -> dict[str, dict[str, Any]]:
    out = {"node": (await admin.retrieve(node)).pc}
    for name in COMMON_MGMT:
        out[name] = (await shown(admin, f"{node}/{name}")).pc
    for suffix in COMMON_LIGHT:
        out[f"light{suffix}"] = (await shown(admin, f"{light}{suffix}")).pc
    return out


# What gives a protocol away: its name, its paths, its URI scheme.
MARKERS = {"lwm2m": ("lwm2m", "LwM2M", "urn:oma:", "/3/0", "coap://"),
           "usp": ("usp", "USP", "broadband-forum", "Device.", "mqtt://")}


def _mentions(value: Any, protocol: str) -> bool:
    text = str(value)
    return any(marker in text for marker in MARKERS[protocol])
