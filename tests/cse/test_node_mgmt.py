"""node (ty 14) and the mgmtObj specializations (ty 13) over HTTP: create, retrieve, update
rules of each, and refusals that leave nothing behind (TS-0004 clauses 7.4.15, 7.4.18, annex D).

Device actions (trigger attributes) are exercised with a management adapter in
test_mgmt_adapter.py; here nodes belong to the admin and no adapter serves them.
"""

from __future__ import annotations

import pytest

NODE = "/cse-in/dev1"
UNINITIALIZED = {"acn": "", "sus": 0}
LINK = {"nm": "other", "typ": 1001, "val": "fwr1234"}


@pytest.fixture
async def node(admin):
    reply = await admin.create("/cse-in", 14, {"m2m:nod": {"rn": "dev1", "ni": "urn:dev:ops:1"}})
    assert reply.rsc == 2001, reply
    return admin


async def names_under(client, path: str = NODE) -> set[str]:
    """The resource names below ``path`` (a discovery with structured results)."""
    reply = await client.retrieve(path + "?fu=1&drt=1")
    assert reply.rsc == 2000, reply
    return {uri.rsplit("/", 1)[1] for uri in reply.body["m2m:uril"] if uri != path.lstrip("/")}


# -- node ---------------------------------------------------------------------------------------


async def test_node_create_retrieve_update_delete(admin):
    body = {"m2m:nod": {
        "rn": "gw", "ni": "urn:imei:1234", "hcl": "/id-mn", "hael": ["Cipe"], "hsl": ["fcnt1"],
        "mgca": "coap://10.0.0.7:5683", "nty": 2, "lbl": ["site:a"],
    }}
    reply = await admin.create("/cse-in", 14, body)
    assert reply.rsc == 2001, reply
    created = reply.pc
    assert created["ty"] == 14 and created["ni"] == "urn:imei:1234" and created["hael"] == ["Cipe"]
    assert created["mgca"] == "coap://10.0.0.7:5683" and created["nty"] == 2
    assert "nid" not in created and "rms" not in created

    got = await admin.retrieve("/cse-in/gw")
    assert got.rsc == 2000 and got.body["m2m:nod"]["ni"] == "urn:imei:1234"

    upd = await admin.update("/cse-in/gw", {"m2m:nod": {"ni": "urn:imei:9999", "hael": None}})
    assert upd.rsc == 2004, upd
    assert upd.pc["ni"] == "urn:imei:9999" and "hael" not in upd.pc

    assert (await admin.delete("/cse-in/gw")).rsc == 2002
    assert (await admin.retrieve("/cse-in/gw")).rsc == 4004


@pytest.mark.parametrize(
    "attrs, needle",
    [
        ({}, "ni"),  # nodeID is mandatory
        ({"ni": "n", "nid": "net-1"}, "nid"),  # networkID is set by the CSE
        ({"ni": "n", "rms": True}, "rms"),
        ({"ni": 5}, "ni"),
        ({"ni": "n", "hael": "Cipe"}, "hael"),
        ({"ni": "n", "nty": -1}, "nty"),
        ({"ni": "n", "mgd": 1001}, "mgd"),
    ],
)
async def test_node_create_refusals(admin, attrs, needle):
    reply = await admin.create("/cse-in", 14, {"m2m:nod": {"rn": "bad", **attrs}})
    assert reply.rsc == 4000 and needle in reply.body["m2m:dbg"], reply
    assert (await admin.retrieve("/cse-in/bad")).rsc == 4004


@pytest.mark.parametrize("attrs", [{"nid": "x"}, {"rms": False}, {"ni": None}, {"ni": ["a"]}])
async def test_node_update_refusals(node, attrs):
    before = (await node.retrieve(NODE)).pc
    reply = await node.update(NODE, {"m2m:nod": attrs})
    assert reply.rsc == 4000, reply
    assert (await node.retrieve(NODE)).pc == before


async def test_node_only_where_nodes_live(client):
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    reply = await client.create("/cse-in/app", 14, {"m2m:nod": {"ni": "n"}}, originator="Capp")
    assert reply.rsc == 4108, reply


# -- mgmtObj common rules -----------------------------------------------------------------------

FIRMWARE = {"mgd": 1001, "vr": "1.0", "fwn": "fw", "url": "http://example.com/fw.bin", "ud": False}


@pytest.mark.parametrize("parent", ["/cse-in", "/cse-in/app"])
async def test_mgmt_obj_only_under_a_node(admin, client, parent):
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    reply = await admin.create(parent, 13, {"m2m:fwr": {"rn": "fw", **FIRMWARE}})
    assert reply.rsc == 4108 and "firmware" in reply.body["m2m:dbg"], reply
    assert (await admin.retrieve(parent + "/fw")).rsc == 4004


