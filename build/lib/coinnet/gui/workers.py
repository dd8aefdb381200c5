"""Background work: one-off tasks on the thread pool and the chunked, cancellable batch worker."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from coinnet.gui.qtimage import load_thumbnail


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """Runs ``fn()`` on ``QThreadPool``; ``done(result)`` or ``failed(one-line reason)`` arrive in the GUI thread."""

    _alive: set[Task] = set()  # Python would otherwise collect a Task (and its signals) while it runs

    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _TaskSignals()
        self.signals.done.connect(lambda *_: Task._alive.discard(self))
        self.signals.failed.connect(lambda *_: Task._alive.discard(self))

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # shown to the user, never a crash
            traceback.print_exc()
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}".splitlines()[0])
        else:
            self.signals.done.emit(result)


def run_task(fn: Callable[[], object], on_done: Callable, on_failed: Callable[[str], None]) -> Task:
    """Start ``fn`` in the background and route its outcome to the two callbacks (GUI thread)."""
    task = Task(fn)
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_failed)
    Task._alive.add(task)
    QThreadPool.globalInstance().start(task)
    return task


class BatchWorker(QObject):
    """Predicts a list of files chunk by chunk so that a cancel takes effect between chunks.

    Signals:
        chunk_done(list): ``(Prediction, QImage | None)`` pairs for the files of one chunk, in order.
        progress(int, int): files done, files in total.
        finished(bool): True when the run stopped early (:meth:`cancel`, or an unexpected ``error``).
    """

    chunk_done = Signal(list)
    progress = Signal(int, int)
    finished = Signal(bool)

    def __init__(self, predict: Callable[[list[str]], list], paths: list[str | Path], chunk_size: int = 8) -> None:
        super().__init__()
        self.predict = predict
        self.paths = [str(p) for p in paths]
        self.chunk_size = max(1, chunk_size)
        self._cancelled = False
        self.error = ""

    def cancel(self) -> None:
        """Ask the worker to stop after the chunk in progress (safe to call from the GUI thread)."""
        self._cancelled = True

    @Slot()
    def run(self) -> None:
        done, total = 0, len(self.paths)
        try:
            for start in range(0, total, self.chunk_size):
                if self._cancelled:
                    break
                chunk = self.paths[start : start + self.chunk_size]
                predictions = self.predict(chunk)
                self.chunk_done.emit([(pred, load_thumbnail(path)) for pred, path in zip(predictions, chunk)])
                done += len(chunk)
                self.progress.emit(done, total)
        except Exception as exc:  # the predictor reports bad files per row; this is for anything else
            traceback.print_exc()
            self.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:
            self.finished.emit(done < total)


class BatchRun(QObject):
    """Owns the thread of one :class:`BatchWorker`; the thread quits and is cleaned up when the worker ends."""

    finished = Signal(bool)

    def __init__(self, worker: BatchWorker, parent=None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.thread = QThread()
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        worker.finished.connect(self._on_finished)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)

    def _on_finished(self, cancelled: bool) -> None:
        self.thread.quit()
        self.thread.wait()
        self.finished.emit(cancelled)
