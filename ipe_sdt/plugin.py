"""The 'sdt' plugin of the CSE: starts the SDT interworking proxy with its drivers.

Options, from the ``[plugin.sdt]`` table of the CSE's config file:

    ae_name = "sdt-ipe"          # resource name of the IPE's AE
    originator = "Csdt-ipe"      # its AE-ID
    drivers = ["lwm2m"]          # which protocols to serve ("lwm2m", "usp")
    [plugin.sdt.lwm2m]           # options of each driver, passed to it as they are
    port = 5783
    bootstrap_port = 5784        # LwM2M bootstrap server (0/absent: off), provisioning from the
                                 # operators' configuration in <ae>/bootstrap (drivers/lwm2m/bootstrap.py)
    bootstrap_operators = []     # originators, besides the CSE's admin, allowed to manage it
    awake_time = 93.0            # seconds a queue-mode device is taken to listen after its messages
    [plugin.sdt.usp]
    broker = "mqtt://127.0.0.1:1883"   # the MQTT broker the agents use (required)
    endpoint_id = "self::onem2m-ipe"   # the controller's USP endpoint ID
    request_timeout = 10.0             # seconds an agent may take to answer a request
    completion_timeout = 300.0         # seconds before an action's state is read again
    reboot_timeout = 30.0              # ... to come back with Boot! after a reboot
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from cse.plugins import PluginError
from ipe_sdt.cse_client import CseClient, in_process
from ipe_sdt.ipe import InterworkingProxy

if TYPE_CHECKING:
    from cse.core.engine import CSE

log = logging.getLogger("ipe")

ACP = 1
CREATE, RETRIEVE, DISCOVERY, ALL_OPERATIONS = 1, 2, 32, 63

# Driver name -> module:factory; the factory takes the driver's options.
DRIVERS = {
    "lwm2m": "ipe_sdt.drivers.lwm2m:Lwm2mDriver",
    "usp": "ipe_sdt.drivers.usp:UspDriver",
}
_OPTIONS = {"enabled", "ae_name", "originator", "drivers", *DRIVERS}


class SdtIpe:
    def __init__(self, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise PluginError(f"plugin sdt: unknown option(s) {', '.join(unknown)} (known: {', '.join(sorted(_OPTIONS))})")
        self.ae_name = str(options.get("ae_name", "sdt-ipe"))
        self.originator = str(options.get("originator", "Csdt-ipe"))
        names = options.get("drivers", ["lwm2m"])
        if not isinstance(names, list) or any(name not in DRIVERS for name in names):
            raise PluginError(f"plugin sdt: drivers must be a list of {', '.join(DRIVERS)}; got {names!r}")
        self._driver_options = {name: dict(options.get(name, {})) for name in names}
        self.ipe: InterworkingProxy | None = None
        self._cse: "CSE | None" = None

    async def start(self, cse: "CSE") -> None:
        self._cse = cse
        await self._provision(cse)
        client = CseClient(in_process(cse), self.originator)
        self.ipe = InterworkingProxy(client, cse.registry, cse.settings.cse_name, self.ae_name)
        await self.ipe.register()
        cse.adapters.register(self.originator, self.ipe.adapter)
        for name, driver_options in self._driver_options.items():
            module_name, _, factory_name = DRIVERS[name].partition(":")
            factory = getattr(importlib.import_module(module_name), factory_name)
            driver = factory(driver_options)
            # A driver that keeps configuration in the CSE (the LwM2M driver's operator bootstrap
            # configuration) reads it as the IPE does, through its request primitives.
            connect_cse = getattr(driver, "connect_cse", None)
            if connect_cse is not None:
                connect_cse(client, self.ipe.ae_path)
            await self.ipe.add_driver(driver)
            log.info("SDT IPE: %s driver started", name)

    async def _provision(self, cse: "CSE") -> None:
        """Grant the IPE's AE the right to create device nodes at the CSEBase.

        An IPE in another process would have this provisioned by the operator; in-process, the
        plugin does the same with the admin originator, through request primitives.
        """
        admin = CseClient(in_process(cse), cse.settings.admin)
        name = cse.settings.cse_name
        acp_path = f"{name}/acp-{self.ae_name}"
        acp = await admin.retrieve(acp_path)
        if acp is None:
            rights = {"acr": [{"acor": [self.originator], "acop": CREATE | RETRIEVE | DISCOVERY}]}
            own = {"acr": [{"acor": [cse.settings.admin], "acop": ALL_OPERATIONS}]}
            acp = await admin.create(name, ACP, {"m2m:acp": {"rn": f"acp-{self.ae_name}", "pv": rights, "pvs": own}})
        cse_base = await admin.retrieve(name) or {}
        policies = cse_base.get("acpi", [])
        if acp["ri"] not in policies:
            await admin.update(name, {"m2m:cb": {"acpi": [*policies, acp["ri"]]}})

    async def stop(self) -> None:
        if self.ipe is not None:
            await self.ipe.stop()
        if self._cse is not None:
            self._cse.adapters.unregister(self.originator)
