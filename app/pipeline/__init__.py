"""The event pipeline: the Redis stream, the writer that drains it into SQLite, recovery."""
