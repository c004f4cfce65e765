"""The baseline: a trivial aiohttp server answering every request with a small fixed JSON body.

It runs on the same low-level ``aiohttp.web.Server`` the CSE's HTTP binding uses, so the ratio
CSE rate / baseline rate isolates what the CSE adds on top of the HTTP stack. Like the CSE it
reads the request body; it answers POST with 201 and everything else with 200, the codes a
successful Create and Retrieve get from the CSE, so one load generator check fits both.

Run as ``python -m bench.baseline --port PORT`` (the bench starts it in its own process).
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from aiohttp import web

# About the size of a contentInstance representation, so both servers send similar bytes.
BODY = (
    b'{"m2m:cin":{"ty":4,"ri":"cin0000000000","rn":"cin0000000000","pi":"cnt0000000000",'
    b'"ct":"20250101T000000,000000","lt":"20250101T000000,000000","et":"20350101T000000,000000",'
    b'"st":1,"cs":4,"con":"21.5"}}'
)
HEADERS = {"Content-Type": "application/json", "X-M2M-RSC": "2000"}


async def handle(request: web.BaseRequest) -> web.Response:
    await request.read()
    return web.Response(status=201 if request.method == "POST" else 200, body=BODY, headers=HEADERS)


async def serve(host: str, port: int) -> None:
    runner = web.ServerRunner(web.Server(handle, access_log=None), handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_address=True).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
