"""Settings of a CSE, from defaults, a TOML file, CSE_* environment variables and the command line.

Later sources win: defaults < --config FILE < environment < command-line options. Every field of
``Settings`` is one option; its name is the TOML key, ``CSE_<NAME>`` the environment variable and
``--<name-with-dashes>`` the command-line option.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping


class ConfigError(Exception):
    """A setting has a wrong name, type or value; the message says which and why."""


@dataclass
class Settings:
    cse_id: str = field(default="/id-in", metadata={"help": "CSE-ID, SP-relative, with its leading '/'"})
    cse_name: str = field(default="cse-in", metadata={"help": "resource name of the CSEBase"})
    sp_id: str = field(default="//example.com", metadata={"help": "M2M Service Provider ID ('//' form)"})
    admin: str = field(default="CAdmin", metadata={"help": "originator with all rights"})
    http_host: str = field(default="127.0.0.1", metadata={"help": "address the HTTP binding listens on"})
    http_port: int = field(default=8080, metadata={"help": "HTTP port (0 disables HTTP)"})
    coap_host: str = field(default="127.0.0.1", metadata={"help": "address the CoAP binding listens on (UDP)"})
    coap_port: int = field(default=5683, metadata={"help": "CoAP port (UDP; 0 disables CoAP)"})
    db: str = field(default="./data/cse.sqlite", metadata={"help": "SQLite database file, or :memory:"})
    log_level: str = field(default="info", metadata={"help": "debug, info, warning or error"})
    log_format: str = field(default="text", metadata={"help": "text or json (one JSON object per line)"})
    allowed_ae_ids: list[str] = field(
        default_factory=lambda: ["C*", "S*"],
        metadata={"help": "glob patterns of AE-IDs allowed to register (comma-separated)"},
    )
    max_body_size: int = field(default=1_048_576, metadata={"help": "largest accepted request body in bytes"})
    default_lifetime: int = field(
        default=10 * 365 * 24 * 3600,
        metadata={"help": "seconds until expiry of a resource created without 'et'"},
    )
    expiry_interval: float = field(default=1.0, metadata={"help": "seconds between expiration sweeps"})
    discovery_limit: int = field(default=10_000, metadata={"help": "most results one discovery returns"})
    sdt_dirs: list[str] = field(
        default_factory=list,
        metadata={"help": "SDT template directories to load besides the shipped sdt_models (comma-separated)"},
    )
    sdt_release: str = field(
        default="5", metadata={"help": "TS-0023 release of the short names: 5, or 4 for the R4 forms (powerState)"}
    )
    sdt_reload_interval: float = field(
        default=2.0, metadata={"help": "seconds between checks for changed SDT templates (0: never)"}
    )
    notification_queue_limit: int = field(
        default=10_000, metadata={"help": "notifications waiting per target before the oldest is dropped"}
    )
    notification_attempts: int = field(default=8, metadata={"help": "delivery attempts before a notification is given up"})
    notification_timeout: float = field(default=5.0, metadata={"help": "seconds a notification target may take to answer"})
    plugins: list[str] = field(
        default_factory=list, metadata={"help": "interworking plugins to start, e.g. 'sdt' (comma-separated)"}
    )
    # Options of each plugin, from the config file's [plugin.<name>] tables (not a command-line option).
    plugin_options: dict = field(default_factory=dict, metadata={"internal": True})

    @property
    def cse_ri(self) -> str:
        """The CSEBase resource ID: the CSE-ID without its leading '/'."""
        return self.cse_id.lstrip("/")

    def validate(self) -> "Settings":
        if not self.cse_id.startswith("/") or len(self.cse_id) < 2 or "/" in self.cse_id[1:]:
            raise ConfigError(f"cse_id {self.cse_id!r} must look like '/id-in'")
        if not self.cse_name or "/" in self.cse_name:
            raise ConfigError(f"cse_name {self.cse_name!r} must be a non-empty name without '/'")
        if not self.sp_id.startswith("//"):
            raise ConfigError(f"sp_id {self.sp_id!r} must start with '//'")
        if not 0 <= self.http_port <= 65535:
            raise ConfigError(f"http_port {self.http_port} is not a port number")
        if not 0 <= self.coap_port <= 65535:
            raise ConfigError(f"coap_port {self.coap_port} is not a port number")
        if self.log_level.lower() not in ("debug", "info", "warning", "error"):
            raise ConfigError(f"log_level {self.log_level!r} must be debug, info, warning or error")
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"log_format {self.log_format!r} must be text or json")
        if self.max_body_size < 1:
            raise ConfigError("max_body_size must be positive")
        if self.notification_queue_limit < 1 or self.notification_attempts < 1 or self.notification_timeout <= 0:
            raise ConfigError("notification_queue_limit, notification_attempts and notification_timeout must be positive")
        if self.default_lifetime < 1:
            raise ConfigError("default_lifetime must be positive")
        from ipe_sdt.sdt.names import releases  # the TS-0023 table says which releases it has

        if self.sdt_release not in releases():
            raise ConfigError(f"sdt_release {self.sdt_release!r} must be one of {', '.join(releases())}")
        if not self.sdt_reload_interval >= 0:
            raise ConfigError("sdt_reload_interval must be 0 (never) or a number of seconds")
        return self


def fields() -> list[dataclasses.Field]:
    """The settings a user sets by name (file, environment, command line)."""
    return [f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")]


def _convert(name: str, kind: str, value: Any) -> Any:
    """Turn a TOML, environment or command-line value into the field's type."""
    try:
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "list[str]":
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return value
            raise ValueError
        if not isinstance(value, str):
            raise ValueError
        return value
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: {value!r} is not a valid {kind}") from None


def load(config_file: str | None, environ: Mapping[str, str], overrides: Mapping[str, Any]) -> Settings:
    values: dict[str, Any] = {}
    known = {f.name: str(f.type) for f in fields()}
    if config_file:
        try:
            data = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_file} is not valid TOML: {exc}") from None
        for key, value in data.items():
            if key == "plugin" and isinstance(value, dict):
                # [plugin.<name>] tables: each plugin's options; 'enabled = true' also enables it.
                values["plugin_options"] = value
                continue
            if isinstance(value, dict):
                raise ConfigError(f"config file {config_file}: unknown section [{key}]")
            if key not in known:
                raise ConfigError(f"config file {config_file}: unknown setting {key!r}")
            values[key] = _convert(key, known[key], value)
    for name, kind in known.items():
        env_value = environ.get(f"CSE_{name.upper()}")
        if env_value is not None:
            values[name] = _convert(f"CSE_{name.upper()}", kind, env_value)
    for name, value in overrides.items():
        if value is not None:
            values[name] = _convert(name, known[name], value)
    settings = Settings(**values)
    for name, options in settings.plugin_options.items():
        if isinstance(options, dict) and options.get("enabled") and name not in settings.plugins:
            settings.plugins.append(name)
    return settings.validate()
