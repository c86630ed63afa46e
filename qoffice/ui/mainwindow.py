"""The main window: navigation on the left, county/office and the shared year on top, status bar.

Areas are registered in AREAS, one line each, in the order of screens.md. A line names a loader:
a small function that imports the area's class by an ordinary `from … import` (so PyInstaller and
import-linter see it, and a missing module fails a test instead of silently hiding a screen):

        AreaEntry("forums", N_("Forums"), "forums.svg", _forums),

Areas are built the first time they are shown: start-up imports and queries only the first one
(the navigation lists them all; the stack holds a light placeholder until then). `window.areas`
is a mapping that builds an area when it is looked up.

An area class takes (ctx: AppContext) and may offer: `activated()` (called when it is shown),
`status_text()` and a `statusText(str)` signal (the counts for the status bar), and `list`
(its ListArea, which the smoke mode and the status bar read).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QAction, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from qoffice.db.backup import last_backup
from qoffice.i18n import N_, _
from qoffice.paths import resources_dir
from qoffice.ui import state
from qoffice.ui.context import AppContext
from qoffice.ui.state import ui_settings

log = logging.getLogger("qoffice.ui")


# Each loader imports its area when the area is first shown (start-up imports only the first one).
def _city() -> type:
    from qoffice.ui.city import CityArea
    return CityArea


def _enterprises() -> type:
    from qoffice.ui.enterprises import EnterprisesArea
    return EnterprisesArea


def _forums() -> type:
    from qoffice.ui.forums import ForumsArea
    return ForumsArea


def _meeting() -> type:
    from qoffice.ui.meeting import MeetingArea
    return MeetingArea


def _projects() -> type:
    from qoffice.ui.projects import ProjectsArea
    return ProjectsArea


def _awards() -> type:
    from qoffice.ui.awards import AwardsArea
    return AwardsArea


def _partners() -> type:
    from qoffice.ui.partners import PartnersArea
    return PartnersArea


def _returns() -> type:
    from qoffice.ui.returns_page import ReturnsPage
    return ReturnsPage


def _recycle() -> type:
    from qoffice.ui.enterprises import RecycleBinArea
    return RecycleBinArea


def _settings() -> type:
    from qoffice.ui.settingsarea import SettingsArea
    return SettingsArea


@dataclass(frozen=True)
class AreaEntry:
    key: str
    title: str  # English source string (N_); translated when the navigation is built
    icon: str  # file in resources/icons/
    load: Callable[[], type]  # imports and returns the area's class
    levels: tuple[str, ...] = ("county", "city")  # the offices (setting `level`) that have it


AREAS: list[AreaEntry] = [
    AreaEntry("city", N_("City summary"), "returns.svg", _city, levels=("city",)),  # city.md
    AreaEntry("enterprises", N_("Enterprises"), "enterprises.svg", _enterprises),
    AreaEntry("forums", N_("Forums"), "forums.svg", _forums),
    AreaEntry("meeting", N_("Matchmaking meeting"), "meeting.svg", _meeting),
    AreaEntry("projects", N_("Quality projects"), "projects.svg", _projects),
    AreaEntry("awards", N_("Awards"), "awards.svg", _awards),
    AreaEntry("partners", N_("Partners"), "partners.svg", _partners),
    AreaEntry("returns", N_("Annual return"), "returns.svg", _returns),
    AreaEntry("recycle", N_("Recycle bin"), "recycle.svg", _recycle),
    AreaEntry("settings", N_("Settings"), "settings.svg", _settings),
]

MIN_FONT_PT, MAX_FONT_PT = 9, 20
DEFAULT_SIZE = (1280, 800)
# A window frame's title bar and borders (Windows 10: 31 and 8 pixels), not known before it shows.
FRAME_TOP, FRAME_SIDE = 31, 8
FIRST_YEAR = 2013  # the policy's year


def available_areas(level: str | None = "county") -> list[tuple[AreaEntry, Callable[[], type]]]:
    """The areas an office of `level` (the setting; None is a county office) has, in navigation
    order, each with a loader that imports its class. Listing them imports none of them."""
    level = level or "county"
    return [(entry, lambda e=entry: area_class(e)) for entry in AREAS if level in entry.levels]


def area_class(entry: AreaEntry) -> type:
    """Import an area's module and return its class."""
    return entry.load()


