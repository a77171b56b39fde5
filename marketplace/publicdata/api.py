"""Read-only JSON API: the same filters as the pages, amounts in minor units as stored."""

from __future__ import annotations

import html

from django.utils import timezone
from django.utils.html import strip_tags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from core.references import CHALLENGE, challenge_reference, parse_reference
from marketplace.awards.models import Award, Milestone
from marketplace.awards.selectors import projects as awards_selectors
from marketplace.challenges import selectors as challenges_selectors
from marketplace.challenges.filters import ChallengeFilter
from marketplace.challenges.models.challenges import ChallengePage, Incentive
from marketplace.organisations.models.organisations import Organisation
from marketplace.publicdata.search_pages import SearchForm
from payments import api as payments_api
from payments.models import Entry
from search import api as search_engine


class IncentiveSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider_display", read_only=True)
    remaining = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Incentive
        fields = [
            "kind",
            "amount",
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


class ChallengeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilter
    queryset = ChallengePage.objects.none()

    def get_queryset(self):
        return challenges_selectors.challenge_list().prefetch_related("sdg_tags", "beneficiaries")


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "amount", "status", "due_date"]


class ProjectSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="proposal.title")
    url = serializers.SerializerMethodField()
    challenge = serializers.IntegerField(source="proposal.challenge_id")
    organisation = serializers.CharField(source="proposal.organisation.slug")
    amount_awarded = serializers.IntegerField(source="amount")
    amount_disbursed = serializers.IntegerField()
    milestones = MilestoneSerializer(many=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "title",
            "url",
            "challenge",
            "organisation",
            "amount_awarded",
            "amount_disbursed",
            "currency",
            "awarded_at",
            "milestones",
        ]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProjectSerializer
    queryset = Award.objects.none()

    def get_queryset(self):
        return awards_selectors.project_list()


class OrganisationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind", "region", "sectors", "verified"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"
    queryset = Organisation.objects.select_related("region").prefetch_related("sectors").order_by("name")
    filterset_fields = ["kind", "verified"]


class LedgerEntrySerializer(serializers.ModelSerializer):
    transaction = serializers.IntegerField(source="transaction_id")
    date = serializers.DateTimeField(source="transaction.created_at")
    account = serializers.CharField(source="account.code")
    kind = serializers.CharField(source="transaction.kind")
    challenge = serializers.SerializerMethodField()
    description = serializers.CharField(source="transaction.description")
    reference = serializers.CharField(source="transaction.reference")

    class Meta:
        model = Entry
        fields = [
            "id",
            "transaction",
            "date",
            "account",
            "kind",
            "amount",
            "currency",
            "challenge",
            "description",
            "reference",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_challenge(self, obj) -> int | None:
        return parse_reference(obj.fund_reference, CHALLENGE)


class LedgerFilterMixin:
    def filter_ledger(self, queryset, params):
        if params.get("kind"):
            queryset = queryset.filter(transaction__kind=params["kind"])
        if params.get("challenge", "").isdigit():
            queryset = queryset.filter(
                transaction__fund__reference=challenge_reference(int(params["challenge"]))
            )
        return queryset


class LedgerViewSet(LedgerFilterMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LedgerEntrySerializer
    queryset = Entry.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return self.filter_ledger(payments_api.public_ledger(), self.request.query_params)


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
]


def _search_results_url(request, after: str) -> str:
    params = request.query_params.copy()
    params["after"] = after
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@extend_schema(parameters=SEARCH_PARAMETERS, responses={200: dict, 400: dict})
@api_view(["GET"])
def search_api(request):
    """One search over challenges, projects and organisations: the ``/search/`` page's form and
    query function, with facets (each counted with the other active filters) and a cursor."""
    form = SearchForm(request.query_params)
    if not form.is_valid():
        return Response({"errors": form.errors.get_json_data()}, status=400)
    page = search_engine.search(form.to_params())
    return Response(
        {
            "count": page.total,
            "next": _search_results_url(request, page.next_after) if page.next_after else None,
            "previous": None,
            "backend": page.backend,
            "degraded": page.degraded,
            "suggestion": page.suggestion or None,
            "results": [
                {
                    "type": hit.kind,
                    "id": hit.object_id,
                    "title": hit.title,
                    "url": request.build_absolute_uri(hit.url),
                    "snippet": html.unescape(strip_tags(hit.snippet)),
                    "score": hit.score,
                    "region": hit.region or None,
                    "sectors": list(hit.sectors),
                    "amount": hit.amount,
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


def public_endpoints_only(endpoints):
    """drf-spectacular preprocessing hook: the schema describes the public API under /api/v1/,
    not Wagtail's admin API (staff-only, and its views cannot be described without a request)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
