"""flexContainer (ty 28) and its specializations over HTTP: validation against the registered
specializations, the namespace-prefixed representation in JSON, CBOR and XML, and Updates of
device-backed attributes and actions going through a management adapter first."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cse.model import datatypes as dt
from cse.model import specializations
from cse.model.specializations import CustomAttribute, Specialization, SpecializationError, sdt_datatype
from cse.primitives import Operation, Request, Response
from cse.status import RSC
from tests.cse import flex_specs
from tests.cse.flex_specs import BINARY_SWITCH, BRIGHTNESS, DEVICE_LIGHT, TOGGLE

COD_NS = "http://www.onem2m.org/xml/protocols/commondomain"
SHARED_SDT = Path(__file__).resolve().parents[3] / "shared" / "sdt"


@pytest.fixture
async def cse(cse_app):
    specializations.register(cse_app.cse.registry, flex_specs.ALL)
    return cse_app.cse


@pytest.fixture
async def app(client, cse):
    """A client for the ordinary AE 'Capp', which owns /cse-in/app."""
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    client.originator = "Capp"
    return client


def lamp(rn: str = "lamp", **attrs: Any) -> dict:
    return {"cod:devLt": {"rn": rn, "cnd": DEVICE_LIGHT.cnd, **attrs}}


def switch(rn: str = "switch", **attrs: Any) -> dict:
    return {"cod:binSh": {"rn": rn, "cnd": BINARY_SWITCH.cnd, **{"state": False, **attrs}}}


def brightness(rn: str = "dim", **attrs: Any) -> dict:
    return {"cod:brigs": {"rn": rn, "cnd": BRIGHTNESS.cnd, **{"brigs": 50, **attrs}}}


def toggle(rn: str = "toggle", **attrs: Any) -> dict:
    return {"cod:togge": {"rn": rn, "cnd": TOGGLE.cnd, **attrs}}


async def make_lamp(client, base: str = "/cse-in/app", **kw: Any) -> str:
    """deviceLight 'lamp' with a binarySwitch (and its toggle) and a brightness below it."""
    assert (await client.create(base, 28, lamp(), **kw)).rsc == 2001
    assert (await client.create(f"{base}/lamp", 28, switch(), **kw)).rsc == 2001
    assert (await client.create(f"{base}/lamp/switch", 28, toggle(), **kw)).rsc == 2001
    assert (await client.create(f"{base}/lamp", 28, brightness(), **kw)).rsc == 2001
    return f"{base}/lamp"


async def flex_containers(client, path: str = "/cse-in/app") -> list[str]:
    reply = await client.retrieve(f"{path}?fu=1&ty=28", originator="CAdmin")
    assert reply.rsc == 2000, reply
    return reply.body["m2m:uril"]


def assert_refused(reply, rsc: int, *mentions: str) -> None:
    assert reply.rsc == rsc, reply
    message = reply.body["m2m:dbg"]
    for text in mentions:
        assert text in message, message


# -- create, retrieve, update, delete ---------------------------------------------------------------


@pytest.mark.parametrize("media", ["json", "cbor", "xml"])
async def test_create_retrieve_update_delete_in_each_serialization(app, media):
    created = await app.create("/cse-in/app", 28, lamp(), media=media)
    assert created.rsc == 2001, created
    assert list(created.body) == ["cod:devLt"]
    assert (await app.create("/cse-in/app/lamp", 28, switch(), media=media)).rsc == 2001

    got = await app.retrieve("/cse-in/app/lamp/switch", media=media)
    assert got.rsc == 2000 and list(got.body) == ["cod:binSh"]
    if media == "xml":
        assert f'xmlns:cod="{COD_NS}"'.encode() in got.raw
        assert b'<cod:binSh' in got.raw and b'rn="switch"' in got.raw
        assert b"<state>false</state>" in got.raw and b"<cnd>org.onem2m.common.moduleclass.binarySwitch</cnd>" in got.raw

    updated = await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"state": True}}, media=media)
    assert updated.rsc == 2004 and list(updated.body) == ["cod:binSh"]

    # Whatever the serialization, the values are stored typed.
    stored = (await app.retrieve("/cse-in/app/lamp/switch", media="json")).pc
    assert stored["ty"] == 28 and stored["cnd"] == BINARY_SWITCH.cnd
    assert stored["state"] is True and stored["st"] == 1 and stored["cs"] == 4

    assert (await app.delete("/cse-in/app/lamp", media=media)).rsc == 2002
    assert (await app.retrieve("/cse-in/app/lamp/switch")).rsc == 4004
    assert await flex_containers(app) == []


async def test_representation_with_children_and_content_size(app):
    await make_lamp(app)
    assert (await app.update("/cse-in/app/lamp", {"cod:devLt": {"nodLk": "node-1"}})).rsc == 2004
    reply = await app.retrieve("/cse-in/app/lamp?rcn=4")
    assert reply.rsc == 2000
    body = reply.body["cod:devLt"]
    assert body["nodLk"] == "node-1" and body["cs"] == 6
    (sw,) = body["cod:binSh"]
    assert sw["state"] is False and sw["cs"] == 5 and sw["cod:togge"][0]["cnd"] == TOGGLE.cnd
    (dim,) = body["cod:brigs"]
    assert dim["brigs"] == 50 and dim["cs"] == 2
    # Removing an optional custom attribute counts it out again.
    modified = await app.update("/cse-in/app/lamp?rcn=9", {"cod:devLt": {"nodLk": None}})
    assert modified.rsc == 2004 and modified.pc["cs"] == 0
    assert "nodLk" not in (await app.retrieve("/cse-in/app/lamp")).pc


async def test_cbor_round_trip_keeps_types(app):
    assert (await app.create("/cse-in/app", 28, brightness(brigs=0), media="cbor")).rsc == 2001
    got = await app.retrieve("/cse-in/app/dim", media="cbor")
    assert got.body["cod:brigs"]["brigs"] == 0 and got.body["cod:brigs"]["ty"] == 28


async def test_discovery_and_supported_resource_types(app):
    await make_lamp(app)
    found = await flex_containers(app)
    assert sorted(found) == sorted(
        ["cse-in/app/lamp", "cse-in/app/lamp/switch", "cse-in/app/lamp/switch/toggle", "cse-in/app/lamp/dim"]
    )
    assert 28 in (await app.retrieve("/cse-in")).pc["srt"]


async def test_node_link_names_a_node(app, admin):
    node = await admin.create("/cse-in", 14, {"m2m:nod": {"rn": "lamp-node", "ni": "urn:dev:ops:lamp-1"}})
    assert node.rsc == 2001, node
    not_a_node = await app.create("/cse-in/app", 28, lamp(nl="cse-in/app"))
    assert_refused(not_a_node, 4000, "attribute nl", "not a node")
    assert_refused(await app.create("/cse-in/app", 28, lamp(nl="nowhere")), 4000, "'nowhere'")
    assert await flex_containers(app) == []
    made = await app.create("/cse-in/app", 28, lamp(nl=node.pc["ri"]))
    assert made.rsc == 2001 and made.pc["nl"] == node.pc["ri"]
    assert_refused(await app.update("/cse-in/app/lamp", {"cod:devLt": {"nl": "cse-in/app"}}), 4000, "not a node")
    assert (await app.retrieve("/cse-in/app/lamp")).pc["nl"] == node.pc["ri"]


async def test_other_child_types_of_a_flex_container(app):
    await make_lamp(app)
    assert (await app.create("/cse-in/app/lamp", 3, {"m2m:cnt": {"rn": "log"}})).rsc == 2001
    assert_refused(await app.create("/cse-in/app/lamp", 2, {"m2m:ae": {"api": "Nx", "rr": False}}), 4108)


# -- bad input: the right code, a readable message, nothing created -----------------------------------


async def test_wrong_container_definition(app):
    reply = await app.create("/cse-in/app", 28, {"cod:devLt": {"rn": "lamp", "cnd": BINARY_SWITCH.cnd}})
    assert_refused(reply, 4000, BINARY_SWITCH.cnd, "cod:binSh", DEVICE_LIGHT.cnd)
    unknown = await app.create("/cse-in/app", 28, {"cod:devLt": {"rn": "lamp", "cnd": "org.example.device.lamp"}})
    assert_refused(unknown, 4125, "org.example.device.lamp", "no specialization")
    assert unknown.status == 501
    assert await flex_containers(app) == []


async def test_container_definition_is_mandatory_and_fixed(app):
    await make_lamp(app)
    missing = await app.create("/cse-in/app", 28, {"cod:devLt": {"rn": "other"}})
    assert_refused(missing, 4000, "mandatory", "cnd")
    changed = await app.update("/cse-in/app/lamp", {"cod:devLt": {"cnd": BINARY_SWITCH.cnd}})
    assert_refused(changed, 4000, "'cnd'", "not permitted")
    assert (await app.retrieve("/cse-in/app/lamp")).pc["cnd"] == DEVICE_LIGHT.cnd
    size = await app.create("/cse-in/app", 28, lamp(rn="sized", cs=3))
    assert_refused(size, 4000, "'cs'", "not permitted")
    assert (await app.retrieve("/cse-in/app/other")).rsc == 4004
    assert (await app.retrieve("/cse-in/app/sized")).rsc == 4004


@pytest.mark.parametrize("media", ["json", "xml"])
async def test_unknown_attribute(app, media):
    reply = await app.create("/cse-in/app", 28, switch(colour="red"), media=media)
    assert_refused(reply, 4000, "'colour'", "binarySwitch", "cod:binSh")
    await make_lamp(app)
    upd = await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"state": True, "brigs": 3}}, media=media)
    assert_refused(upd, 4000, "'brigs'")
    assert (await app.retrieve("/cse-in/app/lamp/switch")).pc["state"] is False
    # flexContainerInstance retention is not served, so its attributes are unknown too.
    assert_refused(await app.create("/cse-in/app", 28, lamp(rn="keep", mni=3)), 4000, "'mni'")
    assert (await app.retrieve("/cse-in/app/switch")).rsc == 4004
    assert (await app.retrieve("/cse-in/app/keep")).rsc == 4004


@pytest.mark.parametrize(
    "media, body, mentions",
    [
        ("json", switch(state="yes"), "a boolean"),
        ("json", switch(state=1), "a boolean"),
        ("cbor", switch(dgt=20240101), "timestamp"),
        ("xml", switch(state="maybe"), "a boolean"),
        ("json", brightness(brigs=101), "above the maximum 100"),
        ("json", brightness(brigs=-1), "below the minimum 0"),
        ("json", brightness(brigs=12.5), "an integer"),
        ("xml", brightness(brigs="bright"), "an integer"),
        ("json", lamp(nodLk=["a"]), "a string"),
    ],
)
async def test_wrong_types(app, media, body, mentions):
    reply = await app.create("/cse-in/app", 28, body, media=media)
    assert reply.rsc == 4000, reply
    assert mentions in reply.body["m2m:dbg"], reply
    assert await flex_containers(app) == []


async def test_wrong_type_on_update_changes_nothing(app):
    await make_lamp(app)
    before = (await app.retrieve("/cse-in/app/lamp/dim")).pc
    reply = await app.update("/cse-in/app/lamp/dim", {"cod:brigs": {"brigs": 200, "lbl": ["x"]}})
    assert_refused(reply, 4000, "brigs", "maximum")
    assert (await app.retrieve("/cse-in/app/lamp/dim")).pc == before


async def test_missing_mandatory_attribute(app):
    await make_lamp(app)
    reply = await app.create("/cse-in/app/lamp", 28, {"cod:binSh": {"rn": "s2", "cnd": BINARY_SWITCH.cnd}})
    assert_refused(reply, 4000, "mandatory", "state")
    removed = await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"state": None}})
    assert_refused(removed, 4000, "'state'", "mandatory")
    assert (await app.retrieve("/cse-in/app/lamp/s2")).rsc == 4004
    assert (await app.retrieve("/cse-in/app/lamp/switch")).pc["state"] is False


async def test_wrong_child_specialization(app):
    await make_lamp(app)
    under_switch = await app.create("/cse-in/app/lamp/switch", 28, brightness())
    assert_refused(under_switch, 4108, "cod:brigs", "cod:binSh", "cod:togge")
    under_action = await app.create("/cse-in/app/lamp/switch/toggle", 28, switch(rn="s"))
    assert_refused(under_action, 4108, "cod:binSh", "cod:togge")
    device_in_device = await app.create("/cse-in/app/lamp", 28, lamp(rn="inner"))
    assert_refused(device_in_device, 4108, "cod:devLt")
    for path in ("/cse-in/app/lamp/switch/dim", "/cse-in/app/lamp/switch/toggle/s", "/cse-in/app/lamp/inner"):
        assert (await app.retrieve(path)).rsc == 4004
    # The same specializations are fine where they belong, and anywhere outside a flexContainer.
    assert (await app.create("/cse-in/app", 28, brightness(rn="alone"))).rsc == 2001


@pytest.mark.parametrize("media", ["json", "cbor", "xml"])
async def test_unknown_specialization(app, media):
    reply = await app.create("/cse-in/app", 28, {"cod:nope": {"rn": "n", "cnd": "org.onem2m.common.device.nope"}}, media=media)
    assert_refused(reply, 4125, "cod:nope")
    bare = await app.create("/cse-in/app", 28, {"m2m:fcnt": {"rn": "b", "cnd": DEVICE_LIGHT.cnd}}, media=media)
    assert_refused(bare, 4125, "specializations")
    assert await flex_containers(app) == []


async def test_update_must_name_the_resource_specialization(app):
    await make_lamp(app)
    reply = await app.update("/cse-in/app/lamp/switch", {"cod:brigs": {"brigs": 3}})
    assert_refused(reply, 4000, "cod:binSh")


async def test_release_1_originator_gets_bad_request_for_unknown_specialization(app):
    reply = await app.create("/cse-in/app", 28, {"cod:nope": {"rn": "n", "cnd": "x"}}, rvi="1")
    assert reply.rsc == 4000, reply


# -- read-only attributes ------------------------------------------------------------------------------


async def test_read_only_attribute_only_by_the_device_owner(app):
    await make_lamp(app)
    acp = {"m2m:acp": {"rn": "acp", "pv": {"acr": [{"acor": ["Cother"], "acop": 63}]},
                       "pvs": {"acr": [{"acor": ["Capp"], "acop": 63}]}}}
    assert (await app.create("/cse-in/app", 1, acp)).rsc == 2001
    assert (await app.update("/cse-in/app/lamp", {"cod:devLt": {"acpi": ["cse-in/app/acp"]}})).rsc == 2004

    other = await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"dgt": "20250101T120000"}}, originator="Cother")
    assert_refused(other, 4000, "'dgt'", "read-only")
    # Writable ones are open to anyone with the privilege; nothing forwards (no adapter).
    assert (await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"state": True}}, originator="Cother")).rsc == 2004
    assert (await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"dgt": "20250101T120000"}})).rsc == 2004
    stored = (await app.retrieve("/cse-in/app/lamp/switch")).pc
    assert stored["state"] is True and stored["dgt"].startswith("20250101T120000")


# -- device-backed attributes and actions through a management adapter -------------------------------


class LampAdapter:
    """A management adapter as the SDT proxy would register one: drives the 'device' in memory."""

    def __init__(self, cse, originator: str = "Cproxy") -> None:
        self.cse = cse
        self.originator = originator
        self.calls: list[tuple[Request, dict]] = []
        self.refuse: RSC | None = None
        self.crash = False
        self.lamp_on = False

    async def handle(self, request: Request, resource) -> Response:
        # What the resource holds while the device acts: nothing of the update is stored yet.
        self.calls.append((request, dict(resource.attrs)))
        if self.crash:
            raise OSError("serial port closed")
        if self.refuse is not None:
            return Response(self.refuse, request.rqi, pc={"m2m:dbg": "the lamp is unplugged"})
        content = next(iter(request.pc.values()))
        if "state" in content:
            self.lamp_on = content["state"]
        if "cod:togge" in request.pc:
            # The device toggles; the adapter reports the switch's new state as its owner.
            self.lamp_on = not self.lamp_on
            report = Request(
                Operation.UPDATE, to=resource.pi, fr=self.originator, rqi="report", rvi="4",
                pc={"cod:binSh": {"state": self.lamp_on}},
            )
            reported = await self.cse.handle(report)
            assert reported.rsc == RSC.UPDATED, reported
        return Response(RSC.UPDATED, request.rqi)


@pytest.fixture
async def proxy(client, cse):
    """The proxy's AE 'Cproxy', with its adapter registered and a lamp in its tree."""
    adapter = LampAdapter(cse)
    cse.adapters.register("Cproxy", adapter)
    assert (await client.register_ae("proxy", originator="Cproxy")).rsc == 2001
    await make_lamp(client, "/cse-in/proxy", originator="Cproxy")
    return adapter


