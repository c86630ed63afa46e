"""The importer of each import kind (excel.kinds.KINDS), declared once: every kind has exactly one,
checked when this module loads, so a kind without an importer cannot ship."""
from __future__ import annotations

from types import MappingProxyType

from qoffice.excel.kinds import KINDS
from qoffice.services.imports.awards import AwardsImporter
from qoffice.services.imports.base import Importer
from qoffice.services.imports.enterprises import EnterprisesImporter
from qoffice.services.imports.figures import FiguresImporter
from qoffice.services.imports.forums import ForumsImporter
from qoffice.services.imports.partners import PartnersImporter
from qoffice.services.imports.projects import ProjectsImporter
from qoffice.services.imports.signups import SignupsImporter

IMPORTERS: MappingProxyType[str, type[Importer]] = MappingProxyType({
    cls.kind: cls for cls in (EnterprisesImporter, FiguresImporter, ProjectsImporter, AwardsImporter,
                              ForumsImporter, PartnersImporter, SignupsImporter)})

if set(IMPORTERS) != set(KINDS):  # pragma: no cover - a programming error, caught by every import test
    raise RuntimeError(f"import kinds without an importer: {sorted(set(KINDS) ^ set(IMPORTERS))}")
