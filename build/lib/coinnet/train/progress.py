"""The progress file of a training run, written by the trainer and read by the desktop wizard (no torch).

``<run_dir>/progress.jsonl`` holds one JSON object per line, each with an ``event`` (below) and a ``time``:
``stage`` (a recipe stage before the fit starts: pretrain, mine, round 1...), ``start`` (the fit's plan),
``step`` (every few optimiser steps), ``epoch`` (after validation), and finally ``done`` or ``error``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

STAGE, START, STEP, EPOCH, DONE, ERROR = "stage", "start", "step", "epoch", "done", "error"
EVENTS = (STAGE, START, STEP, EPOCH, DONE, ERROR)


class ProgressLog:
    """Appends events to a progress file; each line is flushed at once so a reader never waits on half a record."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, event: str, **fields) -> None:
        """Append one ``event`` record (one of :data:`EVENTS`) with ``fields``."""
        if event not in EVENTS:
            raise ValueError(f"unknown progress event {event!r}")
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"event": event, **fields, "time": round(time.time(), 3)}) + "\n")
            fh.flush()


class ProgressTail:
    """Reads the records appended to a JSON-lines file since the last call.

    A line still being written (no trailing newline yet) is kept back until it is complete; a line that is
    not JSON becomes ``{"event": "garbled", "line": ...}`` rather than stopping the reader.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._offset = 0
        self._pending = b""

    def read_new(self) -> list[dict]:
        """Complete records appended since the previous call (empty if the file does not exist yet)."""
        try:
            with self.path.open("rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except FileNotFoundError:
            return []
        self._offset += len(chunk)
        *lines, self._pending = (self._pending + chunk).split(b"\n")
        records = []
        for raw in lines:
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError:
                record = {"event": "garbled", "line": text[:200]}
            records.append(record if isinstance(record, dict) else {"event": "garbled", "line": text[:200]})
        return records


@dataclass
class TrainState:
    """What the wizard shows, folded from progress records with :meth:`apply`."""

    max_epochs: int = 0
    total_steps: int = 0
    step: int = 0
    epoch: int = 0
    loss: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    finished: bool = False
    onnx: str | None = None
    error: str | None = None
    stage: str = ""  # a stage before the fit (pretrain, mine, round 1...), while it runs

    def apply(self, record: dict) -> None:
        """Update from one progress record (unknown events are ignored)."""
        event = record.get("event")
        if event == STAGE:
            self.stage = str(record.get("stage") or "")
        elif event == START:
            self.stage = ""  # the run's own fit has begun
            self.max_epochs = int(record.get("max_epochs") or 0)
            self.total_steps = int(record.get("total_steps") or 0) or self.max_epochs * int(
                record.get("steps_per_epoch") or 0
            )
        elif event == STEP:
            self.step = int(record.get("step", self.step))
            self.epoch = int(record.get("epoch", self.epoch))
            self.total_steps = int(record.get("total_steps") or self.total_steps)
            self.loss = record.get("loss", self.loss)
        elif event == EPOCH:
            self.epoch = int(record.get("epoch", self.epoch))
            self.metrics.update(record.get("metrics") or {})
        elif event == DONE:
            self.finished = True
            self.onnx = record.get("onnx")
            self.metrics.update(record.get("metrics") or {})
            self.step = max(self.step, self.total_steps)
        elif event == ERROR:
            self.finished = True
            self.error = str(record.get("message") or "training failed")

    @property
    def percent(self) -> int:
        """Progress in whole percent of the planned optimiser steps."""
        if self.finished and not self.error:
            return 100
        return int(100 * self.step / self.total_steps) if self.total_steps else 0

    def summary(self) -> str:
        """One line for a status label: epoch, step, loss and the headline validation metrics."""
        parts = [f"stage: {self.stage} (see the log)"] if self.stage else []
        if self.max_epochs:
            parts.append(f"epoch {min(self.epoch + 1, self.max_epochs)}/{self.max_epochs}")
        if self.total_steps:
            parts.append(f"step {self.step}/{self.total_steps}")
        if self.loss is not None:
            parts.append(f"loss {float(self.loss):.3f}")
        for key in ("val/year_acc", "val/mint_acc", "val/exact_acc"):
            if key in self.metrics:
                parts.append(f"{key.split('/')[-1]} {float(self.metrics[key]):.3f}")
        return " · ".join(parts) or "waiting for the trainer…"
