"""What the signed-in visitor may do on an organisation's pages (two queries at most)."""

from django import template

from marketplace.organisations import permissions

register = template.Library()


@register.simple_tag
def organisation_rights(organisation, user) -> dict:
    if not (user and user.is_authenticated):
        return {"is_owner": False, "is_member": False, "can_view_documents": False}
    is_member = permissions.is_member(user, organisation)
    return {
        "is_owner": is_member and permissions.is_owner(user, organisation),
        "is_member": is_member,
        "can_view_documents": is_member or permissions.is_region_official(user, organisation),
    }
