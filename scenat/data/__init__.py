"""Importers that turn published open datasets into scenat's shipped inventories."""
