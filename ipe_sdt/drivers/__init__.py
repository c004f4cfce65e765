"""Device drivers: one per management protocol, behind the interface in ``base``."""
