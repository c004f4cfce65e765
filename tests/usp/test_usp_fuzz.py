"""Seeded fuzzing: whatever bytes arrive, decoding either succeeds with a
value that re-encodes faithfully or raises one of our UspError types."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from usp_samples import SAMPLE_MESSAGES, SAMPLE_RECORDS

from ipe_sdt import usp

SEED = 369


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(5)
        pos = rng.randrange(len(buf) + 1)
        if choice == 0 and buf:  # flip bits in one byte
            buf[pos % len(buf)] ^= 1 << rng.randrange(8)
        elif choice == 1 and buf:  # overwrite one byte
            buf[pos % len(buf)] = rng.randrange(256)
        elif choice == 2:  # truncate
            del buf[pos:]
        elif choice == 3:  # insert random bytes
            buf[pos:pos] = rng.randbytes(rng.randint(1, 8))
        else:  # duplicate a slice (repeats fields, breaks lengths)
            end = min(len(buf), pos + rng.randint(1, 16))
            buf[pos:pos] = buf[pos:end]
    return bytes(buf)


def _check(decode: Callable[[bytes], object], data: bytes, error: type[usp.UspError]) -> bool:
    """True if ``data`` decoded; the value must then survive a re-encode."""
    try:
        value = decode(data)
    except error:
        return False
    except usp.UspError as exc:  # pragma: no cover - message printed on failure
        pytest.fail(f"{type(exc).__name__} instead of {error.__name__} for {data!r}")
    again = decode(value.to_bytes())  # type: ignore[attr-defined]
    assert again == value, data
    return True


@pytest.mark.parametrize(
    ("decode", "error"),
    [(usp.Record.from_bytes, usp.RecordError), (usp.Message.from_bytes, usp.MessageError)],
    ids=["record", "message"],
)
def test_random_bytes_only_raise_our_error(decode, error):
    rng = random.Random(SEED)
    for _ in range(3000):
        _check(decode, rng.randbytes(rng.randint(0, 96)), error)


def test_mutated_records_only_raise_record_or_message_errors():
    rng = random.Random(SEED)
    decoded = 0
    for record in SAMPLE_RECORDS.values():
        data = record.to_bytes()
        for _ in range(400):
            mutated = _mutate(rng, data)
            if _check(usp.Record.from_bytes, mutated, usp.RecordError):
                decoded += 1
                body = usp.Record.from_bytes(mutated).body
                if isinstance(body, usp.NoSessionContext):
                    _check(usp.Message.from_bytes, body.payload, usp.MessageError)
    # The mutations must not all be rejected up front, or the decoders'
    # deeper validation would go untested.
    assert decoded > 100


def test_mutated_messages_only_raise_message_errors():
    rng = random.Random(SEED)
    decoded = rejected = 0
    for message in SAMPLE_MESSAGES.values():
        data = message.to_bytes()
        for _ in range(300):
            if _check(usp.Message.from_bytes, _mutate(rng, data), usp.MessageError):
                decoded += 1
            else:
                rejected += 1
    assert decoded > 200 and rejected > 1000
