"""Writes around challenges: who may author them in each region, the approval workflow, and
in-kind offers given to winners. Each raises DomainError with a message for the user."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from core import audit
from core.actors import Actor
from core.roles import AGENCY_HEAD_GROUP
from marketplace.challenges.models import FourEyesApprovalTask, RegionPage, Sponsor

OFFICIALS_GROUP_PREFIX = "Pejabat "
HEADS_GROUP_PREFIX = "Kepala OPD "
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


def _approval_workflow(region: RegionPage, heads: Group) -> Workflow:
    """The region's own approval workflow: one group-approval task for the region's heads'
    group, so an agency head of another region can never approve here. Found through the task's
    group, so renaming the region renames the workflow rather than creating another."""
    name = f"{APPROVAL_WORKFLOW_NAME} — {region.title}"[:255]
    task = FourEyesApprovalTask.objects.filter(groups=heads).order_by("pk").first()
    if task is None:
        task = FourEyesApprovalTask.objects.create(name=name)
        task.groups.set([heads])
    elif task.name != name:
        task.name = name
        task.save(update_fields=["name"])
    link = WorkflowTask.objects.filter(task=task).select_related("workflow").first()
    if link is None:
        workflow = Workflow.objects.create(name=name, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        return workflow
    workflow = link.workflow
    if workflow.name != name:
        workflow.name = name
        workflow.save(update_fields=["name"])
    return workflow


def _group_for_region(region: RegionPage, prefix: str, codename: str) -> Group:
    """The region's group whose name starts with ``prefix``, found by its page permission on the
    region (the name follows the region's title, so a renamed region keeps its group)."""
    name = f"{prefix}{region.title}"[:150]
    group = (
        Group.objects.filter(
            name__startswith=prefix,
            page_permissions__page=region,
            page_permissions__permission__codename=codename,
        )
        .order_by("pk")
        .first()
    )
    if group is None:
        group, _created = Group.objects.get_or_create(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    return group


def _grant_page_permissions(group: Group, region: RegionPage, codenames) -> None:
    page_type = ContentType.objects.get_for_model(Page)
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=region,
            permission=Permission.objects.get(content_type=page_type, codename=codename),
        )


def _members(region: RegionPage, relation: str) -> list[int]:
    return [pk for pk in region.agencies.values_list(relation, flat=True) if pk is not None]


def region_setup_permissions(*, region: RegionPage, by: Actor = None) -> Group:
    """Give the region its two groups and its approval workflow:

    - "Pejabat <region>": the officials of the region's agencies; add and edit rights on the
      region's subtree only (no publish right), image and document upload, sponsors.
    - "Kepala OPD <region>": the heads of the region's agencies; the region's approval workflow
      is theirs alone, and they hold the publish right on the region (approving publishes the
      page as them).

    Returns the officials' group. Idempotent: a second call changes nothing unless the region's
    officials, heads or title changed."""
    region = Page.objects.get(pk=region.pk).specific
    admin_access = _permission("wagtailadmin", "access_admin")
    with transaction.atomic():
        group = _group_for_region(region, OFFICIALS_GROUP_PREFIX, "add_page")
        group.permissions.add(
            admin_access,
            *(
                Permission.objects.filter(
                    content_type=ContentType.objects.get_for_model(Sponsor),
                    codename__in=["add_sponsor", "change_sponsor", "view_sponsor"],
                )
            ),
        )
        _grant_page_permissions(group, region, OFFICIAL_PAGE_PERMISSIONS)
        GroupPagePermission.objects.filter(
            group=group, page=region, permission__codename="publish_page"
        ).delete()
        root = Collection.get_first_root_node()
        for app_label, codename in OFFICIAL_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=_permission(app_label, codename)
            )
        group.user_set.set(_members(region, "officials"))

        heads = _group_for_region(region, HEADS_GROUP_PREFIX, "publish_page")
        heads.permissions.add(admin_access)
        _grant_page_permissions(heads, region, ["publish_page"])
        heads.user_set.set(_members(region, "heads"))
        # A publish right an earlier setup gave every agency head on this region is withdrawn.
        GroupPagePermission.objects.filter(group__name=AGENCY_HEAD_GROUP, page=region).delete()

        workflow = _approval_workflow(region, heads)
        assigned = WorkflowPage.objects.filter(page=region).first()
        if assigned is None or assigned.workflow_id != workflow.pk:
            WorkflowPage.objects.update_or_create(page=region, defaults={"workflow": workflow})
            audit.record_object(
                actor=by,
                action="region.workflow_assigned",
                obj=region,
                after={"group": group.name, "heads": heads.name, "workflow": workflow.name},
            )
    return group
