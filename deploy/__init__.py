"""Deployment helpers: N dashboard processes behind nginx (docs/operations.md)."""
