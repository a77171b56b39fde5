"""What marketplace announces; search (and later notifications) subscribe."""

from __future__ import annotations

from django.dispatch import Signal

# A challenge's public state changed outside the editor (its results were published):
# ``challenge_id``. Sent after the commit.
challenge_changed = Signal()
