"""Device actions through the management-adapter extension point (cse.core.adapters).

An adapter ('Cipe', an AE that registers over HTTP like any other) creates the node of a device
and is registered in-process as the node's management adapter. A user AE ('Cuser', granted
Update by the node's policy) sets trigger attributes; the CSE forwards them to the adapter and
answers only after it has. The adapter reports progress with Updates of the status attributes
under its own originator; nobody else may set them. Without an adapter the device cannot be
reached (5103) and nothing changes.
"""

from __future__ import annotations

import pytest

from tests.recording_adapter import RecordingAdapter

IPE = "Cipe"
USER = "Cuser"
NODE = "/cse-in/dev"
ALL_OPS = 63


def rule(acor, acop):
    return {"acor": acor, "acop": acop}


@pytest.fixture
async def ipe(cse_app, admin):
    """The adapter's AE, allowed by the admin to create nodes, with the node of one device."""
    assert (await admin.register_ae("ipe", originator=IPE)).rsc == 2001
    assert (await admin.register_ae("user", originator=USER)).rsc == 2001
    policy = {"m2m:acp": {
        "rn": "nodeMaking", "pv": {"acr": [rule([IPE], 1)]}, "pvs": {"acr": [rule(["CAdmin"], ALL_OPS)]},
    }}
    reply = await admin.create("/cse-in", 1, policy)
    assert reply.rsc == 2001, reply
    assert (await admin.update("/cse-in", {"m2m:cb": {"acpi": [reply.pc["ri"]]}})).rsc == 2004

    adapter = await RecordingAdapter(cse_app.http.url, IPE).start(cse_app)
    # The device's own policy lets the user act on it (Retrieve and Update).
    users = {"m2m:acp": {
        "rn": "devUsers", "pv": {"acr": [rule([USER], 2 | 4)]}, "pvs": {"acr": [rule([IPE], ALL_OPS)]},
    }}
    users_reply = await admin.create("/cse-in/ipe", 1, users, originator=IPE)
    assert users_reply.rsc == 2001, users_reply
    node = {"m2m:nod": {"rn": "dev", "ni": "urn:dev:1", "hael": [IPE], "acpi": [users_reply.pc["ri"]]}}
    reply = await admin.create("/cse-in", 14, node, originator=IPE)
    assert reply.rsc == 2001, reply
    try:
        yield adapter
    finally:
        await adapter.stop(cse_app)


async def make(client, tpe: str, rn: str, originator: str = IPE, **attrs) -> str:
    reply = await client.create(NODE, 13, {tpe: {"rn": rn, **attrs}}, originator=originator)
    assert reply.rsc == 2001, reply
    return f"{NODE}/{rn}"


async def firmware(client, rn: str = "fw", **attrs) -> str:
    return await make(client, "m2m:fwr", rn, mgd=1001, vr="1.0", fwn="fw", url="http://fw.example/1.bin", ud=False, **attrs)


# -- triggers reach the adapter, statuses come back from it -------------------------------------


async def test_firmware_update_reaches_the_adapter_and_status_is_reported(admin, ipe):
    path = await firmware(admin)
    fw = (await admin.retrieve(path, originator=USER)).pc
    assert fw["ud"] is False and fw["uds"] == {"acn": "", "sus": 0}

    reply = await admin.update(path, {"m2m:fwr": {"ud": True}}, originator=USER)
    assert reply.rsc == 2004, reply
    (asked,) = ipe.asked
    assert asked.request.op == 3 and asked.request.fr == USER and asked.request.to == fw["ri"]
    assert asked.request.pc == {"m2m:fwr": {"ud": True}} and asked.resource_ri == fw["ri"]
    # The trigger is not stored; the adapter reported "in process" while it handled it.
    assert reply.pc["ud"] is False and reply.pc["uds"] == {"acn": "ud", "sus": 3}

    done = await ipe.report(path, "m2m:fwr", "uds", "ud", 1)
    assert done.rsc == 2004, done
    fw = (await admin.retrieve(path, originator=USER)).pc
    assert fw["uds"] == {"acn": "ud", "sus": 1} and fw["ud"] is False


async def test_attributes_set_with_a_trigger_reach_the_adapter_and_are_stored(admin, ipe):
    path = await firmware(admin)
    new_url = "http://fw.example/2.bin"
    reply = await admin.update(path, {"m2m:fwr": {"url": new_url, "vr": "2.0", "ud": True}}, originator=USER)
    assert reply.rsc == 2004, reply
    (asked,) = ipe.asked
    assert asked.attrs == {"ud": True, "url": new_url, "vr": "2.0"}
    fw = (await admin.retrieve(path)).pc
    assert fw["url"] == new_url and fw["vr"] == "2.0" and fw["ud"] is False


async def test_modified_attributes_show_the_trigger_reads_false(admin, ipe):
    path = await firmware(admin)
    reply = await admin.update(path + "?rcn=9", {"m2m:fwr": {"ud": True, "dc": "go"}}, originator=USER)
    assert reply.rsc == 2004, reply
    # Modified attributes are those the CSE set otherwise than asked: the trigger reads false.
    assert reply.pc["ud"] is False and "dc" not in reply.pc
    assert (await admin.retrieve(path)).pc["dc"] == "go"


