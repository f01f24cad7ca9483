"""Theorem modules: one per paper or family of claims; each claim is a pytest item."""
