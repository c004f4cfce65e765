from __future__ import annotations

import pytest

from ipe_sdt import usp
from ipe_sdt.usp import ERROR_NAMES, ErrorCode, error_name, is_vendor_code


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (7000, "Message failed"),
        (7001, "Message not supported"),
        (7002, "Request denied (no reason specified)"),
        (7003, "Internal error"),
        (7004, "Invalid arguments"),
        (7005, "Resources exceeded"),
        (7006, "Permission denied"),
        (7008, "Invalid path syntax"),
        (7016, "Object does not exist"),
        (7022, "Command failure"),
        (7026, "Invalid path"),
        (7027, "Invalid command arguments"),
        (7100, "Record could not be parsed"),
        (7106, "Session Context not allowed"),
    ],
)
def test_known_codes_have_their_tr369_names(code, name):
    assert error_name(code) == name
    assert ErrorCode(code).value == code


def test_table_and_enum_agree_and_stay_in_the_usp_range():
    assert set(ERROR_NAMES) == set(ErrorCode)
    assert all(7000 <= code < 7800 for code in ErrorCode)
    assert all(name and name[0].isupper() for name in ERROR_NAMES.values())
    # 7000-7031 and 7100-7106 are contiguous in TR-369 1.4.
    assert {int(c) for c in ErrorCode} == set(range(7000, 7032)) | set(range(7100, 7107))


def test_vendor_and_unknown_codes_still_get_a_name():
    assert is_vendor_code(7800) and is_vendor_code(7999)
    assert not is_vendor_code(7799) and not is_vendor_code(8000)
    assert error_name(7850) == "Vendor-specific error 7850"
    assert error_name(7500) == "Unknown error 7500"
    assert error_name(0) == "Unknown error 0"


def test_exceptions_carry_default_codes():
    assert usp.RecordError("x").usp_code == ErrorCode.RECORD_NOT_PARSED
    assert usp.MessageError("x").usp_code == ErrorCode.MESSAGE_NOT_SUPPORTED
    assert usp.PathError("x").usp_code == ErrorCode.INVALID_PATH_SYNTAX
    assert usp.UspError("x").usp_code == ErrorCode.MESSAGE_FAILED
    for cls in (usp.RecordError, usp.MessageError, usp.PathError, usp.RemoteError):
        assert issubclass(cls, usp.UspError)
    remote = usp.RemoteError(usp.Error(7016, "gone"))
    assert remote.usp_code == 7016 and "gone" in str(remote)
