"""scenat.distributed.runs."""
