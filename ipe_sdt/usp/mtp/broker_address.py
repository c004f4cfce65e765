"""Where the MQTT broker is: ``mqtt://host:port`` parsed once, checked early.

Only plain ``mqtt://`` is accepted: the simulator and the tests talk to a
broker on the same machine, and a ``mqtts://`` URL that silently fell back to
plain TCP would be worse than a clear refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORT = 1883


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int = DEFAULT_PORT

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("broker host is empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"broker port out of range: {self.port}")

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """``mqtt://host[:port]`` -> BrokerAddress; ValueError with the reason otherwise."""
        if not isinstance(url, str):
            raise ValueError(f"broker URL must be a string, not {type(url).__name__}")
        parts = urlsplit(url.strip())
        if parts.scheme != "mqtt":
            raise ValueError(f"unsupported broker URL {url!r}: expected mqtt://host:port")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"broker URL {url!r} must not have a path, query or fragment")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"broker URL {url!r} has an invalid port") from exc
        if parts.username is not None or parts.password is not None:
            raise ValueError(f"broker URL {url!r}: credentials in the URL are not supported")
        if not parts.hostname:
            raise ValueError(f"broker URL {url!r} has no host")
        return cls(parts.hostname, DEFAULT_PORT if port is None else port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"mqtt://{host}:{self.port}"

    def __str__(self) -> str:
        return self.url
