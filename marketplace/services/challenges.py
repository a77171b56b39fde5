"""Writes around challenges: who may author them in each region, the approval workflow, and
in-kind offers given to winners. Each raises DomainError with a message for the user."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from marketplace import audit, permissions
from marketplace.errors import DomainError
from marketplace.models import Award, Incentive, InKindDrawdown, RegionPage, Sponsor
from marketplace.roles import AGENCY_HEAD_GROUP

OFFICIALS_GROUP_PREFIX = "Pejabat "
APPROVAL_WORKFLOW_NAME = "Persetujuan kepala OPD"
# Officials add and edit pages under their region; publishing is the agency head's approval.
OFFICIAL_PAGE_PERMISSIONS = ("add_page", "change_page")
OFFICIAL_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def approval_workflow() -> Workflow:
    """The agency heads' approval workflow (created by a migration; recreated if deleted)."""
    head, _created = Group.objects.get_or_create(name=AGENCY_HEAD_GROUP)
    workflow, _created = Workflow.objects.get_or_create(
        name=APPROVAL_WORKFLOW_NAME, defaults={"active": True}
    )
    if not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.filter(name=APPROVAL_WORKFLOW_NAME).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=APPROVAL_WORKFLOW_NAME)
        task.groups.add(head)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def region_officials_group(region: RegionPage) -> Group | None:
    """The region's officials' group, found by its page permission (its name follows the title)."""
    return (
        Group.objects.filter(
            name__startswith=OFFICIALS_GROUP_PREFIX,
            page_permissions__page=region,
            page_permissions__permission__codename="add_page",
        )
        .order_by("pk")
        .first()
    )


def region_setup_permissions(*, region: RegionPage, by=None) -> Group:
    """Give the region its own officials' group ("Pejabat <region>") with add/change rights on the
    region's subtree only (no publish right), image and document upload, and the agency heads'
    approval workflow (agency heads hold the publish right on the region: approving publishes as
    them). The group's members are the officials of the region's agencies.

    Idempotent: a second call changes nothing unless the region's officials or title changed."""
    region = Page.objects.get(pk=region.pk).specific
    name = f"{OFFICIALS_GROUP_PREFIX}{region.title}"[:150]
    with transaction.atomic():
        group = region_officials_group(region)
        if group is None:
            group, _created = Group.objects.get_or_create(name=name)
        elif group.name != name:
            group.name = name
            group.save(update_fields=["name"])

        group.permissions.add(
            _permission("wagtailadmin", "access_admin"),
            *(
                Permission.objects.filter(
                    content_type=ContentType.objects.get_for_model(Sponsor),
                    codename__in=["add_sponsor", "change_sponsor", "view_sponsor"],
                )
            ),
        )
        page_type = ContentType.objects.get_for_model(Page)
        for codename in OFFICIAL_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=region,
                permission=Permission.objects.get(content_type=page_type, codename=codename),
            )
        GroupPagePermission.objects.filter(
            group=group, page=region, permission__codename="publish_page"
        ).delete()
        root = Collection.get_first_root_node()
        for app_label, codename in OFFICIAL_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=_permission(app_label, codename)
            )

        officials = region.agencies.values_list("officials", flat=True)
        group.user_set.set([pk for pk in officials if pk is not None])

        # Approving publishes the page as the agency head, so they hold the publish right.
        head = Group.objects.get_or_create(name=AGENCY_HEAD_GROUP)[0]
        GroupPagePermission.objects.get_or_create(
            group=head,
            page=region,
            permission=Permission.objects.get(content_type=page_type, codename="publish_page"),
        )
        workflow = approval_workflow()
        assigned = WorkflowPage.objects.filter(page=region).first()
        if assigned is None or assigned.workflow_id != workflow.pk:
            WorkflowPage.objects.update_or_create(page=region, defaults={"workflow": workflow})
            audit.record(
                actor=by,
                action="region.workflow_assigned",
                object_type="marketplace.regionpage",
                object_id=region.pk,
                after={"group": group.name, "workflow": workflow.name},
            )
    return group


def incentive_draw_down(*, incentive: Incentive, award: Award, quantity: int, by) -> InKindDrawdown:
    """Give ``quantity`` units of an in-kind offer to an award's grantee.

    Refuses (DomainError) when ``by`` is not an official of the challenge's agency, when the
    offer is not in-kind, belongs to another challenge or has expired, and when ``quantity``
    exceeds what remains. Concurrent draw-downs on one offer are serialised by a row lock, so
    the offer never gives more than its quantity."""
    challenge = incentive.challenge
    allowed, reason = permissions.can_award(by, challenge)
    if not allowed:
        raise DomainError(reason)
    if incentive.kind != Incentive.Kind.IN_KIND or not incentive.quantity:
        raise DomainError(_("Only in-kind offers with a quantity can be drawn down."))
    if award.proposal.challenge_id != incentive.challenge_id:
        raise DomainError(_("This award is for another challenge."))
    if quantity is None or quantity < 1:
        raise DomainError(_("Give at least one unit."), field="quantity")
    today = timezone.localdate(timezone=challenge.region.zoneinfo)
    if incentive.expires_on and incentive.expires_on < today:
        raise DomainError(
            _("This offer expired on %(date)s.") % {"date": date_format(incentive.expires_on, "DATE_FORMAT")}
        )
    with transaction.atomic():
        locked = Incentive.objects.select_for_update().get(pk=incentive.pk)
        drawn = locked.drawdowns.aggregate(total=Sum("quantity"))["total"] or 0
        remaining = locked.quantity - drawn
        if quantity > remaining:
            raise DomainError(
                _("Only %(remaining)s %(unit)s of this offer remain; %(quantity)s were asked for.")
                % {"remaining": remaining, "unit": locked.unit, "quantity": quantity},
                field="quantity",
            )
        drawdown = InKindDrawdown.objects.create(
            incentive=locked, award=award, quantity=quantity, created_by=by
        )
        audit.record(
            actor=by,
            action="incentive.drawn_down",
            object_type="marketplace.incentive",
            object_id=locked.pk,
            before={"remaining": remaining},
            after={"remaining": remaining - quantity, "award": award.pk, "quantity": quantity},
        )
    return drawdown
