"""The Bootstrap-Delete and Bootstrap-Write steps that put a BootstrapConfig into a device.

    DELETE /0, /1 (and /11 when profiles are given)   the device keeps its bootstrap account
    PUT /0/<i>    Security: URI, bootstrap=false, mode, PSK identity and key, short server id
    PUT /1/<i>    Server: short server id, lifetime, default periods, storing, binding
    PUT /11/<i>   APN profiles
    POST /bs      Bootstrap-Finish

Security instance ids avoid the ones the device still has after the deletes (its bootstrap
account), as far as a Bootstrap-Discover told us.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..paths import Path
from .config import ApnProfile, BootstrapConfig, ServerAccount


@dataclass(frozen=True)
class Step:
    kind: str
    """"delete", "write" or "finish"."""
    path: Path = ()
    values: dict[Path, object] = field(default_factory=dict)


def security_values(iid: int, account: ServerAccount) -> dict[Path, object]:
    return {
        (0, iid, 0): account.uri,
        (0, iid, 1): False,
        (0, iid, 2): int(account.security_mode),
        (0, iid, 3): account.psk_identity,
        (0, iid, 4): b"",
        (0, iid, 5): account.psk_key,
        (0, iid, 10): account.short_server_id,
    }


def server_values(iid: int, account: ServerAccount) -> dict[Path, object]:
    values: dict[Path, object] = {
        (1, iid, 0): account.short_server_id,
        (1, iid, 1): account.lifetime,
        (1, iid, 6): account.notification_storing,
        (1, iid, 7): account.binding,
    }
    if account.default_pmin is not None:
        values[(1, iid, 2)] = account.default_pmin
    if account.default_pmax is not None:
        values[(1, iid, 3)] = account.default_pmax
    return values


def apn_values(iid: int, profile: ApnProfile) -> dict[Path, object]:
    values: dict[Path, object] = {
        (11, iid, 0): profile.name,
        (11, iid, 3): profile.enabled,
        (11, iid, 4): int(profile.authentication),
    }
    if profile.apn is not None:
        values[(11, iid, 1)] = profile.apn
    if profile.user is not None:
        values[(11, iid, 5)] = profile.user
    if profile.secret is not None:
        values[(11, iid, 6)] = profile.secret
    return values


def deletes(config: BootstrapConfig) -> list[Step]:
    steps = [Step("delete", (0,)), Step("delete", (1,))]
    if config.apn_profiles:
        steps.append(Step("delete", (11,)))
    return steps


def writes(config: BootstrapConfig, kept_security_instances: Iterable[int] = (0,)) -> list[Step]:
    """The writes and the finish; security instance ids skip those the device kept."""
    steps: list[Step] = []
    taken = set(kept_security_instances)
    free = (i for i in range(65535) if i not in taken)
    for index, account in enumerate(config.servers):
        security_iid = next(free)
        steps.append(Step("write", (0, security_iid), security_values(security_iid, account)))
        steps.append(Step("write", (1, index), server_values(index, account)))
    for index, profile in enumerate(config.apn_profiles):
        steps.append(Step("write", (11, index), apn_values(index, profile)))
    steps.append(Step("finish"))
    return steps


def plan(config: BootstrapConfig, kept_security_instances: Iterable[int] = (0,)) -> list[Step]:
    return deletes(config) + writes(config, kept_security_instances)
