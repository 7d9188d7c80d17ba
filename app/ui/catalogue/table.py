"""The catalogue's table of models, and the notice that stands in its place when it lists nothing.

Rows select whole models; Ctrl-click selects several (what Compare takes). The
Name column stays in view when the others scroll (FrozenColumnTable). A row's
registry index (``ENTRY_ROLE``), not its position, is what the window acts on:
sorting and filtering move rows, never the entries they stand for.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView

from model_picker.ui.catalogue.frozen_table import FrozenColumnTable
from model_picker.ui.catalogue.table_model import ENTRY_ROLE, CatalogueProxy

MAX_COLUMN_WIDTH = 260  # a column fitted to its contents is never wider (long names, URLs)


class CatalogueTable(FrozenColumnTable):
    """The models of ``proxy`` (the filtered, sortable catalogue), one per row."""

    def __init__(self, proxy: CatalogueProxy) -> None:
        super().__init__()
        self.setObjectName("models")
        self.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.setModel(proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)  # Ctrl-click: Compare
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setWordWrap(False)

    def selected_entry(self) -> int | None:
        """The registry index of the selected row: with several selected, the one clicked last."""
        # selectedIndexes, not selectedRows: a click on the frozen Name column selects the row's
        # visible cells only, and selectedRows wants every column of the row.
        cells = self.selectionModel().selectedIndexes()
        if not cells:
            return None
        current = self.currentIndex()
        rows = {c.row() for c in cells}
        return int((current if current.isValid() and current.row() in rows else cells[0]).data(ENTRY_ROLE))

    def select_entry(self, entry_index: int) -> None:
        """Select the row of a registry entry and scroll to it (nothing when the filters hide it)."""
        proxy = self.model()
        row = proxy.mapFromSource(proxy.sourceModel().index(entry_index, 0))
        if row.isValid():
            self.selectionModel().setCurrentIndex(
                row, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(row)

    def fit_columns(self) -> None:
        """Columns as wide as their contents, none wider than MAX_COLUMN_WIDTH."""
        self.resizeColumnsToContents()
        for column in range(self.model().columnCount()):
            self.setColumnWidth(column, min(self.columnWidth(column), MAX_COLUMN_WIDTH))


class EmptyNotice(QLabel):
    """Where the table stands when there is nothing to list: it says what to do next."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("table-empty")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.hide()

    def say(self, text: str) -> None:
        """Show ``text``; an empty text hides the notice."""
        self.setText(text)
        self.setVisible(bool(text))
