"""待办 of the roster module (none of its own yet beyond what the import adds)."""
