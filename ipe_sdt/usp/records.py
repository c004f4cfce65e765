"""USP Records: the envelope every MTP frame carries (TR-369 1.4).

Supported: no-session-context records carrying a Msg, and the MQTT,
WebSocket and Disconnect records. Session contexts and end-to-end TLS are
refused with the TR-369 code a DisconnectRecord would report.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from . import usp_record_1_4_pb2 as pb
from .body import USP_VERSION, enum_or_int
from .error_codes import ErrorCode
from .errors import RecordError
from .messages import Message

# Record layouts have not changed since 1.0, so older Agents are understood.
SUPPORTED_VERSIONS = frozenset({"1.0", "1.1", "1.2", "1.3", "1.4"})


class MqttVersion(IntEnum):
    V3_1_1 = 0
    V5 = 1


@dataclass(frozen=True)
class NoSessionContext:
    """Carries one serialized USP Msg."""

    payload: bytes


@dataclass(frozen=True)
class MqttConnect:
    """Sent by an Agent after connecting: where it listens for Records."""

    subscribed_topic: str
    version: MqttVersion | int = MqttVersion.V5


@dataclass(frozen=True)
class WebSocketConnect:
    pass


@dataclass(frozen=True)
class Disconnect:
    """Tells the peer the MTP session ends; ``reason_code`` is a TR-369 code."""

    reason: str = ""
    reason_code: int = 0


RecordBody = NoSessionContext | MqttConnect | WebSocketConnect | Disconnect


@dataclass(frozen=True)
class Record:
    to_id: str
    from_id: str
    body: RecordBody
    version: str = USP_VERSION

    def __post_init__(self) -> None:
        for name in ("to_id", "from_id", "version"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")

    @classmethod
    def for_message(cls, to_id: str, from_id: str, message: Message) -> Record:
        return cls(to_id, from_id, NoSessionContext(message.to_bytes()))

    def message(self) -> Message:
        """Decode the carried Msg (MessageError if the payload is not one)."""
        if not isinstance(self.body, NoSessionContext):
            raise RecordError(
                f"{type(self.body).__name__} record carries no message",
                ErrorCode.INVALID_RECORD_VALUE,
            )
        return Message.from_bytes(self.body.payload)

    def to_pb(self) -> pb.Record:
        out = pb.Record(version=self.version, to_id=self.to_id, from_id=self.from_id)
        body = self.body
        match body:
            case NoSessionContext():
                out.no_session_context.CopyFrom(pb.NoSessionContextRecord(payload=body.payload))
            case MqttConnect():
                out.mqtt_connect.CopyFrom(
                    pb.MQTTConnectRecord(
                        version=int(body.version), subscribed_topic=body.subscribed_topic
                    )
                )
            case WebSocketConnect():
                out.websocket_connect.SetInParent()
            case Disconnect():
                out.disconnect.CopyFrom(
                    pb.DisconnectRecord(reason=body.reason, reason_code=body.reason_code)
                )
            case _:
                raise TypeError(f"not a record body: {type(body).__name__}")
        return out

    def to_bytes(self) -> bytes:
        return self.to_pb().SerializeToString(deterministic=True)

    @classmethod
    def from_pb(cls, rec: pb.Record, *, versions: frozenset[str] = SUPPORTED_VERSIONS) -> Record:
        invalid = ErrorCode.INVALID_RECORD_VALUE
        if not rec.version:
            raise RecordError("record version is missing", invalid)
        if rec.version not in versions:
            raise RecordError(f"unsupported record version {rec.version!r}", invalid)
        if not rec.to_id or not rec.from_id:
            raise RecordError("record to_id and from_id are required", invalid)
        if rec.payload_security != pb.Record.PLAINTEXT:
            raise RecordError(
                "end-to-end TLS payload security is not supported",
                ErrorCode.SECURE_SESSION_NOT_SUPPORTED,
            )
        kind = rec.WhichOneof("record_type")
        body: RecordBody
        match kind:
            case "no_session_context":
                payload = rec.no_session_context.payload
                if not payload:
                    raise RecordError("no_session_context record has an empty payload", invalid)
                body = NoSessionContext(payload)
            case "mqtt_connect":
                mqtt = rec.mqtt_connect
                if not mqtt.subscribed_topic:
                    raise RecordError("mqtt_connect record has no subscribed_topic", invalid)
                body = MqttConnect(mqtt.subscribed_topic, enum_or_int(MqttVersion, mqtt.version))
            case "websocket_connect":
                body = WebSocketConnect()
            case "disconnect":
                body = Disconnect(rec.disconnect.reason, rec.disconnect.reason_code)
            case "session_context":
                raise RecordError(
                    "session context records are not supported",
                    ErrorCode.SESSION_CONTEXT_NOT_ALLOWED,
                )
            case None:
                raise RecordError("record_type is not set", invalid)
            case _:
                raise RecordError(f"{kind} records are not supported", invalid)
        return cls(rec.to_id, rec.from_id, body, rec.version)

    @classmethod
    def from_bytes(
        cls,
        data: bytes | bytearray | memoryview,
        *,
        versions: frozenset[str] = SUPPORTED_VERSIONS,
    ) -> Record:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(data).__name__}")
        rec = pb.Record()
        try:
            rec.ParseFromString(bytes(data))
        # Backends differ in the exception they raise for corrupt input; the
        # contract is that bad bytes only ever raise RecordError.
        except Exception as exc:
            raise RecordError(f"cannot decode USP Record: {exc}") from exc
        return cls.from_pb(rec, versions=versions)
