"""/9 Software Management: the package installation and activation state machines.

    Update State   0 INITIAL -> 1 DOWNLOAD STARTED -> 2 DOWNLOADED -> 3 DELIVERED -> 4 INSTALLED
    Update Result  0 initial, 1 downloading, 2 installed, 3 downloaded and verified,
                   50 no storage, 52 connection lost, 53 integrity, 54 unsupported type,
                   56 invalid URI, 57 device error, 58 installation failure
    Install (4)    DELIVERED -> INSTALLED (inactive)
    Uninstall (6)  DELIVERED or INSTALLED -> INITIAL; argument 1 ("ForUpdate") keeps the
                   installed software while a new package is fetched
    Activate (10), Deactivate (11)   only in INSTALLED; Activation State (12) follows
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar
from urllib.parse import urlsplit

from ..errors import bad_request, not_allowed
from ..instance import DeviceHost, ResourceValue, SimInstance
from ..package_format import PackageError, PackageInfo, parse_package
from ..package_fetch import FetchError

log = logging.getLogger(__name__)

INITIAL, DOWNLOAD_STARTED, DOWNLOADED, DELIVERED, INSTALLED = range(5)
R_INITIAL, R_DOWNLOADING, R_INSTALLED, R_VERIFIED = 0, 1, 2, 3
R_NO_STORAGE, R_CONNECTION_LOST, R_INTEGRITY, R_UNSUPPORTED_TYPE, R_INVALID_URI, R_DEVICE_ERROR, R_INSTALL_FAILED = (
    50, 52, 53, 54, 56, 57, 58,
)
MAX_PACKAGE = 4 * 1024 * 1024


class SoftwareManagementInstance(SimInstance):
    object_id: ClassVar[int] = 9

    def __init__(self, iid: int, host: DeviceHost) -> None:
        super().__init__(iid, host)
        self.package: PackageInfo | None = None
        self._download: asyncio.Task[None] | None = None
        self.values.update({0: "", 1: "", 7: INITIAL, 8: False, 9: R_INITIAL, 12: False})

    @property
    def state(self) -> int:
        return int(self.values[7])  # type: ignore[arg-type]

    def _enter(self, state: int, result: int) -> None:
        self.set(7, state)
        self.set(9, result)

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        if rid not in (2, 3):
            return False
        if self.state != INITIAL:
            raise not_allowed(f"a package is only accepted in INITIAL (state is {self.state})")
        if rid == 2:
            data = bytes(value)  # type: ignore[arg-type]
            if not data:
                raise bad_request("empty package")
            self._enter(DOWNLOAD_STARTED, R_DOWNLOADING)
            self._verify(data)
            return True
        uri = str(value)
        self.values[3] = uri
        parts = urlsplit(uri)
        if not parts.scheme or not parts.netloc:
            self.set(9, R_INVALID_URI)
            return True
        if parts.scheme not in ("coap", "http", "https"):
            self.set(9, R_DEVICE_ERROR)
            return True
        self._enter(DOWNLOAD_STARTED, R_DOWNLOADING)
        self._download = asyncio.get_running_loop().create_task(
            self._fetch(uri), name=f"sw-download-{self.host.endpoint}"
        )
        return True

    async def _fetch(self, uri: str) -> None:
        try:
            data = await self.host.fetch_package(uri)
        except FetchError as exc:
            log.info("%s: software download from %s failed: %s", self.host.endpoint, uri, exc)
            results = {"uri": R_INVALID_URI, "protocol": R_DEVICE_ERROR, "size": R_NO_STORAGE}
            result = results.get(exc.reason, R_CONNECTION_LOST)
            self._enter(INITIAL, result)
            return
        finally:
            self._download = None
        if self.state == DOWNLOAD_STARTED:
            self._verify(data)

    def _verify(self, data: bytes) -> None:
        if len(data) > MAX_PACKAGE:
            self._enter(INITIAL, R_NO_STORAGE)
            return
        self.set(7, DOWNLOADED)
        try:
            self.package = parse_package(data, "software")
        except PackageError as exc:
            self._enter(INITIAL, R_INTEGRITY if exc.reason == "integrity" else R_UNSUPPORTED_TYPE)
            return
        self._enter(DELIVERED, R_VERIFIED)

    def execute_4(self, args: dict[int, str | None]) -> None:
        """Install."""
        if self.state != DELIVERED or self.package is None:
            raise not_allowed(f"Install needs a delivered package (state is {self.state})")
        if self.package.fail:
            self.set(9, R_INSTALL_FAILED)
            return
        self.set(0, self.package.name)
        self.set(1, self.package.version)
        self.set(12, False)
        self._enter(INSTALLED, R_INSTALLED)

    def execute_6(self, args: dict[int, str | None]) -> None:
        """Uninstall; argument 1 = "ForUpdate" keeps the installed software in place."""
        if self.state not in (DELIVERED, INSTALLED):
            raise not_allowed(f"nothing to uninstall in state {self.state}")
        # Servers write the argument either as the bare digit ("1") or as argument 0 ("0='1'").
        for_update = (1 in args and args[1] is None) or args.get(0) == "1"
        if not for_update or self.state == DELIVERED:
            self.set(0, "")
            self.set(1, "")
            self.set(12, False)
        self.package = None
        self.values[3] = ""
        self._enter(INITIAL, R_INITIAL)

    def execute_10(self, args: dict[int, str | None]) -> None:
        """Activate."""
        if self.state != INSTALLED:
            raise not_allowed(f"Activate needs installed software (state is {self.state})")
        self.set(12, True)

    def execute_11(self, args: dict[int, str | None]) -> None:
        """Deactivate."""
        if self.state != INSTALLED:
            raise not_allowed(f"Deactivate needs installed software (state is {self.state})")
        self.set(12, False)

    def reset_after_reboot(self) -> None:
        if self._download is not None:
            self._download.cancel()
            self._download = None
        if self.state in (DOWNLOAD_STARTED, DOWNLOADED):
            self._enter(INITIAL, R_CONNECTION_LOST)
