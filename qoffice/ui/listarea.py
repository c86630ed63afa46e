"""The one list-area widget (screens.md "A list area"): toolbar, search, filters, table, counts.

Every list screen is a ListArea over a ListDefinition (qoffice.ui.listmodel):

    area = ListArea(ctx.db, FORUMS,
                    on_new=self.new_forum,              # () -> None
                    on_edit=self.open_forum,            # (record_id) -> None; also double-click
                    on_delete=self.delete_forums,       # (ids) -> None, after the confirmation
                    on_import=None, on_template=None,   # () -> None; no handler → no button
                    on_export=self.export,              # (model) -> None; model.statement() is the list
                    actions=[ListAction(_("Restore"), self.restore, needs_selection=True)],
                    empty_text=_("No forums yet. Click “New” to plan one."))
    area.reload()                                       # after any write

Buttons exist only for the handlers given (no dead buttons). The search box's placeholder is the
definition's `search_hint`; typing re-queries after a short pause (DEBOUNCE_MS), `apply_search_now()`
does it at once (tests, benchmarks). Delete asks first (`delete_question(ids)` may phrase it); the
Delete key and the right-click menu offer the same actions as the toolbar. Column widths and the
sort order are remembered per list (definition.name) in the data folder's ui.ini.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayoutItem,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qoffice.i18n import _
from qoffice.ui import messages, state
from qoffice.ui.flowlayout import FlowLayout
from qoffice.ui.listmodel import ListDefinition, SqlListModel
from qoffice.ui.state import ui_settings

DEBOUNCE_MS = 200
SEARCH_MIN_WIDTH = 180
FILTER_LIST_PADDING = 32  # a drop-down list's margins and scroll bar beside its widest entry


@dataclass
class ListAction:
    """An extra toolbar/context action; `handler(ids)` when needs_selection, else `handler()`."""

    text: str  # already translated
    handler: Callable[..., None]
    needs_selection: bool = True
    shortcut: QKeySequence | str | None = None
    # For a selection action: why it cannot apply to the selected ids ("" or None when it can);
    # the button and menu entry are disabled with that reason as their tooltip.
    applies: Callable[[list], str | None] | None = None


class ToolbarLayout(FlowLayout):
    """A list's toolbar: the buttons (a widget with a FlowLayout) and the finders (filters and the
    search box, a widget of its own).

    The buttons stay on one row whenever the width allows: the finders sit beside them, right-
    aligned, when the buttons and the finders at their narrowest (the search box down to
    SEARCH_MIN_WIDTH) fit — the enterprise list at 1366×768 —, else on a row of their own below
    (the sign-up list's eleven buttons); only a width too small for the buttons alone wraps them.
    (A box layout would take a shortfall from every widget alike, wrapping the buttons first.)"""

    # Item keeping (addItem, count, itemAt, takeAt) and heightForWidth-ness come from FlowLayout;
    # the arrangement is this class's own.

    def expandingDirections(self):  # noqa: N802
        return Qt.Horizontal

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def _parts(self):
        buttons = self._items[0] if self._items else None
        finders = self._items[1] if len(self._items) > 1 and not self._items[1].isEmpty() else None
        return buttons, finders

    def sizeHint(self) -> QSize:  # noqa: N802
        buttons, finders = self._parts()
        b = buttons.sizeHint() if buttons else QSize()
        f = finders.sizeHint() if finders else QSize(-self._spacing, 0)
        return QSize(b.width() + self._spacing + f.width(), max(b.height(), f.height()))

    def minimumSize(self) -> QSize:  # noqa: N802
        buttons, finders = self._parts()
        width = max(buttons.minimumSize().width() if buttons else 0, finders.minimumSize().width() if finders else 0)
        return QSize(width, buttons.minimumSize().height() if buttons else 0)

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        return item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height()

    def _arrange(self, rect: QRect, apply: bool) -> int:
        buttons, finders = self._parts()
        if buttons is None:
            return 0
        x, y, width = rect.x(), rect.y(), rect.width()
        row = buttons.sizeHint().width()
        if finders is None:
            height = self._height(buttons, width)
            if apply:
                buttons.setGeometry(QRect(x, y, width, height))
            return height
        f_hint, f_min = finders.sizeHint(), finders.minimumSize().width()
        if row + self._spacing + f_min <= width:  # one row
            f_width = min(f_hint.width(), width - row - self._spacing)
            b_width = width - f_width - self._spacing
            b_height = self._height(buttons, b_width)
            if apply:
                buttons.setGeometry(QRect(x, y, b_width, b_height))
                finders.setGeometry(QRect(x + width - f_width, y, f_width, f_hint.height()))
            return max(b_height, f_hint.height())
        b_height = self._height(buttons, width)
        f_width = min(f_hint.width(), width)
        if apply:
            buttons.setGeometry(QRect(x, y, width, b_height))
            finders.setGeometry(QRect(x + width - f_width, y + b_height + self._spacing, f_width, f_hint.height()))
        return b_height + self._spacing + f_hint.height()


class SearchBox(QLineEdit):
    """The search field: as wide as its hint of what it searches when there is room, narrower when not."""

    hint_width = 0

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.hint_width), hint.height())


class ListArea(QWidget):
    countsChanged = Signal(str)  # "共 N 条 (筛选后 M 条)" for the status bar
    selectionChanged = Signal()

    def __init__(self, db, definition: ListDefinition, *, on_new: Callable[[], None] | None = None,
                 on_edit: Callable[[Any], None] | None = None,
                 on_delete: Callable[[list], None] | None = None,
                 on_import: Callable[[], None] | None = None,
                 on_template: Callable[[], None] | None = None,
                 on_export: Callable[[SqlListModel], None] | None = None,
                 actions: Sequence[ListAction] = (),
                 delete_question: Callable[[list], str] | None = None,
                 empty_text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.definition = definition
        self.on_edit, self.on_delete = on_edit, on_delete
        self.delete_question = delete_question
        self.empty_text = empty_text or _("Nothing here yet.")
        self.model = SqlListModel(db, definition, self)
        self._selection_actions: list[QAction] = []
        self._menu_actions: list[QAction] = []
        self._applies: dict[str, Callable[[list], str | None]] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        button_box = QWidget()
        self._button_box = button_box
        button_box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        bar = FlowLayout(button_box)
        self.buttons: dict[str, QPushButton] = {}
        if on_new is not None:
            self._add_action("new", _("New"), lambda: on_new(), False, QKeySequence.New, bar)
        if on_edit is not None:
            self._add_action("edit", _("Edit"), self._edit_current, True, None, bar)
        if on_delete is not None:
            self._add_action("delete", _("Delete"), self.delete_selected, True, None, bar)
        for i, extra in enumerate(actions):
            handler = (lambda h=extra.handler: h(self.selected_ids())) if extra.needs_selection else extra.handler
            self._add_action(f"action{i}", extra.text, handler, extra.needs_selection, extra.shortcut, bar)
            if extra.applies is not None:
                self._applies[f"action{i}"] = extra.applies
        if on_import is not None:
            self._add_action("import", _("Import"), lambda: on_import(), False, None, bar)
        if on_template is not None:
            self._add_action("template", _("Download template"), lambda: on_template(), False, None, bar)
        if on_export is not None:
            self._add_action("export", _("Export"), lambda: on_export(self.model), False, None, bar)
        # The filters and the search box: beside the buttons when they fit, else on a row of their own.
        self._finders = QWidget()
        self._finders.setObjectName("finders")
        bar = QHBoxLayout(self._finders)
        bar.setContentsMargins(0, 0, 0, 0)
        self.filter_boxes: dict[str, QComboBox] = {}
        for flt in definition.filters:
            box = QComboBox()
            box.setObjectName(f"filter_{flt.key}")
            box.setToolTip(_(flt.title))
            box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            box.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)  # the search box gives way, not its text
            box.currentIndexChanged.connect(lambda _i, key=flt.key, b=box: self.model.set_filter(key, b.currentData()))
            self.filter_boxes[flt.key] = box
            bar.addWidget(box, 0, Qt.AlignTop)
        self.search_box = SearchBox()
        self.search_box.setObjectName("search")
        self.search_box.setClearButtonEnabled(True)
        hint = _(definition.search_hint) if definition.search_hint else _("Search")
        self.search_box.setPlaceholderText(_("Search: {fields}").format(fields=hint))
        # Wide enough to read the whole hint of what it searches, within reason, when there is room;
        # it gives way first (down to SEARCH_MIN_WIDTH) so that the buttons keep to one row.
        self.search_box.hint_width = min(320, max(200, self.search_box.fontMetrics().horizontalAdvance(
            self.search_box.placeholderText()) + 36))
        self.search_box.setMinimumWidth(SEARCH_MIN_WIDTH)
        self.search_box.setVisible(bool(definition.search_hint))
        bar.addWidget(self.search_box, 0, Qt.AlignTop)
        self._finders.setVisible(bool(definition.filters or definition.search_hint))
        self.toolbar = ToolbarLayout()
        layout.addLayout(self.toolbar)
        self.toolbar.addWidget(button_box)
        self.toolbar.addWidget(self._finders)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_search_now)
        self.search_box.textChanged.connect(lambda _t: self._debounce.start())
        self.search_box.returnPressed.connect(self.apply_search_now)

        self.table = QTableView()
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionsMovable(False)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.table.doubleClicked.connect(lambda _i: self._edit_current())
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        if on_delete is not None:
            shortcut = QShortcut(QKeySequence.Delete, self.table)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.delete_selected)
        enter = QShortcut(QKeySequence(Qt.Key_Return), self.table)
        enter.setContext(Qt.WidgetShortcut)
        enter.activated.connect(self._edit_current)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("empty")
        self.empty_label.setAlignment(Qt.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(mid); font-size: 115%; padding: 40px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        layout.addWidget(self.stack, 1)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("counts")
        layout.addWidget(self.counts_label)

        self.model.countsChanged.connect(self._on_counts)
        self.model.modelReset.connect(self._update_selection_actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_selection_actions())
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(300)
        self._save_timer.timeout.connect(self.save_state)
        self._sizing = False  # the widths being set here, not by the clerk
        self._size_timer = QTimer(self)
        self._size_timer.setSingleShot(True)
        self._size_timer.timeout.connect(self._size_columns)
        self._restore_state()
        self.model.modelReset.connect(self._size_timer.start)
        header.sortIndicatorChanged.connect(lambda *_a: self._save_timer.start())
        header.sectionResized.connect(lambda *_a: self._save_timer.start())
        header.sectionResized.connect(self._section_resized)
        self._update_selection_actions()

    # ---- building ------------------------------------------------------------------------
    def _add_action(self, key: str, text: str, handler, needs_selection: bool, shortcut, bar) -> None:
        button = QPushButton(text)
        button.setObjectName(f"button_{key}")
        button.clicked.connect(lambda _c=False: handler())
        bar.addWidget(button)
        self.buttons[key] = button
        action = QAction(text, self)
        action.triggered.connect(lambda _c=False: handler())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.addAction(action)
        self._menu_actions.append(action)
        if needs_selection:
            self._selection_actions.append(action)
            action.setProperty("button", key)

    def _update_selection_actions(self) -> None:
        has = bool(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else False
        ids = self.selected_ids() if has and self._applies else []
        for action in self._selection_actions:
            key = action.property("button")
            why = self._applies[key](ids) if has and key in self._applies else None
            action.setEnabled(has and not why)
            self.buttons[key].setEnabled(has and not why)
            if key in self._applies:
                self.buttons[key].setToolTip(why or "")
                action.setToolTip(why or "")
        self.selectionChanged.emit()

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        menu = QMenu(self)
        for action in self._menu_actions:
            menu.addAction(action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # ---- state ---------------------------------------------------------------------------
    def _state_key(self) -> state.UiKey:
        return state.list_header(self.definition.name)

    def _restore_state(self) -> None:
        header = self.table.horizontalHeader()
        saved = self._state_key().get()
        restored = isinstance(saved, QByteArray) and not saved.isEmpty() and header.restoreState(saved)
        self._by_hand = restored and state.list_widths_by_hand(self.definition.name).get() in (True, "true")
        self._size_columns()
        if not restored:
            col = self.model.sort_column()
            if col >= 0:
                header.setSortIndicator(col, Qt.DescendingOrder if self.model.sort_state()[1] else Qt.AscendingOrder)
        else:
            # The saved sort order becomes the model's before the first query runs.
            section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
            keys = self.model.column_keys()
            if 0 <= section < len(keys):
                self.model.set_sort_state(keys[section], order == Qt.DescendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)

    # ---- column widths -------------------------------------------------------------------
    # Until the clerk sizes a column by hand, the widths follow the window and the rows shown: each
    # column starts at its definition's width (a Column.fits text always whole), and the width the
    # last column would stretch into goes to the columns whose text on the page is cut, left to
    # right, each up to what it needs. Once the clerk drags a column, the widths stay as left.

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._by_hand:
            self._size_timer.start()

    def showEvent(self, event) -> None:
        self._size_columns()  # before the first paint: a later change repaints every cell
        super().showEvent(event)

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if self._sizing or self._by_hand or column == self.model.columnCount() - 1:
            return  # set here, or the stretched last column following the window
        self._by_hand = True
        state.list_widths_by_hand(self.definition.name).set(True)

    def _size_columns(self) -> None:
        view = self.table
        header = view.horizontalHeader()
        margin = 2 * (view.style().pixelMetric(QStyle.PM_FocusFrameHMargin, None, view) + 1) + 4
        offset = 1 if self.definition.row_number else 0
        if self._by_hand:
            widths = {c: header.sectionSize(c) for c in range(self.model.columnCount())}
        else:  # from the definition each time: a column grown into spare width gives it back
            widths = {i + offset: col.width or header.defaultSectionSize()
                      for i, col in enumerate(self.definition.columns)}
            if offset:
                widths[0] = 52
        for i, col in enumerate(self.definition.columns):  # whole, even in a layout left narrower
            if col.fits:
                widths[i + offset] = max(widths[i + offset], view.fontMetrics().horizontalAdvance(col.fits) + margin)
        if not self._by_hand and view.isVisible() and self.model.rowCount():
            self._share_free_width(widths, margin)
        self._sizing = True
        try:
            # only what changes (each change repaints); the stretched last column once, before it shows
            last = len(widths) - 1 if view.isVisible() else len(widths)
            for column, width in widths.items():
                if column < last and header.sectionSize(column) != width:
                    view.setColumnWidth(column, width)
        finally:
            self._sizing = False

    def _share_free_width(self, widths: dict[int, int], margin: int) -> None:
        view, fm = self.table, self.table.fontMetrics()
        header = view.horizontalHeader()
        # the viewport's size without asking for the viewport: its first Python wrapper costs ~10 ms
        # of PySide6 start-up, on the path to the first window
        space = view.maximumViewportSize()
        row_height = max(view.verticalHeader().defaultSectionSize(), 1)
        rows = min(self.model.loaded_row_count(), space.height() // row_height + 1)

        def needed(column: int) -> int:
            texts = [self.model.index(r, column).data() for r in range(rows)]
            cells = max((fm.horizontalAdvance(t) for t in texts if isinstance(t, str)), default=0) + margin
            title = str(self.model.headerData(column, Qt.Horizontal) or "")
            return max(cells, header.fontMetrics().horizontalAdvance(title) + margin + 16)  # + sort arrow

        width = space.width()  # less the frame and the header, not yet the scroll bar
        if self.model.rowCount() * row_height > space.height():
            width -= view.style().pixelMetric(QStyle.PM_ScrollBarExtent, None, view)  # the vertical bar
        last = len(widths) - 1
        # the stretched last column never goes below the width it was given (Qt keeps that size)
        last_width = max(needed(last), self.definition.columns[-1].width or header.defaultSectionSize())
        free = width - sum(widths[c] for c in range(last)) - last_width
        for column in range(last):
            if free <= 0:
                break
            grow = min(needed(column) - widths[column], free)
            if grow > 0:
                widths[column] += grow
                free -= grow

    def save_state(self, settings=None) -> None:
        """Remember the column widths and sort order; `settings`: the caller's QSettings, which
        the caller syncs (the main window saves every list with one write at exit)."""
        own = settings is None
        settings = ui_settings() if own else settings
        self._state_key().set(self.table.horizontalHeader().saveState(), settings)
        if own:
            settings.sync()

    # ---- data ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-query (after a write) keeping search, filters, sort and, when possible, the selection."""
        keep = self.selected_ids()
        if not self._filters_loaded:
            self.reload_filters()
        self.model.reload()
        for record_id in keep:
            self.select_id(record_id, clear=False)

    _filters_loaded = False

    def reload_filters(self) -> None:
        """Refill the drop-downs (e.g. after the county list changed in the settings)."""
        self._filters_loaded = True
        for flt in self.definition.filters:
            box = self.filter_boxes[flt.key]
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(_(flt.all_title) if flt.all_title else _("All"), None)
            for choice in self.model.filter_choices(flt):
                box.addItem(str(choice), choice)
            # As wide as its “all” entry or five characters, not as its longest choice (南通经济技术开发区):
            # the drop-down list shows every choice whole.
            fm = box.fontMetrics()
            widest = max((fm.horizontalAdvance(box.itemText(i)) for i in range(box.count())), default=0)
            text_w = max(fm.horizontalAdvance(box.itemText(0)), fm.horizontalAdvance("中" * 5))
            opt = QStyleOptionComboBox()
            box.initStyleOption(opt)
            box.setMaximumWidth(box.style().sizeFromContents(QStyle.CT_ComboBox, opt, QSize(text_w, fm.height()),
                                                             box).width() + 4)
            box.view().setMinimumWidth(widest + FILTER_LIST_PADDING)
            i = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(i, 0))
            box.blockSignals(False)

    def apply_search_now(self) -> None:
        self._debounce.stop()
        self.model.set_query(self.search_box.text())

    def set_filter(self, key: str, value) -> None:
        box = self.filter_boxes[key]
        box.setCurrentIndex(max(box.findData(value), 0) if value is not None else 0)

    def _on_counts(self, total: int, filtered: int) -> None:
        text = self.model.counts_text()
        self.counts_label.setText(text)
        if filtered:
            self.stack.setCurrentWidget(self.table)
        else:
            self.empty_label.setText(self.empty_text if total == 0 else
                                     _("No records match the search or the filters."))
            self.stack.setCurrentWidget(self.empty_label)
        self.countsChanged.emit(text)

    def counts_text(self) -> str:
        return self.model.counts_text()

    # ---- selection and actions ------------------------------------------------------------
    def selected_ids(self) -> list:
        sm = self.table.selectionModel()
        rows = sorted(i.row() for i in sm.selectedRows()) if sm else []
        return [self.model.row_id(r) for r in rows if r < self.model.loaded_row_count()]

    def current_id(self):
        index = self.table.currentIndex()
        if index.isValid() and self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            return self.model.row_id(index.row())
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_id(self, record_id, clear: bool = True) -> bool:
        row = self.model.row_of_id(record_id)
        if row < 0:
            return False
        flags = QItemSelectionModel.Select | QItemSelectionModel.Rows
        if clear:
            flags |= QItemSelectionModel.Clear
        index = self.model.index(row, 0)
        self.table.selectionModel().select(index, flags)
        self.table.setCurrentIndex(index) if clear else None
        self.table.scrollTo(index)
        return True

    def reveal_id(self, record_id) -> bool:
        """Select a record the clerk asked to see (a check on the 年度报表 page): a search or a
        filter hiding it is cleared, and pages are loaded until it is there. False when the
        list cannot show it at all (another year, the recycle bin)."""
        if self.select_id(record_id):
            return True
        if self.model.is_narrowed():
            self._debounce.stop()
            for widget in (self.search_box, *self.filter_boxes.values()):
                widget.blockSignals(True)
            self.search_box.clear()
            for box in self.filter_boxes.values():
                box.setCurrentIndex(0)
            for widget in (self.search_box, *self.filter_boxes.values()):
                widget.blockSignals(False)
            self.model.clear_search_and_filters()
        while not self.select_id(record_id):
            if not self.model.canFetchMore():
                return False
            self.model.fetchMore()
        return True

    def _edit_current(self) -> None:
        record_id = self.current_id()
        if record_id is not None and self.on_edit is not None:
            self.on_edit(record_id)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self.on_delete is None:
            return
        question = (self.delete_question(ids) if self.delete_question else
                    _("Delete the {n} selected records?").format(n=len(ids)))
        if messages.ask(self, question, default=False):
            self.on_delete(ids)
