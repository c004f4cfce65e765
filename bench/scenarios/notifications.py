"""The cost of a subscription: creates with and without one, and notifications per second.

Two containers of one AE on the CSE: one plain, one with a subscription (net 3, create of a
child) whose notifications go to a receiver in this process. Rounds alternate between them;
the figure is the create rate with the subscription as a share of the rate without (target:
a subscription costs at most 30%). After each subscribed round the bench waits until every
notification of that round arrived, and reports the delivery rate from the first create to
the last notification.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from aiohttp import web

from bench import onem2m
from bench.load import FactoryBuilder, HttpCall, RequestFactory, client, send
from bench.measure import Context, Result, Target, measure

SUBSCRIPTION_TARGET = Target("ratio", ">=", 0.70)
CONCURRENCY = 32
# Creates per round: one target is served in order, so a longer burst than its queue holds
# (notification_queue_limit, 10,000 by default) would drop the oldest notifications by design.
MAX_REQUESTS = 5000
# How long the notifications of one round may take to arrive before the bench gives up.
DELIVERY_DEADLINE = 120.0


class Receiver:
    """Counts notifications; answers verification requests and notifications with 2000."""

    def __init__(self) -> None:
        self.count = 0
        self.last_arrival = 0.0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/notify", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/notify"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        if not body.get("m2m:sgn", {}).get("vrq"):
            self.count += 1
            self.last_arrival = time.perf_counter()
        return web.Response(headers={"X-M2M-RSC": "2000", "X-M2M-RI": request.headers.get("X-M2M-RI", "")})


def _creates(container: str, origin: str) -> FactoryBuilder:
    body = orjson.dumps({"m2m:cin": {"con": "21.5"}})

    def factory_for(base: str) -> RequestFactory:
        target = onem2m.url(base, container)

        def make(index: int) -> HttpCall:
            return HttpCall("POST", target, onem2m.headers(origin, 4), body, expect=201)

        return make

    return factory_for


async def notification_scenario(ctx: Context) -> list[Result]:
    receiver = Receiver()
    await receiver.start()
    origin = "Cbenchnotify"
    try:
        async with client(1) as session:
            ae = await onem2m.register_ae(session, ctx.cse.url, "benchnotify", origin)
            plain = await onem2m.create_container(session, ctx.cse.url, ae, "plain", origin)
            watched = await onem2m.create_container(session, ctx.cse.url, ae, "watched", origin)
            subscription = {"m2m:sub": {"rn": "s", "nu": [receiver.url], "enc": {"net": [3]}}}
            await send(session, onem2m.create(ctx.cse.url, watched, origin, 23, subscription))
        requests = min(ctx.plan.requests[CONCURRENCY], MAX_REQUESTS)
        result = Result("notify", "create with one subscription (vs without)", CONCURRENCY, "throughput",
                        [], [], SUBSCRIPTION_TARGET)
        deliveries: list[float] = []
        for round_number in range(ctx.plan.rounds):
            order = [("baseline", plain), ("cse", watched)]
            if round_number % 2:
                order.reverse()
            for which, container in order:
                expected = receiver.count + requests + ctx.plan.warmup
                started = time.perf_counter()
                sample, _ = await measure(ctx.cse, _creates(container, origin), requests, CONCURRENCY, ctx.plan.warmup)
                getattr(result, which).append(sample)
                if which == "cse":
                    deadline = started + DELIVERY_DEADLINE
                    while receiver.count < expected and time.perf_counter() < deadline:
                        await asyncio.sleep(0.05)
                    if receiver.count >= expected:
                        deliveries.append((requests + ctx.plan.warmup) / (receiver.last_arrival - started))
        result.notes = {
            "compared": "baseline column = the CSE creating in a container without subscription",
            "notifications_per_second": deliveries,
            "undelivered_rounds": ctx.plan.rounds - len(deliveries),
        }
        return [result]
    finally:
        await receiver.stop()