class LazyAreas(Mapping):
    """The main window's areas by key, in navigation order; looking one up builds it on first use.

    `key in areas` and iteration over the keys build nothing; `built()` holds the areas made so far."""

    def __init__(self, build: Callable[[str], QWidget], keys: list[str]):
        self._build = build
        self._keys = list(keys)
        self._built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._keys:
            raise KeyError(key)
        widget = self._built.get(key)
        if widget is None:
            widget = self._build(key)
            self._built[key] = widget
        return widget

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def is_built(self, key: str) -> bool:
        return key in self._built

    def built(self) -> dict[str, QWidget]:
        return dict(self._built)


def first_geometry(available: QRect) -> tuple[QRect, bool]:
    """The window's geometry (without its frame) on the first start, and whether to maximize it.

    On a screen with room for it the default size, centred; on a smaller one (1366×768, most office
    PCs) the whole available area (the taskbar excluded), maximized, so that nothing — the status
    bar, a toolbar button — ends up beyond the screen's edge."""
    width, height = DEFAULT_SIZE
    room_w, room_h = available.width() - 2 * FRAME_SIDE, available.height() - FRAME_TOP - FRAME_SIDE
    if width <= room_w and height <= room_h:
        geometry = QRect(0, 0, width, height)
        geometry.moveCenter(available.center())
        return geometry, False
    return QRect(available.x() + FRAME_SIDE, available.y() + FRAME_TOP, room_w, room_h), True


