"""Fixtures of the desktop-app tests: a tiny model (exported once per session), coin photos, a window."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import

import pytest

from tests.helpers.gui import export_tiny_model, write_coin_images


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return export_tiny_model(tmp_path_factory.getbasetemp() / "gui-models" / "tiny.onnx")


@pytest.fixture(scope="session")
def second_model(tmp_path_factory, tiny_model) -> Path:
    """A second model file (same weights) so that switching models is observable by path."""
    import shutil

    target = tmp_path_factory.getbasetemp() / "gui-models" / "second.onnx"
    if not target.exists():
        shutil.copyfile(tiny_model, target)
    return target


@pytest.fixture
def coin_folder(tmp_path) -> Path:
    """Six rendered coins and one file that is not an image."""
    folder = tmp_path / "coins"
    write_coin_images(folder, 6)
    (folder / "broken.jpg").write_bytes(b"this is not a JPEG")
    return folder


@pytest.fixture
def app_settings(tmp_path):
    """Settings in a temporary INI file, never the user's."""
    from PySide6.QtCore import QSettings

    from coinnet.gui.settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, app_settings, tiny_model):
    from coinnet.gui.app import MainWindow

    win = MainWindow(app_settings, model_path=str(tiny_model))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win
