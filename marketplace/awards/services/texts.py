"""The public texts of a funded project in English (``core.localized`` reads them)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.actors import Person
from core.errors import DomainError, require
from marketplace.awards import permissions
from marketplace.awards import signals as awards_signals
from marketplace.awards.models import Award, Milestone

# The columns' lengths (Award.title_en, Award.summary_en, Milestone.title_en).
TITLE_MAX, SUMMARY_MAX, MILESTONE_MAX = 200, 2000, 200


def project_english_set(
    *, award: Award, by: Person, title_en: str, summary_en: str, milestone_titles_en: dict[int, str]
) -> Award:
    """Set the English title and summary of a project and the English titles of its milestones
    (by milestone id; ids of other awards are refused). Empty texts are allowed: the English page
    then shows the Indonesian text, marked as such. Audited; the search document is rebuilt."""
    require(permissions.can_edit_project_english(by, award))
    title_en, summary_en = title_en.strip(), summary_en.strip()
    if len(title_en) > TITLE_MAX or len(summary_en) > SUMMARY_MAX:
        raise DomainError(_("The English title or summary is too long."))
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        milestones = {m.pk: m for m in locked.milestones.all()}
        if set(milestone_titles_en) - set(milestones):
            raise DomainError(_("A milestone of another project was given."))
        before = {"title_en": locked.title_en, "summary_en": locked.summary_en}
        after = {"title_en": title_en, "summary_en": summary_en}
        changed = []
        for pk, text in milestone_titles_en.items():
            text = text.strip()
            if len(text) > MILESTONE_MAX:
                raise DomainError(_("An English milestone title is too long."))
            milestone = milestones[pk]
            if milestone.title_en != text:
                before[f"milestone:{pk}"], after[f"milestone:{pk}"] = milestone.title_en, text
                milestone.title_en = text
                changed.append(milestone)
        if before == after:
            return locked
        locked.title_en, locked.summary_en = title_en, summary_en
        locked.save(update_fields=["title_en", "summary_en"])
        Milestone.objects.bulk_update(changed, ["title_en"])
        audit.record_object(actor=by, action="award.english_changed", obj=locked, before=before, after=after)
        award_id = locked.pk
        transaction.on_commit(lambda: awards_signals.project_changed.send(sender=Award, award_id=award_id))
    return locked
