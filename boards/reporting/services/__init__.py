"""Writes for reminders and weekly reports, one module per job."""
