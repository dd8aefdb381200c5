"""Review & correct: the readings most likely wrong first; confirmed labels go to a cents-web style dataset folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coinnet import labels
from coinnet.gui.corrections import VIEWS, Correction, parse_label, save_corrections
from coinnet.gui.doubt import runner_up_label
from coinnet.gui.image_view import ImageView
from coinnet.gui.qtimage import shrink, to_qimage
from coinnet.gui.results_model import (
    COL_CONF,
    COL_FILE,
    COL_MINT,
    COL_NOTES,
    COL_STATUS,
    COL_THUMB,
    COL_YEAR,
    ResultsFilter,
    ResultsModel,
    label_text,
    reading_summary,
)
from coinnet.infer.imageio import load_image


class ReviewView(QWidget):
    """Pick a row (most likely wrong on top), type or pick the right year and mint, save to the dataset.

    Queue order: :func:`coinnet.gui.doubt.review_key` (confidence, then the weakest head's probability); each
    row says which digit to check and the runner-up reading, which one click (Ctrl+U) takes as the label.

    Signals:
        message(str): a line for the status bar.
        dataset_folder_changed(str): the user chose another dataset folder (persisted by the main window).
    """

    message = Signal(str)
    dataset_folder_changed = Signal(str)

    def __init__(self, model: ResultsModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model
        self.dataset_folder = ""
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(model)
        self.proxy.set_hide_errors(True)  # a file that cannot be decoded cannot be labelled either
        self.proxy.sort(COL_CONF, Qt.SortOrder.AscendingOrder)
        self.proxy.setDynamicSortFilter(True)
        self._current_source_row: int | None = None
        self._runner_up: tuple[int, str] | None = None
        self._build()
        model.rowsInserted.connect(self._select_first_if_none)
        model.modelReset.connect(self._clear_editor)
        model.dataChanged.connect(self._show_reading)  # a moved threshold turns ok into unknown and back

    def _build(self) -> None:
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_CONF, Qt.SortOrder.AscendingOrder)
        self.table.hideColumn(COL_NOTES)  # the notes are shown beside the image instead
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        widths = ((COL_THUMB, 44), (COL_FILE, 150), (COL_YEAR, 44), (COL_MINT, 40), (COL_CONF, 84), (COL_STATUS, 66))
        for col, width in widths:
            header.resizeSection(col, width)
        self.table.setIconSize(QSize(36, 36))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.hide_done = QCheckBox("Hide corrected")
        self.hide_done.toggled.connect(self._on_hide_done)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Most likely wrong first: least confident, then weakest digit"))
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.hide_done)

        self.preview = ImageView()
        self.preview.placeholder = "Process a batch (or an image), then pick a row to review"
        self.prediction_label = QLabel("—")
        self.prediction_label.setWordWrap(True)
        self.year_edit = QComboBox()
        self.year_edit.setObjectName("review_year")
        self.year_edit.setEditable(True)
        self.year_edit.addItems([""] + [str(y) for y in range(labels.YEAR_MAX, labels.YEAR_MIN - 1, -1)])
        self.year_edit.lineEdit().setPlaceholderText("empty = cannot read")
        self.mint_edit = QComboBox()
        self.mint_edit.setObjectName("review_mint")
        self.mint_edit.addItems(["", *labels.MINTS])
        self.view_edit = QComboBox()
        self.view_edit.addItems(VIEWS)
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("optional, e.g. proof, low res, doubled die?")
        self.validation_label = QLabel("")
        self.validation_label.setWordWrap(True)
        self.year_edit.currentTextChanged.connect(self._validate)
        self.mint_edit.currentTextChanged.connect(self._validate)
        self.folder_label = QLabel("(none chosen)")
        self.folder_label.setWordWrap(True)
        folder_button = QPushButton("Choose…")
        folder_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(folder_button)
        self.accept_button = QPushButton("Use model's reading")
        self.accept_button.clicked.connect(self._fill_from_prediction)
        self.runner_up_button = QPushButton("Use runner-up")
        self.runner_up_button.setObjectName("use_runner_up")
        self.runner_up_button.setToolTip("Fill year and mint from the next most voted reading (Ctrl+U)")
        self.runner_up_button.setEnabled(False)
        self.runner_up_button.clicked.connect(self.fill_from_runner_up)
        QShortcut(QKeySequence("Ctrl+U"), self, self.fill_from_runner_up)
        self.save_button = QPushButton("Save correction  (Ctrl+S)")
        self.save_button.setObjectName("save_correction")
        self.save_button.clicked.connect(self.save_current)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_current)
        form = QFormLayout()
        form.addRow("Model read:", self.prediction_label)
        form.addRow("Year:", self.year_edit)
        form.addRow("Mint:", self.mint_edit)
        form.addRow("View:", self.view_edit)
        form.addRow("Notes:", self.notes_edit)
        form.addRow("", self.validation_label)
        form.addRow("Dataset folder:", folder_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.runner_up_button)
        buttons.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.preview, 1)
        right_layout.addLayout(form)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([660, 600])
        QVBoxLayout(self).addWidget(splitter)
        self._validate()

    # --- selection -----------------------------------------------------------------------------------------
    def select_proxy_row(self, row: int) -> None:
        """Select a row of the (sorted) list and show it in the editor."""
        if not 0 <= row < self.proxy.rowCount():
            return
        index = self.proxy.index(row, COL_FILE)
        already_current = self.table.currentIndex() == index
        self.table.selectRow(row)
        self.table.setCurrentIndex(index)
        if already_current:  # Qt signals nothing when the current row stays the same
            self._on_current(index)

    def select_first(self) -> None:
        """Start the review at the least confident row."""
        self.select_proxy_row(0)

    def _select_first_if_none(self, *_):
        if self._current_source_row is None and self.proxy.rowCount():
            self.select_proxy_row(0)

    def _on_hide_done(self, hide: bool) -> None:
        self.proxy.set_hide_corrected(hide)

    def _clear_editor(self) -> None:
        self._current_source_row = None
        self.preview.clear()
        self.prediction_label.setText("—")
        self._show_runner_up(None)

    def _on_current(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            return
        self._current_source_row = self.proxy.mapToSource(current).row()
        row = self.model.rows[self._current_source_row]
        pred = row.prediction
        try:
            small, scale = shrink(load_image(pred.file))
            self.preview.set_image(to_qimage(small), scale)
            self.preview.set_box(pred.box, pred.quad)
        except ValueError as exc:
            self.preview.clear()
            self.message.emit(str(exc))
        self._show_reading()
        year, mint = row.corrected if row.corrected else (None, None)
        self.year_edit.setCurrentText("" if year is None else str(year))
        self.mint_edit.setCurrentText(mint or "")
        self.notes_edit.clear()
        self.year_edit.setFocus()

    def _show_reading(self, *_) -> None:
        """The selected row's reading, why it may be wrong and its runner-up (again when the threshold moves)."""
        if self._current_source_row is None or self._current_source_row >= len(self.model.rows):
            return
        pred = self.model.rows[self._current_source_row].prediction
        self.prediction_label.setText(reading_summary(pred))
        self._show_runner_up(runner_up_label(pred))

    def _show_runner_up(self, label: tuple[int, str] | None) -> None:
        self._runner_up = label
        self.runner_up_button.setEnabled(label is not None)
        self.runner_up_button.setText(f"Use runner-up {label_text(*label)}  (Ctrl+U)" if label else "Use runner-up")

    def fill_from_runner_up(self) -> bool:
        """Fill year and mint from the selected reading's runner-up; False when it has none."""
        if self._current_source_row is None or self._runner_up is None:
            return False
        year, mint = self._runner_up
        self.year_edit.setCurrentText(str(year))
        self.mint_edit.setCurrentText(mint)
        return True

    def _fill_from_prediction(self) -> None:
        if self._current_source_row is None:
            return
        pred = self.model.rows[self._current_source_row].prediction
        self.year_edit.setCurrentText("" if pred.year is None else str(pred.year))
        self.mint_edit.setCurrentText(pred.mint or "")

    # --- validation and saving -----------------------------------------------------------------------------
    def _validate(self, *_) -> tuple[int | None, str | None] | None:
        if not self.year_edit.currentText().strip() and not self.mint_edit.currentText():
            self.validation_label.setStyleSheet("color: palette(mid)")
            self.validation_label.setText("Type the year and/or pick the mint (leave a field empty if unreadable).")
            self.save_button.setEnabled(False)
            return None
        self.validation_label.setStyleSheet("color: #c62828")
        try:
            label = parse_label(self.year_edit.currentText(), self.mint_edit.currentText())
        except ValueError as exc:
            self.validation_label.setText(str(exc))
            self.save_button.setEnabled(False)
            return None
        self.validation_label.setText("")
        self.save_button.setEnabled(self._current_source_row is not None)
        return label

    def choose_folder(self) -> str:
        folder = QFileDialog.getExistingDirectory(self, "Dataset folder for corrections", self.dataset_folder)
        if folder:
            self.set_dataset_folder(folder)
            self.dataset_folder_changed.emit(folder)
        return folder

    def set_dataset_folder(self, folder: str) -> None:
        self.dataset_folder = folder
        self.folder_label.setText(folder or "(none chosen)")

    def save_current(self) -> bool:
        """Save the typed label for the selected row; moves on to the next row. Returns whether it saved."""
        label = self._validate()
        if label is None or self._current_source_row is None:
            return False
        if not self.dataset_folder and not self.choose_folder():
            return False
        row = self._current_source_row
        pred = self.model.rows[row].prediction
        correction = Correction(
            Path(pred.file), *label, view=self.view_edit.currentText(), notes=self.notes_edit.text()
        )
        try:
            saved = save_corrections(self.dataset_folder, [correction])[0]
        except (OSError, ValueError) as exc:
            self.validation_label.setText(f"Not saved: {exc}")
            self.message.emit(f"Not saved: {exc}")
            return False
        self.model.mark_corrected(row, *label)
        self.message.emit(f"Saved {saved} to {Path(self.dataset_folder) / 'labels.csv'}")
        current = self.table.currentIndex().row()
        # With "Hide corrected" the saved row leaves the list, so the next one slides into its place.
        step = 0 if self.hide_done.isChecked() else 1
        self.select_proxy_row(min(current + step, self.proxy.rowCount() - 1))
        return True
