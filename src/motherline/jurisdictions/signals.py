"""Signals of the jurisdictions app, for the apps that derive data from a pack's rules."""

from django.dispatch import Signal

# Sent inside the loading transaction, before the pack is written and after: apps that
# store what the rules compute (the worklist's deadlines) recompute when the rules changed.
pack_loading = Signal()
pack_loaded = Signal()
