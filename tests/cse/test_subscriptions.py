"""Subscriptions and notifications over HTTP, with a real local notification receiver."""

import asyncio

import pytest

from tests.notification_receiver import NotificationReceiver
from tests.onem2m_client import free_port


@pytest.fixture
async def receiver():
    target = await NotificationReceiver().start()
    yield target
    await target.stop()


@pytest.fixture
async def ae(client):
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    client.originator = "Capp"
    assert (await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "data"}})).rsc == 2001
    return client


async def subscribe(client, path="/cse-in/app/data", request=None, **attrs):
    body = {"m2m:sub": {"rn": attrs.pop("rn", "sub"), **attrs}}
    return await client.create(path, 23, body, **(request or {}))


async def test_verification_request_then_created(ae, receiver):
    reply = await subscribe(ae, nu=[receiver.url])
    assert reply.rsc == 2001, reply
    assert reply.pc["nu"] == [receiver.url] and reply.pc["nct"] == 1 and reply.pc["enc"]["net"] == [1]
    (verification,) = await receiver.wait_for(1)
    assert verification.sgn["vrq"] is True
    assert verification.sgn["sur"] == "cse-in/app/data/sub"
    assert verification.sgn["cr"] == "Capp"
    assert verification.headers["X-M2M-Origin"] == "/id-in"


async def test_refusing_target_fails_the_create(ae, receiver):
    receiver.verification_rsc = 4103
    reply = await subscribe(ae, nu=[receiver.url])
    assert reply.rsc == 5204 and "refused" in reply.body["m2m:dbg"]
    assert (await ae.retrieve("/cse-in/app/data/sub")).rsc == 4004


async def test_unreachable_target_fails_the_create(ae):
    reply = await subscribe(ae, nu=[f"http://127.0.0.1:{free_port()}/nobody"])
    assert reply.rsc == 5204
    assert (await ae.retrieve("/cse-in/app/data/sub")).rsc == 4004


async def test_own_ae_as_target_needs_no_verification_and_uses_poa(client, receiver):
    await client.register_ae("self", originator="Cself", poa=[receiver.url])
    client.originator = "Cself"
    await client.create("/cse-in/self", 3, {"m2m:cnt": {"rn": "c"}})
    assert (await subscribe(client, "/cse-in/self/c", nu=["Cself"], enc={"net": [3]})).rsc == 2001
    await client.create("/cse-in/self/c", 4, {"m2m:cin": {"con": "hello"}})
    (notification,) = await receiver.wait_for(1)
    assert notification.sgn["nev"]["net"] == 3
    assert notification.sgn["nev"]["rep"]["m2m:cin"]["con"] == "hello"


async def test_update_notification_with_all_attributes(ae, receiver):
    await subscribe(ae, nu=[receiver.url])
    await ae.update("/cse-in/app/data", {"m2m:cnt": {"lbl": ["x"]}})
    (note,) = await receiver.wait_notifications(1)
    assert note.sgn["nev"]["net"] == 1
    rep = note.sgn["nev"]["rep"]["m2m:cnt"]
    assert rep["lbl"] == ["x"] and rep["rn"] == "data" and "ct" in rep
    assert note.sgn["sur"] == "cse-in/app/data/sub"


async def test_modified_attributes_and_resource_id_content(ae, receiver):
    await subscribe(ae, rn="mod", nu=[receiver.url], nct=2)
    await subscribe(ae, rn="ids", nu=[receiver.url], nct=3)
    await ae.update("/cse-in/app/data", {"m2m:cnt": {"mni": 5}})
    notes = await receiver.wait_notifications(2)
    by_sub = {n.sgn["sur"].rsplit("/", 1)[1]: n.sgn["nev"]["rep"] for n in notes}
    assert by_sub["mod"] == {"m2m:cnt": {"mni": 5}}
    container_ri = (await ae.retrieve("/cse-in/app/data")).pc["ri"]
    assert by_sub["ids"] == {"m2m:uri": container_ri}


async def test_child_create_and_delete_and_resource_delete(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [2, 3, 4]}, su=receiver.url)
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "1", "rn": "one"}})
    await ae.delete("/cse-in/app/data/one")
    await ae.delete("/cse-in/app/data")
    notes = await receiver.wait_notifications(4)
    kinds = [(n.sgn.get("nev", {}).get("net"), n.sgn.get("sud")) for n in notes]
    assert kinds == [(3, None), (4, None), (2, None), (None, True)]
    assert notes[1].sgn["nev"]["rep"]["m2m:cin"]["rn"] == "one"
    assert notes[3].sgn["sur"] == "cse-in/app/data/sub"


