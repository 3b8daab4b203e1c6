"""Benchmarks: `make bench` runs them all and writes BENCHMARKS.md. Each module also runs alone and prints JSON."""
