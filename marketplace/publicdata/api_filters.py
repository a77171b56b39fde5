"""The API's own filters: the public ledger's (``/api/v1/ledger/``), declared as a FilterSet so the
API validates them and its schema lists them with their values. (The challenge list's, shared
with its page, are ``marketplace.challenges.filters``.)"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.references import challenge_reference
from payments.models import Entry, Transaction


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class LedgerFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        field_name="transaction__kind", choices=Transaction.Kind.choices, label=_("Kind")
    )
    challenge = IntegerFilter(method="filter_challenge", label=_("Challenge"), min_value=1)

    class Meta:
        model = Entry
        fields: list[str] = []

    def filter_challenge(self, queryset, name, value):
        return queryset.filter(transaction__fund__reference=challenge_reference(value))
