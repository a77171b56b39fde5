"""Screening, the reviewer pool, assignments and conflict-of-interest declarations."""
