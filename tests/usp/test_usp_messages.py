from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from usp_samples import SAMPLE_BODIES, SAMPLE_MESSAGES

from ipe_sdt import usp
from ipe_sdt.usp import usp_msg_1_4_pb2 as pb
from ipe_sdt.usp.messages import REQUEST_TYPES, RESPONSE_TYPES


def decode(msg: pb.Msg) -> usp.Message:
    return usp.Message.from_bytes(msg.SerializeToString())


# --- round trips -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLE_MESSAGES))
def test_every_message_round_trips_through_bytes(name):
    message = SAMPLE_MESSAGES[name]
    data = message.to_bytes()
    assert isinstance(data, bytes) and data
    assert usp.Message.from_bytes(data) == message
    # Deterministic encoding: equal messages give equal bytes.
    assert usp.Message.from_bytes(data).to_bytes() == data


@pytest.mark.parametrize("name", sorted(SAMPLE_MESSAGES))
def test_header_carries_msg_id_and_the_body_msg_type(name):
    message = SAMPLE_MESSAGES[name]
    raw = pb.Msg.FromString(message.to_bytes())
    assert raw.header.msg_id == message.msg_id
    assert raw.header.msg_type == int(type(message.body).MSG_TYPE)
    section = raw.body.WhichOneof("msg_body")
    assert section == message.body.SECTION
    if section != "error":
        group = "req_type" if section == "request" else "resp_type"
        assert getattr(raw.body, section).WhichOneof(group) == type(message.body).FIELD


def test_samples_cover_every_body_type_and_branch():
    bodies = list(SAMPLE_BODIES.values())
    types = {type(b) for b in bodies}
    assert types == {*REQUEST_TYPES.values(), *RESPONSE_TYPES.values(), usp.Error}
    notifications = {type(b.notification) for b in bodies if isinstance(b, usp.Notify)}
    assert notifications == {
        usp.ValueChange,
        usp.Event,
        usp.ObjectCreation,
        usp.ObjectDeletion,
        usp.OperationComplete,
        usp.OnBoardRequest,
    }
    outcomes = {
        type(r.outcome)
        for b in bodies
        if isinstance(b, usp.OperateResp)
        for r in b.operation_results
    }
    assert outcomes == {usp.OutputArgs, usp.RequestObject, usp.CommandFailure}


def test_wire_fields_hold_the_values_given_to_the_constructors():
    # Round trips cannot see a field written and read back from the wrong
    # place; check a few placements against the generated classes directly.
    raw = SAMPLE_MESSAGES["operate"].to_pb().body.request.operate
    assert raw.command == "Device.DeviceInfo.FirmwareImage.2.Download()"
    assert raw.command_key == "fw-42" and raw.send_resp is True
    assert dict(raw.input_args) == {"URL": "http://fw.example/img.bin", "AutoActivate": "true"}
    raw_set = SAMPLE_MESSAGES["set"].to_pb().body.request.set
    assert raw_set.allow_partial is True
    assert raw_set.update_objs[0].obj_path == "Device.IoTCapability.1.BinaryControl."
    assert raw_set.update_objs[0].param_settings[0].param == "Value"
    assert raw_set.update_objs[0].param_settings[0].value == "true"
    assert raw_set.update_objs[0].param_settings[0].required is True
    raw_notify = SAMPLE_MESSAGES["notify_on_board_request"].to_pb().body.request.notify
    assert raw_notify.send_resp is True
    assert raw_notify.on_board_req.oui == "00D09E"
    assert raw_notify.on_board_req.serial_number == "SN123"
    raw_gsdm = SAMPLE_MESSAGES["get_supported_dm"].to_pb().body.request.get_supported_dm
    assert (
        raw_gsdm.first_level_only,
        raw_gsdm.return_commands,
        raw_gsdm.return_events,
        raw_gsdm.return_params,
        raw_gsdm.return_unique_key_sets,
    ) == (True,) * 5
    raw_err = SAMPLE_MESSAGES["error"].to_pb().body.error
    assert raw_err.err_code == 7004
    assert raw_err.param_errs[1].param_path == "Device.Nope"


# --- parsing responses built with the generated classes ------------------------


