"""Software module management (TR-369 Appendix "Software Module Management",
TR-181 ``Device.SoftwareModules.``).

``InstallDU()`` creates a DeploymentUnit (Installing -> Installed) with one
ExecutionUnit (Idle); ``DeploymentUnit.{i}.Update()`` moves it through
Updating (its active EUs pause and resume); ``Uninstall()`` removes the DU and
its EUs. Each finishes with ``DUStateChange!`` (and a ``TransferComplete!``
when something was downloaded). ``ExecutionUnit.{i}.SetRequestedState()``
starts (Idle -> Starting -> Active) or stops (Active -> Stopping -> Idle) an EU.

As with firmware, nothing is fetched: the DU name and version come from the URL.
"""

from __future__ import annotations

import asyncio
import uuid

from ipe_sdt.usp import ErrorCode

from .agent_context import AgentContext, utc_now
from .data_model import Obj, Table
from .firmware import check_url, package_name, version_from_url
from .request_processor import CommandCall, CommandError

SM = "Device.SoftwareModules."
DU_TABLE = SM + "DeploymentUnit."
EU_TABLE = SM + "ExecutionUnit."
DEFAULT_EE = SM + "ExecEnv.1"


def _number(ref: str) -> int | None:
    last = ref.rstrip(".").rsplit(".", 1)[-1]
    return int(last) if last.isdigit() else None


