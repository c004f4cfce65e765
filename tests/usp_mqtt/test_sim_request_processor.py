"""The simulated Agent's data model answers requests as TR-369 says, checked
without any network: one Agent object, messages in, response bodies out."""

from __future__ import annotations

import pytest

from ipe_sdt.sim.usp import Identity, SimulatedAgent
from ipe_sdt.sim.usp.request_processor import RequestFailed
from ipe_sdt.sim.usp.value_types import check_value
from ipe_sdt.usp import (
    Add,
    AddSuccess,
    Delete,
    DeleteSuccess,
    Error,
    ErrorCode,
    Get,
    GetInstances,
    GetSupportedDM,
    Operate,
    OperationFailure,
    ParamValueType,
    RequestObject,
    Set,
    SetFailure,
    SetSuccess,
)
from ipe_sdt.usp.mtp import BrokerAddress

CTL = "self::unit-ctl"


@pytest.fixture
def agent() -> SimulatedAgent:
    identity = Identity("os::00D09E-UNIT1", "UNIT1", CTL, "usp/controller/self::unit-ctl")
    return SimulatedAgent(BrokerAddress("127.0.0.1", 1), identity)


def answer(agent: SimulatedAgent, body):
    return agent._answer(body, CTL)


def test_get_object_and_parameter(agent):
    resp = answer(agent, Get(("Device.IoTCapability.2.LevelControl.", "Device.LocalAgent.EndpointID")))
    assert resp.flat()["Device.IoTCapability.2.LevelControl.Unit"] == "%"
    assert resp.flat()["Device.LocalAgent.EndpointID"] == "os::00D09E-UNIT1"


def test_get_table_path_lists_instances(agent):
    resp = answer(agent, Get(("Device.IoTCapability.",)))
    assert {r.resolved_path for r in resp.req_path_results[0].resolved_path_results} >= {
        "Device.IoTCapability.1.", "Device.IoTCapability.1.BinaryControl.", "Device.IoTCapability.2.LevelControl."}


def test_get_errors_are_per_path(agent):
    resp = answer(agent, Get(("Device.Reboot()", "Device.IoTCapability.1.Nope", "Device.X[Y==1].")))
    codes = [r.err_code for r in resp.req_path_results]
    assert codes == [ErrorCode.INVALID_PATH, ErrorCode.INVALID_PATH, ErrorCode.INVALID_PATH_SYNTAX]


def test_parameters_are_typed_on_write(agent):
    resp = answer(agent, Set.from_params({"Device.IoTCapability.1.BinaryControl.Value": "1"}))
    assert isinstance(resp.updated_obj_results[0].oper_status, SetSuccess)
    assert resp.updated_obj_results[0].oper_status.updated_inst_results[0].updated_params == {"Value": "true"}


def test_set_without_allow_partial_is_all_or_nothing(agent):
    body = Set.from_params({"Device.IoTCapability.1.BinaryControl.Value": True,
                            "Device.IoTCapability.2.LevelControl.Value": -1})
    err = answer(agent, body)
    assert isinstance(err, Error) and err.err_code == ErrorCode.INVALID_TYPE
    assert [p.param_path for p in err.param_errs] == ["Device.IoTCapability.2.LevelControl.Value"]
    assert answer(agent, Get(("Device.IoTCapability.1.BinaryControl.Value",))).flat() == {
        "Device.IoTCapability.1.BinaryControl.Value": "false"}


def test_set_with_allow_partial_reports_each_object(agent):
    body = Set.from_params({"Device.IoTCapability.1.BinaryControl.Value": True,
                            "Device.IoTCapability.2.LevelControl.Value": 1000}, allow_partial=True)
    resp = answer(agent, body)
    statuses = {r.requested_path: r.oper_status for r in resp.updated_obj_results}
    assert isinstance(statuses["Device.IoTCapability.1.BinaryControl."], SetSuccess)
    failure = statuses["Device.IoTCapability.2.LevelControl."]
    assert isinstance(failure, SetFailure) and failure.err_code == ErrorCode.INVALID_VALUE


def test_set_with_wildcard_updates_every_instance(agent):
    answer(agent, Add.from_params("Device.LocalAgent.Subscription.", {"ID": "a"}))
    resp = answer(agent, Set.from_params({"Device.LocalAgent.Subscription.*.Enable": True}))
    affected = [i.affected_path for i in resp.updated_obj_results[0].oper_status.updated_inst_results]
    assert affected == ["Device.LocalAgent.Subscription.1.", "Device.LocalAgent.Subscription.2."]


def test_add_fills_defaults_and_rejects_bad_references(agent):
    resp = answer(agent, Add.from_params("Device.LocalAgent.Subscription.", {"NotifType": "Event"}))
    status = resp.created_obj_results[0].oper_status
    assert isinstance(status, AddSuccess)
    assert status.unique_keys["Recipient"] == "Device.LocalAgent.Controller.1"
    assert status.unique_keys["ID"]  # generated when the Controller gave none
    err = answer(agent, Add.from_params("Device.LocalAgent.Subscription.", {"ReferenceList": "Device..Bad"}))
    assert isinstance(err, Error) and err.err_code == ErrorCode.INVALID_VALUE


