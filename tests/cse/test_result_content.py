"""Result Content (rcn) for Create, Retrieve, Update and Delete (TS-0001 8.1.2, TS-0004 7.3.3.12).

The tree below the AE 'rc', created in this order:

    box          container
      c1         cin "one"
      c2         cin "two"
      inner      container
        i1       cin "deep"
      c3         cin "three"
"""

from __future__ import annotations

from typing import Any

import pytest

AE = "/cse-in/rc"
BOX = f"{AE}/box"
ORIGINATOR = "Crc"
BOX_DESCENDANTS = ["c1", "c2", "inner", "i1", "c3"]


@pytest.fixture
async def rc(client):
    assert (await client.register_ae("rc", originator=ORIGINATOR)).rsc == 2001
    client.originator = ORIGINATOR
    for parent, ty, body in [
        (AE, 3, {"m2m:cnt": {"rn": "box"}}),
        (BOX, 4, {"m2m:cin": {"rn": "c1", "con": "one"}}),
        (BOX, 4, {"m2m:cin": {"rn": "c2", "con": "two"}}),
        (BOX, 3, {"m2m:cnt": {"rn": "inner"}}),
        (f"{BOX}/inner", 4, {"m2m:cin": {"rn": "i1", "con": "deep"}}),
        (BOX, 4, {"m2m:cin": {"rn": "c3", "con": "three"}}),
    ]:
        reply = await client.create(parent, ty, body)
        assert reply.rsc == 2001, reply
    return client


def names(bodies: list[dict[str, Any]]) -> list[str]:
    return [body["rn"] for body in bodies]


def vals(references: list[dict[str, Any]]) -> list[str]:
    return [ref["val"] for ref in references]


def box_path(name: str) -> str:
    return "cse-in/rc/box/inner/i1" if name == "i1" else f"cse-in/rc/box/{name}"


# -- Create ------------------------------------------------------------------------------------


async def test_create_default_returns_the_attributes(rc):
    reply = await rc.create(AE, 3, {"m2m:cnt": {"rn": "new", "lbl": ["x"]}})
    assert reply.rsc == 2001 and reply.status == 201
    cnt = reply.body["m2m:cnt"]
    assert cnt["rn"] == "new" and cnt["ty"] == 3 and cnt["lbl"] == ["x"] and cnt["cni"] == 0
    assert {"ri", "pi", "ct", "lt", "et", "st"} <= cnt.keys()


async def test_create_rcn_1_is_the_default(rc):
    explicit = await rc.create(f"{AE}?rcn=1", 3, {"m2m:cnt": {"rn": "new"}})
    assert explicit.rsc == 2001
    assert explicit.body["m2m:cnt"] == (await rc.retrieve(f"{AE}/new")).body["m2m:cnt"]


async def test_create_rcn_0_returns_no_content(rc):
    reply = await rc.create(f"{AE}?rcn=0", 3, {"m2m:cnt": {"rn": "quiet"}})
    assert reply.rsc == 2001 and reply.status == 201
    assert reply.raw == b"" and reply.body is None
    assert reply.headers["Content-Location"] == "/cse-in/rc/quiet"
    assert (await rc.retrieve(f"{AE}/quiet")).rsc == 2000


async def test_create_rcn_2_returns_the_hierarchical_address(rc):
    reply = await rc.create(f"{BOX}/inner?rcn=2", 3, {"m2m:cnt": {"rn": "deeper"}})
    assert reply.rsc == 2001
    assert reply.body == {"m2m:uri": "cse-in/rc/box/inner/deeper"}
    assert (await rc.retrieve("/" + reply.body["m2m:uri"])).pc["rn"] == "deeper"


async def test_create_rcn_3_returns_the_resource_and_its_address(rc):
    reply = await rc.create(f"{BOX}?rcn=3", 4, {"m2m:cin": {"rn": "c4", "con": "four"}})
    assert reply.rsc == 2001
    rce = reply.body["m2m:rce"]
    assert rce["uri"] == "cse-in/rc/box/c4"
    assert rce["m2m:cin"]["con"] == "four" and rce["m2m:cin"]["rn"] == "c4" and rce["m2m:cin"]["cs"] == 4
    assert set(rce) == {"uri", "m2m:cin"}


