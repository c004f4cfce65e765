"""How one simulated device is set up."""

from __future__ import annotations

from dataclasses import dataclass

VERSIONS = ("1.0", "1.1", "1.2")


@dataclass(frozen=True)
class DeviceSettings:
    endpoint: str
    server_uri: str | None = None
    """coap://host:port of the management server the device ships with (factory bootstrap)."""
    bootstrap_uri: str | None = None
    """coap://host:port of a bootstrap server; used when no management server is configured."""
    lifetime: int = 300
    lwm2m_version: str = "1.1"
    queue_mode: bool = False
    awake_time: float = 10.0
    """Seconds a queue-mode device listens after each Register or Update before it sleeps."""
    update_interval: float | None = None
    """Seconds between Updates; default three quarters of the lifetime."""
    root_path: str = "/"
    bind_host: str = "::"
    """Local address of the device's socket; its port is always a fresh ephemeral one."""
    reboot_delay: float = 0.5
    request_timeout: float = 10.0
    """Longest wait for an answer to Register, Update, De-register or Bootstrap-Request."""
    retry_max: float = 60.0
    """Cap of the exponential back-off between failed registration attempts."""
    bootstrap_timeout: float = 30.0
    """Longest wait for Bootstrap-Finish after the Bootstrap-Request was accepted."""
    download_timeout: float = 120.0
    change_interval: float | None = None
    """Mean seconds between simulated physical changes (switch flips, battery, signal); None: none."""
    firmware_version: str = "1.0.0"
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.endpoint or not self.endpoint.isprintable():
            raise ValueError("the endpoint name must be printable and not empty")
        if self.server_uri is None and self.bootstrap_uri is None:
            raise ValueError("a device needs a server URI or a bootstrap server URI")
        if self.lwm2m_version not in VERSIONS:
            raise ValueError(f"LwM2M version must be one of {', '.join(VERSIONS)}")
        if self.lifetime < 1:
            raise ValueError("lifetime must be at least 1 s")
        positive = ("awake_time", "reboot_delay", "request_timeout", "retry_max", "bootstrap_timeout",
                    "download_timeout")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if self.update_interval is not None and not self.update_interval > 0:
            raise ValueError("update_interval must be positive")
        if self.change_interval is not None and not self.change_interval > 0:
            raise ValueError("change_interval must be positive")
        if not self.root_path.startswith("/"):
            raise ValueError("root_path must start with '/'")
