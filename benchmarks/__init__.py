"""Performance tooling: a bulk catalog generator, the page benchmark and the load test (see docs/benchmarks.md)."""