@pytest.mark.parametrize(
    "body, needle",
    [
        ({"m2m:fwr": {**FIRMWARE, "mgd": 1002}}, "mgd"),  # a software mgd in a firmware
        ({"m2m:fwr": {**FIRMWARE, "mgd": 9999}}, "mgd"),
        ({"m2m:fwr": {**FIRMWARE, "mgd": "1001"}}, "mgd"),
        ({"m2m:fwr": {k: v for k, v in FIRMWARE.items() if k != "mgd"}}, "mgd"),
        ({"m2m:xyz": FIRMWARE}, "m2m:xyz"),  # no such specialization
        ({"m2m:cnt": FIRMWARE}, "m2m:cnt"),  # a root of another resource type
        ({"m2m:fwr": FIRMWARE, "m2m:swr": FIRMWARE}, "specialization"),
        ({"m2m:fwr": {**FIRMWARE, "ud": True}}, "ud"),  # a Create cannot trigger
        ({"m2m:fwr": {**FIRMWARE, "uds": UNINITIALIZED}}, "uds"),  # status is NP on Create
        ({"m2m:fwr": {**FIRMWARE, "cmlk": [{"nm": "x", "typ": 1001}]}}, "cmlk"),
        ({"m2m:fwr": {**FIRMWARE, "cmlk": [{**LINK, "typ": "fw"}]}}, "cmlk"),
        ({"m2m:fwr": {**FIRMWARE, "obis": "urn:oma:lwm2m:oma:5"}}, "obis"),
        ({"m2m:fwr": {**FIRMWARE, "btl": 3}}, "btl"),  # a battery attribute
    ],
)
async def test_wrong_mgmt_obj_create_is_refused_and_leaves_nothing(node, body, needle):
    reply = await node.create(NODE, 13, body)
    assert reply.rsc == 4000 and needle in reply.body["m2m:dbg"], reply
    assert await names_under(node) == set()


async def test_common_attributes(node):
    body = {"m2m:fwr": {
        "rn": "fw", **FIRMWARE, "obis": ["urn:oma:lwm2m:oma:5"], "obps": ["/5/0"], "dc": "main firmware",
        "cmlk": [LINK], "lbl": ["a"],
    }}
    reply = await node.create(NODE, 13, body)
    assert reply.rsc == 2001, reply
    pc = reply.pc
    assert pc["ty"] == 13 and pc["mgd"] == 1001 and pc["obis"] == ["urn:oma:lwm2m:oma:5"]
    assert pc["obps"] == ["/5/0"] and pc["dc"] == "main firmware" and pc["cmlk"] == [LINK]
    assert reply.headers["Content-Location"].endswith("cse-in/dev1/fw")

    upd = await node.update(NODE + "/fw", {"m2m:fwr": {"dc": "spare", "cmlk": None}})
    assert upd.rsc == 2004 and upd.pc["dc"] == "spare" and "cmlk" not in upd.pc
    for attrs in ({"mgd": 1001}, {"obis": ["x"]}, {"obps": ["x"]}, {"ty": 13}, {"mgd": 1002}):
        reply = await node.update(NODE + "/fw", {"m2m:fwr": attrs})
        assert reply.rsc == 4000, (attrs, reply)
    # A representation of another specialization is not an update of this one.
    reply = await node.update(NODE + "/fw", {"m2m:swr": {"dc": "x"}})
    assert reply.rsc == 4000 and "m2m:fwr" in reply.body["m2m:dbg"]
    assert (await node.retrieve(NODE + "/fw")).pc["dc"] == "spare"


async def test_node_lists_and_discovers_its_mgmt_objs(node):
    assert (await node.create(NODE, 13, {"m2m:fwr": {"rn": "fw", **FIRMWARE}})).rsc == 2001
    battery = {"m2m:bat": {"rn": "bat", "mgd": 1006, "btl": 80, "bts": 1}}
    assert (await node.create(NODE, 13, battery)).rsc == 2001
    reply = await node.retrieve(NODE + "?rcn=4")
    assert reply.rsc == 2000
    body = reply.body["m2m:nod"]
    assert [fw["rn"] for fw in body["m2m:fwr"]] == ["fw"] and body["m2m:bat"][0]["btl"] == 80
    found = await node.retrieve(NODE + "?fu=1&ty=13&drt=1")
    assert sorted(found.body["m2m:uril"]) == ["cse-in/dev1/bat", "cse-in/dev1/fw"]
    # Deleting the node deletes its management objects.
    assert (await node.delete(NODE)).rsc == 2002
    assert (await node.retrieve(NODE + "/bat")).rsc == 4004


