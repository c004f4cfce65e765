"""The CSE's own HTTP client for notifications, against targets that answer in every odd way."""

import asyncio

import pytest

from cse.bindings.http_client import MAX_BODY, HttpSender
from cse.core.outbound import TargetUnreachable
from cse.primitives import Operation, Request
from cse.status import RSC


def notify(rqi="n1"):
    return Request(op=Operation.NOTIFY, to="", fr="/id-in", rqi=rqi, rvi="3", pc={"m2m:sgn": {"vrq": True}})


async def raw_server(answer: bytes, *, close: bool = False, read_request: bool = True):
    """A TCP server that sends ``answer`` to every request it reads; returns (server, url, seen)."""
    seen: list[bytes] = []

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
                seen.append(head + await reader.readexactly(length))
                writer.write(answer)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/notify", seen


@pytest.mark.parametrize(
    "answer, rsc",
    [
        (b"HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\nContent-Length: 0\r\n\r\n", RSC.OK),
        (b"HTTP/1.1 403 Forbidden\r\nX-M2M-RSC: 4103\r\nContent-Length: 2\r\n\r\n{}", RSC.ORIGINATOR_HAS_NO_PRIVILEGE),
        (b"HTTP/1.1 204 No Content\r\n\r\n", RSC.OK),  # a plain web hook
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-M2M-RSC: 2000\r\n\r\n4\r\nabcd\r\n0\r\n\r\n", RSC.OK),
    ],
)
async def test_answers_are_read_whatever_their_framing(answer, rsc):
    server, url, seen = await raw_server(answer)
    sender = HttpSender()
    try:
        response = await sender.send(url, notify(), timeout=2)
        assert response.rsc == rsc and response.rqi == "n1"
        assert seen[0].startswith(b"POST /notify HTTP/1.1\r\n") and b"X-M2M-Origin: /id-in" in seen[0]
        assert seen[0].endswith(b'{"m2m:sgn":{"vrq":true}}')
    finally:
        await sender.close()
        server.close()


async def test_one_connection_is_kept_and_reused():
    connections = []

    async def handle(reader, writer):
        connections.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")))
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\nContent-Length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/n"
    sender = HttpSender()
    try:
        for n in range(5):
            assert (await sender.send(url, notify(f"r{n}"), timeout=2)).rsc == RSC.OK
        assert len(connections) == 1
        connections[0].close()  # the target drops the kept-alive connection
        await asyncio.sleep(0.05)
        assert (await sender.send(url, notify("after"), timeout=2)).rsc == RSC.OK
        assert len(connections) == 2
    finally:
        await sender.close()
        server.close()


async def test_answer_without_length_ends_with_the_connection():
    server, url, _ = await raw_server(b"HTTP/1.1 200 OK\r\nX-M2M-RSC: 2000\r\n\r\nbody", close=True)
    sender = HttpSender()
    try:
        assert (await sender.send(url, notify(), timeout=2)).rsc == RSC.OK
        assert (await sender.send(url, notify(), timeout=2)).rsc == RSC.OK  # a new connection
    finally:
        await sender.close()
        server.close()


@pytest.mark.parametrize(
    "answer",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: " + str(MAX_BODY + 1).encode() + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n",
        b"HTTP/1.1 200 OK\r\nX: " + b"y" * 20000 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
async def test_insane_answers_make_the_target_unreachable_not_the_cse_fail(answer):
    server, url, _ = await raw_server(answer, close=True)
    sender = HttpSender()
    try:
        with pytest.raises(TargetUnreachable):
            await sender.send(url, notify(), timeout=2)
    finally:
        await sender.close()
        server.close()


async def test_silent_and_absent_targets():
    async def silent(reader, writer):
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/n"
    sender = HttpSender()
    try:
        with pytest.raises(TargetUnreachable, match="no answer in time"):
            await sender.send(url, notify(), timeout=0.3)
        server.close()
        await server.wait_closed()
        with pytest.raises(TargetUnreachable):
            await sender.send(url, notify(), timeout=1)
        with pytest.raises(TargetUnreachable):
            await sender.send("ftp://127.0.0.1/x", notify(), timeout=1)
    finally:
        await sender.close()
