"""Algorithms and problem instances, in plain numpy.

Functions take arrays and a ``numpy.random.Generator`` and return arrays shaped
``(replicates, ...)``; they know nothing of claims, fits or pytest.
"""
