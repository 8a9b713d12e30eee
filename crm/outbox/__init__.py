"""The outbox: task calls that could not reach the broker, kept in the database until they can.
See crm.queueing for how calls get here and docs/OPERATIONS.md for what operators see."""
