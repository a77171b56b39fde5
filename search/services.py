"""Search's writes: saved searches (created, changed, deleted here), and its health."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import Person
from core.errors import DomainError
from search.connection import es_client
from search.models import SavedSearch


def status() -> dict:
    client = es_client()
    if client is None:
        return {"backend": "database", "ok": True}
    try:
        info = client.info()
        return {"backend": "elasticsearch", "ok": True, "version": info["version"]["number"]}
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"backend": "elasticsearch", "ok": False, "error": exc.__class__.__name__}


# Saved searches ------------------------------------------------------------------------------

# Per user: each saved search is run against every newly published challenge.
MAX_SAVED_SEARCHES = 50


def saved_search_create(
    *, user: Person, name: str, params: dict[str, list[str]], frequency: str
) -> SavedSearch:
    """Save a search (``params``: the search page's query string as a dict of lists) for
    ``user``; alerts start with the next challenge published."""
    with transaction.atomic():
        # One user's saves queue behind each other, so two at once cannot pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
            raise DomainError(
                _("You can keep at most %(count)d saved searches. Delete one first.")
                % {"count": MAX_SAVED_SEARCHES}
            )
        saved = SavedSearch(user=user, name=name, params=params, frequency=frequency)
        _validate(saved)
        saved.save()
    return saved


def saved_search_change_frequency(*, saved_search: SavedSearch, frequency: str, by: Person) -> SavedSearch:
    """Alerts as soon as a challenge is published, or in a daily digest."""
    _require_owner(saved_search, by)
    saved_search.frequency = frequency
    _validate(saved_search)
    saved_search.save(update_fields=["frequency"])
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch, by: Person) -> None:
    """Delete the search and what it matched: no more alerts from it."""
    _require_owner(saved_search, by)
    saved_search.delete()


def _require_owner(saved_search: SavedSearch, user: Person) -> None:
    if saved_search.user_id != user.pk:
        raise DomainError(_("Only the person who saved a search can change it."))


def _validate(saved: SavedSearch) -> None:
    try:
        saved.full_clean(exclude=["user"])
    except ValidationError as exc:
        # One field at fault: the form shows the message next to it (views.common.form_error).
        fields = [name for name in exc.message_dict if name != NON_FIELD_ERRORS]
        raise DomainError(" ".join(exc.messages), field=fields[0] if len(fields) == 1 else None) from exc