class SoftwareModulesBehaviour:
    def __init__(self, agent: AgentContext) -> None:
        self._agent = agent
        self._transitions: set[asyncio.Task[None]] = set()

    # --- tables ------------------------------------------------------------------

    def _sm(self) -> Obj:
        node = self._agent.root.children["SoftwareModules"]
        assert isinstance(node, Obj)
        return node

    def _table(self, name: str) -> Table:
        table = self._sm().children[name]
        assert isinstance(table, Table)
        return table

    def _eus_of(self, du: Obj) -> list[tuple[str, Obj]]:
        eus = self._table("ExecutionUnit")
        out = []
        for ref in filter(None, (r.strip() for r in du.params["ExecutionUnitList"].get().split(","))):
            number = _number(ref)
            if number is not None and number in eus.instances:
                out.append((f"{EU_TABLE}{number}.", eus.instances[number]))
        return out

    def _state_change(self, du_path: str, du: Obj, operation: str, state: str, started: str,
                      fault: tuple[int, str] = (0, "")) -> None:
        self._agent.emit_event(SM, "DUStateChange!", {
            "UUID": du.params["UUID"].get(), "DeploymentUnitRef": du_path.rstrip("."),
            "Version": du.params["Version"].get(), "CurrentState": state,
            "Resolved": du.params["Resolved"].get(), "ExecutionUnitRefList": du.params["ExecutionUnitList"].get(),
            "StartTime": started, "CompleteTime": utc_now(), "OperationPerformed": operation,
            "Fault.FaultCode": str(fault[0]), "Fault.FaultString": fault[1],
        })

    def _transfer_complete(self, call: CommandCall, url: str, affected: str, started: str) -> None:
        self._agent.emit_event("Device.LocalAgent.", "TransferComplete!", {
            "Command": call.command_path, "CommandKey": call.command_key, "Requestor": call.originator,
            "TransferType": "Download", "Affected": affected.rstrip("."), "TransferURL": url,
            "StartTime": started, "CompleteTime": utc_now(), "FaultCode": "0", "FaultString": "",
        })

    # --- commands ----------------------------------------------------------------

    async def install_du(self, call: CommandCall) -> dict[str, str]:
        agent = self._agent
        url = check_url(call.inputs.get("URL", ""))
        ee_ref = (call.inputs.get("ExecutionEnvRef") or DEFAULT_EE).rstrip(".")
        ee_number = _number(ee_ref)
        if not ee_ref.startswith(SM + "ExecEnv.") or ee_number not in self._table("ExecEnv").instances:
            raise CommandError(ErrorCode.INVALID_COMMAND_ARGUMENTS, f"no execution environment {ee_ref!r}")
        du_uuid = call.inputs.get("UUID") or str(uuid.uuid5(uuid.NAMESPACE_URL, url))
        dus = self._table("DeploymentUnit")
        for existing in dus.instances.values():
            if existing.params["UUID"].get() == du_uuid and existing.params["ExecutionEnvRef"].get() == ee_ref:
                raise CommandError(ErrorCode.COMMAND_FAILURE, f"deployment unit {du_uuid} is already installed")
        started = utc_now()
        name = package_name(url) or "du"
        version = version_from_url(url, "1.0")
        number, du = dus.add()
        du_path = f"{DU_TABLE}{number}."
        for key, value in {"UUID": du_uuid, "DUID": f"du-{number}", "Name": name, "URL": url,
                           "ExecutionEnvRef": ee_ref, "Status": "Installing"}.items():
            du.params[key].value = value
        agent.object_created(du_path, dus.keys_of(du))
        await asyncio.sleep(agent.timings.install_time)
        eus = self._table("ExecutionUnit")
        eu_number, eu = eus.add()
        eu_path = f"{EU_TABLE}{eu_number}."
        for key, value in {"EUID": f"{name}-{eu_number}", "Name": name, "ExecEnvLabel": f"{name}-{eu_number}",
                           "Status": "Idle", "Version": version, "Vendor": "ipe-sdt",
                           "ExecutionEnvRef": ee_ref}.items():
            eu.params[key].value = value
        agent.object_created(eu_path, eus.keys_of(eu))
        for key, value in {"Version": version, "Vendor": "ipe-sdt", "Resolved": "true",
                           "ExecutionUnitList": eu_path.rstrip(".")}.items():
            agent.update(du, du_path, key, value)
        agent.update(du, du_path, "Status", "Installed")
        self._transfer_complete(call, url, du_path, started)
        self._state_change(du_path, du, "Install", "Installed", started)
        return {}

    async def update_du(self, call: CommandCall) -> dict[str, str]:
        agent, du, du_path = self._agent, call.obj, call.obj_path
        if du.params["Status"].get() != "Installed":
            raise CommandError(ErrorCode.COMMAND_FAILURE, f"{du_path} is {du.params['Status'].get()}, not Installed")
        url = check_url(call.inputs.get("URL") or du.params["URL"].get())
        started = utc_now()
        agent.update(du, du_path, "Status", "Updating")
        paused = [(p, eu) for p, eu in self._eus_of(du) if eu.params["Status"].get() == "Active"]
        for eu_path, eu in paused:
            agent.update(eu, eu_path, "Status", "Idle")
        await asyncio.sleep(agent.timings.install_time)
        version = version_from_url(url, du.params["Version"].get())
        agent.update(du, du_path, "URL", url)
        agent.update(du, du_path, "Version", version)
        for eu_path, eu in self._eus_of(du):
            agent.update(eu, eu_path, "Version", version)
        agent.update(du, du_path, "Status", "Installed")
        for eu_path, eu in paused:
            agent.update(eu, eu_path, "Status", "Active")
        self._transfer_complete(call, url, du_path, started)
        self._state_change(du_path, du, "Update", "Installed", started)
        return {}

    async def uninstall_du(self, call: CommandCall) -> dict[str, str]:
        agent, du, du_path = self._agent, call.obj, call.obj_path
        if du.params["Status"].get() not in ("Installed",):
            raise CommandError(ErrorCode.COMMAND_FAILURE, f"{du_path} is {du.params['Status'].get()}, not Installed")
        started = utc_now()
        agent.update(du, du_path, "Status", "Uninstalling")
        eus = self._eus_of(du)
        for eu_path, eu in eus:
            agent.update(eu, eu_path, "Status", "Idle")
        await asyncio.sleep(agent.timings.install_time)
        eu_table, du_table = self._table("ExecutionUnit"), self._table("DeploymentUnit")
        for eu_path, _ in eus:
            number = _number(eu_path)
            if number is not None and eu_table.instances.pop(number, None) is not None:
                agent.object_deleted(eu_path)
        du.params["Status"].value = "Uninstalled"
        number = _number(du_path)
        if number is not None and du_table.instances.pop(number, None) is not None:
            agent.object_deleted(du_path)
        self._state_change(du_path, du, "Uninstall", "Uninstalled", started)
        return {}

    def set_requested_state(self, call: CommandCall) -> dict[str, str]:
        wanted = call.inputs.get("RequestedState", "")
        if wanted not in ("Idle", "Active"):
            raise CommandError(ErrorCode.INVALID_COMMAND_ARGUMENTS, "RequestedState must be Idle or Active")
        eu, eu_path = call.obj, call.obj_path
        current = eu.params["Status"].get()
        if (wanted, current) in (("Active", "Active"), ("Active", "Starting"),
                                 ("Idle", "Idle"), ("Idle", "Stopping")):
            return {}
        transition, final = ("Starting", "Active") if wanted == "Active" else ("Stopping", "Idle")
        self._agent.update(eu, eu_path, "Status", transition)
        task = asyncio.get_running_loop().create_task(self._finish(eu, eu_path, transition, final))
        self._transitions.add(task)
        task.add_done_callback(self._transitions.discard)
        return {}

    async def _finish(self, eu: Obj, eu_path: str, transition: str, final: str) -> None:
        await asyncio.sleep(self._agent.timings.eu_transition_time)
        if eu.params["Status"].get() == transition:
            self._agent.update(eu, eu_path, "Status", final)

    def at_boot(self) -> None:
        """After a reboot: an interrupted install leaves nothing behind, an
        interrupted update or uninstall leaves the DU installed, and EUs run
        again only if AutoStart is set."""
        for task in list(self._transitions):
            task.cancel()
        dus = self._table("DeploymentUnit")
        for number, du in list(dus.instances.items()):
            status = du.params["Status"].get()
            if status == "Installing":
                del dus.instances[number]
            elif status in ("Updating", "Uninstalling"):
                du.params["Status"].value = "Installed"
        eus = self._table("ExecutionUnit")
        for eu in eus.instances.values():
            eu.params["Status"].value = "Active" if eu.params["AutoStart"].get() == "true" else "Idle"
