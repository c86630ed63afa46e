"""The schema revisions this program knows, as constants, so opening a database at start-up
needs no Alembic import. A test checks SCHEMA_HEAD against Alembic's head."""

# Oldest first. A revision not in this list means the database was written by a newer qoffice.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
SCHEMA_HEAD = KNOWN_REVISIONS[-1]
