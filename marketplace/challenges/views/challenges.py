"""The public list of challenges (filters, sort and pages work without JavaScript). The
challenge's own page gathers parts of several apps: ``marketplace.publicdata.pages``."""

from __future__ import annotations

from functools import cached_property

from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core import page_cache
from core.pagination import paginate, querystring_without_page
from core.templatetags.public_parts import PUBLIC_PARTS
from marketplace.challenges import selectors
from marketplace.challenges.filters import ChallengeListFilter

# Public pages ------------------------------------------------------------------------------


class _Listing:
    """The list for the request's filters, sort and page, made only when the kept part showing
    it is made (``{% public_part %}``): a kept list costs neither a query nor a form."""

    def __init__(self, request) -> None:
        self.request = request

    @cached_property
    def filterset(self) -> ChallengeListFilter:
        # A bad value is shown on its field; ``qs`` filters with the values that are valid.
        return ChallengeListFilter(self.request.GET, queryset=selectors.challenge_list())

    @cached_property
    def page(self):
        challenges, key = self.filterset.qs, self.filterset.counts_key()
        if not self.filterset.form.cleaned_data.get("sort"):
            return paginate(self.request, selectors.InListOrder(challenges, remember_as=key))
        # A sort of its own: the count kept as the groups' sizes are, where they may be.
        return paginate(
            self.request,
            challenges,
            count_key=None if key is None else f"challenges:{key}",
            changes_at=selectors.status_changes_at,
        )

    def key(self) -> str | None:
        """The part's name for these parameters as given (the same ones show the same list);
        None where the list changes with the clock alone (a status filter)."""
        if any(self.request.GET.getlist("status")):
            return None
        return page_cache.digest(sorted(self.request.GET.lists()))

    def until(self):
        """How long the list made holds: until one of its challenges or its groups change by
        the clock; not at all when the search's fallback answered."""
        if self.filterset.counts_key() is None:
            return timezone.now()
        return self.page.object_list.changes_at()


def challenge_list(request):
    listing = _Listing(request)
    return render(
        request,
        "challenges/challenge_list.html",
        {
            "filter": SimpleLazyObject(lambda: listing.filterset),
            "active_filters": SimpleLazyObject(lambda: listing.filterset.active_filters()),
            "page_obj": SimpleLazyObject(lambda: listing.page),
            "challenges": SimpleLazyObject(lambda: listing.page.object_list),
            "querystring": querystring_without_page(request),
            "list_key": listing.key(),
            "list_until": listing.until,
            PUBLIC_PARTS: True,
        },
    )
