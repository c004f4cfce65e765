"""The CoAP side of the Client Registration Interface: the /rd resource of the LwM2M server.

    POST   /rd?ep=..&lt=..&lwm2m=..&b=..   Register     2.01 Created, Location-Path rd/<id>
    POST   /rd/<id>?lt=..&b=..             Update       2.04 Changed
    DELETE /rd/<id>                        De-register  2.02 Deleted

The payload of Register (and optionally Update) is link-format (content format 40). Anything
else on this socket gets 4.04 or 4.05; a malformed Register or Update gets 4.00 with a reason.
"""

from __future__ import annotations

import logging
from typing import Any

from aiocoap import Message
from aiocoap.numbers.codes import Code
from aiocoap.resource import PathCapable, Resource

from ..errors import CodecError
from ..registration import Registration, parse_registration
from .config import ServerConfig
from .registration_query import RegistrationRejected, parse_register_query, parse_update_query
from .registry import DeviceRegistry

log = logging.getLogger(__name__)

LINK_FORMAT = 40
_CODES = {
    "4.00": Code.BAD_REQUEST,
    "4.03": Code.FORBIDDEN,
    "4.04": Code.NOT_FOUND,
    "4.05": Code.METHOD_NOT_ALLOWED,
    "4.12": Code.PRECONDITION_FAILED,
    "4.13": Code.REQUEST_ENTITY_TOO_LARGE,
    "5.03": Code.SERVICE_UNAVAILABLE,
}


def error_response(code: str, reason: str) -> Message:
    return Message(code=_CODES.get(code, Code.BAD_REQUEST), payload=reason.encode("utf-8")[:200])


class RegistrationResource(Resource, PathCapable):
    """Serves /rd and /rd/<id>; sees every request to the server's socket (it is the site)."""

    def __init__(self, registry: DeviceRegistry, config: ServerConfig, authorize: Any = None) -> None:
        super().__init__()
        self.registry = registry
        self.config = config
        self.authorize = authorize

    async def render(self, request: Message) -> Message:
        path = tuple(request.opt.uri_path)
        try:
            if path == ("rd",):
                if request.code != Code.POST:
                    return error_response("4.05", "only POST (Register) is allowed on /rd")
                return self._register(request)
            if len(path) == 2 and path[0] == "rd":
                if request.code == Code.POST:
                    return self._update(path[1], request)
                if request.code == Code.DELETE:
                    self.registry.deregister(path[1])
                    return Message(code=Code.DELETED)
                return error_response("4.05", "only POST (Update) and DELETE (De-register) are allowed here")
            return error_response("4.04", "not a resource of this LwM2M server")
        except RegistrationRejected as rejected:
            log.warning("LwM2M %s %s from %s rejected (%s): %s", request.code, "/" + "/".join(path),
                        request.remote.hostinfo, rejected.code, rejected.reason)
            return error_response(rejected.code, rejected.reason)
        except Exception:
            # A bug of ours must cost one request, not the socket.
            log.exception("LwM2M registration request failed")
            return Message(code=Code.INTERNAL_SERVER_ERROR)

    def _links(self, request: Message, required: bool) -> Registration | None:
        payload = bytes(request.payload)
        if len(payload) > self.config.max_registration_payload:
            raise RegistrationRejected("4.13", "the object list is too large")
        if request.opt.content_format not in (None, LINK_FORMAT):
            raise RegistrationRejected("4.00", "the object list must be link-format (content format 40)")
        if not payload.strip():
            if required:
                raise RegistrationRejected("4.00", "a Register must list the client's objects")
            return None
        try:
            return parse_registration(payload)
        except CodecError as exc:
            raise RegistrationRejected("4.00", f"malformed object list: {exc}") from None

    def _register(self, request: Message) -> Message:
        params = parse_register_query(request.opt.uri_query)
        registration = self._links(request, required=True)
        assert registration is not None
        if self.authorize is not None and not self.authorize(params, request.remote):
            raise RegistrationRejected("4.03", f"endpoint {params.endpoint!r} is not allowed to register")
        session = self.registry.register(params, registration, request.remote)
        return Message(code=Code.CREATED, location_path=("rd", session.registration_id))

    def _update(self, registration_id: str, request: Message) -> Message:
        params = parse_update_query(request.opt.uri_query)
        registration = self._links(request, required=False)
        self.registry.update(registration_id, params, registration, request.remote)
        return Message(code=Code.CHANGED)
