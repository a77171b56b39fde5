"""A challenge's incentives keep their identity (primary key) across revisions.

Awards draw in-kind offers down (``InKindDrawdown`` protects the ``Incentive``), so publishing a
revision must update the saved offers, never delete them and insert copies. modelcluster deletes
every saved child that the published list does not name by pk, and a revision serialised while a
child had no pk yet (an offer added to a live challenge in the editor, then published) names it
by none; Wagtail edits from such a revision whenever the page has unpublished changes (after an
unpublish, a scheduled change, a draft) and when an older revision is published again.

Three rules, connected in ``ChallengesConfig.ready``:

- before a challenge saves its incentives, each incoming offer without a pk takes the pk of the
  saved offer it is (same kind, currency, unit, provider, levy), so the save updates that row;
- an offer already given to winners is kept, with its kind and unit, and a quantity no lower
  than what was given (the editor says so on the form; any other path is refused);
- a published revision is rewritten with the pks its children got, so later edits carry them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.errors import DomainError
from marketplace.challenges.models import ChallengePage, Incentive

Refusal = tuple[Incentive | None, str | None, str]


def _identity(offer: Incentive) -> tuple:
    return (
        offer.kind,
        offer.currency,
        offer.unit.strip(),
        offer.provider_id,
        offer.provider_name.strip(),
        offer.levy_name.strip(),
    )


def incentive_changes_refused(page: ChallengePage, incoming: list[Incentive]) -> list[Refusal]:
    """Match ``incoming`` (the offers a save of ``page`` leaves) to the saved offers: an incoming
    offer without a pk (or with the pk of no saved offer) takes the pk of the unclaimed saved offer
    it is, in order. Then say what the save may not do to offers already given to winners, as
    ``(incoming offer or None, field or None, message)``: remove one, change its kind or unit,
    or bring its quantity below what was given. Empty when the save may go ahead."""
    if page.pk is None:
        return []
    saved = {
        offer.pk: offer
        for offer in Incentive.objects.filter(challenge_id=page.pk).annotate(
            drawn_down=Coalesce(Sum("drawdowns__quantity"), 0)
        )
    }
    claimed = {offer.pk for offer in incoming if offer.pk in saved}
    unclaimed = [offer for pk, offer in saved.items() if pk not in claimed]
    for offer in incoming:
        if offer.pk in saved:
            continue
        same = next((s for s in unclaimed if _identity(s) == _identity(offer)), None)
        if same is not None:
            offer.pk = same.pk
            unclaimed.remove(same)

    refusals: list[Refusal] = []
    for offer in unclaimed:
        if offer.drawn_quantity:
            refusals.append(
                (
                    None,
                    None,
                    _("“%(offer)s” has already been given to winners (%(drawn)s %(unit)s); keep it.")
                    % {
                        "offer": offer.description or offer.unit,
                        "drawn": offer.drawn_quantity,
                        "unit": offer.unit,
                    },
                )
            )
    for offer in incoming:
        before = saved.get(offer.pk)
        if before is None or not before.drawn_quantity:
            continue
        drawn = {"drawn": before.drawn_quantity, "unit": before.unit}
        if offer.kind != before.kind or offer.unit.strip() != before.unit.strip():
            refusals.append(
                (
                    offer,
                    "unit",
                    _(
                        "%(drawn)s %(unit)s have already been given to winners; the kind and the unit of "
                        "this offer cannot change."
                    )
                    % drawn,
                )
            )
        elif (offer.quantity or 0) < before.drawn_quantity:
            refusals.append(
                (
                    offer,
                    "quantity",
                    _("%(drawn)s %(unit)s have already been given to winners; the quantity cannot be lower.")
                    % drawn,
                )
            )
    return refusals


def keep_incentive_identity(sender, instance: ChallengePage, raw: bool = False, update_fields=None, **kwargs):
    """``pre_save`` of a challenge: match its incoming incentives to the saved rows and refuse
    (DomainError) a save that would drop or shrink an offer given to winners. Remembers the
    children about to be saved, for ``revision_records_child_ids``."""
    pending: dict[str, list[Any]] = dict(getattr(instance, "_cluster_related_objects", {}) or {})
    instance._children_being_saved = {relation: list(items) for relation, items in pending.items()}
    if raw or "incentives" not in pending:
        return
    if update_fields is not None and "incentives" not in update_fields:
        return
    refusals = incentive_changes_refused(instance, pending["incentives"])
    if refusals:
        raise DomainError(refusals[0][2])


def revision_records_child_ids(sender, instance: ChallengePage, revision=None, **kwargs) -> None:
    """``page_published``: write the pks the children got into the published revision, so that
    edits and republishing from it update those rows."""
    children = getattr(instance, "_children_being_saved", None)
    if revision is None or not children:
        return
    changed = False
    for relation, items in children.items():
        rows = revision.content.get(relation)
        if not isinstance(rows, list) or len(rows) != len(items):
            continue
        if not all(isinstance(row, dict) for row in rows):
            continue  # a ParentalManyToManyField: a list of target pks, nothing to record
        if any(row.get("pk") not in (None, item.pk) for row, item in zip(rows, items, strict=True)):
            continue  # not the list this revision holds
        for row, item in zip(rows, items, strict=True):
            if item.pk is not None and row.get("pk") != item.pk:
                row["pk"] = item.pk
                changed = True
    if changed:
        revision.save(update_fields=["content"])
