"""Search index (owned by the search helper)."""
