"""Benchmarks anyone can run: python bench/<name>.py. bench.seed serves them and the tests."""
