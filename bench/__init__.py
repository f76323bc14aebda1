"""The benchmark: `make bench` runs bench/run.py."""
