"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

import functools

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from core import page_cache
from core.localized import localized_text
from core.pagination import paginate, querystring_without_page
from core.templatetags import public_parts
from core.templatetags.public_parts import PUBLIC_PARTS
from marketplace.awards.filters import ProjectFilter
from marketplace.awards.selectors import projects as selectors
from marketplace.challenges import permissions as challenges_permissions
from marketplace.organisations import permissions as organisations_permissions
from marketplace.proposals import permissions as proposals_permissions
from search import api as search


def project_list(request):
    """The filters and the page are made only when the kept part showing them is made
    (``{% public_part %}``): a kept list costs neither a query nor a form."""

    @functools.cache
    def filterset() -> ProjectFilter:
        # A bad value is shown on its field; the valid filters still apply.
        return ProjectFilter(request.GET, queryset=selectors.project_list())

    @functools.cache
    def page():
        return paginate(request, filterset().qs, count_key=filterset().counts_key())

    return render(
        request,
        "awards/project_list.html",
        {
            "filter": SimpleLazyObject(filterset),
            "page_obj": SimpleLazyObject(page),
            "projects": SimpleLazyObject(lambda: page().object_list),
            "querystring": querystring_without_page(request),
            "filtered": bool(request.GET),
            # The list is kept for these parameters as given (its years in the reader's zone).
            "list_key": page_cache.digest(sorted(request.GET.lists())),
            PUBLIC_PARTS: True,
        },
    )


def _similar_projects(pk: int) -> list:
    """The search engine's similar projects (its dearest part of the page: seven queries over
    the search copy), kept until the next public write, as the challenge page keeps its own."""
    return page_cache.remembered(  # type: ignore[return-value]
        f"similar-projects:{pk}:{get_language()}", lambda: search.similar("project", pk)
    )


def project_detail(request, pk):
    if not request.user.is_authenticated:  # nobody to be an insider: the public page or nothing
        return _public_page(request, pk)
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    proposal = project.proposal
    is_grantee = organisations_permissions.is_member(request.user, proposal.organisation)
    is_official = challenges_permissions.is_challenge_official(request.user, proposal.challenge)
    if not (is_grantee or is_official):
        return _public_page(request, pk)
    return render(
        request,
        "awards/project_detail.html",
        {
            "project": project,
            "insider": True,
            "is_grantee": is_grantee,
            "is_official": is_official,
            # Reads everything; approves, asks for revisions and re-plans nothing.
            "official_conflict": is_official
            and proposals_permissions.without_conflict(request.user, proposal)[1],
            "agreement": getattr(project, "agreement", None),
            "delivery": selectors.project_delivery(project),
            **_shared(pk, lambda: project),
        },
    )


def _public_page(request, pk: int):
    """The public page, kept whole until the next public write (``public_parts.kept_body``): a
    kept page costs no query."""
    body = public_parts.kept_body(
        "project-page", [pk], "awards/project_detail_body.html", lambda: _public_context(pk)
    )
    if body is None:
        raise Http404
    return render(request, "awards/project_detail.html", body.context())


def _public_context(pk: int) -> tuple[dict, None] | None:
    project = selectors.project_for(AnonymousUser(), pk)  # a public project, or None
    if project is None:
        return None  # not kept: a project made public later shows at once
    shown = {"project": project, "page_title": localized_text(project, "title"), PUBLIC_PARTS: True}
    return {**shown, **_shared(pk, lambda: project)}, None


def _shared(pk: int, project) -> dict:
    """What the public and the insiders' pages both show, as callables that the template
    calls: read only when the page (or its kept part) is made."""
    return {
        "similar_kind": "project",
        "similar_items": functools.cache(lambda: _similar_projects(pk)),
        "public_delivery": functools.cache(lambda: selectors.project_public_delivery(project())),
    }