async def test_device_backed_update_reaches_the_adapter_first(admin, proxy):
    reply = await admin.update("/cse-in/proxy/lamp/switch", {"cod:binSh": {"state": True}})
    assert reply.rsc == 2004, reply
    ((request, attrs),) = proxy.calls
    assert request.op == Operation.UPDATE and request.fr == "CAdmin"
    assert request.pc == {"cod:binSh": {"state": True}}
    assert attrs["cnd"] == BINARY_SWITCH.cnd and attrs["state"] is False
    assert proxy.lamp_on is True
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc["state"] is True


async def test_xml_update_reaches_the_adapter_with_typed_values(admin, proxy):
    reply = await admin.update("/cse-in/proxy/lamp/dim", {"cod:brigs": {"brigs": 70}}, media="xml")
    assert reply.rsc == 2004, reply
    ((request, _),) = proxy.calls
    assert request.pc == {"cod:brigs": {"brigs": 70}}


async def test_refusal_of_the_adapter_reaches_the_originator_and_nothing_is_stored(admin, proxy):
    before = (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc
    proxy.refuse = RSC.OPERATION_DENIED_BY_REMOTE_ENTITY
    reply = await admin.update("/cse-in/proxy/lamp/switch", {"cod:binSh": {"state": True, "lbl": ["x"]}})
    assert_refused(reply, 4127, "the lamp is unplugged")
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc == before
    proxy.refuse = None
    proxy.crash = True
    failed = await admin.update("/cse-in/proxy/lamp/dim", {"cod:brigs": {"brigs": 10}})
    assert_refused(failed, 5103, "serial port closed")
    assert (await admin.retrieve("/cse-in/proxy/lamp/dim")).pc["brigs"] == 50


async def test_update_the_generic_processing_would_refuse_does_not_reach_the_device(admin, proxy):
    reply = await admin.update("/cse-in/proxy/lamp/switch", {"cod:binSh": {"state": True, "et": "20200101T000000"}})
    assert_refused(reply, 4000, "et", "not in the future")
    assert proxy.calls == [] and proxy.lamp_on is False
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc["state"] is False


async def test_what_is_not_forwarded(client, admin, proxy):
    # The adapter reporting the device's state is stored directly.
    report = await client.update("/cse-in/proxy/lamp/switch", {"cod:binSh": {"state": True, "dgt": "20250101T000000"}},
                                 originator="Cproxy")
    assert report.rsc == 2004
    # Attributes that do not live in the device are not the device's business.
    assert (await admin.update("/cse-in/proxy/lamp/dim", {"cod:brigs": {"lbl": ["kitchen"]}})).rsc == 2004
    assert proxy.calls == []
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc["state"] is True


async def test_ordinary_ae_values_are_simply_stored(app, proxy):
    await make_lamp(app)
    assert (await app.update("/cse-in/app/lamp/switch", {"cod:binSh": {"state": True}})).rsc == 2004
    assert (await app.update("/cse-in/app/lamp/switch/toggle", {"cod:togge": {"lbl": ["go"]}})).rsc == 2004
    assert proxy.calls == []
    assert (await app.retrieve("/cse-in/app/lamp/switch")).pc["state"] is True


async def test_update_of_an_action_invokes_it(admin, proxy):
    reply = await admin.update("/cse-in/proxy/lamp/switch/toggle", {"cod:togge": {"lbl": ["now"]}})
    assert reply.rsc == 2004, reply
    ((request, attrs),) = proxy.calls
    assert list(request.pc) == ["cod:togge"] and attrs["cnd"] == TOGGLE.cnd and "lbl" not in attrs
    # The device toggled and its adapter reported it before the CSE acknowledged.
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc["state"] is True
    proxy.refuse = RSC.OPERATION_DENIED_BY_REMOTE_ENTITY
    refused = await admin.update("/cse-in/proxy/lamp/switch/toggle", {"cod:togge": {"lbl": ["again"]}})
    assert refused.rsc == 4127
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch/toggle")).pc["lbl"] == ["now"]
    assert (await admin.retrieve("/cse-in/proxy/lamp/switch")).pc["state"] is True


# -- registration --------------------------------------------------------------------------------------


async def test_specialization_registered_while_running(app, cse):
    thing = Specialization(
        tpe="acme:therm", name="thermometer", cnd="com.example.moduleclass.thermometer",
        namespace="http://example.com/xml/acme",
        attributes=(CustomAttribute("tmp", "temperature", sdt_datatype("float", minimum=-50, maximum=150), mandatory=True),
                    CustomAttribute("unit", "unit", sdt_datatype("string"))),
    )
    assert_refused(await app.create("/cse-in/app", 28, {"acme:therm": {"cnd": thing.cnd, "tmp": 1.5}}), 4125)
    specializations.register(cse.registry, [thing])
    made = await app.create("/cse-in/app", 28, {"acme:therm": {"rn": "t", "cnd": thing.cnd, "tmp": "21.5"}}, media="xml")
    assert made.rsc == 2001, made
    assert b'xmlns:acme="http://example.com/xml/acme"' in made.raw and b"<acme:therm" in made.raw
    assert (await app.retrieve("/cse-in/app/t")).pc["tmp"] == 21.5
    too_hot = await app.update("/cse-in/app/t", {"acme:therm": {"tmp": 151}})
    assert_refused(too_hot, 4000, "above the maximum")

    # Forgotten again: no new ones, stored ones served as plain flexContainers.
    specializations.unregister(cse.registry, "acme:therm")
    assert (await app.create("/cse-in/app", 28, {"acme:therm": {"rn": "t2", "cnd": thing.cnd, "tmp": 1.0}})).rsc == 4125
    orphan = await app.retrieve("/cse-in/app/t")
    assert orphan.rsc == 2000 and orphan.body["m2m:fcnt"]["tmp"] == 21.5
    assert (await app.update("/cse-in/app/t", {"m2m:fcnt": {"lbl": ["old"]}})).rsc == 2004
    assert_refused(await app.update("/cse-in/app/t", {"m2m:fcnt": {"tmp": 3.0}}), 4000, "'tmp'")
    assert_refused(await app.create("/cse-in/app/t", 28, brightness()), 4108)
    assert (await app.delete("/cse-in/app/t")).rsc == 2002


async def test_bad_descriptions_are_refused_whole(cse_app):
    registry = cse_app.cse.registry
    specializations.register(registry, flex_specs.ALL)

    def refused(*specs: Specialization, mentions: str) -> None:
        with pytest.raises(SpecializationError) as error:
            specializations.register(registry, specs)
        assert mentions in str(error.value)

    fine = Specialization(tpe="cod:fine", name="fine", cnd="org.onem2m.common.moduleclass.fine")
    refused(Specialization(tpe="devLt", name="x", cnd="c"), mentions="namespace:shortName")
    refused(Specialization(tpe="zzz:x", name="x", cnd="c"), mentions="XML namespace")
    refused(Specialization(tpe="cod:x", name="x", cnd=""), mentions="containerDefinition")
    refused(Specialization(tpe="cod:x", name="x", cnd="c", attributes=(CustomAttribute("cnd", "c", dt.STRING),)),
            mentions="common flexContainer attribute")
    refused(Specialization(tpe="cod:x", name="x", cnd="c", attributes=(CustomAttribute("a b", "c", dt.STRING),)),
            mentions="valid XML name")
    refused(Specialization(tpe="cod:x", name="x", cnd="c",
                           attributes=(CustomAttribute("a", "a", dt.STRING), CustomAttribute("a", "b", dt.STRING))),
            mentions="twice")
    refused(fine, Specialization(tpe="cod:x", name="x", cnd=BINARY_SWITCH.cnd), mentions="already that of cod:binSh")
    refused(fine, Specialization(tpe="m2m:cnt", name="x", cnd="c"), mentions="not a flexContainer")
    refused(fine, Specialization(tpe="cod:y", name="y", cnd="c", namespace="http://example.com/other"),
            mentions="already names the XML namespace")
    refused(Specialization(tpe="cod:x", name="x", cnd="c", children=frozenset({"binSh"})), mentions="child")
    with pytest.raises(SpecializationError, match="kind"):
        Specialization(tpe="cod:x", name="x", cnd="c", kind="gadget")
    with pytest.raises(SpecializationError, match="integer"):
        sdt_datatype("integer", minimum=0.5)
    with pytest.raises(SpecializationError, match="not one of"):
        sdt_datatype("quaternion")
    # None of the refused batches left anything behind, not even the valid 'cod:fine'.
    assert specializations.lookup(registry, "cod:fine") is None
    assert specializations.lookup(registry, "cod:x") is None
    # Registering again replaces; the registered description is what lookup gives back.
    specializations.register(registry, [BINARY_SWITCH])
    assert specializations.lookup(registry, "cod:binSh") is BINARY_SWITCH
    assert specializations.by_cnd_in(registry, TOGGLE.cnd) is TOGGLE


async def test_hand_written_specializations_agree_with_ts0023():
    table = SHARED_SDT / "ts0023-r5.6-specializations.csv"
    attributes = SHARED_SDT / "ts0023-r5.6-attributes.csv"
    if not table.exists():
        pytest.skip("the shared TS-0023 reference data is not beside this checkout")
    with table.open(newline="") as f:
        rows = {f"{row['ns']}:{row['shortname']}": row for row in csv.DictReader(f)}
    with attributes.open(newline="") as f:
        declared: dict[str, dict[str, dict]] = {}
        for row in csv.DictReader(f):
            declared.setdefault(row["type"], {})[row["sname"]] = row
    for spec in flex_specs.ALL:
        row = rows[spec.tpe]
        assert (row["longname"], row["sdttype"], row["cnd"]) == (spec.name, spec.kind.value, spec.cnd)
        assert spec.children == set(row["children"].split())
        for attr in spec.attributes:
            reference = declared[spec.tpe][attr.sn]
            assert reference["lname"] == attr.ln
            assert (reference["car"] == "1") == attr.mandatory
