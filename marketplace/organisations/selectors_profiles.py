"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from marketplace.organisations.models import Organisation


def organisation_get(slug: str) -> Organisation:
    # Its sectors are read by the page's kept part when it is made (``{% public_part %}``).
    return Organisation.objects.select_related("region").get(slug=slug)
