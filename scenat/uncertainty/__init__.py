"""scenat.uncertainty.foreground."""
