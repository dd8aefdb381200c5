"""Sliders for the enhancement controls; they build a ``coinnet.infer.enhance.Enhancement``."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSlider, QWidget

from coinnet.infer.enhance import Enhancement


@dataclass(frozen=True)
class Control:
    """One slider: the ``Enhancement`` field, its label, range and the value of one slider tick."""

    field: str
    label: str
    low: float
    high: float
    step: float
    identity: float
    unit: str = ""


# Ranges follow the Enhancement contract; QSlider is integer-only, hence the step.
CONTROLS = (
    Control("brightness", "Brightness", -1.0, 1.0, 0.01, 0.0),
    Control("contrast", "Contrast", 0.2, 3.0, 0.01, 1.0, "×"),
    Control("clahe", "CLAHE", 0.0, 8.0, 0.1, 0.0),
    Control("sharpen", "Sharpen", 0.0, 3.0, 0.05, 0.0),
    Control("denoise", "Denoise", 0.0, 1.0, 0.05, 0.0),
    Control("rotate", "Rotate", -180.0, 180.0, 1.0, 0.0, "°"),
)


class EnhancementPanel(QWidget):
    """A labelled slider per enhancement field plus a reset button; emits ``changed`` on every move."""

    changed = Signal(object)  # Enhancement

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.sliders: dict[str, QSlider] = {}
        self._values: dict[str, QLabel] = {}
        for row, ctl in enumerate(CONTROLS):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"enhance_{ctl.field}")
            slider.setRange(round(ctl.low / ctl.step), round(ctl.high / ctl.step))
            slider.setValue(round(ctl.identity / ctl.step))
            slider.setToolTip(f"{ctl.label}: {ctl.low:g} … {ctl.high:g}")
            value = QLabel()
            value.setMinimumWidth(48)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            slider.valueChanged.connect(self._on_slider)
            grid.addWidget(QLabel(ctl.label), row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
            self.sliders[ctl.field] = slider
            self._values[ctl.field] = value
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Back to the untouched image")
        self.reset_button.clicked.connect(self.reset)
        grid.addWidget(self.reset_button, len(CONTROLS), 2)
        grid.setColumnStretch(1, 1)
        self._refresh_labels()

    def values(self) -> dict[str, float]:
        """Current slider values in the units of ``Enhancement``."""
        return {ctl.field: round(self.sliders[ctl.field].value() * ctl.step, 4) for ctl in CONTROLS}

    def enhancement(self) -> Enhancement:
        return Enhancement(**self.values())

    def is_identity(self) -> bool:
        return all(abs(self.values()[c.field] - c.identity) < 1e-9 for c in CONTROLS)

    def set_values(self, values: dict[str, float]) -> None:
        """Move the sliders (unknown keys are ignored, values clamped to the slider range); emits once."""
        for ctl in CONTROLS:
            if ctl.field in values and values[ctl.field] is not None:
                slider = self.sliders[ctl.field]
                slider.blockSignals(True)
                slider.setValue(round(float(values[ctl.field]) / ctl.step))
                slider.blockSignals(False)
        self._on_slider()

    def reset(self) -> None:
        self.set_values({ctl.field: ctl.identity for ctl in CONTROLS})

    def _on_slider(self, *_):
        self._refresh_labels()
        self.changed.emit(self.enhancement())

    def _refresh_labels(self) -> None:
        values = self.values()
        for ctl in CONTROLS:
            fmt = "{:+.2f}" if ctl.field == "brightness" else ("{:.0f}" if ctl.step >= 1 else "{:.2f}")
            self._values[ctl.field].setText(fmt.format(values[ctl.field]) + ctl.unit)
