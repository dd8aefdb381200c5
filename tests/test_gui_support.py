"""Shared fixtures for the desktop-app tests, plus checks of the app's process boundaries.

The fixtures live here (imported by the other ``test_gui*`` modules) because ``conftest.py`` belongs to
the training side; the exported model is cached per test session so it is built only once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import
from coinnet import env  # noqa: E402

env.apply_offline_defaults()

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CENTS_WEB = REPO.parent / "shared" / "datasets" / "cents-web"


def export_tiny_model(path: Path) -> Path:
    """The smallest real CoinNet, exported with the project's exporter (torch in the test process only)."""
    if not path.exists():
        import torch

        from coinnet.model.export import export_onnx
        from coinnet.model.net import CoinNet

        torch.manual_seed(0)
        torch.set_num_threads(1)
        export_onnx(CoinNet(backbone="mobilenetv3_small_050", input_size=64), path)
    return path


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


def write_coin_images(folder: Path, count: int, size: int = 96) -> list[Path]:
    """Rendered cents saved as PNG/JPEG alternately (real decoding, several formats)."""
    from PIL import Image

    from coinnet.render import RenderConfig, render

    folder.mkdir(parents=True, exist_ok=True)
    cfg = RenderConfig(size=size)
    paths = []
    for i in range(count):
        path = folder / f"coin_{i:03d}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(render(cfg, seed=7, index=i).image).save(path)
        paths.append(path)
    return paths


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


def test_gui_modules_never_import_torch():
    """Every GUI module imports without pulling in torch, lightning or hydra (checked in a fresh process)."""
    modules = sorted(p.stem for p in (REPO / "coinnet" / "gui").glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('coinnet.gui.' + m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'lightning', 'hydra'))\n"
        "print(','.join(bad))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"GUI imported {out.stdout.strip()}"


def test_main_shortcuts_exist(window):
    from coinnet.gui.menus import shortcut_lines

    text = "\n".join(shortcut_lines(window))
    for keys in ("Ctrl+O", "Ctrl+V", "Ctrl+R", "F5", "Ctrl+E", "Ctrl+T", "Ctrl+M"):
        assert keys in text, f"{keys} missing from\n{text}"


def test_mlflow_command_points_at_the_training_store(tmp_path):
    from coinnet.gui.mlflow_ui import free_port, mlflow_command, port_open

    port = free_port()
    assert not port_open(port)
    cmd = mlflow_command(port, cwd=tmp_path)
    assert cmd[:4] == [sys.executable, "-m", "mlflow", "ui"]
    assert cmd[cmd.index("--backend-store-uri") + 1] == f"sqlite:///{tmp_path.resolve()}/outputs/mlflow.db"
    assert cmd[cmd.index("--port") + 1] == str(port) and cmd[cmd.index("--workers") + 1] == "1"
