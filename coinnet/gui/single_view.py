"""The single-image view: the photo with zoom/pan, enhancement sliders with live preview, and the reading."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coinnet.gui.doubt import why_sentence, why_tooltip
from coinnet.gui.enhance_panel import EnhancementPanel
from coinnet.gui.image_view import ImageView
from coinnet.gui.qtimage import shrink, to_qimage
from coinnet.gui.results_model import label_text, with_threshold
from coinnet.gui.workers import run_task
from coinnet.infer.enhance import enhance
from coinnet.infer.imageio import load_image

PREVIEW_DELAY_MS = 30  # coalesces a slider drag into a few preview renders


class SingleView(QWidget):
    """Open one image, adjust it, press Process, read the result.

    Signals:
        processed(Prediction): a reading finished (the main window adds it to the shared results).
        message(str): a line for the status bar.
    """

    processed = Signal(object)
    message = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.predictor = None
        self.path: Path | None = None
        self.original: np.ndarray | None = None
        self._small: np.ndarray | None = None
        self._scale = 1.0
        self._busy = False
        self.last_prediction = None
        self.last_latency_ms: float | None = None
        self._processed_enhancement = None  # settings the shown reading (and its box) was made with
        self.view = ImageView()
        self.enhance_panel = EnhancementPanel()
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._render_preview)
        self.enhance_panel.changed.connect(lambda _: self._preview_timer.start())
        self._build()

    def _build(self) -> None:
        zoom_bar = QHBoxLayout()
        for text, tip, slot in (
            ("−", "Zoom out (Ctrl+-)", self.view.zoom_out),
            ("+", "Zoom in (Ctrl++)", self.view.zoom_in),
            ("1:1", "Actual size (Ctrl+1)", self.view.actual_size),
            ("Fit", "Fit to window (Ctrl+0)", self.view.fit),
        ):
            button = QToolButton(text=text, toolTip=tip)
            button.clicked.connect(slot)
            zoom_bar.addWidget(button)
        self.file_label = QLabel("No image")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        zoom_bar.addWidget(self.file_label, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(zoom_bar)
        left_layout.addWidget(self.view, 1)

        self.process_button = QPushButton("Process  (Ctrl+R)")
        self.process_button.setObjectName("process_button")
        self.process_button.setMinimumHeight(36)
        self.process_button.clicked.connect(self.process)
        enhance_box = QGroupBox("Enhancement (live preview)")
        QVBoxLayout(enhance_box).addWidget(self.enhance_panel)
        result_box = QGroupBox("Result")
        result_layout = QVBoxLayout(result_box)
        self.result_label = QLabel("—")
        self.result_label.setObjectName("result_label")
        font = self.result_label.font()
        font.setPointSize(font.pointSize() * 2)
        font.setBold(True)
        self.result_label.setFont(font)
        self.why_label = QLabel("")  # why the reading may be wrong: the least sure digit, the runner-up
        self.why_label.setObjectName("why_label")
        self.why_label.setWordWrap(True)
        self.why_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why_label.hide()
        self.detail_label = QLabel("Open an image and press Process.")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.why_label)
        result_layout.addWidget(self.detail_label)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.process_button)
        right_layout.addWidget(result_box)
        right_layout.addWidget(enhance_box)
        right_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(right)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 360])
        QVBoxLayout(self).addWidget(splitter)

    # --- loading -------------------------------------------------------------------------------------------
    def open_path(self, path: str | Path, prediction=None) -> bool:
        """Load an image file (and optionally show a reading made earlier, e.g. by the batch run)."""
        path = Path(path)
        try:
            image = load_image(path)
        except ValueError as exc:  # ImageError: "<file>: <reason>"
            self.message.emit(str(exc))
            self.detail_label.setText(f"Cannot open: {exc}")
            return False
        self.set_image(image, path)
        if prediction is not None:
            self._processed_enhancement = self.enhance_panel.enhancement()
            self.show_prediction(prediction)
        return True

    def set_image(self, image: np.ndarray, path: Path) -> None:
        """Show a decoded RGB image; ``path`` names it in results (a temporary file for pasted images)."""
        self.path, self.original = Path(path), image
        self._small, self._scale = shrink(image)
        self.file_label.setText(f"{self.path.name}   {image.shape[1]}×{image.shape[0]} px")
        self.last_prediction = None
        self.result_label.setText("—")
        self.why_label.hide()
        self.detail_label.setText("Press Process to read the date and mint mark.")
        self.view.set_box(None)
        self._render_preview(keep_view=False)
        self.message.emit(f"Opened {self.path}")

    def _render_preview(self, keep_view: bool = True) -> None:
        if self._small is None:
            return
        shown = self._small
        if not self.enhance_panel.is_identity():
            shown = enhance(self._small, self.enhance_panel.enhancement())
        self.view.set_image(to_qimage(shown), self._scale, keep_view=keep_view)
        # A box found on a differently rotated image would point at the wrong place.
        if self.last_prediction is not None:
            same = self._processed_enhancement == self.enhance_panel.enhancement()
            self._show_box(self.last_prediction if same else None)

    # --- processing ----------------------------------------------------------------------------------------
    def process(self) -> None:
        """Read the current image (with the current enhancement) in the background."""
        if self.original is None:
            self.message.emit("Open an image first (Ctrl+O, drag and drop, or Ctrl+V).")
            return
        if self.predictor is None:
            self.message.emit("No model loaded: File ▸ Open model…")
            return
        if self._busy:
            return
        self._busy = True
        self.process_button.setEnabled(False)
        image, name, predictor = self.original, str(self.path), self.predictor
        settings = self.enhance_panel.enhancement()
        started = time.perf_counter()

        def work():
            enhanced = image if settings.is_identity else enhance(image, settings)
            return predictor.predict_images([enhanced], names=[name])[0]

        def done(prediction):
            self._busy = False
            self.process_button.setEnabled(True)
            self._processed_enhancement = settings
            self.show_prediction(prediction)
            self.last_latency_ms = 1000 * (time.perf_counter() - started)
            self.message.emit(f"Processed {Path(name).name} in {self.last_latency_ms:.0f} ms")
            self.processed.emit(prediction)

        def failed(reason: str):
            self._busy = False
            self.process_button.setEnabled(True)
            self.result_label.setText("error")
            self.why_label.hide()
            self.detail_label.setText(reason)
            self.message.emit(reason)

        run_task(work, done, failed)

    def show_prediction(self, pred) -> None:
        """Fill the result panel and outline the date box."""
        self.last_prediction = pred
        self._fill_result(pred)
        self._show_box(pred)

    def _show_box(self, pred) -> None:
        if pred is None or pred.status == "error":
            self.view.set_box(None)
        else:
            self.view.set_box(pred.box, pred.quad)

    def apply_threshold(self, threshold: float) -> None:
        """Re-derive ok/unknown (and the notes, the unsure line) of the shown reading for a new threshold."""
        if self.last_prediction is not None:
            self.last_prediction = with_threshold(self.last_prediction, threshold)
            self._fill_result(self.last_prediction)

    def _fill_result(self, pred) -> None:
        why = why_sentence(pred)
        self.why_label.setText(why)
        self.why_label.setToolTip(why_tooltip(pred))
        # An unsure reading's line is the warning to act on; a sure one's is a quiet footnote.
        unsure = pred.status == "unknown"
        self.why_label.setStyleSheet("color: #e65100" if unsure else "font-style: italic")
        self.why_label.setVisible(bool(why))
        if pred.status == "error":
            self.result_label.setText("error")
            self.result_label.setToolTip("")
            self.detail_label.setText(pred.error)
            return
        reading = label_text(pred.year, pred.mint)
        mint_word = {"none": "no mint mark (Philadelphia)", None: "?"}.get(pred.mint, f"mint mark {pred.mint}")
        if pred.status == "unknown":
            self.result_label.setText("unknown")
            self.result_label.setToolTip(f"Best guess {reading}")
            head = f"Not sure — best guess <b>{reading}</b> ({mint_word})."
        else:
            self.result_label.setText(reading)
            self.result_label.setToolTip("")
            head = f"Year <b>{pred.year}</b>, {mint_word}."
        lines = [
            head,
            f"Confidence {100 * pred.confidence:.0f}% "
            f"(year {100 * pred.year_confidence:.0f}%, mint {100 * pred.mint_confidence:.0f}%).",
        ]
        if pred.notes:
            lines.append(f"<i>{pred.notes}</i>")
        lines.append(_box_sentence(pred))
        self.detail_label.setText("<br>".join(lines))


def _box_sentence(pred) -> str:
    """Where the reader looked, and the date's angle when the box is a rotated one."""
    if pred.quad is not None and pred.angle is not None:
        # round() first: a format of -0.3 would read "-0°".
        return f"Date area outlined in red, baseline (yellow arrow) at {round(pred.angle):+d}°."
    return "Date area outlined in red." if pred.box is not None else "No date box (read from the whole frame)."
