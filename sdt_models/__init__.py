"""The SDT templates shipped with the CSE (data only; see README.md).

A package so that the templates install with the CSE (``pip install .``) and are found beside
this file at run time.
"""
