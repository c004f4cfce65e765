"""Release Version Indicator (X-M2M-RVI): supported releases, unknown ones, and Release 1 behaviour.

A request without X-M2M-RVI is a Release 1 request (TS-0004 clause 6.4.1): it gets no
X-M2M-RVI back, no attributes that Release 1 does not define, and only Release 1 status codes.
"""

from __future__ import annotations

import pytest

from tests.onem2m_client import OneM2MClient, Reply

SUPPORTED = ["1", "2", "2a", "3", "4", "5"]
WITH_RVI_HEADER = ["2a", "3", "4", "5"]  # the releases that have the rvi parameter at all
AE_BODY = {"m2m:ae": {"rn": "rel", "api": "Nrel", "rr": False, "srv": ["3"]}}


async def retrieve_cse(client: OneM2MClient, rvi: str | None) -> Reply:
    return await client.retrieve("/cse-in", originator="CAdmin", rvi=rvi)


@pytest.mark.parametrize("rvi", SUPPORTED)
async def test_supported_releases_are_accepted(client, rvi):
    reply = await retrieve_cse(client, rvi)
    assert reply.status == 200 and reply.rsc == 2000, reply
    assert reply.pc["ri"] == "id-in"


@pytest.mark.parametrize("rvi", SUPPORTED)
async def test_supported_releases_can_create_update_and_delete(client, rvi):
    created = await client.create("/cse-in", 3, {"m2m:cnt": {"rn": "r", "mni": 2}}, originator="CAdmin", rvi=rvi)
    assert created.rsc == 2001, created
    updated = await client.update("/cse-in/r", {"m2m:cnt": {"mni": 5}}, originator="CAdmin", rvi=rvi)
    assert updated.rsc == 2004 and updated.pc["mni"] == 5
    assert (await client.delete("/cse-in/r", originator="CAdmin", rvi=rvi)).rsc == 2002


@pytest.mark.parametrize("rvi", WITH_RVI_HEADER)
async def test_responses_from_release_2a_on_carry_the_release(client, rvi):
    reply = await retrieve_cse(client, rvi)
    assert reply.headers["X-M2M-RVI"] == rvi
    error = await client.retrieve("/cse-in/nothing", originator="CAdmin", rvi=rvi)
    assert error.rsc == 4004 and error.headers["X-M2M-RVI"] == rvi


@pytest.mark.parametrize("rvi", ["9", "abc", "", "2b", "0", "1.0", "6", "3a"])
async def test_unknown_release_is_not_supported(client, rvi):
    reply = await retrieve_cse(client, rvi)
    # TS-0009 table 6.3.2-1: RELEASE_VERSION_NOT_SUPPORTED is HTTP 501.
    assert reply.rsc == 4001 and reply.status == 501, reply
    dbg = reply.body["m2m:dbg"]
    assert "release" in dbg and all(release in dbg for release in ("2a", "5"))
    # Whatever the answer carries as release, it is one this CSE speaks.
    assert reply.headers.get("X-M2M-RVI", "5") in SUPPORTED


async def test_unknown_release_request_is_not_executed(client):
    reply = await client.create("/cse-in", 3, {"m2m:cnt": {"rn": "never"}}, originator="CAdmin", rvi="9")
    assert reply.rsc == 4001
    assert (await retrieve_cse(client, "3")).rsc == 2000
    assert (await client.retrieve("/cse-in/never", originator="CAdmin")).rsc == 4004


async def test_no_release_means_release_1_without_rvi_in_the_answer(client):
    reply = await retrieve_cse(client, None)
    assert reply.rsc == 2000
    assert "X-M2M-RVI" not in reply.headers
    error = await client.retrieve("/cse-in/nothing", originator="CAdmin", rvi=None)
    assert error.rsc == 4004 and "X-M2M-RVI" not in error.headers
    refused = await client.request("PATCH", "/cse-in", originator="CAdmin", rvi=None)
    assert refused.rsc == 4005 and "X-M2M-RVI" not in refused.headers


async def test_explicit_release_1_is_release_1(client):
    reply = await retrieve_cse(client, "1")
    assert "X-M2M-RVI" not in reply.headers
    assert "srv" not in reply.pc


async def test_cse_base_attributes_follow_the_release(client):
    release1 = (await retrieve_cse(client, None)).pc
    release2 = (await retrieve_cse(client, "2")).pc
    release3 = (await retrieve_cse(client, "3")).pc
    # csz arrived in Release 2, srv in Release 2a.
    assert "csz" not in release1 and "srv" not in release1
    assert "csz" in release2 and "srv" not in release2
    assert release3["srv"] == SUPPORTED and "csz" in release3
    # Release 1 attributes are there for everyone.
    for attrs in (release1, release2, release3):
        assert {"ri", "rn", "ty", "ct", "lt", "cst", "csi", "srt"} <= attrs.keys()


