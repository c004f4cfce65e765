"""The objects a simulated device carries, one module each."""
