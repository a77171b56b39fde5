"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from marketplace.organisations.models import Organisation


def organisation_get(slug: str) -> Organisation:
    return Organisation.objects.select_related("region").prefetch_related("sectors").get(slug=slug)
