"""scenat.casefile."""
