"""What every domain app shares, and nothing domain-specific: the stale-version error and the
save-if-current write. Apps import from here, never from each other's helpers."""
