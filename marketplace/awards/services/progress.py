"""The grantee's public progress report on a milestone."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actors import Person
from core.errors import DomainError, require
from marketplace.awards import permissions, signals
from marketplace.awards.models import Award, Milestone, ProgressReport
from marketplace.awards.services.determinations import project_started

MAX_LINK_LENGTH = 500
_web_address = URLValidator(schemes=["http", "https"])


def _clean_links(links) -> list[str]:
    cleaned = [link.strip() for link in links if link and link.strip()]
    if len(cleaned) > ProgressReport.MAX_LINKS:
        raise DomainError(_("At most %(n)d links.") % {"n": ProgressReport.MAX_LINKS}, field="links")
    for link in cleaned:
        try:
            if len(link) > MAX_LINK_LENGTH:
                raise ValidationError("too long")
            _web_address(link)
        except ValidationError:
            raise DomainError(
                _("“%(link)s” is not a web address. Write each link starting with http:// or https://.")
                % {"link": link[:80]},
                field="links",
            ) from None
    return list(dict.fromkeys(cleaned))


def progress_report_publish(
    *, milestone: Milestone, by: Person, text: str, links=(), public: bool
) -> ProgressReport:
    """Write (or rewrite) the milestone's public progress report. With ``public`` it shows on the
    project page at once (once the project itself is public); without, it is kept as a draft
    only the grantee and the agency see. Links must be http(s) web addresses; files are never
    part of it (the evidence files sent to the agency stay private). Refused with a DomainError,
    changing nothing, for anyone but the grantee's members, before the agreement is accepted,
    for an empty or too-long text or a bad link."""
    require(permissions.can_write_progress_report(by, milestone))
    if not project_started(milestone.award):
        raise DomainError(_("Accept the agreement first: the project starts when it is accepted."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write what the project has delivered so far."), field="text")
    if len(text) > ProgressReport.MAX_TEXT:
        raise DomainError(
            _("The report may be at most %(max)d characters; it has %(n)d.")
            % {"max": ProgressReport.MAX_TEXT, "n": len(text)},
            field="text",
        )
    links = _clean_links(links)
    public = bool(public)
    with transaction.atomic():
        Milestone.objects.select_for_update().get(pk=milestone.pk)
        report = ProgressReport.objects.filter(milestone=milestone).first()
        before = None if report is None else {"public": report.public, "links": len(report.links)}
        now = timezone.now()
        if report is None:
            report = ProgressReport(milestone=milestone)
        changed = report.pk is None or report.text != text or report.links != links or report.public != public
        report.text, report.links, report.written_by = text, links, by
        if changed:
            report.updated_at = now
        if public and (report.published_at is None or changed):
            report.published_at = now
        if not public:
            report.published_at = None
        report.public = public
        report.save()
        audit.record_object(
            actor=by,
            obj=report,
            action="milestone.progress_report_saved",
            before=before,
            after={"milestone": milestone.pk, "public": public, "links": len(links), "characters": len(text)},
        )
        award_id = milestone.award_id
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award_id))
    return report
