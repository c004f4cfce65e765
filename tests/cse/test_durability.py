"""Every acknowledged write survives kill -9; counters and children stay consistent."""

import asyncio

from tests.cse.server_process import ServerProcess
from tests.onem2m_client import OneM2MClient


async def test_acknowledged_writes_survive_kill_9_under_load(tmp_path):
    server = ServerProcess(tmp_path / "cse.sqlite")
    await server.start()
    acknowledged: dict[str, str] = {}
    try:
        async with OneM2MClient(server.url, originator="Cdur") as client:
            assert (await client.register_ae("dur", originator="Cdur")).rsc == 2001
            assert (await client.create("/cse-in/dur", 3, {"m2m:cnt": {"rn": "c"}})).rsc == 2001
            assert (await client.create("/cse-in/dur", 3, {"m2m:cnt": {"rn": "gone"}})).rsc == 2001
            assert (await client.update("/cse-in/dur/c", {"m2m:cnt": {"lbl": ["kept"]}})).rsc == 2004
            assert (await client.delete("/cse-in/dur/gone")).rsc == 2002
            stop = asyncio.Event()

            async def writer(worker: int) -> None:
                n = 0
                while not stop.is_set():
                    con = f"w{worker}-{n}"
                    n += 1
                    try:
                        reply = await client.create("/cse-in/dur/c", 4, {"m2m:cin": {"con": con}})
                    except Exception:
                        return  # the server died mid-request: that write was never acknowledged
                    if reply.rsc == 2001:
                        acknowledged[reply.pc["ri"]] = con

            writers = [asyncio.create_task(writer(i)) for i in range(16)]
            while len(acknowledged) < 200:
                await asyncio.sleep(0.01)
            server.kill()  # while requests are in flight
            stop.set()
            await asyncio.gather(*writers)
    finally:
        if server.process and server.process.poll() is None:
            server.kill()

    restarted = ServerProcess(tmp_path / "cse.sqlite")
    await restarted.start()
    try:
        async with OneM2MClient(restarted.url, originator="Cdur") as client:
            for ri, con in acknowledged.items():
                reply = await client.retrieve(f"/~/id-in/{ri}")
                assert reply.rsc == 2000, (ri, reply)
                assert reply.pc["con"] == con
            container = (await client.retrieve("/cse-in/dur/c")).pc
            assert container["lbl"] == ["kept"]
            assert (await client.retrieve("/cse-in/dur/gone")).rsc == 4004
            instances = (await client.request("GET", "/cse-in/dur/c?fu=1&ty=4&drt=2")).body["m2m:uril"]
            # Counters match what is really there: nothing half-written.
            assert container["cni"] == len(instances) >= len(acknowledged)
            sizes = 0
            for ri in instances:
                sizes += (await client.retrieve(f"/~/id-in/{ri}")).pc["cs"]
            assert container["cbs"] == sizes
    finally:
        restarted.terminate()


async def test_graceful_shutdown_and_restart_keep_the_tree(tmp_path):
    server = ServerProcess(tmp_path / "cse.sqlite")
    await server.start()
    async with OneM2MClient(server.url, originator="Ckeep") as client:
        assert (await client.register_ae("keep", originator="Ckeep")).rsc == 2001
        assert (await client.create("/cse-in/keep", 3, {"m2m:cnt": {"rn": "c", "mni": 5}})).rsc == 2001
    log = server.terminate()
    assert server.process.returncode == 0
    assert "shutting down" in log and "Traceback" not in log
    again = ServerProcess(tmp_path / "cse.sqlite")
    await again.start()
    try:
        async with OneM2MClient(again.url, originator="Ckeep") as client:
            assert (await client.retrieve("/cse-in/keep/c")).pc["mni"] == 5
            # The AE-ID stays registered across restarts.
            assert (await client.register_ae("keep", originator="Ckeep")).rsc == 4117
    finally:
        again.terminate()
