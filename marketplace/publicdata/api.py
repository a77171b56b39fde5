"""Read-only JSON API: the same filters as the pages, amounts in minor units as stored and, next
to each, the same amount the way OCDS shows it (``{"amount": 70000000, "currency": "IDR"}``,
whole rupiah).

Texts (titles, summaries, descriptions) are in Bahasa Indonesia unless ``?lang=en`` asks for
English: then each is its English twin where one was given, else the Indonesian text
(``core.localized``). The language is a query parameter, not Accept-Language, so that a link or
a cached answer always says the same thing."""

from __future__ import annotations

import html
import json

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django_filters import utils as filters_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.fields import get_attribute
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core import chains, page_cache
from core.localized import localized_text
from core.models import ChainHeadSnapshot
from core.money import major_units
from core.pagination import LazyRows
from core.references import CHALLENGE, parse_reference
from marketplace.awards.models import Award, Milestone
from marketplace.awards.selectors import projects as awards_selectors
from marketplace.challenges import selectors as challenges_selectors
from marketplace.challenges.filters import ChallengeFilter
from marketplace.challenges.models.challenges import ChallengePage, Incentive
from marketplace.organisations.models.organisations import Organisation
from marketplace.publicdata.api_filters import LedgerFilter
from marketplace.publicdata.api_pagination import LedgerCursorPagination
from marketplace.publicdata.search_pages import SearchForm
from payments import api as payments_api
from payments.models import Entry
from search import api as search_engine

API_LANGUAGES = [code for code, _name in settings.LANGUAGES]
LANG_PARAMETER = OpenApiParameter(
    "lang",
    str,
    enum=API_LANGUAGES,
    description="The language of the texts: `id` (Bahasa Indonesia, the default) or `en` (English; "
    "a text given only in Bahasa Indonesia is returned as it is).",
)


def requested_language(request) -> str:
    """The ``lang`` asked for, or the site's default language (also for a value we do not speak,
    which ``check_language`` then refuses)."""
    value = request.GET.get("lang", "")
    return value if value in API_LANGUAGES else settings.LANGUAGE_CODE


def check_language(request) -> None:
    value = request.GET.get("lang", "")
    if value and value not in API_LANGUAGES:
        raise ValidationError({"lang": [_("Unknown language; use one of: %s.") % ", ".join(API_LANGUAGES)]})


class InRequestedLanguage:
    """A viewset that answers in ``?lang=``: texts, and the messages of its errors."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override(requested_language(request)):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_language(request)


class KeptLists:
    """A viewset whose list pages are kept until the next public write (``page_cache
    .remembered``), for every reader: the same address in the same language always lists the
    same public rows. ``rows_change_at(rows)``: when a page's rows change by the clock alone
    (None: never); a list that cannot be named (``list_key`` None) is made each time."""

    def list(self, request, *args, **kwargs):
        key = self.list_key(request)
        if key is None:
            return super().list(request, *args, **kwargs)

        def made() -> tuple[object, object]:
            response = super(KeptLists, self).list(request, *args, **kwargs)
            page = getattr(self.paginator, "page", None)  # a cursor's page is a plain list
            rows = getattr(page, "object_list", page) or []
            plain = json.loads(JSONRenderer().render(response.data))
            return plain, self.rows_change_at(rows)

        data, _until = page_cache.remembered(  # type: ignore[misc]
            key, made, holds=page_cache.holds_until, keep=page_cache.holds_until
        )
        return Response(data)

    def list_key(self, request) -> str | None:
        params = sorted((name, request.GET.getlist(name)) for name in request.GET)
        return f"api-list:{type(self).__name__}:{request.build_absolute_uri('/')}:{page_cache.digest(params)}"

    def rows_change_at(self, rows):
        return None


class LocalizedField(serializers.CharField):
    """The attribute named ``source`` in the request's language (``core.localized``)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return localized_text(instance, self.source)


class ValueSerializer(serializers.Serializer):
    """An amount as OCDS writes it (its ``Value`` object): whole units of the currency."""

    amount = serializers.FloatField(
        help_text="Whole rupiah (the minor-unit field next to it divided by 100): 70000000 is "
        "Rp 70.000.000. An integer unless the amount has sen, which then follow the point "
        "(1500000.5). Ledger entries keep their sign: debit positive, credit negative."
    )
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. IDR.")

    class Meta:
        ref_name = "Value"


