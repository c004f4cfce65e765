"""Protocol bindings: wire messages to request primitives and response primitives back."""
