"""Benchmarks: one script per topic, peers side by side, figures written to results/*.json."""
