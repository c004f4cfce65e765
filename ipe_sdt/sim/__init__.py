"""Device simulators run by ``cse sim``."""
