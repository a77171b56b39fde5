"""What marketplace announces; search (and later notifications) subscribe."""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: award_id
project_changed = Signal()
