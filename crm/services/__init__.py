"""Writes for the registry. Each module is one area of use cases; import from the module itself."""
