from __future__ import annotations

import pytest

from ipe_sdt.usp import PathError, PathKind, Tr181Path, is_valid_path, parse_path, split_path


@pytest.mark.parametrize(
    ("text", "kind", "segments"),
    [
        ("Device.", PathKind.OBJECT, ("Device",)),
        ("Device.DeviceInfo.", PathKind.OBJECT, ("Device", "DeviceInfo")),
        ("Device.WiFi.SSID.2.", PathKind.OBJECT, ("Device", "WiFi", "SSID", "2")),
        (
            "Device.DeviceInfo.SoftwareVersion",
            PathKind.PARAMETER,
            ("Device", "DeviceInfo", "SoftwareVersion"),
        ),
        (
            "Device.IoTCapability.1.BinaryControl.Value",
            PathKind.PARAMETER,
            ("Device", "IoTCapability", "1", "BinaryControl", "Value"),
        ),
        ("Device.Reboot()", PathKind.COMMAND, ("Device", "Reboot")),
        (
            "Device.DeviceInfo.FirmwareImage.{i}.Download()",
            PathKind.COMMAND,
            ("Device", "DeviceInfo", "FirmwareImage", "{i}", "Download"),
        ),
        ("Device.Boot!", PathKind.EVENT, ("Device", "Boot")),
        (
            "Device.IoTCapability.*.BinaryControl.Value",
            PathKind.PARAMETER,
            ("Device", "IoTCapability", "*", "BinaryControl", "Value"),
        ),
        (
            "Device.X_ACME-COM_Thing.12.My_Param-2",
            PathKind.PARAMETER,
            ("Device", "X_ACME-COM_Thing", "12", "My_Param-2"),
        ),
    ],
)
def test_valid_paths_parse_and_print_back(text, kind, segments):
    path = parse_path(text)
    assert path.kind is kind
    assert path.segments == segments
    assert str(path) == text
    assert is_valid_path(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "Device",  # a parameter needs a name below the root
        "device.DeviceInfo.",  # case matters
        "InternetGatewayDevice.DeviceInfo.",
        "Device..DeviceInfo.",
        "Device.DeviceInfo..",
        "Device.1.",  # the root is not a table
        "Device.WiFi.SSID.1.2.",
        "Device.WiFi.SSID.0.",
        "Device.WiFi.SSID.01.",
        "Device.WiFi.SSID.-1.",
        "Device.WiFi.SSID.1",  # parameter path ending in an instance
        "Device.WiFi.SSID.*()",
        "Device.1Name.",
        "Device.Device Info.",
        "Device.DeviceInfo.Süß",
        "Device.Reboot(",
        "Device.Reboot)(",
        "Device.Boot!!",
        "Device.X.()",
        " Device.X",
        "Device.X\n",
        'Device.IP.Interface.[Name=="eth0"].Status',  # search expressions: out of scope
        "Device.LocalAgent.Controller.1.BootParameter.1.ParameterName+.",
        "Device.X.#.Y",
    ],
)
def test_invalid_paths_raise_path_error(text):
    with pytest.raises(PathError):
        parse_path(text)
    assert not is_valid_path(text)


def test_path_error_reports_invalid_path_syntax_code():
    with pytest.raises(PathError) as raised:
        parse_path("Device..X")
    assert raised.value.usp_code == 7008


def test_wildcards_and_placeholders_can_be_refused():
    assert not is_valid_path("Device.IoTCapability.*.Name", allow_wildcard=False)
    assert is_valid_path("Device.IoTCapability.{i}.Name", allow_wildcard=False)
    assert not is_valid_path("Device.IoTCapability.{i}.Name", allow_schema=False)
    assert is_valid_path("Device.IoTCapability.*.Name", allow_schema=False)


def test_non_string_is_a_path_error():
    with pytest.raises(PathError):
        parse_path(None)  # type: ignore[arg-type]


def test_path_properties():
    path = parse_path("Device.IoTCapability.3.LevelControl.2.Value")
    assert path.name == "Value"
    assert str(path.object_path) == "Device.IoTCapability.3.LevelControl.2."
    assert path.instances == (3, 2)
    assert path.is_concrete and not path.is_schema and not path.has_wildcard
    assert str(path.schema()) == "Device.IoTCapability.{i}.LevelControl.{i}.Value"
    assert parse_path("Device.Reboot()").name == "Reboot()"
    assert parse_path("Device.Boot!").name == "Boot!"
    obj = parse_path("Device.WiFi.SSID.2.")
    assert obj.name == "2" and obj.object_path is obj
    wild = parse_path("Device.IoTCapability.*.Value")
    assert wild.has_wildcard and not wild.is_concrete and wild.instances == ()
    assert parse_path("Device.X.{i}.Y()").is_schema


def test_matches_honours_wildcards_and_placeholders():
    wild = parse_path("Device.IoTCapability.*.BinaryControl.Value")
    assert wild.matches("Device.IoTCapability.7.BinaryControl.Value")
    assert not wild.matches("Device.IoTCapability.7.BinaryControl.Name")
    assert not wild.matches("Device.IoTCapability.7.BinaryControl.")
    assert not wild.matches("Device.IoTCapability.7.Extra.BinaryControl.Value")
    schema = parse_path("Device.DeviceInfo.FirmwareImage.{i}.Download()")
    assert schema.matches("Device.DeviceInfo.FirmwareImage.2.Download()")
    assert not schema.matches("Device.DeviceInfo.FirmwareImage.2.Activate()")
    concrete = parse_path("Device.IoTCapability.1.Name")
    assert concrete.matches("Device.IoTCapability.1.Name")
    assert not concrete.matches("Device.IoTCapability.2.Name")


def test_is_within_checks_object_prefixes():
    value = parse_path("Device.IoTCapability.1.BinaryControl.Value")
    assert value.is_within("Device.")
    assert value.is_within("Device.IoTCapability.*.")
    assert value.is_within("Device.IoTCapability.1.BinaryControl.")
    assert not value.is_within("Device.IoTCapability.2.")
    assert not value.is_within("Device.IoTCapability.1.BinaryControl.Value")
    assert not parse_path("Device.X.").is_within("Device.X.Y.")


def test_split_path_returns_object_and_name():
    assert split_path("Device.IoTCapability.1.BinaryControl.Value") == (
        "Device.IoTCapability.1.BinaryControl.",
        "Value",
    )
    assert split_path("Device.Reboot()") == ("Device.", "Reboot()")
    assert split_path("Device.LocalAgent.Boot!") == ("Device.LocalAgent.", "Boot!")
    with pytest.raises(PathError):
        split_path("Device.IoTCapability.1.")
    with pytest.raises(PathError):
        split_path("Device..Value")


def test_paths_are_values():
    assert parse_path("Device.A.1.B") == Tr181Path(("Device", "A", "1", "B"), PathKind.PARAMETER)
    assert len({parse_path("Device.A."), parse_path("Device.A.")}) == 1
