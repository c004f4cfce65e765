"""Settings of the LwM2M server that a deployment may want to change."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PORT = 5783
"""The LwM2M server's own UDP port; the CSE's CoAP binding keeps 5683."""


@dataclass(frozen=True)
class ServerConfig:
    request_timeout: float = 10.0
    """Seconds a request to an awake device may take before DeviceTimeout (per call overridable)."""
    awake_time: float = 93.0
    """How long a queue-mode device stays reachable after its last message: the TS uses CoAP
    MAX_TRANSMIT_WAIT, 93 s with RFC 7252 defaults."""
    max_held_requests: int = 16
    """Requests that may wait for one sleeping queue-mode device; more raise QueueFull."""
    hold_timeout: float | None = None
    """Longest a request waits for a sleeping device to wake; None: until its registration ends."""
    expiry_grace: float = 2.0
    """Seconds past the lifetime before a registration expires, for Updates still in flight."""
    max_devices: int = 100_000
    """Registrations beyond this are refused (5.03) so that a flood of names cannot exhaust memory."""
    max_registration_payload: int = 64 * 1024
    """Largest link-format payload of a Register or Update (block-wise assembled), in bytes."""
    receive_buffer: int = 4 * 1024 * 1024
    """SO_RCVBUF of the server socket in bytes (capped by the kernel's net.core.rmem_max)."""
    ack_timeout: float = 2.0
    max_retransmit: int = 4
    """CoAP retransmission parameters of requests to devices (RFC 7252 defaults)."""

    def __post_init__(self) -> None:
        for name in ("request_timeout", "awake_time", "ack_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if self.hold_timeout is not None and not self.hold_timeout > 0:
            raise ValueError("hold_timeout must be positive or None")
        if self.expiry_grace < 0 or self.max_retransmit < 0:
            raise ValueError("expiry_grace and max_retransmit must not be negative")
        if self.max_held_requests < 0 or self.max_devices < 1 or self.max_registration_payload < 1:
            raise ValueError("max_held_requests, max_devices and max_registration_payload are out of range")
