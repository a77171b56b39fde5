"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

from django.shortcuts import render

from core import chains
from core.pagination import paginate
from marketplace.publicdata import search_pages, selectors
from payments import api as payments_api


def transparency(request):
    page = paginate(request, payments_api.public_ledger(), size=50)
    return render(
        request,
        "publicdata/transparency.html",
        {
            "page_obj": page,
            "entries": page.object_list,
            "figures": selectors.headline_figures(),
            "chain_heads": chains.latest_snapshots(),
            "querystring": "",
        },
    )


def site_search(request):
    """/search/: one search over challenges, projects and organisations, with facets."""
    return search_pages.search_page(request)
