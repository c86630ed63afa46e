"""Import a clerk's spreadsheet: read it, check every row, then write all good rows in one
transaction (or, in a dry run, show what would happen). Each import is an ImportBatch whose audit
rows carry its id, so it can be undone while none of its records has changed since.

The flow is the same for the GUI wizard and the CLI: `parse_file` (excel.parse, no database) →
`run_import` (run.py: the kind's importer from kinds.py applies the rows in one transaction; dry
runs apply to an in-memory copy and throw it away). One small importer per kind (enterprises.py,
figures.py, …, on base.Importer); undo in undo.py; the error report in report.py.
"""
from __future__ import annotations

from qoffice.excel.parse import PROGRESS_EVERY, ImportRefused, Issue, ParsedFile, ParsedRow
from qoffice.services.imports.kinds import IMPORTERS
from qoffice.services.imports.report import write_error_report
from qoffice.services.imports.run import MAX_LISTED_ERRORS, ImportResult, apply, parse_file, run_import
from qoffice.services.imports.undo import UndoRefused, undo_batch, undo_problem

__all__ = ["IMPORTERS", "MAX_LISTED_ERRORS", "PROGRESS_EVERY", "ImportRefused", "ImportResult", "Issue",
           "ParsedFile", "ParsedRow", "UndoRefused", "apply", "parse_file", "run_import", "undo_batch",
           "undo_problem", "write_error_report"]
