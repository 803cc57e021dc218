"""scenat.assessment.result."""
