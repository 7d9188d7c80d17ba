"""The filter panel: search box, a checkable value list per dimension, numeric ranges.

Ticking values in one list keeps any of them; lists combine like the library's
chained filters. Counts next to each value say how many models the table would
show with that value ticked too, and update with every other filter. A range
filters only once the user has changed it, and says how many models have no
value for its key and whether they stay.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from PySide6.QtCore import QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
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
from model_picker.ui.shell.guard import qt_virtual

MAX_VALUES = 40  # a metadata key with more distinct values is left to the search box
MAX_DECIMALS = 6  # a range box shows at most this many decimals
BOX_LIMIT = 1e15  # nor numbers past this (an infinite one in the data stays inside the ends)
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


def _outward(value: float, places: int, up: bool) -> float:
    """``value`` rounded outwards (up for a top end) at ``places`` decimals, within the boxes' limit."""
    if not math.isfinite(value) or abs(value) >= BOX_LIMIT:
        return math.copysign(BOX_LIMIT, value)
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_CEILING if up else ROUND_FLOOR))


def _text(number: float) -> str:
    """A number as the registry would write it: 3 not 3.0, every decimal of 29.9125."""
    return str(int(number)) if math.isfinite(number) and number.is_integer() else repr(number)


class BoundBox(QDoubleSpinBox):
    """A range end that takes any number typed and brings it inside its limits on Enter.

    Qt refuses keystrokes on the way to a valid number ("-0" when the top is
    -0.01) and puts back the old value for one past a limit; here any partial
    number is accepted while typing and Enter clamps it. Narrow when it must be
    (the text scrolls), whatever the numbers' width.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # spin boxes will not shrink

    @qt_virtual((QValidator.State.Invalid, "", 0))
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state, text, pos = super().validate(text, pos)
        point = re.escape(self.locale().decimalPoint())
        if state == QValidator.State.Invalid and re.fullmatch(rf"[+-]?\d*(?:{point}\d{{0,{self.decimals()}}})?", text):
            state = QValidator.State.Intermediate
        return state, text, pos

    @qt_virtual("")
    def fixup(self, text: str) -> str:
        value, ok = self.locale().toDouble(text)
        return self.textFromValue(min(max(value, self.minimum()), self.maximum())) if ok else super().fixup(text)

    @qt_virtual()
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 56), hint.height())


class RangeFilter(QWidget):
    """min – max boxes for a numeric metadata key, and whether models without a value stay.

    Only what the user changed filters: an end counts once edited (the panel only
    writes the boxes with signals blocked, so every ``valueChanged`` is the user's)
    and the "without" box once unticked; untouched, the range keeps every model
    whatever the boxes show. The boxes span the whole registry's numbers, rounded
    outwards at as many decimals as the data is written with (up to 6), so an end
    left at its limit keeps every number too.
    """

    changed = Signal()

    def __init__(self, dimension: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dimension = dimension
        key = dimension.removeprefix("meta:")
        self.edited: set[str] = set()  # "low", "high": the ends the user has set
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setHorizontalSpacing(4)
        self.low, self.high = BoundBox(), BoundBox()
        for end, box in (("low", self.low), ("high", self.high)):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda _value, end=end: self._edited(end))
            box.setObjectName(f"range-{end}:{dimension}")
        self.within = QLabel()
        self.within.setObjectName(f"range-count:{dimension}")
        self.within.setToolTip(f"Models with a {key} in this range")
        self.within.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bounds = QHBoxLayout()
        bounds.addWidget(self.low, 1)
        bounds.addWidget(QLabel("to"))
        bounds.addWidget(self.high, 1)
        layout.addLayout(bounds, 0, 0)
        layout.addWidget(self.within, 0, 1)
        self.keep_missing = QCheckBox(f"without {key}")
        self.keep_missing.setObjectName(f"range-missing:{dimension}")
        self.keep_missing.setToolTip(f"Models with no {key} value: ticked, they stay whatever the range; "
                                     "unticked, they are hidden")
        self.keep_missing.setChecked(True)
        self.keep_missing.setMinimumWidth(60)  # a long key is clipped, not the panel widened
        self.keep_missing.toggled.connect(self.changed)
        self.missing = QLabel()
        self.missing.setObjectName(f"range-missing-count:{dimension}")
        self.missing.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.keep_missing, 1, 0)
        layout.addWidget(self.missing, 1, 1)
        layout.setColumnStretch(0, 1)
        for label in (self.within, self.missing):
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def _edited(self, end: str) -> None:
        self.edited.add(end)
        self.changed.emit()

    def set_limits(self, span: tuple[float, float], places: int, any_missing: bool) -> None:
        """The registry's numbers and their decimals; starts untouched."""
        magnitude = max((abs(v) for v in span if math.isfinite(v)), default=0.0)
        places = max(0, min(places, MAX_DECIMALS, 15 - len(str(int(min(magnitude, BOX_LIMIT))))))
        low, high = _outward(span[0], places, up=False), _outward(span[1], places, up=True)
        with QSignalBlocker(self.low), QSignalBlocker(self.high):
            for box in (self.low, self.high):
                box.setDecimals(places)
                box.setRange(low, high)
        self.keep_missing.setVisible(any_missing)
        self.missing.setVisible(any_missing)
        self.reset()

    def show_counts(self, facet: Facet) -> None:
        self.within.setText(str(facet.within))
        self.missing.setText(str(facet.missing))
        if facet.numeric_range is not None:
            low, high = facet.numeric_range
            self.low.setToolTip(f"The models the other filters keep go from {_text(low)} to {_text(high)}")
            self.high.setToolTip(self.low.toolTip())

    def bounds(self) -> tuple[float | None, float | None] | None:
        """The (low, high) to filter by, None for an end left alone; None when nothing was changed."""
        if not self.edited and self.keep_missing.isChecked():
            return None
        return (self.low.value() if "low" in self.edited else None,
                self.high.value() if "high" in self.edited else None)

    def reset(self) -> None:
        with QSignalBlocker(self.low), QSignalBlocker(self.high), QSignalBlocker(self.keep_missing):
            self.low.setValue(self.low.minimum())
            self.high.setValue(self.high.maximum())
            self.keep_missing.setChecked(True)
        self.edited.clear()


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
        self.search_delay = QTimer(self, singleShot=True, interval=150)  # typing pauses before filtering
        self.search_delay.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _text: self.search_delay.start())

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
                widget.set_limits(facet.numeric_range, catalogue.decimals(dimension.removeprefix("meta:")),
                                  facet.missing > 0)
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
            rng.show_counts(facets[dimension])

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
        ranges: dict[str, tuple[float | None, float | None]] = {}
        keep_missing: set[str] = set()
        for dimension, rng in self.ranges.items():
            bounds = rng.bounds()
            if bounds is not None:
                ranges[dimension.removeprefix("meta:")] = bounds
                if rng.keep_missing.isChecked():
                    keep_missing.add(dimension.removeprefix("meta:"))
        return Query(tasks=tasks, hardware=hardware or (), aliases=aliases, meta_values=values,
                     meta_ranges=ranges, text=self.search.text(), keep_missing=frozenset(keep_missing))

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
