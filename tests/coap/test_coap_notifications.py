"""Requests the CSE sends to coap:// targets (TS-0008 over the outbound Sender): notifications and
verification requests, received by a real aiocoap server on loopback."""

from __future__ import annotations

import pytest

from cse.core.outbound import TargetUnreachable
from cse.primitives import Operation, Request
from tests.coap.coap_client import EC, FR, OT, RQI, RVI, TY, free_udp_port
from tests.coap.notification_target import CoapTarget


@pytest.fixture
async def target():
    target = await CoapTarget().start()
    yield target
    await target.stop()


def notify(rqi: str = "n-1", **kw) -> Request:
    return Request(Operation.NOTIFY, to="", fr="/id-in", rqi=rqi, rvi="5",
                   pc=kw.pop("pc", {"m2m:sgn": {"sur": "cse-in/app/sub", "nev": {"net": 3}}}), **kw)


async def test_notification_is_a_confirmable_post_with_onem2m_options(cse_app, target):
    response = await cse_app.cse.outbound.send(target.url, notify(ec=2), timeout=10)
    assert response.rsc == 2000 and response.rqi == "n-1"
    (received,) = target.received
    message = received.message
    assert received.method == "POST" and message.mtype == 0  # CON
    assert message.opt.uri_path == ("notify",)
    assert received.text(FR) == "/id-in" and received.text(RQI) == "n-1" and received.text(RVI) == "5"
    assert len(received.text(OT)) == 15 and received.uint(EC) == 2
    assert received.uint(TY) is None  # without oneM2M-TY a POST is a NOTIFY (TS-0008 clause 6.2.1)
    assert int(message.opt.content_format) == 50
    assert received.sgn == {"sur": "cse-in/app/sub", "nev": {"net": 3}}


async def test_answer_codes_become_response_status_codes(cse_app, target):
    target.rsc = 4103
    assert (await cse_app.cse.outbound.send(target.url, notify(), timeout=10)).rsc == 4103
    # A plain CoAP server answers without oneM2M-RSC: its code is read per Table 6.2.4-1.
    target.rsc = None
    assert (await cse_app.cse.outbound.send(target.url, notify(), timeout=10)).rsc == 2000
    target.code = 132  # 4.04
    assert (await cse_app.cse.outbound.send(target.url, notify(), timeout=10)).rsc == 4004


async def test_large_notification_goes_block_wise(cse_app, target):
    big = {"m2m:sgn": {"sur": "cse-in/app/sub", "nev": {"rep": {"m2m:cin": {"con": "q" * 5000}}}}}
    assert (await cse_app.cse.outbound.send(target.url, notify(pc=big), timeout=10)).rsc == 2000
    assert target.received[-1].sgn["nev"]["rep"]["m2m:cin"]["con"] == "q" * 5000


async def test_path_and_query_of_the_target_url(cse_app, target):
    url = f"coap://127.0.0.1:{target.port}/deep/er?x=1&y=two"
    await cse_app.cse.outbound.send(url, notify(), timeout=10)
    message = target.received[-1].message
    assert message.opt.uri_path == ("deep", "er") and message.opt.uri_query == ("x=1", "y=two")


async def test_other_operations_map_to_their_methods(cse_app, target):
    create = Request(Operation.CREATE, to="", fr="/id-in", rqi="c-1", rvi="3", ty=4, pc={"m2m:cin": {"con": "x"}})
    await cse_app.cse.outbound.send(target.url, create, timeout=10)
    retrieve = Request(Operation.RETRIEVE, to="", fr="/id-in", rqi="r-1", rvi="3")
    await cse_app.cse.outbound.send(target.url, retrieve, timeout=10)
    sent_create, sent_retrieve = target.received[-2:]
    assert sent_create.method == "POST" and sent_create.uint(TY) == 4
    assert sent_retrieve.method == "GET" and not sent_retrieve.message.payload


async def test_unreachable_and_silent_targets(cse_app, target):
    assert cse_app.cse.outbound.supports("coap://127.0.0.1:1/x")
    with pytest.raises(TargetUnreachable):
        await cse_app.cse.outbound.send(f"coap://127.0.0.1:{free_udp_port()}/nobody", notify(), timeout=10)
    target.silent = True  # acknowledges, never answers
    with pytest.raises(TargetUnreachable, match="no CoAP answer"):
        await cse_app.cse.outbound.send(target.url, notify(), timeout=0.5)
    with pytest.raises(TargetUnreachable):
        await cse_app.cse.outbound.send("coap:///no-host", notify(), timeout=1)


# -- subscriptions with coap:// targets, end to end --------------------------------------------


@pytest.fixture
async def ae(coap):
    assert (await coap.register_ae("app", originator="Capp")).rsc == 2001
    coap.originator = "Capp"
    assert (await coap.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "data"}})).rsc == 2001
    return coap


async def test_subscription_to_a_coap_target_is_verified_then_notified(ae, target):
    reply = await ae.create("/cse-in/app/data", 23, {"m2m:sub": {"rn": "sub", "nu": [target.url], "enc": {"net": [3]}}})
    assert reply.rsc == 2001, reply
    (verification,) = await target.wait_for(1)
    assert verification.sgn["vrq"] is True and verification.sgn["sur"] == "cse-in/app/data/sub"
    assert verification.sgn["cr"] == "Capp" and verification.text(FR) == "/id-in"
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "over coap"}})
    notification = (await target.wait_for(2))[1]
    assert notification.sgn["nev"]["net"] == 3
    assert notification.sgn["nev"]["rep"]["m2m:cin"]["con"] == "over coap"


async def test_refused_verification_fails_the_subscription(ae, target):
    target.verification_rsc = 4103
    reply = await ae.create("/cse-in/app/data", 23, {"m2m:sub": {"rn": "sub", "nu": [target.url]}})
    assert reply.rsc == 5204 and reply.code == "5.00"
    assert (await ae.retrieve("/cse-in/app/data/sub")).rsc == 4004


async def test_ae_point_of_access_over_coap(coap, target):
    await coap.register_ae("self", originator="Cself", poa=[target.url])
    coap.originator = "Cself"
    await coap.create("/cse-in/self", 3, {"m2m:cnt": {"rn": "c"}})
    reply = await coap.create("/cse-in/self/c", 23, {"m2m:sub": {"rn": "s", "nu": ["Cself"], "enc": {"net": [3]}}})
    assert reply.rsc == 2001
    await coap.create("/cse-in/self/c", 4, {"m2m:cin": {"con": "to my poa"}})
    (notification,) = await target.wait_for(1)  # its own AE: no verification request
    assert notification.sgn["nev"]["rep"]["m2m:cin"]["con"] == "to my poa"
