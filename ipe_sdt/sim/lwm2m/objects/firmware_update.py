"""/5 Firmware Update: the State / Update Result state machine of the Core TS.

    State   0 Idle -> 1 Downloading -> 2 Downloaded -> 3 Updating -> (restart) 0 Idle, result 1
    Pull:   write Package URI (coap://, http://, https://); the download runs in the background
    Push:   write Package (block-wise); verified at once
    Reset:  write an empty Package URI or Package in Idle, Downloading or Downloaded
    Cancel: execute /5/0/10 in Downloading or Downloaded (result 10)

Failures are reported only through Update Result, never by failing the write: 2 not enough
storage, 4 connection lost, 5 integrity check, 6 unsupported package type, 7 invalid URI,
8 update failed, 9 unsupported protocol. Operations that fit no transition get 4.05.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar
from urllib.parse import urlsplit

from ..errors import not_allowed
from ..instance import DeviceHost, ResourceValue, SimInstance
from ..package_format import PackageError, PackageInfo, parse_package
from ..package_fetch import FetchError

log = logging.getLogger(__name__)

IDLE, DOWNLOADING, DOWNLOADED, UPDATING = 0, 1, 2, 3
INITIAL, SUCCESS, NO_STORAGE, OUT_OF_RAM, CONNECTION_LOST, INTEGRITY, UNSUPPORTED_TYPE, INVALID_URI, UPDATE_FAILED, \
    UNSUPPORTED_PROTOCOL, CANCELLED = range(11)
PROTOCOLS = {"coap": 0, "http": 2, "https": 3}
MAX_PACKAGE = 4 * 1024 * 1024


class FirmwareUpdateInstance(SimInstance):
    object_id: ClassVar[int] = 5
    update_time: ClassVar[float] = 0.2
    """Seconds the simulated flashing takes before the restart."""

    def __init__(self, iid: int, host: DeviceHost) -> None:
        super().__init__(iid, host)
        self.package: PackageInfo | None = None
        self._download: asyncio.Task[None] | None = None
        self.values.update({
            1: "",
            3: IDLE,
            5: INITIAL,
            6: "",
            7: "",
            8: {i: p for i, p in enumerate(sorted(PROTOCOLS.values()))},
            9: 2,  # pull and push
        })

    @property
    def state(self) -> int:
        return int(self.values[3])  # type: ignore[arg-type]

    def _enter(self, state: int, result: int | None = None) -> None:
        self.set(3, state)
        if result is not None:
            self.set(5, result)

    def _reset(self) -> None:
        if self._download is not None:
            self._download.cancel()
            self._download = None
        self.package = None
        self.values[0] = b""
        self.set(1, "")
        self._enter(IDLE, INITIAL)

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        if rid not in (0, 1):
            return False
        if value in (b"", ""):
            if self.state == UPDATING:
                raise not_allowed("the device is updating")
            self._reset()
            return True
        if self.state != IDLE:
            raise not_allowed(f"a new package is not accepted in state {self.state}")
        if rid == 0:
            self._push(bytes(value))  # type: ignore[arg-type]
        else:
            self._pull(str(value))
        return True

    def _push(self, data: bytes) -> None:
        self._enter(DOWNLOADING, INITIAL)
        self._verify(data)

    def _pull(self, uri: str) -> None:
        self.values[1] = uri
        parts = urlsplit(uri)
        if not parts.scheme or not parts.netloc:
            self._enter(IDLE, INVALID_URI)
            return
        if parts.scheme not in PROTOCOLS:
            self._enter(IDLE, UNSUPPORTED_PROTOCOL)
            return
        self._enter(DOWNLOADING, INITIAL)
        self._download = asyncio.get_running_loop().create_task(
            self._fetch(uri), name=f"fw-download-{self.host.endpoint}"
        )

    async def _fetch(self, uri: str) -> None:
        try:
            data = await self.host.fetch_package(uri)
        except FetchError as exc:
            log.info("%s: firmware download from %s failed: %s", self.host.endpoint, uri, exc)
            results = {"uri": INVALID_URI, "protocol": UNSUPPORTED_PROTOCOL, "size": NO_STORAGE}
            result = results.get(exc.reason, CONNECTION_LOST)
            self._enter(IDLE, result)
            return
        finally:
            self._download = None
        if self.state == DOWNLOADING:
            self._verify(data)

    def _verify(self, data: bytes) -> None:
        if len(data) > MAX_PACKAGE:
            self._enter(IDLE, NO_STORAGE)
            return
        try:
            self.package = parse_package(data, "firmware")
        except PackageError as exc:
            self._enter(IDLE, INTEGRITY if exc.reason == "integrity" else UNSUPPORTED_TYPE)
            return
        self.set(6, self.package.name)
        self.set(7, self.package.version)
        self._enter(DOWNLOADED, INITIAL)

    def execute_2(self, args: dict[int, str | None]) -> None:
        """Update: flash the downloaded package, then restart on the new firmware."""
        if self.state != DOWNLOADED or self.package is None:
            raise not_allowed(f"Update needs a downloaded package (state is {self.state})")
        self._enter(UPDATING)
        self.host.spawn(self._apply(self.package), "firmware-update")

    async def _apply(self, package: PackageInfo) -> None:
        await asyncio.sleep(self.update_time)
        if package.fail:
            self._enter(DOWNLOADED, UPDATE_FAILED)
            return
        # The result must survive the restart: the server reads it after re-registration.
        self.package = None
        self.values[1] = ""
        self._enter(IDLE, SUCCESS)
        self.on_updated(package.version)
        self.host.request_reboot(f"firmware updated to {package.version}")

    def on_updated(self, version: str) -> None:
        """Set by the device: where the new version becomes the running firmware."""

    def execute_10(self, args: dict[int, str | None]) -> None:
        """Cancel (LwM2M 1.1)."""
        if self.state not in (DOWNLOADING, DOWNLOADED):
            raise not_allowed(f"nothing to cancel in state {self.state}")
        if self._download is not None:
            self._download.cancel()
            self._download = None
        self.package = None
        self._enter(IDLE, CANCELLED)

    def reset_after_reboot(self) -> None:
        # A restart in the middle of a download loses the connection (result 4); an update that
        # was flashing when power went away failed (result 8).
        if self._download is not None:
            self._download.cancel()
            self._download = None
        if self.state == DOWNLOADING:
            self._enter(IDLE, CONNECTION_LOST)
        elif self.state == UPDATING:
            self._enter(DOWNLOADED, UPDATE_FAILED)

    def delete_allowed(self) -> bool:
        return False
