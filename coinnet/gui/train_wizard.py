"""Tools ▸ Train model: a three-page wizard (data, model, run) around :class:`TrainJob`."""

from __future__ import annotations

import shlex
import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from coinnet.gui.train_job import TrainJob
from coinnet.gui.train_progress import (
    BACKBONE_PRESETS,
    EPOCH_PRESETS,
    EPOCH_SIZE_PRESETS,
    train_command,
    train_overrides,
)
from coinnet.train.progress import TrainState


def _preset_combo(values, current) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems([str(v) for v in values])
    combo.setValidator(QIntValidator(1, 10_000_000))
    combo.setCurrentText(str(current))
    return combo


class DataPage(QWizardPage):
    def __init__(self, real_folders: list[str]) -> None:
        super().__init__()
        self.setTitle("Training data")
        self.setSubTitle(
            "Rendered coins are drawn fresh every epoch. Real folders (labels.csv + images/, e.g. the "
            "ones Review & correct writes) are mixed in beside them."
        )
        self.epoch_size = _preset_combo(EPOCH_SIZE_PRESETS, EPOCH_SIZE_PRESETS[2])
        self.folders = QListWidget()
        self.folders.addItems(real_folders)
        add, remove = QPushButton("Add folder…"), QPushButton("Remove")
        add.clicked.connect(self._add)
        remove.clicked.connect(
            lambda: [self.folders.takeItem(self.folders.row(i)) for i in self.folders.selectedItems()]
        )
        self.warning = QLabel("")
        self.warning.setStyleSheet("color: #c62828")
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow("Samples per epoch:", self.epoch_size)
        form.addRow("Real photo folders:", self.folders)
        form.addRow("", buttons)
        form.addRow("", self.warning)

    def _add(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with labels.csv and images/")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        if not (Path(folder) / "labels.csv").is_file():
            self.warning.setText(f"{folder}: no labels.csv there; not added")
            return
        self.warning.setText("")
        if folder not in self.real_folders():
            self.folders.addItem(folder)

    def real_folders(self) -> list[str]:
        return [self.folders.item(i).text() for i in range(self.folders.count())]


class ModelPage(QWizardPage):
    def __init__(self, backbone: str) -> None:
        super().__init__()
        self.setTitle("Model and schedule")
        self.setSubTitle("Small backbones train in minutes on a laptop CPU; resnet18 is slower but steadier.")
        self.backbone = QComboBox()
        self.backbone.addItems(BACKBONE_PRESETS)
        self.backbone.setCurrentText(backbone if backbone in BACKBONE_PRESETS else BACKBONE_PRESETS[0])
        self.epochs = _preset_combo(EPOCH_PRESETS, EPOCH_PRESETS[1])
        self.run_dir = QLineEdit(str(Path("outputs") / "gui" / time.strftime("%Y-%m-%d_%H-%M-%S")))
        self.extra = QLineEdit()
        self.extra.setPlaceholderText("more Hydra overrides, e.g. experiment=smoke trainer.precision=bf16-mixed")
        form = QFormLayout(self)
        form.addRow("Backbone:", self.backbone)
        form.addRow("Epochs:", self.epochs)
        form.addRow("Run folder:", self.run_dir)
        form.addRow("Advanced:", self.extra)
        self.setCommitPage(True)  # once training starts there is no going back, only Cancel
        self.setButtonText(QWizard.WizardButton.CommitButton, "Train")


class RunPage(QWizardPage):
    """Starts the job when shown; complete once the trainer process has ended (either way)."""

    def __init__(self, wizard: TrainWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Training")
        self.command_label = QLabel("")
        self.command_label.setWordWrap(True)
        self.command_label.setStyleSheet("font-family: monospace; font-size: 9pt")
        self.progress = QProgressBar()
        self.summary = QLabel("starting…")
        self.summary.setObjectName("train_summary")
        self.metrics = QLabel("")
        self.metrics.setWordWrap(True)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(300)
        self.cancel_button = QPushButton("Stop training")
        self.cancel_button.clicked.connect(wizard.cancel_training)
        layout = QVBoxLayout(self)
        for widget in (self.command_label, self.progress, self.summary, self.metrics, self.result):
            layout.addWidget(widget)
        layout.addWidget(self.log, 1)
        layout.addWidget(self.cancel_button)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        self.owner.start_training()

    def isComplete(self) -> bool:  # noqa: N802
        return self.owner.job is not None and self.owner.job.ended


class TrainWizard(QWizard):
    """Collects the run's settings, runs ``python -m coinnet.train`` and hands the new model back.

    Signals:
        model_ready(str): path of the ONNX model a successful run exported.
    """

    model_ready = Signal(str)

    def __init__(self, real_folders: list[str] | None = None, backbone: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a model")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.job: TrainJob | None = None
        self.data_page = DataPage(real_folders or [])
        self.model_page = ModelPage(backbone)
        self.run_page = RunPage(self)
        for page in (self.data_page, self.model_page, self.run_page):
            self.addPage(page)
        self.resize(760, 600)

    def command(self) -> tuple[list[str], Path]:
        """The trainer's argument list and run folder from what the pages hold."""
        overrides = train_overrides(
            backbone=self.model_page.backbone.currentText(),
            epochs=int(self.model_page.epochs.currentText() or 1),
            epoch_size=int(self.data_page.epoch_size.currentText() or 1),
            real_folders=self.data_page.real_folders(),
            extra=shlex.split(self.model_page.extra.text()),
        )
        run_dir = Path(self.model_page.run_dir.text().strip() or "outputs/gui").expanduser().resolve()
        return train_command(overrides, run_dir), run_dir

    def start_training(self) -> None:
        command, run_dir = self.command()
        self.job = TrainJob(command, run_dir, self)
        page = self.run_page
        page.command_label.setText(" ".join(shlex.quote(c) for c in command[1:]))
        self.job.updated.connect(self._show_state)
        self.job.log.connect(self._append_log)
        self.job.finished.connect(self._on_finished)
        self.job.start()

    def _append_log(self, line: str) -> None:
        log = self.run_page.log
        log.appendPlainText(line)
        log.verticalScrollBar().setValue(log.verticalScrollBar().maximum())  # follow the newest line

    def cancel_training(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _show_state(self, state: TrainState) -> None:
        page = self.run_page
        page.progress.setValue(state.percent)
        page.summary.setText(state.summary())
        if state.metrics:
            shown = sorted(k for k in state.metrics if k.startswith("val/"))[:8]
            page.metrics.setText("  ".join(f"{k[4:]} {float(state.metrics[k]):.3f}" for k in shown))

    def _on_finished(self, state: TrainState) -> None:
        self._show_state(state)
        page = self.run_page
        page.cancel_button.setEnabled(False)
        if state.error:
            page.result.setText(f"<b>Training did not finish:</b> {state.error}")
        else:
            page.result.setText(f"<b>Done.</b> The app now uses {state.onnx}")
            self.model_ready.emit(state.onnx)
        page.completeChanged.emit()

    def reject(self) -> None:
        self.cancel_training()
        super().reject()

    def done(self, result: int) -> None:
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.process.waitForFinished(5000)
        super().done(result)