def test_parse_get_resp_into_values_per_object():
    msg = pb.Msg()
    msg.header.msg_id = "m1"
    msg.header.msg_type = pb.Header.GET_RESP
    resp = msg.body.response.get_resp
    ok = resp.req_path_results.add(requested_path="Device.IoTCapability.*.BinaryControl.")
    ok.resolved_path_results.add(
        resolved_path="Device.IoTCapability.1.BinaryControl.", result_params={"Value": "true"}
    )
    ok.resolved_path_results.add(
        resolved_path="Device.IoTCapability.2.BinaryControl.", result_params={"Value": "false"}
    )
    more = resp.req_path_results.add(requested_path="Device.IoTCapability.1.BinaryControl.Name")
    more.resolved_path_results.add(
        resolved_path="Device.IoTCapability.1.BinaryControl.", result_params={"Name": "lamp"}
    )
    resp.req_path_results.add(requested_path="Device.Nope.", err_code=7026, err_msg="bad")

    get_resp = decode(msg).expect(usp.GetResp)
    assert get_resp.values() == {
        "Device.IoTCapability.1.BinaryControl.": {"Value": "true", "Name": "lamp"},
        "Device.IoTCapability.2.BinaryControl.": {"Value": "false"},
    }
    assert get_resp.flat() == {
        "Device.IoTCapability.1.BinaryControl.Value": "true",
        "Device.IoTCapability.1.BinaryControl.Name": "lamp",
        "Device.IoTCapability.2.BinaryControl.Value": "false",
    }
    assert get_resp.failures() == {"Device.Nope.": usp.OperationFailure(7026, "bad")}


def test_parse_set_resp_success_and_failure():
    msg = pb.Msg()
    msg.header.msg_id = "m2"
    msg.header.msg_type = pb.Header.SET_RESP
    resp = msg.body.response.set_resp
    ok = resp.updated_obj_results.add(requested_path="Device.IoTCapability.1.BinaryControl.")
    ok.oper_status.oper_success.updated_inst_results.add(
        affected_path="Device.IoTCapability.1.BinaryControl.", updated_params={"Value": "true"}
    )
    bad = resp.updated_obj_results.add(requested_path="Device.LocalAgent.")
    bad.oper_status.oper_failure.err_code = 7020
    bad.oper_status.oper_failure.err_msg = "could not update"
    bad.oper_status.oper_failure.updated_inst_failures.add(
        affected_path="Device.LocalAgent.",
        param_errs=[pb.SetResp.ParameterError(param="Alias", err_code=7013, err_msg="ro")],
    )

    set_resp = decode(msg).expect(usp.SetResp)
    first, second = set_resp.updated_obj_results
    assert first.requested_path == "Device.IoTCapability.1.BinaryControl."
    assert first.oper_status == usp.SetSuccess(
        [usp.UpdatedInstance("Device.IoTCapability.1.BinaryControl.", {"Value": "true"})]
    )
    assert second.oper_status == usp.SetFailure(
        7020,
        "could not update",
        [usp.UpdatedInstanceFailure("Device.LocalAgent.", [usp.ParamError("Alias", 7013, "ro")])],
    )


def test_parse_operate_resp_sync_async_and_failure():
    msg = pb.Msg()
    msg.header.msg_id = "m3"
    msg.header.msg_type = pb.Header.OPERATE_RESP
    resp = msg.body.response.operate_resp
    sync = resp.operation_results.add(executed_command="Device.IoTCapability.1.Toggle()")
    sync.req_output_args.output_args["Value"] = "on"
    resp.operation_results.add(
        executed_command="Device.DeviceInfo.FirmwareImage.1.Download()",
        req_obj_path="Device.LocalAgent.Request.4.",
    )
    failed = resp.operation_results.add(executed_command="Device.Reboot()")
    failed.cmd_failure.err_code = 7022
    failed.cmd_failure.err_msg = "busy"
    empty_sync = resp.operation_results.add(executed_command="Device.SelfTest()")
    empty_sync.req_output_args.SetInParent()

    results = decode(msg).expect(usp.OperateResp).operation_results
    assert [r.outcome for r in results] == [
        usp.OutputArgs({"Value": "on"}),
        usp.RequestObject("Device.LocalAgent.Request.4."),
        usp.CommandFailure(7022, "busy"),
        usp.OutputArgs({}),
    ]
    assert results[1].executed_command == "Device.DeviceInfo.FirmwareImage.1.Download()"


def test_parse_error_into_code_message_and_param_errors():
    msg = pb.Msg()
    msg.header.msg_id = "m4"
    msg.header.msg_type = pb.Header.ERROR
    msg.body.error.err_code = 7004
    msg.body.error.err_msg = "Invalid arguments"
    msg.body.error.param_errs.add(param_path="Device.X.Y", err_code=7026, err_msg="no such path")

    message = decode(msg)
    assert message.is_error and not message.is_request and not message.is_response
    error = message.body
    assert error == usp.Error(
        7004, "Invalid arguments", [usp.ErrorParam("Device.X.Y", 7026, "no such path")]
    )
    assert error.name == "Invalid arguments"
    with pytest.raises(usp.RemoteError) as raised:
        message.expect(usp.GetResp)
    assert raised.value.error == error
    assert raised.value.usp_code == 7004
    assert message.expect(usp.Error) is error


