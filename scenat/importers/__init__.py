"""scenat.importers."""
