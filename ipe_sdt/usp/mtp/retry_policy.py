"""Connection retry timing (TR-369 R-MQTT.10 / R-MQTT.33).

TR-181 ``Device.MQTT.Client.{i}.`` describes the retry with
``ConnectRetryTime`` (m, seconds), ``ConnectRetryIntervalMultiplier`` (k, per
mille) and ``ConnectRetryMaxInterval``: retry n waits a random time between
``m*(k/1000)**(n-1)`` and ``m*(k/1000)**n``, capped. Randomness spreads the
reconnects of many endpoints after a broker restart, so they do not all hit
the broker in the same instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    initial: float = 5.0
    multiplier_permille: int = 2000
    max_interval: float = 30.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.max_interval <= 0:
            raise ValueError("retry intervals must be positive")
        if self.multiplier_permille < 1000:
            raise ValueError("retry multiplier must be at least 1000 (per mille)")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        factor = self.multiplier_permille / 1000
        # Clamp the exponent: the cap is reached long before it matters and a
        # huge power would overflow a float.
        n = max(1, min(attempt, 64))
        low = min(self.initial * factor ** (n - 1), self.max_interval)
        high = min(self.initial * factor**n, self.max_interval)
        return (rng or random).uniform(low, high)
