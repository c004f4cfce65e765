"""Create and retrieve contentInstances over HTTP, at each concurrency of the plan.

Each scenario first builds its own AE and container on the CSE; then the very same requests
(method, path, headers, body) go to the baseline and to the CSE.
"""

from __future__ import annotations

import orjson

from bench import onem2m
from bench.load import FactoryBuilder, HttpCall, RequestFactory, client, closed_loop
from bench.measure import Context, Result, Target, compare

# Targets of the issue, for concurrency 32: CSE rate as a share of the baseline's.
CREATE_TARGET = Target("ratio", ">=", 0.25)
RETRIEVE_TARGET = Target("ratio", ">=", 0.40)
TARGET_CONCURRENCY = 32

# Instances the retrieve scenario reads in turn: more than the concurrency, so that concurrent
# requests address different resources, as different sensors' readings would.
RETRIEVE_INSTANCES = 100


async def prepare_create(cse_base: str) -> FactoryBuilder:
    """An AE with one container; each request creates a contentInstance in it."""
    origin = "Cbenchcreate"
    async with client(1) as session:
        ae = await onem2m.register_ae(session, cse_base, "benchcreate", origin)
        container = await onem2m.create_container(session, cse_base, ae, "c", origin)
    body = orjson.dumps({"m2m:cin": {"con": "21.5"}})

    def factory_for(base: str) -> RequestFactory:
        target = onem2m.url(base, container)

        def make(index: int) -> HttpCall:
            return HttpCall("POST", target, onem2m.headers(origin, 4), body, expect=201)

        return make

    return factory_for


async def prepare_retrieve(cse_base: str) -> FactoryBuilder:
    """An AE with a container of RETRIEVE_INSTANCES instances; requests read them round-robin."""
    origin = "Cbenchread"
    async with client(8) as session:
        ae = await onem2m.register_ae(session, cse_base, "benchread", origin)
        container = await onem2m.create_container(session, cse_base, ae, "c", origin)
        paths = [f"{container}/i{n:03d}" for n in range(RETRIEVE_INSTANCES)]

        def create_instance(index: int) -> HttpCall:
            content = {"m2m:cin": {"rn": f"i{index:03d}", "con": f"{20 + index / 10:.1f}"}}
            return onem2m.create(cse_base, container, origin, 4, content)

        await closed_loop(session, create_instance, RETRIEVE_INSTANCES, 8)

    def factory_for(base: str) -> RequestFactory:
        targets = [onem2m.url(base, path) for path in paths]

        def make(index: int) -> HttpCall:
            return HttpCall("GET", targets[index % len(targets)], onem2m.headers(origin), expect=200)

        return make

    return factory_for


async def create_scenario(ctx: Context) -> list[Result]:
    factory_for = await prepare_create(ctx.cse.url)
    return [
        await compare(ctx, "create", "create contentInstance", factory_for, concurrency,
                      ctx.plan.requests[concurrency],
                      target=CREATE_TARGET if concurrency == TARGET_CONCURRENCY else None)
        for concurrency in ctx.plan.concurrencies
    ]


async def retrieve_scenario(ctx: Context) -> list[Result]:
    factory_for = await prepare_retrieve(ctx.cse.url)
    return [
        await compare(ctx, "retrieve", "retrieve contentInstance", factory_for, concurrency,
                      ctx.plan.requests[concurrency],
                      target=RETRIEVE_TARGET if concurrency == TARGET_CONCURRENCY else None)
        for concurrency in ctx.plan.concurrencies
    ]
