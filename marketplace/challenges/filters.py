"""FilterSets shared by the pages and the API, so both take the same parameters (their names,
sorts and statuses are search's shared vocabulary, ``search.api``).

The API answers 400 to a bad parameter (``ChallengeFilter``). The page is lenient
(``ChallengeListFilter``): a bad value is an error on its own field and the other filters
still apply, and the budget boxes take rupiah as people write them ("100.000.000", "100 juta")."""

import django_filters
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core import page_cache
from core.money import RupiahField, format_money
from marketplace.challenges.models.challenges import ChallengePage, Incentive
from marketplace.challenges.models.regions import Agency, RegionPage, Sector
from search import api as search

SORTS = {  # without a sort: open first, closing soonest (``selectors.in_list_order``)
    "closes": ("closes_at", search.SORT_LABELS["closes"]),
    "newest": ("-first_published_at", search.SORT_LABELS["newest"]),
    "budget": ("-incentive_total", _("Largest budget")),
    "title": ("title", _("Title A–Z")),
}


class ChallengeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=ChallengePage.STATUSES,
        label=_("Status"),
        empty_label=_("Any status"),
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="sector",
        to_field_name="slug",
        queryset=Sector.objects.all(),
        label=_("Sector"),
        empty_label=_("All sectors"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="agency__region",
        to_field_name="slug",
        queryset=RegionPage.objects.live(),
        label=_("Region"),
        empty_label=_("All regions"),
    )
    agency = django_filters.ModelChoiceFilter(
        field_name="agency",
        queryset=Agency.objects.select_related("region").order_by("name"),
        label=_("Agency"),
        empty_label=_("All agencies"),
    )
    incentive = django_filters.ChoiceFilter(
        field_name="incentives__kind",
        choices=Incentive.Kind.choices,
        label=_("Incentive type"),
        empty_label=_("Any incentive"),
        distinct=True,
    )
    budget_min = django_filters.NumberFilter(
        method="filter_budget_min", label=_("Budget from (Rp)"), min_value=0
    )
    budget_max = django_filters.NumberFilter(
        method="filter_budget_max", label=_("Budget up to (Rp)"), min_value=0
    )
    closes_after = django_filters.DateFilter(
        field_name="closes_at", lookup_expr="date__gte", label=_("Closes after")
    )
    closes_before = django_filters.DateFilter(
        field_name="closes_at", lookup_expr="date__lte", label=_("Closes before")
    )
    sort = django_filters.ChoiceFilter(
        method="filter_sort", label=_("Sort"), empty_label=None, choices=[(k, v[1]) for k, v in SORTS.items()]
    )

    class Meta:
        model = ChallengePage
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_backend = None
        self.search_degraded = False

    def counts_key(self) -> str | None:
        """A key naming the challenges these parameters select, for keeping their counts
        (``selectors.InListOrder``): the parameters as given (the same ones always select the
        same challenges) and the engine that answered ``q``. None where the selection changes
        with the clock (a status) or came from the search's fallback."""
        params = self.data
        if any(params.getlist("status")) or self.search_degraded:
            return None
        chosen = [
            (name, params.getlist(name))
            for name in sorted(self.filters)
            if name != "sort" and params.getlist(name)
        ]
        if not chosen:
            return type(self).__name__
        if params.getlist("q"):
            chosen.append(("engine", [self.search_backend or ""]))
        return f"{type(self).__name__}:{page_cache.digest(chosen)}"

    def filter_status(self, queryset, name, value):
        # "Open" includes the challenges closing soon: they are open too.
        if value == "open":
            return queryset.accepting()
        return queryset.filter(current_status=value)

    def filter_q(self, queryset, name, value):
        result = search.search_ids("challenge", value)
        self.search_backend, self.search_degraded = result.backend, result.degraded
        return queryset.filter(pk__in=result.ids)

    # Budgets are entered in whole rupiah and stored in minor units.
    def filter_budget_min(self, queryset, name, value):
        return queryset.filter(incentive_total__gte=int(value) * 100)

    def filter_budget_max(self, queryset, name, value):
        return queryset.filter(incentive_total__lte=int(value) * 100)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(SORTS[value][0], "pk")


class RupiahFilter(django_filters.Filter):
    """Whole rupiah as people write them; the value reaching the filter is in minor units."""

    field_class = RupiahField


# The list's sector, region and agency choices read those three models only: they are made again
# after a write to one of them (ChallengesConfig.ready), not after every public write.
CHOICES_GENERATION = "challenge-list-choices:generation"
CHOICES_MODELS = (Sector, RegionPage, Agency)


class ChallengeListFilter(ChallengeFilter):
    """The /challenges/ page's filters. The view filters with ``qs``, which skips the fields
    that did not validate (they show their errors); the API keeps ``ChallengeFilter``."""

    budget_min = RupiahFilter(method="filter_budget_min", label=_("Budget from (Rp)"))
    budget_max = RupiahFilter(method="filter_budget_max", label=_("Budget up to (Rp)"))
    sort = django_filters.ChoiceFilter(
        method="filter_sort",
        label=_("Sort"),
        empty_label=_("Open first"),
        choices=[(k, v[1]) for k, v in SORTS.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page_cache.remember_choices(
            self.form, ["sector", "region", "agency"], "challenge-list", generation=CHOICES_GENERATION
        )

    # RupiahField has already turned the rupiah into minor units.
    def filter_budget_min(self, queryset, name, value):
        return queryset.filter(incentive_total__gte=value)

    def filter_budget_max(self, queryset, name, value):
        return queryset.filter(incentive_total__lte=value)

    def active_filters(self) -> list[tuple[str, str]]:
        """(label, value) of each filter that applies: given, valid and not the sort."""
        self.is_valid()
        active = []
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in (None, "", []) or name in self.form.errors:
                continue
            field = self.form.fields[name]
            if isinstance(field, RupiahField):
                shown = format_money(value)
            elif hasattr(value, "strftime"):
                shown = date_format(value)
            elif getattr(field, "choices", None) is not None and not hasattr(field, "queryset"):
                shown = str(dict(field.choices).get(value, value))
            else:
                shown = str(value)
            active.append((str(field.label), shown))
        return active
