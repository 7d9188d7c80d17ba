"""Tools → Model Cache: the models fetched for offline use, with verify and remove."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from model_picker.zoo import cache

COLUMNS = ["Model", "Size", "Fetched", "From zoo", "Check"]


class CacheDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model cache")
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        self.where = QLabel()
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("cache-table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No model has been fetched yet. Select a model whose zoo is on a server and press "
                            "“Fetch for offline use”; bundled models need no fetching.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        buttons = QHBoxLayout()
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip("Check the JSON, the files and the checksum of the selected models")
        self.remove_button = QPushButton("Remove")
        refresh = QPushButton("Refresh")
        close = QPushButton("Close")
        self.verify_button.clicked.connect(self.verify_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        refresh.clicked.connect(self.refresh)
        close.clicked.connect(self.accept)
        for button in (self.verify_button, self.remove_button, refresh):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        models = cache.list_cached()
        self.table.setRowCount(len(models))
        for row, model in enumerate(models):
            values = [model.name, f"{model.size_bytes / 1e6:.1f} MB", model.modified_text(), model.zoo_url or "—", ""]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.where.setText(f"{len(models)} models, {cache.total_bytes() / 1e6:.1f} MB in {cache.cache_root()}")
        self.table.setVisible(bool(models))
        self.empty.setVisible(not models)
        self.verify_button.setEnabled(bool(models))
        self.remove_button.setEnabled(bool(models))

    def _selected(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).text() for r in rows]

    def verify_selected(self) -> None:
        names = self._selected() or [self.table.item(r, 0).text() for r in range(self.table.rowCount())]
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0).text()
            if name in names:
                problems = cache.verify(name)
                item = QTableWidgetItem("OK" if not problems else "Problem")
                item.setToolTip("\n".join(map(str, problems)) or "JSON, files and checksum are fine")
                item.setForeground(Qt.GlobalColor.darkGreen if not problems else Qt.GlobalColor.darkRed)
                self.table.setItem(row, 4, item)

    def remove_selected(self) -> None:
        names = self._selected()
        if not names:
            return
        answer = QMessageBox.question(self, "Remove models", f"Remove {', '.join(names)} from the cache?")
        if answer == QMessageBox.StandardButton.Yes:
            for name in names:
                cache.remove(name)
            self.refresh()
