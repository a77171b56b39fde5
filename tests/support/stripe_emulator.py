"""The Stripe emulator lives in ``devtools`` (the payments benchmark starts it too)."""

from devtools.stripe_emulator import *  # noqa: F403
