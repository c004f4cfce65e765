"""Bootstrap provisioning from per-operator configuration kept in the CSE.

Layout, under the IPE's AE (created here at start; the operators manage what is inside):

    <cse>/<ipe-ae>/bootstrap            container, acpi -> <ipe-ae>/acp-bootstrap (the operators)
    <cse>/<ipe-ae>/bootstrap/20801      one container per operator, named by PLMN (MCC+MNC)
    <cse>/<ipe-ae>/bootstrap/default    for devices of no configured operator
        .../la                          its latest contentInstance: the configuration
                                        (format: ipe_sdt.drivers.lwm2m.operator_config)

A device's operator comes from its endpoint name when that is an IMSI URN
(``urn:imsi:<15 digits>``): the MNC has 2 or 3 digits, which the IMSI alone does not tell, so
the longest PLMN (6 then 5 digits) that has a container wins. Otherwise ``default`` applies.
The configuration is read through request primitives on every Bootstrap-Request, so an
operator's change applies to the next device without restarting anything.
"""

from __future__ import annotations

import logging
import re

from ipe_sdt.cse_client import CseClient, CseRequestFailed
from ipe_sdt.lwm2m.bootstrap import BootstrapConfig
from ipe_sdt.drivers.lwm2m.operator_config import ConfigError, parse

log = logging.getLogger("ipe.lwm2m.bootstrap")

ACP, CNT = 1, 3
ALL_OPERATIONS = 63
CONTAINER = "bootstrap"
DEFAULT_OPERATOR = "default"
_IMSI = re.compile(r"urn:imsi:(\d{15})")


def plmn_candidates(endpoint: str) -> list[str]:
    """The PLMNs (MCC+MNC) an endpoint may belong to, longest first; none unless an IMSI URN."""
    match = _IMSI.fullmatch(endpoint)
    if match is None:
        return []
    imsi = match.group(1)
    return [imsi[:6], imsi[:5]]


class OperatorBootstrap:
    """The bootstrap server's provider: endpoint -> BootstrapConfig, or None (refused)."""

    def __init__(self, client: CseClient, ae_path: str, default_server_uri: str, operators: list[str]) -> None:
        self._client = client
        self._ae_path = ae_path
        self.path = f"{ae_path}/{CONTAINER}"
        self._default_server_uri = default_server_uri
        self._operators = operators

    async def setup(self) -> None:
        """Create the bootstrap container (and the ACP giving the operators its management).

        The CSE's admin may always write it; other operators need the ACP. The IPE owns the
        container and so may read what any operator puts inside. Existing resources are kept
        (a restart must not lose the operators' configuration).
        """
        if await self._client.retrieve(self.path) is not None:
            return
        attributes: dict[str, object] = {"rn": CONTAINER, "lbl": ["lwm2m:bootstrap"]}
        if self._operators:
            acp_path = f"{self._ae_path}/acp-{CONTAINER}"
            acp = await self._client.retrieve(acp_path)
            if acp is None:
                rights = {"acr": [{"acor": list(self._operators), "acop": ALL_OPERATIONS}]}
                own = {"acr": [{"acor": [self._client.originator], "acop": ALL_OPERATIONS}]}
                acp = await self._client.create(
                    self._ae_path, ACP, {"m2m:acp": {"rn": f"acp-{CONTAINER}", "pv": rights, "pvs": own}}
                )
            attributes["acpi"] = [acp["ri"]]
        await self._client.create(self._ae_path, CNT, {"m2m:cnt": attributes})

    async def provide(self, endpoint: str) -> BootstrapConfig | None:
        try:
            operator = await self._operator(endpoint)
            if operator is None:
                log.warning("bootstrap of %s refused: no operator configuration applies (no container for its "
                            "PLMN under %s, and no %r one)", endpoint, self.path, DEFAULT_OPERATOR)
                return None
            latest = await self._client.retrieve(f"{self.path}/{operator}/la")
        except CseRequestFailed as exc:
            log.error("bootstrap of %s refused: the configuration could not be read: %s", endpoint, exc)
            return None
        if latest is None:
            log.warning("bootstrap of %s refused: operator %s has no configuration (no contentInstance in %s/%s)",
                        endpoint, operator, self.path, operator)
            return None
        try:
            config = parse(latest.get("con"), self._default_server_uri)
        except ConfigError as exc:
            log.error("bootstrap of %s refused: the configuration of operator %s (%s) is malformed: %s",
                      endpoint, operator, latest.get("ri"), exc)
            return None
        log.info("bootstrapping %s with the configuration of operator %s", endpoint, operator)
        return config

    async def _operator(self, endpoint: str) -> str | None:
        for name in [*plmn_candidates(endpoint), DEFAULT_OPERATOR]:
            if await self._client.retrieve(f"{self.path}/{name}") is not None:
                return name
        return None
