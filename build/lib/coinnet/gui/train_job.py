"""One training run in a separate process (``QProcess``), followed through its ``progress.jsonl``."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from coinnet import env as env_defaults
from coinnet.train.progress import ProgressTail, TrainState

POLL_MS = 300
LOG_LINES = 200


class TrainJob(QObject):
    """Starts ``command``, tails ``<run_dir>/progress.jsonl`` and reports.

    Signals:
        updated(TrainState): after new progress records arrive.
        log(str): a line of the trainer's console output.
        finished(TrainState): the process ended; ``state.onnx`` is the new model when it succeeded,
            otherwise ``state.error`` says why.
    """

    updated = Signal(object)
    log = Signal(str)
    finished = Signal(object)

    def __init__(self, command: list[str], run_dir: str | Path, parent=None) -> None:
        super().__init__(parent)
        self.command = command
        self.run_dir = Path(run_dir)
        self.state = TrainState()
        self.tail = ProgressTail(self.run_dir / "progress.jsonl")
        self.output = deque(maxlen=LOG_LINES)
        self._cancelled = False
        self.ended = False  # the process is gone and ``finished`` was emitted
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        env = QProcessEnvironment.systemEnvironment()
        for key, value in {**env_defaults.OFFLINE_DEFAULTS, "PYTHONUNBUFFERED": "1"}.items():
            env.insert(key, value)
        self.process.setProcessEnvironment(env)
        self.process.setWorkingDirectory(os.getcwd())
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.finished.connect(self._on_exit)
        self.process.errorOccurred.connect(self._on_error)
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log.emit("$ " + " ".join(self.command))
        self.process.start(self.command[0], self.command[1:])
        self.timer.start()

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        """Kill the trainer (a checkpoint every 50 steps means little is lost)."""
        if self.is_running():
            self._cancelled = True
            self.process.kill()

    def poll(self) -> None:
        """Fold newly appended progress records into ``state``."""
        records = self.tail.read_new()
        for record in records:
            self.state.apply(record)
        if records:
            self.updated.emit(self.state)

    def _read_output(self) -> None:
        text = bytes(self.process.readAllStandardOutput()).decode("utf-8", errors="replace")
        for line in text.replace("\r", "\n").splitlines():
            if line.strip():
                self.output.append(line)
                self.log.emit(line)

    def _on_error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.timer.stop()
            self.state.finished = True
            self.state.error = f"could not start {self.command[0]}: {self.process.errorString()}"
            self.ended = True
            self.finished.emit(self.state)

    def _on_exit(self, code: int, status) -> None:
        self.timer.stop()
        self._read_output()
        self.poll()
        state = self.state
        if self._cancelled:
            state.error = "cancelled"
        elif code != 0 and not state.error:
            last = next((line for line in reversed(self.output) if line.strip()), "")
            state.error = f"trainer exited with code {code}" + (f": {last}" if last else "")
        elif code == 0 and not state.onnx and not state.error:
            state.error = "training finished but wrote no ONNX model (is export disabled?)"
        state.finished = True
        self.ended = True
        self.finished.emit(state)
