"""scenat.interventions.library."""
