"""The training wizard's pure half: the command line it runs and the progress file it tails (no Qt).

``coinnet.train`` appends one JSON object per line to ``<run_dir>/progress.jsonl``: ``start``, ``step``,
``epoch`` and finally ``done`` or ``error`` (see ``coinnet/callbacks.py``).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

BACKBONE_PRESETS = ("mobilenetv3_small_100", "mobilenetv3_large_100", "resnet18")
EPOCH_PRESETS = (1, 5, 20, 50)
EPOCH_SIZE_PRESETS = (2000, 5000, 12800, 50000)

_PLAIN_VALUE = re.compile(r"[\w/.\-+]+")


def hydra_string(value: str) -> str:
    """Quote a value for a Hydra override when it holds characters the override grammar treats specially."""
    if _PLAIN_VALUE.fullmatch(value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def train_overrides(
    backbone: str, epochs: int, epoch_size: int, real_folders: list[str], extra: list[str] | None = None
) -> list[str]:
    """Hydra overrides for one wizard run.

    Without real folders: the reader alone, trained on rendered coins as chosen. With them, the recipe of the
    shipped model (``experiment=default_model``, :mod:`coinnet.stages`): that reader is trained first
    (``pretrain``), finds the date in each labelled photo (``mine``: whole-coin photos become date crops,
    plus no-date views), and is fine-tuned for 2 epochs on renders plus those crops; that reader mines the
    photos again and the fine-tune is repeated on the better crops (``mine.rounds``). ``epoch_size`` is the
    samples drawn per epoch from all sources together. ``extra`` overrides come last (in both stages), so
    they can refine anything.
    """
    chosen = [f"model.backbone={hydra_string(backbone)}", f"trainer.max_epochs={int(epochs)}", f"data.epoch_size={int(epoch_size)}"]
    extra = list(extra or [])
    if not real_folders:
        return chosen + extra
    stage = ",".join(hydra_string(o) for o in chosen + extra)
    folders = ",".join(hydra_string(str(p)) for p in real_folders)
    return [
        f"model.backbone={hydra_string(backbone)}", f"data.epoch_size={int(epoch_size)}",
        "data=mixed", "data.real.paths=[]", "data.real.folds=0", "data.real.weight=0.5",
        "data.synthetic.negative_prob=0.25", "model.negative_weight=1.0", "model.lr=0.001", "trainer.max_epochs=2",
        f"pretrain=[{stage}]", f"mine={{data:[{folders}],negatives:1,rounds:2}}", *extra,
    ]


def train_command(overrides: list[str], run_dir: str | Path) -> list[str]:
    """``python -m coinnet.train <overrides> hydra.run.dir=<run_dir>`` as an argument list (no shell)."""
    return [sys.executable, "-m", "coinnet.train", *overrides, f"hydra.run.dir={hydra_string(str(run_dir))}"]


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
        if event == "stage":
            self.stage = str(record.get("stage") or "")
        elif event == "start":
            self.stage = ""  # the run's own fit has begun
            self.max_epochs = int(record.get("max_epochs") or 0)
            self.total_steps = int(record.get("total_steps") or 0) or self.max_epochs * int(
                record.get("steps_per_epoch") or 0
            )
        elif event == "step":
            self.step = int(record.get("step", self.step))
            self.epoch = int(record.get("epoch", self.epoch))
            self.total_steps = int(record.get("total_steps") or self.total_steps)
            self.loss = record.get("loss", self.loss)
        elif event == "epoch":
            self.epoch = int(record.get("epoch", self.epoch))
            self.metrics.update(record.get("metrics") or {})
        elif event == "done":
            self.finished = True
            self.onnx = record.get("onnx")
            self.metrics.update(record.get("metrics") or {})
            self.step = max(self.step, self.total_steps)
        elif event == "error":
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
