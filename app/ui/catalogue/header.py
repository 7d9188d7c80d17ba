"""The line over the catalogue table: how many models are listed, and buttons that select one.

"Best by" is one menu button (a choice per numeric key and direction), so the line
fits the narrowest catalogue side; other commands on the selection (Compare) add
their own button at the end.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget


class CatalogueHeader(QWidget):
    """``best_chosen(key, order)``: select the best listed model by a numeric key ('max' or 'min');
    ``first_chosen``: select the first listed model."""

    best_chosen = Signal(str, str)
    first_chosen = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.best_button = QToolButton()
        self.best_button.setObjectName("select-best")
        self.best_button.setText("Best by")
        self.best_button.setToolTip("Select the best model of the filtered list by a numeric key (best_model_spec)")
        self.best_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.best_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.best_menu = QMenu(self.best_button)
        self.best_menu.setObjectName("best-menu")
        self.best_button.setMenu(self.best_menu)
        self.first_button = QToolButton()
        self.first_button.setText("First")
        self.first_button.setObjectName("select-first")
        self.first_button.setToolTip("Select the first model of the filtered list (top_model_spec)")
        self.first_button.clicked.connect(self.first_chosen)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.count_label, 1)
        self.row.addWidget(self.best_button)
        self.row.addWidget(self.first_button)

    def add_button(self, button: QWidget) -> None:
        """Another command on the selection, at the end of the line."""
        self.row.addWidget(button)

    def set_count(self, shown: int, total: int) -> None:
        self.count_label.setText(f"{shown} of {total} models")

    def set_keys(self, keys: list[str]) -> None:
        """One pair of choices per numeric key of the catalogue, speed first (the ranking people ask for)."""
        self.best_menu.clear()
        for key in sorted(keys, key=lambda k: "fps" not in k.lower()):
            for order, word in (("max", "Highest"), ("min", "Lowest")):
                act = self.best_menu.addAction(f"{word} {key.replace('_', ' ')}")
                act.triggered.connect(lambda _c=False, k=key, o=order: self.best_chosen.emit(k, o))
        self.best_button.setEnabled(bool(keys))
