"""Development tools of the scenat repository (not part of the installed package)."""
