"""accessControlPolicy: privileges are checked by cse.core.access; here only their shape."""

from cse.core.access import window_is_valid
from cse.errors import bad_request
from cse.resources.behaviour import Behaviour


class ACPBehaviour(Behaviour):
    def on_create(self, op) -> None:
        _check_rules(op.attrs)

    def on_update(self, op) -> None:
        _check_rules(op.changes)


def _check_rules(attrs: dict) -> None:
    for name in ("pv", "pvs"):
        privileges = attrs.get(name)
        if not privileges:
            continue
        for index, rule in enumerate(privileges.get("acr", [])):
            if not rule.get("acor"):
                raise bad_request(f"attribute {name}.acr[{index}].acor: needs at least one originator")
            for context in rule.get("acco", []):
                for window in context.get("actw", []):
                    if not window_is_valid(window):
                        raise bad_request(
                            f"attribute {name}.acr[{index}].acco.actw: {window!r} is not a schedule entry "
                            "('second minute hour day month weekday [year]', each *, a number, a-b, /n or lists)"
                        )
