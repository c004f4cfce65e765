"""oneM2M over HTTP (TS-0009) as the bench sends it: headers, request builders, tree set-up."""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp
import orjson
from yarl import URL

from bench.load import HttpCall, send

CSE_NAME = "cse-in"
RELEASE = "3"
_request_ids = itertools.count(1)


def headers(origin: str, ty: int | None = None) -> dict[str, str]:
    """Headers of one request, with a request identifier unique within the bench process."""
    result = {
        "X-M2M-Origin": origin,
        "X-M2M-RI": f"b{next(_request_ids)}",
        "X-M2M-RVI": RELEASE,
        "Accept": "application/json",
    }
    if ty is not None:
        result["Content-Type"] = f"application/json;ty={ty}"
    return result


def url(base: str, path: str, query: str = "") -> URL:
    """An already-encoded URL: yarl then skips re-parsing and quoting on every request."""
    return URL(f"{base}/{path}" + (f"?{query}" if query else ""), encoded=True)


def create(base: str, path: str, origin: str, ty: int, content: dict[str, Any]) -> HttpCall:
    return HttpCall("POST", url(base, path), headers(origin, ty), orjson.dumps(content), expect=201)


def retrieve(base: str, path: str, origin: str, query: str = "") -> HttpCall:
    return HttpCall("GET", url(base, path, query), headers(origin), expect=200)


async def register_ae(session: aiohttp.ClientSession, base: str, name: str, origin: str) -> str:
    """Register an AE named ``name`` with AE-ID ``origin``; returns its structured path."""
    content = {"m2m:ae": {"rn": name, "api": f"N{name}", "rr": False, "srv": [RELEASE]}}
    await send(session, create(base, CSE_NAME, origin, 2, content))
    return f"{CSE_NAME}/{name}"


async def create_container(
    session: aiohttp.ClientSession, base: str, parent: str, name: str, origin: str, labels: list[str] | None = None
) -> str:
    content: dict[str, Any] = {"rn": name}
    if labels:
        content["lbl"] = labels
    await send(session, create(base, parent, origin, 3, {"m2m:cnt": content}))
    return f"{parent}/{name}"


async def create_instance(
    session: aiohttp.ClientSession, base: str, container: str, name: str, origin: str, con: str
) -> str:
    await send(session, create(base, container, origin, 4, {"m2m:cin": {"rn": name, "con": con}}))
    return f"{container}/{name}"
