"""Spreadsheets in and out: readers for messy real files, header detection, value parsers, templates."""
