"""A running CSE: the core plus its bindings, started and stopped together."""

from __future__ import annotations

import asyncio
import logging
import signal

from cse import __version__
from cse.bindings.coap import CoapBinding
from cse.bindings.coap_client import CoapSender
from cse.bindings.http import HttpBinding
from cse.bindings.http_client import HttpSender
from cse.config import Settings
from cse.core.engine import CSE
from cse.plugins import Plugins
from ipe_sdt.sdt.loader import TemplateLoader

log = logging.getLogger("cse")


class Application:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cse = CSE(settings)
        self.plugins = Plugins(settings.plugins, settings.plugin_options)
        self.templates = TemplateLoader.for_cse(self.cse)
        self.http: HttpBinding | None = None
        if settings.http_port:
            self.http = HttpBinding(self.cse, settings.http_host, settings.http_port)
        self.coap: CoapBinding | None = None
        if settings.coap_port:
            self.coap = CoapBinding(self.cse, settings.coap_host, settings.coap_port)

    async def start(self) -> None:
        # The flexContainer specializations must be known before the first request arrives.
        self.templates.load()
        self.cse.outbound.register(HttpSender())
        self.cse.outbound.register(CoapSender())
        if self.http is not None:
            await self.http.start()
            self.cse.points_of_access = [self.http.url]
        if self.coap is not None:
            try:
                await self.coap.start()
            except BaseException:
                if self.http is not None:
                    await self.http.stop()
                raise
            self.cse.points_of_access = [*self.cse.points_of_access, self.coap.url]
        await self.cse.start()
        self.templates.start()
        await self.plugins.start(self.cse)
        self._banner()

    async def stop(self) -> None:
        await self.plugins.stop()
        await self.templates.stop()
        if self.http is not None:
            await self.http.stop()
        if self.coap is not None:
            await self.coap.stop()
        await self.cse.stop()
        log.info("stopped")

    def _banner(self) -> None:
        s = self.settings
        lines = [
            f"oneM2M IN-CSE {__version__} ready",
            f"  CSE-ID {s.cse_id}   CSEBase {s.cse_name}   SP-ID {s.sp_id}   admin {s.admin}",
        ]
        if self.http is not None:
            lines.append(f"  HTTP   {self.http.url}/{s.cse_name}")
        if self.coap is not None:
            lines.append(f"  CoAP   {self.coap.url}/{s.cse_name}")
        lines.append(f"  data   {s.db} ({len(self.cse.store)} resources)")
        for line in lines:
            log.info(line)


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, then shut down cleanly."""
    app = Application(settings)
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        await app.stop()
