"""The core behaviours, once over HTTP and once over CoAP, with the same test code.

Every test takes ``any_client``, which is an HTTP client in one run and a CoAP client in the
other: the bindings must give the same answers (response status code, content, location) for
AE registration, containers and their instances, latest/oldest, discovery, result content, the
three serializations and the errors. Where the two transports differ (HTTP status vs CoAP code)
the expectation says both.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.coap.coap_client import CoapClient

STATUS = {  # rsc: (HTTP status, CoAP code) per TS-0009 clause 6.6 and TS-0008 Table 6.2.4-1
    2000: (200, "2.05"), 2001: (201, "2.01"), 2002: (200, "2.02"), 2004: (200, "2.04"),
    4000: (400, "4.00"), 4004: (404, "4.04"), 4005: (405, "4.05"), 4008: (504, "5.04"),
    4015: (415, "4.15"), 4103: (403, "4.03"), 4105: (409, "4.03"), 4108: (403, "4.03"),
    4117: (403, "4.03"), 4126: (403, "4.03"), 5206: (501, "5.01"), 5207: (406, "4.06"),
}


def expect(reply: Any, rsc: int) -> None:
    """``reply`` has response status code ``rsc`` and the transport status that goes with it."""
    http, coap = STATUS[rsc]
    assert reply.rsc == rsc, reply
    assert reply.status == (coap if isinstance(reply.status, str) else http), reply


def stamp(delta_seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)).strftime("%Y%m%dT%H%M%S")


@pytest.fixture
async def ae(any_client):
    expect(await any_client.register_ae("app", originator="Capp"), 2001)
    any_client.originator = "Capp"
    return any_client


async def add(client, path: str, con: Any, **attrs: Any) -> dict[str, Any]:
    reply = await client.create(path, 4, {"m2m:cin": {"con": con, **attrs}})
    expect(reply, 2001)
    return reply.pc


# -- AE registration ---------------------------------------------------------------------------


async def test_register_ae_with_its_own_id(any_client):
    reply = await any_client.register_ae("light", originator="Clight")
    expect(reply, 2001)
    assert reply.pc["aei"] == "Clight" and reply.pc["ri"] == "Clight" and reply.pc["rn"] == "light"
    assert reply.headers["Content-Location"] == "/cse-in/light"
    assert reply.headers["X-M2M-RI"] and reply.headers["X-M2M-RVI"] == "3"  # the request's release


async def test_register_with_bare_c_gets_an_assigned_id(any_client):
    reply = await any_client.create("/cse-in", 2, {"m2m:ae": {"api": "Nfresh", "rr": True, "srv": ["3"]}},
                                    originator="C")
    expect(reply, 2001)
    aei = reply.pc["aei"]
    assert aei.startswith("C") and len(aei) > 1
    expect(await any_client.retrieve(f"/cse-in/{aei}", originator=aei), 2000)


async def test_reregistration_and_its_release_1_code(any_client):
    expect(await any_client.register_ae("dup", originator="Cdup"), 2001)
    again = await any_client.register_ae("dup2", originator="Cdup")
    expect(again, 4117)
    assert "already registered" in again.body["m2m:dbg"]
    release1 = await any_client.create("/cse-in", 2, {"m2m:ae": {"rn": "dup3", "api": "Nx", "rr": False}},
                                       originator="Cdup", rvi=None)
    expect(release1, 4105)
    assert "X-M2M-RVI" not in release1.headers  # a release 1 originator gets no release indicator


async def test_originator_outside_the_allowed_patterns(any_client):
    expect(await any_client.register_ae("bad", originator="Xbad"), 4126)


async def test_another_ae_has_no_access(any_client):
    await any_client.register_ae("mine", originator="Cmine")
    await any_client.register_ae("other", originator="Cother")
    expect(await any_client.retrieve("/cse-in/mine", originator="Cother"), 4103)
    expect(await any_client.delete("/cse-in/mine", originator="Cother"), 4103)


async def test_update_and_deregister(ae):
    updated = await ae.update("/cse-in/app", {"m2m:ae": {"lbl": ["x"], "rr": True}})
    expect(updated, 2004)
    assert updated.pc["lbl"] == ["x"] and updated.pc["rr"] is True
    expect(await ae.delete("/cse-in/app"), 2002)
    expect(await ae.retrieve("/cse-in/app", originator="CAdmin"), 4004)


# -- containers, instances, la/ol --------------------------------------------------------------


async def test_container_counts_its_instances(ae):
    expect(await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "temp", "mni": 2}}), 2001)
    for value in ("1", "22", "333"):
        await add(ae, "/cse-in/app/temp", value)
    cnt = (await ae.retrieve("/cse-in/app/temp")).pc
    assert cnt["cni"] == 2 and cnt["cbs"] == 5 and cnt["mni"] == 2


async def test_latest_and_oldest(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    expect(await ae.retrieve("/cse-in/app/c/la"), 4004)
    for value in ("first", "second", "third"):
        await add(ae, "/cse-in/app/c", value)
    assert (await ae.retrieve("/cse-in/app/c/la")).pc["con"] == "third"
    assert (await ae.retrieve("/cse-in/app/c/ol")).pc["con"] == "first"
    expect(await ae.delete("/cse-in/app/c/ol"), 2002)
    assert (await ae.retrieve("/cse-in/app/c/ol")).pc["con"] == "second"
    expect(await ae.update("/cse-in/app/c/la", {"m2m:cin": {"lbl": ["x"]}}), 4005)


async def test_content_instance_is_immutable_and_only_under_a_container(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    await add(ae, "/cse-in/app/c", "x", rn="one")
    expect(await ae.update("/cse-in/app/c/one", {"m2m:cin": {"lbl": ["y"]}}), 4005)
    expect(await ae.create("/cse-in/app", 4, {"m2m:cin": {"con": "x"}}), 4108)


async def test_unstructured_and_sp_relative_addresses(ae):
    ri = (await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})).pc["ri"]
    await add(ae, f"/{ri}", "by-ri")
    assert (await ae.retrieve(f"/{ri}/la")).pc["con"] == "by-ri"
    assert (await ae.retrieve("/~/id-in/cse-in/app/c/la")).pc["con"] == "by-ri"
    assert (await ae.retrieve(f"/~/id-in/{ri}")).pc["rn"] == "c"
    assert (await ae.retrieve(f"/_/example.com/id-in/{ri}")).pc["rn"] == "c"


async def test_recursive_delete(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "outer"}})
    await ae.create("/cse-in/app/outer", 3, {"m2m:cnt": {"rn": "inner"}})
    await add(ae, "/cse-in/app/outer/inner", "deep")
    expect(await ae.delete("/cse-in/app/outer"), 2002)
    expect(await ae.retrieve("/cse-in/app/outer/inner"), 4004)


# -- discovery and result content --------------------------------------------------------------


@pytest.fixture
async def tree(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "a", "lbl": ["room:kitchen", "kind:temp"]}})
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "b", "lbl": ["room:hall"]}})
    await add(ae, "/cse-in/app/a", "1", rn="a1")
    await add(ae, "/cse-in/app/a", "2", rn="a2", lbl=["room:kitchen"])
    await add(ae, "/cse-in/app/b", "3", rn="b1")
    return ae


async def test_discovery_by_type_and_label(tree):
    by_type = await tree.retrieve("/cse-in/app?fu=1&ty=4")
    expect(by_type, 2000)
    assert by_type.body["m2m:uril"] == ["cse-in/app/a/a1", "cse-in/app/a/a2", "cse-in/app/b/b1"]
    kitchen = await tree.retrieve("/cse-in/app?fu=1&lbl=room:kitchen")
    assert kitchen.body["m2m:uril"] == ["cse-in/app/a", "cse-in/app/a/a2"]
    either = await tree.retrieve("/cse-in/app?fu=1&lbl=room:hall+kind:temp&fo=2")
    assert either.body["m2m:uril"] == ["cse-in/app/a", "cse-in/app/b"]


async def test_discovery_unstructured_and_limited(tree):
    ids = (await tree.retrieve("/cse-in/app?fu=1&ty=4&drt=2&lim=2")).body["m2m:uril"]
    assert len(ids) == 2 and all("/" not in ri for ri in ids)


async def test_result_content_children(tree):
    nested = await tree.retrieve("/cse-in/app/a?rcn=4")
    expect(nested, 2000)
    assert [cin["rn"] for cin in nested.body["m2m:cnt"]["m2m:cin"]] == ["a1", "a2"]
    references = (await tree.retrieve("/cse-in/app/a?rcn=6")).body["m2m:rrl"]["rrf"]
    assert [ref["val"] for ref in references] == ["cse-in/app/a/a1", "cse-in/app/a/a2"]
    expect(await tree.retrieve("/cse-in/app/a?rcn=2"), 4000)


async def test_create_with_result_content_nothing(tree):
    reply = await tree.create("/cse-in/app?rcn=0", 3, {"m2m:cnt": {"rn": "quiet"}})
    expect(reply, 2001)
    assert reply.body is None and reply.headers["Content-Location"] == "/cse-in/app/quiet"


# -- serializations ----------------------------------------------------------------------------


@pytest.mark.parametrize("media", ["json", "cbor", "xml"])
async def test_each_serialization_round_trips(any_client, media):
    reply = await any_client.create("/cse-in", 2, {"m2m:ae": {"rn": "ser", "api": "Nser", "rr": False, "srv": ["3"]}},
                                    originator="Cser", media=media)
    expect(reply, 2001)
    await any_client.create("/cse-in/ser", 3, {"m2m:cnt": {"rn": "box", "mni": 5, "lbl": ["a", "b"]}},
                            originator="Cser", media=media)
    got = (await any_client.retrieve("/cse-in/ser/box", originator="Cser", media=media)).pc
    if media == "xml":
        assert got["mni"] == "5" and got["lbl"] == "a b"
    else:
        assert got["mni"] == 5 and got["lbl"] == ["a", "b"]
    as_json = await any_client.retrieve("/cse-in/ser/box", originator="Cser", media=media, accept="application/json")
    assert as_json.headers["Content-Type"] == "application/json" and as_json.pc["mni"] == 5


# -- errors ------------------------------------------------------------------------------------


async def test_unknown_target(any_client):
    reply = await any_client.retrieve("/cse-in/nothing", originator="CAdmin")
    expect(reply, 4004)
    assert "m2m:dbg" in reply.body


async def test_missing_originator(any_client):
    expect(await any_client.retrieve("/cse-in", originator=None), 4000)


async def test_missing_request_identifier(any_client):
    reply = await any_client.retrieve("/cse-in", originator="CAdmin", rqi=None)
    expect(reply, 4000)
    assert "request identifier" in reply.body["m2m:dbg"] or "RI" in reply.body["m2m:dbg"]


async def test_malformed_content(ae):
    reply = await ae.request("POST", "/cse-in/app", body=b"{not json", ty=3)
    expect(reply, 4000)


async def test_unsupported_release(any_client):
    reply = await any_client.retrieve("/cse-in", originator="CAdmin", rvi="9")
    assert reply.rsc == 4001


async def test_request_expiration_and_execution_time(ae):
    late = await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "late"}}, headers={"X-M2M-RET": stamp(-60)})
    expect(late, 4008)
    expect(await ae.retrieve("/cse-in/app/late"), 4004)
    expect(await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "soon"}}, headers={"X-M2M-RET": "10000"}), 2001)
    expect(await ae.retrieve("/cse-in/app?rt=1"), 5206)


async def test_content_that_xml_cannot_carry_is_not_acceptable(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    await add(ae, "/cse-in/app/c", {"1bad key": True}, rn="odd")
    reply = await ae.retrieve("/cse-in/app/c/odd", accept="xml")
    expect(reply, 5207)


async def test_response_carries_originating_timestamp(any_client):
    reply = await any_client.retrieve("/cse-in", originator="CAdmin")
    ot = reply.headers["X-M2M-OT"]
    assert ot[:8].isdigit() and ot[8] == "T"
    if isinstance(any_client, CoapClient):
        assert len(ot) == 15  # TS-0008 Table 6.2.2.4.0-1: oneM2M-OT is 15 bytes
