"""A oneM2M IN-CSE: resource tree, request processing, bindings and storage."""

__version__ = "0.1.0"
