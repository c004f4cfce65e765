"""AE registration over HTTP: originator rules, re-registration, api, srv, rr, poa."""

import pytest


async def test_register_with_c_originator_uses_it_as_ae_id(client):
    reply = await client.register_ae("light", originator="Clight")
    assert reply.status == 201 and reply.rsc == 2001
    ae = reply.pc
    assert ae["aei"] == "Clight" and ae["ri"] == "Clight" and ae["rn"] == "light"
    assert ae["ty"] == 2 and ae["pi"] == "id-in"
    assert reply.headers["Content-Location"] == "/cse-in/light"


@pytest.mark.parametrize("originator", [None, "", "C"])
async def test_empty_or_bare_c_originator_gets_an_assigned_ae_id(client, originator):
    body = {"m2m:ae": {"api": "Nfresh", "rr": True, "srv": ["3"]}}
    reply = await client.create("/cse-in", 2, body, originator=originator)
    assert reply.rsc == 2001, reply
    aei = reply.pc["aei"]
    assert aei.startswith("C") and len(aei) > 1
    # Without a name the AE is named after its AE-ID, and that ID now works as originator.
    assert reply.pc["rn"] == aei
    again = await client.retrieve(f"/cse-in/{aei}", originator=aei)
    assert again.rsc == 2000


async def test_bare_s_originator_gets_an_s_ae_id(client):
    reply = await client.create("/cse-in", 2, {"m2m:ae": {"api": "Nx", "rr": False, "srv": ["3"]}}, originator="S")
    assert reply.rsc == 2001 and reply.pc["aei"].startswith("S") and len(reply.pc["aei"]) > 1


async def test_reregistration_is_rejected_with_the_release_code(client):
    assert (await client.register_ae("dup", originator="Cdup")).rsc == 2001
    again = await client.register_ae("dup2", originator="Cdup")
    assert again.rsc == 4117 and again.status == 403
    assert "already registered" in again.body["m2m:dbg"]
    # Release 1 has no ORIGINATOR_HAS_ALREADY_REGISTERED: it answers CONFLICT.
    r1 = await client.create("/cse-in", 2, {"m2m:ae": {"rn": "dup3", "api": "Nx", "rr": False}},
                             originator="Cdup", rvi=None)
    assert r1.rsc == 4105 and r1.status == 409


async def test_originator_outside_allowed_patterns_is_rejected(client):
    reply = await client.register_ae("bad", originator="Xbad")
    assert reply.rsc == 4126 and reply.status == 403


@pytest.mark.parametrize("api", ["Rapp", "Napp"])
async def test_api_must_start_with_r_or_n(client, api):
    body = {"m2m:ae": {"rn": "a" + api, "api": api, "rr": False, "srv": ["3"]}}
    assert (await client.create("/cse-in", 2, body, originator="C" + api)).rsc == 2001


async def test_api_with_other_first_letter_is_rejected(client):
    body = {"m2m:ae": {"rn": "bad", "api": "xapp", "rr": False, "srv": ["3"]}}
    reply = await client.create("/cse-in", 2, body, originator="Cbadapi")
    assert reply.rsc == 4000 and "api" in reply.body["m2m:dbg"]


async def test_srv_is_mandatory_from_release_2a_but_not_in_release_1(client):
    body = {"m2m:ae": {"rn": "nosrv", "api": "Nx", "rr": False}}
    missing = await client.create("/cse-in", 2, body, originator="Cnosrv", rvi="3")
    assert missing.rsc == 4000 and "srv" in missing.body["m2m:dbg"]
    release1 = await client.create("/cse-in", 2, body, originator="Cnosrv", rvi=None)
    assert release1.rsc == 2001
    assert "X-M2M-RVI" not in release1.headers


async def test_mandatory_rr_and_api(client):
    reply = await client.create("/cse-in", 2, {"m2m:ae": {"rn": "x", "srv": ["3"]}}, originator="Cx")
    assert reply.rsc == 4000
    assert "api" in reply.body["m2m:dbg"] and "rr" in reply.body["m2m:dbg"]


async def test_poa_and_rr_can_be_updated_by_the_ae_itself(client):
    await client.register_ae("upd", originator="Cupd", poa=["http://127.0.0.1:9999"])
    reply = await client.update("/cse-in/upd", {"m2m:ae": {"poa": ["http://127.0.0.1:1234"], "rr": True}},
                                originator="Cupd")
    assert reply.rsc == 2004
    assert reply.pc["poa"] == ["http://127.0.0.1:1234"] and reply.pc["rr"] is True
    # api and aei are fixed at registration.
    refused = await client.update("/cse-in/upd", {"m2m:ae": {"api": "Nother"}}, originator="Cupd")
    assert refused.rsc == 4000


async def test_another_ae_cannot_touch_an_ae(client):
    await client.register_ae("mine", originator="Cmine")
    await client.register_ae("other", originator="Cother")
    assert (await client.retrieve("/cse-in/mine", originator="Cother")).rsc == 4103
    assert (await client.delete("/cse-in/mine", originator="Cother")).rsc == 4103


async def test_deregistration_removes_the_ae_and_frees_its_id(client):
    await client.register_ae("gone", originator="Cgone")
    await client.create("/cse-in/gone", 3, {"m2m:cnt": {"rn": "data"}}, originator="Cgone")
    assert (await client.delete("/cse-in/gone", originator="Cgone")).rsc == 2002
    assert (await client.retrieve("/cse-in/gone/data", originator="CAdmin")).rsc == 4004
    assert (await client.register_ae("gone", originator="Cgone")).rsc == 2001
