"""scenat.cli.main."""
