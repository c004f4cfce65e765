"""container and contentInstance: limits, counters, la/ol, immutability."""

import asyncio

import pytest


@pytest.fixture
async def ae(client):
    assert (await client.register_ae("app", originator="Capp")).rsc == 2001
    client.originator = "Capp"
    return client


async def add(client, path, con, **attrs):
    reply = await client.create(path, 4, {"m2m:cin": {"con": con, **attrs}})
    assert reply.rsc == 2001, reply
    return reply.pc


async def test_container_counts_instances_and_bytes(ae):
    created = await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "temp"}})
    assert created.rsc == 2001
    assert created.pc["cni"] == 0 and created.pc["cbs"] == 0 and created.pc["st"] == 0
    await add(ae, "/cse-in/app/temp", "21.5")
    await add(ae, "/cse-in/app/temp", "héllo")  # 6 bytes in UTF-8
    cnt = (await ae.retrieve("/cse-in/app/temp")).pc
    assert cnt["cni"] == 2 and cnt["cbs"] == 4 + 6
    assert cnt["st"] == 2


async def test_content_instance_attributes(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    cin = await add(ae, "/cse-in/app/c", "on", cnf="text/plain:0", lbl=["x"])
    assert cin["ty"] == 4 and cin["con"] == "on" and cin["cs"] == 2 and cin["cnf"] == "text/plain:0"
    assert cin["lbl"] == ["x"] and cin["pi"] == (await ae.retrieve("/cse-in/app/c")).pc["ri"]
    structured = await add(ae, "/cse-in/app/c", {"temp": 20, "unit": "C"})
    assert structured["con"] == {"temp": 20, "unit": "C"}


async def test_creator_is_set_when_requested_with_null(ae):
    reply = await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "owned", "cr": None}})
    assert reply.rsc == 2001 and reply.pc["cr"] == "Capp"
    plain = await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "plain"}})
    assert "cr" not in plain.pc
    forged = await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "forged", "cr": "Csomeone"}})
    assert forged.rsc == 4000


async def test_latest_and_oldest(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    assert (await ae.retrieve("/cse-in/app/c/la")).rsc == 4004
    for value in ("1", "2", "3"):
        await add(ae, "/cse-in/app/c", value)
    assert (await ae.retrieve("/cse-in/app/c/la")).pc["con"] == "3"
    assert (await ae.retrieve("/cse-in/app/c/ol")).pc["con"] == "1"
    assert (await ae.delete("/cse-in/app/c/ol")).rsc == 2002
    assert (await ae.retrieve("/cse-in/app/c/ol")).pc["con"] == "2"
    assert (await ae.delete("/cse-in/app/c/la")).rsc == 2002
    assert (await ae.retrieve("/cse-in/app/c/la")).pc["con"] == "2"
    cnt = (await ae.retrieve("/cse-in/app/c")).pc
    assert cnt["cni"] == 1 and cnt["cbs"] == 1
    # la and ol are not resources one can create under or update.
    assert (await ae.update("/cse-in/app/c/la", {"m2m:cin": {"lbl": ["x"]}})).rsc == 4005
    assert (await ae.create("/cse-in/app/c/la", 4, {"m2m:cin": {"con": "x"}})).rsc == 4005


async def test_unstructured_latest(ae):
    ri = (await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})).pc["ri"]
    await add(ae, f"/{ri}", "x")
    assert (await ae.retrieve(f"/{ri}/la")).pc["con"] == "x"


async def test_max_number_of_instances_drops_the_oldest(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c", "mni": 3}})
    for value in "abcde":
        await add(ae, "/cse-in/app/c", value)
    cnt = (await ae.retrieve("/cse-in/app/c")).pc
    assert cnt["cni"] == 3 and cnt["cbs"] == 3
    assert (await ae.retrieve("/cse-in/app/c/ol")).pc["con"] == "c"


async def test_max_byte_size_drops_the_oldest_and_refuses_too_large(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c", "mbs": 10}})
    await add(ae, "/cse-in/app/c", "12345")
    await add(ae, "/cse-in/app/c", "1234")
    await add(ae, "/cse-in/app/c", "123")  # 12 bytes > 10: the first goes
    cnt = (await ae.retrieve("/cse-in/app/c")).pc
    assert cnt["cni"] == 2 and cnt["cbs"] == 7
    too_big = await ae.create("/cse-in/app/c", 4, {"m2m:cin": {"con": "x" * 11}})
    assert too_big.rsc == 5207
    assert (await ae.retrieve("/cse-in/app/c")).pc["cni"] == 2


async def test_lowering_mni_removes_instances_at_once(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    for value in "abcd":
        await add(ae, "/cse-in/app/c", value)
    reply = await ae.update("/cse-in/app/c", {"m2m:cnt": {"mni": 1}})
    assert reply.rsc == 2004 and reply.pc["cni"] == 1
    assert (await ae.retrieve("/cse-in/app/c/ol")).pc["con"] == "d"


async def test_max_instance_age_caps_expiration(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c", "mia": 1}})
    cin = await add(ae, "/cse-in/app/c", "short-lived")
    assert cin["et"] < "2100"  # capped at creation time + 1 s, not the default lifetime
    for _ in range(50):
        await asyncio.sleep(0.1)
        if (await ae.retrieve("/cse-in/app/c")).pc["cni"] == 0:
            break
    assert (await ae.retrieve("/cse-in/app/c")).pc["cni"] == 0
    assert (await ae.retrieve("/cse-in/app/c/la")).rsc == 4004


async def test_content_instance_is_immutable(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})
    await add(ae, "/cse-in/app/c", "x", rn="first")
    reply = await ae.update("/cse-in/app/c/first", {"m2m:cin": {"lbl": ["y"]}})
    assert reply.rsc == 4005 and reply.status == 405


async def test_content_instance_only_under_container(ae):
    reply = await ae.create("/cse-in/app", 4, {"m2m:cin": {"con": "x"}})
    assert reply.rsc == 4108


async def test_nested_containers_and_recursive_delete(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "outer"}})
    await ae.create("/cse-in/app/outer", 3, {"m2m:cnt": {"rn": "inner"}})
    await add(ae, "/cse-in/app/outer/inner", "deep")
    assert (await ae.retrieve("/cse-in/app/outer/inner/la")).pc["con"] == "deep"
    assert (await ae.delete("/cse-in/app/outer")).rsc == 2002
    assert (await ae.retrieve("/cse-in/app/outer/inner")).rsc == 4004


async def test_update_container_attributes(ae):
    await ae.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c", "lbl": ["a"]}})
    before = (await ae.retrieve("/cse-in/app/c")).pc
    reply = await ae.update("/cse-in/app/c", {"m2m:cnt": {"lbl": ["b", "c"], "mbs": 100}})
    assert reply.rsc == 2004
    after = reply.pc
    assert after["lbl"] == ["b", "c"] and after["mbs"] == 100
    assert after["st"] == before["st"] + 1 and after["lt"] >= before["lt"]
    # null removes an optional attribute
    removed = await ae.update("/cse-in/app/c", {"m2m:cnt": {"lbl": None}})
    assert "lbl" not in removed.pc
