"""The notification payloads (TS-0004 m2m:notification, m2m:aggregatedNotification)."""

from __future__ import annotations

from typing import Any


def event(sur: str, net: int, representation: Any) -> dict[str, Any]:
    return {"m2m:sgn": {"nev": {"rep": representation, "net": net}, "sur": sur}}


def verification(sur: str, creator: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"vrq": True, "sur": sur}
    if creator:
        body["cr"] = creator
    return {"m2m:sgn": body}


def deletion(sur: str) -> dict[str, Any]:
    return {"m2m:sgn": {"sud": True, "sur": sur}}


def aggregate(notifications: list[dict[str, Any]]) -> dict[str, Any]:
    return {"m2m:agn": {"m2m:sgn": [n["m2m:sgn"] for n in notifications]}}