@extend_schema_field(ValueSerializer)
class ValueField(serializers.Field):
    """``<field>_value``: the minor-unit attribute ``amount`` of the object (a dotted path) as an
    OCDS value in the currency at ``currency`` (a dotted path too) or, for a sum with no currency
    of its own, ``fixed_currency``; null where the amount is."""

    def __init__(self, *, amount: str, currency: str = "currency", fixed_currency: str = "", **kwargs):
        self.amount_path = amount.split(".")
        self.currency_path = currency.split(".")
        self.fixed_currency = fixed_currency
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        amount = get_attribute(instance, self.amount_path)
        if amount is None:
            return None
        currency = self.fixed_currency or get_attribute(instance, self.currency_path)
        return ocds_value(amount, currency)


def ocds_value(amount: int, currency: str) -> dict:
    return {"amount": major_units(amount), "currency": currency}


class IncentiveSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider_display", read_only=True)
    remaining = serializers.IntegerField(read_only=True, allow_null=True)
    amount_value = ValueField(amount="amount")
    description = LocalizedField()
    unit = LocalizedField()
    relief = LocalizedField()

    class Meta:
        model = Incentive
        fields = [
            "kind",
            "amount",
            "amount_value",
            "currency",
            "description",
            "winners",
            "duration_months",
            "provider",
            "quantity",
            "unit",
            "remaining",
            "expires_on",
            "levy_name",
            "relief",
        ]


class ChallengeSerializer(serializers.ModelSerializer):
    title = LocalizedField(help_text="In the language asked for (`lang`).")
    title_en = serializers.CharField(read_only=True, help_text="The English title; empty if none was given.")
    summary = LocalizedField(help_text="In the language asked for (`lang`).")
    url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        source="current_status", choices=[value for value, _label in ChallengePage.STATUSES], read_only=True
    )
    sdgs = serializers.SlugRelatedField(source="sdg_tags", slug_field="number", many=True, read_only=True)
    beneficiaries = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    sector = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="agency.region.slug")
    agency = serializers.CharField(source="agency.name")
    opens_at = serializers.SerializerMethodField()
    closes_at = serializers.SerializerMethodField()
    incentives = IncentiveSerializer(many=True)
    incentive_total = serializers.IntegerField()
    # The incentives are all in rupiah (challenges.models.regions.CURRENCY_CHOICES).
    incentive_total_value = ValueField(amount="incentive_total", fixed_currency="IDR")

    class Meta:
        model = ChallengePage
        fields = [
            "id",
            "slug",
            "title",
            "title_en",
            "summary",
            "url",
            "status",
            "sector",
            "region",
            "agency",
            "opens_at",
            "closes_at",
            "incentives",
            "incentive_total",
            "incentive_total_value",
            "sdgs",
            "beneficiaries",
        ]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.url)

    # In the region's own timezone, with its offset (+07:00 WIB, +08:00 WITA, +09:00 WIT).
    def get_opens_at(self, obj) -> str:
        return timezone.localtime(obj.opens_at, obj.agency.region.zoneinfo).isoformat()

    def get_closes_at(self, obj) -> str:
        return timezone.localtime(obj.closes_at, obj.agency.region.zoneinfo).isoformat()


@extend_schema_view(
    list=extend_schema(parameters=[LANG_PARAMETER]), retrieve=extend_schema(parameters=[LANG_PARAMETER])
)
class ChallengeViewSet(InRequestedLanguage, KeptLists, viewsets.ReadOnlyModelViewSet):
    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilter
    queryset = ChallengePage.objects.none()

    def list_key(self, request) -> str | None:
        # A status selects by the clock: which challenges are listed changes without a write.
        return None if request.GET.getlist("status") else super().list_key(request)

    def rows_change_at(self, rows):
        if isinstance(rows, LazyRows):  # the lists' default order: also when its groups change
            return rows.changes_at()
        return challenges_selectors.status_changes_at(rows)

    def get_queryset(self):
        return challenges_selectors.challenge_list().prefetch_related("sdg_tags", "beneficiaries")

    def filter_queryset(self, queryset):
        if self.action != "list" or self.request.query_params.get("sort"):
            return super().filter_queryset(queryset)
        # The lists' default order a page at a time, as the challenge list page reads it, its
        # counts kept per filter (DjangoFilterBackend's steps, keeping the filterset for its key).
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise filters_utils.translate_validation(filterset.errors)
        return challenges_selectors.InListOrder(filterset.qs, remember_as=filterset.counts_key())


