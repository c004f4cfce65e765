"""/4 Connectivity Monitoring: an NB-IoT modem whose signal wanders."""

from __future__ import annotations

import random
from typing import ClassVar

from ..instance import DeviceHost, SimInstance

NB_IOT = 7
LTE_FDD = 6


class ConnectivityInstance(SimInstance):
    object_id: ClassVar[int] = 4

    def __init__(self, iid: int, host: DeviceHost, *, ip_address: str = "", rng: random.Random | None = None) -> None:
        super().__init__(iid, host)
        self.rng = rng or random.Random()
        self.values.update({
            0: NB_IOT,
            1: {0: NB_IOT, 1: LTE_FDD},
            2: -95,          # dBm
            3: 80,
            4: {0: ip_address or "0.0.0.0"},
            5: {0: "10.0.0.1"},
            7: {0: "iot.example"},
            8: 0x1A2B3 + self.rng.randint(0, 999),
            9: 1,
            10: 262,
        })

    def set_ip_address(self, address: str) -> None:
        self.set(4, {0: address})

    def wander(self) -> None:
        signal = self.values.get(2)
        if isinstance(signal, int):
            self.set(2, max(-120, min(-60, signal + self.rng.randint(-3, 3))))

    def delete_allowed(self) -> bool:
        return False
