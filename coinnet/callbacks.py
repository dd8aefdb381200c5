"""Lightning callbacks that are ours: a progress file other processes (the desktop wizard) can tail."""

from __future__ import annotations

import json
import time
from pathlib import Path

import lightning.pytorch as pl


def _scalar_metrics(metrics: dict) -> dict[str, float]:
    return {k: round(float(v), 6) for k, v in metrics.items() if getattr(v, "numel", lambda: 1)() == 1}


class ProgressFile(pl.Callback):
    """Appends one JSON object per line to ``path``: start, step (every ``every`` steps), epoch, done/error.

    Only rank 0 writes. Each line is flushed at once so a reader never sees half a record for long.
    """

    def __init__(self, path: str | Path, every: int = 10) -> None:
        self.path, self.every = Path(path), every
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, trainer: pl.Trainer | None, **record) -> None:
        if trainer is not None and not trainer.is_global_zero:
            return
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({**record, "time": round(time.time(), 3)}) + "\n")
            fh.flush()

    def on_train_start(self, trainer, pl_module) -> None:
        self.write(
            trainer,
            event="start",
            max_epochs=trainer.max_epochs,
            steps_per_epoch=trainer.num_training_batches,
            total_steps=int(trainer.estimated_stepping_batches),
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step % self.every == 0:
            loss = outputs["loss"].item() if isinstance(outputs, dict) else float(outputs)
            self.write(
                trainer,
                event="step",
                epoch=trainer.current_epoch,
                step=trainer.global_step,
                total_steps=int(trainer.estimated_stepping_batches),
                loss=round(loss, 5),
            )

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        # Runs after the epoch's validation (callbacks see on_validation_epoch_end before the module logs).
        self.write(trainer, event="epoch", epoch=trainer.current_epoch, metrics=_scalar_metrics(trainer.callback_metrics))
