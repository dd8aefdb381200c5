"""File ▸ Open model…: the loaded model's metadata, with buttons to pick another ONNX file."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

# Shown first, in this order; anything else in the metadata follows alphabetically.
KEY_ORDER = ("version", "backbone", "input_size", "threshold", "temperature", "trained", "created", "mlflow_run_id")


def metadata_rows(metadata: dict) -> list[tuple[str, str]]:
    """(key, text) pairs for display; the label schema is summarised instead of dumped."""
    rows = []
    for key in sorted(metadata, key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER else len(KEY_ORDER), k)):
        value = metadata[key]
        if key == "schema" and isinstance(value, dict):
            value = (
                f"years {value.get('year_min')}–{value.get('year_max')}, mints {', '.join(value.get('mints', []))}, "
                f"{len(value.get('valid_pairs', []))} valid pairs"
            )
        elif key == "confidence_rule" and value is not None:
            value = "logistic on " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(value.signals, value.weights))
        elif key == "precision_curve" and value:
            best = max(value, key=lambda p: (p[1] >= 0.99, p[2]))
            value = (
                f"{len(value)} points measured on held-out sources; e.g. threshold {best[0]:.3f}: precision "
                f"{best[1]:.1%} at coverage {best[2]:.1%}"
            )
        text = str(value)
        rows.append((key, text if len(text) <= 300 else text[:297] + "…"))
    return rows


class ModelDialog(QDialog):
    """Shows ``path`` and ``metadata``; "Choose file…" emits ``model_chosen`` with the picked path.

    Signals:
        model_chosen(str): an ONNX file to load ("" = the shipped default model).
    """

    model_chosen = Signal(str)

    def __init__(self, path: str, metadata: dict | None, start_dir: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model")
        self.start_dir = start_dir
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        choose = QPushButton("Choose file…")
        choose.clicked.connect(self._choose)
        default = QPushButton("Use shipped default")
        default.clicked.connect(lambda: self.model_chosen.emit(""))
        buttons = QHBoxLayout()
        buttons.addWidget(choose)
        buttons.addWidget(default)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.path_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.show_model(path, metadata)
        self.resize(640, 420)

    def show_model(self, path: str, metadata: dict | None) -> None:
        self.path_label.setText(f"<b>Loaded:</b> {path}" if path else "<b>No model loaded.</b>")
        rows = metadata_rows(metadata or {})
        self.table.setRowCount(len(rows))
        for i, (key, text) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(key))
            self.table.setItem(i, 1, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open ONNX model", self.start_dir, "ONNX models (*.onnx)")
        if path:
            self.model_chosen.emit(path)
