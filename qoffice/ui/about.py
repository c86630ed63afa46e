"""The 关于 (About) dialog: the version, the runtime, and the licence notices of what ships with qoffice.

The notices are the text files in resources/licenses (bundled into the frozen folder too), so what
the dialog shows is exactly what ships beside the program: NOTICE.txt first (Qt/PySide6 under
LGPLv3 and every other bundled library), then the full licence texts.
"""
from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from qoffice import __version__
from qoffice.i18n import _
from qoffice.paths import resources_dir


def licenses_dir() -> Path:
    return resources_dir() / "licenses"


def licence_files() -> list[Path]:
    """NOTICE.txt first, then qoffice's and Qt's licences, then the other libraries' texts."""
    folder = licenses_dir()
    first = [folder / "NOTICE.txt", folder / "GPL-3.0.txt", folder / "LGPL-3.0.txt"]
    rest = sorted((folder / "third-party").glob("*.txt"), key=lambda p: p.name.lower())
    return [p for p in first if p.exists()] + rest


def _label_for(path: Path) -> str:
    names = {
        "NOTICE.txt": _("Overview: qoffice, Qt/PySide6 (LGPLv3) and bundled libraries"),
        "GPL-3.0.txt": _("GNU GPL v3 (qoffice)"),
        "LGPL-3.0.txt": _("GNU LGPL v3 (Qt, PySide6)"),
    }
    return names.get(path.name, path.stem)


class AboutDialog(QDialog):
    """Version and licences; the licence shown is picked from a list of the bundled texts."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(_("About {app}").format(app=_("qoffice")))
        self.resize(720, 560)

        icon = QLabel()
        pixmap = QPixmap(str(resources_dir() / "icons" / "qoffice.png"))
        if not pixmap.isNull():
            icon.setPixmap(pixmap.scaled(64, 64, Qt.KeepAspectRatio, Qt.SmoothTransformation))
        title = QLabel(_("qoffice"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.version_label = QLabel(_("Version {version}").format(version=__version__))
        self.version_label.setObjectName("aboutVersion")
        runtime = QLabel(_("Python {python} · Qt {qt} · PySide6 {pyside}").format(
            python=platform.python_version(), qt=qVersion(), pyside=pyside_version))
        runtime.setTextInteractionFlags(Qt.TextSelectableByMouse)
        licence_note = QLabel(_("qoffice is free software under the GNU GPL v3. It uses Qt and PySide6 "
                                "under the GNU LGPL v3; the notices of every bundled library follow."))
        licence_note.setWordWrap(True)

        head = QVBoxLayout()
        head.addWidget(title)
        head.addWidget(self.version_label)
        head.addWidget(runtime)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignTop)
        top.addLayout(head, 1)

        self.files = licence_files()
        self.chooser = QComboBox()
        self.chooser.setObjectName("aboutLicenceChooser")
        for path in self.files:
            self.chooser.addItem(_label_for(path), str(path))
        self.text = QPlainTextEdit()
        self.text.setObjectName("aboutLicenceText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        folder = QLabel(_("These texts are also in the folder {folder}").format(folder=licenses_dir()))
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(Qt.TextSelectableByMouse)

        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(licence_note)
        layout.addWidget(self.chooser)
        layout.addWidget(self.text, 1)
        layout.addWidget(folder)
        layout.addWidget(buttons)

        self.chooser.currentIndexChanged.connect(self._show_file)
        self._show_file(0)

    def _show_file(self, index: int) -> None:
        if not self.files:
            self.text.setPlainText(_("The licence files are missing from {folder}.").format(folder=licenses_dir()))
            return
        path = Path(self.chooser.itemData(index))
        try:
            self.text.setPlainText(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.text.setPlainText(str(exc))
        self.text.moveCursor(self.text.textCursor().MoveOperation.Start)


def show_about(parent: QWidget | None = None) -> None:
    """Open the About dialog modally (the Help menu's 关于 entry)."""
    dialog = AboutDialog(parent)
    dialog.exec()
