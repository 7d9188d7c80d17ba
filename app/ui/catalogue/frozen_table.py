"""A table whose first column (the model's name) stays in place when the others scroll.

Qt's "frozen column" pattern: a second QTableView showing only column 0 lies over
the main view's first column, shares its model, selection and vertical scrolling,
and follows its column width. Clicks on either select the same row.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from model_picker.ui.shell.guard import qt_virtual

NAME_SHARE = 0.6


class FrozenColumnTable(QTableView):
    """``name_view`` is the overlay that shows column 0 whatever the horizontal scroll."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_view = QTableView(self)
        self.name_view.setObjectName("models-name")
        self.name_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.name_view.verticalHeader().hide()
        self.name_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.name_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.name_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.name_view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.name_view.setVerticalScrollMode(self.verticalScrollMode())
        self.name_view.setAlternatingRowColors(True)
        self.name_view.setWordWrap(False)
        self.name_view.horizontalHeader().setSortIndicatorShown(True)
        self.name_view.setStyleSheet("QTableView { border: none; border-right: 1px solid palette(mid); }")
        self.viewport().stackUnder(self.name_view)
        # The width the names want (their contents after a load, or the user's drag); a narrow or
        # hidden table (presentation mode) caps it for a while, and it comes back when there is room.
        self._name_wanted = 0
        self._fitting = False
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(
            lambda i, _old, size: self.name_view.setRowHeight(i, size))
        self.name_view.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.name_view.verticalScrollBar().setValue)
        # Sorting by the name from the overlay's header sorts the table.
        self.name_view.horizontalHeader().sectionClicked.connect(self._sort_by_name)
        self.horizontalHeader().sortIndicatorChanged.connect(
            lambda column, order: self.name_view.horizontalHeader().setSortIndicator(column, order))

    @qt_virtual()
    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        self.name_view.setModel(model)
        self.name_view.setSelectionModel(self.selectionModel())
        # A click on a name selects the whole row (Ctrl-click adds or removes it, as in the table itself).
        self.name_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.name_view.setSelectionMode(self.selectionMode())
        if model is not None:
            model.modelReset.connect(self._columns_changed)
            model.layoutChanged.connect(self._columns_changed)
        self._columns_changed()

    def _columns_changed(self, *_args: Any) -> None:
        model = self.model()
        columns = model.columnCount() if model is not None else 0
        for column in range(columns):
            self.name_view.setColumnHidden(column, column != 0)
        self.name_view.setVisible(columns > 0)
        if columns:
            self.name_view.setColumnWidth(0, self.columnWidth(0))
        self._place()

    def _name_cap(self) -> int:
        """The Name column leaves room for the others: at most NAME_SHARE of the visible width."""
        return max(120, int(self.viewport().width() * NAME_SHARE))

    def fit_name_column(self) -> None:
        """The Name column at the width it wants, within its cap (after a load or a resize)."""
        width = min(self._name_wanted or self.columnWidth(0), self._name_cap())
        if width != self.columnWidth(0):
            self._fitting = True
            try:
                self.setColumnWidth(0, width)
            finally:
                self._fitting = False

    def _section_resized(self, index: int, _old: int, size: int) -> None:
        if index == 0:
            if not self._fitting:  # sized to its contents, or dragged by the user: what it wants
                self._name_wanted = size
            self.name_view.setColumnWidth(0, size)
            self._place()

    def _sort_by_name(self, _section: int) -> None:
        header = self.horizontalHeader()
        ascending = header.sortIndicatorSection() != 0 or header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder)

    def _place(self) -> None:
        frame = self.frameWidth()
        self.name_view.setGeometry(self.verticalHeader().width() + frame, frame, self.columnWidth(0),
                                   self.viewport().height() + self.horizontalHeader().height())
        self.name_view.horizontalHeader().setFixedHeight(self.horizontalHeader().height())

    @qt_virtual()
    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.fit_name_column()
        self._place()

    @qt_virtual()
    def updateGeometries(self) -> None:
        super().updateGeometries()
        self._place()

    @qt_virtual(QModelIndex())
    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Keyboard moves to the right of the frozen column scroll so the cell is not hidden under it."""
        current = super().moveCursor(action, modifiers)
        if (action == QAbstractItemView.CursorAction.MoveLeft and current.column() > 0
                and self.visualRect(current).topLeft().x() < self.name_view.columnWidth(0)):
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + self.visualRect(current).topLeft().x() - self.name_view.columnWidth(0))
        return current
