"""TR-369 MQTT binding constants and topic rules (USP 1.4, section "MQTT Binding").

* R-MQTT.27: a USP Record is published with Content Type ``usp.msg``.
* R-MQTT.27a: a receiver accepts ``usp.msg`` and the registered MIME type
  ``application/vnd.bbf.usp.msg``.
* R-MQTT.13: CONNECT carries the User Property ``usp-endpoint-id``.
* R-MQTT.15: CONNACK User Properties ``subscribe-topic`` are subscribed to.
* R-MQTT.21/23: the "reply to" topic is the CONNACK Response Information when
  the broker gives one, and travels in the PUBLISH Response Topic property.
"""

from __future__ import annotations

CONTENT_TYPE = "usp.msg"
ACCEPTED_CONTENT_TYPES = frozenset({CONTENT_TYPE, "application/vnd.bbf.usp.msg"})
ENDPOINT_ID_PROPERTY = "usp-endpoint-id"
SUBSCRIBE_TOPIC_PROPERTY = "subscribe-topic"

# Default topic layout of this project; deployments may configure others.
CONTROLLER_TOPIC_PREFIX = "usp/controller/"
AGENT_TOPIC_PREFIX = "usp/agent/"

# MQTT topic names must not contain wildcards or NUL; "/" inside an endpoint
# ID would silently add topic levels, so it is refused as well.
_FORBIDDEN_IN_ID = frozenset("+#/\0")


def check_endpoint_id(endpoint_id: str) -> str:
    """Return ``endpoint_id`` if it can be one MQTT topic level, else ValueError."""
    if not isinstance(endpoint_id, str) or not endpoint_id:
        raise ValueError("endpoint ID must be a non-empty string")
    bad = _FORBIDDEN_IN_ID.intersection(endpoint_id)
    if bad:
        raise ValueError(f"endpoint ID {endpoint_id!r} contains {''.join(sorted(bad))!r}")
    return endpoint_id


def controller_topic(endpoint_id: str) -> str:
    return CONTROLLER_TOPIC_PREFIX + check_endpoint_id(endpoint_id)


def agent_topic(endpoint_id: str) -> str:
    return AGENT_TOPIC_PREFIX + check_endpoint_id(endpoint_id)


def is_usp_content(content_type: str | None) -> bool:
    """True for the USP content types; a missing Content Type is tolerated
    because bridges from MQTT 3.1.1 cannot carry one."""
    return content_type is None or content_type in ACCEPTED_CONTENT_TYPES


def is_publish_topic(topic: str) -> bool:
    """A topic we may publish to: non-empty, no wildcards, no NUL."""
    return bool(topic) and not any(c in topic for c in "+#\0")
