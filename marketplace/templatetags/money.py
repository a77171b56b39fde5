"""Template filters for money and regional times: ``{% load money %}``."""

from __future__ import annotations

from django import template
from django.templatetags.tz import do_timezone

from payments.api import format_money

register = template.Library()


@register.filter
def rupiah(value, currency="IDR"):
    """Minor units to "Rp 1.500.000"; empty for a missing amount."""
    if value is None or value == "":
        return ""
    return format_money(int(value), currency or "IDR")


@register.filter
def in_zone(value, zone):
    """An aware datetime shown in ``zone`` (a tzinfo or zone name).

    ``django.utils.timezone.localtime`` alone is not enough: filters such as ``date``
    convert their input back to the current time zone unless it is marked as already
    converted, which is what Django's own ``timezone`` filter does.
    """
    if not value:
        return value
    return do_timezone(value, zone)
