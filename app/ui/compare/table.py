"""Below the panes: the live figures per contender (model/view) and the strip of most disagreeing frames.

The table shows what the session layer's ``Comparison.table()`` says, a few
times a second; the strip shows ``worst_frames``. A click on a thumbnail asks
the window to show that source frame in every pane, each with its own result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QListView, QListWidget, QListWidgetItem, QTableView

from model_picker.ui.shell.guard import qt_virtual

Index = QModelIndex
FRAME_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB = QSize(112, 63)
STRIP_EMPTY = "The frames where the models disagree most appear here while they run."


@dataclass(frozen=True)
class ContenderRow:
    """One contender's figures as the table shows them (None: not measured yet)."""

    name: str
    device: str = ""
    host: str = ""
    fps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    per_frame: float | None = None  # results (boxes, classes, people) per frame
    agreement: float | None = None  # with the reference pane; None for the reference itself or unknown
    state: str = ""  # "reference", "stopped" or "no shared class", said in the Agreement column
    note: str = ""  # the Agreement cell's tooltip: why it stopped, or which classes were compared


COLUMNS = ("Model", "Device", "Host", "FPS", "Latency p50", "Latency p95", "Results / frame", "Agreement")


def _number(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


def cell_text(row: ContenderRow, column: int) -> str:
    if column == 7:
        if row.state:
            return row.state
        return _number(None if row.agreement is None else row.agreement * 100, "{:.1f} %")
    return (row.name, row.device, row.host, _number(row.fps, "{:.1f}"), _number(row.p50_ms, "{:.0f} ms"),
            _number(row.p95_ms, "{:.0f} ms"), _number(row.per_frame, "{:.2f}"), "")[column]


class CompareTableModel(QAbstractTableModel):
    """One row per pane, in pane order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[ContenderRow] = []

    def set_rows(self, rows: list[ContenderRow]) -> None:
        if len(rows) != len(self.rows):
            self.beginResetModel()
            self.rows = list(rows)
            self.endResetModel()
            return
        self.rows = list(rows)
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))

    @qt_virtual(0)
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    @qt_virtual(0)
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    @qt_virtual()
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return chr(ord("A") + section)  # the pane's letter, as in the reference menu

    @qt_virtual()
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 7:
            return row.note or "Agreement of this pane's results with the reference pane's, on the same frames"
        return None


def make_table(model: CompareTableModel) -> QTableView:
    view = QTableView()
    view.setObjectName("compare-table")
    view.setModel(model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    rows = max(2, model.rowCount())  # as tall as its rows: the panes get the rest
    height = view.horizontalHeader().sizeHint().height() + rows * (view.fontMetrics().height() + 4)
    view.setFixedHeight(height + 2 * view.frameWidth() + 2)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return view


@dataclass(frozen=True)
class StripFrame:
    """A frame of the strip: its id, the panes' lowest agreement with the reference on it (0..1), a thumbnail."""

    frame_id: int
    agreement: float
    thumbnail: QImage


class DisagreementStrip(QListWidget):
    """A row of thumbnails, worst first; ``frame_picked`` carries the frame id of a clicked one."""

    frame_picked = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-strip")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(THUMB)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(THUMB.height() + 48)
        self.setSpacing(4)
        self.setToolTip("Frames where the panes disagree most; click one to show it in every pane")
        self.itemClicked.connect(lambda item: self.frame_picked.emit(int(item.data(FRAME_ROLE))))
        self.frames: list[int] = []
        self.show_empty()

    def show_empty(self, text: str = STRIP_EMPTY) -> None:
        self.clear()
        self.frames = []
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.addItem(item)

    def set_frames(self, frames: list[StripFrame]) -> None:
        """Replace the thumbnails (same ids in the same order: nothing changes, so a click is never lost)."""
        ids = [f.frame_id for f in frames]
        if ids == self.frames:
            return
        if not frames:
            self.show_empty()
            return
        self.clear()
        self.frames = ids
        for frame in frames:
            pixmap = QPixmap.fromImage(frame.thumbnail.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                                              Qt.TransformationMode.SmoothTransformation))
            item = QListWidgetItem(QIcon(pixmap), f"frame {frame.frame_id}\n{frame.agreement * 100:.0f} % agreement")
            item.setData(FRAME_ROLE, frame.frame_id)
            item.setToolTip(f"Frame {frame.frame_id}: click to show it in every pane")
            self.addItem(item)
