"""Splitting, packaging and scoring helpers of the snow-leopard bundle (used by build.py and tests)."""
