"""Reading, mapping, checking and writing imported contacts and organisations.

The steps are separate so the web flow (upload, map, preview, confirm), the Celery task and the
`import_contacts` command share them: readers turn a file into rows, columns guess the mapping,
validation turns rows into a plan with every problem by row and column, writing applies the plan."""

from .readers import ImportFileError, Table, read_table

__all__ = ["ImportFileError", "Table", "read_table"]
