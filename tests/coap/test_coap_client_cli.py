"""Checked with a third-party client: libcoap's coap-client (Debian package libcoap3-bin).

coap-client 4.3.1 refuses a response that carries a critical option it does not know, and every
oneM2M option is critical, so it never prints the payload as a result; its debug trace (-v 7)
shows every datagram it sends and receives, and that is what these tests read. The requests it
sends are ordinary CoAP with the oneM2M options given as -O number,value.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from dataclasses import dataclass, field

import cbor2
import orjson
import pytest

CLIENT = next((path for name in ("coap-client", "coap-client-notls", "coap-client-gnutls", "coap-client-openssl")
               if (path := shutil.which(name))), None)

if CLIENT is None and not os.environ.get("CI"):
    pytest.skip("coap-client (Debian package libcoap3-bin) is not installed; .ci/run installs it",
                allow_module_level=True)

_DATAGRAM = re.compile(r"^v:1 t:(CON|NON|ACK|RST) c:(\S+) i:([0-9a-f]+) \{([0-9a-f]*)\} \[ ?(.*?) ?\](?: :: (.*))?$")


@dataclass
class Datagram:
    mtype: str
    code: str
    options: dict[str, bytes] = field(default_factory=dict)
    payload: bytes = b""

    def uint(self, name: int | str) -> int:
        return int.from_bytes(self.options[str(name)], "big")

    def text(self, name: int | str) -> str:
        return self.options[str(name)].decode()

    @property
    def json(self):
        return orjson.loads(self.payload)


def _option_value(text: str) -> bytes:
    if "\\x" in text:
        return bytes(int(part, 16) for part in re.findall(r"\\x([0-9A-Fa-f]{2})", text))
    return text.encode()


def parse(line: str) -> Datagram | None:
    match = _DATAGRAM.match(line)
    if match is None:
        return None
    mtype, code, _, _, options, payload = match.groups()
    datagram = Datagram(mtype, code)
    for item in options.split(", ") if options else []:
        name, _, value = item.partition(":")
        # repeated options (Location-Path, Uri-Path) are joined with '/'
        previous = datagram.options.get(name)
        datagram.options[name] = previous + b"/" + _option_value(value) if previous else _option_value(value)
    if payload and payload.startswith("'") and payload.endswith("'"):
        datagram.payload = payload[1:-1].encode()
    return datagram


@dataclass
class Trace:
    sent: Datagram
    response: Datagram
    lines: list[str]


async def coap_client(url: str, *args: str) -> Trace:
    """Run coap-client with a debug trace; return the request it sent and the response it got.

    It is stopped as soon as the response is in the trace: it would otherwise wait for its -B
    timeout, having refused the oneM2M options."""
    assert CLIENT is not None, "coap-client is not installed (apt-get install libcoap3-bin)"
    process = await asyncio.create_subprocess_exec(
        CLIENT, "-v", "7", "-B", "20", *args, url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    datagrams: list[Datagram] = []
    try:
        async with asyncio.timeout(30):
            while True:
                raw = await process.stdout.readline()
                if not raw:
                    break
                line = raw.decode(errors="replace").rstrip("\n")
                lines.append(line)
                datagram = parse(line)
                if datagram is None:
                    continue
                datagrams.append(datagram)
                if len(datagrams) > 1 and datagram.code[0] in "2345":
                    if re.search(r"binary data length \d+$", line):
                        hex_line = (await process.stdout.readline()).decode().strip()
                        datagram.payload = bytes.fromhex(hex_line.removeprefix("<<").removesuffix(">>"))
                    break
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
    assert len(datagrams) >= 2, "\n".join(lines)
    return Trace(datagrams[0], datagrams[-1], lines)


def onem2m(originator: str, rqi: str, *, ty: int | None = None) -> list[str]:
    args = ["-O", f"279,{originator}", "-O", f"283,{rqi}", "-O", "271,3"]
    if ty is not None:
        args += ["-O", f"267,0x{ty:02x}"]
    return args


@pytest.fixture
def base(cse_app) -> str:
    return cse_app.coap.url


async def test_create_retrieve_update_discover_delete(base):
    register = await coap_client(f"{base}/cse-in", "-m", "post", "-t", "json", *onem2m("Ccli", "r1", ty=2),
                                 "-e", '{"m2m:ae":{"rn":"cli","api":"Ncli","rr":false,"srv":["3"]}}')
    # What coap-client sent: POST with the oneM2M options as given (TS-0008 Table 6.2.2.4.0-1).
    assert register.sent.mtype == "CON" and register.sent.code == "POST"
    assert register.sent.text(279) == "Ccli" and register.sent.uint(267) == 2
    response = register.response
    assert response.mtype in ("ACK", "CON") and response.code == "2.01" and response.uint(307) == 2001
    assert response.text(283) == "r1" and response.text("Location-Path") == "cse-in/cli"
    assert response.json["m2m:ae"]["aei"] == "Ccli"

    box = await coap_client(f"{base}/cse-in/cli", "-m", "post", "-t", "json", *onem2m("Ccli", "r2", ty=3),
                            "-e", '{"m2m:cnt":{"rn":"box"}}')
    assert box.response.code == "2.01" and box.response.uint(307) == 2001
    for number, con in enumerate(("21.5", "22.0"), start=3):
        cin = await coap_client(f"{base}/cse-in/cli/box", "-m", "post", "-t", "json",
                                *onem2m("Ccli", f"r{number}", ty=4), "-e", f'{{"m2m:cin":{{"con":"{con}"}}}}')
        assert cin.response.code == "2.01"

    latest = await coap_client(f"{base}/cse-in/cli/box/la", *onem2m("Ccli", "r5"))
    assert latest.response.code == "2.05" and latest.response.uint(307) == 2000
    assert latest.response.json["m2m:cin"]["con"] == "22.0"

    update = await coap_client(f"{base}/cse-in/cli/box", "-m", "put", "-t", "json", *onem2m("Ccli", "r6"),
                               "-e", '{"m2m:cnt":{"lbl":["room:lab"]}}')
    assert update.response.code == "2.04" and update.response.uint(307) == 2004
    assert update.response.json["m2m:cnt"]["lbl"] == ["room:lab"]

    found = await coap_client(f"{base}/cse-in/cli?fu=1&ty=4", *onem2m("Ccli", "r7"))
    assert found.sent.options["Uri-Query"] == b"fu=1/ty=4"
    assert found.response.code == "2.05" and len(found.response.json["m2m:uril"]) == 2
    labelled = await coap_client(f"{base}/cse-in/cli?fu=1&lbl=room:lab", *onem2m("Ccli", "r8"))
    assert labelled.response.json["m2m:uril"] == ["cse-in/cli/box"]

    delete = await coap_client(f"{base}/cse-in/cli/box", "-m", "delete", *onem2m("Ccli", "r9"))
    assert delete.response.code == "2.02" and delete.response.uint(307) == 2002
    gone = await coap_client(f"{base}/cse-in/cli/box", *onem2m("Ccli", "r10"))
    assert gone.response.code == "4.04" and gone.response.uint(307) == 4004


async def test_non_confirmable_and_cbor(base):
    trace = await coap_client(f"{base}/cse-in", "-N", "-A", "60", *onem2m("CAdmin", "n1"))
    assert trace.sent.mtype == "NON" and trace.response.mtype == "NON"
    assert trace.response.code == "2.05" and trace.response.text("Content-Format") == "application/cbor"
    assert cbor2.loads(trace.response.payload)["m2m:cb"]["csi"] == "/id-in"


async def test_errors_as_coap_client_sees_them(base):
    no_originator = await coap_client(f"{base}/cse-in", "-O", "283,e1")
    assert no_originator.response.code == "4.00" and no_originator.response.uint(307) == 4000
    assert "originator" in no_originator.response.json["m2m:dbg"]
    unknown_option = await coap_client(f"{base}/cse-in", *onem2m("CAdmin", "e2"), "-O", "2049,x")
    assert unknown_option.response.code == "4.02"
    text = await coap_client(f"{base}/cse-in", "-m", "post", "-t", "text/plain", *onem2m("CAdmin", "e3", ty=3),
                             "-e", "hello")
    assert text.response.code == "4.15" and text.response.uint(307) == 4015
