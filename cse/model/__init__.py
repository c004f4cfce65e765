"""Declarative model: attribute data types and the resource-type table."""
