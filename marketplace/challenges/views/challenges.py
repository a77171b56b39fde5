"""The public list of challenges (filters, sort and pages work without JavaScript). The
challenge's own page gathers parts of several apps: ``marketplace.publicdata.pages``."""

from __future__ import annotations

from django.shortcuts import render

from core import page_cache
from core.pagination import paginate, querystring_without_page
from core.templatetags.public_parts import PUBLIC_PARTS
from marketplace.challenges import selectors
from marketplace.challenges.filters import ChallengeListFilter

# Public pages ------------------------------------------------------------------------------


def challenge_list(request):
    # A bad value is shown on its field; ``qs`` filters with the values that are valid.
    filterset = ChallengeListFilter(request.GET, queryset=selectors.challenge_list())
    challenges = filterset.qs
    key = filterset.counts_key()
    sort = filterset.form.cleaned_data.get("sort")
    if not sort:
        page = paginate(request, selectors.InListOrder(challenges, remember_as=key))
    else:  # a sort of its own: the count kept as the groups' sizes are, where they may be
        page = paginate(
            request,
            challenges,
            count_key=None if key is None else f"challenges:{key}",
            changes_at=selectors.status_changes_at,
        )
    return render(
        request,
        "challenges/challenge_list.html",
        {
            "filter": filterset,
            "active_filters": filterset.active_filters(),
            "page_obj": page,
            "challenges": page.object_list,
            "querystring": querystring_without_page(request),
            # The cards are kept for these filters, sort and page; the filters' form as asked.
            "cards_key": None if key is None else f"{key}:{sort or ''}",
            "form_key": page_cache.digest(sorted(request.GET.lists())),
            PUBLIC_PARTS: True,
        },
    )