def area_icon(entry: AreaEntry) -> QIcon:
    path = resources_dir() / "icons" / entry.icon
    icon = QIcon(str(path)) if path.exists() else QIcon()
    if icon.isNull() or not icon.availableSizes() and icon.pixmap(24).isNull():
        icon = QApplication.style().standardIcon(QStyle.SP_FileIcon)
    return icon


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("main_window")
        self.areas = LazyAreas(self._make_area, [])
        self._build()
        geometry = state.MAIN_GEOMETRY.get()
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)):
            self.fit_screen()
        ctx.settingsChanged.connect(self.refresh_header)
        ctx.dataChanged.connect(self._data_changed)
        ctx.languageChanged.connect(self._language_changed)
        self._zoom_actions()

    # ---- building (again after a language switch) ----------------------------------------
    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 0)
        top = QHBoxLayout()
        self.office_label = QLabel()
        self.office_label.setObjectName("office")
        font = self.office_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.office_label.setFont(font)
        top.addWidget(self.office_label, 1)
        top.addWidget(QLabel(_("Year")))
        self.year_box = QSpinBox()
        self.year_box.setObjectName("year")
        self.year_box.setRange(FIRST_YEAR, dt.date.today().year + 1)
        self.year_box.setValue(self.ctx.year)
        self.year_box.setMinimumWidth(self.fontMetrics().horizontalAdvance("20240") + 48)
        self.year_box.setToolTip(_("The year every area works on"))
        self.year_box.valueChanged.connect(self.ctx.set_year)
        top.addWidget(self.year_box)
        about = QPushButton(_("About"))
        about.setObjectName("about")
        about.setFlat(True)
        about.clicked.connect(lambda _c=False: self._show_about())
        top.addWidget(about)
        outer.addLayout(top)

        self.splitter = QSplitter(Qt.Horizontal)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setSpacing(2)
        self.nav.setMaximumWidth(200)
        self.stack = QStackedWidget()
        self._area_loaders: dict[str, Callable[[], type]] = {}
        keys = []
        for entry, loader in available_areas(self.ctx.setting("level")):
            self._area_loaders[entry.key] = loader
            keys.append(entry.key)
            placeholder = QWidget()  # replaced by the area the first time it is shown
            placeholder.setObjectName(f"placeholder_{entry.key}")
            self.stack.addWidget(placeholder)
            item = QListWidgetItem(area_icon(entry), _(entry.title))
            item.setData(Qt.UserRole, entry.key)
            item.setSizeHint(QSize(0, 40))
            self.nav.addItem(item)
        self.areas = LazyAreas(self._make_area, keys)
        self.nav.currentRowChanged.connect(self._show_row)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        saved = state.MAIN_SPLITTER.get()
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            self.splitter.restoreState(saved)
        else:
            self.splitter.setSizes([150, 1150])
        # The navigation as wide as its longest entry needs (Matchmaking meeting, in English).
        fm = self.nav.fontMetrics()
        text = max((fm.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count())), default=0)
        self.nav.setMinimumWidth(min(self.nav.maximumWidth(),
                                     text + self.nav.iconSize().width() + 2 * self.nav.frameWidth() + 36))
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        for name in ("db_label", "backup_label", "counts_label"):
            old = getattr(self, name, None)
            if old is not None:
                bar.removeWidget(old)
                old.deleteLater()
        self.db_label = QLabel()
        self.backup_label = QLabel()
        self.counts_label = QLabel()
        self.counts_label.setObjectName("status_counts")
        bar.addWidget(self.counts_label, 1)
        bar.addPermanentWidget(self.backup_label)
        bar.addPermanentWidget(self.db_label)
        self.refresh_header()
        self.refresh_status()
        self.nav.setCurrentRow(0)

    def fit_screen(self) -> None:
        """First start (no saved geometry): fit the screen's available area (first_geometry)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(*DEFAULT_SIZE)
            return
        geometry, maximized = first_geometry(screen.availableGeometry())
        self.setGeometry(geometry)
        if maximized:
            self.setWindowState(self.windowState() | Qt.WindowMaximized)

    def _show_about(self) -> None:
        from qoffice.ui.about import show_about  # version, licences of the bundled libraries

        show_about(self)

    def _zoom_actions(self) -> None:
        for keys, step in ((("Ctrl+=", "Ctrl++", QKeySequence.ZoomIn), 1), (("Ctrl+-", QKeySequence.ZoomOut), -1)):
            action = QAction(self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(lambda _c=False, s=step: self.zoom(s))
            self.addAction(action)

    def zoom(self, step: int) -> None:
        """Ctrl+= / Ctrl+-: the base font for older eyes, remembered in ui.ini."""
        app = QApplication.instance()
        font = QFont(app.font())
        size = min(MAX_FONT_PT, max(MIN_FONT_PT, round(font.pointSizeF()) + step))
        font.setPointSizeF(size)
        app.setFont(font)
        state.FONT_PT.set(size)

    # ---- what it shows -------------------------------------------------------------------
    def title_text(self) -> str:
        county = self.ctx.setting("county")
        title = _("qoffice — {county}").format(county=county) if county else _("qoffice")
        if self.ctx.setting("demo") == "1":
            title += " " + _("[demo data]")
        if getattr(self.ctx.db, "readonly", False):
            title += " " + _("[read-only]")
        return title

    def refresh_header(self) -> None:
        self.setWindowTitle(self.title_text())
        county, office = self.ctx.setting("county") or "", self.ctx.setting("office") or ""
        self.office_label.setText("　".join(p for p in (county, office) if p))

    def refresh_status(self) -> None:
        db = self.ctx.db
        where = db.label if getattr(db, "is_server", False) else db.path  # a server: user@host:port/db
        self.db_label.setText(_("Database: {path}").format(path=where))
        self.db_label.setToolTip(str(where))
        if getattr(db, "is_server", False):
            from qoffice.db.pgcopy import pseudo_path

            backup = last_backup(pseudo_path(db))  # the server backups made on this PC
        else:
            backup = last_backup(db.path)
        self.backup_label.setText(_("Last backup: {time}").format(time=backup.at.strftime("%Y-%m-%d %H:%M"))
                                  if backup else _("No backup yet"))

    def _data_changed(self, _table: str) -> None:
        self.refresh_status()

    def current_area(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _make_area(self, key: str) -> QWidget:
        """Build area `key` and put it in its placeholder's place in the stack."""
        row = list(self.areas).index(key)
        # The area's own context goes with it, and with it everything the area connected to it:
        # a language switch rebuilds the areas, and a destroyed one must hear nothing more.
        area_ctx = self.ctx.for_area()
        try:
            widget = self._area_loaders[key]()(area_ctx)
        except BaseException:
            area_ctx.deleteLater()
            raise
        area_ctx.setParent(widget)
        placeholder = self.stack.widget(row)
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, widget)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if current >= 0:
            self.stack.setCurrentIndex(current)
        signal = getattr(widget, "statusText", None)
        if signal is not None:
            signal.connect(lambda text, w=widget: self._area_status(w, text))
        return widget

    def show_area(self, key: str) -> QWidget:
        widget = self.areas[key]
        self.nav.setCurrentRow(self.stack.indexOf(widget))
        return widget

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        self.areas[list(self.areas)[row]]  # built on its first showing
        self.stack.setCurrentIndex(row)
        widget = self.stack.currentWidget()
        activated = getattr(widget, "activated", None)
        if activated is not None:
            activated()
        status = getattr(widget, "status_text", None)
        counted = getattr(getattr(widget, getattr(widget, "counted_list", "list"), None), "model", None)
        if status is not None and counted is not None and counted.counting():
            status = None  # a long list is still being counted: its statusText brings the counts
        self.counts_label.setText(status() if status else "")

    def _area_status(self, widget: QWidget, text: str) -> None:
        if widget is self.stack.currentWidget():
            self.counts_label.setText(text)

    def warm_up(self) -> None:
        """Build what the first search, sort or edit needs — SQLAlchemy, the models, the shown
        list's SQL — once the clerk has the first page in front of them.

        The window opens without SQLAlchemy (its import takes longer than the rest of the start
        together); imported on the first keystroke instead, it would make that keystroke lag.
        It runs on the GUI thread on purpose: an import holds the GIL and the import lock, so a
        thread would not make it faster (measured: slower), and a module imported from two
        threads at once can be seen half-initialised.
        """
        area = self.current_area()
        lst = getattr(area, "list", None)
        if lst is not None:
            lst.definition.built()
        import qoffice.db.models  # noqa: F401  (the editors and services need them next)

    def rows_shown(self) -> int:
        area = self.current_area()
        lst = getattr(area, "list", None)
        return lst.model.rowCount() if lst is not None else 0

    # ---- language and closing ------------------------------------------------------------
    def _language_changed(self, language: str) -> None:
        from qoffice.ui.language import apply_language

        apply_language(language)
        key = next((k for k, w in self.areas.built().items() if w is self.stack.currentWidget()), None)
        self.save_state()
        old = self.centralWidget()
        for dialog in old.findChildren(QDialog):  # an open editor keeps what the clerk typed:
            if dialog.isVisible():  # it outlives the area that opened it (in the old language)
                dialog.setParent(self, dialog.windowFlags())
                dialog.show()  # setParent hides it
        self._build()
        old.deleteLater()
        if key in self.areas:
            self.show_area(key)

    def save_state(self) -> None:
        settings = ui_settings()
        state.MAIN_GEOMETRY.set(self.saveGeometry(), settings)
        state.MAIN_SPLITTER.set(self.splitter.saveState(), settings)
        for widget in self.areas.built().values():  # an area never shown has no state to keep
            lst = getattr(widget, "list", None)
            if lst is not None:
                lst.save_state(settings)
        settings.sync()

    def closeEvent(self, event) -> None:
        self.save_state()
        super().closeEvent(event)
