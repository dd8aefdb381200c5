"""The desktop app's process boundaries: no torch in the app, its shortcuts, the MLflow UI command."""

from __future__ import annotations

import os
import subprocess
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import
from coinnet import env  # noqa: E402

env.apply_offline_defaults()


from tests.helpers.paths import REPO  # noqa: E402


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
