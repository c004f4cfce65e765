"""The LwM2M driver: LwM2M clients registered with our LwM2M server, as neutral devices."""

from ipe_sdt.drivers.lwm2m.driver import Lwm2mDriver

__all__ = ["Lwm2mDriver"]
