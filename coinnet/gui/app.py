"""The main window: tabs for single image, batch and review, menus, shortcuts, settings and the model."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
)

from coinnet.gui.batch_view import BatchView
from coinnet.gui.enhance_panel import CONTROLS
from coinnet.gui.inputs import ImageInputs
from coinnet.gui.menus import build_menus
from coinnet.gui.mlflow_ui import MlflowLauncher
from coinnet.gui.model_dialog import ModelDialog
from coinnet.gui.qtimage import IMAGE_FILTER, list_images
from coinnet.gui.results_model import ResultsModel
from coinnet.gui.review_view import ReviewView
from coinnet.gui.settings import AppSettings
from coinnet.gui.single_view import SingleView
from coinnet.gui.train_wizard import TrainWizard
from coinnet.infer.predictor import Predictor, default_model_path

TAB_SINGLE, TAB_BATCH, TAB_REVIEW = range(3)


class MainWindow(ImageInputs, QMainWindow):
    """The whole app.

    Args:
        settings: where preferences live; tests pass one backed by a temporary file.
        model_path: ONNX model to load instead of the remembered one (or the shipped default).
    """

    def __init__(self, settings: AppSettings | None = None, model_path: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("coinnet — Lincoln cent reader")
        self.settings = settings or AppSettings()
        self.predictor: Predictor | None = None
        self.results = ResultsModel(self)
        self._paste_dir = tempfile.TemporaryDirectory(prefix="coinnet-paste-")
        self._pastes = 0
        self.single = SingleView()
        self.batch = BatchView(self.results)
        self.review = ReviewView(self.results)
        self.mlflow = MlflowLauncher(self)
        self.wizard: TrainWizard | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self.single, "Single image")
        self.tabs.addTab(self.batch, "Batch")
        self.tabs.addTab(self.review, "Review && correct")
        self.setCentralWidget(self.tabs)
        self.setAcceptDrops(True)
        self._connect()
        self._build_toolbar()
        build_menus(self)
        self.model_label = QLabel("No model")
        self.statusBar().addPermanentWidget(self.model_label)
        self._restore_settings()
        remembered = self.settings.text("model/path")
        if (
            not self.load_model(model_path if model_path is not None else remembered)
            and model_path is None
            and remembered
        ):
            self.load_model("")  # the remembered file is gone: fall back to the shipped model

    # --- wiring --------------------------------------------------------------------------------------------
    def _connect(self) -> None:
        for view in (self.single, self.batch, self.review, self.mlflow):
            view.message.connect(self.show_message)
        self.single.processed.connect(self.results.add)
        self.batch.enhancement_source = self.single.enhance_panel.enhancement
        self.batch.open_requested.connect(self._open_from_table)
        self.batch.choose_folder_requested.connect(self.open_folder_dialog)
        self.batch.choose_files_requested.connect(self.open_files_dialog)
        self.batch.batch_finished.connect(lambda _: self.review.select_first())
        self.review.dataset_folder_changed.connect(lambda f: self.settings.set("paths/dataset", f))

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(3)  # the shipped threshold (0.924) has three
        self.threshold_spin.setToolTip("Readings less confident than this are shown as unknown")
        self.threshold_spin.valueChanged.connect(self.set_threshold)
        self.toolbar = bar
        bar.addWidget(QLabel(" Unknown below confidence "))
        bar.addWidget(self.threshold_spin)

    # --- model ---------------------------------------------------------------------------------------------
    def load_model(self, path: str | None) -> bool:
        """Load an ONNX model ("" or None = the shipped default); keeps the previous one if it fails."""
        try:
            predictor = Predictor(model_path=path or None)
        except (OSError, ValueError) as exc:
            self.show_message(f"Model not loaded: {exc}")
            if self.predictor is None:
                self.model_label.setText("No model — File ▸ Open model… or Tools ▸ Train model…")
            return False
        self.predictor = predictor
        self.single.predictor = self.batch.predictor = predictor
        saved = self.settings.number("model/threshold")
        self.threshold_spin.setValue(predictor.threshold if saved is None else saved)
        self.set_threshold(self.threshold_spin.value(), remember=False)
        self.settings.set("model/path", str(path or ""))
        meta = predictor.metadata
        self.model_label.setText(
            f"Model: {Path(predictor.model_path).name} ({meta.get('backbone', '?')}, {meta.get('input_size')} px)"
        )
        self.model_label.setToolTip(str(predictor.model_path))
        self.show_message(f"Loaded model {predictor.model_path}")
        return True

    def set_threshold(self, value: float, remember: bool = True) -> None:
        if self.predictor is not None:
            self.predictor.threshold = float(value)
        self.results.apply_threshold(float(value))
        self.single.apply_threshold(float(value))
        if remember:
            self.settings.set("model/threshold", float(value))

    def open_model_dialog(self) -> ModelDialog:
        path = str(self.predictor.model_path) if self.predictor else ""
        dialog = ModelDialog(
            path,
            self.predictor.metadata if self.predictor else None,
            str(Path(path).parent) if path else str(default_model_path().parent),
            self,
        )
        dialog.model_chosen.connect(
            lambda p: self.load_model(p) and dialog.show_model(str(self.predictor.model_path), self.predictor.metadata)
        )
        dialog.show()
        return dialog

    # --- opening images ------------------------------------------------------------------------------------
    def open_image(self, path: str | Path) -> bool:
        self.tabs.setCurrentIndex(TAB_SINGLE)
        ok = self.single.open_path(path)
        if ok:
            self.settings.set("paths/images", str(Path(path).parent))
        return ok

    def open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", self.settings.text("paths/images"), IMAGE_FILTER)
        if path:
            self.open_image(path)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of coin photos", self.settings.text("paths/batch"))
        if folder:
            self.start_batch([folder])

    def open_files_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Coin photos", self.settings.text("paths/batch"), IMAGE_FILTER)
        if paths:
            self.start_batch(paths)

    def start_batch(self, items: list[str | Path]) -> bool:
        """Read files and every image inside folders among ``items``, in the batch tab."""
        paths: list[Path] = []
        for item in map(Path, items):
            paths += list_images(item) if item.is_dir() else [item]
        if items:
            first = Path(items[0])
            self.settings.set("paths/batch", str(first if first.is_dir() else first.parent))
        self.tabs.setCurrentIndex(TAB_BATCH)
        return self.batch.start(paths)

    def _open_from_table(self, path: str, prediction) -> None:
        self.tabs.setCurrentIndex(TAB_SINGLE)
        self.single.open_path(path, prediction)

    # --- actions -------------------------------------------------------------------------------------------
    def process(self) -> None:
        self.tabs.setCurrentIndex(TAB_SINGLE)
        self.single.process()

    def export_results(self, path: str | Path | None = None) -> bool:
        """Write every result row to CSV or JSON (by suffix), the same columns as ``coinnet-predict``."""
        from coinnet.infer.results import write_results

        predictions = self.results.predictions()
        if not predictions:
            self.show_message("Nothing to export yet: process an image or a folder first.")
            return False
        if path is None:
            start = str(Path(self.settings.text("paths/export", str(Path.home()))) / "coinnet-results.csv")
            path, chosen = QFileDialog.getSaveFileName(self, "Export results", start, "CSV (*.csv);;JSON (*.json)")
            if not path:
                return False
            if Path(path).suffix.lower() not in (".csv", ".json"):
                path += ".json" if "json" in chosen.lower() else ".csv"
        try:
            write_results(predictions, Path(path))
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", f"{path}: {exc}")
            return False
        self.settings.set("paths/export", str(Path(path).parent))
        self.show_message(f"Exported {len(predictions)} rows to {path}")
        return True

    def open_train_wizard(self) -> TrainWizard:
        if self.wizard is None or not self.wizard.isVisible():
            self.wizard = TrainWizard(
                self.settings.text_list("train/real_folders"), self.settings.text("train/backbone"), self
            )
            self.wizard.model_ready.connect(self._on_model_trained)
            self.wizard.finished.connect(self._remember_wizard_choices)
        self.wizard.show()
        self.wizard.raise_()
        return self.wizard

    def _remember_wizard_choices(self, *_):
        self.settings.set("train/real_folders", self.wizard.data_page.real_folders())
        self.settings.set("train/backbone", self.wizard.model_page.backbone.currentText())

    def _on_model_trained(self, onnx: str) -> None:
        if self.load_model(onnx):
            self.show_message(f"Switched to the newly trained model {onnx}")

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    # --- settings ------------------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.store.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.single.enhance_panel.set_values(
            {c.field: self.settings.number(f"enhance/{c.field}", c.identity) for c in CONTROLS}
        )
        self.review.set_dataset_folder(self.settings.text("paths/dataset"))

    def save_settings(self) -> None:
        self.settings.set("window/geometry", self.saveGeometry())
        for field, value in self.single.enhance_panel.values().items():
            self.settings.set(f"enhance/{field}", value)
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.save_settings()
        if self.batch.run is not None:
            self.batch.cancel()
            self.batch.run.wait()
        if self.wizard is not None:
            self.wizard.cancel_training()
        self.mlflow.stop()
        self._paste_dir.cleanup()
        super().closeEvent(event)
