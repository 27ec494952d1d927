"""Benchmarks against the running stack (`make up`, then `make bench`)."""
