"""The public list of funded projects: filters by region, sector, year and delivery status, and
its sorts, all in GET parameters. A bad value shows an error on its own field; the others still
apply (django-filter filters with the fields that are valid)."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import page_cache
from marketplace.awards.models import Award
from marketplace.awards.selectors.projects import DELIVERY_STATUSES, delivery_status_is, project_years
from marketplace.challenges.models.regions import RegionPage, Sector

SORTS = {
    "newest": (("-awarded_at", "-pk"), _("Newest first")),
    "oldest": (("awarded_at", "pk"), _("Oldest first")),
    "amount_desc": (("-amount", "-pk"), _("Largest amount first")),
    "amount_asc": (("amount", "pk"), _("Smallest amount first")),
}


def _years() -> list[tuple[str, str]]:
    """The years in which a public project was awarded, newest first (one query)."""
    return [(str(year), str(year)) for year in project_years()]


class ProjectFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        field_name="proposal__challenge__agency__region",
        to_field_name="slug",
        queryset=RegionPage.objects.live().order_by("title"),
        label=_("Region"),
        empty_label=_("All regions"),
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="proposal__challenge__sector",
        to_field_name="slug",
        queryset=Sector.objects.order_by("name"),
        label=_("Sector"),
        empty_label=_("All sectors"),
    )
    year = django_filters.ChoiceFilter(
        method="filter_year", choices=_years, label=_("Year awarded"), empty_label=_("All years")
    )
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=DELIVERY_STATUSES,
        label=_("Status"),
        empty_label=_("Any status"),
    )
    sort = django_filters.ChoiceFilter(
        method="filter_sort", label=_("Sort"), empty_label=None, choices=[(k, v[1]) for k, v in SORTS.items()]
    )

    class Meta:
        model = Award
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page_cache.remember_choices(self.form, ["region", "sector", "year"], "project-list")

    def counts_key(self) -> str:
        """A key naming the projects these parameters select (for keeping their count): the
        parameters as given, and the time zone the years are counted in."""
        chosen = [(name, self.data.getlist(name)) for name in sorted(self.filters) if name != "sort"]
        chosen.append(("zone", [timezone.get_current_timezone_name()]))
        return f"project-list:{page_cache.digest(chosen)}"

    def filter_year(self, queryset, name, value):
        return queryset.filter(awarded_at__year=int(value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(delivery_status_is(value))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][0])
