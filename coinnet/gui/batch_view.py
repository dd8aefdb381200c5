"""The batch view: pick a folder or files, read them in the background, browse a sortable, filterable table."""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coinnet.gui.results_model import COL_CONF, COL_FILE, COL_NOTES, COL_WHY, ResultsFilter, ResultsModel
from coinnet.gui.workers import BatchRun, BatchWorker

#: Files per chunk: small enough that Cancel answers within a second or two on a slow laptop.
CHUNK_SIZE = 8


class BatchView(QWidget):
    """Runs a :class:`BatchWorker` over the chosen files and shows what it reads.

    Signals:
        open_requested(str, Prediction): the user clicked a row; the main window opens it in the single view.
        choose_folder_requested(), choose_files_requested(): the buttons (dialogs live in the main window).
        message(str): a line for the status bar.
        batch_finished(bool): a run ended (True = cancelled).
    """

    open_requested = Signal(str, object)
    choose_folder_requested = Signal()
    choose_files_requested = Signal()
    message = Signal(str)
    batch_finished = Signal(bool)

    def __init__(self, model: ResultsModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.predictor = None
        self.enhancement_source = None  # callable returning the single view's Enhancement
        self.run: BatchRun | None = None
        self.paths: list[Path] = []
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(model)
        self._build()

    def _build(self) -> None:
        folder_button = QPushButton("Open folder…")
        folder_button.setToolTip("Read every image in a folder (Ctrl+Shift+O)")
        folder_button.clicked.connect(self.choose_folder_requested)
        files_button = QPushButton("Open files…")
        files_button.clicked.connect(self.choose_files_requested)
        self.rerun_button = QPushButton("Run again")
        self.rerun_button.setEnabled(False)
        self.rerun_button.clicked.connect(lambda: self.start(self.paths))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("batch_cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_enhancement = QCheckBox("Apply the single view's enhancement")
        self.use_enhancement.setToolTip("Off: read the photos as they are (what the model was trained on)")
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m files")
        self.progress.setValue(0)
        top = QHBoxLayout()
        for widget in (folder_button, files_button, self.rerun_button, self.cancel_button, self.use_enhancement):
            top.addWidget(widget)
        top.addWidget(self.progress, 1)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: file name, year, mint, notes, digit…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.status_filter = QComboBox()
        self.status_filter.addItems(["all", "ok", "unknown", "error", "corrected"])
        self.status_filter.currentTextChanged.connect(lambda s: self.proxy.set_status("" if s == "all" else s))
        self.count_label = QLabel("")
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(QLabel("Status:"))
        filters.addWidget(self.status_filter)
        filters.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_FILE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setIconSize(QSize(56, 56))
        self.table.verticalHeader().setDefaultSectionSize(60)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NOTES, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 64)
        header.resizeSection(COL_FILE, 220)
        header.resizeSection(COL_CONF, 90)
        header.resizeSection(COL_WHY, 250)  # "digit 4 (0.62) · next 1956-D (0.18)"
        self.table.clicked.connect(self._on_clicked)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

    def _update_count(self, *_):
        self.count_label.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} shown")

    def is_running(self) -> bool:
        return self.run is not None

    def start(self, paths: list[str | Path]) -> bool:
        """Clear the table and read ``paths`` in the background. Returns False if it could not start."""
        if self.run is not None:
            self.message.emit("A batch is already running; cancel it first.")
            return False
        if self.predictor is None:
            self.message.emit("No model loaded: File ▸ Open model…")
            return False
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            self.message.emit("No images to read.")
            return False
        predictor = copy.copy(self.predictor)  # shares the session; its own enhancement setting
        enhancement = (
            self.enhancement_source() if self.enhancement_source and self.use_enhancement.isChecked() else None
        )
        predictor.enhancement = enhancement if enhancement is not None and not enhancement.is_identity else None
        worker = BatchWorker(
            lambda chunk: predictor.predict_paths(chunk, batch_size=CHUNK_SIZE), self.paths, CHUNK_SIZE
        )
        worker.chunk_done.connect(self.model.add_many)
        worker.progress.connect(self._on_progress)
        self.model.clear()
        self.progress.setRange(0, len(self.paths))
        self.progress.setValue(0)
        self.run = BatchRun(worker, self)
        self.run.finished.connect(self._on_finished)
        self.cancel_button.setEnabled(True)
        self.rerun_button.setEnabled(False)
        self.message.emit(f"Reading {len(self.paths)} images…")
        self.run.start()
        return True

    def cancel(self) -> None:
        if self.run is not None:
            self.run.cancel()
            self.cancel_button.setEnabled(False)
            self.message.emit("Cancelling after the current chunk…")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(done)

    def _on_finished(self, cancelled: bool) -> None:
        error = self.run.worker.error if self.run else ""
        self.run = None
        self.cancel_button.setEnabled(False)
        self.rerun_button.setEnabled(bool(self.paths))
        counts = {s: sum(p.status == s for p in self.model.predictions()) for s in ("ok", "unknown", "error")}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items())
        if error:
            self.message.emit(f"Batch stopped: {error} ({summary})")
        elif cancelled:
            self.message.emit(f"Batch cancelled after {self.model.rowCount()} of {len(self.paths)} files ({summary})")
        else:
            self.message.emit(f"Batch done: {len(self.paths)} files ({summary})")
        self.batch_finished.emit(cancelled)

    def _on_clicked(self, index: QModelIndex) -> None:
        row = self.model.rows[self.proxy.mapToSource(index).row()]
        self.open_requested.emit(row.prediction.file, row.prediction)
