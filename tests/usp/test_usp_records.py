from __future__ import annotations

import pytest
from usp_samples import SAMPLE_MESSAGES, SAMPLE_RECORDS

from ipe_sdt import usp
from ipe_sdt.usp import usp_record_1_4_pb2 as pb


def _raw(**fields) -> pb.Record:
    rec = pb.Record(version="1.4", to_id="proto::a", from_id="proto::c")
    for name, value in fields.items():
        if isinstance(value, str | int):
            setattr(rec, name, value)
        else:
            getattr(rec, name).CopyFrom(value)
    return rec


def _decode(rec: pb.Record) -> usp.Record:
    return usp.Record.from_bytes(rec.SerializeToString())


@pytest.mark.parametrize("name", sorted(SAMPLE_RECORDS))
def test_records_round_trip_through_bytes(name):
    record = SAMPLE_RECORDS[name]
    data = record.to_bytes()
    assert usp.Record.from_bytes(data) == record
    assert usp.Record.from_bytes(data).to_bytes() == data


def test_message_travels_inside_a_no_session_record():
    message = SAMPLE_MESSAGES["set"]
    data = usp.Record.for_message("proto::agent", "proto::ctrl", message).to_bytes()
    raw = pb.Record.FromString(data)
    assert (raw.version, raw.to_id, raw.from_id) == ("1.4", "proto::agent", "proto::ctrl")
    assert raw.payload_security == pb.Record.PLAINTEXT
    assert raw.WhichOneof("record_type") == "no_session_context"
    assert raw.no_session_context.payload == message.to_bytes()
    record = usp.Record.from_bytes(data)
    assert record.message() == message


def test_mqtt_connect_record_on_the_wire():
    data = usp.Record(
        "proto::controller", "proto::agent-1", usp.MqttConnect("usp/agent/agent-1")
    ).to_bytes()
    raw = pb.Record.FromString(data)
    assert raw.WhichOneof("record_type") == "mqtt_connect"
    assert raw.mqtt_connect.subscribed_topic == "usp/agent/agent-1"
    assert raw.mqtt_connect.version == pb.MQTTConnectRecord.V5
    parsed = _decode(
        _raw(
            mqtt_connect=pb.MQTTConnectRecord(
                version=pb.MQTTConnectRecord.V3_1_1, subscribed_topic="t/agent"
            )
        )
    )
    assert parsed.body == usp.MqttConnect("t/agent", usp.MqttVersion.V3_1_1)
    assert parsed.body.version is usp.MqttVersion.V3_1_1


def test_websocket_and_disconnect_records_parse():
    ws = _decode(_raw(websocket_connect=pb.WebSocketConnectRecord()))
    assert ws.body == usp.WebSocketConnect()
    bye = _decode(_raw(disconnect=pb.DisconnectRecord(reason="bye", reason_code=7105)))
    assert bye.body == usp.Disconnect("bye", 7105)
    assert (bye.to_id, bye.from_id, bye.version) == ("proto::a", "proto::c", "1.4")


def test_connect_records_carry_no_message():
    with pytest.raises(usp.RecordError) as raised:
        SAMPLE_RECORDS["mqtt_connect_v5"].message()
    assert raised.value.usp_code == usp.ErrorCode.INVALID_RECORD_VALUE


def test_garbage_payload_is_a_message_error():
    record = usp.Record("proto::a", "proto::c", usp.NoSessionContext(b"\xff\xff\xff"))
    with pytest.raises(usp.MessageError):
        record.message()


@pytest.mark.parametrize("version", ["", "2.0", "1.5", "1.4.0", "abc"])
def test_wrong_or_missing_version_is_rejected(version):
    rec = _raw(websocket_connect=pb.WebSocketConnectRecord())
    rec.version = version
    with pytest.raises(usp.RecordError) as raised:
        _decode(rec)
    assert raised.value.usp_code == usp.ErrorCode.INVALID_RECORD_VALUE


def test_accepted_versions_can_be_narrowed():
    data = SAMPLE_RECORDS["mqtt_connect_v311"].to_bytes()  # version 1.3
    assert usp.Record.from_bytes(data).version == "1.3"
    with pytest.raises(usp.RecordError):
        usp.Record.from_bytes(data, versions=frozenset({"1.4"}))


@pytest.mark.parametrize("missing", ["to_id", "from_id"])
def test_missing_endpoint_ids_are_rejected(missing):
    rec = _raw(websocket_connect=pb.WebSocketConnectRecord())
    setattr(rec, missing, "")
    with pytest.raises(usp.RecordError, match="to_id and from_id"):
        _decode(rec)


def test_missing_record_type_and_empty_payload_are_rejected():
    with pytest.raises(usp.RecordError, match="record_type"):
        _decode(_raw())
    with pytest.raises(usp.RecordError, match="empty payload"):
        _decode(_raw(no_session_context=pb.NoSessionContextRecord()))
    with pytest.raises(usp.RecordError, match="subscribed_topic"):
        _decode(_raw(mqtt_connect=pb.MQTTConnectRecord()))


def test_unsupported_record_features_report_their_tr369_code():
    with pytest.raises(usp.RecordError) as session:
        _decode(_raw(session_context=pb.SessionContextRecord(session_id=1, payload=[b"x"])))
    assert session.value.usp_code == usp.ErrorCode.SESSION_CONTEXT_NOT_ALLOWED
    tls = _raw(no_session_context=pb.NoSessionContextRecord(payload=b"x"))
    tls.payload_security = pb.Record.TLS12
    with pytest.raises(usp.RecordError) as secure:
        _decode(tls)
    assert secure.value.usp_code == usp.ErrorCode.SECURE_SESSION_NOT_SUPPORTED
    with pytest.raises(usp.RecordError, match="stomp_connect"):
        _decode(_raw(stomp_connect=pb.STOMPConnectRecord(subscribed_destination="/q")))


def test_truncated_bytes_raise_record_error_with_7100():
    data = SAMPLE_RECORDS["no_session_context"].to_bytes()
    for cut in (1, 5, len(data) // 2, len(data) - 1):
        with pytest.raises(usp.RecordError) as raised:
            usp.Record.from_bytes(data[:cut])
        assert raised.value.usp_code in (
            usp.ErrorCode.RECORD_NOT_PARSED,
            usp.ErrorCode.INVALID_RECORD_VALUE,
        )
    with pytest.raises(usp.RecordError) as raised:
        usp.Record.from_bytes(data[:-1])
    assert raised.value.usp_code == usp.ErrorCode.RECORD_NOT_PARSED


def test_empty_bytes_are_a_record_without_fields():
    with pytest.raises(usp.RecordError, match="version"):
        usp.Record.from_bytes(b"")


def test_record_constructor_refuses_empty_ids_and_non_bytes_input():
    with pytest.raises(ValueError):
        usp.Record("", "proto::c", usp.WebSocketConnect())
    with pytest.raises(ValueError):
        usp.Record("proto::a", "proto::c", usp.WebSocketConnect(), version="")
    with pytest.raises(TypeError):
        usp.Record.from_bytes("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        usp.Record("proto::a", "proto::c", "body").to_bytes()  # type: ignore[arg-type]
