"""Public pages and the signed-in workspace. Views parse input, check permissions, call a
service or selector, and render; they change nothing themselves."""

from __future__ import annotations

import functools

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from core import chains, page_cache
from core.pagination import paginate, querystring_without_page
from core.references import challenge_reference
from core.templatetags.public_parts import PUBLIC_PARTS
from marketplace.challenges.models import ChallengePage
from marketplace.publicdata import search_pages, selectors, transparency
from marketplace.publicdata.filters import JournalFilterForm, TransparencyFilterForm
from payments import api as payments_api

JOURNAL_PAGE_SIZE = 50
CHALLENGE_PAGE_SIZE = 50
GROUP_TABLES = ("by-agency", "by-sector", "by-year", "by-kind")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _report(request) -> tuple[TransparencyFilterForm, transparency.Report]:
    """The report for the filters in the URL; the form carries the errors of bad values, which
    are left out of the filtering."""
    regions = transparency.public_regions()
    groups, years = transparency.money_groups()
    form = TransparencyFilterForm(request.GET, regions=regions, years=years)
    return form, transparency.build_report(groups, years, form.filters(), regions=regions)


def transparency_page(request):
    """/transparency/: figures, tables and pictures of the public money, filtered by the URL;
    the per-challenge table a page at a time (the download has every row). The whole content
    is one kept part (``{% public_part %}``) for the parameters as given: what it shows is made
    only when the part is made, through the callables below (a template calls them)."""

    @functools.cache
    def made() -> tuple[TransparencyFilterForm, transparency.Report, bool, dict | None]:
        form, report = _report(request)
        filtered = bool(form.cleaned_data.get("region") or form.cleaned_data.get("year"))
        # The counts of the whole site: shown only without filters.
        return form, report, filtered, None if filtered else selectors.headline_counts()

    def report() -> transparency.Report:
        return made()[1]

    @functools.cache
    def challenges():
        return paginate(request, transparency.ChallengePages(report()), size=CHALLENGE_PAGE_SIZE)

    @functools.cache
    def tables():
        by_slug = report().tables()
        by_slug["challenges"] = report().challenge_table(challenges().object_list)
        return by_slug

    return render(
        request,
        "publicdata/transparency.html",
        {
            "form": SimpleLazyObject(lambda: made()[0]),
            "report": report,
            "tables": lambda: {slug.replace("-", "_"): table for slug, table in tables().items()},
            "group_tables": lambda: [tables()[slug] for slug in GROUP_TABLES],
            "challenges_page": challenges,
            "flow_chart": lambda: report().flow_chart(),
            "region_chart": lambda: report().region_chart(tables()["by-region"]),
            "monthly_chart": lambda: report().monthly_chart(),
            "figures": lambda: made()[3],
            "chain_heads": chains.latest_snapshots,
            "querystring": querystring_without_page(request),
            "filtered": lambda: made()[2],
            "part_key": page_cache.digest(sorted(request.GET.lists())),
            # The headline counts hold until a challenge opens or closes.
            "part_until": lambda: made()[3]["changes_at"] if made()[3] else None,
            PUBLIC_PARTS: True,
        },
    )


def _journal_form(request) -> tuple[JournalFilterForm, dict, list[str]]:
    challenges = list(ChallengePage.objects.live().select_related("agency__region").order_by("title", "pk"))
    form = JournalFilterForm(request.GET, regions=transparency.public_regions(), challenges=challenges)
    selection = form.selection()
    if selection["challenge"] is not None:
        chosen = [selection["challenge"]]
    elif selection["region"] is not None:
        chosen = [c for c in challenges if c.agency.region_id == selection["region"].pk]
    else:
        chosen = challenges
    return form, selection, [challenge_reference(challenge.pk) for challenge in chosen]


def _journal_rows(selection: dict, references: list[str]):
    return payments_api.public_journal(
        references=references,
        direction=selection["direction"],
        since=selection["since"],
        until=selection["until"],
    )


def journal(request):
    """/transparency/journal/: every movement of public money in plain words, paginated."""
    form, selection, references = _journal_form(request)
    page = paginate(request, _journal_rows(selection, references), size=JOURNAL_PAGE_SIZE)
    return render(
        request,
        "publicdata/journal.html",
        {
            "form": form,
            "page_obj": page,
            "lines": transparency.journal_lines(page.object_list),
            "querystring": querystring_without_page(request),
            "download_query": querystring_without_page(request),
        },
    )


def download(request, table: str, fmt: str):
    """/transparency/download/<table>.<csv|xlsx>: a table of the page (or the whole journal),
    with the same filters and the same numbers."""
    if table not in transparency.TABLES or fmt not in transparency.FORMATS:
        raise Http404
    if table == "journal":
        _form, selection, references = _journal_form(request)
        data = transparency.journal_table(transparency.journal_lines(_journal_rows(selection, references)))
    elif table == "challenges":
        _form, report = _report(request)
        data = report.challenge_table(report.challenge_rows())
    else:
        _form, report = _report(request)
        data = report.tables()[table]
    body = transparency.table_csv(data) if fmt == "csv" else transparency.table_xlsx(data)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="transparency-{table}.{fmt}"'
    return response


def site_search(request):
    """/search/: one search over challenges, projects and organisations, with facets."""
    return search_pages.search_page(request)
