"""scenat.store.database."""
