"""Resource storage: an in-memory index backed by SQLite on disk."""
