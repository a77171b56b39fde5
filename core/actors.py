"""Who acts, as the services type it (the project uses Django's own user model)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

# Someone signed in, where the record must name who did it.
Person = User
# A signed-in person, or None for the system (a task, a webhook handler).
Actor = User | None
# Whoever asks, signed in or not (services that refuse visitors check it themselves).
Visitor = User | AnonymousUser | None