async def test_child_type_and_attribute_filters(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [1, 3], "chty": [3], "atr": ["lbl"]})
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "ignored"}})  # not a container
    await ae.update("/cse-in/app/data", {"m2m:cnt": {"mni": 3}})  # not lbl
    await ae.create("/cse-in/app/data", 3, {"m2m:cnt": {"rn": "sub-container"}})
    await ae.update("/cse-in/app/data", {"m2m:cnt": {"lbl": ["a"]}})
    notes = await receiver.wait_notifications(2)
    await asyncio.sleep(0.3)
    notes = receiver.notifications()
    assert [n.sgn["nev"]["net"] for n in notes] == [3, 1]
    assert notes[0].sgn["nev"]["rep"]["m2m:cnt"]["rn"] == "sub-container"


async def test_event_criteria_size_filter(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3], "sza": 5})
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "tiny"}})
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "large enough"}})
    notes = await receiver.wait_notifications(1)
    await asyncio.sleep(0.3)
    assert [n.sgn["nev"]["rep"]["m2m:cin"]["con"] for n in receiver.notifications()] == ["large enough"]


async def test_expiration_counter_ends_the_subscription(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3]}, exc=2, su=receiver.url)
    for value in "abc":
        await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": value}})
    notes = await receiver.wait_notifications(3)
    await asyncio.sleep(0.3)
    notes = receiver.notifications()
    assert [n.sgn.get("nev", {}).get("rep", {}).get("m2m:cin", {}).get("con") for n in notes[:2]] == ["a", "b"]
    assert notes[2].sgn["sud"] is True and len(notes) == 3
    assert (await ae.retrieve("/cse-in/app/data/sub")).rsc == 4004


async def test_batch_by_number(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3]}, bn={"num": 3})
    for value in "abcdef":
        await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": value}})
    notes = await receiver.wait_notifications(2)
    assert len(notes) == 2
    batches = [[s["nev"]["rep"]["m2m:cin"]["con"] for s in n.body["m2m:agn"]["m2m:sgn"]] for n in notes]
    assert batches == [["a", "b", "c"], ["d", "e", "f"]]


async def test_batch_by_duration_and_latest_only(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3]}, bn={"num": 100, "dur": "PT0.5S"}, ln=True)
    for value in "abc":
        await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": value}})
    (note,) = await receiver.wait_notifications(1)
    assert [s["nev"]["rep"]["m2m:cin"]["con"] for s in note.body["m2m:agn"]["m2m:sgn"]] == ["c"]


async def test_rate_limit_holds_the_excess(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3]}, rl={"mnn": 2, "tww": "PT1H"})
    for value in "abcde":
        await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": value}})
    await receiver.wait_notifications(2)
    await asyncio.sleep(0.5)
    assert len(receiver.notifications()) == 2


async def test_dead_target_does_not_block_other_targets(ae, receiver):
    dead = f"http://127.0.0.1:{free_port()}/dead"
    await ae.register_ae("deadae", originator="Cdead", poa=[dead])
    assert (await subscribe(ae, rn="todead", nu=["Cdead"], enc={"net": [3]})).rsc == 5204
    # A target that stops answering after verification: its notifications wait, others flow.
    # (chty: creating the other subscriptions is itself a child creation.)
    await subscribe(ae, rn="live", nu=[receiver.url], enc={"net": [3], "chty": [4]})
    slow = NotificationReceiver()
    await slow.start()
    await subscribe(ae, rn="slow", nu=[slow.url], enc={"net": [3], "chty": [4]})
    slow.gate.clear()  # from now on the slow target never answers until released
    for value in "abc":
        reply = await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": value}})
        assert reply.rsc == 2001  # requests do not wait for notification targets
    notes = await receiver.wait_notifications(3)
    assert [n.sgn["nev"]["rep"]["m2m:cin"]["con"] for n in notes] == ["a", "b", "c"]
    slow.gate.set()
    slow_notes = await slow.wait_notifications(3)
    assert [n.sgn["nev"]["rep"]["m2m:cin"]["con"] for n in slow_notes] == ["a", "b", "c"]
    await slow.stop()


async def test_notifications_arrive_in_order(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3]})
    for n in range(25):
        await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": str(n)}})
    notes = await receiver.wait_notifications(25)
    assert [n.sgn["nev"]["rep"]["m2m:cin"]["con"] for n in notes] == [str(n) for n in range(25)]


