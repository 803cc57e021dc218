"""scenat.model."""
