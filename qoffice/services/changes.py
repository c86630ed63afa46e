"""What a write changed: the tables (and records) an operation touched.

Every write the GUI makes is a service function that takes ids and values and returns a Changes;
the GUI runs it on its worker (qoffice.ui.operations.run_op) and one hook hands the Changes to
every screen, each of which refreshes when a table it watches is in it (as Anki's OpChanges).
Plain Python: both the services and the ui import it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    tables: frozenset[str] = frozenset()
    ids: tuple[int, ...] = ()  # the records written, the one to select first

    @classmethod
    def of(cls, *tables: str, ids: Iterable[int] = ()) -> Changes:
        return cls(frozenset(tables), tuple(ids))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.tables | other.tables, self.ids + tuple(i for i in other.ids if i not in self.ids))

    def __bool__(self) -> bool:
        return bool(self.tables)

    def touches(self, tables: Iterable[str]) -> bool:
        return not self.tables.isdisjoint(tables)


NOTHING = Changes()
