"""expirationTime: enforced, and an expired resource disappears with its children."""

import asyncio
from datetime import datetime, timedelta, timezone

from cse.timestamps import format_ts


def in_seconds(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y%m%dT%H%M%S")


async def wait_gone(client, path: str) -> bool:
    for _ in range(60):
        if (await client.retrieve(path)).rsc == 4004:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_expired_resource_disappears_with_its_children(client):
    await client.register_ae("exp", originator="Cexp")
    client.originator = "Cexp"
    reply = await client.create("/cse-in/exp", 3, {"m2m:cnt": {"rn": "brief", "et": in_seconds(2)}})
    assert reply.rsc == 2001
    await client.create("/cse-in/exp/brief", 3, {"m2m:cnt": {"rn": "child"}})
    await client.create("/cse-in/exp/brief/child", 4, {"m2m:cin": {"con": "x", "rn": "leaf"}})
    assert (await client.retrieve("/cse-in/exp/brief/child/leaf")).rsc == 2000
    assert await wait_gone(client, "/cse-in/exp/brief")
    assert (await client.retrieve("/cse-in/exp/brief/child/leaf")).rsc == 4004
    assert (await client.retrieve("/cse-in/exp")).rsc == 2000


async def test_default_expiration_is_assigned(client):
    reply = await client.register_ae("defexp", originator="Cdefexp")
    assert reply.pc["et"] > format_ts(datetime.now(timezone.utc) + timedelta(days=365))


async def test_expiration_in_the_past_is_rejected(client):
    await client.register_ae("past", originator="Cpast")
    reply = await client.create("/cse-in/past", 3, {"m2m:cnt": {"et": "20000101T000000"}}, originator="Cpast")
    assert reply.rsc == 4000 and "et" in reply.body["m2m:dbg"]


async def test_extending_expiration_keeps_the_resource(client):
    await client.register_ae("ext", originator="Cext")
    client.originator = "Cext"
    await client.create("/cse-in/ext", 3, {"m2m:cnt": {"rn": "c", "et": in_seconds(1)}})
    assert (await client.update("/cse-in/ext/c", {"m2m:cnt": {"et": in_seconds(3600)}})).rsc == 2004
    await asyncio.sleep(1.5)
    assert (await client.retrieve("/cse-in/ext/c")).rsc == 2000


async def test_expired_content_instance_updates_its_container(client):
    await client.register_ae("expc", originator="Cexpc")
    client.originator = "Cexpc"
    await client.create("/cse-in/expc", 3, {"m2m:cnt": {"rn": "c"}})
    await client.create("/cse-in/expc/c", 4, {"m2m:cin": {"con": "abc", "rn": "i", "et": in_seconds(1)}})
    await client.create("/cse-in/expc/c", 4, {"m2m:cin": {"con": "kept"}})
    assert await wait_gone(client, "/cse-in/expc/c/i")
    container = (await client.retrieve("/cse-in/expc/c")).pc
    assert container["cni"] == 1 and container["cbs"] == 4
