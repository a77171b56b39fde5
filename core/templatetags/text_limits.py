"""``{% text_counter_script form %}``: the counter script (cms/static/js/text-counter.js) for a
form whose long text fields state their limit (core.text_limits), and nothing otherwise, so pages
without such a field stay free of script."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from core.text_limits import TextLimitValidator

register = template.Library()


@register.simple_tag
def text_counter_script(form) -> str:
    fields = getattr(form, "fields", {})
    limited = any(isinstance(v, TextLimitValidator) for field in fields.values() for v in field.validators)
    if not limited:
        return ""
    return format_html('<script src="{}" defer></script>', static("js/text-counter.js"))