def test_add_with_allow_partial_keeps_the_good_ones(agent):
    body = Add((Add.from_params("Device.LocalAgent.Subscription.", {"ID": "ok"}).create_objs[0],
                Add.from_params("Device.DeviceInfo.").create_objs[0]), allow_partial=True)
    resp = answer(agent, body)
    first, second = (r.oper_status for r in resp.created_obj_results)
    assert isinstance(first, AddSuccess) and first.instantiated_path == "Device.LocalAgent.Subscription.2."
    assert isinstance(second, OperationFailure) and second.err_code == ErrorCode.NOT_A_TABLE


def test_delete_wildcard_and_refusals(agent):
    for sub_id in ("x", "y"):
        answer(agent, Add.from_params("Device.LocalAgent.Subscription.", {"ID": sub_id}))
    resp = answer(agent, Delete(("Device.LocalAgent.Subscription.*.",)))
    status = resp.deleted_obj_results[0].oper_status
    assert isinstance(status, DeleteSuccess) and len(status.affected_paths) == 3
    err = answer(agent, Delete(("Device.LocalAgent.Subscription.",)))
    assert isinstance(err, Error) and err.err_code == ErrorCode.INVALID_PATH


def test_get_instances_first_level_only(agent):
    everything = answer(agent, GetInstances(("Device.LocalAgent.",))).instances()
    assert "Device.LocalAgent.Controller.1.MTP.1." in everything
    first = answer(agent, GetInstances(("Device.LocalAgent.",), first_level_only=True)).instances()
    assert "Device.LocalAgent.Controller.1." in first and "Device.LocalAgent.Controller.1.MTP.1." not in first


def test_get_supported_dm_accepts_instance_and_schema_paths(agent):
    for path in ("Device.DeviceInfo.FirmwareImage.1.", "Device.DeviceInfo.FirmwareImage.{i}.",
                 "Device.DeviceInfo.FirmwareImage."):
        resp = answer(agent, GetSupportedDM((path,), return_commands=True))
        assert list(resp.objects()) == ["Device.DeviceInfo.FirmwareImage.{i}."], path


def test_operate_sync_async_and_errors(agent, monkeypatch):
    started = []

    def start(spec, call):
        started.append(call)
        return "Device.LocalAgent.Request.7."

    monkeypatch.setattr(agent.commands, "start", start)
    resp = answer(agent, Operate("Device.DeviceInfo.FirmwareImage.2.Download()", {"URL": "http://x/y-1.2.bin"}, "k"))
    assert resp.operation_results[0].outcome == RequestObject("Device.LocalAgent.Request.7.")
    assert started[0].command_key == "k" and started[0].originator == CTL
    missing = answer(agent, Operate("Device.DeviceInfo.FirmwareImage.2.Download()"))
    assert missing.operation_results[0].outcome.err_code == ErrorCode.INVALID_COMMAND_ARGUMENTS
    assert answer(agent, Operate("Device.DeviceInfo.Reboot()")).err_code == ErrorCode.INVALID_PATH
    silent = answer(agent, Operate("Device.DeviceInfo.FirmwareImage.1.Activate()", send_resp=False))
    assert silent is None


def test_commands_on_missing_instances(agent):
    eu_cmd = "Device.SoftwareModules.ExecutionUnit.1.SetRequestedState()"
    assert answer(agent, Operate(eu_cmd, {"RequestedState": "Active"})).err_code == ErrorCode.OBJECT_DOES_NOT_EXIST
    resp = answer(agent, Operate("Device.SoftwareModules.ExecutionUnit.*.SetRequestedState()",
                                 {"RequestedState": "Active"}))
    assert resp.operation_results == ()  # no EU yet: a wildcard selects nothing


@pytest.mark.parametrize(
    ("text", "kind", "stored", "code"),
    [
        ("TRUE", ParamValueType.BOOLEAN, "true", None),
        ("yes", ParamValueType.BOOLEAN, None, ErrorCode.INVALID_TYPE),
        ("007", ParamValueType.UNSIGNED_INT, "7", None),
        ("-1", ParamValueType.UNSIGNED_INT, None, ErrorCode.INVALID_TYPE),
        ("4294967296", ParamValueType.UNSIGNED_INT, None, ErrorCode.INVALID_VALUE),
        ("-5", ParamValueType.INT, "-5", None),
        ("1.5e3", ParamValueType.DECIMAL, None, ErrorCode.INVALID_TYPE),
        ("2024-01-02T03:04:05Z", ParamValueType.DATE_TIME, "2024-01-02T03:04:05Z", None),
        ("yesterday", ParamValueType.DATE_TIME, None, ErrorCode.INVALID_TYPE),
        ("0aFF", ParamValueType.HEX_BINARY, "0aFF", None),
        ("abc", ParamValueType.BASE_64, None, ErrorCode.INVALID_TYPE),
    ],
)
def test_value_checks(text, kind, stored, code):
    value, problem = check_value(text, kind)
    if code is None:
        assert problem is None and value == stored
    else:
        assert problem is not None and problem.code == code


def test_enumeration_check():
    assert check_value("Event", ParamValueType.STRING, enum=("Event", "ValueChange"))[1] is None
    assert check_value("Other", ParamValueType.STRING, enum=("Event",))[1].code == ErrorCode.INVALID_VALUE


def test_request_failed_carries_code():
    assert RequestFailed(7004, "x").code == 7004