@pytest.mark.parametrize(
    "tpe, mgd, attrs, triggers, status",
    [
        ("m2m:swr", 1002, {"vr": "1", "swn": "app", "url": "http://sw.example/app"}, ["in"], "ins"),
        ("m2m:swr", 1002, {"vr": "1", "swn": "app", "url": "http://sw.example/app"}, ["un"], "ins"),
        ("m2m:swr", 1002, {"vr": "1", "swn": "app", "url": "http://sw.example/app"}, ["act"], "acts"),
        ("m2m:swr", 1002, {"vr": "1", "swn": "app", "url": "http://sw.example/app"}, ["dea"], "acts"),
        ("m2m:swr", 1002, {"vr": "1", "swn": "app", "url": "http://sw.example/app"}, ["in", "act"], "acts"),
        ("m2m:dvc", 1008, {"can": "cam", "att": True, "cus": False, "cas": {"acn": "", "sus": 0}}, ["ena"], "cas"),
        ("m2m:dvc", 1008, {"can": "cam", "att": True, "cus": True, "cas": {"acn": "", "sus": 0}}, ["dis"], "cas"),
        ("m2m:rbo", 1009, {}, ["rbo"], None),
        ("m2m:rbo", 1009, {}, ["far"], None),
        ("m2m:evl", 1010, {"lgt": 1, "lgd": "", "lgst": 2}, ["lga"], None),
        ("m2m:evl", 1010, {"lgt": 1, "lgd": "", "lgst": 1}, ["lgo"], None),
    ],
)
async def test_every_trigger_reaches_the_adapter(admin, ipe, tpe, mgd, attrs, triggers, status):
    path = await make(admin, tpe, "obj", mgd=mgd, **attrs)
    reply = await admin.update(path, {tpe: {name: True for name in triggers}}, originator=USER)
    assert reply.rsc == 2004, reply
    (asked,) = ipe.asked
    assert asked.request.pc == {tpe: {name: True for name in triggers}}
    obj = (await admin.retrieve(path)).pc
    assert all(obj[name] is False for name in triggers)
    if status is not None:
        assert obj[status]["sus"] == 3
        assert (await ipe.report(path, tpe, status, triggers[-1], 1)).rsc == 2004
        assert (await admin.retrieve(path)).pc[status] == {"acn": triggers[-1], "sus": 1}


async def test_mgmt_obj_made_by_someone_else_under_the_adapters_node_goes_to_the_adapter(admin, ipe):
    path = await make(admin, "m2m:rbo", "reboot", originator="CAdmin", mgd=1009)
    assert (await admin.update(path, {"m2m:rbo": {"rbo": True}}, originator=USER)).rsc == 2004
    assert [asked.attrs for asked in ipe.asked] == [{"rbo": True}]


# -- the adapter's answer decides ---------------------------------------------------------------


async def test_refusal_by_the_device_is_returned_and_nothing_changes(admin, ipe):
    path = await firmware(admin)
    before = (await admin.retrieve(path)).pc
    ipe.rsc = 6003  # external object not reachable
    reply = await admin.update(path, {"m2m:fwr": {"ud": True, "url": "http://fw.example/x"}}, originator=USER)
    assert reply.rsc == 6003 and "refused" in reply.body["m2m:dbg"], reply
    assert len(ipe.asked) == 1
    assert (await admin.retrieve(path)).pc == before


async def test_failing_adapter_means_unreachable_and_nothing_changes(admin, ipe):
    path = await firmware(admin)
    before = (await admin.retrieve(path)).pc
    ipe.explode = True
    reply = await admin.update(path, {"m2m:fwr": {"ud": True, "dc": "x"}}, originator=USER)
    assert reply.rsc == 5103 and "link is down" in reply.body["m2m:dbg"], reply
    assert (await admin.retrieve(path)).pc == before


async def test_no_adapter_means_target_not_reachable_and_nothing_changes(cse_app, admin, ipe):
    path = await firmware(admin)
    cse_app.cse.adapters.unregister(IPE)
    before = (await admin.retrieve(path)).pc
    reply = await admin.update(path, {"m2m:fwr": {"ud": True, "vr": "9"}}, originator=USER)
    assert reply.rsc == 5103 and "cannot be reached" in reply.body["m2m:dbg"], reply
    assert ipe.asked == []
    assert (await admin.retrieve(path)).pc == before
    # Ordinary attributes need no device.
    assert (await admin.update(path, {"m2m:fwr": {"vr": "9"}}, originator=USER)).rsc == 2004


async def test_node_nobody_manages_cannot_be_acted_on(admin, ipe):
    assert (await admin.create("/cse-in", 14, {"m2m:nod": {"rn": "lone", "ni": "n"}})).rsc == 2001
    body = {"m2m:rbo": {"rn": "rb", "mgd": 1009}}
    assert (await admin.create("/cse-in/lone", 13, body)).rsc == 2001
    reply = await admin.update("/cse-in/lone/rb", {"m2m:rbo": {"far": True}})
    assert reply.rsc == 5103, reply
    assert ipe.asked == []


