"""Tools ▸ Open MLflow UI: start ``mlflow ui`` once on a free local port and open it in the browser."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices

POLL_MS = 500
START_TIMEOUT_S = 90  # mlflow imports a lot; a cold start on a busy laptop takes a while


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def mlflow_command(port: int, cwd: str | Path | None = None) -> list[str]:
    """The ``mlflow ui`` command on the store that training runs from ``cwd`` write to."""
    store = Path(cwd or os.getcwd()).resolve() / "outputs" / "mlflow.db"
    return [
        sys.executable,
        "-m",
        "mlflow",
        "ui",
        "--backend-store-uri",
        f"sqlite:///{store}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]


class MlflowLauncher(QObject):
    """Keeps at most one ``mlflow ui`` process; :meth:`open` starts it if needed, then opens the browser.

    Signals:
        message(str): progress and errors for the status bar.
    """

    message = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.port: int | None = None
        self._waited = 0.0
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._check_ready)

    def url(self) -> QUrl:
        return QUrl(f"http://127.0.0.1:{self.port}")

    def open(self) -> None:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            if not self._timer.isActive():
                QDesktopServices.openUrl(self.url())
            return
        (Path.cwd() / "outputs").mkdir(exist_ok=True)
        self.port = free_port()
        command = mlflow_command(self.port)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedChannels)
        self.process.start(command[0], command[1:])
        self._waited = 0.0
        self._timer.start()
        self.message.emit(f"Starting MLflow UI on port {self.port}…")

    def _check_ready(self) -> None:
        self._waited += POLL_MS / 1000
        if self.process is None or self.process.state() == QProcess.ProcessState.NotRunning:
            self._timer.stop()
            self.message.emit("MLflow UI did not start (see the console output)")
        elif port_open(self.port):
            self._timer.stop()
            QDesktopServices.openUrl(self.url())
            self.message.emit(f"MLflow UI at {self.url().toString()}")
        elif self._waited > START_TIMEOUT_S:
            self._timer.stop()
            self.stop()
            self.message.emit(f"MLflow UI did not answer within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.terminate()
            if not self.process.waitForFinished(3000):
                self.process.kill()
                self.process.waitForFinished(2000)
