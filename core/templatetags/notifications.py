"""The header's unread count: ``{% unread_notification_count as count %}``. One COUNT query,
and none at all for visitors who are not signed in."""

from django import template

from core.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
