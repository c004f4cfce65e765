"""Discovery with a label filter that matches a few of many resources.

Below one AE the scenario builds ``plan.discovery_resources`` resources: ``matches`` containers
with ``resources / matches - 1`` contentInstances each. Every resource carries labels, and in
each container exactly one instance also carries the label ``hit``; the discovery
``GET <ae>?fu=1&lbl=hit`` therefore finds ``matches`` resources and has to look at all the others
to be sure. The figure is the median latency of repeated discoveries, one at a time.
"""

from __future__ import annotations

import orjson

from bench import onem2m
from bench.load import FactoryBuilder, HttpCall, RequestFactory, client, closed_loop, send
from bench.measure import Context, Result, Target, compare

TARGET = Target("median_ms", "<=", 50)
LABEL = "hit"
# Concurrency used to build the tree: the build is set-up, not a measurement.
BUILD_CONCURRENCY = 32
WARMUP = 3


async def prepare_discovery(cse_base: str, resources: int, matches: int) -> tuple[FactoryBuilder, str]:
    """Build the tree and check the discovery finds exactly ``matches`` resources."""
    if resources % matches:
        raise ValueError(f"{resources} resources cannot be split into {matches} equal containers")
    origin = "Cbenchdisc"
    containers = matches
    per_container = resources // matches - 1
    async with client(BUILD_CONCURRENCY) as session:
        ae = await onem2m.register_ae(session, cse_base, "benchdisc", origin)
        names = [f"room{n:03d}" for n in range(containers)]

        def create_container(index: int) -> HttpCall:
            content = {"m2m:cnt": {"rn": names[index], "lbl": ["bench", names[index]]}}
            return onem2m.create(cse_base, ae, origin, 3, content)

        await closed_loop(session, create_container, containers, BUILD_CONCURRENCY)
        paths = [f"{ae}/{name}" for name in names]
        hit_at = per_container // 2  # the middle one: a search cannot stop early by luck

        def create_instance(index: int) -> HttpCall:
            container, position = index % containers, index // containers
            labels = ["bench", names[container]] + ([LABEL] if position == hit_at else [])
            content = {"m2m:cin": {"con": f"{position}", "lbl": labels}}
            return onem2m.create(cse_base, paths[container], origin, 4, content)

        await closed_loop(session, create_instance, containers * per_container, BUILD_CONCURRENCY)
        query = f"fu=1&lbl={LABEL}"
        found = orjson.loads(await send(session, onem2m.retrieve(cse_base, ae, origin, query)))
        uris = found.get("m2m:uril", [])
        if len(uris) != matches:
            raise RuntimeError(f"discovery found {len(uris)} resources, expected {matches}")

    def factory_for(base: str) -> RequestFactory:
        target = onem2m.url(base, ae, query)

        def make(index: int) -> HttpCall:
            return HttpCall("GET", target, onem2m.headers(origin), expect=200)

        return make

    return factory_for, f"GET /{ae}?{query}"


async def discovery_scenario(ctx: Context) -> list[Result]:
    plan = ctx.plan
    factory_for, request = await prepare_discovery(ctx.cse.url, plan.discovery_resources, plan.discovery_matches)
    label = f"discovery {plan.discovery_matches} of {plan.discovery_resources:,} (label)"
    result = await compare(ctx, "discovery", label, factory_for, 1, plan.discovery_queries,
                           kind="latency", target=TARGET, warmup=WARMUP)
    result.notes.update(
        request=request, resources=plan.discovery_resources, matches=plan.discovery_matches
    )
    return [result]
