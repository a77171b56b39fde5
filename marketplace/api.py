"""Read-only JSON API: the same filters as the pages, amounts in minor units as stored."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from marketplace import selectors
from marketplace.filters import ChallengeFilter
from marketplace.models import Award, ChallengePage, Incentive, Milestone, Organisation
from payments import selectors as payment_selectors
from payments.models import Entry


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
        return selectors.challenge_list().prefetch_related("sdg_tags", "beneficiaries")


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
        return selectors.project_list()


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
        ref = obj.fund_reference
        return int(ref.split(":", 1)[1]) if ref.startswith("challenge:") else None


class LedgerFilterMixin:
    def filter_ledger(self, queryset, params):
        if params.get("kind"):
            queryset = queryset.filter(transaction__kind=params["kind"])
        if params.get("challenge", "").isdigit():
            queryset = queryset.filter(transaction__fund__reference=f"challenge:{params['challenge']}")
        return queryset


class LedgerViewSet(LedgerFilterMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LedgerEntrySerializer
    queryset = Entry.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return self.filter_ledger(payment_selectors.public_ledger(), self.request.query_params)


@extend_schema(responses={200: dict})
@api_view(["GET"])
def search_api(request):
    q = request.query_params.get("q", "")
    filterset = ChallengeFilter({"q": q}, queryset=selectors.challenge_list())
    challenges = list(filterset.qs[:50]) if q.strip() else []
    results = [
        {
            "type": "challenge",
            "title": c.title,
            "url": request.build_absolute_uri(c.url),
            "snippet": c.summary[:200],
        }
        for c in challenges
    ]
    facets = {"sector": {}, "status": {}}
    for c in challenges:
        facets["sector"][c.sector.slug] = facets["sector"].get(c.sector.slug, 0) + 1
        facets["status"][c.current_status] = facets["status"].get(c.current_status, 0) + 1
    return Response(
        {
            "results": results,
            "facets": facets,
            "count": len(results),
            "backend": filterset.search_backend or "database",
            "next": None,
            "previous": None,
        }
    )
