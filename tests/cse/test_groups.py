"""<group> and its fanOutPoint over HTTP (TS-0001 clause 9.6.13-14 and 10.2.7, TS-0004 clause
7.4.13-14).

An owner AE 'Cowner' holds containers and groups of them; other originators get what policies
grant. Requests sent to '<group>/fopt[/path]' come back as one m2m:agr with an m2m:rsp entry per
member: rsc, rqi, pc, to (the originator) and fr (the member as the group names it).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from tests.notification_receiver import NotificationReceiver

OWNER = "Cowner"
AE = "/cse-in/owner"
BASE = "cse-in/owner"  # members are named CSE-relative, as the originator would
CREATE, RETRIEVE, UPDATE, DELETE, DISCOVERY = 1, 2, 4, 8, 32
ALL_OPS = 63
ABANDON_MEMBER, ABANDON_GROUP, SET_MIXED = 1, 2, 3
MIXED, TY_AE, TY_CNT, TY_GRP = 0, 2, 3, 9


@pytest.fixture
async def owner(client):
    assert (await client.register_ae("owner", originator=OWNER)).rsc == 2001
    client.originator = OWNER
    return client


async def cnt(client, rn: str, parent: str = AE, **attrs) -> dict[str, Any]:
    reply = await client.create(parent, 3, {"m2m:cnt": {"rn": rn, **attrs}}, originator=OWNER)
    assert reply.rsc == 2001, reply
    return reply.pc


async def containers(client, *names: str) -> list[str]:
    for name in names:
        await cnt(client, name)
    return [f"{BASE}/{name}" for name in names]


async def make_group(client, rn: str, mid: list[str], mt: int = TY_CNT, mnm: int = 10,
                     parent: str = AE, originator: str = OWNER, **attrs):
    body = {"m2m:grp": {"rn": rn, "mt": mt, "mnm": mnm, "mid": mid, **attrs}}
    return await client.create(parent, 9, body, originator=originator)


async def group(client, rn: str, mid: list[str], **kw) -> dict[str, Any]:
    reply = await make_group(client, rn, mid, **kw)
    assert reply.rsc == 2001, reply
    return reply.pc


async def make_acp(client, rn: str, acor: list[str], acop: int) -> str:
    body = {"m2m:acp": {"rn": rn, "pv": {"acr": [{"acor": acor, "acop": acop}]},
                        "pvs": {"acr": [{"acor": [OWNER], "acop": ALL_OPS}]}}}
    reply = await client.create(AE, 1, body, originator=OWNER)
    assert reply.rsc == 2001, reply
    return reply.pc["ri"]


def entries(reply) -> list[dict[str, Any]]:
    assert reply.rsc == 2000 and reply.status == 200, reply
    return reply.body["m2m:agr"]["m2m:rsp"]


def by_member(reply) -> dict[str, dict[str, Any]]:
    return {entry["fr"]: entry for entry in entries(reply)}


def codes(reply) -> dict[str, int]:
    return {entry["fr"]: entry["rsc"] for entry in entries(reply)}


# -- the group resource ------------------------------------------------------------------------


async def test_create_and_retrieve_a_group_with_its_attributes(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    acp = await make_acp(owner, "members", ["Cguest"], RETRIEVE)
    created = await make_group(owner, "lights", [c1, c2], gn="all lights", lbl=["room/1"], macp=[acp], cr=None)
    assert created.rsc == 2001 and created.headers["Content-Location"] == f"{AE}/lights"
    grp = created.pc
    assert grp["ty"] == 9 and grp["rn"] == "lights" and grp["pi"] == OWNER
    assert grp["mt"] == TY_CNT and grp["mnm"] == 10 and grp["mid"] == [c1, c2] and grp["cnm"] == 2
    assert grp["mtv"] is True and grp["csy"] == ABANDON_MEMBER and grp["ssi"] is False
    assert grp["gn"] == "all lights" and grp["lbl"] == ["room/1"] and grp["macp"] == [acp]
    assert grp["cr"] == OWNER
    retrieved = await owner.retrieve(f"{AE}/lights")
    assert retrieved.rsc == 2000 and retrieved.pc == grp
    # By its resource ID as well, and under the CSEBase too.
    assert (await owner.retrieve(f"/{grp['ri']}")).pc["rn"] == "lights"
    top = await make_group(owner, "top", [c1], parent="/cse-in", originator="CAdmin")
    assert top.rsc == 2001 and top.pc["pi"] == "id-in"


async def test_mandatory_attributes_and_types(owner):
    c1, = await containers(owner, "c1")
    for missing in ("mt", "mnm", "mid"):
        body = {"mt": TY_CNT, "mnm": 5, "mid": [c1]}
        del body[missing]
        reply = await owner.create(AE, 9, {"m2m:grp": body})
        assert reply.rsc == 4000 and missing in reply.body["m2m:dbg"], reply
    for attrs, word in (
        ({"mnm": 0}, "mnm"),
        ({"mt": 999}, "mt"),
        ({"mt": "container"}, "mt"),
        ({"csy": 4}, "csy"),
        ({"mid": "c1"}, "mid"),
        ({"mid": [1]}, "mid"),
        ({"cnm": 1}, "cnm"),
        ({"mtv": True}, "mtv"),
        ({"ssi": True}, "ssi"),
    ):
        body = {"rn": "g", "mt": TY_CNT, "mnm": 5, "mid": [c1], **attrs}
        reply = await owner.create(AE, 9, {"m2m:grp": body})
        assert reply.rsc == 4000 and word in reply.body["m2m:dbg"], (attrs, reply)
    assert (await owner.retrieve(f"{AE}/g")).rsc == 4004


async def test_an_empty_group_is_allowed(owner):
    grp = await group(owner, "empty", [])
    assert grp["mid"] == [] and grp["cnm"] == 0 and grp["mtv"] is True


async def test_members_in_every_id_form(owner):
    names = ["u", "s", "dash", "sp", "sps", "abs"]
    pcs = {name: await cnt(owner, name) for name in names}
    mid = [
        pcs["u"]["ri"],                            # unstructured, CSE-relative
        f"{BASE}/s",                               # structured, CSE-relative
        "-/owner/dash",                            # structured with '-' for the CSEBase
        f"/id-in/{pcs['sp']['ri']}",               # SP-relative, unstructured
        "/id-in/cse-in/owner/sps",                 # SP-relative, structured
        f"//example.com/id-in/{pcs['abs']['ri']}",  # absolute
    ]
    grp = await group(owner, "forms", mid)
    assert grp["mid"] == mid and grp["cnm"] == 6 and grp["mtv"] is True
    found = by_member(await owner.retrieve(f"{AE}/forms/fopt"))
    assert list(found) == mid
    for member, name in zip(mid, names):
        assert found[member]["rsc"] == 2000 and found[member]["pc"]["m2m:cnt"]["rn"] == name


async def test_duplicates_are_removed_in_any_form(owner):
    pc = await cnt(owner, "c1")
    c2, = await containers(owner, "c2")
    mid = [f"{BASE}/c1", pc["ri"], c2, f"/id-in/{pc['ri']}", "-/owner/c1", c2]
    grp = await group(owner, "dups", mid)
    assert grp["mid"] == [f"{BASE}/c1", c2] and grp["cnm"] == 2
    updated = await owner.update(f"{AE}/dups", {"m2m:grp": {"mid": [c2, c2, pc["ri"], f"{BASE}/c1"]}})
    assert updated.rsc == 2004 and updated.pc["mid"] == [c2, pc["ri"]] and updated.pc["cnm"] == 2


async def test_update_group_attributes(owner):
    c1, c2, c3 = await containers(owner, "c1", "c2", "c3")
    await group(owner, "g", [c1])
    acp = await make_acp(owner, "members", ["Cguest"], RETRIEVE)
    reply = await owner.update(f"{AE}/g", {"m2m:grp": {"gn": "renamed", "lbl": ["x"], "macp": [acp], "mid": [c1, c2, c3]}})
    assert reply.rsc == 2004, reply
    assert reply.pc["gn"] == "renamed" and reply.pc["macp"] == [acp]
    assert reply.pc["mid"] == [c1, c2, c3] and reply.pc["cnm"] == 3
    reply = await owner.update(f"{AE}/g", {"m2m:grp": {"mid": [c3], "mnm": 1, "macp": None}})
    assert reply.rsc == 2004 and reply.pc["mid"] == [c3] and reply.pc["cnm"] == 1 and reply.pc["mnm"] == 1
    assert "macp" not in reply.pc
    # Write-once, read-only and mandatory attributes.
    for attrs, word in (
        ({"csy": SET_MIXED}, "csy"),
        ({"cnm": 5}, "cnm"),
        ({"mtv": False}, "mtv"),
        ({"ssi": True}, "ssi"),
        ({"mid": None}, "mid"),
        ({"mt": None}, "mt"),
        ({"mnm": None}, "mnm"),
    ):
        refused = await owner.update(f"{AE}/g", {"m2m:grp": attrs})
        assert refused.rsc == 4000 and word in refused.body["m2m:dbg"], (attrs, refused)
    assert (await owner.retrieve(f"{AE}/g")).pc["mid"] == [c3]


async def test_delete_group_leaves_its_members(owner):
    c1, = await containers(owner, "c1")
    await group(owner, "g", [c1])
    assert (await owner.delete(f"{AE}/g")).rsc == 2002
    assert (await owner.retrieve(f"{AE}/g")).rsc == 4004
    assert (await owner.retrieve(f"{AE}/g/fopt")).rsc == 4004
    assert (await owner.retrieve(f"{AE}/c1")).rsc == 2000


async def test_fopt_is_a_reserved_name_under_a_group(owner):
    await group(owner, "g", [])
    reply = await owner.create(f"{AE}/g", 23, {"m2m:sub": {"rn": "fopt", "nu": [OWNER]}})
    assert reply.rsc == 4000 and "reserved" in reply.body["m2m:dbg"]


async def test_group_children(owner):
    await group(owner, "g", [])
    refused = await owner.create(f"{AE}/g", 3, {"m2m:cnt": {"rn": "x"}})
    assert refused.rsc == 4108, refused


async def test_subscription_on_a_group_hears_of_its_updates(owner):
    c1, = await containers(owner, "c1")
    await group(owner, "g", [])
    receiver = await NotificationReceiver().start()
    try:
        sub = await owner.create(f"{AE}/g", 23, {"m2m:sub": {"rn": "watch", "nu": [receiver.url]}})
        assert sub.rsc == 2001, sub
        assert (await owner.update(f"{AE}/g", {"m2m:grp": {"mid": [c1]}})).rsc == 2004
        (note,) = await receiver.wait_notifications(1)
        assert note.sgn["nev"]["rep"]["m2m:grp"]["mid"] == [c1]
        assert note.sgn["nev"]["rep"]["m2m:grp"]["cnm"] == 1
    finally:
        await receiver.stop()


# -- maxNrOfMembers ----------------------------------------------------------------------------


async def test_more_members_than_maxNrOfMembers(owner):
    c1, c2, c3 = await containers(owner, "c1", "c2", "c3")
    reply = await make_group(owner, "g", [c1, c2], mnm=1)
    assert reply.rsc == 6010 and reply.status == 400 and "maxNrOfMembers" in reply.body["m2m:dbg"]
    assert (await owner.retrieve(f"{AE}/g")).rsc == 4004
    # Duplicates do not count.
    assert (await make_group(owner, "g", [c1, c1], mnm=1)).rsc == 2001
    reply = await owner.update(f"{AE}/g", {"m2m:grp": {"mid": [c1, c2]}})
    assert reply.rsc == 6010
    await group(owner, "h", [c1, c2, c3], mnm=5)
    reply = await owner.update(f"{AE}/h", {"m2m:grp": {"mnm": 2}})
    assert reply.rsc == 6010 and "current number of members" in reply.body["m2m:dbg"]
    unchanged = (await owner.retrieve(f"{AE}/h")).pc
    assert unchanged["mnm"] == 5 and unchanged["cnm"] == 3
    assert (await owner.update(f"{AE}/h", {"m2m:grp": {"mnm": 3}})).rsc == 2004
    assert (await owner.update(f"{AE}/h", {"m2m:grp": {"mnm": 2, "mid": [c1, c2]}})).rsc == 2004


# -- member type validation ------------------------------------------------------------------


async def test_abandon_member_is_the_default(owner):
    c1, = await containers(owner, "c1")
    grp = await group(owner, "g", [c1, BASE], mt=TY_CNT)
    assert grp["csy"] == ABANDON_MEMBER and grp["mid"] == [c1] and grp["cnm"] == 1
    assert grp["mt"] == TY_CNT and grp["mtv"] is True
    grp = await group(owner, "h", [BASE, c1], mt=TY_AE, csy=ABANDON_MEMBER)
    assert grp["mid"] == [BASE] and grp["mt"] == TY_AE


async def test_abandon_group_refuses_a_member_of_another_type(owner):
    c1, = await containers(owner, "c1")
    reply = await make_group(owner, "g", [c1, BASE], mt=TY_CNT, csy=ABANDON_GROUP)
    assert reply.rsc == 4110 and reply.status == 400, reply
    assert BASE in reply.body["m2m:dbg"] and "ABANDON_GROUP" in reply.body["m2m:dbg"]
    assert (await owner.retrieve(f"{AE}/g")).rsc == 4004
    # An update that would add one is refused the same way, and changes nothing.
    await group(owner, "g", [c1], csy=ABANDON_GROUP)
    reply = await owner.update(f"{AE}/g", {"m2m:grp": {"mid": [c1, BASE], "gn": "x"}})
    assert reply.rsc == 4110
    unchanged = (await owner.retrieve(f"{AE}/g")).pc
    assert unchanged["mid"] == [c1] and "gn" not in unchanged


async def test_set_mixed_turns_the_group_mixed(owner):
    c1, = await containers(owner, "c1")
    grp = await group(owner, "g", [c1, BASE], mt=TY_CNT, csy=SET_MIXED)
    assert grp["mt"] == MIXED and grp["mid"] == [c1, BASE] and grp["mtv"] is True and grp["csy"] == SET_MIXED
    grp = await group(owner, "h", [c1], mt=TY_CNT, csy=SET_MIXED)
    updated = await owner.update(f"{AE}/h", {"m2m:grp": {"mid": [c1, BASE]}})
    assert updated.rsc == 2004 and updated.pc["mt"] == MIXED


async def test_mixed_groups_take_any_member(owner):
    c1, = await containers(owner, "c1")
    acp = await make_acp(owner, "p", ["Cguest"], RETRIEVE)
    grp = await group(owner, "g", [c1, BASE, acp], mt=MIXED, csy=ABANDON_GROUP)
    assert grp["mt"] == MIXED and grp["cnm"] == 3 and grp["mtv"] is True
    found = by_member(await owner.retrieve(f"{AE}/g/fopt"))
    assert set(found[c1]["pc"]) == {"m2m:cnt"} and set(found[BASE]["pc"]) == {"m2m:ae"}
    assert set(found[acp]["pc"]) == {"m2m:acp"}


async def test_changing_the_member_type_revalidates_the_members(owner):
    c1, = await containers(owner, "c1")
    await group(owner, "g", [c1, BASE], mt=MIXED)
    updated = await owner.update(f"{AE}/g", {"m2m:grp": {"mt": TY_CNT}})
    assert updated.rsc == 2004 and updated.pc["mt"] == TY_CNT
    assert updated.pc["mid"] == [c1] and updated.pc["cnm"] == 1
    await group(owner, "h", [c1, BASE], mt=MIXED, csy=ABANDON_GROUP)
    assert (await owner.update(f"{AE}/h", {"m2m:grp": {"mt": TY_CNT}})).rsc == 4110
    assert (await owner.retrieve(f"{AE}/h")).pc["mt"] == MIXED
    assert (await owner.update(f"{AE}/h", {"m2m:grp": {"mt": 12345}})).rsc == 4000


async def test_unknown_members_are_refused(owner):
    c1, = await containers(owner, "c1")
    for unknown in (f"{BASE}/nothing", "cnt0000000000", "/id-in/cnt0000000000", "//example.com/id-in/nope"):
        reply = await make_group(owner, "g", [c1, unknown])
        assert reply.rsc == 4000 and unknown in reply.body["m2m:dbg"], reply
        assert (await owner.retrieve(f"{AE}/g")).rsc == 4004
    await group(owner, "g", [c1])
    reply = await owner.update(f"{AE}/g", {"m2m:grp": {"mid": [c1, f"{BASE}/nothing"]}})
    assert reply.rsc == 4000 and "nothing" in reply.body["m2m:dbg"]
    assert (await owner.retrieve(f"{AE}/g")).pc["mid"] == [c1]


async def test_malformed_and_virtual_member_ids_are_refused(owner):
    c1, = await containers(owner, "c1")
    for bad in ("", "/", " c1", f"{c1}/la", f"{c1}/ol", "//example.com/"):
        reply = await make_group(owner, "g", [c1, bad])
        assert reply.rsc == 4000, (bad, reply)
    reply = await make_group(owner, "g", [f"{c1}/la"])
    assert "virtual" in reply.body["m2m:dbg"]
    assert (await owner.retrieve(f"{AE}/g")).rsc == 4004


async def test_members_on_other_cses_are_kept_unvalidated_and_unreachable(owner):
    c1, = await containers(owner, "c1")
    remote = ["/id-mn/cnt123", "//other.example/id-in/cnt1"]
    # The same remote member in absolute form is a duplicate.
    grp = await group(owner, "g", [c1, *remote, "//example.com/id-mn/cnt123/"])
    assert grp["mid"] == [c1, *remote] and grp["cnm"] == 3 and grp["mtv"] is False
    assert (await group(owner, "m", [c1, *remote], mt=MIXED))["mtv"] is True
    found = codes(await owner.retrieve(f"{AE}/g/fopt"))
    assert found == {c1: 2000, remote[0]: 5103, remote[1]: 5103}
    dbg = by_member(await owner.retrieve(f"{AE}/g/fopt"))[remote[0]]["pc"]["m2m:dbg"]
    assert "/id-mn" in dbg


async def test_macp_must_name_policies(owner):
    c1, = await containers(owner, "c1")
    reply = await make_group(owner, "g", [c1], macp=[c1])
    assert reply.rsc == 4000 and "macp" in reply.body["m2m:dbg"]
    await group(owner, "g", [c1])
    reply = await owner.update(f"{AE}/g", {"m2m:grp": {"macp": ["acp0000000000"]}})
    assert reply.rsc == 4000 and "macp" in reply.body["m2m:dbg"]


# -- nested groups and loops -----------------------------------------------------------------


async def test_nested_groups_fan_out_to_every_member(owner):
    c1, c2, c3 = await containers(owner, "c1", "c2", "c3")
    inner = await group(owner, "inner", [c1, c2])
    outer = await group(owner, "outer", [c3, f"{BASE}/inner/fopt"])
    assert outer["mtv"] is True and outer["cnm"] == 2
    found = by_member(await owner.retrieve(f"{AE}/outer/fopt", rqi="nest"))
    assert list(found) == [c3, c1, c2]
    assert {entry["rqi"] for entry in found.values()} == {"nest"}
    assert all(entry["rsc"] == 2000 and "m2m:cnt" in entry["pc"] for entry in found.values())
    # Two levels deep, the inner group named by its resource ID.
    await group(owner, "top", [f"{inner['ri']}/fopt", f"{BASE}/outer/fopt"])
    assert [e["fr"] for e in entries(await owner.retrieve(f"{AE}/top/fopt"))] == [c1, c2, c3, c1, c2]


async def test_sub_group_counts_with_its_member_type(owner):
    c1, = await containers(owner, "c1")
    await group(owner, "cnts", [c1], mt=TY_CNT)
    await group(owner, "mixed", [c1], mt=MIXED)
    reply = await make_group(owner, "outer", [f"{BASE}/mixed/fopt"], mt=TY_CNT, csy=ABANDON_GROUP)
    assert reply.rsc == 4110 and "fanOutPoint" in reply.body["m2m:dbg"]
    grp = await group(owner, "outer", [f"{BASE}/cnts/fopt", f"{BASE}/mixed/fopt"], mt=TY_CNT)
    assert grp["mid"] == [f"{BASE}/cnts/fopt"]
    # Without '/fopt' a group is a member like any resource, of type group.
    grp = await group(owner, "groups", [f"{BASE}/cnts", f"{BASE}/mixed"], mt=TY_GRP, csy=ABANDON_GROUP)
    found = by_member(await owner.retrieve(f"{AE}/groups/fopt"))
    assert found[f"{BASE}/cnts"]["pc"]["m2m:grp"]["rn"] == "cnts"


async def test_a_group_cannot_contain_itself(owner):
    c1, = await containers(owner, "c1")
    a = await group(owner, "a", [c1])
    await group(owner, "b", [f"{BASE}/a/fopt"])
    reply = await owner.update(f"{AE}/a", {"m2m:grp": {"mid": [c1, f"{BASE}/b/fopt"]}})
    assert reply.rsc == 4000 and "member of itself" in reply.body["m2m:dbg"], reply
    assert (await owner.retrieve(f"{AE}/a")).pc["mid"] == [c1]
    for itself in (f"{BASE}/a/fopt", f"{BASE}/a/fopt/", f"/id-in/{a['ri']}/fopt"):
        reply = await owner.update(f"{AE}/a", {"m2m:grp": {"mid": [itself]}})
        assert reply.rsc == 4000 and "member of itself" in reply.body["m2m:dbg"], (itself, reply)
    # The group itself (not its fanOutPoint) may be a member of a mixed group: no loop.
    assert (await owner.update(f"{AE}/a", {"m2m:grp": {"mid": [f"{BASE}/a"], "mt": MIXED}})).rsc == 2004
    # Everything still answers.
    assert codes(await owner.retrieve(f"{AE}/b/fopt")) == {f"{BASE}/a": 2000}


async def test_a_loop_by_a_reused_name_is_refused_on_create(owner):
    c1, = await containers(owner, "c1")
    await group(owner, "b", [c1])
    await group(owner, "a", [f"{BASE}/b/fopt"])
    assert (await owner.delete(f"{AE}/b")).rsc == 2002
    # A new group under the old name would be reached from 'a', which it contains.
    reply = await make_group(owner, "b", [f"{BASE}/a/fopt"])
    assert reply.rsc == 4000 and "member of itself" in reply.body["m2m:dbg"], reply
    assert (await owner.retrieve(f"{AE}/b")).rsc == 4004
    assert codes(await owner.retrieve(f"{AE}/a/fopt")) == {f"{BASE}/b/fopt": 4004}


# -- the fanOutPoint ---------------------------------------------------------------------------


async def test_retrieve_through_fopt(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    await group(owner, "g", [c1, c2])
    reply = await owner.retrieve(f"{AE}/g/fopt", rqi="fan-1")
    assert reply.headers["X-M2M-RI"] == "fan-1"
    first, second = entries(reply)
    assert first["fr"] == c1 and second["fr"] == c2
    for entry, name in ((first, "c1"), (second, "c2")):
        assert entry["rsc"] == 2000 and entry["rqi"] == "fan-1" and entry["to"] == OWNER
        assert entry["pc"]["m2m:cnt"]["rn"] == name


async def test_create_through_fopt_and_retrieve_fopt_la(owner):
    c1, c2, c3 = await containers(owner, "c1", "c2", "c3")
    await group(owner, "g", [c1, c2, c3])
    created = await owner.create(f"{AE}/g/fopt", 4, {"m2m:cin": {"con": "on", "lbl": ["cmd"]}})
    assert created.status == 200
    for member, entry in by_member(created).items():
        assert entry["rsc"] == 2001, entry
        assert entry["pc"]["m2m:cin"]["con"] == "on"
    ris = {entry["pc"]["m2m:cin"]["ri"] for entry in entries(created)}
    assert len(ris) == 3
    for name in ("c1", "c2", "c3"):
        assert (await owner.retrieve(f"{AE}/{name}")).pc["cni"] == 1
    await owner.create(f"{AE}/c2", 4, {"m2m:cin": {"con": "off"}})
    latest = by_member(await owner.retrieve(f"{AE}/g/fopt/la"))
    assert {m: e["pc"]["m2m:cin"]["con"] for m, e in latest.items()} == {c1: "on", c2: "off", c3: "on"}
    oldest = by_member(await owner.retrieve(f"{AE}/g/fopt/ol"))
    assert {e["pc"]["m2m:cin"]["con"] for e in oldest.values()} == {"on"}


async def test_update_through_fopt(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    await group(owner, "g", [c1, c2])
    reply = await owner.update(f"{AE}/g/fopt", {"m2m:cnt": {"lbl": ["tagged"], "mni": 5}})
    assert codes(reply) == {c1: 2004, c2: 2004}
    for name in ("c1", "c2"):
        pc = (await owner.retrieve(f"{AE}/{name}")).pc
        assert pc["lbl"] == ["tagged"] and pc["mni"] == 5
    # Members refuse what does not fit them; each says why.
    reply = await owner.update(f"{AE}/g/fopt", {"m2m:cnt": {"cni": 1}})
    assert codes(reply) == {c1: 4000, c2: 4000}
    assert "cni" in entries(reply)[0]["pc"]["m2m:dbg"]


async def test_delete_through_fopt_path_and_members_deleted_later(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    await group(owner, "g", [c1, c2])
    for con in ("first", "second"):
        await owner.create(f"{AE}/g/fopt", 4, {"m2m:cin": {"con": con}})
    assert codes(await owner.delete(f"{AE}/g/fopt/la")) == {c1: 2002, c2: 2002}
    assert {e["pc"]["m2m:cin"]["con"] for e in entries(await owner.retrieve(f"{AE}/g/fopt/la"))} == {"first"}
    # Deleting through the fanOutPoint deletes the members themselves.
    assert codes(await owner.delete(f"{AE}/g/fopt")) == {c1: 2002, c2: 2002}
    assert (await owner.retrieve(f"{AE}/c1")).rsc == 4004
    # The group keeps naming them; they now answer as missing.
    assert (await owner.retrieve(f"{AE}/g")).pc["mid"] == [c1, c2]
    gone = by_member(await owner.retrieve(f"{AE}/g/fopt"))
    assert {m: e["rsc"] for m, e in gone.items()} == {c1: 4004, c2: 4004}
    assert "m2m:dbg" in gone[c1]["pc"]


async def test_a_vanished_member_does_not_block_other_updates(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    await group(owner, "g", [c1, c2], mt=TY_CNT)
    assert (await owner.delete(f"{AE}/c1")).rsc == 2002
    updated = await owner.update(f"{AE}/g", {"m2m:grp": {"gn": "still here", "mnm": 3}})
    assert updated.rsc == 2004 and updated.pc["mid"] == [c1, c2]
    updated = await owner.update(f"{AE}/g", {"m2m:grp": {"mid": [c1, c2]}})
    assert updated.rsc == 2004 and updated.pc["mtv"] is False
    assert codes(await owner.retrieve(f"{AE}/g/fopt")) == {c1: 4004, c2: 2000}


async def test_fopt_with_a_relative_path(owner):
    c1, c2, c3 = await containers(owner, "c1", "c2", "c3")
    for name in ("c1", "c2"):
        await cnt(owner, "temp", parent=f"{AE}/{name}")
    await group(owner, "g", [c1, c2, c3])
    found = by_member(await owner.retrieve(f"{AE}/g/fopt/temp"))
    assert found[c1]["rsc"] == 2000 and found[c1]["pc"]["m2m:cnt"]["rn"] == "temp"
    assert found[c2]["rsc"] == 2000 and found[c3]["rsc"] == 4004
    created = await owner.create(f"{AE}/g/fopt/temp", 4, {"m2m:cin": {"con": "21"}})
    assert codes(created) == {c1: 2001, c2: 2001, c3: 4004}
    assert (await owner.retrieve(f"{AE}/c1/temp/la")).pc["con"] == "21"
    latest = by_member(await owner.retrieve(f"{AE}/g/fopt/temp/la"))
    assert latest[c2]["pc"]["m2m:cin"]["con"] == "21"


async def test_fopt_passes_request_parameters_on(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    for name in ("c1", "c2"):
        await cnt(owner, "sub", parent=f"{AE}/{name}")
    await group(owner, "g", [c1, c2])
    # Result content: child resource references of every member.
    refs = by_member(await owner.retrieve(f"{AE}/g/fopt?rcn=6"))
    assert [r["nm"] for r in refs[c1]["pc"]["m2m:rrl"]["rrf"]] == ["sub"]
    # Discovery below every member.
    found = by_member(await owner.retrieve(f"{AE}/g/fopt?fu=1&ty=3"))
    assert found[c2]["pc"]["m2m:uril"] == [f"{BASE}/c2/sub"]
    # Create with rcn=0 returns no content per member.
    created = await owner.create(f"{AE}/g/fopt?rcn=0", 4, {"m2m:cin": {"con": "x"}})
    assert all(e["rsc"] == 2001 and "pc" not in e for e in entries(created))
    # What no member could accept is refused once.
    assert (await owner.retrieve(f"{AE}/g/fopt?rcn=9")).rsc == 4000


async def test_fopt_of_a_group_without_members(owner):
    await group(owner, "g", [])
    reply = await owner.retrieve(f"{AE}/g/fopt")
    assert reply.rsc == 4109 and reply.status == 403 and "no members" in reply.body["m2m:dbg"]
    assert (await owner.create(f"{AE}/g/fopt", 4, {"m2m:cin": {"con": "x"}})).rsc == 4109


async def test_groups_and_fopt_in_xml_and_cbor(owner):
    c1, c2 = await containers(owner, "c1", "c2")
    xml = (f'<m2m:grp xmlns:m2m="http://www.onem2m.org/xml/protocols" rn="x"><mt>3</mt><mnm>5</mnm>'
           f'<mid>{c1} {c2} {c1}</mid><csy>3</csy></m2m:grp>')
    created = await owner.create(AE, 9, xml, media="xml")
    assert created.rsc == 2001, created
    assert created.body["m2m:grp"]["mid"] == f"{c1} {c2}" and created.body["m2m:grp"]["cnm"] == "2"
    created = await owner.create(AE, 9, {"m2m:grp": {"rn": "y", "mt": 3, "mnm": 5, "mid": [c2]}}, media="cbor")
    assert created.rsc == 2001 and created.pc["mid"] == [c2]
    await group(owner, "g", [c1])
    for media in ("xml", "cbor"):
        rsp = entries(await owner.retrieve(f"{AE}/g/fopt", media=media))
        # XML has no one-entry lists: a single repeated element decodes as itself.
        entry = rsp[0] if isinstance(rsp, list) else rsp
        assert int(entry["rsc"]) == 2000 and entry["fr"] == c1, (media, rsp)
        assert entry["pc"]["m2m:cnt"]["rn"] == "c1"
    created = await owner.create(f"{AE}/g/fopt", 4, "<m2m:cin xmlns:m2m=\"http://www.onem2m.org/xml/protocols\">"
                                 "<con>21</con></m2m:cin>", media="xml")
    assert created.status == 200 and b"<rsc>2001</rsc>" in created.raw, created


# -- access control ----------------------------------------------------------------------------


async def test_group_access_is_the_groups_own(owner):
    c1, = await containers(owner, "c1")
    await group(owner, "g", [c1])
    assert (await owner.retrieve(f"{AE}/g", originator="Cguest")).rsc == 4103
    assert (await owner.update(f"{AE}/g", {"m2m:grp": {"gn": "x"}}, originator="Cguest")).rsc == 4103
    assert (await owner.delete(f"{AE}/g", originator="Cguest")).rsc == 4103
    assert (await owner.retrieve(f"{AE}/g/fopt", originator="Cguest")).rsc == 4103
    assert (await owner.retrieve(f"{AE}/g/fopt?rcn=9", originator="Cguest")).rsc == 4103
    refused = await make_group(owner, "h", [c1], originator="Cguest")
    assert refused.rsc == 4103


async def test_each_member_decides_for_the_originator(owner):
    open_acp = await make_acp(owner, "open", ["Cguest"], RETRIEVE | CREATE)
    fan_acp = await make_acp(owner, "fan", ["Cguest"], ALL_OPS)
    await cnt(owner, "shared", acpi=[open_acp])
    await cnt(owner, "private")
    shared, private = f"{BASE}/shared", f"{BASE}/private"
    await group(owner, "g", [shared, private], acpi=[fan_acp])
    reply = await owner.retrieve(f"{AE}/g/fopt", originator="Cguest")
    found = by_member(reply)
    assert found[shared]["rsc"] == 2000 and found[shared]["to"] == "Cguest"
    assert found[private]["rsc"] == 4103 and "Cguest" in found[private]["pc"]["m2m:dbg"]
    created = await owner.create(f"{AE}/g/fopt", 4, {"m2m:cin": {"con": "x"}}, originator="Cguest")
    assert codes(created) == {shared: 2001, private: 4103}
    assert (await owner.retrieve(f"{AE}/private")).pc["cni"] == 0
    # The owner may do everything with the same group.
    assert codes(await owner.retrieve(f"{AE}/g/fopt")) == {shared: 2000, private: 2000}


async def test_macp_decides_who_may_use_the_fanOutPoint(owner):
    reader = await make_acp(owner, "reader", ["Cguest", "Cother"], RETRIEVE)
    members_acp = await make_acp(owner, "membersAcp", ["Cguest"], RETRIEVE | DISCOVERY)
    await cnt(owner, "c1", acpi=[reader])
    c1 = f"{BASE}/c1"
    await group(owner, "g", [c1], macp=[members_acp])
    assert codes(await owner.retrieve(f"{AE}/g/fopt", originator="Cguest")) == {c1: 2000}
    assert (await owner.retrieve(f"{AE}/g/fopt?fu=1", originator="Cguest")).rsc == 2000
    # Cother may read the member itself, but macp does not let it use the fanOutPoint.
    denied = await owner.retrieve(f"{AE}/g/fopt", originator="Cother")
    assert denied.rsc == 4103 and "membersAccessControlPolicyIDs" in denied.body["m2m:dbg"]
    # macp grants retrieve only: no other operation through the fanOutPoint.
    assert (await owner.delete(f"{AE}/g/fopt", originator="Cguest")).rsc == 4103
    assert (await owner.retrieve(f"{AE}/c1")).rsc == 2000
    # macp is not about the group resource itself.
    assert (await owner.retrieve(f"{AE}/g", originator="Cguest")).rsc == 4103


async def test_macp_replaces_the_groups_policies_for_the_fanOutPoint(owner):
    reader = await make_acp(owner, "reader", ["Cguest"], RETRIEVE)
    nothing = await make_acp(owner, "nothing", ["Cnobody"], RETRIEVE)
    await cnt(owner, "c1", acpi=[reader])
    c1 = f"{BASE}/c1"
    # The group's own policy would allow it, but macp is present and does not.
    await group(owner, "g", [c1], acpi=[reader], macp=[nothing])
    assert (await owner.retrieve(f"{AE}/g", originator="Cguest")).rsc == 2000
    assert (await owner.retrieve(f"{AE}/g/fopt", originator="Cguest")).rsc == 4103
    # Without macp the group's own policy decides.
    assert (await owner.update(f"{AE}/g", {"m2m:grp": {"macp": None}})).rsc == 2004
    assert codes(await owner.retrieve(f"{AE}/g/fopt", originator="Cguest")) == {c1: 2000}
    assert (await owner.delete(f"{AE}/g/fopt", originator="Cguest")).rsc == 4103


async def test_access_is_checked_again_in_nested_groups(owner):
    reader = await make_acp(owner, "reader", ["Cguest"], RETRIEVE)
    await cnt(owner, "c1", acpi=[reader])
    c1 = f"{BASE}/c1"
    await group(owner, "inner", [c1])  # no policy: only its owner may use its fanOutPoint
    await group(owner, "outer", [c1, f"{BASE}/inner/fopt"], acpi=[reader])
    found = codes(await owner.retrieve(f"{AE}/outer/fopt", originator="Cguest"))
    assert found == {c1: 2000, f"{BASE}/inner/fopt": 4103}


# -- many members ----------------------------------------------------------------------------


async def test_a_thousand_members(owner):
    names = [f"m{index:04d}" for index in range(1000)]
    pending = iter(names)

    async def creator():
        for name in pending:
            reply = await owner.create(AE, 3, {"m2m:cnt": {"rn": name}})
            assert reply.rsc == 2001, reply

    await asyncio.gather(*(creator() for _ in range(20)))
    mid = [f"{BASE}/{name}" for name in names]
    grp = await group(owner, "many", mid, mnm=1000)
    assert grp["cnm"] == 1000
    retrieved = entries(await owner.retrieve(f"{AE}/many/fopt"))
    assert [e["fr"] for e in retrieved] == mid
    assert all(e["rsc"] == 2000 for e in retrieved)
    assert [e["pc"]["m2m:cnt"]["rn"] for e in retrieved] == names
    created = entries(await owner.create(f"{AE}/many/fopt", 4, {"m2m:cin": {"con": "go"}}))
    assert len(created) == 1000 and all(e["rsc"] == 2001 for e in created)
    assert len({e["pc"]["m2m:cin"]["ri"] for e in created}) == 1000
    latest = entries(await owner.retrieve(f"{AE}/many/fopt/la"))
    assert [e["pc"]["m2m:cin"]["con"] for e in latest] == ["go"] * 1000
    assert (await owner.retrieve(f"{AE}/m0999")).pc["cni"] == 1


async def test_members_are_served_concurrently_within_a_bound(owner):
    """Member requests overlap: with every notification target holding its answer back, 64
    subscription verifications are pending at once, and no more than that."""
    names = [f"c{index:03d}" for index in range(100)]
    await containers(owner, *names)
    await group(owner, "g", [f"{BASE}/{name}" for name in names], mnm=100)
    receiver = await NotificationReceiver().start()
    fan = None
    try:
        receiver.gate.clear()
        fan = asyncio.create_task(owner.create(f"{AE}/g/fopt", 23, {"m2m:sub": {"rn": "s", "nu": [receiver.url]}}))
        # One member at a time would leave a single verification waiting at the closed gate.
        arrived = await receiver.wait_for(64)
        assert not fan.done()
        await asyncio.sleep(0.2)
        assert len(receiver.received) == len(arrived) == 64
        receiver.gate.set()
        reply = await fan
        assert len(entries(reply)) == 100 and all(e["rsc"] == 2001 for e in entries(reply)), reply
        assert len(receiver.received) == 100
    finally:
        receiver.gate.set()
        if fan is not None:
            with contextlib.suppress(Exception):
                await fan
        await receiver.stop()
