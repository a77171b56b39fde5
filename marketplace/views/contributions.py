"""Sponsor contributions to a challenge's fund, and the finance officers' pages for them."""
