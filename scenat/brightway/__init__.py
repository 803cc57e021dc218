"""scenat.brightway."""
