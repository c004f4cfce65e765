"""One message per body type and per oneof branch, shared by the round-trip
and fuzz tests."""

from __future__ import annotations

from ipe_sdt import usp

SAMPLE_BODIES: dict[str, usp.Body] = {
    "get": usp.Get(["Device.DeviceInfo.", "Device.IoTCapability.*.BinaryControl.Value"], 2),
    "get_supported_dm": usp.GetSupportedDM(
        ["Device.IoTCapability."],
        first_level_only=True,
        return_commands=True,
        return_events=True,
        return_params=True,
        return_unique_key_sets=True,
    ),
    "get_instances": usp.GetInstances(["Device.IoTCapability."], first_level_only=True),
    "set": usp.Set.from_params(
        {"Device.IoTCapability.1.BinaryControl.Value": True, "Device.LocalAgent.Alias": "x"},
        allow_partial=True,
    ),
    "add": usp.Add(
        [
            usp.CreateObject(
                "Device.LocalAgent.Subscription.",
                [
                    usp.ParamSetting("NotifType", "ValueChange", True),
                    usp.ParamSetting("ReferenceList", "Device.IoTCapability.1.BinaryControl.Value"),
                ],
            ),
            usp.CreateObject("Device.LocalAgent.Controller."),
        ],
        allow_partial=True,
    ),
    "delete": usp.Delete(["Device.LocalAgent.Subscription.3."], allow_partial=True),
    "operate": usp.Operate(
        "Device.DeviceInfo.FirmwareImage.2.Download()",
        {"URL": "http://fw.example/img.bin", "AutoActivate": True},
        command_key="fw-42",
        send_resp=True,
    ),
    "get_supported_protocol": usp.GetSupportedProtocol("1.3,1.4"),
    "notify_value_change": usp.Notify(
        "sub-1", usp.ValueChange("Device.IoTCapability.1.BinaryControl.Value", "true"), True
    ),
    "notify_event": usp.Notify(
        "sub-2", usp.Event("Device.", "Boot!", {"Cause": "LocalReboot", "CommandKey": ""})
    ),
    "notify_object_creation": usp.Notify(
        "sub-3", usp.ObjectCreation("Device.IoTCapability.4.", {"Name": "lamp"})
    ),
    "notify_object_deletion": usp.Notify("sub-4", usp.ObjectDeletion("Device.IoTCapability.4.")),
    "notify_operation_complete_ok": usp.Notify(
        "sub-5",
        usp.OperationComplete(
            "Device.DeviceInfo.FirmwareImage.2.", "Download()", "fw-42", usp.OutputArgs({"A": "1"})
        ),
    ),
    "notify_operation_complete_failed": usp.Notify(
        "sub-5",
        usp.OperationComplete(
            "Device.DeviceInfo.FirmwareImage.2.",
            "Download()",
            "fw-43",
            usp.CommandFailure(7022, "download failed"),
        ),
    ),
    "notify_on_board_request": usp.Notify(
        "", usp.OnBoardRequest("00D09E", "IoTGateway", "SN123", "1.3,1.4"), True
    ),
    "get_resp": usp.GetResp(
        [
            usp.GetPathResult(
                "Device.DeviceInfo.",
                [usp.ResolvedPathResult("Device.DeviceInfo.", {"SoftwareVersion": "1.0"})],
            ),
            usp.GetPathResult("Device.Nope.", err_code=7026, err_msg="Invalid path"),
        ]
    ),
    "get_supported_dm_resp": usp.GetSupportedDMResp(
        [
            usp.RequestedObjectResult(
                "Device.IoTCapability.",
                [
                    usp.SupportedObject(
                        "Device.IoTCapability.{i}.",
                        usp.ObjAccess.ADD_DELETE,
                        True,
                        [usp.SupportedCommand("Toggle()", ["A"], ["B"], usp.CmdType.SYNC)],
                        [usp.SupportedEvent("Changed!", ["Value"])],
                        [
                            usp.SupportedParam(
                                "Name",
                                usp.ParamAccess.READ_WRITE,
                                usp.ParamValueType.STRING,
                                usp.ValueChangeType.ALLOWED,
                            )
                        ],
                        ["Device.IoTCapability.{i}.X_ACME_Extra."],
                        [["Name"], ["Alias", "Class"]],
                    )
                ],
                data_model_inst_uri="urn:broadband-forum-org:tr-181-2-16-0",
            ),
            usp.RequestedObjectResult("Device.Bogus.", err_code=7026, err_msg="no such object"),
        ]
    ),
    "get_instances_resp": usp.GetInstancesResp(
        [
            usp.InstancesPathResult(
                "Device.IoTCapability.",
                [
                    usp.CurrInstance("Device.IoTCapability.1.", {"Name": "lamp"}),
                    usp.CurrInstance("Device.IoTCapability.2."),
                ],
            ),
            usp.InstancesPathResult("Device.Bogus.", err_code=7016, err_msg="gone"),
        ]
    ),
    "set_resp": usp.SetResp(
        [
            usp.UpdatedObjectResult(
                "Device.IoTCapability.1.BinaryControl.",
                usp.SetSuccess(
                    [
                        usp.UpdatedInstance(
                            "Device.IoTCapability.1.BinaryControl.",
                            {"Value": "true"},
                            [usp.ParamError("Other", 7013, "read only")],
                        )
                    ]
                ),
            ),
            usp.UpdatedObjectResult(
                "Device.LocalAgent.",
                usp.SetFailure(
                    7021,
                    "required failed",
                    [
                        usp.UpdatedInstanceFailure(
                            "Device.LocalAgent.", [usp.ParamError("Alias", 7012, "bad")]
                        )
                    ],
                ),
            ),
        ]
    ),
    "add_resp": usp.AddResp(
        [
            usp.CreatedObjectResult(
                "Device.LocalAgent.Subscription.",
                usp.AddSuccess(
                    "Device.LocalAgent.Subscription.7.",
                    {"ID": "s7"},
                    [usp.ParamError("Enable", 7012, "bad bool")],
                ),
            ),
            usp.CreatedObjectResult(
                "Device.LocalAgent.Controller.", usp.OperationFailure(7019, "not creatable")
            ),
        ]
    ),
    "delete_resp": usp.DeleteResp(
        [
            usp.DeletedObjectResult(
                "Device.LocalAgent.Subscription.*.",
                usp.DeleteSuccess(
                    ["Device.LocalAgent.Subscription.3."],
                    [usp.UnaffectedPathError("Device.LocalAgent.Subscription.4.", 7024, "busy")],
                ),
            ),
            usp.DeletedObjectResult("Device.X.", usp.OperationFailure(7026, "invalid")),
        ]
    ),
    "operate_resp": usp.OperateResp(
        [
            usp.OperationResult("Device.Reboot()", usp.OutputArgs()),
            usp.OperationResult("Device.IoTCapability.1.Toggle()", usp.OutputArgs({"Value": "on"})),
            usp.OperationResult(
                "Device.DeviceInfo.FirmwareImage.2.Download()",
                usp.RequestObject("Device.LocalAgent.Request.9."),
            ),
            usp.OperationResult("Device.SelfTest()", usp.CommandFailure(7022, "failed")),
        ]
    ),
    "notify_resp": usp.NotifyResp("sub-1"),
    "get_supported_protocol_resp": usp.GetSupportedProtocolResp("1.0,1.3, 1.4"),
    "error": usp.Error(
        7004,
        "Invalid arguments",
        [
            usp.ErrorParam("Device.LocalAgent.Alias", 7012, "too long"),
            usp.ErrorParam("Device.Nope", 7026),
        ],
    ),
}

SAMPLE_MESSAGES: dict[str, usp.Message] = {
    name: usp.Message(f"id-{i}", body) for i, (name, body) in enumerate(SAMPLE_BODIES.items())
}

SAMPLE_RECORDS: dict[str, usp.Record] = {
    "no_session_context": usp.Record.for_message(
        "proto::agent-1", "proto::controller", SAMPLE_MESSAGES["get"]
    ),
    "mqtt_connect_v5": usp.Record(
        "proto::controller", "proto::agent-1", usp.MqttConnect("usp/agent/agent-1")
    ),
    "mqtt_connect_v311": usp.Record(
        "proto::controller",
        "proto::agent-1",
        usp.MqttConnect("usp/agent/agent-1", usp.MqttVersion.V3_1_1),
        version="1.3",
    ),
    "websocket_connect": usp.Record("proto::controller", "proto::agent-1", usp.WebSocketConnect()),
    "disconnect": usp.Record(
        "proto::agent-1", "proto::controller", usp.Disconnect("shutting down", 7003)
    ),
}