@pytest.mark.parametrize("media", ["xml", "cbor"])
async def test_create_rcn_2_and_3_in_other_serializations(rc, media):
    uri = await rc.create(f"{AE}?rcn=2", 3, {"m2m:cnt": {"rn": f"u{media}"}}, media=media)
    assert uri.rsc == 2001 and uri.body == {"m2m:uri": f"cse-in/rc/u{media}"}
    rce = await rc.create(f"{AE}?rcn=3", 3, {"m2m:cnt": {"rn": f"r{media}"}}, media=media)
    assert rce.rsc == 2001 and rce.body["m2m:rce"]["uri"] == f"cse-in/rc/r{media}"
    assert rce.body["m2m:rce"]["m2m:cnt"]["rn"] == f"r{media}"


@pytest.mark.parametrize("rcn", [4, 5, 6, 7, 8, 11])
async def test_create_refuses_result_contents_of_other_operations(rc, rcn):
    reply = await rc.create(f"{AE}?rcn={rcn}", 3, {"m2m:cnt": {"rn": "refused"}})
    assert reply.rsc == 4000 and reply.status == 400 and "rcn" in reply.body["m2m:dbg"]
    assert (await rc.retrieve(f"{AE}/refused")).rsc == 4004


async def test_create_rcn_9_returns_what_the_cse_set(rc):
    reply = await rc.create(f"{AE}?rcn=9", 3, {"m2m:cnt": {"rn": "mod", "lbl": ["given"]}})
    assert reply.rsc == 2001, reply
    cnt = reply.body["m2m:cnt"]
    # What the CSE assigned is reported; what the request set as asked is not.
    assert {"ri", "ct", "cni"} <= cnt.keys() and "lbl" not in cnt


# -- Retrieve ----------------------------------------------------------------------------------


async def test_retrieve_rcn_1_is_the_default_and_has_no_children(rc):
    default = await rc.retrieve(BOX)
    explicit = await rc.retrieve(f"{BOX}?rcn=1")
    assert default.rsc == explicit.rsc == 2000
    assert default.body == explicit.body
    box = default.pc
    assert box["rn"] == "box" and box["cni"] == 3
    assert not any(key.startswith("m2m:") for key in box) and "ch" not in box


async def test_retrieve_rcn_4_nests_children_by_type(rc):
    reply = await rc.retrieve(f"{BOX}?rcn=4")
    assert reply.rsc == 2000
    box = reply.body["m2m:cnt"]
    assert box["rn"] == "box" and box["cni"] == 3  # the attributes of the target
    assert names(box["m2m:cin"]) == ["c1", "c2", "c3"]
    assert [cin["con"] for cin in box["m2m:cin"]] == ["one", "two", "three"]
    (inner,) = box["m2m:cnt"]
    assert inner["rn"] == "inner" and names(inner["m2m:cin"]) == ["i1"]
    assert inner["m2m:cin"][0]["con"] == "deep"


async def test_retrieve_rcn_4_of_a_resource_without_children(rc):
    reply = await rc.retrieve(f"{BOX}/c1?rcn=4")
    assert reply.rsc == 2000 and reply.body == {"m2m:cin": (await rc.retrieve(f"{BOX}/c1")).pc}


async def test_retrieve_rcn_8_returns_only_the_children(rc):
    reply = await rc.retrieve(f"{BOX}?rcn=8")
    assert reply.rsc == 2000
    body = reply.body["m2m:cnt"]
    assert set(body) == {"m2m:cin", "m2m:cnt"}  # none of the container's own attributes
    assert names(body["m2m:cin"]) == ["c1", "c2", "c3"]
    assert names(body["m2m:cnt"]) == ["inner"] and names(body["m2m:cnt"][0]["m2m:cin"]) == ["i1"]


async def test_retrieve_rcn_5_adds_child_references(rc):
    reply = await rc.retrieve(f"{BOX}?rcn=5")
    assert reply.rsc == 2000
    box = reply.body["m2m:cnt"]
    assert box["rn"] == "box" and box["cni"] == 3
    assert "m2m:cin" not in box
    references = box["ch"]
    assert [ref["nm"] for ref in references] == BOX_DESCENDANTS
    assert [ref["typ"] for ref in references] == [4, 4, 3, 4, 4]
    assert vals(references) == [box_path(name) for name in BOX_DESCENDANTS]


async def test_retrieve_rcn_6_returns_child_resource_references_only(rc):
    reply = await rc.retrieve(f"{BOX}?rcn=6")
    assert reply.rsc == 2000
    assert set(reply.body) == {"m2m:rrl"}
    references = reply.body["m2m:rrl"]["rrf"]
    assert vals(references) == [box_path(name) for name in BOX_DESCENDANTS]
    assert {ref["nm"]: ref["typ"] for ref in references}["inner"] == 3
    # Each reference addresses its resource.
    assert (await rc.retrieve("/" + references[-1]["val"])).pc["con"] == "three"


