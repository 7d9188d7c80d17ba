"""The main window's widgets that are built, not driven: the catalogue table, its header, the live scroll.

Kept apart from main_window.py so that the window reads as what it does (load,
filter, select, run) rather than how its widgets are set up. Each builder returns
its widgets; the window keeps them under the names tests and menus use.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from model_picker.ui.catalogue.frozen_table import FrozenColumnTable
from model_picker.ui.catalogue.table_model import ENTRY_ROLE, CatalogueProxy, CatalogueTableModel

LEFT_MIN_WIDTH = 260  # the table and details keep at least this much when the live side needs room
FILTERS_WIDTH = 250  # the Filters dock when there is room (narrower, to its minimum, at 1024 px)


def build_table(parent: QObject) -> tuple[CatalogueTableModel, CatalogueProxy, FrozenColumnTable]:
    """The catalogue's model, its filtering proxy and the table (rows, Ctrl-click for Compare)."""
    model = CatalogueTableModel(parent)
    proxy = CatalogueProxy(parent)
    proxy.setSourceModel(model)
    table = FrozenColumnTable()  # the Name column stays in view when scrolling right
    table.setObjectName("models")
    table.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)  # Ctrl-click: Compare
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setWordWrap(False)
    return model, proxy, table


def selected_entry(table: FrozenColumnTable) -> int | None:
    """The registry index of the selected row: with several selected, the one clicked last."""
    # selectedIndexes, not selectedRows: a click on the frozen Name column selects the row's
    # visible cells only, and selectedRows wants every column of the row.
    cells = table.selectionModel().selectedIndexes()
    if not cells:
        return None
    current = table.currentIndex()
    rows = {c.row() for c in cells}
    return int((current if current.isValid() and current.row() in rows else cells[0]).data(ENTRY_ROLE))


def fit_columns(table: FrozenColumnTable, columns: int) -> None:
    """Columns as wide as their contents, none wider than 260 px, the Name column fitted last."""
    table.resizeColumnsToContents()
    for column in range(columns):
        table.setColumnWidth(column, min(table.columnWidth(column), 260))


def build_best_button() -> tuple[QToolButton, QMenu]:
    """"Best by": one menu button (a choice per numeric key and direction).

    It fits the narrowest catalogue side, where three fields and a button were cut or overflowed.
    """
    button = QToolButton()
    button.setObjectName("select-best")
    button.setText("Best by")
    button.setToolTip("Select the best model of the filtered list by a numeric key (best_model_spec)")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    menu = QMenu(button)
    menu.setObjectName("best-menu")
    button.setMenu(menu)
    return button, menu


def build_first_button(select_top: Callable[[], None]) -> QToolButton:
    top = QToolButton()
    top.setText("First")
    top.setObjectName("select-first")
    top.setToolTip("Select the first model of the filtered list (top_model_spec)")
    top.clicked.connect(select_top)
    return top


def fill_best_menu(button: QToolButton, menu: QMenu, keys: list[str],
                   select_best: Callable[[str, str], None]) -> None:
    """One pair of choices per numeric key of the catalogue, speed first (the ranking people ask for)."""
    menu.clear()
    for key in sorted(keys, key=lambda k: "fps" not in k.lower()):
        for order, word in (("max", "Highest"), ("min", "Lowest")):
            act = menu.addAction(f"{word} {key.replace('_', ' ')}")
            act.triggered.connect(lambda _c=False, k=key, o=order: select_best(k, o))
    button.setEnabled(bool(keys))


def build_empty_label() -> QLabel:
    """Where the table stands when there is nothing to list: it says what to do next."""
    label = QLabel()
    label.setObjectName("table-empty")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.hide()
    return label


def build_live_scroll(live: QWidget) -> QScrollArea:
    """The live panel in a sideways scroll.

    Its rows may want more width than a 1024 px window has left: they scroll
    sideways then, rather than forcing the window wider than the screen (or cutting them).
    """
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(live)
    scroll = QScrollArea()
    scroll.setObjectName("live-scroll")
    scroll.setWidget(holder)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(380)
    return scroll


def balance_splitter(window: QWidget, splitter: QSplitter, dock: QDockWidget, live_scroll: QScrollArea,
                     left_share: float) -> None:
    """Keep the catalogue/live split at the user's share, with the width the live controls need.

    Without this the splitter shares a resize by stretch factors, and at 1024 px the
    live panel's rows end up narrower than they are. What the table cannot give
    (it keeps LEFT_MIN_WIDTH) the Filters dock gives, down to its minimum; with room
    to spare again the dock gets its comfortable width back. ``window`` is the
    QMainWindow holding ``dock``.
    """
    need = live_scroll.widget().minimumSizeHint().width()
    left, live = splitter.sizes()
    total = left + live
    if total <= 0:
        return
    width = dock.width()
    wanted = max(need, round(total * (1 - left_share)))
    if wanted > total - LEFT_MIN_WIDTH:  # short of room: the dock narrows
        narrower = max(dock.minimumSizeHint().width(), width - (wanted - total + LEFT_MIN_WIDTH))
        if narrower < width:
            window.resizeDocks([dock], [narrower], Qt.Orientation.Horizontal)
            total += width - narrower
    elif width < FILTERS_WIDTH and total - wanted - LEFT_MIN_WIDTH > FILTERS_WIDTH - width:
        window.resizeDocks([dock], [FILTERS_WIDTH], Qt.Orientation.Horizontal)
        total -= FILTERS_WIDTH - width
        wanted = max(need, round(total * (1 - left_share)))
    live = min(wanted, total - min(LEFT_MIN_WIDTH, total // 3))
    splitter.setSizes([total - live, live])


def add_dock(window: QMainWindow, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    """A dock named for the saved window state (restoreState finds docks by object name)."""
    dock = QDockWidget(title)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def build_left_side(header: QHBoxLayout, table: QWidget, empty_label: QLabel, details: QWidget) -> QSplitter:
    """Count and selection buttons over the table (or its empty state), the details below."""
    left = QWidget()
    layout = QVBoxLayout(left)
    layout.setContentsMargins(6, 6, 6, 0)
    layout.addLayout(header)
    layout.addWidget(table, 3)
    layout.addWidget(empty_label, 3)
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(left)
    split.addWidget(details)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    return split


def build_fetch_status(cancel: Callable[[], None]) -> tuple[QProgressBar, QPushButton]:
    """The status bar's fetch progress and its Cancel button, hidden until a fetch starts."""
    bar = QProgressBar()
    bar.setObjectName("fetch-progress")
    bar.setMaximumWidth(260)
    bar.setTextVisible(True)
    button = QPushButton("Cancel")
    button.setObjectName("fetch-cancel")
    button.clicked.connect(lambda: cancel())
    bar.hide()
    button.hide()
    return bar, button


def show_fetch_progress(bar: QProgressBar, button: QPushButton, text: str, value: int, maximum: int) -> None:
    bar.setRange(0, maximum)
    bar.setValue(value)
    bar.setFormat(text)
    bar.show()
    button.show()
