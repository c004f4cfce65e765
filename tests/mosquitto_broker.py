"""A private mosquitto for the tests that need an MQTT broker (USP)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import pytest

from ipe_sdt.sim.usp.local_broker import LocalMosquitto, mosquitto_binary


def mosquitto_or_skip() -> str:
    """The broker binary; without it the test is skipped here and fails in CI (.ci/run installs it)."""
    binary = mosquitto_binary()
    if binary is None:
        message = "mosquitto is not installed (apt-get install mosquitto; .ci/run does this)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@contextmanager
def running_broker() -> Iterator[LocalMosquitto]:
    broker = LocalMosquitto(mosquitto_or_skip())
    broker.start()
    try:
        yield broker
    finally:
        broker.close()
