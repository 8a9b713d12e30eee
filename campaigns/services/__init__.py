"""Writes for campaign outreach, one module per area of use cases; import from the module itself."""
