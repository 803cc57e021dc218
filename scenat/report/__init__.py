"""scenat.report.assessment."""