async def test_mgmt_obj_in_xml_and_cbor(node):
    xml = (
        '<m2m:bat xmlns:m2m="http://www.onem2m.org/xml/protocols" rn="batx">'
        "<mgd>1006</mgd><btl>42</btl><bts>2</bts></m2m:bat>"
    )
    reply = await node.create(NODE, 13, xml, media="xml")
    assert reply.rsc == 2001, reply
    got = await node.retrieve(NODE + "/batx")
    assert got.pc["btl"] == 42 and got.pc["bts"] == 2
    reply = await node.create(NODE, 13, {"m2m:bat": {"rn": "batc", "mgd": 1006, "btl": 7, "bts": 5}}, media="cbor")
    assert reply.rsc == 2001 and reply.pc["btl"] == 7


# -- each specialization ------------------------------------------------------------------------


def spec(tpe, mgd, create, stored=None, bad_create=(), update=None, bad_update=()):
    return pytest.param(tpe, mgd, create, stored or {}, bad_create, update or {}, bad_update, id=tpe)


SPECIALIZATIONS = [
    spec(
        "m2m:fwr", 1001,
        {"vr": "1.0", "fwn": "fw", "url": "http://example.com/fw.bin", "ud": False},
        stored={"ud": False, "uds": UNINITIALIZED},
        bad_create=[{"vr": "1.0", "fwn": "fw", "url": "u"}, {"fwn": "fw", "url": "u", "ud": False},
                    {"vr": 1, "fwn": "fw", "url": "u", "ud": False}, {"vr": "1", "fwn": "fw", "url": "u", "ud": "no"}],
        update={"vr": "1.1", "fwn": "fw2", "url": "http://example.com/fw2.bin"},
        bad_update=[{"uds": {"acn": "x", "sus": 1}}, {"ud": False}, {"vr": None}, {"ud": None}, {"url": 3}],
    ),
    spec(
        "m2m:swr", 1002,
        {"vr": "2.0", "swn": "app", "url": "http://example.com/app.pkg"},
        stored={"in": False, "un": False, "act": False, "dea": False, "ins": UNINITIALIZED, "acts": UNINITIALIZED},
        bad_create=[{"vr": "2.0", "swn": "app"}, {"vr": "2.0", "swn": "app", "url": "u", "in": False},
                    {"vr": "2.0", "swn": "app", "url": "u", "acts": UNINITIALIZED}],
        update={"swn": "app2", "url": "http://example.com/app2.pkg"},
        bad_update=[{"ins": {"acn": "x", "sus": 1}}, {"acts": {"acn": "x", "sus": 1}}, {"in": False}, {"dea": 1}],
    ),
    spec(
        "m2m:mem", 1003,
        {"mma": 1024, "mmt": 4096},
        bad_create=[{"mma": 1024}, {"mma": -1, "mmt": 4096}, {"mma": "lots", "mmt": 4096}],
        update={"mma": 512},
        bad_update=[{"mmt": None}, {"mma": -5}],
    ),
    spec(
        "m2m:ani", 1004,
        {"ant": "802.15.4", "ldv": ["dev-a", "dev-b"]},
        bad_create=[{"ldv": ["dev-a"]}, {"ant": "zigbee", "ldv": "dev-a"}],
        update={"ldv": ["dev-c"]},
        bad_update=[{"ant": None}, {"ant": 7}],
    ),
    spec(
        "m2m:andi", 1005,
        {"dvd": "d1", "dvt": "sensor", "awi": "pan-1", "sli": 60, "sld": 5, "ss": "ok", "lnh": ["d2"]},
        bad_create=[{"dvd": "d1", "dvt": "sensor"}, {"dvd": "d1", "dvt": "sensor", "awi": "pan", "sli": -1}],
        update={"ss": "sleeping", "sld": 10},
        bad_update=[{"dvd": None}, {"lnh": "d3"}],
    ),
    spec(
        "m2m:bat", 1006,
        {"btl": 80, "bts": 1},
        bad_create=[{"btl": 80}, {"btl": 80, "bts": 8}, {"btl": -1, "bts": 1}, {"btl": 80, "bts": 0}],
        update={"btl": 79, "bts": 2},
        bad_update=[{"bts": 9}, {"btl": "full"}, {"btl": None}],
    ),
    spec(
        "m2m:dvi", 1007,
        {"dlb": "label", "man": "ACME", "mod": "M1", "dty": "thermostat", "fwv": "1.0", "hwv": "rev B",
         "cnty": "DE", "mfd": "20200101T000000,000000", "ptl": ["LWM2M"], "dvnm": "hall"},
        bad_create=[{"dlb": "l", "man": "m", "mod": "x"}, {"dlb": "l", "man": "m", "mod": "x", "dty": "t", "mfd": "yesterday"},
                    {"dlb": "l", "man": "m", "mod": "x", "dty": "t", "ptl": "LWM2M"}],
        update={"fwv": "1.1", "loc": "hall", "syst": "20240101T120000,000000"},
        bad_update=[{"hwv": "rev C"}, {"cnty": "FR"}, {"man": None}],
    ),
    spec(
        "m2m:dvc", 1008,
        {"can": "camera", "att": True, "cas": {"acn": "enable", "sus": 1}, "cus": True},
        stored={"ena": False, "dis": False},
        bad_create=[{"can": "camera", "att": True, "cus": True}, {"can": "c", "att": True, "cus": True, "cas": {"sus": 1}},
                    {"can": "c", "att": True, "cus": True, "cas": {"acn": "x", "sus": 1}, "ena": True}],
        update={"cus": False, "att": False},
        bad_update=[{"cas": {"acn": "x", "sus": 2}}, {"ena": False}, {"cus": None}],
    ),
    spec(
        "m2m:rbo", 1009,
        {},
        stored={"rbo": False, "far": False},
        bad_create=[{"rbo": True}, {"far": True}, {"rbo": "yes"}],
        update={"dc": "reboot control"},
        bad_update=[{"rbo": False}, {"far": None}, {"rbo": True, "far": True}],
    ),
    spec(
        "m2m:evl", 1010,
        {"lgt": 1, "lgd": "boot ok", "lgst": 2},
        stored={"lga": False, "lgo": False},
        bad_create=[{"lgt": 1, "lgd": "x"}, {"lgt": 6, "lgd": "x", "lgst": 1}, {"lgt": 1, "lgd": "x", "lgst": 0},
                    {"lgt": 1, "lgd": "x", "lgst": 1, "lga": True}],
        update={"lgd": "more", "lgst": 1},
        bad_update=[{"lgst": 7}, {"lga": False}, {"lga": True, "lgo": True}],
    ),
]