def test_typed_helpers_of_other_responses():
    instances = SAMPLE_BODIES["get_instances_resp"]
    assert instances.instances() == {
        "Device.IoTCapability.1.": {"Name": "lamp"},
        "Device.IoTCapability.2.": {},
    }
    gsdm = SAMPLE_BODIES["get_supported_dm_resp"]
    objects = gsdm.objects()
    assert list(objects) == ["Device.IoTCapability.{i}."]
    assert (
        objects["Device.IoTCapability.{i}."].supported_commands[0].command_type is usp.CmdType.SYNC
    )
    assert SAMPLE_BODIES["get_supported_protocol_resp"].versions == ("1.0", "1.3", "1.4")


def test_unknown_enum_numbers_from_a_newer_agent_are_kept():
    msg = pb.Msg()
    msg.header.msg_id = "m5"
    msg.header.msg_type = pb.Header.GET_SUPPORTED_DM_RESP
    req = msg.body.response.get_supported_dm_resp.req_obj_results.add(req_obj_path="Device.")
    obj = req.supported_objs.add(supported_obj_path="Device.", access=9)
    obj.supported_params.add(param_name="P", access=1, value_type=42, value_change=7)
    parsed = decode(msg).expect(usp.GetSupportedDMResp)
    got = parsed.req_obj_results[0].supported_objs[0]
    assert got.access == 9 and not isinstance(got.access, usp.ObjAccess)
    param = got.supported_params[0]
    assert param.access is usp.ParamAccess.READ_WRITE
    assert (param.value_type, param.value_change) == (42, 7)
    # and it can be sent on unchanged
    assert usp.Message.from_bytes(usp.Message("m5", parsed).to_bytes()).body == parsed


# --- constructors and ids ------------------------------------------------------