# -- bad input never reaches the device ---------------------------------------------------------


@pytest.mark.parametrize(
    "tpe, mgd, attrs, update, needle",
    [
        ("m2m:rbo", 1009, {}, {"rbo": True, "far": True}, "far and rbo"),
        ("m2m:rbo", 1009, {}, {"rbo": False}, "rbo"),
        ("m2m:rbo", 1009, {}, {"rbo": "true"}, "rbo"),
        ("m2m:rbo", 1009, {}, {"rbo": True, "et": "20000101T000000"}, "et"),
        ("m2m:rbo", 1009, {}, {"rbo": True, "mgd": 1009}, "mgd"),
        ("m2m:swr", 1002, {"vr": "1", "swn": "a", "url": "u"}, {"in": True, "un": True}, "in and un"),
        ("m2m:swr", 1002, {"vr": "1", "swn": "a", "url": "u"}, {"act": True, "dea": True}, "act and dea"),
        ("m2m:dvc", 1008, {"can": "c", "att": True, "cus": True, "cas": {"acn": "", "sus": 0}},
         {"ena": True, "dis": True}, "dis and ena"),
        ("m2m:evl", 1010, {"lgt": 1, "lgd": "", "lgst": 2}, {"lga": True, "lgo": True}, "lga and lgo"),
        ("m2m:fwr", 1001, {"vr": "1", "fwn": "f", "url": "u", "ud": False}, {"ud": None}, "ud"),
        ("m2m:fwr", 1001, {"vr": "1", "fwn": "f", "url": "u", "ud": False}, {"ud": True, "uds": {"acn": "ud", "sus": 1}}, "uds"),
    ],
)
async def test_bad_trigger_updates_are_refused_before_the_device(admin, ipe, tpe, mgd, attrs, update, needle):
    path = await make(admin, tpe, "obj", mgd=mgd, **attrs)
    before = (await admin.retrieve(path)).pc
    reply = await admin.update(path, {tpe: update}, originator=USER)
    assert reply.rsc == 4000 and needle in reply.body["m2m:dbg"], reply
    assert ipe.asked == []
    assert (await admin.retrieve(path)).pc == before


# -- status attributes belong to the adapter ----------------------------------------------------


@pytest.mark.parametrize("originator", [USER, "CAdmin"])
async def test_only_the_owning_adapter_reports_status(admin, ipe, originator):
    path = await firmware(admin)
    before = (await admin.retrieve(path)).pc
    reply = await admin.update(path, {"m2m:fwr": {"uds": {"acn": "ud", "sus": 1}}}, originator=originator)
    assert reply.rsc == 4000 and "management adapter" in reply.body["m2m:dbg"], reply
    assert (await admin.retrieve(path)).pc == before


async def test_a_registered_adapter_that_does_not_own_the_node_cannot_report(cse_app, admin, ipe):
    other = await RecordingAdapter(cse_app.http.url, USER).start(cse_app)
    try:
        path = await firmware(admin)
        reply = await other.report(path, "m2m:fwr", "uds", "ud", 1)
        assert reply.rsc == 4000, reply
        assert (await admin.retrieve(path)).pc["uds"]["sus"] == 0
    finally:
        await other.stop(cse_app)


async def test_an_unregistered_adapter_no_longer_reports(cse_app, admin, ipe):
    path = await firmware(admin)
    cse_app.cse.adapters.unregister(IPE)
    reply = await ipe.report(path, "m2m:fwr", "uds", "ud", 1)
    assert reply.rsc == 4000, reply


@pytest.mark.parametrize(
    "status",
    [
        {"acn": "ud", "sus": 4},
        {"acn": "ud"},
        {"sus": 1},
        {"acn": "ud", "sus": 1, "extra": True},
        {"acn": 5, "sus": 1},
        "done",
        None,
    ],
)
async def test_malformed_status_reports_are_refused(admin, ipe, status):
    path = await firmware(admin)
    before = (await admin.retrieve(path)).pc
    reply = await admin.update(path, {"m2m:fwr": {"uds": status}}, originator=IPE)
    assert reply.rsc == 4000 and "uds" in reply.body["m2m:dbg"], reply
    assert (await admin.retrieve(path)).pc == before


async def test_status_on_create_is_the_creators_only_where_the_type_allows_it(admin, ipe):
    # deviceCapability carries its capabilityActionStatus from the start (M on Create) ...
    path = await make(admin, "m2m:dvc", "cam", mgd=1008, can="cam", att=True, cus=True, cas={"acn": "ena", "sus": 1})
    assert (await admin.retrieve(path)).pc["cas"] == {"acn": "ena", "sus": 1}
    # ... and afterwards only the adapter changes it.
    assert (await admin.update(path, {"m2m:dvc": {"cas": {"acn": "dis", "sus": 1}}}, originator=USER)).rsc == 4000
    assert (await ipe.report(path, "m2m:dvc", "cas", "dis", 2)).rsc == 2004
    assert (await admin.retrieve(path)).pc["cas"] == {"acn": "dis", "sus": 2}
