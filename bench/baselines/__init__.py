"""Frozen copies of earlier components, kept only so benchmarks can compare against them."""