async def test_newer_attributes_are_left_out_for_release_1_everywhere(client):
    await client.register_ae("rel", originator="Crel")
    made = await client.create("/cse-in/rel", 3, {"m2m:cnt": {"rn": "c", "cr": None}}, originator="Crel")
    assert made.pc["cr"] == "Crel"
    ae = await client.retrieve("/cse-in/rel", originator="Crel", rvi=None)
    assert "srv" not in ae.pc and ae.pc["api"] == "Nrel"
    container = await client.retrieve("/cse-in/rel/c", originator="Crel", rvi=None)
    assert "cr" not in container.pc and container.pc["rn"] == "c"
    nested = await client.retrieve("/cse-in/rel?rcn=4", originator="Crel", rvi=None)
    assert "srv" not in nested.pc and "cr" not in nested.pc["m2m:cnt"][0]
    # The same resources, asked for by a Release 3 originator, show them.
    assert (await client.retrieve("/cse-in/rel/c", originator="Crel", rvi="3")).pc["cr"] == "Crel"
    assert (await client.retrieve("/cse-in/rel", originator="Crel", rvi="3")).pc["srv"] == ["3"]


async def test_create_answer_follows_the_release_of_the_create(client):
    await client.register_ae("rel", originator="Crel")
    release1 = await client.create("/cse-in/rel", 3, {"m2m:cnt": {"rn": "one", "cr": None}}, originator="Crel",
                                   rvi=None)
    assert release1.rsc == 2001 and "cr" not in release1.pc and "X-M2M-RVI" not in release1.headers
    release4 = await client.create("/cse-in/rel", 3, {"m2m:cnt": {"rn": "four", "cr": None}}, originator="Crel",
                                   rvi="4")
    assert release4.pc["cr"] == "Crel" and release4.headers["X-M2M-RVI"] == "4"


async def test_release_1_gets_conflict_instead_of_already_registered(client):
    assert (await client.create("/cse-in", 2, AE_BODY, originator="Crel")).rsc == 2001
    again = {"m2m:ae": {"rn": "rel2", "api": "Nrel", "rr": False}}
    release1 = await client.create("/cse-in", 2, again, originator="Crel", rvi=None)
    assert release1.rsc == 4105 and release1.status == 409
    release3 = await client.create("/cse-in", 2, {"m2m:ae": {**again["m2m:ae"], "srv": ["3"]}}, originator="Crel")
    assert release3.rsc == 4117 and release3.status == 403


async def test_release_1_gets_bad_request_instead_of_app_rule_validation_failed(client):
    body = {"m2m:ae": {"rn": "x", "api": "Nx", "rr": False}}
    release1 = await client.create("/cse-in", 2, body, originator="Xnotallowed", rvi=None)
    assert release1.rsc == 4000 and release1.status == 400
    release3 = await client.create("/cse-in", 2, {"m2m:ae": {**body["m2m:ae"], "srv": ["3"]}},
                                   originator="Xnotallowed", rvi="3")
    assert release3.rsc == 4126 and release3.status == 403


@pytest.mark.parametrize("rvi, registers", [("1", True), ("2", True), ("2a", False), ("3", False), ("5", False)])
async def test_srv_is_required_from_release_2a(client, rvi, registers):
    body = {"m2m:ae": {"rn": "nosrv", "api": "Nnosrv", "rr": False}}
    reply = await client.create("/cse-in", 2, body, originator="Cnosrv", rvi=rvi)
    assert (reply.rsc == 2001) is registers, reply
    if not registers:
        assert reply.rsc == 4000 and "srv" in reply.body["m2m:dbg"]


async def test_release_is_chosen_per_request(client):
    for rvi in ("3", None, "2a", "1", "5"):
        reply = await retrieve_cse(client, rvi)
        assert ("srv" in reply.pc) is (rvi not in (None, "1")), rvi
        assert reply.headers.get("X-M2M-RVI") == (rvi if rvi not in (None, "1") else None)


async def test_release_version_applies_in_every_serialization(client):
    for media in ("json", "cbor", "xml"):
        reply = await client.retrieve("/cse-in", originator="CAdmin", rvi=None, media=media)
        assert reply.rsc == 2000 and "srv" not in reply.pc and "X-M2M-RVI" not in reply.headers
