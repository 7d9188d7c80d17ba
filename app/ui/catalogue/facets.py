"""The filter panel: search box, a checkable value list per dimension, numeric ranges.

Ticking values in one list keeps any of them; lists combine like the library's
chained filters. Counts next to each value say how many models the table would
show with that value ticked too, and update with every other filter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from model_picker.registry import Catalogue, Query
from model_picker.registry.catalogue import Facet

MAX_VALUES = 40  # a metadata key with more distinct values is left to the search box
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1


def _title(dimension: str) -> str:
    name = dimension.removeprefix("meta:")
    return {"task": "Task", "hardware": "Hardware", "alias": "Alias"}.get(name, name.replace("_", " ").capitalize())


class ValueList(QTreeWidget):
    """Checkable values with right-aligned counts; sized to its rows so the panel scrolls as one."""

    def __init__(self, dimension: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dimension = dimension
        self.setObjectName(f"facet:{dimension}")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemClicked.connect(self._toggle_on_click)

    def _toggle_on_click(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 1:  # a click on the count ticks too
            checked = item.checkState(0) == Qt.CheckState.Checked
            item.setCheckState(0, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def set_counts(self, counts: list[tuple[Any, int]]) -> None:
        with QSignalBlocker(self):
            checked = self.checked_values()
            if self.topLevelItemCount() != len(counts):
                self.clear()
                for _ in counts:
                    item = QTreeWidgetItem(self)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for row, (value, count) in enumerate(counts):
                item = self.topLevelItem(row)
                item.setData(0, VALUE_ROLE, value)
                item.setText(0, str(value))
                item.setText(1, str(count))
                item.setCheckState(0, Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked)
                brush = self.palette().text() if count or value in checked else self.palette().placeholderText()
                item.setForeground(0, brush)
                item.setForeground(1, self.palette().placeholderText())
        rows = max(1, self.topLevelItemCount())
        row_height = self.sizeHintForRow(0) if self.topLevelItemCount() else 20
        self.setFixedHeight(rows * row_height + 2 * self.frameWidth() + 2)

    def checked_values(self) -> list[Any]:
        items = (self.topLevelItem(r) for r in range(self.topLevelItemCount()))
        return [i.data(0, VALUE_ROLE) for i in items if i.checkState(0) == Qt.CheckState.Checked]

    def clear_checks(self) -> None:
        with QSignalBlocker(self):
            for r in range(self.topLevelItemCount()):
                self.topLevelItem(r).setCheckState(0, Qt.CheckState.Unchecked)


class RangeFilter(QWidget):
    """min – max spin boxes for a numeric metadata key; the full span means "no filter"."""

    changed = Signal()

    def __init__(self, dimension: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dimension = dimension
        self.span = (0.0, 0.0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.low, self.high = QDoubleSpinBox(), QDoubleSpinBox()
        for box in (self.low, self.high):
            box.setDecimals(1)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self.changed)
        self.low.setObjectName(f"range-low:{dimension}")
        self.high.setObjectName(f"range-high:{dimension}")
        layout.addWidget(self.low, 1)
        layout.addWidget(QLabel("to"))
        layout.addWidget(self.high, 1)

    def set_span(self, span: tuple[float, float]) -> None:
        with QSignalBlocker(self.low), QSignalBlocker(self.high):
            active = self.value() is not None
            self.span = span
            integral = float(span[0]).is_integer() and float(span[1]).is_integer()
            for box in (self.low, self.high):
                box.setDecimals(0 if integral else 1)
                box.setRange(span[0], span[1])
            if not active:
                self.low.setValue(span[0])
                self.high.setValue(span[1])

    def value(self) -> tuple[float | None, float | None] | None:
        low, high = self.low.value(), self.high.value()
        if low <= self.span[0] and high >= self.span[1]:
            return None
        return (low if low > self.span[0] else None, high if high < self.span[1] else None)

    def reset(self) -> None:
        with QSignalBlocker(self.low), QSignalBlocker(self.high):
            self.low.setValue(self.span[0])
            self.high.setValue(self.span[1])


class FacetPanel(QWidget):
    """Emits ``query_changed`` with the Query the user has built; never filters itself."""

    query_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue: Catalogue | None = None
        self.lists: dict[str, ValueList] = {}
        self.ranges: dict[str, RangeFilter] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.setContentsMargins(6, 6, 6, 0)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search models (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        self.clear_button = QPushButton("Clear all")
        self.clear_button.setToolTip("Remove every filter and the search text")
        self.clear_button.clicked.connect(self.clear_all)
        top.addWidget(self.clear_button)
        outer.addLayout(top)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # lists elide instead
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(6, 0, 6, 6)
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll, 1)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _text: self._debounce.start())

    def set_catalogue(self, catalogue: Catalogue) -> None:
        """Rebuild the sections for a new registry; filters start empty."""
        self.catalogue = catalogue
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.lists, self.ranges = {}, {}
        with QSignalBlocker(self.search):
            self.search.clear()
        facets = catalogue.facets(Query())
        for dimension, facet in facets.items():
            if facet.numeric_range is None and not 1 <= len(facet.counts) <= MAX_VALUES:
                continue
            header = QLabel(_title(dimension))
            font = QFont(header.font())
            font.setBold(True)
            header.setFont(font)
            header.setContentsMargins(2, 10, 0, 2)
            self.body_layout.addWidget(header)
            if facet.numeric_range is not None:
                widget = RangeFilter(dimension)
                widget.changed.connect(self._emit)
                self.ranges[dimension] = widget
            else:
                widget = ValueList(dimension)
                widget.itemChanged.connect(lambda _item, _col: self._emit())
                self.lists[dimension] = widget
            self.body_layout.addWidget(widget)
        self.body_layout.addStretch(1)
        self.update_counts(facets)

    def update_counts(self, facets: dict[str, Facet]) -> None:
        for dimension, widget in self.lists.items():
            widget.set_counts(facets[dimension].counts)
        for dimension, rng in self.ranges.items():
            span = facets[dimension].numeric_range
            if span is not None:
                rng.set_span(span if rng.value() is None else rng.span)

    def query(self) -> Query:
        values: dict[str, tuple[Any, ...]] = {}
        tasks = hardware = aliases = None
        for dimension, widget in self.lists.items():
            checked = widget.checked_values()
            if not checked:
                continue
            if dimension == "task":
                tasks = frozenset(checked)
            elif dimension == "hardware":
                hardware = (frozenset(checked),)
            elif dimension == "alias":
                aliases = frozenset(checked)
            else:
                values[dimension.removeprefix("meta:")] = tuple(checked)
        ranges = {d.removeprefix("meta:"): v for d, r in self.ranges.items() if (v := r.value()) is not None}
        return Query(tasks=tasks, hardware=hardware or (), aliases=aliases, meta_values=values,
                     meta_ranges=ranges, text=self.search.text())

    def tick(self, dimension: str, value: Any, checked: bool = True) -> None:
        """Tick a value as a user would (tests and the CLI-to-window hand-over use it)."""
        widget = self.lists[dimension]
        for r in range(widget.topLevelItemCount()):
            item = widget.topLevelItem(r)
            if item.data(0, VALUE_ROLE) == value:
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(f"{dimension} has no value {value!r}")

    def clear_all(self) -> None:
        for widget in self.lists.values():
            widget.clear_checks()
        for rng in self.ranges.values():
            rng.reset()
        with QSignalBlocker(self.search):
            self.search.clear()
        self._emit()

    def _emit(self) -> None:
        self.query_changed.emit(self.query())
