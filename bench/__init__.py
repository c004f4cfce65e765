"""Load benchmarks for the CSE, each measured side by side with a trivial aiohttp server.

Run ``python -m bench.run`` (see ``--help``); ``python -m bench.profile`` shows where the CSE
spends its time under the same load. docs/performance.md explains the method and the figures.
"""
