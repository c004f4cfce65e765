"""MQTT 5 Message Transfer Protocol for USP (TR-369 "MQTT Binding").

``MqttEndpoint`` carries opaque USP Record bytes between one endpoint and an
MQTT broker, with the binding's content type, Response Topic and connection
rules; the Controller and the Agent simulator build on it.
"""

from .broker_address import DEFAULT_PORT, BrokerAddress
from .mqtt_endpoint import (
    InboundPublish,
    MqttConfig,
    MqttConnectError,
    MqttEndpoint,
    WillMessage,
)
from .retry_policy import RetryPolicy
from .usp_mqtt import (
    ACCEPTED_CONTENT_TYPES,
    CONTENT_TYPE,
    agent_topic,
    check_endpoint_id,
    controller_topic,
    is_usp_content,
)

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "BrokerAddress",
    "CONTENT_TYPE",
    "DEFAULT_PORT",
    "InboundPublish",
    "MqttConfig",
    "MqttConnectError",
    "MqttEndpoint",
    "RetryPolicy",
    "WillMessage",
    "agent_topic",
    "check_endpoint_id",
    "controller_topic",
    "is_usp_content",
]
