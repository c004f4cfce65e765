"""AE: registration of an application (TS-0001 clause 10.2.2.2, TS-0004 clause 7.4.5)."""

from __future__ import annotations

import fnmatch
import secrets

from cse import releases
from cse.errors import RequestError, bad_request
from cse.model.typecodes import Ty
from cse.resources.behaviour import Behaviour
from cse.status import RSC


class AEBehaviour(Behaviour):
    def on_create(self, op) -> None:
        request = op.request
        settings = op.cse.settings
        aei = _ae_id_for(request.fr, settings.cse_id)
        if not any(fnmatch.fnmatchcase(aei, pattern) for pattern in settings.allowed_ae_ids):
            raise RequestError(
                RSC.APP_RULE_VALIDATION_FAILED,
                f"originator {aei!r} is not allowed to register (allowed AE-IDs: "
                f"{', '.join(settings.allowed_ae_ids)})",
            )
        existing = op.cse.store.get(aei)
        if existing is not None:
            if existing.ty == Ty.AE:
                raise RequestError(
                    RSC.ORIGINATOR_HAS_ALREADY_REGISTERED, f"an AE with AE-ID {aei!r} is already registered"
                )
            raise RequestError(RSC.CONFLICT, f"resource ID {aei!r} is already in use")

        api = op.attrs["api"]
        # App-IDs are registered ('R') or non-registered ('N'); releases before 4 also saw 'r'.
        if not (api[:1] in ("R", "N") or (api[:1] == "r" and not releases.at_least(request.rvi, "4"))):
            raise bad_request(f"attribute api: App-ID {api!r} must start with 'R' or 'N'")
        if releases.at_least(request.rvi, "2a") and "srv" not in op.attrs:
            raise bad_request("attribute srv (supportedReleaseVersions) is mandatory from release 2a on")
        for version in op.attrs.get("srv", []):
            if version not in releases.SUPPORTED:
                raise bad_request(f"attribute srv: unknown release version {version!r}")
        op.ri = aei
        op.owner = aei
        op.attrs["aei"] = aei
        op.attrs.setdefault("rn", aei)
        if "nl" in op.attrs:
            _node(op.cse, op.attrs["nl"])

    def after_create(self, op) -> None:
        if "nl" in op.resource.attrs:
            _link(op.cse, op.tx, op.resource.attrs["nl"], op.resource.attrs["aei"], add=True)

    def on_update(self, op) -> None:
        for version in op.changes.get("srv") or []:
            if version not in releases.SUPPORTED:
                raise bad_request(f"attribute srv: unknown release version {version!r}")
        if op.changes.get("nl"):
            _node(op.cse, op.changes["nl"])

    def after_update(self, op) -> None:
        if "nl" not in op.changes:
            return
        aei = op.resource.attrs["aei"]
        old = op.before.get("nl")
        if old:
            _link(op.cse, op.tx, old, aei, add=False)
        if op.changes["nl"]:
            _link(op.cse, op.tx, op.changes["nl"], aei, add=True)

    def on_delete(self, op, resource) -> None:
        if resource.attrs.get("nl"):
            _link(op.cse, op.tx, resource.attrs["nl"], resource.attrs["aei"], add=False)


def _node(cse, address: str):
    node = cse.lookup(address)
    if node is None or node.ty != Ty.NODE:
        raise bad_request(f"attribute nl: {address!r} is not a node")
    return node


def _link(cse, tx, address: str, aei: str, add: bool) -> None:
    """Keep the node's hostedAELinks (hael) in step with the AEs whose nodeLink names it."""
    node = cse.lookup(address)
    if node is None or node.ty != Ty.NODE:
        return
    hael = [entry for entry in node.attrs.get("hael", []) if entry != aei]
    if add:
        hael.append(aei)
    attrs = {**node.attrs, "hael": hael} if hael else {k: v for k, v in node.attrs.items() if k != "hael"}
    tx.replace_attrs(node, attrs)


def _ae_id_for(originator: str | None, cse_id: str) -> str:
    """The AE-ID an AE registers with, from its originator (TS-0001 table 7.2-1)."""
    origin = (originator or "").strip()
    # An SP-relative AE-ID of our own CSE ('/id-in/Cabc') names the same AE as 'Cabc'.
    if origin.startswith(cse_id + "/"):
        origin = origin[len(cse_id) + 1 :]
    if origin in ("", "C"):
        return "C" + secrets.token_hex(8)
    if origin == "S":
        return "S" + secrets.token_hex(8)
    if origin[0] not in "CS" or "/" in origin:
        raise RequestError(
            RSC.APP_RULE_VALIDATION_FAILED,
            f"originator {origin!r} is not an AE-ID: it must be empty, 'C', 'S', or start with 'C' or 'S'",
        )
    return origin
