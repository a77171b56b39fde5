"""The agency heads' approval step, with the four-eyes rule Wagtail's group task lacks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, TaskState

from core.errors import DomainError


def _submitted_by(obj, user) -> bool:
    """Whether ``user`` asked for the workflow ``obj`` is in (whoever else may approve it)."""
    state = getattr(obj, "current_workflow_state", None)
    return state is not None and state.requested_by_id == getattr(user, "pk", None)


def _refuse_dropping_given_offers(task_state: TaskState) -> None:
    """Offers may have been given to winners since the change was submitted: approving a change
    that drops or shrinks one is refused with the reason (the approver requests changes)."""
    from marketplace.challenges.revisions import incentive_changes_refused

    revision = task_state.revision
    submitted = revision.as_object() if revision is not None else None
    if submitted is None or not hasattr(submitted, "incentives"):
        return
    refusals = incentive_changes_refused(submitted, list(submitted.incentives.all()))
    if refusals:
        raise DomainError(refusals[0][2])


class FourEyesApprovalTask(AbstractGroupApprovalTask):
    """Members of the chosen groups approve, except the person who submitted: someone holding
    both the official and the agency-head role never approves their own challenge (superusers
    included)."""

    def get_actions(self, obj, user):
        if _submitted_by(obj, user):
            return []
        return super().get_actions(obj, user)

    def user_can_access_editor(self, obj, user):
        # The submitter keeps editing rights through their own page permissions, not the task's.
        return not _submitted_by(obj, user) and super().user_can_access_editor(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return (
            super()
            .get_task_states_user_can_moderate(user, **kwargs)
            .exclude(workflow_state__requested_by=user)
        )

    def on_action(self, task_state: TaskState, user, action_name, **kwargs):
        if user is not None and task_state.workflow_state.requested_by_id == user.pk:
            raise PermissionDenied(_("You submitted this page, so someone else must approve it."))
        if action_name == "approve":
            _refuse_dropping_given_offers(task_state)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve; the person who submitted never does")

    class Meta:
        verbose_name = _("Approval by another member of the group")
        verbose_name_plural = _("Approvals by another member of the group")
