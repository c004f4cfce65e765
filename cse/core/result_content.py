"""Which result contents (rcn) each operation allows, and its default (TS-0004 table 6.3.4.2.x)."""

from cse.errors import bad_request
from cse.primitives import Operation, Request, ResultContent

ALLOWED_RCN = {
    Operation.CREATE: ({0, 1, 2, 3, 9}, ResultContent.ATTRIBUTES),
    Operation.UPDATE: ({0, 1, 9}, ResultContent.ATTRIBUTES),
    Operation.DELETE: ({0, 1, 4, 5, 6, 8}, ResultContent.NOTHING),
    Operation.RETRIEVE: ({1, 4, 5, 6, 7, 8}, ResultContent.ATTRIBUTES),
    Operation.DISCOVERY: ({4, 5, 6, 8, 11}, ResultContent.DISCOVERY_RESULT_REFERENCES),
}


def result_content(request: Request, op: Operation) -> ResultContent:
    allowed, default = ALLOWED_RCN[op]
    if request.rcn is None:
        return default
    if request.rcn not in allowed:
        raise bad_request(
            f"result content rcn={int(request.rcn)} is not allowed for {op.name} "
            f"(allowed: {', '.join(str(v) for v in sorted(allowed))})"
        )
    return request.rcn
