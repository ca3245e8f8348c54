"""Benchmarks: each `bench_<topic>.py` defines `run(quick: bool = False) -> dict`."""