async def test_unanswered_notifications_are_retried_once_the_target_is_back(client):
    port = free_port()
    late = NotificationReceiver(port=port)
    await client.register_ae("late", originator="Clate", poa=[late.url])
    client.originator = "Clate"
    await client.create("/cse-in/late", 3, {"m2m:cnt": {"rn": "c"}})
    assert (await subscribe(client, "/cse-in/late/c", nu=["Clate"], enc={"net": [3]})).rsc == 2001
    for value in "xy":
        await client.create("/cse-in/late/c", 4, {"m2m:cin": {"con": value}})
    await asyncio.sleep(0.2)
    await late.start()  # the target comes up: the retries find it
    notes = await late.wait_notifications(2, timeout=15)
    await asyncio.sleep(0.5)
    assert [n.sgn["nev"]["rep"]["m2m:cin"]["con"] for n in late.notifications()] == ["x", "y"]
    await late.stop()


async def test_notification_statistics(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [3]}, nse=True)
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "a"}})
    await receiver.wait_notifications(1)
    for _ in range(50):
        # notificationStatsInfo exists from release 4 on.
        stats = (await ae.retrieve("/cse-in/app/data/sub", rvi="4")).pc.get("nsi", [])
        if stats and stats[0]["rsr"] >= 1:
            break
        await asyncio.sleep(0.05)
    assert stats == [{"tg": receiver.url, "rqs": 1, "rsr": 1, "noec": 1}]


async def test_blocking_update(ae, receiver):
    assert (await subscribe(ae, nu=[receiver.url], enc={"net": [7]})).rsc == 2001
    second = await subscribe(ae, rn="second", nu=[receiver.url], enc={"net": [7]})
    assert second.rsc == 4124
    assert (await ae.update("/cse-in/app/data", {"m2m:cnt": {"lbl": ["ok"]}})).rsc == 2004
    note = (await receiver.wait_notifications(1))[0]
    assert note.sgn["nev"] == {"net": 7, "rep": {"m2m:cnt": {"lbl": ["ok"]}}}
    receiver.rsc = 4103
    refused = await ae.update("/cse-in/app/data", {"m2m:cnt": {"lbl": ["no"]}})
    assert refused.rsc == 4127
    assert (await ae.retrieve("/cse-in/app/data")).pc["lbl"] == ["ok"]


async def test_retrieve_of_empty_container(ae, receiver):
    await subscribe(ae, nu=[receiver.url], enc={"net": [5]})
    assert (await ae.retrieve("/cse-in/app/data/la")).rsc == 4004
    (note,) = await receiver.wait_notifications(1)
    assert note.sgn["nev"]["net"] == 5


@pytest.mark.parametrize(
    "attrs, rsc",
    [
        ({"nu": [], "enc": {"net": [1]}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "enc": {"net": [99]}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "enc": {"net": [6]}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "enc": {"foo": 1}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "bn": {}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "rl": {"mnn": 1}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "bn": {"num": 2, "dur": "soon"}}, 4000),
        ({"nu": ["http://127.0.0.1:1/x"], "nct": 9}, 4000),
    ],
)
async def test_invalid_subscriptions(ae, attrs, rsc):
    reply = await subscribe(ae, **attrs)
    assert reply.rsc == rsc and reply.body["m2m:dbg"]
    assert (await ae.retrieve("/cse-in/app/data/sub")).rsc == 4004


async def test_subscription_needs_retrieve_privilege(ae, client, receiver):
    await client.register_ae("other", originator="Cother")
    acp = {"m2m:acp": {"rn": "create-only", "pv": {"acr": [{"acor": ["Cother"], "acop": 1}]},
                       "pvs": {"acr": [{"acor": ["Capp"], "acop": 63}]}}}
    assert (await ae.create("/cse-in/app", 1, acp)).rsc == 2001
    await ae.update("/cse-in/app/data", {"m2m:cnt": {"acpi": ["cse-in/app/create-only"]}})
    reply = await subscribe(ae, nu=[receiver.url], request={"originator": "Cother"})
    assert reply.rsc == 4101


async def test_no_subscription_under_a_content_instance(ae, receiver):
    await ae.create("/cse-in/app/data", 4, {"m2m:cin": {"con": "x", "rn": "i"}})
    assert (await subscribe(ae, "/cse-in/app/data/i", nu=[receiver.url])).rsc == 4108
