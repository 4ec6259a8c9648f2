"""Waymark's benchmarks (DESIGN §5), each run side by side with DBOS Transact on the same Postgres in one invocation.

`uv run python -m bench --help` lists the scenarios; `make bench` runs them all and writes bench/results/<date>.md.
"""