async def test_child_references_with_level_1_are_the_direct_children(rc):
    references = (await rc.retrieve(f"{BOX}?rcn=6&lvl=1")).body["m2m:rrl"]["rrf"]
    assert [ref["nm"] for ref in references] == ["c1", "c2", "inner", "c3"]
    ch = (await rc.retrieve(f"{BOX}?rcn=5&lvl=1")).body["m2m:cnt"]["ch"]
    assert [ref["nm"] for ref in ch] == ["c1", "c2", "inner", "c3"]


async def test_child_references_unstructured_with_drt_2(rc):
    references = (await rc.retrieve(f"{BOX}?rcn=6&drt=2&lvl=1")).body["m2m:rrl"]["rrf"]
    c1 = (await rc.retrieve(f"{BOX}/c1")).pc
    assert references[0]["val"] == c1["ri"] and "/" not in references[0]["val"]


async def test_child_references_of_a_resource_without_children(rc):
    assert (await rc.retrieve(f"{BOX}/c1?rcn=6")).body == {"m2m:rrl": {"rrf": []}}
    assert (await rc.retrieve(f"{BOX}/c1?rcn=5")).body["m2m:cin"]["ch"] == []


@pytest.mark.parametrize("rcn", [0, 2, 3, 9])
async def test_retrieve_refuses_result_contents_of_other_operations(rc, rcn):
    reply = await rc.retrieve(f"{BOX}?rcn={rcn}")
    assert reply.rsc == 4000 and reply.status == 400 and "rcn" in reply.body["m2m:dbg"]


@pytest.mark.parametrize("value", ["12", "-1", "x", ""])
async def test_unknown_rcn_values_are_bad_requests(rc, value):
    assert (await rc.retrieve(f"{BOX}?rcn={value}")).rsc == 4000


# -- rcn=4 with level, limit and offset --------------------------------------------------------


async def test_rcn_4_with_level_1_leaves_out_grandchildren(rc):
    box = (await rc.retrieve(f"{BOX}?rcn=4&lvl=1")).body["m2m:cnt"]
    assert names(box["m2m:cin"]) == ["c1", "c2", "c3"]
    (inner,) = box["m2m:cnt"]
    assert inner["rn"] == "inner" and "m2m:cin" not in inner


async def test_rcn_4_with_level_0_has_no_children(rc):
    box = (await rc.retrieve(f"{BOX}?rcn=4&lvl=0")).body["m2m:cnt"]
    assert box["rn"] == "box" and "m2m:cin" not in box and "m2m:cnt" not in box


async def test_rcn_4_with_level_beyond_the_tree_returns_everything(rc):
    full = (await rc.retrieve(f"{BOX}?rcn=4")).body
    assert (await rc.retrieve(f"{BOX}?rcn=4&lvl=5")).body == full


@pytest.mark.parametrize(
    ("limit", "cins", "inner_cins"),
    [
        (1, ["c1"], None),
        (2, ["c1", "c2"], None),
        # parents come before their children: 'inner' is the third resource, 'i1' the fourth
        (3, ["c1", "c2"], []),
        (4, ["c1", "c2"], ["i1"]),
        (5, ["c1", "c2", "c3"], ["i1"]),
        (50, ["c1", "c2", "c3"], ["i1"]),
    ],
)
async def test_rcn_4_with_limit_counts_every_nested_resource(rc, limit, cins, inner_cins):
    box = (await rc.retrieve(f"{BOX}?rcn=4&lim={limit}")).body["m2m:cnt"]
    assert box["rn"] == "box"
    assert names(box.get("m2m:cin", [])) == cins
    if inner_cins is None:
        assert "m2m:cnt" not in box
    else:
        (inner,) = box["m2m:cnt"]
        assert names(inner.get("m2m:cin", [])) == inner_cins


async def test_rcn_4_with_limit_0_has_no_children(rc):
    box = (await rc.retrieve(f"{BOX}?rcn=4&lim=0")).body["m2m:cnt"]
    assert box["rn"] == "box" and "m2m:cin" not in box and "m2m:cnt" not in box