class MilestoneSerializer(serializers.ModelSerializer):
    title = LocalizedField()
    amount_value = ValueField(amount="amount", currency="award.currency")

    class Meta:
        model = Milestone
        fields = ["title", "amount", "amount_value", "status", "due_date"]


class ProjectSerializer(serializers.ModelSerializer):
    title = LocalizedField(help_text="In the language asked for (`lang`).")
    summary = LocalizedField(help_text="In the language asked for (`lang`).")
    url = serializers.SerializerMethodField()
    challenge = serializers.IntegerField(source="proposal.challenge_id")
    organisation = serializers.CharField(source="proposal.organisation.slug")
    amount_awarded = serializers.IntegerField(source="amount")
    amount_disbursed = serializers.IntegerField()
    amount_awarded_value = ValueField(amount="amount")
    amount_disbursed_value = ValueField(amount="amount_disbursed")
    milestones = MilestoneSerializer(many=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "title",
            "summary",
            "url",
            "challenge",
            "organisation",
            "amount_awarded",
            "amount_awarded_value",
            "amount_disbursed",
            "amount_disbursed_value",
            "currency",
            "awarded_at",
            "milestones",
        ]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


@extend_schema_view(
    list=extend_schema(parameters=[LANG_PARAMETER]), retrieve=extend_schema(parameters=[LANG_PARAMETER])
)
class ProjectViewSet(InRequestedLanguage, KeptLists, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProjectSerializer
    queryset = Award.objects.none()

    def get_queryset(self):
        return awards_selectors.project_list().prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date"))
        )


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind", "region", "sectors", "verified"]


class OrganisationViewSet(KeptLists, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    # By name, then id so that pages never overlap (organisation_name index).
    queryset = (
        Organisation.objects.select_related("region").prefetch_related("sectors").order_by("name", "pk")
    )
    filterset_fields = ["kind", "verified"]


class LedgerEntrySerializer(serializers.ModelSerializer):
    transaction = serializers.IntegerField(source="transaction_id")
    date = serializers.DateTimeField(source="transaction.created_at")
    account = serializers.CharField(source="account.code")
    kind = serializers.CharField(source="transaction.kind")
    challenge = serializers.SerializerMethodField()
    description = serializers.CharField(source="transaction.description")
    reference = serializers.CharField(source="transaction.reference")
    amount_value = ValueField(amount="amount")

    class Meta:
        model = Entry
        fields = [
            "id",
            "transaction",
            "date",
            "account",
            "kind",
            "amount",
            "amount_value",
            "currency",
            "challenge",
            "description",
            "reference",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_challenge(self, obj) -> int | None:
        return parse_reference(obj.fund_reference, CHALLENGE)


class LedgerViewSet(KeptLists, viewsets.ReadOnlyModelViewSet):
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerFilter
    # A cursor instead of ``page`` and ``count``, which read the whole ledger.
    pagination_class = LedgerCursorPagination
    queryset = Entry.objects.none()

    def get_queryset(self):
        return payments_api.public_ledger()


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to search for (Indonesian or English)."),
    OpenApiParameter("type", str, many=True, enum=list(search_engine.kinds())),
    OpenApiParameter("status", str, enum=[value for value, _label in ChallengePage.STATUSES]),
    OpenApiParameter("sector", str, description="Sector slug."),
    OpenApiParameter("region", str, description="Region slug."),
    OpenApiParameter("agency", int, description="Agency id."),
    OpenApiParameter("incentive", str, enum=list(Incentive.Kind.values)),
    OpenApiParameter("budget_min", int, description="Whole rupiah."),
    OpenApiParameter("budget_max", int, description="Whole rupiah."),
    OpenApiParameter("closes_after", OpenApiTypes.DATE),
    OpenApiParameter("closes_before", OpenApiTypes.DATE),
    OpenApiParameter("sort", str, enum=list(search_engine.SORTS)),
    OpenApiParameter("after", str, description="The cursor in the previous response's `next` link."),
    LANG_PARAMETER,
]


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(search_engine.kinds()))
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField()
    snippet = serializers.CharField(help_text="Plain text around the words found.")
    score = serializers.FloatField()
    region = serializers.CharField(allow_null=True, help_text="Region slug.")
    sectors = serializers.ListField(child=serializers.CharField(), help_text="Sector slugs.")
    amount = serializers.IntegerField(
        allow_null=True, help_text="Minor units: a challenge's incentive total, a project's award."
    )
    amount_value = ValueField(amount="amount", allow_null=True)
    currency = serializers.CharField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)


class FacetBucketSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="How many results; with `count_exact` false, at least this many (more than "
        "SEARCH_COUNT_LIMIT, 10,000, match: the total is not counted further)."
    )
    count_exact = serializers.BooleanField(help_text="False: `count` is a lower bound (10,000+).")
    facets_estimated = serializers.BooleanField(
        help_text="True: the facet counts are estimates (the database engine, beyond the count limit)."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True, help_text="Always null: follow `next` forwards.")
    backend = serializers.ChoiceField(choices=["elasticsearch", "database"])
    degraded = serializers.BooleanField(help_text="Elasticsearch is configured but did not answer.")
    suggestion = serializers.CharField(allow_null=True, help_text="Did you mean: a corrected query.")
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(
        child=FacetBucketSerializer(many=True),
        help_text="Per facet (" + ", ".join(search_engine.FACETS) + "): its values, each counted "
        "with the other active filters.",
    )


class FormErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()


class SearchErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=FormErrorSerializer(many=True), required=False, help_text="Per parameter: what is wrong."
    )
    detail = serializers.CharField(required=False, help_text="A request refused as a whole.")


def _search_results_url(request, after: str) -> str:
    params = request.query_params.copy()
    params["after"] = after
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@extend_schema(
    parameters=SEARCH_PARAMETERS, responses={200: SearchResponseSerializer, 400: SearchErrorSerializer}
)
@api_view(["GET"])
def search_api(request):
    """One search over challenges, projects and organisations: the ``/search/`` page's form and
    query function, with facets (each counted with the other active filters) and a cursor."""
    with translation.override(requested_language(request)):
        return _search_answer(request)


def _search_answer(request):
    form = SearchForm(request.query_params)
    errors = {} if form.is_valid() else form.errors.get_json_data()
    try:
        check_language(request)
    except ValidationError as refused:
        errors["lang"] = [{"message": str(m), "code": "invalid"} for m in refused.detail["lang"]]
    if errors:
        return Response({"errors": errors}, status=400)
    page = search_engine.search(form.to_params())
    return Response(
        {
            "count": page.total_shown,
            "count_exact": page.total_exact,
            "facets_estimated": page.facets_estimated,
            "next": _search_results_url(request, page.next_after) if page.next_after else None,
            "previous": None,
            "backend": page.backend,
            "degraded": page.degraded,
            "suggestion": page.suggestion or None,
            "results": [
                {
                    "type": hit.kind,
                    "id": hit.object_id,
                    "title": localized_text(hit, "title"),
                    "url": request.build_absolute_uri(search_engine.localised_path(hit.url)),
                    "snippet": html.unescape(strip_tags(hit.snippet)),
                    "score": hit.score,
                    "region": hit.region or None,
                    "sectors": list(hit.sectors),
                    "amount": hit.amount,
                    # Search documents carry rupiah amounts only (challenges and awards).
                    "amount_value": ocds_value(hit.amount, "IDR") if hit.amount is not None else None,
                    "currency": "IDR" if hit.amount is not None else None,
                    "closes_at": hit.closes_at.isoformat() if hit.closes_at else None,
                }
                for hit in page.hits
            ],
            "facets": {
                name: [{"value": b.value, "count": b.count, "selected": b.selected} for b in buckets]
                for name, buckets in page.facets.items()
            },
        }
    )


class ChainHeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChainHeadSnapshot
        fields = ["chain", "taken_on", "head_id", "head_hash", "rows"]


@extend_schema(responses={200: ChainHeadSerializer(many=True)})
@api_view(["GET"])
def chain_heads_api(request):
    """The latest published head of each hash chain (the audit trail and the ledger), taken
    daily: keep a copy, and a later rewrite of either chain shows (`manage.py verify_chains`)."""
    return Response(ChainHeadSerializer(chains.latest_snapshots(), many=True).data)


@extend_schema(exclude=True)
@api_view(["GET"])
def not_found(request, *args, **kwargs):
    """Any other address under /api/v1/ (``/api/v1/projects/1.5/`` included: the router's ids
    and slugs have no dots): the API's own JSON 404, not the site's HTML page."""
    raise NotFound()