@pytest.mark.parametrize("tpe, mgd, create, stored, bad_create, update, bad_update", SPECIALIZATIONS)
async def test_specialization_rules(node, tpe, mgd, create, stored, bad_create, update, bad_update):
    for index, attrs in enumerate(bad_create):
        reply = await node.create(NODE, 13, {tpe: {"rn": f"bad{index}", "mgd": mgd, **attrs}})
        assert reply.rsc == 4000 and reply.body["m2m:dbg"], (attrs, reply)
    assert await names_under(node) == set(), "a refused Create left something behind"

    reply = await node.create(NODE, 13, {tpe: {"rn": "obj", "mgd": mgd, **create}})
    assert reply.rsc == 2001, reply
    assert tpe in reply.body
    expected = {**create, **stored, "mgd": mgd, "ty": 13}
    assert {name: reply.pc.get(name) for name in expected} == expected

    got = await node.retrieve(NODE + "/obj")
    assert got.rsc == 2000 and tpe in got.body
    assert {name: got.pc.get(name) for name in expected} == expected

    # A resource of one specialization is no other: the wrong mgd never matches.
    other = "m2m:fwr" if tpe != "m2m:fwr" else "m2m:bat"
    assert (await node.create(NODE, 13, {other: {"rn": "wrong", "mgd": mgd, **create}})).rsc == 4000

    before = got.pc
    for attrs in bad_update:
        reply = await node.update(NODE + "/obj", {tpe: attrs})
        assert reply.rsc == 4000 and reply.body["m2m:dbg"], (attrs, reply)
    assert (await node.retrieve(NODE + "/obj")).pc == before, "a refused Update changed the resource"

    reply = await node.update(NODE + "/obj", {tpe: update})
    assert reply.rsc == 2004, reply
    after = (await node.retrieve(NODE + "/obj")).pc
    assert {name: after.get(name) for name in update} == update
    assert {name: after.get(name) for name in stored} == stored
    assert after["mgd"] == mgd


async def test_hosted_ae_links_follow_the_aes_node_link(admin):
    node = await admin.create("/cse-in", 14, {"m2m:nod": {"rn": "gateway", "ni": "gw-1"}})
    assert node.rsc == 2001
    node_ri = node.pc["ri"]
    assert (await admin.register_ae("hosted", originator="Chosted", nl=node_ri)).rsc == 2001
    assert (await admin.retrieve("/cse-in/gateway")).pc["hael"] == ["Chosted"]
    moved = await admin.update("/cse-in/hosted", {"m2m:ae": {"nl": None}}, originator="Chosted")
    assert moved.rsc == 2004
    assert "hael" not in (await admin.retrieve("/cse-in/gateway")).pc
    await admin.update("/cse-in/hosted", {"m2m:ae": {"nl": node_ri}}, originator="Chosted")
    assert (await admin.delete("/cse-in/hosted")).rsc == 2002
    assert "hael" not in (await admin.retrieve("/cse-in/gateway")).pc
    bad = await admin.register_ae("lost", originator="Clost", nl="cse-in/nothing")
    assert bad.rsc == 4000 and "nl" in bad.body["m2m:dbg"]