async def test_rcn_4_with_level_and_limit_together(rc):
    box = (await rc.retrieve(f"{BOX}?rcn=4&lvl=1&lim=4")).body["m2m:cnt"]
    assert names(box["m2m:cin"]) == ["c1", "c2", "c3"]
    assert names(box["m2m:cnt"]) == ["inner"] and "m2m:cin" not in box["m2m:cnt"][0]


async def test_rcn_4_with_offset_starts_at_a_direct_child(rc):
    box = (await rc.retrieve(f"{BOX}?rcn=4&ofst=3")).body["m2m:cnt"]
    assert names(box["m2m:cin"]) == ["c3"]
    assert names(box["m2m:cnt"][0]["m2m:cin"]) == ["i1"]  # the offset applies to direct children only
    box = (await rc.retrieve(f"{BOX}?rcn=4&ofst=2&lim=2")).body["m2m:cnt"]
    assert names(box["m2m:cin"]) == ["c2"] and names(box["m2m:cnt"]) == ["inner"]


async def test_rcn_4_and_8_apply_filter_criteria_to_the_children(rc):
    box = (await rc.retrieve(f"{BOX}?rcn=4&ty=4")).body["m2m:cnt"]
    assert box["rn"] == "box" and names(box["m2m:cin"]) == ["c1", "c2", "c3"] and "m2m:cnt" not in box
    only = (await rc.retrieve(f"{BOX}?rcn=8&ty=3")).body["m2m:cnt"]
    assert set(only) == {"m2m:cnt"}
    assert names(only["m2m:cnt"]) == ["inner"] and "m2m:cin" not in only["m2m:cnt"][0]


async def test_rcn_8_with_limit(rc):
    body = (await rc.retrieve(f"{BOX}?rcn=8&lim=2")).body["m2m:cnt"]
    assert body == {"m2m:cin": body["m2m:cin"]} and names(body["m2m:cin"]) == ["c1", "c2"]


async def test_children_the_originator_may_not_retrieve_are_left_out(rc):
    acp = {"m2m:acp": {"rn": "guestAcp", "pv": {"acr": [{"acor": ["Cguest"], "acop": 2}]},
                       "pvs": {"acr": [{"acor": [ORIGINATOR], "acop": 63}]}}}
    acp_ri = (await rc.create(AE, 1, acp)).pc["ri"]
    closed = {"m2m:acp": {"rn": "closedAcp", "pv": {"acr": [{"acor": ["Cnobody"], "acop": 2}]},
                          "pvs": {"acr": [{"acor": [ORIGINATOR], "acop": 63}]}}}
    closed_ri = (await rc.create(AE, 1, closed)).pc["ri"]
    assert (await rc.update(BOX, {"m2m:cnt": {"acpi": [acp_ri]}})).rsc == 2004
    assert (await rc.update(f"{BOX}/inner", {"m2m:cnt": {"acpi": [closed_ri]}})).rsc == 2004
    box = (await rc.retrieve(f"{BOX}?rcn=4", originator="Cguest")).body["m2m:cnt"]
    assert names(box["m2m:cin"]) == ["c1", "c2", "c3"] and "m2m:cnt" not in box
    references = (await rc.retrieve(f"{BOX}?rcn=6", originator="Cguest")).body["m2m:rrl"]["rrf"]
    assert [ref["nm"] for ref in references] == ["c1", "c2", "c3"]
    # The owner still sees everything.
    owner_view = (await rc.retrieve(f"{BOX}?rcn=6")).body["m2m:rrl"]["rrf"]
    assert [ref["nm"] for ref in owner_view] == BOX_DESCENDANTS


# -- serializations of nested content and references --------------------------------------------


async def test_rcn_4_and_5_in_xml(rc):
    nested = await rc.retrieve(f"{BOX}?rcn=4", media="xml")
    assert nested.rsc == 2000 and b'<m2m:cnt' in nested.raw and b'rn="box"' in nested.raw
    box = nested.body["m2m:cnt"]
    assert names(box["m2m:cin"]) == ["c1", "c2", "c3"]
    assert box["m2m:cnt"]["rn"] == "inner"  # a single element is not a list in XML
    refs = await rc.retrieve(f"{BOX}?rcn=5&lvl=1", media="xml")
    assert refs.rsc == 2000
    # A child resource reference carries nm and typ as XML attributes, the address as text.
    assert b"<ch " in refs.raw and b">cse-in/rc/box/c1</ch>" in refs.raw
    ch = refs.body["m2m:cnt"]["ch"]
    assert [ref["nm"] for ref in ch] == ["c1", "c2", "inner", "c3"] and ch[2]["typ"] == "3"
    assert [ref["val"] for ref in ch] == [box_path(name) for name in ["c1", "c2", "inner", "c3"]]


