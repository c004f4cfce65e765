"""Request parameters about time and mode: rqet, oet, rt; the response's originating timestamp."""

from datetime import datetime, timedelta, timezone


def stamp(delta_seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_seconds)).strftime("%Y%m%dT%H%M%S")


async def test_expired_request_is_not_executed(client):
    await client.register_ae("t", originator="Ct")
    reply = await client.create("/cse-in/t", 3, {"m2m:cnt": {"rn": "late"}}, originator="Ct",
                                headers={"X-M2M-RET": stamp(-60)})
    assert reply.rsc == 4008
    assert (await client.retrieve("/cse-in/t/late", originator="Ct")).rsc == 4004


async def test_request_expiration_as_a_duration(client):
    await client.register_ae("t", originator="Ct")
    reply = await client.create("/cse-in/t", 3, {"m2m:cnt": {"rn": "ok"}}, originator="Ct",
                                headers={"X-M2M-RET": "10000"})
    assert reply.rsc == 2001


async def test_operation_execution_time_defers_the_operation(client):
    await client.register_ae("t", originator="Ct")
    reply = await client.create("/cse-in/t", 3, {"m2m:cnt": {"rn": "later"}}, originator="Ct",
                                headers={"X-M2M-OET": "300"})
    assert reply.rsc == 2001
    after_expiry = await client.create("/cse-in/t", 3, {"m2m:cnt": {"rn": "never"}}, originator="Ct",
                                       headers={"X-M2M-OET": stamp(30), "X-M2M-RET": stamp(10)})
    assert after_expiry.rsc == 4008


async def test_bad_timestamps_are_bad_requests(client):
    reply = await client.retrieve("/cse-in", headers={"X-M2M-RET": "yesterday"})
    assert reply.rsc == 4000 and "rqet" in reply.body["m2m:dbg"]


async def test_non_blocking_requests_are_refused_clearly(client):
    reply = await client.request("GET", "/cse-in?rt=1")
    assert reply.rsc == 5206
    assert (await client.request("GET", "/cse-in?rt=3")).rsc == 2000


async def test_response_carries_originating_timestamp(client):
    reply = await client.retrieve("/cse-in")
    assert reply.headers["X-M2M-OT"][:8].isdigit() and "T" in reply.headers["X-M2M-OT"]
