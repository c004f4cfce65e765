"""Subscriptions and pending notifications survive restarts of the CSE process."""

from tests.cse.server_process import ServerProcess
from tests.notification_receiver import NotificationReceiver
from tests.onem2m_client import OneM2MClient


async def test_subscription_survives_restart_and_pending_batch_survives_kill_9(tmp_path):
    receiver = await NotificationReceiver().start()
    server = ServerProcess(tmp_path / "cse.sqlite")
    await server.start()
    try:
        async with OneM2MClient(server.url, originator="Capp") as client:
            assert (await client.register_ae("app", originator="Capp")).rsc == 2001
            assert (await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})).rsc == 2001
            sub = {"m2m:sub": {"rn": "s", "nu": [receiver.url], "enc": {"net": [3]}, "bn": {"num": 5}}}
            assert (await client.create("/cse-in/app/c", 23, sub)).rsc == 2001
            for value in "abc":
                assert (await client.create("/cse-in/app/c", 4, {"m2m:cin": {"con": value}})).rsc == 2001
        server.kill()
        assert receiver.notifications() == []  # the batch was still waiting

        again = ServerProcess(tmp_path / "cse.sqlite")
        await again.start()
        try:
            async with OneM2MClient(again.url, originator="Capp") as client:
                assert (await client.retrieve("/cse-in/app/c/s")).pc["bn"] == {"num": 5}
                for value in "de":
                    assert (await client.create("/cse-in/app/c", 4, {"m2m:cin": {"con": value}})).rsc == 2001
                (note,) = await receiver.wait_notifications(1, timeout=30)
                contents = [s["nev"]["rep"]["m2m:cin"]["con"] for s in note.body["m2m:agn"]["m2m:sgn"]]
                assert contents == ["a", "b", "c", "d", "e"]
        finally:
            again.terminate()
    finally:
        if server.process and server.process.poll() is None:
            server.kill()
        await receiver.stop()


async def test_undelivered_notifications_are_sent_after_restart(tmp_path):
    receiver = NotificationReceiver()
    server = ServerProcess(tmp_path / "cse.sqlite")
    await server.start()
    try:
        async with OneM2MClient(server.url, originator="Capp") as client:
            assert (await client.register_ae("app", originator="Capp", poa=[receiver.url])).rsc == 2001
            assert (await client.create("/cse-in/app", 3, {"m2m:cnt": {"rn": "c"}})).rsc == 2001
            sub = {"m2m:sub": {"rn": "s", "nu": ["Capp"], "enc": {"net": [3]}}}
            assert (await client.create("/cse-in/app/c", 23, sub)).rsc == 2001
            assert (await client.create("/cse-in/app/c", 4, {"m2m:cin": {"con": "while-down"}})).rsc == 2001
        server.terminate()  # the target was never up: the notification is still owed
        await receiver.start()
        again = ServerProcess(tmp_path / "cse.sqlite")
        await again.start()
        try:
            (note,) = await receiver.wait_notifications(1, timeout=30)
            assert note.sgn["nev"]["rep"]["m2m:cin"]["con"] == "while-down"
        finally:
            again.terminate()
    finally:
        await receiver.stop()
