"""The registry as a Qt table: a QAbstractTableModel over the catalogue, and a proxy.

Filtering is decided by the catalogue (one vectorised mask per query), the proxy
only looks the row up in that mask; sorting uses the catalogue's precomputed
ranks so that entries without the column's value stay last in either order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from model_picker.registry import Catalogue
from model_picker.registry.catalogue import MISSING
from model_picker.ui.shell.guard import qt_virtual

Index = QModelIndex | QPersistentModelIndex
CORE_COLUMNS = [("name", "Name"), ("task", "Task"), ("hardware", "Hardware"), ("alias", "Alias")]
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # the entry index in the catalogue


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class CatalogueTableModel(QAbstractTableModel):
    """All entries of one catalogue; columns: name, task, hardware, alias, then metadata keys."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.catalogue: Catalogue | None = None
        self.columns: list[tuple[str, str]] = []
        self.unrunnable: dict[int, str] = {}  # entry index -> why the current host cannot run it (from the Session)
        self._warn_icon: QIcon | None = None

    def set_catalogue(self, catalogue: Catalogue) -> None:
        self.beginResetModel()
        self.catalogue = catalogue
        meta = [(k, k.replace("_", " ").capitalize()) for k in catalogue.meta_keys]
        self.columns = CORE_COLUMNS + [(f"metadata.{k}", title) for k, title in meta]
        self.unrunnable = {}
        self.endResetModel()

    def set_unrunnable(self, reasons: dict[int, str]) -> None:
        """Grey the entries the current host cannot run (Session.unrunnable: entry index -> why)."""
        self.unrunnable = dict(reasons)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    @qt_virtual(0)
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() or self.catalogue is None else len(self.catalogue)

    @qt_virtual(0)
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    @qt_virtual()
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][1]
        return None

    def value(self, row: int, column: int) -> Any:
        assert self.catalogue is not None
        value = self.catalogue.field_value(self.catalogue.entries[row], self.columns[column][0])
        return None if value is MISSING else value

    @qt_virtual()
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.catalogue is None:
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _format(self.value(row, column))
        if role == ENTRY_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            if row in self.unrunnable:
                return self.unrunnable[row]
            return self.catalogue.entries[row].description or None
        if role == Qt.ItemDataRole.ForegroundRole and row in self.unrunnable:
            return QBrush(QColor(128, 128, 128))
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and row in self.unrunnable:
            if self._warn_icon is None:
                self._warn_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            return self._warn_icon
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(self.value(row, column), int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class CatalogueProxy(QSortFilterProxyModel):
    """Shows the rows the catalogue's mask keeps; sorts by the catalogue's ranks."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._mask: np.ndarray | None = None

    def set_mask(self, mask: np.ndarray) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+; invalidateRowsFilter is deprecated there
            self.beginFilterChange()
            self._mask = mask
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._mask = mask
            self.invalidateRowsFilter()

    @qt_virtual()
    def setSourceModel(self, model: Any) -> None:
        super().setSourceModel(model)
        # The source resets before the window computes the new registry's mask: forget the old
        # one then, or endResetModel filters the new rows with a mask of another length.
        model.modelAboutToBeReset.connect(self._forget_mask)

    def _forget_mask(self) -> None:
        self._mask = None

    @qt_virtual(True)
    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        mask = self._mask
        return mask is None or source_row >= len(mask) or bool(mask[source_row])

    @qt_virtual(False)
    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, CatalogueTableModel) and model.catalogue is not None
        ranks = model.catalogue.sort_rank(model.columns[left.column()][0])
        a, b = ranks[left.row()], ranks[right.row()]
        descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
        if a < 0 or b < 0:  # missing values last, whichever the order
            return (a >= 0 and b < 0) != descending if a != b else left.row() < right.row()
        if a == b:
            return (left.row() < right.row()) != descending  # ties keep registry order
        return a < b