def test_msg_ids_are_unique_and_prefixed():
    gen = usp.MsgIdGenerator("ctrl")
    assert [gen(), gen(), gen()] == ["ctrl-1", "ctrl-2", "ctrl-3"]
    ids = {usp.new_msg_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert usp.MsgIdGenerator().prefix != usp.MsgIdGenerator().prefix


def test_request_and_response_to_manage_msg_ids():
    req = usp.request(usp.Get(["Device."]))
    assert req.msg_id and req.is_request and req.msg_type is usp.MsgType.GET
    assert usp.request(usp.Get(["Device."]), msg_id="fixed").msg_id == "fixed"
    with pytest.raises(ValueError):
        usp.request(usp.Get(["Device."]), msg_id="")
    resp = usp.response_to(req, usp.GetResp([]))
    assert resp.msg_id == req.msg_id and resp.is_response
    assert resp.expect(usp.GetResp) == usp.GetResp([])
    with pytest.raises(usp.MessageError):
        resp.expect(usp.SetResp)


def test_set_from_params_groups_per_object_and_encodes_values():
    body = usp.Set.from_params(
        {
            "Device.IoTCapability.1.BinaryControl.Value": True,
            "Device.IoTCapability.1.LevelControl.Value": 42,
            "Device.IoTCapability.1.BinaryControl.Name": "lamp",
        }
    )
    assert body.update_objs == (
        usp.UpdateObject(
            "Device.IoTCapability.1.BinaryControl.",
            [usp.ParamSetting("Value", "true", True), usp.ParamSetting("Name", "lamp", True)],
        ),
        usp.UpdateObject(
            "Device.IoTCapability.1.LevelControl.", [usp.ParamSetting("Value", "42", True)]
        ),
    )
    optional = usp.Set.from_params({"Device.LocalAgent.Alias": "a"}, required=False)
    assert optional.update_objs[0].param_settings[0].required is False
    with pytest.raises(usp.PathError):
        usp.Set.from_params({"Device.LocalAgent.": "object path, not a parameter"})


def test_add_from_params_builds_one_create_object():
    body = usp.Add.from_params("Device.LocalAgent.Subscription.", {"Enable": False})
    assert body == usp.Add(
        [
            usp.CreateObject(
                "Device.LocalAgent.Subscription.", [usp.ParamSetting("Enable", "false", True)]
            )
        ]
    )
    assert usp.Add.from_params("Device.X.").create_objs[0].param_settings == ()


def test_operate_encodes_input_arguments():
    body = usp.Operate("Device.IoTCapability.1.LevelControl.Set()", {"Level": 0.5, "On": False})
    assert body.input_args == {"Level": "0.5", "On": "false"}
    assert body.send_resp is True and body.command_key == ""


def test_constructors_refuse_a_bare_string_where_a_list_is_meant():
    with pytest.raises(TypeError):
        usp.Get("Device.DeviceInfo.")
    with pytest.raises(TypeError):
        usp.Delete([b"Device.X.1."])
    with pytest.raises(TypeError):
        usp.ResolvedPathResult("Device.", {"A": 1})


def test_message_requires_an_id_and_a_body():
    with pytest.raises(ValueError):
        usp.Message("", usp.Get(["Device."]))
    with pytest.raises(TypeError):
        usp.Message("x", "not a body")


def test_encode_value_uses_tr106_forms():
    assert usp.encode_value(True) == "true"
    assert usp.encode_value(False) == "false"
    assert usp.encode_value(-7) == "-7"
    assert usp.encode_value(1e-07) == "0.0000001"
    assert usp.encode_value(2.5) == "2.5"
    assert usp.encode_value(Decimal("10.50")) == "10.50"
    assert usp.encode_value("as is") == "as is"
    when = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert usp.encode_value(when) == "2024-05-01T12:00:00Z"
    for bad in (float("nan"), float("inf"), Decimal("NaN"), datetime(2024, 1, 1)):
        with pytest.raises(ValueError):
            usp.encode_value(bad)
    with pytest.raises(TypeError):
        usp.encode_value(b"raw")


# --- malformed messages --------------------------------------------------------


def _msg(msg_id: str = "m", msg_type: int = pb.Header.GET) -> pb.Msg:
    msg = pb.Msg()
    msg.header.msg_id = msg_id
    msg.header.msg_type = msg_type
    return msg


def test_missing_msg_id_is_rejected():
    msg = _msg(msg_id="")
    msg.body.request.get.param_paths.append("Device.")
    with pytest.raises(usp.MessageError, match="msg_id"):
        decode(msg)


def test_missing_body_is_rejected():
    with pytest.raises(usp.MessageError, match="msg_body"):
        decode(_msg())
    msg = _msg()
    msg.body.request.SetInParent()
    with pytest.raises(usp.MessageError, match="req_type"):
        decode(msg)


def test_header_type_must_match_body():
    msg = _msg(msg_type=pb.Header.SET)
    msg.body.request.get.param_paths.append("Device.")
    with pytest.raises(usp.MessageError, match="msg_type"):
        decode(msg)
    unknown = _msg(msg_type=99)
    unknown.body.request.get.param_paths.append("Device.")
    with pytest.raises(usp.MessageError):
        decode(unknown)


def test_unsupported_message_types_report_7001():
    msg = _msg(msg_type=pb.Header.REGISTER)
    msg.body.request.register.reg_paths.add(path="Device.X.")
    with pytest.raises(usp.MessageError) as raised:
        decode(msg)
    assert raised.value.usp_code == usp.ErrorCode.MESSAGE_NOT_SUPPORTED


@pytest.mark.parametrize(
    ("msg_type", "fill"),
    [
        (
            pb.Header.SET_RESP,
            lambda b: b.response.set_resp.updated_obj_results.add(requested_path="a"),
        ),
        (
            pb.Header.ADD_RESP,
            lambda b: b.response.add_resp.created_obj_results.add(requested_path="a"),
        ),
        (
            pb.Header.DELETE_RESP,
            lambda b: b.response.delete_resp.deleted_obj_results.add(requested_path="a"),
        ),
        (
            pb.Header.OPERATE_RESP,
            lambda b: b.response.operate_resp.operation_results.add(executed_command="a"),
        ),
        (pb.Header.NOTIFY, lambda b: b.request.notify.SetInParent()),
        (pb.Header.NOTIFY, lambda b: b.request.notify.oper_complete.SetInParent()),
    ],
)
def test_required_oneofs_inside_bodies_are_enforced(msg_type, fill):
    msg = _msg(msg_type=msg_type)
    fill(msg.body)
    with pytest.raises(usp.MessageError, match="not set"):
        decode(msg)


def test_undecodable_bytes_raise_message_error():
    good = SAMPLE_MESSAGES["get"].to_bytes()
    for bad in (good[:-3], b"\xff\xff\xff", b"\x0a\x05\x0a\x03\xff\xfe\xfd"):
        with pytest.raises(usp.MessageError):
            usp.Message.from_bytes(bad)
    assert usp.Message.from_bytes(bytearray(good)) == SAMPLE_MESSAGES["get"]
    assert usp.Message.from_bytes(memoryview(good)) == SAMPLE_MESSAGES["get"]
    with pytest.raises(TypeError):
        usp.Message.from_bytes("text")  # type: ignore[arg-type]
