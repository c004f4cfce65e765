"""The USP driver: BBF TR-369 Agents (TR-181 Device:2 over MQTT), as neutral devices."""

from ipe_sdt.drivers.usp.driver import UspDriver

__all__ = ["UspDriver"]
