"""The `qoffice` command line (import-and-cli.md). Imports nothing heavy at module level."""