async def test_rcn_6_in_cbor(rc):
    reply = await rc.retrieve(f"{BOX}?rcn=6&lvl=1", media="cbor")
    assert reply.rsc == 2000 and "cbor" in reply.headers["Content-Type"]
    assert [ref["nm"] for ref in reply.body["m2m:rrl"]["rrf"]] == ["c1", "c2", "inner", "c3"]


# -- Update ------------------------------------------------------------------------------------


async def test_update_default_returns_all_attributes(rc):
    reply = await rc.update(BOX, {"m2m:cnt": {"lbl": ["new"]}})
    assert reply.rsc == 2004 and reply.status == 200
    box = reply.body["m2m:cnt"]
    assert box["lbl"] == ["new"] and box["rn"] == "box" and box["cni"] == 3 and "ri" in box


async def test_update_rcn_1_equals_a_following_retrieve(rc):
    reply = await rc.update(f"{BOX}?rcn=1", {"m2m:cnt": {"mni": 10}})
    assert reply.rsc == 2004
    assert reply.body == (await rc.retrieve(BOX)).body


async def test_update_rcn_0_returns_no_content(rc):
    reply = await rc.update(f"{BOX}?rcn=0", {"m2m:cnt": {"lbl": ["silent"]}})
    assert reply.rsc == 2004 and reply.raw == b"" and reply.body is None
    assert (await rc.retrieve(BOX)).pc["lbl"] == ["silent"]


async def test_update_rcn_9_returns_modified_attributes_only(rc):
    before = (await rc.retrieve(BOX)).pc
    reply = await rc.update(f"{BOX}?rcn=9", {"m2m:cnt": {"lbl": ["mod"]}})
    assert reply.rsc == 2004
    modified = reply.body["m2m:cnt"]
    # The CSE changed lastModifiedTime and stateTag along with the update.
    assert modified["lt"] > before["lt"] and modified["st"] == before["st"] + 1
    for unchanged in ("ri", "rn", "ct", "pi", "cni", "cbs", "et", "ty"):
        assert unchanged not in modified, unchanged


async def test_update_rcn_9_leaves_out_attributes_set_as_requested(rc):
    reply = await rc.update(f"{BOX}?rcn=9", {"m2m:cnt": {"lbl": ["mod"]}})
    assert reply.rsc == 2004
    assert "lbl" not in reply.body["m2m:cnt"]


@pytest.mark.parametrize("rcn", [2, 3, 4, 5, 6, 7, 8])
async def test_update_refuses_result_contents_of_other_operations(rc, rcn):
    reply = await rc.update(f"{BOX}?rcn={rcn}", {"m2m:cnt": {"lbl": ["refused"]}})
    assert reply.rsc == 4000 and reply.status == 400
    assert "lbl" not in (await rc.retrieve(BOX)).pc


# -- Delete ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?rcn=0"])
async def test_delete_returns_nothing_by_default(rc, query):
    reply = await rc.delete(f"{BOX}/c1{query}")
    assert reply.rsc == 2002 and reply.status == 200
    assert reply.raw == b"" and reply.body is None
    assert (await rc.retrieve(f"{BOX}/c1")).rsc == 4004


async def test_delete_rcn_1_returns_the_deleted_resource(rc):
    reply = await rc.delete(f"{BOX}/c1?rcn=1")
    assert reply.rsc == 2002, reply
    assert reply.body["m2m:cin"]["rn"] == "c1" and reply.body["m2m:cin"]["con"] == "one"
    assert (await rc.retrieve(f"{BOX}/c1")).rsc == 4004


async def test_delete_rcn_6_returns_references_to_what_was_deleted(rc):
    reply = await rc.delete(f"{BOX}/inner?rcn=6")
    assert reply.rsc == 2002, reply
    assert [ref["nm"] for ref in reply.body["m2m:rrl"]["rrf"]] == ["i1"]


@pytest.mark.parametrize("rcn", [2, 3, 7, 9])
async def test_delete_refuses_result_contents_of_other_operations(rc, rcn):
    reply = await rc.delete(f"{BOX}/c1?rcn={rcn}")
    assert reply.rsc == 4000 and reply.status == 400
    assert (await rc.retrieve(f"{BOX}/c1")).rsc == 2000
