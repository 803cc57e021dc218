"""scenat.calc."""
