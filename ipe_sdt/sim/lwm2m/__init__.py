"""Simulated LwM2M devices: real CoAP clients (aiocoap, one socket each) with objects 0, 1, 3, 4,
5, 9, 11, 3311 and 3342 and their state machines, for tests, demos and load runs."""

from .client import SimulatedDevice, State
from .faults import Faults
from .package_format import make_package, parse_package
from .settings import DeviceSettings

__all__ = ["DeviceSettings", "Faults", "SimulatedDevice", "State", "make_package", "parse_package"]
