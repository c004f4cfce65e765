"""MQTT binding rules that need no broker: URLs, topics, content types, retry timing."""

from __future__ import annotations

import random

import pytest

from ipe_sdt.usp.mtp import (
    ACCEPTED_CONTENT_TYPES,
    CONTENT_TYPE,
    BrokerAddress,
    MqttConfig,
    RetryPolicy,
    agent_topic,
    check_endpoint_id,
    controller_topic,
    is_usp_content,
)


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [("mqtt://127.0.0.1:1884", "127.0.0.1", 1884), ("mqtt://broker", "broker", 1883),
     ("mqtt://[::1]:1900", "::1", 1900), (" mqtt://h:1/ ", "h", 1)],
)
def test_broker_urls(url, host, port):
    address = BrokerAddress.parse(url)
    assert (address.host, address.port) == (host, port)
    assert BrokerAddress.parse(address.url) == address


@pytest.mark.parametrize(
    "url",
    ["mqtts://h:8883", "http://h", "mqtt://", "mqtt://h:99999", "mqtt://h:x", "mqtt://u:p@h",
     "mqtt://h/topic", "mqtt://h?x=1", "", 1883],
)
def test_bad_broker_urls(url):
    with pytest.raises(ValueError):
        BrokerAddress.parse(url)


def test_content_types_follow_r_mqtt_27():
    assert CONTENT_TYPE == "usp.msg"
    assert ACCEPTED_CONTENT_TYPES == {"usp.msg", "application/vnd.bbf.usp.msg"}
    assert is_usp_content("application/vnd.bbf.usp.msg") and is_usp_content(None)
    assert not is_usp_content("application/json")


def test_topics_and_endpoint_ids():
    assert controller_topic("self::ipe") == "usp/controller/self::ipe"
    assert agent_topic("os::00D09E-1") == "usp/agent/os::00D09E-1"
    for bad in ("", "a/b", "a+b", "a#", "a\0"):
        with pytest.raises(ValueError):
            check_endpoint_id(bad)


def test_config_checks():
    broker = BrokerAddress("127.0.0.1")
    with pytest.raises(ValueError):
        MqttConfig(broker, "a", (), "t")
    with pytest.raises(ValueError):
        MqttConfig(broker, "a", ("t",), "t/#")
    with pytest.raises(ValueError):
        MqttConfig(broker, "a", ("t",), "t", qos=2)


def test_retry_delays_grow_and_stay_capped():
    policy = RetryPolicy(5.0, 2000, 30.0)
    rng = random.Random(1)
    first = [policy.delay(1, rng) for _ in range(50)]
    assert all(5.0 <= d <= 10.0 for d in first)
    assert all(10.0 <= policy.delay(2, rng) <= 20.0 for _ in range(50))
    assert all(policy.delay(n, rng) <= 30.0 for n in (5, 10, 1000, 10**9))
    for bad in ((0.0, 2000, 1.0), (1.0, 999, 1.0), (1.0, 2000, 0.0)):
        with pytest.raises(ValueError):
            RetryPolicy(*bad)
